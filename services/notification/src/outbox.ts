import type { Severity } from './domain/messages.js';

/** A message recorded for sending; `messageId` is the eventId of the event it is about. */
export interface OutboxMessage {
  messageId: string;
  /** 'outbox' records what would be sent; SNS and webhook channels come later. */
  channel: 'outbox';
  subject: string;
  text: string;
  severity: Severity;
  executionId: string;
  eventType: string;
  /** When the event happened. */
  occurredAt: string;
  /** When the message was recorded. */
  createdAt: string;
}

export interface OutboxQuery {
  executionId?: string;
  limit: number;
  /** Opaque, from the previous page. */
  nextToken?: string;
}

export interface OutboxPage {
  items: OutboxMessage[];
  nextToken: string | null;
}

/** Port: where messages wait for their channels. */
export interface Outbox {
  /** 'duplicate' when a message with this id was already recorded (a redelivered event). */
  record(message: OutboxMessage): Promise<'recorded' | 'duplicate'>;
  /** Newest first. */
  list(query: OutboxQuery): Promise<OutboxPage>;
}
