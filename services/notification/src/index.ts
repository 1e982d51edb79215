export type { NotificationOperations } from './api.js';
export type { OutboxMessage, OutboxPage } from './outbox.js';
export type { Link, Message, Severity } from './domain/messages.js';
export { SIGNATURE_HEADER, TIMESTAMP_HEADER, signature, verifySignature } from './signature.js';
