import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ProtectionGroupView, RecoveryPlanView } from '@lifeboat/service-api';
import type { Membership, ProtectionGroup } from '../domain/protection-group.js';
import { normalizeGroup } from '../domain/protection-group.js';
import { normalizePlan } from '../domain/recovery-plan.js';
import type { PlanningStore, StoredPlanVersion, Write } from '../ports.js';
import { GroupGoneError, GroupInUseError, NameTakenError, ServersTakenError, StaleWriteError } from '../ports.js';
import { batchGet, scanAll } from './dynamo.js';

/** How often a transaction that lost only to another transaction in flight is tried again. */
const MAX_TRANSACTION_ATTEMPTS = 3;
/** Outbox items outlive their publication by far, then DynamoDB's TTL removes them. */
export const OUTBOX_TTL_SECONDS = 7 * 24 * 3600;

export interface PlanningTables {
  groups: string;
  memberships: string;
  names: string;
  plans: string;
  outbox: string;
}

interface CancellationReason {
  Code?: string;
  Item?: Record<string, unknown>;
}

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** One item of the transaction and how to explain its failure. */
interface Operation {
  item: TransactItem;
  explain: (reason: CancellationReason) => Error;
  /** The server a failed claim was for. */
  claims?: string;
}

/** An attribute of an item, marshalled (`{ S: '...' }`, as in a cancellation reason) or not. */
function attribute(item: Record<string, unknown> | undefined, name: string): string | number | undefined {
  const value = item?.[name];
  if (typeof value === 'string' || typeof value === 'number') return value;
  const marshalled = value as { S?: unknown; N?: unknown } | undefined;
  if (typeof marshalled?.S === 'string') return marshalled.S;
  if (typeof marshalled?.N === 'string') return Number(marshalled.N);
  return undefined;
}

/** Internal attributes of items that views do not show. */
function groupOf(item: Record<string, unknown>): ProtectionGroup {
  const { planUses: _uses, ...view } = item;
  return normalizeGroup(view as unknown as ProtectionGroupView);
}

function planVersionOf(item: Record<string, unknown>): StoredPlanVersion {
  if (item.deleted === true) return item as unknown as StoredPlanVersion;
  return normalizePlan(item as unknown as RecoveryPlanView);
}

/**
 * Planning's tables: groups (`protectionGroupId`; `planUses` counts the plans whose latest version
 * uses the group), memberships (`sourceServerId`: the group of each grouped server), names
 * (`nameKey`: kind and lower-cased name, naming its owner), plans (`planId` + `version`, one
 * immutable item per version) and the outbox (`outboxId`, whose stream feeds the publisher and the
 * launch-settings applier). `commit` writes a command's changes in one TransactWriteItems.
 */
export class DynamoPlanningStore implements PlanningStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: PlanningTables,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async listGroups(): Promise<ProtectionGroup[]> {
    return (await scanAll<Record<string, unknown>>(this.db, this.tables.groups)).map(groupOf);
  }

  async getGroups(protectionGroupIds: readonly string[]): Promise<Map<string, ProtectionGroup>> {
    const items = await batchGet<Record<string, unknown>>(this.db, this.tables.groups, 'protectionGroupId', protectionGroupIds);
    return new Map(items.map(groupOf).map((group) => [group.protectionGroupId, group]));
  }

  async membershipsOf(sourceServerIds: readonly string[]): Promise<Membership[]> {
    const items = await batchGet<Membership>(this.db, this.tables.memberships, 'sourceServerId', sourceServerIds);
    return items.map(({ sourceServerId, protectionGroupId }) => ({ sourceServerId, protectionGroupId }));
  }

  async getPlanVersion(planId: string, version?: number): Promise<StoredPlanVersion | undefined> {
    if (version !== undefined) {
      const result = await this.db.send(new GetCommand({ TableName: this.tables.plans, Key: { planId, version }, ConsistentRead: true }));
      return result.Item ? planVersionOf(result.Item) : undefined;
    }
    const result = await this.db.send(
      new QueryCommand({ TableName: this.tables.plans, KeyConditionExpression: 'planId = :planId', ExpressionAttributeValues: { ':planId': planId }, ScanIndexForward: false, Limit: 1, ConsistentRead: true }),
    );
    const item = result.Items?.[0];
    return item ? planVersionOf(item) : undefined;
  }

  async planVersions(planId: string): Promise<StoredPlanVersion[]> {
    const versions: StoredPlanVersion[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({ TableName: this.tables.plans, KeyConditionExpression: 'planId = :planId', ExpressionAttributeValues: { ':planId': planId }, ConsistentRead: true, ExclusiveStartKey: startKey }),
      );
      versions.push(...(page.Items ?? []).map(planVersionOf));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return versions;
  }

  async latestPlanVersions(): Promise<StoredPlanVersion[]> {
    const latest = new Map<string, Record<string, unknown>>();
    for (const item of await scanAll<Record<string, unknown>>(this.db, this.tables.plans)) {
      const current = latest.get(item.planId as string);
      if (!current || (current.version as number) < (item.version as number)) latest.set(item.planId as string, item);
    }
    return [...latest.values()].map(planVersionOf);
  }

  async commit(writes: readonly Write[]): Promise<void> {
    if (writes.length === 0) return;
    const operations = this.compile(writes);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: operations.map((op) => op.item) }));
        return;
      } catch (error) {
        if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
        const reasons = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
        const failed = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' && operations[index] ? [{ reason, operation: operations[index] }] : []));
        if (failed.length > 0) throw await this.explain(failed, error);
        // Cancelled only because another transaction was touching the same items: try again.
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !reasons.some((reason) => reason.Code === 'TransactionConflict')) throw error;
      }
    }
  }

  /** The error of a cancelled transaction: taken servers first (the rule users meet most). */
  private async explain(failed: { reason: CancellationReason; operation: Operation }[], cause: Error): Promise<Error> {
    const claims = failed.filter(({ operation }) => operation.claims !== undefined);
    if (claims.length > 0) {
      const memberships: Membership[] = [];
      const unknown: string[] = [];
      for (const { reason, operation } of claims) {
        const owner = attribute(reason.Item, 'protectionGroupId');
        if (typeof owner === 'string') memberships.push({ sourceServerId: operation.claims ?? '', protectionGroupId: owner });
        else unknown.push(operation.claims ?? '');
      }
      if (unknown.length > 0) memberships.push(...(await this.membershipsOf(unknown)));
      return new ServersTakenError(
        claims.map(({ operation }) => operation.claims ?? ''),
        memberships,
      );
    }
    const first = failed[0];
    const error = first ? first.operation.explain(first.reason) : new StaleWriteError('A condition failed');
    if (!error.cause) Object.defineProperty(error, 'cause', { value: cause });
    return error;
  }

  /** The transaction's items: the writes of one group item are merged (DynamoDB allows one operation per item). */
  private compile(writes: readonly Write[]): Operation[] {
    const operations: Operation[] = [];
    const groups = new Map<string, { create?: ProtectionGroup; update?: { group: ProtectionGroup; expectedRevision: number }; remove?: number; uses: number }>();
    const groupEntry = (id: string) => {
      let entry = groups.get(id);
      if (!entry) groups.set(id, (entry = { uses: 0 }));
      return entry;
    };
    for (const write of writes) {
      switch (write.type) {
        case 'createGroup':
          groupEntry(write.group.protectionGroupId).create = write.group;
          break;
        case 'updateGroup':
          groupEntry(write.group.protectionGroupId).update = { group: write.group, expectedRevision: write.expectedRevision };
          break;
        case 'deleteGroup':
          groupEntry(write.protectionGroupId).remove = write.expectedRevision;
          break;
        case 'groupUse': {
          const entry = groupEntry(write.protectionGroupId);
          entry.uses += write.delta;
          break;
        }
        case 'claimServer':
          operations.push({
            item: {
              Put: {
                TableName: this.tables.memberships,
                Item: { sourceServerId: write.sourceServerId, protectionGroupId: write.protectionGroupId, accountId: write.accountId, region: write.region, createdAt: write.at },
                ConditionExpression: 'attribute_not_exists(sourceServerId)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            claims: write.sourceServerId,
            explain: () => new ServersTakenError([write.sourceServerId], []),
          });
          break;
        case 'releaseServer':
          operations.push({
            item: {
              Delete: {
                TableName: this.tables.memberships,
                Key: { sourceServerId: write.sourceServerId },
                ConditionExpression: 'protectionGroupId = :group',
                ExpressionAttributeValues: { ':group': write.protectionGroupId },
              },
            },
            explain: () => new StaleWriteError(`${write.sourceServerId} no longer belongs to protection group ${write.protectionGroupId}`),
          });
          break;
        case 'claimName':
          operations.push({
            item: {
              Put: {
                TableName: this.tables.names,
                Item: { nameKey: write.key, name: write.name, ownerId: write.ownerId },
                ConditionExpression: 'attribute_not_exists(nameKey) OR ownerId = :owner',
                ExpressionAttributeValues: { ':owner': write.ownerId },
              },
            },
            explain: () => new NameTakenError(write.key),
          });
          break;
        case 'releaseName':
          operations.push({
            item: {
              Delete: {
                TableName: this.tables.names,
                Key: { nameKey: write.key },
                ConditionExpression: 'attribute_not_exists(nameKey) OR ownerId = :owner',
                ExpressionAttributeValues: { ':owner': write.ownerId },
              },
            },
            explain: () => new StaleWriteError(`The name ${write.key} changed owner meanwhile`),
          });
          break;
        case 'putPlanVersion':
          operations.push({
            item: { Put: { TableName: this.tables.plans, Item: { ...write.version }, ConditionExpression: 'attribute_not_exists(planId)' } },
            explain: () => new StaleWriteError(`Version ${write.version.version} of recovery plan ${write.version.planId} was written meanwhile`),
          });
          break;
        case 'outbox':
          operations.push({
            item: { Put: { TableName: this.tables.outbox, Item: { ...write.entry, expiration: Math.floor(this.now().getTime() / 1000) + OUTBOX_TTL_SECONDS } } },
            explain: () => new Error(`Outbox entry ${write.entry.outboxId} was not written`),
          });
          break;
        default: {
          const unknown: never = write;
          throw new Error(`Unknown write ${JSON.stringify(unknown)}`);
        }
      }
    }
    for (const [protectionGroupId, entry] of groups) operations.push(this.groupOperation(protectionGroupId, entry));
    return operations;
  }

  private groupOperation(protectionGroupId: string, entry: { create?: ProtectionGroup; update?: { group: ProtectionGroup; expectedRevision: number }; remove?: number; uses: number }): Operation {
    const TableName = this.tables.groups;
    const Key = { protectionGroupId };
    const revisionIs = (expected: number) => (expected === 1 ? '(attribute_not_exists(revision) OR revision = :revision)' : 'revision = :revision');
    if (entry.create) {
      const item: Record<string, unknown> = { ...entry.create };
      if (entry.uses !== 0) item.planUses = entry.uses;
      return {
        item: { Put: { TableName, Item: item, ConditionExpression: 'attribute_not_exists(protectionGroupId)' } },
        explain: () => new StaleWriteError(`Protection group ${protectionGroupId} exists already`),
      };
    }
    if (entry.remove !== undefined) {
      return {
        item: {
          Delete: {
            TableName,
            Key,
            ConditionExpression: `attribute_exists(protectionGroupId) AND ${revisionIs(entry.remove)} AND (attribute_not_exists(planUses) OR planUses <= :zero)`,
            ExpressionAttributeValues: { ':revision': entry.remove, ':zero': 0 },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        explain: (reason) => {
          if (!reason.Item) return new StaleWriteError(`Protection group ${protectionGroupId} no longer exists`);
          const uses = attribute(reason.Item, 'planUses');
          if (typeof uses === 'number' && uses > 0) return new GroupInUseError(protectionGroupId);
          return new StaleWriteError(`Protection group ${protectionGroupId} changed meanwhile (revision ${attribute(reason.Item, 'revision') ?? 1})`);
        },
      };
    }
    if (entry.update) {
      const { protectionGroupId: _key, ...fields } = entry.update.group;
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':revision': entry.update.expectedRevision };
      const sets = Object.entries(fields).map(([field, value], i) => {
        names[`#f${i}`] = field;
        values[`:v${i}`] = value;
        return `#f${i} = :v${i}`;
      });
      let expression = `SET ${sets.join(', ')}`;
      if (entry.uses !== 0) {
        names['#uses'] = 'planUses';
        values[':uses'] = entry.uses;
        expression += ' ADD #uses :uses';
      }
      return {
        item: {
          Update: {
            TableName,
            Key,
            UpdateExpression: expression,
            ConditionExpression: `attribute_exists(protectionGroupId) AND ${revisionIs(entry.update.expectedRevision)}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        explain: (reason) =>
          reason.Item ? new StaleWriteError(`Protection group ${protectionGroupId} changed meanwhile (revision ${attribute(reason.Item, 'revision') ?? 1})`) : new GroupGoneError(protectionGroupId),
      };
    }
    if (entry.uses !== 0) {
      return {
        item: { Update: { TableName, Key, UpdateExpression: 'ADD planUses :uses', ConditionExpression: 'attribute_exists(protectionGroupId)', ExpressionAttributeValues: { ':uses': entry.uses } } },
        explain: () => new GroupGoneError(protectionGroupId),
      };
    }
    return {
      item: { ConditionCheck: { TableName, Key, ConditionExpression: 'attribute_exists(protectionGroupId)' } },
      explain: () => new GroupGoneError(protectionGroupId),
    };
  }
}
