import { describe, it, expect } from '@jest/globals';
import { DEMO_ACCOUNT_ID } from '../src/index.js';
import { isLaunchResultEvent } from '../src/model.js';
import { MIN, ctx, errorOf, setup, thrown } from './core-support.js';

const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('job log items (DescribeJobLogItems)', () => {
  it('logs JOB_START, SNAPSHOT_START/END, CONVERSION_START/END, LAUNCH_START and JOB_END, in order, while the instance goes PENDING -> RUNNING', () => {
    const { sim, clock, launch, id } = setup();
    const created = launch(['orders-db-1'], { isDrill: true });
    expect(sim.jobLog(created.jobID)).toEqual([]);
    clock.advance(sim.timings.pendingMs);
    expect(sim.jobLog(created.jobID).map((l) => l.event)).toEqual(['JOB_START', 'SNAPSHOT_START']);

    let pending = sim.recoveryInstances()[0];
    while (!pending) {
      clock.advance(1000);
      pending = sim.recoveryInstances()[0];
    }
    expect(pending.ec2InstanceState).toBe('PENDING');
    expect(sim.jobs()[0]?.participatingServers[0]?.launchStatus).toBe('IN_PROGRESS');

    clock.runAll();
    const log = sim.jobLog(created.jobID);
    expect(log.map((l) => l.event)).toEqual(['JOB_START', 'SNAPSHOT_START', 'SNAPSHOT_END', 'CONVERSION_START', 'CONVERSION_END', 'LAUNCH_START', 'JOB_END']);
    const times = log.map((l) => l.logDateTime);
    for (const t of times) expect(t).toMatch(ISO_Z);
    expect([...times].sort()).toEqual(times);
    const [instance] = sim.recoveryInstances();
    expect(instance).toMatchObject({ ec2InstanceState: 'RUNNING', isDrill: true, jobID: created.jobID, sourceServerID: id('orders-db-1') });
    expect(instance?.failback).toBeUndefined(); // drills are not failed back
    const conversion = log.find((l) => l.event === 'CONVERSION_START')?.eventData;
    expect(conversion).toEqual({ sourceServerID: id('orders-db-1'), conversionServerID: expect.stringMatching(/^i-[0-9a-f]{17}$/) });
    expect(log.find((l) => l.event === 'CONVERSION_END')?.eventData).toEqual(conversion);
    expect(log.find((l) => l.event === 'LAUNCH_START')?.eventData).toEqual({ sourceServerID: id('orders-db-1'), targetInstanceID: instance?.recoveryInstanceID });
    expect(log[0]?.eventData).toBeUndefined();
  });

  it('pages the log through invoke, and answers no items for an unknown job (the model lists no not-found error)', async () => {
    const { sim, clock, launch } = setup();
    const created = launch(['orders-db-1', 'orders-db-2']);
    clock.runAll();
    const all = sim.jobLog(created.jobID);
    expect(all.length).toBe(12); // JOB_START, 5 per server, JOB_END
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const result = await sim.invoke('DescribeJobLogItems', {}, { jobID: created.jobID, maxResults: 5, ...(nextToken ? { nextToken } : {}) });
      if (!result.ok) throw result.error;
      const page = result.output as { items: { event: string }[]; nextToken?: string };
      seen.push(...page.items.map((i) => i.event));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen).toEqual(all.map((l) => l.event));
    const unknown = await sim.invoke('DescribeJobLogItems', {}, { jobID: 'drsjob-00000000000000000' });
    expect(unknown.ok && unknown.output).toEqual({ items: [] });
    const bad = await sim.invoke('DescribeJobLogItems', {}, { jobID: 'job-1', maxResults: 0 });
    expect(!bad.ok && bad.error.members).toMatchObject({ reason: 'fieldValidationFailed', fieldList: [{ name: 'jobID' }, { name: 'maxResults' }] });
  });

  it('logs SNAPSHOT_FAIL for a server that is not replicating and LAUNCH_FAILED for a failed launch; the job still COMPLETES', async () => {
    const { sim, clock, launch, id, byHost, published } = setup();
    sim.setLaunchOutcome(id('orders-web-1'), 'FAIL');
    const created = launch(['legacy-erp-1', 'orders-web-1', 'monitoring-1']);
    clock.runAll();
    const done = sim.jobs()[0];
    expect(done).toMatchObject({ jobID: created.jobID, status: 'COMPLETED' });
    expect(done?.participatingServers.map((p) => p.launchStatus)).toEqual(['FAILED', 'FAILED', 'LAUNCHED']);
    const log = sim.jobLog(created.jobID);
    const byServer = (sid: string) => log.filter((l) => l.eventData?.sourceServerID === sid).map((l) => l.event);
    expect(byServer(id('legacy-erp-1'))).toEqual(['SNAPSHOT_START', 'SNAPSHOT_FAIL']);
    expect(byServer(id('orders-web-1'))).toEqual(['SNAPSHOT_START', 'SNAPSHOT_END', 'CONVERSION_START', 'CONVERSION_END', 'LAUNCH_START', 'LAUNCH_FAILED']);
    expect(log.find((l) => l.event === 'LAUNCH_FAILED')?.eventData?.rawError).toEqual(expect.any(String));
    expect(log.at(-1)?.event).toBe('JOB_END');
    // the failed launch's EC2 instance is cleaned up: DRS lists only the launched one
    expect(sim.recoveryInstances().map((i) => i.sourceServerID)).toEqual([id('monitoring-1')]);
    expect(sim.ec2Instances().filter((i) => i.sourceServerID === id('orders-web-1')).map((i) => [i.state.name, i.deletedFromDrs])).toEqual([['terminated', true]]);
    expect(byHost('orders-web-1')).toMatchObject({ lastLaunchResult: 'FAILED', lifeCycle: { lastLaunch: { status: 'FAILED', initiated: { jobID: created.jobID, type: 'RECOVERY' } } } });
    expect(byHost('monitoring-1')).toMatchObject({ lastLaunchResult: 'SUCCEEDED', recoveryInstanceId: expect.stringMatching(/^i-/) });
    await sim.flushEvents();
    expect(published.filter(isLaunchResultEvent).map((e) => e.detail.state)).toEqual(['RECOVERY_LAUNCH_FAILED', 'RECOVERY_LAUNCH_SUCCEEDED', 'RECOVERY_LAUNCH_FAILED']);
  });

  it('gives a recovery (not drill) instance a failback state and failback replication NOT_STARTED', () => {
    const { sim, clock, launch } = setup();
    launch(['orders-db-1']);
    clock.runAll();
    const [instance] = sim.recoveryInstances();
    expect(instance).toMatchObject({
      isDrill: false,
      failback: { state: 'FAILBACK_NOT_STARTED' },
      dataReplicationInfo: { dataReplicationState: 'NOT_STARTED' },
      originEnvironment: 'ON_PREMISES',
      recoveryInstanceProperties: { networkInterfaces: [{ ips: [expect.stringMatching(/^10\./)], isPrimary: true }], disks: [{ bytes: expect.any(Number) }] },
    });
  });
});

describe('point-in-time snapshots (DescribeRecoverySnapshots) and StartRecovery from a snapshot', () => {
  const everyTenMinutesForAnHour = { snapshotPolicy: [{ units: 'MINUTE' as const, interval: 10, retentionDuration: 60 }] };

  it('keeps the snapshots the policy says, ordered ASC or DESC, with stable ids as time goes by', () => {
    const { sim, clock, id } = setup(everyTenMinutesForAnHour);
    const sourceServerID = id('orders-db-1');
    const first = sim.describeRecoverySnapshots(ctx, { sourceServerID }).items;
    expect(first).toHaveLength(6);
    for (const s of first) {
      expect(s).toMatchObject({ snapshotID: expect.stringMatching(/^pit-[0-9a-f]{17}$/), sourceServerID, expectedTimestamp: expect.stringMatching(ISO_Z), timestamp: expect.stringMatching(ISO_Z) });
      expect(s.ebsSnapshots?.[0]).toMatch(/^snap-[0-9a-f]{17}$/);
      expect(Date.parse(s.timestamp ?? '')).toBeLessThanOrEqual(clock.now());
    }
    const at = first.map((s) => Date.parse(s.expectedTimestamp));
    expect(at.slice(1).map((t, i) => t - (at[i] ?? 0))).toEqual([10, 10, 10, 10, 10].map((m) => m * MIN));
    expect(sim.describeRecoverySnapshots(ctx, { sourceServerID, order: 'DESC' }).items).toEqual([...first].reverse());

    clock.advance(10 * MIN);
    const later = sim.describeRecoverySnapshots(ctx, { sourceServerID }).items;
    expect(later).toHaveLength(6);
    expect(later.slice(0, 5).map((s) => s.snapshotID)).toEqual(first.slice(1).map((s) => s.snapshotID));
    expect(first.map((s) => s.snapshotID)).not.toContain(later[5]?.snapshotID);
    // another server snapshots at other instants
    expect(sim.describeRecoverySnapshots(ctx, { sourceServerID: id('orders-db-2') }).items[0]?.expectedTimestamp).not.toBe(later[0]?.expectedTimestamp);
  });

  it('filters by fromDateTime / toDateTime, pages, and answers no items for an unknown server', async () => {
    const { sim, id } = setup(everyTenMinutesForAnHour);
    const sourceServerID = id('orders-db-1');
    const all = sim.describeRecoverySnapshots(ctx, { sourceServerID }).items;
    const from = all[3]?.expectedTimestamp ?? '';
    const to = all[2]?.timestamp ?? '';
    expect(sim.describeRecoverySnapshots(ctx, { sourceServerID, filters: { fromDateTime: from } }).items).toEqual(all.slice(3));
    expect(sim.describeRecoverySnapshots(ctx, { sourceServerID, filters: { toDateTime: to } }).items).toEqual(all.slice(0, 3));
    const page = sim.describeRecoverySnapshots(ctx, { sourceServerID, maxResults: 4 });
    expect(page.items).toEqual(all.slice(0, 4));
    expect(sim.describeRecoverySnapshots(ctx, { sourceServerID, maxResults: 4, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }).items).toEqual(all.slice(4));
    expect(sim.describeRecoverySnapshots(ctx, { sourceServerID: 's-00000000000000000' }).items).toEqual([]);
    const bad = await sim.invoke('DescribeRecoverySnapshots', {}, { sourceServerID, order: 'NEWEST', filters: { fromDateTime: 'yesterday' } });
    expect(!bad.ok && bad.error.members.fieldList?.map((f) => f.name)).toEqual(['filters.fromDateTime', 'order']);
    const missing = await sim.invoke('DescribeRecoverySnapshots', {}, {});
    expect(!missing.ok && missing.error.members.fieldList).toEqual([{ name: 'sourceServerID', message: 'Member must not be null' }]);
  });

  it('takes no snapshot while a server is stalled, and resumes when it replicates again', () => {
    const { sim, clock, id } = setup(everyTenMinutesForAnHour);
    const sourceServerID = id('orders-db-1');
    sim.setReplicationState(sourceServerID, 'STALLED');
    clock.advance(30 * MIN);
    const during = sim.describeRecoverySnapshots(ctx, { sourceServerID }).items;
    expect(during).toHaveLength(3); // the 30 minutes before the stall
    sim.setReplicationState(sourceServerID, 'CONTINUOUS');
    clock.advance(20 * MIN);
    expect(sim.describeRecoverySnapshots(ctx, { sourceServerID }).items.length).toBe(3);
    clock.advance(40 * MIN);
    expect(sim.describeRecoverySnapshots(ctx, { sourceServerID }).items.length).toBe(6);
  });

  it('keeps DRS\'s default policy: every 10 minutes for an hour, hourly for a day, daily for a week', () => {
    const { sim, id, clock } = setup();
    const items = sim.describeRecoverySnapshots(ctx, { sourceServerID: id('orders-db-1') }).items;
    const ages = items.map((s) => clock.now() - Date.parse(s.expectedTimestamp));
    expect(ages.filter((a) => a < 60 * MIN)).toHaveLength(6);
    expect(ages.filter((a) => a < 24 * 60 * MIN).length).toBeGreaterThanOrEqual(29);
    expect(Math.max(...ages)).toBeLessThan(7 * 24 * 60 * MIN);
    expect(Math.max(...ages)).toBeGreaterThan(6 * 24 * 60 * MIN);
    expect(() => setup({ snapshotPolicy: [{ units: 'MINUTE', interval: 0, retentionDuration: 10 }] })).toThrow(/interval/);
  });

  it('launches from a chosen snapshot (USING_PREVIOUS_SNAPSHOT), even for a stalled server, and refuses an unknown one', () => {
    const { sim, clock, id } = setup();
    const erp = id('legacy-erp-1'); // STALLED: no on-demand snapshot possible, but older snapshots exist
    const old = sim.describeRecoverySnapshots(ctx, { sourceServerID: erp, order: 'DESC' }).items[0];
    expect(old).toBeDefined();
    expect(clock.now() - Date.parse(old?.expectedTimestamp ?? '')).toBeGreaterThanOrEqual(2 * 60 * MIN);
    const created = sim.startRecovery(ctx, { sourceServers: [{ sourceServerID: erp, recoverySnapshotID: old?.snapshotID ?? '' }], isDrill: true });
    clock.runAll();
    expect(sim.jobs()[0]?.participatingServers[0]?.launchStatus).toBe('LAUNCHED');
    expect(sim.jobLog(created.jobID).map((l) => l.event)).toEqual(['JOB_START', 'USING_PREVIOUS_SNAPSHOT', 'CONVERSION_START', 'CONVERSION_END', 'LAUNCH_START', 'JOB_END']);
    expect(sim.recoveryInstances()[0]?.pointInTimeSnapshotDateTime).toBe(old?.expectedTimestamp);

    const unknown = errorOf(() => sim.startRecovery(ctx, { sourceServers: [{ sourceServerID: id('orders-db-1'), recoverySnapshotID: 'pit-00000000000000000' }] }));
    expect(unknown).toMatchObject({ type: 'ResourceNotFoundException', members: { resourceType: 'RECOVERY_SNAPSHOT', resourceId: 'pit-00000000000000000' } });
    const othersSnapshot = errorOf(() => sim.startRecovery(ctx, { sourceServers: [{ sourceServerID: id('orders-db-1'), recoverySnapshotID: old?.snapshotID ?? '' }] }));
    expect(othersSnapshot.type).toBe('ResourceNotFoundException');
    expect(sim.jobs()).toHaveLength(1);
  });
});

describe('time: per-OS durations, the time scale, determinism', () => {
  const endOf = (seed: number, change?: (s: ReturnType<typeof setup>) => void) => {
    const s = setup({ seed });
    const created = s.launch(['orders-app-2', 'orders-db-1']); // Windows, Linux
    change?.(s);
    s.clock.runAll();
    return { created, job: s.job(created.jobID), log: s.sim.jobLog(created.jobID), s };
  };

  it('is deterministic for a seed (end times, log, ids) and differs for another seed', () => {
    const a = endOf(3);
    const b = endOf(3);
    expect(b.job).toEqual(a.job);
    expect(b.log).toEqual(a.log);
    expect(endOf(4).job.endDateTime).not.toBe(a.job.endDateTime);
  });

  it('rescales launches in flight when the time scale changes', () => {
    const baseline = endOf(5);
    const startMs = Date.parse(baseline.created.creationDateTime);
    const total = Date.parse(baseline.job.endDateTime ?? '') - startMs;
    const halfway = endOf(5, ({ sim, clock }) => {
      clock.advance(60_000);
      expect(sim.timeScale).toBe(1);
      sim.setTimeScale(0.5);
      expect(sim.timeScale).toBe(0.5);
    });
    const rescaled = Date.parse(halfway.job.endDateTime ?? '') - startMs;
    expect(Math.abs(rescaled - (60_000 + (total - 60_000) / 2))).toBeLessThan(50);
    expect(halfway.log.map((l) => l.event)).toEqual(baseline.log.map((l) => l.event));
  });

  it('runs everything due at once at scale 0, and refuses an invalid scale', () => {
    const { sim, clock, launch, job } = setup({ timeScale: 0 });
    const created = launch(['orders-db-1', 'orders-app-2']);
    clock.advance(0);
    expect(job(created.jobID).status).toBe('COMPLETED');
    expect(thrown(() => sim.setTimeScale(-1)).message).toMatch(/timeScale/);
    expect(thrown(() => sim.setTimeScale(Number.NaN)).message).toMatch(/timeScale/);
  });

  it('launches Windows about four times slower than Linux (5 vs 20 simulated minutes)', () => {
    const servers = Array.from({ length: 60 }, (_, i) => ({
      hostname: `host-${i}`, os: i % 2 === 0 ? 'LINUX' as const : 'WINDOWS' as const, accountId: DEMO_ACCOUNT_ID, region: 'us-east-1',
    }));
    const { sim, clock, job } = setup({ fleet: { accounts: [{ accountId: DEMO_ACCOUNT_ID, regions: ['us-east-1'] }], servers }, quotas: { maxSourceServersPerJob: 100 } });
    const created = sim.startRecovery(ctx, { sourceServers: sim.sourceServers().map((s) => ({ sourceServerID: s.sourceServerID })) });
    const start = clock.now();
    clock.runAll();
    const launchedAt = new Map<string, number>();
    // the LAUNCH_START of each server plus its final 40 % = the end; use the recovery instances' readiness instead
    for (const i of sim.recoveryInstances()) launchedAt.set(i.sourceServerID, Date.parse(i.recoveryInstanceProperties.lastUpdatedDateTime ?? '') - start);
    const mean = (os: string) => {
      const xs = servers.map((s, i) => (s.os === os ? launchedAt.get(sim.sourceServers()[i]?.sourceServerID ?? '') : undefined)).filter((x): x is number => x !== undefined);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(job(created.jobID).status).toBe('COMPLETED');
    expect(mean('LINUX') / MIN).toBeGreaterThan(4);
    expect(mean('LINUX') / MIN).toBeLessThan(6);
    expect(mean('WINDOWS') / MIN).toBeGreaterThan(17);
    expect(mean('WINDOWS') / MIN).toBeLessThan(23);
  });
});
