/**
 * A minimal API Gateway WebSocket API for tests, on one local port:
 *
 * - WebSocket clients connect to `ws://127.0.0.1:<port>/<stage>`; each handshake, message and close
 *   becomes the $connect / $default / $disconnect event API Gateway would hand the integration
 *   (support/api-gateway-events.ts), and the handler is invoked as the Lambda would be (messages
 *   concurrently, like API Gateway does). $connect decides the handshake: a non-2xx status refuses
 *   it, and the subprotocol is the one the handler names in its Sec-WebSocket-Protocol header.
 * - The Management API, `http://127.0.0.1:<port>/<stage>/@connections/<id>`: POST sends the body to
 *   the client, DELETE closes the connection (always with 1000, as API Gateway does), GET describes
 *   it; an unknown connection answers 410 GoneException. Point ApiGatewayManagementApiClient at
 *   `managementEndpoint`.
 */
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { WebSocketEvent, WebSocketResult } from '../../src/websocket/routes.js';
import { STAGE, connectEvent, disconnectEvent, messageEvent, newConnectionId } from './api-gateway-events.js';

export type WebSocketHandler = (event: WebSocketEvent) => Promise<WebSocketResult>;

export interface ApiGatewayWebSocketEmulator {
  /** Where clients connect: `ws://127.0.0.1:<port>/<stage>`. */
  url: string;
  /** The Management API endpoint: `http://127.0.0.1:<port>/<stage>`. */
  managementEndpoint: string;
  /** Ids of the connections open now. */
  connectionIds(): string[];
  /** Resolves when no handler invocation is running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface Connection {
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
}

function headerValue(result: WebSocketResult, name: string): string | undefined {
  const entry = Object.entries(result.headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return entry === undefined ? undefined : String(entry[1]);
}

/** The request's headers in the client's spelling (API Gateway passes them so). */
function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i] as string] = req.rawHeaders[i + 1] as string;
  return headers;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startApiGatewayWebSocketEmulator(handler: WebSocketHandler, options: { stage?: string; log?: (message: string, error: unknown) => void } = {}): Promise<ApiGatewayWebSocketEmulator> {
  const stage = options.stage ?? STAGE;
  const log = options.log ?? ((message: string, error: unknown) => console.error(message, error));
  const connections = new Map<string, Connection>();
  const inFlight = new Set<Promise<unknown>>();
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  let domainName = '';

  const invoke = (event: WebSocketEvent): Promise<WebSocketResult> => {
    const invocation = handler(event);
    inFlight.add(invocation);
    void invocation.then(
      () => inFlight.delete(invocation),
      () => inFlight.delete(invocation),
    );
    return invocation;
  };

  const wss = new WebSocketServer({ noServer: true, handleProtocols: (_protocols, req) => chosenProtocol.get(req) ?? false });

  function refuse(socket: Duplex, status: number): void {
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/$/, '') !== `/${stage}`) return refuse(socket, 403);
    const connectionId = newConnectionId();
    const connectedAt = Date.now();
    let result: WebSocketResult;
    try {
      result = await invoke(connectEvent({ connectionId, connectedAt, headers: headersOf(req), domainName, stage }));
    } catch (error) {
      log('$connect failed', error);
      return refuse(socket, 500);
    }
    const status = result.statusCode ?? 200;
    if (status < 200 || status > 299) return refuse(socket, status);
    const protocol = headerValue(result, 'Sec-WebSocket-Protocol');
    if (protocol) chosenProtocol.set(req, protocol);
    wss.handleUpgrade(req, socket, head, (ws) => {
      connections.set(connectionId, { socket: ws, connectedAt, lastActiveAt: connectedAt });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        const connection = connections.get(connectionId);
        if (connection) connection.lastActiveAt = Date.now();
        const body = isBinary ? data.toString('base64') : data.toString('utf8');
        invoke(messageEvent({ connectionId, connectedAt, body, isBase64Encoded: isBinary, domainName, stage })).catch((error: unknown) => {
          // What API Gateway tells a client whose integration failed.
          log('$default failed', error);
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ message: 'Internal server error', connectionId, requestId: 'emulator' }));
        });
      });
      ws.on('close', (code: number, reason: Buffer) => {
        connections.delete(connectionId);
        invoke(disconnectEvent({ connectionId, connectedAt, statusCode: code, reason: reason.toString('utf8'), domainName, stage })).catch((error: unknown) => log('$disconnect failed', error));
      });
    });
  }

  async function manage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const segments = new URL(req.url ?? '/', 'http://localhost').pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [requestStage, collection, connectionId] = segments;
    if (segments.length !== 3 || requestStage !== stage || collection !== '@connections' || !connectionId) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
    const connection = connections.get(connectionId);
    if (!connection || connection.socket.readyState !== connection.socket.OPEN) {
      res.writeHead(410, { 'content-type': 'application/json', 'x-amzn-errortype': 'GoneException' }).end(JSON.stringify({ message: null }));
      return;
    }
    switch (req.method) {
      case 'POST': {
        const body = await readBody(req);
        connection.socket.send(body.toString('utf8'));
        res.writeHead(200).end();
        return;
      }
      case 'DELETE':
        // DeleteConnection takes no close code: API Gateway closes normally.
        connection.socket.close(1000);
        res.writeHead(204).end();
        return;
      case 'GET':
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ connectedAt: new Date(connection.connectedAt).toISOString(), lastActiveAt: new Date(connection.lastActiveAt).toISOString(), identity: { sourceIp: '127.0.0.1', userAgent: 'node' } }),
        );
        return;
      default:
        res.writeHead(405).end();
    }
  }

  const server = createServer((req, res) => {
    manage(req, res).catch((error: unknown) => {
      log('Management API request failed', error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(req, socket, head).catch((error: unknown) => {
      log('Handshake failed', error);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  domainName = `127.0.0.1:${port}`;

  const idle = async (): Promise<void> => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  return {
    url: `ws://127.0.0.1:${port}/${stage}`,
    managementEndpoint: `http://127.0.0.1:${port}/${stage}`,
    connectionIds: () => [...connections.keys()],
    idle,
    async close() {
      for (const { socket } of connections.values()) socket.terminate();
      // Each close runs $disconnect: let those finish too.
      for (let waited = 0; connections.size > 0 && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      await idle();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
