/**
 * The body each webhook channel gets for a message. Pure: signing and sending are adapters'.
 */
import type { Link, Severity } from './messages.js';

/** A message as a delivery carries it. */
export interface DeliveryMessage {
  deliveryId: string;
  messageId: string;
  /** The Lifeboat event it is about, or `ChannelTest`. */
  eventType: string;
  executionId?: string;
  planId?: string;
  subject: string;
  text: string;
  severity: Severity;
  links: Link[];
  occurredAt: string;
}

const EMOJI: Record<Severity, string> = { INFO: ':information_source:', SUCCESS: ':white_check_mark:', FAILURE: ':x:', ACTION_REQUIRED: ':raising_hand:' };
const COLOUR: Record<Severity, string> = { INFO: '0078D7', SUCCESS: '2EB886', FAILURE: 'D40E0D', ACTION_REQUIRED: 'F2C744' };

/** Slack incoming webhook: `{ text }` (mrkdwn; links are plain URLs, which Slack links). */
export function slackPayload(message: DeliveryMessage): { text: string } {
  return { text: `${EMOJI[message.severity]} *${message.subject}*\n${message.text}` };
}

/** Microsoft Teams incoming webhook: a MessageCard, links as OpenUri actions. */
export function teamsPayload(message: DeliveryMessage): Record<string, unknown> {
  return {
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary: message.subject,
    themeColor: COLOUR[message.severity],
    title: message.subject,
    // Teams renders Markdown: a blank line per line break.
    text: message.text.split('\n').join('\n\n'),
    ...(message.links.length > 0
      ? { potentialAction: message.links.map((l) => ({ '@type': 'OpenUri', name: l.label, targets: [{ os: 'default', uri: l.url }] })) }
      : {}),
  };
}

/** Generic JSON webhook body (signed by the sender). */
export function webhookPayload(message: DeliveryMessage): Record<string, unknown> {
  return {
    deliveryId: message.deliveryId,
    messageId: message.messageId,
    eventType: message.eventType,
    executionId: message.executionId ?? null,
    planId: message.planId ?? null,
    severity: message.severity,
    subject: message.subject,
    text: message.text,
    links: message.links,
    occurredAt: message.occurredAt,
  };
}

/** SNS subjects are ASCII, one line, at most 100 characters. */
export function snsSubject(subject: string): string {
  const folded = subject
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?');
  return folded.slice(0, 99);
}
