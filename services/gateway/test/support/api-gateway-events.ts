/**
 * The events API Gateway hands a Lambda proxy integration of a WebSocket API, shaped as its
 * developer guide documents them (apigateway-websocket-api-integration-requests, "$connect",
 * "$disconnect" and message events): the same builders serve the unit tests and the emulator.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { WebSocketEvent } from '../../src/websocket/routes.js';

export const API_ID = 'a1b2c3d4e5';
export const STAGE = 'test';
export const DOMAIN_NAME = `${API_ID}.execute-api.us-east-1.amazonaws.com`;

/** A connection id as API Gateway makes them (base64, often with `=`, e.g. `L0SM9cOFvHcCIhw=`). */
export function newConnectionId(): string {
  return randomBytes(10).toString('base64').replace(/[+/]/g, 'x');
}

interface ContextOptions {
  connectionId: string;
  connectedAt?: number;
  domainName?: string;
  stage?: string;
  now?: number;
}

function requestContext(routeKey: string, eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT', options: ContextOptions): WebSocketEvent['requestContext'] {
  const now = options.now ?? Date.now();
  return {
    routeKey,
    eventType,
    extendedRequestId: randomBytes(6).toString('base64'),
    requestTime: new Date(now).toUTCString(),
    messageDirection: 'IN' as const,
    stage: options.stage ?? STAGE,
    connectedAt: options.connectedAt ?? now,
    requestTimeEpoch: now,
    identity: { sourceIp: '192.0.2.10', userAgent: 'node' },
    requestId: randomBytes(6).toString('base64'),
    domainName: options.domainName ?? DOMAIN_NAME,
    connectionId: options.connectionId,
    apiId: API_ID,
  };
}

/** `$connect`: the handshake's headers, in the client's spelling, single- and multi-valued. */
export function connectEvent(options: ContextOptions & { headers?: Record<string, string> }): WebSocketEvent {
  const headers: Record<string, string> = options.headers ?? {
    Host: options.domainName ?? DOMAIN_NAME,
    'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    'Sec-WebSocket-Protocol': 'graphql-transport-ws',
    'Sec-WebSocket-Version': '13',
    'X-Amzn-Trace-Id': `Root=1-${randomUUID()}`,
    'X-Forwarded-For': '192.0.2.10',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  };
  return {
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    requestContext: requestContext('$connect', 'CONNECT', options),
    isBase64Encoded: false,
  };
}

/** A message to the `$default` route (no other route is declared). */
export function messageEvent(options: ContextOptions & { body: string; isBase64Encoded?: boolean }): WebSocketEvent {
  return {
    requestContext: { ...requestContext('$default', 'MESSAGE', options), messageId: randomBytes(6).toString('base64') },
    body: options.body,
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/** `$disconnect`, with the close code API Gateway saw. */
export function disconnectEvent(options: ContextOptions & { statusCode?: number; reason?: string }): WebSocketEvent {
  return {
    headers: { Host: options.domainName ?? DOMAIN_NAME, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' },
    multiValueHeaders: {},
    requestContext: { ...requestContext('$disconnect', 'DISCONNECT', options), disconnectStatusCode: options.statusCode ?? 1000, disconnectReason: options.reason ?? 'Client-side close frame status not set' },
    isBase64Encoded: false,
  };
}
