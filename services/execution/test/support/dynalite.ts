import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BY_STARTED_AT_INDEX } from '../../src/read-models/executions.js';

interface DynaliteServer {
  listen(port: number, callback: () => void): void;
  close(callback: (error?: Error) => void): void;
  address(): AddressInfo | string | null;
}
type Dynalite = (options?: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => DynaliteServer;

// dynalite ships no type declarations.
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

/** An in-memory dynalite on a free port, with a client configured for it. */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('dynalite did not listen on a port');
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** The tables of services/execution/serverless.yml (same keys and index). */
export async function createExecutionTables(client: DynamoDBClient, stage: string): Promise<{ events: string; jobs: string; executions: string; idempotency: string }> {
  const names = {
    events: `lifeboat-execution-events-${stage}`,
    jobs: `lifeboat-execution-jobs-${stage}`,
    executions: `lifeboat-execution-executions-${stage}`,
    idempotency: `lifeboat-execution-idempotency-${stage}`,
  };
  await client.send(
    new CreateTableCommand({
      TableName: names.events,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'streamId', AttributeType: 'S' }, { AttributeName: 'version', AttributeType: 'N' }],
      KeySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' }, { AttributeName: 'version', KeyType: 'RANGE' }],
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: names.jobs,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'jobId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: names.executions,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'executionId', AttributeType: 'S' }, { AttributeName: 'kind', AttributeType: 'S' }, { AttributeName: 'startedAt', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'executionId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        { IndexName: BY_STARTED_AT_INDEX, KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }, { AttributeName: 'startedAt', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
      ],
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: names.idempotency,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  return names;
}
