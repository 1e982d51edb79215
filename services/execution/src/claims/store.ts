import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, DynamoDBDocumentClient, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ClaimKind, ClaimWrite, ServerClaim } from './rules.js';

/** A claim changed between reading and writing it (another start or a release got there first): read again. */
export class ClaimRaceError extends Error {
  override readonly name = 'ClaimRaceError';
}

/** The claims table (lifeboat-execution-server-claims-<stage>, key sourceServerId). */
export interface ServerClaimStore {
  /** The claims of these servers (consistent reads). */
  get(sourceServerIds: readonly string[]): Promise<Map<string, ServerClaim>>;
  /**
   * Writes every claim or none, each only if its item is still what it replaces (absent, or the
   * same execution and claimedAt): ClaimRaceError when one changed meanwhile.
   */
  write(writes: readonly ClaimWrite[]): Promise<void>;
  /** Undoes `write` (puts back what each claim replaced, deletes what it created), where the written claim is still there. */
  undo(writes: readonly ClaimWrite[]): Promise<void>;
  /**
   * Sets the kind of the execution's claims of these servers, and deletes them (`kind` null),
   * only where the execution still holds them with a claim made before `claimedBefore` (ISO-8601):
   * a claim made since (a retry) is newer than what the caller decided on.
   */
  settle(executionId: string, sourceServerIds: readonly string[], kind: ClaimKind | null, claimedBefore: string): Promise<void>;
}

/** TransactWriteItems takes at most 100 items; BatchGetItem at most 100 keys. */
const MAX_TRANSACTION_ITEMS = 100;
const MAX_BATCH_GET_KEYS = 100;
/** Claim transactions in flight at once. */
const TRANSACTION_CONCURRENCY = 4;
/** Settle writes in flight at once. */
const SETTLE_CONCURRENCY = 10;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/** A cancelled transaction whose reasons are all about the items (a condition, or a concurrent transaction on one). */
function isClaimRace(error: unknown): boolean {
  if (errorName(error) !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
}

async function inParallel<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function isServerClaim(value: Record<string, unknown>): boolean {
  return typeof value.sourceServerId === 'string' && typeof value.executionId === 'string' && typeof value.claimedAt === 'string' && (value.kind === 'RUNNING' || value.kind === 'DRILL_INSTANCES');
}

function toClaim(item: Record<string, unknown>): ServerClaim {
  const { sourceServerId, executionId, planId, mode, kind, claimedAt } = item as unknown as ServerClaim;
  return { sourceServerId, executionId, planId, mode, kind, claimedAt };
}

export class DynamoDbServerClaims implements ServerClaimStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get(sourceServerIds: readonly string[]): Promise<Map<string, ServerClaim>> {
    const found = new Map<string, ServerClaim>();
    for (const ids of chunks([...new Set(sourceServerIds)], MAX_BATCH_GET_KEYS)) {
      let keys: Record<string, unknown>[] = ids.map((sourceServerId) => ({ sourceServerId }));
      for (let attempt = 0; keys.length > 0; attempt++) {
        // Unprocessed keys (throttling) are asked again after a growing pause.
        if (attempt > 0) await this.sleep(Math.min(1000, 25 * 2 ** attempt));
        if (attempt > 10) throw new Error(`The claims of ${keys.length} servers could not be read (throttled)`);
        const result = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of result.Responses?.[this.tableName] ?? []) if (isServerClaim(item)) found.set(String(item.sourceServerId), toClaim(item));
        keys = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return found;
  }

  async write(writes: readonly ClaimWrite[]): Promise<void> {
    // Over 100 servers: one transaction per 100, a few at once (a 1,000-server start waited for ten
    // in a row); when one fails, those that succeeded are undone.
    const done: ClaimWrite[] = [];
    const failures: unknown[] = [];
    await inParallel(chunks(writes, MAX_TRANSACTION_ITEMS), TRANSACTION_CONCURRENCY, async (chunk) => {
      if (failures.length > 0) return;
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: chunk.map((w) => ({ Put: this.conditionalPut(w) })) }));
        done.push(...chunk);
      } catch (error) {
        failures.push(error);
      }
    });
    if (failures.length === 0) return;
    await this.undo(done);
    const race = failures.find(isClaimRace);
    if (race) throw new ClaimRaceError('A server claim changed while it was being claimed', { cause: race });
    throw failures[0];
  }

  async undo(writes: readonly ClaimWrite[]): Promise<void> {
    await inParallel(writes, SETTLE_CONCURRENCY, async ({ claim, replaces }) => {
      const stillOurs = { ConditionExpression: 'executionId = :executionId AND claimedAt = :claimedAt', ExpressionAttributeValues: { ':executionId': claim.executionId, ':claimedAt': claim.claimedAt } };
      try {
        if (replaces) await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...replaces }, ...stillOurs }));
        else await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { sourceServerId: claim.sourceServerId }, ...stillOurs }));
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    });
  }

  async settle(executionId: string, sourceServerIds: readonly string[], kind: ClaimKind | null, claimedBefore: string): Promise<void> {
    const condition = { ConditionExpression: 'executionId = :executionId AND claimedAt < :claimedBefore' };
    await inParallel([...new Set(sourceServerIds)], SETTLE_CONCURRENCY, async (sourceServerId) => {
      try {
        if (kind === null) {
          await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { sourceServerId }, ...condition, ExpressionAttributeValues: { ':executionId': executionId, ':claimedBefore': claimedBefore } }));
        } else {
          await this.doc.send(new UpdateCommand({
            TableName: this.tableName,
            Key: { sourceServerId },
            UpdateExpression: 'SET #kind = :kind',
            ExpressionAttributeNames: { '#kind': 'kind' },
            ...condition,
            ExpressionAttributeValues: { ':executionId': executionId, ':claimedBefore': claimedBefore, ':kind': kind },
          }));
        }
      } catch (error) {
        // Not (or no longer) this execution's claim: nothing to settle.
        if (!isConditionalCheckFailed(error)) throw error;
      }
    });
  }

  private conditionalPut({ claim, replaces }: ClaimWrite) {
    const base = { TableName: this.tableName, Item: { ...claim } };
    if (!replaces) return { ...base, ConditionExpression: 'attribute_not_exists(sourceServerId)' };
    return { ...base, ConditionExpression: 'executionId = :executionId AND claimedAt = :claimedAt', ExpressionAttributeValues: { ':executionId': replaces.executionId, ':claimedAt': replaces.claimedAt } };
  }
}

/** The same rules in memory, for unit tests. */
export class InMemoryServerClaims implements ServerClaimStore {
  readonly claims = new Map<string, ServerClaim>();

  async get(sourceServerIds: readonly string[]): Promise<Map<string, ServerClaim>> {
    const found = new Map<string, ServerClaim>();
    for (const id of sourceServerIds) {
      const claim = this.claims.get(id);
      if (claim) found.set(id, { ...claim });
    }
    return found;
  }

  async write(writes: readonly ClaimWrite[]): Promise<void> {
    for (const { claim, replaces } of writes) {
      const current = this.claims.get(claim.sourceServerId);
      const unchanged = replaces ? current?.executionId === replaces.executionId && current.claimedAt === replaces.claimedAt : current === undefined;
      if (!unchanged) throw new ClaimRaceError(`The claim of ${claim.sourceServerId} changed while it was being claimed`);
    }
    for (const { claim } of writes) this.claims.set(claim.sourceServerId, { ...claim });
  }

  async undo(writes: readonly ClaimWrite[]): Promise<void> {
    for (const { claim, replaces } of writes) {
      const current = this.claims.get(claim.sourceServerId);
      if (current?.executionId !== claim.executionId || current.claimedAt !== claim.claimedAt) continue;
      if (replaces) this.claims.set(claim.sourceServerId, { ...replaces });
      else this.claims.delete(claim.sourceServerId);
    }
  }

  async settle(executionId: string, sourceServerIds: readonly string[], kind: ClaimKind | null, claimedBefore: string): Promise<void> {
    for (const id of sourceServerIds) {
      const current = this.claims.get(id);
      if (current?.executionId !== executionId || !(current.claimedAt < claimedBefore)) continue;
      if (kind === null) this.claims.delete(id);
      else this.claims.set(id, { ...current, kind });
    }
  }
}
