import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '@lifeboat/events';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import type { EventStore, SnapshotStore, StoredEvent, StreamSnapshot } from './event-store.js';
import { CommitTooLargeError, StreamVersionConflictError, chainEvents } from './event-store.js';

export { CommitTooLargeError } from './event-store.js';

const gzipAsync = promisify(gzip);

/** DynamoDB's item limit is 400 KB; keep room for the key and bookkeeping attributes. */
export const MAX_COMMIT_BYTES = 380 * 1024;

/**
 * One item of the events table: a commit, i.e. every event of one decision.
 * Key: `streamId` (S) + `version` (N, the version of the commit's first event).
 */
export interface CommitItem {
  streamId: string;
  version: number;
  lastVersion: number;
  lastHash: string;
  /** The distinct event types in order of first appearance (for people reading the table; older items list every event). */
  eventTypes: string[];
  /** Absent on older items. */
  eventCount?: number;
  committedAt: string;
  /** Older items: JSON of the StoredEvent[]. */
  events?: string;
  /**
   * The same JSON, gzip-compressed (B): a 1,000-server wave start is ~900 KB of JSON and ~60 KB
   * compressed. Hashes are over each event's canonical JSON, not over these bytes.
   */
  eventsGzip?: Uint8Array;
}

/**
 * Bytes of a binary attribute: the SDK reads them as a Uint8Array; stream records (Lambda's
 * DynamoDB JSON, and the local runtime's emulation of it) carry them base64-encoded.
 */
function binaryOf(value: unknown): Buffer | undefined {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  return undefined;
}

/** The stored events of a commit item (a Query result, or a stream record's NewImage unmarshalled): text or compressed. */
export function eventsOfCommit(item: Record<string, unknown>): StoredEvent[] {
  if (typeof item.streamId === 'string') {
    if (typeof item.events === 'string') return JSON.parse(item.events) as StoredEvent[];
    const compressed = binaryOf(item.eventsGzip);
    if (compressed) return JSON.parse(gunzipSync(compressed).toString('utf8')) as StoredEvent[];
  }
  throw new Error(`Item ${String(item.streamId)}/${String(item.version)} is not an event commit`);
}

/** An item's size as DynamoDB counts it (names + values), a little over rather than under. */
function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    bytes += Buffer.byteLength(name, 'utf8');
    if (typeof value === 'string') bytes += Buffer.byteLength(value, 'utf8');
    else if (typeof value === 'number') bytes += 21;
    else if (value instanceof Uint8Array) bytes += value.byteLength;
    else if (Array.isArray(value)) bytes += 3 + value.reduce((sum: number, v: unknown) => sum + 1 + Buffer.byteLength(String(v), 'utf8'), 0);
    else bytes += Buffer.byteLength(JSON.stringify(value), 'utf8');
  }
  return bytes;
}

/**
 * Snapshots of folded streams, one item per stream (key `streamId`): the latest one, the state
 * gzip-compressed. Read eventually consistent: an older snapshot only means folding more events.
 */
export class DynamoDbSnapshotStore implements SnapshotStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async read(streamId: string): Promise<StreamSnapshot | undefined> {
    const { Item: item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { streamId } }));
    const compressed = binaryOf(item?.stateGzip);
    if (!item || !compressed || typeof item.version !== 'number' || typeof item.hash !== 'string') return undefined;
    return { streamId, version: item.version, hash: item.hash, state: JSON.parse(gunzipSync(compressed).toString('utf8')) as unknown };
  }

  async write(snapshot: StreamSnapshot): Promise<void> {
    const item = {
      streamId: snapshot.streamId,
      version: snapshot.version,
      hash: snapshot.hash,
      writtenAt: this.now().toISOString(),
      stateGzip: await gzipAsync(JSON.stringify(snapshot.state)),
    };
    const bytes = itemBytes(item);
    if (bytes > MAX_COMMIT_BYTES) throw new Error(`The snapshot of ${snapshot.streamId} at version ${snapshot.version} takes ${bytes} bytes, over ${MAX_COMMIT_BYTES}`);
    try {
      // Never replace a newer snapshot with an older one (writers race); the same version may be
      // written again (a new state format).
      await this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(streamId) OR version <= :v',
        ExpressionAttributeValues: { ':v': snapshot.version },
      }));
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException';
}

export interface DynamoDbEventStoreOptions {
  /** The snapshots table (EXECUTION_SNAPSHOTS_TABLE); without it no snapshots are read or written. */
  snapshotsTable?: string;
}

/**
 * The event store on a DynamoDB table (partition key `streamId` S, sort key `version` N).
 *
 * Each decision is written as one item holding all of its events (gzip-compressed), with one
 * conditional PutItem (`attribute_not_exists(version)` on the version after the expected one).
 * A single-item write is atomic without TransactWriteItems, which is limited to 100 items (one
 * 250-server wave starts with 252 events) and which dynalite (the local runtime's DynamoDB) does
 * not implement.
 */
/** `events` when their versions run from `first` without a gap; a gap means a commit was missed. */
function contiguous(streamId: string, events: StoredEvent[], first: number, read: string): StoredEvent[] {
  events.forEach((e, i) => {
    if (e.version !== first + i) throw new Error(`Stream ${streamId} read ${read} is not contiguous at version ${e.version}`);
  });
  return events;
}

export class DynamoDbEventStore implements EventStore {
  private readonly doc: DynamoDBDocumentClient;
  readonly snapshots?: SnapshotStore;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
    private readonly now: () => Date = () => new Date(),
    options: DynamoDbEventStoreOptions = {},
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    if (options.snapshotsTable) this.snapshots = new DynamoDbSnapshotStore(options.snapshotsTable, client, now);
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    for (const item of await this.queryCommits(streamId, 'streamId = :s', {})) events.push(...eventsOfCommit(item));
    return events;
  }

  /**
   * Items are keyed by the version of their commit's first event, so `version > afterVersion`
   * alone would miss the rest of a commit that spans `afterVersion`. Alongside (in parallel), the
   * last commit starting at or before `afterVersion` is read, kept only when it ends after it
   * (FilterExpression after Limit 1: usually nothing comes back).
   */
  async readStreamFrom(streamId: string, afterVersion: number): Promise<StoredEvent[]> {
    if (afterVersion <= 0) return this.readStream(streamId);
    const [after, spanning] = await Promise.all([
      this.queryCommits(streamId, 'streamId = :s AND version > :v', { ':v': afterVersion }),
      this.newestCommit(streamId, 'streamId = :s AND version <= :v', { ':v': afterVersion }, 'lastVersion > :v'),
    ]);
    const events: StoredEvent[] = [];
    if (spanning) events.push(...eventsOfCommit(spanning).filter((e) => e.version > afterVersion));
    for (const item of after) events.push(...eventsOfCommit(item));
    return contiguous(streamId, events, afterVersion + 1, `after version ${afterVersion}`);
  }

  /**
   * The newest commit below `beforeVersion` is read first (ScanIndexForward false, Limit 1): it
   * often holds `count` events already (a commit is one decision, up to thousands of events).
   * Otherwise the commits holding the rest are read, and only those (a Query with Limit `count`
   * would bring up to 1 MB of commits of which few are needed): the ones starting between the
   * first version wanted and that newest commit, and alongside, the one spanning that first version.
   */
  async readStreamTail(streamId: string, count: number, beforeVersion?: number): Promise<StoredEvent[]> {
    if (count < 1 || (beforeVersion !== undefined && beforeVersion <= 1)) return [];
    const below = (events: StoredEvent[]): StoredEvent[] => (beforeVersion === undefined ? events : events.filter((e) => e.version < beforeVersion));
    const newestItem = await (beforeVersion === undefined ? this.newestCommit(streamId, 'streamId = :s', {}) : this.newestCommit(streamId, 'streamId = :s AND version < :b', { ':b': beforeVersion }));
    if (!newestItem) return [];
    const latest = below(eventsOfCommit(newestItem));
    const end = latest.at(-1)?.version ?? 0;
    const first = Math.max(1, end - count + 1);
    const newestStart = Number(newestItem.version);
    if (first >= newestStart) return latest.filter((e) => e.version >= first);
    const [between, spanning] = await Promise.all([
      first + 1 <= newestStart - 1 ? this.queryCommits(streamId, 'streamId = :s AND version BETWEEN :from AND :to', { ':from': first + 1, ':to': newestStart - 1 }) : Promise.resolve([]),
      this.newestCommit(streamId, 'streamId = :s AND version <= :v', { ':v': first }),
    ]);
    const events: StoredEvent[] = [];
    if (spanning) events.push(...eventsOfCommit(spanning).filter((e) => e.version >= first));
    for (const item of between) events.push(...eventsOfCommit(item));
    events.push(...latest);
    return contiguous(streamId, events, first, `back from ${beforeVersion ?? 'its end'}`);
  }

  async appendToStream(streamId: string, expectedVersion: number, events: readonly DomainEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const previousHash = expectedVersion === 0 ? null : await this.hashAt(streamId, expectedVersion);
    const stored = chainEvents(streamId, expectedVersion, previousHash, events);
    const last = stored.at(-1);
    if (!last) return [];
    const item: CommitItem = {
      streamId,
      version: expectedVersion + 1,
      lastVersion: last.version,
      lastHash: last.hash,
      eventTypes: [...new Set(stored.map((e) => e.type))],
      eventCount: stored.length,
      committedAt: this.now().toISOString(),
      // Always compressed: even one event's ~1 KB halves (write units are 1 KB); gzip costs ~5 ms per 1,000 events.
      eventsGzip: await gzipAsync(JSON.stringify(stored)),
    };
    const bytes = itemBytes({ ...item });
    if (bytes > MAX_COMMIT_BYTES) throw new CommitTooLargeError(streamId, bytes, MAX_COMMIT_BYTES);
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(version)' }));
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new StreamVersionConflictError(streamId, expectedVersion, { cause: error });
      throw error;
    }
    return stored;
  }

  /** Every commit item of the stream matching the key condition, in version order (all pages). */
  /** The newest commit matching the key condition (and `filter`, applied after Limit 1: it may answer none). */
  private async newestCommit(streamId: string, keyCondition: string, values: Record<string, unknown>, filter?: string): Promise<Record<string, unknown> | undefined> {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: keyCondition,
        ...(filter ? { FilterExpression: filter } : {}),
        ExpressionAttributeValues: { ':s': streamId, ...values },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return page.Items?.[0];
  }

  private async queryCommits(streamId: string, keyCondition: string, values: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: keyCondition,
          ExpressionAttributeValues: { ':s': streamId, ...values },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /**
   * The hash of the event at `version`, which must be the last event of a commit (a version read
   * from the stream always is); anything else means the stream moved: a conflict.
   */
  private async hashAt(streamId: string, version: number): Promise<string> {
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'streamId = :s AND version <= :v',
        ExpressionAttributeValues: { ':s': streamId, ':v': version },
        ProjectionExpression: 'lastVersion, lastHash',
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const commit = page.Items?.[0];
    if (!commit || commit.lastVersion !== version || typeof commit.lastHash !== 'string') throw new StreamVersionConflictError(streamId, version);
    return commit.lastHash;
  }
}
