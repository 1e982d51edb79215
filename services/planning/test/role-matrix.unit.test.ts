/**
 * The role matrix (test/support/role-matrix.ts) checked again in planning's API: every operation ×
 * every role (and a user without a role). Allowed: it succeeds. Not allowed: FORBIDDEN, and no
 * commit was attempted, no event or launch-settings task reached the outbox, groups and plans are
 * as they were.
 */
import { describe, expect, it } from '@jest/globals';
import type { Caller, ConfigurationExport, SavedRecoveryPlan } from '@lifeboat/service-api';
import { SERVICE_MATRIX, casesOf, rowsOf } from '../../../test/support/role-matrix.js';
import { createPlanningApi } from '../src/planning-api.js';
import { ACCOUNT, REGION, server, serverId } from './support/fixtures.js';
import { planningHarness } from './support/harness.js';

const TABLE = SERVICE_MATRIX.planning;
type Operation = keyof typeof TABLE;

const caller = (roles: string[]): Caller => ({ userId: `sub-${roles.join('-') || 'none'}`, username: `user-${roles.join('-') || 'none'}`, roles });
const group = (name: string, servers: number[]) => ({ name, accountId: ACCOUNT, region: REGION, sourceServerIds: servers.map(serverId) });
const wave = (name: string, protectionGroupId: string) => ({ name, protectionGroupIds: [protectionGroupId] });

/**
 * Planning over its in-memory twins, given groups DB (pg-1) and App (pg-2, used by no plan), and the
 * plan Shop at version 2; with what each operation is asked so that an allowed caller succeeds.
 */
async function planning() {
  const api = planningHarness(server(1), server(2), server(3), server(4));
  await api.ok('createProtectionGroup', group('DB', [1]));
  await api.ok('createProtectionGroup', group('App', [2]));
  const shop = await api.ok<SavedRecoveryPlan>('createRecoveryPlan', { name: 'Shop', waves: [wave('DB', 'pg-1')] });
  const { planId } = await api.ok<SavedRecoveryPlan>('updateRecoveryPlan', { planId: shop.planId, name: 'Shop', description: 'version 2', waves: [wave('DB', 'pg-1')] });
  const { content } = await api.ok<ConfigurationExport>('exportConfiguration', { protectionGroupIds: ['pg-1'] });
  const imported = content.replaceAll('DB', 'Imported').replace(serverId(1), serverId(4));
  const inputs: Record<Operation, unknown> = {
    createProtectionGroup: group('Web', [3]),
    updateProtectionGroup: { protectionGroupId: 'pg-2', ...group('App servers', [2]) },
    deleteProtectionGroup: { protectionGroupId: 'pg-2' },
    getProtectionGroup: { protectionGroupId: 'pg-1' },
    getProtectionGroups: { protectionGroupIds: ['pg-1', 'pg-2'] },
    listProtectionGroups: {},
    previewProtectionGroup: { accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(3)] },
    createRecoveryPlan: { name: 'Other', waves: [wave('App', 'pg-2')] },
    updateRecoveryPlan: { planId, expectedVersion: 2, name: 'Shop', waves: [wave('DB', 'pg-1'), { ...wave('App', 'pg-2'), dependsOn: ['DB'] }] },
    deleteRecoveryPlan: { planId },
    validateRecoveryPlan: { name: 'Other', waves: [wave('App', 'pg-2')] },
    listRecoveryPlans: {},
    getRecoveryPlan: { planId },
    listRecoveryPlanVersions: { planId },
    diffRecoveryPlanVersions: { planId, fromVersion: 1, toVersion: 2 },
    resolveRecoveryPlan: { planId },
    importSrmPriorities: { name: 'From SRM', priorities: [{ priority: 1, protectionGroupIds: ['pg-2'] }] },
    exportConfiguration: { protectionGroupIds: ['pg-1', 'pg-2'], planIds: [planId] },
    importConfiguration: { content: imported },
  };
  let commits = 0;
  api.store.beforeCommit = () => {
    commits++;
  };
  api.newOutbox();
  /** Everything planning could have changed. */
  const written = async () => ({ commits, outbox: api.store.outbox.length, groups: await api.store.listGroups(), plans: await api.store.latestPlanVersions() });
  return { call: (operation: string, as: Caller) => api.call(operation, inputs[operation as Operation], as), written };
}

describe("planning's API: every operation × every role", () => {
  it('has a row in the role matrix for every operation, and no row for an operation it lacks', () => {
    const operations = Object.keys(createPlanningApi(() => planningHarness().deps));
    expect(rowsOf(TABLE).map((r) => r.name).sort()).toEqual(operations.sort());
  });

  it.each(casesOf(TABLE).map((c) => [c.title, c] as const))('%s', async (_title, { row, roles, allowed }) => {
    const { call, written } = await planning();
    const before = await written();
    const response = await call(row.name, caller(roles));
    if (allowed) {
      expect(response).toMatchObject({ ok: true });
    } else {
      expect(response).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: `${row.name} needs the ${row.rule.permission} permission` } });
      expect(await written()).toEqual(before);
    }
  });
});
