import { describe, it, expect } from '@jest/globals';
import { QUOTA_CODES, type CallerContext, type DrsEvent, type Fleet } from '../src/index.js';
import { ctx, errorOf, setup, thrown } from './core-support.js';

const failbackStates = (events: DrsEvent[]) =>
  events.filter((e) => e['detail-type'] === 'DRS Recovery Instance Failback State Change').map((e) => [e.resources[0]?.split('/')[1], e.detail.state]);

describe('failback of an on-premises server (failback client, StartFailbackLaunch, StopFailback)', () => {
  it('goes FAILBACK_NOT_STARTED -> IN_PROGRESS -> READY_FOR_LAUNCH -> (failback job) COMPLETED with the documented events', async () => {
    const { sim, clock, launch, job, published } = setup();
    launch(['orders-db-1']);
    clock.runAll();
    const id = sim.recoveryInstances()[0]?.recoveryInstanceID ?? '';
    const notReady = errorOf(() => sim.startFailbackLaunch(ctx, { recoveryInstanceIDs: [id] }));
    expect(notReady).toMatchObject({ type: 'ConflictException', members: { resourceType: 'RECOVERY_INSTANCE', resourceId: id } });

    sim.startFailbackReplication(id);
    expect(sim.recoveryInstances()[0]).toMatchObject({
      failback: { state: 'FAILBACK_IN_PROGRESS', failbackClientID: expect.any(String), failbackInitiationTime: expect.any(String), failbackToOriginalServer: true },
      dataReplicationInfo: { dataReplicationState: 'INITIAL_SYNC' },
    });
    expect(thrown(() => sim.startFailbackReplication(id)).message).toMatch(/already in failback state/);
    clock.advance(sim.timings.failbackReplicationMs);
    expect(sim.recoveryInstances()[0]).toMatchObject({ failback: { state: 'FAILBACK_READY_FOR_LAUNCH' }, dataReplicationInfo: { dataReplicationState: 'CONTINUOUS' } });

    const failbackJob = sim.startFailbackLaunch(ctx, { recoveryInstanceIDs: [id], tags: { purpose: 'failback' } });
    expect(failbackJob).toMatchObject({ type: 'LAUNCH', initiatedBy: 'FAILBACK', status: 'PENDING', tags: { purpose: 'failback' }, participatingServers: [{ recoveryInstanceID: id, launchStatus: 'PENDING' }] });
    expect(sim.recoveryInstances()[0]?.failback?.failbackJobID).toBe(failbackJob.jobID);
    expect(errorOf(() => sim.startFailbackLaunch(ctx, { recoveryInstanceIDs: [id] })).type).toBe('ConflictException');
    clock.runAll();
    expect(job(failbackJob.jobID)).toMatchObject({ status: 'COMPLETED', participatingServers: [{ launchStatus: 'LAUNCHED' }] });
    expect(sim.jobLog(failbackJob.jobID).map((l) => l.event)).toEqual(['JOB_START', 'CONVERSION_START', 'CONVERSION_END', 'LAUNCH_START', 'JOB_END']);
    expect(sim.recoveryInstances()[0]?.failback?.state).toBe('FAILBACK_COMPLETED');
    await sim.flushEvents();
    expect(failbackStates(published)).toEqual([[id, 'FAILBACK_IN_PROGRESS'], [id, 'FAILBACK_COMPLETED']]);
    const event = published.find((e) => e['detail-type'] === 'DRS Recovery Instance Failback State Change');
    expect(event).toMatchObject({ source: 'aws.drs', version: '0', account: ctx.accountId, region: 'us-east-1', resources: [`arn:aws:drs:us-east-1:${ctx.accountId}:recovery-instance/${id}`] });
  });

  it('reports FAILBACK_ERROR when the failback launch fails, and StopFailback goes back to FAILBACK_NOT_STARTED', async () => {
    const { sim, clock, launch, id, published } = setup();
    launch(['orders-db-1', 'orders-db-2']);
    clock.runAll();
    const instanceOf = (host: string) => sim.recoveryInstances().find((i) => i.sourceServerID === id(host))?.recoveryInstanceID;
    const a = instanceOf('orders-db-1');
    const b = instanceOf('orders-db-2');
    sim.startFailbackReplication(a ?? '');
    sim.startFailbackReplication(b ?? '');
    clock.advance(sim.timings.failbackReplicationMs);
    sim.setFaults({ launchFailures: [{ sourceServerIds: [id('orders-db-1')] }] });
    sim.startFailbackLaunch(ctx, { recoveryInstanceIDs: [a ?? ''] });
    clock.runAll();
    expect(sim.recoveryInstances().find((i) => i.recoveryInstanceID === a)?.failback?.state).toBe('FAILBACK_ERROR');

    sim.stopFailback(ctx, b ?? '');
    expect(sim.recoveryInstances().find((i) => i.recoveryInstanceID === b)).toMatchObject({ failback: { state: 'FAILBACK_NOT_STARTED' }, dataReplicationInfo: { dataReplicationState: 'STOPPED' } });
    expect(errorOf(() => sim.stopFailback(ctx, 'i-0000000000000000a')).type).toBe('ResourceNotFoundException');
    await sim.flushEvents();
    expect(failbackStates(published).filter(([i]) => i === a).map(([, s]) => s)).toEqual(['FAILBACK_IN_PROGRESS', 'FAILBACK_ERROR']);
  });

  it('refuses failback for drill instances and for AWS-only reverse replication of on-premises servers', async () => {
    const { sim, clock, launch } = setup();
    launch(['orders-db-1'], { isDrill: true });
    launch(['orders-db-2']);
    clock.runAll();
    const drill = sim.recoveryInstances().find((i) => i.isDrill)?.recoveryInstanceID ?? '';
    const recovery = sim.recoveryInstances().find((i) => !i.isDrill)?.recoveryInstanceID ?? '';
    expect(errorOf(() => sim.reverseReplication(ctx, drill)).type).toBe('ConflictException');
    const onPrem = await sim.invoke('ReverseReplication', {}, { recoveryInstanceID: recovery });
    expect(!onPrem.ok && onPrem.error).toMatchObject({ type: 'ValidationException', members: { reason: 'other' } });
    const bad = await sim.invoke('ReverseReplication', {}, { recoveryInstanceID: 'vm-1' });
    expect(!bad.ok && bad.error.members.fieldList?.[0]?.name).toBe('recoveryInstanceID');
  });

  it('disconnects a recovery instance: replication DISCONNECTED, total storage zeroed, failback back to NOT_STARTED', () => {
    const { sim, clock, launch } = setup();
    launch(['orders-db-1']);
    clock.runAll();
    const id = sim.recoveryInstances()[0]?.recoveryInstanceID ?? '';
    sim.startFailbackReplication(id);
    clock.advance(1000);
    sim.disconnectRecoveryInstance(ctx, id);
    const instance = sim.recoveryInstances()[0];
    expect(instance?.dataReplicationInfo?.dataReplicationState).toBe('DISCONNECTED');
    expect(instance?.dataReplicationInfo?.replicatedDisks?.[0]?.totalStorageBytes).toBe(0);
    expect(instance?.dataReplicationInfo?.lagDuration).toBeUndefined();
    expect(instance?.failback?.state).toBe('FAILBACK_NOT_STARTED');
    clock.runAll(); // the cancelled replication does not come back
    expect(sim.recoveryInstances()[0]?.failback?.state).toBe('FAILBACK_NOT_STARTED');
    expect(errorOf(() => sim.disconnectRecoveryInstance(ctx, 'i-0000000000000000a')).type).toBe('ResourceNotFoundException');
  });
});

describe('reverse replication of an AWS-origin server (cross-region)', () => {
  const fleet = (): Fleet => ({
    accounts: [{ accountId: '111111111111', regions: ['us-east-1', 'us-west-2'] }],
    servers: [
      { hostname: 'web-ec2', os: 'LINUX', accountId: '111111111111', region: 'us-west-2', awsInstanceID: 'i-0aaaaaaaaaaaaaaa1', originRegion: 'us-east-1', tags: { App: 'Shop' } },
      { hostname: 'busy-1', os: 'LINUX', accountId: '111111111111', region: 'us-east-1' },
    ],
  });
  const west: CallerContext = { accountId: '111111111111', region: 'us-west-2' };
  const east: CallerContext = { accountId: '111111111111', region: 'us-east-1' };

  it('creates a FAILBACK-direction source server in the origin region and links both directions', async () => {
    const { sim, clock, id, published } = setup({ fleet: fleet() });
    const original = sim.sourceServers().find((s) => s.sourceProperties.identificationHints?.hostname === 'web-ec2');
    expect(original?.sourceCloudProperties).toEqual({ originAccountID: '111111111111', originRegion: 'us-east-1', originAvailabilityZone: 'us-east-1a' });
    sim.startRecovery(west, { sourceServers: [{ sourceServerID: id('web-ec2') }] });
    clock.runAll();
    const instance = sim.recoveryInstances({ region: 'us-west-2' })[0];
    expect(instance?.originEnvironment).toBe('AWS');
    const result = await sim.invoke('ReverseReplication', { region: 'us-west-2' }, { recoveryInstanceID: instance?.recoveryInstanceID });
    if (!result.ok) throw result.error;
    const arn = (result.output as { reversedDirectionSourceServerArn: string }).reversedDirectionSourceServerArn;
    expect(arn).toMatch(/^arn:aws:drs:us-east-1:111111111111:source-server\/s-[0-9a-f]{17}$/);
    const reversed = sim.describeSourceServers(east, {}).items.find((s) => s.arn === arn);
    expect(reversed).toMatchObject({
      replicationDirection: 'FAILBACK',
      reversedDirectionSourceServerArn: original?.arn,
      sourceCloudProperties: { originAccountID: '111111111111', originRegion: 'us-west-2' },
      dataReplicationInfo: { dataReplicationState: 'INITIAL_SYNC' },
      sourceProperties: { identificationHints: { hostname: 'web-ec2', awsInstanceID: instance?.ec2InstanceID } },
      tags: { App: 'Shop' },
    });
    expect(sim.describeSourceServers(west, {}).items.find((s) => s.sourceServerID === original?.sourceServerID)?.reversedDirectionSourceServerArn).toBe(arn);
    expect(sim.recoveryInstances({ region: 'us-west-2' })[0]?.failback?.state).toBe('FAILBACK_IN_PROGRESS');
    clock.advance(sim.timings.failbackReplicationMs);
    expect(sim.describeSourceServers(east, {}).items.find((s) => s.arn === arn)?.dataReplicationInfo.dataReplicationState).toBe('CONTINUOUS');
    expect(sim.recoveryInstances({ region: 'us-west-2' })[0]?.failback?.state).toBe('FAILBACK_READY_FOR_LAUNCH');
    await sim.flushEvents();
    expect(failbackStates(published)).toEqual([[instance?.recoveryInstanceID, 'FAILBACK_IN_PROGRESS']]);
  });

  it('refuses reverse replication into an origin region at the replicating servers quota (L-C1D14A2B)', () => {
    const { sim, clock, id } = setup({ fleet: fleet(), quotas: { maxReplicatingSourceServers: 1 } });
    sim.startRecovery(west, { sourceServers: [{ sourceServerID: id('web-ec2') }] });
    clock.runAll();
    const instance = sim.recoveryInstances({ region: 'us-west-2' })[0]?.recoveryInstanceID ?? '';
    const error = errorOf(() => sim.reverseReplication(west, instance));
    expect(error).toMatchObject({ type: 'ServiceQuotaExceededException', statusCode: 402, members: { quotaCode: QUOTA_CODES.replicatingSourceServers, serviceCode: 'drs' } });
    expect(sim.sourceServers({ region: 'us-east-1' })).toHaveLength(1);
    expect(sim.recoveryInstances({ region: 'us-west-2' })[0]?.failback?.state).toBe('FAILBACK_NOT_STARTED');
  });
});

describe('staging accounts and extended source servers', () => {
  const staging = '222222222222';
  const target = '333333333333';
  const fleet = (trusted?: string[]): Fleet => ({
    accounts: [
      { accountId: target, regions: ['us-east-1'], accessKeyIds: ['AKIDTARGET'] },
      { accountId: staging, regions: ['us-east-1'], accessKeyIds: ['AKIDSTAGING'], ...(trusted ? { trustedAccountIds: trusted } : {}) },
      { accountId: '444444444444', regions: ['us-east-1'] },
    ],
    servers: [
      { hostname: 'st-db-1', os: 'LINUX', accountId: staging, region: 'us-east-1', tags: { App: 'Ledger' } },
      { hostname: 'st-db-2', os: 'WINDOWS', accountId: staging, region: 'us-east-1' },
      { hostname: 'own-1', os: 'LINUX', accountId: target, region: 'us-east-1' },
    ],
  });
  const inTarget: CallerContext = { accountId: target, region: 'us-east-1' };

  it('lists extensible servers, extends one (201), lists the staging account, and mirrors its replication', async () => {
    const { sim, clock, id, job } = setup({ fleet: fleet() });
    const listed = sim.listExtensibleSourceServers(inTarget, { stagingAccountID: staging });
    expect(listed.items).toEqual([
      { hostname: 'st-db-1', arn: `arn:aws:drs:us-east-1:${staging}:source-server/${id('st-db-1')}`, tags: { App: 'Ledger' } },
      { hostname: 'st-db-2', arn: `arn:aws:drs:us-east-1:${staging}:source-server/${id('st-db-2')}`, tags: {} },
    ]);
    expect(sim.listStagingAccounts(inTarget, {})).toEqual({ accounts: [] });

    const created = await sim.invoke('CreateExtendedSourceServer', { accessKeyId: 'AKIDTARGET' }, { sourceServerArn: listed.items[0]?.arn, tags: { Team: 'dr' } });
    expect(created.ok && created.statusCode).toBe(201);
    const extended = created.ok ? (created.output as { sourceServer: { sourceServerID: string; arn: string; tags: Record<string, string>; stagingArea: unknown } }).sourceServer : undefined;
    expect(extended).toMatchObject({
      arn: `arn:aws:drs:us-east-1:${target}:source-server/${extended?.sourceServerID}`,
      tags: { Team: 'dr' },
      stagingArea: { status: 'EXTENDED', stagingAccountID: staging, stagingSourceServerArn: listed.items[0]?.arn },
    });
    expect(sim.listStagingAccounts(inTarget, {})).toEqual({ accounts: [{ accountID: staging }] });
    expect(sim.listExtensibleSourceServers(inTarget, { stagingAccountID: staging }).items.map((s) => s.hostname)).toEqual(['st-db-2']);
    expect(sim.describeSourceServers(inTarget, { filters: { stagingAccountIDs: [staging] } }).items.map((s) => s.sourceServerID)).toEqual([extended?.sourceServerID]);

    // the extended server shows (and launches from) the staging server's replication and snapshots
    const extendedId = extended?.sourceServerID ?? '';
    expect(sim.describeRecoverySnapshots(inTarget, { sourceServerID: extendedId }).items.map((s) => s.snapshotID))
      .toEqual(sim.describeRecoverySnapshots({ accountId: staging, region: 'us-east-1' }, { sourceServerID: id('st-db-1') }).items.map((s) => s.snapshotID));
    sim.setReplicationState(id('st-db-1'), 'STALLED');
    expect(sim.describeSourceServers(inTarget, { filters: { sourceServerIDs: [extendedId] } }).items[0]?.dataReplicationInfo.dataReplicationState).toBe('STALLED');
    sim.setReplicationState(id('st-db-1'), 'CONTINUOUS');
    const launched = sim.startRecovery(inTarget, { sourceServers: [{ sourceServerID: extendedId }], isDrill: true });
    clock.runAll();
    expect(job(launched.jobID).participatingServers[0]?.launchStatus).toBe('LAUNCHED');
    expect(sim.recoveryInstances({ accountId: target })).toHaveLength(1);

    const twice = errorOf(() => sim.createExtendedSourceServer(inTarget, { sourceServerArn: listed.items[0]?.arn ?? '' }));
    expect(twice).toMatchObject({ type: 'ValidationException', members: { reason: 'other' } });
  });

  it('refuses untrusted callers (AccessDenied), unknown servers (ResourceNotFound), other regions and the caller\'s own account (Validation)', () => {
    const { sim, id } = setup({ fleet: fleet(['444444444444']) });
    expect(errorOf(() => sim.listExtensibleSourceServers(inTarget, { stagingAccountID: staging })).type).toBe('AccessDeniedException');
    expect(errorOf(() => sim.listExtensibleSourceServers(inTarget, { stagingAccountID: '555555555555' })).type).toBe('AccessDeniedException');
    expect(errorOf(() => sim.createExtendedSourceServer(inTarget, { sourceServerArn: `arn:aws:drs:us-east-1:${staging}:source-server/${id('st-db-1')}` })).type).toBe('AccessDeniedException');
    const trusted: CallerContext = { accountId: '444444444444', region: 'us-east-1' };
    expect(sim.listExtensibleSourceServers(trusted, { stagingAccountID: staging }).items).toHaveLength(2);
    expect(errorOf(() => sim.createExtendedSourceServer(trusted, { sourceServerArn: `arn:aws:drs:us-east-1:${staging}:source-server/s-00000000000000000` })).type).toBe('ResourceNotFoundException');
    expect(errorOf(() => sim.createExtendedSourceServer(trusted, { sourceServerArn: `arn:aws:drs:eu-west-1:${staging}:source-server/${id('st-db-1')}` })).type).toBe('ValidationException');
    expect(errorOf(() => sim.listExtensibleSourceServers(inTarget, { stagingAccountID: target })).type).toBe('ValidationException');
  });

  it('refuses an extended server past the source servers quota (L-E28BE5E0) and pages the listings', () => {
    const { sim, id } = setup({ fleet: fleet(), quotas: { maxSourceServers: 2 } });
    const arn = (h: string) => `arn:aws:drs:us-east-1:${staging}:source-server/${id(h)}`;
    const first = sim.listExtensibleSourceServers(inTarget, { stagingAccountID: staging, maxResults: 1 });
    expect(first.items).toHaveLength(1);
    expect(sim.listExtensibleSourceServers(inTarget, { stagingAccountID: staging, maxResults: 1, ...(first.nextToken ? { nextToken: first.nextToken } : {}) }).items[0]?.hostname).toBe('st-db-2');
    sim.createExtendedSourceServer(inTarget, { sourceServerArn: arn('st-db-1') });
    const error = errorOf(() => sim.createExtendedSourceServer(inTarget, { sourceServerArn: arn('st-db-2') }));
    expect(error).toMatchObject({ type: 'ServiceQuotaExceededException', members: { quotaCode: QUOTA_CODES.sourceServers } });
  });
});

describe('replicating servers quota (300 per account and region, L-C1D14A2B)', () => {
  it('refuses to load a fleet DRS could not hold, and refuses to restart replication past the quota', () => {
    const servers = Array.from({ length: 4 }, (_, i) => ({ hostname: `h-${i}`, os: 'LINUX' as const, accountId: '111111111111', region: 'us-east-1' }));
    const fleet: Fleet = { accounts: [{ accountId: '111111111111', regions: ['us-east-1'] }], servers };
    expect(thrown(() => setup({ fleet, quotas: { maxReplicatingSourceServers: 3 } })).message).toMatch(/4 replicating source servers in 111111111111\/us-east-1, DRS allows 3 \(L-C1D14A2B\)/);
    const last = servers[3];
    if (last) Object.assign(last, { replicationState: 'STOPPED' });
    const { sim, id } = setup({ fleet, quotas: { maxReplicatingSourceServers: 3 } });
    const error = errorOf(() => sim.setReplicationState(id('h-3'), 'CONTINUOUS'));
    expect(error).toMatchObject({ type: 'ServiceQuotaExceededException', members: { quotaCode: QUOTA_CODES.replicatingSourceServers } });
    sim.setReplicationState(id('h-0'), 'STOPPED');
    sim.setReplicationState(id('h-3'), 'CONTINUOUS');
    expect(sim.sourceServers().filter((s) => s.dataReplicationInfo.dataReplicationState === 'CONTINUOUS')).toHaveLength(3);
    expect(thrown(() => setup({ fleet, quotas: { maxSourceServers: 3 } })).message).toMatch(/L-E28BE5E0/);
  });
});
