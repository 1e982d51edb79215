import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '@lifeboat/service-api';
import type { TargetAccount } from '../domain/targets.js';
import type { SyncStatus, TargetStore } from '../ports.js';
import { isConditionFailed } from './servers-table.js';

/** The entry of an account's configuration; its sync statuses are `sync#<region>`. */
const ACCOUNT_ENTRY = 'account';
const SYNC_PREFIX = 'sync#';

type Item = Record<string, unknown>;

function accountOf(item: Item): TargetAccount {
  const { entry: _entry, ...account } = item;
  return account as unknown as TargetAccount;
}

function statusOf(item: Item): SyncStatus {
  const { entry: _entry, ...status } = item;
  return status as unknown as SyncStatus;
}

/**
 * The targets table (`CatalogTargetsTable`, key accountId + entry): per account one `account`
 * entry (its configuration) and one `sync#<region>` entry per region (the last sync). Kept apart
 * so that a sync recording its status never overwrites an admin's change.
 */
export class DynamoTargetStore implements TargetStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async scan(prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(#entry, :prefix)',
          ExpressionAttributeNames: { '#entry': 'entry' },
          ExpressionAttributeValues: { ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  async list(): Promise<TargetAccount[]> {
    return (await this.scan(ACCOUNT_ENTRY)).map(accountOf);
  }

  async get(accountId: string): Promise<TargetAccount | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { accountId, entry: ACCOUNT_ENTRY }, ConsistentRead: true }));
    return Item ? accountOf(Item) : undefined;
  }

  async create(target: TargetAccount): Promise<void> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...target, entry: ACCOUNT_ENTRY }, ConditionExpression: 'attribute_not_exists(accountId)' }));
    } catch (error) {
      if (isConditionFailed(error)) throw new ConflictError(`account ${target.accountId} is a target already; update it instead`, 'accountId', { cause: error });
      throw error;
    }
  }

  async replace(target: TargetAccount): Promise<void> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...target, entry: ACCOUNT_ENTRY }, ConditionExpression: 'attribute_exists(accountId)' }));
    } catch (error) {
      if (isConditionFailed(error)) throw new NotFoundError(`account ${target.accountId} is not a target`, 'accountId', { cause: error });
      throw error;
    }
  }

  async remove(accountId: string): Promise<boolean> {
    const { Items = [] } = await this.db.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'accountId = :account', ExpressionAttributeValues: { ':account': accountId }, ConsistentRead: true }));
    if (!Items.some((item) => item.entry === ACCOUNT_ENTRY)) return false;
    for (let start = 0; start < Items.length; start += 25) {
      const requests = Items.slice(start, start + 25).map((item) => ({ DeleteRequest: { Key: { accountId, entry: item.entry } } }));
      let pending: unknown[] = requests;
      for (let attempt = 0; pending.length > 0 && attempt < 8; attempt++) {
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as typeof requests } }));
        pending = result.UnprocessedItems?.[this.tableName] ?? [];
      }
      if (pending.length > 0) throw new Error(`could not remove every entry of account ${accountId}`);
    }
    return true;
  }

  async statuses(): Promise<SyncStatus[]> {
    return (await this.scan(SYNC_PREFIX)).map(statusOf);
  }

  async recordSync(status: SyncStatus): Promise<void> {
    const { accountId, region, ...fields } = status;
    const set: string[] = [];
    const remove: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    for (const field of ['status', 'lastAttemptAt', 'lastSuccessAt', 'error', 'serverCount', 'discovered', 'changed', 'removed', 'durationMs'] as const) {
      const value = fields[field];
      names[`#${field}`] = field;
      // A failed attempt keeps the counts and the time of the last success.
      if (value !== undefined) {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      } else if (field === 'error') remove.push(`#${field}`);
      else delete names[`#${field}`];
    }
    names['#region'] = 'region';
    set.push('#region = :region');
    values[':region'] = region;
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { accountId, entry: `${SYNC_PREFIX}${region}` },
        UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async forgetSync(accountId: string, region: string): Promise<void> {
    await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: [{ DeleteRequest: { Key: { accountId, entry: `${SYNC_PREFIX}${region}` } } }] } }));
  }
}

/** The in-memory twin of DynamoTargetStore. */
export class InMemoryTargetStore implements TargetStore {
  readonly accounts = new Map<string, TargetAccount>();
  readonly syncs = new Map<string, SyncStatus>();

  async list(): Promise<TargetAccount[]> {
    return [...this.accounts.values()].map((a) => structuredClone(a));
  }

  async get(accountId: string): Promise<TargetAccount | undefined> {
    const account = this.accounts.get(accountId);
    return account && structuredClone(account);
  }

  async create(target: TargetAccount): Promise<void> {
    if (this.accounts.has(target.accountId)) throw new ConflictError(`account ${target.accountId} is a target already; update it instead`, 'accountId');
    this.accounts.set(target.accountId, structuredClone(target));
  }

  async replace(target: TargetAccount): Promise<void> {
    if (!this.accounts.has(target.accountId)) throw new NotFoundError(`account ${target.accountId} is not a target`, 'accountId');
    this.accounts.set(target.accountId, structuredClone(target));
  }

  async remove(accountId: string): Promise<boolean> {
    for (const key of [...this.syncs.keys()]) if (key.startsWith(`${accountId}#`)) this.syncs.delete(key);
    return this.accounts.delete(accountId);
  }

  async statuses(): Promise<SyncStatus[]> {
    return [...this.syncs.values()].map((s) => structuredClone(s));
  }

  async recordSync(status: SyncStatus): Promise<void> {
    const key = `${status.accountId}#${status.region}`;
    const previous = this.syncs.get(key);
    const next: SyncStatus = { ...(previous ?? {}), ...structuredClone(status) };
    if (!status.error) delete next.error;
    this.syncs.set(key, next);
  }

  async forgetSync(accountId: string, region: string): Promise<void> {
    this.syncs.delete(`${accountId}#${region}`);
  }
}
