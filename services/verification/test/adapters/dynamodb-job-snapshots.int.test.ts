/**
 * DynamoDbJobSnapshots against dynalite, in the table serverless.yml declares: the store contract
 * (conditional lease, snapshot round-trip, TTL), the item as stored, and containers sharing one
 * DescribeJobs through it.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { startServiceDynamoDb, type ServiceDynamoDb } from '@lifeboat/testing';
import { DynamoDbJobSnapshots } from '../../src/adapters/dynamodb-job-snapshots.js';
import type { JobLaunchActions, JobRef } from '../../src/domain/job-launch-actions.js';
import { jobKeyOf } from '../../src/domain/job-launch-actions.js';
import type { JobSource } from '../../src/job-launch-actions.js';
import { JobLaunchActionsReader } from '../../src/job-launch-actions.js';
import { systemClock } from '../../src/verify.js';
import { jobSnapshotStoreContract } from '../support/job-snapshots-contract.js';

let db: ServiceDynamoDb;
let documents: DynamoDBDocumentClient;
let tableName: string;

beforeAll(async () => {
  db = await startServiceDynamoDb(fileURLToPath(new URL('../../serverless.yml', import.meta.url)));
  documents = DynamoDBDocumentClient.from(db.client);
  tableName = db.table('VerificationJobsTable');
});

afterAll(async () => {
  await db?.stop();
});

const itemOf = async (jobKey: string) => (await documents.send(new GetCommand({ TableName: tableName, Key: { jobKey }, ConsistentRead: true }))).Item;

jobSnapshotStoreContract('DynamoDbJobSnapshots', () => ({
  store: new DynamoDbJobSnapshots(documents, tableName),
  leaseOwnerOf: async (key) => (await itemOf(key))?.leaseOwner as string | undefined,
  expirationOf: async (key) => (await itemOf(key))?.expiration as number | undefined,
}));

describe('VerificationJobsTable', () => {
  it('is lifeboat-verification-jobs-<stage>', () => {
    expect(tableName).toBe('lifeboat-verification-jobs-test');
  });

  it('holds a job as its key, the read time, the servers as one JSON string and a numeric TTL', async () => {
    const store = new DynamoDbJobSnapshots(documents, tableName);
    const key = jobKeyOf({ accountId: '123456789012', region: 'us-east-1', jobId: 'drsjob-item-shape' });
    const servers: JobLaunchActions = { 's-00000000000000001': { launchStatus: 'LAUNCHED', reported: true, runs: [{ name: 'Smoke test', optional: false, status: 'SUCCEEDED' }] } };

    await store.tryLease(key, { owner: 'a', nowMs: 1_000_000, untilMs: 1_005_000, staleBeforeMs: 998_000, expiresAtSeconds: 4_600 });
    await store.publish(key, { readAtMs: 1_000_010, servers }, 'a', 4_600);

    expect(await itemOf(key)).toEqual({ jobKey: key, readAt: 1_000_010, servers: JSON.stringify(servers), expiration: 4_600 });
  });

  it('20 containers asking for the servers of one job at once share one DescribeJobs', async () => {
    // given 20 containers (readers) sharing the table, and a DescribeJobs that counts its calls
    const job: JobRef = { accountId: '123456789012', region: 'us-east-1', jobId: `drsjob-shared-${Date.now()}` };
    const ids = Array.from({ length: 20 }, (_, i) => `s-${(i + 1).toString(16).padStart(17, '0')}`);
    let calls = 0;
    const drs: JobSource = {
      async jobLaunchActions() {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 50));
        return Object.fromEntries(ids.map((id) => [id, { launchStatus: 'LAUNCHED', reported: true, runs: [{ name: 'Smoke test', optional: false, status: 'IN_PROGRESS' }] }]));
      },
    };
    // Long enough bounds that a slow machine does not make a container give up waiting.
    const containers = ids.map(() => new JobLaunchActionsReader(new DynamoDbJobSnapshots(documents, tableName), systemClock, { freshMs: 60_000, waitMs: 20_000, stepMs: 25, leaseMs: 30_000 }));

    // when each verifies its server's post-launch actions
    const answers = await Promise.all(ids.map((id, i) => containers[i]?.launchActions(job, id, drs)));

    // then DRS was asked once, and each server has its own facts
    expect(calls).toBe(1);
    expect(answers.map((facts) => facts?.runs[0]?.status)).toEqual(ids.map(() => 'IN_PROGRESS'));
    expect(await itemOf(jobKeyOf(job))).not.toHaveProperty('leaseOwner');
  });
});
