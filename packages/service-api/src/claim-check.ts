import type { ClaimCheckResolver, DomainEvent } from '@lifeboat/events';
import { ServiceApiClient, systemCaller } from './client.js';
import type { ExecutionOperations, StoredEventView } from './contracts/execution.js';
import { envGetter } from './env.js';
import type { Caller } from './protocol.js';

/** What the resolver needs of the execution API: ServiceApiClient, or the gateway's service client. */
export interface ServiceApiCaller {
  call<TResult>(operation: string, input: unknown, caller: Caller): Promise<TResult>;
}

const EXECUTION_STREAM_PREFIX = 'execution/';

type GetExecutionEvents = ExecutionOperations['getExecutionEvents'];

/**
 * One of Lifeboat's services reading another's API on its own behalf with the `read` permission
 * only (a Viewer): enough for getExecutionEvents, and nothing that changes anything.
 */
export function serviceReader(service: string): Caller {
  return { ...systemCaller(service), roles: ['Viewer'] };
}

/** The execution of a stream id `execution/<executionId>`, or undefined for any other stream. */
export function executionIdOfStream(streamId: string | undefined): string | undefined {
  if (streamId === undefined || !streamId.startsWith(EXECUTION_STREAM_PREFIX)) return undefined;
  const executionId = streamId.slice(EXECUTION_STREAM_PREFIX.length);
  return executionId === '' ? undefined : executionId;
}

/**
 * The event as the execution service published it (toPublishedEvent): type, data and stream
 * position from the stream, the metadata the view does not carry (schemaVersion, correlationId,
 * causationId, actor) from the claim-checked event, which carries the published metadata whole.
 */
function publishedEventOf(claimChecked: DomainEvent, stored: StoredEventView): DomainEvent {
  const { claimCheck: _claimCheck, ...metadata } = claimChecked.metadata;
  return {
    type: stored.type,
    data: stored.data,
    metadata: { ...metadata, eventId: stored.eventId, occurredAt: stored.occurredAt, streamVersion: stored.streamVersion, previousHash: stored.previousHash, hash: stored.hash },
  };
}

/**
 * Reads the full event of a claim-checked execution event from its stream, through the execution
 * API (getExecutionEvents after the version before it), as `caller`. The consumer then checks it
 * is the same event and validates it (resolveClaimCheck of @lifeboat/events).
 *
 * @example
 * lifeboatEventConsumer({ idempotencyTable, eventTypes: ['ExecutionStarted'], resolveClaimCheck: executionEventResolver(new ServiceApiClient(fn), serviceReader('verification')) }, handle);
 */
export function executionEventResolver(client: ServiceApiCaller, caller: Caller): ClaimCheckResolver {
  return async (event) => {
    const { streamId, streamVersion } = event.metadata;
    const executionId = executionIdOfStream(streamId);
    if (executionId === undefined || typeof streamVersion !== 'number' || !Number.isInteger(streamVersion) || streamVersion < 1) {
      throw new Error(`${event.type} ${event.metadata.eventId} is not an event of an execution's stream (streamId ${String(streamId)}, streamVersion ${String(streamVersion)}): it cannot be read back`);
    }
    const input: GetExecutionEvents['input'] = { executionId, afterVersion: streamVersion - 1, limit: 1 };
    const events = await client.call<GetExecutionEvents['result']>('getExecutionEvents', input, caller);
    const stored = events.find((e) => e.streamVersion === streamVersion);
    if (!stored) throw new Error(`${streamId} has no event at version ${streamVersion}: ${event.type} ${event.metadata.eventId} cannot be read back`);
    return publishedEventOf(event, stored);
  };
}

/**
 * The resolver of a service's consumers: the execution API named by EXECUTION_API_FUNCTION
 * (`lifeboat-execution-<stage>-api`), called as `serviceReader(service)`. The variable is read and
 * the client made at the first claim-checked event only.
 */
export function executionEventResolverFromEnv(service: string): ClaimCheckResolver {
  const functionName = envGetter('EXECUTION_API_FUNCTION');
  let resolve: ClaimCheckResolver | undefined;
  return async (event) => (resolve ??= executionEventResolver(new ServiceApiClient(functionName()), serviceReader(service)))(event);
}
