/**
 * The resolvers through Apollo's executeOperation, with fake services: views are mapped to the
 * GraphQL types, permissions are checked before any call, errors reach the client typed and
 * internals never do.
 */
import { describe, expect, it, beforeEach } from '@jest/globals';
import type { ApolloServer } from '@apollo/server';
import { isObjectType } from 'graphql';
import type { GraphQLFormattedError } from 'graphql';
import { ConflictError, NotFoundError, QuotaExceededError, ValidationError } from '@lifeboat/service-api';
import type { Caller } from '@lifeboat/service-api';
import { createGatewaySchema } from '../src/schema.js';
import { createGatewayServer } from '../src/server.js';
import type { GatewayContext } from '../src/context.js';
import { callerWith, executionView, fakeServices, protectionGroupView, recoveryPlanView, savedRecoveryPlanView, sourceServerView, storedEvent } from './fixtures.js';

type Services = ReturnType<typeof fakeServices>;

let services: Services;
let server: ApolloServer<GatewayContext>;
let logged: unknown[];

beforeEach(() => {
  services = fakeServices();
  logged = [];
  server = createGatewayServer(createGatewaySchema(services), { log: (_message, error) => logged.push(error) });
});

interface Result {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

async function run(query: string, caller: Caller | undefined, variables?: Record<string, unknown>): Promise<Result> {
  const response = await server.executeOperation({ query, ...(variables ? { variables } : {}) }, { contextValue: { caller } as GatewayContext });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult as Result;
}

const viewer = callerWith('Viewer');

describe('schema', () => {
  it('has a resolver for every field of Query, Mutation and Subscription', () => {
    const schema = createGatewaySchema(services);
    for (const rootName of ['Query', 'Mutation', 'Subscription']) {
      const root = schema.getType(rootName);
      if (!isObjectType(root)) throw new Error(`${rootName} missing`);
      for (const field of Object.values(root.getFields())) {
        expect({ field: `${rootName}.${field.name}`, resolved: Boolean(rootName === 'Subscription' ? field.subscribe : field.resolve) }).toEqual({
          field: `${rootName}.${field.name}`,
          resolved: true,
        });
      }
    }
  });
});

describe('queries map the services views', () => {
  it('me is the caller', async () => {
    const result = await run('{ me { id username roles } }', viewer);
    expect(result).toEqual({ data: { me: { id: viewer.userId, username: viewer.username, roles: ['Viewer'] } } });
  });

  it('sourceServers: id, tags as a sorted list, paging as first/after', async () => {
    services.catalog.on('listSourceServers', () => ({ items: [sourceServerView], nextToken: 'page-2' }));
    const result = await run('{ sourceServers(first: 10, after: "page-1") { items { id accountId region hostname os tags { key value } replicationState readyForRecovery } nextCursor } }', viewer);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      sourceServers: {
        items: [
          {
            id: 's-1234567890abcdef0',
            accountId: '123456789012',
            region: 'us-east-1',
            hostname: 'db-01',
            os: 'LINUX',
            tags: [
              { key: 'app', value: 'shop' },
              { key: 'tier', value: 'db' },
            ],
            replicationState: 'CONTINUOUS',
            readyForRecovery: true,
          },
        ],
        nextCursor: 'page-2',
      },
    });
    expect(services.catalog.calls).toEqual([{ operation: 'listSourceServers', input: { limit: 10, nextToken: 'page-1' }, caller: viewer }]);
  });

  it('sourceServers defaults to 100 and rejects a page size out of range without calling the catalog', async () => {
    services.catalog.on('listSourceServers', () => ({ items: [], nextToken: null }));
    expect((await run('{ sourceServers { nextCursor } }', viewer)).data).toEqual({ sourceServers: { nextCursor: null } });
    expect(services.catalog.calls[0]?.input).toEqual({ limit: 100 });

    const result = await run('{ sourceServers(first: 0) { nextCursor } }', viewer);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(services.catalog.calls).toHaveLength(1);
  });

  it('sourceServers names the catalog paging fields as the client knows them', async () => {
    services.catalog.on('listSourceServers', () => {
      throw new ValidationError('unknown cursor', 'nextToken');
    });
    const result = await run('{ sourceServers(after: "bogus") { nextCursor } }', viewer);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after', problems: [{ field: 'after', message: 'unknown cursor' }] });
  });

  it('protectionGroups and recoveryPlans', async () => {
    services.planning.on('listProtectionGroups', () => ({ items: [protectionGroupView], nextToken: null })).on('listRecoveryPlans', () => ({ items: [recoveryPlanView], nextToken: 'plans-2' }));
    const result = await run(
      '{ protectionGroups { items { id name accountId region sourceServerIds } nextCursor } recoveryPlans { nextCursor items { id name version createdAt createdBy waves { id name dependsOn launchOrder protectionGroupIds } } } }',
      viewer,
    );
    expect(result.errors).toBeUndefined();
    expect(services.planning.calls.map((c) => [c.operation, c.input])).toEqual([
      ['listProtectionGroups', { limit: 100 }],
      ['listRecoveryPlans', { limit: 100 }],
    ]);
    expect(result.data).toEqual({
      protectionGroups: { items: [{ id: 'pg-1', name: 'Databases', accountId: '123456789012', region: 'us-east-1', sourceServerIds: ['s-1234567890abcdef0'] }], nextCursor: null },
      recoveryPlans: {
        nextCursor: 'plans-2',
        items: [
        {
          id: 'plan-1',
          name: 'Shop',
          version: 2,
          createdAt: '2025-01-01T12:00:00.000Z',
          createdBy: 'alice',
          waves: [
            { id: 'w-db', name: 'Databases', dependsOn: [], launchOrder: 'SEQUENTIAL', protectionGroupIds: ['pg-1'] },
            { id: 'w-app', name: 'App', dependsOn: ['w-db'], launchOrder: 'PARALLEL', protectionGroupIds: ['pg-2'] },
          ],
        },
        ],
      },
    });
  });

  it('recoveryPlan passes the version, and is null when the plan does not exist', async () => {
    services.planning.on('getRecoveryPlan', (input: { planId: string }) => {
      if (input.planId === 'plan-1') return recoveryPlanView;
      throw new NotFoundError('no such plan');
    });
    expect((await run('{ recoveryPlan(id: "plan-1", version: 2) { id version } }', viewer)).data).toEqual({ recoveryPlan: { id: 'plan-1', version: 2 } });
    expect(services.planning.calls[0]?.input).toEqual({ planId: 'plan-1', version: 2 });
    expect(await run('{ recoveryPlan(id: "nope") { id } }', viewer)).toEqual({ data: { recoveryPlan: null } });
    expect(services.planning.calls[1]?.input).toEqual({ planId: 'nope' });
  });

  it('execution: executionId becomes id, optional fields null, nested waves, servers and checks', async () => {
    services.execution.on('getExecution', () => executionView());
    const result = await run(
      `{ execution(id: "exec-1") { id planId planVersion planName mode status startedAt completedAt startedBy version
          waves { id name dependsOn launchOrder status startedAt completedAt
            servers { sourceServerId hostname accountId region criticality status jobId recoveryInstanceId ec2InstanceId launchedAt verifiedAt
              checks { name status durationMs output } } } } }`,
      viewer,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      execution: {
        id: 'exec-1',
        planId: 'plan-1',
        planVersion: 2,
        planName: 'Shop',
        mode: 'DRILL',
        status: 'RUNNING',
        startedAt: '2025-01-01T12:00:00.000Z',
        completedAt: null,
        startedBy: 'bob',
        version: 1,
        waves: [
          {
            id: 'w-db',
            name: 'Databases',
            dependsOn: [],
            launchOrder: 'SEQUENTIAL',
            status: 'RUNNING',
            startedAt: '2025-01-01T12:00:01.000Z',
            completedAt: null,
            servers: [
              {
                sourceServerId: 's-1234567890abcdef0',
                hostname: 'db-01',
                accountId: '123456789012',
                region: 'us-east-1',
                criticality: 'CRITICAL',
                status: 'LAUNCHED',
                jobId: 'drsjob-1234567890abcdef0',
                recoveryInstanceId: null,
                ec2InstanceId: null,
                launchedAt: '2025-01-01T12:05:00.000Z',
                verifiedAt: null,
                checks: [{ name: 'ec2-status', status: 'PASSED', durationMs: 1200, output: null }],
              },
            ],
          },
        ],
      },
    });
  });

  it('execution is null when unknown; executions lists', async () => {
    services.execution.on('getExecution', () => {
      throw new NotFoundError('no such execution');
    });
    services.execution.on('listExecutions', () => ({
      items: [executionView(), executionView({ executionId: 'exec-2', mode: 'RECOVERY', status: 'COMPLETED', completedAt: '2025-01-02T00:00:00.000Z' })],
      nextToken: 'page-2',
    }));
    expect(await run('{ execution(id: "nope") { id } }', viewer)).toEqual({ data: { execution: null } });
    expect((await run('{ executions { items { id mode status completedAt } nextCursor } }', viewer)).data).toEqual({
      executions: {
        items: [
          { id: 'exec-1', mode: 'DRILL', status: 'RUNNING', completedAt: null },
          { id: 'exec-2', mode: 'RECOVERY', status: 'COMPLETED', completedAt: '2025-01-02T00:00:00.000Z' },
        ],
        nextCursor: 'page-2',
      },
    });
    expect(services.execution.calls.at(-1)?.input).toEqual({ limit: 20 });
  });

  it('executions maps first, after and the filter to the service, and its paging errors to first and after', async () => {
    services.execution.on('listExecutions', () => ({ items: [], nextToken: null }));
    const result = await run(
      '{ executions(first: 5, after: "page-2", filter: { planId: "plan-1", mode: RECOVERY, statuses: [RUNNING, PAUSED], startedAfter: "2025-01-01T00:00:00Z", startedBefore: null }) { items { id } nextCursor } }',
      viewer,
    );
    expect(result).toEqual({ data: { executions: { items: [], nextCursor: null } } });
    expect(services.execution.calls).toEqual([
      {
        operation: 'listExecutions',
        input: { limit: 5, nextToken: 'page-2', filter: { planId: 'plan-1', mode: 'RECOVERY', statuses: ['RUNNING', 'PAUSED'], startedAfter: '2025-01-01T00:00:00Z' } },
        caller: viewer,
      },
    ]);
    const tooMany = await run('{ executions(first: 101) { nextCursor } }', viewer);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(services.execution.calls).toHaveLength(1);
    services.execution.on('listExecutions', () => {
      throw new ValidationError([{ field: 'nextToken', message: 'belongs to a listing with another filter: list again from the first page' }]);
    });
    const stale = await run('{ executions(after: "page-2", filter: { mode: DRILL }) { nextCursor } }', viewer);
    expect(stale.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'after',
      problems: [{ field: 'after', message: 'belongs to a listing with another filter: list again from the first page' }],
    });
  });

  it('executionEvents: the stream in order, with its hash chain and data as JSON', async () => {
    services.execution.on('getExecutionEvents', () => [storedEvent('exec-1', 2), storedEvent('exec-1', 1)]);
    const result = await run('{ executionEvents(id: "exec-1") { streamVersion eventId type occurredAt actor data previousHash hash } }', viewer);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      executionEvents: [1, 2].map((v) => {
        const e = storedEvent('exec-1', v);
        return { streamVersion: v, eventId: e.eventId, type: 'WaveStarted', occurredAt: e.occurredAt, actor: 'lifeboat-execution', data: e.data, previousHash: e.previousHash, hash: e.hash };
      }),
    });
    expect(services.execution.calls[0]?.input).toEqual({ executionId: 'exec-1' });
  });

  it('executionEvents(last, beforeVersion): the latest events below a version, asked of the service as such, in order', async () => {
    services.execution.on('getExecutionEvents', () => [storedEvent('exec-1', 300), storedEvent('exec-1', 299)]);
    const result = await run('query($before: Int) { executionEvents(id: "exec-1", last: 2, beforeVersion: $before) { streamVersion } }', viewer, { before: 301 });
    expect(result).toEqual({ data: { executionEvents: [{ streamVersion: 299 }, { streamVersion: 300 }] } });
    expect(services.execution.calls.map((c) => c.input)).toEqual([{ executionId: 'exec-1', last: 2, beforeVersion: 301 }]);
    // (null arguments are left out, as absent ones)
    await run('{ executionEvents(id: "exec-1", last: 200, beforeVersion: null) { streamVersion } }', viewer);
    expect(services.execution.calls[1]?.input).toEqual({ executionId: 'exec-1', last: 200 });
  });

  it('executionEvents: a last out of 1..1000 or a beforeVersion below 1 is a BAD_USER_INPUT at that argument, before any call', async () => {
    for (const [args, fields] of [
      ['last: 0', ['last']],
      ['last: 1001', ['last']],
      ['last: -5', ['last']],
      ['last: 10, beforeVersion: 0', ['beforeVersion']],
      ['last: 0, beforeVersion: -1', ['last', 'beforeVersion']],
    ] as const) {
      const result = await run(`{ executionEvents(id: "exec-1", ${args}) { streamVersion } }`, viewer);
      expect({ args, data: result.data, code: result.errors?.[0]?.extensions?.code, field: result.errors?.[0]?.extensions?.field, problems: (result.errors?.[0]?.extensions?.problems as { field: string }[] | undefined)?.map((p) => p.field) }).toEqual({
        args,
        data: null,
        code: 'BAD_USER_INPUT',
        field: fields[0],
        problems: [...fields],
      });
    }
    expect(services.execution.calls).toHaveLength(0);
  });

  it('executionEvents: the service\'s own refusal of an argument reaches the client at that argument', async () => {
    services.execution.on('getExecutionEvents', () => {
      throw new ValidationError([{ field: 'beforeVersion', message: 'must be an integer of at least 1' }]);
    });
    const result = await run('{ executionEvents(id: "exec-1", last: 5, beforeVersion: 3) { streamVersion } }', viewer);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'beforeVersion' });
  });
});

describe('mutations', () => {
  it('createProtectionGroup calls planning with the input and the caller', async () => {
    services.planning.on('createProtectionGroup', () => protectionGroupView);
    const author = callerWith('PlanAuthor');
    const input = { name: 'Databases', accountId: '123456789012', region: 'us-east-1', sourceServerIds: ['s-1234567890abcdef0'] };
    const result = await run('mutation($input: CreateProtectionGroupInput!) { createProtectionGroup(input: $input) { id name } }', author, { input });
    expect(result).toEqual({ data: { createProtectionGroup: { id: 'pg-1', name: 'Databases' } } });
    expect(services.planning.calls).toEqual([{ operation: 'createProtectionGroup', input, caller: author }]);
  });

  it('createRecoveryPlan passes waves with the schema defaults', async () => {
    services.planning.on('createRecoveryPlan', () => savedRecoveryPlanView());
    const result = await run(
      'mutation { createRecoveryPlan(input: { name: "Shop", waves: [{ name: "Databases", protectionGroupIds: ["pg-1"], launchOrder: SEQUENTIAL }, { name: "App", dependsOn: ["Databases"], protectionGroupIds: ["pg-2"] }] }) { id version waves { id dependsOn } } }',
      callerWith('Admin'),
    );
    expect(result.errors).toBeUndefined();
    expect(services.planning.calls[0]?.input).toEqual({
      name: 'Shop',
      waves: [
        { name: 'Databases', dependsOn: [], launchOrder: 'SEQUENTIAL', protectionGroupIds: ['pg-1'] },
        { name: 'App', dependsOn: ['Databases'], launchOrder: 'PARALLEL', protectionGroupIds: ['pg-2'] },
      ],
    });
  });

  it('startExecution of a DRILL by an Operator; optional inputs left out when not given', async () => {
    services.execution.on('startExecution', () => executionView());
    const operator = callerWith('Operator');
    const result = await run('mutation { startExecution(input: { planId: "plan-1", mode: DRILL }) { id mode status } }', operator);
    expect(result).toEqual({ data: { startExecution: { id: 'exec-1', mode: 'DRILL', status: 'RUNNING' } } });
    expect(services.execution.calls).toEqual([{ operation: 'startExecution', input: { planId: 'plan-1', mode: 'DRILL' }, caller: operator }]);
  });

  it('startExecution of a RECOVERY by a RecoveryManager passes the confirmation', async () => {
    services.execution.on('startExecution', () => executionView({ mode: 'RECOVERY' }));
    await run('mutation { startExecution(input: { planId: "plan-1", planVersion: 2, mode: RECOVERY, confirmation: "Shop" }) { id } }', callerWith('RecoveryManager'));
    expect(services.execution.calls[0]?.input).toEqual({ planId: 'plan-1', planVersion: 2, mode: 'RECOVERY', confirmation: 'Shop' });
  });
});

describe('authorization', () => {
  const startDrill = 'mutation { startExecution(input: { planId: "plan-1", mode: DRILL }) { id } }';
  const startRecovery = 'mutation { startExecution(input: { planId: "plan-1", mode: RECOVERY, confirmation: "Shop" }) { id } }';
  const createGroup = 'mutation { createProtectionGroup(input: { name: "x", accountId: "123456789012", region: "us-east-1", sourceServerIds: [] }) { id } }';
  const createPlan = 'mutation { createRecoveryPlan(input: { name: "x", waves: [] }) { id } }';

  beforeEach(() => {
    services.execution.on('startExecution', () => executionView());
    services.planning.on('createProtectionGroup', () => protectionGroupView).on('createRecoveryPlan', () => savedRecoveryPlanView());
  });

  it('a Viewer may not start an execution: FORBIDDEN, and the service is not called', async () => {
    const result = await run(startDrill, viewer);
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([expect.objectContaining({ message: 'startExecution of a DRILL needs the drill:run permission', path: ['startExecution'], extensions: { code: 'FORBIDDEN' } })]);
    expect(services.execution.calls).toHaveLength(0);
  });

  it.each([
    ['Viewer', 'start a DRILL', false, startDrill],
    ['Operator', 'start a DRILL', true, startDrill],
    ['Operator', 'start a RECOVERY', false, startRecovery],
    ['PlanAuthor', 'start a DRILL', false, startDrill],
    ['RecoveryManager', 'start a RECOVERY', true, startRecovery],
    ['Admin', 'start a RECOVERY', true, startRecovery],
    ['Viewer', 'create a protection group', false, createGroup],
    ['Operator', 'create a recovery plan', false, createPlan],
    ['PlanAuthor', 'create a protection group', true, createGroup],
    ['PlanAuthor', 'create a recovery plan', true, createPlan],
  ])('%s may %s: %s', async (role, _action, allowed, mutation) => {
    const result = await run(mutation, callerWith(role));
    if (allowed) expect(result.errors).toBeUndefined();
    else expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('queries need the read permission: a user without a role is FORBIDDEN', async () => {
    services.planning.on('listProtectionGroups', () => []);
    for (const query of ['{ me { id } }', '{ protectionGroups { items { id } } }', '{ executions { items { id } } }', '{ execution(id: "x") { id } }']) {
      const result = await run(query, callerWith());
      expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(services.planning.calls).toHaveLength(0);
  });

  it('no caller at all is UNAUTHENTICATED', async () => {
    const result = await run('{ me { id } }', undefined);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('errors', () => {
  it('BAD_USER_INPUT from a service keeps its message, field and problems', async () => {
    services.planning.on('createProtectionGroup', () => {
      throw new ValidationError([
        { field: 'sourceServerIds[0]', message: 'already belongs to protection group pg-9' },
        { field: 'name', message: 'must not be empty' },
      ]);
    });
    const result = await run('mutation { createProtectionGroup(input: { name: "", accountId: "123456789012", region: "us-east-1", sourceServerIds: ["s-1"] }) { id } }', callerWith('PlanAuthor'));
    expect(result.errors).toEqual([
      {
        message: 'sourceServerIds[0]: already belongs to protection group pg-9; name: must not be empty',
        locations: [{ line: 1, column: 12 }],
        path: ['createProtectionGroup'],
        extensions: {
          code: 'BAD_USER_INPUT',
          field: 'sourceServerIds[0]',
          problems: [
            { field: 'sourceServerIds[0]', message: 'already belongs to protection group pg-9' },
            { field: 'name', message: 'must not be empty' },
          ],
        },
      },
    ]);
  });

  it.each([
    ['CONFLICT', new ConflictError('plan changed meanwhile')],
    ['QUOTA_EXCEEDED', new QuotaExceededError('500 servers in active jobs')],
    ['NOT_FOUND', new NotFoundError('no such plan', 'planId')],
  ])('%s keeps its code and message', async (code, error) => {
    services.execution.on('startExecution', () => {
      throw error;
    });
    const result = await run('mutation { startExecution(input: { planId: "plan-1", mode: DRILL }) { id } }', callerWith('Operator'));
    expect(result.errors?.[0]).toMatchObject({ message: error.message, extensions: { code } });
  });

  it('anything else is INTERNAL with a generic message, logged on the server only', async () => {
    const secret = new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
    services.planning.on('listRecoveryPlans', () => {
      throw secret;
    });
    const result = await run('{ recoveryPlans { items { id } } }', viewer);
    expect(result.errors).toEqual([{ message: 'Internal server error', locations: [{ line: 1, column: 3 }], path: ['recoveryPlans'], extensions: { code: 'INTERNAL' } }]);
    expect(JSON.stringify(result)).not.toContain('hunter2');
    expect(logged).toEqual([secret]);
  });

  it('a view the schema cannot represent is INTERNAL too', async () => {
    services.execution.on('getExecution', () => executionView({ status: 'EXPLODED' as never }));
    const result = await run('{ execution(id: "exec-1") { status } }', viewer);
    expect(result.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL' } });
  });

  it('request errors keep their code: validation of the document, variables', async () => {
    const invalid = await run('{ nope }', viewer);
    expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const badVariable = await run('query($id: ID!) { execution(id: $id) { id } }', viewer, {});
    expect(badVariable.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
