import { createHash } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Actor } from '@lifeboat/events';
import type { SourceServerFilter, SourceServerView } from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';
import type { GroupAssignment } from '../domain/inventory.js';
import type { CurrentAssignment } from '../domain/protection-groups.js';
import { READY_REPLICATION_STATE } from '../domain/inventory.js';
import type { ChangeCause, ServerPage, ServerQuery, ServerStore, ServerWrite, StoredServer } from '../ports.js';

/** BatchWriteItem takes at most 25 requests. */
const BATCH_SIZE = 25;
/** Batches in flight at once during a sync. */
const PARALLEL_BATCHES = 4;
const MAX_ATTEMPTS = 8;
/** Query calls one listSourceServers page may make before it answers a short page. */
const MAX_QUERIES_PER_PAGE = 10;
/** How long the tombstone of a removed server is kept (TTL attribute `expiresAt`). */
const TOMBSTONE_TTL_SECONDS = 7 * 24 * 3600;
export const UNASSIGNED = '#unassigned';

/**
 * The index a listing reads, by its partition key attribute. Every index sorts by `sortKey`
 * (lowercased hostname, then id), so every listing is in hostname order. Tombstones carry none of
 * these attributes, so the indexes hold live servers only.
 */
export const INDEXES = {
  byHostname: 'kind',
  byTarget: 'targetKey',
  byAccount: 'accountKey',
  byGroup: 'groupKey',
  byState: 'stateKey',
} as const;
type IndexName = keyof typeof INDEXES;

type Item = Record<string, unknown>;
type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

/** The attributes of a live server item that are not part of its view. */
const BOOKKEEPING = ['kind', 'targetKey', 'accountKey', 'groupKey', 'stateKey', 'sortKey', 'hostnameLower', 'observedAt', 'revision', 'changedAt', 'changedBy', 'correlationId', 'causationId', 'removedAt', 'expiresAt'];

export function sortKeyOf(server: Pick<SourceServerView, 'hostname' | 'sourceServerId'>): string {
  return `${server.hostname.toLowerCase()}#${server.sourceServerId}`;
}

function causeAttributes(cause: ChangeCause): Item {
  return { changedBy: cause.actor, correlationId: cause.correlationId, causationId: cause.causationId ?? null };
}

/** The changedAt of a write: its cause's time, and always after the previous write of the server. */
export function nextChangedAt(cause: ChangeCause, previous: { changedAt: string } | undefined): string {
  if (!previous || previous.changedAt < cause.at) return cause.at;
  return new Date(new Date(previous.changedAt).getTime() + 1).toISOString();
}

/** The item of a live server. */
export function itemOf(server: SourceServerView, revision: number, changedAt: string, cause: ChangeCause): Item {
  const { lastSeenAt, ...view } = server;
  return {
    ...view,
    kind: 'server',
    targetKey: `${server.accountId}#${server.region}`,
    accountKey: server.accountId,
    groupKey: server.protectionGroupId ?? UNASSIGNED,
    stateKey: server.replicationState,
    sortKey: sortKeyOf(server),
    hostnameLower: server.hostname.toLowerCase(),
    observedAt: lastSeenAt,
    revision,
    changedAt,
    ...causeAttributes(cause),
  };
}

/** The item that replaces a removed server: enough to announce the removal, in no index. */
export function tombstoneOf(previous: StoredServer, changedAt: string, cause: ChangeCause): Item {
  const { sourceServerId, accountId, region, arn } = previous.server;
  return {
    sourceServerId,
    accountId,
    region,
    arn,
    removedAt: changedAt,
    revision: previous.revision + 1,
    changedAt,
    ...causeAttributes(cause),
    expiresAt: Math.floor(new Date(changedAt).getTime() / 1000) + TOMBSTONE_TTL_SECONDS,
  };
}

/** The server of an item; undefined for a tombstone (or nothing). */
export function serverOfItem(item: Item | undefined): SourceServerView | undefined {
  if (!item || item.removedAt !== undefined || item.kind !== 'server') return undefined;
  const view: Item = {};
  for (const [key, value] of Object.entries(item)) if (!BOOKKEEPING.includes(key) && value !== null) view[key] = value;
  view.lastSeenAt = item.observedAt;
  return view as unknown as SourceServerView;
}

export function storedOfItem(item: Item | undefined): StoredServer | undefined {
  const server = serverOfItem(item);
  if (!server || !item) return undefined;
  return { server, revision: Number(item.revision ?? 0), changedAt: String(item.changedAt ?? server.lastSeenAt) };
}

/** The cause recorded on an item (for the events its write announces). */
export function causeOfItem(item: Item): ChangeCause {
  return {
    at: String(item.changedAt),
    actor: (item.changedBy as Actor | undefined) ?? { type: 'system', id: 'lifeboat-catalog' },
    correlationId: typeof item.correlationId === 'string' && item.correlationId !== '' ? item.correlationId : `catalog-${String(item.sourceServerId)}`,
    causationId: typeof item.causationId === 'string' ? item.causationId : null,
  };
}

function itemOfWrite(write: ServerWrite, cause: ChangeCause): Item {
  const changedAt = nextChangedAt(cause, write.previous);
  if (write.kind === 'remove') return tombstoneOf(write.previous, changedAt, cause);
  return itemOf(write.server, (write.previous?.revision ?? 0) + 1, changedAt, cause);
}

/** The servers table (`CatalogServersTable`): one item per server, live or a tombstone. */
export class DynamoServerStore implements ServerStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async listTarget(accountId: string, region: string): Promise<StoredServer[]> {
    const servers: StoredServer[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byTarget',
          KeyConditionExpression: 'targetKey = :target',
          ExpressionAttributeValues: { ':target': `${accountId}#${region}` },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const stored = storedOfItem(item);
        if (stored) servers.push(stored);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return servers;
  }

  async get(sourceServerId: string): Promise<StoredServer | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { sourceServerId }, ConsistentRead: true }));
    return storedOfItem(Item);
  }

  async write(writes: readonly ServerWrite[], cause: ChangeCause): Promise<void> {
    const requests: WriteRequest[] = writes.map((write) => ({ PutRequest: { Item: itemOfWrite(write, cause) } }));
    const batches: WriteRequest[][] = [];
    for (let start = 0; start < requests.length; start += BATCH_SIZE) batches.push(requests.slice(start, start + BATCH_SIZE));
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < batches.length; index = next++) await this.writeBatch(batches[index] ?? []);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, worker));
  }

  private async writeBatch(batch: WriteRequest[]): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS) throw new Error(`${pending.length} write(s) to ${this.tableName} stayed unprocessed after ${MAX_ATTEMPTS} attempts`);
      // Exponential backoff with jitter: unprocessed items mean the table is throttling.
      if (attempt > 1) await this.sleep(Math.round(50 * 2 ** (attempt - 2) * (0.5 + Math.random() / 2)));
      const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
      pending = (result.UnprocessedItems?.[this.tableName] ?? []) as WriteRequest[];
    }
  }

  async writeIfUnchanged(write: ServerWrite, cause: ChangeCause): Promise<boolean> {
    const previous = write.previous;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: itemOfWrite(write, cause),
          // A tombstone counts as absent: a server DRS lists again is discovered again.
          ConditionExpression: previous ? 'revision = :revision AND attribute_not_exists(removedAt)' : 'attribute_not_exists(sourceServerId) OR attribute_exists(removedAt)',
          ...(previous ? { ExpressionAttributeValues: { ':revision': previous.revision } } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async assignedTo(protectionGroupId: string): Promise<CurrentAssignment[]> {
    const assigned: CurrentAssignment[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byGroup',
          KeyConditionExpression: 'groupKey = :group',
          ExpressionAttributeValues: { ':group': protectionGroupId },
          ProjectionExpression: 'sourceServerId, protectionGroupName',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        assigned.push({ sourceServerId: String(item.sourceServerId), ...(typeof item.protectionGroupName === 'string' ? { protectionGroupName: item.protectionGroupName } : {}) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return assigned;
  }

  async setGroup(sourceServerIds: readonly string[], group: GroupAssignment | undefined, protectionGroupId: string): Promise<void> {
    for (const sourceServerId of sourceServerIds) {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { sourceServerId },
            ...(group
              ? {
                  UpdateExpression: 'SET groupKey = :group, protectionGroupId = :group, protectionGroupName = :name, revision = revision + :one',
                  ConditionExpression: 'attribute_exists(kind)',
                  ExpressionAttributeValues: { ':group': group.protectionGroupId, ':name': group.name, ':one': 1 },
                }
              : {
                  // Only where this group still holds it: a server moved to another group stays there.
                  UpdateExpression: 'SET groupKey = :unassigned, revision = revision + :one REMOVE protectionGroupId, protectionGroupName',
                  ConditionExpression: 'attribute_exists(kind) AND groupKey = :group',
                  ExpressionAttributeValues: { ':unassigned': UNASSIGNED, ':group': protectionGroupId, ':one': 1 },
                }),
          }),
        );
      } catch (error) {
        // An unknown or removed server (the next sync assigns it from the groups table), or one
        // that left this group meanwhile.
        if (!isConditionFailed(error)) throw error;
      }
    }
  }

  async query(query: ServerQuery): Promise<ServerPage> {
    const plan = planQuery(query.filter);
    const fingerprint = fingerprintOf(query);
    let startKey = query.nextToken === undefined ? undefined : decodeToken(query.nextToken, plan.index, fingerprint);
    const items: Item[] = [];
    let lastKey: Item | undefined;
    for (let calls = 0; calls < MAX_QUERIES_PER_PAGE && items.length < query.limit; calls++) {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: plan.index,
          KeyConditionExpression: '#pk = :pk',
          ...(plan.filter ? { FilterExpression: plan.filter } : {}),
          ExpressionAttributeNames: { '#pk': INDEXES[plan.index], ...plan.names },
          ExpressionAttributeValues: { ':pk': plan.partition, ...plan.values },
          ScanIndexForward: !query.descending,
          // Without a filter every item read is answered (one more tells whether more follow);
          // with one, read more to fill the page.
          Limit: plan.filter ? 1000 : query.limit - items.length + 1,
          ExclusiveStartKey: startKey,
        }),
      );
      const found = page.Items ?? [];
      const room = query.limit - items.length;
      items.push(...found.slice(0, room));
      if (found.length > room) {
        // The page is full before the end of what DynamoDB read: go on after the last answered item.
        const last = items[items.length - 1] ?? {};
        lastKey = { sourceServerId: last.sourceServerId, sortKey: last.sortKey, [INDEXES[plan.index]]: last[INDEXES[plan.index]] };
        break;
      }
      lastKey = page.LastEvaluatedKey;
      startKey = lastKey;
      if (!lastKey) break;
    }
    return {
      items: items.map(serverOfItem).filter((server): server is SourceServerView => server !== undefined),
      nextToken: lastKey ? encodeToken(plan.index, fingerprint, lastKey) : null,
    };
  }
}

interface QueryPlan {
  index: IndexName;
  partition: string;
  filter?: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * The index that narrows a listing most (a protection group, the unassigned servers, an account
 * and region, a replication state, readiness, an account; else every server), and the rest of the
 * filter as a FilterExpression.
 */
export function planQuery(filter: SourceServerFilter): QueryPlan {
  const conditions: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const where = (condition: string, name: Record<string, string>, value: Record<string, unknown>) => {
    conditions.push(condition);
    Object.assign(names, name);
    Object.assign(values, value);
  };
  let index: IndexName;
  let partition: string;
  if (filter.protectionGroupId !== undefined) [index, partition] = ['byGroup', filter.protectionGroupId];
  else if (filter.unassigned === true) [index, partition] = ['byGroup', UNASSIGNED];
  else if (filter.accountId !== undefined && filter.region !== undefined) [index, partition] = ['byTarget', `${filter.accountId}#${filter.region}`];
  else if (filter.replicationState !== undefined) [index, partition] = ['byState', filter.replicationState];
  else if (filter.ready === true) [index, partition] = ['byState', READY_REPLICATION_STATE];
  else if (filter.accountId !== undefined) [index, partition] = ['byAccount', filter.accountId];
  else [index, partition] = ['byHostname', 'server'];

  if (filter.accountId !== undefined && index !== 'byTarget' && index !== 'byAccount') where('#account = :account', { '#account': 'accountId' }, { ':account': filter.accountId });
  if (filter.region !== undefined && index !== 'byTarget') where('#region = :region', { '#region': 'region' }, { ':region': filter.region });
  if (filter.replicationState !== undefined && index !== 'byState') where('#state = :state', { '#state': 'replicationState' }, { ':state': filter.replicationState });
  if (filter.ready !== undefined && !(index === 'byState' && filter.ready && filter.replicationState === undefined)) where('#ready = :ready', { '#ready': 'readyForRecovery' }, { ':ready': filter.ready });
  if (filter.unassigned === false) where('#group <> :unassigned', { '#group': 'groupKey' }, { ':unassigned': UNASSIGNED });
  if (filter.tag !== undefined) {
    if (filter.tag.value === undefined) where('attribute_exists(#tags.#tagKey)', { '#tags': 'tags', '#tagKey': filter.tag.key }, {});
    else where('#tags.#tagKey = :tagValue', { '#tags': 'tags', '#tagKey': filter.tag.key }, { ':tagValue': filter.tag.value });
  }
  if (filter.search !== undefined && filter.search !== '') where('contains(#hostname, :search)', { '#hostname': 'hostnameLower' }, { ':search': filter.search.toLowerCase() });
  return { index, partition, names, values, ...(conditions.length > 0 ? { filter: conditions.join(' AND ') } : {}) };
}

function fingerprintOf(query: ServerQuery): string {
  const canonical = JSON.stringify([query.descending, Object.entries(query.filter).sort(([a], [b]) => a.localeCompare(b))]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
}

/** The opaque nextToken: the index, the query's fingerprint and the key to go on after, base64url JSON. */
export function encodeToken(index: string, fingerprint: string, key: Item): string {
  return Buffer.from(JSON.stringify({ i: index, q: fingerprint, k: key }), 'utf8').toString('base64url');
}

export function decodeToken(token: string, index: string, fingerprint: string): Item {
  const invalid = (message = 'is not a token returned by listSourceServers') => new ValidationError(message, 'nextToken');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    throw Object.assign(invalid(), { cause: error });
  }
  const { i, q, k } = (decoded && typeof decoded === 'object' ? decoded : {}) as { i?: unknown; q?: unknown; k?: unknown };
  if (typeof i !== 'string' || typeof q !== 'string' || !k || typeof k !== 'object') throw invalid();
  if (i !== index || q !== fingerprint) throw invalid('belongs to a listing with another filter or sort');
  const key = k as Item;
  if (typeof key.sourceServerId !== 'string' || typeof key.sortKey !== 'string') throw invalid();
  return key;
}

export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
