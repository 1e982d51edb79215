import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

/** Which execution and batch a DRS job serves (table lifeboat-execution-jobs-<stage>, key jobId). */
export interface JobRecord {
  jobId: string;
  executionId: string;
  waveId: string;
  batchId: string;
  accountId: string;
  region: string;
  isDrill: boolean;
  createdAt: string;
}

/** Finds the execution of a DRS job when its launch results arrive. */
export interface JobDirectory {
  put(record: JobRecord): Promise<void>;
  get(jobId: string): Promise<JobRecord | undefined>;
}

export class DynamoDbJobDirectory implements JobDirectory {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async put(record: JobRecord): Promise<void> {
    // A job serves one batch for good: writing it again (a retry) writes the same item.
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...record } }));
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { jobId }, ConsistentRead: true }));
    return result.Item as JobRecord | undefined;
  }
}

export class InMemoryJobDirectory implements JobDirectory {
  readonly records = new Map<string, JobRecord>();

  async put(record: JobRecord): Promise<void> {
    this.records.set(record.jobId, { ...record });
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const record = this.records.get(jobId);
    return record ? { ...record } : undefined;
  }
}
