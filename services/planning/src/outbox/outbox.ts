import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DomainEvent } from '@lifeboat/events';
import type { LaunchSyncTask } from '../domain/launch-settings.js';
import type { OutboxEntry } from '../ports.js';

/** The part of a DynamoDB Streams event of the outbox table that planning reads (images in DynamoDB JSON). */
export interface OutboxStreamEvent {
  Records: {
    eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
    dynamodb?: { NewImage?: Record<string, unknown>; SequenceNumber?: string };
  }[];
}

/** The entries newly written to the outbox (an entry is written once; TTL removals carry no news), oldest first. */
export function outboxEntriesOf(event: OutboxStreamEvent): OutboxEntry[] {
  const entries: OutboxEntry[] = [];
  for (const record of event.Records) {
    if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) continue;
    const { expiration: _ttl, ...entry } = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
    entries.push(entry as OutboxEntry);
  }
  return entries.sort((a, b) => a.outboxId.localeCompare(b.outboxId));
}

/**
 * Publishes the events of the batch (validated again by the publisher). Throws when any is not
 * published, so that the whole batch is retried: the bus may see an event twice, never miss one
 * (consumers are idempotent on metadata.eventId).
 */
export async function publishOutbox(event: OutboxStreamEvent, publish: (events: DomainEvent[]) => Promise<void>): Promise<number> {
  const events = outboxEntriesOf(event).flatMap((entry) => (entry.kind === 'event' ? [entry.event] : []));
  if (events.length > 0) await publish(events);
  return events.length;
}

/** The launch-settings tasks of the batch. */
export function launchTasksOf(event: OutboxStreamEvent): LaunchSyncTask[] {
  return outboxEntriesOf(event).flatMap((entry) => (entry.kind === 'launch-sync' ? [entry.task] : []));
}
