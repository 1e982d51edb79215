import type { OutboxPage } from './outbox.js';

/**
 * The sync contract of lifeboat-notification-<stage>-api (to move into
 * @lifeboat/service-api's contracts.ts beside the other services').
 */
export interface NotificationOperations {
  /** Messages recorded for sending, newest first; `limit` 1..100 (default 50). */
  listOutbox: { input: { executionId?: string; limit?: number; nextToken?: string }; result: OutboxPage };
}
