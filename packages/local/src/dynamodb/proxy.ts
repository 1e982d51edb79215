import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AttributeMap, WireResponse } from './wire.js';
import { callDynamo, canonicalItem, dynamoError, errorType, forward } from './wire.js';
import type { IntendedWrite, StreamChange, StreamLog, StreamViewType } from './stream-log.js';

interface KeySchema {
  hash: string;
  range?: string;
}

interface ConditionParts {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: AttributeMap;
  ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
}

type TransactWriteItem =
  | { Put: ConditionParts & { TableName: string; Item: AttributeMap } }
  | { Update: ConditionParts & { TableName: string; Key: AttributeMap; UpdateExpression: string } }
  | { Delete: ConditionParts & { TableName: string; Key: AttributeMap } }
  | { ConditionCheck: ConditionParts & { TableName: string; Key: AttributeMap } };

interface PlannedWrite {
  kind: 'put' | 'update' | 'delete' | 'check';
  table: string;
  key: AttributeMap;
  condition: ConditionParts;
  request: Record<string, unknown>;
  before?: AttributeMap;
}

/** Items of one transaction read, checked or written at once. */
const ITEM_CONCURRENCY = 16;

/** `run` over `items`, at most `limit` at once; the answers in the items' order. */
async function inBatches<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await run(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** A FIFO mutex: every write goes through it, which makes transactions atomic and isolated. */
class WriteLock {
  private tail: Promise<void> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }
}

/**
 * The DynamoDB endpoint the local stack exposes: dynalite behind a proxy that adds transactions
 * and DynamoDB Streams (see docs/conventions.md).
 */
export class DynamoDbProxy {
  private readonly lock = new WriteLock();
  private readonly keySchemas = new Map<string, KeySchema>();
  private server: http.Server | undefined;

  constructor(
    private readonly dynalitePort: number,
    private readonly streams: StreamLog,
    private readonly streamTables: Map<string, StreamViewType>,
  ) {}

  async listen(host = '127.0.0.1', port = 0): Promise<number> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server?.listen(port, host, resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  enableStream(table: string, viewType: StreamViewType): void {
    this.streamTables.set(table, viewType);
  }

  /** Settles intents left by a crash by reading what the table holds now. */
  async recoverStreams(): Promise<number> {
    let settled = 0;
    for (const { seq, writes } of this.streams.takeUnresolved()) {
      const changes: StreamChange[] = [];
      for (const write of writes) {
        const now = await this.getItem(write.table, write.keys);
        if (write.kind === 'put' && canonicalItem(now) === canonicalItem(write.item)) changes.push(this.change(write, now));
        else if (write.kind === 'update' && now) changes.push(this.change(write, now));
        else if (write.kind === 'delete' && !now && write.existedBefore) changes.push(this.change(write, undefined));
      }
      if (changes.length > 0) this.streams.commit(seq, changes);
      else this.streams.abort(seq);
      settled++;
    }
    return settled;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1);
    let response: WireResponse;
    try {
      if (operation === 'TransactWriteItems') response = await this.lock.run(() => this.transactWrite(JSON.parse(body) as { TransactItems?: TransactWriteItem[] }));
      else if (operation === 'TransactGetItems') response = await this.lock.run(() => this.transactGet(JSON.parse(body) as { TransactItems?: { Get: { TableName: string; Key: AttributeMap; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> } }[] }));
      else if (WRITE_OPERATIONS.has(operation)) response = await this.lock.run(() => this.write(operation, req.headers, body));
      else response = await forward(this.dynalitePort, pickHeaders(req.headers), body);
    } catch (error) {
      response = dynamoError('InternalServerError', error instanceof Error ? error.message : 'internal error');
      response.status = 500;
    }
    res.writeHead(response.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': cryptoId() });
    res.end(response.body);
  }

  // ---- single writes: forwarded as they are, captured for the stream when the table has one
  private async write(operation: string, headers: http.IncomingHttpHeaders, body: string): Promise<WireResponse> {
    const input = JSON.parse(body) as Record<string, unknown>;
    if (operation === 'BatchWriteItem') return this.batchWrite(input, headers, body);
    const table = String(input.TableName ?? '');
    if (!this.streamTables.has(table)) return forward(this.dynalitePort, pickHeaders(headers), body);

    const kind = operation === 'PutItem' ? 'put' : operation === 'UpdateItem' ? 'update' : 'delete';
    const schema = await this.keySchema(table);
    const key = kind === 'put' ? keyOf(schema, input.Item as AttributeMap) : (input.Key as AttributeMap);
    const before = await this.getItem(table, key);
    const seq = this.streams.intend([{ table, keys: key, kind, item: kind === 'put' ? (input.Item as AttributeMap) : undefined, existedBefore: Boolean(before), oldImage: before }]);
    // Ask for the new image of an update so the stream record can carry it.
    const wantsNew = kind === 'update' && !input.ReturnValues;
    const response = await forward(this.dynalitePort, pickHeaders(headers), wantsNew ? JSON.stringify({ ...input, ReturnValues: 'ALL_NEW' }) : body);
    if (response.status >= 400) {
      this.streams.abort(seq);
      return response;
    }
    const after = kind === 'put' ? (input.Item as AttributeMap) : kind === 'update' ? await this.getItem(table, key) : undefined;
    if (kind === 'delete' && !before) this.streams.abort(seq);
    else this.streams.commit(seq, [this.change({ table, keys: key, kind, existedBefore: Boolean(before), oldImage: before }, after)]);
    if (wantsNew) return { ...response, body: '{}' };
    return response;
  }

  private async batchWrite(input: Record<string, unknown>, headers: http.IncomingHttpHeaders, body: string): Promise<WireResponse> {
    const requestItems = (input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: AttributeMap }; DeleteRequest?: { Key: AttributeMap } }[]>;
    if (!Object.keys(requestItems).some((table) => this.streamTables.has(table))) return forward(this.dynalitePort, pickHeaders(headers), body);
    // A stream table in the batch: write item by item so that each change is captured.
    for (const [table, requests] of Object.entries(requestItems)) {
      for (const request of requests) {
        const single = request.PutRequest
          ? { op: 'PutItem', input: { TableName: table, Item: request.PutRequest.Item } }
          : { op: 'DeleteItem', input: { TableName: table, Key: request.DeleteRequest?.Key } };
        const response = await this.write(single.op, { ...headers, 'x-amz-target': `DynamoDB_20120810.${single.op}` }, JSON.stringify(single.input));
        if (response.status >= 400) return response;
      }
    }
    return { status: 200, headers: {}, body: JSON.stringify({ UnprocessedItems: {} }) };
  }

  // ---- transactions

  private async transactWrite(input: { TransactItems?: TransactWriteItem[] }): Promise<WireResponse> {
    const items = input.TransactItems ?? [];
    if (items.length === 0 || items.length > 100) {
      return dynamoError('ValidationException', `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length between 1 and 100`);
    }
    const planned: PlannedWrite[] = await Promise.all(items.map((item) => this.plan(item)));
    const seen = new Set<string>();
    for (const write of planned) {
      const id = `${write.table}|${canonicalItem(write.key)}`;
      if (seen.has(id)) return dynamoError('ValidationException', 'Transaction request cannot include multiple operations on one item');
      seen.add(id);
    }
    // Phase 1: evaluate every condition (DynamoDB reports each one) without changing anything.
    // The items are distinct and the lock is held: they are read and checked side by side (a claim
    // of 100 servers took 400 sequential calls to dynalite).
    const reasons = await inBatches(planned, ITEM_CONCURRENCY, async (write) => {
      write.before = await this.getItem(write.table, write.key);
      return this.checkCondition(write);
    });
    if (reasons.some((r) => r.Code !== 'None')) {
      const codes = reasons.map((r) => r.Code).join(', ');
      return dynamoError('TransactionCanceledException', `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`, { CancellationReasons: reasons });
    }
    // Phase 2: apply. The lock is held, so the conditions still hold; undo on an unexpected failure.
    const streamWrites = planned.filter((w) => w.kind !== 'check' && this.streamTables.has(w.table));
    const seq = streamWrites.length > 0
      ? this.streams.intend(streamWrites.map((w) => ({ table: w.table, keys: w.key, kind: w.kind as IntendedWrite['kind'], item: w.kind === 'put' ? (w.request.Item as AttributeMap) : undefined, existedBefore: Boolean(w.before), oldImage: w.before })))
      : undefined;
    const applied: PlannedWrite[] = [];
    const failed: WireResponse[] = [];
    await inBatches(planned.filter((write) => write.kind !== 'check'), ITEM_CONCURRENCY, async (write) => {
      const { ConditionExpression: _c, ReturnValuesOnConditionCheckFailure: _r, ...request } = write.request as Record<string, unknown> & ConditionParts;
      const unconditional = stripUnusedNames(request, write.condition.ConditionExpression);
      const response = await callDynamo(this.dynalitePort, write.kind === 'put' ? 'PutItem' : write.kind === 'update' ? 'UpdateItem' : 'DeleteItem', unconditional);
      if (response.status >= 400) failed.push(response);
      else applied.push(write);
    });
    if (failed[0]) {
      for (const done of applied.reverse()) await this.restore(done);
      if (seq !== undefined) this.streams.abort(seq);
      return failed[0];
    }
    if (seq !== undefined) {
      const changes: StreamChange[] = [];
      for (const write of streamWrites) {
        const after = write.kind === 'delete' ? undefined : await this.getItem(write.table, write.key);
        if (write.kind === 'delete' && !write.before) continue;
        changes.push(this.change({ table: write.table, keys: write.key, kind: write.kind as IntendedWrite['kind'], existedBefore: Boolean(write.before), oldImage: write.before }, after));
      }
      if (changes.length > 0) this.streams.commit(seq, changes);
      else this.streams.abort(seq);
    }
    return { status: 200, headers: {}, body: '{}' };
  }

  private async plan(item: TransactWriteItem): Promise<PlannedWrite> {
    if ('Put' in item) {
      const { TableName, Item } = item.Put;
      return { kind: 'put', table: TableName, key: keyOf(await this.keySchema(TableName), Item), condition: item.Put, request: { ...item.Put } };
    }
    if ('Update' in item) return { kind: 'update', table: item.Update.TableName, key: item.Update.Key, condition: item.Update, request: { ...item.Update } };
    if ('Delete' in item) return { kind: 'delete', table: item.Delete.TableName, key: item.Delete.Key, condition: item.Delete, request: { ...item.Delete } };
    return { kind: 'check', table: item.ConditionCheck.TableName, key: item.ConditionCheck.Key, condition: item.ConditionCheck, request: { ...item.ConditionCheck } };
  }

  /**
   * Evaluates a condition with dynalite's own expression engine: a conditional put of the item as
   * it is (no change when it passes), or of the bare key (removed again) when there is no item.
   */
  private async checkCondition(write: PlannedWrite): Promise<Record<string, unknown>> {
    const { ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues, ReturnValuesOnConditionCheckFailure } = write.condition;
    if (!ConditionExpression) return { Code: 'None' };
    const probe = {
      TableName: write.table,
      Item: write.before ?? write.key,
      ConditionExpression,
      ...nonEmpty('ExpressionAttributeNames', ExpressionAttributeNames && onlyUsedNames(ExpressionAttributeNames, ConditionExpression)),
      ...nonEmpty('ExpressionAttributeValues', ExpressionAttributeValues && onlyUsedValues(ExpressionAttributeValues, ConditionExpression)),
    };
    const response = await callDynamo(this.dynalitePort, 'PutItem', probe);
    if (!write.before && response.status < 400) await callDynamo(this.dynalitePort, 'DeleteItem', { TableName: write.table, Key: write.key });
    const type = errorType(response);
    if (!type) return { Code: 'None' };
    if (type === 'ConditionalCheckFailedException') {
      return { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && write.before ? { Item: write.before } : {}) };
    }
    return { Code: 'ValidationError', Message: safeMessage(response) };
  }

  private async restore(write: PlannedWrite): Promise<void> {
    if (write.before) await callDynamo(this.dynalitePort, 'PutItem', { TableName: write.table, Item: write.before });
    else await callDynamo(this.dynalitePort, 'DeleteItem', { TableName: write.table, Key: write.key });
  }

  private async transactGet(input: { TransactItems?: { Get: { TableName: string; Key: AttributeMap; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> } }[] }): Promise<WireResponse> {
    const responses: { Item?: AttributeMap }[] = [];
    for (const { Get } of input.TransactItems ?? []) {
      const response = await callDynamo(this.dynalitePort, 'GetItem', { ...Get, ConsistentRead: true });
      if (response.status >= 400) return response;
      const item = (JSON.parse(response.body) as { Item?: AttributeMap }).Item;
      responses.push(item ? { Item: item } : {});
    }
    return { status: 200, headers: {}, body: JSON.stringify({ Responses: responses }) };
  }

  // ---- helpers
  private change(write: Pick<IntendedWrite, 'table' | 'keys' | 'kind' | 'existedBefore' | 'oldImage'>, after: AttributeMap | undefined): StreamChange {
    const view = this.streamTables.get(write.table) ?? 'NEW_IMAGE';
    const withNew = view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES';
    const withOld = view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES';
    const eventName = write.kind === 'delete' ? 'REMOVE' : write.existedBefore ? 'MODIFY' : 'INSERT';
    return {
      table: write.table,
      eventName,
      keys: write.keys,
      ...(withNew && after ? { newImage: after } : {}),
      ...(withOld && write.oldImage ? { oldImage: write.oldImage } : {}),
    };
  }

  private async getItem(table: string, key: AttributeMap): Promise<AttributeMap | undefined> {
    const response = await callDynamo(this.dynalitePort, 'GetItem', { TableName: table, Key: key, ConsistentRead: true });
    if (response.status >= 400) throw new Error(`GetItem on ${table} failed: ${response.body}`);
    return (JSON.parse(response.body) as { Item?: AttributeMap }).Item;
  }

  private async keySchema(table: string): Promise<KeySchema> {
    const known = this.keySchemas.get(table);
    if (known) return known;
    const response = await callDynamo(this.dynalitePort, 'DescribeTable', { TableName: table });
    if (response.status >= 400) throw new Error(`Table ${table} is unknown: ${response.body}`);
    const elements = (JSON.parse(response.body) as { Table: { KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[] } }).Table.KeySchema;
    const schema: KeySchema = { hash: elements.find((e) => e.KeyType === 'HASH')?.AttributeName ?? '', range: elements.find((e) => e.KeyType === 'RANGE')?.AttributeName };
    this.keySchemas.set(table, schema);
    return schema;
  }
}

function keyOf(schema: KeySchema, item: AttributeMap): AttributeMap {
  const key: AttributeMap = {};
  const hash = item[schema.hash];
  if (hash) key[schema.hash] = hash;
  if (schema.range) {
    const range = item[schema.range];
    if (range) key[schema.range] = range;
  }
  return key;
}

function pickHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const { host: _host, 'content-length': _length, connection: _connection, ...rest } = headers;
  return rest;
}

// DynamoDB refuses unused expression names/values, so a condition's own ones must be dropped
// when the write is replayed without it (and kept only the used ones when the condition is probed).
function usedTokens(expressions: (string | undefined)[], prefix: '#' | ':'): Set<string> {
  const used = new Set<string>();
  const pattern = prefix === '#' ? /#[A-Za-z0-9_]+/g : /:[A-Za-z0-9_]+/g;
  for (const expression of expressions) for (const match of expression?.match(pattern) ?? []) used.add(match);
  return used;
}

function nonEmpty(name: string, map: Record<string, unknown> | undefined): Record<string, unknown> {
  return map && Object.keys(map).length > 0 ? { [name]: map } : {};
}

function onlyUsedNames(names: Record<string, string>, expression: string): Record<string, string> {
  const used = usedTokens([expression], '#');
  return Object.fromEntries(Object.entries(names).filter(([k]) => used.has(k)));
}

function onlyUsedValues(values: AttributeMap, expression: string): AttributeMap {
  const used = usedTokens([expression], ':');
  return Object.fromEntries(Object.entries(values).filter(([k]) => used.has(k)));
}

function stripUnusedNames(request: Record<string, unknown>, _condition: string | undefined): Record<string, unknown> {
  const expressions = [request.UpdateExpression as string | undefined, request.ProjectionExpression as string | undefined];
  const result = { ...request };
  const names = request.ExpressionAttributeNames as Record<string, string> | undefined;
  const values = request.ExpressionAttributeValues as AttributeMap | undefined;
  if (names) {
    const used = usedTokens(expressions, '#');
    const kept = Object.fromEntries(Object.entries(names).filter(([k]) => used.has(k)));
    if (Object.keys(kept).length > 0) result.ExpressionAttributeNames = kept;
    else delete result.ExpressionAttributeNames;
  }
  if (values) {
    const used = usedTokens(expressions, ':');
    const kept = Object.fromEntries(Object.entries(values).filter(([k]) => used.has(k)));
    if (Object.keys(kept).length > 0) result.ExpressionAttributeValues = kept;
    else delete result.ExpressionAttributeValues;
  }
  return result;
}

function safeMessage(response: WireResponse): string {
  try {
    return (JSON.parse(response.body) as { message?: string }).message ?? 'invalid request';
  } catch {
    return 'invalid request';
  }
}

let counter = 0;
function cryptoId(): string {
  counter = (counter + 1) % 1e9;
  return `local-${Date.now().toString(36)}-${counter.toString(36)}`;
}
