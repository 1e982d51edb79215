import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecutionContext } from '../domain/messages.js';

const DAY_SECONDS = 24 * 3600;

/** Port: what the service remembers of each execution (from its ExecutionStarted). */
export interface ExecutionContexts {
  save(context: ExecutionContext, now: Date): Promise<void>;
  get(executionId: string): Promise<ExecutionContext | undefined>;
}

/**
 * One item per execution (key executionId) in NotificationExecutionsTable, expiring after
 * `retentionDays` (TTL attribute `expiration`). Saving again (a redelivered ExecutionStarted)
 * writes the same snapshot: plans are immutable per version.
 */
export class DynamoDbExecutionContexts implements ExecutionContexts {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  async save(context: ExecutionContext, now: Date): Promise<void> {
    const expiration = Math.floor(now.getTime() / 1000) + this.retentionDays * DAY_SECONDS;
    await this.documents.send(new PutCommand({ TableName: this.tableName, Item: { ...context, expiration } }));
  }

  async get(executionId: string): Promise<ExecutionContext | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { executionId }, ConsistentRead: true }));
    if (!Item) return undefined;
    const { planId, planName, planVersion, mode, waves } = Item as ExecutionContext;
    return { executionId, planId, planName, planVersion, mode, waves };
  }
}
