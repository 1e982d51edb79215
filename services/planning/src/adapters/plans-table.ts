import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { RecoveryPlanView } from '@lifeboat/service-api';
import type { RecoveryPlanStore } from '../ports.js';
import { scanAll } from './dynamo.js';

/** Plans table (`PlanningPlansTable`): partition `planId`, sort `version` (N); one item per version. */
export class DynamoRecoveryPlanStore implements RecoveryPlanStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(plan: RecoveryPlanView): Promise<void> {
    // A version is immutable: writing one that exists is refused by the condition.
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...plan }, ConditionExpression: 'attribute_not_exists(planId)' }));
  }

  async get(planId: string, version?: number): Promise<RecoveryPlanView | undefined> {
    if (version !== undefined) {
      const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { planId, version }, ConsistentRead: true }));
      return result.Item as RecoveryPlanView | undefined;
    }
    const result = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'planId = :planId',
        ExpressionAttributeValues: { ':planId': planId },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return result.Items?.[0] as RecoveryPlanView | undefined;
  }

  async listLatest(): Promise<RecoveryPlanView[]> {
    const latest = new Map<string, RecoveryPlanView>();
    for (const plan of await scanAll<RecoveryPlanView>(this.db, this.tableName)) {
      const current = latest.get(plan.planId);
      if (!current || current.version < plan.version) latest.set(plan.planId, plan);
    }
    return [...latest.values()];
  }
}
