/**
 * Channels, subscriptions and deliveries on dynalite, with webhooks to a local receiver:
 * signature, retry after a 500, dead letter after the last attempt, and no secret in any log line.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { ApiResponse, Caller, NotificationChannelView, NotificationDeliveryPage, NotificationDeliveryView } from '@lifeboat/service-api';
import { lambdaContext, startServiceDynamoDb, type ServiceDynamoDb } from '@lifeboat/testing';
import type { handler as ApiHandler } from '../../src/handlers/api.js';
import type { handler as DeliverHandler } from '../../src/handlers/deliver.js';
import type { handler as NotifyHandler } from '../../src/handlers/notify.js';
import type { handler as RetryHandler } from '../../src/handlers/retry-deliveries.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../src/signature.js';
import { setNotificationEnv } from '../support/env.js';
import { envelopeOf, executionStarted, published, waveFailed } from '../support/events.js';
import { startReceiver, type Receiver } from '../support/receiver.js';

let db: ServiceDynamoDb;
let receiver: Receiver;
let api: typeof ApiHandler;
let notify: typeof NotifyHandler;
let deliver: typeof DeliverHandler;
let retryDeliveries: typeof RetryHandler;

const SECRET = 'whsec-0123456789-very-secret-value';
const admin: Caller = { userId: 'u-admin', username: 'admin@example.com', roles: ['Admin'] };
const viewer: Caller = { userId: 'u-viewer', username: 'viewer@example.com', roles: ['Viewer'] };
const context = () => lambdaContext('lifeboat-notification-test-notify');

async function call<T>(operation: string, input: unknown, caller: Caller = admin): Promise<ApiResponse<T>> {
  return (await api({ operation, input, caller })) as ApiResponse<T>;
}
async function ok<T>(operation: string, input: unknown, caller: Caller = admin): Promise<T> {
  const response = await call<T>(operation, input, caller);
  if (!response.ok) throw new Error(`${operation}: ${response.error.code} ${response.error.message}`);
  return response.result;
}

/** What the table's stream hands `deliver` for these deliveries (INSERT, NEW_IMAGE). */
function streamOf(deliveries: NotificationDeliveryView[]): DynamoDBStreamEvent {
  return {
    Records: deliveries.map((d) => ({
      eventName: 'INSERT',
      dynamodb: { Keys: { deliveryId: { S: d.deliveryId } }, NewImage: { deliveryId: { S: d.deliveryId }, status: { S: d.status } } },
    })),
  };
}

async function deliveriesOf(channelId: string): Promise<NotificationDeliveryView[]> {
  return (await ok<NotificationDeliveryPage>('listNotificationDeliveries', { channelId })).items;
}

/** A plan whose FAILED and APPROVAL_REQUESTED events go to a new channel; its first wave then fails. */
async function givenAWaveFailureRoutedTo(channel: Record<string, unknown>, planId: string): Promise<{ channel: NotificationChannelView; deliveries: NotificationDeliveryView[] }> {
  const created = await ok<NotificationChannelView>('createNotificationChannel', channel);
  await ok('setNotificationSubscription', { planId, channelId: created.channelId, events: ['FAILED', 'APPROVAL_REQUESTED'] });
  const executionId = `exec-${planId}`;
  await notify(envelopeOf(published({ type: 'ExecutionStarted', data: executionStarted({ executionId, planId, plan: { ...executionStarted().plan, planId } }) })), context());
  await notify(envelopeOf(published({ type: 'WaveFailed', data: waveFailed({ executionId }) })), context());
  return { channel: created, deliveries: await deliveriesOf(created.channelId) };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  db = await startServiceDynamoDb(fileURLToPath(new URL('../../serverless.yml', import.meta.url)));
  receiver = await startReceiver();
  setNotificationEnv(db, { NOTIFICATION_RETRY_BASE_MS: '1', NOTIFICATION_MAX_ATTEMPTS: '3' });
  ({ handler: api } = await import('../../src/handlers/api.js'));
  ({ handler: notify } = await import('../../src/handlers/notify.js'));
  ({ handler: deliver } = await import('../../src/handlers/deliver.js'));
  ({ handler: retryDeliveries } = await import('../../src/handlers/retry-deliveries.js'));
});

/** Every line written to the console during a test. */
let logLines: string[];
beforeEach(() => {
  logLines = [];
  receiver.answer(200);
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logLines.push(args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? `${a.name}: ${a.message} ${a.stack ?? ''}` : JSON.stringify(a))).join(' '));
    });
  }
  const write = (chunk: unknown) => {
    logLines.push(String(chunk));
    return true;
  };
  jest.spyOn(process.stdout, 'write').mockImplementation(write as typeof process.stdout.write);
  jest.spyOn(process.stderr, 'write').mockImplementation(write as typeof process.stderr.write);
});
afterEach(() => {
  jest.restoreAllMocks();
});

afterAll(async () => {
  await receiver?.close();
  await db?.stop();
});

describe('a generic webhook', () => {
  it('given a plan subscribed to failures, when a wave fails, then the receiver gets a message whose signature it verifies', async () => {
    const { channel, deliveries } = await givenAWaveFailureRoutedTo({ name: 'On-call hook', type: 'WEBHOOK', url: `${receiver.url}/hooks/signed`, secret: SECRET }, 'plan-signed');
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 'PENDING', attempts: 0, eventType: 'WaveFailed', planId: 'plan-signed' });

    await deliver(streamOf(deliveries));

    const request = receiver.received.find((r) => r.path === '/hooks/signed');
    if (!request) throw new Error('the receiver got nothing');
    const timestamp = String(request.headers[TIMESTAMP_HEADER.toLowerCase()]);
    const header = String(request.headers[SIGNATURE_HEADER.toLowerCase()]);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, timestamp, request.body, header)).toBe(true);
    expect(verifySignature('another-secret-of-16+', timestamp, request.body, header)).toBe(false);
    expect(verifySignature(SECRET, timestamp, `${request.body} `, header)).toBe(false);
    expect(JSON.parse(request.body)).toMatchObject({ eventType: 'WaveFailed', planId: 'plan-signed', severity: 'FAILURE', subject: '[DRILL] "Payments" v3: wave "Database" FAILED' });
    expect(await deliveriesOf(channel.channelId)).toMatchObject([{ status: 'DELIVERED', attempts: 1, deliveredAt: expect.any(String) }]);
  });

  it('retries after a 500 and delivers on the next attempt', async () => {
    receiver.answer(500, 200);
    const { channel, deliveries } = await givenAWaveFailureRoutedTo({ name: 'Flaky hook', type: 'WEBHOOK', url: `${receiver.url}/hooks/flaky`, secret: SECRET }, 'plan-flaky');

    await deliver(streamOf(deliveries));
    const [afterFirst] = await deliveriesOf(channel.channelId);
    expect(afterFirst).toMatchObject({ status: 'PENDING', attempts: 1, lastError: expect.stringMatching(/^HTTP 500 from 127\.0\.0\.1:\d+$/), nextAttemptAt: expect.any(String) });

    await pause(10);
    await retryDeliveries();

    expect(receiver.received.filter((r) => r.path === '/hooks/flaky').map((r) => r.status)).toEqual([500, 200]);
    expect(await deliveriesOf(channel.channelId)).toMatchObject([{ status: 'DELIVERED', attempts: 2 }]);
  });

  it('dead-letters after the last attempt, keeps the error, lists it, and can be redriven', async () => {
    receiver.answer(500);
    const { channel, deliveries } = await givenAWaveFailureRoutedTo({ name: 'Broken hook', type: 'WEBHOOK', url: `${receiver.url}/hooks/broken`, secret: SECRET }, 'plan-broken');

    await deliver(streamOf(deliveries));
    for (let i = 0; i < 4; i++) {
      await pause(10);
      await retryDeliveries();
    }

    // three attempts (NOTIFICATION_MAX_ATTEMPTS), no more
    expect(receiver.received.filter((r) => r.path === '/hooks/broken')).toHaveLength(3);
    const [dead] = await deliveriesOf(channel.channelId);
    expect(dead).toMatchObject({ status: 'DEAD_LETTERED', attempts: 3, maxAttempts: 3, lastError: expect.stringMatching(/^HTTP 500 from/) });
    expect(dead?.nextAttemptAt).toBeUndefined();
    const deadLetters = await ok<NotificationDeliveryPage>('listNotificationDeliveries', { status: 'DEAD_LETTERED' }, viewer);
    expect(deadLetters.items.map((d) => d.deliveryId)).toContain(dead?.deliveryId);

    // when the receiver is fixed and the dead letter redriven
    receiver.answer(200);
    expect(await ok('retryNotificationDelivery', { deliveryId: dead?.deliveryId })).toMatchObject({ status: 'PENDING', attempts: 0 });
    await retryDeliveries();
    expect(await deliveriesOf(channel.channelId)).toMatchObject([{ status: 'DELIVERED', attempts: 1 }]);
    expect(await call('retryNotificationDelivery', { deliveryId: dead?.deliveryId })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('never writes its secret to a log line or an API answer', async () => {
    receiver.answer(500, 200);
    const answers: unknown[] = [];
    const { channel, deliveries } = await givenAWaveFailureRoutedTo({ name: 'Secret hook', type: 'WEBHOOK', url: `${receiver.url}/hooks/secret`, secret: SECRET }, 'plan-secret');
    answers.push(channel, deliveries);
    await deliver(streamOf(deliveries));
    await pause(10);
    await retryDeliveries();
    answers.push(await call('updateNotificationChannel', { channelId: channel.channelId, secret: `${SECRET}-rotated` }));
    answers.push(await call('createNotificationChannel', { name: 'Bad', type: 'WEBHOOK', url: 'ftp://example.com', secret: 'short-secret' }));
    answers.push(await call('createNotificationChannel', { name: 'Bad', type: 'SLACK_WEBHOOK', url: 'https://hooks.slack.com/services/T0/B0/slack-url-secret', secret: SECRET }));
    answers.push(await call('listNotificationChannels', {}, viewer), await call('getNotificationChannel', { channelId: channel.channelId }, viewer));
    answers.push(await call('listNotificationDeliveries', { channelId: channel.channelId }, viewer));
    answers.push(await call('deleteNotificationChannel', { channelId: channel.channelId }));

    expect(receiver.received.filter((r) => r.path === '/hooks/secret')).toHaveLength(2);
    expect(logLines.length).toBeGreaterThan(3);
    for (const line of logLines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain('slack-url-secret');
    }
    const answered = JSON.stringify(answers);
    expect(answered).not.toContain(SECRET);
    expect(answered).not.toContain('short-secret');
    expect(answered).not.toContain('slack-url-secret');
    expect(channel).toMatchObject({ hasSecret: true, type: 'WEBHOOK' });
  });
});

describe('Slack, Teams, SNS and e-mail', () => {
  it('keeps a Slack URL secret (answered as its origin) and posts { text }', async () => {
    const slackUrl = `${receiver.url}/services/T000/B000/slack-token-xyz`;
    const { channel, deliveries } = await givenAWaveFailureRoutedTo({ name: '#dr', type: 'SLACK_WEBHOOK', url: slackUrl }, 'plan-slack');
    expect(channel).toMatchObject({ url: `${receiver.url}/…`, hasSecret: true });

    await deliver(streamOf(deliveries));

    const request = receiver.received.find((r) => r.path === '/services/T000/B000/slack-token-xyz');
    expect(JSON.parse(request?.body ?? '{}')).toEqual({ text: expect.stringContaining('*[DRILL] "Payments" v3: wave "Database" FAILED*') });
    expect(logLines.join('\n')).not.toContain('slack-token-xyz');
  });

  it('posts a Teams MessageCard', async () => {
    const { deliveries } = await givenAWaveFailureRoutedTo({ name: 'Teams DR', type: 'TEAMS_WEBHOOK', url: `${receiver.url}/teams/webhookb2/abc` }, 'plan-teams');

    await deliver(streamOf(deliveries));

    const card = JSON.parse(receiver.received.find((r) => r.path === '/teams/webhookb2/abc')?.body ?? '{}');
    expect(card).toMatchObject({ '@type': 'MessageCard', themeColor: 'D40E0D', title: '[DRILL] "Payments" v3: wave "Database" FAILED' });
    expect(card.potentialAction).toEqual([{ '@type': 'OpenUri', name: 'Open the execution', targets: [{ os: 'default', uri: 'http://localhost:4000/executions/exec-plan-teams' }] }]);
  });

  it('locally keeps SNS and e-mail messages in the outbox (DELIVERED_TO_OUTBOX)', async () => {
    const topic = await givenAWaveFailureRoutedTo({ name: 'Ops topic', type: 'SNS_TOPIC', topicArn: 'arn:aws:sns:us-east-1:123456789012:ops' }, 'plan-sns');
    const email = await givenAWaveFailureRoutedTo({ name: 'DR lead', type: 'EMAIL', address: 'dr-lead@example.com' }, 'plan-email');

    await deliver(streamOf([...topic.deliveries, ...email.deliveries]));

    expect(await deliveriesOf(topic.channel.channelId)).toMatchObject([{ status: 'DELIVERED_TO_OUTBOX', attempts: 1 }]);
    expect(await deliveriesOf(email.channel.channelId)).toMatchObject([{ status: 'DELIVERED_TO_OUTBOX', attempts: 1 }]);
    expect(email.channel).toMatchObject({ address: 'dr-lead@example.com', hasSecret: false });
  });
});

describe('approval requests', () => {
  it('go to the subscribed channels with approve and reject links into the console, and no token', async () => {
    const { channel } = await givenAWaveFailureRoutedTo({ name: 'Approvers', type: 'WEBHOOK', url: `${receiver.url}/hooks/approvals`, secret: SECRET }, 'plan-approval');
    const requested = published({
      type: 'ApprovalRequested',
      data: { executionId: 'exec-plan-approval', approvalId: 'appr-1', kind: 'STEP', waveId: 'wave-app', stepId: 'step-1', prompt: 'Database team: check replication lag', permission: 'drill:approve', excludedUserIds: [] },
    });

    await notify(envelopeOf(requested), context());
    const pending = (await deliveriesOf(channel.channelId)).filter((d) => d.eventType === 'ApprovalRequested');
    await deliver(streamOf(pending));

    const body = JSON.parse(receiver.received.filter((r) => r.path === '/hooks/approvals').at(-1)?.body ?? '{}');
    expect(body).toMatchObject({ eventType: 'ApprovalRequested', severity: 'ACTION_REQUIRED', subject: '[DRILL] "Payments" v3: approval needed (wave "App")' });
    expect(body.links).toEqual([
      { label: 'Approve', url: 'http://localhost:4000/executions/exec-plan-approval?approval=appr-1&decision=approve' },
      { label: 'Reject', url: 'http://localhost:4000/executions/exec-plan-approval?approval=appr-1&decision=reject' },
      { label: 'Open the execution', url: 'http://localhost:4000/executions/exec-plan-approval' },
    ]);
    expect(body.text).toContain('Database team: check replication lag');
    expect(body.text).toContain('after signing in');
  });

  it('go nowhere for a plan without a subscription to them', async () => {
    const { channel } = await givenAWaveFailureRoutedTo({ name: 'Failures only', type: 'WEBHOOK', url: `${receiver.url}/hooks/failures`, secret: SECRET }, 'plan-failures-only');
    await ok('setNotificationSubscription', { planId: 'plan-failures-only', channelId: channel.channelId, events: ['FAILED'] });

    await notify(envelopeOf(published({ type: 'ApprovalRequested', data: { executionId: 'exec-plan-failures-only', approvalId: 'appr-2', kind: 'SECOND_APPROVER', prompt: 'Second approver', permission: 'recovery:approve', excludedUserIds: ['u-1'] } })), context());

    expect((await deliveriesOf(channel.channelId)).map((d) => d.eventType)).toEqual(['WaveFailed']);
  });
});

describe('the channel and subscription API', () => {
  it('refuses bad channels with every problem named, and non-admins', async () => {
    expect(await call('createNotificationChannel', { name: '', type: 'WEBHOOK', url: 'http://example.com/x', topicArn: 'arn:x' })).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_USER_INPUT',
        problems: expect.arrayContaining([
          { field: 'name', message: 'must be a non-empty string' },
          { field: 'topicArn', message: 'is not a field of a WEBHOOK channel' },
          { field: 'secret', message: 'is required for a WEBHOOK channel' },
          { field: 'url', message: 'must be an https URL (http only to localhost)' },
        ]),
      },
    });
    expect(await call('createNotificationChannel', { name: 'x', type: 'EMAIL', address: 'a@b.co' }, viewer)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call('setNotificationSubscription', { planId: 'p', channelId: 'ch-missing', events: ['FAILED'] })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', field: 'channelId' } });
    expect(await call('setNotificationSubscription', { planId: 'p', channelId: 'ch-missing', events: ['NOPE'] })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'events[0]' } });
    expect(await call('listNotificationDeliveries', {})).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'status' } });
  });

  it('deleting a channel removes its subscriptions and its secret', async () => {
    const created = await ok<NotificationChannelView>('createNotificationChannel', { name: 'Temp', type: 'WEBHOOK', url: `${receiver.url}/t`, secret: SECRET });
    await ok('setNotificationSubscription', { planId: 'plan-temp', channelId: created.channelId, events: ['COMPLETED', 'STARTED'] });
    expect(await ok('listNotificationSubscriptions', { planId: 'plan-temp' }, viewer)).toMatchObject([{ channelId: created.channelId, events: ['STARTED', 'COMPLETED'] }]);

    await ok('deleteNotificationChannel', { channelId: created.channelId });

    expect(await ok('listNotificationSubscriptions', { planId: 'plan-temp' }, viewer)).toEqual([]);
    expect(await call('getNotificationChannel', { channelId: created.channelId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const { secretStore } = await import('../../src/config.js');
    expect(await secretStore().get(created.channelId)).toBeUndefined();
  });

  it('testNotificationChannel queues a test message that is delivered', async () => {
    const created = await ok<NotificationChannelView>('createNotificationChannel', { name: 'Test me', type: 'WEBHOOK', url: `${receiver.url}/hooks/test`, secret: SECRET });

    const queued = await ok<NotificationDeliveryView>('testNotificationChannel', { channelId: created.channelId });
    await deliver(streamOf([queued]));

    expect(JSON.parse(receiver.received.find((r) => r.path === '/hooks/test')?.body ?? '{}')).toMatchObject({ eventType: 'ChannelTest', subject: '[LIFEBOAT] Test message to channel "Test me"' });
  });
});
