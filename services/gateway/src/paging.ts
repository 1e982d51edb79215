/** Cursor paging of the schema's list queries (`first`, `after` → a service's `limit`, `nextToken`). */
import { ValidationError } from '@lifeboat/service-api';
import type { Maybe } from './inputs.js';

/** The services name their paging `limit`/`nextToken`; the client knows them as `first`/`after`. */
export const PAGING_FIELDS: Readonly<Record<string, string>> = { limit: 'first', nextToken: 'after' };

/** `first` checked against the query's range (BAD_USER_INPUT at `first`), its default when null. */
export function pageSize(first: Maybe<number>, range: { default: number; max: number }): number {
  const size = first ?? range.default;
  if (!Number.isInteger(size) || size < 1 || size > range.max) throw new ValidationError(`must be between 1 and ${range.max}`, 'first');
  return size;
}

/** The service's paging input: `limit`, and `nextToken` when the client gave a cursor. */
export function pagingInput(first: Maybe<number>, after: Maybe<string>, range: { default: number; max: number }): { limit: number; nextToken?: string } {
  return { limit: pageSize(first, range), ...(after !== undefined && after !== null ? { nextToken: after } : {}) };
}
