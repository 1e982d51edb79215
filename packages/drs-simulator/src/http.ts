/**
 * The HTTP face of the simulator: the DRS restJson1 protocol (so the unmodified AWS SDK talks to
 * it through `endpoint` or AWS_ENDPOINT_URL_DRS) and a small JSON control API under /_simulator/.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DrsError, cannotParse, unknownOperation } from './errors.js';
import { matchRoute } from './operations.js';
import type { CallerHints, DrsSimulator } from './simulator.js';

const MAX_BODY_BYTES = 6 * 1024 * 1024;
const CONTROL_PREFIX = '/_simulator/';

/** Access key id and region from a SigV4 `Authorization` header's credential scope. */
export function callerFromAuthorization(header: string | undefined): CallerHints {
  if (!header) return {};
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/[^/,\s]+\/aws4_request/.exec(header);
  if (!match || !match[1] || !match[2]) return {};
  return { accessKeyId: match[1], region: match[2] };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, error: DrsError): void {
  const headers: Record<string, string> = { 'x-amzn-errortype': error.type };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  send(res, error.statusCode, error.body(), headers);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw cannotParse(`The request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw cannotParse('The request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw cannotParse('The request body must be a JSON object');
  return value as Record<string, unknown>;
}

async function handleDrs(simulator: DrsSimulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const caller = callerFromAuthorization(req.headers.authorization);
  const route = matchRoute(method, url.pathname);
  if (!route) {
    await readBody(req).catch(() => '');
    const result = simulator.rejectCall(`${method} ${url.pathname}`, caller, null, unknownOperation(method, url.pathname));
    if (!result.ok) sendError(res, result.error);
    return;
  }
  const { operation, labels } = route;
  let input: Record<string, unknown>;
  try {
    input = { ...parseJsonObject(await readBody(req)), ...labels };
    for (const name of operation.queryLists ?? []) {
      if (url.searchParams.has(name)) input[name] = url.searchParams.getAll(name);
    }
  } catch (error) {
    const drsError = error instanceof DrsError ? error : cannotParse('The request could not be read');
    simulator.rejectCall(operation.name, caller, null, drsError);
    sendError(res, drsError);
    return;
  }
  const result = await simulator.invoke(operation.name, caller, input);
  if (result.ok) send(res, result.statusCode, result.output);
  else sendError(res, result.error);
}

async function handleControl(simulator: DrsSimulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const route = `${req.method ?? 'GET'} ${url.pathname.slice(CONTROL_PREFIX.length)}`;
  await readBody(req).catch(() => '');
  switch (route) {
    case 'GET health':
      return send(res, 200, {
        status: 'ok',
        seed: simulator.seed,
        timeScale: simulator.timeScale,
        quotas: simulator.quotas,
        accounts: simulator.fleet.accounts.map((a) => ({ accountId: a.accountId, regions: a.regions })),
        sourceServers: simulator.sourceServers().length,
        jobs: simulator.jobs().length,
        activeJobs: simulator.jobs().filter((j) => j.status !== 'COMPLETED').length,
        calls: simulator.callLog.length,
      });
    case 'GET calls':
      return send(res, 200, { calls: simulator.callLog });
    case 'GET events':
      return send(res, 200, { events: simulator.eventLog });
    case 'GET invariants': {
      const tagKey = url.searchParams.get('tagKey');
      return send(res, 200, simulator.checkInvariants(tagKey ? { groupTagKey: tagKey } : {}));
    }
    case 'POST reset':
      simulator.reset();
      return send(res, 200, { status: 'reset' });
    default:
      return send(res, 404, {
        message: `Unknown control route ${route}; try GET /_simulator/health, GET /_simulator/calls, GET /_simulator/events, GET /_simulator/invariants, POST /_simulator/reset`,
      });
  }
}

/** An HTTP server for the simulator, not yet listening. */
export function createDrsServer(simulator: DrsSimulator): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handler = url.pathname.startsWith(CONTROL_PREFIX) ? handleControl : handleDrs;
    handler(simulator, req, res, url).catch((error: unknown) => {
      const drsError = error instanceof DrsError ? error : new DrsError('InternalServerException', error instanceof Error ? error.message : String(error));
      if (!res.headersSent) sendError(res, drsError);
      else res.destroy();
    });
  });
}

/** Listens and resolves the base URL (port 0 picks a free port). */
export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shownHost}:${address.port}`;
}

export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
