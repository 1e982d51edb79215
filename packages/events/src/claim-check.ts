/**
 * The claim check of events too large for EventBridge (256 KB per entry): an event of an
 * execution's stream travels with its metadata, `metadata.claimCheck` and `data: {}`, and its
 * consumers read the full event back from the stream (events/README.md, "Claim check").
 */
import type { DomainEvent } from './envelope.js';
import { isClaimCheckable, validateEventDetail } from './schemas.js';

/** Reads the full event of a claim-checked one (e.g. `executionEventResolver` of @lifeboat/service-api). */
export type ClaimCheckResolver = (event: DomainEvent) => Promise<DomainEvent>;

/** A claim-checked event could not be resolved to its full event: thrown, so that the delivery is retried, then dead-lettered. */
export class ClaimCheckError extends Error {
  override readonly name = 'ClaimCheckError';
  constructor(
    readonly eventType: string,
    readonly eventId: string,
    message: string,
  ) {
    super(message);
  }
}

/** Whether an event travels claim-checked (its data is in its stream, not in the event). */
export function isClaimChecked(event: DomainEvent): boolean {
  return event.metadata.claimCheck !== undefined;
}

/** Whether an event may travel claim-checked: an event of an execution's stream, with its position in it. */
export function mayBeClaimChecked(event: DomainEvent): boolean {
  const { streamId, streamVersion } = event.metadata;
  return isClaimCheckable(event.type) && typeof streamId === 'string' && streamId !== '' && typeof streamVersion === 'number';
}

/** The claim-checked form of an event whose full entry takes `bytes`: the same metadata, claimCheck, no data. */
export function claimChecked(event: DomainEvent, bytes: number): DomainEvent {
  return { type: event.type, data: {}, metadata: { ...event.metadata, claimCheck: { bytes } } };
}

function describe(event: DomainEvent): string {
  return `${event.type} ${event.metadata.eventId} (${event.metadata.streamId ?? 'no stream'} v${event.metadata.streamVersion ?? '?'})`;
}

/**
 * The full event of a claim-checked one, read with `resolve`, checked to be the same event (type,
 * eventId, stream position, hash) and validated against its type's schema; any other event as it
 * is. Throws ClaimCheckError without a resolver or for another event, and EventValidationError
 * for a full event that breaks its contract: never handled with empty data.
 */
export async function resolveClaimCheck(event: DomainEvent, resolve: ClaimCheckResolver | undefined): Promise<DomainEvent> {
  const { claimCheck } = event.metadata;
  if (claimCheck === undefined) return event;
  if (!resolve) {
    throw new ClaimCheckError(event.type, event.metadata.eventId, `${describe(event)} is claim-checked (${claimCheck.bytes} bytes, over EventBridge's limit) and this consumer has no resolveClaimCheck to read it from its stream`);
  }
  const resolved = await resolve(event);
  const differing = [
    resolved.type !== event.type && 'type',
    resolved.metadata.eventId !== event.metadata.eventId && 'eventId',
    resolved.metadata.streamId !== event.metadata.streamId && 'streamId',
    resolved.metadata.streamVersion !== event.metadata.streamVersion && 'streamVersion',
    // The hash chains the event's content: equal hashes mean the same stored event.
    event.metadata.hash !== undefined && resolved.metadata.hash !== event.metadata.hash && 'hash',
  ].filter((field): field is string => typeof field === 'string');
  if (differing.length > 0) {
    throw new ClaimCheckError(event.type, event.metadata.eventId, `${describe(event)} resolved to another event, ${describe(resolved)}: ${differing.join(', ')} differ`);
  }
  if (resolved.metadata.claimCheck !== undefined) throw new ClaimCheckError(event.type, event.metadata.eventId, `${describe(event)} resolved to a claim-checked event again`);
  validateEventDetail(resolved.type, { metadata: resolved.metadata, data: resolved.data });
  return resolved;
}
