/**
 * The role matrix (test/support/role-matrix.ts) checked again in the catalog's API: every
 * operation × every role (and a user without a role). Allowed: it succeeds. Not allowed:
 * FORBIDDEN, and neither the servers, nor the target accounts, nor DRS (a sync) were touched.
 * resolveTargetAccess is for Lifeboat's services only: every user is refused, Admins too.
 */
import { describe, expect, it } from '@jest/globals';
import type { ApiResponse, Caller } from '@lifeboat/service-api';
import { createApiHandler, systemCaller } from '@lifeboat/service-api';
import { SERVICE_MATRIX, casesOf, rowsOf } from '../../../test/support/role-matrix.js';
import { InMemoryServerStore } from '../src/adapters/in-memory-servers.js';
import { InMemoryTargetStore } from '../src/adapters/targets-table.js';
import { createCatalogApi } from '../src/catalog-api.js';
import { ACCOUNT, REGION, serverId, view } from './support/fixtures.js';

const TABLE = SERVICE_MATRIX.catalog;
const SPOKE = '210987654321';
const NEW_ACCOUNT = '111122223333';
const stamp = { createdAt: '2025-03-01T08:00:00.000Z', createdBy: 'ada', updatedAt: '2025-03-01T08:00:00.000Z', updatedBy: 'ada' };

/** What each operation is asked, so that an allowed caller succeeds. */
const INPUTS: Record<keyof typeof TABLE, unknown> = {
  listSourceServers: {},
  getSourceServer: { sourceServerId: serverId(1) },
  getSourceServers: { sourceServerIds: [serverId(1)] },
  syncSourceServers: { accountId: SPOKE, region: 'eu-west-1' },
  listTargetAccounts: {},
  addTargetAccount: { accountId: NEW_ACCOUNT, regions: ['us-east-1'], roleArn: `arn:aws:iam::${NEW_ACCOUNT}:role/LifeboatDrsAccess` },
  updateTargetAccount: { accountId: SPOKE, regions: ['eu-west-1', 'us-west-2'] },
  removeTargetAccount: { accountId: SPOKE },
  resolveTargetAccess: { accountId: SPOKE },
};

/** The catalog's API over in-memory twins: one server of the home account and one spoke account. */
function catalog() {
  const servers = new InMemoryServerStore([view(1)]);
  const targets = new InMemoryTargetStore();
  targets.accounts.set(SPOKE, { accountId: SPOKE, regions: ['eu-west-1'], roleArn: `arn:aws:iam::${SPOKE}:role/LifeboatDrsAccess`, externalId: 'external-id-42', ...stamp });
  const syncs: unknown[] = [];
  const accessChecks: unknown[] = [];
  const handler = createApiHandler(
    createCatalogApi({
      store: servers,
      targets,
      home: { accountId: ACCOUNT, region: REGION },
      sync: async (actor, scope) => {
        syncs.push({ actor, scope });
        return { discovered: 0, changed: 0, removed: 0, targets: [] };
      },
      checkAccess: async (account) => {
        accessChecks.push(account);
        return [];
      },
    }),
    () => undefined,
  );
  const call = (operation: string, caller: Caller): Promise<ApiResponse> => handler({ operation, input: INPUTS[operation as keyof typeof TABLE], caller });
  /** Everything the catalog could have changed or set off. */
  const written = () => ({ servers: [...servers.servers.entries()], changes: servers.changes.length, accounts: [...targets.accounts.entries()], syncs: syncs.length, accessChecks: accessChecks.length });
  return { call, written };
}

const caller = (roles: string[]): Caller => ({ userId: `sub-${roles.join('-') || 'none'}`, username: `user-${roles.join('-') || 'none'}`, roles });

describe('the catalog API: every operation × every role', () => {
  it('has a row in the role matrix for every operation, and no row for an operation it lacks', () => {
    const operations = Object.keys(createCatalogApi({ store: new InMemoryServerStore(), targets: new InMemoryTargetStore(), home: { accountId: ACCOUNT, region: REGION }, sync: async () => ({ discovered: 0, changed: 0, removed: 0, targets: [] }), checkAccess: async () => [] }));
    expect(rowsOf(TABLE).map((r) => r.name).sort()).toEqual(operations.sort());
  });

  it.each(casesOf(TABLE).map((c) => [c.title, c] as const))('%s', async (_title, { row, roles, allowed }) => {
    const { call, written } = catalog();
    const before = written();
    const response = await call(row.name, caller(roles));
    if (allowed) {
      expect(response).toMatchObject({ ok: true });
    } else {
      expect(response).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      const message = row.rule.permission === 'service' ? `${row.name} is for Lifeboat's services only` : `${row.name} needs the ${row.rule.permission} permission`;
      expect(response).toEqual({ ok: false, error: { code: 'FORBIDDEN', message } });
      expect(written()).toEqual(before);
    }
  });

  it("resolveTargetAccess answers Lifeboat's services (systemCaller), whose roles do not count", async () => {
    const { call } = catalog();
    expect(await call('resolveTargetAccess', systemCaller('execution'))).toMatchObject({ ok: true, result: { accountId: SPOKE, externalId: 'external-id-42' } });
    const refused = await call('resolveTargetAccess', caller(['Admin']));
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: "resolveTargetAccess is for Lifeboat's services only" } });
  });
});
