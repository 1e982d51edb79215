/**
 * The local gateway on a real port, with fake services and a test identity provider: GraphQL
 * over HTTP and over WebSocket, authentication, the fan-out handler feeding subscriptions, the
 * runtime's extra routes and the UI's static files; and the Lambda handler on the same schema.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import WebSocket from 'ws';
import { handler as fanout } from '../src/handlers/subscription-fanout.js';
import { MAX_BODY_BYTES, startLocalGateway } from '../src/local-server.js';
import type { LocalGateway } from '../src/local-server.js';
import { executionEventBroker } from '../src/subscriptions/broker.js';
import { createEvent } from '@lifeboat/events';
import type { DomainEvent } from '@lifeboat/events';
import type { ApprovalView, ExecutionView } from '@lifeboat/service-api';
import { executionView, fakeServices, onTheBus, sourceServerView, storedEvent, streamEvent, waitFor, within } from './fixtures.js';
import { createTestIssuer, tampered, unsigned } from './tokens.js';
import type { TestIssuer } from './tokens.js';

let idp: TestIssuer;
let gateway: LocalGateway;
let staticDir: string;
let jwksFetches = 0;
const services = fakeServices();
const ENV_NAMES = ['GATEWAY_SUBSCRIPTIONS', 'LIFEBOAT_STAGE', 'GATEWAY_AUTH_PROVIDER', 'GATEWAY_AUTH_ISSUER', 'GATEWAY_AUTH_AUDIENCE', 'GATEWAY_AUTH_JWKS_URI'];
const savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]));

beforeAll(async () => {
  process.env.GATEWAY_SUBSCRIPTIONS = 'local';
  idp = await createTestIssuer('http://lifeboat.local', 'lifeboat-web');
  staticDir = await mkdtemp(join(tmpdir(), 'lifeboat-gateway-ui-'));
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Lifeboat</title>');
  await mkdir(join(staticDir, 'assets'));
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log("lifeboat")');

  services.execution
    .on('getExecution', () => executionView({ version: 1 }))
    .on('getExecutionEvents', (input: { afterVersion?: number }) => [1, 2, 3, 4].filter((v) => v > (input.afterVersion ?? 0)).map((v) => storedEvent('exec-1', v)))
    .on('startExecution', () => executionView());

  gateway = await startLocalGateway({
    port: 0,
    services,
    auth: { provider: 'local', issuer: idp.issuer, audience: idp.audience, jwks: idp.jwks },
    staticDir,
    log: () => {},
    extraRoutes: async (req, res) => {
      if (req.url === '/.well-known/jwks.json') {
        jwksFetches++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(idp.jwks));
        return true;
      }
      return false;
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  if (staticDir) await rm(staticDir, { recursive: true, force: true });
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function postGraphQL(query: string, token?: string): Promise<{ status: number; headers: Headers; body: GraphQLBody }> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLBody };
}

describe('GraphQL over HTTP', () => {
  it('answers a query of a signed-in user', async () => {
    const token = await idp.token({ sub: 'sub-7', username: 'dora', groups: ['Viewer'] });
    const { status, body } = await postGraphQL('{ me { id username roles } }', token);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { me: { id: 'sub-7', username: 'dora', roles: ['Viewer'] } } });
    expect(gateway.graphqlUrl).toBe(`${gateway.url}/graphql`);
  });

  it.each([
    ['no token', () => Promise.resolve(undefined)],
    ['an expired token', () => idp.token({ expiresInSeconds: -10 })],
    ['another issuer', () => idp.token({ claims: { iss: 'http://elsewhere' } })],
    ['another audience', () => idp.token({ claims: { aud: 'another-client' } })],
    ['alg none', async () => unsigned(await idp.token())],
    ['a tampered signature', async () => tampered(await idp.token({ groups: ['Viewer'] }), { 'cognito:groups': ['Admin'] })],
  ])('refuses %s with 401 UNAUTHENTICATED', async (_what, makeToken) => {
    const { status, headers, body } = await postGraphQL('{ me { id } }', await makeToken());
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer');
    expect(body.data).toBeUndefined();
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('FORBIDDEN for a Viewer starting an execution, without calling the service', async () => {
    const { body } = await postGraphQL('mutation { startExecution(input: { planId: "plan-1", mode: DRILL }) { id } }', await idp.token({ groups: ['Viewer'] }));
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(services.execution.calls.filter((c) => c.operation === 'startExecution')).toHaveLength(0);
  });

  it('prevents CSRF: a GET without a preflight-forcing header is refused, with one it runs', async () => {
    const token = await idp.token();
    const url = `${gateway.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`;
    const simple = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toContain('CSRF');
    const preflighted = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
    expect(((await preflighted.json()) as GraphQLBody).data).toEqual({ me: { id: 'user-1' } });
  });

  it('answers 400 for a document past the token limit, and for batched operations, cheaply', async () => {
    const token = await idp.token({ sub: 'sub-7', username: 'dora', groups: ['Viewer'] });
    const huge = await postGraphQL(`{ ${Array.from({ length: 6000 }, () => '__typename').join(' ')} }`, token);
    expect(huge.status).toBe(400);
    expect(JSON.stringify(huge.body)).toContain('Token limit of 5000 exceeded');
    const batch = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]) });
    expect(batch.status).toBe(400);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(response.status).toBe(400);
  });
});

describe('routes', () => {
  it('asks extraRoutes first', async () => {
    const response = await fetch(`${gateway.url}/.well-known/jwks.json`);
    expect(await response.json()).toEqual(idp.jwks);
  });

  it('serves the UI: files, and index.html for other GET paths', async () => {
    const asset = await fetch(`${gateway.url}/assets/app.js`);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await asset.text()).toBe('console.log("lifeboat")');
    for (const path of ['/', '/executions/exec-1']) {
      const page = await fetch(`${gateway.url}${path}`);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<title>Lifeboat</title>');
    }
    expect((await fetch(`${gateway.url}/somewhere`, { method: 'POST' })).status).toBe(404);
  });

  it('never serves a file outside the UI folder', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${gateway.url}/..%2f..%2f..%2fetc%2fpasswd`, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(raw).not.toContain('root:');
    expect(raw).toContain('<title>Lifeboat</title>');
  });
});

describe('GraphQL over WebSocket', () => {
  const clients: Client[] = [];

  function connect(connectionParams: Record<string, unknown>): { client: Client; closed: Promise<{ code: number; reason: string }> } {
    let onClosed: (event: { code: number; reason: string }) => void = () => {};
    const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
    const client = createClient({ url: gateway.subscriptionsUrl, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
    client.on('closed', (event) => onClosed(event as { code: number; reason: string }));
    clients.push(client);
    return { client, closed };
  }

  interface Subscription<T> {
    results: T[];
    errors: unknown[];
    complete: () => boolean;
    unsubscribe: () => void;
  }

  function subscribe<T>(client: Client, query: string): Subscription<T> {
    const results: T[] = [];
    const errors: unknown[] = [];
    let completed = false;
    const unsubscribe = client.subscribe<T>(
      { query },
      { next: (value) => results.push(value as T), error: (error) => errors.push(error), complete: () => (completed = true) },
    );
    return { results, errors, complete: () => completed, unsubscribe };
  }

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('pushes the events published through the fan-out handler, once each and in stream order', async () => {
    const { client } = connect({ authorization: `Bearer ${await idp.token({ groups: ['Viewer'] })}` });
    const sub = subscribe<{ data: { executionEvents: { streamVersion: number; type: string; hash: string } } }>(
      client,
      'subscription { executionEvents(id: "exec-1") { streamVersion type hash } }',
    );
    await waitFor('the subscription to reach the broker', () => executionEventBroker.subscriberCount('execution:exec-1') === 1);

    // At least once and unordered, as EventBridge delivers: a duplicate, and 4 before 3.
    for (const version of [2, 2, 4, 3]) {
      expect(await fanout(onTheBus(streamEvent('exec-1', version)))).toEqual({ delivered: 1 });
    }
    await waitFor('three events', () => sub.results.length >= 3);
    expect(sub.results.map((r) => r.data.executionEvents)).toEqual([2, 3, 4].map((v) => ({ streamVersion: v, type: 'WaveStarted', hash: `hash-${v}` })));
    expect(sub.errors).toEqual([]);

    // Events of other executions do not reach it.
    expect(await fanout(onTheBus(streamEvent('exec-2', 2)))).toEqual({ delivered: 0 });

    sub.unsubscribe();
    await waitFor('the subscription to leave the broker', () => executionEventBroker.subscriberCount() === 0);
  });

  it('pushes the execution view after each event', async () => {
    let version = 1;
    services.execution.on('getExecution', () => executionView({ version, status: version >= 3 ? 'COMPLETED' : 'RUNNING' }));
    const { client } = connect({ authorization: `Bearer ${await idp.token({ groups: ['Operator'] })}` });
    const sub = subscribe<{ data: { executionUpdated: { id: string; version: number; status: string } } }>(client, 'subscription { executionUpdated(id: "exec-1") { id version status } }');
    await waitFor('the subscription to reach the broker', () => executionEventBroker.subscriberCount('execution:exec-1') === 1);
    // The broker subscription opens before the view is read: wait for that read too.
    await waitFor('the first view', () => services.execution.calls.some((c) => c.operation === 'getExecution' && c.caller.roles.includes('Operator')));

    version = 2;
    await fanout(onTheBus(streamEvent('exec-1', 2)));
    await waitFor('the first update', () => sub.results.length === 1);
    version = 3;
    await fanout(onTheBus(streamEvent('exec-1', 3)));
    await waitFor('the second update', () => sub.results.length === 2);
    expect(sub.results.map((r) => r.data.executionUpdated)).toEqual([
      { id: 'exec-1', version: 2, status: 'RUNNING' },
      { id: 'exec-1', version: 3, status: 'COMPLETED' },
    ]);

    await client.dispose();
    await waitFor('the closed connection to leave the broker', () => executionEventBroker.subscriberCount() === 0);
  });

  it.each([
    ['without a token', async () => ({})],
    ['with an expired token', async () => ({ authorization: `Bearer ${await idp.token({ expiresInSeconds: -10 })}` })],
    ['with a tampered token', async () => ({ authorization: `Bearer ${tampered(await idp.token(), { sub: 'someone-else' })}` })],
  ])('refuses a connection %s (4403) and subscribes nothing', async (_what, params) => {
    const { client, closed } = connect(await params());
    const sub = subscribe(client, 'subscription { executionEvents(id: "exec-1") { hash } }');
    expect(await within('the socket to close', closed)).toMatchObject({ code: 4403, reason: 'Forbidden' });
    expect(sub.results).toEqual([]);
    expect(executionEventBroker.subscriberCount()).toBe(0);
  });

  it('checks the read permission at each subscribe', async () => {
    const { client } = connect({ authorization: `Bearer ${await idp.token({ groups: [] })}` });
    const sub = subscribe<{ errors?: { extensions?: { code?: string } }[] }>(client, 'subscription { executionEvents(id: "exec-1") { hash } }');
    await waitFor('the answer', () => sub.results.length + sub.errors.length > 0 || sub.complete());
    expect(sub.results.map((r) => r.errors?.map((e) => e.extensions?.code))).toEqual([['FORBIDDEN']]);
    expect(executionEventBroker.subscriberCount()).toBe(0);
  });

  it('executions(filter) pushes a matching execution and not one that does not match', async () => {
    services.execution.on('getExecution', (input: { executionId: string }) =>
      executionView({ executionId: input.executionId, planId: input.executionId === 'exec-1' ? 'plan-1' : 'plan-2', version: 2 }),
    );
    const { client } = connect({ authorization: `Bearer ${await idp.token({ groups: ['Viewer'] })}` });
    const sub = subscribe<{ data: { executions: { id: string; planId: string; status: string } } }>(client, 'subscription { executions(filter: { planId: "plan-1", statuses: [RUNNING] }) { id planId status } }');
    await waitFor('the subscription to reach the broker', () => executionEventBroker.subscriberCount('executions') === 1);

    // A wave of another plan's execution starts, then one of plan-1's: the feed takes them in order.
    expect(await fanout(onTheBus(streamEvent('exec-2', 2)))).toEqual({ delivered: 1 });
    expect(await fanout(onTheBus(streamEvent('exec-1', 2)))).toEqual({ delivered: 1 });
    await waitFor('the matching execution', () => sub.results.length >= 1);
    expect(sub.results.map((r) => r.data.executions)).toEqual([{ id: 'exec-1', planId: 'plan-1', status: 'RUNNING' }]);
    expect(sub.errors).toEqual([]);

    sub.unsubscribe();
    await waitFor('the subscription to leave the broker', () => executionEventBroker.subscriberCount() === 0);
  });

  it('inventoryChanged pushes a server the catalog discovered, from the event alone', async () => {
    const { client } = connect({ authorization: `Bearer ${await idp.token({ groups: ['Viewer'] })}` });
    const sub = subscribe<{ data: { inventoryChanged: Record<string, unknown> } }>(
      client,
      'subscription { inventoryChanged(filter: { accountId: "123456789012" }) { kind sourceServerId accountId region changedFields changedAt sourceServer { id hostname readyForRecovery tags { key value } } } }',
    );
    await waitFor('the subscription to reach the broker', () => executionEventBroker.subscriberCount('inventory') === 1);

    const { sourceServerId, accountId, region, arn, hostname, os, tags, replicationState, readyForRecovery } = sourceServerView;
    const discovered = createEvent(
      'SourceServerDiscovered',
      { sourceServerId, accountId, region, arn, hostname, os, tags, replicationState, readyForRecovery },
      { correlationId: sourceServerId, actor: { type: 'service', id: 'lifeboat-catalog' }, occurredAt: '2025-02-01T08:00:00.000Z' },
    );
    expect(await fanout(onTheBus(discovered, 'lifeboat.catalog'))).toEqual({ delivered: 1 });
    await waitFor('the change', () => sub.results.length >= 1);
    expect(sub.results.map((r) => r.data.inventoryChanged)).toEqual([
      {
        kind: 'DISCOVERED',
        sourceServerId,
        accountId,
        region,
        changedFields: [],
        changedAt: '2025-02-01T08:00:00.000Z',
        sourceServer: { id: sourceServerId, hostname: 'db-01', readyForRecovery: true, tags: [{ key: 'app', value: 'shop' }, { key: 'tier', value: 'db' }] },
      },
    ]);
    expect(services.catalog.calls).toEqual([]);

    sub.unsubscribe();
    await waitFor('the subscription to leave the broker', () => executionEventBroker.subscriberCount() === 0);
  });

  it('approvalsPending pushes the current list at once, and again after an ApprovalRequested', async () => {
    const approval = (approvalId: string, requestedAt: string): ApprovalView => ({
      approvalId,
      kind: 'STEP',
      prompt: `Go ${approvalId}?`,
      status: 'PENDING',
      permission: 'drill:approve',
      excludedUserIds: [],
      requestedAt,
    });
    let current: ExecutionView = executionView({ version: 4, approvals: [approval('ap-1', '2025-01-01T12:10:00.000Z')] });
    services.execution.on('listExecutions', () => ({ items: [current], nextToken: null })).on('getExecution', () => current);
    const { client } = connect({ authorization: `Bearer ${await idp.token({ sub: 'sub-op', groups: ['Operator'] })}` });
    const sub = subscribe<{ data: { approvalsPending: { executionId: string; approval: { id: string; prompt: string } }[] } }>(
      client,
      'subscription { approvalsPending { executionId approval { id prompt } } }',
    );
    await waitFor('the current list', () => sub.results.length >= 1);
    expect(executionEventBroker.subscriberCount('approvals')).toBe(1);

    current = executionView({ version: 5, approvals: [approval('ap-1', '2025-01-01T12:10:00.000Z'), approval('ap-2', '2025-01-01T12:20:00.000Z')] });
    const requested: DomainEvent = {
      ...streamEvent('exec-1', 5),
      type: 'ApprovalRequested',
      data: { executionId: 'exec-1', approvalId: 'ap-2', kind: 'STEP', prompt: 'Go ap-2?', permission: 'drill:approve', excludedUserIds: [] },
    };
    expect(await fanout(onTheBus(requested))).toEqual({ delivered: 1 });
    await waitFor('the changed list', () => sub.results.length >= 2);
    expect(sub.results.map((r) => r.data.approvalsPending.map((p) => `${p.executionId}/${p.approval.id}`))).toEqual([['exec-1/ap-1'], ['exec-1/ap-1', 'exec-1/ap-2']]);
    expect(sub.errors).toEqual([]);

    await client.dispose();
    await waitFor('the closed connection to leave the broker', () => executionEventBroker.subscriberCount() === 0);
  });

  it('approvalsPending refuses a Viewer with FORBIDDEN, and subscribes nothing', async () => {
    const { client } = connect({ authorization: `Bearer ${await idp.token({ groups: ['Viewer'] })}` });
    const sub = subscribe<{ errors?: { message: string; extensions?: { code?: string } }[] }>(client, 'subscription { approvalsPending { executionId } }');
    await waitFor('the answer', () => sub.results.length + sub.errors.length > 0 || sub.complete());
    expect(sub.results.map((r) => r.errors?.map((e) => e.extensions?.code))).toEqual([['FORBIDDEN']]);
    expect(sub.results[0]?.errors?.[0]?.message).toBe('approvalsPending needs the drill:approve or recovery:approve permission');
    expect(executionEventBroker.subscriberCount()).toBe(0);
  });

  it('answers invalid documents with their code', async () => {
    const { client } = connect({ authorization: `Bearer ${await idp.token()}` });
    const sub = subscribe(client, 'subscription { nope }');
    await waitFor('the answer', () => sub.errors.length > 0);
    expect(sub.errors).toEqual([[expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]]);
  });
});

describe('the Lambda handler (API Gateway HTTP API)', () => {
  function event(body: string | undefined, headers: Record<string, string>, method = 'POST', rawQueryString = ''): APIGatewayProxyEventV2 {
    return {
      version: '2.0',
      routeKey: `${method} /graphql`,
      rawPath: '/graphql',
      rawQueryString,
      headers,
      isBase64Encoded: false,
      ...(body === undefined ? {} : { body }),
      requestContext: { http: { method, path: '/graphql', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } },
    } as APIGatewayProxyEventV2;
  }

  it('runs the same schema, verifying tokens against an http JWKS', async () => {
    Object.assign(process.env, {
      LIFEBOAT_STAGE: 'test',
      GATEWAY_AUTH_PROVIDER: 'local',
      GATEWAY_AUTH_ISSUER: idp.issuer,
      GATEWAY_AUTH_AUDIENCE: idp.audience,
      GATEWAY_AUTH_JWKS_URI: `${gateway.url}/.well-known/jwks.json`,
    });
    const { handler } = await import('../src/handlers/graphql-http.js');
    const query = JSON.stringify({ query: '{ me { username roles } }' });
    const before = jwksFetches;

    const ok = await handler(event(query, { 'content-type': 'application/json', authorization: `Bearer ${await idp.token({ username: 'erin', groups: ['Admin'] })}` }));
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body ?? '')).toEqual({ data: { me: { username: 'erin', roles: ['Admin'] } } });
    expect(jwksFetches).toBe(before + 1);

    const refused = await handler(event(query, { 'content-type': 'application/json' }));
    expect(refused.statusCode).toBe(401);
    expect(JSON.parse(refused.body ?? '').errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const base64 = await handler({ ...event(Buffer.from(query).toString('base64'), { 'content-type': 'application/json', authorization: `Bearer ${await idp.token()}` }), isBase64Encoded: true });
    expect(base64.statusCode).toBe(200);

    const csrf = await handler(event(undefined, { authorization: `Bearer ${await idp.token()}` }, 'GET', `query=${encodeURIComponent('{ me { id } }')}`));
    expect(csrf.statusCode).toBe(400);
  });

  it('refuses an oversized input (413), a body that is not JSON and a document past the token limit (400), without running anything', async () => {
    const { handler } = await import('../src/handlers/graphql-http.js');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${await idp.token({ username: 'erin', groups: ['Admin'] })}` };
    const huge = JSON.stringify({ query: 'mutation($c: String!) { importConfiguration(input: { content: $c, dryRun: true }) { dryRun } }', variables: { c: 'x'.repeat(MAX_BODY_BYTES) } });
    const oversized = await handler(event(huge, headers));
    expect(oversized.statusCode).toBe(413);
    expect(JSON.parse(oversized.body ?? '').errors[0].extensions.code).toBe('BAD_REQUEST');

    const notJson = await handler(event('{ "query": ', headers));
    expect(notJson.statusCode).toBe(400);
    expect(JSON.parse(notJson.body ?? '').errors[0]).toEqual({ message: 'The body is not valid JSON', extensions: { code: 'BAD_REQUEST' } });

    const tokens = await handler(event(JSON.stringify({ query: `{ ${Array.from({ length: 6000 }, () => '__typename').join(' ')} }` }), headers));
    expect(tokens.statusCode).toBe(400);
    expect(tokens.body).toContain('Token limit of 5000 exceeded');
  });
});
