import type { GroupRecord, ProtectionGroupEvent } from './domain/protection-groups.js';
import { groupRecordOf, membershipChanges } from './domain/protection-groups.js';
import type { GroupStore, ServerStore } from './ports.js';

export interface GroupProjectionDeps {
  groups: GroupStore;
  store: ServerStore;
}

/**
 * Projects a protection group event of planning onto the catalog: the group's latest state is
 * stored (a late event changes nothing), then the servers table is made to agree with that latest
 * state, whichever event this was. Repeating it is harmless, so a crash between the two steps is
 * repaired by the redelivery; the scheduled sync repairs the rest (it assigns every listed server
 * from the groups table).
 */
export async function projectProtectionGroupEvent(deps: GroupProjectionDeps, event: ProtectionGroupEvent): Promise<{ group: GroupRecord; assigned: number; unassigned: number }> {
  const group = await deps.groups.apply(groupRecordOf(event));
  const changes = membershipChanges(group, await deps.store.assignedTo(group.protectionGroupId));
  if (!group.deleted) await deps.store.setGroup(changes.assign, { protectionGroupId: group.protectionGroupId, name: group.name }, group.protectionGroupId);
  await deps.store.setGroup(changes.unassign, undefined, group.protectionGroupId);
  return { group, assigned: changes.assign.length, unassigned: changes.unassign.length };
}
