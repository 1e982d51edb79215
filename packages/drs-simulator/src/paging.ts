/**
 * Opaque pagination tokens: the offset of the next item, bound to the operation and its filters
 * so a token cannot be replayed against another query.
 */
import { validationError } from './errors.js';
import { hash32 } from './random.js';
import type { Page } from './model.js';

export const MAX_PAGE_SIZE = 1000;

function fingerprint(scope: string, query: unknown): string {
  return hash32(`${scope}|${JSON.stringify(query ?? null)}`).toString(36);
}

export function encodeToken(offset: number, scope: string, query: unknown): string {
  return Buffer.from(JSON.stringify({ o: offset, q: fingerprint(scope, query) }), 'utf8').toString('base64url');
}

export function decodeToken(token: string, scope: string, query: unknown): number {
  const invalid = () => validationError([{ name: 'nextToken', message: 'Invalid pagination token' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { o, q } = parsed as { o?: unknown; q?: unknown };
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || q !== fingerprint(scope, query)) throw invalid();
  return o;
}

/** One page of `items` (already filtered and ordered). An empty or absent token starts at the beginning. */
export function paginate<T>(items: T[], options: { maxResults?: number; nextToken?: string; defaultPageSize: number; scope: string; query: unknown }): Page<T> {
  const start = options.nextToken ? decodeToken(options.nextToken, options.scope, options.query) : 0;
  const size = options.maxResults ?? options.defaultPageSize;
  const end = start + size;
  const page: Page<T> = { items: items.slice(start, end) };
  if (end < items.length) page.nextToken = encodeToken(end, options.scope, options.query);
  return page;
}
