import type { DomainEvent } from '@lifeboat/events';
import { newEventId } from '@lifeboat/events';
import type { Caller, ExecutionMode, ExecutionOperations, ExecutionView, FieldProblem, Operations, PlanSnapshot, StoredEventView } from '@lifeboat/service-api';
import { ForbiddenError, NotFoundError, ValidationError, may, operation } from '@lifeboat/service-api';
import { handleCommand, streamIdOf } from '../command-handler.js';
import { isExecutionError } from '../domain/errors.js';
import { projectExecution } from '../domain/projection.js';
import type { EventStore, StoredEvent } from '../event-store/event-store.js';
import { toPublishedEvent } from '../event-store/event-store.js';
import type { ExecutionList } from '../read-models/executions.js';

/** Planning's resolveRecoveryPlan, called on behalf of the caller. */
export type PlanResolver = (input: { planId: string; version?: number }, caller: Caller) => Promise<PlanSnapshot>;

export interface ExecutionApiDeps {
  store: EventStore;
  executions: ExecutionList;
  resolvePlan: PlanResolver;
  clock: () => Date;
}

type Input<K extends keyof ExecutionOperations> = ExecutionOperations[K]['input'];
type Result<K extends keyof ExecutionOperations> = ExecutionOperations[K]['result'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireObject(input: unknown): Record<string, unknown> {
  if (!isRecord(input)) throw new ValidationError('input must be an object', 'input');
  return input;
}

function checkId(input: Record<string, unknown>, field: string, problems: FieldProblem[]): string {
  const value = input[field];
  if (typeof value !== 'string' || value.trim() === '') problems.push({ field, message: 'is required' });
  else if (value.length > 200) problems.push({ field, message: 'is too long' });
  return typeof value === 'string' ? value : '';
}

function checkOptionalInteger(input: Record<string, unknown>, field: string, min: number, problems: FieldProblem[]): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    problems.push({ field, message: `must be an integer of at least ${min}` });
    return undefined;
  }
  return value;
}

function viewOf(stored: readonly StoredEvent[]): ExecutionView | undefined {
  return projectExecution(stored.map((s): DomainEvent => toPublishedEvent(s)));
}

/** The execution service's API operations (ExecutionOperations of @lifeboat/service-api). */
export function createExecutionApi(deps: ExecutionApiDeps): Operations {
  return {
    startExecution: operation('drill:run', async (raw: Input<'startExecution'>, caller): Promise<Result<'startExecution'>> => {
      const input = requireObject(raw);
      const problems: FieldProblem[] = [];
      const planId = checkId(input, 'planId', problems);
      const planVersion = checkOptionalInteger(input, 'planVersion', 1, problems);
      const mode = input.mode;
      if (mode !== 'DRILL' && mode !== 'RECOVERY') problems.push({ field: 'mode', message: 'must be DRILL or RECOVERY' });
      if (input.confirmation !== undefined && typeof input.confirmation !== 'string') problems.push({ field: 'confirmation', message: 'must be a string' });
      if (problems.length > 0) throw new ValidationError(problems);
      const executionMode = mode as ExecutionMode;
      if (executionMode === 'RECOVERY' && !may(caller.roles, 'recovery:run')) throw new ForbiddenError('A RECOVERY needs the recovery:run permission');

      const plan = await deps.resolvePlan({ planId, ...(planVersion !== undefined ? { version: planVersion } : {}) }, caller);
      if (executionMode === 'RECOVERY' && input.confirmation !== plan.name) {
        throw new ValidationError([{ field: 'confirmation', message: `type the plan's name "${plan.name}" to confirm a real recovery` }]);
      }

      const now = deps.clock();
      const executionId = newEventId(now);
      try {
        const { stored } = await handleCommand(deps.store, executionId, {
          type: 'StartExecution',
          data: { executionId, mode: executionMode, plan },
          metadata: { commandId: newEventId(now), now: now.toISOString(), actor: { type: 'user', id: caller.userId, name: caller.username }, causationId: null },
        });
        const view = viewOf(stored);
        if (!view) throw new Error(`Execution ${executionId} was not started`);
        return view;
      } catch (error) {
        if (isExecutionError(error, 'INVALID_PLAN')) throw new ValidationError(error.problems.map((message) => ({ field: 'planId', message })));
        throw error;
      }
    }),

    getExecution: operation('read', async (raw: Input<'getExecution'>): Promise<Result<'getExecution'>> => {
      const input = requireObject(raw);
      const problems: FieldProblem[] = [];
      const executionId = checkId(input, 'executionId', problems);
      if (problems.length > 0) throw new ValidationError(problems);
      const view = viewOf(await deps.store.readStream(streamIdOf(executionId)));
      if (!view) throw new NotFoundError(`Execution ${executionId} does not exist`, 'executionId');
      return view;
    }),

    listExecutions: operation('read', async (): Promise<Result<'listExecutions'>> => deps.executions.list()),

    getExecutionEvents: operation('read', async (raw: Input<'getExecutionEvents'>): Promise<Result<'getExecutionEvents'>> => {
      const input = requireObject(raw);
      const problems: FieldProblem[] = [];
      const executionId = checkId(input, 'executionId', problems);
      const afterVersion = checkOptionalInteger(input, 'afterVersion', 0, problems) ?? 0;
      if (problems.length > 0) throw new ValidationError(problems);
      const stored = await deps.store.readStream(streamIdOf(executionId));
      if (stored.length === 0) throw new NotFoundError(`Execution ${executionId} does not exist`, 'executionId');
      return stored.filter((e) => e.version > afterVersion).map(toStoredEventView);
    }),
  };
}

export function toStoredEventView(event: StoredEvent): StoredEventView {
  return {
    streamVersion: event.version,
    eventId: event.metadata.eventId,
    type: event.type,
    occurredAt: event.metadata.occurredAt,
    actor: event.metadata.actor.id,
    data: event.data,
    previousHash: event.previousHash,
    hash: event.hash,
  };
}
