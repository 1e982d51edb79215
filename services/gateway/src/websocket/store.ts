import type { Caller } from '@lifeboat/service-api';
import type { FeedState, Topic } from '../subscriptions/feed.js';

/**
 * What the gateway keeps of its API Gateway WebSocket clients between two Lambda invocations: the
 * connections (who is on the other end, once `connection_init` proved it) and their subscriptions
 * (what they listen to, and how far each got). On AWS two DynamoDB tables; in tests also in memory.
 */

/** Who a connection is, from the token of its `connection_init`. */
export interface ConnectionAuthentication {
  caller: Caller;
  /** `exp` of the token, in seconds since the epoch: every subscribe and every push checks it. */
  tokenExpiresAt: number;
}

export interface WebSocketConnection {
  connectionId: string;
  /** ISO-8601. */
  connectedAt: string;
  /** When the item may go (DynamoDB TTL, seconds since the epoch): API Gateway ends a connection after 2 hours. */
  expiresAt: number;
  /** Set once, by `connection_init` with a valid token; absent before (`subscribe` is refused then). */
  authentication?: ConnectionAuthentication;
}

/** One `subscribe` of a connection, as the fan-out needs it to push to it. */
export interface StoredSubscription {
  connectionId: string;
  /** The client's id of the operation (graphql-ws `id`), unique per connection. */
  subscriptionId: string;
  /** The Subscription field it selects (the feed). */
  field: string;
  topic: Topic;
  /** The document as the client sent it, executed again for each payload. */
  query: string;
  operationName: string | null;
  /** The variables as the client sent them (coerced again by each execution). */
  variables: Record<string, unknown>;
  /** The field's arguments, coerced (what the feed is given). */
  args: Record<string, unknown>;
  caller: Caller;
  tokenExpiresAt: number;
  /** How far the feed got (claimed before each push). */
  state: FeedState;
  /** ISO-8601. */
  subscribedAt: string;
  /** DynamoDB TTL, seconds since the epoch (the connection's). */
  expiresAt: number;
}

export type InitialiseOutcome = 'initialised' | 'already-initialised' | 'unknown-connection';
export type AddSubscriptionOutcome = 'added' | 'duplicate' | 'unknown-connection';

export interface WebSocketStore {
  /** Records a connection that API Gateway has just accepted ($connect). */
  putConnection(connection: WebSocketConnection): Promise<void>;
  getConnection(connectionId: string): Promise<WebSocketConnection | undefined>;
  /**
   * Records who the connection is, once: `already-initialised` when it already has an
   * authentication (a second `connection_init`), `unknown-connection` when it is not (or no longer) stored.
   */
  initialise(connectionId: string, authentication: ConnectionAuthentication): Promise<InitialiseOutcome>;
  /** Forgets the connection and every subscription of it (idempotent). */
  deleteConnection(connectionId: string): Promise<void>;
  /**
   * Adds a subscription, atomically checking that its connection is stored and has no subscription
   * with this id yet (`duplicate`).
   */
  addSubscription(subscription: StoredSubscription): Promise<AddSubscriptionOutcome>;
  /** A strongly consistent read. */
  getSubscription(connectionId: string, subscriptionId: string): Promise<StoredSubscription | undefined>;
  /** Idempotent. */
  deleteSubscription(connectionId: string, subscriptionId: string): Promise<void>;
  /** Every subscription listening on the topic. */
  subscriptionsOn(topic: Topic): Promise<StoredSubscription[]>;
  /**
   * Moves a subscription from state `from` to `to`, only if it is still at `from`: false when another
   * fan-out moved it first or it is gone. The fan-out claims a state this way before it pushes, so
   * that two deliveries of one event never both push.
   */
  advance(connectionId: string, subscriptionId: string, from: FeedState, to: FeedState): Promise<boolean>;
}

const clone = <T>(value: T): T => structuredClone(value);
const keyOf = (connectionId: string, subscriptionId: string): string => JSON.stringify([connectionId, subscriptionId]);

/** The in-memory twin of the DynamoDB store (tests; one process). */
export class InMemoryWebSocketStore implements WebSocketStore {
  private readonly connections = new Map<string, WebSocketConnection>();
  private readonly subscriptions = new Map<string, StoredSubscription>();

  async putConnection(connection: WebSocketConnection): Promise<void> {
    this.connections.set(connection.connectionId, clone(connection));
  }

  async getConnection(connectionId: string): Promise<WebSocketConnection | undefined> {
    const connection = this.connections.get(connectionId);
    return connection && clone(connection);
  }

  async initialise(connectionId: string, authentication: ConnectionAuthentication): Promise<InitialiseOutcome> {
    const connection = this.connections.get(connectionId);
    if (!connection) return 'unknown-connection';
    if (connection.authentication) return 'already-initialised';
    connection.authentication = clone(authentication);
    return 'initialised';
  }

  async deleteConnection(connectionId: string): Promise<void> {
    this.connections.delete(connectionId);
    for (const [key, subscription] of this.subscriptions) if (subscription.connectionId === connectionId) this.subscriptions.delete(key);
  }

  async addSubscription(subscription: StoredSubscription): Promise<AddSubscriptionOutcome> {
    if (!this.connections.has(subscription.connectionId)) return 'unknown-connection';
    const key = keyOf(subscription.connectionId, subscription.subscriptionId);
    if (this.subscriptions.has(key)) return 'duplicate';
    this.subscriptions.set(key, clone(subscription));
    return 'added';
  }

  async getSubscription(connectionId: string, subscriptionId: string): Promise<StoredSubscription | undefined> {
    const subscription = this.subscriptions.get(keyOf(connectionId, subscriptionId));
    return subscription && clone(subscription);
  }

  async deleteSubscription(connectionId: string, subscriptionId: string): Promise<void> {
    this.subscriptions.delete(keyOf(connectionId, subscriptionId));
  }

  async subscriptionsOn(topic: Topic): Promise<StoredSubscription[]> {
    return [...this.subscriptions.values()].filter((s) => s.topic === topic).map(clone);
  }

  async advance(connectionId: string, subscriptionId: string, from: FeedState, to: FeedState): Promise<boolean> {
    const subscription = this.subscriptions.get(keyOf(connectionId, subscriptionId));
    if (!subscription || subscription.state.cursor !== from.cursor) return false;
    subscription.state = clone(to);
    return true;
  }

  /** Every stored subscription (tests). */
  allSubscriptions(): StoredSubscription[] {
    return [...this.subscriptions.values()].map(clone);
  }

  /** Every stored connection (tests). */
  allConnections(): WebSocketConnection[] {
    return [...this.connections.values()].map(clone);
  }
}
