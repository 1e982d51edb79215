import type { DomainEvent } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { requiredEnv } from '@lifeboat/service-api';
import { executionContexts, outboxStore } from '../config.js';
import type { ExecutionContext, NotifiableEvent } from '../domain/messages.js';
import { NOTIFIABLE_EVENT_TYPES, contextOf, renderMessage } from '../domain/messages.js';

/** The consumer validated the event against its schema and its type against NOTIFIABLE_EVENT_TYPES. */
function asNotifiable(event: DomainEvent): NotifiableEvent {
  return { type: event.type, data: event.data } as NotifiableEvent;
}

async function notify(event: DomainEvent): Promise<void> {
  const notifiable = asNotifiable(event);
  const now = new Date();
  const contexts = executionContexts();
  let context: ExecutionContext | undefined;
  if (notifiable.type === 'ExecutionStarted') {
    context = contextOf(notifiable.data);
    await contexts.save(context, now);
  } else {
    // Undefined when this event overtook its ExecutionStarted: the message then names ids.
    context = await contexts.get(notifiable.data.executionId);
  }
  const message = renderMessage(notifiable, context);
  const outcome = await outboxStore().record({
    messageId: event.metadata.eventId,
    channel: 'outbox',
    ...message,
    executionId: notifiable.data.executionId,
    eventType: event.type,
    occurredAt: event.metadata.occurredAt,
    createdAt: now.toISOString(),
  });
  console.info(JSON.stringify({ message: `${event.type}: ${outcome}`, messageId: event.metadata.eventId, executionId: notifiable.data.executionId }));
}

/** Execution events → a message in the outbox (one per event, however often it is delivered). */
export const handler = lifeboatEventConsumer(
  { idempotencyTable: requiredEnv('NOTIFICATION_IDEMPOTENCY_TABLE'), eventTypes: NOTIFIABLE_EVENT_TYPES },
  notify,
);
