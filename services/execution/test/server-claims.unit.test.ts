/**
 * Overlapping executions are refused (issue 5): the pure claim rules (given claims / when an
 * execution asks for servers / then allowed or refused), the API's start and retry with claims in
 * memory, and what the release does with the claims when an execution ends.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { DomainEvent } from '@lifeboat/events';
import type { ApiResponse, Caller, ExecutionView, PlanSnapshot } from '@lifeboat/service-api';
import { createApiHandler } from '@lifeboat/service-api';
import { createExecutionApi } from '../src/api/operations.js';
import type { ClaimRequest, FoundClaim, ServerClaim } from '../src/claims/rules.js';
import { ORPHAN_CLAIM_AFTER_MS, claimsAfterEnd, conflictMessage, decideClaims, effectiveHold, holdOf } from '../src/claims/rules.js';
import { InMemoryServerClaims } from '../src/claims/store.js';
import { handleCommand } from '../src/command-handler.js';
import type { ExecutionCommand } from '../src/domain/commands.js';
import { decide } from '../src/domain/decide.js';
import type { ExecutionEvent } from '../src/domain/events.js';
import { foldExecution, initialState } from '../src/domain/evolve.js';
import type { ExecutionState, StartedState } from '../src/domain/state.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { releaseServerClaims } from '../src/process-manager/server-claims.js';
import { InMemoryExecutionList } from '../src/read-models/executions.js';
import { history, jobId, launchResult, nextMetadata, plan, recordJob, sid, startExecution, verification } from './support/decider-spec.js';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const operator: Caller = { userId: 'sub-op', username: 'olivia', roles: ['Operator'] };
const manager: Caller = { userId: 'sub-rm', username: 'ruth', roles: ['RecoveryManager'] };

/** One wave of servers 1 and 2. */
const twoServers = plan({ id: 'db', servers: [1, 2] });

function started(events: ExecutionEvent[]): StartedState {
  const state = foldExecution(events);
  if (state.status === 'NOT_STARTED') throw new Error('not started');
  return state;
}

// ---------------------------------------------------------------- states of the holder

const liveDrill = () => started(history(startExecution(twoServers, 'DRILL')));
/** A drill of servers 1 and 2 that completed: both have recovery instances up. */
const drillDone = () => history(startExecution(twoServers, 'DRILL'), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), launchResult(jobId(1), 2), verification(1), verification(2));
/** The same drill after its cleanup terminated both instances. */
function drillCleanedUp(): StartedState {
  const events = drillDone();
  const instances = [...started(events).servers.values()].map((s) => s.recoveryInstanceId ?? '');
  const then = (command: ExecutionCommand) => events.push(...decide(command, foldExecution(events)));
  then({ type: 'CleanupDrill', data: {}, metadata: nextMetadata() });
  then({ type: 'RecordCleanupResult', data: { terminatedRecoveryInstanceIds: instances }, metadata: nextMetadata() });
  return started(events);
}
/** A drill whose server 1 failed to launch (critical: the drill failed); server 2 launched. */
const drillFailed = () =>
  started(history(startExecution(twoServers, 'DRILL'), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 2), launchResult(jobId(1), 1, 'FAILED', 'no capacity')));
/** A RECOVERY of servers 1 and 2 that completed. */
const recoveryDone = () =>
  started(history(startExecution(twoServers, 'RECOVERY'), recordJob('db-b1', jobId(1), [1, 2], false), launchResult(jobId(1), 1), launchResult(jobId(1), 2), verification(1), verification(2)));

function claim(n: number, executionId: string, kind: ServerClaim['kind'] = 'RUNNING', claimedAt = NOW.toISOString(), mode: ServerClaim['mode'] = 'DRILL'): ServerClaim {
  return { sourceServerId: sid(n), executionId, planId: 'plan-1', mode, kind, claimedAt };
}

function request(executionId: string, mode: 'DRILL' | 'RECOVERY', servers: number[]): ClaimRequest {
  return { executionId, planId: 'plan-2', mode, sourceServerIds: servers.map(sid) };
}

/** Given these claims, each judged against its holder's state. */
function given(...claims: { claim: ServerClaim; holder: ExecutionState }[]) {
  const found = new Map<string, FoundClaim>(claims.map(({ claim: c, holder }) => [c.sourceServerId, { claim: c, hold: effectiveHold(c, holder, NOW) }]));
  return {
    when: (r: ClaimRequest) => decideClaims(r, found, NOW),
  };
}

describe('the claim rules: given claims, when an execution asks for servers', () => {
  it('then free servers are claimed RUNNING, each once', () => {
    const decision = given().when({ ...request('new', 'DRILL', [1, 2]), sourceServerIds: [sid(1), sid(2), sid(1)] });
    expect(decision).toEqual({
      allowed: true,
      writes: [
        { claim: { sourceServerId: sid(1), executionId: 'new', planId: 'plan-2', mode: 'DRILL', kind: 'RUNNING', claimedAt: NOW.toISOString() } },
        { claim: { sourceServerId: sid(2), executionId: 'new', planId: 'plan-2', mode: 'DRILL', kind: 'RUNNING', claimedAt: NOW.toISOString() } },
      ],
    });
  });

  it('then a server of a live execution is refused to a DRILL and to a RECOVERY, naming that execution', () => {
    const holder = liveDrill();
    for (const mode of ['DRILL', 'RECOVERY'] as const) {
      const decision = given({ claim: claim(1, 'old'), holder }).when(request('new', mode, [1, 3]));
      expect(decision).toEqual({ allowed: false, conflicts: [{ sourceServerId: sid(1), holder: claim(1, 'old'), hold: 'RUNNING' }] });
      if (!decision.allowed) expect(conflictMessage(mode, `start this ${mode}`, decision.conflicts)).toBe(`Cannot start this ${mode}: server ${sid(1)} is in use by DRILL old of plan plan-1, which has not finished: wait for it or cancel it`);
    }
  });

  it('then a drill that still has instances of the servers refuses a RECOVERY until it is cleaned up', () => {
    const holder = started(drillDone());
    expect(holdOf(holder, sid(1))).toBe('DRILL_INSTANCES');
    // The claim may still say RUNNING (the release has not run yet): the holder's stream decides.
    const decision = given({ claim: claim(1, 'drill-1'), holder }, { claim: claim(2, 'drill-1', 'DRILL_INSTANCES'), holder }).when(request('new', 'RECOVERY', [1, 2]));
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) {
      expect(decision.conflicts.map((c) => c.hold)).toEqual(['DRILL_INSTANCES', 'DRILL_INSTANCES']);
      expect(conflictMessage('RECOVERY', 'start this RECOVERY', decision.conflicts)).toBe(
        `Cannot start this RECOVERY: drill drill-1 of plan plan-1 still has recovery instances of servers ${sid(1)}, ${sid(2)}: clean that drill up first (cleanupDrill), then start the RECOVERY`,
      );
    }
  });

  it('then a drill that still has instances of the servers refuses another DRILL too (cleaned up before the next test, as in SRM)', () => {
    const decision = given({ claim: claim(1, 'drill-1', 'DRILL_INSTANCES'), holder: started(drillDone()) }).when(request('new', 'DRILL', [1]));
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(conflictMessage('DRILL', 'start this DRILL', decision.conflicts)).toMatch(/clean that drill up first \(cleanupDrill\), then drill again$/);
  });

  it('then servers are free once the drill is cleaned up, its RECOVERY finished, or its launch failed; the stale claim is replaced', () => {
    const cleaned = drillCleanedUp();
    expect(given({ claim: claim(1, 'drill-1', 'DRILL_INSTANCES'), holder: cleaned }).when(request('new', 'RECOVERY', [1]))).toEqual({
      allowed: true,
      writes: [{ claim: { ...claim(1, 'new', 'RUNNING', NOW.toISOString(), 'RECOVERY'), planId: 'plan-2' }, replaces: claim(1, 'drill-1', 'DRILL_INSTANCES') }],
    });
    expect(given({ claim: claim(1, 'rec-1', 'RUNNING', NOW.toISOString(), 'RECOVERY'), holder: recoveryDone() }).when(request('new', 'DRILL', [1])).allowed).toBe(true);
    const failed = drillFailed();
    expect([holdOf(failed, sid(1)), holdOf(failed, sid(2))]).toEqual([undefined, 'DRILL_INSTANCES']);
    expect(given({ claim: claim(1, 'drill-1'), holder: failed }).when(request('new', 'RECOVERY', [1])).allowed).toBe(true);
    expect(given({ claim: claim(2, 'drill-1'), holder: failed }).when(request('new', 'RECOVERY', [2])).allowed).toBe(false);
  });

  it('then a claim whose execution has no stream holds while young (a start in progress) and is free when old (a crashed start)', () => {
    const young = claim(1, 'ghost', 'RUNNING', new Date(NOW.getTime() - 1000).toISOString());
    const old = claim(1, 'ghost', 'RUNNING', new Date(NOW.getTime() - ORPHAN_CLAIM_AFTER_MS - 1).toISOString());
    expect(effectiveHold(young, initialState, NOW)).toBe('RUNNING');
    expect(effectiveHold(old, initialState, NOW)).toBe('FREE');
    expect(given({ claim: old, holder: initialState }).when(request('new', 'DRILL', [1])).allowed).toBe(true);
  });

  it('then an execution reuses its own claims (a retry), whatever they are', () => {
    const own = claim(1, 'drill-1', 'DRILL_INSTANCES');
    const found = new Map<string, FoundClaim>([[sid(1), { claim: own, hold: 'DRILL_INSTANCES' }]]);
    expect(decideClaims({ ...request('drill-1', 'DRILL', [1]), planId: 'plan-1' }, found, NOW)).toEqual({ allowed: true, writes: [{ claim: claim(1, 'drill-1'), replaces: own }] });
  });

  it('names at most five servers per execution in the way', () => {
    const conflicts = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ sourceServerId: sid(n), holder: claim(n, 'old'), hold: 'RUNNING' as const }));
    expect(conflictMessage('DRILL', 'start this DRILL', conflicts)).toBe(`Cannot start this DRILL: servers ${[1, 2, 3, 4, 5].map(sid).join(', ')} and 2 more are in use by DRILL old of plan plan-1, which has not finished: wait for it or cancel it`);
  });

  it('after an end: a drill keeps the servers with instances up, a RECOVERY releases all, a live execution keeps its claims', () => {
    expect(claimsAfterEnd(liveDrill())).toBeUndefined();
    expect(claimsAfterEnd(started(drillDone()))).toEqual({ keep: [sid(1), sid(2)], release: [] });
    expect(claimsAfterEnd(drillFailed())).toEqual({ keep: [sid(2)], release: [sid(1)] });
    expect(claimsAfterEnd(drillCleanedUp())).toEqual({ keep: [], release: [sid(1), sid(2)] });
    expect(claimsAfterEnd(recoveryDone())).toEqual({ keep: [], release: [sid(1), sid(2)] });
  });
});

// ---------------------------------------------------------------- through the API, in memory

let store: InMemoryEventStore;
let claims: InMemoryServerClaims;
let snapshot: PlanSnapshot;
let now: Date;
let api: ReturnType<typeof createApiHandler>;
/** DRS job ids handed out so far. */
let jobs = 0;

beforeEach(() => {
  jobs = 0;
  store = new InMemoryEventStore();
  claims = new InMemoryServerClaims();
  snapshot = { ...plan({ id: 'db', servers: [1, 2] }, { id: 'app', dependsOn: ['db'], servers: [3] }), planId: 'plan-1' };
  now = NOW;
  api = createApiHandler(createExecutionApi({ store, executions: new InMemoryExecutionList(), resolvePlan: async () => snapshot, clock: () => now, claims, log: () => undefined }), () => undefined);
});

function ok(response: ApiResponse): ExecutionView {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response.result as ExecutionView;
}

const start = (mode: 'DRILL' | 'RECOVERY', caller: Caller = mode === 'DRILL' ? operator : manager, options: Record<string, unknown> = {}) =>
  api({ operation: 'startExecution', input: { planId: 'plan-1', mode, ...(mode === 'RECOVERY' ? { confirmation: snapshot.name } : {}), ...options }, caller });

function claimsTable(): [string, string, string][] {
  return [...claims.claims.values()].map((c) => [c.sourceServerId, c.executionId, c.kind] as [string, string, string]).sort();
}

const serverNumber = (sourceServerId: string): number => parseInt(sourceServerId.slice(2), 16);

function stateOf(stored: { type: string; data: unknown; metadata: DomainEvent['metadata'] }[]): ExecutionState {
  return foldExecution(stored.map((s) => ({ type: s.type, data: s.data, metadata: s.metadata })) as ExecutionEvent[]);
}

/** Plays DRS and verification for every wave of the execution: each server launches (or fails) and is verified. */
async function runToTheEnd(executionId: string, failing: number[] = []): Promise<void> {
  for (let guard = 0; guard < 50; guard++) {
    const stored = await store.readStream(`execution/${executionId}`);
    const state = stateOf(stored);
    if (state.status !== 'RUNNING') return;
    const pending = [...state.batches.values()].find((b) => b.jobId === undefined);
    if (pending) {
      jobs += 1;
      await handleCommand(store, executionId, recordJob(pending.batchId, jobId(jobs), pending.sourceServerIds.map(serverNumber), state.mode === 'DRILL'));
      continue;
    }
    // Successes first, then verifications, then failures (a failed critical server ends the run).
    const launching = [...state.servers.values()].filter((s) => (s.status === 'LAUNCH_REQUESTED' || s.status === 'LAUNCHING') && s.jobId !== undefined);
    const succeeding = launching.find((s) => !failing.includes(serverNumber(s.sourceServerId)));
    if (succeeding?.jobId) {
      await handleCommand(store, executionId, launchResult(succeeding.jobId, serverNumber(succeeding.sourceServerId)));
      continue;
    }
    const launched = [...state.servers.values()].find((s) => s.status === 'LAUNCHED');
    if (launched) {
      await handleCommand(store, executionId, verification(serverNumber(launched.sourceServerId)));
      continue;
    }
    const failingOne = launching[0];
    if (failingOne?.jobId) {
      await handleCommand(store, executionId, launchResult(failingOne.jobId, serverNumber(failingOne.sourceServerId), 'FAILED', 'launch failed'));
      continue;
    }
    return;
  }
}

async function release(executionId: string, type = 'ExecutionCompleted'): Promise<void> {
  const event = { type, data: { executionId }, metadata: { eventId: '01JB0000000000000000000000', schemaVersion: 1, occurredAt: now.toISOString(), correlationId: executionId, causationId: null, actor: { type: 'service', id: 'x' } } } as DomainEvent;
  await releaseServerClaims({ store, claims, clock: () => now }, event);
}

describe('startExecution with server claims', () => {
  it('claims every server of the execution; a second execution of them is refused (CONFLICT) and writes nothing', async () => {
    const first = ok(await start('DRILL'));
    expect(claimsTable()).toEqual([[sid(1), first.executionId, 'RUNNING'], [sid(2), first.executionId, 'RUNNING'], [sid(3), first.executionId, 'RUNNING']]);
    const before = store.streamIds();
    const refused = await start('RECOVERY');
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'planId' } });
    if (!refused.ok) expect(refused.error.message).toBe(`Cannot start this RECOVERY: servers ${sid(1)}, ${sid(2)}, ${sid(3)} are in use by DRILL ${first.executionId} of plan plan-1, which has not finished: wait for it or cancel it`);
    expect(await start('DRILL')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(store.streamIds()).toEqual(before);
    expect(claimsTable().map(([, e]) => e)).toEqual([first.executionId, first.executionId, first.executionId]);
  });

  it('claims only the servers a subset runs: another execution of the others may start', async () => {
    const db = ok(await start('DRILL', operator, { waveIds: ['db'] }));
    const app = ok(await start('DRILL', operator, { sourceServerIds: [sid(3)] }));
    expect(claimsTable()).toEqual([[sid(1), db.executionId, 'RUNNING'], [sid(2), db.executionId, 'RUNNING'], [sid(3), app.executionId, 'RUNNING']]);
    expect(await start('DRILL', operator, { sourceServerIds: [sid(2)] })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('refuses a RECOVERY while a finished drill still has instances (clean it up first), and allows it after the cleanup', async () => {
    const drill = ok(await start('DRILL'));
    await runToTheEnd(drill.executionId);
    expect(ok(await api({ operation: 'getExecution', input: { executionId: drill.executionId }, caller: operator })).status).toBe('COMPLETED');
    now = new Date(NOW.getTime() + 60_000);
    await release(drill.executionId);
    expect(claimsTable().map(([, , kind]) => kind)).toEqual(['DRILL_INSTANCES', 'DRILL_INSTANCES', 'DRILL_INSTANCES']);

    const refused = await start('RECOVERY');
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    if (!refused.ok) expect(refused.error.message).toContain(`drill ${drill.executionId} of plan plan-1 still has recovery instances of servers ${sid(1)}, ${sid(2)}, ${sid(3)}: clean that drill up first (cleanupDrill), then start the RECOVERY`);
    expect(await start('DRILL')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });

    ok(await api({ operation: 'cleanupDrill', input: { executionId: drill.executionId }, caller: operator }));
    const state = stateOf(await store.readStream(`execution/${drill.executionId}`));
    const instances = state.status === 'NOT_STARTED' ? [] : [...state.servers.values()].map((s) => s.recoveryInstanceId ?? '');
    await handleCommand(store, drill.executionId, { type: 'RecordCleanupResult', data: { terminatedRecoveryInstanceIds: instances }, metadata: nextMetadata() });
    await release(drill.executionId, 'DrillCleanupCompleted');
    expect(claimsTable()).toEqual([]);
    const recovery = ok(await start('RECOVERY'));
    expect(claimsTable()).toEqual([1, 2, 3].map((n) => [sid(n), recovery.executionId, 'RUNNING']));
  });

  it('retryFailedServers reuses the execution\'s own claims, and is refused when another execution took a released server', async () => {
    const drill = ok(await start('DRILL'));
    await runToTheEnd(drill.executionId, [1]);
    expect(ok(await api({ operation: 'getExecution', input: { executionId: drill.executionId }, caller: operator })).status).toBe('FAILED');
    // Retried before the release ran: the claims are still the drill's own.
    now = new Date(NOW.getTime() + 60_000);
    const retried = ok(await api({ operation: 'retryFailedServers', input: { executionId: drill.executionId }, caller: operator }));
    expect(retried.status).toBe('RUNNING');
    expect(claimsTable()).toEqual([[sid(1), drill.executionId, 'RUNNING'], [sid(2), drill.executionId, 'RUNNING'], [sid(3), drill.executionId, 'RUNNING']]);
    // A release that read the execution before the retry settles nothing claimed since.
    await releaseServerClaims({ store, claims, clock: () => NOW }, { type: 'ExecutionFailed', data: { executionId: drill.executionId }, metadata: { eventId: '01JB0000000000000000000001' } } as DomainEvent);
    expect(claims.claims.get(sid(1))?.kind).toBe('RUNNING');

    // Fails again; released: server 1 (no instance) is free, server 2 keeps its instance.
    await runToTheEnd(drill.executionId, [1]);
    now = new Date(NOW.getTime() + 120_000);
    await release(drill.executionId, 'ExecutionFailed');
    expect(claimsTable()).toEqual([[sid(2), drill.executionId, 'DRILL_INSTANCES']]);
    const other = ok(await start('DRILL', operator, { sourceServerIds: [sid(1)] }));
    const refused = await api({ operation: 'retryFailedServers', input: { executionId: drill.executionId }, caller: operator });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'sourceServerIds' } });
    if (!refused.ok) expect(refused.error.message).toBe(`Cannot retry these servers: server ${sid(1)} is in use by DRILL ${other.executionId} of plan plan-1, which has not finished: wait for it or cancel it`);
    expect(ok(await api({ operation: 'getExecution', input: { executionId: drill.executionId }, caller: operator })).status).toBe('FAILED');
  });

  it('releases a RECOVERY\'s servers when it ends, and only the claims of the execution that ended', async () => {
    const recovery = ok(await start('RECOVERY', manager, { waveIds: ['db'] }));
    const drill = ok(await start('DRILL', operator, { waveIds: ['app'] }));
    await runToTheEnd(recovery.executionId);
    now = new Date(NOW.getTime() + 60_000);
    await release(recovery.executionId);
    await release(drill.executionId);
    expect(claimsTable()).toEqual([[sid(3), drill.executionId, 'RUNNING']]);
  });

  it('gives its claims back when the start fails after claiming', async () => {
    class DownStore extends InMemoryEventStore {
      override async appendToStream(): Promise<never> {
        throw new Error('DynamoDB is down');
      }
    }
    const failing = createApiHandler(
      createExecutionApi({
        store: new DownStore(),
        executions: new InMemoryExecutionList(),
        resolvePlan: async () => snapshot,
        clock: () => now,
        claims,
        log: () => undefined,
      }),
      () => undefined,
    );
    expect(await failing({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'DRILL' }, caller: operator })).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(claimsTable()).toEqual([]);
  });
});
