import { describe, expect, it } from '@jest/globals';
import type { InventoryServer } from '../src/domain/inventory.js';
import type { GroupMembershipChange } from '../src/domain/membership.js';
import { applyMembershipChange, placeServer } from '../src/domain/membership.js';
import type { ProtectionGroup } from '../src/domain/protection-group.js';
import { group, server, serverId } from './support/fixtures.js';

const S = serverId(7);
const databases = group('pg-db', 'Databases', [1], { tagSelectors: [{ tags: { Tier: 'Database' } }], createdAt: '2025-01-01T00:00:00.000Z' });
const orders = group('pg-orders', 'Orders', [], { tagSelectors: [{ tags: { App: 'Orders', Tier: 'Database' } }], createdAt: '2025-02-01T00:00:00.000Z' });
const explicit = group('pg-explicit', 'Pinned', [7], { createdAt: '2025-03-01T00:00:00.000Z' });

/** given these groups / when server S (as the inventory has it now) is placed / then these changes. */
function given(...groups: ProtectionGroup[]) {
  const holder = groups.find((g) => g.sourceServerIds.includes(S))?.protectionGroupId;
  return {
    whenPlaced: (now: InventoryServer | undefined) => {
      const changes = placeServer(S, now, holder, groups);
      const summary = changes.map((c) => ({ group: c.group.protectionGroupId, membership: c.membership, conflicts: c.conflicts }));
      return {
        thenChanges: (expected: { group: string; membership?: 'claim' | 'release'; conflicts: GroupMembershipChange['conflicts'] }[]) => expect(summary).toEqual(expected),
        thenNothingHappened: () => expect(summary).toEqual([]),
        changes,
      };
    },
  };
}

const member = (g: ProtectionGroup, ...ids: string[]): ProtectionGroup => ({ ...g, sourceServerIds: [...g.sourceServerIds, ...ids] });

describe('re-resolution of tag selectors when the inventory changes', () => {
  it('gives a new server to the group whose selector matches it', () => {
    given(databases)
      .whenPlaced(server(7, { tags: { Tier: 'Database' } }))
      .thenChanges([{ group: 'pg-db', membership: 'claim', conflicts: [] }]);
  });

  it('ignores a server no selector matches, or of another region', () => {
    given(databases).whenPlaced(server(7, { tags: { Tier: 'Web' } })).thenNothingHappened();
    given(databases).whenPlaced(server(7, { tags: { Tier: 'Database' }, region: 'eu-west-1' })).thenNothingHappened();
  });

  it('gives a server two selectors match to the oldest group, and records the conflict in the other', () => {
    given(orders, databases)
      .whenPlaced(server(7, { tags: { App: 'Orders', Tier: 'Database' } }))
      .thenChanges([
        { group: 'pg-db', membership: 'claim', conflicts: [] },
        { group: 'pg-orders', conflicts: [{ sourceServerId: S, protectionGroupId: 'pg-db', protectionGroupName: 'Databases' }] },
      ]);
  });

  it('takes a server away when its tags no longer match, and the next matching group gets it', () => {
    const withConflict: ProtectionGroup = { ...orders, tagSelectors: [{ tags: { App: 'Orders' } }], conflicts: [{ sourceServerId: S, protectionGroupId: 'pg-db', protectionGroupName: 'Databases' }] };
    given(member(databases, S), withConflict)
      .whenPlaced(server(7, { tags: { App: 'Orders', Tier: 'Web' } }))
      .thenChanges([
        { group: 'pg-db', membership: 'release', conflicts: [] },
        { group: 'pg-orders', membership: 'claim', conflicts: [] },
      ]);
  });

  it('releases a tag-matched server that DRS no longer has, but keeps an explicit one', () => {
    given(member(databases, S)).whenPlaced(undefined).thenChanges([{ group: 'pg-db', membership: 'release', conflicts: [] }]);
    given(explicit, databases).whenPlaced(undefined).thenNothingHappened();
  });

  it('keeps a server its group named explicitly, whatever its tags; matching selectors record a conflict', () => {
    given(explicit, databases)
      .whenPlaced(server(7, { tags: { Tier: 'Database' } }))
      .thenChanges([{ group: 'pg-db', conflicts: [{ sourceServerId: S, protectionGroupId: 'pg-explicit', protectionGroupName: 'Pinned' }] }]);
  });

  it('changes nothing when the event is replayed after it was applied', () => {
    const { changes } = given(databases).whenPlaced(server(7, { tags: { Tier: 'Database' } }));
    const after = changes.map((c) => applyMembershipChange(c, S, { at: '2025-06-01T00:00:00.000Z', by: 'tag selectors' }));
    given(...after).whenPlaced(server(7, { tags: { Tier: 'Database' } })).thenNothingHappened();
  });

  it('keeps explicit members first and the others by id, and counts a revision', () => {
    const before = member(databases, serverId(9));
    const after = applyMembershipChange({ group: before, membership: 'claim', conflicts: [] }, S, { at: '2025-06-01T00:00:00.000Z', by: 'tag selectors' });
    expect(after.sourceServerIds).toEqual([serverId(1), S, serverId(9)]);
    expect(after).toMatchObject({ revision: before.revision + 1, updatedAt: '2025-06-01T00:00:00.000Z', updatedBy: 'tag selectors' });
  });
});
