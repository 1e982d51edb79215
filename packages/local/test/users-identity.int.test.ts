/**
 * The local identity provider as the user directory: users persisted in users.json (0600) across
 * instances, logins that follow password changes and deletions; and the provider wired into the
 * gateway as the local stack wires it (gatewayIdentityOf): sign in over HTTP, manage users through
 * GraphQL, sign in as the new user.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { startLocalGateway } from '@lifeboat/gateway';
import type { LocalGateway, ServiceClient } from '@lifeboat/gateway';
import { ConflictError, ValidationError } from '@lifeboat/service-api';
import { gatewayIdentityOf } from '../src/identity/gateway.js';
import { LocalIdentityProvider, hashPassword } from '../src/identity/provider.js';

const ISSUER = 'http://localhost/lifeboat-local-idp';
const CLIENT_ID = 'lifeboat-local-web';
const ADMIN_PASSWORD = 'admin-password-1';
const admin = { userId: 'sub-of-admin', username: 'admin' };

let dataDir: string;
const provider = () => new LocalIdentityProvider({ dataDir, issuer: ISSUER, clientId: CLIENT_ID });
const usersFile = () => path.join(dataDir, 'identity', 'users.json');
const groupsIn = (idToken: string | undefined) => decodeJwt(idToken ?? '')['cognito:groups'];

async function started(): Promise<LocalIdentityProvider> {
  const idp = provider();
  await idp.init(ADMIN_PASSWORD);
  return idp;
}

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-identity-'));
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('the local user directory', () => {
  it('given a created user, when a new provider starts on the same data folder, then the user is there and signs in', async () => {
    const first = await started();
    await first.createUser({ username: 'olga', password: 'olga-password-1', roles: ['Operator'] });

    const second = await started();
    expect(await second.listUsers()).toEqual([
      { username: 'admin', roles: ['Admin'], createdAt: expect.any(String) },
      { username: 'olga', roles: ['Operator'], createdAt: expect.any(String) },
    ]);
    expect(groupsIn((await second.login('olga', 'olga-password-1'))?.idToken)).toEqual(['Operator']);
    expect(fs.statSync(usersFile()).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(usersFile(), 'utf8')).not.toContain('olga-password-1');
  });

  it('given a password reset, then the new password signs in and the old one does not, also after a restart', async () => {
    const idp = await started();
    await idp.createUser({ username: 'olga', password: 'olga-password-1', roles: ['Viewer'] });
    await idp.setUserPassword('olga', 'olga-password-2');

    const restarted = await started();
    expect(await restarted.login('olga', 'olga-password-1')).toBeUndefined();
    expect(await restarted.login('olga', 'olga-password-2')).toBeDefined();
  });

  it('given a wrong current password, then changePassword is BAD_USER_INPUT at currentPassword and the password stays', async () => {
    const idp = await started();
    await idp.createUser({ username: 'olga', password: 'olga-password-1', roles: [] });

    const refused = await idp.changePassword('olga', 'not-my-password', 'olga-password-2').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect(refused).toMatchObject({ field: 'currentPassword' });
    expect(await idp.login('olga', 'olga-password-1')).toBeDefined();

    await idp.changePassword('olga', 'olga-password-1', 'olga-password-2');
    const restarted = await started();
    expect(await restarted.login('olga', 'olga-password-1')).toBeUndefined();
    expect(await restarted.login('olga', 'olga-password-2')).toBeDefined();
  });

  it('given a deleted user, then they cannot sign in, now or after a restart', async () => {
    const idp = await started();
    await idp.createUser({ username: 'olga', password: 'olga-password-1', roles: ['Operator'] });
    expect(await idp.deleteUser('olga', admin)).toEqual({ username: 'olga' });

    expect(await idp.login('olga', 'olga-password-1')).toBeUndefined();
    expect(await (await started()).login('olga', 'olga-password-1')).toBeUndefined();
  });

  it('given new roles, then the next sign-in carries them', async () => {
    const idp = await started();
    await idp.createUser({ username: 'olga', password: 'olga-password-1', roles: ['Viewer'] });
    await idp.setUserRoles('olga', ['Operator', 'RecoveryManager']);
    expect(groupsIn((await idp.login('olga', 'olga-password-1'))?.idToken)).toEqual(['Operator', 'RecoveryManager']);
  });

  it('given the last Admin, then demoting or deleting it is CONFLICT and users.json is left as it was', async () => {
    const idp = await started();
    await idp.createUser({ username: 'olga', password: 'olga-password-1', roles: ['Operator'] });
    const before = fs.readFileSync(usersFile(), 'utf8');

    await expect(idp.setUserRoles('admin', ['Viewer'])).rejects.toBeInstanceOf(ConflictError);
    await expect(idp.deleteUser('admin', admin)).rejects.toMatchObject({ code: 'CONFLICT', message: 'You may not delete yourself: ask another Admin' });
    await expect(idp.deleteUser('admin', { userId: 'sub-of-someone', username: 'olga' })).rejects.toMatchObject({ code: 'CONFLICT', message: 'admin is the last Admin: give another user the Admin role first' });
    await expect(idp.createUser({ username: 'olga', password: 'another-password', roles: [] })).rejects.toMatchObject({ code: 'CONFLICT', field: 'username' });
    await expect(idp.createUser({ username: 'bob', password: 'short', roles: [] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });

    expect(fs.readFileSync(usersFile(), 'utf8')).toBe(before);
    expect((await idp.listUsers()).map((u) => u.username)).toEqual(['admin', 'olga']);
  });

  it('given another Admin deleted the admin user, then the next start does not bring it back', async () => {
    const idp = await started();
    await idp.createUser({ username: 'root2', password: 'root2-password-1', roles: ['Admin'] });
    await idp.deleteUser('admin', { userId: 'sub-of-root2', username: 'root2' });

    const restarted = provider();
    expect(await restarted.init(ADMIN_PASSWORD)).toEqual({ createdAdmin: false });
    expect((await restarted.listUsers()).map((u) => u.username)).toEqual(['root2']);
  });

  it('given a users.json written before user management (8-character admin password), then it keeps working', async () => {
    fs.mkdirSync(path.join(dataDir, 'identity'), { recursive: true });
    const legacy = [{ sub: 'legacy-sub', username: 'admin', passwordHash: hashPassword('8-chars!'), groups: ['Admin'], createdAt: '2025-01-01T00:00:00.000Z' }];
    fs.writeFileSync(usersFile(), JSON.stringify(legacy, null, 2), { mode: 0o600 });

    const idp = provider();
    expect(await idp.init('ignored-password')).toEqual({ createdAdmin: false });
    expect(await idp.login('admin', '8-chars!')).toBeDefined();
    expect(await idp.listUsers()).toEqual([{ username: 'admin', roles: ['Admin'], createdAt: '2025-01-01T00:00:00.000Z' }]);
  });

  it('given init with a short admin password (as callers may pass), then the admin is created and signs in', async () => {
    const idp = provider();
    expect(await idp.init('short')).toEqual({ createdAdmin: true });
    expect(await idp.login('admin', 'short')).toBeDefined();
  });
});

describe('the local stack wiring: gateway + identity provider', () => {
  const notUsed: ServiceClient = { call: () => Promise.reject(new Error('no service is called by these tests')) };
  let wiredDataDir: string;
  let identity: LocalIdentityProvider;
  let gateway: LocalGateway;

  beforeAll(async () => {
    wiredDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-identity-wired-'));
    identity = new LocalIdentityProvider({ dataDir: wiredDataDir, issuer: ISSUER, clientId: CLIENT_ID });
    await identity.init(ADMIN_PASSWORD);
    const { auth, extraRoutes, users } = gatewayIdentityOf(identity);
    gateway = await startLocalGateway({ port: 0, services: { catalog: notUsed, planning: notUsed, execution: notUsed, users }, auth, extraRoutes, log: () => {} });
  });
  afterAll(async () => {
    await gateway?.close();
    fs.rmSync(wiredDataDir, { recursive: true, force: true });
  });

  async function signIn(username: string, password: string): Promise<{ status: number; idToken?: string }> {
    const response = await fetch(`${gateway.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    const body = (await response.json()) as { idToken?: string };
    return { status: response.status, ...(body.idToken ? { idToken: body.idToken } : {}) };
  }

  async function graphql(token: string | undefined, query: string, variables?: Record<string, unknown>) {
    const response = await fetch(gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? ''}` },
      body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
    });
    return (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string; field?: string } }[] };
  }

  it('an Admin creates an Operator, who signs in, sees [Operator] in me, may not manage users, and changes their password', async () => {
    const adminToken = (await signIn('admin', ADMIN_PASSWORD)).idToken;
    const created = await graphql(adminToken, 'mutation Create($input: CreateUserInput!) { createUser(input: $input) { username roles } }', {
      input: { username: 'olga', password: 'olga-password-1', roles: ['Operator'] },
    });
    expect(created).toEqual({ data: { createUser: { username: 'olga', roles: ['Operator'] } } });

    const olga = await signIn('olga', 'olga-password-1');
    expect(olga.status).toBe(200);
    expect(await graphql(olga.idToken, '{ me { username roles } }')).toEqual({ data: { me: { username: 'olga', roles: ['Operator'] } } });
    expect((await graphql(olga.idToken, '{ users { username } }')).errors?.[0]).toMatchObject({ message: 'users needs the admin permission', extensions: { code: 'FORBIDDEN' } });

    const wrong = await graphql(olga.idToken, 'mutation { changePassword(currentPassword: "guess-guess-guess", newPassword: "olga-password-2") { username } }');
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    expect(await graphql(olga.idToken, 'mutation { changePassword(currentPassword: "olga-password-1", newPassword: "olga-password-2") { username roles } }')).toEqual({
      data: { changePassword: { username: 'olga', roles: ['Operator'] } },
    });
    expect((await signIn('olga', 'olga-password-1')).status).toBe(401);
    expect((await signIn('olga', 'olga-password-2')).status).toBe(200);
  });

  it('new roles apply from the next sign-in; a deleted user cannot sign in', async () => {
    const adminToken = (await signIn('admin', ADMIN_PASSWORD)).idToken;
    await graphql(adminToken, 'mutation { createUser(input: { username: "vic", password: "vic-password-12", roles: [Viewer] }) { username } }');
    const before = (await signIn('vic', 'vic-password-12')).idToken;

    expect(await graphql(adminToken, 'mutation { setUserRoles(username: "vic", roles: [PlanAuthor]) { roles } }')).toEqual({ data: { setUserRoles: { roles: ['PlanAuthor'] } } });
    expect(await graphql(before, '{ me { roles } }')).toEqual({ data: { me: { roles: ['Viewer'] } } });
    const after = (await signIn('vic', 'vic-password-12')).idToken;
    expect(await graphql(after, '{ me { roles } }')).toEqual({ data: { me: { roles: ['PlanAuthor'] } } });

    expect((await graphql(adminToken, '{ users { username roles } }')).data).toEqual({
      users: expect.arrayContaining([
        { username: 'admin', roles: ['Admin'] },
        { username: 'vic', roles: ['PlanAuthor'] },
      ]),
    });
    expect((await graphql(adminToken, 'mutation { deleteUser(username: "admin") { username } }')).errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await graphql(adminToken, 'mutation { deleteUser(username: "vic") { username } }')).toEqual({ data: { deleteUser: { username: 'vic' } } });
    expect((await signIn('vic', 'vic-password-12')).status).toBe(401);
  });
});
