import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Deliveries, Delivery, DeliveryPage, DeliveryQuery } from '../deliveries.js';
import { decodeToken, encodeToken } from './paging.js';

const BY_STATUS = 'byStatus';
const BY_CHANNEL = 'byChannel';
const DAY_SECONDS = 24 * 3600;

const isConditionFailure = (error: unknown) => (error as { name?: string }).name === 'ConditionalCheckFailedException';

function toDelivery(item: Record<string, unknown>): Delivery {
  const { expiration: _expiration, ...delivery } = item;
  return delivery as unknown as Delivery;
}

/**
 * NotificationDeliveriesTable: one item per (message, channel), key deliveryId; indexes byStatus
 * (status, updatedAt) for the retry sweeper and the dead-letter listing, byChannel (channelId,
 * createdAt). Its stream feeds the `deliver` function. Items expire after `retentionDays`.
 */
export class DynamoDbDeliveries implements Deliveries {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  async create(delivery: Delivery): Promise<'created' | 'duplicate'> {
    const expiration = Math.floor(Date.parse(delivery.createdAt) / 1000) + this.retentionDays * DAY_SECONDS;
    try {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: { ...delivery, expiration }, ConditionExpression: 'attribute_not_exists(deliveryId)' }));
      return 'created';
    } catch (error) {
      if (isConditionFailure(error)) return 'duplicate';
      throw error;
    }
  }

  async get(deliveryId: string): Promise<Delivery | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { deliveryId }, ConsistentRead: true }));
    return Item ? toDelivery(Item) : undefined;
  }

  async claim(delivery: Delivery, now: Date, leaseMs: number): Promise<Delivery | undefined> {
    const at = now.toISOString();
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { deliveryId: delivery.deliveryId },
          UpdateExpression: 'SET attempts = :next, leaseUntil = :lease, updatedAt = :now',
          ConditionExpression: '#status = :pending AND attempts = :seen AND nextAttemptAt <= :now AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':next': delivery.attempts + 1, ':seen': delivery.attempts, ':pending': 'PENDING', ':now': at, ':lease': new Date(now.getTime() + leaseMs).toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toDelivery(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Ends the attempt that claimed `delivery` (its `attempts`); a stale attempt changes nothing. */
  private async finish(delivery: Delivery, set: string, values: Record<string, unknown>, remove: string[]): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { deliveryId: delivery.deliveryId },
          UpdateExpression: `SET ${set} REMOVE ${remove.join(', ')}`,
          ConditionExpression: '#status = :pending AND attempts = :attempt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ...values, ':pending': 'PENDING', ':attempt': delivery.attempts },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  succeeded(delivery: Delivery, status: 'DELIVERED' | 'DELIVERED_TO_OUTBOX', now: Date): Promise<void> {
    const at = now.toISOString();
    return this.finish(delivery, '#status = :done, deliveredAt = :now, updatedAt = :now', { ':done': status, ':now': at }, ['nextAttemptAt', 'leaseUntil', 'lastError']);
  }

  retryLater(delivery: Delivery, error: string, nextAttemptAt: Date, now: Date): Promise<void> {
    return this.finish(delivery, 'nextAttemptAt = :next, lastError = :error, updatedAt = :now', { ':next': nextAttemptAt.toISOString(), ':error': error, ':now': now.toISOString() }, ['leaseUntil']);
  }

  deadLetter(delivery: Delivery, error: string, now: Date): Promise<void> {
    return this.finish(delivery, '#status = :dead, lastError = :error, updatedAt = :now', { ':dead': 'DEAD_LETTERED', ':error': error, ':now': now.toISOString() }, ['nextAttemptAt', 'leaseUntil']);
  }

  async due(now: Date): Promise<Delivery[]> {
    const due: Delivery[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_STATUS,
          KeyConditionExpression: '#status = :pending',
          FilterExpression: 'nextAttemptAt <= :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING', ':now': now.toISOString() },
          ExclusiveStartKey: start,
        }),
      );
      due.push(...(page.Items ?? []).map(toDelivery));
      start = page.LastEvaluatedKey;
    } while (start);
    return due;
  }

  async list(query: DeliveryQuery): Promise<DeliveryPage> {
    const byStatus = query.channelId === undefined;
    const partition = byStatus ? { name: 'status', value: query.status ?? 'PENDING' } : { name: 'channelId', value: query.channelId ?? '' };
    const sortKey = byStatus ? 'updatedAt' : 'createdAt';
    const filterStatus = !byStatus && query.status !== undefined;
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: byStatus ? BY_STATUS : BY_CHANNEL,
        KeyConditionExpression: '#key = :key',
        ...(filterStatus ? { FilterExpression: '#status = :status' } : {}),
        ExpressionAttributeNames: { '#key': partition.name, ...(filterStatus ? { '#status': 'status' } : {}) },
        ExpressionAttributeValues: { ':key': partition.value, ...(filterStatus ? { ':status': query.status } : {}) },
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: query.nextToken ? decodeToken(query.nextToken, ['deliveryId', sortKey, partition.name], partition, 'listNotificationDeliveries') : undefined,
      }),
    );
    return { items: (page.Items ?? []).map(toDelivery), nextToken: encodeToken(page.LastEvaluatedKey) };
  }

  async redrive(deliveryId: string, now: Date): Promise<Delivery | undefined> {
    const at = now.toISOString();
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { deliveryId },
          UpdateExpression: 'SET #status = :pending, attempts = :zero, nextAttemptAt = :now, updatedAt = :now',
          ConditionExpression: '#status = :dead',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING', ':dead': 'DEAD_LETTERED', ':zero': 0, ':now': at },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toDelivery(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }
}
