import { DescribeJobsCommand, DescribeRecoveryInstancesCommand, type DrsClient, type Job, type ParticipatingServer, type RecoveryInstance } from '@aws-sdk/client-drs';
import type { LaunchActionsFacts } from '../domain/checks.js';
import type { JobLaunchActions, ServerLaunchActions } from '../domain/job-launch-actions.js';
import type { RecoveryInstanceFacts } from '../domain/recovery-instance.js';
import { selectRecoveryInstance } from '../domain/recovery-instance.js';
import type { JobLaunchActionsReader, JobSource } from '../job-launch-actions.js';
import type { DrsPort, VerificationTarget } from '../verify.js';

function toFacts(instance: RecoveryInstance): RecoveryInstanceFacts | undefined {
  if (!instance.recoveryInstanceID) return undefined;
  return {
    recoveryInstanceID: instance.recoveryInstanceID,
    ec2InstanceID: instance.ec2InstanceID,
    sourceServerID: instance.sourceServerID,
    jobID: instance.jobID,
    lastUpdatedDateTime: instance.recoveryInstanceProperties?.lastUpdatedDateTime,
  };
}

/** What the check reads of one participating server of a job. */
function serverLaunchActions(server: ParticipatingServer): ServerLaunchActions {
  const status = server.launchActionsStatus;
  return {
    ...(server.launchStatus ? { launchStatus: server.launchStatus } : {}),
    reported: status !== undefined,
    ...(status?.ssmAgentDiscoveryDatetime ? { ssmAgentDiscoveryDatetime: status.ssmAgentDiscoveryDatetime } : {}),
    runs: (status?.runs ?? []).map((run) => ({
      name: run.action?.name || run.action?.actionCode || run.action?.actionId || run.runId || 'unnamed action',
      optional: run.action?.optional === true,
      status: run.status ?? 'UNKNOWN',
      ...(run.failureReason ? { failureReason: run.failureReason } : {}),
    })),
  };
}

/** The launch actions of a server in a job, as DescribeJobs reports them. */
export function launchActionsOf(job: Job | undefined, sourceServerId: string): LaunchActionsFacts {
  const server = job?.participatingServers?.find((s) => s.sourceServerID === sourceServerId);
  return server ? { found: true, ...serverLaunchActions(server) } : { found: false, reported: false, runs: [] };
}

/** The launch actions of every server of a job, by source server id ({} without a job). */
export function jobLaunchActionsOf(job: Job | undefined): JobLaunchActions {
  return Object.fromEntries((job?.participatingServers ?? []).flatMap((server) => (server.sourceServerID ? [[server.sourceServerID, serverLaunchActions(server)]] : [])));
}

/** Verifications of the same job's servers share its DescribeJobs through this reader, in this account and region. */
export interface SharedJobReads {
  reader: JobLaunchActionsReader;
  accountId: string;
  region: string;
}

/**
 * DRS: the recovered instance of a launch (DescribeRecoveryInstances, every page: by recovery
 * instance id when the launch reported it, else by source server and job) and the post-launch
 * action runs of a job (DescribeJobs), through the job's shared snapshot when `shared` is given.
 */
export class DrsAdapter implements DrsPort, JobSource {
  constructor(
    private readonly drs: DrsClient,
    private readonly shared?: SharedJobReads,
  ) {}

  async ec2InstanceIdOf(target: VerificationTarget): Promise<{ recoveryInstanceId: string; ec2InstanceId?: string } | undefined> {
    const filters = target.recoveryInstanceId ? { recoveryInstanceIDs: [target.recoveryInstanceId] } : { sourceServerIDs: [target.sourceServerId] };
    const candidates: RecoveryInstanceFacts[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.drs.send(new DescribeRecoveryInstancesCommand({ filters, nextToken }));
      for (const item of page.items ?? []) {
        const facts = toFacts(item);
        if (facts) candidates.push(facts);
      }
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    const chosen = selectRecoveryInstance(candidates, target);
    return chosen ? { recoveryInstanceId: chosen.recoveryInstanceID, ...(chosen.ec2InstanceID ? { ec2InstanceId: chosen.ec2InstanceID } : {}) } : undefined;
  }

  async launchActions(jobId: string, sourceServerId: string): Promise<LaunchActionsFacts> {
    if (this.shared) return this.shared.reader.launchActions({ accountId: this.shared.accountId, region: this.shared.region, jobId }, sourceServerId, this);
    return launchActionsOf(await this.describeJob(jobId), sourceServerId);
  }

  async jobLaunchActions(jobId: string): Promise<JobLaunchActions> {
    return jobLaunchActionsOf(await this.describeJob(jobId));
  }

  private async describeJob(jobId: string): Promise<Job | undefined> {
    const { items } = await this.drs.send(new DescribeJobsCommand({ filters: { jobIDs: [jobId] } }));
    return items?.find((j) => j.jobID === jobId);
  }
}
