import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DomainEvent } from '@lifeboat/events';
import { createEvent } from '@lifeboat/events';
import { causeOfItem, serverOfItem } from '../adapters/servers-table.js';
import { announcementOf } from '../domain/inventory.js';

/** The part of a DynamoDB Streams event of the servers table this publisher reads (images in DynamoDB JSON). */
export interface ServersStreamEvent {
  Records: {
    eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
    dynamodb?: { OldImage?: Record<string, unknown>; NewImage?: Record<string, unknown>; ApproximateCreationDateTime?: number | Date; SequenceNumber?: string };
  }[];
}

export interface StreamPublisherDeps {
  publish: (events: DomainEvent[], resources: (event: DomainEvent) => string[]) => Promise<void>;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID made from the event's time and a seed rather than from randomness: the same committed
 * write always gives the same eventId, so when a stream batch is retried after a partial publish,
 * consumers see the repeated events as the same events (their idempotency is by eventId).
 */
export function deterministicEventId(occurredAt: string, seed: string): string {
  let time = new Date(occurredAt).getTime();
  let timePart = '';
  for (let i = 0; i < 10; i++) {
    timePart = (CROCKFORD[time % 32] ?? '0') + timePart;
    time = Math.floor(time / 32);
  }
  const digest = createHash('sha256').update(seed).digest();
  let randomPart = '';
  // 80 bits: 16 characters of 5 bits each.
  for (let i = 0; i < 16; i++) {
    const bit = i * 5;
    const byte = bit >> 3;
    const value = ((((digest[byte] ?? 0) << 8) | (digest[byte + 1] ?? 0)) >> (11 - (bit & 7))) & 31;
    randomPart += CROCKFORD[value] ?? '0';
  }
  return timePart + randomPart;
}

function imageOf(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
}

/**
 * The events that the committed writes of a stream batch announce, in stream order:
 * SourceServerDiscovered for a new (or re-listed) server, SourceServerChanged when an announced
 * field changed, SourceServerRemoved when a server became a tombstone. A write that changed
 * nothing announced (lag, protection group) and the expiry of a tombstone announce nothing.
 */
export function eventsOfStream(event: ServersStreamEvent): { events: DomainEvent[]; arns: Map<string, string> } {
  const events: DomainEvent[] = [];
  const arns = new Map<string, string>();
  for (const record of event.Records) {
    const oldItem = imageOf(record.dynamodb?.OldImage);
    const newItem = imageOf(record.dynamodb?.NewImage);
    if (!newItem) continue; // a tombstone expired (or an item was deleted by hand): nothing to announce
    const payload = announcementOf(serverOfItem(oldItem), serverOfItem(newItem));
    if (!payload) continue;
    const cause = causeOfItem(newItem);
    const eventId = deterministicEventId(cause.at, `${payload.sourceServerId}#${String(newItem.revision)}#${payload.type}`);
    const domainEvent = createEvent(payload.type, payload.data, { correlationId: cause.correlationId, causationId: cause.causationId ?? null, actor: cause.actor, occurredAt: cause.at, eventId });
    events.push(domainEvent as DomainEvent);
    arns.set(eventId, payload.arn);
  }
  return { events, arns };
}

/**
 * Publishes what a stream batch announces. Throws when publishing fails, so that the batch is
 * retried (the function's stream event retries until it succeeds): a committed change is never
 * acknowledged before its event is on the bus.
 */
export async function publishChanges(deps: StreamPublisherDeps, event: ServersStreamEvent): Promise<{ published: number }> {
  const { events, arns } = eventsOfStream(event);
  if (events.length > 0) await deps.publish(events, (e) => [arns.get(e.metadata.eventId) ?? ''].filter(Boolean));
  return { published: events.length };
}
