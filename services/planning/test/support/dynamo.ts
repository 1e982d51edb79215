import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parse } from 'yaml';
import type { ScalarTag } from 'yaml';

// dynalite ships no type declarations; this is the one call the tests make.
const dynalite = createRequire(import.meta.url)('dynalite') as (options?: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/** An in-memory dynalite on a free port, with tables that become ACTIVE at once. */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** The CloudFormation short forms used in serverless.yml, kept as their long forms. */
const cloudFormationTags: ScalarTag[] = ['Ref', 'GetAtt', 'ImportValue', 'Sub'].map((name) => ({
  tag: `!${name}`,
  resolve: (value: string) => ({ [name === 'Ref' ? 'Ref' : `Fn::${name}`]: value }),
}));

interface TableResource {
  Type: string;
  Properties: CreateTableCommandInput & { TimeToLiveSpecification?: unknown; PointInTimeRecoverySpecification?: unknown };
}

/**
 * The AWS::DynamoDB::Table resources of a serverless.yml, with `${sls:stage}` resolved: the test
 * creates exactly the tables that the deployment declares.
 */
export function tablesOf(serverlessYml: string, stage: string): Record<string, CreateTableCommandInput> {
  const text = readFileSync(serverlessYml, 'utf8');
  const doc = parse(text, { customTags: cloudFormationTags }) as { resources?: { Resources?: Record<string, TableResource> } };
  const tables: Record<string, CreateTableCommandInput> = {};
  for (const [logicalId, resource] of Object.entries(doc.resources?.Resources ?? {})) {
    if (resource.Type !== 'AWS::DynamoDB::Table') continue;
    // CreateTable knows no TTL or backup settings; those are separate calls in AWS.
    const { TimeToLiveSpecification: _ttl, PointInTimeRecoverySpecification: _pitr, ...properties } = resource.Properties;
    const input = JSON.parse(JSON.stringify(properties).replaceAll('${sls:stage}', stage)) as CreateTableCommandInput;
    if (input.TableName?.includes('${')) throw new Error(`${logicalId}: unresolved variable in ${input.TableName}`);
    tables[logicalId] = input;
  }
  return tables;
}

/** Creates the tables of a serverless.yml; answers their names by logical id. */
export async function createTablesOf(client: DynamoDBClient, serverlessYml: string, stage: string): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const [logicalId, input] of Object.entries(tablesOf(serverlessYml, stage))) {
    await client.send(new CreateTableCommand(input));
    names[logicalId] = input.TableName ?? logicalId;
  }
  return names;
}
