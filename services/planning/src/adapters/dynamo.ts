import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_SIZE = 100;
const MAX_ATTEMPTS = 6;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every item of a table (all pages). */
export async function scanAll<T>(db: DynamoDBDocumentClient, tableName: string): Promise<T[]> {
  const items: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...((page.Items ?? []) as T[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The items with these values of a single-attribute key, strongly consistent, retrying unprocessed keys. */
export async function batchGet<T>(db: DynamoDBDocumentClient, tableName: string, keyName: string, values: readonly string[]): Promise<T[]> {
  const items: T[] = [];
  const unique = [...new Set(values)];
  for (let start = 0; start < unique.length; start += BATCH_GET_SIZE) {
    let keys: Record<string, unknown>[] = unique.slice(start, start + BATCH_GET_SIZE).map((value) => ({ [keyName]: value }));
    for (let attempt = 1; keys.length > 0; attempt++) {
      if (attempt > MAX_ATTEMPTS) throw new Error(`${keys.length} key(s) of ${tableName} stayed unprocessed after ${MAX_ATTEMPTS} attempts`);
      if (attempt > 1) await pause(50 * 2 ** (attempt - 2));
      const result = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }));
      items.push(...((result.Responses?.[tableName] ?? []) as T[]));
      keys = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return items;
}

/** Whether an error is DynamoDB's answer to a failed condition. */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
