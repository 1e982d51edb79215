/**
 * resolveTargetAccess: how a Lifeboat service (execution) reaches DRS in a target account. Only
 * Lifeboat's services (systemCaller) may call it: it answers the external id, which no user ever
 * reads and nothing logs.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ApiResponse, Caller, ResolvedTargetAccess, TargetAccountView } from '@lifeboat/service-api';
import { callerMay, createApiHandler, may, ROLES, systemCaller } from '@lifeboat/service-api';
import { InMemoryServerStore } from '../src/adapters/in-memory-servers.js';
import { createCatalogApi } from '../src/catalog-api.js';
import type { TargetAccount } from '../src/domain/targets.js';
import type { SyncStatus, TargetStore } from '../src/ports.js';

const HOME = { accountId: '123456789012', region: 'us-east-1' };
const SPOKE = '210987654321';
const ROLE = `arn:aws:iam::${SPOKE}:role/LifeboatDrsAccess`;
const EXTERNAL_ID = 'lifeboat-secret-external-id-42';

const admin: Caller = { userId: '0f4c2a7e-1d2b-4c5d-9e8f-123456789abc', username: 'ada', roles: ['Admin'] };
const execution = systemCaller('execution');

class InMemoryTargetStore implements TargetStore {
  readonly accounts = new Map<string, TargetAccount>();
  failWith: Error | undefined;

  async list(): Promise<TargetAccount[]> {
    return [...this.accounts.values()];
  }
  async get(accountId: string): Promise<TargetAccount | undefined> {
    if (this.failWith) throw this.failWith;
    return this.accounts.get(accountId);
  }
  async create(target: TargetAccount): Promise<void> {
    this.accounts.set(target.accountId, target);
  }
  async replace(target: TargetAccount): Promise<void> {
    this.accounts.set(target.accountId, target);
  }
  async remove(accountId: string): Promise<boolean> {
    return this.accounts.delete(accountId);
  }
  async statuses(): Promise<SyncStatus[]> {
    return [];
  }
  async recordSync(): Promise<void> {}
  async forgetSync(): Promise<void> {}
}

const stamp = { createdAt: '2025-03-01T08:00:00.000Z', createdBy: 'ada', updatedAt: '2025-03-01T08:00:00.000Z', updatedBy: 'ada' };

let targets: InMemoryTargetStore;
let logged: string[];
let api: (operation: string, input: unknown, caller: Caller) => Promise<ApiResponse>;

beforeEach(() => {
  targets = new InMemoryTargetStore();
  logged = [];
  const capture = (...args: unknown[]) => {
    logged.push(args.map((a) => (a instanceof Error ? `${a.name} ${a.message} ${a.stack ?? ''}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  };
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) jest.spyOn(console, level).mockImplementation(capture);
  const handler = createApiHandler(
    createCatalogApi({
      store: new InMemoryServerStore(),
      targets,
      home: HOME,
      sync: async () => ({ discovered: 0, changed: 0, removed: 0, targets: [] }),
      checkAccess: async () => [],
    }),
  );
  api = (operation, input, caller) => handler({ operation, input, caller });
});

afterEach(() => {
  jest.restoreAllMocks();
});

async function resolved(accountId: string): Promise<ResolvedTargetAccess> {
  const response = await api('resolveTargetAccess', { accountId }, execution);
  if (!response.ok) throw new Error(`resolveTargetAccess: ${response.error.code} ${response.error.message}`);
  return response.result as ResolvedTargetAccess;
}

describe('resolveTargetAccess', () => {
  it('answers a target account with its regions, role and external id', async () => {
    await targets.create({ accountId: SPOKE, regions: ['eu-west-1', 'us-west-2'], roleArn: ROLE, externalId: EXTERNAL_ID, ...stamp });
    expect(await resolved(SPOKE)).toEqual({ accountId: SPOKE, regions: ['eu-west-1', 'us-west-2'], roleArn: ROLE, externalId: EXTERNAL_ID, isDefault: false });
  });

  it('answers a role without an external id without the field', async () => {
    await targets.create({ accountId: SPOKE, regions: ['eu-west-1'], roleArn: ROLE, ...stamp });
    expect(await resolved(SPOKE)).toEqual({ accountId: SPOKE, regions: ['eu-west-1'], roleArn: ROLE, isDefault: false });
  });

  it('answers the account Lifeboat runs in as the default target: its region, no role', async () => {
    expect(await resolved(HOME.accountId)).toEqual({ accountId: HOME.accountId, regions: [HOME.region], isDefault: true });
    // Configured by an Admin (more regions), it answers its configuration, as listTargetAccounts does.
    await targets.create({ accountId: HOME.accountId, regions: ['us-east-1', 'us-west-2'], ...stamp });
    expect(await resolved(HOME.accountId)).toEqual({ accountId: HOME.accountId, regions: ['us-east-1', 'us-west-2'], isDefault: false });
  });

  it('answers NOT_FOUND for an account that is not a target', async () => {
    expect(await api('resolveTargetAccess', { accountId: '999988887777' }, execution)).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'account 999988887777 is not a target account of the catalog', field: 'accountId' },
    });
  });

  it('refuses bad input, naming each field', async () => {
    const bad = await api('resolveTargetAccess', { accountId: '12', region: 'us-east-1' }, execution);
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'accountId' } });
    expect(!bad.ok && bad.error.problems?.map((p) => p.field)).toEqual(['accountId', 'region']);
    expect(await api('resolveTargetAccess', {}, execution)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'accountId' } });
    expect(await api('resolveTargetAccess', null, execution)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'accountId' } });
  });

  it('is for Lifeboat\'s services only: every user, Admins included, is refused', async () => {
    await targets.create({ accountId: SPOKE, regions: ['eu-west-1'], roleArn: ROLE, externalId: EXTERNAL_ID, ...stamp });
    for (const role of ROLES) {
      const user: Caller = { ...admin, roles: [role] };
      expect(await api('resolveTargetAccess', { accountId: SPOKE }, user)).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: "resolveTargetAccess is for Lifeboat's services only" } });
    }
    expect(await api('resolveTargetAccess', { accountId: SPOKE }, { ...admin, roles: [...ROLES] })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // A bare prefix is no service.
    expect(await api('resolveTargetAccess', { accountId: SPOKE }, { userId: 'service:', username: 'x', roles: ['Admin'] })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // No role grants the permission: the gateway's own check (may) refuses it to everyone too.
    expect(ROLES.some((role) => may([role], 'service'))).toBe(false);
    expect(callerMay(execution, 'service')).toBe(true);
    expect(callerMay(admin, 'service')).toBe(false);
  });

  it('never logs the external id, nor answers it anywhere else', async () => {
    await targets.create({ accountId: SPOKE, regions: ['eu-west-1'], roleArn: ROLE, externalId: EXTERNAL_ID, ...stamp });
    await resolved(SPOKE);
    await api('resolveTargetAccess', { accountId: SPOKE }, admin);
    const listed = await api('listTargetAccounts', {}, admin);
    expect(listed.ok && (listed.result as TargetAccountView[]).find((a) => a.accountId === SPOKE)).toMatchObject({ roleArn: ROLE, hasExternalId: true });
    expect(JSON.stringify(listed)).not.toContain(EXTERNAL_ID);
    // A failing store is logged (INTERNAL), still without the external id.
    targets.failWith = new Error('the targets table is gone');
    expect(await api('resolveTargetAccess', { accountId: SPOKE }, execution)).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Internal error' } });
    expect(logged.some((line) => line.includes('resolveTargetAccess'))).toBe(true);
    expect(logged.filter((line) => line.includes(EXTERNAL_ID))).toEqual([]);
  });
});
