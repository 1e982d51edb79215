import { randomUUID } from 'node:crypto';
import type {
  CreateNotificationChannelInput,
  FieldProblem,
  NotificationChannelType,
  NotificationChannelView,
  NotificationDeliveryStatus,
  NotificationDeliveryView,
  NotificationEventKind,
  NotificationOperations,
  NotificationSubscriptionView,
  UpdateNotificationChannelInput,
} from '@lifeboat/service-api';
import {
  ConflictError,
  NOTIFICATION_CHANNEL_TYPES,
  NOTIFICATION_DELIVERY_STATUSES,
  NOTIFICATION_EVENT_KINDS,
  NotFoundError,
  ValidationError,
  createApiHandler,
  operation,
} from '@lifeboat/service-api';
import type { Channel } from '../channels.js';
import { channelStore, deliveryStore, outboxStore, retryPolicy, secretStore, topicClient } from '../config.js';
import type { Delivery } from '../deliveries.js';
import type { OutboxQuery } from '../outbox.js';

type Ops = NotificationOperations;
type Input = Record<string, unknown>;

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;
const MAX_NAME = 100;
const SECRET_MIN = 16;
const SECRET_MAX = 1024;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

// ---- input checks: every problem at once, named after the operation's input fields

function objectInput(input: unknown, allowed: readonly string[], operationName: string): { fields: Input; problems: FieldProblem[] } {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ValidationError('input must be an object', 'input');
  const fields = input as Input;
  const problems = Object.keys(fields)
    .filter((field) => !allowed.includes(field))
    .map((field) => ({ field, message: `is not an input of ${operationName}` }));
  return { fields, problems };
}

function done(problems: FieldProblem[]): void {
  if (problems.length > 0) throw new ValidationError(problems);
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;

function text(fields: Input, field: string, problems: FieldProblem[], options: { required?: boolean; max?: number } = {}): string | undefined {
  const value = fields[field];
  if (value === undefined) {
    if (options.required) problems.push({ field, message: 'is required' });
    return undefined;
  }
  if (!isText(value)) {
    problems.push({ field, message: 'must be a non-empty string' });
    return undefined;
  }
  if (options.max !== undefined && value.length > options.max) problems.push({ field, message: `must be at most ${options.max} characters` });
  return value;
}

function paging(fields: Input, problems: FieldProblem[]): { limit: number; nextToken?: string } {
  const { limit } = fields;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)) problems.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` });
  const nextToken = text(fields, 'nextToken', problems);
  return { limit: typeof limit === 'number' ? limit : DEFAULT_LIMIT, ...(nextToken ? { nextToken } : {}) };
}

/** https, or http to this machine (a local receiver). Never echoes the URL: a Slack URL is a credential. */
function webhookUrl(value: unknown, field: string, problems: FieldProblem[]): URL | undefined {
  if (!isText(value)) {
    problems.push({ field, message: 'must be a non-empty string' });
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push({ field, message: 'must be an absolute URL' });
    return undefined;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) problems.push({ field, message: 'must be an https URL (http only to localhost)' });
  else if (url.username || url.password) problems.push({ field, message: 'must not hold credentials' });
  else return url;
  return undefined;
}

/** What a channel of this type may hold, checked (input fields of create or update). */
function channelFields(type: NotificationChannelType, fields: Input, problems: FieldProblem[], creating: boolean) {
  const allowed: Record<NotificationChannelType, readonly string[]> = { SNS_TOPIC: ['topicArn'], EMAIL: ['address'], SLACK_WEBHOOK: ['url'], TEAMS_WEBHOOK: ['url'], WEBHOOK: ['url', 'secret'] };
  for (const field of ['topicArn', 'address', 'url', 'secret']) {
    if (fields[field] !== undefined && !allowed[type].includes(field)) problems.push({ field, message: `is not a field of a ${type} channel` });
  }
  const required = (field: string) => creating && allowed[type].includes(field) && fields[field] === undefined && problems.push({ field, message: `is required for a ${type} channel` });
  ['topicArn', 'address', 'url', 'secret'].forEach(required);
  let topicArn: string | undefined;
  if (fields.topicArn !== undefined && allowed[type].includes('topicArn')) {
    if (typeof fields.topicArn !== 'string' || !TOPIC_ARN.test(fields.topicArn)) problems.push({ field: 'topicArn', message: 'must be an SNS topic ARN' });
    else topicArn = fields.topicArn;
  }
  let address: string | undefined;
  if (fields.address !== undefined && allowed[type].includes('address')) {
    if (typeof fields.address !== 'string' || fields.address.length > 254 || !EMAIL.test(fields.address)) problems.push({ field: 'address', message: 'must be an e-mail address' });
    else address = fields.address;
  }
  const url = fields.url !== undefined && allowed[type].includes('url') ? webhookUrl(fields.url, 'url', problems) : undefined;
  let secret: string | undefined;
  if (fields.secret !== undefined && allowed[type].includes('secret')) {
    // The message never quotes the value.
    if (typeof fields.secret !== 'string' || fields.secret.length < SECRET_MIN || fields.secret.length > SECRET_MAX) problems.push({ field: 'secret', message: `must be a string of ${SECRET_MIN} to ${SECRET_MAX} characters` });
    else secret = fields.secret;
  }
  return { topicArn, address, url, secret };
}

/** The URL a Slack / Teams channel shows: its origin only (the path is the credential). */
const redacted = (url: URL) => `${url.origin}/…`;

function toChannelView(channel: Channel): NotificationChannelView {
  const { channelId, name, type, topicArn, address, url, hasSecret, createdAt, updatedAt } = channel;
  return { channelId, name, type, ...(topicArn ? { topicArn } : {}), ...(address ? { address } : {}), ...(url ? { url } : {}), hasSecret, createdAt, updatedAt };
}

export function toDeliveryView(delivery: Delivery): NotificationDeliveryView {
  const { deliveryId, messageId, channelId, channelType, eventType, executionId, planId, subject, status, attempts, maxAttempts, nextAttemptAt, lastError, deliveredAt, createdAt, updatedAt } = delivery;
  return {
    deliveryId,
    messageId,
    channelId,
    channelType,
    eventType,
    ...(executionId ? { executionId } : {}),
    ...(planId ? { planId } : {}),
    subject,
    status,
    attempts,
    maxAttempts,
    ...(nextAttemptAt ? { nextAttemptAt } : {}),
    ...(lastError ? { lastError } : {}),
    ...(deliveredAt ? { deliveredAt } : {}),
    createdAt,
    updatedAt,
  };
}

async function channelOrNotFound(channelId: string, field = 'channelId'): Promise<Channel> {
  const channel = await channelStore().get(channelId);
  if (!channel) throw new NotFoundError(`No notification channel ${channelId}`, field);
  return channel;
}

// ---- operations

async function listOutbox(input: unknown): Promise<Ops['listOutbox']['result']> {
  const { fields, problems } = objectInput(input, ['executionId', 'limit', 'nextToken'], 'listOutbox');
  const executionId = text(fields, 'executionId', problems);
  const page = paging(fields, problems);
  done(problems);
  const query: OutboxQuery = { ...page, ...(executionId ? { executionId } : {}) };
  return outboxStore().list(query);
}

async function createChannel(input: unknown): Promise<NotificationChannelView> {
  const { fields, problems } = objectInput(input, ['name', 'type', 'topicArn', 'address', 'url', 'secret'], 'createNotificationChannel');
  const name = text(fields, 'name', problems, { required: true, max: MAX_NAME });
  const type = fields.type;
  if (!(NOTIFICATION_CHANNEL_TYPES as readonly unknown[]).includes(type)) {
    problems.push({ field: 'type', message: `must be one of ${NOTIFICATION_CHANNEL_TYPES.join(', ')}` });
    done(problems);
  }
  const channelType = type as NotificationChannelType;
  const checked = channelFields(channelType, fields, problems, true);
  done(problems);
  const create = input as CreateNotificationChannelInput;
  const now = new Date().toISOString();
  const channelId = `ch-${randomUUID()}`;
  const isChatWebhook = channelType === 'SLACK_WEBHOOK' || channelType === 'TEAMS_WEBHOOK';
  const secretMaterial = isChatWebhook ? create.url : checked.secret;
  // The secret first: a channel that says it has one always has one.
  if (secretMaterial !== undefined) await secretStore().put(channelId, secretMaterial);
  const topics = topicClient();
  const emailTopicArn = process.env.NOTIFICATION_EMAIL_TOPIC_ARN;
  const subscriptionArn = channelType === 'EMAIL' && topics && emailTopicArn && checked.address ? await topics.subscribeEmail(emailTopicArn, checked.address, channelId) : undefined;
  const channel: Channel = {
    channelId,
    name: name ?? '',
    type: channelType,
    ...(checked.topicArn ? { topicArn: checked.topicArn } : {}),
    ...(checked.address ? { address: checked.address } : {}),
    ...(checked.url ? { url: isChatWebhook ? redacted(checked.url) : checked.url.toString() } : {}),
    hasSecret: secretMaterial !== undefined,
    ...(subscriptionArn ? { subscriptionArn } : {}),
    createdAt: now,
    updatedAt: now,
  };
  await channelStore().put(channel, 'create');
  console.info(JSON.stringify({ message: 'notification channel created', channelId, type: channelType }));
  return toChannelView(channel);
}

async function updateChannel(input: unknown): Promise<NotificationChannelView> {
  const { fields, problems } = objectInput(input, ['channelId', 'name', 'topicArn', 'url', 'secret'], 'updateNotificationChannel');
  const channelId = text(fields, 'channelId', problems, { required: true });
  const name = text(fields, 'name', problems, { max: MAX_NAME });
  done(problems);
  const existing = await channelOrNotFound(channelId ?? '');
  const checked = channelFields(existing.type, fields, problems, false);
  done(problems);
  const update = input as UpdateNotificationChannelInput;
  const isChatWebhook = existing.type === 'SLACK_WEBHOOK' || existing.type === 'TEAMS_WEBHOOK';
  const secretMaterial = isChatWebhook ? update.url : checked.secret;
  if (secretMaterial !== undefined) await secretStore().put(existing.channelId, secretMaterial);
  const channel: Channel = {
    ...existing,
    ...(name ? { name } : {}),
    ...(checked.topicArn ? { topicArn: checked.topicArn } : {}),
    ...(checked.url ? { url: isChatWebhook ? redacted(checked.url) : checked.url.toString() } : {}),
    hasSecret: existing.hasSecret || secretMaterial !== undefined,
    updatedAt: new Date().toISOString(),
  };
  if ((await channelStore().put(channel, 'replace')) === 'missing') throw new NotFoundError(`No notification channel ${existing.channelId}`, 'channelId');
  console.info(JSON.stringify({ message: 'notification channel updated', channelId: existing.channelId, secretReplaced: secretMaterial !== undefined }));
  return toChannelView(channel);
}

async function deleteChannel(input: unknown): Promise<{ channelId: string }> {
  const { fields, problems } = objectInput(input, ['channelId'], 'deleteNotificationChannel');
  const channelId = text(fields, 'channelId', problems, { required: true });
  done(problems);
  const channel = await channelOrNotFound(channelId ?? '');
  await channelStore().deleteSubscriptionsOf(channel.channelId);
  const topics = topicClient();
  if (channel.subscriptionArn && topics && channel.subscriptionArn.startsWith('arn:')) await topics.unsubscribe(channel.subscriptionArn);
  await channelStore().delete(channel.channelId);
  if (channel.hasSecret) await secretStore().delete(channel.channelId);
  console.info(JSON.stringify({ message: 'notification channel deleted', channelId: channel.channelId }));
  return { channelId: channel.channelId };
}

async function testChannel(input: unknown): Promise<NotificationDeliveryView> {
  const { fields, problems } = objectInput(input, ['channelId'], 'testNotificationChannel');
  const channelId = text(fields, 'channelId', problems, { required: true });
  done(problems);
  const channel = await channelOrNotFound(channelId ?? '');
  const now = new Date().toISOString();
  const messageId = `test-${randomUUID()}`;
  const delivery: Delivery = {
    deliveryId: `${messageId}.${channel.channelId}`,
    messageId,
    channelId: channel.channelId,
    channelType: channel.type,
    eventType: 'ChannelTest',
    subject: `[LIFEBOAT] Test message to channel "${channel.name}"`,
    text: `This is a test message from Lifeboat to the notification channel "${channel.name}" (${channel.type}).\nNeeded from you: nothing.`,
    severity: 'INFO',
    links: [],
    occurredAt: now,
    status: 'PENDING',
    attempts: 0,
    maxAttempts: retryPolicy().maxAttempts,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  };
  await deliveryStore().create(delivery);
  return toDeliveryView(delivery);
}

async function listSubscriptions(input: unknown): Promise<NotificationSubscriptionView[]> {
  const { fields, problems } = objectInput(input, ['planId'], 'listNotificationSubscriptions');
  const planId = text(fields, 'planId', problems);
  done(problems);
  return planId ? channelStore().subscriptionsOf(planId) : channelStore().allSubscriptions();
}

async function setSubscription(input: unknown): Promise<NotificationSubscriptionView> {
  const { fields, problems } = objectInput(input, ['planId', 'channelId', 'events'], 'setNotificationSubscription');
  const planId = text(fields, 'planId', problems, { required: true });
  const channelId = text(fields, 'channelId', problems, { required: true });
  const { events } = fields;
  if (!Array.isArray(events) || events.length === 0) problems.push({ field: 'events', message: `must be a non-empty list of ${NOTIFICATION_EVENT_KINDS.join(', ')} (removeNotificationSubscription removes it)` });
  else
    events.forEach((kind, i) => {
      if (!(NOTIFICATION_EVENT_KINDS as readonly unknown[]).includes(kind)) problems.push({ field: `events[${i}]`, message: `must be one of ${NOTIFICATION_EVENT_KINDS.join(', ')}` });
    });
  done(problems);
  await channelOrNotFound(channelId ?? '');
  const chosen = new Set(events as NotificationEventKind[]);
  const subscription = { planId: planId ?? '', channelId: channelId ?? '', events: NOTIFICATION_EVENT_KINDS.filter((k) => chosen.has(k)), updatedAt: new Date().toISOString() };
  await channelStore().putSubscription(subscription);
  return subscription;
}

async function removeSubscription(input: unknown): Promise<{ planId: string; channelId: string }> {
  const { fields, problems } = objectInput(input, ['planId', 'channelId'], 'removeNotificationSubscription');
  const planId = text(fields, 'planId', problems, { required: true }) ?? '';
  const channelId = text(fields, 'channelId', problems, { required: true }) ?? '';
  done(problems);
  if (!(await channelStore().deleteSubscription(planId, channelId))) throw new NotFoundError(`Plan ${planId} has no subscription of channel ${channelId}`, 'channelId');
  return { planId, channelId };
}

async function listDeliveries(input: unknown): Promise<Ops['listNotificationDeliveries']['result']> {
  const { fields, problems } = objectInput(input, ['status', 'channelId', 'limit', 'nextToken'], 'listNotificationDeliveries');
  const { status } = fields;
  if (status !== undefined && !(NOTIFICATION_DELIVERY_STATUSES as readonly unknown[]).includes(status)) problems.push({ field: 'status', message: `must be one of ${NOTIFICATION_DELIVERY_STATUSES.join(', ')}` });
  const channelId = text(fields, 'channelId', problems);
  const page = paging(fields, problems);
  if (status === undefined && fields.channelId === undefined) problems.push({ field: 'status', message: 'status or channelId is required' });
  done(problems);
  const result = await deliveryStore().list({ ...page, ...(status ? { status: status as NotificationDeliveryStatus } : {}), ...(channelId ? { channelId } : {}) });
  return { items: result.items.map(toDeliveryView), nextToken: result.nextToken };
}

async function retryDelivery(input: unknown): Promise<NotificationDeliveryView> {
  const { fields, problems } = objectInput(input, ['deliveryId'], 'retryNotificationDelivery');
  const deliveryId = text(fields, 'deliveryId', problems, { required: true }) ?? '';
  done(problems);
  const existing = await deliveryStore().get(deliveryId);
  if (!existing) throw new NotFoundError(`No notification delivery ${deliveryId}`, 'deliveryId');
  const redriven = await deliveryStore().redrive(deliveryId, new Date());
  if (!redriven) throw new ConflictError(`Delivery ${deliveryId} is ${existing.status}: only a DEAD_LETTERED delivery can be retried`, 'deliveryId');
  return toDeliveryView(redriven);
}

/** The API of the notification service (Lambda Invoke from the gateway and other services). */
export const handler = createApiHandler({
  listOutbox: operation<Ops['listOutbox']['input'], Ops['listOutbox']['result']>('read', listOutbox),
  listNotificationChannels: operation<Ops['listNotificationChannels']['input'], NotificationChannelView[]>('read', async (input) => {
    done(objectInput(input, [], 'listNotificationChannels').problems);
    return (await channelStore().list()).map(toChannelView);
  }),
  getNotificationChannel: operation<Ops['getNotificationChannel']['input'], NotificationChannelView>('read', async (input) => {
    const { fields, problems } = objectInput(input, ['channelId'], 'getNotificationChannel');
    const channelId = text(fields, 'channelId', problems, { required: true });
    done(problems);
    return toChannelView(await channelOrNotFound(channelId ?? ''));
  }),
  createNotificationChannel: operation<Ops['createNotificationChannel']['input'], NotificationChannelView>('admin', createChannel),
  updateNotificationChannel: operation<Ops['updateNotificationChannel']['input'], NotificationChannelView>('admin', updateChannel),
  deleteNotificationChannel: operation<Ops['deleteNotificationChannel']['input'], { channelId: string }>('admin', deleteChannel),
  testNotificationChannel: operation<Ops['testNotificationChannel']['input'], NotificationDeliveryView>('admin', testChannel),
  listNotificationSubscriptions: operation<Ops['listNotificationSubscriptions']['input'], NotificationSubscriptionView[]>('read', listSubscriptions),
  setNotificationSubscription: operation<Ops['setNotificationSubscription']['input'], NotificationSubscriptionView>('admin', setSubscription),
  removeNotificationSubscription: operation<Ops['removeNotificationSubscription']['input'], { planId: string; channelId: string }>('admin', removeSubscription),
  listNotificationDeliveries: operation<Ops['listNotificationDeliveries']['input'], Ops['listNotificationDeliveries']['result']>('read', listDeliveries),
  retryNotificationDelivery: operation<Ops['retryNotificationDelivery']['input'], NotificationDeliveryView>('admin', retryDelivery),
});
