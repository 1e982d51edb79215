import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { InventoryRecord, InventoryServer } from '../domain/inventory.js';
import { serverOf } from '../domain/inventory.js';
import type { InventoryStore } from '../ports.js';
import { batchGet, isConditionFailed } from './dynamo.js';

/**
 * Planning's inventory table (`PlanningInventoryTable`, key `sourceServerId`): one record per
 * server, live or a tombstone (`removed`, deleted by TTL on `expiration`).
 */
export class DynamoInventoryStore implements InventoryStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async apply(record: InventoryRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record },
          // Events arrive in any order: only a later event replaces what an earlier one left.
          ConditionExpression: 'attribute_not_exists(sourceServerId) OR #position < :position',
          ExpressionAttributeNames: { '#position': 'position' },
          ExpressionAttributeValues: { ':position': record.position },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async getMany(sourceServerIds: readonly string[]): Promise<Map<string, InventoryServer>> {
    const servers = new Map<string, InventoryServer>();
    for (const record of await batchGet<InventoryRecord>(this.db, this.tableName, 'sourceServerId', sourceServerIds)) {
      const server = serverOf(record);
      if (server) servers.set(server.sourceServerId, server);
    }
    return servers;
  }

  /** A filtered scan: selectors are saved rarely, and the table holds one record per server. */
  async listSite(accountId: string, region: string): Promise<InventoryServer[]> {
    const servers: InventoryServer[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          FilterExpression: 'accountId = :account AND #region = :region AND #removed = :false',
          ExpressionAttributeNames: { '#region': 'region', '#removed': 'removed' },
          ExpressionAttributeValues: { ':account': accountId, ':region': region, ':false': false },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const record of (page.Items ?? []) as InventoryRecord[]) {
        const server = serverOf(record);
        if (server) servers.push(server);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return servers;
  }
}
