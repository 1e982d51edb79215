import { DescribeInstanceStatusCommand, DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { InstanceFacts } from '../domain/checks.js';
import type { Ec2Port } from '../verify.js';

/** EC2 answers this for an instance id it does not know yet (eventual consistency right after a launch). */
function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string; Code?: string } | undefined)?.name;
  return name === 'InvalidInstanceID.NotFound';
}

/** EC2: the instance's state (DescribeInstances) and its status checks (DescribeInstanceStatus). */
export class Ec2Adapter implements Ec2Port {
  constructor(private readonly ec2: EC2Client) {}

  async describe(instanceId: string): Promise<InstanceFacts | undefined> {
    try {
      const { Reservations } = await this.ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      const instance = Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceId);
      if (!instance) return undefined;
      const state = instance.State?.Name ?? 'pending';
      const facts: InstanceFacts = { instanceId, state, ...(instance.PrivateIpAddress ? { privateIp: instance.PrivateIpAddress } : {}) };
      if (state !== 'running') return facts;
      const { InstanceStatuses } = await this.ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [instanceId], IncludeAllInstances: true }));
      const status = InstanceStatuses?.find((s) => s.InstanceId === instanceId);
      return {
        ...facts,
        ...(status?.SystemStatus?.Status ? { systemStatus: status.SystemStatus.Status } : {}),
        ...(status?.InstanceStatus?.Status ? { instanceStatus: status.InstanceStatus.Status } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
