import { describe, it, expect } from '@jest/globals';
import {
  DEMO_ACCOUNT_ID, DrsError, DrsSimulator, ManualClock, QUOTA_CODES, demoFleet,
  type CallerContext, type DrsEvent, type DrsSimulatorOptions, type Fleet, type SourceServer,
} from '../src/index.js';
import { isLaunchResultEvent } from '../src/model.js';

const ctx: CallerContext = { accountId: DEMO_ACCOUNT_ID, region: 'us-east-1' };
const MIN = 60_000;

function setup(options: Partial<DrsSimulatorOptions> = {}) {
  const clock = new ManualClock();
  const published: DrsEvent[] = [];
  const sim = new DrsSimulator({
    clock,
    timeScale: 1,
    seed: 7,
    publishEvents: async (events) => { published.push(...events); },
    ...options,
  });
  const byHost = (hostname: string): SourceServer => {
    const s = sim.sourceServers().find((x) => x.sourceProperties.identificationHints?.hostname === hostname);
    if (!s) throw new Error(`no server ${hostname}`);
    return s;
  };
  const ids = (...hosts: string[]) => hosts.map((h) => byHost(h).sourceServerID);
  const launch = (hosts: string[], extra: { isDrill?: boolean; tags?: Record<string, string> } = {}) =>
    sim.startRecovery(ctx, { sourceServers: ids(...hosts).map((sourceServerID) => ({ sourceServerID })), ...extra });
  return { clock, sim, published, byHost, ids, launch };
}

function errorOf(fn: () => unknown): DrsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DrsError) return error;
    throw error;
  }
  throw new Error('expected a DrsError');
}

const job = (sim: DrsSimulator, jobID: string) => {
  const found = sim.jobs().find((j) => j.jobID === jobID);
  if (!found) throw new Error(`no job ${jobID}`);
  return found;
};

describe('the demo fleet as source servers', () => {
  it('gives every server a DRS-shaped id, ARN, hostname, OS, tags and replication state', () => {
    const { sim } = setup();
    const servers = sim.sourceServers();
    expect(servers).toHaveLength(demoFleet().servers.length);
    for (const s of servers) {
      expect(s.sourceServerID).toMatch(/^s-[0-9a-f]{17}$/);
      expect(s.arn).toBe(`arn:aws:drs:us-east-1:${DEMO_ACCOUNT_ID}:source-server/${s.sourceServerID}`);
      expect(s.sourceProperties.os?.fullString).toEqual(expect.any(String));
      expect(s.lastLaunchResult).toBe('NOT_STARTED');
      expect(s.stagingArea.status).toBe('NOT_EXTENDED');
    }
    const db = servers.find((s) => s.sourceProperties.identificationHints?.hostname === 'orders-db-1');
    expect(db?.tags).toMatchObject({ App: 'Orders', Tier: 'Database' });
    expect(db?.dataReplicationInfo.dataReplicationState).toBe('CONTINUOUS');
    const erp = servers.find((s) => s.sourceProperties.identificationHints?.hostname === 'legacy-erp-1');
    expect(erp?.dataReplicationInfo.dataReplicationState).toBe('STALLED');
  });

  it('derives the same ids from the same seed and different ids from another seed', () => {
    const a = setup({ seed: 42 }).sim.sourceServers().map((s) => s.sourceServerID);
    const b = setup({ seed: 42 }).sim.sourceServers().map((s) => s.sourceServerID);
    const c = setup({ seed: 43 }).sim.sourceServers().map((s) => s.sourceServerID);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(new Set(a).size).toBe(a.length);
  });
});

describe('a launch job', () => {
  it('goes PENDING -> STARTED -> COMPLETED while its servers go PENDING -> IN_PROGRESS -> LAUNCHED', async () => {
    const { sim, clock, launch, byHost, published } = setup();
    const created = launch(['orders-db-1', 'orders-app-1'], { isDrill: true, tags: { 'lifeboat:execution-id': 'exec-1' } });
    expect(created).toMatchObject({ type: 'LAUNCH', initiatedBy: 'START_DRILL', status: 'PENDING', tags: { 'lifeboat:execution-id': 'exec-1' } });
    expect(created.jobID).toMatch(/^drsjob-[0-9a-f]{17}$/);
    expect(created.arn).toBe(`arn:aws:drs:us-east-1:${DEMO_ACCOUNT_ID}:job/${created.jobID}`);
    expect(created.participatingServers.map((p) => p.launchStatus)).toEqual(['PENDING', 'PENDING']);
    expect(byHost('orders-db-1').lifeCycle.lastLaunch).toMatchObject({ initiated: { jobID: created.jobID, type: 'DRILL' }, status: 'PENDING' });

    clock.advance(sim.timings.pendingMs);
    const started = job(sim, created.jobID);
    expect(started.status).toBe('STARTED');
    expect(started.participatingServers.map((p) => p.launchStatus)).toEqual(['IN_PROGRESS', 'IN_PROGRESS']);

    clock.advance(2 * sim.timings.linuxMeanMs);
    const done = job(sim, created.jobID);
    expect(done.status).toBe('COMPLETED');
    expect(done.endDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(done.participatingServers.map((p) => p.launchStatus)).toEqual(['LAUNCHED', 'LAUNCHED']);

    const db = byHost('orders-db-1');
    const dbParticipant = done.participatingServers[0];
    expect(dbParticipant?.recoveryInstanceID).toMatch(/^i-[0-9a-f]{17}$/);
    expect(db.recoveryInstanceId).toBe(dbParticipant?.recoveryInstanceID);
    expect(db.lastLaunchResult).toBe('SUCCEEDED');
    expect(db.lifeCycle.lastLaunch?.status).toBe('LAUNCHED');

    const instances = sim.recoveryInstances();
    expect(instances).toHaveLength(2);
    for (const instance of instances) {
      expect(instance).toMatchObject({ ec2InstanceState: 'RUNNING', jobID: created.jobID, isDrill: true, pointInTimeSnapshotDateTime: created.creationDateTime });
      expect(instance.ec2InstanceID).toBe(instance.recoveryInstanceID);
      expect(instance.arn).toBe(`arn:aws:drs:us-east-1:${DEMO_ACCOUNT_ID}:recovery-instance/${instance.recoveryInstanceID}`);
    }

    await sim.flushEvents();
    expect(published).toHaveLength(2);
    expect(published[0]).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      'detail-type': 'DRS Source Server Launch Result',
      source: 'aws.drs',
      account: DEMO_ACCOUNT_ID,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [expect.stringMatching(/^arn:aws:drs:us-east-1:123456789012:source-server\/s-/)],
      detail: { state: 'RECOVERY_LAUNCH_SUCCEEDED', 'job-id': created.jobID, 'is-drill': 'TRUE' },
    });
    expect(sim.eventLog.every((e) => e.status === 'DELIVERED')).toBe(true);
  });

  it('completes with the non-replicating server FAILED and the others LAUNCHED', async () => {
    const { sim, clock, launch, byHost, published } = setup();
    const created = launch(['legacy-erp-1', 'monitoring-1']);
    expect(created.initiatedBy).toBe('START_RECOVERY');
    clock.runAll();
    const done = job(sim, created.jobID);
    expect(done.status).toBe('COMPLETED');
    expect(done.participatingServers.map((p) => p.launchStatus)).toEqual(['FAILED', 'LAUNCHED']);
    expect(done.participatingServers[0]?.recoveryInstanceID).toBeUndefined();
    expect(byHost('legacy-erp-1').lastLaunchResult).toBe('FAILED');
    await sim.flushEvents();
    const states = Object.fromEntries(published.map((e) => [e.resources[0], e.detail.state]));
    expect(states[byHost('legacy-erp-1').arn]).toBe('RECOVERY_LAUNCH_FAILED');
    expect(states[byHost('monitoring-1').arn]).toBe('RECOVERY_LAUNCH_SUCCEEDED');
    expect(published.every((e) => isLaunchResultEvent(e) && e.detail['is-drill'] === 'FALSE')).toBe(true);
  });

  it('fails a server whose launch is forced to FAIL, from the fleet or at run time', () => {
    const fleet: Fleet = demoFleet();
    const web = fleet.servers.find((s) => s.hostname === 'orders-web-1');
    if (web) web.launchOutcome = 'FAIL';
    const { sim, clock, launch, ids } = setup({ fleet });
    const [app] = ids('orders-app-1');
    sim.setLaunchOutcome(app ?? '', 'FAIL');
    const created = launch(['orders-web-1', 'orders-app-1', 'orders-web-2']);
    clock.runAll();
    expect(job(sim, created.jobID).participatingServers.map((p) => p.launchStatus)).toEqual(['FAILED', 'FAILED', 'LAUNCHED']);
  });

  it('takes longer for Windows than for Linux, within [mean/2, 2 x mean], scaled by timeScale', () => {
    const servers = Array.from({ length: 40 }, (_, i) => ({
      hostname: `host-${i}`, os: i % 2 === 0 ? 'LINUX' as const : 'WINDOWS' as const, accountId: DEMO_ACCOUNT_ID, region: 'us-east-1',
    }));
    const { sim, clock } = setup({ fleet: { accounts: [{ accountId: DEMO_ACCOUNT_ID, regions: ['us-east-1'] }], servers }, timeScale: 0.5 });
    const start = clock.now();
    const created = sim.startRecovery(ctx, { sourceServers: sim.sourceServers().map((s) => ({ sourceServerID: s.sourceServerID })) });
    const finished = new Map<string, number>();
    while (finished.size < servers.length) {
      clock.advance(1000);
      for (const p of job(sim, created.jobID).participatingServers) {
        if (p.launchStatus === 'LAUNCHED' && !finished.has(p.sourceServerID)) finished.set(p.sourceServerID, (clock.now() - start) / 0.5);
      }
    }
    const os = new Map(sim.sourceServers().map((s, i) => [s.sourceServerID, servers[i]?.os]));
    const durations = (kind: string) => [...finished].filter(([id]) => os.get(id) === kind).map(([, ms]) => ms);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (const d of durations('LINUX')) expect(d).toBeGreaterThanOrEqual(2.5 * MIN - 2000);
    for (const d of durations('LINUX')) expect(d).toBeLessThanOrEqual(10 * MIN + 2000);
    for (const d of durations('WINDOWS')) expect(d).toBeGreaterThanOrEqual(10 * MIN - 2000);
    for (const d of durations('WINDOWS')) expect(d).toBeLessThanOrEqual(40 * MIN + 2000);
    expect(mean(durations('WINDOWS'))).toBeGreaterThan(2 * mean(durations('LINUX')));
    expect(new Set(durations('LINUX')).size).toBeGreaterThan(1); // jitter
  });

  it('replays identically for the same seed: job, instance and event ids, and end times', async () => {
    const run = async (seed: number) => {
      const { sim, clock, launch, published } = setup({ seed });
      const a = launch(['orders-db-1', 'orders-app-2'], { isDrill: true });
      clock.advance(3 * MIN);
      const b = launch(['orders-web-1']);
      clock.runAll();
      await sim.flushEvents();
      return { jobs: sim.jobs(), instances: sim.recoveryInstances().map((i) => i.recoveryInstanceID), events: published.map((e) => [e.id, e.time]), a: a.jobID, b: b.jobID };
    };
    const first = await run(11);
    expect(await run(11)).toEqual(first);
    expect((await run(12)).a).not.toBe(first.a);
  });
});

describe('quotas (per account and region)', () => {
  it('refuses more source servers in one job than the quota (ServiceQuotaExceededException L-B827C881)', () => {
    const { launch, sim } = setup({ quotas: { maxSourceServersPerJob: 2 } });
    const error = errorOf(() => launch(['orders-db-1', 'orders-db-2', 'orders-app-1']));
    expect(error).toMatchObject({ type: 'ServiceQuotaExceededException', statusCode: 402, members: { quotaCode: QUOTA_CODES.sourceServersPerJob, serviceCode: 'drs' } });
    expect(sim.jobs()).toHaveLength(0);
  });

  it('refuses a job past the concurrent jobs quota until one completes (L-D88FAC3A)', () => {
    const { launch, sim, clock } = setup({ quotas: { maxConcurrentJobs: 2 } });
    launch(['orders-db-1']);
    launch(['orders-db-2']);
    const error = errorOf(() => launch(['orders-app-1']));
    expect(error).toMatchObject({ type: 'ServiceQuotaExceededException', members: { quotaCode: QUOTA_CODES.concurrentJobs } });
    expect(sim.jobs()).toHaveLength(2);
    clock.runAll();
    expect(launch(['orders-app-1']).status).toBe('PENDING');
  });

  it('refuses a job that would put too many servers in active jobs (L-05AFA8C6)', () => {
    const { launch } = setup({ quotas: { maxSourceServersInAllJobs: 3 } });
    launch(['orders-db-1', 'orders-db-2']);
    const error = errorOf(() => launch(['orders-app-1', 'orders-app-2']));
    expect(error).toMatchObject({ type: 'ServiceQuotaExceededException', members: { quotaCode: QUOTA_CODES.sourceServersInAllJobs } });
    expect(launch(['orders-app-1']).status).toBe('PENDING');
  });

  it('refuses a server already in an active job (ConflictException 409) and accepts it once the job completed', () => {
    const { launch, clock, ids } = setup();
    launch(['orders-db-1']);
    const error = errorOf(() => launch(['orders-web-1', 'orders-db-1']));
    expect(error).toMatchObject({ type: 'ConflictException', statusCode: 409, members: { resourceType: 'SOURCE_SERVER', resourceId: ids('orders-db-1')[0] } });
    clock.runAll();
    expect(launch(['orders-web-1', 'orders-db-1']).status).toBe('PENDING');
  });

  it('counts quotas per account and region', () => {
    const fleet: Fleet = {
      accounts: [
        { accountId: '111111111111', regions: ['us-east-1', 'us-west-2'], accessKeyIds: ['AKIDONE'] },
        { accountId: '222222222222', regions: ['us-east-1'], accessKeyIds: ['AKIDTWO'] },
      ],
      servers: [
        { hostname: 'a-east', os: 'LINUX', accountId: '111111111111', region: 'us-east-1' },
        { hostname: 'a-west', os: 'LINUX', accountId: '111111111111', region: 'us-west-2' },
        { hostname: 'b-east', os: 'LINUX', accountId: '222222222222', region: 'us-east-1' },
      ],
    };
    const { sim } = setup({ fleet, quotas: { maxConcurrentJobs: 1 } });
    const idOf = (h: string) => sim.sourceServers().find((s) => s.sourceProperties.identificationHints?.hostname === h)?.sourceServerID ?? '';
    sim.startRecovery({ accountId: '111111111111', region: 'us-east-1' }, { sourceServers: [{ sourceServerID: idOf('a-east') }] });
    expect(sim.startRecovery({ accountId: '111111111111', region: 'us-west-2' }, { sourceServers: [{ sourceServerID: idOf('a-west') }] }).status).toBe('PENDING');
    expect(sim.startRecovery({ accountId: '222222222222', region: 'us-east-1' }, { sourceServers: [{ sourceServerID: idOf('b-east') }] }).status).toBe('PENDING');
    // another account's server is not found
    expect(errorOf(() => sim.startRecovery({ accountId: '222222222222', region: 'us-east-1' }, { sourceServers: [{ sourceServerID: idOf('a-east') }] })).type)
      .toBe('ResourceNotFoundException');
  });
});

describe('terminating recovery instances', () => {
  it('runs a TERMINATE job: RUNNING -> SHUTTING-DOWN -> TERMINATED, then deletes the instance from DRS', () => {
    const { sim, clock, launch, byHost } = setup();
    launch(['orders-db-1'], { isDrill: true });
    clock.runAll();
    const [instance] = sim.recoveryInstances();
    const id = instance?.recoveryInstanceID ?? '';
    const terminate = sim.terminateRecoveryInstances(ctx, { recoveryInstanceIDs: [id] });
    expect(terminate).toMatchObject({ type: 'TERMINATE', initiatedBy: 'TERMINATE_RECOVERY_INSTANCES', status: 'PENDING', participatingServers: [{ recoveryInstanceID: id, launchStatus: 'PENDING' }] });
    expect(errorOf(() => sim.terminateRecoveryInstances(ctx, { recoveryInstanceIDs: [id] })).type).toBe('ConflictException');
    clock.advance(sim.timings.pendingMs);
    expect(sim.recoveryInstances()[0]?.ec2InstanceState).toBe('SHUTTING-DOWN');
    clock.runAll();
    // "...and then will delete the Recovery Instances from the Elastic Disaster Recovery service"; EC2 still shows it terminated.
    expect(sim.recoveryInstances()).toEqual([]);
    expect(sim.ec2Instances().map((i) => [i.instanceId, i.state.name, i.deletedFromDrs])).toEqual([[id, 'terminated', true]]);
    expect(job(sim, terminate.jobID)).toMatchObject({ status: 'COMPLETED', participatingServers: [{ launchStatus: 'TERMINATED' }] });
    expect(sim.jobLog(terminate.jobID).map((l) => l.event)).toEqual(['JOB_START', 'CLEANUP_START', 'CLEANUP_END', 'JOB_END']);
    expect(byHost('orders-db-1').recoveryInstanceId).toBeUndefined();
    expect(errorOf(() => sim.terminateRecoveryInstances(ctx, { recoveryInstanceIDs: [id] })).type).toBe('ResourceNotFoundException');
    expect(errorOf(() => sim.terminateRecoveryInstances(ctx, { recoveryInstanceIDs: ['i-0123456789abcdef0'] })).type).toBe('ResourceNotFoundException');
  });
});

describe('the operations through invoke (validation, paging, tags, log)', () => {
  it('reports every invalid member in one ValidationException with fieldList', async () => {
    const { sim } = setup();
    const result = await sim.invoke('StartRecovery', {}, { sourceServers: [{ sourceServerID: 's-short' }, {}], isDrill: 'yes', tags: { 'aws:reserved': 'x' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.type).toBe('ValidationException');
    expect(result.error.members.reason).toBe('fieldValidationFailed');
    expect(result.error.members.fieldList?.map((f) => f.name)).toEqual([
      'sourceServers[0].sourceServerID', 'sourceServers[1].sourceServerID', 'isDrill', 'tags.aws:reserved',
    ]);
    const empty = await sim.invoke('StartRecovery', {}, { sourceServers: [] });
    expect(!empty.ok && empty.error.members.fieldList?.[0]?.name).toBe('sourceServers');
    const missing = await sim.invoke('StartRecovery', {}, {});
    expect(!missing.ok && missing.error.members.fieldList?.[0]).toEqual({ name: 'sourceServers', message: 'Member must not be null' });
    for (const maxResults of [0, -1, 2.5, '10']) { // StrictlyPositiveInteger: min 1, no maximum in the model
      const bad = await sim.invoke('DescribeSourceServers', {}, { maxResults });
      expect(!bad.ok && bad.error.members.fieldList?.[0]?.name).toBe('maxResults');
    }
    const badDate = await sim.invoke('DescribeJobs', {}, { filters: { fromDate: 'yesterday' } });
    expect(!badDate.ok && badDate.error.members.fieldList?.[0]?.name).toBe('filters.fromDate');
    expect(sim.jobs()).toHaveLength(0);
  });

  it('pages DescribeSourceServers and binds tokens to their query', async () => {
    const { sim } = setup();
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const result = await sim.invoke('DescribeSourceServers', {}, { maxResults: 2, ...(nextToken ? { nextToken } : {}) });
      if (!result.ok) throw result.error;
      const page = result.output as { items: SourceServer[]; nextToken?: string };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s) => s.sourceServerID));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBe(Math.ceil(sim.sourceServers().length / 2));
    expect(seen).toEqual(sim.sourceServers().map((s) => s.sourceServerID));

    const first = await sim.invoke('DescribeSourceServers', {}, { maxResults: 1 });
    const token = first.ok ? (first.output as { nextToken?: string }).nextToken : undefined;
    const other = await sim.invoke('DescribeSourceServers', {}, { nextToken: token, filters: { hardwareId: 'x' } });
    expect(!other.ok && other.error.members.fieldList?.[0]?.name).toBe('nextToken');
    const garbage = await sim.invoke('DescribeSourceServers', {}, { nextToken: 'not-a-token' });
    expect(garbage.ok).toBe(false);
  });

  it('filters source servers by ids, hardware id and staging account', () => {
    const fleet = demoFleet();
    fleet.servers.push({ hostname: 'extended-1', os: 'LINUX', accountId: DEMO_ACCOUNT_ID, region: 'us-east-1', stagingAccountID: '999999999999', vmWareUuid: '4210ABCD-0000-1111-2222-333344445555' });
    const { sim, ids, byHost } = setup({ fleet });
    const [db] = ids('orders-db-1');
    expect(sim.describeSourceServers(ctx, { filters: { sourceServerIDs: [db ?? ''] } }).items.map((s) => s.sourceServerID)).toEqual([db]);
    const mac = byHost('orders-web-2').sourceProperties.networkInterfaces?.[0]?.macAddress ?? '';
    expect(sim.describeSourceServers(ctx, { filters: { hardwareId: mac.toUpperCase() } }).items.map((s) => s.sourceProperties.identificationHints?.hostname)).toEqual(['orders-web-2']);
    expect(sim.describeSourceServers(ctx, { filters: { hardwareId: '4210abcd-0000-1111-2222-333344445555' } }).items).toHaveLength(1);
    const extended = sim.describeSourceServers(ctx, { filters: { stagingAccountIDs: ['999999999999'] } }).items;
    expect(extended.map((s) => s.stagingArea)).toEqual([{ status: 'EXTENDED', stagingAccountID: '999999999999', stagingSourceServerArn: expect.stringMatching(/^arn:aws:drs:us-east-1:999999999999:source-server\/s-/) }]);
  });

  it('filters jobs by id and creation date range', () => {
    const { sim, clock, launch } = setup();
    const a = launch(['orders-db-1']);
    clock.advance(10 * MIN);
    const middle = new Date(clock.now() - MIN).toISOString();
    const b = launch(['orders-db-2']);
    expect(sim.describeJobs(ctx, { filters: { fromDate: middle } }).items.map((j) => j.jobID)).toEqual([b.jobID]);
    expect(sim.describeJobs(ctx, { filters: { toDate: middle } }).items.map((j) => j.jobID)).toEqual([a.jobID]);
    expect(sim.describeJobs(ctx, { filters: { jobIDs: [a.jobID] } }).items.map((j) => j.jobID)).toEqual([a.jobID]);
  });

  it('tags source servers, jobs and recovery instances; refuses resources of another account', async () => {
    const { sim, launch, byHost } = setup();
    const created = launch(['orders-db-1']);
    const tag = (resourceArn: string, tags: Record<string, string>) => sim.invoke('TagResource', {}, { resourceArn, tags });
    expect((await tag(created.arn, { Owner: 'dr-team' })).ok).toBe(true);
    expect(sim.listTagsForResource(ctx, created.arn)).toEqual({ Owner: 'dr-team' });
    const server = byHost('orders-db-1');
    await sim.invoke('UntagResource', {}, { resourceArn: server.arn, tagKeys: ['Environment'] });
    expect(byHost('orders-db-1').tags).toEqual({ App: 'Orders', Tier: 'Database' });
    const foreign = await sim.invoke('ListTagsForResource', {}, { resourceArn: server.arn.replace(DEMO_ACCOUNT_ID, '210987654321') });
    expect(!foreign.ok && foreign.error.type).toBe('ResourceNotFoundException');
    const reserved = await tag(server.arn, { 'aws:cloudformation:stack-name': 'x' });
    expect(!reserved.ok && reserved.error.type).toBe('ValidationException');
  });

  it('logs every call with its outcome, and refuses regions where DRS is not initialized', async () => {
    const { sim, ids } = setup();
    await sim.invoke('DescribeSourceServers', { accessKeyId: 'AKIDLOCAL', region: 'us-east-1' }, {});
    await sim.invoke('StartRecovery', { region: 'us-east-1' }, { sourceServers: ids('orders-db-1').map((sourceServerID) => ({ sourceServerID })), tags: { k: 'v' }, isDrill: true });
    const uninit = await sim.invoke('DescribeJobs', { region: 'eu-west-1' }, {});
    expect(!uninit.ok && uninit.error).toMatchObject({ type: 'UninitializedAccountException', statusCode: 400 });
    const unknown = await sim.invoke('DeleteEverything', {}, {});
    expect(!unknown.ok && unknown.error.type).toBe('UnknownOperationException');
    const log = sim.callLog;
    expect(log.map((c) => [c.operation, c.outcome, c.errorType])).toEqual([
      ['DescribeSourceServers', 'OK', undefined],
      ['StartRecovery', 'OK', undefined],
      ['DescribeJobs', 'ERROR', 'UninitializedAccountException'],
      ['DeleteEverything', 'ERROR', 'UnknownOperationException'],
    ]);
    expect(log[0]).toMatchObject({ seq: 1, accountId: DEMO_ACCOUNT_ID, region: 'us-east-1', accessKeyId: 'AKIDLOCAL', statusCode: 200 });
    expect(log[1]).toMatchObject({ statusCode: 202, isDrill: true, tags: { k: 'v' }, sourceServerIDs: ids('orders-db-1'), jobID: sim.jobs()[0]?.jobID });
    expect(log[1]?.summary).toContain('drill 1 server(s)');
    expect(log[2]?.region).toBe('eu-west-1');
  });

  it('resets to the fleet as loaded, cancelling launches in flight', async () => {
    const { sim, clock, launch } = setup();
    const before = sim.sourceServers().map((s) => s.sourceServerID);
    const first = launch(['orders-db-1']);
    sim.reset();
    expect(sim.jobs()).toEqual([]);
    expect(sim.callLog).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
    expect(sim.sourceServers().map((s) => s.sourceServerID)).toEqual(before);
    expect(launch(['orders-db-1']).jobID).toBe(first.jobID);
  });

  it('records events whose publication failed', async () => {
    const { sim, clock, launch } = setup({ publishEvents: async () => { throw new Error('bus down'); } });
    launch(['orders-db-1']);
    clock.runAll();
    await sim.flushEvents();
    expect(sim.eventLog.map((e) => [e.status, e.error])).toEqual([['FAILED', 'bus down']]);
  });
});
