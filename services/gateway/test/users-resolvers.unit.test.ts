/** The users and roles part of the schema: who may call what, what reaches the directory, what the client sees. */
import { describe, expect, it } from '@jest/globals';
import type { GraphQLFormattedError } from 'graphql';
import type { Caller } from '@lifeboat/service-api';
import { ConflictError, ValidationError } from '@lifeboat/service-api';
import type { GatewayContext } from '../src/context.js';
import { createGatewaySchema } from '../src/schema.js';
import { createGatewayServer } from '../src/server.js';
import type { DirectoryCaller, NewUser, UserAccount, UserDirectory } from '../src/users/directory.js';
import { callerWith, fakeServices } from './fixtures.js';

const admin = callerWith('Admin');
const CREATED_AT = '2025-03-01T10:00:00.000Z';

/** A directory that records each call and answers from a small list. */
class RecordingDirectory implements UserDirectory {
  readonly calls: { method: string; args: unknown[] }[] = [];
  failWith: Error | undefined;
  accounts: UserAccount[] = [
    { username: 'admin', roles: ['Admin'], createdAt: CREATED_AT },
    { username: 'olga', roles: ['Operator'], createdAt: CREATED_AT },
  ];

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failWith) throw this.failWith;
  }

  private account(username: string): UserAccount {
    return this.accounts.find((a) => a.username === username) ?? { username, roles: [], createdAt: CREATED_AT };
  }

  async listUsers(): Promise<UserAccount[]> {
    this.record('listUsers');
    return this.accounts;
  }
  async createUser(input: NewUser): Promise<UserAccount> {
    this.record('createUser', input);
    return { username: input.username, roles: [...input.roles] as UserAccount['roles'], createdAt: CREATED_AT };
  }
  async setUserRoles(username: string, roles: readonly string[]): Promise<UserAccount> {
    this.record('setUserRoles', username, roles);
    return { ...this.account(username), roles: [...roles] as UserAccount['roles'] };
  }
  async setUserPassword(username: string, password: string): Promise<UserAccount> {
    this.record('setUserPassword', username, password);
    return this.account(username);
  }
  async deleteUser(username: string, caller: DirectoryCaller): Promise<{ username: string }> {
    this.record('deleteUser', username, caller);
    return { username };
  }
  async changePassword(username: string, currentPassword: string, newPassword: string): Promise<UserAccount> {
    this.record('changePassword', username, currentPassword, newPassword);
    return this.account(username);
  }
}

interface Result {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

/** The gateway over fake services and `directory` (null: none wired). */
function harness(directory: UserDirectory | null) {
  const logged: unknown[] = [];
  const services = { ...fakeServices(), ...(directory ? { users: directory } : {}) };
  const server = createGatewayServer(createGatewaySchema(services), { log: (_message, error) => logged.push(error) });
  const run = async (query: string, caller: Caller | undefined, variables?: Record<string, unknown>): Promise<Result> => {
    const response = await server.executeOperation({ query, ...(variables ? { variables } : {}) }, { contextValue: { caller } as GatewayContext });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult as Result;
  };
  return { run, logged };
}

const ADMIN_OPERATIONS: [string, string][] = [
  ['users', '{ users { username } }'],
  ['createUser', 'mutation { createUser(input: { username: "bob", password: "a-long-password", roles: [Viewer] }) { username } }'],
  ['setUserRoles', 'mutation { setUserRoles(username: "olga", roles: [Admin]) { username } }'],
  ['setUserPassword', 'mutation { setUserPassword(username: "olga", password: "a-long-password") { username } }'],
  ['deleteUser', 'mutation { deleteUser(username: "olga") { username } }'],
];

describe('an Admin manages users', () => {
  it('lists them, by name with roles and creation time', async () => {
    const directory = new RecordingDirectory();
    const result = await harness(directory).run('{ users { username roles createdAt } }', admin);
    expect(result).toEqual({
      data: {
        users: [
          { username: 'admin', roles: ['Admin'], createdAt: CREATED_AT },
          { username: 'olga', roles: ['Operator'], createdAt: CREATED_AT },
        ],
      },
    });
  });

  it('creates one: the input reaches the directory, the password never comes back', async () => {
    const directory = new RecordingDirectory();
    const result = await harness(directory).run(
      'mutation Create($input: CreateUserInput!) { createUser(input: $input) { username roles createdAt } }',
      admin,
      { input: { username: 'bob', password: 'a-long-password', roles: ['Operator', 'PlanAuthor'] } },
    );
    expect(result).toEqual({ data: { createUser: { username: 'bob', roles: ['Operator', 'PlanAuthor'], createdAt: CREATED_AT } } });
    expect(directory.calls).toEqual([{ method: 'createUser', args: [{ username: 'bob', password: 'a-long-password', roles: ['Operator', 'PlanAuthor'] }] }]);
    expect(JSON.stringify(result)).not.toContain('a-long-password');
  });

  it('changes roles, resets a password and deletes, as the caller', async () => {
    const directory = new RecordingDirectory();
    const { run } = harness(directory);
    expect((await run('mutation { setUserRoles(username: "olga", roles: [Operator, RecoveryManager]) { username roles } }', admin)).data).toEqual({
      setUserRoles: { username: 'olga', roles: ['Operator', 'RecoveryManager'] },
    });
    expect((await run('mutation { setUserPassword(username: "olga", password: "reset-password-1") { username } }', admin)).data).toEqual({ setUserPassword: { username: 'olga' } });
    expect((await run('mutation { deleteUser(username: "olga") { username } }', admin)).data).toEqual({ deleteUser: { username: 'olga' } });
    expect(directory.calls).toEqual([
      { method: 'setUserRoles', args: ['olga', ['Operator', 'RecoveryManager']] },
      { method: 'setUserPassword', args: ['olga', 'reset-password-1'] },
      { method: 'deleteUser', args: ['olga', admin] },
    ]);
  });

  it("answers the directory's typed errors with their code and field", async () => {
    const directory = new RecordingDirectory();
    const { run } = harness(directory);
    directory.failWith = new ConflictError('admin is the last Admin: give another user the Admin role first', 'roles');
    expect((await run('mutation { setUserRoles(username: "admin", roles: [Viewer]) { username } }', admin)).errors?.[0]).toMatchObject({
      message: 'admin is the last Admin: give another user the Admin role first',
      extensions: { code: 'CONFLICT', field: 'roles' },
    });
    directory.failWith = new ValidationError([{ field: 'password', message: 'must have at least 12 characters' }]);
    expect((await run('mutation { createUser(input: { username: "bob", password: "short", roles: [] }) { username } }', admin)).errors?.[0]).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'password', problems: [{ field: 'password', message: 'must have at least 12 characters' }] },
    });
  });

  it('an unknown role is refused by the schema before the directory is asked', async () => {
    const directory = new RecordingDirectory();
    const result = await harness(directory).run('mutation { setUserRoles(username: "olga", roles: [Root]) { username } }', admin);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(directory.calls).toHaveLength(0);
  });
});

describe('anyone else', () => {
  it.each(['Viewer', 'Operator', 'PlanAuthor', 'RecoveryManager'])('a %s is FORBIDDEN every admin operation, and the directory is not called', async (role) => {
    const directory = new RecordingDirectory();
    const { run } = harness(directory);
    for (const [operation, query] of ADMIN_OPERATIONS) {
      const result = await run(query, callerWith(role));
      expect(result.errors?.[0]).toMatchObject({ message: `${operation} needs the admin permission`, extensions: { code: 'FORBIDDEN' } });
    }
    expect(directory.calls).toHaveLength(0);
  });

  it('without a token, UNAUTHENTICATED, even for changePassword', async () => {
    const directory = new RecordingDirectory();
    const { run } = harness(directory);
    const result = await run('mutation { changePassword(currentPassword: "old-password-1", newPassword: "new-password-12") { username } }', undefined);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(directory.calls).toHaveLength(0);
  });
});

describe('changePassword', () => {
  it.each([
    ['a Viewer', callerWith('Viewer')],
    ['a user with no role', callerWith()],
  ])('%s changes their own password', async (_who, caller) => {
    const directory = new RecordingDirectory();
    const result = await harness(directory).run('mutation { changePassword(currentPassword: "old-password-1", newPassword: "new-password-12") { username roles } }', caller);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ changePassword: { username: caller.username, roles: [] } });
    expect(directory.calls).toEqual([{ method: 'changePassword', args: [caller.username, 'old-password-1', 'new-password-12'] }]);
  });

  it('a wrong current password is BAD_USER_INPUT at currentPassword', async () => {
    const directory = new RecordingDirectory();
    directory.failWith = new ValidationError([{ field: 'currentPassword', message: 'is not your current password' }]);
    const result = await harness(directory).run('mutation { changePassword(currentPassword: "guess", newPassword: "new-password-12") { username } }', callerWith('Viewer'));
    expect(result.errors?.[0]).toMatchObject({ message: 'currentPassword: is not your current password', extensions: { code: 'BAD_USER_INPUT', field: 'currentPassword' } });
  });
});

describe('a gateway without a user directory', () => {
  it('fails the fields clearly: logged, INTERNAL to the client, and still FORBIDDEN to non-Admins', async () => {
    const { run, logged } = harness(null);
    const result = await run('{ users { username } }', admin);
    expect(result.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL' } });
    expect(String(logged[0])).toContain('User management is not configured in this gateway');
    expect((await run('{ users { username } }', callerWith('Viewer'))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
