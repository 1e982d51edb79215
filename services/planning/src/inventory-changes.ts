import type { Actor } from '@lifeboat/events';
import { eventWrite, groupEventData, launchTaskWrite } from './api/common.js';
import { hasLaunchWork } from './domain/launch-settings.js';
import { applyMembershipChange, placeServer } from './domain/membership.js';
import type { InventoryStore, PlanningStore, Write } from './ports.js';
import { GroupGoneError, ServersTakenError, StaleWriteError } from './ports.js';

export interface InventoryChangeDeps {
  store: PlanningStore;
  inventory: InventoryStore;
  now?: () => Date;
}

/** Who changes groups when the inventory changes. */
export const INVENTORY_ACTOR: Actor = { type: 'system', id: 'lifeboat-planning-selectors', name: 'tag selectors' };
const MAX_ATTEMPTS = 5;

/**
 * Places a server in the group its tags now put it in (domain/membership.ts), after the inventory
 * changed: each group that changes is written in its own transaction (releases before claims),
 * with ProtectionGroupUpdated when its members change and a launch-settings task when it has
 * launch settings. Reads everything afresh and starts over when a write lost a race, so any number
 * of concurrent or repeated calls end in the same membership. Answers the groups it changed.
 */
export async function placeServerInGroups(deps: InventoryChangeDeps, sourceServerId: string, cause?: { eventId: string }): Promise<string[]> {
  const changed: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const [inventory, memberships, groups] = await Promise.all([deps.inventory.getMany([sourceServerId]), deps.store.membershipsOf([sourceServerId]), deps.store.listGroups()]);
    const changes = placeServer(sourceServerId, inventory.get(sourceServerId), memberships[0]?.protectionGroupId, groups);
    if (changes.length === 0) return changed;
    // Give up a server before another group takes it.
    changes.sort((a, b) => (a.membership === 'release' ? -1 : 0) - (b.membership === 'release' ? -1 : 0));
    try {
      for (const change of changes) {
        const now = (deps.now ?? (() => new Date()))();
        const at = now.toISOString();
        const group = applyMembershipChange(change, sourceServerId, { at, by: INVENTORY_ACTOR.name ?? INVENTORY_ACTOR.id });
        const writes: Write[] = [{ type: 'updateGroup', group, expectedRevision: change.group.revision }];
        if (change.membership === 'claim') writes.push({ type: 'claimServer', sourceServerId, protectionGroupId: group.protectionGroupId, accountId: group.accountId, region: group.region, at });
        if (change.membership === 'release') writes.push({ type: 'releaseServer', sourceServerId, protectionGroupId: group.protectionGroupId });
        if (change.membership) {
          writes.push(eventWrite('ProtectionGroupUpdated', groupEventData(group), { correlationId: group.protectionGroupId, actor: INVENTORY_ACTOR, occurredAt: at, ...(cause ? { causationId: cause.eventId } : {}) }));
          if (hasLaunchWork(group)) {
            writes.push(launchTaskWrite({ protectionGroupId: group.protectionGroupId, accountId: group.accountId, region: group.region, sourceServerIds: [sourceServerId], actionIds: group.postLaunchActions.map((a) => a.actionId) }, now));
          }
        }
        await deps.store.commit(writes);
        changed.push(group.protectionGroupId);
      }
      return changed;
    } catch (error) {
      const lostRace = error instanceof StaleWriteError || error instanceof ServersTakenError || error instanceof GroupGoneError;
      if (!lostRace || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
