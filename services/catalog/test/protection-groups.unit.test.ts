import { describe, expect, it } from '@jest/globals';
import type { GroupRecord, ProtectionGroupEvent } from '../src/domain/protection-groups.js';
import { assignmentsOf, groupRecordOf, membershipChanges, supersedes } from '../src/domain/protection-groups.js';
import { serverId } from './support/fixtures.js';

function event(type: ProtectionGroupEvent['type'], at: string, members: number[] = [], name = 'Database'): ProtectionGroupEvent {
  const metadata = { eventId: `01JAAAAAAAAAAAAAAAAAAAAA${at.slice(-6, -4)}`, occurredAt: at };
  if (type === 'ProtectionGroupDeleted') return { type, data: { protectionGroupId: 'pg-1' }, metadata };
  return { type, data: { protectionGroupId: 'pg-1', name, accountId: '123456789012', region: 'us-east-1', sourceServerIds: members.map(serverId) }, metadata };
}

/** given the stored group / when an event arrives / then the group projected is */
function given(stored: GroupRecord | undefined) {
  return {
    when: (e: ProtectionGroupEvent) => {
      const record = groupRecordOf(e);
      return supersedes(record, stored) ? record : stored;
    },
  };
}

describe('protection group projection', () => {
  it('takes a created group, then a later update', () => {
    const created = given(undefined).when(event('ProtectionGroupCreated', '2025-06-01T10:00:00.000Z', [1, 2]));
    const updated = given(created).when(event('ProtectionGroupUpdated', '2025-06-01T10:05:00.000Z', [2, 3], 'DB'));
    expect(updated).toMatchObject({ deleted: false, name: 'DB', sourceServerIds: [serverId(2), serverId(3)] });
  });

  it('ignores an update older than what it has (events arrive in any order)', () => {
    const latest = given(undefined).when(event('ProtectionGroupUpdated', '2025-06-01T10:05:00.000Z', [3]));
    expect(given(latest).when(event('ProtectionGroupCreated', '2025-06-01T10:00:00.000Z', [1, 2]))).toBe(latest);
  });

  it('orders by the group\'s revision when planning gives one, whatever the clocks say', () => {
    const withRevision = (e: ProtectionGroupEvent, revision: number): ProtectionGroupEvent => ({ ...e, data: { ...e.data, revision } }) as ProtectionGroupEvent;
    const second = given(undefined).when(withRevision(event('ProtectionGroupUpdated', '2025-06-01T10:00:00.000Z', [2]), 2));
    expect(given(second).when(withRevision(event('ProtectionGroupUpdated', '2025-06-01T10:09:00.000Z', [1]), 1))).toBe(second);
    expect(given(second).when(withRevision(event('ProtectionGroupDeleted', '2025-06-01T09:00:00.000Z'), 3))).toMatchObject({ deleted: true });
  });

  it('keeps a deleted group deleted when a late update arrives', () => {
    const deleted = given(undefined).when(event('ProtectionGroupDeleted', '2025-06-01T10:10:00.000Z'));
    expect(given(deleted).when(event('ProtectionGroupUpdated', '2025-06-01T10:05:00.000Z', [1]))).toEqual(deleted);
  });
});

describe('membershipChanges (the servers table made to agree with the latest group)', () => {
  const group = groupRecordOf(event('ProtectionGroupUpdated', '2025-06-01T10:05:00.000Z', [1, 2, 3]));

  it('assigns new members, renames members, unassigns former members', () => {
    const current = [
      { sourceServerId: serverId(1), protectionGroupName: 'Database' },
      { sourceServerId: serverId(2), protectionGroupName: 'Old name' },
      { sourceServerId: serverId(4), protectionGroupName: 'Database' },
    ];
    expect(membershipChanges(group, current)).toEqual({ assign: [serverId(2), serverId(3)], unassign: [serverId(4)] });
  });

  it('finds nothing to do once applied', () => {
    const applied = [1, 2, 3].map((n) => ({ sourceServerId: serverId(n), protectionGroupName: 'Database' }));
    expect(membershipChanges(group, applied)).toEqual({ assign: [], unassign: [] });
  });

  it('unassigns every member of a deleted group', () => {
    const deleted = groupRecordOf(event('ProtectionGroupDeleted', '2025-06-01T10:10:00.000Z'));
    expect(membershipChanges(deleted, [{ sourceServerId: serverId(1), protectionGroupName: 'Database' }])).toEqual({ assign: [], unassign: [serverId(1)] });
  });

  it('knows the group of each server from the live groups', () => {
    const other: GroupRecord = { deleted: false, position: '2025-06-01T09:00:00.000Z#X', protectionGroupId: 'pg-2', name: 'Web', accountId: '123456789012', region: 'us-east-1', sourceServerIds: [serverId(9)] };
    const gone: GroupRecord = { deleted: true, position: '2025-06-01T09:00:00.000Z#Y', protectionGroupId: 'pg-3' };
    const assignments = assignmentsOf([group, other, gone]);
    expect(assignments.get(serverId(1))).toEqual({ protectionGroupId: 'pg-1', name: 'Database' });
    expect(assignments.get(serverId(9))).toEqual({ protectionGroupId: 'pg-2', name: 'Web' });
    expect(assignments.size).toBe(4);
  });
});
