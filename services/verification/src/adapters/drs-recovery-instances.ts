import { DescribeRecoveryInstancesCommand, type DrsClient, type RecoveryInstance } from '@aws-sdk/client-drs';
import type { RecoveryInstanceFacts, VerificationTarget } from '../domain/checks.js';
import { selectRecoveryInstance } from '../domain/checks.js';
import type { RecoveryInstanceSource } from '../verify.js';

function toFacts(instance: RecoveryInstance): RecoveryInstanceFacts | undefined {
  if (!instance.recoveryInstanceID) return undefined;
  return {
    recoveryInstanceID: instance.recoveryInstanceID,
    ec2InstanceID: instance.ec2InstanceID,
    ec2InstanceState: instance.ec2InstanceState,
    sourceServerID: instance.sourceServerID,
    isDrill: instance.isDrill,
    jobID: instance.jobID,
    lastUpdatedDateTime: instance.recoveryInstanceProperties?.lastUpdatedDateTime,
  };
}

/**
 * Reads recovered instances with DescribeRecoveryInstances (every page): by recovery instance
 * id when the launch reported it, else by source server id (then the instance of the job).
 */
export class DrsRecoveryInstances implements RecoveryInstanceSource {
  constructor(private readonly drs: DrsClient) {}

  async find(target: VerificationTarget): Promise<RecoveryInstanceFacts | undefined> {
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
    return selectRecoveryInstance(candidates, target);
  }
}
