import { describe, expect, it } from '@jest/globals';
import type { DeliveryMessage } from '../../src/domain/payloads.js';
import { slackPayload, snsSubject, teamsPayload, webhookPayload } from '../../src/domain/payloads.js';
import { signature, verifySignature } from '../../src/signature.js';

const message: DeliveryMessage = {
  deliveryId: 'evt-1.ch-1',
  messageId: 'evt-1',
  eventType: 'ApprovalRequested',
  executionId: 'exec-1',
  planId: 'plan-1',
  subject: '[RECOVERY] "Zahlungsverkehr – Süd" v2: approval needed',
  text: 'line one\nline two',
  severity: 'ACTION_REQUIRED',
  links: [{ label: 'Approve', url: 'https://console.example.com/executions/exec-1?approval=a-1&decision=approve' }],
  occurredAt: '2025-03-01T10:00:00.000Z',
};

describe('channel payloads', () => {
  it('Slack gets { text } with the subject in bold', () => {
    expect(slackPayload(message)).toEqual({ text: ':raising_hand: *[RECOVERY] "Zahlungsverkehr – Süd" v2: approval needed*\nline one\nline two' });
  });

  it('Teams gets a MessageCard whose links are OpenUri actions', () => {
    expect(teamsPayload(message)).toMatchObject({
      '@type': 'MessageCard',
      title: message.subject,
      text: 'line one\n\nline two',
      potentialAction: [{ '@type': 'OpenUri', name: 'Approve', targets: [{ os: 'default', uri: message.links[0]?.url }] }],
    });
  });

  it('a generic webhook gets the message with its ids', () => {
    expect(webhookPayload(message)).toMatchObject({ deliveryId: 'evt-1.ch-1', eventType: 'ApprovalRequested', planId: 'plan-1', severity: 'ACTION_REQUIRED', links: message.links });
  });

  it('SNS subjects are folded to ASCII', () => {
    expect(snsSubject(message.subject)).toBe('[RECOVERY] "Zahlungsverkehr ? Sud" v2: approval needed');
  });
});

describe('the webhook signature', () => {
  const now = new Date('2025-03-01T10:00:00.000Z');
  const timestamp = String(now.getTime() / 1000);

  it('is the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    // printf '%s' '1740823200.{"a":1}' | openssl dgst -sha256 -hmac 'secret-of-sixteen!'
    expect(signature('secret-of-sixteen!', '1740823200', '{"a":1}')).toBe('sha256=6ce7ecbfba2f059403463c8df000e62ff4e42f4320b2be3cf4155c1854bbda0a');
    expect(signature('k', '1', 'b')).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('verifies with the same secret, body and a fresh timestamp only', () => {
    const header = signature('secret-of-sixteen!', timestamp, '{"a":1}');
    expect(verifySignature('secret-of-sixteen!', timestamp, '{"a":1}', header, now)).toBe(true);
    expect(verifySignature('secret-of-sixteen?', timestamp, '{"a":1}', header, now)).toBe(false);
    expect(verifySignature('secret-of-sixteen!', timestamp, '{"a":2}', header, now)).toBe(false);
    expect(verifySignature('secret-of-sixteen!', timestamp, '{"a":1}', header, new Date(now.getTime() + 301_000))).toBe(false);
  });
});
