/**
 * DRS over restJson1 at the edge: the caller's identity and the injected faults first, then the
 * core (`DrsSimulator.invoke`), which validates, runs and logs the operation. Errors carry the
 * exception name in `x-amzn-errortype`, `Retry-After` when the service sends it, and a JSON body.
 */
import { DrsError, cannotParse, unknownOperation } from '../errors.js';
import { matchRoute } from '../operations.js';
import type { SigV4Scope } from '../accounts.js';
import type { EdgeFaultKind, HttpAnswer } from './common.js';
import type { SimulatorEdge } from './edge.js';
import type { EdgeFaultDecision } from './faults.js';

export interface DrsRequest {
  method: string;
  url: URL;
  body: string;
  scope: SigV4Scope | undefined;
  sessionToken: string | undefined;
  requestId: string;
}

export function drsAnswer(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): HttpAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

export function drsErrorAnswer(error: DrsError, requestId: string): HttpAnswer {
  const headers: Record<string, string> = { 'x-amzn-errortype': error.type };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  return drsAnswer(error.statusCode, error.body(), requestId, headers);
}

export function drsFaultError(decision: EdgeFaultDecision): DrsError {
  return decision.kind === 'throttling'
    ? new DrsError('ThrottlingException', 'Rate exceeded', { serviceCode: 'drs' }, decision.retryAfterSeconds)
    : new DrsError('InternalServerException', 'An internal error occurred while processing the request. Retry the request.');
}

function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw cannotParse('The request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw cannotParse('The request body must be a JSON object');
  return value as Record<string, unknown>;
}

export async function serveDrs(edge: SimulatorEdge, request: DrsRequest): Promise<HttpAnswer> {
  const sim = edge.simulator;
  const { method, url, requestId } = request;
  const resolution = edge.accounts.resolve(request.scope?.accessKeyId, request.sessionToken);
  const identity = resolution.ok ? resolution.identity : undefined;
  const hints = identity
    ? edge.coreHints(identity, request.scope?.region)
    : { ...(request.scope ? { accessKeyId: request.scope.accessKeyId, region: request.scope.region } : {}) };
  const route = matchRoute(method, url.pathname);
  const operation = route?.operation.name ?? `${method} ${url.pathname}`;
  const before = sim.callLog.length;
  let input: Record<string, unknown> | null = null;
  const reject = (error: DrsError, fault?: EdgeFaultKind): HttpAnswer => {
    sim.rejectCall(operation, hints, input, error);
    edge.recordDrs(before, operation, identity, fault);
    return drsErrorAnswer(error, requestId);
  };

  if (!resolution.ok) return reject(new DrsError('AccessDeniedException', resolution.message));
  if (!route) return reject(unknownOperation(method, url.pathname));
  try {
    input = { ...parseJsonObject(request.body), ...route.labels };
    for (const name of route.operation.queryLists ?? []) {
      if (url.searchParams.has(name)) input[name] = url.searchParams.getAll(name);
    }
  } catch (error) {
    return reject(error instanceof DrsError ? error : cannotParse('The request could not be read'));
  }
  const decision = edge.faults.decide('drs', operation);
  if (decision) return reject(drsFaultError(decision), decision.kind);

  const result = await sim.invoke(operation, hints, input, { deferSave: true });
  edge.recordDrs(before, operation, identity);
  // A change is on disk (core and edge logs) before the caller gets the answer.
  edge.persistDrsCall(operation);
  return result.ok ? drsAnswer(result.statusCode, result.output, requestId) : drsErrorAnswer(result.error, requestId);
}
