// dynalite for integration tests, with exactly the tables this service's serverless.yml declares
// (read from the file, so tests and deployment cannot drift apart).
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { parse, type ScalarTag } from 'yaml';

interface DynaliteServer {
  listen(port: number, callback: () => void): void;
  close(callback: (error?: Error) => void): void;
  address(): AddressInfo | string | null;
}

// dynalite ships no type declarations; describe the little we use here rather than globally.
const dynalite = createRequire(import.meta.url)('dynalite') as (options?: { createTableMs?: number }) => DynaliteServer;

/** CloudFormation short forms, as plain objects (`!Ref X` → `{ Ref: 'X' }`). */
const cloudFormationTags: ScalarTag[] = ['Ref', 'GetAtt', 'ImportValue', 'Sub'].map((name) => ({
  tag: `!${name}`,
  resolve: (value: string) => (name === 'Ref' ? { Ref: value } : { [`Fn::${name}`]: value }),
}));

interface TableResource {
  Type: string;
  Properties: CreateTableCommandInput & Record<string, unknown>;
}

/** The DynamoDB tables of a serverless.yml, by logical id, as CreateTable inputs for `stage`. */
export function tablesOf(serverlessYmlPath: string, stage: string): Record<string, CreateTableCommandInput> {
  const text = readFileSync(serverlessYmlPath, 'utf8').replaceAll('${sls:stage}', stage);
  const config = parse(text, { customTags: cloudFormationTags }) as { resources?: { Resources?: Record<string, TableResource> } };
  const tables: Record<string, CreateTableCommandInput> = {};
  for (const [logicalId, resource] of Object.entries(config.resources?.Resources ?? {})) {
    if (resource.Type !== 'AWS::DynamoDB::Table') continue;
    const { TableName, AttributeDefinitions, KeySchema, BillingMode, GlobalSecondaryIndexes, LocalSecondaryIndexes } = resource.Properties;
    // TTL, streams and encryption are not part of CreateTable (or of dynalite).
    tables[logicalId] = { TableName, AttributeDefinitions, KeySchema, BillingMode, GlobalSecondaryIndexes, LocalSecondaryIndexes };
  }
  return tables;
}

export interface LocalDynamoDb {
  endpoint: string;
  client: DynamoDBClient;
  /** Table names by logical id. */
  tables: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts dynalite on a free port, creates the tables of `serverlessYmlPath` and points every
 * SDK DynamoDB client of this process at it (AWS_ENDPOINT_URL_DYNAMODB), with dummy credentials.
 */
export async function startLocalDynamoDb(serverlessYmlPath: string, stage = 'test'): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('dynalite did not start on a TCP port');
  const endpoint = `http://127.0.0.1:${address.port}`;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';

  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const tables: Record<string, string> = {};
  for (const [logicalId, input] of Object.entries(tablesOf(serverlessYmlPath, stage))) {
    await client.send(new CreateTableCommand(input));
    tables[logicalId] = input.TableName ?? logicalId;
  }
  return {
    endpoint,
    client,
    tables,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
