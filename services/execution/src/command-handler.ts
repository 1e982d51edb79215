import type { DomainEvent } from '@lifeboat/events';
import { log } from './config.js';
import type { ExecutionCommand } from './domain/commands.js';
import { decide } from './domain/decide.js';
import type { ExecutionEvent } from './domain/events.js';
import { isExecutionEvent } from './domain/events.js';
import { evolveAll, initialState } from './domain/evolve.js';
import { deserializeExecutionState, serializeExecutionState } from './domain/snapshot.js';
import type { ExecutionState } from './domain/state.js';
import type { EventStore, StoredEvent, StreamSnapshot } from './event-store/event-store.js';
import { CommitTooLargeError, StreamVersionConflictError, toPublishedEvent } from './event-store/event-store.js';

/** The stream of one execution (ARCHITECTURE §3). */
export function streamIdOf(executionId: string): string {
  return `execution/${executionId}`;
}

/** The domain events of a stream, typed; a stream holding anything else is corrupt. */
export function toExecutionEvents(stored: readonly StoredEvent[]): ExecutionEvent[] {
  return stored.map((s) => {
    const event: DomainEvent = toPublishedEvent(s);
    if (!isExecutionEvent(event)) throw new Error(`Stream ${s.streamId} holds an event of unknown type ${s.type} at version ${s.version}`);
    return event;
  });
}

export interface LoadedExecution {
  /** Every stored event of the stream. */
  stored: StoredEvent[];
  state: ExecutionState;
  /** The stream's version (0 when it does not exist). */
  version: number;
}

export interface CommandResult {
  /** The events this command appended ([] when it had already been applied). */
  appended: StoredEvent[];
  /** The whole stream after the command. */
  stored: StoredEvent[];
  state: ExecutionState;
}

export interface HandleCommandOptions {
  /** Attempts in all, the first included (default 8). Commands decided together use the first one's. */
  maxAttempts?: number;
  /** Waits before a new attempt (default: a real timer). */
  sleep?: (ms: number) => Promise<void>;
}

/** Commands decided together and appended in one commit, at most. */
export const MAX_GROUP_COMMANDS = 200;
/** Once a group's decisions reach this many events, the next commands wait for the next group (commits stay small). */
export const MAX_GROUP_EVENTS = 1_000;
/** A snapshot of the state is written when the stream grew by this many events since the last one. */
export const SNAPSHOT_EVERY_EVENTS = 500;
/** The executions kept in memory per store (least recently used go first)... */
export const MAX_CACHED_EXECUTIONS = 50;
/** ...and the events they may hold together (a 4,000-server execution has ~20,000). */
export const MAX_CACHED_EVENTS = 200_000;
/**
 * A cached stream confirmed current (read or appended) more recently than this is decided on
 * directly (the append checks it); older, it is read again first: a conflicting append costs
 * more than a read that finds nothing new.
 */
const FRESH_FOR_MS = 100;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An execution as this process knows it: every event, the version and the folded state. */
interface CachedExecution {
  /** Grows in place (push); callers get copies. */
  stored: StoredEvent[];
  version: number;
  state: ExecutionState;
  /** Version of the latest snapshot known to be kept (or tried); 0: none. */
  snapshotVersion: number;
  /** When the stream was last known to be at `version` (performance.now()). */
  confirmedAt: number;
}

interface PendingCommand {
  command: ExecutionCommand;
  options: HandleCommandOptions;
  resolve: (result: CommandResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs a read of the stream for every caller, starting after the caller asked: a read already
 * under way may predate the caller's knowledge (an event it reacts to), so callers arriving during
 * one share the next one instead.
 */
class ReadCoalescer {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly read: () => Promise<void>) {}

  get busy(): boolean {
    return this.running !== undefined || this.next !== undefined;
  }

  sync(): Promise<void> {
    if (!this.running) {
      const run = this.read().finally(() => {
        if (this.running === run) this.running = undefined;
      });
      this.running = run;
      return run;
    }
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.sync();
      });
    return this.next;
  }
}

/** One execution in one process: its cached stream and the queue of commands waiting to be decided. */
class ExecutionSlot {
  entry: CachedExecution | undefined;
  readonly queue: PendingCommand[] = [];
  draining = false;
  readonly reads: ReadCoalescer;

  constructor(
    readonly store: EventStore,
    readonly executionId: string,
  ) {
    this.reads = new ReadCoalescer(() => this.readLatest());
  }

  get streamId(): string {
    return streamIdOf(this.executionId);
  }

  get busy(): boolean {
    return this.draining || this.queue.length > 0 || this.reads.busy;
  }

  /** Cold: the whole stream (and the latest snapshot, to skip folding); warm: only what came after the cached version. */
  private async readLatest(): Promise<void> {
    const startedAt = performance.now();
    const cached = this.entry;
    if (!cached) {
      this.entry = await coldLoad(this.store, this.streamId, startedAt);
      return;
    }
    const newer = await this.store.readStreamFrom(this.streamId, cached.version);
    if (!this.absorb(newer)) {
      // Not a continuation of what is cached (never expected): start over from the store.
      this.entry = await coldLoad(this.store, this.streamId, startedAt);
      return;
    }
    if (this.entry) this.entry.confirmedAt = Math.max(this.entry.confirmedAt, startedAt);
  }

  /**
   * Adds events read or appended after the cached ones (those already cached are skipped, as
   * concurrent reads may bring the same ones); false when they do not continue the chain.
   */
  absorb(events: readonly StoredEvent[], stateAfter?: { version: number; state: ExecutionState }): boolean {
    const entry = this.entry;
    if (!entry) return false;
    const fresh = events.filter((e) => e.version > entry.version);
    if (fresh.length === 0) return true;
    let previous = entry.stored.at(-1)?.hash ?? null;
    let version = entry.version;
    for (const e of fresh) {
      if (e.version !== version + 1 || e.previousHash !== previous) return false;
      previous = e.hash;
      version = e.version;
    }
    // The group's own decisions already evolved the state: no need to fold them again.
    const state = stateAfter && stateAfter.version === version && fresh.length === events.length ? stateAfter.state : evolveAll(entry.state, toExecutionEvents(fresh));
    for (const e of fresh) entry.stored.push(e);
    entry.version = version;
    entry.state = state;
    return true;
  }
}

async function coldLoad(store: EventStore, streamId: string, startedAt: number): Promise<CachedExecution> {
  const [stored, snapshot] = await Promise.all([store.readStream(streamId), readSnapshot(store, streamId)]);
  let state = initialState;
  let from = 0;
  let snapshotVersion = 0;
  // Usable only when it is of this stream's history (the hash of the event it ends with) and of a known format.
  const at = snapshot ? stored[snapshot.version - 1] : undefined;
  if (snapshot && at && at.version === snapshot.version && at.hash === snapshot.hash) {
    const restored = deserializeExecutionState(snapshot.state);
    if (restored) {
      state = restored;
      from = snapshot.version;
      snapshotVersion = snapshot.version;
    }
  }
  state = evolveAll(state, toExecutionEvents(stored.slice(from)));
  return { stored, version: stored.at(-1)?.version ?? 0, state, snapshotVersion, confirmedAt: startedAt };
}

async function readSnapshot(store: EventStore, streamId: string): Promise<StreamSnapshot | undefined> {
  if (!store.snapshots) return undefined;
  try {
    return await store.snapshots.read(streamId);
  } catch (error) {
    // A cache: without it the whole stream is folded.
    log('warn', 'could not read the snapshot of a stream', { streamId, error });
    return undefined;
  }
}

/** Best effort, every SNAPSHOT_EVERY_EVENTS events. */
async function maybeWriteSnapshot(slot: ExecutionSlot): Promise<void> {
  const entry = slot.entry;
  const snapshots = slot.store.snapshots;
  const last = entry?.stored.at(-1);
  if (!entry || !snapshots || !last || entry.version - entry.snapshotVersion < SNAPSHOT_EVERY_EVENTS) return;
  // Marked before writing: a failing write is tried again 500 events later, not after every command.
  entry.snapshotVersion = entry.version;
  try {
    await snapshots.write({ streamId: slot.streamId, version: last.version, hash: last.hash, state: serializeExecutionState(entry.state) });
  } catch (error) {
    log('warn', 'could not write the snapshot of a stream', { streamId: slot.streamId, version: last.version, error });
  }
}

// ---------------------------------------------------------------- the per-process cache

/** The slots of one store, least recently used first (Map order). */
class ExecutionCache {
  private readonly slots = new Map<string, ExecutionSlot>();

  constructor(private readonly store: EventStore) {}

  slot(executionId: string): ExecutionSlot {
    let slot = this.slots.get(executionId);
    if (slot) this.slots.delete(executionId);
    else slot = new ExecutionSlot(this.store, executionId);
    this.slots.set(executionId, slot);
    return slot;
  }

  /** Drops the least recently used idle executions beyond the limits (a busy one stays: its work needs it). */
  trim(): void {
    let events = 0;
    for (const slot of this.slots.values()) events += slot.entry?.stored.length ?? 0;
    for (const [executionId, slot] of this.slots) {
      if (this.slots.size <= MAX_CACHED_EXECUTIONS && events <= MAX_CACHED_EVENTS) return;
      if (slot.busy) continue;
      this.slots.delete(executionId);
      events -= slot.entry?.stored.length ?? 0;
    }
  }

  forget(): void {
    for (const [executionId, slot] of this.slots) if (!slot.busy) this.slots.delete(executionId);
  }
}

const caches = new WeakMap<EventStore, ExecutionCache>();

function cacheOf(store: EventStore): ExecutionCache {
  let cache = caches.get(store);
  if (!cache) {
    cache = new ExecutionCache(store);
    caches.set(store, cache);
  }
  return cache;
}

/** Forgets what this process cached of the store's executions (tests; nothing needs it for correctness). */
export function forgetCachedExecutions(store: EventStore): void {
  caches.get(store)?.forget();
}

/**
 * A copy of the first `length` events, made only when read: the cached list only grows at its
 * end, so the copy is the stream as it was when the result was made.
 */
function withStored<T extends object>(result: T, all: StoredEvent[], length: number): T & { stored: StoredEvent[] } {
  let copy: StoredEvent[] | undefined;
  return Object.defineProperty(result, 'stored', {
    enumerable: true,
    get: () => (copy ??= all.slice(0, length)),
  }) as T & { stored: StoredEvent[] };
}

function snapshotOf(entry: CachedExecution): LoadedExecution {
  return withStored({ state: entry.state, version: entry.version }, entry.stored, entry.stored.length);
}

/**
 * The execution as it is now: what this process cached of it, brought up to date with a read of
 * the commits after the cached version (a cold load reads the whole stream and the latest
 * snapshot, which spares folding the events up to it).
 */
export async function loadExecution(store: EventStore, executionId: string): Promise<LoadedExecution> {
  const cache = cacheOf(store);
  const slot = cache.slot(executionId);
  await slot.reads.sync();
  const entry = slot.entry;
  if (!entry) throw new Error(`Execution ${executionId} could not be loaded`);
  const loaded = snapshotOf(entry);
  cache.trim();
  return loaded;
}

// ---------------------------------------------------------------- group commit

/**
 * Decides the command and appends what it causes, with optimistic concurrency.
 *
 * Commands for one execution handled concurrently in this process are queued and decided
 * together by one drainer, one after the other against the evolving state, and their events
 * appended in one commit (group commit): hundreds of concurrent launch results cost a few
 * appends instead of a storm of conflicts. A command whose decision throws fails alone. On a
 * version conflict (another process appended) the stream is read again and the whole group
 * decided again, after a jittered, growing wait; the last conflict passes through. Invariant
 * errors of the decider pass through to their command's caller.
 */
export function handleCommand(store: EventStore, executionId: string, command: ExecutionCommand, options: HandleCommandOptions = {}): Promise<CommandResult> {
  const cache = cacheOf(store);
  const slot = cache.slot(executionId);
  return new Promise<CommandResult>((resolve, reject) => {
    slot.queue.push({ command, options, resolve, reject });
    if (slot.draining) return;
    slot.draining = true;
    // After the current task's other commands joined the queue (e.g. a Promise.all of them).
    queueMicrotask(() => void drain(slot, cache));
  });
}

async function drain(slot: ExecutionSlot, cache: ExecutionCache): Promise<void> {
  try {
    while (slot.queue.length > 0) {
      const group = slot.queue.splice(0, MAX_GROUP_COMMANDS);
      let deferred: PendingCommand[];
      try {
        deferred = await decideAndAppend(slot, group);
      } catch (error) {
        // Reading the stream failed (or a bug): every command of the group learns it.
        for (const pending of group) pending.reject(error);
        deferred = [];
      }
      slot.queue.unshift(...deferred);
    }
  } finally {
    slot.draining = false;
    cache.trim();
  }
}

type Outcome = { events: ExecutionEvent[] } | { error: unknown };

/**
 * Decides a group of commands and appends their events in one commit; settles every command it
 * took and answers those it left for the next group (too many events already).
 */
async function decideAndAppend(slot: ExecutionSlot, group: PendingCommand[]): Promise<PendingCommand[]> {
  const first = group[0];
  if (!first) return [];
  const maxAttempts = first.options.maxAttempts ?? 8;
  const sleep = first.options.sleep ?? defaultSleep;
  // True once a read that started after these commands arrived is in the cache.
  let readSinceArrival = false;
  const readAgain = async () => {
    await slot.reads.sync();
    readSinceArrival = true;
  };
  if (!slot.entry || performance.now() - slot.entry.confirmedAt > FRESH_FOR_MS) await readAgain();

  for (let attempt = 1; ; ) {
    const entry = slot.entry;
    if (!entry) throw new Error(`Execution ${slot.executionId} could not be loaded`);
    const base = entry.version;

    let state = entry.state;
    const outcomes: Outcome[] = [];
    const events: ExecutionEvent[] = [];
    for (const pending of group) {
      if (outcomes.length > 0 && events.length >= MAX_GROUP_EVENTS) break;
      try {
        const decided = decide(pending.command, state);
        state = evolveAll(state, decided);
        for (const event of decided) events.push(event);
        outcomes.push({ events: decided });
      } catch (error) {
        outcomes.push({ error });
      }
    }
    const members = group.slice(0, outcomes.length);
    const deferred = group.slice(outcomes.length);

    if (events.length === 0) {
      // Nothing to append, so no append confirms the state decided on: make sure it was current.
      if (!readSinceArrival) {
        await readAgain();
        if (slot.entry?.version !== base) continue;
      }
      await maybeWriteSnapshot(slot);
      settle(members, outcomes, [], entry);
      return deferred;
    }

    let appended: StoredEvent[];
    try {
      appended = await slot.store.appendToStream(slot.streamId, base, events);
    } catch (error) {
      if (error instanceof StreamVersionConflictError && attempt < maxAttempts) {
        // Another process appended: read what it did and decide the whole group again.
        attempt++;
        // Many launch results of one job arrive together: spread the retries out.
        await sleep(Math.round(Math.random() * Math.min(1000, 25 * 2 ** (attempt - 1))));
        await readAgain();
        continue;
      }
      if (error instanceof CommitTooLargeError && members.length > 1) {
        // Together too large: the first half now, the rest in the groups after.
        const half = Math.ceil(members.length / 2);
        const left = await decideAndAppend(slot, members.slice(0, half));
        return [...left, ...members.slice(half), ...deferred];
      }
      for (const pending of members) pending.reject(error);
      return deferred;
    }
    const appendedAt = performance.now();
    if (!slot.absorb(appended, { version: appended.at(-1)?.version ?? base, state })) {
      // The cache moved under the append (never expected): read it again before answering.
      slot.entry = undefined;
      await slot.reads.sync();
    }
    const after = slot.entry;
    if (!after) throw new Error(`Execution ${slot.executionId} could not be loaded`);
    after.confirmedAt = Math.max(after.confirmedAt, appendedAt);
    // Before answering: a Lambda may be frozen as soon as its handler returns.
    await maybeWriteSnapshot(slot);
    settle(members, outcomes, appended, after);
    return deferred;
  }
}

/** Answers each command with its own events (in the order decided) and the stream after the commit. */
function settle(members: PendingCommand[], outcomes: Outcome[], appended: StoredEvent[], entry: CachedExecution): void {
  let offset = 0;
  const length = entry.stored.length;
  members.forEach((pending, i) => {
    const outcome = outcomes[i];
    if (!outcome) return;
    if ('error' in outcome) {
      pending.reject(outcome.error);
      return;
    }
    const own = appended.slice(offset, offset + outcome.events.length);
    offset += outcome.events.length;
    pending.resolve(withStored({ appended: own, state: entry.state }, entry.stored, length));
  });
}
