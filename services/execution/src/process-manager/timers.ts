import type { DomainEvent } from '@lifeboat/events';
import type { TimerFiring, TimerSchedules } from '../adapters/scheduler.js';
import { scheduleNameOf } from '../adapters/scheduler.js';
import { handleCommand, loadExecution } from '../command-handler.js';
import { isExecutionError } from '../domain/errors.js';
import type { TimerScheduled } from '../domain/events.js';
import type { EventStore } from '../event-store/event-store.js';
import { log } from '../config.js';
import { commandMetadata, PROCESS_MANAGER } from './commands.js';

export interface ScheduleTimerDeps {
  store: EventStore;
  schedules: TimerSchedules;
  clock: () => Date;
  /** Waits before recording a timer due in a moment (default: a real timer). */
  sleep?: (ms: number) => Promise<void>;
}

export type ScheduleTimerOutcome = 'scheduled' | 'already-scheduled' | 'recorded-now' | 'already-elapsed';

/** Timers due within this are not worth a schedule: the function waits and records them itself. */
export const IMMEDIATE_WINDOW_MS = 2_000;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reacts to TimerScheduled: a one-time EventBridge Scheduler schedule invokes timerElapsed at
 * fireAt. A schedule of that name already there is this timer's (a duplicate delivery). A timer
 * that has already elapsed needs nothing; one due in a moment (or overdue, a late delivery) is
 * recorded directly, since Scheduler would not fire a time in the past.
 */
export async function scheduleTimer(deps: ScheduleTimerDeps, event: DomainEvent): Promise<ScheduleTimerOutcome> {
  const { executionId, timerId, fireAt } = (event as TimerScheduled).data;
  const { state } = await loadExecution(deps.store, executionId);
  if (state.status !== 'NOT_STARTED' && state.timers.get(timerId)?.status === 'ELAPSED') return 'already-elapsed';

  const due = new Date(fireAt);
  const inMs = due.getTime() - deps.clock().getTime();
  if (inMs <= IMMEDIATE_WINDOW_MS) {
    if (inMs > 0) await (deps.sleep ?? realSleep)(inMs);
    await recordTimerElapsed({ store: deps.store, clock: deps.clock }, { executionId, timerId }, event.metadata.eventId);
    return 'recorded-now';
  }
  const name = scheduleNameOf(executionId, timerId);
  const created = await deps.schedules.create({ name, fireAt: due, firing: { executionId, timerId } });
  log('info', created === 'created' ? 'timer scheduled' : 'timer schedule already there', { executionId, timerId, fireAt, schedule: name });
  return created === 'created' ? 'scheduled' : 'already-scheduled';
}

export type TimerElapsedOutcome = 'recorded' | 'duplicate' | 'ignored';

/**
 * A timer fired: RecordTimerElapsed. A duplicate or stale firing decides nothing; a firing the
 * execution does not know (a schedule left over from a deleted stream) is logged and dropped,
 * since retrying it cannot help.
 */
export async function recordTimerElapsed(deps: { store: EventStore; clock: () => Date }, firing: TimerFiring, causationId: string | null = null): Promise<TimerElapsedOutcome> {
  try {
    const { appended } = await handleCommand(deps.store, firing.executionId, {
      type: 'RecordTimerElapsed',
      data: { timerId: firing.timerId },
      metadata: commandMetadata(deps.clock(), PROCESS_MANAGER, causationId),
    });
    return appended.length > 0 ? 'recorded' : 'duplicate';
  } catch (error) {
    if (isExecutionError(error, 'UNKNOWN_TIMER') || isExecutionError(error, 'EXECUTION_NOT_STARTED')) {
      log('warn', 'firing of a timer the execution does not know: ignored', { ...firing, reason: (error as Error).message });
      return 'ignored';
    }
    throw error;
  }
}

/** The timerElapsed function's input (the schedule's Input), checked. */
export function parseTimerFiring(input: unknown): TimerFiring {
  const value = (typeof input === 'string' ? JSON.parse(input) : input) as Partial<TimerFiring> | null;
  if (!value || typeof value.executionId !== 'string' || typeof value.timerId !== 'string' || value.executionId === '' || value.timerId === '') {
    throw new Error(`timerElapsed needs {executionId, timerId}, got ${JSON.stringify(input)}`);
  }
  return { executionId: value.executionId, timerId: value.timerId };
}
