/**
 * The role matrix (test/support/role-matrix.ts) checked again in the notification service's API,
 * on dynalite: every operation × every role (and a user without a role). Allowed: it succeeds.
 * Not allowed: FORBIDDEN, and every table of the service holds what it held before.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { ApiResponse, Caller, NotificationChannelView } from '@lifeboat/service-api';
import { startServiceDynamoDb, type ServiceDynamoDb } from '@lifeboat/testing';
import { SERVICE_MATRIX, casesOf, rowsOf } from '../../../test/support/role-matrix.js';
import type { handler as ApiHandler } from '../src/handlers/api.js';
import type { deliveryStore as DeliveryStore } from '../src/config.js';
import { setNotificationEnv } from './support/env.js';

const TABLE = SERVICE_MATRIX.notification;
type Operation = keyof typeof TABLE;

let db: ServiceDynamoDb;
let api: typeof ApiHandler;
let deliveries: typeof DeliveryStore;
let fixtures = 0;

const admin: Caller = { userId: 'sub-fixtures', username: 'ada', roles: ['Admin'] };
const caller = (roles: string[]): Caller => ({ userId: `sub-${roles.join('-') || 'none'}`, username: `user-${roles.join('-') || 'none'}`, roles });

async function call(operation: string, input: unknown, as: Caller): Promise<ApiResponse> {
  return api({ operation, input, caller: as });
}
async function ok<T>(operation: string, input: unknown): Promise<T> {
  const response = await call(operation, input, admin);
  if (!response.ok) throw new Error(`${operation}: ${response.error.code} ${response.error.message}`);
  return response.result as T;
}

const newChannel = () => ok<NotificationChannelView>('createNotificationChannel', { name: `Fixture ${++fixtures}`, type: 'EMAIL', address: `dr-${fixtures}@example.com` });

/** A dead-lettered delivery to the channel, as the delivery function leaves one after its last attempt. */
async function deadLetterTo(channel: NotificationChannelView): Promise<string> {
  const at = new Date().toISOString();
  const deliveryId = `evt-${++fixtures}.${channel.channelId}`;
  await deliveries().create({
    deliveryId,
    messageId: `evt-${fixtures}`,
    channelId: channel.channelId,
    channelType: channel.type,
    eventType: 'WaveFailed',
    subject: 'wave failed',
    text: 'wave failed',
    severity: 'FAILURE',
    links: [],
    occurredAt: at,
    status: 'DEAD_LETTERED',
    attempts: 5,
    maxAttempts: 5,
    lastError: 'HTTP 500',
    createdAt: at,
    updatedAt: at,
  });
  return deliveryId;
}

/** A setup where an allowed caller succeeds: the input of each operation, given fresh fixtures. */
async function given(operation: Operation): Promise<unknown> {
  const channel = await newChannel();
  const planId = `plan-${fixtures}`;
  switch (operation) {
    case 'listOutbox':
    case 'listNotificationChannels':
    case 'listNotificationSubscriptions':
      return {};
    case 'getNotificationChannel':
    case 'updateNotificationChannel':
    case 'deleteNotificationChannel':
    case 'testNotificationChannel':
      return { channelId: channel.channelId, ...(operation === 'updateNotificationChannel' ? { name: `${channel.name} renamed` } : {}) };
    case 'createNotificationChannel':
      return { name: `New ${fixtures}`, type: 'EMAIL', address: `new-${fixtures}@example.com` };
    case 'setNotificationSubscription':
      return { planId, channelId: channel.channelId, events: ['FAILED'] };
    case 'removeNotificationSubscription':
      await ok('setNotificationSubscription', { planId, channelId: channel.channelId, events: ['FAILED'] });
      return { planId, channelId: channel.channelId };
    case 'listNotificationDeliveries':
      return { status: 'DEAD_LETTERED' };
    case 'retryNotificationDelivery':
      return { deliveryId: await deadLetterTo(channel) };
  }
}

/** Every item of every table of the service, in a stable order. */
async function tables(): Promise<Record<string, string[]>> {
  const contents: Record<string, string[]> = {};
  for (const [logicalId, name] of Object.entries(db.tables)) {
    const { Items = [] } = await db.client.send(new ScanCommand({ TableName: name, ConsistentRead: true }));
    contents[logicalId] = Items.map((item) => JSON.stringify(item, Object.keys(item).sort())).sort();
  }
  return contents;
}

beforeAll(async () => {
  db = await startServiceDynamoDb(fileURLToPath(new URL('../serverless.yml', import.meta.url)));
  setNotificationEnv(db);
  ({ handler: api } = await import('../src/handlers/api.js'));
  ({ deliveryStore: deliveries } = await import('../src/config.js'));
});
beforeEach(() => {
  // Channel changes are logged as they should be; not this test's subject.
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.restoreAllMocks();
});
afterAll(async () => {
  await db?.stop();
});

describe('the notification API: every operation × every role', () => {
  it('has a row in the role matrix for every operation of its handler, and no row for an operation it lacks', async () => {
    // The handler declares its operations inline (createApiHandler({ name: operation(...) })): read their names from it.
    const source = readFileSync(fileURLToPath(new URL('../src/handlers/api.ts', import.meta.url)), 'utf8');
    const declared = [...source.slice(source.indexOf('createApiHandler(')).matchAll(/^\s{2}(\w+): operation\b/gm)].map((m) => m[1] ?? '');
    expect(declared.length).toBeGreaterThan(0);
    expect(rowsOf(TABLE).map((r) => r.name).sort()).toEqual(declared.sort());
    // And each of them is known to the handler.
    for (const operation of declared) expect(await call(operation, {}, caller([]))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it.each(casesOf(TABLE).map((c) => [c.title, c] as const))('%s', async (_title, { row, roles, allowed }) => {
    const input = await given(row.name as Operation);
    const before = await tables();
    const response = await call(row.name, input, caller(roles));
    if (allowed) {
      expect(response).toMatchObject({ ok: true });
    } else {
      expect(response).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: `${row.name} needs the ${row.rule.permission} permission` } });
      expect(await tables()).toEqual(before);
    }
  });
});
