/**
 * refreshServers, the batch refresh after DRS events, over the in-memory twins of the servers and
 * targets tables and a DRS directory that records each DescribeSourceServers it answers.
 */
import { describe, expect, it } from '@jest/globals';
import { InMemoryServerStore } from '../src/adapters/in-memory-servers.js';
import { InMemoryTargetStore } from '../src/adapters/targets-table.js';
import type { DrsSourceServer } from '../src/domain/inventory.js';
import type { SyncTarget } from '../src/domain/targets.js';
import type { ChangeCause, ServerWrite, SourceServerDirectory } from '../src/ports.js';
import type { RefreshCause } from '../src/server-updates.js';
import { refreshServers } from '../src/server-updates.js';
import { ACCOUNT, REGION, drsServer, serverId } from './support/fixtures.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const SPOKE = '210987654321';
const SPOKE_REGION = 'eu-west-1';
const SPOKE_ROLE = `arn:aws:iam::${SPOKE}:role/Lifeboat`;
const HOME = { accountId: ACCOUNT, region: REGION };
const CAUSE: RefreshCause = { actor: { type: 'system', id: 'aws.drs', name: 'DRS Source Server Launch Result' }, correlationId: 'drs-event-e1', causationId: 'e1' };

const arnOf = (n: number, account = ACCOUNT, region = REGION) => `arn:aws:drs:${region}:${account}:source-server/${serverId(n)}`;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** DRS of several accounts and regions: what it knows (or the error it answers) per `<account>#<region>`. */
function drs(known: Record<string, DrsSourceServer[] | Error>): SourceServerDirectory & { calls: { target: SyncTarget; ids: string[] }[] } {
  const calls: { target: SyncTarget; ids: string[] }[] = [];
  return {
    calls,
    async listSourceServers() {
      throw new Error('a refresh never lists a whole account and region');
    },
    async describeSourceServers(target, sourceServerIds) {
      calls.push({ target, ids: [...sourceServerIds] });
      const servers = known[`${target.accountId}#${target.region}`] ?? [];
      if (servers instanceof Error) throw servers;
      return servers.filter((server) => sourceServerIds.includes(server.sourceServerID ?? ''));
    },
  };
}

/** The servers table, where another writer (planning assigning a group) gets in once between our read and our write. */
class RacedServerStore extends InMemoryServerStore {
  readonly raced = new Set<string>();

  override async writeIfUnchanged(write: ServerWrite, cause: ChangeCause): Promise<boolean> {
    const id = write.kind === 'put' ? write.server.sourceServerId : write.previous.server.sourceServerId;
    if (this.raced.delete(id)) await this.setGroup([id], { protectionGroupId: 'pg-1', name: 'Database' }, 'pg-1');
    return super.writeIfUnchanged(write, cause);
  }
}

async function setup(known: Record<string, DrsSourceServer[] | Error>, options: { spoke?: boolean; store?: InMemoryServerStore } = {}) {
  const store = options.store ?? new InMemoryServerStore();
  const targets = new InMemoryTargetStore();
  if (options.spoke) await targets.create({ accountId: SPOKE, regions: [SPOKE_REGION], roleArn: SPOKE_ROLE, createdAt: '', createdBy: '', updatedAt: '', updatedBy: '' });
  const directory = drs(known);
  const deps = { drs: directory, store, targets, home: HOME, now: () => NOW, log: () => {} };
  return { store, directory, refresh: (arns: string[]) => refreshServers(deps, arns, CAUSE) };
}

const home = (servers: DrsSourceServer[]) => ({ [`${ACCOUNT}#${REGION}`]: servers });

describe('refreshServers', () => {
  it('describes 250 servers of one account and region in 2 calls (200 + 50) and writes each', async () => {
    const { store, directory, refresh } = await setup(home(range(1, 250).map((n) => drsServer({ n }))));

    const results = await refresh(range(1, 250).map((n) => arnOf(n)));

    expect(directory.calls.map((c) => c.ids)).toEqual([range(1, 200).map(serverId), range(201, 250).map(serverId)]);
    expect(results.size).toBe(250);
    expect([...results.values()].every((r) => r.outcome === 'changed')).toBe(true);
    expect(store.servers.size).toBe(250);
    expect(store.changes.every((c) => c.cause.causationId === 'e1' && c.cause.at === NOW.toISOString())).toBe(true);
  });

  it('describes each account and region in its own call, through its own role', async () => {
    const { directory, refresh } = await setup({ ...home([drsServer({ n: 1 }), drsServer({ n: 2 })]), [`${SPOKE}#${SPOKE_REGION}`]: [drsServer({ n: 3, accountId: SPOKE, region: SPOKE_REGION })] }, { spoke: true });

    const results = await refresh([arnOf(1), arnOf(3, SPOKE, SPOKE_REGION), arnOf(2)]);

    expect(directory.calls).toHaveLength(2);
    expect(directory.calls).toEqual(
      expect.arrayContaining([
        { target: { accountId: ACCOUNT, region: REGION }, ids: [serverId(1), serverId(2)] },
        { target: { accountId: SPOKE, region: SPOKE_REGION, roleArn: SPOKE_ROLE }, ids: [serverId(3)] },
      ]),
    );
    expect(Object.fromEntries(results)).toEqual({ [arnOf(1)]: { outcome: 'changed' }, [arnOf(2)]: { outcome: 'changed' }, [arnOf(3, SPOKE, SPOKE_REGION)]: { outcome: 'changed' } });
  });

  it('fails only the servers of the account and region whose describe fails; the others are written', async () => {
    const denied = Object.assign(new Error('not authorized to perform drs:DescribeSourceServers'), { name: 'AccessDeniedException' });
    const { store, refresh } = await setup({ ...home([drsServer({ n: 1 })]), [`${SPOKE}#${SPOKE_REGION}`]: denied }, { spoke: true });

    const results = await refresh([arnOf(2, SPOKE, SPOKE_REGION), arnOf(1), arnOf(3, SPOKE, SPOKE_REGION)]);

    expect(results.get(arnOf(1))).toEqual({ outcome: 'changed' });
    expect(results.get(arnOf(2, SPOKE, SPOKE_REGION))).toEqual({ outcome: 'failed', error: denied });
    expect(results.get(arnOf(3, SPOKE, SPOKE_REGION))).toEqual({ outcome: 'failed', error: denied });
    expect([...store.servers.keys()]).toEqual([serverId(1)]);
  });

  it('describes a server named twice in a batch once, and answers its ARN', async () => {
    const { store, directory, refresh } = await setup(home([drsServer({ n: 1 }), drsServer({ n: 2 })]));

    const results = await refresh([arnOf(1), arnOf(2), arnOf(1)]);

    expect(directory.calls.map((c) => c.ids)).toEqual([[serverId(1), serverId(2)]]);
    expect(Object.fromEntries(results)).toEqual({ [arnOf(1)]: { outcome: 'changed' }, [arnOf(2)]: { outcome: 'changed' } });
    expect(store.writes).toBe(2);
  });

  it('falls back to a single-server refresh when another writer wins the conditional write, and ends changed with both writes kept', async () => {
    const store = new RacedServerStore();
    const { refresh } = await setup(home([drsServer({ n: 1 }), drsServer({ n: 2 })]), { store });
    await refresh([arnOf(1), arnOf(2)]);
    const launched = drsServer({ n: 1, lastLaunch: { type: 'RECOVERY', jobId: 'drsjob-0000000000000000a', at: '2025-06-01T11:59:00Z', status: 'LAUNCHED', result: 'SUCCEEDED', recoveryInstanceId: 'i-0000000000000000a' } });
    const { directory: after, refresh: refreshAgain } = await setup(home([launched, drsServer({ n: 2, state: 'STALLED' })]), { store });
    store.raced.add(serverId(1));

    const results = await refreshAgain([arnOf(1), arnOf(2)]);

    expect(Object.fromEntries(results)).toEqual({ [arnOf(1)]: { outcome: 'changed' }, [arnOf(2)]: { outcome: 'changed' } });
    // The batch's describe, then server 1 described again on its own.
    expect(after.calls.map((c) => c.ids)).toEqual([[serverId(1), serverId(2)], [serverId(1)]]);
    expect(store.servers.get(serverId(1))?.server).toMatchObject({ recoveryInstanceId: 'i-0000000000000000a', protectionGroupId: 'pg-1', protectionGroupName: 'Database' });
    expect(store.servers.get(serverId(2))?.server).toMatchObject({ replicationState: 'STALLED' });
  });

  it('does not write a server whose description did not change', async () => {
    const { store, refresh } = await setup(home([drsServer({ n: 1 }), drsServer({ n: 2 })]));
    await refresh([arnOf(1), arnOf(2)]);
    const writes = store.writes;
    const { refresh: refreshAgain } = await setup(home([drsServer({ n: 1 }), drsServer({ n: 2, state: 'STALLED' })]), { store });

    const results = await refreshAgain([arnOf(1), arnOf(2)]);

    expect(Object.fromEntries(results)).toEqual({ [arnOf(1)]: { outcome: 'unchanged' }, [arnOf(2)]: { outcome: 'changed' } });
    expect(store.writes).toBe(writes + 1);
    expect(store.changes.at(-1)?.after?.server.sourceServerId).toBe(serverId(2));
  });

  it('answers unusable, unknown-target and not-in-drs without failing, and sends DRS only well-formed ids', async () => {
    const { store, directory, refresh } = await setup(home([drsServer({ n: 1 })]));
    const malformed = `arn:aws:drs:${REGION}:${ACCOUNT}:source-server/not-an-id`;

    const results = await refresh([arnOf(1), 'arn:aws:ec2:us-east-1:123456789012:instance/i-1', malformed, arnOf(2, '999999999999'), arnOf(3)]);

    expect(Object.fromEntries(results)).toEqual({
      [arnOf(1)]: { outcome: 'changed' },
      'arn:aws:ec2:us-east-1:123456789012:instance/i-1': { outcome: 'unusable' },
      [malformed]: { outcome: 'unusable' },
      [arnOf(2, '999999999999')]: { outcome: 'unknown-target' },
      [arnOf(3)]: { outcome: 'not-in-drs' },
    });
    expect(directory.calls.map((c) => c.ids)).toEqual([[serverId(1), serverId(3)]]);
    expect([...store.servers.keys()]).toEqual([serverId(1)]);
  });
});
