import { describe, it, expect, afterAll } from '@jest/globals';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEMO_ACCOUNT_ID, DrsSimulator, ManualClock, StateFileError, generateFleet, isLaunchResultEvent,
  type CallerContext, type DrsEvent, type DrsSimulatorOptions, type Fleet, type JobLogEvent,
} from '../src/index.js';
import { MIN, ctx } from './core-support.js';
import { crashImage, removeTempDirs, tempDir } from './persistence-support.js';

afterAll(removeTempDirs);

const TAG = 'lifeboat:execution-id';
const T0 = '2025-06-01T10:00:00.000Z';

function start(stateFile: string | undefined, clock: ManualClock, options: Partial<DrsSimulatorOptions> = {}) {
  const published: DrsEvent[] = [];
  const sim = new DrsSimulator({
    timeScale: 1,
    seed: 7,
    clock,
    ...(stateFile ? { stateFile } : {}),
    publishEvents: async (events) => { published.push(...events); },
    ...options,
  });
  const id = (hostname: string, on: DrsSimulator = sim) => {
    const server = on.sourceServers().find((s) => s.sourceProperties.identificationHints?.hostname === hostname);
    if (!server) throw new Error(`no server ${hostname}`);
    return server.sourceServerID;
  };
  return { sim, published, id };
}

async function startRecovery(sim: DrsSimulator, sourceServerIDs: string[], tags: Record<string, string> = {}, caller: { region?: string; accountId?: string } = {}): Promise<string> {
  const result = await sim.invoke('StartRecovery', caller, { sourceServers: sourceServerIDs.map((sourceServerID) => ({ sourceServerID })), isDrill: true, tags });
  if (!result.ok) throw result.error;
  return (result.output as { job: { jobID: string } }).job.jobID;
}

const launchResults = (events: DrsEvent[]) => events.filter(isLaunchResultEvent).map((e) => `${e.detail['job-id']} ${e.resources[0]?.split('/')[1] ?? ''} ${e.detail.state}`);

function counts(events: JobLogEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e] = (out[e] ?? 0) + 1;
  return out;
}

describe('persistence of the core: a restart resumes from the state file', () => {
  it('resumes a launch in flight after a crash: it completes once, with its events, and the call log and invariants still see the StartRecovery', async () => {
    const file = join(tempDir(), 'state.json');
    const clock = new ManualClock(T0);
    const before = start(file, clock);
    const servers = [before.id('orders-db-1'), before.id('orders-app-2')];
    const jobID = await startRecovery(before.sim, servers, { [TAG]: 'exec-1' });
    clock.advance(2 * MIN); // STARTED, snapshots taken, conversions under way
    before.sim.saveState(); // what the debounced progress save writes
    const simulatedAtCrash = before.sim.simulatedNow();
    const image = crashImage(file); // SIGKILL here
    before.sim.stop();
    await before.sim.flushEvents();
    expect(launchResults(before.published)).toEqual([]);

    const clock2 = new ManualClock(clock.now() + 30 * MIN); // down for half an hour
    const after = start(image, clock2);
    expect(after.sim.restored).toMatchObject({ file: image, jobs: 1, activeJobs: 1, eventsToRedeliver: 0 });
    expect(after.sim.restored?.pendingTasks).toBeGreaterThan(0);
    expect(after.sim.simulatedNow()).toBe(simulatedAtCrash); // simulated time stood still while the process was down
    expect(after.sim.jobs()).toMatchObject([{ jobID, status: 'STARTED', participatingServers: [{ launchStatus: 'IN_PROGRESS' }, { launchStatus: 'IN_PROGRESS' }] }]);
    const described = await after.sim.invoke('DescribeJobs', {}, { filters: { jobIDs: [jobID] } });
    expect(described.ok && (described.output as { items: { jobID: string }[] }).items.map((j) => j.jobID)).toEqual([jobID]);

    clock2.runAll();
    await after.sim.flushEvents();
    expect(after.sim.jobs()).toMatchObject([{ jobID, status: 'COMPLETED', participatingServers: [{ launchStatus: 'LAUNCHED' }, { launchStatus: 'LAUNCHED' }] }]);
    const results = launchResults(after.published);
    expect(results.sort()).toEqual(servers.map((s) => `${jobID} ${s} RECOVERY_LAUNCH_SUCCEEDED`).sort());
    expect(counts(after.sim.jobLog(jobID).map((l) => l.event))).toEqual({ JOB_START: 1, SNAPSHOT_START: 2, SNAPSHOT_END: 2, CONVERSION_START: 2, CONVERSION_END: 2, LAUNCH_START: 2, JOB_END: 1 });
    expect(after.sim.recoveryInstances()).toHaveLength(2);

    // Same seed, same calls, no crash: the same ids (instances, events) and the same steps.
    const reference = start(undefined, new ManualClock(T0));
    await startRecovery(reference.sim, servers, { [TAG]: 'exec-1' });
    (reference.sim as unknown as { clock: ManualClock }).clock.runAll();
    await reference.sim.flushEvents();
    expect(after.sim.recoveryInstances().map((i) => i.recoveryInstanceID)).toEqual(reference.sim.recoveryInstances().map((i) => i.recoveryInstanceID));
    expect(after.published.map((e) => e.id)).toEqual(reference.published.map((e) => e.id));
    expect(after.sim.jobLog(jobID).map((l) => l.event)).toEqual(reference.sim.jobLog(jobID).map((l) => l.event));

    // The call log spans the restart: the invariants still see the first StartRecovery.
    expect(after.sim.callLog[0]).toMatchObject({ seq: 1, operation: 'StartRecovery', jobID, tags: { [TAG]: 'exec-1' }, sourceServerIDs: servers });
    expect(after.sim.checkInvariants().ok).toBe(true);
    await startRecovery(after.sim, [servers[0] ?? ''], { [TAG]: 'exec-1' });
    expect(after.sim.checkInvariants().duplicateLaunches).toMatchObject([{ tagValue: 'exec-1', sourceServerID: servers[0], firstJobID: jobID, callSeq: 3 }]);
    after.sim.stop();
  });

  it('does not relaunch nor re-emit a job that finished before the restart', async () => {
    const file = join(tempDir(), 'state.json');
    const clock = new ManualClock(T0);
    const before = start(file, clock);
    const jobID = await startRecovery(before.sim, [before.id('orders-web-1')]);
    clock.runAll();
    await before.sim.flushEvents();
    expect(launchResults(before.published)).toEqual([`${jobID} ${before.id('orders-web-1')} RECOVERY_LAUNCH_SUCCEEDED`]);
    const image = crashImage(file);

    const clock2 = new ManualClock(clock.now() + 5 * MIN);
    const after = start(image, clock2);
    expect(after.sim.restored).toMatchObject({ jobs: 1, activeJobs: 0, pendingTasks: 0, eventsToRedeliver: 0 });
    clock2.runAll();
    await after.sim.flushEvents();
    expect(after.published).toEqual([]);
    expect(after.sim.jobs()).toEqual(before.sim.jobs());
    expect(after.sim.jobLog(jobID)).toEqual(before.sim.jobLog(jobID));
    expect(after.sim.recoveryInstances()).toEqual(before.sim.recoveryInstances());
    expect(after.sim.eventLog).toEqual(before.sim.eventLog);
    expect(after.sim.sourceServers().find((s) => s.sourceServerID === before.id('orders-web-1'))).toMatchObject({ lastLaunchResult: 'SUCCEEDED', lifeCycle: { lastLaunch: { status: 'LAUNCHED' } } });

    // No id is handed out twice: the id streams continue where they were.
    const next = await startRecovery(after.sim, [after.id('orders-web-1')]);
    expect(next).not.toBe(jobID);
    clock2.runAll();
    const instances = after.sim.recoveryInstances().map((i) => i.recoveryInstanceID);
    expect(new Set(instances).size).toBe(2);
    await after.sim.flushEvents();
    expect(new Set([...before.published, ...after.published].map((e) => e.id)).size).toBe(2);
    before.sim.stop();
    after.sim.stop();
  });

  it('hands over again, with the same id, an event handed over but not confirmed before the crash', async () => {
    const file = join(tempDir(), 'state.json');
    const clock = new ManualClock(T0);
    const before = start(file, clock, { publishEvents: () => new Promise<void>(() => undefined) }); // the bus never answers
    const jobID = await startRecovery(before.sim, [before.id('orders-db-2')]);
    clock.runAll();
    await Promise.resolve();
    expect(before.sim.eventLog.map((e) => e.status)).toEqual(['PENDING']);
    const image = crashImage(file);

    const after = start(image, new ManualClock(clock.now() + MIN));
    expect(after.sim.restored).toMatchObject({ activeJobs: 0, eventsToRedeliver: 1 });
    await after.sim.flushEvents();
    expect(after.published.map((e) => e.id)).toEqual(before.sim.eventLog.map((e) => e.event.id));
    expect(launchResults(after.published)).toEqual([`${jobID} ${after.id('orders-db-2')} RECOVERY_LAUNCH_SUCCEEDED`]);
    expect(after.sim.eventLog.map((e) => e.status)).toEqual(['DELIVERED']);
    before.sim.stop();
    after.sim.stop();
  });

  it('holds the restored work until resumeRestoredWork() with deferResume, then emits what fell due (late), once', async () => {
    const file = join(tempDir(), 'state.json');
    const clock = new ManualClock(T0);
    const before = start(file, clock, { fleet: undefined });
    before.sim.setFaults({ events: { delayMs: 5 * MIN } });
    const jobID = await startRecovery(before.sim, [before.id('orders-web-2')]);
    while (before.sim.jobs()[0]?.status !== 'COMPLETED') clock.advance(1000); // launched; its event held back by the fault
    await before.sim.flushEvents();
    expect(before.sim.eventLog.map((e) => e.status)).toEqual(['DELAYED']);
    expect(before.sim.jobs()[0]?.status).toBe('COMPLETED');
    before.sim.saveState(); // the debounced progress save (without it, the restart redoes the last step: same event, same id, same delay)
    const image = crashImage(file);
    before.sim.stop();

    const clock2 = new ManualClock(clock.now() + 60 * MIN);
    const after = start(image, clock2, { deferResume: true });
    expect(after.sim.faults()).toEqual({ events: { delayMs: 5 * MIN } });
    clock2.advance(10 * MIN);
    await after.sim.flushEvents();
    expect(after.published).toEqual([]); // held
    expect(after.sim.resumeRestoredWork()).toEqual({ jobs: 0, tasks: 1, events: 0 });
    clock2.advance(0); // the delay is past (time ran while the work was held): handed over at once
    await after.sim.flushEvents();
    expect(launchResults(after.published)).toEqual([`${jobID} ${after.id('orders-web-2')} RECOVERY_LAUNCH_SUCCEEDED`]);
    clock2.runAll();
    await after.sim.flushEvents();
    expect(after.published).toHaveLength(1);
    expect(after.sim.resumeRestoredWork()).toEqual({ jobs: 0, tasks: 0, events: 0 });
    after.sim.stop();
  });

  it('continues the seeded fault and duration streams: the same outcomes as a run without the crash', async () => {
    const hosts1 = ['orders-db-1', 'orders-db-2', 'orders-app-1', 'orders-app-2'];
    const hosts2 = ['orders-web-1', 'orders-web-2', 'fileserver-1', 'monitoring-1'];
    const run = async (crash: boolean) => {
      const file = join(tempDir(), 'state.json');
      const clock = new ManualClock(T0);
      let current = start(file, clock);
      current.sim.setFaults({ launchFailures: [{ rate: 0.5 }], slowLaunches: [{ factor: 3, rate: 0.5 }] });
      await startRecovery(current.sim, hosts1.map((h) => current.id(h)));
      clock.advance(MIN);
      let currentClock = clock;
      if (crash) {
        current.sim.saveState();
        const image = crashImage(file);
        current.sim.stop();
        currentClock = new ManualClock(clock.now() + 7 * MIN);
        current = start(image, currentClock);
      }
      await startRecovery(current.sim, hosts2.map((h) => current.id(h)));
      currentClock.runAll();
      await current.sim.flushEvents();
      const outcome = current.sim.jobs().map((j) => j.participatingServers.map((p) => `${p.sourceServerID} ${p.launchStatus}`));
      const spans = current.sim.jobs().map((j) => Date.parse(j.endDateTime ?? '') - Date.parse(j.creationDateTime ?? ''));
      current.sim.stop();
      return { outcome, spans, ids: current.published.map((e) => e.id) };
    };
    const plain = await run(false);
    const crashed = await run(true);
    expect(crashed.outcome).toEqual(plain.outcome);
    expect(plain.outcome.flat().some((o) => o.endsWith('FAILED'))).toBe(true);
    expect(crashed.spans[1]).toBe(plain.spans[1]); // the job started after the restart: same durations
    expect(crashed.spans[0]).toBe((plain.spans[0] ?? 0) + 7 * MIN); // the one in flight: plus the downtime (simulated time stood still)
  });

  it('restores every kind of state exactly: failback, reversed and extended servers, launch settings, tags, stalls, terminations, post-launch actions', async () => {
    const hub = '111111111111';
    const staging = '222222222222';
    const fleet: Fleet = {
      accounts: [{ accountId: hub, regions: ['us-east-1', 'us-west-2'] }, { accountId: staging, regions: ['us-east-1'] }],
      servers: [
        { hostname: 'web-ec2', os: 'LINUX', accountId: hub, region: 'us-west-2', awsInstanceID: 'i-0aaaaaaaaaaaaaaa1', originRegion: 'us-east-1', tags: { App: 'Shop' } },
        { hostname: 'app-1', os: 'LINUX', accountId: hub, region: 'us-east-1', tags: { App: 'Shop' }, ssm: { agentDelaySeconds: 120 } },
        { hostname: 'db-1', os: 'WINDOWS', accountId: hub, region: 'us-east-1' },
        { hostname: 'onprem-1', os: 'LINUX', accountId: hub, region: 'us-east-1' },
        { hostname: 'st-db-1', os: 'LINUX', accountId: staging, region: 'us-east-1' },
      ],
    };
    const east: CallerContext = { accountId: hub, region: 'us-east-1' };
    const west: CallerContext = { accountId: hub, region: 'us-west-2' };
    const file = join(tempDir(), 'state.json');
    const clock = new ManualClock(T0);
    const one = start(file, clock, { fleet });
    const sim = one.sim;
    const call = async (operation: string, input: unknown, region = 'us-east-1') => {
      const result = await sim.invoke(operation, { region, accountId: hub }, input);
      if (!result.ok) throw result.error;
      return result.output as Record<string, unknown>;
    };
    await call('UpdateLaunchConfiguration', { sourceServerID: one.id('app-1'), copyTags: true, copyPrivateIp: true, targetInstanceTypeRightSizingMethod: 'NONE' });
    await call('PutLaunchAction', { resourceId: one.id('app-1'), actionId: '0b0f6c1e-5d2a-4c1b-9e61-2b7f5e0c9a11', actionCode: 'AWS-RunShellScript', name: 'health', active: true, order: 2, actionVersion: '1', optional: false, category: 'VALIDATION', description: 'check' });
    await call('TagResource', { resourceArn: `arn:aws:drs:us-east-1:${hub}:source-server/${one.id('db-1')}`, tags: { Owner: 'dba' } });
    sim.setReplicationState(one.id('db-1'), 'STALLED');
    sim.setReplicationState(one.id('db-1'), 'CONTINUOUS');
    sim.setLaunchOutcome(one.id('db-1'), 'FAIL');
    const extended = (await call('CreateExtendedSourceServer', { sourceServerArn: `arn:aws:drs:us-east-1:${staging}:source-server/${one.id('st-db-1')}`, tags: { Team: 'dr' } })).sourceServer as { sourceServerID: string };
    // An AWS-origin server recovered in us-west-2, replicating back: failback in progress.
    sim.startRecovery(west, { sourceServers: [{ sourceServerID: one.id('web-ec2') }] });
    // An on-premises server recovered: failback client connected.
    sim.startRecovery(east, { sourceServers: [{ sourceServerID: one.id('onprem-1') }] });
    clock.advance(40 * MIN);
    const westInstance = sim.recoveryInstances({ region: 'us-west-2' })[0]?.recoveryInstanceID ?? '';
    await call('ReverseReplication', { recoveryInstanceID: westInstance }, 'us-west-2');
    const onprem = sim.recoveryInstances({ region: 'us-east-1' })[0]?.recoveryInstanceID ?? '';
    sim.startFailbackReplication(onprem);
    // The extended server launched, then its instance terminated (a TERMINATE job in flight).
    await call('StartRecovery', { sourceServers: [{ sourceServerID: extended.sourceServerID }], isDrill: true });
    clock.advance(40 * MIN);
    const drillInstance = sim.recoveryInstances({ accountId: hub, region: 'us-east-1' }).find((i) => i.isDrill)?.recoveryInstanceID ?? '';
    await call('TagResource', { resourceArn: `arn:aws:drs:us-east-1:${hub}:recovery-instance/${onprem}`, tags: { Phase: 'failback' } });
    // A recovery of app-1 (post-launch action, waits for the SSM agent) and db-1 (forced to fail) in flight, stalls pending.
    await call('StartRecovery', { sourceServers: [{ sourceServerID: one.id('app-1') }, { sourceServerID: one.id('db-1') }], tags: { [TAG]: 'exec-9' } });
    sim.setFaults({ replicationStalls: [{ hostnames: ['st-db-1'], afterSeconds: 300, durationSeconds: 600 }], events: { duplicateRate: 1 } });
    sim.setTimeScale(2);
    clock.advance(9 * MIN);
    await call('TerminateRecoveryInstances', { recoveryInstanceIDs: [drillInstance] });
    clock.advance(30_000);
    await sim.flushEvents();

    const view = (s: DrsSimulator) => ({
      servers: s.sourceServers(),
      jobs: s.jobs(),
      logs: s.jobs().map((j) => s.jobLog(j.jobID)),
      instances: s.recoveryInstances(),
      ec2: s.ec2Instances(),
      events: s.eventLog,
      calls: s.callLog,
      faults: s.faults(),
      scale: s.timeScale,
      now: s.simulatedNow(),
      settings: s.sourceServers().map((x) => {
        const on = { accountId: x.arn.split(':')[4] ?? '', region: x.arn.split(':')[3] ?? '' };
        return {
          config: s.getLaunchConfiguration(on, x.sourceServerID),
          actions: s.listLaunchActions(on, { resourceId: x.sourceServerID }).items,
          snapshots: s.describeRecoverySnapshots(on, { sourceServerID: x.sourceServerID }).items,
          tags: s.listTagsForResource(on, x.arn),
        };
      }),
    });
    sim.saveState();
    const image = crashImage(file);
    const clock2 = new ManualClock(clock.now()); // restarted at once: everything must match to the millisecond
    const two = start(image, clock2, { fleet });
    expect(view(two.sim)).toEqual(view(sim));
    expect(two.sim.jobs().filter((j) => j.status !== 'COMPLETED').map((j) => j.type).sort()).toEqual(['LAUNCH', 'TERMINATE']);

    // And from there both runs go on identically.
    clock.runAll();
    clock2.runAll();
    await sim.flushEvents();
    await two.sim.flushEvents();
    expect(view(two.sim)).toEqual(view(sim));
    expect(two.published.map((e) => e.id)).toEqual(one.published.slice(-two.published.length).map((e) => e.id));
    expect(two.sim.jobs().every((j) => j.status === 'COMPLETED')).toBe(true);
    sim.stop();
    two.sim.stop();
  });

  it('keeps run-time time scale changes unless the start option changed; the file\'s fleet and seed win', () => {
    const file = join(tempDir(), 'state.json');
    const clock = new ManualClock(T0);
    const first = start(file, clock, { timeScale: 0.01 });
    const ids = first.sim.sourceServers().map((s) => s.sourceServerID);
    first.sim.setTimeScale(0.5);
    first.sim.stop();

    const other: Fleet = { accounts: [{ accountId: '999999999999', regions: ['eu-west-1'] }], servers: [{ hostname: 'x', os: 'LINUX', accountId: '999999999999', region: 'eu-west-1' }] };
    const same = start(file, new ManualClock(clock.now()), { timeScale: 0.01, fleet: other, seed: 99 });
    expect(same.sim.timeScale).toBe(0.5);
    expect(same.sim.seed).toBe(7);
    expect(same.sim.fleet.accounts[0]?.accountId).toBe(DEMO_ACCOUNT_ID);
    expect(same.sim.sourceServers().map((s) => s.sourceServerID)).toEqual(ids);
    same.sim.stop();

    const changed = start(file, new ManualClock(clock.now()), { timeScale: 0.002 });
    expect(changed.sim.timeScale).toBe(0.002);
    changed.sim.stop();
  });

  it('survives a torn last journal line, refuses a file that is not a state, and compacts a long journal', async () => {
    const file = join(tempDir(), 'state.json');
    const clock = new ManualClock(T0);
    const first = start(file, clock, { stateFileOptions: { compactBytes: 20_000 } });
    const jobs: string[] = [];
    for (const host of ['orders-db-1', 'orders-db-2', 'orders-app-1', 'orders-web-1', 'orders-web-2', 'monitoring-1']) {
      jobs.push(await startRecovery(first.sim, [first.id(host)]));
      clock.advance(10 * MIN);
      await first.sim.flushEvents();
    }
    expect(first.sim.stateFileStats?.compactions).toBeGreaterThan(1);
    const image = crashImage(file);
    appendFileSync(`${image}.journal`, '{"g":'); // the write a crash cut short
    const second = start(image, new ManualClock(clock.now()));
    expect(second.sim.jobs().map((j) => j.jobID)).toEqual(jobs);
    expect(second.sim.jobs().every((j) => j.status === 'COMPLETED')).toBe(true);
    expect(second.sim.callLog.filter((c) => c.operation === 'StartRecovery').map((c) => c.jobID)).toEqual(jobs);
    expect(readFileSync(`${image}.journal`, 'utf8')).toBe(''); // compacted at the restore
    second.sim.stop();
    first.sim.stop();

    const bad = join(tempDir(), 'state.json');
    writeFileSync(bad, '{ not json');
    expect(() => start(bad, new ManualClock(T0))).toThrow(StateFileError);
    writeFileSync(bad, JSON.stringify({ hello: 'world' }));
    expect(() => start(bad, new ManualClock(T0))).toThrow(/not a simulator state/);
  });

  it('starts a 4,000-server fleet with a state file quickly, and saves a StartRecovery without rewriting the fleet', async () => {
    const fleet = generateFleet({ servers: 4000, seed: 3 });
    const file = join(tempDir(), 'state.json');
    let t = performance.now();
    const first = start(file, new ManualClock(T0), { fleet, seed: 3, timeScale: 0.01 });
    const startMs = performance.now() - t;
    const server = first.sim.sourceServers().find((s) => s.dataReplicationInfo.dataReplicationState === 'CONTINUOUS');
    const ids = first.sim.sourceServers({ accountId: server?.arn.split(':')[4] ?? '' }).filter((s) => s.dataReplicationInfo.dataReplicationState === 'CONTINUOUS').slice(0, 100).map((s) => s.sourceServerID);
    const region = server?.arn.split(':')[3] ?? 'us-east-1';
    const accountId = server?.arn.split(':')[4] ?? '';
    t = performance.now();
    const jobID = await startRecovery(first.sim, ids, {}, { region, accountId });
    const startRecoveryMs = performance.now() - t;
    const stats = first.sim.stateFileStats;
    expect(stats?.lastSaveBytes).toBeLessThan(400_000); // the job and its 100 servers, not the 4,000 of the fleet (8 MB)
    const image = crashImage(file);
    first.sim.stop();
    t = performance.now();
    const second = start(image, new ManualClock(Date.parse(T0) + MIN), { fleet, seed: 3 });
    const restartMs = performance.now() - t;
    expect(second.sim.jobs().map((j) => j.jobID)).toEqual([jobID]);
    expect(second.sim.sourceServers()).toHaveLength(4000);
    second.sim.stop();
    // Generous bounds for a shared machine (measured: see the README).
    expect(startMs).toBeLessThan(3000);
    expect(restartMs).toBeLessThan(3000);
    expect(startRecoveryMs).toBeLessThan(500);
  });
});

export { ctx };
