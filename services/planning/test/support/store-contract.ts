import { describe, expect, it } from '@jest/globals';
import type { Membership, ProtectionGroup } from '../../src/domain/protection-group.js';
import type { RecoveryPlan } from '../../src/domain/recovery-plan.js';
import type { PlanningStore, Write } from '../../src/ports.js';
import { GroupGoneError, GroupInUseError, NameTakenError, ServersTakenError, StaleWriteError, nameKey } from '../../src/ports.js';
import { group, serverId } from './fixtures.js';

let unique = 0;

/**
 * What every PlanningStore guarantees (ports.ts): a commit is all or nothing, and each write's
 * condition holds. Run against the in-memory twin (unit) and DynamoDB (int).
 */
export function planningStoreContract(name: string, makeStore: () => PlanningStore): void {
  describe(`${name}: the PlanningStore contract`, () => {
    /** A fresh group id and servers, so that runs against one database do not meet. */
    function fresh(servers = 2): { id: string; group: ProtectionGroup; claims: Write[]; name: string } {
      unique++;
      const id = `pg-contract-${unique}-${Date.now()}`;
      const ids = Array.from({ length: servers }, (_, i) => 0x100000 + unique * 10 + i);
      const g = group(id, `Contract ${id}`, ids);
      return { id, group: g, name: g.name, claims: g.sourceServerIds.map((sourceServerId) => ({ type: 'claimServer', sourceServerId, protectionGroupId: id, accountId: g.accountId, region: g.region, at: 't' })) };
    }
    const create = (f: ReturnType<typeof fresh>): Write[] => [{ type: 'createGroup', group: f.group }, { type: 'claimName', key: nameKey.group(f.name), name: f.name, ownerId: f.id }, ...f.claims];
    const plan = (planId: string, version: number, groupIds: string[]): RecoveryPlan => ({
      planId,
      name: `Plan ${planId}`,
      version,
      waves: [{ waveId: 'w-1', name: 'One', dependsOn: [], launchOrder: 'PARALLEL', protectionGroupIds: groupIds, sourceServerIds: [], servers: [], preSteps: [], postSteps: [], errorPolicy: 'STOP' }],
      settings: {},
      changeSummary: ['created'],
      createdAt: 't',
      createdBy: 'paul',
      groupUseCounted: true,
    });

    it('writes a group with its name and memberships, and reads them back', async () => {
      const store = makeStore();
      const f = fresh();
      await store.commit(create(f));
      expect((await store.getGroups([f.id])).get(f.id)).toEqual(f.group);
      expect((await store.membershipsOf(f.group.sourceServerIds)).sort((a, b) => a.sourceServerId.localeCompare(b.sourceServerId))).toEqual(f.group.sourceServerIds.map((sourceServerId): Membership => ({ sourceServerId, protectionGroupId: f.id })));
      expect((await store.listGroups()).some((g) => g.protectionGroupId === f.id)).toBe(true);
    });

    it('refuses servers another group holds, naming the holder, and writes nothing of the commit', async () => {
      const store = makeStore();
      const first = fresh();
      await store.commit(create(first));
      const second = fresh(1);
      const stolen: Write = { type: 'claimServer', sourceServerId: first.group.sourceServerIds[1] ?? '', protectionGroupId: second.id, accountId: second.group.accountId, region: second.group.region, at: 't' };
      const error = await store.commit([...create(second), stolen]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServersTakenError);
      expect((error as ServersTakenError).sourceServerIds).toEqual([first.group.sourceServerIds[1]]);
      expect((error as ServersTakenError).memberships).toEqual([{ sourceServerId: first.group.sourceServerIds[1], protectionGroupId: first.id }]);
      expect((await store.getGroups([second.id])).size).toBe(0);
      expect(await store.membershipsOf(second.group.sourceServerIds)).toEqual([]);
    });

    it('refuses a name another owner has, whatever its case', async () => {
      const store = makeStore();
      const first = fresh();
      await store.commit(create(first));
      const other = fresh(1);
      const error = await store.commit([{ type: 'createGroup', group: other.group }, { type: 'claimName', key: nameKey.group(first.name.toUpperCase()), name: first.name, ownerId: other.id }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NameTakenError);
      expect((await store.getGroups([other.id])).size).toBe(0);
    });

    it('updates a group only at the revision it was read at, keeping its plan uses', async () => {
      const store = makeStore();
      const f = fresh();
      await store.commit(create(f));
      await store.commit([{ type: 'groupUse', protectionGroupId: f.id, delta: 1 }]);
      const next = { ...f.group, name: `${f.name} v2`, revision: 2 };
      await store.commit([{ type: 'updateGroup', group: next, expectedRevision: 1 }]);
      expect((await store.getGroups([f.id])).get(f.id)).toEqual(next);
      await expect(store.commit([{ type: 'updateGroup', group: { ...next, revision: 3 }, expectedRevision: 1 }])).rejects.toBeInstanceOf(StaleWriteError);
      // Still used: the group cannot be deleted, even at its revision.
      await expect(store.commit([{ type: 'deleteGroup', protectionGroupId: f.id, expectedRevision: 2 }])).rejects.toBeInstanceOf(GroupInUseError);
      await store.commit([{ type: 'groupUse', protectionGroupId: f.id, delta: -1 }]);
      await store.commit([{ type: 'deleteGroup', protectionGroupId: f.id, expectedRevision: 2 }, ...f.group.sourceServerIds.map((sourceServerId): Write => ({ type: 'releaseServer', sourceServerId, protectionGroupId: f.id }))]);
      expect((await store.getGroups([f.id])).size).toBe(0);
      expect(await store.membershipsOf(f.group.sourceServerIds)).toEqual([]);
    });

    it('merges an update and a use of the same group in one commit, and refuses a use of a group that is gone', async () => {
      const store = makeStore();
      const f = fresh();
      await store.commit(create(f));
      const planId = `plan-contract-${unique}-${Date.now()}`;
      await store.commit([{ type: 'updateGroup', group: { ...f.group, revision: 2 }, expectedRevision: 1 }, { type: 'groupUse', protectionGroupId: f.id, delta: 1 }, { type: 'putPlanVersion', version: plan(planId, 1, [f.id]) }]);
      await expect(store.commit([{ type: 'deleteGroup', protectionGroupId: f.id, expectedRevision: 2 }])).rejects.toBeInstanceOf(GroupInUseError);
      await expect(store.commit([{ type: 'groupUse', protectionGroupId: 'pg-never-was', delta: 1 }, { type: 'putPlanVersion', version: plan(planId, 2, ['pg-never-was']) }])).rejects.toBeInstanceOf(GroupGoneError);
      expect((await store.getPlanVersion(planId))?.version).toBe(1);
    });

    it('keeps plan versions immutable and answers the latest', async () => {
      const store = makeStore();
      const planId = `plan-contract-${++unique}-${Date.now()}`;
      await store.commit([{ type: 'putPlanVersion', version: plan(planId, 1, []) }]);
      await expect(store.commit([{ type: 'putPlanVersion', version: { ...plan(planId, 1, []), name: 'Changed' } }])).rejects.toBeInstanceOf(StaleWriteError);
      await store.commit([{ type: 'putPlanVersion', version: plan(planId, 2, []) }]);
      await store.commit([{ type: 'putPlanVersion', version: { planId, version: 3, name: 'x', deleted: true, changeSummary: ['deleted'], createdAt: 't', createdBy: 'paul' } }]);
      expect((await store.getPlanVersion(planId, 1))?.name).toBe(`Plan ${planId}`);
      expect(await store.getPlanVersion(planId)).toMatchObject({ version: 3, deleted: true });
      expect((await store.planVersions(planId)).map((v) => v.version)).toEqual([1, 2, 3]);
      expect((await store.latestPlanVersions()).find((v) => v.planId === planId)?.version).toBe(3);
      expect(await store.getPlanVersion(planId, 9)).toBeUndefined();
    });

    it('writes outbox entries with the change, and none when the change is refused', async () => {
      const store = makeStore();
      const f = fresh(1);
      await expect(store.commit([{ type: 'updateGroup', group: f.group, expectedRevision: 1 }, { type: 'outbox', entry: { outboxId: `launch-${f.id}`, kind: 'launch-sync', task: { protectionGroupId: f.id, accountId: f.group.accountId, region: f.group.region, sourceServerIds: [serverId(1)], actionIds: [] } } }])).rejects.toBeInstanceOf(GroupGoneError);
      await store.commit([...create(f), { type: 'outbox', entry: { outboxId: `launch-${f.id}`, kind: 'launch-sync', task: { protectionGroupId: f.id, accountId: f.group.accountId, region: f.group.region, sourceServerIds: [serverId(1)], actionIds: [] } } }]);
    });
  });
}
