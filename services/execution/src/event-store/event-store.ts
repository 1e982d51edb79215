import { createHash } from 'node:crypto';
import type { DomainEvent, EventMetadata } from '@lifeboat/events';

/** The metadata an event carries before it is appended (the store adds the stream fields). */
export type AppendedMetadata = Omit<EventMetadata, 'streamId' | 'streamVersion' | 'previousHash' | 'hash'>;

/** An event as stored in a stream: its position and its link in the stream's audit chain. */
export interface StoredEvent {
  streamId: string;
  /** 1 for the first event of the stream. */
  version: number;
  type: string;
  data: unknown;
  metadata: AppendedMetadata;
  /** Hash of the previous event of the stream (null for the first). */
  previousHash: string | null;
  /** SHA-256 (hex) over previousHash and the canonical JSON of type, data and metadata. */
  hash: string;
}

/**
 * An append-only store of event streams with optimistic concurrency.
 *
 * @example
 * const events = await store.readStream('execution/01J...');
 * await store.appendToStream('execution/01J...', events.length, newEvents);
 * const newer = await store.readStreamFrom('execution/01J...', events.length);
 * const latest = await store.readStreamTail('execution/01J...', 200);
 * const earlier = await store.readStreamTail('execution/01J...', 200, latest[0]?.version);
 */
export interface EventStore {
  /** Every event of the stream in order; [] for a stream that does not exist. */
  readStream(streamId: string): Promise<StoredEvent[]>;
  /**
   * The events after `afterVersion` in order (any version, not only the end of a commit):
   * the tail of the stream a reader already holds up to that version.
   */
  readStreamFrom(streamId: string, afterVersion: number): Promise<StoredEvent[]>;
  /**
   * The latest `count` events of the stream, or with `beforeVersion` the latest `count` of those
   * below it (paging back from the oldest one a reader holds), in stream order; fewer when the
   * stream has fewer, [] for a stream that does not exist or a `count` below 1.
   */
  readStreamTail(streamId: string, count: number, beforeVersion?: number): Promise<StoredEvent[]>;
  /**
   * Appends all the events atomically after `expectedVersion` (0 for a new stream), or none:
   * StreamVersionConflictError when the stream is not at that version.
   */
  appendToStream(streamId: string, expectedVersion: number, events: readonly DomainEvent[]): Promise<StoredEvent[]>;
  /** Where snapshots of folded streams are kept; absent: loads fold every event. */
  readonly snapshots?: SnapshotStore;
}

/**
 * The folded state of a stream at `version`, to skip folding the events up to it. A cache:
 * losing or ignoring one changes nothing but speed.
 */
export interface StreamSnapshot {
  streamId: string;
  version: number;
  /** Hash of the event at `version`: a snapshot of another history of the stream is ignored. */
  hash: string;
  /** JSON-compatible; its format is the aggregate's (e.g. serializeExecutionState). */
  state: unknown;
}

export interface SnapshotStore {
  /** The latest snapshot of the stream, if any. */
  read(streamId: string): Promise<StreamSnapshot | undefined>;
  /** Keeps the snapshot unless a newer one (higher version) is already kept. */
  write(snapshot: StreamSnapshot): Promise<void>;
}

/** Another writer appended to the stream since it was read: read again, decide again. */
export class StreamVersionConflictError extends Error {
  override readonly name = 'StreamVersionConflictError';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    options?: { cause?: unknown },
  ) {
    super(`Stream ${streamId} is no longer at version ${expectedVersion}`, options);
  }
}

/** The events of one decision do not fit in one commit of the store. */
export class CommitTooLargeError extends Error {
  override readonly name = 'CommitTooLargeError';
  constructor(
    readonly streamId: string,
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`The ${bytes} bytes of events to append to ${streamId} exceed the ${maxBytes} bytes of one commit`);
  }
}

/** JSON with object keys sorted at every level and undefined members left out. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) sorted[key] = sortKeys(member);
    }
    return sorted;
  }
  return value;
}

/** The hash of an event given the hash of the one before it. */
export function hashEvent(previousHash: string | null, event: { type: string; data: unknown; metadata: AppendedMetadata }): string {
  return createHash('sha256')
    .update(previousHash ?? '')
    .update('\n')
    .update(canonicalJson({ type: event.type, data: event.data, metadata: event.metadata }))
    .digest('hex');
}

/** Strips the stream fields an event may already carry (they are the store's to set). */
export function appendedMetadata(metadata: EventMetadata): AppendedMetadata {
  const { streamId: _s, streamVersion: _v, previousHash: _p, hash: _h, ...rest } = metadata;
  return rest;
}

/** Chains new events after the stream's last one (version, hash). */
export function chainEvents(streamId: string, expectedVersion: number, previousHash: string | null, events: readonly DomainEvent[]): StoredEvent[] {
  let hash = previousHash;
  return events.map((event, index) => {
    const metadata = appendedMetadata(event.metadata);
    const stored: StoredEvent = {
      streamId,
      version: expectedVersion + index + 1,
      type: event.type,
      data: event.data,
      metadata,
      previousHash: hash,
      hash: hashEvent(hash, { type: event.type, data: event.data, metadata }),
    };
    hash = stored.hash;
    return stored;
  });
}

export type ChainVerification = { valid: true } | { valid: false; version: number; reason: string };

/**
 * Checks a stream's audit chain: consecutive versions, each event linked to the one before and
 * its hash matching its content. Pass `previousHash` to verify a slice that does not start at 1.
 */
export function verifyChain(events: readonly StoredEvent[], previousHash: string | null = null): ChainVerification {
  let expectedPrevious = previousHash;
  let expectedVersion = events[0]?.version ?? 1;
  if (previousHash === null && expectedVersion !== 1) return { valid: false, version: expectedVersion, reason: 'the chain does not start at version 1' };
  for (const event of events) {
    if (event.version !== expectedVersion) return { valid: false, version: event.version, reason: `expected version ${expectedVersion}` };
    if (event.previousHash !== expectedPrevious) return { valid: false, version: event.version, reason: 'previousHash does not match the previous event' };
    if (hashEvent(event.previousHash, event) !== event.hash) return { valid: false, version: event.version, reason: 'hash does not match the content' };
    expectedPrevious = event.hash;
    expectedVersion++;
  }
  return { valid: true };
}

/** The domain event as published: metadata extended with its place in the stream. */
export function toPublishedEvent(stored: StoredEvent): DomainEvent {
  return {
    type: stored.type,
    data: stored.data,
    metadata: { ...stored.metadata, streamId: stored.streamId, streamVersion: stored.version, previousHash: stored.previousHash, hash: stored.hash },
  };
}
