import type { ClaimCheckResolver, DomainEvent } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { executionEventResolverFromEnv, requiredEnv } from '@lifeboat/service-api';
import { channelStore, consoleUrl, deliveryStore, executionContexts, outboxStore, retryPolicy } from '../config.js';
import type { Delivery } from '../deliveries.js';
import type { ExecutionContext, NotifiableEvent } from '../domain/messages.js';
import { NOTIFIABLE_EVENT_TYPES, contextOf, renderMessage } from '../domain/messages.js';
import { KIND_OF_EVENT, channelsFor } from '../domain/routing.js';

/** The consumer validated the event against its schema and its type against NOTIFIABLE_EVENT_TYPES. */
function asNotifiable(event: DomainEvent): NotifiableEvent {
  return { type: event.type, data: event.data } as NotifiableEvent;
}

/** The plan of the event: its own planId, else the one its execution started with. */
function planIdOf(event: NotifiableEvent, context: ExecutionContext | undefined): string | undefined {
  return 'planId' in event.data ? event.data.planId : context?.planId;
}

async function notify(event: DomainEvent): Promise<void> {
  const notifiable = asNotifiable(event);
  const now = new Date();
  const createdAt = now.toISOString();
  const contexts = executionContexts();
  let context: ExecutionContext | undefined;
  if (notifiable.type === 'ExecutionStarted') {
    context = contextOf(notifiable.data);
    await contexts.save(context, now);
  } else {
    // Undefined when this event overtook its ExecutionStarted: the message then names ids.
    context = await contexts.get(notifiable.data.executionId);
  }
  const message = renderMessage(notifiable, context, { consoleUrl: consoleUrl() });
  const { executionId } = notifiable.data;
  const planId = planIdOf(notifiable, context);
  const messageId = event.metadata.eventId;
  const outcome = await outboxStore().record({
    messageId,
    channel: 'outbox',
    ...message,
    executionId,
    ...(planId ? { planId } : {}),
    eventType: event.type,
    occurredAt: event.metadata.occurredAt,
    createdAt,
  });

  // A redelivered event gets the same deliveries (same ids, created only if absent).
  const kind = KIND_OF_EVENT[notifiable.type];
  const channelIds = planId ? channelsFor(kind, planId, await channelStore().subscriptionsOf(planId)) : [];
  const channels = await Promise.all(channelIds.map((id) => channelStore().get(id)));
  const { maxAttempts } = retryPolicy();
  const created: string[] = [];
  for (const channel of channels) {
    if (!channel) continue;
    const delivery: Delivery = {
      deliveryId: `${messageId}.${channel.channelId}`,
      messageId,
      channelId: channel.channelId,
      channelType: channel.type,
      eventType: event.type,
      executionId,
      ...(planId ? { planId } : {}),
      subject: message.subject,
      text: message.text,
      severity: message.severity,
      links: message.links,
      occurredAt: event.metadata.occurredAt,
      status: 'PENDING',
      attempts: 0,
      maxAttempts,
      nextAttemptAt: createdAt,
      createdAt,
      updatedAt: createdAt,
    };
    if ((await deliveryStore().create(delivery)) === 'created') created.push(channel.channelId);
  }
  console.info(
    JSON.stringify({
      message: `${event.type}: ${outcome}`,
      messageId,
      executionId,
      ...(planId ? { planId, deliveries: created } : { routed: 'no plan known yet: recorded in the outbox only' }),
    }),
  );
}

/**
 * The handler with another claim-check resolver (tests). By default a claim-checked event (an
 * ExecutionStarted whose plan snapshot is over EventBridge's 256 KB) is read from the execution API
 * (EXECUTION_API_FUNCTION).
 */
export function createNotifyHandler(overrides: { resolveClaimCheck?: ClaimCheckResolver } = {}) {
  return lifeboatEventConsumer(
    { idempotencyTable: requiredEnv('NOTIFICATION_IDEMPOTENCY_TABLE'), eventTypes: NOTIFIABLE_EVENT_TYPES, resolveClaimCheck: overrides.resolveClaimCheck ?? executionEventResolverFromEnv('notification') },
    notify,
  );
}

/** Execution events → a message in the outbox, and a delivery to each channel the plan subscribed for this kind of event. */
export const handler = createNotifyHandler();
