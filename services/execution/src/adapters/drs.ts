import { ConflictException, DescribeJobsCommand, DescribeRecoveryInstancesCommand, DescribeRecoverySnapshotsCommand, DrsClient, ResourceNotFoundException, ServiceQuotaExceededException, StartRecoveryCommand, TerminateRecoveryInstancesCommand, ValidationException } from '@aws-sdk/client-drs';
import type { Job } from '@aws-sdk/client-drs';
import { isEc2InstanceId } from '../domain/ids.js';

/** Tags Lifeboat puts on every DRS job it starts, so a job can always be traced back. */
export const JOB_TAGS = {
  executionId: 'lifeboat:execution-id',
  waveId: 'lifeboat:wave-id',
  batchId: 'lifeboat:batch-id',
  stage: 'lifeboat:stage',
} as const;

export interface RecoveryJob {
  jobId: string;
  /** PENDING, STARTED or COMPLETED: a COMPLETED job no longer counts against the quotas. */
  status?: string;
  tags: Record<string, string>;
  participatingServers: { sourceServerId: string; recoveryInstanceId?: string; launchStatus?: string }[];
}

/** DRS refused to start the job because a server already has an active job. */
export class RecoveryJobConflictError extends Error {
  override readonly name = 'RecoveryJobConflictError';
}

/** DRS refused to start the job for quota: capacity is used by jobs Lifeboat did not start. */
export class RecoveryQuotaExceededError extends Error {
  override readonly name = 'RecoveryQuotaExceededError';
}

/** DRS refused the job for good (a server it does not know, a request it finds invalid): trying again cannot help. */
export class RecoveryJobRefusedError extends Error {
  override readonly name = 'RecoveryJobRefusedError';
}

/** A recovery instance and the EC2 instance behind it, as DescribeRecoveryInstances reports them. */
export interface LaunchedRecoveryInstance {
  recoveryInstanceId: string;
  /** Absent while DRS reports none (or one that is not an EC2 instance id). */
  ec2InstanceId?: string;
}

export interface StartRecoveryInput {
  sourceServerIds: string[];
  isDrill: boolean;
  tags: Record<string, string>;
  /** sourceServerId -> recoverySnapshotID. */
  recoverySnapshotIds?: Record<string, string>;
}

/** The DRS calls of the process manager (one account and region: the function's own, for now). */
export interface RecoveryJobs {
  /**
   * Starts a recovery job; RecoveryJobConflictError when a server already has an active job.
   * `recoverySnapshotIds`: the point in time of the servers not launched from their latest snapshot.
   */
  startRecovery(input: StartRecoveryInput): Promise<RecoveryJob>;
  /** The job created since `since` that carries all of these tags, if any. */
  findJobByTags(tags: Record<string, string>, since: string): Promise<RecoveryJob | undefined>;
  /** The jobs with these ids that DRS knows. */
  describeJobs(jobIds: readonly string[]): Promise<RecoveryJob[]>;
  /** The recovery instances with these ids that DRS knows, each with its EC2 instance when reported. */
  describeRecoveryInstances(recoveryInstanceIds: readonly string[]): Promise<LaunchedRecoveryInstance[]>;
}

function toRecoveryJob(job: Job): RecoveryJob {
  if (!job.jobID) throw new Error('DRS answered a job without jobID');
  return {
    jobId: job.jobID,
    ...(job.status ? { status: job.status } : {}),
    tags: job.tags ?? {},
    participatingServers: (job.participatingServers ?? []).flatMap((s) =>
      s.sourceServerID ? [{ sourceServerId: s.sourceServerID, ...(s.recoveryInstanceID ? { recoveryInstanceId: s.recoveryInstanceID } : {}), ...(s.launchStatus ? { launchStatus: s.launchStatus } : {}) }] : [],
    ),
  };
}

/**
 * RecoveryJobs on the DRS API. The client takes its region and endpoint from the environment
 * (AWS_REGION, AWS_ENDPOINT_URL_DRS for the simulator).
 */
export class DrsRecoveryJobs implements RecoveryJobs {
  constructor(private readonly client: DrsClient = new DrsClient({})) {}

  async startRecovery(input: StartRecoveryInput): Promise<RecoveryJob> {
    try {
      const sourceServers = input.sourceServerIds.map((sourceServerID) => {
        const recoverySnapshotID = input.recoverySnapshotIds?.[sourceServerID];
        return recoverySnapshotID ? { sourceServerID, recoverySnapshotID } : { sourceServerID };
      });
      const response = await this.client.send(new StartRecoveryCommand({ isDrill: input.isDrill, sourceServers, tags: input.tags }));
      if (!response.job) throw new Error('DRS StartRecovery answered no job');
      return toRecoveryJob(response.job);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (error instanceof ConflictException || name === 'ConflictException') throw new RecoveryJobConflictError((error as Error).message, { cause: error });
      if (error instanceof ServiceQuotaExceededException || name === 'ServiceQuotaExceededException') throw new RecoveryQuotaExceededError((error as Error).message, { cause: error });
      if (error instanceof ValidationException || error instanceof ResourceNotFoundException || name === 'ValidationException' || name === 'ResourceNotFoundException') {
        throw new RecoveryJobRefusedError((error as Error).message, { cause: error });
      }
      throw error;
    }
  }

  async findJobByTags(tags: Record<string, string>, since: string): Promise<RecoveryJob | undefined> {
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new DescribeJobsCommand({ filters: { fromDate: since }, maxResults: 100, nextToken }));
      for (const job of page.items ?? []) {
        if (Object.entries(tags).every(([key, value]) => job.tags?.[key] === value)) return toRecoveryJob(job);
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return undefined;
  }

  async describeJobs(jobIds: readonly string[]): Promise<RecoveryJob[]> {
    return (await jobsWithIds(this.client, jobIds)).map(toRecoveryJob);
  }

  /** 200 ids per call (DRS's limit on the filter), every page. */
  async describeRecoveryInstances(recoveryInstanceIds: readonly string[]): Promise<LaunchedRecoveryInstance[]> {
    const ids = [...new Set(recoveryInstanceIds)];
    const found: LaunchedRecoveryInstance[] = [];
    for (let i = 0; i < ids.length; i += DESCRIBE_RECOVERY_INSTANCES_IDS) {
      const wanted = new Set(ids.slice(i, i + DESCRIBE_RECOVERY_INSTANCES_IDS));
      let nextToken: string | undefined;
      do {
        const page = await this.client.send(new DescribeRecoveryInstancesCommand({ filters: { recoveryInstanceIDs: [...wanted] }, maxResults: DESCRIBE_RECOVERY_INSTANCES_IDS, nextToken }));
        for (const item of page.items ?? []) {
          if (!item.recoveryInstanceID || !wanted.has(item.recoveryInstanceID)) continue;
          // Only what the ServerLaunched schema accepts is carried on.
          const ec2InstanceId = item.ec2InstanceID && isEc2InstanceId(item.ec2InstanceID) ? item.ec2InstanceID : undefined;
          found.push({ recoveryInstanceId: item.recoveryInstanceID, ...(ec2InstanceId ? { ec2InstanceId } : {}) });
        }
        nextToken = page.nextToken || undefined;
      } while (nextToken);
    }
    return found;
  }
}

/** DescribeRecoveryInstances filters on at most 200 recovery instance ids. */
const DESCRIBE_RECOVERY_INSTANCES_IDS = 200;

/** DescribeJobs filters on at most 1,000 job ids. */
const DESCRIBE_JOBS_IDS = 1000;

/** The jobs with these ids that DRS knows, every page (launches and cleanup both need them). */
async function jobsWithIds(client: DrsClient, jobIds: readonly string[]): Promise<(Job & { jobID: string })[]> {
  const found: (Job & { jobID: string })[] = [];
  for (let i = 0; i < jobIds.length; i += DESCRIBE_JOBS_IDS) {
    const wanted = new Set(jobIds.slice(i, i + DESCRIBE_JOBS_IDS));
    let nextToken: string | undefined;
    do {
      const page = await client.send(new DescribeJobsCommand({ filters: { jobIDs: [...wanted] }, maxResults: 100, nextToken }));
      for (const job of page.items ?? []) if (job.jobID && wanted.has(job.jobID)) found.push({ ...job, jobID: job.jobID });
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return found;
}

/** The recovery snapshots of a source server (point in time "latest before"). */
export interface RecoverySnapshots {
  /** The id of the newest snapshot taken at or before `before`, if any. */
  latestSnapshotBefore(sourceServerId: string, before: string): Promise<string | undefined>;
}

export class DrsRecoverySnapshots implements RecoverySnapshots {
  constructor(private readonly client: DrsClient = new DrsClient({})) {}

  async latestSnapshotBefore(sourceServerId: string, before: string): Promise<string | undefined> {
    const page = await this.client.send(new DescribeRecoverySnapshotsCommand({ sourceServerID: sourceServerId, filters: { toDateTime: before }, order: 'DESC', maxResults: 1 }));
    return page.items?.[0]?.snapshotID;
  }
}

/** A launch job's recovery instances, with what identifies the job as a drill of an execution. */
export interface JobRecoveryInstances {
  jobId: string;
  /** DRS's initiatedBy: START_DRILL, START_RECOVERY, ... */
  initiatedBy?: string;
  tags: Record<string, string>;
  recoveryInstanceIds: string[];
}

export interface TerminationResult {
  terminated: string[];
  failed: { recoveryInstanceId: string; reason: string }[];
}

/** What drill cleanup asks of DRS. */
export interface RecoveryInstanceTerminator {
  describeJobs(jobIds: string[]): Promise<JobRecoveryInstances[]>;
  terminate(recoveryInstanceIds: string[]): Promise<TerminationResult>;
}

/** TerminateRecoveryInstances takes at most 200 ids. */
const TERMINATE_CHUNK = 200;
const RETRYABLE = new Set(['ThrottlingException', 'InternalServerException', 'ServiceUnavailableException']);

export class DrsRecoveryInstanceTerminator implements RecoveryInstanceTerminator {
  constructor(private readonly client: DrsClient = new DrsClient({})) {}

  async describeJobs(jobIds: string[]): Promise<JobRecoveryInstances[]> {
    return (await jobsWithIds(this.client, jobIds)).map((job) => ({
      jobId: job.jobID,
      ...(job.initiatedBy ? { initiatedBy: job.initiatedBy } : {}),
      tags: job.tags ?? {},
      recoveryInstanceIds: (job.participatingServers ?? []).flatMap((s) => (s.recoveryInstanceID ? [s.recoveryInstanceID] : [])),
    }));
  }

  /**
   * Asks DRS to terminate the instances, 200 at a time; when a call is refused, each instance of it
   * alone, so one bad id does not keep the others. An instance DRS no longer knows is gone: terminated.
   * Throttling and server errors are thrown (the event is delivered again).
   */
  async terminate(recoveryInstanceIds: string[]): Promise<TerminationResult> {
    const result: TerminationResult = { terminated: [], failed: [] };
    for (let i = 0; i < recoveryInstanceIds.length; i += TERMINATE_CHUNK) {
      const chunk = recoveryInstanceIds.slice(i, i + TERMINATE_CHUNK);
      try {
        await this.client.send(new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: chunk }));
        result.terminated.push(...chunk);
        continue;
      } catch (error) {
        if (RETRYABLE.has(errorName(error))) throw error;
        if (chunk.length === 1) {
          this.record(result, chunk[0] as string, error);
          continue;
        }
      }
      for (const id of chunk) {
        try {
          await this.client.send(new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: [id] }));
          result.terminated.push(id);
        } catch (error) {
          if (RETRYABLE.has(errorName(error))) throw error;
          this.record(result, id, error);
        }
      }
    }
    return result;
  }

  private record(result: TerminationResult, id: string, error: unknown): void {
    if (errorName(error) === 'ResourceNotFoundException') result.terminated.push(id);
    else result.failed.push({ recoveryInstanceId: id, reason: `${errorName(error)}: ${(error as Error).message}` });
  }
}

function errorName(error: unknown): string {
  return (error as { name?: string }).name ?? 'Error';
}
