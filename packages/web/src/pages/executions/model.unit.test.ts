import { describe, expect, it } from '@jest/globals';
import type { Approval, Execution, ExecutionEventRecord, ExecutionServer, ExecutionWave, Permission } from './model.js';
import {
  WAVE_NODE,
  approvalDecision,
  compareWaves,
  controlsOf,
  describeEvent,
  elapsedMs,
  eventsCoverage,
  formatDuration,
  fresher,
  instancesLeft,
  actorNames,
  layoutWaves,
  mergeEvents,
  rtoStanding,
  runFacts,
  shownStatus,
  withEarlierEvents,
  withLatestEvents,
} from './model.js';

function server(id: string, hostname: string, overrides: Partial<ExecutionServer> = {}): ExecutionServer {
  return {
    sourceServerId: id,
    hostname,
    accountId: '123456789012',
    region: 'us-east-1',
    criticality: 'CRITICAL',
    status: 'PENDING',
    jobId: null,
    recoveryInstanceId: null,
    ec2InstanceId: null,
    checks: [],
    launchedAt: null,
    verifiedAt: null,
    pointInTime: null,
    attempts: 1,
    ...overrides,
  };
}

function wave(id: string, name: string, dependsOn: string[], overrides: Partial<ExecutionWave> = {}): ExecutionWave {
  return {
    id,
    name,
    dependsOn,
    launchOrder: 'PARALLEL',
    status: 'PENDING',
    startedAt: null,
    completedAt: null,
    servers: [],
    errorPolicy: 'STOP',
    preSteps: [],
    postSteps: [],
    skipped: false,
    skippedAt: null,
    skipReason: null,
    failureReason: null,
    ...overrides,
  };
}

function execution(overrides: Partial<Execution> = {}): Execution {
  return {
    id: 'ex-1',
    planId: 'plan-1',
    planVersion: 1,
    planName: 'Orders 3-tier',
    mode: 'DRILL',
    status: 'RUNNING',
    startedAt: '2025-01-01T10:00:00.000Z',
    completedAt: null,
    startedBy: 'admin',
    version: 5,
    waves: [],
    failureReason: null,
    pausedAt: null,
    pausedBeforeWaveId: null,
    pauseBeforeWaveIds: [],
    cancelRequestedAt: null,
    cancelRequestedBy: null,
    terminateInstancesOnCancel: false,
    approvals: [],
    cleanup: null,
    retries: 0,
    ...overrides,
  };
}

function event(streamVersion: number, type = 'WaveStarted', data: unknown = {}): ExecutionEventRecord {
  return { streamVersion, eventId: `e${streamVersion}`, type, occurredAt: '2025-01-01T10:00:00.000Z', actor: 'system', data };
}

const grants: Record<string, Permission[]> = {
  Viewer: ['read'],
  Operator: ['read', 'drill:run', 'drill:approve'],
  RecoveryManager: ['read', 'drill:run', 'drill:approve', 'recovery:run', 'recovery:approve'],
};
const mayAs = (role: string) => (permission: Permission) => (grants[role] ?? []).includes(permission);

describe('live state', () => {
  it('keeps the view of the higher stream version, whichever arrives last', () => {
    // given a pushed view at version 7 and a query answer at version 5 arriving after it
    const pushed = execution({ version: 7, status: 'COMPLETED' });
    const answered = execution({ version: 5, status: 'RUNNING' });
    // when both are taken
    const kept = fresher(fresher(undefined, pushed), answered);
    // then the pushed one stays
    expect(kept?.status).toBe('COMPLETED');
    expect(fresher(answered, pushed)?.version).toBe(7);
  });

  it('merges pushed events with queried ones once each, in stream order, and tells of a gap', () => {
    // given events 1-3 from the query
    const queried = [event(1), event(2), event(3)];
    // when 3 is pushed again and then 5 (4 was appended before the subscription started)
    const repeated = mergeEvents(queried, [event(3)]);
    const afterHole = mergeEvents(repeated.events, [event(5)]);
    // then the repeat changes nothing, and the hole is reported until 4 arrives
    expect(repeated).toEqual({ events: queried, gap: false });
    expect(afterHole.events.map((e) => e.streamVersion)).toEqual([1, 2, 3, 5]);
    expect(afterHole.gap).toBe(true);
    expect(mergeEvents(afterHole.events, [event(4)]).gap).toBe(false);
  });

  const versions = (events: readonly ExecutionEventRecord[]) => events.map((e) => e.streamVersion);
  const run = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => event(from + i));

  it('tells of a gap only between held events: the latest events of a long stream do not start at 1', () => {
    // given the latest events 2801-3000 from the query
    const queried = run(2801, 3000);
    // when 3001 is pushed, then 3003
    const next = mergeEvents(queried, [event(3001)]);
    const afterHole = mergeEvents(next.events, [event(3003)]);
    // then only the hole at 3002 is a gap
    expect(next.gap).toBe(false);
    expect(afterHole.gap).toBe(true);
    expect(mergeEvents([], [event(3001)]).gap).toBe(false);
  });

  it('takes a query answer of the latest events: kept with the held ones it reaches, alone after a longer hole', () => {
    // given events 2601-3000 held (the latest 200 and one earlier page) and 3005 pushed after a hole
    const held = [...run(2601, 3000), event(3005)];
    // when the query answers the latest 200 again, 2806-3005
    // then the held run reaches it: one run from 2601 to 3005
    expect(versions(withLatestEvents(held, run(2806, 3005)))).toEqual(versions(run(2601, 3005)));
    // when, after a long disconnection, it answers 3301-3500
    // then the held events before the hole are left out: the timeline shows one unbroken run
    expect(versions(withLatestEvents(held, run(3301, 3500)))).toEqual(versions(run(3301, 3500)));
    // and events pushed meanwhile after the answer are kept
    expect(versions(withLatestEvents([event(3501)], run(3301, 3500)))).toEqual(versions(run(3301, 3501)));
    expect(versions(withLatestEvents([], run(1, 12)))).toEqual(versions(run(1, 12)));
  });

  it('prepends the page of earlier events when it reaches the oldest held, and leaves out one that no longer does', () => {
    // given events 2801-3000 held
    const held = run(2801, 3000);
    // when the 200 before 2801 arrive, then the 200 before 2601
    const once = withEarlierEvents(held, run(2601, 2800));
    expect(versions(once)).toEqual(versions(run(2601, 3000)));
    expect(versions(withEarlierEvents(once, run(2401, 2600)))).toEqual(versions(run(2401, 3000)));
    // then a page asked before the held run was replaced (it ends below the oldest held now) is left out
    expect(versions(withEarlierEvents(run(3301, 3500), run(2601, 2800)))).toEqual(versions(run(3301, 3500)));
    expect(withEarlierEvents(held, [])).toEqual(held);
  });

  it('says how much of the stream the held events cover', () => {
    // given a stream of 3,000 events (the execution's version) and the latest 200 held
    // then the timeline is partial until version 1 is held
    expect(eventsCoverage(run(2801, 3000), { version: 3000 })).toEqual({ oldest: 2801, total: 3000, complete: false });
    expect(eventsCoverage(run(1, 3000), { version: 3000 })).toEqual({ oldest: 1, total: 3000, complete: true });
    // and a pushed event ahead of the execution's view counts too
    expect(eventsCoverage(run(1, 12), { version: 11 })).toEqual({ oldest: 1, total: 12, complete: true });
    expect(eventsCoverage([], undefined)).toEqual({ oldest: undefined, total: 0, complete: true });
  });
});

describe('shownStatus', () => {
  it('shows what was still running when the execution ended as cancelled or stopped, never as running', () => {
    // given a wave left RUNNING and a step left WAITING_FOR_APPROVAL by the read model
    // when the execution is live, cancelled or failed
    // then they show as they are, cancelled, or stopped; finished ones keep their status
    expect(shownStatus('RUNNING', 'RUNNING')).toBe('RUNNING');
    expect(shownStatus('WAITING_FOR_APPROVAL', 'CANCELLED')).toBe('CANCELLED');
    expect(shownStatus('RUNNING', 'FAILED')).toBe('STOPPED');
    expect(shownStatus('COMPLETED', 'CANCELLED')).toBe('COMPLETED');
    expect(shownStatus('PENDING', 'CANCELLED')).toBe('PENDING');
    expect(layoutWaves([wave('app', 'App', [], { status: 'RUNNING' })], 'CANCELLED').nodes[0]?.status).toBe('CANCELLED');
  });
});

describe('time', () => {
  it('counts elapsed time until now while running, until completion once finished', () => {
    const now = Date.parse('2025-01-01T10:05:30.000Z');
    expect(elapsedMs(execution(), now)).toBe(330_000);
    expect(elapsedMs(execution({ completedAt: '2025-01-01T10:02:00.000Z' }), now)).toBe(120_000);
    expect(formatDuration(330_000)).toBe('5:30');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });

  it('measures elapsed time against the RTO target, when the plan has one', () => {
    expect(rtoStanding(30 * 60_000, 60)).toEqual({ percent: 50, exceeded: false });
    expect(rtoStanding(90 * 60_000, 60)).toEqual({ percent: 100, exceeded: true });
    expect(rtoStanding(1000, null)).toBeUndefined();
  });
});

describe('controlsOf', () => {
  it('offers an Operator pause and cancel of a running drill, and clean up only once it has finished', () => {
    // given a running drill
    const running = execution({ status: 'RUNNING' });
    // when an Operator looks at it
    const controls = controlsOf(running, mayAs('Operator'));
    // then pause and cancel are usable, resume is hidden, clean up is shown but not yet
    expect(controls.pause).toEqual({ visible: true, enabled: true });
    expect(controls.cancel).toEqual({ visible: true, enabled: true });
    expect(controls.resume.visible).toBe(false);
    expect(controls.cleanup.visible).toBe(true);
    expect(controls.cleanup.enabled).toBe(false);
    expect(controls.cleanup.reason).toMatch(/cancelling it with "terminate instances"/);
  });

  it('hides every control from a Viewer, and those of a RECOVERY from an Operator', () => {
    const viewer = controlsOf(execution(), mayAs('Viewer'));
    const operatorOnRecovery = controlsOf(execution({ mode: 'RECOVERY' }), mayAs('Operator'));
    for (const controls of [viewer, operatorOnRecovery]) {
      expect(Object.values(controls).every((c) => !c.visible && !c.enabled)).toBe(true);
    }
    expect(controlsOf(execution({ mode: 'RECOVERY' }), mayAs('RecoveryManager')).pause.enabled).toBe(true);
  });

  it('offers resume of a paused execution and no pause', () => {
    const controls = controlsOf(execution({ status: 'PAUSED' }), mayAs('Operator'));
    expect(controls.resume).toEqual({ visible: true, enabled: true });
    expect(controls.pause.visible).toBe(false);
    expect(controls.cancel.enabled).toBe(true);
  });

  it('offers clean up of a finished drill while instances are left, and retry of its failed servers', () => {
    // given a completed drill with one server launched and one failed
    const finished = execution({
      status: 'FAILED',
      completedAt: '2025-01-01T10:10:00.000Z',
      waves: [wave('w1', 'Database', [], { status: 'FAILED', servers: [server('s-1', 'db1', { status: 'VERIFIED', recoveryInstanceId: 'i-1' }), server('s-2', 'db2', { status: 'LAUNCH_FAILED' })] })],
    });
    // when an Operator looks at it
    const controls = controlsOf(finished, mayAs('Operator'));
    // then clean up and retry are usable, pause and cancel are gone
    expect(controls.cleanup).toEqual({ visible: true, enabled: true });
    expect(controls.retry).toEqual({ visible: true, enabled: true });
    expect(controls.pause.visible).toBe(false);
    expect(controls.cancel.visible).toBe(false);
    // and once the cleanup terminated the instance, nothing is left to clean up
    const cleaned = { ...finished, cleanup: { status: 'COMPLETED' as const, trigger: 'ON_DEMAND' as const, startedAt: '', completedAt: '', recoveryInstanceIds: ['i-1'], terminatedRecoveryInstanceIds: ['i-1'], failed: [] } };
    expect(instancesLeft(cleaned)).toEqual([]);
    expect(controlsOf(cleaned, mayAs('Operator')).cleanup).toEqual({ visible: true, enabled: false, reason: 'No recovery instance is left to terminate' });
  });

  it('does not offer retry of a cancelled execution', () => {
    const cancelled = execution({ status: 'CANCELLED', waves: [wave('w1', 'Database', [], { servers: [server('s-2', 'db2', { status: 'LAUNCH_FAILED' })] })] });
    expect(controlsOf(cancelled, mayAs('Operator')).retry).toEqual({ visible: true, enabled: false, reason: 'A cancelled execution is not retried' });
  });
});

describe('approvalDecision', () => {
  const approval: Pick<Approval, 'status' | 'approverRoles' | 'excludedUserIds'> = { status: 'PENDING', approverRoles: ['RecoveryManager', 'Admin'], excludedUserIds: ['user-who-started'] };

  it('lets a holder of an approver role decide', () => {
    expect(approvalDecision(approval, { userId: 'someone-else', roles: ['RecoveryManager'] })).toEqual({ mayDecide: true });
  });

  it('tells anyone else who may decide, and an excluded user that another person must', () => {
    expect(approvalDecision(approval, { userId: 'u', roles: ['Operator'] })).toEqual({ mayDecide: false, why: 'Waiting for someone with the role RecoveryManager, Admin' });
    expect(approvalDecision(approval, { userId: 'user-who-started', roles: ['Admin'] }).mayDecide).toBe(false);
    expect(approvalDecision({ ...approval, status: 'GRANTED' }, { userId: 'u', roles: ['Admin'] }).mayDecide).toBe(false);
  });
});

describe('layoutWaves', () => {
  it('puts each wave one column right of the deepest wave it waits for, with one edge per dependency', () => {
    // given the 3-tier plan and a reporting wave after the database only
    const waves = [wave('db', 'Database', []), wave('app', 'App', ['db']), wave('web', 'Web', ['app']), wave('rep', 'Reports', ['db'])];
    // when laid out
    const layout = layoutWaves(waves);
    // then columns follow dependency depth and rows the plan order within a column
    const at = Object.fromEntries(layout.nodes.map((n) => [n.name, [n.depth, n.row]]));
    expect(at).toEqual({ Database: [0, 0], App: [1, 0], Web: [2, 0], Reports: [1, 1] });
    expect(layout.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['db->app', 'app->web', 'db->rep']);
    const { width, height, columnGap, rowGap, margin } = WAVE_NODE;
    expect(layout.width).toBe(margin * 2 + 3 * width + 2 * columnGap);
    expect(layout.height).toBe(margin * 2 + 2 * height + rowGap);
  });

  it('survives what a DAG never has: a cycle and an unknown dependency', () => {
    const layout = layoutWaves([wave('a', 'A', ['b']), wave('b', 'B', ['a']), wave('c', 'C', ['ghost'])]);
    expect(layout.nodes).toHaveLength(3);
    expect(layout.edges.every((e) => e.from !== 'ghost')).toBe(true);
    expect(layoutWaves([])).toEqual({ nodes: [], edges: [], width: 0, height: 0 });
  });
});

describe('describeEvent', () => {
  const ex = execution({
    waves: [wave('w-db', 'Database', [], { servers: [server('s-1', 'db1')], preSteps: [{ id: 'w-db-pre-1', type: 'APPROVAL', name: 'Go ahead', status: 'PENDING', startedAt: null, completedAt: null, output: null, reason: null, onFailure: null, dueAt: null }] })],
  });

  it('names waves, servers and steps as the runbook shows them', () => {
    expect(describeEvent({ type: 'WaveCompleted', data: { waveId: 'w-db' } }, ex)).toBe('Wave Database completed');
    expect(describeEvent({ type: 'ServerLaunched', data: { sourceServerId: 's-1', recoveryInstanceId: 'i-9' } }, ex)).toBe('db1 (s-1) launched as i-9');
    expect(describeEvent({ type: 'StepStarted', data: { waveId: 'w-db', stepId: 'w-db-pre-1' } }, ex)).toBe('Step "Go ahead" of wave Database started');
    expect(describeEvent({ type: 'ApprovalGranted', data: { approverName: 'admin', comment: 'ok' } }, ex)).toBe('Approved by admin: ok');
    expect(describeEvent({ type: 'ExecutionCompleted', data: { durationMs: 65_000 } }, ex)).toBe('Execution completed in 1:05');
  });

  it('falls back to the event type for unknown events and odd data', () => {
    expect(describeEvent({ type: 'SomethingNew', data: null }, undefined)).toBe('SomethingNew');
    expect(describeEvent({ type: 'WaveFailed', data: 'not an object' }, undefined)).toBe('Wave a wave failed');
  });
});

describe('actorNames', () => {
  it('names the starter, the deciders and the signed-in user instead of their ids', () => {
    const events = [
      { ...event(1, 'ExecutionStarted'), actor: 'sub-starter' },
      { ...event(2, 'ApprovalGranted', { approverId: 'sub-approver', approverName: 'alice' }), actor: 'sub-approver' },
      { ...event(3, 'WaveStarted'), actor: 'lifeboat-execution' },
    ];
    const names = actorNames(events, { startedBy: 'bob' }, { userId: 'sub-me', username: 'me' });
    expect(Object.fromEntries(names)).toEqual({ 'sub-starter': 'bob', 'sub-approver': 'alice', 'sub-me': 'me' });
  });
});

describe('compare runs', () => {
  it('sets two runs side by side: durations, wave by wave by name, and failed servers', () => {
    // given a first run where App failed and a second where every wave completed, with a new wave
    const first = execution({
      id: 'ex-a',
      status: 'FAILED',
      completedAt: '2025-01-01T10:04:00.000Z',
      waves: [
        wave('db', 'Database', [], { status: 'COMPLETED', startedAt: '2025-01-01T10:00:00.000Z', completedAt: '2025-01-01T10:01:00.000Z' }),
        wave('app', 'App', ['db'], { status: 'FAILED', startedAt: '2025-01-01T10:01:00.000Z', completedAt: '2025-01-01T10:04:00.000Z', servers: [server('s-3', 'app1', { status: 'LAUNCH_FAILED' })] }),
      ],
    });
    const second = execution({
      id: 'ex-b',
      status: 'COMPLETED',
      startedAt: '2025-01-02T10:00:00.000Z',
      completedAt: '2025-01-02T10:03:00.000Z',
      waves: [
        wave('db', 'Database', [], { status: 'COMPLETED', startedAt: '2025-01-02T10:00:00.000Z', completedAt: '2025-01-02T10:00:30.000Z' }),
        wave('app', 'App', ['db'], { status: 'COMPLETED', startedAt: '2025-01-02T10:00:30.000Z', completedAt: '2025-01-02T10:02:00.000Z' }),
        wave('web', 'Web', ['app'], { status: 'COMPLETED', startedAt: '2025-01-02T10:02:00.000Z', completedAt: '2025-01-02T10:03:00.000Z' }),
      ],
    });
    // when compared
    const rows = compareWaves(first, second);
    // then each wave lines up by name, a wave of one run only says so
    expect(rows).toEqual([
      { name: 'Database', a: { status: 'COMPLETED', durationMs: 60_000, failed: 0 }, b: { status: 'COMPLETED', durationMs: 30_000, failed: 0 } },
      { name: 'App', a: { status: 'FAILED', durationMs: 180_000, failed: 1 }, b: { status: 'COMPLETED', durationMs: 90_000, failed: 0 } },
      { name: 'Web', a: { status: 'NOT_RUN', durationMs: undefined, failed: 0 }, b: { status: 'COMPLETED', durationMs: 60_000, failed: 0 } },
    ]);
    expect(runFacts(first)).toMatchObject({ durationMs: 240_000, failedHostnames: ['app1'], label: 'Orders 3-tier v1' });
    expect(runFacts(execution({ completedAt: null })).durationMs).toBeUndefined();
  });
});
