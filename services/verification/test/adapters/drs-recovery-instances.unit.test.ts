import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeRecoveryInstancesCommand, DrsClient } from '@aws-sdk/client-drs';
import { mockClient } from 'aws-sdk-client-mock';
import { DrsRecoveryInstances } from '../../src/adapters/drs-recovery-instances.js';

const drsMock = mockClient(DrsClient);
const drs = new DrsClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const target = { sourceServerId: 's-1234567890abcdef0', jobId: 'drsjob-1234567890abcdef0' };

beforeEach(() => {
  drsMock.reset();
});
afterAll(() => drsMock.restore());

describe('DrsRecoveryInstances', () => {
  it('reads every page by source server and keeps the instance of the job', async () => {
    drsMock
      .on(DescribeRecoveryInstancesCommand, { filters: { sourceServerIDs: [target.sourceServerId] } })
      .resolvesOnce({ items: [{ recoveryInstanceID: 'i-ri00', sourceServerID: target.sourceServerId, jobID: 'drsjob-00000000000000000' }], nextToken: 'page-2' })
      .resolvesOnce({
        items: [
          { recoveryInstanceID: 'i-ri01', sourceServerID: target.sourceServerId, jobID: target.jobId, ec2InstanceID: 'i-0abc', ec2InstanceState: 'RUNNING', isDrill: true, recoveryInstanceProperties: { lastUpdatedDateTime: '2026-01-01T10:00:00Z' } },
        ],
      });

    const found = await new DrsRecoveryInstances(drs).find(target);

    expect(found).toEqual({
      recoveryInstanceID: 'i-ri01',
      sourceServerID: target.sourceServerId,
      jobID: target.jobId,
      ec2InstanceID: 'i-0abc',
      ec2InstanceState: 'RUNNING',
      isDrill: true,
      lastUpdatedDateTime: '2026-01-01T10:00:00Z',
    });
    expect(drsMock.commandCalls(DescribeRecoveryInstancesCommand).map((c) => c.args[0].input)).toEqual([
      { filters: { sourceServerIDs: [target.sourceServerId] } },
      { filters: { sourceServerIDs: [target.sourceServerId] }, nextToken: 'page-2' },
    ]);
  });

  it('asks for the recovery instance id when the launch reported it', async () => {
    drsMock.on(DescribeRecoveryInstancesCommand).resolves({ items: [] });

    const found = await new DrsRecoveryInstances(drs).find({ ...target, recoveryInstanceId: 'i-ri01' });

    expect(found).toBeUndefined();
    expect(drsMock.commandCalls(DescribeRecoveryInstancesCommand)[0]?.args[0].input).toEqual({ filters: { recoveryInstanceIDs: ['i-ri01'] } });
  });
});
