import type { GraphQLFormattedError } from 'graphql';
import { CloseCode, MessageType, handleProtocols, parseMessage } from 'graphql-ws';
import type { ConnectionInitMessage, Message, SubscribeMessage } from 'graphql-ws';
import type { APIGatewayProxyStructuredResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import type { Authentication, Authenticator } from '../auth.js';
import { consoleErrorLogger } from '../errors.js';
import type { OpenedFeed, Topic } from '../subscriptions/feed.js';
import { validationRulesWithLimits } from '../limits.js';
import { executeForPayload, formatErrors, formatThrown, prepareSubscription } from './operation.js';
import { CONNECTION_TTL_SECONDS, TOKEN_EXPIRED_MESSAGE } from './options.js';
import type { WebSocketGatewayOptions } from './options.js';

/** The subprotocol of graphql-ws, the only one spoken. */
export const SUBPROTOCOL = 'graphql-transport-ws';

/**
 * What API Gateway hands the function for a WebSocket route (Lambda proxy integration), as
 * aws-lambda types it but closer to what arrives: `messageId` only with messages, the close code
 * with $disconnect, and on $connect the handshake's headers in the client's spelling.
 */
export interface WebSocketEvent extends Omit<APIGatewayProxyWebsocketEventV2, 'requestContext'> {
  requestContext: Omit<APIGatewayProxyWebsocketEventV2['requestContext'], 'messageId'> & {
    messageId?: string;
    identity?: { sourceIp: string; userAgent?: string };
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
}

export type WebSocketResult = APIGatewayProxyStructuredResultV2;

export interface WebSocketRoutesOptions extends WebSocketGatewayOptions {
  /** Verifies the token of `connection_init`, as over HTTP. */
  authenticator: Authenticator;
}

const OK: WebSocketResult = { statusCode: 200 };

/** A header of the handshake, whatever its case. */
function headerOf(event: WebSocketEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted && value !== undefined) return value;
  for (const [key, values] of Object.entries(event.multiValueHeaders ?? {})) if (key.toLowerCase() === wanted && values) return values.join(',');
  return undefined;
}

function bodyOf(event: WebSocketEvent): string {
  if (event.body === undefined) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/**
 * GraphQL subscriptions over an API Gateway WebSocket API, speaking graphql-ws's
 * graphql-transport-ws protocol the way graphql-ws's own server does, one invocation per message:
 *
 * - `$connect` accepts only the graphql-transport-ws subprotocol (and names it in the answer's
 *   Sec-WebSocket-Protocol header, or browsers drop the socket) and stores the connection.
 *   Browsers cannot set headers: the token comes with `connection_init`.
 * - `$default` runs one protocol message: `connection_init` verifies the token (a bad or missing one
 *   closes the connection), stores who the caller is and answers `connection_ack`; `subscribe`
 *   checks the token is still valid, validates the operation with the HTTP limits, asks the field's
 *   feed whether the caller may subscribe and where it starts, stores the subscription and pushes
 *   the feed's first payloads; `complete` forgets it; `ping` answers `pong`.
 * - `$disconnect` forgets the connection and its subscriptions.
 *
 * Protocol violations close the connection (graphql-ws's close codes are logged: API Gateway cannot
 * send them). Errors reach clients only as errors.ts formats them.
 */
export function createWebSocketRoutes(options: WebSocketRoutesOptions): (event: WebSocketEvent) => Promise<WebSocketResult> {
  const { store, connections, schema, feeds, authenticator } = options;
  const now = options.now ?? Date.now;
  const log = options.log ?? consoleErrorLogger;
  const rules = validationRulesWithLimits();

  async function send(connectionId: string, message: Message): Promise<boolean> {
    if ((await connections.send(connectionId, message)) === 'sent') return true;
    await store.deleteConnection(connectionId);
    return false;
  }

  const sendErrors = (connectionId: string, id: string, errors: readonly GraphQLFormattedError[]): Promise<boolean> =>
    send(connectionId, { type: MessageType.Error, id, payload: errors });

  async function connect(event: WebSocketEvent): Promise<WebSocketResult> {
    const { connectionId, connectedAt, requestTimeEpoch } = event.requestContext;
    if (handleProtocols(headerOf(event, 'Sec-WebSocket-Protocol') ?? '') !== SUBPROTOCOL) {
      // Refused in the handshake: API Gateway answers the client with this status.
      return { statusCode: 400, body: `Subprotocol not acceptable: ${SUBPROTOCOL} expected` };
    }
    const at = connectedAt || requestTimeEpoch || now();
    await store.putConnection({ connectionId, connectedAt: new Date(at).toISOString(), expiresAt: Math.floor(now() / 1000) + CONNECTION_TTL_SECONDS });
    return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': SUBPROTOCOL } };
  }

  async function connectionInit(connectionId: string, message: ConnectionInitMessage): Promise<void> {
    const connection = await store.getConnection(connectionId);
    if (!connection) return connections.close(connectionId, CloseCode.Forbidden, 'Forbidden');
    if (connection.authentication) return connections.close(connectionId, CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
    const header = message.payload?.authorization ?? message.payload?.Authorization;
    let authentication: Authentication;
    try {
      authentication = await authenticator.authenticate(typeof header === 'string' ? header : undefined);
    } catch {
      await store.deleteConnection(connectionId);
      return connections.close(connectionId, CloseCode.Forbidden, 'Forbidden');
    }
    const outcome = await store.initialise(connectionId, { caller: authentication.caller, tokenExpiresAt: authentication.expiresAt });
    if (outcome === 'already-initialised') return connections.close(connectionId, CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
    if (outcome === 'unknown-connection') return connections.close(connectionId, CloseCode.Forbidden, 'Forbidden');
    await send(connectionId, { type: MessageType.ConnectionAck });
  }

  async function subscribe(connectionId: string, message: SubscribeMessage): Promise<void> {
    const { id } = message;
    const connection = await store.getConnection(connectionId);
    const authentication = connection?.authentication;
    if (!authentication) return connections.close(connectionId, CloseCode.Unauthorized, 'Unauthorized');
    if (await store.getSubscription(connectionId, id)) return connections.close(connectionId, CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
    const { caller, tokenExpiresAt } = authentication;
    if (tokenExpiresAt * 1000 <= now()) {
      await sendErrors(connectionId, id, [{ message: TOKEN_EXPIRED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }]);
      return;
    }
    const prepared = prepareSubscription(schema, rules, message.payload);
    if (Array.isArray(prepared)) {
      await sendErrors(connectionId, id, formatErrors(prepared, log));
      return;
    }
    const { field, args } = prepared;
    let opened: OpenedFeed<unknown>;
    let topic: Topic;
    try {
      const feed = feeds[field];
      if (!feed) throw new Error(`No subscription feed serves the field ${field}`);
      feed.authorize(caller);
      topic = feed.topicOf(args);
      opened = await feed.open(args, caller);
    } catch (error) {
      // FORBIDDEN, NOT_FOUND, ...: an error message for this subscription; the connection stays.
      await sendErrors(connectionId, id, formatThrown(error, log));
      return;
    }
    const at = now();
    const outcome = await store.addSubscription({
      connectionId,
      subscriptionId: id,
      field,
      topic,
      query: message.payload.query,
      operationName: prepared.operationName,
      variables: prepared.variables,
      args,
      caller,
      tokenExpiresAt,
      state: opened.state,
      subscribedAt: new Date(at).toISOString(),
      expiresAt: connection.expiresAt,
    });
    if (outcome === 'duplicate') return connections.close(connectionId, CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
    // The client left meanwhile ($disconnect ran): nothing to push to.
    if (outcome === 'unknown-connection') return;
    const context = { caller, expiresAt: tokenExpiresAt };
    for (const payload of opened.initial) {
      const result = await executeForPayload(schema, prepared, payload, context, log);
      if (!(await send(connectionId, { type: MessageType.Next, id, payload: result }))) return;
    }
  }

  async function onMessage(connectionId: string, body: string): Promise<void> {
    let message: Message;
    try {
      message = parseMessage(body);
    } catch {
      return connections.close(connectionId, CloseCode.BadRequest, 'Invalid message received');
    }
    switch (message.type) {
      case MessageType.ConnectionInit:
        return connectionInit(connectionId, message);
      case MessageType.Ping:
        await send(connectionId, message.payload ? { type: MessageType.Pong, payload: message.payload } : { type: MessageType.Pong });
        return;
      case MessageType.Pong:
        return;
      case MessageType.Subscribe:
        return subscribe(connectionId, message);
      case MessageType.Complete:
        return store.deleteSubscription(connectionId, message.id);
      default:
        // connection_ack, next, error: only a server sends them.
        return connections.close(connectionId, CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
    }
  }

  return async (event) => {
    const { connectionId, eventType } = event.requestContext;
    switch (eventType) {
      case 'CONNECT':
        return connect(event);
      case 'DISCONNECT':
        await store.deleteConnection(connectionId);
        return OK;
      case 'MESSAGE':
        try {
          await onMessage(connectionId, bodyOf(event));
        } catch (error) {
          // The store or the network failed: say so in the protocol's terms, never with the details.
          log(`WebSocket message of ${connectionId} failed`, error);
          await connections.close(connectionId, CloseCode.InternalServerError, 'Internal server error').catch((closeError: unknown) => log(`Closing ${connectionId} failed`, closeError));
        }
        return OK;
      default:
        throw new Error(`Not a WebSocket route event: eventType ${String(eventType)}`);
    }
  };
}
