import { randomUUID } from 'node:crypto';
import type { Caller, FieldProblem, ProtectionGroupPreview, ProtectionGroupView } from '@lifeboat/service-api';
import { ConflictError, NotFoundError, ValidationError } from '@lifeboat/service-api';
import { ACCOUNT_ID, ENTITY_ID, REGION, isRecord } from '../domain/checks.js';
import type { InventoryServer } from '../domain/inventory.js';
import { hasLaunchWork } from '../domain/launch-settings.js';
import type { Membership, ProtectionGroup } from '../domain/protection-group.js';
import {
  assertServersFree,
  changedProtectionGroup,
  checkProtectionGroup,
  conflictsOf,
  definitionOf,
  hasTagSelectors,
  matchesAnySelector,
  membershipChange,
  newProtectionGroup,
  sourceServerIdsOf,
} from '../domain/protection-group.js';
import { isTombstone, nameKey, GroupInUseError, NameTakenError, ServersTakenError } from '../ports.js';
import type { StoredPlanVersion, Write } from '../ports.js';
import { placeServerInGroups } from '../inventory-changes.js';
import type { PlanningApiDeps } from './common.js';
import { actorOf, assertFitsOneCommit, eventWrite, groupEventData, launchTaskWrite, optionalPositive, parseIdList, requiredId, withRetryOnStale, withoutFields } from './common.js';
import type { Page } from '../domain/listing.js';
import { groupMatches, pageOf, parseGroupListInput } from '../domain/listing.js';

/** What a save of a group would write. */
export interface GroupSave {
  action: 'CREATE' | 'UPDATE' | 'UNCHANGED';
  group: ProtectionGroup;
  writes: Write[];
}

/** What else is being saved with this group (an import): names and servers the others take. */
export interface GroupSaveCompanions {
  /** Lower-cased names of the other groups of the import. */
  names: ReadonlyMap<string, string>;
  /** Servers other groups of the import take, with the group's name. */
  claims: Map<string, string>;
}

/** The inventory a definition resolves against: the servers it names and, with selectors, its whole site. */
export async function inventoryFor(deps: PlanningApiDeps, input: unknown): Promise<Map<string, InventoryServer>> {
  const inventory = await deps.inventory.getMany(sourceServerIdsOf(input));
  if (hasTagSelectors(input) && isRecord(input) && typeof input.accountId === 'string' && ACCOUNT_ID.test(input.accountId) && typeof input.region === 'string' && REGION.test(input.region)) {
    for (const server of await deps.inventory.listSite(input.accountId, input.region)) inventory.set(server.sourceServerId, server);
  }
  return inventory;
}

/**
 * Validates a definition and works out the writes of saving it (a new group when `existing` is
 * undefined). Servers other groups hold come back as `conflicts` (with `groups` to name them).
 */
export async function prepareGroupSave(
  deps: PlanningApiDeps,
  input: unknown,
  caller: Caller,
  options: { existing?: ProtectionGroup; groups: readonly ProtectionGroup[]; companions?: GroupSaveCompanions },
): Promise<{ problems: FieldProblem[]; conflicts: Membership[]; save?: GroupSave }> {
  const inventory = await inventoryFor(deps, input);
  const { existing, groups, companions } = options;
  const { problems, definition, members } = checkProtectionGroup(input, { existingGroups: groups, inventory, ...(existing ? { protectionGroupId: existing.protectionGroupId } : {}) });
  if (definition && companions?.names.has(definition.name.toLowerCase())) problems.push({ field: 'name', message: `another document is also named '${definition.name}'` });
  if (!definition || !members || problems.length > 0) return { problems, conflicts: [] };

  const memberships = await deps.store.membershipsOf(members.sourceServerIds);
  const conflicts = memberships.filter((m) => m.protectionGroupId !== existing?.protectionGroupId);
  for (const id of members.sourceServerIds) {
    const other = companions?.claims.get(id);
    if (other !== undefined) problems.push({ field: 'sourceServerIds', message: `${id} is also taken by the imported group '${other}'` });
  }
  if (conflicts.length > 0 || problems.length > 0) return { problems, conflicts };

  const now = (deps.now ?? (() => new Date()))();
  const at = now.toISOString();
  const meta = { at, by: caller.username, newUuid: deps.newUuid ?? randomUUID };
  const context = { actor: actorOf(caller), occurredAt: at };
  const writes: Write[] = [];

  if (!existing) {
    const group = newProtectionGroup(definition, members, { ...meta, protectionGroupId: deps.newId('pg') });
    writes.push({ type: 'createGroup', group });
    writes.push({ type: 'claimName', key: nameKey.group(group.name), name: group.name, ownerId: group.protectionGroupId });
    for (const sourceServerId of group.sourceServerIds) writes.push({ type: 'claimServer', sourceServerId, protectionGroupId: group.protectionGroupId, accountId: group.accountId, region: group.region, at });
    writes.push(eventWrite('ProtectionGroupCreated', groupEventData(group), { ...context, correlationId: group.protectionGroupId }));
    if (hasLaunchWork(group) && group.sourceServerIds.length > 0) {
      writes.push(launchTaskWrite({ protectionGroupId: group.protectionGroupId, accountId: group.accountId, region: group.region, sourceServerIds: [...group.sourceServerIds], actionIds: [] }, now));
    }
    return { problems, conflicts, save: { action: 'CREATE', group, writes } };
  }

  const group = changedProtectionGroup(existing, definition, members, meta);
  const { added, removed } = membershipChange(existing.sourceServerIds, group.sourceServerIds);
  const sameDefinition = JSON.stringify(definitionOf(existing)) === JSON.stringify(definitionOf(group));
  if (sameDefinition && added.length === 0 && removed.length === 0 && existing.conflicts.length === 0) return { problems, conflicts, save: { action: 'UNCHANGED', group: existing, writes: [] } };

  writes.push({ type: 'updateGroup', group, expectedRevision: existing.revision });
  const oldKey = nameKey.group(existing.name);
  const newKey = nameKey.group(group.name);
  if (oldKey !== newKey) writes.push({ type: 'releaseName', key: oldKey, ownerId: existing.protectionGroupId });
  writes.push({ type: 'claimName', key: newKey, name: group.name, ownerId: group.protectionGroupId });
  for (const sourceServerId of added) writes.push({ type: 'claimServer', sourceServerId, protectionGroupId: group.protectionGroupId, accountId: group.accountId, region: group.region, at });
  for (const sourceServerId of removed) writes.push({ type: 'releaseServer', sourceServerId, protectionGroupId: group.protectionGroupId });
  writes.push(eventWrite('ProtectionGroupUpdated', groupEventData(group), { ...context, correlationId: group.protectionGroupId }));
  if (hasLaunchWork(existing) || hasLaunchWork(group)) {
    const launchChanged = JSON.stringify([existing.launchDefaults, existing.serverLaunchOverrides, existing.postLaunchActions]) !== JSON.stringify([group.launchDefaults, group.serverLaunchOverrides, group.postLaunchActions]);
    const servers = launchChanged ? [...group.sourceServerIds, ...removed] : [...added, ...removed];
    if (servers.length > 0) {
      writes.push(launchTaskWrite({ protectionGroupId: group.protectionGroupId, accountId: group.accountId, region: group.region, sourceServerIds: servers, actionIds: existing.postLaunchActions.map((a) => a.actionId) }, now));
    }
  }
  return { problems, conflicts, save: { action: 'UPDATE', group, writes } };
}

/** Commits a group save, answering the rules' errors as CONFLICT naming what is in the way. */
export async function commitGroupSave(deps: PlanningApiDeps, save: GroupSave): Promise<void> {
  assertFitsOneCommit(save.writes, 'sourceServerIds', `This change of protection group '${save.group.name}'`);
  try {
    await deps.store.commit(save.writes);
  } catch (error) {
    if (error instanceof ServersTakenError) {
      const owners = await deps.store.getGroups(error.memberships.map((m) => m.protectionGroupId));
      assertServersFree(error.memberships, owners);
      throw new ConflictError(`${error.sourceServerIds.join(', ')} joined another protection group meanwhile`, 'sourceServerIds', { cause: error });
    }
    if (error instanceof NameTakenError) throw new ConflictError(`A protection group named '${save.group.name}' was saved meanwhile`, 'name', { cause: error });
    throw error;
  }
}

/** Plans whose latest version uses a group. */
export function plansUsing(protectionGroupId: string, latest: readonly StoredPlanVersion[]): { planId: string; name: string }[] {
  return latest.filter((plan) => !isTombstone(plan) && plan.waves.some((wave) => wave.protectionGroupIds.includes(protectionGroupId))).map(({ planId, name }) => ({ planId, name }));
}

function refuseInUse(group: ProtectionGroup, plans: { planId: string; name: string }[]): never {
  const named = plans.map((p) => `'${p.name}' (${p.planId})`).join(', ');
  throw new ConflictError(`Protection group '${group.name}' is used by the latest version of recovery plan${plans.length === 1 ? '' : 's'} ${named}: remove it from their waves first`, 'protectionGroupId');
}

export function groupOperations(deps: () => PlanningApiDeps) {
  async function getGroup(input: unknown): Promise<ProtectionGroup> {
    const protectionGroupId = requiredId(input, 'protectionGroupId', ENTITY_ID, 'a protection group id');
    const group = (await deps().store.getGroups([protectionGroupId])).get(protectionGroupId);
    if (!group) throw new NotFoundError(`Protection group ${protectionGroupId} does not exist`, 'protectionGroupId');
    return group;
  }

  async function save(input: unknown, caller: Caller, existing: ProtectionGroup | undefined): Promise<ProtectionGroupView> {
    const groups = await deps().store.listGroups();
    const { problems, conflicts, save } = await prepareGroupSave(deps(), input, caller, { ...(existing ? { existing } : {}), groups });
    if (problems.length > 0) throw new ValidationError(problems);
    // Friendly early answer; the transaction is what makes the rule hold under races.
    assertServersFree(conflicts, new Map(groups.map((g) => [g.protectionGroupId, g])));
    if (!save) throw new Error('A valid definition without a save');
    await commitGroupSave(deps(), save);
    if (save.action === 'UNCHANGED' || save.group.tagSelectors.length === 0) return save.group;
    // A server discovered while this save was in flight was placed without this group: place it again.
    const members = new Set(save.group.sourceServerIds);
    const missed = (await deps().inventory.listSite(save.group.accountId, save.group.region)).filter((s) => !members.has(s.sourceServerId) && matchesAnySelector(s, save.group.tagSelectors));
    if (missed.length === 0) return save.group;
    for (const server of missed) await placeServerInGroups(deps(), server.sourceServerId);
    return (await deps().store.getGroups([save.group.protectionGroupId])).get(save.group.protectionGroupId) ?? save.group;
  }

  return {
    createProtectionGroup: async (input: unknown, caller: Caller): Promise<ProtectionGroupView> => withRetryOnStale(undefined, 'The protection group', () => save(input, caller, undefined)),

    updateProtectionGroup: async (input: unknown, caller: Caller): Promise<ProtectionGroupView> => {
      const expected = optionalPositive(input, 'expectedRevision');
      return withRetryOnStale(expected, 'The protection group', async () => {
        const existing = await getGroup(input);
        if (expected !== undefined && existing.revision !== expected) throw new ConflictError(`Protection group '${existing.name}' is at revision ${existing.revision}, not ${expected}: read it again`, 'expectedRevision');
        return save(withoutFields(input, ['protectionGroupId', 'expectedRevision']), caller, existing);
      });
    },

    deleteProtectionGroup: async (input: unknown, caller: Caller): Promise<{ protectionGroupId: string }> => {
      const expected = optionalPositive(input, 'expectedRevision');
      return withRetryOnStale(expected, 'The protection group', async () => {
        const group = await getGroup(input);
        if (expected !== undefined && group.revision !== expected) throw new ConflictError(`Protection group '${group.name}' is at revision ${group.revision}, not ${expected}: read it again`, 'expectedRevision');
        const users = plansUsing(group.protectionGroupId, await deps().store.latestPlanVersions());
        if (users.length > 0) refuseInUse(group, users);
        const now = (deps().now ?? (() => new Date()))();
        const writes: Write[] = [
          { type: 'deleteGroup', protectionGroupId: group.protectionGroupId, expectedRevision: group.revision },
          { type: 'releaseName', key: nameKey.group(group.name), ownerId: group.protectionGroupId },
          ...group.sourceServerIds.map((sourceServerId): Write => ({ type: 'releaseServer', sourceServerId, protectionGroupId: group.protectionGroupId })),
          eventWrite('ProtectionGroupDeleted', { protectionGroupId: group.protectionGroupId, revision: group.revision + 1 }, { correlationId: group.protectionGroupId, actor: actorOf(caller), occurredAt: now.toISOString() }),
        ];
        if (group.postLaunchActions.length > 0 && group.sourceServerIds.length > 0) {
          writes.push(launchTaskWrite({ protectionGroupId: group.protectionGroupId, accountId: group.accountId, region: group.region, sourceServerIds: [...group.sourceServerIds], actionIds: group.postLaunchActions.map((a) => a.actionId) }, now));
        }
        try {
          await deps().store.commit(writes);
        } catch (error) {
          if (!(error instanceof GroupInUseError)) throw error;
          const plans = plansUsing(group.protectionGroupId, await deps().store.latestPlanVersions());
          if (plans.length > 0) refuseInUse(group, plans);
          throw new ConflictError(`Protection group '${group.name}' is used by a recovery plan: remove it from its waves first`, 'protectionGroupId', { cause: error });
        }
        return { protectionGroupId: group.protectionGroupId };
      });
    },

    getProtectionGroup: async (input: unknown): Promise<ProtectionGroupView> => getGroup(input),

    listProtectionGroups: async (input: unknown): Promise<Page<ProtectionGroupView>> => {
      const query = parseGroupListInput(input);
      const { sourceServerId } = query.filter;
      // A server is in at most one group: its membership names the only candidate.
      const candidates =
        sourceServerId !== undefined
          ? [...(await deps().store.getGroups((await deps().store.membershipsOf([sourceServerId])).map((m) => m.protectionGroupId))).values()]
          : await deps().store.listGroups();
      const matching = candidates.filter((group) => groupMatches(group, query.filter));
      return pageOf('listProtectionGroups', matching, (group) => ({ name: group.name, id: group.protectionGroupId }), query);
    },

    getProtectionGroups: async (input: unknown): Promise<ProtectionGroupView[]> => {
      const ids = parseIdList(input, 'protectionGroupIds', ENTITY_ID, 'a protection group id');
      const found = await deps().store.getGroups(ids);
      return ids.flatMap((id) => {
        const group = found.get(id);
        return group ? [group] : [];
      });
    },

    previewProtectionGroup: async (input: unknown): Promise<ProtectionGroupPreview> => {
      const existing = isRecord(input) && input.protectionGroupId !== undefined ? await getGroup(input) : undefined;
      const definition = withoutFields(input, ['protectionGroupId']);
      const [groups, inventory] = await Promise.all([deps().store.listGroups(), inventoryFor(deps(), definition)]);
      const { problems, members } = checkProtectionGroup(definition, { existingGroups: groups, inventory, preview: true, ...(existing ? { protectionGroupId: existing.protectionGroupId } : {}) });
      if (problems.length > 0 || !members) throw new ValidationError(problems);
      const memberships = await deps().store.membershipsOf(members.sourceServerIds);
      const taken = memberships.filter((m) => m.protectionGroupId !== existing?.protectionGroupId);
      const takenIds = new Set(taken.map((m) => m.sourceServerId));
      const free = members.sourceServerIds.filter((id) => !takenIds.has(id));
      return {
        sourceServerIds: free,
        servers: free.map((id) => ({
          sourceServerId: id,
          hostname: inventory.get(id)?.hostname ?? '',
          replicationState: inventory.get(id)?.replicationState ?? 'UNKNOWN',
          matchedBy: members.matchedBy.get(id) ?? 'EXPLICIT',
        })),
        conflicts: conflictsOf(taken, new Map(groups.map((g) => [g.protectionGroupId, g]))),
      };
    },
  };
}
