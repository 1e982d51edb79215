import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { SourceServerView } from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';
import type { ServerStore } from '../inventory-sync.js';

/** BatchWriteItem takes at most 25 requests. */
const BATCH_SIZE = 25;
const MAX_ATTEMPTS = 6;

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

export interface ServerPage {
  items: SourceServerView[];
  nextToken: string | null;
}

/** The servers table (`CatalogServersTable`, key `sourceServerId`): one item per SourceServerView. */
export class DynamoServerStore implements ServerStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async listAll(): Promise<SourceServerView[]> {
    const servers: SourceServerView[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
      servers.push(...((page.Items ?? []) as SourceServerView[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return servers;
  }

  /** One page of at most `limit` servers (a page may be shorter even when more follow). */
  async page(limit: number, nextToken: string | undefined): Promise<ServerPage> {
    const page = await this.db.send(
      new ScanCommand({ TableName: this.tableName, Limit: limit, ExclusiveStartKey: nextToken === undefined ? undefined : decodeToken(nextToken) }),
    );
    return { items: (page.Items ?? []) as SourceServerView[], nextToken: page.LastEvaluatedKey ? encodeToken(page.LastEvaluatedKey) : null };
  }

  async save(servers: readonly SourceServerView[]): Promise<void> {
    await this.write(servers.map((server) => ({ PutRequest: { Item: { ...server } } })));
  }

  async remove(sourceServerIds: readonly string[]): Promise<void> {
    await this.write(sourceServerIds.map((sourceServerId) => ({ DeleteRequest: { Key: { sourceServerId } } })));
  }

  private async write(requests: WriteRequest[]): Promise<void> {
    for (let start = 0; start < requests.length; start += BATCH_SIZE) {
      let pending = requests.slice(start, start + BATCH_SIZE);
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > MAX_ATTEMPTS) throw new Error(`${pending.length} write(s) to ${this.tableName} stayed unprocessed after ${MAX_ATTEMPTS} attempts`);
        if (attempt > 1) await this.sleep(50 * 2 ** (attempt - 2));
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (result.UnprocessedItems?.[this.tableName] ?? []) as WriteRequest[];
      }
    }
  }
}

/** The opaque nextToken: the scan's LastEvaluatedKey, base64url JSON. */
export function encodeToken(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeToken(token: string): Record<string, unknown> {
  const invalid = () => new ValidationError('is not a token returned by listSourceServers', 'nextToken');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (error) {
    throw Object.assign(invalid(), { cause: error });
  }
  const keys = key && typeof key === 'object' ? Object.keys(key) : [];
  if (keys.length !== 1 || typeof (key as { sourceServerId?: unknown }).sourceServerId !== 'string') throw invalid();
  return key as Record<string, unknown>;
}
