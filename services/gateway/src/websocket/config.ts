import { envGetter } from '@lifeboat/service-api';
import { createGatewaySchema } from '../schema.js';
import { serviceClientsForStage, typed } from '../services.js';
import { SUBSCRIPTION_FIELDS, createSubscriptionFeeds, feedOf, topicsOf } from '../subscriptions/feeds.js';
import type { SubscriptionFeeds } from '../subscriptions/feeds.js';
import { ApiGatewayConnections } from './connections.js';
import { DynamoDbWebSocketStore } from './dynamodb-store.js';
import { createWebSocketFanout } from './fanout.js';
import type { WebSocketFanout } from './fanout.js';
import type { FeedsByField, WebSocketGatewayOptions } from './options.js';

const stage = envGetter('LIFEBOAT_STAGE');
const connectionsTable = envGetter('GATEWAY_CONNECTIONS_TABLE');
const subscriptionsTable = envGetter('GATEWAY_SUBSCRIPTIONS_TABLE');
const endpoint = envGetter('GATEWAY_WEBSOCKET_ENDPOINT');

/** The feeds keyed by field name, for holders that find a subscription's feed by its stored field. */
export function feedsByField(feeds: SubscriptionFeeds): FeedsByField {
  return Object.fromEntries(SUBSCRIPTION_FIELDS.map((field) => [field, feedOf(feeds, field)]));
}

/** GATEWAY_WEBSOCKET_ENDPOINT: the @connections endpoint of the WebSocket API stage. */
export function webSocketEndpointFromEnv(): string {
  const value = endpoint();
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new Error(`Environment variable GATEWAY_WEBSOCKET_ENDPOINT must be the WebSocket API's https://<api id>.execute-api.<region>.amazonaws.com/<stage>, not ${value}`);
  }
  return value;
}

/**
 * What the WebSocket functions work with on AWS, from the environment (LIFEBOAT_STAGE,
 * GATEWAY_CONNECTIONS_TABLE, GATEWAY_SUBSCRIPTIONS_TABLE, GATEWAY_WEBSOCKET_ENDPOINT): the tables,
 * the Management API of the WebSocket API, and the services of the stage (Lambda Invoke).
 */
export function webSocketGatewayFromEnv(): WebSocketGatewayOptions {
  const services = serviceClientsForStage(stage());
  return {
    store: new DynamoDbWebSocketStore({ connections: connectionsTable(), subscriptions: subscriptionsTable() }),
    connections: ApiGatewayConnections.forEndpoint(webSocketEndpointFromEnv()),
    schema: createGatewaySchema(services),
    feeds: feedsByField(createSubscriptionFeeds(typed(services))),
  };
}

let fanout: WebSocketFanout | undefined;

/** The fan-out of this Lambda container, built at its first event. */
export function webSocketFanoutFromEnv(): WebSocketFanout {
  fanout ??= createWebSocketFanout({ ...webSocketGatewayFromEnv(), topicsOf });
  return fanout;
}
