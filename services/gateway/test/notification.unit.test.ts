/** The notification part of the schema: role checks, mapping, write-only secrets, field names. */
import { describe, expect, it } from '@jest/globals';
import type { NotificationChannelView, NotificationDeliveryView } from '@lifeboat/service-api';
import { NotFoundError, ValidationError } from '@lifeboat/service-api';
import { callerWith, gatewayHarness } from './fixtures.js';

const admin = callerWith('Admin');
const viewer = callerWith('Viewer');
const planAuthor = callerWith('PlanAuthor');

const channel: NotificationChannelView = {
  channelId: 'ch-1',
  name: 'On-call',
  type: 'WEBHOOK',
  url: 'https://hooks.example.com/lifeboat',
  hasSecret: true,
  createdAt: '2025-03-01T10:00:00.000Z',
  updatedAt: '2025-03-01T10:00:00.000Z',
};
const delivery: NotificationDeliveryView = {
  deliveryId: 'evt-1.ch-1',
  messageId: 'evt-1',
  channelId: 'ch-1',
  channelType: 'WEBHOOK',
  eventType: 'WaveFailed',
  executionId: 'exec-1',
  subject: 'wave failed',
  status: 'DEAD_LETTERED',
  attempts: 5,
  maxAttempts: 5,
  lastError: 'HTTP 500 from hooks.example.com',
  createdAt: '2025-03-01T10:00:00.000Z',
  updatedAt: '2025-03-01T10:05:00.000Z',
};

describe('notification channels', () => {
  it('createNotificationChannel: Admin only; the secret goes to the service and never comes back', async () => {
    const harness = gatewayHarness();
    harness.services.notification.on('createNotificationChannel', () => channel);
    const mutation = 'mutation { createNotificationChannel(input: { name: "On-call", type: WEBHOOK, url: "https://hooks.example.com/lifeboat", secret: "0123456789abcdef-secret" }) { id type url hasSecret } }';

    const refused = await harness.run(mutation, planAuthor);
    expect(refused.errors?.[0]).toMatchObject({ message: 'createNotificationChannel needs the admin permission', extensions: { code: 'FORBIDDEN' } });
    expect(harness.services.notification.calls).toHaveLength(0);

    const result = await harness.run(mutation, admin);
    expect(result.data).toEqual({ createNotificationChannel: { id: 'ch-1', type: 'WEBHOOK', url: 'https://hooks.example.com/lifeboat', hasSecret: true } });
    expect(harness.services.notification.calls[0]).toMatchObject({
      operation: 'createNotificationChannel',
      input: { name: 'On-call', type: 'WEBHOOK', url: 'https://hooks.example.com/lifeboat', secret: '0123456789abcdef-secret' },
    });
    expect(JSON.stringify(result)).not.toContain('0123456789abcdef-secret');
  });

  it('the schema has no field that could answer a secret', async () => {
    const harness = gatewayHarness();
    const result = await harness.run('{ notificationChannels { id secret } }', viewer);
    expect(result.errors?.[0]?.message).toMatch(/Cannot query field "secret"/);
  });

  it('notificationChannels and notificationChannel for every role; null when unknown', async () => {
    const harness = gatewayHarness();
    harness.services.notification.on('listNotificationChannels', () => [channel]);
    harness.services.notification.on('getNotificationChannel', () => {
      throw new NotFoundError('No notification channel ch-2', 'channelId');
    });
    const listed = await harness.run('{ notificationChannels { id name topicArn address } }', viewer);
    expect(listed.data).toEqual({ notificationChannels: [{ id: 'ch-1', name: 'On-call', topicArn: null, address: null }] });
    expect((await harness.run('{ notificationChannel(id: "ch-2") { id } }', viewer)).data).toEqual({ notificationChannel: null });
  });

  it('updateNotificationChannel renames the service\'s channelId to id in errors', async () => {
    const harness = gatewayHarness();
    harness.services.notification.on('updateNotificationChannel', () => {
      throw new ValidationError([{ field: 'channelId', message: 'must be a non-empty string' }]);
    });
    const result = await harness.run('mutation { updateNotificationChannel(input: { id: "ch-1", name: "x" }) { id } }', admin);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(harness.services.notification.calls[0]?.input).toEqual({ channelId: 'ch-1', name: 'x' });
  });
});

describe('subscriptions, outbox and deliveries', () => {
  it('setNotificationSubscription (Admin) and notificationSubscriptions (read)', async () => {
    const harness = gatewayHarness();
    const subscription = { planId: 'plan-1', channelId: 'ch-1', events: ['FAILED', 'APPROVAL_REQUESTED'], updatedAt: '2025-03-01T10:00:00.000Z' };
    harness.services.notification.on('setNotificationSubscription', () => subscription).on('listNotificationSubscriptions', () => [subscription]);

    const set = await harness.run('mutation { setNotificationSubscription(input: { planId: "plan-1", channelId: "ch-1", events: [FAILED, APPROVAL_REQUESTED] }) { planId events } }', admin);
    expect(set.data).toEqual({ setNotificationSubscription: { planId: 'plan-1', events: ['FAILED', 'APPROVAL_REQUESTED'] } });
    expect((await harness.run('mutation { setNotificationSubscription(input: { planId: "p", channelId: "c", events: [FAILED] }) { planId } }', viewer)).errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });

    const listed = await harness.run('{ notificationSubscriptions(planId: "plan-1") { channelId } }', viewer);
    expect(listed.data).toEqual({ notificationSubscriptions: [{ channelId: 'ch-1' }] });
    expect(harness.services.notification.calls.at(-1)?.input).toEqual({ planId: 'plan-1' });
  });

  it('notificationDeliveries lists the dead letters with paging as first/after; retryNotificationDelivery redrives', async () => {
    const harness = gatewayHarness();
    harness.services.notification.on('listNotificationDeliveries', () => ({ items: [delivery], nextToken: 'tok-2' })).on('retryNotificationDelivery', () => ({ ...delivery, status: 'PENDING', attempts: 0 }));

    const listed = await harness.run('{ notificationDeliveries(status: DEAD_LETTERED, first: 10, after: "tok-1") { items { id status attempts lastError nextAttemptAt } nextCursor } }', viewer);
    expect(listed.data).toEqual({ notificationDeliveries: { items: [{ id: 'evt-1.ch-1', status: 'DEAD_LETTERED', attempts: 5, lastError: 'HTTP 500 from hooks.example.com', nextAttemptAt: null }], nextCursor: 'tok-2' } });
    expect(harness.services.notification.calls[0]?.input).toEqual({ status: 'DEAD_LETTERED', limit: 10, nextToken: 'tok-1' });

    const retried = await harness.run('mutation { retryNotificationDelivery(id: "evt-1.ch-1") { status attempts } }', admin);
    expect(retried.data).toEqual({ retryNotificationDelivery: { status: 'PENDING', attempts: 0 } });
    expect(harness.services.notification.calls[1]?.input).toEqual({ deliveryId: 'evt-1.ch-1' });
  });

  it('notificationOutbox maps messages with their links', async () => {
    const harness = gatewayHarness();
    harness.services.notification.on('listOutbox', () => ({
      items: [
        {
          messageId: 'evt-9',
          channel: 'outbox',
          subject: 'approval needed',
          text: 'Approve: https://c/executions/e?approval=a&decision=approve',
          severity: 'ACTION_REQUIRED',
          links: [{ label: 'Approve', url: 'https://c/executions/e?approval=a&decision=approve' }],
          executionId: 'e',
          eventType: 'ApprovalRequested',
          occurredAt: '2025-03-01T10:00:00.000Z',
          createdAt: '2025-03-01T10:00:01.000Z',
        },
      ],
      nextToken: null,
    }));

    const result = await harness.run('{ notificationOutbox(executionId: "e") { items { id severity planId links { label url } } nextCursor } }', viewer);
    expect(result.data).toEqual({ notificationOutbox: { items: [{ id: 'evt-9', severity: 'ACTION_REQUIRED', planId: null, links: [{ label: 'Approve', url: 'https://c/executions/e?approval=a&decision=approve' }] }], nextCursor: null } });
  });
});
