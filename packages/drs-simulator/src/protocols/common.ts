/**
 * What the protocol handlers of the simulator's edge share: the services, the answer shape, a
 * protocol-neutral error (each protocol renders it its own way), opaque page tokens and the
 * EC2-style wildcard match.
 */
import type { JsonValue } from '../model.js';
import { hash32 } from '../random.js';

export type EdgeService = 'drs' | 'ec2' | 'ssm' | 'sts';
export const EDGE_SERVICES: readonly EdgeService[] = ['drs', 'ec2', 'ssm', 'sts'];

/** An HTTP response, ready to send. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Which edge fault, if any, produced an error. */
export type EdgeFaultKind = 'throttling' | 'internalError' | 'assumeRoleDenied';

/**
 * An error as a service reports it: its code (`InvalidInstanceID.NotFound`, `InvalidInstanceId`,
 * `AccessDenied`), HTTP status and message, plus members of the error body and headers.
 */
export class ProtocolError extends Error {
  /** Set when an injected fault caused the error (for the call log). */
  injected: EdgeFaultKind | undefined;

  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
    readonly members: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
    /** STS: Sender (the caller's fault) or Receiver (the service's). */
    readonly fault: 'Sender' | 'Receiver' = statusCode >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

export function toJsonValue(value: unknown): JsonValue {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as JsonValue;
  } catch {
    return String(value);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ------------------------------------------------------------------ paging

function fingerprint(scope: string, query: unknown): string {
  return hash32(`${scope}|${JSON.stringify(query ?? null)}`).toString(36);
}

/** An opaque token for the item at `offset` of a query (bound to the query, so it cannot be replayed on another). */
export function encodePageToken(offset: number, scope: string, query: unknown): string {
  return Buffer.from(JSON.stringify({ o: offset, q: fingerprint(scope, query) }), 'utf8').toString('base64url');
}

/** The offset a token stands for, or undefined when it is not a token of this query. */
export function decodePageToken(token: string, scope: string, query: unknown): number | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  const { o, q } = parsed;
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || q !== fingerprint(scope, query)) return undefined;
  return o;
}

/** One page of items from `offset`; `nextOffset` when more remain. */
export function pageOf<T>(items: readonly T[], offset: number, size: number): { items: T[]; nextOffset?: number } {
  const end = offset + size;
  return end < items.length ? { items: items.slice(offset, end), nextOffset: end } : { items: items.slice(offset) };
}

// ------------------------------------------------------------------ matching

const globCache = new Map<string, RegExp>();

/** EC2 filter values: `*` matches any run of characters, `?` one character (case-sensitive). */
export function globMatch(pattern: string, value: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${source}$`, 's');
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re.test(value);
}

/**
 * Time as the edge sees it: the DRS core's clock (real, or a ManualClock in tests) and its
 * simulated timeline (a Linux launch takes about 5 simulated minutes; the time scale maps
 * simulated time to real time).
 */
export interface SimClock {
  /** The core's clock, in ms since the epoch: timestamps on the wire use it. */
  now(): number;
  /** The current simulated instant: durations of the simulation are measured on it. */
  simNow(): number;
  /** Real time per simulated time. */
  scale(): number;
}
