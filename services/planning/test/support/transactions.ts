import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * dynalite (4.0) has no TransactWriteItems. This proxy sits in front of it and answers
 * TransactWriteItems itself with DynamoDB's semantics as far as planning relies on them:
 * all or nothing, each item's condition, and on failure a TransactionCanceledException whose
 * CancellationReasons line up with the items (with the old item when the item asks for ALL_OLD).
 * Transactions run one at a time and other requests wait while one runs, so nobody reads a
 * half-applied transaction. Every other request is forwarded untouched.
 *
 * How: each item's prior image is read, the items are written one by one with their own
 * conditions, and if any condition fails the written ones are put back as they were.
 */
export interface TransactionalProxy {
  endpoint: string;
  /** TransactWriteItems calls answered, and how many were cancelled. */
  stats: { transactions: number; cancelled: number };
  /**
   * Holds transactions until `count` of them have arrived (or `timeoutMs` passed), then runs
   * them in order of arrival: makes a race between concurrent writers certain, not likely.
   */
  holdTransactionsUntil(count: number, timeoutMs?: number): void;
  stop(): Promise<void>;
}

type AttributeMap = Record<string, unknown>;
interface TransactItem {
  Put?: { TableName: string; Item: AttributeMap; ConditionExpression?: string; ExpressionAttributeNames?: unknown; ExpressionAttributeValues?: unknown; ReturnValuesOnConditionCheckFailure?: string };
  Delete?: { TableName: string; Key: AttributeMap; ConditionExpression?: string; ExpressionAttributeNames?: unknown; ExpressionAttributeValues?: unknown; ReturnValuesOnConditionCheckFailure?: string };
  Update?: { TableName: string; Key: AttributeMap; UpdateExpression: string; ConditionExpression?: string; ExpressionAttributeNames?: unknown; ExpressionAttributeValues?: unknown; ReturnValuesOnConditionCheckFailure?: string };
  ConditionCheck?: unknown;
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

const TYPE_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

export async function startTransactionalProxy(target: string): Promise<TransactionalProxy> {
  const keySchemas = new Map<string, string[]>();
  const stats = { transactions: 0, cancelled: 0 };
  let running: Promise<void> = Promise.resolve();
  let hold: { count: number; arrived: number; release: () => void; released: Promise<void> } | undefined;

  async function call(operation: string, payload: unknown, auth: IncomingHttpHeaders): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
        authorization: String(auth.authorization ?? ''),
        'x-amz-date': String(auth['x-amz-date'] ?? ''),
      },
      body: JSON.stringify(payload),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  async function keyOf(tableName: string, item: AttributeMap, auth: IncomingHttpHeaders): Promise<AttributeMap> {
    let names = keySchemas.get(tableName);
    if (!names) {
      const { json } = await call('DescribeTable', { TableName: tableName }, auth);
      const schema = (json.Table as { KeySchema?: { AttributeName: string }[] } | undefined)?.KeySchema ?? [];
      names = schema.map((key) => key.AttributeName);
      keySchemas.set(tableName, names);
    }
    return Object.fromEntries(names.map((name) => [name, item[name]]));
  }

  async function transact(body: { TransactItems?: TransactItem[] }, auth: IncomingHttpHeaders): Promise<Answer> {
    const items = body.TransactItems ?? [];
    const json = (status: number, payload: unknown): Answer => ({ status, body: JSON.stringify(payload), headers: { 'content-type': 'application/x-amz-json-1.0' } });
    if (items.length === 0 || items.length > 100) return json(400, { __type: `${TYPE_PREFIX}ValidationException`, message: 'TransactItems must have 1 to 100 items' });
    if (items.some((item) => item.ConditionCheck)) return json(400, { __type: `${TYPE_PREFIX}ValidationException`, message: 'ConditionCheck is not emulated by this test proxy' });

    const plans = await Promise.all(
      items.map(async (item) => {
        if (item.Put) return { table: item.Put.TableName, key: await keyOf(item.Put.TableName, item.Put.Item, auth), operation: 'PutItem', request: item.Put };
        if (item.Delete) return { table: item.Delete.TableName, key: item.Delete.Key, operation: 'DeleteItem', request: item.Delete };
        if (item.Update) return { table: item.Update.TableName, key: item.Update.Key, operation: 'UpdateItem', request: item.Update };
        throw new Error('unknown transact item');
      }),
    );
    const priors = await Promise.all(plans.map(async (plan) => (await call('GetItem', { TableName: plan.table, Key: plan.key, ConsistentRead: true }, auth)).json.Item as AttributeMap | undefined));

    const reasons: Record<string, unknown>[] = [];
    const written: number[] = [];
    for (const [index, plan] of plans.entries()) {
      const { ReturnValuesOnConditionCheckFailure: returnValues, ...request } = plan.request;
      const result = await call(plan.operation, request, auth);
      if (result.status === 200) {
        written.push(index);
        reasons.push({ Code: 'None' });
      } else if (String(result.json.__type).endsWith('ConditionalCheckFailedException')) {
        const prior = priors[index];
        reasons.push({ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(returnValues === 'ALL_OLD' && prior ? { Item: prior } : {}) });
      } else {
        reasons.push({ Code: 'ValidationError', Message: String(result.json.message ?? result.json.Message ?? result.json.__type) });
      }
    }
    stats.transactions++;
    if (written.length === plans.length) return json(200, {});

    // Put back what was written, last first.
    for (const index of written.reverse()) {
      const plan = plans[index];
      const prior = priors[index];
      if (!plan) continue;
      if (prior) await call('PutItem', { TableName: plan.table, Item: prior }, auth);
      else await call('DeleteItem', { TableName: plan.table, Key: plan.key }, auth);
    }
    stats.cancelled++;
    const codes = reasons.map((reason) => String(reason.Code)).join(', ');
    return json(400, {
      __type: `${TYPE_PREFIX}TransactionCanceledException`,
      Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`,
      CancellationReasons: reasons,
    });
  }

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

  async function answer(body: string, headers: IncomingHttpHeaders): Promise<Answer> {
    if (headers['x-amz-target'] !== 'DynamoDB_20120810.TransactWriteItems') {
      await running; // no reads or writes in the middle of a transaction
      return forward(body, headers);
    }
    if (hold) {
      const current = hold;
      current.arrived++;
      if (current.arrived >= current.count) current.release();
      await current.released;
    }
    const result = running.then(() => transact(JSON.parse(body) as { TransactItems?: TransactItem[] }, headers));
    running = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      answer(Buffer.concat(chunks).toString('utf8'), req.headers).then(
        ({ status, body, headers }) => {
          res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
          res.end(body);
        },
        (error: unknown) => {
          const body = JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(error) });
          res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) });
          res.end(body);
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
