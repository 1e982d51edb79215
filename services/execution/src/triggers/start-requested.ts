/**
 * ExecutionStartRequested: another system (an SSM Automation runbook, an alarm's automation) asks
 * to start a DRILL or a RECOVERY. The request acts with the role configured for its source and goes
 * through the API's own startExecution (permission, the RECOVERY's typed confirmation, the plan,
 * the server claims): what the API would refuse is refused alike, with an ExecutionStartRefused.
 *
 * One request (source + metadata.requestId) starts at most one execution: its record reserves an
 * execution id before anything is started, and a handling holds the record (a lease) while it
 * runs. A redelivery, a requester sending it again, or a retry after a crash between the start and
 * its outcome being recorded starts that same execution or finds it started.
 */
import { createHash } from 'node:crypto';
import type { Actor, DomainEvent, EventBridgeEnvelope } from '@lifeboat/events';
import { EventValidationError, createEvent, newEventId, validateEventDetail } from '@lifeboat/events';
import type { ApiResponse, Caller, ExecutionMode, FieldProblem, StartExecutionOptions } from '@lifeboat/service-api';
import type { StartRequestContext } from '../api/operations.js';
import { canonicalJson } from '../event-store/event-store.js';
import type { StartRequestLog } from './start-requests.js';
import type { TriggerSources } from './sources.js';

export const START_REQUESTED = 'ExecutionStartRequested';
export const START_REFUSED = 'ExecutionStartRefused';

/** Who refuses. */
const REFUSER: Actor = { type: 'service', id: 'lifeboat-execution', name: 'onExecutionStartRequested' };

/** The request's data once it matches its schema. */
interface StartRequestData {
  planId: string;
  planVersion?: number;
  mode: ExecutionMode;
  confirmation?: string;
  options?: StartExecutionOptions;
  requestedBy: string;
  reason?: string;
}

/** The codes a refusal carries: those of the API that say "not this request" (not INTERNAL). */
export type RefusalCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'QUOTA_EXCEEDED';

export interface ExecutionStartRefusedData {
  requestId: string;
  source: string;
  planId?: string;
  mode?: ExecutionMode;
  code: RefusalCode;
  message: string;
  field?: string;
  problems?: FieldProblem[];
}

export interface StartRequestDeps {
  /** The accepted sources (EXECUTION_TRIGGER_SOURCES), read when first needed. */
  sources: () => TriggerSources;
  requests: StartRequestLog;
  /** The API's startExecution for the request, on behalf of `caller` (the API handler's answer). */
  startExecution: (input: Record<string, unknown>, caller: Caller, request: StartRequestContext) => Promise<ApiResponse>;
  publish: (events: DomainEvent[]) => Promise<void>;
  clock: () => Date;
  /** How long one handling holds a request: beyond the function's timeout. */
  leaseMs: number;
}

export type StartRequestResult =
  | { outcome: 'STARTED'; executionId: string; repeated: boolean }
  | { outcome: 'REFUSED'; refusal: DomainEvent<typeof START_REFUSED, ExecutionStartRefusedData> };

/** Another handling holds the request at this moment: thrown, so that Lambda tries again later. */
export class StartRequestBusyError extends Error {
  override readonly name = 'StartRequestBusyError';
}

/** The caller id of a request: `trigger:<source>:<requestedBy>`. */
export const TRIGGER_CALLER_PREFIX = 'trigger:';

const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+=-]*$/;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID made of a time and a seed: the same refusal of the same delivered event gets the same event id (consumers deduplicate on it). */
export function ulidOf(timeMs: number, seed: string): string {
  let time = '';
  let t = Math.max(0, Math.floor(timeMs));
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const hash = createHash('sha256').update(seed).digest();
  let random = '';
  // 256 is a multiple of 32: each byte gives an unbiased character.
  for (let i = 0; i < 16; i++) random += CROCKFORD[(hash[i] ?? 0) % 32];
  return time + random;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `/data/options/waveIds/0` -> `options.waveIds[0]`: the request's fields, as the API names its own. */
function fieldOf(path: string): string {
  return path
    .replace(/^\/(data|metadata)\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('');
}

/** The API's input of startExecution: its options sit beside planId and mode. */
function apiInputOf(data: StartRequestData): Record<string, unknown> {
  return {
    planId: data.planId,
    mode: data.mode,
    ...(data.planVersion !== undefined ? { planVersion: data.planVersion } : {}),
    ...(data.confirmation !== undefined ? { confirmation: data.confirmation } : {}),
    ...(data.options ?? {}),
  };
}

/** Handles one delivered ExecutionStartRequested; see the module's comment. */
export async function handleStartRequest(deps: StartRequestDeps, envelope: EventBridgeEnvelope<unknown>): Promise<StartRequestResult> {
  if (envelope['detail-type'] !== START_REQUESTED) throw new Error(`onExecutionStartRequested does not handle ${envelope['detail-type']}; its rule is mis-wired`);
  const detail = isRecord(envelope.detail) ? envelope.detail : {};
  const metadata = isRecord(detail.metadata) ? detail.metadata : {};
  const requestId = metadata.requestId;
  // Without its id a request cannot be answered: it fails into the dead-letter queue, where it is seen.
  if (typeof requestId !== 'string' || requestId.length > 128 || !REQUEST_ID.test(requestId)) {
    throw new EventValidationError(START_REQUESTED, [{ path: '/metadata/requestId', message: 'must be the requester\'s id of the request (1 to 128 letters, digits or ._:/@+=-)' }]);
  }
  const source = envelope.source;
  const raw = isRecord(detail.data) ? detail.data : {};
  const planId = typeof raw.planId === 'string' && raw.planId !== '' ? raw.planId : undefined;
  const mode = raw.mode === 'DRILL' || raw.mode === 'RECOVERY' ? raw.mode : undefined;
  const now = deps.clock();

  const refusal = (eventId: string, body: { code: RefusalCode; message: string; field?: string; problems?: FieldProblem[] }) =>
    createEvent(START_REFUSED, { requestId, source, ...(planId ? { planId } : {}), ...(mode ? { mode } : {}), ...body } satisfies ExecutionStartRefusedData, {
      eventId,
      occurredAt: now.toISOString(),
      correlationId: planId ?? requestId,
      causationId: requestId,
      actor: REFUSER,
    });
  // A refusal decided from the delivered event alone: the same event gets the same refusal id.
  const sentAt = Date.parse(envelope.time);
  const refusalIdOf = (why: string) => ulidOf(Number.isNaN(sentAt) ? now.getTime() : sentAt, `${source}|${requestId}|${envelope.id}|${why}`);
  const refuse = async (event: DomainEvent<typeof START_REFUSED, ExecutionStartRefusedData>): Promise<StartRequestResult> => {
    await deps.publish([event]);
    return { outcome: 'REFUSED', refusal: event };
  };

  const accepted = deps.sources().get(source);
  if (!accepted) {
    return refuse(refusal(refusalIdOf('source'), { code: 'FORBIDDEN', message: `Source ${source} may not request executions: it is not one of the accepted trigger sources (EXECUTION_TRIGGER_SOURCES)` }));
  }
  try {
    validateEventDetail(START_REQUESTED, envelope.detail);
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error;
    const problems = error.problems.map((p) => ({ field: fieldOf(p.path), message: p.message }));
    return refuse(refusal(refusalIdOf('schema'), { code: 'BAD_USER_INPUT', message: error.message, ...(problems[0] ? { field: problems[0].field } : {}), problems }));
  }
  const data = raw as unknown as StartRequestData;
  const fingerprint = createHash('sha256').update(canonicalJson({ source, data })).digest('hex');

  let record = await deps.requests.get(source, requestId);
  let leased = false;
  if (!record || (record.fingerprint === fingerprint && !record.outcome)) {
    const taken = await deps.requests.lease(source, requestId, { executionId: newEventId(now), fingerprint }, now, deps.leaseMs);
    if (taken) {
      record = taken;
      leased = true;
    } else {
      record = await deps.requests.get(source, requestId);
    }
  }
  if (!record) throw new StartRequestBusyError(`Start request ${requestId} of ${source} could not be recorded; trying again`);
  if (record.fingerprint !== fingerprint) {
    return refuse(refusal(refusalIdOf('reused'), { code: 'CONFLICT', message: `Request id ${requestId} of ${source} was already used for another request (execution ${record.executionId}): use a new request id`, field: 'requestId' }));
  }
  if (record.outcome === 'STARTED') return { outcome: 'STARTED', executionId: record.executionId, repeated: true };
  if (record.outcome === 'REFUSED' && record.refusal) return refuse(record.refusal as DomainEvent<typeof START_REFUSED, ExecutionStartRefusedData>);
  if (!leased) throw new StartRequestBusyError(`Start request ${requestId} of ${source} is being handled right now; trying again later`);

  // The request's principal, acting with its source's role: the role decides what it may start.
  // requestedBy is the requester's word: prefixed, it can never pass for another kind of caller
  // (a `service:` caller is one of Lifeboat's services).
  const caller: Caller = { userId: `${TRIGGER_CALLER_PREFIX}${source}:${data.requestedBy}`, username: `${data.requestedBy} (${source})`, roles: [accepted.role] };
  let response: ApiResponse;
  try {
    response = await deps.startExecution(apiInputOf(data), caller, { executionId: record.executionId, causationId: requestId });
  } catch (error) {
    await deps.requests.unlock(source, requestId).catch(() => undefined);
    throw error;
  }
  if (response.ok) {
    await deps.requests.finish(source, requestId, { outcome: 'STARTED' });
    return { outcome: 'STARTED', executionId: record.executionId, repeated: false };
  }
  const { code, message, field, problems } = response.error;
  if (code === 'INTERNAL' || code === 'UNAUTHENTICATED') {
    // Not an answer about the request (a dependency failed): let go of it and try again.
    await deps.requests.unlock(source, requestId).catch(() => undefined);
    throw new Error(`startExecution failed (${code}: ${message}) for request ${requestId} of ${source}; trying again`);
  }
  const refused = refusal(newEventId(now), { code, message, ...(field ? { field } : {}), ...(problems && problems.length > 0 ? { problems } : {}) });
  // Recorded before it is published: a redelivery publishes the same refusal again, never another answer.
  await deps.requests.finish(source, requestId, { outcome: 'REFUSED', refusal: refused });
  return refuse(refused);
}
