import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, TransactionCanceledException, TransactGetItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalDynamoDb, StreamLog, type LocalDynamoDb } from '../src/dynamodb/index.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const tables = [
  { TableName: 'events', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'streamId', AttributeType: 'S' }, { AttributeName: 'version', AttributeType: 'N' }], KeySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }, { AttributeName: 'version', KeyType: 'RANGE' }], StreamSpecification: { StreamViewType: 'NEW_IMAGE' as const } },
  { TableName: 'memberships', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'sourceServerId', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'sourceServerId', KeyType: 'HASH' }] },
];

let db: LocalDynamoDb | undefined;
afterEach(async () => { await db?.close(); db = undefined; });

async function start(dataDir?: string) {
  db = await startLocalDynamoDb(dataDir ? { dataDir } : {});
  await db.createTables(tables);
  return new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials });
}

const claim = (server: string, group: string) => ({ Put: { TableName: 'memberships', Item: { sourceServerId: { S: server }, groupId: { S: group } }, ConditionExpression: 'attribute_not_exists(sourceServerId)' } });

describe('TransactWriteItems on the local DynamoDB', () => {
  it('given free items, when a transaction claims them, then all are written', async () => {
    const client = await start();
    await client.send(new TransactWriteItemsCommand({ TransactItems: [claim('s-1', 'g1'), claim('s-2', 'g1')] }));
    const got = await client.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: 'memberships', Key: { sourceServerId: { S: 's-1' } } } }, { Get: { TableName: 'memberships', Key: { sourceServerId: { S: 's-2' } } } }] }));
    expect(got.Responses?.map((r) => r.Item?.groupId?.S)).toEqual(['g1', 'g1']);
  });

  it('given one item taken, when a transaction claims it with others, then nothing is written and the reason names the item', async () => {
    const client = await start();
    await client.send(new TransactWriteItemsCommand({ TransactItems: [claim('s-2', 'g1')] }));
    const error = await client.send(new TransactWriteItemsCommand({ TransactItems: [claim('s-1', 'g2'), claim('s-2', 'g2'), claim('s-3', 'g2')] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed', 'None']);
    const s1 = await client.send(new GetItemCommand({ TableName: 'memberships', Key: { sourceServerId: { S: 's-1' } } }));
    expect(s1.Item).toBeUndefined();
  });

  it('given two concurrent transactions claiming the same item, then exactly one succeeds', async () => {
    const client = await start();
    const results = await Promise.allSettled([
      client.send(new TransactWriteItemsCommand({ TransactItems: [claim('s-9', 'a'), claim('s-8', 'a')] })),
      client.send(new TransactWriteItemsCommand({ TransactItems: [claim('s-9', 'b'), claim('s-7', 'b')] })),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('given update and condition check operations, then they apply with their own expression names', async () => {
    const client = await start();
    await client.send(new PutItemCommand({ TableName: 'memberships', Item: { sourceServerId: { S: 's-1' }, groupId: { S: 'g1' }, n: { N: '1' } } }));
    await client.send(new TransactWriteItemsCommand({ TransactItems: [
      { ConditionCheck: { TableName: 'memberships', Key: { sourceServerId: { S: 's-1' } }, ConditionExpression: '#g = :g', ExpressionAttributeNames: { '#g': 'groupId' }, ExpressionAttributeValues: { ':g': { S: 'g1' } } } },
      { Update: { TableName: 'memberships', Key: { sourceServerId: { S: 's-2' } }, UpdateExpression: 'SET #n = :n', ConditionExpression: 'attribute_not_exists(#id)', ExpressionAttributeNames: { '#n': 'n', '#id': 'sourceServerId' }, ExpressionAttributeValues: { ':n': { N: '5' } } } },
    ] }));
    const s2 = await client.send(new GetItemCommand({ TableName: 'memberships', Key: { sourceServerId: { S: 's-2' } } }));
    expect(s2.Item?.n?.N).toBe('5');
  });
});

describe('DynamoDB Streams on the local DynamoDB', () => {
  it('given a stream table, when items are written, then the stream holds INSERT and MODIFY records in order', async () => {
    const client = await start();
    const put = (version: number) => ({ Put: { TableName: 'events', Item: { streamId: { S: 'e-1' }, version: { N: String(version) }, type: { S: `T${version}` } }, ConditionExpression: 'attribute_not_exists(version)' } });
    await client.send(new TransactWriteItemsCommand({ TransactItems: [put(1), put(2)] }));
    await client.send(new UpdateItemCommand({ TableName: 'events', Key: { streamId: { S: 'e-1' }, version: { N: '1' } }, UpdateExpression: 'SET seen = :t', ExpressionAttributeValues: { ':t': { BOOL: true } } }));
    await client.send(new PutItemCommand({ TableName: 'memberships', Item: { sourceServerId: { S: 'not-streamed' } } }));
    const records = db!.streams.readAfter('events', 0, 10);
    expect(records.map((r) => [r.eventName, r.newImage?.type?.S])).toEqual([['INSERT', 'T1'], ['INSERT', 'T2'], ['MODIFY', 'T1']]);
    expect(records[2]?.newImage?.seen).toEqual({ BOOL: true });
    expect(db!.streams.readAfter('memberships', 0, 10)).toEqual([]);
  });

  it('given a conflicting append, then no stream record is written', async () => {
    const client = await start();
    const item = { streamId: { S: 'e-2' }, version: { N: '1' } };
    await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'events', Item: item, ConditionExpression: 'attribute_not_exists(version)' } }] }));
    await expect(client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'events', Item: item, ConditionExpression: 'attribute_not_exists(version)' } }] }))).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(db!.streams.readAfter('events', 0, 10)).toHaveLength(1);
  });

  it('given a write that reached the table but whose commit was never logged (a crash), then the restart puts it in the stream once', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-ddb-'));
    const client = await start(dataDir);
    await client.send(new PutItemCommand({ TableName: 'events', Item: { streamId: { S: 'e-3' }, version: { N: '1' } } }));
    await client.send(new PutItemCommand({ TableName: 'events', Item: { streamId: { S: 'e-3' }, version: { N: '2' } } }));
    await db!.close();
    // The crash window: the item reached the table, the process died before logging the commit.
    const wal = path.join(dataDir, 'dynamodb-streams', 'stream-wal.jsonl');
    const lines = fs.readFileSync(wal, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines.at(-1)!).kind).toBe('commit');
    fs.writeFileSync(wal, lines.slice(0, -1).join('\n') + '\n');
    expect(new StreamLog(path.join(dataDir, 'dynamodb-streams')).readAfter('events', 0, 10)).toHaveLength(1);

    db = await startLocalDynamoDb({ dataDir });
    await db.createTables(tables);
    expect(db.streams.readAfter('events', 0, 10).map((r) => r.newImage?.version?.N)).toEqual(['1', '2']);
    await db.close();
    db = await startLocalDynamoDb({ dataDir });
    await db.createTables(tables);
    expect(db.streams.readAfter('events', 0, 10).map((r) => r.newImage?.version?.N)).toEqual(['1', '2']);
  });
});
