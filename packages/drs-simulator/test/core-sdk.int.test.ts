import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import {
  AccessDeniedException, ConflictException, CreateExtendedSourceServerCommand, DeleteLaunchActionCommand, DescribeJobsCommand,
  DescribeRecoveryInstancesCommand, DescribeSourceServersCommand, DisconnectRecoveryInstanceCommand, DrsClient,
  GetLaunchConfigurationCommand, PutLaunchActionCommand, ResourceNotFoundException, ReverseReplicationCommand,
  ServiceQuotaExceededException, StartFailbackLaunchCommand, StartRecoveryCommand, StopFailbackCommand,
  UpdateLaunchConfigurationCommand, ValidationException, paginateDescribeJobLogItems, paginateDescribeRecoverySnapshots,
  paginateListExtensibleSourceServers, paginateListLaunchActions, paginateListStagingAccounts, type Job,
} from '@aws-sdk/client-drs';
import { QUOTA_CODES, demoFleet, startDrsSimulator, type DrsEvent, type DrsSimulatorHandle, type Fleet } from '../src/index.js';

const HUB = '123456789012';
const STAGING_A = '222222222222';
const STAGING_B = '333333333333';

function fleet(): Fleet {
  const base = demoFleet();
  return {
    accounts: [
      { accountId: HUB, regions: ['us-east-1', 'us-west-2'], accessKeyIds: ['AKIDHUB'] },
      { accountId: STAGING_A, regions: ['us-east-1'], accessKeyIds: ['AKIDSTAGINGA'] },
      { accountId: STAGING_B, regions: ['us-east-1'], accessKeyIds: ['AKIDSTAGINGB'], trustedAccountIds: [HUB] },
    ],
    servers: [
      ...base.servers,
      { hostname: 'shop-ec2', os: 'LINUX', accountId: HUB, region: 'us-west-2', awsInstanceID: 'i-0aaaaaaaaaaaaaaa1', originRegion: 'us-east-1' },
      { hostname: 'ledger-1', os: 'LINUX', accountId: STAGING_A, region: 'us-east-1', tags: { App: 'Ledger' } },
      { hostname: 'ledger-2', os: 'WINDOWS', accountId: STAGING_A, region: 'us-east-1' },
      { hostname: 'ledger-3', os: 'LINUX', accountId: STAGING_A, region: 'us-east-1' },
      { hostname: 'archive-1', os: 'LINUX', accountId: STAGING_B, region: 'us-east-1' },
    ],
  };
}

const clients: DrsClient[] = [];
function client(handle: DrsSimulatorHandle, region = 'us-east-1', accessKeyId = 'AKIDHUB'): DrsClient {
  const c = new DrsClient({ endpoint: handle.url, region, credentials: { accessKeyId, secretAccessKey: 'x' }, maxAttempts: 1 });
  clients.push(c);
  return c;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number }; fieldList?: unknown; reason?: string; quotaCode?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('the core operations over the wire (unmodified DrsClient)', () => {
  let handle: DrsSimulatorHandle;
  let drs: DrsClient;
  const events: DrsEvent[] = [];
  const hostIds: Record<string, string> = {};

  const completed = (jobID: string, c = drs) => until<Job>(`job ${jobID}`, async () => {
    const job = (await c.send(new DescribeJobsCommand({ filters: { jobIDs: [jobID] } }))).items?.[0];
    return job?.status === 'COMPLETED' ? job : undefined;
  });

  beforeAll(async () => {
    handle = await startDrsSimulator({
      fleet: fleet(), timeScale: 0.001, seed: 12, quotas: { maxLaunchActionsPerResource: 2 },
      launchTimings: { failbackReplicationMs: 60_000 },
      publishEvents: async (batch) => { events.push(...batch); },
    });
    drs = client(handle);
    for (const s of handle.simulator.sourceServers()) hostIds[s.sourceProperties.identificationHints?.hostname ?? ''] = s.sourceServerID;
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await handle.close();
  });

  it('walks the job log with the DescribeJobLogItems paginator', async () => {
    const { job } = await drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: hostIds['orders-web-1'] }], isDrill: true }));
    const jobID = job?.jobID ?? '';
    await completed(jobID);
    const logged: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeJobLogItems({ client: drs, pageSize: 2 }, { jobID })) {
      pages++;
      for (const item of page.items ?? []) {
        logged.push(item.event ?? '');
        expect(item.logDateTime).toMatch(/Z$/);
      }
    }
    expect(logged).toEqual(['JOB_START', 'SNAPSHOT_START', 'SNAPSHOT_END', 'CONVERSION_START', 'CONVERSION_END', 'LAUNCH_START', 'JOB_END']);
    expect(pages).toBe(4);
  });

  it('lists snapshots newest first with the paginator and recovers from one; an unknown snapshot is ResourceNotFoundException', async () => {
    const sourceServerID = hostIds['orders-db-2'] ?? '';
    const snapshots: { snapshotID?: string; expectedTimestamp?: string }[] = [];
    for await (const page of paginateDescribeRecoverySnapshots({ client: drs, pageSize: 5 }, { sourceServerID, order: 'DESC' })) snapshots.push(...(page.items ?? []));
    expect(snapshots.length).toBeGreaterThan(30);
    const times = snapshots.map((s) => Date.parse(s.expectedTimestamp ?? ''));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const chosen = snapshots[3];
    const { job } = await drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID, recoverySnapshotID: chosen?.snapshotID }], isDrill: true }));
    await completed(job?.jobID ?? '');
    const { items } = await drs.send(new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: [sourceServerID] } }));
    expect(items?.[0]?.pointInTimeSnapshotDateTime).toBe(chosen?.expectedTimestamp);
    const unknown = await failure(drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID, recoverySnapshotID: 'pit-00000000000000000' }] })));
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
  });

  it('gets and updates a launch configuration; a bad value is a ValidationException with its fieldList', async () => {
    const sourceServerID = hostIds['orders-app-1'] ?? '';
    const before = await drs.send(new GetLaunchConfigurationCommand({ sourceServerID }));
    expect(before).toMatchObject({ sourceServerID, name: 'orders-app-1', launchDisposition: 'STARTED', targetInstanceTypeRightSizingMethod: 'BASIC', copyTags: false, licensing: { osByol: true } });
    const after = await drs.send(new UpdateLaunchConfigurationCommand({ sourceServerID, copyTags: true, copyPrivateIp: true }));
    expect(after).toMatchObject({ copyTags: true, copyPrivateIp: true, launchDisposition: 'STARTED' });
    const bad = await failure(drs.send(new UpdateLaunchConfigurationCommand({ sourceServerID, launchDisposition: 'PAUSED' as 'STOPPED' })));
    expect(bad).toBeInstanceOf(ValidationException);
    expect(bad).toMatchObject({ reason: 'fieldValidationFailed', fieldList: [{ name: 'launchDisposition', message: expect.stringContaining('enum') }] });
    const missing = await failure(drs.send(new GetLaunchConfigurationCommand({ sourceServerID: 's-00000000000000000' })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it('puts, pages and deletes launch actions (DeleteLaunchAction answers 204); past the quota is ServiceQuotaExceededException', async () => {
    const resourceId = hostIds['orders-app-2'] ?? '';
    const base = { resourceId, actionCode: 'AWS-RunPowerShellScript', optional: true, active: true, actionVersion: '1', category: 'VALIDATION' as const, description: 'Smoke test' };
    const put = await drs.send(new PutLaunchActionCommand({ ...base, actionId: 'aaaaaaaa-0000-4000-8000-000000000001', order: 10, name: 'Smoke one' }));
    expect(put).toMatchObject({ resourceId, actionId: 'aaaaaaaa-0000-4000-8000-000000000001', type: 'SSM_COMMAND', order: 10 });
    await drs.send(new PutLaunchActionCommand({ ...base, actionId: 'aaaaaaaa-0000-4000-8000-000000000002', order: 20, name: 'Smoke two' }));
    const quota = await failure(drs.send(new PutLaunchActionCommand({ ...base, actionId: 'aaaaaaaa-0000-4000-8000-000000000003', order: 30, name: 'Smoke three' })));
    expect(quota).toBeInstanceOf(ServiceQuotaExceededException);
    expect(quota.quotaCode).toBe(QUOTA_CODES.launchActionsPerResource);
    const names: string[] = [];
    for await (const page of paginateListLaunchActions({ client: drs, pageSize: 1 }, { resourceId })) names.push(...(page.items ?? []).map((a) => a.name ?? ''));
    expect(names).toEqual(['Smoke one', 'Smoke two']);
    const deleted = await drs.send(new DeleteLaunchActionCommand({ resourceId, actionId: 'aaaaaaaa-0000-4000-8000-000000000002' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    const again = await failure(drs.send(new DeleteLaunchActionCommand({ resourceId, actionId: 'aaaaaaaa-0000-4000-8000-000000000002' })));
    expect(again).toBeInstanceOf(ResourceNotFoundException);
  });

  it('lists extensible servers, extends them (201), and pages ListStagingAccounts (GET with query parameters)', async () => {
    const extensible: { hostname?: string; arn?: string }[] = [];
    for await (const page of paginateListExtensibleSourceServers({ client: drs, pageSize: 2 }, { stagingAccountID: STAGING_A })) extensible.push(...(page.items ?? []));
    expect(extensible.map((s) => s.hostname)).toEqual(['ledger-1', 'ledger-2', 'ledger-3']);
    const created = await drs.send(new CreateExtendedSourceServerCommand({ sourceServerArn: extensible[0]?.arn, tags: { Team: 'dr' } }));
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created.sourceServer).toMatchObject({ tags: { Team: 'dr' }, stagingArea: { status: 'EXTENDED', stagingAccountID: STAGING_A, stagingSourceServerArn: extensible[0]?.arn } });
    const archive = handle.simulator.sourceServers({ accountId: STAGING_B })[0]?.arn;
    await drs.send(new CreateExtendedSourceServerCommand({ sourceServerArn: archive }));
    const accounts: string[] = [];
    let pages = 0;
    for await (const page of paginateListStagingAccounts({ client: drs, pageSize: 1 }, {})) {
      pages++;
      accounts.push(...(page.accounts ?? []).map((a) => a.accountID ?? ''));
    }
    expect(accounts).toEqual([STAGING_A, STAGING_B]);
    expect(pages).toBe(2);
    const { items } = await drs.send(new DescribeSourceServersCommand({ filters: { stagingAccountIDs: [STAGING_A, STAGING_B] } }));
    expect(items).toHaveLength(2);
    // STAGING_B trusts only the hub: STAGING_A may not read it
    const denied = await failure(client(handle, 'us-east-1', 'AKIDSTAGINGA').send(new CreateExtendedSourceServerCommand({ sourceServerArn: archive })));
    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    const tooBig = await failure(drs.send(new CreateExtendedSourceServerCommand({ sourceServerArn: 'arn:aws:drs:us-east-1:222222222222:source-server/s-1' })));
    expect(tooBig).toBeInstanceOf(ValidationException);
  });

  it('fails back: failback client, StartFailbackLaunch, StopFailback, DisconnectRecoveryInstance, with the state change events', async () => {
    const sourceServerID = hostIds['monitoring-1'] ?? '';
    const { job } = await drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID }] }));
    await completed(job?.jobID ?? '');
    const instanceId = (await drs.send(new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: [sourceServerID] } }))).items?.[0]?.recoveryInstanceID ?? '';
    const early = await failure(drs.send(new StartFailbackLaunchCommand({ recoveryInstanceIDs: [instanceId] })));
    expect(early).toBeInstanceOf(ConflictException);
    handle.simulator.startFailbackReplication(instanceId);
    await until('ready for failback', async () => {
      const i = (await drs.send(new DescribeRecoveryInstancesCommand({ filters: { recoveryInstanceIDs: [instanceId] } }))).items?.[0];
      return i?.failback?.state === 'FAILBACK_READY_FOR_LAUNCH' ? i : undefined;
    });
    const { job: failbackJob } = await drs.send(new StartFailbackLaunchCommand({ recoveryInstanceIDs: [instanceId] }));
    expect(failbackJob).toMatchObject({ type: 'LAUNCH', initiatedBy: 'FAILBACK' });
    await completed(failbackJob?.jobID ?? '');
    const after = (await drs.send(new DescribeRecoveryInstancesCommand({ filters: { recoveryInstanceIDs: [instanceId] } }))).items?.[0];
    expect(after?.failback?.state).toBe('FAILBACK_COMPLETED');
    await until('failback events', () => {
      const states = events.filter((e) => e['detail-type'] === 'DRS Recovery Instance Failback State Change' && e.resources[0]?.endsWith(instanceId)).map((e) => e.detail.state);
      return states.length === 2 ? states : undefined;
    }).then((states) => expect(states).toEqual(['FAILBACK_IN_PROGRESS', 'FAILBACK_COMPLETED']));
    const stopped = await drs.send(new StopFailbackCommand({ recoveryInstanceID: instanceId }));
    expect(stopped.$metadata.httpStatusCode).toBe(200);
    await drs.send(new DisconnectRecoveryInstanceCommand({ recoveryInstanceID: instanceId }));
    const disconnected = (await drs.send(new DescribeRecoveryInstancesCommand({ filters: { recoveryInstanceIDs: [instanceId] } }))).items?.[0];
    expect(disconnected).toMatchObject({ failback: { state: 'FAILBACK_NOT_STARTED' }, dataReplicationInfo: { dataReplicationState: 'DISCONNECTED' } });
    const unknown = await failure(drs.send(new StopFailbackCommand({ recoveryInstanceID: 'i-0000000000000000a' })));
    expect(unknown).toBeInstanceOf(ResourceNotFoundException);
  });

  it('reverses the replication of an EC2-origin recovery instance into its origin region', async () => {
    const west = client(handle, 'us-west-2');
    const sourceServerID = hostIds['shop-ec2'] ?? '';
    const { job } = await west.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID }] }));
    await completed(job?.jobID ?? '', west);
    const instance = (await west.send(new DescribeRecoveryInstancesCommand({}))).items?.[0];
    expect(instance?.originEnvironment).toBe('AWS');
    const { reversedDirectionSourceServerArn } = await west.send(new ReverseReplicationCommand({ recoveryInstanceID: instance?.recoveryInstanceID }));
    expect(reversedDirectionSourceServerArn).toMatch(/^arn:aws:drs:us-east-1:123456789012:source-server\/s-[0-9a-f]{17}$/);
    const reversed = (await drs.send(new DescribeSourceServersCommand({}))).items?.find((s) => s.arn === reversedDirectionSourceServerArn);
    expect(reversed).toMatchObject({ replicationDirection: 'FAILBACK', sourceCloudProperties: { originRegion: 'us-west-2', originAccountID: HUB } });
    const again = await failure(west.send(new ReverseReplicationCommand({ recoveryInstanceID: instance?.recoveryInstanceID })));
    expect(again).toBeInstanceOf(ConflictException);
  });
});
