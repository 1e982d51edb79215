/**
 * One contract for both WebSocket stores: the in-memory twin the unit tests use, and the DynamoDB
 * store on the tables serverless.yml declares (the local DynamoDB: dynalite behind the runtime's
 * proxy, which adds transactions).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { startServiceDynamoDb } from '@lifeboat/testing';
import type { ServiceDynamoDb } from '@lifeboat/testing';
import { DynamoDbWebSocketStore } from '../src/websocket/dynamodb-store.js';
import { InMemoryWebSocketStore } from '../src/websocket/store.js';
import type { WebSocketConnection, WebSocketStore } from '../src/websocket/store.js';
import { newConnectionId } from './support/api-gateway-events.js';
import { storedSubscription } from './support/websocket-harness.js';

const SERVERLESS_YML = fileURLToPath(new URL('../serverless.yml', import.meta.url));
let dynamo: ServiceDynamoDb;

beforeAll(async () => {
  dynamo = await startServiceDynamoDb(SERVERLESS_YML, { stage: 'contract' });
});
afterAll(async () => {
  await dynamo.stop();
});

const stores: [string, () => WebSocketStore][] = [
  ['in memory', () => new InMemoryWebSocketStore()],
  ['DynamoDB (dynalite)', () => new DynamoDbWebSocketStore({ connections: dynamo.table('GatewayConnectionsTable'), subscriptions: dynamo.table('GatewaySubscriptionsTable') }, dynamo.client)],
];

const connection = (connectionId = newConnectionId()): WebSocketConnection => ({ connectionId, connectedAt: '2025-01-01T12:00:00.000Z', expiresAt: 1_735_743_600 });
const authentication = { caller: { userId: 'u-1', username: 'alice', roles: ['Operator', 'Viewer'] }, tokenExpiresAt: 1_735_736_400 };
/** Topics are shared by the contract's tests on one table: each test uses its own. */
let topics = 0;
const newTopic = (): string => `execution:contract-${++topics}-${newConnectionId()}`;

describe.each(stores)('WebSocketStore contract: %s', (_name, createStore) => {
  it('stores a connection as it is, and reads an unknown one as undefined', async () => {
    const store = createStore();
    const stored = connection();
    await store.putConnection(stored);
    expect(await store.getConnection(stored.connectionId)).toEqual(stored);
    expect(await store.getConnection(newConnectionId())).toBeUndefined();
  });

  it('initialises a connection once: a second time is refused, an unknown connection too', async () => {
    const store = createStore();
    const stored = connection();
    await store.putConnection(stored);
    expect(await store.initialise(stored.connectionId, authentication)).toBe('initialised');
    expect(await store.getConnection(stored.connectionId)).toEqual({ ...stored, authentication });
    expect(await store.initialise(stored.connectionId, { ...authentication, caller: { userId: 'u-2', username: 'bob', roles: [] } })).toBe('already-initialised');
    expect((await store.getConnection(stored.connectionId))?.authentication).toEqual(authentication);
    expect(await store.initialise(newConnectionId(), authentication)).toBe('unknown-connection');
  });

  it('adds a subscription of a stored connection and reads it back exactly (variables and arguments as given)', async () => {
    const store = createStore();
    const stored = connection();
    await store.putConnection(stored);
    const subscription = storedSubscription({
      connectionId: stored.connectionId,
      subscriptionId: 'f2a1c1de-8b0b-4c4e-9f4e-2f1d2e3c4b5a',
      topic: newTopic(),
      operationName: null,
      variables: { filter: { planId: null, statuses: [], nested: { empty: '', n: 1.5 } } },
      args: { filter: { statuses: ['RUNNING'] } },
      caller: { userId: 'u-3', username: 'carol', roles: [] },
      state: { cursor: 6_451_230_112_554_113 },
    });
    expect(await store.addSubscription(subscription)).toBe('added');
    expect(await store.getSubscription(stored.connectionId, subscription.subscriptionId)).toEqual(subscription);
    expect(await store.getSubscription(stored.connectionId, 'other')).toBeUndefined();
  });

  it('refuses a subscription id the connection already has, and one of an unknown connection, changing nothing', async () => {
    const store = createStore();
    const stored = connection();
    await store.putConnection(stored);
    const topic = newTopic();
    const first = storedSubscription({ connectionId: stored.connectionId, subscriptionId: 's1', topic });
    expect(await store.addSubscription(first)).toBe('added');
    expect(await store.addSubscription({ ...first, topic: newTopic(), state: { cursor: 9 } })).toBe('duplicate');
    expect(await store.getSubscription(stored.connectionId, 's1')).toEqual(first);
    const orphanConnection = newConnectionId();
    expect(await store.addSubscription(storedSubscription({ connectionId: orphanConnection, subscriptionId: 's1', topic }))).toBe('unknown-connection');
    expect(await store.getSubscription(orphanConnection, 's1')).toBeUndefined();
  });

  it('finds every subscription of a topic, of every connection, and none of others', async () => {
    const store = createStore();
    const [a, b] = [connection(), connection()];
    await store.putConnection(a);
    await store.putConnection(b);
    const [topic, other] = [newTopic(), newTopic()];
    await store.addSubscription(storedSubscription({ connectionId: a.connectionId, subscriptionId: 's1', topic }));
    await store.addSubscription(storedSubscription({ connectionId: a.connectionId, subscriptionId: 's2', topic: other }));
    await store.addSubscription(storedSubscription({ connectionId: b.connectionId, subscriptionId: 's1', topic }));
    const found = (await store.subscriptionsOn(topic)).map((s) => `${s.connectionId}/${s.subscriptionId}`).sort();
    expect(found).toEqual([`${a.connectionId}/s1`, `${b.connectionId}/s1`].sort());
    expect(await store.subscriptionsOn(newTopic())).toEqual([]);
  });

  it('advances a subscription only from the state it is in', async () => {
    const store = createStore();
    const stored = connection();
    await store.putConnection(stored);
    await store.addSubscription(storedSubscription({ connectionId: stored.connectionId, subscriptionId: 's1', topic: newTopic(), state: { cursor: 1 } }));
    expect(await store.advance(stored.connectionId, 's1', { cursor: 1 }, { cursor: 3 })).toBe(true);
    // A second delivery that read cursor 1 too loses.
    expect(await store.advance(stored.connectionId, 's1', { cursor: 1 }, { cursor: 2 })).toBe(false);
    expect((await store.getSubscription(stored.connectionId, 's1'))?.state).toEqual({ cursor: 3 });
    expect(await store.advance(stored.connectionId, 'gone', { cursor: 1 }, { cursor: 2 })).toBe(false);
    expect(await store.getSubscription(stored.connectionId, 'gone')).toBeUndefined();
  });

  it('deletes a subscription (twice is fine)', async () => {
    const store = createStore();
    const stored = connection();
    await store.putConnection(stored);
    const topic = newTopic();
    await store.addSubscription(storedSubscription({ connectionId: stored.connectionId, subscriptionId: 's1', topic }));
    await store.deleteSubscription(stored.connectionId, 's1');
    await store.deleteSubscription(stored.connectionId, 's1');
    expect(await store.getSubscription(stored.connectionId, 's1')).toBeUndefined();
    expect(await store.subscriptionsOn(topic)).toEqual([]);
  });

  it("deletes a connection with all its subscriptions (more than one batch), and not another's", async () => {
    const store = createStore();
    const [leaving, staying] = [connection(), connection()];
    await store.putConnection(leaving);
    await store.putConnection(staying);
    const topic = newTopic();
    for (let i = 0; i < 30; i++) await store.addSubscription(storedSubscription({ connectionId: leaving.connectionId, subscriptionId: `s${i}`, topic }));
    await store.addSubscription(storedSubscription({ connectionId: staying.connectionId, subscriptionId: 's0', topic }));
    await store.deleteConnection(leaving.connectionId);
    await store.deleteConnection(leaving.connectionId);
    expect(await store.getConnection(leaving.connectionId)).toBeUndefined();
    expect(await store.getConnection(staying.connectionId)).toEqual(staying);
    expect((await store.subscriptionsOn(topic)).map((s) => s.connectionId)).toEqual([staying.connectionId]);
  });
});
