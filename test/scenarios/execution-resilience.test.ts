/**
 * Executions when things go wrong, through the local stack as a client (GraphQL over HTTP with the
 * admin's token) over a fleet of its own (LIFEBOAT_DRS_FLEET, no demo): launches that fail (an
 * OPTIONAL and a CRITICAL server), aws.drs launch-result events lost or duplicated, a crash of the
 * whole stack in the middle of a wave, and two executions sharing the DRS quotas of one account and
 * region. Faults are injected through the simulator's control API (PATCH /_simulator/faults).
 *
 * Every scenario also asserts on what DRS saw (the simulator's call log, its invariants and the
 * jobs DescribeJobs lists): no server launched twice within an execution, no call refused for a
 * quota, at most 100 servers per StartRecovery, never more than 20 active jobs nor 500 servers in
 * active jobs in the account and region (ARCHITECTURE §3).
 *
 * The DRS time scale is startStackProcess's 0.002: a Linux launch (5 simulated minutes) takes
 * about 0.6 s. When a scenario fails, the events of its executions are printed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { eventually, login, type RunningStack } from '../support/local-stack-process.js';
import { FINISHED_STATUSES, executionClient } from '../support/execution-client.js';
import {
  EXECUTION_TAG, auditDrs, clearFaults, healthyFacts, launchResultEventsOf, launchedServerIds, patchFaults, productCalls, quotaAndLaunchFacts, simulatorCalls,
  simulatorEvents, startRecoveryCalls, type SimulatorCall,
} from '../support/drs-audit.js';
import {
  EXECUTION_FIELDS, STREAM_FIELDS, createPlan, explainingFailure, groupByTag, planningKnows, serverIdsByHostname, startFleetStack, syncCatalog,
  type ExecutionView, type StreamEventView,
} from '../support/execution-scenario.js';
import { numberedServers, scenarioFleet, type ScenarioServer } from '../support/scenario-fleet.js';

const ADMIN_PASSWORD = 'scenario-admin-password';

// Starting stacks, a crash and a restart, and a drill stalled by lost events: far more than jest's default 5 s.
jest.setTimeout(240_000);

/** A drill of a few servers takes a few seconds at this time scale; a stalled one never ends. */
const WAIT_MS = 60_000;

const tagged = (scenario: string, extra: Record<string, string> = {}) => ({ Scenario: scenario, ...extra });

/**
 * The fleet of the shared stack: a few servers per scenario. For the shared quota, each of two
 * plans has 14 independent waves of one server: 14 DRS jobs at once, within the 20 concurrent jobs
 * quota alone, 28 together. (DRS's 500 servers in active jobs takes more than 500 servers at once:
 * execution-scale.test.ts goes past it with one execution.)
 */
const SHARED_WAVES = 14;
/** Servers of the lost-events drill, one job each. */
const LOST_EVENT_SERVERS = 20;
const directServers: ScenarioServer[] = [
  { hostname: 'opt-app-1', tags: tagged('optional') },
  { hostname: 'opt-app-2', tags: tagged('optional') },
  { hostname: 'opt-report-1', tags: tagged('optional') },
  { hostname: 'opt-web-1', tags: tagged('optional-after') },
  { hostname: 'crit-db-1', tags: tagged('critical') },
  { hostname: 'crit-db-2', tags: tagged('critical') },
  { hostname: 'crit-app-1', tags: tagged('critical-after') },
  ...numberedServers('lost', LOST_EVENT_SERVERS, tagged('lost-events')),
  ...numberedServers('dup-db', 4, tagged('duplicates-db')),
  ...numberedServers('dup-app', 2, tagged('duplicates-app')),
  ...numberedServers('shared-a', SHARED_WAVES, tagged('shared-a', { Load: 'shared' })),
  ...numberedServers('shared-b', SHARED_WAVES, tagged('shared-b', { Load: 'shared' })),
];

/** The GraphQL client of one stack (which may be replaced by a restart). */
function clientOf(current: () => { stack: RunningStack; token: string }) {
  const client = executionClient<ExecutionView, StreamEventView>({
    url: () => current().stack.url,
    token: () => current().token,
    executionFields: EXECUTION_FIELDS,
    streamFields: STREAM_FIELDS,
    waitMs: WAIT_MS,
  });
  /** Waits until the execution finished (COMPLETED, FAILED or CANCELLED). */
  const finished = (id: string, waitMs = WAIT_MS): Promise<ExecutionView> =>
    eventually(async () => {
      const e = await client.execution(id);
      return FINISHED_STATUSES.includes(e.status) ? e : undefined;
    }, waitMs, `execution ${id} finishing (COMPLETED, FAILED or CANCELLED)`);
  return { ...client, finished };
}

const serversOf = (e: ExecutionView) => e.waves.flatMap((w) => w.servers);
const waveNamed = (e: ExecutionView, name: string) => {
  const wave = e.waves.find((w) => w.name === name);
  if (!wave) throw new Error(`execution ${e.id} has no wave ${name}`);
  return wave;
};
const eventsOf = (stream: readonly StreamEventView[], type: string) => stream.filter((e) => e.type === type);
const serverIdsOfEvents = (stream: readonly StreamEventView[], type: string) => eventsOf(stream, type).map((e) => e.data.sourceServerId ?? '');
const sorted = (ids: Iterable<string>) => [...ids].sort();

describe('execution resilience through the local stack (one stack, faults per scenario)', () => {
  let stack: RunningStack;
  let token: string;
  let ids: Map<string, string>;
  /** The executions of the running scenario (printed with their events when it fails). */
  let current: string[] = [];
  const client = clientOf(() => ({ stack, token }));
  const { ok, startDrill, stream } = client;
  const explain = <T>(body: () => Promise<T>) => explainingFailure(stream, () => current, body, () => stack.output());
  const idOf = (hostname: string): string => {
    const id = ids.get(hostname);
    if (!id) throw new Error(`no server ${hostname} in the catalog`);
    return id;
  };

  beforeAll(async () => {
    ({ stack } = await startFleetStack({ adminPassword: ADMIN_PASSWORD, fleet: scenarioFleet({ servers: directServers }) }));
    token = await login(stack.url, 'admin', ADMIN_PASSWORD);
    expect(await syncCatalog(ok)).toBe(directServers.length);
    ids = await serverIdsByHostname(ok, '');
    // Plans name single servers too: planning must know them all (from the catalog's events).
    await planningKnows(ok, { key: 'Environment', value: 'Scenario' }, directServers.length);
  });

  afterEach(async () => {
    current = [];
    await clearFaults(stack.drsUrl);
  });

  // A throwaway stack (its data folder is not reused): killed rather than stopped.
  afterAll(async () => {
    await stack?.kill();
  });

  it('an OPTIONAL server whose launch fails is reported LAUNCH_FAILED and skipped: its wave, the next wave and the execution complete', () =>
    explain(async () => {
      const since = Date.now();
      await patchFaults(stack.drsUrl, { launchFailures: [{ hostnames: ['opt-report-1'] }] });
      const main = await groupByTag(ok, 'Optional main', { key: 'Scenario', value: 'optional' }, 3);
      const after = await groupByTag(ok, 'Optional after', { key: 'Scenario', value: 'optional-after' }, 1);
      const plan = await createPlan(ok, 'Optional server fails', [
        { name: 'Main', protectionGroupIds: [main.id], servers: [{ sourceServerId: idOf('opt-report-1'), criticality: 'OPTIONAL' }] },
        { name: 'After', dependsOn: ['Main'], protectionGroupIds: [after.id] },
      ]);
      const started = await startDrill(plan.id);
      current = [started.id];

      const done = await client.finished(started.id);
      expect(done.status).toBe('COMPLETED');
      expect(done.waves.map((w) => [w.name, w.status])).toEqual([['Main', 'COMPLETED'], ['After', 'COMPLETED']]);
      expect(Object.fromEntries(serversOf(done).map((s) => [s.hostname, [s.criticality, s.status]]))).toEqual({
        'opt-app-1': ['CRITICAL', 'VERIFIED'],
        'opt-app-2': ['CRITICAL', 'VERIFIED'],
        'opt-report-1': ['OPTIONAL', 'LAUNCH_FAILED'],
        'opt-web-1': ['CRITICAL', 'VERIFIED'],
      });
      const events = await stream(started.id);
      expect(serverIdsOfEvents(events, 'ServerLaunchFailed')).toEqual([idOf('opt-report-1')]);
      expect(eventsOf(events, 'WaveFailed')).toEqual([]);

      const audit = await auditDrs(stack.drsUrl);
      expect(quotaAndLaunchFacts(audit, [started.id], since)).toEqual(healthyFacts([started.id]));
      expect(sorted(launchedServerIds(audit.calls, started.id))).toEqual(sorted(serversOf(done).map((s) => s.sourceServerId)));
      // DRS did fail it (the job COMPLETED with the server FAILED): the fault took effect.
      const failedInJobs = audit.jobs.flatMap((j) => j.servers).filter((s) => s.sourceServerId === idOf('opt-report-1')).map((s) => s.launchStatus);
      expect(failedInJobs).toEqual(['FAILED']);
    }));

  it('a CRITICAL server whose launch fails fails its wave and the execution (error policy STOP): the later wave never launches', () =>
    explain(async () => {
      const since = Date.now();
      await patchFaults(stack.drsUrl, { launchFailures: [{ hostnames: ['crit-db-1'] }] });
      const database = await groupByTag(ok, 'Critical database', { key: 'Scenario', value: 'critical' }, 2);
      const app = await groupByTag(ok, 'Critical app', { key: 'Scenario', value: 'critical-after' }, 1);
      const plan = await createPlan(ok, 'Critical server fails', [
        { name: 'Database', protectionGroupIds: [database.id], errorPolicy: 'STOP', servers: [{ sourceServerId: idOf('crit-db-1'), criticality: 'CRITICAL' }] },
        { name: 'App', dependsOn: ['Database'], protectionGroupIds: [app.id] },
      ]);
      const started = await startDrill(plan.id);
      current = [started.id];

      const done = await client.finished(started.id);
      expect(done.status).toBe('FAILED');
      expect(waveNamed(done, 'Database').status).toBe('FAILED');
      expect(waveNamed(done, 'Database').failureReason).toMatch(/crit-db-1|critical/);
      expect(waveNamed(done, 'Database').servers.find((s) => s.hostname === 'crit-db-1')).toMatchObject({ criticality: 'CRITICAL', status: 'LAUNCH_FAILED' });
      expect(waveNamed(done, 'App')).toMatchObject({ status: 'PENDING', servers: [expect.objectContaining({ hostname: 'crit-app-1', status: 'PENDING' })] });

      const events = await stream(started.id);
      expect(eventsOf(events, 'WaveFailed').map((e) => e.data.waveId)).toEqual([plan.waveIds.Database]);
      expect(eventsOf(events, 'ExecutionFailed')).toHaveLength(1);
      expect(eventsOf(events, 'WaveStarted').map((e) => e.data.waveId)).toEqual([plan.waveIds.Database]);
      expect(eventsOf(events, 'ServerLaunchRequested').filter((e) => e.data.waveId === plan.waveIds.App)).toEqual([]);

      const audit = await auditDrs(stack.drsUrl);
      expect(quotaAndLaunchFacts(audit, [started.id], since)).toEqual(healthyFacts([started.id]));
      // DRS never heard of the App wave's server in this execution.
      expect(launchedServerIds(audit.calls, started.id)).not.toContain(idOf('crit-app-1'));
      expect(sorted(launchedServerIds(audit.calls, started.id))).toEqual(sorted([idOf('crit-db-1'), idOf('crit-db-2')]));
    }));

  it('duplicated (and partly delayed) launch-result events: the drill completes, each server counted once and launched once', () =>
    explain(async () => {
      const since = Date.now();
      // Every event delivered twice (a simulated second apart); half of them held back 0.5 s first.
      await patchFaults(stack.drsUrl, { events: { duplicateRate: 1, delayMs: 250_000, delayRate: 0.5 } });
      const database = await groupByTag(ok, 'Duplicates database', { key: 'Scenario', value: 'duplicates-db' }, 4);
      const app = await groupByTag(ok, 'Duplicates app', { key: 'Scenario', value: 'duplicates-app' }, 2);
      const plan = await createPlan(ok, 'Duplicated events', [
        { name: 'Database', protectionGroupIds: [database.id] },
        { name: 'App', dependsOn: ['Database'], protectionGroupIds: [app.id] },
      ]);
      const started = await startDrill(plan.id);
      current = [started.id];
      const planned = [...database.sourceServerIds, ...app.sourceServerIds];

      const done = await client.finished(started.id);
      expect(done.status).toBe('COMPLETED');
      const servers = serversOf(done);
      // Each server once in the detail, launched once, verified.
      expect(sorted(servers.map((s) => s.sourceServerId))).toEqual(sorted(planned));
      expect(servers.map((s) => [s.hostname, s.status, s.attempts])).toEqual(servers.map((s) => [s.hostname, 'VERIFIED', 1]));

      const events = await stream(started.id);
      expect(sorted(serverIdsOfEvents(events, 'ServerLaunched'))).toEqual(sorted(planned));
      expect(sorted(serverIdsOfEvents(events, 'ServerVerificationRecorded'))).toEqual(sorted(planned));
      expect(sorted(serverIdsOfEvents(events, 'ServerLaunchRequested'))).toEqual(sorted(planned));
      expect(eventsOf(events, 'WaveCompleted')).toHaveLength(2);
      expect(eventsOf(events, 'ExecutionCompleted')).toHaveLength(1);

      // The fault took effect: every launch result of these servers went out twice.
      const results = launchResultEventsOf(await simulatorEvents(stack.drsUrl), planned);
      expect(results.map((r) => r.fault)).toEqual(planned.map(() => 'DUPLICATED'));
      expect(sorted(results.map((r) => r.sourceServerId))).toEqual(sorted(planned));

      const audit = await auditDrs(stack.drsUrl);
      expect(quotaAndLaunchFacts(audit, [started.id], since)).toEqual(healthyFacts([started.id]));
      expect(sorted(launchedServerIds(audit.calls, started.id))).toEqual(sorted(planned));
    }));

  it('20 % of the launch-result events lost: the drill still completes (the reconciler polls DescribeJobs), every server launched once', () =>
    explain(async () => {
      const since = Date.now();
      await patchFaults(stack.drsUrl, { events: { lossRate: 0.2 } });
      // 20 independent waves of one server: 20 jobs of one server, so a lost event is the only
      // news of its job (any event of a job tells how all of its servers went).
      const servers = numberedServers('lost', LOST_EVENT_SERVERS, {}).map((s) => idOf(s.hostname));
      const plan = await createPlan(ok, 'Lost events', servers.map((id, i) => ({ name: `Server ${i + 1}`, sourceServerIds: [id] })));
      const started = await startDrill(plan.id);
      current = [started.id];

      // Some jobs must have lost all their news, or the scenario proves nothing (seeded: the same every run).
      const results = await eventually(async () => {
        const emitted = launchResultEventsOf(await simulatorEvents(stack.drsUrl), servers);
        return emitted.length === servers.length ? emitted : undefined;
      }, WAIT_MS, `DRS emitting the launch result of each of the ${LOST_EVENT_SERVERS} servers`);
      const silentJobs = results.filter((r) => r.status === 'LOST').map((r) => r.event.detail['job-id']);
      expect(silentJobs.length).toBeGreaterThan(0);

      // Without the events, only polling DescribeJobs tells the execution how those servers went.
      const done = await client.finished(started.id, 90_000);
      expect(done.status).toBe('COMPLETED');
      expect(serversOf(done).map((s) => [s.sourceServerId, s.status, s.attempts])).toEqual(servers.map((id) => [id, 'VERIFIED', 1]));
      const events = await stream(started.id);
      expect(sorted(serverIdsOfEvents(events, 'ServerLaunched'))).toEqual(sorted(servers));
      expect(sorted(eventsOf(events, 'RecoveryJobStarted').map((e) => e.data.jobId ?? ''))).toEqual(expect.arrayContaining(silentJobs));

      const audit = await auditDrs(stack.drsUrl);
      expect(quotaAndLaunchFacts(audit, [started.id], since)).toEqual(healthyFacts([started.id]));
      expect(sorted(launchedServerIds(audit.calls, started.id))).toEqual(sorted(servers));
    }));

  it('two executions started at once over disjoint servers share the quotas: both complete, no limit ever exceeded, no StartRecovery refused', () =>
    explain(async () => {
      const since = Date.now();
      // Slow launches (about 3.6 s instead of 0.6 s) so that the two executions' jobs overlap.
      await patchFaults(stack.drsUrl, { slowLaunches: [{ tags: { Load: 'shared' }, factor: 6 }] });
      const plans = [];
      for (const side of ['a', 'b'] as const) {
        // Independent waves of one (ungrouped) server each, no dependsOn: all start at once, one DRS job each.
        const waves = numberedServers(`shared-${side}`, SHARED_WAVES, {}).map((s, i) => ({ name: `Server ${i + 1}`, sourceServerIds: [idOf(s.hostname)] }));
        plans.push(await createPlan(ok, `Shared quota ${side}`, waves));
      }
      const started = await Promise.all(plans.map((p) => startDrill(p.id)));
      current = started.map((e) => e.id);

      const done = await Promise.all(started.map((e) => client.finished(e.id)));
      expect(done.map((e) => e.status)).toEqual(['COMPLETED', 'COMPLETED']);
      for (const execution of done) {
        expect(serversOf(execution)).toHaveLength(SHARED_WAVES);
        expect(serversOf(execution).filter((s) => s.status !== 'VERIFIED').map((s) => `${s.hostname} ${s.status}`)).toEqual([]);
      }

      const audit = await auditDrs(stack.drsUrl);
      expect(quotaAndLaunchFacts(audit, current, since)).toEqual(healthyFacts(current));
      for (const execution of done) expect(sorted(launchedServerIds(audit.calls, execution.id))).toEqual(sorted(serversOf(execution).map((s) => s.sourceServerId)));
      const refusedStarts = startRecoveryCalls(productCalls(audit.calls)).filter((c: SimulatorCall) => c.outcome !== 'OK' && Date.parse(c.time) >= since);
      expect(refusedStarts.map((c) => `#${c.seq} ${c.errorType}: ${c.errorMessage}`)).toEqual([]);
      // The two executions did run at the same time (or the scenario proves nothing about sharing).
      const spanOf = (id: string) => {
        const jobs = audit.jobs.filter((j) => j.tags[EXECUTION_TAG] === id);
        return { from: Math.min(...jobs.map((j) => j.createdMs)), to: Math.max(...jobs.map((j) => j.endedMs ?? Date.now())) };
      };
      const [a, b] = current.map(spanOf);
      expect(a && b && a.from < b.to && b.from < a.to).toBe(true);
    }));
});

describe('execution resilience through the local stack: a crash mid-wave', () => {
  let stack: RunningStack;
  let token: string;
  const client = clientOf(() => ({ stack, token }));
  let executionId = '';

  // A throwaway stack (its data folder is not reused): killed rather than stopped.
  afterAll(async () => {
    await stack?.kill();
  });

  it('SIGKILLed while a wave is in flight, restarted on the same data folder: the drill resumes and completes with no server launched again', async () => {
    // Launches 10 times slower (about 6 s): the crash surely comes while the first wave's job runs.
    const fleet = scenarioFleet({
      servers: [...numberedServers('crash-db', 3, tagged('crash-db')), ...numberedServers('crash-app', 3, tagged('crash-app'))],
      faults: { slowLaunches: [{ tags: { Scenario: 'crash-db' }, factor: 10 }] },
    });
    const first = await startFleetStack({ adminPassword: ADMIN_PASSWORD, fleet });
    stack = first.stack;
    const outputs = () => (stack === first.stack ? stack.output() : `${first.stack.output()}\n--- killed, restarted: ---\n${stack.output()}`);

    await explainingFailure(client.stream, () => (executionId ? [executionId] : []), async () => {
      token = await login(stack.url, 'admin', ADMIN_PASSWORD);
      await syncCatalog(client.ok);
      const database = await groupByTag(client.ok, 'Crash database', { key: 'Scenario', value: 'crash-db' }, 3);
      const app = await groupByTag(client.ok, 'Crash app', { key: 'Scenario', value: 'crash-app' }, 3);
      const plan = await createPlan(client.ok, 'Crash mid-wave', [
        { name: 'Database', protectionGroupIds: [database.id] },
        { name: 'App', dependsOn: ['Database'], protectionGroupIds: [app.id] },
      ]);
      const planned = [...database.sourceServerIds, ...app.sourceServerIds];
      executionId = (await client.startDrill(plan.id)).id;

      // The first wave's job is in flight: DRS accepted it and the execution recorded it.
      await eventually(async () => ((await client.stream(executionId)).some((e) => e.type === 'RecoveryJobStarted') ? true : undefined), WAIT_MS, 'RecoveryJobStarted in the execution');
      const before = startRecoveryCalls(await simulatorCalls(stack.drsUrl, { operation: 'StartRecovery' }), executionId);
      expect(before.filter((c) => c.outcome === 'OK')).not.toEqual([]);
      const inFlight = await client.execution(executionId);
      expect(waveNamed(inFlight, 'Database').servers.map((s) => s.status)).not.toContain('VERIFIED');

      await stack.kill();
      // The same data folder and fleet file; the ports (and so the simulator's URL) may change.
      ({ stack } = await startFleetStack({ adminPassword: ADMIN_PASSWORD, dataDir: first.stack.dataDir, fleetFile: first.fleetFile }));
      token = await login(stack.url, 'admin', ADMIN_PASSWORD);

      const done = await client.finished(executionId);
      expect(done.status).toBe('COMPLETED');
      expect(serversOf(done).map((s) => [s.hostname, s.status, s.attempts])).toEqual(serversOf(done).map((s) => [s.hostname, 'VERIFIED', 1]));
      const events = await client.stream(executionId);
      expect(sorted(serverIdsOfEvents(events, 'ServerLaunchRequested'))).toEqual(sorted(planned));
      expect(sorted(serverIdsOfEvents(events, 'ServerLaunched'))).toEqual(sorted(planned));

      // DRS's call log survived the restart (the calls before the crash are still in it), and in
      // it each server of the execution was launched exactly once.
      const audit = await auditDrs(stack.drsUrl);
      const after = startRecoveryCalls(audit.calls, executionId);
      expect(after.map((c) => c.jobID)).toEqual(expect.arrayContaining(before.map((c) => c.jobID)));
      expect(sorted(launchedServerIds(audit.calls, executionId))).toEqual(sorted(planned));
      expect(quotaAndLaunchFacts(audit, [executionId])).toEqual(healthyFacts([executionId]));
    }, outputs);
  });
});
