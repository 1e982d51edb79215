import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecutionView } from '@lifeboat/service-api';

/** The execution list read model (table lifeboat-execution-executions-<stage>). */
export interface ExecutionList {
  /** Stores the view unless a view of the same or a later version is stored; true when written. */
  save(view: ExecutionView): Promise<boolean>;
  /** Newest first. */
  list(): Promise<ExecutionView[]>;
}

/** Index of the executions table: every item under one partition, sorted by startedAt. */
export const BY_STARTED_AT_INDEX = 'byStartedAt';
const KIND = 'EXECUTION';

/**
 * One item per execution (key executionId) holding the projected view, plus `kind` and
 * `startedAt` for the newest-first index.
 */
export class DynamoDbExecutionList implements ExecutionList {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async save(view: ExecutionView): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { executionId: view.executionId, kind: KIND, startedAt: view.startedAt, version: view.version, view },
          ConditionExpression: 'attribute_not_exists(executionId) OR version < :version',
          ExpressionAttributeValues: { ':version': view.version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async list(): Promise<ExecutionView[]> {
    const views: ExecutionView[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_STARTED_AT_INDEX,
          KeyConditionExpression: 'kind = :kind',
          ExpressionAttributeValues: { ':kind': KIND },
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) views.push(item.view as ExecutionView);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return views;
  }
}

export class InMemoryExecutionList implements ExecutionList {
  private readonly views = new Map<string, ExecutionView>();

  async save(view: ExecutionView): Promise<boolean> {
    const stored = this.views.get(view.executionId);
    if (stored && stored.version >= view.version) return false;
    this.views.set(view.executionId, structuredClone(view));
    return true;
  }

  async list(): Promise<ExecutionView[]> {
    return [...this.views.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.executionId.localeCompare(a.executionId)).map((v) => structuredClone(v));
  }
}
