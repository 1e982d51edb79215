import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalDynamoDb, StreamRecord } from '@lifeboat/local/dynamodb';
import type { ServersStreamEvent } from '../../src/publishing/stream-publisher.js';

export const SERVERLESS_YML = fileURLToPath(new URL('../../serverless.yml', import.meta.url));
const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Table names of the catalog's serverless.yml, by logical id. */
export interface CatalogTables {
  CatalogServersTable: string;
  CatalogTargetsTable: string;
  CatalogGroupsTable: string;
  CatalogIdempotencyTable: string;
}

export interface CatalogDynamoDb {
  endpoint: string;
  client: DynamoDBClient;
  tables: CatalogTables;
  /** The servers table's stream records committed since the last call, as Lambda receives them. */
  takeStream(): ServersStreamEvent;
  stop(): Promise<void>;
}

/**
 * The project's local DynamoDB (dynalite behind the proxy that adds transactions and streams, as
 * `npm start` runs it) with the tables of the catalog's serverless.yml, and its stream. Like
 * startServiceDynamoDb of @lifeboat/testing, which does not hand out the stream the catalog
 * publishes from (the conventions allow startLocalDynamoDb for that).
 */
export async function startCatalogDynamoDb(stage = 'test'): Promise<CatalogDynamoDb> {
  const [{ startLocalDynamoDb }, { tablesOfServerlessYml }] = await Promise.all([import('@lifeboat/local/dynamodb'), import('@lifeboat/local')]);
  const definitions = tablesOfServerlessYml(SERVERLESS_YML, { stage, region: REGION, accountId: ACCOUNT_ID });
  const db: LocalDynamoDb = await startLocalDynamoDb();
  await db.createTables(definitions);
  const name = (what: string) => {
    const table = definitions.find((d) => d.TableName === `lifeboat-catalog-${what}-${stage}`);
    if (!table) throw new Error(`serverless.yml declares no table lifeboat-catalog-${what}-${stage}`);
    return table.TableName;
  };
  const tables: CatalogTables = { CatalogServersTable: name('source-servers'), CatalogTargetsTable: name('targets'), CatalogGroupsTable: name('groups'), CatalogIdempotencyTable: name('idempotency') };
  Object.assign(process.env, { AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey });
  const client = new DynamoDBClient({ endpoint: db.endpoint, region: REGION, credentials: CREDENTIALS });

  let checkpoint = 0;
  const toLambdaRecord = (record: StreamRecord): ServersStreamEvent['Records'][number] => ({
    eventName: record.eventName,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(record.createdAt / 1000),
      ...(record.newImage ? { NewImage: record.newImage as Record<string, unknown> } : {}),
      ...(record.oldImage ? { OldImage: record.oldImage as Record<string, unknown> } : {}),
      SequenceNumber: String(record.sequenceNumber),
    },
  });
  return {
    endpoint: db.endpoint,
    client,
    tables,
    takeStream() {
      const records = db.streams.readAfter(tables.CatalogServersTable, checkpoint, 1_000_000);
      const last = records[records.length - 1];
      if (last) checkpoint = last.sequenceNumber;
      return { Records: records.map(toLambdaRecord) };
    },
    async stop() {
      client.destroy();
      await db.close();
    },
  };
}
