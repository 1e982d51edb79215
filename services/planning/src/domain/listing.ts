import { createHash } from 'node:crypto';
import type { FieldProblem, ProtectionGroupFilter, ProtectionGroupView, RecoveryPlanFilter, RecoveryPlanView } from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';
import { ACCOUNT_ID, ENTITY_ID, REGION, SOURCE_SERVER_ID, isRecord } from './checks.js';

/**
 * Paging of listProtectionGroups and listRecoveryPlans (pure). Both lists are ordered by name
 * (case-insensitively, then by id); a page ends at an item, and the next page starts after that
 * item's place in the order, so that groups or plans saved or deleted between two pages neither
 * repeat nor hide the others.
 */

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
const MAX_SEARCH_LENGTH = 256;

export type ListOperation = 'listProtectionGroups' | 'listRecoveryPlans';

/** Where the previous page ended: the last item's name and id. */
export interface PagePosition {
  name: string;
  id: string;
}

export interface ListQuery<TFilter> {
  limit: number;
  filter: TFilter;
  /** Absent for the first page. */
  after?: PagePosition;
}

export interface Page<T> {
  items: T[];
  nextToken: string | null;
}

/** The order of both lists: name (case- and accent-insensitive, as names are unique), then id. */
export function compareByName(a: PagePosition, b: PagePosition): number {
  return a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

// ---- the opaque token: base64url of JSON { o, q, n, i, c }

/** The filter, canonical (keys sorted), hashed: a token is valid only with the filter it was made for. */
function fingerprintOf(operation: ListOperation, filter: object): string {
  const canonical = JSON.stringify([operation, Object.entries(filter).sort(([a], [b]) => (a < b ? -1 : 1))]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** A checksum over the token's content: an edited or made-up token is refused, not followed. */
function checksumOf(parts: readonly string[]): string {
  return createHash('sha256').update(`lifeboat-planning-page\n${parts.join('\n')}`).digest('base64url').slice(0, 16);
}

export function encodePageToken(operation: ListOperation, filter: object, position: PagePosition): string {
  const q = fingerprintOf(operation, filter);
  const payload = { o: operation, q, n: position.name, i: position.id, c: checksumOf([operation, q, position.name, position.id]) };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The position a token names; BAD_USER_INPUT (field nextToken) for a token not made by this listing with this filter. */
export function decodePageToken(operation: ListOperation, filter: object, token: string): PagePosition {
  const refuse = (message: string) => new ValidationError([{ field: 'nextToken', message }]);
  const notOurs = `is not a token returned by ${operation}`;
  if (token.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(token)) throw refuse(notOurs);
  let decoded: unknown;
  try {
    const text = Buffer.from(token, 'base64url').toString('utf8');
    // Base64 decoding forgives stray characters: only the exact encoding made here is ours.
    if (Buffer.from(text, 'utf8').toString('base64url') !== token) throw refuse(notOurs);
    decoded = JSON.parse(text);
  } catch {
    throw refuse(notOurs);
  }
  if (!isRecord(decoded)) throw refuse(notOurs);
  const { o, q, n, i, c } = decoded;
  if (typeof o !== 'string' || typeof q !== 'string' || typeof n !== 'string' || typeof i !== 'string' || typeof c !== 'string' || !ENTITY_ID.test(i)) throw refuse(notOurs);
  if (c !== checksumOf([o, q, n, i])) throw refuse(notOurs);
  if (o !== operation) throw refuse(`is a token of ${o}, not of ${operation}`);
  if (q !== fingerprintOf(operation, filter)) throw refuse('belongs to a listing with another filter: list again from the first page');
  return { name: n, id: i };
}

/** One page of `items` (any order) after `query.after`, with the token of the next page when more follow. */
export function pageOf<T>(operation: ListOperation, items: readonly T[], positionOf: (item: T) => PagePosition, query: ListQuery<object>): Page<T> {
  const sorted = [...items].sort((a, b) => compareByName(positionOf(a), positionOf(b)));
  const after = query.after;
  const rest = after ? sorted.filter((item) => compareByName(positionOf(item), after) > 0) : sorted;
  const page = rest.slice(0, query.limit);
  const last = page[page.length - 1];
  return { items: page, nextToken: rest.length > query.limit && last !== undefined ? encodePageToken(operation, query.filter, positionOf(last)) : null };
}

// ---- inputs

const LIST_FIELDS = ['limit', 'nextToken', 'filter'];
const GROUP_FILTERS = ['search', 'accountId', 'region', 'sourceServerId'];
const PLAN_FILTERS = ['search', 'protectionGroupId'];

function parseFilterObject(raw: unknown, known: readonly string[], problems: FieldProblem[]): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) {
    problems.push({ field: 'filter', message: 'must be an object' });
    return {};
  }
  for (const key of Object.keys(raw)) if (!known.includes(key)) problems.push({ field: `filter.${key}`, message: `is not a filter (filters: ${known.join(', ')})` });
  return raw;
}

/** An optional text filter; null, absent and '' mean no filter. */
function textFilter(raw: Record<string, unknown>, key: string, problems: FieldProblem[], rule: { pattern?: RegExp; what: string }): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_SEARCH_LENGTH || (rule.pattern && !rule.pattern.test(value))) {
    problems.push({ field: `filter.${key}`, message: `must be ${rule.what}` });
    return undefined;
  }
  return value;
}

function parseList<TFilter extends object>(operation: ListOperation, input: unknown, parseFilter: (raw: unknown, problems: FieldProblem[]) => TFilter): ListQuery<TFilter> {
  const raw = input === undefined || input === null ? {} : input;
  const problems: FieldProblem[] = [];
  if (!isRecord(raw)) throw new ValidationError([{ field: 'input', message: 'must be an object' }]);
  for (const key of Object.keys(raw)) if (!LIST_FIELDS.includes(key)) problems.push({ field: key, message: `is not an input of ${operation} (${LIST_FIELDS.join(', ')})` });
  const { limit, nextToken } = raw;
  if (limit !== undefined && limit !== null && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)) {
    problems.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` });
  }
  if (nextToken !== undefined && nextToken !== null && (typeof nextToken !== 'string' || nextToken === '')) problems.push({ field: 'nextToken', message: `must be a token returned by ${operation}` });
  const filter = parseFilter(raw.filter, problems);
  if (problems.length > 0) throw new ValidationError(problems);
  const query: ListQuery<TFilter> = { limit: typeof limit === 'number' ? limit : DEFAULT_PAGE_SIZE, filter };
  if (typeof nextToken === 'string') query.after = decodePageToken(operation, filter, nextToken);
  return query;
}

/** listProtectionGroups' input, checked (every problem at once), with the position its token names. */
export function parseGroupListInput(input: unknown): ListQuery<ProtectionGroupFilter> {
  return parseList('listProtectionGroups', input, (rawFilter, problems) => {
    const raw = parseFilterObject(rawFilter, GROUP_FILTERS, problems);
    const filter: ProtectionGroupFilter = {};
    const search = textFilter(raw, 'search', problems, { what: `text of at most ${MAX_SEARCH_LENGTH} characters` });
    const accountId = textFilter(raw, 'accountId', problems, { pattern: ACCOUNT_ID, what: 'a 12-digit AWS account id' });
    const region = textFilter(raw, 'region', problems, { pattern: REGION, what: 'an AWS region such as us-east-1' });
    const sourceServerId = textFilter(raw, 'sourceServerId', problems, { pattern: SOURCE_SERVER_ID, what: 'a DRS source server id (s- and 17 characters)' });
    // Searched case-insensitively: the token of `Orders` is good for `orders`.
    if (search !== undefined) filter.search = search.toLowerCase();
    if (accountId !== undefined) filter.accountId = accountId;
    if (region !== undefined) filter.region = region;
    if (sourceServerId !== undefined) filter.sourceServerId = sourceServerId;
    return filter;
  });
}

/** listRecoveryPlans' input, checked, with the position its token names. */
export function parsePlanListInput(input: unknown): ListQuery<RecoveryPlanFilter> {
  return parseList('listRecoveryPlans', input, (rawFilter, problems) => {
    const raw = parseFilterObject(rawFilter, PLAN_FILTERS, problems);
    const filter: RecoveryPlanFilter = {};
    const search = textFilter(raw, 'search', problems, { what: `text of at most ${MAX_SEARCH_LENGTH} characters` });
    const protectionGroupId = textFilter(raw, 'protectionGroupId', problems, { pattern: ENTITY_ID, what: 'a protection group id' });
    if (search !== undefined) filter.search = search.toLowerCase();
    if (protectionGroupId !== undefined) filter.protectionGroupId = protectionGroupId;
    return filter;
  });
}

// ---- filters

/** Whether a group matches every given filter (`search` lower-cased, as parsed). */
export function groupMatches(group: ProtectionGroupView, filter: ProtectionGroupFilter): boolean {
  if (filter.search !== undefined && !group.name.toLowerCase().includes(filter.search)) return false;
  if (filter.accountId !== undefined && group.accountId !== filter.accountId) return false;
  if (filter.region !== undefined && group.region !== filter.region) return false;
  if (filter.sourceServerId !== undefined && !group.sourceServerIds.includes(filter.sourceServerId)) return false;
  return true;
}

/** Whether a plan version matches every given filter: `protectionGroupId` when one of its waves recovers the group. */
export function planMatches(plan: Pick<RecoveryPlanView, 'name' | 'waves'>, filter: RecoveryPlanFilter): boolean {
  if (filter.search !== undefined && !plan.name.toLowerCase().includes(filter.search)) return false;
  const groupId = filter.protectionGroupId;
  if (groupId !== undefined && !plan.waves.some((wave) => wave.protectionGroupIds.includes(groupId))) return false;
  return true;
}
