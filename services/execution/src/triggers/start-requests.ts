import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainEvent } from '@lifeboat/events';

/**
 * What Lifeboat remembers of one start request (a source and its requestId): the execution id
 * reserved for it before anything is started, so that handling it again (a redelivery, the
 * requester sending it again, a retry after a crash) starts that execution or nothing, and the
 * outcome once known, so that a refusal is answered again with the same event.
 */
export interface StartRequestRecord {
  executionId: string;
  /** Of the request's content: the same requestId with other content is another request. */
  fingerprint: string;
  outcome?: 'STARTED' | 'REFUSED';
  /** REFUSED: the ExecutionStartRefused published. */
  refusal?: DomainEvent;
}

export type StartRequestOutcome = { outcome: 'STARTED' } | { outcome: 'REFUSED'; refusal: DomainEvent };

export interface StartRequestLog {
  get(source: string, requestId: string): Promise<StartRequestRecord | undefined>;
  /**
   * Takes the request for `leaseMs` (creating its record with `fresh` when it has none): answers
   * the record, or undefined when it cannot be taken (another handling holds it, it has an
   * outcome, or the record is another request's).
   */
  lease(source: string, requestId: string, fresh: { executionId: string; fingerprint: string }, now: Date, leaseMs: number): Promise<StartRequestRecord | undefined>;
  /** Records the outcome and lets the request go. */
  finish(source: string, requestId: string, outcome: StartRequestOutcome): Promise<void>;
  /** Lets the request go without an outcome (it is to be tried again). */
  unlock(source: string, requestId: string): Promise<void>;
}

/** Kept for 30 days (the table's TTL attribute `expiration`, epoch seconds). */
const KEEP_SECONDS = 30 * 24 * 3600;

/** Every attribute by name: some (id, expiration) may be DynamoDB reserved words. */
const NAMES = { '#id': 'id', '#executionId': 'executionId', '#fingerprint': 'fingerprint', '#expiration': 'expiration', '#leaseUntil': 'leaseUntil', '#outcome': 'outcome' };

function keyOf(source: string, requestId: string): string {
  return `start-request#${source}#${requestId}`;
}

function toRecord(item: Record<string, unknown>): StartRequestRecord {
  const outcome = item.outcome === 'STARTED' || item.outcome === 'REFUSED' ? item.outcome : undefined;
  return {
    executionId: String(item.executionId),
    fingerprint: String(item.fingerprint),
    ...(outcome ? { outcome } : {}),
    ...(typeof item.refusal === 'string' ? { refusal: JSON.parse(item.refusal) as DomainEvent } : {}),
  };
}

/**
 * In the execution service's idempotency table (key `id`, TTL `expiration`), beside Powertools'
 * records, under keys `start-request#<source>#<requestId>`.
 */
export class DynamoDbStartRequestLog implements StartRequestLog {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(source: string, requestId: string): Promise<StartRequestRecord | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { id: keyOf(source, requestId) }, ConsistentRead: true }));
    return Item && typeof Item.executionId === 'string' ? toRecord(Item) : undefined;
  }

  async lease(source: string, requestId: string, fresh: { executionId: string; fingerprint: string }, now: Date, leaseMs: number): Promise<StartRequestRecord | undefined> {
    try {
      const { Attributes } = await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { id: keyOf(source, requestId) },
        UpdateExpression: 'SET #executionId = if_not_exists(#executionId, :executionId), #fingerprint = if_not_exists(#fingerprint, :fingerprint), #expiration = if_not_exists(#expiration, :expiration), #leaseUntil = :leaseUntil',
        ConditionExpression: 'attribute_not_exists(#id) OR (#fingerprint = :fingerprint AND attribute_not_exists(#outcome) AND (attribute_not_exists(#leaseUntil) OR #leaseUntil < :now))',
        ExpressionAttributeNames: NAMES,
        ExpressionAttributeValues: {
          ':executionId': fresh.executionId,
          ':fingerprint': fresh.fingerprint,
          ':expiration': Math.floor(now.getTime() / 1000) + KEEP_SECONDS,
          ':leaseUntil': now.getTime() + leaseMs,
          ':now': now.getTime(),
        },
        ReturnValues: 'ALL_NEW',
      }));
      return Attributes ? toRecord(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined;
      throw error;
    }
  }

  async finish(source: string, requestId: string, outcome: StartRequestOutcome): Promise<void> {
    await this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { id: keyOf(source, requestId) },
      UpdateExpression: outcome.outcome === 'REFUSED' ? 'SET #outcome = :outcome, #refusal = :refusal REMOVE #leaseUntil' : 'SET #outcome = :outcome REMOVE #leaseUntil',
      ConditionExpression: 'attribute_exists(#id)',
      ExpressionAttributeNames: { '#id': 'id', '#outcome': 'outcome', '#leaseUntil': 'leaseUntil', ...(outcome.outcome === 'REFUSED' ? { '#refusal': 'refusal' } : {}) },
      ExpressionAttributeValues: { ':outcome': outcome.outcome, ...(outcome.outcome === 'REFUSED' ? { ':refusal': JSON.stringify(outcome.refusal) } : {}) },
    }));
  }

  async unlock(source: string, requestId: string): Promise<void> {
    await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: { id: keyOf(source, requestId) }, UpdateExpression: 'REMOVE #leaseUntil', ConditionExpression: 'attribute_exists(#id)', ExpressionAttributeNames: { '#id': 'id', '#leaseUntil': 'leaseUntil' } }));
  }
}

/** The same rules in memory, for unit tests. */
export class InMemoryStartRequestLog implements StartRequestLog {
  readonly records = new Map<string, StartRequestRecord & { leaseUntil?: number }>();

  async get(source: string, requestId: string): Promise<StartRequestRecord | undefined> {
    const record = this.records.get(keyOf(source, requestId));
    if (!record) return undefined;
    const { leaseUntil: _lease, ...rest } = record;
    return structuredClone(rest);
  }

  async lease(source: string, requestId: string, fresh: { executionId: string; fingerprint: string }, now: Date, leaseMs: number): Promise<StartRequestRecord | undefined> {
    const key = keyOf(source, requestId);
    const record = this.records.get(key);
    if (record && (record.fingerprint !== fresh.fingerprint || record.outcome || (record.leaseUntil !== undefined && record.leaseUntil >= now.getTime()))) return undefined;
    const next = { ...(record ?? fresh), leaseUntil: now.getTime() + leaseMs };
    this.records.set(key, next);
    return this.get(source, requestId);
  }

  async finish(source: string, requestId: string, outcome: StartRequestOutcome): Promise<void> {
    const key = keyOf(source, requestId);
    const record = this.records.get(key);
    if (!record) throw new Error(`No start request ${key}`);
    const { leaseUntil: _lease, ...rest } = record;
    this.records.set(key, { ...rest, ...structuredClone(outcome) });
  }

  async unlock(source: string, requestId: string): Promise<void> {
    const key = keyOf(source, requestId);
    const record = this.records.get(key);
    if (!record) throw new Error(`No start request ${key}`);
    const { leaseUntil: _lease, ...rest } = record;
    this.records.set(key, rest);
  }
}
