import { newEventId } from '@lifeboat/events';
import type { Caller, ExecutionMode, ExecutionOperations, ExecutionView, FieldProblem, Operations, Permission, PlanSnapshot, PointInTime, StartExecutionOptions, StoredEventView } from '@lifeboat/service-api';
import { ConflictError, ForbiddenError, MAX_TAIL_EVENTS, NotFoundError, ValidationError, may, operation } from '@lifeboat/service-api';
import { claimServers } from '../claims/claim-servers.js';
import type { ClaimRefusal } from '../claims/claim-servers.js';
import type { ClaimRequest, ClaimWrite } from '../claims/rules.js';
import type { ServerClaimStore } from '../claims/store.js';
import { handleCommand, loadExecution, streamIdOf } from '../command-handler.js';
import type { CommandMetadata, ExecutionCommand, StartExecution } from '../domain/commands.js';
import { decide } from '../domain/decide.js';
import { ExecutionInvariantError, categoryOf, isExecutionError } from '../domain/errors.js';
import type { ExecutionEvent } from '../domain/events.js';
import { initialState } from '../domain/evolve.js';
import type { EventStore, StoredEvent } from '../event-store/event-store.js';
import { encodeListToken, parseListExecutionsInput } from '../read-models/execution-query.js';
import type { ExecutionList } from '../read-models/executions.js';
import { FINISHED_STATUSES } from '../read-models/executions.js';
import { ExecutionViewCache } from '../read-models/execution-views.js';

/** Planning's resolveRecoveryPlan, called on behalf of the caller. */
export type PlanResolver = (input: { planId: string; version?: number }, caller: Caller) => Promise<PlanSnapshot>;

export interface ExecutionApiDeps {
  store: EventStore;
  executions: ExecutionList;
  resolvePlan: PlanResolver;
  clock: () => Date;
  /** Which execution holds which source server: overlapping executions are refused. */
  claims: ServerClaimStore;
  /** Set when another system's ExecutionStartRequested is handled (onExecutionStartRequested). */
  startRequest?: StartRequestContext;
  /** Problems that must not fail the call (an undo that failed); default: the console. */
  log?: (message: string, details: Record<string, unknown>) => void;
  /** Views kept between calls (default: kept as long as this API object lives). */
  views?: ExecutionViewCache;
}

/** What a start request of another system brings to startExecution. */
export interface StartRequestContext {
  /** Reserved for the request: however often the request is handled, it starts this execution at most. */
  executionId: string;
  /** The request's id, recorded as the causationId of the execution's first events. */
  causationId: string;
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

function checkOptionalString(input: Record<string, unknown>, field: string, maxLength: number, problems: FieldProblem[]): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') problems.push({ field, message: 'must be a string' });
  else if (value.length > maxLength) problems.push({ field, message: `must be at most ${maxLength} characters` });
  else return value;
  return undefined;
}

function checkOptionalBoolean(input: Record<string, unknown>, field: string, problems: FieldProblem[]): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    problems.push({ field, message: 'must be true or false' });
    return undefined;
  }
  return value;
}

function checkOptionalIds(input: Record<string, unknown>, field: string, problems: FieldProblem[]): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    problems.push({ field, message: 'must be a list of ids' });
    return undefined;
  }
  const ids: string[] = [];
  value.forEach((id: unknown, i) => {
    if (typeof id !== 'string' || id.trim() === '' || id.length > 200) problems.push({ field: `${field}[${i}]`, message: 'must be a non-empty id' });
    else ids.push(id);
  });
  return ids;
}

function checkPointInTime(value: unknown, field: string, problems: FieldProblem[]): PointInTime | undefined {
  if (!isRecord(value)) {
    problems.push({ field, message: 'must be an object with a type' });
    return undefined;
  }
  switch (value.type) {
    case 'LATEST':
      return { type: 'LATEST' };
    case 'SNAPSHOT':
      if (typeof value.snapshotId !== 'string' || value.snapshotId.trim() === '') problems.push({ field: `${field}.snapshotId`, message: 'is required for a SNAPSHOT' });
      else return { type: 'SNAPSHOT', snapshotId: value.snapshotId };
      return undefined;
    case 'LATEST_BEFORE':
      if (typeof value.before !== 'string' || Number.isNaN(Date.parse(value.before))) problems.push({ field: `${field}.before`, message: 'must be an ISO-8601 time for LATEST_BEFORE' });
      else return { type: 'LATEST_BEFORE', before: new Date(value.before).toISOString() };
      return undefined;
    default:
      problems.push({ field: `${field}.type`, message: 'must be LATEST, SNAPSHOT or LATEST_BEFORE' });
      return undefined;
  }
}

/** The options of startExecution (waveIds, sourceServerIds, pointsInTime), checked. */
function checkOptions(input: Record<string, unknown>, problems: FieldProblem[]): StartExecutionOptions {
  const options: StartExecutionOptions = {};
  const waveIds = checkOptionalIds(input, 'waveIds', problems);
  if (waveIds) options.waveIds = waveIds;
  const sourceServerIds = checkOptionalIds(input, 'sourceServerIds', problems);
  if (sourceServerIds) options.sourceServerIds = sourceServerIds;
  const raw = input.pointsInTime;
  if (raw !== undefined && raw !== null) {
    if (!Array.isArray(raw)) problems.push({ field: 'pointsInTime', message: 'must be a list' });
    else {
      const pointsInTime: NonNullable<StartExecutionOptions['pointsInTime']> = [];
      raw.forEach((entry: unknown, i) => {
        const field = `pointsInTime[${i}]`;
        if (!isRecord(entry)) {
          problems.push({ field, message: 'must be an object' });
          return;
        }
        const sourceServerId = checkId(entry, 'sourceServerId', []);
        if (sourceServerId === '') problems.push({ field: `${field}.sourceServerId`, message: 'is required' });
        const pointInTime = checkPointInTime(entry.pointInTime, `${field}.pointInTime`, problems);
        if (sourceServerId !== '' && pointInTime) pointsInTime.push({ sourceServerId, pointInTime });
      });
      options.pointsInTime = pointsInTime;
    }
  }
  return options;
}

/** The API error of an invariant error of the decider (categoryOf); INTERNAL ones pass through as they are. */
export function toApiError(error: unknown, field?: string): unknown {
  if (!(error instanceof ExecutionInvariantError)) return error;
  switch (categoryOf(error.code)) {
    case 'BAD_USER_INPUT':
      return new ValidationError(error.problems.length > 0 ? error.problems.map((message) => ({ field: field ?? '', message })) : [{ field: field ?? '', message: error.message }]);
    case 'FORBIDDEN':
      return new ForbiddenError(error.message, undefined, { cause: error });
    case 'CONFLICT':
      return new ConflictError(error.message, undefined, { cause: error });
    case 'NOT_FOUND':
      return new NotFoundError(error.message, 'executionId', { cause: error });
    default:
      return error;
  }
}

/** The API error of a start the decider refused. */
function startError(error: unknown): unknown {
  if (isExecutionError(error, 'INVALID_PLAN')) return new ValidationError(error.problems.map((message) => ({ field: 'planId', message })));
  if (isExecutionError(error, 'INVALID_OPTIONS')) return new ValidationError(error.problems.map((message) => ({ field: 'options', message })));
  return toApiError(error);
}

/** The servers an execution launches: those of its (narrowed) plan, from its ExecutionStarted. */
function serversStartedBy(events: readonly ExecutionEvent[]): string[] {
  const started = events.find((e) => e.type === 'ExecutionStarted');
  if (started?.type !== 'ExecutionStarted') throw new Error('StartExecution decided no ExecutionStarted');
  return started.data.plan.waves.flatMap((w) => w.servers.map((s) => s.sourceServerId));
}

/** The servers a retry relaunches, from its ServersRetried. */
function serversRetriedBy(events: readonly ExecutionEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'ServersRetried' ? e.data.sourceServerIds : []));
}

const defaultLog = (message: string, details: Record<string, unknown>): void => console.error(JSON.stringify({ level: 'error', service: 'execution', message, ...details }));

/** The statuses after which an execution's view no longer changes (but for a drill's cleanup). */

/** The execution service's API operations (ExecutionOperations of @lifeboat/service-api). */
export function createExecutionApi(deps: ExecutionApiDeps): Operations {
  const claimDeps = { claims: deps.claims, store: deps.store, clock: deps.clock };
  const log = deps.log ?? defaultLog;
  const views = deps.views ?? new ExecutionViewCache(deps.store);

  /**
   * Gives the claims back when the execution did not start (or retry) after all. A failure only
   * logs: a claim left behind is judged by its execution's stream (effectiveHold), so it holds
   * nothing that execution does not need.
   */
  async function undoClaims(claimed: readonly ClaimWrite[], executionId: string): Promise<void> {
    try {
      await deps.claims.undo(claimed);
    } catch (error) {
      log('undoing server claims failed', { executionId, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** The execution's current view; NOT_FOUND when it does not exist. */
  async function currentView(executionId: string): Promise<ExecutionView> {
    const view = await views.current(streamIdOf(executionId));
    if (!view) throw new NotFoundError(`Execution ${executionId} does not exist`, 'executionId');
    return view;
  }

  /**
   * Checks the caller's mode-dependent permission on the execution, decides the command on it and
   * answers the projected view; the decider's invariant errors become API errors (categoryOf).
   * With `claim`, the servers the command launches are claimed first (a retry).
   */
  async function control(
    executionId: string,
    caller: Caller,
    action: string,
    permissionOf: (mode: ExecutionMode) => Permission,
    command: (metadata: CommandMetadata) => ExecutionCommand,
    field?: string,
    claim?: { serversOf: (events: readonly ExecutionEvent[]) => string[]; refusal: ClaimRefusal },
  ): Promise<ExecutionView> {
    const { mode, planId } = await currentView(executionId);
    const permission = permissionOf(mode);
    if (!may(caller.roles, permission)) throw new ForbiddenError(`${action} of a ${mode} needs the ${permission} permission`);
    const now = deps.clock();
    const metadata: CommandMetadata = {
      commandId: newEventId(now),
      now: now.toISOString(),
      actor: { type: 'user', id: caller.userId, name: caller.username },
      roles: [...caller.roles],
      causationId: null,
    };
    let claimRequest: ClaimRequest | undefined;
    let claimed: ClaimWrite[] = [];
    if (claim) {
      // Decided once without writing, to claim what it launches before anything is appended.
      const { state } = await loadExecution(deps.store, executionId);
      let servers: string[];
      try {
        servers = claim.serversOf(decide(command(metadata), state));
      } catch (error) {
        throw toApiError(error, field);
      }
      claimRequest = { executionId, planId, mode, sourceServerIds: servers };
      claimed = await claimServers(claimDeps, claimRequest, claim.refusal);
    }
    let view: ExecutionView;
    try {
      const { stored } = await handleCommand(deps.store, executionId, command(metadata));
      const projected = views.ofStream(streamIdOf(executionId), stored);
      if (!projected) throw new Error(`Execution ${executionId} has no view`);
      view = projected;
    } catch (error) {
      await undoClaims(claimed, executionId);
      throw toApiError(error, field);
    }
    if (claim && claimRequest && claimed.length > 0) {
      // Claimed again, now that the execution is live: the release of its earlier end may have
      // read it finished just before and be about to settle the claims made before that read
      // (it settles only claims older than its read).
      try {
        await claimServers(claimDeps, claimRequest, claim.refusal);
      } catch (error) {
        log('claiming retried servers again failed', { executionId, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return view;
  }

  const run = (mode: ExecutionMode): Permission => (mode === 'RECOVERY' ? 'recovery:run' : 'drill:run');
  const approve = (mode: ExecutionMode): Permission => (mode === 'RECOVERY' ? 'recovery:approve' : 'drill:approve');

  function decideApproval(type: 'ApproveStep' | 'RejectStep', action: string) {
    return async (raw: Input<'approveStep'>, caller: Caller): Promise<Result<'approveStep'>> => {
      const input = requireObject(raw);
      const problems: FieldProblem[] = [];
      const executionId = checkId(input, 'executionId', problems);
      const approvalId = checkId(input, 'approvalId', problems);
      const comment = checkOptionalString(input, 'comment', 2000, problems);
      if (problems.length > 0) throw new ValidationError(problems);
      return control(executionId, caller, action, approve, (metadata) => ({ type, data: { approvalId, ...(comment !== undefined ? { comment } : {}) }, metadata }), 'approvalId');
    };
  }

  return {
    startExecution: operation('drill:run', async (raw: Input<'startExecution'>, caller): Promise<Result<'startExecution'>> => {
      const input = requireObject(raw);
      const problems: FieldProblem[] = [];
      const planId = checkId(input, 'planId', problems);
      const planVersion = checkOptionalInteger(input, 'planVersion', 1, problems);
      const mode = input.mode;
      if (mode !== 'DRILL' && mode !== 'RECOVERY') problems.push({ field: 'mode', message: 'must be DRILL or RECOVERY' });
      if (input.confirmation !== undefined && typeof input.confirmation !== 'string') problems.push({ field: 'confirmation', message: 'must be a string' });
      const options = checkOptions(input, problems);
      if (problems.length > 0) throw new ValidationError(problems);
      const executionMode = mode as ExecutionMode;
      if (executionMode === 'RECOVERY' && !may(caller.roles, 'recovery:run')) throw new ForbiddenError('A RECOVERY needs the recovery:run permission');

      const plan = await deps.resolvePlan({ planId, ...(planVersion !== undefined ? { version: planVersion } : {}) }, caller);
      if (executionMode === 'RECOVERY' && input.confirmation !== plan.name) {
        throw new ValidationError([{ field: 'confirmation', message: `type the plan's name "${plan.name}" to confirm a real recovery` }]);
      }

      const now = deps.clock();
      const request = deps.startRequest;
      const executionId = request?.executionId ?? newEventId(now);
      if (request) {
        // The request was handled before (a redelivery after a crash): it started what it started.
        const started = await views.current(streamIdOf(executionId));
        if (started) return started;
      }
      const command: StartExecution = {
        type: 'StartExecution',
        data: { executionId, mode: executionMode, plan, ...(Object.keys(options).length > 0 ? { options } : {}) },
        metadata: { commandId: newEventId(now), now: now.toISOString(), actor: { type: request ? 'service' : 'user', id: caller.userId, name: caller.username }, causationId: request?.causationId ?? null },
      };
      // Decided once without writing: checks the plan and the options, and names the servers the
      // execution launches (the options narrow the plan), which are claimed before anything is appended.
      let servers: string[];
      try {
        servers = serversStartedBy(decide(command, initialState));
      } catch (error) {
        throw startError(error);
      }
      const claimed = await claimServers(claimDeps, { executionId, planId: plan.planId, mode: executionMode, sourceServerIds: servers }, { action: `start this ${executionMode}`, field: 'planId' });
      try {
        const { stored } = await handleCommand(deps.store, executionId, command);
        const view = views.ofStream(streamIdOf(executionId), stored);
        if (!view) throw new Error(`Execution ${executionId} was not started`);
        return view;
      } catch (error) {
        // Another handling of the same start request got there first: that execution stands.
        if (request && isExecutionError(error, 'EXECUTION_ALREADY_STARTED')) return currentView(executionId);
        await undoClaims(claimed, executionId);
        throw startError(error);
      }
    }),

    getExecution: operation('read', async (raw: Input<'getExecution'>): Promise<Result<'getExecution'>> => {
      const input = requireObject(raw);
      const problems: FieldProblem[] = [];
      const executionId = checkId(input, 'executionId', problems);
      if (problems.length > 0) throw new ValidationError(problems);
      return currentView(executionId);
    }),

    listExecutions: operation('read', async (raw: Input<'listExecutions'>): Promise<Result<'listExecutions'>> => {
      const query = parseListExecutionsInput(raw);
      const page = await deps.executions.list(query);
      const partial = new Set(page.withoutServers ?? []);
      const fresher = async (listed: ExecutionView): Promise<ExecutionView> => (await views.current(streamIdOf(listed.executionId))) ?? listed;
      // The list is updated after the bus is told: a live execution is answered as its stream says now
      // (a kept view and its tail), so a client reacting to an event never reads the list behind it.
      const items = await Promise.all(page.items.map((view) => (partial.has(view.executionId) || !FINISHED_STATUSES.has(view.status) ? fresher(view) : view)));
      return { items, nextToken: page.next ? encodeListToken(query.filter, page.next) : null };
    }),

    getExecutionEvents: operation('read', async (raw: Input<'getExecutionEvents'>): Promise<Result<'getExecutionEvents'>> => {
      const input = requireObject(raw);
      const problems: FieldProblem[] = [];
      const executionId = checkId(input, 'executionId', problems);
      const afterVersion = checkOptionalInteger(input, 'afterVersion', 0, problems) ?? 0;
      const limit = checkOptionalInteger(input, 'limit', 1, problems);
      const last = checkOptionalInteger(input, 'last', 1, problems);
      if (last !== undefined && last > MAX_TAIL_EVENTS) problems.push({ field: 'last', message: `must be an integer between 1 and ${MAX_TAIL_EVENTS}` });
      const beforeVersion = checkOptionalInteger(input, 'beforeVersion', 1, problems);
      const backward = last !== undefined || beforeVersion !== undefined;
      if (backward && (afterVersion > 0 || limit !== undefined)) {
        problems.push({ field: last !== undefined ? 'last' : 'beforeVersion', message: 'reads back from the end of the stream: it does not go with afterVersion or limit' });
      }
      if (problems.length > 0) throw new ValidationError(problems);
      const streamId = streamIdOf(executionId);
      if (backward) {
        // The runbook asks the latest events of a long stream, then earlier ones page by page:
        // only those are read. Without `last`, every event below beforeVersion (there are beforeVersion - 1).
        const stored = await deps.store.readStreamTail(streamId, last ?? (beforeVersion ?? 1) - 1, beforeVersion);
        // Every execution has a version 1: nothing is found only for an unknown one, or below version 1 (its view tells).
        if (stored.length === 0 && (beforeVersion !== 1 || !(await views.current(streamId)))) throw new NotFoundError(`Execution ${executionId} does not exist`, 'executionId');
        return stored.map(toStoredEventView);
      }
      // Only the tail is read: a consumer resolving a claim check asks for one event of a long stream.
      const stored = afterVersion > 0 ? await deps.store.readStreamFrom(streamId, afterVersion) : await deps.store.readStream(streamId);
      if (stored.length === 0 && (afterVersion === 0 || !(await views.current(streamId)))) throw new NotFoundError(`Execution ${executionId} does not exist`, 'executionId');
      return (limit === undefined ? stored : stored.slice(0, limit)).map(toStoredEventView);
    }),
    pauseExecution: operation('drill:run', async (raw: Input<'pauseExecution'>, caller): Promise<Result<'pauseExecution'>> => {
      const input = requireObject(raw);
      const problems: FieldProblem[] = [];
      const executionId = checkId(input, 'executionId', problems);
      const beforeWaveId = checkOptionalString(input, 'beforeWaveId', 200, problems);
      if (problems.length > 0) throw new ValidationError(problems);
      return control(executionId, caller, 'pauseExecution', run, (metadata) => ({ type: 'PauseExecution', data: beforeWaveId !== undefined ? { beforeWaveId } : {}, metadata }), 'beforeWaveId');
    }),

    resumeExecution: operation('drill:run', async (raw: Input<'resumeExecution'>, caller): Promise<Result<'resumeExecution'>> => {
      const input = requireObject(raw);
      const problems: FieldProblem[] = [];
      const executionId = checkId(input, 'executionId', problems);
      if (problems.length > 0) throw new ValidationError(problems);
      return control(executionId, caller, 'resumeExecution', run, (metadata) => ({ type: 'ResumeExecution', data: {}, metadata }));
    }),

    cancelExecution: operation('drill:run', async (raw: Input<'cancelExecution'>, caller): Promise<Result<'cancelExecution'>> => {
      const input = requireObject(raw);
      const problems: FieldProblem[] = [];
      const executionId = checkId(input, 'executionId', problems);
      const terminateInstances = checkOptionalBoolean(input, 'terminateInstances', problems);
      const reason = checkOptionalString(input, 'reason', 2000, problems);
      if (problems.length > 0) throw new ValidationError(problems);
      const data = { ...(terminateInstances !== undefined ? { terminateInstances } : {}), ...(reason !== undefined ? { reason } : {}) };
      return control(executionId, caller, 'cancelExecution', run, (metadata) => ({ type: 'CancelExecution', data, metadata }), 'terminateInstances');
    }),

    approveStep: operation('drill:approve', decideApproval('ApproveStep', 'approveStep')),

    rejectStep: operation('drill:approve', decideApproval('RejectStep', 'rejectStep')),

    retryFailedServers: operation('drill:run', async (raw: Input<'retryFailedServers'>, caller): Promise<Result<'retryFailedServers'>> => {
      const input = requireObject(raw);
      const problems: FieldProblem[] = [];
      const executionId = checkId(input, 'executionId', problems);
      const sourceServerIds = checkOptionalIds(input, 'sourceServerIds', problems);
      if (problems.length > 0) throw new ValidationError(problems);
      return control(executionId, caller, 'retryFailedServers', run, (metadata) => ({ type: 'RetryFailedServers', data: sourceServerIds ? { sourceServerIds } : {}, metadata }), 'sourceServerIds', {
        serversOf: serversRetriedBy,
        refusal: { action: 'retry these servers', field: 'sourceServerIds' },
      });
    }),

    cleanupDrill: operation('drill:run', async (raw: Input<'cleanupDrill'>, caller): Promise<Result<'cleanupDrill'>> => {
      const input = requireObject(raw);
      const problems: FieldProblem[] = [];
      const executionId = checkId(input, 'executionId', problems);
      if (problems.length > 0) throw new ValidationError(problems);
      return control(executionId, caller, 'cleanupDrill', () => 'drill:run', (metadata) => ({ type: 'CleanupDrill', data: {}, metadata }), 'executionId');
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
