export type { NotificationOperations } from './api.js';
export type { OutboxMessage, OutboxPage } from './outbox.js';
export type { Message, Severity } from './domain/messages.js';
