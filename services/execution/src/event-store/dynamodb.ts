import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '@lifeboat/events';
import type { EventStore, StoredEvent } from './event-store.js';
import { StreamVersionConflictError, chainEvents } from './event-store.js';

/** DynamoDB's item limit is 400 KB; keep room for the key and bookkeeping attributes. */
export const MAX_COMMIT_BYTES = 380 * 1024;

/** The events of one decision do not fit in one item. */
export class CommitTooLargeError extends Error {
  override readonly name = 'CommitTooLargeError';
  constructor(
    readonly streamId: string,
    readonly bytes: number,
  ) {
    super(`The ${bytes} bytes of events to append to ${streamId} exceed the ${MAX_COMMIT_BYTES} bytes of one commit`);
  }
}

/**
 * One item of the events table: a commit, i.e. every event of one decision.
 * Key: `streamId` (S) + `version` (N, the version of the commit's first event).
 */
export interface CommitItem {
  streamId: string;
  version: number;
  lastVersion: number;
  lastHash: string;
  eventTypes: string[];
  committedAt: string;
  /** JSON of the StoredEvent[] (kept as text so that hashes are checked over the exact bytes). */
  events: string;
}

/** The stored events of a commit item (a Query result, or a stream record's NewImage unmarshalled). */
export function eventsOfCommit(item: Record<string, unknown>): StoredEvent[] {
  if (typeof item.events !== 'string' || typeof item.streamId !== 'string') throw new Error(`Item ${String(item.streamId)}/${String(item.version)} is not an event commit`);
  return JSON.parse(item.events) as StoredEvent[];
}

/**
 * The event store on a DynamoDB table (partition key `streamId` S, sort key `version` N).
 *
 * Each decision is written as one item holding all of its events, with one conditional PutItem
 * (`attribute_not_exists(version)` on the version after the expected one). A single-item write
 * is atomic without TransactWriteItems, which is limited to 100 items (one 250-server wave starts
 * with 252 events) and which dynalite (the local runtime's DynamoDB) does not implement.
 */
export class DynamoDbEventStore implements EventStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
    private readonly now: () => Date = () => new Date(),
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'streamId = :s',
          ExpressionAttributeValues: { ':s': streamId },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) events.push(...eventsOfCommit(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return events;
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
      eventTypes: stored.map((e) => e.type),
      committedAt: this.now().toISOString(),
      events: JSON.stringify(stored),
    };
    const bytes = Buffer.byteLength(item.events, 'utf8');
    if (bytes > MAX_COMMIT_BYTES) throw new CommitTooLargeError(streamId, bytes);
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(version)' }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') {
        throw new StreamVersionConflictError(streamId, expectedVersion, { cause: error });
      }
      throw error;
    }
    return stored;
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
