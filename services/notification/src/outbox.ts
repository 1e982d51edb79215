import type { Link, Severity } from './domain/messages.js';

/** A message recorded for sending; `messageId` is the eventId of the event it is about. */
export interface OutboxMessage {
  messageId: string;
  /** Every message is recorded here; its deliveries to the plan's channels are in the deliveries table. */
  channel: 'outbox';
  subject: string;
  text: string;
  severity: Severity;
  /** The execution's page, approve / reject links (also in `text`). */
  links: Link[];
  executionId: string;
  /** When known (from the event or the execution's context). */
  planId?: string;
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
