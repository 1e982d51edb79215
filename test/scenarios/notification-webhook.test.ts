/**
 * Notification through the local stack, as an admin sets it up in the console: a generic webhook
 * channel with a secret, subscribed to the demo plan's events; a drill then reaches a local HTTP
 * receiver with messages signed with HMAC-SHA256 over timestamp and body, and the secret is never
 * answered by the API nor printed by the stack.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, graphql, login, startStackProcess, type RunningStack } from '../support/local-stack-process.js';

jest.setTimeout(180_000);

const ADMIN_PASSWORD = 'scenario-admin-password';
const SECRET = 'whsec-scenario-7f3a9c1e5b';

interface Received {
  timestamp: string;
  signature: string;
  body: string;
}

describe('a drill reaches a signed webhook through the local stack', () => {
  let stack: RunningStack;
  let token: string;
  let receiver: http.Server;
  let receiverUrl: string;
  const received: Received[] = [];

  const ok = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const result = await graphql<T>(stack.url, token, query, variables);
    if (result.errors || !result.data) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  };

  beforeAll(async () => {
    receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ timestamp: String(request.headers['x-lifeboat-timestamp'] ?? ''), signature: String(request.headers['x-lifeboat-signature'] ?? ''), body });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/lifeboat`;
    stack = await startStackProcess({ adminPassword: ADMIN_PASSWORD });
    token = await login(stack.url, 'admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('delivers the drill\'s started, wave completed and completed messages, each signed, never showing the secret', async () => {
    // Given a webhook channel with a secret, subscribed to the demo plan
    const plans = (await ok<{ recoveryPlans: { items: { id: string; name: string }[] } }>('{ recoveryPlans(first: 1000) { items { id name } } }')).recoveryPlans.items;
    const demo = plans.find((p) => p.name === 'Orders 3-tier');
    if (!demo) throw new Error('no demo plan');
    const created = await graphql<{ createNotificationChannel: Record<string, unknown> }>(stack.url, token, 'mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { id name type } }', {
      input: { name: 'On-call webhook', type: 'WEBHOOK', url: receiverUrl, secret: SECRET },
    });
    expect(created.errors).toBeUndefined();
    const channelId = String(created.data?.createNotificationChannel.id);
    expect(JSON.stringify(created)).not.toContain(SECRET);
    await ok('mutation($input: NotificationSubscriptionInput!) { setNotificationSubscription(input: $input) { planId } }', {
      input: { planId: demo.id, channelId, events: ['STARTED', 'WAVE_COMPLETED', 'COMPLETED', 'FAILED'] },
    });

    // When a drill of the plan runs to its end
    const started = await ok<{ startExecution: { id: string } }>('mutation($input: StartExecutionInput!) { startExecution(input: $input) { id } }', { input: { planId: demo.id, mode: 'DRILL' } });
    const executionId = started.startExecution.id;
    await eventually(async () => {
      const { execution } = await ok<{ execution: { status: string } }>('query($id: ID!) { execution(id: $id) { status } }', { id: executionId });
      return execution.status === 'COMPLETED' ? true : undefined;
    }, 60_000, 'the drill completing');

    // Then the receiver gets 1 started, 3 wave completed and 1 completed message, each signed over "<timestamp>.<body>"
    const forDrill = () => received.filter((r) => r.body.includes(executionId));
    await eventually(async () => (forDrill().length >= 5 ? true : undefined), 30_000, `5 webhook deliveries (got ${forDrill().length})`);
    for (const delivery of forDrill()) {
      const expected = `sha256=${createHmac('sha256', SECRET).update(`${delivery.timestamp}.${delivery.body}`).digest('hex')}`;
      expect(delivery.signature).toBe(expected);
      expect(delivery.body).not.toContain(SECRET);
    }
    expect(forDrill()).toHaveLength(5);

    // And the secret is in no API answer and no line the stack printed
    const channel = await graphql(stack.url, token, 'query($id: ID!) { notificationChannel(id: $id) { id name type } }', { id: channelId });
    expect(JSON.stringify(channel)).not.toContain(SECRET);
    expect(stack.output()).not.toContain(SECRET);
  });
});
