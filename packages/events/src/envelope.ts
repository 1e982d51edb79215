import { monotonicFactory } from 'ulid';

/** Who or what caused an event or command. */
export interface Actor {
  type: 'user' | 'system' | 'service';
  id: string;
  name?: string;
}

/** Metadata carried by every Lifeboat event (ARCHITECTURE §2). */
export interface EventMetadata {
  eventId: string;
  schemaVersion: number;
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  actor: Actor;
  /** Set for events of an event-sourced stream. */
  streamId?: string;
  streamVersion?: number;
  previousHash?: string | null;
  hash?: string;
  /**
   * Set when the full detail was larger than EventBridge allows: `data` is then `{}` and the full
   * event is read from its stream (streamId, streamVersion); see claim-check.ts.
   */
  claimCheck?: ClaimCheck;
}

/** How large the full entry of a claim-checked event was (bytes, as EventBridge counts them). */
export interface ClaimCheck {
  bytes: number;
}

/** A domain event: what EventBridge carries as `detail-type` plus `detail: { metadata, data }`. */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
  metadata: EventMetadata;
}

/** The EventBridge `detail` of a Lifeboat event. */
export interface EventDetail<TData = unknown> {
  metadata: EventMetadata;
  data: TData;
}

/** The event a Lambda receives from an EventBridge rule. */
export interface EventBridgeEnvelope<TDetail = unknown> {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: TDetail;
}

const nextUlid = monotonicFactory();

/** A new ULID; pass `now` so that cores stay deterministic in tests. */
export function newEventId(now: Date = new Date()): string {
  return nextUlid(now.getTime());
}

export interface EventContext {
  correlationId: string;
  causationId?: string | null;
  actor: Actor;
  occurredAt?: string;
  eventId?: string;
  schemaVersion?: number;
}

/** Builds a domain event with complete metadata. */
export function createEvent<TType extends string, TData>(type: TType, data: TData, context: EventContext): DomainEvent<TType, TData> {
  const occurredAt = context.occurredAt ?? new Date().toISOString();
  return {
    type,
    data,
    metadata: {
      eventId: context.eventId ?? newEventId(new Date(occurredAt)),
      schemaVersion: context.schemaVersion ?? 1,
      occurredAt,
      correlationId: context.correlationId,
      causationId: context.causationId ?? null,
      actor: context.actor,
    },
  };
}

/** The domain event inside an EventBridge event published by Lifeboat. */
export function fromEventBridge<TData>(event: EventBridgeEnvelope<EventDetail<TData>>): DomainEvent<string, TData> {
  return { type: event['detail-type'], data: event.detail.data, metadata: event.detail.metadata };
}
