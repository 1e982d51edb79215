import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import { DynamoDbProxy } from './proxy.js';
import { StreamLog, type StreamViewType } from './stream-log.js';
import { callDynamo, errorType } from './wire.js';

export type { StreamRecord, StreamChange, StreamViewType } from './stream-log.js';
export { StreamLog } from './stream-log.js';

/** The Properties of an AWS::DynamoDB::Table resource, with intrinsics already resolved. */
export interface TableDefinition {
  TableName: string;
  AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
  KeySchema: { AttributeName: string; KeyType: string }[];
  BillingMode?: string;
  GlobalSecondaryIndexes?: Record<string, unknown>[];
  LocalSecondaryIndexes?: Record<string, unknown>[];
  StreamSpecification?: { StreamViewType: StreamViewType };
  [property: string]: unknown;
}

export interface LocalDynamoDb {
  /** What AWS_ENDPOINT_URL_DYNAMODB points at. */
  endpoint: string;
  streams: StreamLog;
  /** Creates the tables that do not exist yet; enables their streams. */
  createTables(tables: TableDefinition[]): Promise<string[]>;
  close(): Promise<void>;
}

export interface LocalDynamoDbOptions {
  /** Folder for dynalite's LevelDB data and the stream log; in memory when omitted. */
  dataDir?: string;
  host?: string;
  port?: number;
}

/** dynalite behind the proxy that adds transactions and streams. */
export async function startLocalDynamoDb(options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  const host = options.host ?? '127.0.0.1';
  const server = dynalite({
    ...(options.dataDir ? { path: path.join(options.dataDir, 'dynamodb') } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  }) as Server;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const dynalitePort = (server.address() as AddressInfo).port;
  const streams = new StreamLog(options.dataDir ? path.join(options.dataDir, 'dynamodb-streams') : undefined);
  const proxy = new DynamoDbProxy(dynalitePort, streams, new Map());
  const port = await proxy.listen(host, options.port ?? 0);

  return {
    endpoint: `http://${host}:${port}`,
    streams,
    async createTables(tables) {
      const created: string[] = [];
      for (const table of tables) {
        if (table.StreamSpecification) proxy.enableStream(table.TableName, table.StreamSpecification.StreamViewType);
        const exists = await callDynamo(dynalitePort, 'DescribeTable', { TableName: table.TableName });
        if (exists.status < 400) continue;
        const response = await callDynamo(dynalitePort, 'CreateTable', toCreateTableInput(table));
        if (response.status >= 400 && errorType(response) !== 'ResourceInUseException') {
          throw new Error(`Could not create table ${table.TableName}: ${response.body}`);
        }
        created.push(table.TableName);
      }
      await proxy.recoverStreams();
      return created;
    },
    async close() {
      await proxy.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** CreateTable input from CloudFormation properties (dynalite knows no streams, TTL or tags). */
export function toCreateTableInput(table: TableDefinition): Record<string, unknown> {
  const payPerRequest = table.BillingMode === 'PAY_PER_REQUEST';
  const throughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
  const index = (definition: Record<string, unknown>) => {
    const { ProvisionedThroughput: _p, ContributorInsightsSpecification: _c, ...rest } = definition;
    return payPerRequest ? rest : { ...rest, ProvisionedThroughput: throughput };
  };
  return {
    TableName: table.TableName,
    AttributeDefinitions: table.AttributeDefinitions,
    KeySchema: table.KeySchema,
    ...(payPerRequest ? { BillingMode: 'PAY_PER_REQUEST' } : { ProvisionedThroughput: table.ProvisionedThroughput ?? throughput }),
    ...(table.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: table.GlobalSecondaryIndexes.map(index) } : {}),
    ...(table.LocalSecondaryIndexes ? { LocalSecondaryIndexes: table.LocalSecondaryIndexes } : {}),
  };
}
