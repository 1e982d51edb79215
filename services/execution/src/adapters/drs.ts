import { ConflictException, DescribeJobsCommand, DrsClient, StartRecoveryCommand } from '@aws-sdk/client-drs';
import type { Job } from '@aws-sdk/client-drs';

/** Tags Lifeboat puts on every DRS job it starts, so a job can always be traced back. */
export const JOB_TAGS = {
  executionId: 'lifeboat:execution-id',
  waveId: 'lifeboat:wave-id',
  batchId: 'lifeboat:batch-id',
  stage: 'lifeboat:stage',
} as const;

export interface RecoveryJob {
  jobId: string;
  tags: Record<string, string>;
  participatingServers: { sourceServerId: string; recoveryInstanceId?: string; launchStatus?: string }[];
}

/** DRS refused to start the job because a server already has an active job. */
export class RecoveryJobConflictError extends Error {
  override readonly name = 'RecoveryJobConflictError';
}

/** The DRS calls of the process manager (one account and region: the function's own, for now). */
export interface RecoveryJobs {
  /** Starts a recovery job; RecoveryJobConflictError when a server already has an active job. */
  startRecovery(input: { sourceServerIds: string[]; isDrill: boolean; tags: Record<string, string> }): Promise<RecoveryJob>;
  /** The job created since `since` that carries all of these tags, if any. */
  findJobByTags(tags: Record<string, string>, since: string): Promise<RecoveryJob | undefined>;
  describeJob(jobId: string): Promise<RecoveryJob | undefined>;
}

function toRecoveryJob(job: Job): RecoveryJob {
  if (!job.jobID) throw new Error('DRS answered a job without jobID');
  return {
    jobId: job.jobID,
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

  async startRecovery(input: { sourceServerIds: string[]; isDrill: boolean; tags: Record<string, string> }): Promise<RecoveryJob> {
    try {
      const response = await this.client.send(
        new StartRecoveryCommand({ isDrill: input.isDrill, sourceServers: input.sourceServerIds.map((sourceServerID) => ({ sourceServerID })), tags: input.tags }),
      );
      if (!response.job) throw new Error('DRS StartRecovery answered no job');
      return toRecoveryJob(response.job);
    } catch (error) {
      if (error instanceof ConflictException || (error as { name?: string }).name === 'ConflictException') {
        throw new RecoveryJobConflictError((error as Error).message, { cause: error });
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

  async describeJob(jobId: string): Promise<RecoveryJob | undefined> {
    const page = await this.client.send(new DescribeJobsCommand({ filters: { jobIDs: [jobId] } }));
    const job = page.items?.find((j) => j.jobID === jobId);
    return job ? toRecoveryJob(job) : undefined;
  }
}
