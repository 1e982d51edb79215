import type { DomainEvent } from '@lifeboat/events';
import type { ExecutionCommand } from './domain/commands.js';
import { decide } from './domain/decide.js';
import type { ExecutionEvent } from './domain/events.js';
import { isExecutionEvent } from './domain/events.js';
import { foldExecution } from './domain/evolve.js';
import type { ExecutionState } from './domain/state.js';
import type { EventStore, StoredEvent } from './event-store/event-store.js';
import { StreamVersionConflictError, toPublishedEvent } from './event-store/event-store.js';

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

export async function loadExecution(store: EventStore, executionId: string): Promise<LoadedExecution> {
  const stored = await store.readStream(streamIdOf(executionId));
  return { stored, state: foldExecution(toExecutionEvents(stored)), version: stored.at(-1)?.version ?? 0 };
}

export interface CommandResult {
  /** The events this command appended ([] when it had already been applied). */
  appended: StoredEvent[];
  /** The whole stream after the command. */
  stored: StoredEvent[];
  state: ExecutionState;
}

export interface HandleCommandOptions {
  /** Attempts in all, the first included (default 8). */
  maxAttempts?: number;
  /** Waits before a new attempt (default: a real timer). */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Read, fold, decide, append at the version read; on a version conflict (another writer got
 * there first) wait a little (jittered, growing) and read and decide again, a few times.
 * Invariant errors of the decider pass through; so does the last conflict.
 */
export async function handleCommand(store: EventStore, executionId: string, command: ExecutionCommand, options: HandleCommandOptions = {}): Promise<CommandResult> {
  const maxAttempts = options.maxAttempts ?? 8;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    // Many launch results of one job arrive together: spread the retries out.
    if (attempt > 1) await sleep(Math.round(Math.random() * Math.min(1000, 25 * 2 ** (attempt - 1))));
    const { stored, state, version } = await loadExecution(store, executionId);
    const events = decide(command, state);
    if (events.length === 0) return { appended: [], stored, state };
    try {
      const appended = await store.appendToStream(streamIdOf(executionId), version, events);
      const all = [...stored, ...appended];
      return { appended, stored: all, state: foldExecution(toExecutionEvents(all)) };
    } catch (error) {
      if (!(error instanceof StreamVersionConflictError) || attempt >= maxAttempts) throw error;
    }
  }
}
