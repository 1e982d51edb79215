import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { VerificationContext } from '../domain/execution-context.js';

const DAY_SECONDS = 24 * 3600;

/** Port: what the service remembers of each execution (from its ExecutionStarted). */
export interface ExecutionContexts {
  save(context: VerificationContext, now: Date): Promise<void>;
  get(executionId: string): Promise<VerificationContext | undefined>;
}

/**
 * One item per execution (key executionId) in VerificationExecutionsTable, expiring after
 * `retentionDays` (TTL attribute `expiration`). Saving again (a redelivered ExecutionStarted)
 * writes the same context: plans are immutable per version.
 */
export class DynamoDbExecutionContexts implements ExecutionContexts {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  async save(context: VerificationContext, now: Date): Promise<void> {
    const expiration = Math.floor(now.getTime() / 1000) + this.retentionDays * DAY_SECONDS;
    await this.documents.send(new PutCommand({ TableName: this.tableName, Item: { ...context, expiration } }));
  }

  async get(executionId: string): Promise<VerificationContext | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { executionId }, ConsistentRead: true }));
    if (!Item) return undefined;
    const { planId, planVersion, mode, profiles, serverProfiles } = Item as VerificationContext;
    return { executionId, planId, planVersion, mode, profiles: profiles ?? [], serverProfiles: serverProfiles ?? {} };
  }
}
