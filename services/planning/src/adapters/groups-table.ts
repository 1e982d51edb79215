import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ProtectionGroupView } from '@lifeboat/service-api';
import type { Membership } from '../domain/protection-group.js';
import type { ProtectionGroupStore } from '../ports.js';
import { ServersTakenError } from '../ports.js';
import { batchGet, scanAll } from './dynamo.js';

/** How often a transaction that lost only to another transaction in flight is tried again. */
const MAX_TRANSACTION_ATTEMPTS = 3;

interface CancellationReason {
  Code?: string;
  Item?: Record<string, unknown>;
}

/** A string attribute of an item, marshalled (`{ S: '...' }`, as in a cancellation reason) or not. */
function stringAttribute(item: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = item?.[name];
  if (typeof value === 'string') return value;
  const marshalled = value as { S?: unknown } | undefined;
  return typeof marshalled?.S === 'string' ? marshalled.S : undefined;
}

/**
 * Groups table (`PlanningGroupsTable`, key `protectionGroupId`) and memberships table
 * (`PlanningMembershipsTable`, key `sourceServerId`: one item per grouped server, naming its group).
 */
export class DynamoProtectionGroupStore implements ProtectionGroupStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly groupsTable: string,
    private readonly membershipsTable: string,
  ) {}

  async listAll(): Promise<ProtectionGroupView[]> {
    return scanAll<ProtectionGroupView>(this.db, this.groupsTable);
  }

  async getMany(protectionGroupIds: readonly string[]): Promise<Map<string, ProtectionGroupView>> {
    const groups = await batchGet<ProtectionGroupView>(this.db, this.groupsTable, 'protectionGroupId', protectionGroupIds);
    return new Map(groups.map((group) => [group.protectionGroupId, group]));
  }

  async membershipsOf(sourceServerIds: readonly string[]): Promise<Membership[]> {
    const items = await batchGet<Membership>(this.db, this.membershipsTable, 'sourceServerId', sourceServerIds);
    return items.map(({ sourceServerId, protectionGroupId }) => ({ sourceServerId, protectionGroupId }));
  }

  /**
   * One transaction: the group, and a membership per server that only succeeds if the server has
   * none. Two creations claiming the same server cannot both commit: the one that loses is
   * cancelled whole, and learns from the cancellation which servers were taken and by whom.
   */
  async create(group: ProtectionGroupView): Promise<void> {
    const transactItems = [
      { Put: { TableName: this.groupsTable, Item: { ...group }, ConditionExpression: 'attribute_not_exists(protectionGroupId)' } },
      ...group.sourceServerIds.map((sourceServerId) => ({
        Put: {
          TableName: this.membershipsTable,
          Item: { sourceServerId, protectionGroupId: group.protectionGroupId, accountId: group.accountId, region: group.region, createdAt: group.createdAt },
          ConditionExpression: 'attribute_not_exists(sourceServerId)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
        },
      })),
    ];
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: transactItems }));
        return;
      } catch (error) {
        if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
        const reasons = ((error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []);
        const taken = reasons.flatMap((reason, index) => (index > 0 && reason.Code === 'ConditionalCheckFailed' ? [{ index, reason }] : []));
        if (taken.length > 0) throw new ServersTakenError(taken.map(({ index }) => group.sourceServerIds[index - 1] ?? ''), await this.owners(group, taken));
        if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new Error(`Protection group ${group.protectionGroupId} exists already`, { cause: error });
        // Cancelled only because another transaction was touching the same items: try again.
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !reasons.some((reason) => reason.Code === 'TransactionConflict')) throw error;
      }
    }
  }

  /** Who has the servers of the failed items (from the old items DynamoDB returned, else read). */
  private async owners(group: ProtectionGroupView, taken: { index: number; reason: CancellationReason }[]): Promise<Membership[]> {
    const memberships: Membership[] = [];
    const unknown: string[] = [];
    for (const { index, reason } of taken) {
      const sourceServerId = group.sourceServerIds[index - 1] ?? '';
      const protectionGroupId = stringAttribute(reason.Item, 'protectionGroupId');
      if (protectionGroupId) memberships.push({ sourceServerId, protectionGroupId });
      else unknown.push(sourceServerId);
    }
    if (unknown.length > 0) memberships.push(...(await this.membershipsOf(unknown)));
    return memberships;
  }
}
