/**
 * GraphQL subscriptions on AWS: the $connect, $default and $disconnect routes of the gateway's API
 * Gateway WebSocket API (graphql-transport-ws; see src/websocket/routes.ts). One function for the
 * three routes: they share the tables, the schema and the token verifier, and one warm container
 * serves a client's whole conversation.
 */
import { authOptionsFromEnv, createAuthenticator } from '../auth.js';
import { webSocketGatewayFromEnv } from '../websocket/config.js';
import { createWebSocketRoutes } from '../websocket/routes.js';
import type { WebSocketEvent, WebSocketResult } from '../websocket/routes.js';

let routes: ((event: WebSocketEvent) => Promise<WebSocketResult>) | undefined;

export async function handler(event: WebSocketEvent): Promise<WebSocketResult> {
  // Built at the first event (environment variables are read then), once per container.
  routes ??= createWebSocketRoutes({ ...webSocketGatewayFromEnv(), authenticator: createAuthenticator(authOptionsFromEnv()) });
  return routes(event);
}
