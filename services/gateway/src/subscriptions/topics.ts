import type { DomainEvent } from '@lifeboat/events';
import type { Topic } from './feed.js';

/** The topic of one execution's stream (executionEvents, executionUpdated). */
export function executionTopic(executionId: string): Topic {
  return `execution:${executionId}`;
}

/** Lifecycle changes of every execution (executions). */
export const EXECUTIONS_TOPIC: Topic = 'executions';
/** Changes of the catalog's inventory (inventoryChanged). */
export const INVENTORY_TOPIC: Topic = 'inventory';
/** Changes of the pending approvals (approvalsPending). */
export const APPROVALS_TOPIC: Topic = 'approvals';

/**
 * What the `executions` subscription reports: an execution starting, pausing, resuming, starting
 * or ending a wave, being cancelled, ending, cleaning up; not each server's progress.
 */
export const EXECUTION_LIFECYCLE_EVENTS: ReadonlySet<string> = new Set([
  'ExecutionStarted',
  'ExecutionPaused',
  'ExecutionPauseScheduled',
  'ExecutionResumed',
  'WaveStarted',
  'WaveCompleted',
  'WaveFailed',
  'WaveSkipped',
  'CancelRequested',
  'ExecutionCancelled',
  'ExecutionCompleted',
  'ExecutionFailed',
  'DrillCleanupStarted',
  'DrillCleanupCompleted',
]);

/**
 * What changes the list of pending approvals: an approval asked for or decided, and the events
 * that cancel or end an execution (its pending approvals are withdrawn then).
 */
export const APPROVAL_EVENTS: ReadonlySet<string> = new Set([
  'ApprovalRequested',
  'ApprovalGranted',
  'ApprovalRejected',
  'ApprovalTimedOut',
  'CancelRequested',
  'ExecutionCancelled',
  'ExecutionCompleted',
  'ExecutionFailed',
]);

/** The catalog's inventory events (source lifeboat.catalog). */
export const INVENTORY_EVENTS: ReadonlySet<string> = new Set(['SourceServerDiscovered', 'SourceServerChanged', 'SourceServerRemoved']);

/** The execution an event belongs to (`data.executionId`), or undefined when it has none. */
export function executionIdOf(event: DomainEvent): string | undefined {
  const data = event.data as { executionId?: unknown } | null | undefined;
  return data && typeof data.executionId === 'string' && data.executionId !== '' ? data.executionId : undefined;
}

/** Whether an event carries its place in an execution's stream (only stream events do). */
function hasStreamPosition(event: DomainEvent): boolean {
  return typeof event.metadata.streamVersion === 'number' && typeof event.metadata.hash === 'string';
}

/**
 * The topics a bus event feeds: its execution's stream (an event with an execution id and a stream
 * position), `executions` (lifecycle events), `approvals` (approval and ending events) and
 * `inventory` (the catalog's SourceServer* events). None for anything else.
 */
export function topicsOf(event: DomainEvent): Topic[] {
  if (INVENTORY_EVENTS.has(event.type)) return [INVENTORY_TOPIC];
  const executionId = executionIdOf(event);
  if (executionId === undefined || !hasStreamPosition(event)) return [];
  const topics: Topic[] = [executionTopic(executionId)];
  if (EXECUTION_LIFECYCLE_EVENTS.has(event.type)) topics.push(EXECUTIONS_TOPIC);
  if (APPROVAL_EVENTS.has(event.type)) topics.push(APPROVALS_TOPIC);
  return topics;
}
