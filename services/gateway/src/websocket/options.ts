import type { GraphQLSchema } from 'graphql';
import type { ErrorLogger } from '../errors.js';
import type { SubscriptionFeed } from '../subscriptions/feed.js';
import type { ClientConnections } from './connections.js';
import type { WebSocketStore } from './store.js';

/** The feed of each Subscription field, by field name (the same feeds the local gateway runs). */
export type FeedsByField = { readonly [field: string]: SubscriptionFeed | undefined };

/** What both WebSocket functions (the routes and the fan-out) work with. */
export interface WebSocketGatewayOptions {
  store: WebSocketStore;
  connections: ClientConnections;
  /** The gateway's schema: subscribe payloads are validated, and pushes executed, against it. */
  schema: GraphQLSchema;
  feeds: FeedsByField;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  /** Where internal errors go (default console.error); clients only ever see INTERNAL. */
  log?: ErrorLogger;
}

/** API Gateway ends a WebSocket connection after 2 hours: its items may go an hour after that. */
export const CONNECTION_TTL_SECONDS = 3 * 60 * 60;

export const TOKEN_EXPIRED_MESSAGE = 'Token expired: reconnect with a new token';
