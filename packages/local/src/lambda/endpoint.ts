import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalLambdaRuntime } from './runtime.js';
import type { LocalEventBus, PutEventsEntry } from '../eventbridge/bus.js';
import type { LocalScheduler } from '../scheduler/service.js';

/**
 * The AWS endpoint of the local stack for Lambda (Invoke, REST), EventBridge (PutEvents,
 * awsJson1_1) and EventBridge Scheduler (REST): the services' unmodified SDK clients reach it
 * through AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_EVENTBRIDGE and AWS_ENDPOINT_URL_SCHEDULER.
 */
export async function startAwsEndpoint(lambda: LocalLambdaRuntime, bus: LocalEventBus, scheduler?: LocalScheduler, host = '127.0.0.1', port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      send(res, 500, { 'x-amzn-errortype': 'ServiceException' }, { message: error instanceof Error ? error.message : 'internal error' });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target.startsWith('AWSEvents.')) return handleEventBridge(target.slice('AWSEvents.'.length), body, res);
    if (scheduler && (await scheduler.route(req, res, body))) return;
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
    if (invoke && req.method === 'POST') return handleInvoke(decodeURIComponent(invoke[1] ?? ''), String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse'), body, res);
    send(res, 404, { 'x-amzn-errortype': 'UnknownOperationException' }, { message: `No local AWS operation at ${req.method} ${req.url}` });
  }

  function handleEventBridge(operation: string, body: string, res: http.ServerResponse): void {
    const json = { 'content-type': 'application/x-amz-json-1.1' };
    if (operation !== 'PutEvents') {
      send(res, 400, { ...json, 'x-amzn-errortype': 'UnknownOperationException' }, { __type: 'UnknownOperationException', message: `${operation} is not supported locally` });
      return;
    }
    const input = JSON.parse(body || '{}') as { Entries?: PutEventsEntry[] };
    const entries = input.Entries ?? [];
    if (entries.length < 1 || entries.length > 10) {
      send(res, 400, { ...json, 'x-amzn-errortype': 'ValidationException' }, { __type: 'ValidationException', message: '1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must have length between 1 and 10' });
      return;
    }
    const results = bus.putEvents(entries);
    send(res, 200, json, { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results });
  }

  async function handleInvoke(functionRef: string, invocationType: string, body: string, res: http.ServerResponse): Promise<void> {
    // FunctionName may be a name, an ARN or a partial ARN.
    const name = functionRef.includes(':function:') ? (functionRef.split(':function:')[1] ?? '').split(':')[0] ?? '' : functionRef;
    if (!lambda.has(name)) {
      send(res, 404, { 'x-amzn-errortype': 'ResourceNotFoundException' }, { Type: 'User', message: `Function not found: ${functionRef}` });
      return;
    }
    const payload: unknown = body ? JSON.parse(body) : {};
    if (invocationType === 'DryRun') {
      send(res, 204, {}, undefined);
      return;
    }
    if (invocationType === 'Event') {
      // Asynchronous invocation: Lambda retries twice on error.
      void (async () => {
        for (let attempt = 0; attempt < 3; attempt++) {
          try {
            await lambda.invoke(name, payload);
            return;
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
          }
        }
      })();
      send(res, 202, {}, undefined);
      return;
    }
    try {
      const result = await lambda.invoke(name, payload);
      send(res, 200, { 'x-amz-executed-version': '$LATEST' }, result ?? null);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      send(res, 200, { 'x-amz-executed-version': '$LATEST', 'x-amz-function-error': 'Unhandled' }, { errorType: err.name, errorMessage: err.message, trace: [] });
    }
  }

  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  if (res.headersSent) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
