/**
 * Operation limits (GraphQL Armor) on the gateway's Apollo Server: a depth bomb, an alias flood
 * and an oversized document are refused in validation, before any resolver (so before any
 * service call); a normal query passes; introspection is off unless configured.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../src/context.js';
import { OPERATION_LIMITS } from '../src/limits.js';
import { createGatewaySchema } from '../src/schema.js';
import { createGatewayServer } from '../src/server.js';
import { callerWith, fakeServices, sourceServerView } from './fixtures.js';

const admin = callerWith('Admin');
let services: ReturnType<typeof fakeServices>;

function serverWith(options: { introspection?: boolean } = {}): ApolloServer<GatewayContext> {
  return createGatewayServer(createGatewaySchema(services), { log: () => undefined, ...options });
}

async function run(server: ApolloServer<GatewayContext>, query: string): Promise<{ data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const response = await server.executeOperation({ query }, { contextValue: { caller: admin } as GatewayContext });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

const calls = () => services.catalog.calls.length + services.planning.calls.length + services.execution.calls.length + services.notification.calls.length;

beforeEach(() => {
  services = fakeServices();
  services.catalog.on('listSourceServers', () => ({ items: [sourceServerView], nextToken: null }));
});

describe('operation limits', () => {
  it('given a query nested deeper than the limit, then it is refused before any service is called', async () => {
    // A depth bomb over the introspection types, which nest without end.
    const nested = Array.from({ length: OPERATION_LIMITS.maxDepth + 2 }).reduce<string>((inner) => `ofType { ${inner} }`, 'name');
    const result = await run(serverWith({ introspection: true }), `{ __schema { types { fields { type { ${nested} } } } } }`);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/depth limit/i);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(calls()).toBe(0);
  });

  it('given more aliases than the limit, then it is refused before any service is called', async () => {
    const aliases = Array.from({ length: OPERATION_LIMITS.maxAliases + 5 }, (_, i) => `s${i}: sourceServers(first: 1) { items { sourceServerId } }`).join(' ');
    const result = await run(serverWith(), `{ ${aliases} }`);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/aliases/i);
    expect(calls()).toBe(0);
  });

  it('given a document of more tokens than the limit, then it is refused without being run', async () => {
    const fields = Array.from({ length: OPERATION_LIMITS.maxTokens }, () => '__typename').join(' ');
    // The parser stops counting at the limit: the request fails as it is parsed.
    await expect(run(serverWith(), `{ ${fields} }`)).rejects.toThrow(/Token limit of 5000 exceeded/);
    expect(calls()).toBe(0);
  });

  it('given an ordinary query of the console, then it runs', async () => {
    const result = await run(serverWith(), '{ sourceServers(first: 50) { items { hostname } } }');
    expect(result.errors).toBeUndefined();
    expect(calls()).toBe(1);
  });

  it('given no configuration, then introspection is refused; configured, it answers', async () => {
    const query = '{ __schema { queryType { name } } }';
    const off = await run(serverWith({ introspection: false }), query);
    expect(off.errors?.[0]?.message).toMatch(/introspection/i);
    const on = await run(serverWith({ introspection: true }), query);
    expect(on.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});
