/**
 * The HTTP face of the simulator: one server, one URL, every protocol, told apart per request:
 *
 * - `X-Amz-Target: AmazonSSM.<Operation>` : SSM over awsJson1_1;
 * - `POST /` with a form body (or `GET /?Action=...`): the query protocol, EC2 or STS by the SigV4
 *   credential scope's service, else by `Version` (2016-11-15 / 2011-06-15), else by `Action`;
 * - `/_simulator/...`: the JSON control API;
 * - anything else: DRS over restJson1 (`POST /<Operation>`, `/tags/{arn}`).
 *
 * So AWS_ENDPOINT_URL_DRS, _EC2, _SSM and _STS can all point at the same URL.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCredentialScope, parseSigV4Authorization, type SigV4Scope } from './accounts.js';
import { CONTROL_PREFIX, handleControl } from './control.js';
import { ProtocolError, isRecord, toJsonValue, type HttpAnswer } from './protocols/common.js';
import { serveDrs } from './protocols/drs.js';
import { EC2_ACTIONS, EC2_API_VERSION, handleEc2 } from './protocols/ec2.js';
import {
  EC2_FORMAT, SSM_FORMAT, STS_FORMAT, SimulatorEdge, jsonAnswer, xmlAnswer, type ProtocolFormat, type SimulatorEdgeOptions,
} from './protocols/edge.js';
import { SSM_TARGET_PREFIX } from './protocols/ssm.js';
import { STS_ACTIONS, STS_API_VERSION, handleSts } from './protocols/sts.js';
import { QueryParams } from './protocols/xml.js';
import type { CallerHints, DrsSimulator } from './simulator.js';

const MAX_BODY_BYTES = 6 * 1024 * 1024;

/** Access key id and region from a SigV4 `Authorization` header's credential scope. */
export function callerFromAuthorization(header: string | undefined): CallerHints {
  const scope = parseSigV4Authorization(header);
  return scope ? { accessKeyId: scope.accessKeyId, region: scope.region } : {};
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge(`The request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, answer: HttpAnswer): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
  res.end(answer.body);
}

interface RequestContext {
  edge: SimulatorEdge;
  scope: SigV4Scope | undefined;
  sessionToken: string | undefined;
  requestId: string;
}

function regionOf(ctx: RequestContext, accountId: string): string {
  return ctx.scope?.region ?? ctx.edge.defaultRegion(accountId);
}

function serveQuery(ctx: RequestContext, params: QueryParams): HttpAnswer {
  const { edge, scope, requestId } = ctx;
  const action = params.get('Action');
  const version = params.get('Version');
  const service = scope?.service === 'ec2' || scope?.service === 'sts' ? scope.service
    : version === EC2_API_VERSION ? 'ec2'
      : version === STS_API_VERSION ? 'sts'
        : action && (EC2_ACTIONS as readonly string[]).includes(action) ? 'ec2'
          : action && (STS_ACTIONS as readonly string[]).includes(action) ? 'sts'
            : undefined;
  const format: ProtocolFormat = service === 'ec2' ? EC2_FORMAT : STS_FORMAT;
  if (!service) {
    return format.error(new ProtocolError('InvalidAction', `The simulator serves EC2 (${EC2_API_VERSION}) and STS (${STS_API_VERSION}) over the query protocol; this request names neither (service ${scope?.service ?? 'unknown'}, Version ${version ?? 'none'})`, 400), requestId);
  }
  const resolution = edge.accounts.resolve(scope?.accessKeyId, ctx.sessionToken);
  const accountId = resolution.ok ? resolution.identity.accountId : edge.accounts.accountForKey(undefined).accountId;
  const region = regionOf(ctx, accountId);
  const input = params.toRecord();
  if (!action) {
    edge.record({ service, operation: '(none)', accountId, region, input, summary: 'no Action', outcome: 'ERROR', statusCode: 400, errorType: 'MissingAction', errorMessage: 'The request must contain the parameter Action' });
    return format.error(new ProtocolError('MissingAction', 'The request must contain the parameter Action', 400), requestId);
  }
  if (service === 'ec2') {
    return edge.serve({
      format: EC2_FORMAT,
      operation: action,
      resolution,
      region,
      input,
      summary: summarizeQuery(action, params),
      requestId,
      run: (identity) => handleEc2(edge.instances, { identity, region, action, params, requestId }),
      ok: (body, rid) => xmlAnswer(200, body, rid),
    });
  }
  const { Policy: _policy, ...logged } = input;
  return edge.serve({
    format: STS_FORMAT,
    operation: action,
    resolution,
    region,
    input: logged,
    summary: action === 'AssumeRole' ? `AssumeRole ${params.get('RoleArn') ?? ''}` : action,
    requestId,
    run: (identity) => handleSts(edge.accounts, { identity, action, params, requestId }, (roleArn) => edge.faults.assumeRoleDenied(roleArn)),
    ok: (outcome, rid) => xmlAnswer(200, outcome.body, rid),
    logFields: (outcome) => (outcome.assumed ? { assumedAccountId: outcome.assumed.accountId, assumedRoleArn: params.get('RoleArn') ?? '' } : {}),
  });
}

function summarizeQuery(action: string, params: QueryParams): string {
  const parts = [action];
  const ids = params.list('InstanceId');
  if (ids.length > 0) parts.push(`${ids.length} instance(s)`);
  for (const f of params.filters()) parts.push(`${f.name}=${f.values.join('|')}`);
  if (params.has('MaxResults')) parts.push(`maxResults=${params.get('MaxResults') ?? ''}`);
  if (params.has('NextToken')) parts.push('page>1');
  return parts.join(' ');
}

function serveJsonTarget(ctx: RequestContext, target: string, body: string): HttpAnswer {
  const { edge, scope, requestId } = ctx;
  if (!target.startsWith(SSM_TARGET_PREFIX)) {
    return jsonAnswer(400, { __type: 'UnknownOperationException', message: `The simulator serves SSM (AmazonSSM.*) over awsJson1_1; not ${target}` }, requestId);
  }
  const operation = target.slice(SSM_TARGET_PREFIX.length);
  const resolution = edge.accounts.resolve(scope?.accessKeyId, ctx.sessionToken);
  const accountId = resolution.ok ? resolution.identity.accountId : edge.accounts.accountForKey(undefined).accountId;
  const region = regionOf(ctx, accountId);
  let input: Record<string, unknown> | undefined;
  let parseError: ProtocolError | undefined;
  try {
    const value: unknown = body.trim() === '' ? {} : JSON.parse(body);
    if (isRecord(value)) input = value;
    else parseError = new ProtocolError('SerializationException', 'The request body must be a JSON object', 400);
  } catch {
    parseError = new ProtocolError('SerializationException', 'The request body is not valid JSON', 400);
  }
  return edge.serve({
    format: SSM_FORMAT,
    operation,
    resolution,
    region,
    input: input ? toJsonValue(input) : null,
    summary: operation,
    requestId,
    run: (identity) => {
      if (parseError || !input) throw parseError ?? new ProtocolError('SerializationException', 'No request body', 400);
      return edge.ssm.handle({ identity, region, operation, input });
    },
    ok: (output, rid) => jsonAnswer(200, output, rid),
  });
}

function isQueryRequest(req: IncomingMessage, url: URL): boolean {
  if (url.pathname !== '/') return false;
  const type = header(req, 'content-type') ?? '';
  if (req.method === 'POST' && type.includes('application/x-www-form-urlencoded')) return true;
  return req.method === 'GET' && url.searchParams.has('Action');
}

async function route(edge: SimulatorEdge, req: IncomingMessage, url: URL, body: string): Promise<HttpAnswer> {
  const method = req.method ?? 'GET';
  if (url.pathname.startsWith(CONTROL_PREFIX)) return handleControl(edge, method, url, body);
  const ctx: RequestContext = {
    edge,
    scope: parseSigV4Authorization(header(req, 'authorization')) ?? parseCredentialScope(url.searchParams.get('X-Amz-Credential')),
    sessionToken: header(req, 'x-amz-security-token') ?? url.searchParams.get('X-Amz-Security-Token') ?? undefined,
    requestId: edge.newRequestId(),
  };
  const target = header(req, 'x-amz-target');
  if (target) return serveJsonTarget(ctx, target, body);
  if (isQueryRequest(req, url)) return serveQuery(ctx, new QueryParams(new URLSearchParams(req.method === 'POST' ? body : ''), url.searchParams));
  return serveDrs(edge, { method, url, body, scope: ctx.scope, sessionToken: ctx.sessionToken, requestId: ctx.requestId });
}

/** An HTTP server for an edge, not yet listening. */
export function createEdgeServer(edge: SimulatorEdge): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    readBody(req)
      .then((body) => route(edge, req, url, body))
      .then((answer) => send(res, answer))
      .catch((error: unknown) => {
        if (res.headersSent) return void res.destroy();
        const status = error instanceof BodyTooLarge ? 413 : 500;
        send(res, {
          status,
          headers: { 'content-type': 'application/json', ...(status === 500 ? { 'x-amzn-errortype': 'InternalServerException' } : {}) },
          body: JSON.stringify({ message: error instanceof Error ? error.message : String(error) }),
        });
      });
  });
}

export interface CreateServerOptions extends SimulatorEdgeOptions {
  /** An edge to serve (default: a new one over the simulator). */
  edge?: SimulatorEdge;
}

/** An HTTP server for the simulator (every protocol and the control API), not yet listening. */
export function createDrsServer(simulator: DrsSimulator, options: CreateServerOptions = {}): Server {
  return createEdgeServer(options.edge ?? new SimulatorEdge(simulator, options));
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
