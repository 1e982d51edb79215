/**
 * The role matrix (test/support/role-matrix.ts) checked in the gateway: every field of the
 * Mutation and Subscription types of the built schema × every role, a signed-in user without a
 * role, and no caller at all. Allowed: the resolver reaches the (fake) service and answers, on
 * behalf of the caller. Not allowed: FORBIDDEN, naming the permission, and no service was asked
 * for anything (the mode-dependent mutations may read the execution's mode first, nothing more).
 * No caller: UNAUTHENTICATED and no call. A field without a row fails, so none escapes the matrix.
 *
 * The services check again (services/<service>/test/role-matrix.*.test.ts); the typed
 * confirmation of a RECOVERY and the second approver are checked by the execution service only:
 * the gateway passes them on (last describe).
 */
import { describe, expect, it } from '@jest/globals';
import { parse, subscribe } from 'graphql';
import type { ExecutionResult, GraphQLSchema } from 'graphql';
import type { Caller, ExecutionMode, NotificationChannelView, NotificationDeliveryView } from '@lifeboat/service-api';
import { ForbiddenError, LifeboatError, ValidationError } from '@lifeboat/service-api';
import { MUTATION_MATRIX, SUBSCRIPTION_MATRIX, casesOf, namesThePermission, rowsOf } from '../../../test/support/role-matrix.js';
import type { MatrixMode, MatrixRole, MatrixRow, MatrixTable } from '../../../test/support/role-matrix.js';
import type { GatewayContext } from '../src/context.js';
import { createGatewaySchema } from '../src/schema.js';
import { createGatewayServer } from '../src/server.js';
import type { ServiceClient } from '../src/services.js';
import { ExecutionEventBroker } from '../src/subscriptions/broker.js';
import type { UserAccount, UserDirectory } from '../src/users/directory.js';
import { callerWith, executionView, fullProtectionGroupView, savedRecoveryPlanView, targetAccountView, within } from './fixtures.js';
import type { OperationResult } from './fixtures.js';

type ServiceName = 'catalog' | 'planning' | 'execution' | 'notification' | 'users';

interface Call {
  service: ServiceName;
  operation: string;
  /** Undefined for the user directory, whose methods are not called on behalf of a caller. */
  caller?: Caller;
}

/** The reads a mode-dependent mutation makes before its permission check (the execution's mode). */
const MODE_READS = ['getExecution'];

const channel: NotificationChannelView = { channelId: 'ch-1', name: 'On-call', type: 'EMAIL', address: 'dr@example.com', hasSecret: false, createdAt: '2025-03-01T10:00:00.000Z', updatedAt: '2025-03-01T10:00:00.000Z' };
const delivery: NotificationDeliveryView = {
  deliveryId: 'evt-1.ch-1',
  messageId: 'evt-1',
  channelId: 'ch-1',
  channelType: 'EMAIL',
  eventType: 'WaveFailed',
  subject: 'wave failed',
  status: 'PENDING',
  attempts: 0,
  maxAttempts: 5,
  createdAt: '2025-03-01T10:00:00.000Z',
  updatedAt: '2025-03-01T10:05:00.000Z',
};
const user: UserAccount = { username: 'zoe', roles: ['Viewer'], createdAt: '2025-03-01T10:00:00.000Z' };

/** How the gateway is asked for a field, and what the fake service answers its operation. */
interface FieldCall {
  document: (mode: MatrixMode) => string;
  answer: unknown;
}

const PLAN = 'name: "P", waves: [{ name: "A", protectionGroupIds: ["pg-1"] }]';
const GROUP = 'name: "G", accountId: "123456789012", region: "us-east-1", sourceServerIds: ["s-0000000000000000a"]';
const PASSWORD = 'correct horse battery staple';
const fixed = (document: string) => () => document;

const MUTATIONS: Record<string, FieldCall> = {
  syncSourceServers: { document: fixed('mutation { syncSourceServers { discovered } }'), answer: { discovered: 0, changed: 0, removed: 0 } },
  addTargetAccount: { document: fixed('mutation { addTargetAccount(input: { accountId: "111122223333", regions: ["us-east-1"], roleArn: "arn:aws:iam::111122223333:role/R" }) { accountId } }'), answer: targetAccountView },
  updateTargetAccount: { document: fixed('mutation { updateTargetAccount(input: { accountId: "111122223333", regions: ["us-east-1"] }) { accountId } }'), answer: targetAccountView },
  removeTargetAccount: { document: fixed('mutation { removeTargetAccount(accountId: "111122223333") { accountId } }'), answer: { accountId: '111122223333', removedServers: 0 } },
  createProtectionGroup: { document: fixed(`mutation { createProtectionGroup(input: { ${GROUP} }) { id } }`), answer: fullProtectionGroupView },
  updateProtectionGroup: { document: fixed(`mutation { updateProtectionGroup(input: { id: "pg-1", ${GROUP} }) { id } }`), answer: fullProtectionGroupView },
  deleteProtectionGroup: { document: fixed('mutation { deleteProtectionGroup(id: "pg-1") { id } }'), answer: { protectionGroupId: 'pg-1' } },
  createRecoveryPlan: { document: fixed(`mutation { createRecoveryPlan(input: { ${PLAN} }) { id } }`), answer: savedRecoveryPlanView() },
  updateRecoveryPlan: { document: fixed(`mutation { updateRecoveryPlan(input: { id: "plan-1", ${PLAN} }) { id } }`), answer: savedRecoveryPlanView() },
  deleteRecoveryPlan: { document: fixed('mutation { deleteRecoveryPlan(id: "plan-1") { id } }'), answer: { planId: 'plan-1', version: 3 } },
  importSrmPriorities: { document: fixed('mutation { importSrmPriorities(input: { name: "S", dryRun: true, priorities: [{ priority: 1, protectionGroupIds: ["pg-1"] }] }) { findings { code } } }'), answer: { definition: { name: 'S', waves: [] }, findings: [] } },
  importConfiguration: { document: fixed('mutation { importConfiguration(input: { content: "x", dryRun: true }) { dryRun } }'), answer: { dryRun: true, documents: [], findings: [] } },
  startExecution: { document: (mode) => `mutation { startExecution(input: { planId: "plan-1", mode: ${mode}, confirmation: "Shop" }) { id mode } }`, answer: undefined },
  pauseExecution: { document: fixed('mutation { pauseExecution(id: "exec-1", beforeWaveId: "w-app") { id } }'), answer: undefined },
  resumeExecution: { document: fixed('mutation { resumeExecution(id: "exec-1") { id } }'), answer: undefined },
  cancelExecution: { document: fixed('mutation { cancelExecution(id: "exec-1", reason: "wrong plan") { id } }'), answer: undefined },
  approveStep: { document: fixed('mutation { approveStep(executionId: "exec-1", approvalId: "a-1", comment: "go") { id } }'), answer: undefined },
  rejectStep: { document: fixed('mutation { rejectStep(executionId: "exec-1", approvalId: "a-1") { id } }'), answer: undefined },
  retryFailedServers: { document: fixed('mutation { retryFailedServers(id: "exec-1") { id } }'), answer: undefined },
  cleanupDrill: { document: fixed('mutation { cleanupDrill(id: "exec-1") { id } }'), answer: undefined },
  createNotificationChannel: { document: fixed('mutation { createNotificationChannel(input: { name: "On-call", type: EMAIL, address: "dr@example.com" }) { id } }'), answer: channel },
  updateNotificationChannel: { document: fixed('mutation { updateNotificationChannel(input: { id: "ch-1", name: "Pager" }) { id } }'), answer: channel },
  deleteNotificationChannel: { document: fixed('mutation { deleteNotificationChannel(id: "ch-1") { id } }'), answer: { channelId: 'ch-1' } },
  testNotificationChannel: { document: fixed('mutation { testNotificationChannel(id: "ch-1") { id } }'), answer: delivery },
  setNotificationSubscription: { document: fixed('mutation { setNotificationSubscription(input: { planId: "plan-1", channelId: "ch-1", events: [FAILED] }) { planId } }'), answer: { planId: 'plan-1', channelId: 'ch-1', events: ['FAILED'], updatedAt: '2025-03-01T10:00:00.000Z' } },
  removeNotificationSubscription: { document: fixed('mutation { removeNotificationSubscription(planId: "plan-1", channelId: "ch-1") { planId } }'), answer: { planId: 'plan-1', channelId: 'ch-1' } },
  retryNotificationDelivery: { document: fixed('mutation { retryNotificationDelivery(id: "evt-1.ch-1") { id } }'), answer: delivery },
  createUser: { document: fixed(`mutation { createUser(input: { username: "zoe", password: "${PASSWORD}", roles: [Viewer] }) { username } }`), answer: user },
  setUserRoles: { document: fixed('mutation { setUserRoles(username: "zoe", roles: [Operator]) { username } }'), answer: user },
  setUserPassword: { document: fixed(`mutation { setUserPassword(username: "zoe", password: "${PASSWORD}") { username } }`), answer: user },
  deleteUser: { document: fixed('mutation { deleteUser(username: "zoe") { username } }'), answer: { username: 'zoe' } },
  changePassword: { document: fixed(`mutation { changePassword(currentPassword: "${PASSWORD}", newPassword: "${PASSWORD} 2") { username } }`), answer: user },
};

const SUBSCRIPTIONS: Record<string, string> = {
  executionUpdated: 'subscription { executionUpdated(id: "exec-1") { id } }',
  executionEvents: 'subscription { executionEvents(id: "exec-1") { streamVersion } }',
  executions: 'subscription { executions(filter: { mode: DRILL }) { id } }',
  inventoryChanged: 'subscription { inventoryChanged(filter: { region: "us-east-1" }) { sourceServerId } }',
  approvalsPending: 'subscription { approvalsPending { executionId } }',
};

/**
 * The gateway over services and a user directory that answer every operation, recording each
 * call: the execution of the current mode for the execution reads, the current answer for the
 * others (the execution, when none). One schema for every test (building it is the slow part):
 * `given` sets what the next test's fakes answer and forgets earlier calls.
 */
function fakeGateway() {
  const calls: Call[] = [];
  const logged: unknown[] = [];
  let current: { mode: ExecutionMode; answer: unknown } = { mode: 'DRILL', answer: undefined };
  const answerOf = (operation: string): unknown => {
    const view = executionView({ mode: current.mode });
    if (operation === 'getExecution') return view;
    if (operation === 'listExecutions') return { items: [], nextToken: null };
    if (operation === 'getExecutionEvents') return [];
    return current.answer ?? view;
  };
  const service = (name: ServiceName): ServiceClient => ({
    call: async <T>(operation: string, _input: unknown, caller: Caller): Promise<T> => {
      calls.push({ service: name, operation, caller });
      return answerOf(operation) as T;
    },
  });
  const directory = (operation: keyof UserDirectory) => async (): Promise<never> => {
    calls.push({ service: 'users', operation });
    return current.answer as never;
  };
  const users: UserDirectory = {
    listUsers: directory('listUsers'),
    createUser: directory('createUser'),
    setUserRoles: directory('setUserRoles'),
    setUserPassword: directory('setUserPassword'),
    deleteUser: directory('deleteUser'),
    changePassword: directory('changePassword'),
  };
  const broker = new ExecutionEventBroker();
  const schema = createGatewaySchema({ catalog: service('catalog'), planning: service('planning'), execution: service('execution'), notification: service('notification'), users }, { broker });
  const server = createGatewayServer(schema, { log: (_message, error) => logged.push(error) });
  const run = async (query: string, caller: Caller | undefined): Promise<OperationResult> => {
    const response = await server.executeOperation({ query }, { contextValue: { caller } as GatewayContext });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult as OperationResult;
  };
  const given = (mode: ExecutionMode, answer: unknown) => {
    current = { mode, answer };
    calls.length = 0;
    logged.length = 0;
    return { calls, schema, broker, logged, run };
  };
  return { schema, given };
}

const gateway = fakeGateway();

async function subscribeTo(schema: GraphQLSchema, document: string, caller: Caller | undefined): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
  return (await subscribe({ schema, document: parse(document), contextValue: { caller } })) as AsyncGenerator<ExecutionResult> | ExecutionResult;
}

const isIterator = (result: AsyncGenerator<ExecutionResult> | ExecutionResult): result is AsyncGenerator<ExecutionResult> => Symbol.asyncIterator in result;

/** The code of a subscription's error (the service-api error it carries). */
function codeOf(result: ExecutionResult): string | undefined {
  const original = result.errors?.[0]?.originalError;
  return original instanceof LifeboatError ? original.code : undefined;
}

const titled = (table: MatrixTable) => casesOf(table).map((c) => [c.title, c] as const);
const modeOf = (row: MatrixRow): ExecutionMode => row.mode ?? 'DRILL';

describe('every field of Mutation and Subscription has a row in the role matrix', () => {
  const { schema } = gateway;

  it.each([
    ['Mutation', MUTATION_MATRIX, Object.keys(schema.getMutationType()?.getFields() ?? {})],
    ['Subscription', SUBSCRIPTION_MATRIX, Object.keys(schema.getSubscriptionType()?.getFields() ?? {})],
  ] as const)('%s', (_type, table, fields) => {
    expect(fields.length).toBeGreaterThan(0);
    expect(Object.keys(table).sort()).toEqual([...fields].sort());
  });

  it('and a document in this test', () => {
    expect(Object.keys(MUTATIONS).sort()).toEqual(Object.keys(MUTATION_MATRIX).sort());
    expect(Object.keys(SUBSCRIPTIONS).sort()).toEqual(Object.keys(SUBSCRIPTION_MATRIX).sort());
  });
});

describe('mutations × roles, checked in the gateway', () => {
  it.each(titled(MUTATION_MATRIX))('%s', async (_title, { row, roles, allowed }) => {
    const field = MUTATIONS[row.name] as FieldCall;
    const { calls, run, logged } = gateway.given(modeOf(row), field.answer);
    const caller = callerWith(...roles);
    const result = await run(field.document(modeOf(row)), caller);
    const asked = calls.filter((c) => !MODE_READS.includes(c.operation));
    if (allowed) {
      expect({ errors: result.errors, logged }).toEqual({ errors: undefined, logged: [] });
      expect(result.data?.[row.name]).toEqual(expect.anything());
      // Each mutation is the service operation (or user directory method) of the same name.
      expect(asked.map((c) => c.operation)).toEqual([row.name]);
      for (const call of calls) if (call.service !== 'users') expect(call.caller).toEqual(caller);
    } else {
      expect(result.data).toBeNull();
      const [error] = result.errors ?? [];
      expect(error?.extensions?.code).toBe('FORBIDDEN');
      expect({ message: error?.message, namesThePermission: namesThePermission(error?.message ?? '', MUTATION_MATRIX, row, roles as MatrixRole[]) }).toEqual({ message: error?.message, namesThePermission: true });
      expect(asked).toEqual([]);
    }
  });

  it.each(rowsOf(MUTATION_MATRIX).filter((r) => r.mode !== 'RECOVERY').map((r) => [r.name, r] as const))('%s without a caller: UNAUTHENTICATED, no call', async (_name, row) => {
    const field = MUTATIONS[row.name] as FieldCall;
    const { calls, run } = gateway.given(modeOf(row), field.answer);
    const result = await run(field.document(modeOf(row)), undefined);
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    expect(calls).toEqual([]);
  });
});

describe('subscriptions × roles, checked in the gateway', () => {
  it.each(titled(SUBSCRIPTION_MATRIX))('%s', async (_title, { row, roles, allowed }) => {
    const { calls, schema, broker } = gateway.given(modeOf(row), undefined);
    const caller = callerWith(...roles);
    const result = await subscribeTo(schema, SUBSCRIPTIONS[row.name] as string, caller);
    if (allowed) {
      if (!isIterator(result)) throw new Error(`not subscribed: ${JSON.stringify(result.errors)}`);
      expect(broker.subscriberCount()).toBe(1);
      for (const call of calls) expect(call.caller).toEqual(caller);
      await within(`closing ${row.name}`, result.return(undefined));
      expect(broker.subscriberCount()).toBe(0);
    } else {
      if (isIterator(result)) throw new Error(`${row.name} subscribed a caller with roles [${roles.join(', ')}]`);
      expect(codeOf(result)).toBe('FORBIDDEN');
      expect(result.errors?.[0]?.originalError).toBeInstanceOf(ForbiddenError);
      expect(namesThePermission(result.errors?.[0]?.message ?? '', SUBSCRIPTION_MATRIX, row, roles as MatrixRole[])).toBe(true);
      expect(calls).toEqual([]);
      expect(broker.subscriberCount()).toBe(0);
    }
  });

  it.each(Object.keys(SUBSCRIPTION_MATRIX).map((name) => [name]))('%s without a caller: UNAUTHENTICATED, no call, nothing subscribed', async (name) => {
    const { calls, schema, broker } = gateway.given('DRILL', undefined);
    const result = await subscribeTo(schema, SUBSCRIPTIONS[name] as string, undefined);
    if (isIterator(result)) throw new Error(`${name} subscribed without a caller`);
    expect(codeOf(result)).toBe('UNAUTHENTICATED');
    expect(calls).toEqual([]);
    expect(broker.subscriberCount()).toBe(0);
  });
});

describe('the rules of a real RECOVERY are the execution service\'s: the gateway passes them on', () => {
  it('passes the confirmation as typed (or none), and answers the service\'s refusal', async () => {
    const asked: unknown[] = [];
    const schema = createGatewaySchema({
      catalog: { call: () => Promise.reject(new Error('unexpected')) },
      planning: { call: () => Promise.reject(new Error('unexpected')) },
      execution: {
        call: async (operation, input) => {
          asked.push({ operation, input });
          throw new ValidationError([{ field: 'confirmation', message: 'type the plan\'s name "Shop" to confirm a real recovery' }]);
        },
      },
    });
    const server = createGatewayServer(schema);
    for (const confirmation of [', confirmation: "shop"', '']) {
      const result = await server.executeOperation({ query: `mutation { startExecution(input: { planId: "plan-1", mode: RECOVERY${confirmation} }) { id } }` }, { contextValue: { caller: callerWith('RecoveryManager') } as GatewayContext });
      if (result.body.kind !== 'single') throw new Error('expected a single result');
      expect(result.body.singleResult.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'confirmation' });
    }
    expect(asked).toEqual([
      { operation: 'startExecution', input: { planId: 'plan-1', mode: 'RECOVERY', confirmation: 'shop' } },
      { operation: 'startExecution', input: { planId: 'plan-1', mode: 'RECOVERY' } },
    ]);
  });

  it('passes a second approver\'s decision on as the caller; the service refuses its starter (FORBIDDEN)', async () => {
    const starter = callerWith('RecoveryManager');
    const decided: Caller[] = [];
    const schema = createGatewaySchema({
      catalog: { call: () => Promise.reject(new Error('unexpected')) },
      planning: { call: () => Promise.reject(new Error('unexpected')) },
      execution: {
        call: async <T>(operation: string, _input: unknown, caller: Caller): Promise<T> => {
          if (operation === 'getExecution') return executionView({ mode: 'RECOVERY', startedBy: starter.username }) as T;
          decided.push(caller);
          throw new ForbiddenError('The second approver must be another person than the one who started the recovery');
        },
      },
    });
    const result = await createGatewayServer(schema).executeOperation({ query: 'mutation { approveStep(executionId: "exec-1", approvalId: "second-approver") { id } }' }, { contextValue: { caller: starter } as GatewayContext });
    if (result.body.kind !== 'single') throw new Error('expected a single result');
    expect(result.body.singleResult.errors?.[0]).toMatchObject({ message: 'The second approver must be another person than the one who started the recovery', extensions: { code: 'FORBIDDEN' } });
    expect(decided).toEqual([starter]);
  });
});
