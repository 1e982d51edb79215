/** EC2 over the query protocol, with the unmodified EC2Client, for the instances DRS launched. */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import {
  DescribeInstanceStatusCommand, DescribeInstancesCommand, paginateDescribeInstanceStatus, paginateDescribeInstances,
  type EC2Client, type Instance,
} from '@aws-sdk/client-ec2';
import {
  DescribeRecoveryInstancesCommand, TerminateRecoveryInstancesCommand, UpdateLaunchConfigurationCommand, type DrsClient,
} from '@aws-sdk/client-drs';
import { DRS_MANAGED_TAG, DRS_SOURCE_SERVER_TAG } from '../src/index.js';
import { HUB, edgeTestBed, errorOf, hubCredentials, spokeCredentials, type EdgeTestBed } from './edge-support.js';

async function allInstances(ec2: EC2Client, input = {}): Promise<Instance[]> {
  const out: Instance[] = [];
  for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, input)) {
    for (const r of page.Reservations ?? []) out.push(...(r.Instances ?? []));
  }
  return out;
}

describe('EC2 DescribeInstances / DescribeInstanceStatus (edge)', () => {
  let bed: EdgeTestBed;
  let drs: DrsClient;
  let ec2: EC2Client;
  let byHost: Record<string, string>;
  let instanceOf: Record<string, string>;

  beforeAll(async () => {
    bed = await edgeTestBed({ launchTimings: { statusChecksMs: 120_000 } });
    ({ drs, ec2 } = bed.clients(hubCredentials));
    byHost = await bed.serverIds(drs);
    const hosts = ['web-1', 'web-2', 'web-3', 'api-1', 'api-2', 'db-1', 'win-1'];
    // DRS copies the source server's tags to the EC2 instance only when the launch configuration says so.
    for (const host of hosts) await drs.send(new UpdateLaunchConfigurationCommand({ sourceServerID: byHost[host] ?? '', copyTags: true }));
    await bed.launch(drs, hosts);
    const { items } = await drs.send(new DescribeRecoveryInstancesCommand({}));
    const hostOf = Object.fromEntries(Object.entries(byHost).map(([h, id]) => [id, h]));
    instanceOf = Object.fromEntries((items ?? []).map((i) => [hostOf[i.sourceServerID ?? ''] ?? '', i.ec2InstanceID ?? '']));
  });
  afterAll(async () => {
    await bed.close();
  });

  it('describes every recovered instance as EC2 does, one reservation each', async () => {
    const out = await ec2.send(new DescribeInstancesCommand({}));
    expect(out.Reservations).toHaveLength(7);
    const reservation = out.Reservations?.find((r) => r.Instances?.[0]?.InstanceId === instanceOf['db-1']);
    expect(reservation).toMatchObject({ OwnerId: HUB, ReservationId: expect.stringMatching(/^r-[0-9a-f]{17}$/) });
    const db = reservation?.Instances?.[0];
    expect(db).toMatchObject({
      InstanceId: instanceOf['db-1'],
      State: { Code: 16, Name: 'running' },
      InstanceType: 'r5.xlarge',
      ImageId: expect.stringMatching(/^ami-[0-9a-f]{17}$/),
      PrivateIpAddress: expect.stringMatching(/^10\.\d+\.\d+\.\d+$/),
      PrivateDnsName: expect.stringMatching(/^ip-10-.*\.ec2\.internal$/),
      Placement: { AvailabilityZone: 'us-east-1a', Tenancy: 'default' },
      SubnetId: expect.stringMatching(/^subnet-/),
      VpcId: expect.stringMatching(/^vpc-/),
      Architecture: 'x86_64',
      RootDeviceType: 'ebs',
      PlatformDetails: 'Linux/UNIX',
    });
    expect(db?.LaunchTime).toBeInstanceOf(Date);
    expect(db?.LaunchTime?.getTime()).toBeLessThanOrEqual(bed.clock.now());
    const tags = Object.fromEntries((db?.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({ Name: 'db-1', App: 'Shop', Tier: 'Database', [DRS_MANAGED_TAG]: 'drs.amazonaws.com', [DRS_SOURCE_SERVER_TAG]: byHost['db-1'] });
    const win = out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === instanceOf['win-1']);
    expect(win).toMatchObject({ Platform: 'windows', PlatformDetails: 'Windows' });
  });

  it('selects by InstanceIds and answers InvalidInstanceID.NotFound / .Malformed', async () => {
    const wanted = [instanceOf['web-2'] ?? '', instanceOf['api-1'] ?? ''];
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: wanted }));
    expect(out.Reservations?.map((r) => r.Instances?.[0]?.InstanceId).sort()).toEqual([...wanted].sort());

    const missing = await errorOf(ec2.send(new DescribeInstancesCommand({ InstanceIds: [wanted[0] ?? '', 'i-0123456789abcdef0'] })));
    expect(missing.name).toBe('InvalidInstanceID.NotFound');
    expect(missing.message).toBe("The instance ID 'i-0123456789abcdef0' does not exist");
    expect(missing.$metadata?.httpStatusCode).toBe(400);
    const malformed = await errorOf(ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ['vm-1'] })));
    expect(malformed.name).toBe('InvalidInstanceID.Malformed');
  });

  it('filters by state, tags (with wildcards), type and platform', async () => {
    const ids = (instances: Instance[]) => instances.map((i) => i.InstanceId).sort();
    const byTier = await allInstances(ec2, { Filters: [{ Name: 'tag:Tier', Values: ['App'] }] });
    expect(ids(byTier)).toEqual([instanceOf['api-1'], instanceOf['api-2']].sort());
    const wildcard = await allInstances(ec2, { Filters: [{ Name: 'tag:Tier', Values: ['W*', 'Stor?ge'] }, { Name: 'instance-state-name', Values: ['running'] }] });
    expect(ids(wildcard)).toEqual([instanceOf['web-1'], instanceOf['web-2'], instanceOf['web-3'], instanceOf['win-1']].sort());
    const windows = await allInstances(ec2, { Filters: [{ Name: 'platform', Values: ['windows'] }] });
    expect(ids(windows)).toEqual([instanceOf['win-1']]);
    const typed = await allInstances(ec2, { Filters: [{ Name: 'instance-type', Values: ['r5.*'] }] });
    expect(ids(typed)).toEqual([instanceOf['db-1']]);
    const managed = await allInstances(ec2, { Filters: [{ Name: 'tag-key', Values: [DRS_MANAGED_TAG] }] });
    expect(managed).toHaveLength(7);
    const none = await allInstances(ec2, { Filters: [{ Name: 'instance-state-name', Values: ['stopped'] }] });
    expect(none).toEqual([]);
    const bad = await errorOf(ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'flavour', Values: ['x'] }] })));
    expect(bad.name).toBe('InvalidParameterValue');
    expect(bad.message).toBe("The filter 'flavour' is invalid");
  });

  it('pages with MaxResults / NextToken as EC2 does (the paginator walks every page)', async () => {
    const pages: number[] = [];
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, {})) pages.push(page.Reservations?.length ?? 0);
    expect(pages).toEqual([5, 2]);
    const combined = await errorOf(ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceOf['web-1'] ?? ''], MaxResults: 5 })));
    expect(combined.name).toBe('InvalidParameterCombination');
    const small = await errorOf(ec2.send(new DescribeInstancesCommand({ MaxResults: 4 })));
    expect(small.name).toBe('InvalidParameterValue');
    const forged = await errorOf(ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: 'not-a-token' })));
    expect(forged.name).toBe('InvalidParameterValue');
  });

  it('answers DryRunOperation (412) for a DryRun', async () => {
    const error = await errorOf(ec2.send(new DescribeInstancesCommand({ DryRun: true })));
    expect(error.name).toBe('DryRunOperation');
    expect(error.$metadata?.httpStatusCode).toBe(412);
  });

  it('reports status checks initializing after launch, then ok', async () => {
    await bed.launch(drs, ['noagent-1']);
    const fresh = instanceOf['noagent-1'] = (await drs.send(new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: [byHost['noagent-1'] ?? ''] } }))).items?.[0]?.ec2InstanceID ?? '';
    const before = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [fresh] }));
    expect(before.InstanceStatuses?.[0]).toMatchObject({
      InstanceId: fresh,
      InstanceState: { Code: 16, Name: 'running' },
      InstanceStatus: { Status: 'initializing', Details: [{ Name: 'reachability', Status: 'initializing' }] },
      SystemStatus: { Status: 'initializing' },
    });
    const initializing = await ec2.send(new DescribeInstanceStatusCommand({ Filters: [{ Name: 'instance-status.status', Values: ['initializing'] }] }));
    expect(initializing.InstanceStatuses?.map((s) => s.InstanceId)).toEqual([fresh]);
    bed.clock.advance(121_000);
    const after = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [fresh] }));
    expect(after.InstanceStatuses?.[0]).toMatchObject({
      InstanceStatus: { Status: 'ok', Details: [{ Name: 'reachability', Status: 'passed' }] },
      SystemStatus: { Status: 'ok', Details: [{ Name: 'reachability', Status: 'passed' }] },
    });
    const statuses: string[] = [];
    for await (const page of paginateDescribeInstanceStatus({ client: ec2, pageSize: 5 }, {})) statuses.push(...(page.InstanceStatuses ?? []).map((s) => s.InstanceStatus?.Status ?? ''));
    expect(statuses).toEqual(Array(8).fill('ok'));
  });

  it('shows terminated instances (code 48) and leaves them out of DescribeInstanceStatus unless IncludeAllInstances', async () => {
    const target = instanceOf['web-3'] ?? '';
    await drs.send(new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: [target] }));
    bed.clock.advance(120_000);
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [target] }));
    const instance = out.Reservations?.[0]?.Instances?.[0];
    expect(instance).toMatchObject({ State: { Code: 48, Name: 'terminated' }, StateReason: { Code: 'Client.UserInitiatedShutdown' } });
    expect(instance?.PrivateIpAddress).toBeUndefined();
    const running = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [target] }));
    expect(running.InstanceStatuses).toEqual([]);
    const all = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [target], IncludeAllInstances: true }));
    expect(all.InstanceStatuses?.[0]).toMatchObject({ InstanceState: { Name: 'terminated' }, InstanceStatus: { Status: 'not-applicable' } });
  });

  it("sees only the caller's account and region", async () => {
    const spoke = bed.clients(spokeCredentials).ec2;
    expect((await spoke.send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
    const notFound = await errorOf(spoke.send(new DescribeInstancesCommand({ InstanceIds: [instanceOf['web-1'] ?? ''] })));
    expect(notFound.name).toBe('InvalidInstanceID.NotFound');
    const ireland = bed.clients(hubCredentials, 'eu-west-1').ec2;
    expect((await ireland.send(new DescribeInstancesCommand({}))).Reservations).toEqual([]);
    const calls = bed.handle.edge.callLog.filter((c) => c.service === 'ec2' && c.accountId === HUB && c.region === 'eu-west-1');
    expect(calls.map((c) => [c.operation, c.outcome])).toEqual([['DescribeInstances', 'OK']]);
  });

  it('answers RequestLimitExceeded (503) and InternalError (500) from the fault plan', async () => {
    bed.handle.setFaults({ throttling: { operations: ['ec2:DescribeInstances'], count: 1 }, internalErrors: { operations: ['DescribeInstanceStatus'], count: 1 } });
    const throttled = await errorOf(ec2.send(new DescribeInstancesCommand({})));
    expect(throttled.name).toBe('RequestLimitExceeded');
    expect(throttled.$metadata?.httpStatusCode).toBe(503);
    const internal = await errorOf(ec2.send(new DescribeInstanceStatusCommand({})));
    expect(internal.name).toBe('InternalError');
    expect(internal.$metadata?.httpStatusCode).toBe(500);
    await expect(ec2.send(new DescribeInstancesCommand({}))).resolves.toBeDefined();
    bed.handle.setFaults({});
  });
});
