import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '@lifeboat/service-api';
import type { Outbox, OutboxMessage, OutboxPage, OutboxQuery } from '../outbox.js';

/** GSIs of NotificationOutboxTable (serverless.yml): both sorted by createdAt. */
const BY_CHANNEL = 'byChannel';
const BY_EXECUTION = 'byExecution';

const DAY_SECONDS = 24 * 3600;

function encodeToken(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

function parseToken(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The LastEvaluatedKey behind a nextToken: the table key and the index key, all strings, of the
 * same listing (a token of another executionId filter is refused, not silently misused).
 */
function decodeToken(token: string, indexPartitionKey: 'channel' | 'executionId', partition: string): Record<string, string> {
  const key = parseToken(token);
  const names = ['messageId', 'createdAt', indexPartitionKey];
  if (key === null || typeof key !== 'object' || Array.isArray(key)) throw new ValidationError('is not a token returned by listOutbox', 'nextToken');
  const fields = key as Record<string, unknown>;
  const wellFormed = Object.keys(fields).length === names.length && names.every((name) => typeof fields[name] === 'string');
  if (!wellFormed || fields[indexPartitionKey] !== partition) throw new ValidationError('is not a token returned by this listOutbox query', 'nextToken');
  return fields as Record<string, string>;
}

function toMessage(item: Record<string, unknown>): OutboxMessage {
  const { messageId, channel, subject, text, severity, links, executionId, planId, eventType, occurredAt, createdAt } = item as unknown as OutboxMessage;
  return { messageId, channel, subject, text, severity, links: links ?? [], executionId, ...(planId ? { planId } : {}), eventType, occurredAt, createdAt };
}

/**
 * The outbox in DynamoDB: one item per message, written only if absent (key messageId), and
 * listed newest first through the byChannel or byExecution index. Items expire after
 * `retentionDays` (TTL attribute `expiration`).
 */
export class DynamoDbOutbox implements Outbox {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  async record(message: OutboxMessage): Promise<'recorded' | 'duplicate'> {
    const expiration = Math.floor(Date.parse(message.createdAt) / 1000) + this.retentionDays * DAY_SECONDS;
    try {
      await this.documents.send(
        new PutCommand({ TableName: this.tableName, Item: { ...message, expiration }, ConditionExpression: 'attribute_not_exists(messageId)' }),
      );
      return 'recorded';
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return 'duplicate';
      throw error;
    }
  }

  async list(query: OutboxQuery): Promise<OutboxPage> {
    const byExecution = query.executionId !== undefined;
    const partition = query.executionId ?? 'outbox';
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: byExecution ? BY_EXECUTION : BY_CHANNEL,
        KeyConditionExpression: byExecution ? 'executionId = :key' : 'channel = :key',
        ExpressionAttributeValues: { ':key': partition },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: query.nextToken ? decodeToken(query.nextToken, byExecution ? 'executionId' : 'channel', partition) : undefined,
      }),
    );
    return { items: (page.Items ?? []).map(toMessage), nextToken: encodeToken(page.LastEvaluatedKey) };
  }
}
