import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Caller } from '@lifeboat/service-api';
import type { FeedState, Topic } from '../subscriptions/feed.js';
import type { AddSubscriptionOutcome, ConnectionAuthentication, InitialiseOutcome, StoredSubscription, WebSocketConnection, WebSocketStore } from './store.js';

/** The subscriptions table's index by topic (serverless.yml). */
export const SUBSCRIPTIONS_BY_TOPIC_INDEX = 'byTopic';

/** BatchWriteItem takes at most 25 requests. */
const MAX_BATCH_WRITE = 25;
const MAX_UNPROCESSED_RETRIES = 5;

type Item = Record<string, unknown>;

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function callerOfItem(value: unknown): Caller {
  const item = (value ?? {}) as Item;
  return {
    userId: String(item.userId),
    username: String(item.username),
    roles: Array.isArray(item.roles) ? item.roles.map(String) : [],
  };
}

function toConnection(item: Item): WebSocketConnection {
  return {
    connectionId: String(item.connectionId),
    connectedAt: String(item.connectedAt),
    expiresAt: Number(item.expiresAt),
    ...(item.caller ? { authentication: { caller: callerOfItem(item.caller), tokenExpiresAt: Number(item.tokenExpiresAt) } } : {}),
  };
}

function toSubscription(item: Item): StoredSubscription {
  return {
    connectionId: String(item.connectionId),
    subscriptionId: String(item.subscriptionId),
    field: String(item.field),
    topic: String(item.topic),
    query: String(item.query),
    operationName: typeof item.operationName === 'string' ? item.operationName : null,
    // Kept as JSON text: exactly what the client sent, whatever DynamoDB makes of empty or odd values.
    variables: JSON.parse(String(item.variables)) as Record<string, unknown>,
    args: JSON.parse(String(item.args)) as Record<string, unknown>,
    caller: callerOfItem(item.caller),
    tokenExpiresAt: Number(item.tokenExpiresAt),
    state: { cursor: Number(item.cursor) },
    subscribedAt: String(item.subscribedAt),
    expiresAt: Number(item.expiresAt),
  };
}

function subscriptionItem(subscription: StoredSubscription): Item {
  const { state, variables, args, caller, ...rest } = subscription;
  return {
    ...rest,
    caller: { userId: caller.userId, username: caller.username, roles: [...caller.roles] },
    variables: JSON.stringify(variables),
    args: JSON.stringify(args),
    cursor: state.cursor,
  };
}

/**
 * The connections table (`lifeboat-gateway-connections-<stage>`, key connectionId) and the
 * subscriptions table (`lifeboat-gateway-subscriptions-<stage>`, key connectionId + subscriptionId,
 * index `byTopic`). Both expire their items with the TTL attribute `expiresAt`.
 */
export class DynamoDbWebSocketStore implements WebSocketStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tables: { connections: string; subscriptions: string },
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async putConnection(connection: WebSocketConnection): Promise<void> {
    const { authentication, ...rest } = connection;
    const item: Item = authentication ? { ...rest, caller: authentication.caller, tokenExpiresAt: authentication.tokenExpiresAt } : rest;
    await this.doc.send(new PutCommand({ TableName: this.tables.connections, Item: item }));
  }

  async getConnection(connectionId: string): Promise<WebSocketConnection | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tables.connections, Key: { connectionId }, ConsistentRead: true }));
    return Item ? toConnection(Item) : undefined;
  }

  async initialise(connectionId: string, authentication: ConnectionAuthentication): Promise<InitialiseOutcome> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.connections,
          Key: { connectionId },
          UpdateExpression: 'SET #caller = :caller, #tokenExpiresAt = :tokenExpiresAt',
          // Once: two connection_init racing in two invocations cannot both win.
          ConditionExpression: 'attribute_exists(#connectionId) AND attribute_not_exists(#caller)',
          ExpressionAttributeNames: { '#connectionId': 'connectionId', '#caller': 'caller', '#tokenExpiresAt': 'tokenExpiresAt' },
          ExpressionAttributeValues: { ':caller': authentication.caller, ':tokenExpiresAt': authentication.tokenExpiresAt },
        }),
      );
      return 'initialised';
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw error;
      return (await this.getConnection(connectionId)) ? 'already-initialised' : 'unknown-connection';
    }
  }

  async deleteConnection(connectionId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tables.connections, Key: { connectionId } }));
    const subscriptionIds: string[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.subscriptions,
          KeyConditionExpression: 'connectionId = :connectionId',
          ExpressionAttributeValues: { ':connectionId': connectionId },
          ProjectionExpression: 'subscriptionId',
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) subscriptionIds.push(String(item.subscriptionId));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    for (let i = 0; i < subscriptionIds.length; i += MAX_BATCH_WRITE) {
      const keys = subscriptionIds.slice(i, i + MAX_BATCH_WRITE).map((subscriptionId) => ({ DeleteRequest: { Key: { connectionId, subscriptionId } } }));
      await this.batchWrite(keys);
    }
  }

  private async batchWrite(requests: { DeleteRequest: { Key: Item } }[]): Promise<void> {
    let pending: Record<string, unknown>[] = requests;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > MAX_UNPROCESSED_RETRIES) throw new Error(`${pending.length} deletes of ${this.tables.subscriptions} stayed unprocessed`);
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const result = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tables.subscriptions]: pending } }));
      pending = (result.UnprocessedItems?.[this.tables.subscriptions] ?? []) as Record<string, unknown>[];
    }
  }

  async addSubscription(subscription: StoredSubscription): Promise<AddSubscriptionOutcome> {
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: { TableName: this.tables.connections, Key: { connectionId: subscription.connectionId }, ConditionExpression: 'attribute_exists(connectionId)' } },
            { Put: { TableName: this.tables.subscriptions, Item: subscriptionItem(subscription), ConditionExpression: 'attribute_not_exists(subscriptionId)' } },
          ],
        }),
      );
      return 'added';
    } catch (error) {
      if (errorName(error) !== 'TransactionCanceledException') throw error;
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'unknown-connection';
      if (reasons[1]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      throw error;
    }
  }

  async getSubscription(connectionId: string, subscriptionId: string): Promise<StoredSubscription | undefined> {
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.tables.subscriptions, Key: { connectionId, subscriptionId }, ConsistentRead: true }));
    return Item ? toSubscription(Item) : undefined;
  }

  async deleteSubscription(connectionId: string, subscriptionId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tables.subscriptions, Key: { connectionId, subscriptionId } }));
  }

  async subscriptionsOn(topic: Topic): Promise<StoredSubscription[]> {
    const subscriptions: StoredSubscription[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.subscriptions,
          IndexName: SUBSCRIPTIONS_BY_TOPIC_INDEX,
          KeyConditionExpression: '#topic = :topic',
          ExpressionAttributeNames: { '#topic': 'topic' },
          ExpressionAttributeValues: { ':topic': topic },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) subscriptions.push(toSubscription(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return subscriptions;
  }

  async advance(connectionId: string, subscriptionId: string, from: FeedState, to: FeedState): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.subscriptions,
          Key: { connectionId, subscriptionId },
          UpdateExpression: 'SET #cursor = :to',
          ConditionExpression: '#cursor = :from',
          ExpressionAttributeNames: { '#cursor': 'cursor' },
          ExpressionAttributeValues: { ':from': from.cursor, ':to': to.cursor },
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
