import type { ServiceDynamoDb } from '@lifeboat/testing';

/** The environment serverless.yml gives the functions, on the test's dynalite, as the local runtime sets it. */
export function setNotificationEnv(db: ServiceDynamoDb, overrides: Record<string, string> = {}): void {
  Object.assign(process.env, {
    NOTIFICATION_OUTBOX_TABLE: db.tables.NotificationOutboxTable,
    NOTIFICATION_EXECUTIONS_TABLE: db.tables.NotificationExecutionsTable,
    NOTIFICATION_IDEMPOTENCY_TABLE: db.tables.NotificationIdempotencyTable,
    NOTIFICATION_CHANNELS_TABLE: db.tables.NotificationChannelsTable,
    NOTIFICATION_SUBSCRIPTIONS_TABLE: db.tables.NotificationSubscriptionsTable,
    NOTIFICATION_DELIVERIES_TABLE: db.tables.NotificationDeliveriesTable,
    NOTIFICATION_RETENTION_DAYS: '90',
    NOTIFICATION_SECRET_STORE: 'table',
    NOTIFICATION_TOPIC_DELIVERY: 'outbox',
    NOTIFICATION_CONSOLE_URL: 'http://localhost:4000',
    EVENT_BUS_NAME: 'lifeboat-test',
    LIFEBOAT_STAGE: 'test',
    ...overrides,
  });
}
