import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { GroupRecord } from '../domain/protection-groups.js';
import { supersedes } from '../domain/protection-groups.js';
import type { GroupStore } from '../ports.js';
import { isConditionFailed } from './servers-table.js';

/** Tombstones of deleted groups outlive any late event, then expire (TTL attribute `expiresAt`). */
const TOMBSTONE_TTL_SECONDS = 7 * 24 * 3600;

/** The groups table (`CatalogGroupsTable`, key protectionGroupId): the latest known state of each group. */
export class DynamoGroupStore implements GroupStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async apply(record: GroupRecord): Promise<GroupRecord> {
    const expiresAt = record.deleted ? { expiresAt: Math.floor(this.now().getTime() / 1000) + TOMBSTONE_TTL_SECONDS } : {};
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record, ...expiresAt },
          // Events arrive in any order: only a later event replaces what an earlier one left.
          ConditionExpression: 'attribute_not_exists(protectionGroupId) OR #position < :position',
          ExpressionAttributeNames: { '#position': 'position' },
          ExpressionAttributeValues: { ':position': record.position },
        }),
      );
      return record;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { protectionGroupId: record.protectionGroupId }, ConsistentRead: true }));
      return (Item as GroupRecord | undefined) ?? record;
    }
  }

  async listAll(): Promise<GroupRecord[]> {
    const records: GroupRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
      records.push(...((page.Items ?? []) as GroupRecord[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }
}

/** The in-memory twin of DynamoGroupStore. */
export class InMemoryGroupStore implements GroupStore {
  readonly groups = new Map<string, GroupRecord>();

  async apply(record: GroupRecord): Promise<GroupRecord> {
    const current = this.groups.get(record.protectionGroupId);
    if (!supersedes(record, current)) return structuredClone(current ?? record);
    this.groups.set(record.protectionGroupId, structuredClone(record));
    return record;
  }

  async listAll(): Promise<GroupRecord[]> {
    return [...this.groups.values()].map((g) => structuredClone(g));
  }
}
