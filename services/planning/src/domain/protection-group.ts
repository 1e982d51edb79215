import type {
  FieldProblem,
  LaunchSettings,
  MembershipConflict,
  ProtectionGroupDefinition,
  ProtectionGroupView,
  ServerLaunchOverride,
  ServerVerificationOverride,
  TagSelector,
  VerificationSettings,
} from '@lifeboat/service-api';
import { ConflictError, ValidationError } from '@lifeboat/service-api';
import { ACCOUNT_ID, REGION, SOURCE_SERVER_ID, checkName, isRecord, optionalList } from './checks.js';
import type { InventoryServer } from './inventory.js';
import type { PostLaunchActionDefinition } from './launch-settings.js';
import { assignActionIds, effectiveSettings, parseLaunchSettings, parsePostLaunchActions, parseServerLaunchOverrides, settingsConflicts } from './launch-settings.js';
import { parseServerVerificationOverrides, parseVerificationSettings, verificationSizeProblem } from './verification-settings.js';

export { ACCOUNT_ID, MAX_NAME_LENGTH, REGION, SOURCE_SERVER_ID, checkName } from './checks.js';

/**
 * A group is saved in one DynamoDB transaction (at most 100 items): the group, its name, its event,
 * its launch-settings task and one membership item per server it takes or gives up. So a group
 * holds at most 95 servers, and one change takes or gives up at most 95.
 */
export const MAX_SERVERS_PER_GROUP = 95;
export const MAX_TAG_SELECTORS = 10;
export const MAX_TAGS_PER_SELECTOR = 10;

/** A group as planning keeps it: every field of the view present. */
export type ProtectionGroup = Required<ProtectionGroupView>;

/** A validated definition: what the author wrote, trimmed, with defaults. */
export interface GroupDefinition {
  name: string;
  accountId: string;
  region: string;
  /** The explicit members. */
  sourceServerIds: string[];
  tagSelectors: TagSelector[];
  launchDefaults: LaunchSettings;
  serverLaunchOverrides: ServerLaunchOverride[];
  postLaunchActions: PostLaunchActionDefinition[];
  verification: VerificationSettings;
  serverVerificationOverrides: ServerVerificationOverride[];
}

export interface ProtectionGroupContext {
  /** Every protection group, for the unique-name rule. */
  existingGroups: readonly ProtectionGroupView[];
  /**
   * The inventory's servers: at least those the input names and, when it has tag selectors, every
   * server of its account and region.
   */
  inventory: ReadonlyMap<string, InventoryServer>;
  /** The group being changed (its own name is not taken). */
  protectionGroupId?: string;
  /** A preview: no name needed. */
  preview?: boolean;
}

/** Members of a definition and how each was found. */
export interface ResolvedMembers {
  sourceServerIds: string[];
  matchedBy: Map<string, 'EXPLICIT' | 'TAGS'>;
}

/** The source server ids an input names (members and overrides), to look up before validating it. */
export function sourceServerIdsOf(input: unknown): string[] {
  if (!isRecord(input)) return [];
  const explicit = Array.isArray(input.sourceServerIds) ? input.sourceServerIds : [];
  const idsOf = (list: unknown) => (Array.isArray(list) ? list.map((o: unknown) => (isRecord(o) ? o.sourceServerId : undefined)) : []);
  const overrides = [...idsOf(input.serverLaunchOverrides), ...idsOf(input.serverVerificationOverrides)];
  return [...new Set([...explicit, ...overrides].filter((id): id is string => typeof id === 'string' && SOURCE_SERVER_ID.test(id)))];
}

/** Whether an input selects servers by tags (then the whole account and region must be read). */
export function hasTagSelectors(input: unknown): boolean {
  return isRecord(input) && Array.isArray(input.tagSelectors) && input.tagSelectors.length > 0;
}

/** Whether a server carries every tag of the selector. */
export function matchesSelector(server: Pick<InventoryServer, 'tags'>, selector: TagSelector): boolean {
  return Object.entries(selector.tags).every(([key, value]) => server.tags[key] === value);
}

export function matchesAnySelector(server: Pick<InventoryServer, 'tags'>, selectors: readonly TagSelector[]): boolean {
  return selectors.some((selector) => matchesSelector(server, selector));
}

/**
 * The members of a definition: the explicit servers, in their order, then the servers of its
 * account and region that a selector matches, by id.
 */
export function resolveMembers(definition: Pick<GroupDefinition, 'accountId' | 'region' | 'sourceServerIds' | 'tagSelectors'>, inventory: Iterable<InventoryServer>): ResolvedMembers {
  const matchedBy = new Map<string, 'EXPLICIT' | 'TAGS'>(definition.sourceServerIds.map((id) => [id, 'EXPLICIT']));
  const byTags: string[] = [];
  if (definition.tagSelectors.length > 0) {
    for (const server of inventory) {
      if (matchedBy.has(server.sourceServerId) || server.accountId !== definition.accountId || server.region !== definition.region) continue;
      if (matchesAnySelector(server, definition.tagSelectors)) {
        matchedBy.set(server.sourceServerId, 'TAGS');
        byTags.push(server.sourceServerId);
      }
    }
  }
  byTags.sort();
  return { sourceServerIds: [...definition.sourceServerIds, ...byTags], matchedBy };
}

function parseTagSelectors(value: unknown, problems: FieldProblem[]): TagSelector[] {
  const selectors: TagSelector[] = [];
  optionalList(value, 'tagSelectors', problems, MAX_TAG_SELECTORS, 'selectors').forEach((item, i) => {
    const at = `tagSelectors[${i}]`;
    if (!isRecord(item) || !isRecord(item.tags)) {
      problems.push({ field: at, message: 'must be an object with tags, like { tags: { App: "Orders" } }' });
      return;
    }
    const entries = Object.entries(item.tags);
    if (entries.length === 0) problems.push({ field: `${at}.tags`, message: 'must name at least one tag' });
    if (entries.length > MAX_TAGS_PER_SELECTOR) problems.push({ field: `${at}.tags`, message: `must name at most ${MAX_TAGS_PER_SELECTOR} tags` });
    const tags: Record<string, string> = {};
    let valid = entries.length > 0;
    for (const [key, tagValue] of entries) {
      if (key.trim() === '' || key.length > 128) {
        problems.push({ field: `${at}.tags`, message: `'${key}' is not a tag key (1 to 128 characters)` });
        valid = false;
      } else if (typeof tagValue !== 'string' || tagValue.length > 256) {
        problems.push({ field: `${at}.tags.${key}`, message: 'must be a tag value (a string of at most 256 characters)' });
        valid = false;
      } else tags[key] = tagValue;
    }
    if (valid) selectors.push({ tags });
  });
  return selectors;
}

/**
 * Every problem of a protection group definition, at once: name (required, unique whatever its
 * case), account (12 digits), region, explicit servers (each known to the inventory, of the group's
 * account and region, listed once), tag selectors, at least one member, at most
 * MAX_SERVERS_PER_GROUP members, launch settings and overrides (of members only),
 * post-launch actions, and verification settings and overrides (of members only). Answers the definition and its members when there is no problem.
 */
export function checkProtectionGroup(input: unknown, context: ProtectionGroupContext): { problems: FieldProblem[]; definition?: GroupDefinition; members?: ResolvedMembers } {
  const problems: FieldProblem[] = [];
  if (!isRecord(input)) return { problems: [{ field: '', message: 'must be an object with name, accountId, region and sourceServerIds or tagSelectors' }] };

  let name = '';
  if (!context.preview || input.name !== undefined) {
    name = checkName(input.name, 'name', problems) ?? '';
    if (name !== '') {
      const taken = context.existingGroups.find((group) => group.protectionGroupId !== context.protectionGroupId && group.name.toLowerCase() === name.toLowerCase());
      if (taken) problems.push({ field: 'name', message: `a protection group named '${taken.name}' already exists` });
    }
  }

  const accountId = typeof input.accountId === 'string' && ACCOUNT_ID.test(input.accountId) ? input.accountId : undefined;
  if (accountId === undefined) problems.push({ field: 'accountId', message: 'must be an AWS account id (12 digits)' });
  const region = typeof input.region === 'string' && REGION.test(input.region) ? input.region : undefined;
  if (region === undefined) problems.push({ field: 'region', message: 'must be an AWS region, like us-east-1' });

  const tagSelectors = parseTagSelectors(input.tagSelectors, problems);
  const explicitCount = Array.isArray(input.sourceServerIds) ? input.sourceServerIds.length : 0;
  const selectorCount = Array.isArray(input.tagSelectors) ? input.tagSelectors.length : 0;
  if (explicitCount === 0 && selectorCount === 0) {
    problems.push({ field: 'sourceServerIds', message: 'must list at least one source server (or give tagSelectors)' });
  }
  if (explicitCount > MAX_SERVERS_PER_GROUP) problems.push({ field: 'sourceServerIds', message: `must list at most ${MAX_SERVERS_PER_GROUP} source servers` });
  const explicit: string[] = [];
  const firstIndex = new Map<string, number>();
  (Array.isArray(input.sourceServerIds) ? input.sourceServerIds : []).forEach((id: unknown, index) => {
    const field = `sourceServerIds[${index}]`;
    if (typeof id !== 'string' || !SOURCE_SERVER_ID.test(id)) {
      problems.push({ field, message: 'must be a DRS source server id (s- and 17 characters)' });
      return;
    }
    const first = firstIndex.get(id);
    if (first !== undefined) {
      problems.push({ field, message: `${id} is already listed at sourceServerIds[${first}]` });
      return;
    }
    firstIndex.set(id, index);
    explicit.push(id);
    const server = context.inventory.get(id);
    if (!server) {
      problems.push({ field, message: `${id} is not in the inventory` });
      return;
    }
    if (accountId !== undefined && server.accountId !== accountId) problems.push({ field, message: `${id} is in account ${server.accountId}, not in the group's account ${accountId}` });
    if (region !== undefined && server.region !== region) problems.push({ field, message: `${id} is in region ${server.region}, not in the group's region ${region}` });
  });
  if (input.sourceServerIds !== undefined && !Array.isArray(input.sourceServerIds)) problems.push({ field: 'sourceServerIds', message: 'must be a list of source server ids' });

  const launchDefaults = parseLaunchSettings(input.launchDefaults, 'launchDefaults', problems);
  const serverLaunchOverrides = parseServerLaunchOverrides(input.serverLaunchOverrides, 'serverLaunchOverrides', problems, MAX_SERVERS_PER_GROUP);
  const postLaunchActions = parsePostLaunchActions(input.postLaunchActions, 'postLaunchActions', problems);
  const verification = parseVerificationSettings(input.verification, 'verification', problems);
  const serverVerificationOverrides = parseServerVerificationOverrides(input.serverVerificationOverrides, 'serverVerificationOverrides', problems, MAX_SERVERS_PER_GROUP);
  const tooLarge = verificationSizeProblem(verification, serverVerificationOverrides);
  if (tooLarge) problems.push(tooLarge);

  if (accountId === undefined || region === undefined) return { problems };
  const definition: GroupDefinition = { name, accountId, region, sourceServerIds: explicit, tagSelectors, launchDefaults, serverLaunchOverrides, postLaunchActions, verification, serverVerificationOverrides };
  const members = resolveMembers(definition, context.inventory.values());
  if (members.sourceServerIds.length > MAX_SERVERS_PER_GROUP && explicitCount <= MAX_SERVERS_PER_GROUP) {
    problems.push({ field: 'tagSelectors', message: `the group would hold ${members.sourceServerIds.length} servers, at most ${MAX_SERVERS_PER_GROUP} fit: narrow the selectors or split the group` });
  }
  serverLaunchOverrides.forEach((override, i) => {
    if (!members.matchedBy.has(override.sourceServerId)) problems.push({ field: `serverLaunchOverrides[${i}].sourceServerId`, message: `${override.sourceServerId} is not a member of this group` });
  });
  serverVerificationOverrides.forEach((override, i) => {
    if (!members.matchedBy.has(override.sourceServerId)) problems.push({ field: `serverVerificationOverrides[${i}].sourceServerId`, message: `${override.sourceServerId} is not a member of this group` });
  });
  const checked = new Set<string>();
  for (const id of members.sourceServerIds) {
    const conflict = settingsConflicts(effectiveSettings(launchDefaults, serverLaunchOverrides, id));
    if (conflict && !checked.has(conflict)) {
      checked.add(conflict);
      const index = serverLaunchOverrides.findIndex((o) => o.sourceServerId === id);
      problems.push({ field: index >= 0 ? `serverLaunchOverrides[${index}]` : 'launchDefaults', message: conflict });
    }
  }
  return problems.length > 0 ? { problems } : { problems, definition, members };
}

/** The problems of a definition (checkProtectionGroup without the answer). */
export function protectionGroupProblems(input: unknown, context: ProtectionGroupContext): FieldProblem[] {
  return checkProtectionGroup(input, context).problems;
}

/** The validated definition and its members; throws ValidationError listing every problem. */
export function parseProtectionGroupInput(input: unknown, context: ProtectionGroupContext): { definition: GroupDefinition; members: ResolvedMembers } {
  const { problems, definition, members } = checkProtectionGroup(input, context);
  if (problems.length > 0 || !definition || !members) throw new ValidationError(problems);
  return { definition, members };
}

/** The group a server already belongs to. */
export interface Membership {
  sourceServerId: string;
  protectionGroupId: string;
}

/** Conflicts of memberships held by other groups, with the names of those groups. */
export function conflictsOf(memberships: readonly Membership[], groups: ReadonlyMap<string, Pick<ProtectionGroupView, 'name'>>): MembershipConflict[] {
  return memberships.map(({ sourceServerId, protectionGroupId }) => {
    const name = groups.get(protectionGroupId)?.name;
    return name === undefined ? { sourceServerId, protectionGroupId } : { sourceServerId, protectionGroupId, protectionGroupName: name };
  });
}

/**
 * Refuses servers that already belong to a group, naming the servers and each group that has them
 * (`groups` gives the groups' names; an unknown group is named by its id).
 */
export function assertServersFree(memberships: readonly Membership[], groups: ReadonlyMap<string, Pick<ProtectionGroupView, 'name'>>): void {
  if (memberships.length === 0) return;
  const byGroup = new Map<string, string[]>();
  for (const { sourceServerId, protectionGroupId } of memberships) byGroup.set(protectionGroupId, [...(byGroup.get(protectionGroupId) ?? []), sourceServerId]);
  const parts = [...byGroup].map(([groupId, servers]) => {
    const group = groups.get(groupId);
    const groupName = group ? `'${group.name}' (${groupId})` : groupId;
    return `${servers.join(', ')} ${servers.length === 1 ? 'belongs' : 'belong'} to protection group ${groupName}`;
  });
  throw new ConflictError(`A server belongs to at most one protection group: ${parts.join('; ')}`, 'sourceServerIds');
}

/** What a group takes from its definition and resolved members (shared by creation and change). */
function fromDefinition(definition: GroupDefinition, members: ResolvedMembers) {
  return {
    name: definition.name,
    accountId: definition.accountId,
    region: definition.region,
    sourceServerIds: [...members.sourceServerIds],
    explicitSourceServerIds: [...definition.sourceServerIds],
    tagSelectors: definition.tagSelectors,
    launchDefaults: definition.launchDefaults,
    serverLaunchOverrides: definition.serverLaunchOverrides,
    verification: definition.verification,
    serverVerificationOverrides: definition.serverVerificationOverrides,
    conflicts: [],
  };
}

/** A new group (revision 1). `newUuid` gives the DRS launch action ids. */
export function newProtectionGroup(
  definition: GroupDefinition,
  members: ResolvedMembers,
  meta: { protectionGroupId: string; at: string; by: string; newUuid: () => string },
): ProtectionGroup {
  return {
    protectionGroupId: meta.protectionGroupId,
    ...fromDefinition(definition, members),
    postLaunchActions: assignActionIds(definition.postLaunchActions, [], meta.newUuid),
    revision: 1,
    createdAt: meta.at,
    createdBy: meta.by,
    updatedAt: meta.at,
    updatedBy: meta.by,
  };
}

/** The next revision of a group from a new definition (actions keep their ids per document). */
export function changedProtectionGroup(before: ProtectionGroup, definition: GroupDefinition, members: ResolvedMembers, meta: { at: string; by: string; newUuid: () => string }): ProtectionGroup {
  return {
    ...before,
    ...fromDefinition(definition, members),
    postLaunchActions: assignActionIds(definition.postLaunchActions, before.postLaunchActions, meta.newUuid),
    revision: before.revision + 1,
    updatedAt: meta.at,
    updatedBy: meta.by,
  };
}

/** A group as stored, with the fields that groups written before them lack (explicit members only). */
export function normalizeGroup(view: ProtectionGroupView): ProtectionGroup {
  return {
    protectionGroupId: view.protectionGroupId,
    name: view.name,
    accountId: view.accountId,
    region: view.region,
    sourceServerIds: [...view.sourceServerIds],
    explicitSourceServerIds: view.explicitSourceServerIds ?? [...view.sourceServerIds],
    tagSelectors: view.tagSelectors ?? [],
    launchDefaults: view.launchDefaults ?? {},
    serverLaunchOverrides: view.serverLaunchOverrides ?? [],
    postLaunchActions: view.postLaunchActions ?? [],
    verification: view.verification ?? {},
    serverVerificationOverrides: view.serverVerificationOverrides ?? [],
    conflicts: view.conflicts ?? [],
    revision: view.revision ?? 1,
    createdAt: view.createdAt,
    createdBy: view.createdBy,
    updatedAt: view.updatedAt ?? view.createdAt,
    updatedBy: view.updatedBy ?? view.createdBy,
  };
}

/** The definition of a group as an author would write it (export, previews of changes). */
export function definitionOf(group: ProtectionGroup): ProtectionGroupDefinition {
  const definition: ProtectionGroupDefinition = { name: group.name, accountId: group.accountId, region: group.region };
  if (group.explicitSourceServerIds.length > 0) definition.sourceServerIds = [...group.explicitSourceServerIds];
  if (group.tagSelectors.length > 0) definition.tagSelectors = group.tagSelectors.map((s) => ({ tags: { ...s.tags } }));
  if (Object.keys(group.launchDefaults).length > 0) definition.launchDefaults = { ...group.launchDefaults };
  if (group.serverLaunchOverrides.length > 0) definition.serverLaunchOverrides = group.serverLaunchOverrides.map((o) => ({ ...o }));
  if (group.postLaunchActions.length > 0) {
    definition.postLaunchActions = group.postLaunchActions.map(({ documentName, documentVersion, parameters, optional, category, description }) => ({
      documentName,
      documentVersion,
      ...(parameters.length > 0 ? { parameters: parameters.map((p) => ({ ...p })) } : {}),
      optional,
      category,
      ...(description ? { description } : {}),
    }));
  }
  if (Object.keys(group.verification).length > 0) definition.verification = structuredClone(group.verification);
  if (group.serverVerificationOverrides.length > 0) definition.serverVerificationOverrides = structuredClone(group.serverVerificationOverrides);
  return definition;
}

/** Servers taken and given up between two member lists. */
export function membershipChange(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const old = new Set(before);
  const next = new Set(after);
  return { added: after.filter((id) => !old.has(id)), removed: before.filter((id) => !next.has(id)) };
}
