import type { MembershipConflict } from '@lifeboat/service-api';
import type { InventoryServer } from './inventory.js';
import type { ProtectionGroup } from './protection-group.js';
import { matchesAnySelector } from './protection-group.js';

/**
 * Re-resolution of tag selectors when the inventory changes (ARCHITECTURE §2: a server belongs to
 * at most one group). When a server appears, changes or goes, each group with selectors in its
 * account and region decides again:
 * - the group holding it keeps it if it named it explicitly or a selector still matches it;
 * - otherwise the first group (oldest first) whose selector matches it takes it;
 * - every other group whose selector matches it records a conflict naming the holder.
 * Decisions depend only on the state (never on the event), so duplicated, late or replayed events
 * all end in the same membership.
 */

/** What changes in one group for one server. */
export interface GroupMembershipChange {
  group: ProtectionGroup;
  /** The server joins (`claim`) or leaves (`release`) the group; absent: only its conflicts change. */
  membership?: 'claim' | 'release';
  /** The group's conflicts after the change. */
  conflicts: MembershipConflict[];
}

function sameConflicts(a: readonly MembershipConflict[], b: readonly MembershipConflict[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Oldest group first (then by id): the order in which groups get a server both match. */
export function byAge(a: ProtectionGroup, b: ProtectionGroup): number {
  return a.createdAt.localeCompare(b.createdAt) || a.protectionGroupId.localeCompare(b.protectionGroupId);
}

/**
 * The changes, per group, that place `sourceServerId` where it belongs now. `server` is its live
 * inventory record (undefined when removed or unknown), `holderId` the group its membership item
 * names (if any), `groups` every protection group.
 */
export function placeServer(sourceServerId: string, server: InventoryServer | undefined, holderId: string | undefined, groups: readonly ProtectionGroup[]): GroupMembershipChange[] {
  const changes: GroupMembershipChange[] = [];
  const holder = groups.find((g) => g.protectionGroupId === holderId);
  const matches = (group: ProtectionGroup): boolean =>
    server !== undefined && group.tagSelectors.length > 0 && server.accountId === group.accountId && server.region === group.region && matchesAnySelector(server, group.tagSelectors);

  let keeper: ProtectionGroup | undefined;
  if (holder) {
    if (holder.explicitSourceServerIds.includes(sourceServerId) || matches(holder)) keeper = holder;
    else changes.push({ group: holder, membership: 'release', conflicts: holder.conflicts.filter((c) => c.sourceServerId !== sourceServerId) });
  }

  for (const group of [...groups].sort(byAge)) {
    if (group === holder) continue;
    const without = group.conflicts.filter((c) => c.sourceServerId !== sourceServerId);
    if (matches(group) && !group.sourceServerIds.includes(sourceServerId)) {
      if (!keeper) {
        keeper = group;
        changes.push({ group, membership: 'claim', conflicts: without });
        continue;
      }
      const conflicts = [...without, { sourceServerId, protectionGroupId: keeper.protectionGroupId, protectionGroupName: keeper.name }];
      if (!sameConflicts(conflicts, group.conflicts)) changes.push({ group, conflicts });
    } else if (!sameConflicts(without, group.conflicts)) {
      changes.push({ group, conflicts: without });
    }
  }
  return changes;
}

/** A group after one change: its members (explicit first, then by id) and conflicts. */
export function applyMembershipChange(change: GroupMembershipChange, sourceServerId: string, meta: { at: string; by: string }): ProtectionGroup {
  const { group } = change;
  let members = group.sourceServerIds;
  if (change.membership === 'release') members = members.filter((id) => id !== sourceServerId);
  if (change.membership === 'claim' && !members.includes(sourceServerId)) {
    const explicit = members.filter((id) => group.explicitSourceServerIds.includes(id));
    const byTags = [...members.filter((id) => !group.explicitSourceServerIds.includes(id)), sourceServerId].sort();
    members = [...explicit, ...byTags];
  }
  return { ...group, sourceServerIds: members, conflicts: change.conflicts, revision: group.revision + 1, updatedAt: meta.at, updatedBy: meta.by };
}
