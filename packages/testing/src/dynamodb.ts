import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '@lifeboat/local/dynamodb';
import { parse } from 'yaml';
import { startTransactionGate, type TransactionGate } from './transaction-gate.js';

export type { TransactionGate } from './transaction-gate.js';

const REGION = 'us-east-1';
const ACCOUNT_ID = '123456789012';
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface ServiceDynamoDbOptions {
  /** What `${sls:stage}` resolves to in the table names. Default `test`. */
  stage?: string;
  /**
   * Put a gate in front of the local DynamoDB that counts TransactWriteItems calls and can hold
   * them back (`transactions`), for tests of races between writers.
   */
  gateTransactions?: boolean;
}

export interface ServiceDynamoDb {
  /** What AWS_ENDPOINT_URL_DYNAMODB points at. */
  endpoint: string;
  /** A client for that endpoint, for the test's own reads and writes. */
  client: DynamoDBClient;
  /** Table names by logical id (`{ CatalogServersTable: 'lifeboat-catalog-servers-test' }`). */
  tables: Record<string, string>;
  /** The name of the table with this logical id; throws when the serverless.yml declares none. */
  table(logicalId: string): string;
  stop(): Promise<void>;
}

export interface GatedServiceDynamoDb extends ServiceDynamoDb {
  transactions: TransactionGate;
}

/**
 * Starts the project's local DynamoDB (dynalite behind the proxy that adds transactions and
 * streams, as `npm start` runs it) on a free port, creates exactly the tables `serverlessYmlPath`
 * declares for the stage, and points every SDK DynamoDB client of this process at it
 * (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, dummy credentials). Without a serverless.yml there are
 * no tables: the test creates its own with `client`.
 */
export async function startServiceDynamoDb(serverlessYmlPath: string | undefined, options: ServiceDynamoDbOptions & { gateTransactions: true }): Promise<GatedServiceDynamoDb>;
export async function startServiceDynamoDb(serverlessYmlPath?: string, options?: ServiceDynamoDbOptions): Promise<ServiceDynamoDb>;
export async function startServiceDynamoDb(serverlessYmlPath?: string, options: ServiceDynamoDbOptions = {}): Promise<ServiceDynamoDb | GatedServiceDynamoDb> {
  const stage = options.stage ?? 'test';
  // Loaded here, not at the top: tests that only use the mocks of this package do not load the
  // local runtime.
  const [{ startLocalDynamoDb }, { tablesOfServerlessYml }] = await Promise.all([import('@lifeboat/local/dynamodb'), import('@lifeboat/local')]);

  const definitions = serverlessYmlPath ? tablesOfServerlessYml(serverlessYmlPath, { stage, region: REGION, accountId: ACCOUNT_ID }) : [];
  const tables = serverlessYmlPath ? tableNamesByLogicalId(serverlessYmlPath, definitions) : {};
  const db = await startLocalDynamoDb();
  await db.createTables(definitions);
  const gate = options.gateTransactions ? await startTransactionGate(db.endpoint) : undefined;
  const endpoint = gate?.endpoint ?? db.endpoint;

  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  });
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  const table = (logicalId: string): string => {
    const name = tables[logicalId];
    if (name === undefined) throw new Error(`${serverlessYmlPath ?? 'no serverless.yml'} declares no table ${logicalId} (it declares: ${Object.keys(tables).join(', ') || 'none'})`);
    return name;
  };
  const stop = async () => {
    client.destroy();
    await gate?.stop();
    await db.close();
  };
  const local: ServiceDynamoDb = { endpoint, client, tables, table, stop };
  return gate ? { ...local, transactions: gate } : local;
}

/**
 * The logical id of each table: tablesOfServerlessYml answers the tables in the order of the
 * file's resources, so the file's AWS::DynamoDB::Table resources, in that order, name them.
 */
function tableNamesByLogicalId(serverlessYmlPath: string, definitions: TableDefinition[]): Record<string, string> {
  // Only the resources' ids, types and raw table names are read: CloudFormation's short forms
  // (`!Ref`, ...) are left unresolved (yaml would warn about them; logLevel 'error' keeps it quiet).
  const config = parse(readFileSync(serverlessYmlPath, 'utf8'), { logLevel: 'error' }) as { resources?: { Resources?: Record<string, { Type?: string; Properties?: { TableName?: unknown } }> } };
  const resources = Object.entries(config.resources?.Resources ?? {}).filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table');
  if (resources.length !== definitions.length) throw new Error(`${serverlessYmlPath}: ${resources.length} table resources but ${definitions.length} table definitions`);

  const tables: Record<string, string> = {};
  resources.forEach(([logicalId, resource], index) => {
    const name = definitions[index]?.TableName ?? '';
    const declared = resource.Properties?.TableName;
    if (typeof declared === 'string' && !namePattern(declared).test(name)) throw new Error(`${serverlessYmlPath}: ${logicalId} declares ${declared}, not ${name}`);
    tables[logicalId] = name;
  });
  return tables;
}

/** `lifeboat-x-${sls:stage}` → /^lifeboat-x-.+$/ */
function namePattern(declared: string): RegExp {
  const parts = declared.split(/\$\{[^}]*\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.+')}$`);
}
