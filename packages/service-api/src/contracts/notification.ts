/** The notification service's API contract. */
// ---- notification (function lifeboat-notification-<stage>-api)

/**
 * Where messages go.
 * - SNS_TOPIC: Publish to a topic of the operator's (`topicArn`).
 * - EMAIL: one address, through the notification service's own SNS topic (a subscription of the
 *   address, filtered on the channel; the address confirms it once).
 * - SLACK_WEBHOOK, TEAMS_WEBHOOK: incoming-webhook URLs. Their URL is a credential: it is kept
 *   as a secret and answered redacted (`https://hooks.slack.com/…`).
 * - WEBHOOK: generic JSON, signed (`X-Lifeboat-Signature: sha256=<hex HMAC-SHA256 of
 *   "<X-Lifeboat-Timestamp>.<body>">`) with the channel's secret.
 */
export type NotificationChannelType = 'SNS_TOPIC' | 'EMAIL' | 'SLACK_WEBHOOK' | 'TEAMS_WEBHOOK' | 'WEBHOOK';

export const NOTIFICATION_CHANNEL_TYPES = ['SNS_TOPIC', 'EMAIL', 'SLACK_WEBHOOK', 'TEAMS_WEBHOOK', 'WEBHOOK'] as const satisfies readonly NotificationChannelType[];

/**
 * What a plan's subscription may ask to be told about.
 * STARTED: ExecutionStarted; WAVE_COMPLETED: WaveCompleted; APPROVAL_REQUESTED: ApprovalRequested;
 * FAILED: WaveFailed, ExecutionFailed; COMPLETED: ExecutionCompleted; CLEANUP: DrillCleanupCompleted.
 */
export type NotificationEventKind = 'STARTED' | 'WAVE_COMPLETED' | 'APPROVAL_REQUESTED' | 'FAILED' | 'COMPLETED' | 'CLEANUP';

export const NOTIFICATION_EVENT_KINDS = ['STARTED', 'WAVE_COMPLETED', 'APPROVAL_REQUESTED', 'FAILED', 'COMPLETED', 'CLEANUP'] as const satisfies readonly NotificationEventKind[];

/** A channel as the API answers it: never a secret, only whether there is one. */
export interface NotificationChannelView {
  channelId: string;
  name: string;
  type: NotificationChannelType;
  /** SNS_TOPIC. */
  topicArn?: string;
  /** EMAIL. */
  address?: string;
  /** WEBHOOK: the URL; SLACK_WEBHOOK / TEAMS_WEBHOOK: its origin only (`https://hooks.slack.com/…`). */
  url?: string;
  /** A secret is stored (WEBHOOK signing secret, Slack/Teams webhook URL). It is never answered. */
  hasSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface CreateNotificationChannelInput {
  name: string;
  type: NotificationChannelType;
  topicArn?: string;
  address?: string;
  url?: string;
  /** WEBHOOK only, required there: the HMAC-SHA256 key (16 to 1024 characters). Write-only. */
  secret?: string;
}

/** Absent fields are kept; the type never changes. */
export interface UpdateNotificationChannelInput {
  channelId: string;
  name?: string;
  topicArn?: string;
  url?: string;
  /** WEBHOOK only: replaces the signing secret. Write-only. */
  secret?: string;
}

/** Which of a plan's events go to one channel. */
export interface NotificationSubscriptionView {
  planId: string;
  channelId: string;
  events: NotificationEventKind[];
  updatedAt: string;
}

/**
 * PENDING: waiting for its first or next attempt (`nextAttemptAt`); DELIVERED: the channel took it;
 * DELIVERED_TO_OUTBOX: an SNS or e-mail message kept in the outbox (local runtime, no SNS);
 * DEAD_LETTERED: every attempt failed, kept with the last error (the dead-letter queue).
 */
export type NotificationDeliveryStatus = 'PENDING' | 'DELIVERED' | 'DELIVERED_TO_OUTBOX' | 'DEAD_LETTERED';

export const NOTIFICATION_DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'DELIVERED_TO_OUTBOX', 'DEAD_LETTERED'] as const satisfies readonly NotificationDeliveryStatus[];

export type NotificationSeverity = 'INFO' | 'SUCCESS' | 'FAILURE' | 'ACTION_REQUIRED';

export interface NotificationLink {
  label: string;
  url: string;
}

/** One message on its way to one channel. */
export interface NotificationDeliveryView {
  deliveryId: string;
  messageId: string;
  channelId: string;
  channelType: NotificationChannelType;
  /** The Lifeboat event it is about, or `ChannelTest`. */
  eventType: string;
  executionId?: string;
  planId?: string;
  subject: string;
  status: NotificationDeliveryStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt?: string;
  lastError?: string;
  deliveredAt?: string;
  createdAt: string;
  updatedAt: string;
}

export interface OutboxMessageView {
  /** The eventId of the event it is about. */
  messageId: string;
  channel: 'outbox';
  subject: string;
  text: string;
  severity: NotificationSeverity;
  /** Approve / reject links of an approval request, and the execution's page. */
  links?: NotificationLink[];
  executionId: string;
  planId?: string;
  eventType: string;
  occurredAt: string;
  createdAt: string;
}

export interface OutboxPageView {
  items: OutboxMessageView[];
  nextToken: string | null;
}

export interface NotificationDeliveryPage {
  items: NotificationDeliveryView[];
  nextToken: string | null;
}

/** Paged listings take `limit` 1..100 (default 50) and the previous page's `nextToken`. */
export interface NotificationOperations {
  /** Messages recorded for sending, newest first (permission read). */
  listOutbox: { input: { executionId?: string; limit?: number; nextToken?: string }; result: OutboxPageView };
  /** Every channel, by name (read). */
  listNotificationChannels: { input: Record<string, never>; result: NotificationChannelView[] };
  /** NOT_FOUND when unknown (read). */
  getNotificationChannel: { input: { channelId: string }; result: NotificationChannelView };
  /** admin. */
  createNotificationChannel: { input: CreateNotificationChannelInput; result: NotificationChannelView };
  /** admin. */
  updateNotificationChannel: { input: UpdateNotificationChannelInput; result: NotificationChannelView };
  /** admin: removes its secret and its plan subscriptions too. */
  deleteNotificationChannel: { input: { channelId: string }; result: { channelId: string } };
  /** admin: queues a test message to the channel; follow it with listNotificationDeliveries. */
  testNotificationChannel: { input: { channelId: string }; result: NotificationDeliveryView };
  /** The subscriptions of one plan, or of all plans (read). */
  listNotificationSubscriptions: { input: { planId?: string }; result: NotificationSubscriptionView[] };
  /** admin: creates or replaces the plan's subscription of the channel; NOT_FOUND for an unknown channel. */
  setNotificationSubscription: { input: { planId: string; channelId: string; events: NotificationEventKind[] }; result: NotificationSubscriptionView };
  /** admin. */
  removeNotificationSubscription: { input: { planId: string; channelId: string }; result: { planId: string; channelId: string } };
  /** Deliveries with one status (newest first) or of one channel (read); one of the two is required. */
  listNotificationDeliveries: { input: { status?: NotificationDeliveryStatus; channelId?: string; limit?: number; nextToken?: string }; result: NotificationDeliveryPage };
  /** admin: a DEAD_LETTERED delivery is attempted again from its first attempt (a redrive). CONFLICT otherwise. */
  retryNotificationDelivery: { input: { deliveryId: string }; result: NotificationDeliveryView };
}
