import { DescribeJobsCommand, DescribeRecoveryInstancesCommand, type DrsClient, type Job, type RecoveryInstance } from '@aws-sdk/client-drs';
import type { LaunchActionsFacts } from '../domain/checks.js';
import type { RecoveryInstanceFacts } from '../domain/recovery-instance.js';
import { selectRecoveryInstance } from '../domain/recovery-instance.js';
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

/** The launch actions of a server in a job, as DescribeJobs reports them. */
export function launchActionsOf(job: Job | undefined, sourceServerId: string): LaunchActionsFacts {
  const server = job?.participatingServers?.find((s) => s.sourceServerID === sourceServerId);
  if (!server) return { found: false, reported: false, runs: [] };
  const status = server.launchActionsStatus;
  return {
    found: true,
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

/**
 * DRS: the recovered instance of a launch (DescribeRecoveryInstances, every page: by recovery
 * instance id when the launch reported it, else by source server and job) and the post-launch
 * action runs of a job (DescribeJobs).
 */
export class DrsAdapter implements DrsPort {
  constructor(private readonly drs: DrsClient) {}

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
    const { items } = await this.drs.send(new DescribeJobsCommand({ filters: { jobIDs: [jobId] } }));
    return launchActionsOf(items?.find((j) => j.jobID === jobId), sourceServerId);
  }
}
