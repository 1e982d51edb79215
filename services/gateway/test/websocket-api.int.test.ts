/**
 * GraphQL subscriptions the way they run on AWS, end to end on one machine: a real graphql-ws
 * client (over the `ws` package) talks to an emulated API Gateway WebSocket API
 * (support/api-gateway-websocket.ts), which invokes the websocket routes with API Gateway's event
 * shapes; the routes and the fan-out answer through the Management API (PostToConnection,
 * DeleteConnection) of that emulator; connections and subscriptions are in the tables of
 * serverless.yml (local DynamoDB); the feeds are the real ones, over fake services; bus events go
 * through the subscriptionFanout handler in apigateway mode.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startServiceDynamoDb } from '@lifeboat/testing';
import type { ServiceDynamoDb } from '@lifeboat/testing';
import { createAuthenticator } from '../src/auth.js';
import { createSubscriptionFanout } from '../src/handlers/subscription-fanout.js';
import { createGatewaySchema } from '../src/schema.js';
import { typed } from '../src/services.js';
import { createSubscriptionFeeds, topicsOf } from '../src/subscriptions/feeds.js';
import { feedsByField } from '../src/websocket/config.js';
import { ApiGatewayConnections } from '../src/websocket/connections.js';
import { DynamoDbWebSocketStore } from '../src/websocket/dynamodb-store.js';
import { createWebSocketFanout } from '../src/websocket/fanout.js';
import type { WebSocketGatewayOptions } from '../src/websocket/options.js';
import { createWebSocketRoutes } from '../src/websocket/routes.js';
import type { WebSocketEvent, WebSocketResult } from '../src/websocket/routes.js';
import { executionView, fakeServices, onTheBus, storedEvent, streamEvent, within } from './fixtures.js';
import { startApiGatewayWebSocketEmulator } from './support/api-gateway-websocket.js';
import type { ApiGatewayWebSocketEmulator } from './support/api-gateway-websocket.js';
import { createTestIssuer } from './tokens.js';
import type { TestIssuer } from './tokens.js';

const SERVERLESS_YML = fileURLToPath(new URL('../serverless.yml', import.meta.url));

let idp: TestIssuer;
let dynamo: ServiceDynamoDb;
let emulator: ApiGatewayWebSocketEmulator;
let store: DynamoDbWebSocketStore;
let services: ReturnType<typeof fakeServices>;
let fanout: ReturnType<typeof createSubscriptionFanout>;
const notices: string[] = [];
const logged: unknown[] = [];

/** Waits until an asynchronous check holds (polling), failing with `what` after `timeoutMs`. */
async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  idp = await createTestIssuer();
  dynamo = await startServiceDynamoDb(SERVERLESS_YML, { stage: 'wsapi' });
  store = new DynamoDbWebSocketStore({ connections: dynamo.table('GatewayConnectionsTable'), subscriptions: dynamo.table('GatewaySubscriptionsTable') }, dynamo.client);
  services = fakeServices();
  let route: (event: WebSocketEvent) => Promise<WebSocketResult> = async () => ({ statusCode: 503 });
  emulator = await startApiGatewayWebSocketEmulator((event) => route(event), { log: (message, error) => logged.push([message, error]) });
  const gateway: WebSocketGatewayOptions = {
    store,
    connections: ApiGatewayConnections.forEndpoint(emulator.managementEndpoint, (line) => notices.push(line)),
    schema: createGatewaySchema(services),
    feeds: feedsByField(createSubscriptionFeeds(typed(services))),
    log: (message, error) => logged.push([message, error]),
  };
  route = createWebSocketRoutes({ ...gateway, authenticator: createAuthenticator({ provider: 'local', issuer: idp.issuer, audience: idp.audience, jwks: idp.jwks }) });
  fanout = createSubscriptionFanout({ mode: () => 'apigateway', webSocketFanout: createWebSocketFanout({ ...gateway, topicsOf }) });
});

afterAll(async () => {
  await emulator?.close();
  await dynamo?.stop();
});

afterEach(async () => {
  await emulator.idle();
  // Nothing failed inside (no internal error, no failed invocation).
  expect(logged).toEqual([]);
});

beforeEach(() => {
  services.execution.on('getExecution', () => executionView({ version: 1 }));
  services.execution.on('getExecutionEvents', (input: { afterVersion?: number }) => [2, 3, 4, 5].filter((v) => v > (input.afterVersion ?? 0)).map((v) => storedEvent('exec-1', v)));
});

interface Subscription<T> {
  results: T[];
  errors: unknown[];
  complete: () => boolean;
  unsubscribe: () => void;
}

const clients: Client[] = [];

function connect(connectionParams: Record<string, unknown>): { client: Client; closed: Promise<{ code: number }> } {
  let onClosed: (event: { code: number }) => void = () => undefined;
  const closed = new Promise<{ code: number }>((resolve) => (onClosed = resolve));
  const client = createClient({ url: emulator.url, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
  client.on('closed', (event) => onClosed(event as { code: number }));
  clients.push(client);
  return { client, closed };
}

function subscribe<T>(client: Client, query: string): Subscription<T> {
  const results: T[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const unsubscribe = client.subscribe<T>({ query }, { next: (value) => results.push(value as T), error: (error) => errors.push(error), complete: () => (completed = true) });
  return { results, errors, complete: () => completed, unsubscribe };
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
});

describe('GraphQL subscriptions over the API Gateway WebSocket API', () => {
  it('pushes the events published through the fan-out handler once each, in stream order, then forgets the subscription and the connection', async () => {
    const { client } = connect({ authorization: `Bearer ${await idp.token({ groups: ['Viewer'] })}` });
    const sub = subscribe<{ data: { executionEvents: { streamVersion: number; type: string; hash: string } } }>(client, 'subscription { executionEvents(id: "exec-1") { streamVersion type hash } }');
    await eventually('the subscription to be stored', async () => (await store.subscriptionsOn('execution:exec-1')).length === 1);

    // At least once and unordered, as EventBridge delivers: a duplicate, and 4 before 3.
    for (const version of [2, 2, 4, 3]) expect(await fanout(onTheBus(streamEvent('exec-1', version)))).toEqual({ delivered: 1 });
    await eventually('three events', () => sub.results.length >= 3);
    expect(sub.results.map((r) => r.data.executionEvents)).toEqual([2, 3, 4].map((v) => ({ streamVersion: v, type: 'WaveStarted', hash: `hash-${v}` })));
    expect(sub.errors).toEqual([]);
    // Another execution's events reach nobody.
    expect(await fanout(onTheBus(streamEvent('exec-2', 2)))).toEqual({ delivered: 0 });

    const [connectionId] = emulator.connectionIds();
    expect(await store.getConnection(connectionId as string)).toMatchObject({ authentication: { caller: { roles: ['Viewer'] } } });
    // complete, then (a lazy client without subscriptions) the socket closes: $disconnect.
    sub.unsubscribe();
    await eventually('complete to forget the subscription', async () => (await store.subscriptionsOn('execution:exec-1')).length === 0);
    await eventually('$disconnect to forget the connection', async () => (await store.getConnection(connectionId as string)) === undefined);
    await client.dispose();
  });

  it('pushes the execution view after each event, read as the subscriber', async () => {
    let version = 1;
    const callsBefore = services.execution.calls.length;
    services.execution.on('getExecution', () => executionView({ version, status: version >= 3 ? 'COMPLETED' : 'RUNNING' }));
    const { client } = connect({ authorization: `Bearer ${await idp.token({ sub: 'op-1', groups: ['Operator'] })}` });
    const sub = subscribe<{ data: { executionUpdated: { id: string; version: number; status: string } } }>(client, 'subscription { executionUpdated(id: "exec-1") { id version status } }');
    await eventually('the subscription to be stored', async () => (await store.subscriptionsOn('execution:exec-1')).length === 1);
    version = 2;
    await fanout(onTheBus(streamEvent('exec-1', 2)));
    await eventually('the first update', () => sub.results.length === 1);
    version = 3;
    await fanout(onTheBus(streamEvent('exec-1', 3)));
    await eventually('the second update', () => sub.results.length === 2);
    expect(sub.results.map((r) => r.data.executionUpdated)).toEqual([
      { id: 'exec-1', version: 2, status: 'RUNNING' },
      { id: 'exec-1', version: 3, status: 'COMPLETED' },
    ]);
    expect(services.execution.calls.slice(callsBefore).map((c) => [c.operation, c.caller.userId])).toEqual([
      ['getExecution', 'op-1'],
      ['getExecution', 'op-1'],
      ['getExecution', 'op-1'],
    ]);
    sub.unsubscribe();
    await eventually('complete to forget the subscription', async () => (await store.subscriptionsOn('execution:exec-1')).length === 0);
  });

  it('answers a Viewer subscribing to approvalsPending with FORBIDDEN, and stores no subscription', async () => {
    const { client } = connect({ authorization: `Bearer ${await idp.token({ groups: ['Viewer'] })}` });
    const sub = subscribe(client, 'subscription { approvalsPending { executionId approval { id } } }');
    await eventually('the answer', () => sub.errors.length > 0 || sub.results.length > 0);
    expect(sub.results).toEqual([]);
    expect(sub.errors).toEqual([[{ message: 'approvalsPending needs the drill:approve or recovery:approve permission', extensions: { code: 'FORBIDDEN' } }]]);
    expect(await store.subscriptionsOn('approvals')).toEqual([]);
  });

  it('closes a connection whose connection_init has a bad token, and forgets it', async () => {
    const { client, closed } = connect({ authorization: 'Bearer not-a-token' });
    const sub = subscribe(client, 'subscription { executionEvents(id: "exec-1") { hash } }');
    // API Gateway closes with 1000 whatever the reason; the gateway logs the graphql-ws code it meant.
    expect(await within('the socket to close', closed)).toMatchObject({ code: 1000 });
    expect(sub.results).toEqual([]);
    expect(notices.map((line) => JSON.parse(line) as { code: number }).map((n) => n.code)).toContain(4403);
    await emulator.idle();
    expect(await store.subscriptionsOn('execution:exec-1')).toEqual([]);
    expect(emulator.connectionIds()).toEqual([]);
  });
});
