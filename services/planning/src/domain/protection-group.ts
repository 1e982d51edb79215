import type { FieldProblem, ProtectionGroupView } from '@lifeboat/service-api';
import { ConflictError, ValidationError } from '@lifeboat/service-api';
import type { InventoryServer } from './inventory.js';

/**
 * A group and the membership of each of its servers are written in one DynamoDB transaction,
 * which takes at most 100 items: the group and 99 servers.
 */
export const MAX_SERVERS_PER_GROUP = 99;
export const MAX_NAME_LENGTH = 128;

export const ACCOUNT_ID = /^[0-9]{12}$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]$/;
export const SOURCE_SERVER_ID = /^s-[0-9a-zA-Z]{17}$/;

export interface ProtectionGroupInput {
  name: string;
  accountId: string;
  region: string;
  sourceServerIds: string[];
}

export interface ProtectionGroupContext {
  /** Every protection group, for the unique-name rule. */
  existingGroups: readonly ProtectionGroupView[];
  /** The inventory's servers, at least those the input names. */
  inventory: ReadonlyMap<string, InventoryServer>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The source server ids an input names, to look up before validating it. */
export function sourceServerIdsOf(input: unknown): string[] {
  if (!isRecord(input) || !Array.isArray(input.sourceServerIds)) return [];
  return [...new Set(input.sourceServerIds.filter((id): id is string => typeof id === 'string' && SOURCE_SERVER_ID.test(id)))];
}

/** A name: a non-empty string of at most MAX_NAME_LENGTH characters, trimmed. */
export function checkName(value: unknown, field: string, problems: FieldProblem[]): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ field, message: 'is required' });
    return undefined;
  }
  const name = value.trim();
  if (name.length > MAX_NAME_LENGTH) problems.push({ field, message: `must be at most ${MAX_NAME_LENGTH} characters` });
  return name;
}

/**
 * The problems of a new protection group, all at once: name (required, unique whatever its case),
 * account (12 digits), region, and servers (at least one, each known to the inventory, of the
 * group's account and region, listed once).
 */
export function protectionGroupProblems(input: unknown, context: ProtectionGroupContext): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isRecord(input)) return [{ field: '', message: 'must be an object with name, accountId, region and sourceServerIds' }];

  const name = checkName(input.name, 'name', problems);
  if (name !== undefined) {
    const taken = context.existingGroups.find((group) => group.name.toLowerCase() === name.toLowerCase());
    if (taken) problems.push({ field: 'name', message: `a protection group named '${taken.name}' already exists` });
  }

  const accountId = typeof input.accountId === 'string' && ACCOUNT_ID.test(input.accountId) ? input.accountId : undefined;
  if (accountId === undefined) problems.push({ field: 'accountId', message: 'must be an AWS account id (12 digits)' });
  const region = typeof input.region === 'string' && REGION.test(input.region) ? input.region : undefined;
  if (region === undefined) problems.push({ field: 'region', message: 'must be an AWS region, like us-east-1' });

  const ids = input.sourceServerIds;
  if (!Array.isArray(ids) || ids.length === 0) {
    problems.push({ field: 'sourceServerIds', message: 'must list at least one source server' });
    return problems;
  }
  if (ids.length > MAX_SERVERS_PER_GROUP) problems.push({ field: 'sourceServerIds', message: `must list at most ${MAX_SERVERS_PER_GROUP} source servers` });
  const firstIndex = new Map<string, number>();
  ids.forEach((id: unknown, index) => {
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
    const server = context.inventory.get(id);
    if (!server) {
      problems.push({ field, message: `${id} is not in the inventory` });
    } else {
      if (accountId !== undefined && server.accountId !== accountId) problems.push({ field, message: `${id} is in account ${server.accountId}, not in the group's account ${accountId}` });
      if (region !== undefined && server.region !== region) problems.push({ field, message: `${id} is in region ${server.region}, not in the group's region ${region}` });
    }
  });
  return problems;
}

/** The validated input of a new protection group; throws ValidationError listing every problem. */
export function parseProtectionGroupInput(input: unknown, context: ProtectionGroupContext): ProtectionGroupInput {
  const problems = protectionGroupProblems(input, context);
  if (problems.length > 0) throw new ValidationError(problems);
  const valid = input as ProtectionGroupInput;
  return { name: valid.name.trim(), accountId: valid.accountId, region: valid.region, sourceServerIds: [...valid.sourceServerIds] };
}

/** The group a server already belongs to. */
export interface Membership {
  sourceServerId: string;
  protectionGroupId: string;
}

/**
 * Refuses servers that already belong to a group, naming the servers and each group that has them
 * (`groups` gives the groups' names; an unknown group is named by its id).
 */
export function assertServersFree(memberships: readonly Membership[], groups: ReadonlyMap<string, ProtectionGroupView>): void {
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

/** The view of a new group. */
export function newProtectionGroup(input: ProtectionGroupInput, meta: { protectionGroupId: string; createdAt: string; createdBy: string }): ProtectionGroupView {
  return { protectionGroupId: meta.protectionGroupId, ...input, createdAt: meta.createdAt, createdBy: meta.createdBy };
}
