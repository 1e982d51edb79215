import { describe, expect, it } from '@jest/globals';
import { InMemoryGroupStore } from '../src/adapters/groups-table.js';
import { InMemoryServerStore } from '../src/adapters/in-memory-servers.js';
import { InMemoryTargetStore } from '../src/adapters/targets-table.js';
import type { DrsSourceServer } from '../src/domain/inventory.js';
import { groupRecordOf } from '../src/domain/protection-groups.js';
import type { SyncTarget } from '../src/domain/targets.js';
import { syncInventory } from '../src/inventory-sync.js';
import type { SourceServerDirectory } from '../src/ports.js';
import { ACCOUNT, REGION, drsServer, serverId, view } from './support/fixtures.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const ACTOR = { type: 'system' as const, id: 'test' };
const SPOKE = '210987654321';
const HOME = { accountId: ACCOUNT, region: REGION };

/** DRS of several accounts and regions: a listing (or an error) per `<account>#<region>`. */
function drs(listings: Record<string, DrsSourceServer[] | Error>): SourceServerDirectory & { calls: SyncTarget[] } {
  const calls: SyncTarget[] = [];
  return {
    calls,
    async listSourceServers(target) {
      calls.push(target);
      const listing = listings[`${target.accountId}#${target.region}`] ?? [];
      if (listing instanceof Error) throw listing;
      return listing;
    },
    async describeSourceServers() {
      return [];
    },
  };
}

function setup(known: ReturnType<typeof view>[], listings: Record<string, DrsSourceServer[] | Error>) {
  const store = new InMemoryServerStore(known);
  const targets = new InMemoryTargetStore();
  const groups = new InMemoryGroupStore();
  const directory = drs(listings);
  const deps = { drs: directory, store, targets, groups, home: HOME, now: () => NOW, log: () => {} };
  return { store, targets, groups, directory, run: (scope = {}) => syncInventory(deps, ACTOR, scope) };
}

const home = (servers: DrsSourceServer[]) => ({ [`${ACCOUNT}#${REGION}`]: servers });

describe('syncInventory', () => {
  it('writes what changed in DRS, each write carrying its cause', async () => {
    const { store, run } = setup([view(1), view(2)], home([drsServer({ n: 2, state: 'STALLED' }), drsServer({ n: 3 })]));

    const result = await run();

    expect(result).toMatchObject({ discovered: 1, changed: 1, removed: 1 });
    expect(result.targets).toEqual([{ accountId: ACCOUNT, region: REGION, status: 'SUCCEEDED', discovered: 1, changed: 1, removed: 1, serverCount: 2 }]);
    expect([...store.servers.keys()].sort()).toEqual([serverId(2), serverId(3)]);
    expect(store.servers.get(serverId(2))?.server).toMatchObject({ replicationState: 'STALLED', readyForRecovery: false, notReadyReason: 'replication stalled', lastSeenAt: NOW.toISOString() });
    expect(store.changes.map((c) => [c.before?.server.sourceServerId ?? null, c.after?.server.sourceServerId ?? null])).toEqual([
      [null, serverId(3)],
      [serverId(2), serverId(2)],
      [serverId(1), null],
    ]);
    expect(new Set(store.changes.map((c) => c.cause.correlationId)).size).toBe(1);
    expect(store.changes.every((c) => c.cause.actor === ACTOR && c.cause.correlationId.startsWith('sync-'))).toBe(true);
  });

  it('writes nothing the second time (unchanged servers are not rewritten)', async () => {
    const { store, run } = setup([], home([drsServer({ n: 1 }), drsServer({ n: 2 })]));
    await run();
    const writes = store.writes;
    expect(await run()).toMatchObject({ discovered: 0, changed: 0, removed: 0 });
    expect(store.writes).toBe(writes);
  });

  it('syncs every configured account and region through its role, and the account Lifeboat runs in', async () => {
    const { targets, directory, store, run } = setup([], {
      ...home([drsServer({ n: 1 })]),
      [`${SPOKE}#eu-west-1`]: [drsServer({ n: 2, accountId: SPOKE, region: 'eu-west-1' })],
      [`${SPOKE}#us-west-2`]: [drsServer({ n: 3, accountId: SPOKE, region: 'us-west-2' })],
    });
    await targets.create({ accountId: SPOKE, regions: ['eu-west-1', 'us-west-2'], roleArn: `arn:aws:iam::${SPOKE}:role/Lifeboat`, externalId: 'lifeboat-42', createdAt: '', createdBy: '', updatedAt: '', updatedBy: '' });

    const result = await run();

    expect(result.discovered).toBe(3);
    expect(directory.calls).toEqual(
      expect.arrayContaining([
        { accountId: ACCOUNT, region: REGION },
        { accountId: SPOKE, region: 'eu-west-1', roleArn: `arn:aws:iam::${SPOKE}:role/Lifeboat`, externalId: 'lifeboat-42' },
        { accountId: SPOKE, region: 'us-west-2', roleArn: `arn:aws:iam::${SPOKE}:role/Lifeboat`, externalId: 'lifeboat-42' },
      ]),
    );
    expect(store.servers.size).toBe(3);
  });

  it('goes on when one account or region fails, records the failure, and keeps that target\'s servers', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' });
    const elsewhere = view(9, { accountId: SPOKE, region: 'eu-west-1', arn: `arn:aws:drs:eu-west-1:${SPOKE}:source-server/${serverId(9)}` });
    const { targets, store, run } = setup([elsewhere], { ...home([drsServer({ n: 1 })]), [`${SPOKE}#eu-west-1`]: denied });
    await targets.create({ accountId: SPOKE, regions: ['eu-west-1'], roleArn: `arn:aws:iam::${SPOKE}:role/Lifeboat`, createdAt: '', createdBy: '', updatedAt: '', updatedBy: '' });

    const result = await run();

    expect(result.targets).toEqual([
      { accountId: ACCOUNT, region: REGION, status: 'SUCCEEDED', discovered: 1, changed: 0, removed: 0, serverCount: 1 },
      { accountId: SPOKE, region: 'eu-west-1', status: 'FAILED', discovered: 0, changed: 0, removed: 0, serverCount: 0, error: { code: 'AccessDenied', message: 'User is not authorized to perform: sts:AssumeRole' } },
    ]);
    expect(store.servers.has(serverId(9))).toBe(true);
    const statuses = await targets.statuses();
    expect(statuses.find((s) => s.accountId === SPOKE)).toMatchObject({ status: 'FAILED', lastAttemptAt: NOW.toISOString(), error: { code: 'AccessDenied' } });
    expect(statuses.find((s) => s.accountId === ACCOUNT)).toMatchObject({ status: 'SUCCEEDED', lastSuccessAt: NOW.toISOString(), serverCount: 1, discovered: 1 });
  });

  it('keeps the time of the last success when a later attempt fails', async () => {
    const listings: Record<string, DrsSourceServer[] | Error> = home([drsServer({ n: 1 })]);
    const { targets, run } = setup([], listings);
    await run();
    listings[`${ACCOUNT}#${REGION}`] = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    await run();
    expect((await targets.statuses())[0]).toMatchObject({ status: 'FAILED', lastSuccessAt: NOW.toISOString(), serverCount: 1, error: { code: 'ThrottlingException' } });
  });

  it('leaves the servers of other accounts and regions alone, and ignores listed servers of another scope', async () => {
    const elsewhere = view(9, { region: 'eu-west-1', arn: `arn:aws:drs:eu-west-1:${ACCOUNT}:source-server/${serverId(9)}` });
    const { store, run } = setup([elsewhere], home([drsServer({ n: 8, region: 'eu-west-1' })]));
    expect(await run()).toMatchObject({ discovered: 0, changed: 0, removed: 0 });
    expect([...store.servers.keys()]).toEqual([serverId(9)]);
  });

  it('assigns each server the protection group planning put it in', async () => {
    const { groups, store, run } = setup([], home([drsServer({ n: 1 }), drsServer({ n: 2 })]));
    await groups.apply(groupRecordOf({ type: 'ProtectionGroupCreated', data: { protectionGroupId: 'pg-1', name: 'Database', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(1)] }, metadata: { eventId: '01JAAAAAAAAAAAAAAAAAAAAAAA', occurredAt: '2025-06-01T11:00:00.000Z' } }));
    await run();
    expect(store.servers.get(serverId(1))?.server).toMatchObject({ protectionGroupId: 'pg-1', protectionGroupName: 'Database' });
    expect(store.servers.get(serverId(2))?.server).not.toHaveProperty('protectionGroupId');
  });

  it('syncs one account and region on request, and refuses one it does not know', async () => {
    const { directory, run } = setup([], home([drsServer({ n: 1 })]));
    await run({ accountId: ACCOUNT, region: REGION });
    expect(directory.calls).toHaveLength(1);
    await expect(run({ accountId: SPOKE })).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'accountId' });
    await expect(run({ accountId: ACCOUNT, region: 'eu-west-1' })).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'region' });
  });
});
