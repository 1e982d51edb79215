/**
 * Users and roles through the local stack, as clients: an Admin manages users over GraphQL, each
 * signs in through the local identity provider, and what each role may do is enforced over HTTP
 * and over graphql-ws (approvalsPending is the approver's inbox: a Viewer may not subscribe).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { eventually, graphql, login, startStackProcess, type GraphQLResult, type RunningStack } from '../support/local-stack-process.js';

const ADMIN_PASSWORD = 'scenario-admin-password';
const VIEWER_PASSWORD = 'viewer-password-1';
const OPERATOR_PASSWORD = 'operator-password-1';

jest.setTimeout(120_000);

interface PendingApproval {
  executionId: string;
  planName: string;
  approval: { id: string; prompt: string; status: string };
}

/** Pushes of one subscription, kept in order, with the error that ended it if any. */
function subscribe<T>(client: Client, query: string): { pushes: T[]; error: () => unknown; dispose: () => void } {
  const pushes: T[] = [];
  let failure: unknown;
  const dispose = client.subscribe<T>(
    { query },
    {
      next: (message) => {
        if (message.errors) failure = message.errors;
        else if (message.data) pushes.push(message.data);
      },
      error: (error) => (failure = error),
      complete: () => undefined,
    },
  );
  return { pushes, error: () => failure, dispose };
}

const codeOf = (result: GraphQLResult<unknown>): string | undefined => result.errors?.[0]?.extensions?.code;

describe('users and roles through the local stack', () => {
  let stack: RunningStack;
  let admin: string;
  const clients: Client[] = [];

  const wsClient = (token: string): Client => {
    const client = createClient({ url: `${stack.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    stack = await startStackProcess({ adminPassword: ADMIN_PASSWORD });
    admin = await login(stack.url, 'admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await stack?.stop();
  });

  it('an Admin creates a Viewer and an Operator, who sign in with their own roles; bad input changes nothing', async () => {
    const create = 'mutation($input: CreateUserInput!) { createUser(input: $input) { username roles createdAt } }';
    const viewer = await graphql<{ createUser: { username: string; roles: string[] } }>(stack.url, admin, create, { input: { username: 'vera', password: VIEWER_PASSWORD, roles: ['Viewer'] } });
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data?.createUser).toMatchObject({ username: 'vera', roles: ['Viewer'] });
    expect((await graphql(stack.url, admin, create, { input: { username: 'otto', password: OPERATOR_PASSWORD, roles: ['Operator'] } })).errors).toBeUndefined();

    const tooShort = await graphql(stack.url, admin, create, { input: { username: 'shorty', password: 'short', roles: [] } });
    expect(tooShort.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    const taken = await graphql(stack.url, admin, create, { input: { username: 'vera', password: VIEWER_PASSWORD, roles: [] } });
    expect(codeOf(taken)).toBe('CONFLICT');

    const users = await graphql<{ users: { username: string; roles: string[] }[] }>(stack.url, admin, '{ users { username roles } }');
    expect(users.data?.users).toEqual([
      { username: 'admin', roles: ['Admin'] },
      { username: 'otto', roles: ['Operator'] },
      { username: 'vera', roles: ['Viewer'] },
    ]);

    const vera = await login(stack.url, 'vera', VIEWER_PASSWORD);
    const me = await graphql<{ me: { username: string; roles: string[] } }>(stack.url, vera, '{ me { username roles } }');
    expect(me.data?.me).toEqual({ username: 'vera', roles: ['Viewer'] });
  });

  it('a Viewer reads everything and changes nothing: FORBIDDEN for writes, runs, users and the approvals inbox', async () => {
    const vera = await login(stack.url, 'vera', VIEWER_PASSWORD);
    const plans = await graphql<{ recoveryPlans: { items: { id: string; name: string }[] } }>(stack.url, vera, '{ recoveryPlans { items { id name } } }');
    expect(plans.errors).toBeUndefined();
    const planId = plans.data?.recoveryPlans.items.find((p) => p.name === 'Orders 3-tier')?.id;
    expect(planId).toBeDefined();

    const start = await graphql(stack.url, vera, 'mutation($input: StartExecutionInput!) { startExecution(input: $input) { id } }', { input: { planId, mode: 'DRILL' } });
    expect(codeOf(start)).toBe('FORBIDDEN');
    const group = await graphql(stack.url, vera, 'mutation { createProtectionGroup(input: { name: "X", accountId: "123456789012", region: "us-east-1", sourceServerIds: [] }) { id } }');
    expect(codeOf(group)).toBe('FORBIDDEN');
    expect(codeOf(await graphql(stack.url, vera, '{ users { username } }'))).toBe('FORBIDDEN');
    const executions = await graphql<{ executions: { items: unknown[] } }>(stack.url, vera, '{ executions { items { id } } }');
    expect(executions.data?.executions.items).toEqual([]);

    const inbox = subscribe<{ approvalsPending: PendingApproval[] }>(wsClient(vera), 'subscription { approvalsPending { executionId } }');
    const refusal = await eventually(async () => inbox.error(), 10_000, 'the subscription refused');
    expect(JSON.stringify(refusal)).toContain('FORBIDDEN');
    expect(inbox.pushes).toEqual([]);
  });

  it('an Operator sees an approval arrive in approvalsPending live, approves it, and the inbox empties; a RECOVERY stays out of reach', async () => {
    const otto = await login(stack.url, 'otto', OPERATOR_PASSWORD);
    const groups = await graphql<{ protectionGroups: { items: { id: string; name: string }[] } }>(stack.url, admin, '{ protectionGroups { items { id name } } }');
    const groupId = (name: string): string => groups.data?.protectionGroups.items.find((g) => g.name === name)?.id ?? '';
    const created = await graphql<{ createRecoveryPlan: { id: string } }>(stack.url, admin, 'mutation($input: CreateRecoveryPlanInput!) { createRecoveryPlan(input: $input) { id } }', {
      input: {
        name: 'Approve before App',
        waves: [
          { name: 'Database', protectionGroupIds: [groupId('Database')] },
          { name: 'App', dependsOn: ['Database'], protectionGroupIds: [groupId('App')], preSteps: [{ type: 'APPROVAL', name: 'Go for App', prompt: 'Is the database healthy?' }] },
        ],
      },
    });
    expect(created.errors).toBeUndefined();
    const planId = created.data?.createRecoveryPlan.id;

    // Subscribed before anything is pending: the empty list comes at once.
    const inbox = subscribe<{ approvalsPending: PendingApproval[] }>(wsClient(otto), 'subscription { approvalsPending { executionId planName approval { id prompt status } } }');
    await eventually(async () => (inbox.pushes.length > 0 ? true : undefined), 10_000, 'the first list');
    expect(inbox.pushes[0]?.approvalsPending).toEqual([]);

    const recovery = await graphql(stack.url, otto, 'mutation($input: StartExecutionInput!) { startExecution(input: $input) { id } }', { input: { planId, mode: 'RECOVERY', confirmation: 'Approve before App' } });
    expect(codeOf(recovery)).toBe('FORBIDDEN');

    const started = await graphql<{ startExecution: { id: string } }>(stack.url, otto, 'mutation($input: StartExecutionInput!) { startExecution(input: $input) { id } }', { input: { planId, mode: 'DRILL' } });
    expect(started.errors).toBeUndefined();
    const executionId = started.data?.startExecution.id;

    const pending = await eventually(async () => inbox.pushes.find((p) => p.approvalsPending.length > 0), 60_000, 'the approval pushed');
    expect(pending.approvalsPending).toEqual([{ executionId, planName: 'Approve before App', approval: { id: expect.any(String), prompt: 'Is the database healthy?', status: 'PENDING' } }]);
    const query = await graphql<{ pendingApprovals: { approval: { id: string } }[] }>(stack.url, otto, '{ pendingApprovals { approval { id } } }');
    expect(query.data?.pendingApprovals.map((p) => p.approval.id)).toEqual([pending.approvalsPending[0]?.approval.id]);

    const approved = await graphql(stack.url, otto, 'mutation($e: ID!, $a: ID!) { approveStep(executionId: $e, approvalId: $a, comment: "healthy") { id } }', { e: executionId, a: pending.approvalsPending[0]?.approval.id });
    expect(approved.errors).toBeUndefined();
    await eventually(async () => (inbox.pushes.at(-1)?.approvalsPending.length === 0 ? true : undefined), 30_000, 'the inbox emptied');
    expect(inbox.error()).toBeUndefined();

    const finished = await eventually(async () => {
      const detail = await graphql<{ execution: { status: string } }>(stack.url, otto, 'query($id: ID!) { execution(id: $id) { status } }', { id: executionId });
      return detail.data?.execution.status === 'COMPLETED' ? detail.data.execution : undefined;
    }, 90_000, 'the drill completed');
    expect(finished.status).toBe('COMPLETED');
    inbox.dispose();
  });

  it('a role change applies from the next sign-in; a deleted user can no longer sign in; the last Admin stays', async () => {
    const before = await login(stack.url, 'vera', VIEWER_PASSWORD);
    const changed = await graphql<{ setUserRoles: { roles: string[] } }>(stack.url, admin, 'mutation { setUserRoles(username: "vera", roles: [PlanAuthor]) { roles } }');
    expect(changed.data?.setUserRoles.roles).toEqual(['PlanAuthor']);
    const group = 'mutation { createProtectionGroup(input: { name: "Vera", accountId: "123456789012", region: "us-east-1", sourceServerIds: [] }) { id } }';
    expect(codeOf(await graphql(stack.url, before, group))).toBe('FORBIDDEN');
    const after = await login(stack.url, 'vera', VIEWER_PASSWORD);
    expect(codeOf(await graphql(stack.url, after, group))).not.toBe('FORBIDDEN');

    expect(codeOf(await graphql(stack.url, admin, 'mutation { setUserRoles(username: "admin", roles: [Viewer]) { roles } }'))).toBe('CONFLICT');
    expect((await graphql(stack.url, admin, 'mutation { deleteUser(username: "vera") { username } }')).errors).toBeUndefined();
    await expect(login(stack.url, 'vera', VIEWER_PASSWORD)).rejects.toThrow(/401/);
  });
});
