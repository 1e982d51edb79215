import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { JobLaunchActions, JobLaunchActionsSnapshot } from '../domain/job-launch-actions.js';
import type { JobSnapshotStore, LeaseRequest, StoredJobSnapshot } from '../job-launch-actions.js';

const isConditionFailure = (error: unknown) => (error as { name?: string }).name === 'ConditionalCheckFailedException';

/** Attribute names (through #names: several are DynamoDB reserved words or may become so). */
const NAMES = { '#readAt': 'readAt', '#servers': 'servers', '#owner': 'leaseOwner', '#until': 'leaseUntil', '#expiration': 'expiration' };
const NOT_NEWER = '(attribute_not_exists(#readAt) OR #readAt < :readAt)';

function serversOf(json: unknown): JobLaunchActions | undefined {
  if (typeof json !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as JobLaunchActions) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * VerificationJobsTable: one item per DRS job (key `jobKey` = `<accountId>#<region>#<jobId>`) with
 * the last snapshot of its launch actions (`readAt` epoch ms, `servers` as JSON: one string keeps the
 * item's size what fitSnapshot measured), the lease of the reader refreshing it (`leaseOwner`,
 * `leaseUntil` epoch ms) and its TTL (`expiration`, epoch seconds). Every write is conditional, so
 * two containers never both take the lease and an older read never replaces a newer one.
 */
export class DynamoDbJobSnapshots implements JobSnapshotStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(jobKey: string): Promise<StoredJobSnapshot | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { jobKey }, ConsistentRead: true }));
    if (!Item) return undefined;
    const servers = serversOf(Item.servers);
    return {
      ...(typeof Item.readAt === 'number' && servers ? { snapshot: { readAtMs: Item.readAt, servers } } : {}),
      ...(typeof Item.leaseUntil === 'number' ? { leaseUntilMs: Item.leaseUntil } : {}),
    };
  }

  async tryLease(jobKey: string, lease: LeaseRequest): Promise<boolean> {
    return this.update(
      jobKey,
      'SET #owner = :owner, #until = :until, #expiration = :expiration',
      '(attribute_not_exists(#until) OR #until < :now) AND (attribute_not_exists(#readAt) OR #readAt < :staleBefore)',
      { '#owner': NAMES['#owner'], '#until': NAMES['#until'], '#expiration': NAMES['#expiration'], '#readAt': NAMES['#readAt'] },
      { ':owner': lease.owner, ':until': lease.untilMs, ':expiration': lease.expiresAtSeconds, ':now': lease.nowMs, ':staleBefore': lease.staleBeforeMs },
    );
  }

  async publish(jobKey: string, snapshot: JobLaunchActionsSnapshot, owner: string | undefined, expiresAtSeconds: number): Promise<void> {
    const values = { ':readAt': snapshot.readAtMs, ':servers': JSON.stringify(snapshot.servers), ':expiration': expiresAtSeconds };
    const data = { '#readAt': NAMES['#readAt'], '#servers': NAMES['#servers'], '#expiration': NAMES['#expiration'] };
    // The usual case, one write: the holder writes its read and releases its lease.
    if (owner && await this.update(jobKey, 'SET #readAt = :readAt, #servers = :servers, #expiration = :expiration REMOVE #owner, #until', `#owner = :owner AND ${NOT_NEWER}`, { ...data, '#owner': NAMES['#owner'], '#until': NAMES['#until'] }, { ...values, ':owner': owner })) return;
    // A newer read is there already, or the lease expired and went to another reader, or there is no lease.
    if (owner) await this.update(jobKey, 'REMOVE #owner, #until', '#owner = :owner', { '#owner': NAMES['#owner'], '#until': NAMES['#until'] }, { ':owner': owner });
    await this.update(jobKey, 'SET #readAt = :readAt, #servers = :servers, #expiration = :expiration', NOT_NEWER, data, values);
  }

  /** A conditional update; false when its condition does not hold. */
  private async update(jobKey: string, expression: string, condition: string, names: Record<string, string>, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.documents.send(new UpdateCommand({ TableName: this.tableName, Key: { jobKey }, UpdateExpression: expression, ConditionExpression: condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
