import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { CapacityScope, Ledger } from './ledger.js';
import { EMPTY_LEDGER, scopeKey } from './ledger.js';

/**
 * Where the capacity ledgers live (one per DRS account and region). `update` applies a change
 * atomically: read, change, write only if nobody wrote in between, else again.
 */
export interface CapacityStore {
  update<T>(scope: CapacityScope, change: (ledger: Ledger) => { ledger: Ledger; result: T }): Promise<T>;
  read(scope: CapacityScope): Promise<Ledger>;
  /** Every account and region with a ledger, and its ledger. */
  all(): Promise<{ scope: CapacityScope; ledger: Ledger }[]>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface LedgerItem extends Ledger {
  scope: string;
  accountId: string;
  region: string;
  revision: number;
}

/** Table lifeboat-execution-capacity-<stage>, key `scope` (`<accountId>#<region>`). */
export class DynamoDbCapacityStore implements CapacityStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  private async item(scope: CapacityScope): Promise<LedgerItem | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { scope: scopeKey(scope) }, ConsistentRead: true }));
    return result.Item as LedgerItem | undefined;
  }

  async read(scope: CapacityScope): Promise<Ledger> {
    const item = await this.item(scope);
    return item ? { holdings: item.holdings, waiting: item.waiting } : EMPTY_LEDGER;
  }

  async update<T>(scope: CapacityScope, change: (ledger: Ledger) => { ledger: Ledger; result: T }): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const item = await this.item(scope);
      const { ledger, result } = change(item ? { holdings: item.holdings, waiting: item.waiting } : EMPTY_LEDGER);
      if (item && ledger.holdings === item.holdings && ledger.waiting === item.waiting) return result;
      const revision = (item?.revision ?? 0) + 1;
      try {
        await this.doc.send(new PutCommand({
          TableName: this.tableName,
          Item: { scope: scopeKey(scope), accountId: scope.accountId, region: scope.region, revision, holdings: ledger.holdings, waiting: ledger.waiting } satisfies LedgerItem,
          ConditionExpression: item ? 'revision = :read' : 'attribute_not_exists(#scope)',
          ...(item ? { ExpressionAttributeValues: { ':read': item.revision } } : { ExpressionAttributeNames: { '#scope': 'scope' } }),
        }));
        return result;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) || attempt >= 25) throw error;
        // Launch requests of one wave arrive together: spread the retries.
        await sleep(Math.round(Math.random() * Math.min(500, 10 * 2 ** attempt)));
      }
    }
  }

  async all(): Promise<{ scope: CapacityScope; ledger: Ledger }[]> {
    const found: { scope: CapacityScope; ledger: Ledger }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
      for (const item of (page.Items ?? []) as LedgerItem[]) found.push({ scope: { accountId: item.accountId, region: item.region }, ledger: { holdings: item.holdings, waiting: item.waiting } });
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }
}

export class InMemoryCapacityStore implements CapacityStore {
  readonly ledgers = new Map<string, { scope: CapacityScope; ledger: Ledger }>();

  async read(scope: CapacityScope): Promise<Ledger> {
    return this.ledgers.get(scopeKey(scope))?.ledger ?? EMPTY_LEDGER;
  }

  async update<T>(scope: CapacityScope, change: (ledger: Ledger) => { ledger: Ledger; result: T }): Promise<T> {
    const { ledger, result } = change(await this.read(scope));
    this.ledgers.set(scopeKey(scope), { scope, ledger });
    return result;
  }

  async all(): Promise<{ scope: CapacityScope; ledger: Ledger }[]> {
    return [...this.ledgers.values()];
  }
}
