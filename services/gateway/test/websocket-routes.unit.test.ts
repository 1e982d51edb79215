/**
 * The WebSocket routes on API Gateway's own event shapes ($connect, $default, $disconnect), one
 * graphql-transport-ws message at a time: the Management API is mocked (what is posted, what is
 * closed), the connections and subscriptions are the in-memory twin of the DynamoDB store, the
 * feed is a fake and the schema the real one.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CloseCode, MessageType } from 'graphql-ws';
import { createAuthenticator } from '../src/auth.js';
import { OPERATION_LIMITS } from '../src/limits.js';
import { CONNECTION_TTL_SECONDS } from '../src/websocket/options.js';
import { createWebSocketRoutes } from '../src/websocket/routes.js';
import type { WebSocketEvent, WebSocketResult } from '../src/websocket/routes.js';
import { connectEvent, disconnectEvent, messageEvent, newConnectionId } from './support/api-gateway-events.js';
import { BROKEN_EXECUTION, INTERNAL_DETAIL, MISSING_EXECUTION, webSocketHarness } from './support/websocket-harness.js';
import type { WebSocketHarness } from './support/websocket-harness.js';
import { createTestIssuer } from './tokens.js';
import type { TestIssuer } from './tokens.js';

const SUBSCRIBE_EVENTS = 'subscription Events($id: ID!) { executionEvents(id: $id) { streamVersion type } }';

let idp: TestIssuer;
let harness: WebSocketHarness;
let now: number;
let route: (event: WebSocketEvent) => Promise<WebSocketResult>;
let connectionId: string;

beforeAll(async () => {
  idp = await createTestIssuer();
});

function routesWith(feedOptions: { startAt?: number; initial?: number[] } = {}): void {
  harness?.restore();
  harness = webSocketHarness(feedOptions);
  route = createWebSocketRoutes({
    store: harness.store,
    connections: harness.connections,
    schema: harness.schema,
    feeds: harness.feeds,
    authenticator: createAuthenticator({ provider: 'local', issuer: idp.issuer, audience: idp.audience, jwks: idp.jwks }),
    now: () => now,
    log: (message, error) => harness.logged.push({ message, error }),
  });
}

beforeEach(() => {
  now = Date.now();
  connectionId = newConnectionId();
  routesWith();
});

afterEach(() => {
  harness.restore();
});

const send = (body: unknown, id = connectionId): Promise<WebSocketResult> => route(messageEvent({ connectionId: id, body: typeof body === 'string' ? body : JSON.stringify(body) }));

async function connected(id = connectionId): Promise<void> {
  expect((await route(connectEvent({ connectionId: id }))).statusCode).toBe(200);
}

async function acknowledged(groups = ['Viewer'], expiresInSeconds = 3600, id = connectionId): Promise<void> {
  await connected(id);
  await send({ type: 'connection_init', payload: { authorization: `Bearer ${await idp.token({ groups, expiresInSeconds })}` } }, id);
  expect(harness.sent(id)).toEqual([{ type: MessageType.ConnectionAck }]);
}

function subscribeMessage(id: string, executionId = 'exec-1', query = SUBSCRIBE_EVENTS) {
  return { id, type: 'subscribe', payload: { query, operationName: 'Events', variables: { id: executionId } } };
}

describe('$connect', () => {
  it('accepts graphql-transport-ws, names it in Sec-WebSocket-Protocol, and stores the connection', async () => {
    const result = await route(connectEvent({ connectionId, connectedAt: now }));
    expect(result).toEqual({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'graphql-transport-ws' } });
    expect(harness.store.allConnections()).toEqual([{ connectionId, connectedAt: new Date(now).toISOString(), expiresAt: Math.floor(now / 1000) + CONNECTION_TTL_SECONDS }]);
  });

  it('finds the subprotocol among several, whatever the header spelling', async () => {
    const result = await route(connectEvent({ connectionId, headers: { 'sec-websocket-protocol': 'graphql-ws, graphql-transport-ws' } }));
    expect(result.headers).toEqual({ 'Sec-WebSocket-Protocol': 'graphql-transport-ws' });
  });

  it.each([
    ['no subprotocol', {}],
    ['only the legacy graphql-ws one', { 'Sec-WebSocket-Protocol': 'graphql-ws' }],
  ])('refuses the handshake with %s and stores nothing', async (_what, headers: Record<string, string>) => {
    const result = await route(connectEvent({ connectionId, headers }));
    expect(result.statusCode).toBe(400);
    expect(result.headers).toBeUndefined();
    expect(harness.store.allConnections()).toEqual([]);
  });
});

describe('connection_init', () => {
  it('verifies the token, stores the caller and its expiry, and answers connection_ack', async () => {
    await connected();
    const token = await idp.token({ sub: 'u-7', username: 'olga', groups: ['Operator'], expiresInSeconds: 600 });
    await send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    expect(harness.sent()).toEqual([{ type: 'connection_ack' }]);
    const [stored] = harness.store.allConnections();
    expect(stored?.authentication?.caller).toEqual({ userId: 'u-7', username: 'olga', roles: ['Operator'] });
    expect(stored?.authentication?.tokenExpiresAt).toBeGreaterThan(Math.floor(now / 1000) + 590);
    expect(harness.closed()).toEqual([]);
  });

  it.each([
    ['without a payload', async () => undefined],
    ['without a token', async () => ({})],
    ['with an expired token', async () => ({ authorization: `Bearer ${await idp.token({ expiresInSeconds: -10 })}` })],
    ['with a token of another issuer', async () => ({ authorization: `Bearer ${await (await createTestIssuer('https://elsewhere.example')).token()}` })],
  ])('closes the connection %s (4403), forgetting it, with no ack', async (_what, payload) => {
    await connected();
    const resolved = await payload();
    await send(resolved === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload: resolved });
    expect(harness.closed()).toEqual([{ connectionId, code: CloseCode.Forbidden, reason: 'Forbidden' }]);
    expect(harness.sent()).toEqual([]);
    expect(harness.store.allConnections()).toEqual([]);
  });

  it('closes on a second connection_init (4429)', async () => {
    await acknowledged();
    await send({ type: 'connection_init', payload: { authorization: `Bearer ${await idp.token()}` } });
    expect(harness.closed()).toEqual([{ connectionId, code: CloseCode.TooManyInitialisationRequests, reason: 'Too many initialisation requests' }]);
  });

  it('forgets the connection when the client is gone before the ack', async () => {
    await connected();
    harness.gone(connectionId);
    await send({ type: 'connection_init', payload: { authorization: `Bearer ${await idp.token()}` } });
    expect(harness.store.allConnections()).toEqual([]);
  });

  it('reads a base64-encoded message body', async () => {
    await connected();
    const body = Buffer.from(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${await idp.token()}` } })).toString('base64');
    await route(messageEvent({ connectionId, body, isBase64Encoded: true }));
    expect(harness.sent()).toEqual([{ type: 'connection_ack' }]);
  });
});

describe('subscribe', () => {
  it('before connection_ack closes the connection (4401)', async () => {
    await connected();
    await send(subscribeMessage('s1'));
    expect(harness.closed()).toEqual([{ connectionId, code: CloseCode.Unauthorized, reason: 'Unauthorized' }]);
    expect(harness.store.allSubscriptions()).toEqual([]);
  });

  it('stores the subscription on its feed topic, with the document, variables, coerced arguments, caller and start', async () => {
    routesWith({ startAt: 4 });
    await acknowledged(['Viewer']);
    await send(subscribeMessage('s1', 'exec-9'));
    expect(harness.store.allSubscriptions()).toEqual([
      {
        connectionId,
        subscriptionId: 's1',
        field: 'executionEvents',
        topic: 'execution:exec-9',
        query: SUBSCRIBE_EVENTS,
        operationName: 'Events',
        variables: { id: 'exec-9' },
        args: { id: 'exec-9' },
        caller: { userId: 'user-1', username: 'alice', roles: ['Viewer'] },
        tokenExpiresAt: expect.any(Number),
        state: { cursor: 4 },
        subscribedAt: new Date(now).toISOString(),
        expiresAt: Math.floor(now / 1000) + CONNECTION_TTL_SECONDS,
      },
    ]);
    // Nothing more to say until an event comes.
    expect(harness.sent()).toEqual([{ type: 'connection_ack' }]);
  });

  it("pushes the feed's initial payloads as next messages, executed against the document", async () => {
    routesWith({ startAt: 3, initial: [2, 3] });
    await acknowledged();
    await send({ id: 's1', type: 'subscribe', payload: { query: 'subscription { e: executionEvents(id: "exec-1") { streamVersion hash } }' } });
    expect(harness.sent().slice(1)).toEqual([
      { id: 's1', type: 'next', payload: { data: { e: { streamVersion: 2, hash: 'hash-2' } } } },
      { id: 's1', type: 'next', payload: { data: { e: { streamVersion: 3, hash: 'hash-3' } } } },
    ]);
  });

  it('closes on a subscription id the connection already uses (4409)', async () => {
    await acknowledged();
    await send(subscribeMessage('s1'));
    await send(subscribeMessage('s1', 'exec-2'));
    expect(harness.closed()).toEqual([{ connectionId, code: CloseCode.SubscriberAlreadyExists, reason: 'Subscriber for s1 already exists' }]);
    expect(harness.store.allSubscriptions().map((s) => s.topic)).toEqual(['execution:exec-1']);
  });

  it("answers FORBIDDEN from the feed's authorize as an error message, stores nothing, keeps the connection", async () => {
    await acknowledged([]);
    await send(subscribeMessage('s1'));
    expect(harness.sent().slice(1)).toEqual([
      { id: 's1', type: 'error', payload: [{ message: 'executionEvents needs the read permission', extensions: { code: 'FORBIDDEN' } }] },
    ]);
    expect(harness.store.allSubscriptions()).toEqual([]);
    expect(harness.closed()).toEqual([]);
  });

  it("answers NOT_FOUND from the feed's open as an error message", async () => {
    await acknowledged();
    await send(subscribeMessage('s1', MISSING_EXECUTION));
    expect(harness.sent().slice(1)).toEqual([
      { id: 's1', type: 'error', payload: [{ message: `Execution ${MISSING_EXECUTION} not found`, extensions: { code: 'NOT_FOUND', field: 'id' } }] },
    ]);
    expect(harness.store.allSubscriptions()).toEqual([]);
  });

  it('answers an internal failure as INTERNAL, logging the detail and sending none of it', async () => {
    await acknowledged();
    await send(subscribeMessage('s1', BROKEN_EXECUTION));
    const [, error] = harness.sent();
    expect(error).toEqual({ id: 's1', type: 'error', payload: [{ message: 'Internal server error', extensions: { code: 'INTERNAL' } }] });
    expect(JSON.stringify(harness.sent())).not.toContain('ECONNREFUSED');
    expect(harness.logged.map((l) => (l.error as Error).message)).toEqual([INTERNAL_DETAIL]);
  });

  it.each([
    ['a syntax error', 'GRAPHQL_PARSE_FAILED', 'subscription {'],
    ['an unknown field', 'GRAPHQL_VALIDATION_FAILED', 'subscription { nope }'],
    ['two root fields', 'GRAPHQL_VALIDATION_FAILED', 'subscription { a: executionEvents(id: "x") { hash } b: executionEvents(id: "y") { hash } }'],
    ['a query', 'BAD_REQUEST', 'query { me { id } }'],
    ['more aliases than the HTTP limit', 'GRAPHQL_VALIDATION_FAILED', `subscription { executionEvents(id: "x") { ${Array.from({ length: OPERATION_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: hash`).join(' ')} } }`],
    ['more tokens than the HTTP limit', 'GRAPHQL_PARSE_FAILED', `subscription { executionEvents(id: "x") { ${'hash '.repeat(OPERATION_LIMITS.maxTokens)}} }`],
  ])('answers %s with an error message of code %s', async (_what, code, query) => {
    await acknowledged();
    await send({ id: 's1', type: 'subscribe', payload: { query } });
    const answer = harness.sent()[1];
    expect(answer).toMatchObject({ id: 's1', type: 'error' });
    const errors = answer?.type === MessageType.Error ? answer.payload : [];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.extensions?.code === code)).toBe(true);
    expect(harness.store.allSubscriptions()).toEqual([]);
  });

  it('answers variables that do not fit with BAD_USER_INPUT', async () => {
    await acknowledged();
    await send({ id: 's1', type: 'subscribe', payload: { query: SUBSCRIBE_EVENTS, variables: { id: { not: 'an id' } } } });
    expect(harness.sent()[1]).toMatchObject({ id: 's1', type: 'error', payload: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('finds the root field through a fragment, with its arguments coerced from the variables', async () => {
    await acknowledged();
    const query = 'subscription S($id: ID!) { ...Events } fragment Events on Subscription { executionEvents(id: $id) { hash } }';
    await send({ id: 's1', type: 'subscribe', payload: { query, variables: { id: 'exec-5' } } });
    expect(harness.store.allSubscriptions()).toMatchObject([{ field: 'executionEvents', topic: 'execution:exec-5', args: { id: 'exec-5' }, operationName: 'S', variables: { id: 'exec-5' } }]);
  });

  it('answers UNAUTHENTICATED when the token expired since connection_init, and stores nothing', async () => {
    await acknowledged(['Viewer'], 60);
    now += 120_000;
    await send(subscribeMessage('s1'));
    expect(harness.sent()[1]).toEqual({ id: 's1', type: 'error', payload: [{ message: 'Token expired: reconnect with a new token', extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(harness.store.allSubscriptions()).toEqual([]);
  });
});

describe('the other messages', () => {
  it('complete forgets the subscription', async () => {
    await acknowledged();
    await send(subscribeMessage('s1'));
    await send(subscribeMessage('s2', 'exec-2'));
    await send({ id: 's1', type: 'complete' });
    expect(harness.store.allSubscriptions().map((s) => s.subscriptionId)).toEqual(['s2']);
  });

  it('ping answers pong (with its payload); pong answers nothing', async () => {
    await acknowledged();
    await send({ type: 'ping' });
    await send({ type: 'ping', payload: { at: 1 } });
    await send({ type: 'pong' });
    expect(harness.sent().slice(1)).toEqual([{ type: 'pong' }, { type: 'pong', payload: { at: 1 } }]);
  });

  it.each([
    ['not JSON', 'hello'],
    ['JSON without a type', JSON.stringify({ id: 'x' })],
    ['a subscribe without a query', JSON.stringify({ id: 's1', type: 'subscribe', payload: {} })],
  ])('closes on a message that is %s (4400)', async (_what, body) => {
    await acknowledged();
    await send(body);
    expect(harness.closed()).toEqual([{ connectionId, code: CloseCode.BadRequest, reason: 'Invalid message received' }]);
  });

  it('closes on a message only a server sends (4400)', async () => {
    await acknowledged();
    await send({ id: 's1', type: 'next', payload: { data: {} } });
    expect(harness.closed()).toEqual([{ connectionId, code: CloseCode.BadRequest, reason: 'Unexpected message of type next received' }]);
  });

  it('closes with 4500 when the store fails, logging why', async () => {
    await acknowledged();
    harness.store.getConnection = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    await send(subscribeMessage('s1'));
    expect(harness.closed()).toEqual([{ connectionId, code: CloseCode.InternalServerError, reason: 'Internal server error' }]);
    expect(harness.logged.map((l) => (l.error as Error).message)).toEqual(['ProvisionedThroughputExceededException']);
  });
});

describe('$disconnect', () => {
  it('forgets the connection and its subscriptions, not those of others', async () => {
    const other = newConnectionId();
    await acknowledged(['Viewer'], 3600, other);
    await acknowledged();
    await send(subscribeMessage('s1'));
    await send(subscribeMessage('s2', 'exec-2'));
    await send(subscribeMessage('s1'), other);
    const result = await route(disconnectEvent({ connectionId, statusCode: 1001, reason: 'Going away' }));
    expect(result.statusCode).toBe(200);
    expect(harness.store.allConnections().map((c) => c.connectionId)).toEqual([other]);
    expect(harness.store.allSubscriptions().map((s) => [s.connectionId, s.subscriptionId])).toEqual([[other, 's1']]);
  });
});
