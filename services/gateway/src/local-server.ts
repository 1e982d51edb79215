import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer } from 'ws';
import { createAuthenticator } from './auth.js';
import type { AuthOptions } from './auth.js';
import { consoleErrorLogger } from './errors.js';
import type { ErrorLogger } from './errors.js';
import { MAX_BODY_BYTES, executeGraphQLHttp } from './http.js';
import { createGatewaySchema } from './schema.js';
import { createGatewayServer } from './server.js';
import type { ServiceClients } from './services.js';
import type { ExecutionEventBroker } from './subscriptions/broker.js';
import { serveGraphQLOverWebSocket } from './subscriptions/ws.js';

/** Where GraphQL is served, over HTTP (POST, GET) and WebSocket (graphql-transport-ws). */
export const GRAPHQL_PATH = '/graphql';

export { MAX_BODY_BYTES } from './http.js';

export interface LocalGatewayOptions {
  /** 0 picks a free port (see the handle's `port`). */
  port: number;
  /** Interface to listen on (default 127.0.0.1: only this machine). */
  host?: string;
  /** The services, and `users`: the user directory (the local runtime hands over its identity provider). */
  services: ServiceClients;
  auth: AuthOptions;
  /**
   * Asked first for every HTTP request (the local runtime's login and JWKS routes): answer it
   * and resolve true, or resolve false to let the gateway handle it.
   */
  extraRoutes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** The built web UI: its files, and index.html for any other GET path. */
  staticDir?: string;
  /** Where subscriptions take events from (default: the process-wide broker the fan-out handler feeds). */
  broker?: ExecutionEventBroker;
  /** Where internal errors are logged (default console.error). */
  log?: ErrorLogger;
}

export interface LocalGateway {
  /** The server's origin, e.g. `http://127.0.0.1:4000` (the UI is at `/`). */
  url: string;
  /** `<url>/graphql`. */
  graphqlUrl: string;
  /** `ws://.../graphql`. */
  subscriptionsUrl: string;
  port: number;
  /** Closes WebSocket connections (their subscriptions end), then the HTTP server and Apollo. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

class PayloadTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new PayloadTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function fileAt(path: string): Promise<string | undefined> {
  try {
    const found = await stat(path);
    if (found.isFile()) return path;
    if (found.isDirectory()) return fileAt(join(path, 'index.html'));
  } catch {
    // not there
  }
  return undefined;
}

/** Serves a file of `root`, or root/index.html for any other path (the UI routes in the browser). */
async function serveStatic(root: string, pathname: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    sendText(res, 400, 'Bad request');
    return true;
  }
  const candidate = resolve(root, `.${decoded}`);
  // Never outside the folder (../ or an encoded variant).
  const inside = candidate === root || candidate.startsWith(root + sep);
  const file = (inside ? await fileAt(candidate) : undefined) ?? (await fileAt(join(root, 'index.html')));
  if (!file) return false;
  const info = await stat(file);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': info.size,
    'x-content-type-options': 'nosniff',
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=300',
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  await pipeline(createReadStream(file), res);
  return true;
}

function originOf(address: AddressInfo): string {
  const host = address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${host}:${address.port}`;
}

/**
 * Starts the gateway on one Node HTTP server for the local runtime: GraphQL over HTTP and
 * WebSocket at /graphql, then the runtime's extra routes, then the web UI.
 *
 * @example
 * const gateway = await startLocalGateway({ port: 4000, services, auth: { provider: 'local', issuer, audience, jwks } });
 * console.log(`Lifeboat at ${gateway.url}`);
 * await gateway.close();
 */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const log = options.log ?? consoleErrorLogger;
  const authenticator = createAuthenticator(options.auth);
  const schema = createGatewaySchema(options.services, options.broker ? { broker: options.broker } : {});
  const apollo = createGatewayServer(schema, { log });
  await apollo.start();
  const staticRoot = options.staticDir ? resolve(options.staticDir) : undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (options.extraRoutes && (await options.extraRoutes(req, res))) return;
    const url = new URL(req.url ?? '/', 'http://gateway');
    const method = (req.method ?? 'GET').toUpperCase();
    if (url.pathname === GRAPHQL_PATH) {
      let body: string | undefined;
      if (method !== 'GET' && method !== 'HEAD') {
        try {
          body = await readBody(req);
        } catch (error) {
          if (error instanceof PayloadTooLarge) return sendText(res, 413, 'Payload too large');
          throw error;
        }
      }
      const response = await executeGraphQLHttp(apollo, authenticator, { method, headers: req.headers, search: url.search, body });
      res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
      res.end(response.body);
      return;
    }
    if (staticRoot && (method === 'GET' || method === 'HEAD') && (await serveStatic(staticRoot, url.pathname, req, res))) return;
    sendText(res, 404, 'Not found');
  }

  const httpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`${req.method} ${req.url} failed`, error);
      if (!res.headersSent) sendText(res, 500, 'Internal server error');
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: MAX_BODY_BYTES });
  const graphqlWs = serveGraphQLOverWebSocket(wss, schema, authenticator, log);

  await new Promise<void>((resolveListen, rejectListen) => {
    httpServer.once('error', rejectListen);
    httpServer.listen(options.port, options.host ?? '127.0.0.1', () => {
      httpServer.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = httpServer.address() as AddressInfo;
  const origin = originOf(address);

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    // Going away (1001) to every client; a client that does not answer is cut after a while.
    const cut = setTimeout(() => {
      for (const client of wss.clients) client.terminate();
    }, 2000);
    try {
      await graphqlWs.dispose();
    } finally {
      clearTimeout(cut);
    }
    await new Promise<void>((resolveClose) => {
      httpServer.close(() => resolveClose());
      httpServer.closeAllConnections();
    });
    await apollo.stop();
  }

  return {
    url: `http://${origin}`,
    graphqlUrl: `http://${origin}${GRAPHQL_PATH}`,
    subscriptionsUrl: `ws://${origin}${GRAPHQL_PATH}`,
    port: address.port,
    close: () => (closing ??= close()),
  };
}
