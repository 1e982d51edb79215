import { describe, expect, it } from '@jest/globals';
import type { DomainEvent } from '@lifeboat/events';
import { forgetCachedExecutions, handleCommand, loadExecution, SNAPSHOT_EVERY_EVENTS, streamIdOf, toExecutionEvents } from '../src/command-handler.js';
import type { ExecutionCommand } from '../src/domain/commands.js';
import { decide } from '../src/domain/decide.js';
import { ExecutionInvariantError } from '../src/domain/errors.js';
import { foldExecution } from '../src/domain/evolve.js';
import { eventIdOf } from '../src/domain/ids.js';
import { deserializeExecutionState, EXECUTION_STATE_FORMAT, serializeExecutionState } from '../src/domain/snapshot.js';
import type { ExecutionState } from '../src/domain/state.js';
import type { EventStore, SnapshotStore, StoredEvent } from '../src/event-store/event-store.js';
import { CommitTooLargeError, StreamVersionConflictError, verifyChain } from '../src/event-store/event-store.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import {
  cancel, cleanup, cleanupResult, EXECUTION_ID, history, jobId, launchResult, pause, plan, recordJob, retry, sid, startExecution, verification, withWave,
} from './support/decider-spec.js';

const STREAM = streamIdOf(EXECUTION_ID);
const noWait = { sleep: async () => undefined };

/** The in-memory store, counting what the handler asks of it, with a hook before each append. */
class ObservedStore implements EventStore {
  readonly inner = new InMemoryEventStore();
  readonly snapshots: SnapshotStore = this.inner.snapshots;
  reads = 0;
  tailReads: number[] = [];
  appends: number[] = [];
  beforeAppend: ((expectedVersion: number, events: readonly DomainEvent[]) => Promise<void>) | undefined;

  async readStream(streamId: string): Promise<StoredEvent[]> {
    this.reads++;
    return this.inner.readStream(streamId);
  }

  async readStreamFrom(streamId: string, afterVersion: number): Promise<StoredEvent[]> {
    this.tailReads.push(afterVersion);
    return this.inner.readStreamFrom(streamId, afterVersion);
  }

  async readStreamTail(streamId: string, count: number, beforeVersion?: number): Promise<StoredEvent[]> {
    return this.inner.readStreamTail(streamId, count, beforeVersion);
  }

  async appendToStream(streamId: string, expectedVersion: number, events: readonly DomainEvent[]): Promise<StoredEvent[]> {
    await this.beforeAppend?.(expectedVersion, events);
    const stored = await this.inner.appendToStream(streamId, expectedVersion, events);
    this.appends.push(events.length);
    return stored;
  }

  /** Another process appends the events a command causes (deciding on what it reads itself). */
  async foreignCommand(command: ExecutionCommand): Promise<StoredEvent[]> {
    const stored = await this.inner.readStream(STREAM);
    return this.inner.appendToStream(STREAM, stored.length, decide(command, foldExecution(toExecutionEvents(stored))));
  }
}

/** A stream of `servers` servers in one PARALLEL wave whose jobs (100 servers each) all started. */
async function launching(store: ObservedStore, servers: number): Promise<number[]> {
  const ids = Array.from({ length: servers }, (_, i) => i + 1);
  const commands: ExecutionCommand[] = [startExecution(plan({ id: 'w', servers: ids }))];
  for (let b = 0; b * 100 < servers; b++) commands.push(recordJob(`w-b${b + 1}`, jobId(b + 1), ids.slice(b * 100, b * 100 + 100)));
  await store.inner.appendToStream(STREAM, 0, history(...commands));
  return ids;
}
const jobOf = (n: number) => jobId(Math.ceil(n / 100));

describe('handleCommand: group commit', () => {
  it('appends 300 concurrent launch results in a few commits, each caller getting its own events', async () => {
    const store = new ObservedStore();
    const ids = await launching(store, 300);
    const commands = ids.map((n) => launchResult(jobOf(n), n));
    const results = await Promise.all(commands.map((c) => handleCommand(store, EXECUTION_ID, c, noWait)));

    // At most 200 commands per commit.
    expect(store.appends).toHaveLength(2);
    results.forEach((result, i) => {
      expect(result.appended.map((e) => [e.type, (e.data as { sourceServerId: string }).sourceServerId])).toEqual(expect.arrayContaining([['ServerLaunched', sid(i + 1)]]));
      // Event ids derive from the caller's command, whatever group it was decided in.
      expect(result.appended[0]?.metadata.eventId).toBe(eventIdOf(commands[i]!.metadata.commandId, 0));
    });
    const all = await store.inner.readStream(STREAM);
    expect(all.filter((e) => e.type === 'ServerLaunched')).toHaveLength(300);
    expect(verifyChain(all)).toEqual({ valid: true });
    // Each caller sees the stream and the state after its commit.
    const last = results.at(-1)!;
    expect(last.stored).toEqual(all);
    expect(last.state).toEqual(foldExecution(toExecutionEvents(all)));
    // Nothing was read again: the first command loaded the stream, then the cache was current.
    expect(store.reads).toBe(1);
  });

  it('rejects only the command whose decision throws; a duplicate in the same group appends nothing', async () => {
    const store = new ObservedStore();
    await launching(store, 4);
    const duplicate = launchResult(jobOf(2), 2);
    const outcomes = await Promise.allSettled([
      handleCommand(store, EXECUTION_ID, launchResult(jobOf(1), 1), noWait),
      handleCommand(store, EXECUTION_ID, launchResult(jobId(9), 2), noWait),
      handleCommand(store, EXECUTION_ID, duplicate, noWait),
      handleCommand(store, EXECUTION_ID, { ...duplicate }, noWait),
      handleCommand(store, EXECUTION_ID, launchResult(jobOf(3), 3), noWait),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    const rejected = outcomes[1] as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ExecutionInvariantError);
    expect((rejected.reason as ExecutionInvariantError).code).toBe('UNKNOWN_JOB');
    const appended = outcomes.map((o) => (o.status === 'fulfilled' ? o.value.appended.length : -1));
    expect(appended).toEqual([1, -1, 1, 0, 1]);
    expect((await store.inner.readStream(STREAM)).filter((e) => e.type === 'ServerLaunched')).toHaveLength(3);
  });

  it('decides again on a fresh read a command that threw on the cached state (nothing appended confirmed it)', async () => {
    const store = new ObservedStore();
    const ids = Array.from({ length: 200 }, (_, i) => i + 1);
    await store.inner.appendToStream(STREAM, 0, history(startExecution(plan({ id: 'w', servers: ids })), recordJob('w-b1', jobId(1), ids.slice(0, 100))));
    await handleCommand(store, EXECUTION_ID, launchResult(jobId(1), 1), noWait);
    // Another process records the second job; this process's cache does not know it yet.
    await store.foreignCommand(recordJob('w-b2', jobId(2), ids.slice(100)));
    const result = await handleCommand(store, EXECUTION_ID, launchResult(jobId(2), 101), noWait);
    expect(result.appended.map((e) => e.type)).toEqual(['ServerLaunched']);
    // And a duplicate answers [] with the stream as it is.
    const duplicate = await handleCommand(store, EXECUTION_ID, launchResult(jobId(2), 101), noWait);
    expect(duplicate.appended).toEqual([]);
    expect(duplicate.stored).toEqual(await store.inner.readStream(STREAM));
  });

  it('decides the whole group again after another process appended: no event is lost', async () => {
    const store = new ObservedStore();
    const ids = await launching(store, 50);
    let interfered = false;
    store.beforeAppend = async (expectedVersion) => {
      if (interfered || expectedVersion === 0) return;
      interfered = true;
      // Just before this process's append, another one records server 50 (and wins).
      await store.foreignCommand(launchResult(jobOf(50), 50));
    };
    const results = await Promise.all(ids.slice(0, 49).map((n) => handleCommand(store, EXECUTION_ID, launchResult(jobOf(n), n), noWait)));
    expect(results.every((r) => r.appended.length === 1)).toBe(true);
    const all = await store.inner.readStream(STREAM);
    expect(new Set(all.filter((e) => e.type === 'ServerLaunched').map((e) => (e.data as { sourceServerId: string }).sourceServerId)).size).toBe(50);
    expect(verifyChain(all)).toEqual({ valid: true });
    // The conflict refreshed the cache with a read of the tail only.
    expect(store.reads).toBe(1);
    expect(store.tailReads.length).toBeGreaterThan(0);
  });

  it('gives up after maxAttempts conflicts, failing every command of the group with the last one', async () => {
    const store = new ObservedStore();
    await launching(store, 10);
    await loadExecution(store, EXECUTION_ID);
    // Before each of this process's appends, another process appends first.
    const others = [4, 5, 6, 7, 8, 9, 10];
    store.beforeAppend = async () => {
      const next = others.shift();
      if (next !== undefined) await store.foreignCommand(launchResult(jobOf(next), next));
    };
    const sleeps: number[] = [];
    const options = { maxAttempts: 2, sleep: async (ms: number) => void sleeps.push(ms) };
    const outcomes = await Promise.allSettled([1, 2, 3].map((n) => handleCommand(store, EXECUTION_ID, launchResult(jobOf(n), n), options)));
    expect(outcomes.map((o) => o.status === 'rejected' && o.reason instanceof StreamVersionConflictError)).toEqual([true, true, true]);
    // Decided together: one retry (jittered, at most 50 ms at the second attempt) for the group.
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeLessThanOrEqual(50);
    expect(others).toEqual([6, 7, 8, 9, 10]);
    expect(store.appends).toEqual([]);
  });

  it('splits a group whose commit is too large, and fails only a command too large alone', async () => {
    const store = new ObservedStore();
    const ids = await launching(store, 40);
    store.beforeAppend = async (_version, events) => {
      if (events.length > 8) throw new CommitTooLargeError(STREAM, events.length * 1000, 8000);
    };
    const results = await Promise.all(ids.map((n) => handleCommand(store, EXECUTION_ID, launchResult(jobOf(n), n), noWait)));
    expect(results.every((r) => r.appended.length >= 1)).toBe(true);
    expect(Math.max(...store.appends)).toBeLessThanOrEqual(8);
    expect((await store.inner.readStream(STREAM)).filter((e) => e.type === 'ServerLaunched')).toHaveLength(40);
    // Alone and still too large: that command fails, the others go on.
    const outcomes = await Promise.allSettled([
      handleCommand(store, 'other', { type: 'StartExecution', data: { executionId: 'other', mode: 'DRILL', plan: plan({ id: 'x', servers: ids }) }, metadata: startExecution(plan({ id: 'x', servers: [1] })).metadata }, noWait),
    ]);
    expect(outcomes[0]?.status === 'rejected' && outcomes[0].reason).toBeInstanceOf(CommitTooLargeError);
  });

  it('runs a command that starts a huge wave in a commit of its own', async () => {
    const store = new ObservedStore();
    const p = plan({ id: 'w', servers: Array.from({ length: 1000 }, (_, i) => i + 1) });
    const result = await handleCommand(store, EXECUTION_ID, startExecution(p), noWait);
    expect(result.appended).toHaveLength(1002);
    expect(store.appends).toEqual([1002]);
  });
});

describe('handleCommand and loadExecution: the cache', () => {
  it('reads only the commits after the cached version, and sees what other processes appended', async () => {
    const store = new ObservedStore();
    await launching(store, 3);
    const first = await loadExecution(store, EXECUTION_ID);
    expect(store.reads).toBe(1);
    await store.foreignCommand(launchResult(jobOf(1), 1));
    const second = await loadExecution(store, EXECUTION_ID);
    expect(store.reads).toBe(1);
    expect(store.tailReads).toEqual([first.version]);
    expect(second.version).toBe(first.version + 1);
    expect(second.stored).toEqual(await store.inner.readStream(STREAM));
    expect(second.state).toEqual(foldExecution(toExecutionEvents(second.stored)));
    // The first answer is the stream as it was then.
    expect(first.stored).toHaveLength(first.version);
  });

  it('shares one read among concurrent loads, and never answers from a read that started before the call', async () => {
    const store = new ObservedStore();
    await launching(store, 3);
    const loads = await Promise.all(Array.from({ length: 20 }, () => loadExecution(store, EXECUTION_ID)));
    expect(store.reads).toBe(1);
    expect(new Set(loads.map((l) => l.version)).size).toBe(1);

    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const original = store.readStreamFrom.bind(store);
    store.readStreamFrom = async (streamId, afterVersion) => {
      const events = await original(streamId, afterVersion);
      await gate;
      return events;
    };
    const early = loadExecution(store, EXECUTION_ID);
    await new Promise((resolve) => setImmediate(resolve));
    // Appended while the first read is under way: a load asked for now must see it.
    await store.foreignCommand(launchResult(jobOf(2), 2));
    const late = loadExecution(store, EXECUTION_ID);
    release();
    expect((await early).version).toBe(loads[0]!.version);
    expect((await late).version).toBe(loads[0]!.version + 1);
  });

  it('hands out copies: a caller changing its stored events does not change the cache', async () => {
    const store = new ObservedStore();
    await launching(store, 2);
    const loaded = await loadExecution(store, EXECUTION_ID);
    loaded.stored.length = 0;
    expect((await loadExecution(store, EXECUTION_ID)).stored).toHaveLength(loaded.version);
  });
});

describe('snapshots', () => {
  /** A state with every Map and Set of the facts filled. */
  function richHistory() {
    const p = withWave(
      plan({ id: 'db', servers: [1, 2] }, { id: 'app', dependsOn: ['db'], servers: [3] }, { id: 'web', dependsOn: ['app'], servers: [4] }),
      'app',
      { preSteps: [{ stepId: 'gate', type: 'APPROVAL', name: 'gate', prompt: 'Go?', timeoutSeconds: 600, onTimeout: 'FAIL' }] },
    );
    const h = history(startExecution(p), pause('web'), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), launchResult(jobId(1), 2, 'FAILED', 'x'));
    return { p, h };
  }

  it('serializes every state to JSON and back', () => {
    const { h } = richHistory();
    const states: ExecutionState[] = [foldExecution([])];
    for (let i = 1; i <= h.length; i++) states.push(foldExecution(h.slice(0, i)));
    const p2 = plan({ id: 'a', servers: [1] });
    const approved = history(startExecution(p2), recordJob('a-b1', jobId(1), [1]), launchResult(jobId(1), 1), verification(1));
    states.push(foldExecution(approved));
    const cleaned = history(startExecution(p2), recordJob('a-b1', jobId(1), [1]), launchResult(jobId(1), 1), verification(1), cleanup());
    states.push(foldExecution(cleaned), foldExecution([...cleaned, ...decide(cleanupResult([`i-${(1).toString(16).padStart(17, '0')}`]), foldExecution(cleaned))]));
    const retried = history(startExecution(p2), recordJob('a-b1', jobId(1), [1]), launchResult(jobId(1), 1, 'FAILED'), retry());
    states.push(foldExecution(retried), foldExecution(history(startExecution(p2), cancel())));
    for (const state of states) expect(deserializeExecutionState(JSON.parse(JSON.stringify(serializeExecutionState(state))))).toEqual(state);
    // The rich one really has what a snapshot must keep.
    const rich = foldExecution(h);
    expect(rich.status !== 'NOT_STARTED' && [rich.pauseBeforeWaveIds.size, rich.jobs.size, rich.batches.size, rich.steps.size]).toEqual([1, 1, 1, 1]);
  });

  it('ignores a snapshot of another format, or that is not one', () => {
    expect(deserializeExecutionState({ ...serializeExecutionState(foldExecution(richHistory().h)), format: EXECUTION_STATE_FORMAT + 1 })).toBeUndefined();
    expect(deserializeExecutionState('nope')).toBeUndefined();
    expect(deserializeExecutionState({ format: EXECUTION_STATE_FORMAT })).toBeUndefined();
  });

  it(`writes one every ${SNAPSHOT_EVERY_EVENTS} events; a cold load starts from it and equals the full fold`, async () => {
    const store = new ObservedStore();
    const ids = Array.from({ length: 300 }, (_, i) => i + 1);
    await handleCommand(store, EXECUTION_ID, startExecution(plan({ id: 'w', servers: ids })), noWait);
    for (let b = 0; b < 3; b++) await handleCommand(store, EXECUTION_ID, recordJob(`w-b${b + 1}`, jobId(b + 1), ids.slice(b * 100, b * 100 + 100)), noWait);
    expect(store.inner.snapshots.writes).toBe(0);
    await Promise.all(ids.map((n) => handleCommand(store, EXECUTION_ID, launchResult(jobOf(n), n), noWait)));
    expect(store.inner.snapshots.writes).toBe(1);
    const snapshot = await store.snapshots.read(STREAM);
    expect(snapshot?.version).toBeGreaterThanOrEqual(SNAPSHOT_EVERY_EVENTS);

    forgetCachedExecutions(store);
    const all = await store.inner.readStream(STREAM);
    const cold = await loadExecution(store, EXECUTION_ID);
    expect(cold.stored).toEqual(all);
    expect(cold.state).toEqual(foldExecution(toExecutionEvents(all)));

    // Written again 500 events later, not before.
    await handleCommand(store, EXECUTION_ID, verification(1), noWait);
    expect(store.inner.snapshots.writes).toBe(1);
  });

  it('uses a snapshot of this history and ignores one of another', async () => {
    const store = new ObservedStore();
    await launching(store, 3);
    const all = await store.inner.readStream(STREAM);
    const at = all[4]!;
    const state = foldExecution(toExecutionEvents(all.slice(0, 5)));
    if (state.status === 'NOT_STARTED') throw new Error('not started');
    await store.snapshots.write({ streamId: STREAM, version: 5, hash: at.hash, state: serializeExecutionState({ ...state, retries: 42 }) });
    forgetCachedExecutions(store);
    const used = await loadExecution(store, EXECUTION_ID);
    expect(used.state.status !== 'NOT_STARTED' && used.state.retries).toBe(42);
    expect(used.stored).toEqual(all);

    const other = new ObservedStore();
    await launching(other, 3);
    await other.snapshots.write({ streamId: STREAM, version: 5, hash: 'f'.repeat(64), state: serializeExecutionState({ ...state, retries: 42 }) });
    const ignored = await loadExecution(other, EXECUTION_ID);
    expect(ignored.state).toEqual(foldExecution(toExecutionEvents(ignored.stored)));
    expect(ignored.state.status !== 'NOT_STARTED' && ignored.state.retries).toBe(0);
  });

  it('keeps working when the snapshots cannot be read or written', async () => {
    const store = new ObservedStore();
    const failing: SnapshotStore = { read: async () => { throw new Error('AccessDenied'); }, write: async () => { throw new Error('AccessDenied'); } };
    Object.defineProperty(store, 'snapshots', { value: failing });
    const ids = await launching(store, 600);
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      const results = await Promise.all(ids.map((n) => handleCommand(store, EXECUTION_ID, launchResult(jobOf(n), n), noWait)));
      expect(results.every((r) => r.appended.length >= 1)).toBe(true);
    } finally {
      console.warn = warn;
    }
  });
});
