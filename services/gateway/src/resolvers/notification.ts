/**
 * Resolvers of the notification part of graphql/schema.graphql: channels (Admin), plan
 * subscriptions, the outbox and the deliveries (with the dead letters). Secrets are write-only:
 * the views carry `hasSecret`, never a secret.
 */
import type {
  NotificationChannelType,
  NotificationChannelView,
  NotificationDeliveryStatus,
  NotificationDeliveryView,
  NotificationEventKind,
  NotificationSubscriptionView,
  OutboxMessageView,
} from '@lifeboat/service-api';
import { authorize } from '../context.js';
import type { Maybe } from '../inputs.js';
import { given } from '../inputs.js';
import type { TypedServices } from '../services.js';
import type { Resolver } from './support.js';
import { orNull, withFieldNames } from './support.js';

/** The service names paging `limit`/`nextToken` and ids `channelId`/`deliveryId`; the client knows `first`/`after`/`id`. */
const PAGING_FIELDS = { limit: 'first', nextToken: 'after' };

// ---- views → GraphQL types

export function toNotificationChannel(view: NotificationChannelView) {
  return { id: view.channelId, name: view.name, type: view.type, topicArn: view.topicArn ?? null, address: view.address ?? null, url: view.url ?? null, hasSecret: view.hasSecret, createdAt: view.createdAt, updatedAt: view.updatedAt };
}

export function toNotificationDelivery(view: NotificationDeliveryView) {
  return {
    id: view.deliveryId,
    messageId: view.messageId,
    channelId: view.channelId,
    channelType: view.channelType,
    eventType: view.eventType,
    executionId: view.executionId ?? null,
    planId: view.planId ?? null,
    subject: view.subject,
    status: view.status,
    attempts: view.attempts,
    maxAttempts: view.maxAttempts,
    nextAttemptAt: view.nextAttemptAt ?? null,
    lastError: view.lastError ?? null,
    deliveredAt: view.deliveredAt ?? null,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}

export function toOutboxMessage(view: OutboxMessageView) {
  return {
    id: view.messageId,
    subject: view.subject,
    text: view.text,
    severity: view.severity,
    links: view.links ?? [],
    executionId: view.executionId,
    planId: view.planId ?? null,
    eventType: view.eventType,
    occurredAt: view.occurredAt,
    createdAt: view.createdAt,
  };
}

const toSubscription = (view: NotificationSubscriptionView) => ({ planId: view.planId, channelId: view.channelId, events: view.events, updatedAt: view.updatedAt });

// ---- arguments

interface PageArgs {
  first?: Maybe<number>;
  after?: Maybe<string>;
}
interface CreateChannelArgs {
  input: { name: string; type: NotificationChannelType; topicArn?: Maybe<string>; address?: Maybe<string>; url?: Maybe<string>; secret?: Maybe<string> };
}
interface UpdateChannelArgs {
  input: { id: string; name?: Maybe<string>; topicArn?: Maybe<string>; url?: Maybe<string>; secret?: Maybe<string> };
}
interface SubscriptionArgs {
  input: { planId: string; channelId: string; events: NotificationEventKind[] };
}

const paging = ({ first, after }: PageArgs) => ({ ...(first !== null && first !== undefined ? { limit: first } : {}), ...(after ? { nextToken: after } : {}) });

export function notificationQueries({ notification }: TypedServices) {
  const notificationChannels: Resolver<Record<string, never>> = async (_p, _a, context) => {
    const caller = authorize(context, 'read', 'notificationChannels');
    return (await notification.call('listNotificationChannels', {}, caller)).map(toNotificationChannel);
  };
  const notificationChannel: Resolver<{ id: string }> = async (_p, { id }, context) => {
    const caller = authorize(context, 'read', 'notificationChannel');
    const view = await orNull(notification.call('getNotificationChannel', { channelId: id }, caller));
    return view && toNotificationChannel(view);
  };
  const notificationSubscriptions: Resolver<{ planId?: Maybe<string> }> = async (_p, { planId }, context) => {
    const caller = authorize(context, 'read', 'notificationSubscriptions');
    return (await notification.call('listNotificationSubscriptions', planId ? { planId } : {}, caller)).map(toSubscription);
  };
  const notificationOutbox: Resolver<PageArgs & { executionId?: Maybe<string> }> = async (_p, args, context) => {
    const caller = authorize(context, 'read', 'notificationOutbox');
    const input = { ...(args.executionId ? { executionId: args.executionId } : {}), ...paging(args) };
    const page = await withFieldNames(PAGING_FIELDS, () => notification.call('listOutbox', input, caller));
    return { items: page.items.map(toOutboxMessage), nextCursor: page.nextToken ?? null };
  };
  const notificationDeliveries: Resolver<PageArgs & { status?: Maybe<NotificationDeliveryStatus>; channelId?: Maybe<string> }> = async (_p, args, context) => {
    const caller = authorize(context, 'read', 'notificationDeliveries');
    const input = { ...(args.status ? { status: args.status } : {}), ...(args.channelId ? { channelId: args.channelId } : {}), ...paging(args) };
    const page = await withFieldNames(PAGING_FIELDS, () => notification.call('listNotificationDeliveries', input, caller));
    return { items: page.items.map(toNotificationDelivery), nextCursor: page.nextToken ?? null };
  };
  return { notificationChannels, notificationChannel, notificationSubscriptions, notificationOutbox, notificationDeliveries };
}

export function notificationMutations({ notification }: TypedServices) {
  const createNotificationChannel: Resolver<CreateChannelArgs> = async (_p, { input }, context) => {
    const caller = authorize(context, 'admin', 'createNotificationChannel');
    return toNotificationChannel(await notification.call('createNotificationChannel', given(input), caller));
  };
  const updateNotificationChannel: Resolver<UpdateChannelArgs> = async (_p, { input }, context) => {
    const caller = authorize(context, 'admin', 'updateNotificationChannel');
    const { id, ...changes } = input;
    return toNotificationChannel(await withFieldNames({ channelId: 'id' }, () => notification.call('updateNotificationChannel', { channelId: id, ...given(changes) }, caller)));
  };
  const deleteNotificationChannel: Resolver<{ id: string }> = async (_p, { id }, context) => {
    const caller = authorize(context, 'admin', 'deleteNotificationChannel');
    const { channelId } = await withFieldNames({ channelId: 'id' }, () => notification.call('deleteNotificationChannel', { channelId: id }, caller));
    return { id: channelId };
  };
  const testNotificationChannel: Resolver<{ id: string }> = async (_p, { id }, context) => {
    const caller = authorize(context, 'admin', 'testNotificationChannel');
    return toNotificationDelivery(await withFieldNames({ channelId: 'id' }, () => notification.call('testNotificationChannel', { channelId: id }, caller)));
  };
  const setNotificationSubscription: Resolver<SubscriptionArgs> = async (_p, { input }, context) => {
    const caller = authorize(context, 'admin', 'setNotificationSubscription');
    return toSubscription(await notification.call('setNotificationSubscription', { planId: input.planId, channelId: input.channelId, events: input.events }, caller));
  };
  const removeNotificationSubscription: Resolver<{ planId: string; channelId: string }> = async (_p, { planId, channelId }, context) => {
    const caller = authorize(context, 'admin', 'removeNotificationSubscription');
    return notification.call('removeNotificationSubscription', { planId, channelId }, caller);
  };
  const retryNotificationDelivery: Resolver<{ id: string }> = async (_p, { id }, context) => {
    const caller = authorize(context, 'admin', 'retryNotificationDelivery');
    return toNotificationDelivery(await withFieldNames({ deliveryId: 'id' }, () => notification.call('retryNotificationDelivery', { deliveryId: id }, caller)));
  };
  return { createNotificationChannel, updateNotificationChannel, deleteNotificationChannel, testNotificationChannel, setNotificationSubscription, removeNotificationSubscription, retryNotificationDelivery };
}
