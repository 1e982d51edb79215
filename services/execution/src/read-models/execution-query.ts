import { createHash } from 'node:crypto';
import type { ExecutionFilter, ExecutionMode, ExecutionStatus, ExecutionView, FieldProblem } from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';

/**
 * listExecutions' paging (pure): executions newest first (startedAt, then executionId, both
 * descending), a page at a time. A page ends at a position in that order and the next page starts
 * after it, so executions started between two pages never shift the later pages.
 */

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const MODES: readonly ExecutionMode[] = ['DRILL', 'RECOVERY'];
const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'PAUSED', 'CANCELLING', 'COMPLETED', 'FAILED', 'CANCELLED'];
const LIST_FIELDS = ['limit', 'nextToken', 'filter'];
const FILTER_FIELDS = ['planId', 'mode', 'statuses', 'startedAfter', 'startedBefore'];
/** Ids the service hands out are ULIDs; planning's plan ids are short. Anything longer cannot exist. */
const ID = /^[A-Za-z0-9_.:-]{1,200}$/;

/** A place in the newest-first order: an execution's start and id. */
export interface ListPosition {
  startedAt: string;
  executionId: string;
}

/** listExecutions' input, checked: `filter` with times as ISO-8601 UTC (as the read model stores startedAt). */
export interface ExecutionQuery {
  limit: number;
  filter: ExecutionFilter;
  /** Absent for the first page. */
  after?: ListPosition;
}

/** A page as the read model answers it: `next` is where the following page starts after, when more may follow. */
export interface ExecutionListPage {
  items: ExecutionView[];
  next: ListPosition | null;
  /** Executions whose view was too large for the list and is answered here without its servers: read them whole from the stream. */
  withoutServers?: string[];
}

/** Newest first: negative when `a` comes before `b`. */
export function newestFirst(a: ListPosition, b: ListPosition): number {
  if (a.startedAt !== b.startedAt) return a.startedAt > b.startedAt ? -1 : 1;
  return a.executionId > b.executionId ? -1 : a.executionId < b.executionId ? 1 : 0;
}

/** Whether a view matches every given filter. */
export function executionMatches(view: Pick<ExecutionView, 'planId' | 'mode' | 'status' | 'startedAt'>, filter: ExecutionFilter): boolean {
  if (filter.planId !== undefined && view.planId !== filter.planId) return false;
  if (filter.mode !== undefined && view.mode !== filter.mode) return false;
  if (filter.statuses !== undefined && !filter.statuses.includes(view.status)) return false;
  if (filter.startedAfter !== undefined && view.startedAt < filter.startedAfter) return false;
  if (filter.startedBefore !== undefined && view.startedAt >= filter.startedBefore) return false;
  return true;
}

// ---- the opaque token: base64url of JSON { q, s, i, c }

/** The filter, canonical, hashed: a token is good only with the filter it was made for. */
function fingerprintOf(filter: ExecutionFilter): string {
  const canonical = JSON.stringify(
    Object.entries(filter)
      .map(([key, value]) => [key, Array.isArray(value) ? [...value].sort() : value])
      .sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** A checksum over the token's content: an edited or made-up token is refused, not followed. */
function checksumOf(parts: readonly string[]): string {
  return createHash('sha256').update(`lifeboat-execution-page\n${parts.join('\n')}`).digest('base64url').slice(0, 16);
}

export function encodeListToken(filter: ExecutionFilter, position: ListPosition): string {
  const q = fingerprintOf(filter);
  return Buffer.from(JSON.stringify({ q, s: position.startedAt, i: position.executionId, c: checksumOf([q, position.startedAt, position.executionId]) }), 'utf8').toString('base64url');
}

/** The position a token names; BAD_USER_INPUT (field nextToken) for a token that is not listExecutions' with this filter. */
export function decodeListToken(filter: ExecutionFilter, token: string): ListPosition {
  const refuse = (message = 'is not a token returned by listExecutions') => new ValidationError([{ field: 'nextToken', message }]);
  if (token.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(token)) throw refuse();
  let decoded: unknown;
  try {
    const text = Buffer.from(token, 'base64url').toString('utf8');
    // Base64 decoding forgives stray characters: only the exact encoding made here is ours.
    if (Buffer.from(text, 'utf8').toString('base64url') !== token) throw refuse();
    decoded = JSON.parse(text);
  } catch {
    throw refuse();
  }
  const { q, s, i, c } = (typeof decoded === 'object' && decoded !== null && !Array.isArray(decoded) ? decoded : {}) as Record<string, unknown>;
  if (typeof q !== 'string' || typeof s !== 'string' || typeof i !== 'string' || typeof c !== 'string') throw refuse();
  if (c !== checksumOf([q, s, i]) || !ID.test(i) || isoOf(s) === undefined) throw refuse();
  if (q !== fingerprintOf(filter)) throw refuse('belongs to a listing with another filter: list again from the first page');
  return { startedAt: s, executionId: i };
}

// ---- input

/** An ISO-8601 time as the read model writes it (`toISOString`), or undefined when it is none. */
function isoOf(value: string): string | undefined {
  // A date, or a date and time with a zone: a time without one would depend on where it is read.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function parseFilter(raw: unknown, problems: FieldProblem[]): ExecutionFilter {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ field: 'filter', message: 'must be an object' });
    return {};
  }
  const input = raw as Record<string, unknown>;
  const filter: ExecutionFilter = {};
  for (const key of Object.keys(input)) if (!FILTER_FIELDS.includes(key)) problems.push({ field: `filter.${key}`, message: `is not a filter (filters: ${FILTER_FIELDS.join(', ')})` });
  const given = (key: string) => input[key] !== undefined && input[key] !== null;

  if (given('planId')) {
    if (typeof input.planId !== 'string' || !ID.test(input.planId)) problems.push({ field: 'filter.planId', message: 'must be a recovery plan id' });
    else filter.planId = input.planId;
  }
  if (given('mode')) {
    if (!MODES.includes(input.mode as ExecutionMode)) problems.push({ field: 'filter.mode', message: 'must be DRILL or RECOVERY' });
    else filter.mode = input.mode as ExecutionMode;
  }
  if (given('statuses')) {
    const statuses = input.statuses;
    if (!Array.isArray(statuses)) problems.push({ field: 'filter.statuses', message: `must be a list of statuses (${STATUSES.join(', ')})` });
    else {
      statuses.forEach((status: unknown, i) => {
        if (!STATUSES.includes(status as ExecutionStatus)) problems.push({ field: `filter.statuses[${i}]`, message: `must be one of ${STATUSES.join(', ')}` });
      });
      // An empty list is no filter (a console with no status ticked shows them all).
      if (statuses.length > 0) filter.statuses = [...new Set(statuses as ExecutionStatus[])];
    }
  }
  for (const key of ['startedAfter', 'startedBefore'] as const) {
    if (!given(key)) continue;
    const value = input[key];
    const iso = typeof value === 'string' ? isoOf(value) : undefined;
    if (iso === undefined) problems.push({ field: `filter.${key}`, message: 'must be an ISO-8601 time with its zone, e.g. 2025-01-31T12:00:00Z' });
    else filter[key] = iso;
  }
  if (filter.startedAfter !== undefined && filter.startedBefore !== undefined && filter.startedBefore <= filter.startedAfter) {
    problems.push({ field: 'filter.startedBefore', message: 'must be later than startedAfter' });
  }
  return filter;
}

/** listExecutions' input, checked (every problem at once), with the position its token names. */
export function parseListExecutionsInput(input: unknown): ExecutionQuery {
  const raw = input === undefined || input === null ? {} : input;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ValidationError('input must be an object', 'input');
  const fields = raw as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(fields)) if (!LIST_FIELDS.includes(key)) problems.push({ field: key, message: `is not an input of listExecutions (${LIST_FIELDS.join(', ')})` });
  const { limit, nextToken } = fields;
  if (limit !== undefined && limit !== null && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)) {
    problems.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` });
  }
  if (nextToken !== undefined && nextToken !== null && (typeof nextToken !== 'string' || nextToken === '')) problems.push({ field: 'nextToken', message: 'must be a token returned by listExecutions' });
  const filter = parseFilter(fields.filter, problems);
  if (problems.length > 0) throw new ValidationError(problems);
  const query: ExecutionQuery = { limit: typeof limit === 'number' ? limit : DEFAULT_PAGE_SIZE, filter };
  if (typeof nextToken === 'string') query.after = decodeListToken(filter, nextToken);
  return query;
}
