import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Control over the TransactWriteItems calls that reach the local DynamoDB: how many there were,
 * how many DynamoDB cancelled, and a way to make a race between writers certain.
 */
export interface TransactionGate {
  /** TransactWriteItems calls answered, and how many of them were cancelled (TransactionCanceledException). */
  readonly stats: { transactions: number; cancelled: number };
  /**
   * Holds TransactWriteItems calls until `count` of them have arrived (or `timeoutMs` passed), then
   * lets them through one by one in order of arrival: every writer has done its reads before any commits.
   */
  holdTransactionsUntil(count: number, timeoutMs?: number): void;
}

export interface RunningTransactionGate extends TransactionGate {
  endpoint: string;
  stop(): Promise<void>;
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

const TRANSACT_WRITE = 'DynamoDB_20120810.TransactWriteItems';

/**
 * A pass-through HTTP gate in front of `target` (the local DynamoDB). It implements nothing of
 * DynamoDB: every request, transactions included, is answered by the target; the gate only counts
 * TransactWriteItems and can hold them back.
 */
export async function startTransactionGate(target: string): Promise<RunningTransactionGate> {
  const stats = { transactions: 0, cancelled: 0 };
  let hold: { count: number; arrived: number; release: () => void; released: Promise<void> } | undefined;
  let inOrder: Promise<unknown> = Promise.resolve();

  async function forward(body: string, headers: IncomingHttpHeaders): Promise<Answer> {
    const forwarded: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined && !['host', 'content-length', 'connection'].includes(name)) forwarded[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const response = await fetch(target, { method: 'POST', headers: forwarded, body });
    const answerHeaders: Record<string, string> = {};
    for (const name of ['content-type', 'x-amzn-requestid', 'x-amz-crc32']) {
      const value = response.headers.get(name);
      if (value !== null) answerHeaders[name] = value;
    }
    return { status: response.status, body: await response.text(), headers: answerHeaders };
  }

  async function transact(body: string, headers: IncomingHttpHeaders): Promise<Answer> {
    if (hold) {
      const current = hold;
      current.arrived++;
      if (current.arrived >= current.count) {
        current.release();
        hold = undefined;
      }
      await current.released;
    }
    const answer = inOrder.then(() => forward(body, headers));
    inOrder = answer.catch(() => undefined);
    const result = await answer;
    stats.transactions++;
    if (result.status >= 400 && result.body.includes('TransactionCanceledException')) stats.cancelled++;
    return result;
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const answer = req.headers['x-amz-target'] === TRANSACT_WRITE ? transact(body, req.headers) : forward(body, req.headers);
      answer.then(
        ({ status, body: text, headers }) => {
          res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
          res.end(text);
        },
        (error: unknown) => {
          const text = JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(error) });
          res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
          res.end(text);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    holdTransactionsUntil(count, timeoutMs = 5000) {
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
        setTimeout(resolve, timeoutMs).unref();
      });
      hold = { count, arrived: 0, release, released };
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
