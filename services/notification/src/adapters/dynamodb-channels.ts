import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel, Channels, PlanSubscription } from '../channels.js';

const isConditionFailure = (error: unknown) => (error as { name?: string }).name === 'ConditionalCheckFailedException';

/** Only the channel's own attributes: whatever else an item holds is never answered. */
function toChannel(item: Record<string, unknown>): Channel {
  const { channelId, name, type, topicArn, address, url, hasSecret, subscriptionArn, createdAt, updatedAt } = item as unknown as Channel;
  return { channelId, name, type, topicArn, address, url, hasSecret: hasSecret === true, subscriptionArn, createdAt, updatedAt };
}

function toSubscription(item: Record<string, unknown>): PlanSubscription {
  const { planId, channelId, events, updatedAt } = item as unknown as PlanSubscription;
  return { planId, channelId, events: [...events], updatedAt };
}

/**
 * NotificationChannelsTable (key channelId; items with a `type` are channels) and
 * NotificationSubscriptionsTable (key planId + channelId). Both are small: listings scan.
 */
export class DynamoDbChannels implements Channels {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly channelsTable: string,
    private readonly subscriptionsTable: string,
  ) {}

  async get(channelId: string): Promise<Channel | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.channelsTable, Key: { channelId }, ConsistentRead: true }));
    return Item && typeof Item.type === 'string' ? toChannel(Item) : undefined;
  }

  async list(): Promise<Channel[]> {
    return (await this.scan(this.channelsTable, 'attribute_exists(#type)', { '#type': 'type' })).map(toChannel).sort((a, b) => a.name.localeCompare(b.name) || a.channelId.localeCompare(b.channelId));
  }

  async put(channel: Channel, mode: 'create' | 'replace'): Promise<'written' | 'exists' | 'missing'> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.channelsTable,
          Item: channel,
          ConditionExpression: mode === 'create' ? 'attribute_not_exists(channelId)' : 'attribute_exists(channelId)',
        }),
      );
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return mode === 'create' ? 'exists' : 'missing';
      throw error;
    }
  }

  async delete(channelId: string): Promise<boolean> {
    const { Attributes } = await this.documents.send(new DeleteCommand({ TableName: this.channelsTable, Key: { channelId }, ReturnValues: 'ALL_OLD' }));
    return Attributes !== undefined;
  }

  async subscriptionsOf(planId: string): Promise<PlanSubscription[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({ TableName: this.subscriptionsTable, KeyConditionExpression: 'planId = :planId', ExpressionAttributeValues: { ':planId': planId }, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.map(toSubscription);
  }

  async allSubscriptions(): Promise<PlanSubscription[]> {
    return (await this.scan(this.subscriptionsTable)).map(toSubscription).sort((a, b) => a.planId.localeCompare(b.planId) || a.channelId.localeCompare(b.channelId));
  }

  async putSubscription(subscription: PlanSubscription): Promise<void> {
    await this.documents.send(new PutCommand({ TableName: this.subscriptionsTable, Item: subscription }));
  }

  async deleteSubscription(planId: string, channelId: string): Promise<boolean> {
    const { Attributes } = await this.documents.send(new DeleteCommand({ TableName: this.subscriptionsTable, Key: { planId, channelId }, ReturnValues: 'ALL_OLD' }));
    return Attributes !== undefined;
  }

  async deleteSubscriptionsOf(channelId: string): Promise<void> {
    const keys = (await this.scan(this.subscriptionsTable, 'channelId = :channelId', undefined, { ':channelId': channelId })).map((s) => ({ planId: s.planId, channelId: s.channelId }));
    for (let i = 0; i < keys.length; i += 25) {
      const requests = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      let unprocessed: typeof requests | undefined = requests;
      while (unprocessed && unprocessed.length > 0) {
        const result = await this.documents.send(new BatchWriteCommand({ RequestItems: { [this.subscriptionsTable]: unprocessed } }));
        unprocessed = result.UnprocessedItems?.[this.subscriptionsTable] as typeof requests | undefined;
      }
    }
  }

  private async scan(table: string, filter?: string, names?: Record<string, string>, values?: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new ScanCommand({
          TableName: table,
          ...(filter ? { FilterExpression: filter } : {}),
          ...(names ? { ExpressionAttributeNames: names } : {}),
          ...(values ? { ExpressionAttributeValues: values } : {}),
          ExclusiveStartKey: start,
          ConsistentRead: true,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
