import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DeleteItemCommand, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DomainEvent } from '@lifeboat/events';
import { claimChecked } from '@lifeboat/events';
import type { ApiRequest, ApiResponse, Caller, StoredEventView } from '@lifeboat/service-api';
import { executionEventResolver, serviceReader } from '@lifeboat/service-api';
import { lambdaContext, startServiceDynamoDb, type ServiceDynamoDb } from '@lifeboat/testing';
import type { handler as ApiHandler } from '../../src/handlers/api.js';
import type { createNotifyHandler as CreateNotifyHandler, handler as NotifyHandler } from '../../src/handlers/notify.js';
import type { OutboxMessage, OutboxPage } from '../../src/outbox.js';
import { setNotificationEnv } from '../support/env.js';
import { envelopeOf, executionCompleted, executionStarted, published, waveCompleted, waveFailed } from '../support/events.js';

let db: ServiceDynamoDb;
let notify: typeof NotifyHandler;
let createNotifyHandler: typeof CreateNotifyHandler;
let api: typeof ApiHandler;

const viewer = { userId: 'u-1', username: 'viewer@example.com', roles: ['Viewer'] };
const context = () => lambdaContext('lifeboat-notification-test-notify');

async function outboxItem(messageId: string) {
  const { Item } = await db.client.send(new GetItemCommand({ TableName: db.tables.NotificationOutboxTable, Key: { messageId: { S: messageId } } }));
  return Item;
}

async function outboxSize(): Promise<number> {
  return (await db.client.send(new ScanCommand({ TableName: db.tables.NotificationOutboxTable, Select: 'COUNT' }))).Count ?? 0;
}

async function listOutbox(input: unknown): Promise<ApiResponse<OutboxPage>> {
  return (await api({ operation: 'listOutbox', input, caller: viewer } as ApiRequest)) as ApiResponse<OutboxPage>;
}

async function listAll(input: Record<string, unknown>): Promise<OutboxMessage[]> {
  const items: OutboxMessage[] = [];
  let nextToken: string | undefined;
  do {
    const response = await listOutbox({ ...input, ...(nextToken ? { nextToken } : {}) });
    if (!response.ok) throw new Error(response.error.message);
    items.push(...response.result.items);
    nextToken = response.result.nextToken ?? undefined;
  } while (nextToken);
  return items;
}

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  db = await startServiceDynamoDb(fileURLToPath(new URL('../../serverless.yml', import.meta.url)));
  setNotificationEnv(db);
  ({ handler: notify, createNotifyHandler } = await import('../../src/handlers/notify.js'));
  ({ handler: api } = await import('../../src/handlers/api.js'));
});

afterAll(async () => {
  await db?.stop();
});

describe('notify', () => {
  it('records a message named from the ExecutionStarted snapshot for each execution event', async () => {
    // given an execution that started
    const started = published({ type: 'ExecutionStarted', data: executionStarted({ executionId: 'exec-story' }) });
    await notify(envelopeOf(started), context());

    // when its first wave fails
    const failed = published({ type: 'WaveFailed', data: waveFailed({ executionId: 'exec-story' }) });
    await notify(envelopeOf(failed), context());

    // then the outbox holds both messages, keyed by event id, with names rather than ids
    expect(await outboxItem(started.metadata.eventId)).toMatchObject({
      channel: { S: 'outbox' },
      executionId: { S: 'exec-story' },
      eventType: { S: 'ExecutionStarted' },
      subject: { S: '[DRILL] "Payments" v3: drill started' },
      createdAt: { S: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) },
      expiration: { N: expect.any(String) },
    });
    const failure = await outboxItem(failed.metadata.eventId);
    expect(failure?.subject?.S).toBe('[DRILL] "Payments" v3: wave "Database" FAILED');
    expect(failure?.text?.S).toContain('Failed servers: db-2 (');
  });

  it('records a redelivered event once', async () => {
    // given a wave completion, delivered and recorded
    const completed = envelopeOf(published({ type: 'WaveCompleted', data: waveCompleted({ executionId: 'exec-redelivered' }) }));
    await notify(completed, context());
    const before = await outboxSize();

    // when EventBridge delivers it again, and again after its idempotency record is gone
    await notify(structuredClone(completed), context());
    const records = await db.client.send(new ScanCommand({ TableName: db.tables.NotificationIdempotencyTable }));
    for (const item of records.Items ?? []) {
      await db.client.send(new DeleteItemCommand({ TableName: db.tables.NotificationIdempotencyTable, Key: { id: item.id ?? { S: '' } } }));
    }
    await notify(structuredClone(completed), context());

    // then there is still one message for it
    expect(await outboxSize()).toBe(before);
    expect(await listAll({ executionId: 'exec-redelivered' })).toHaveLength(1);
  });

  it('given a wave event that overtook its ExecutionStarted, then records it with ids', async () => {
    const completed = published({ type: 'WaveCompleted', data: waveCompleted({ executionId: 'exec-unordered' }) });

    await notify(envelopeOf(completed), context());

    expect((await outboxItem(completed.metadata.eventId))?.subject?.S).toBe('[LIFEBOAT] Execution exec-unordered: wave wave-db completed');
  });

  it('refuses an event it does not handle (a mis-wired rule), recording nothing', async () => {
    const before = await outboxSize();
    const wrong = envelopeOf(published({ type: 'WaveCompleted', data: waveCompleted() }));

    await expect(notify({ ...wrong, 'detail-type': 'WaveStarted' }, context())).rejects.toThrow(/does not handle WaveStarted/);
    expect(await outboxSize()).toBe(before);
  });
});

describe('notify: a claim-checked event (its detail was over EventBridge\'s 256 KB)', () => {
  /** The event at version 1 of its execution's stream, as the execution service publishes it. */
  const inStream = (event: DomainEvent<string, unknown>): DomainEvent<string, unknown> => ({
    ...event,
    metadata: { ...event.metadata, streamId: `execution/${(event.data as { executionId: string }).executionId}`, streamVersion: 1, previousHash: null, hash: 'e'.repeat(64) },
  });
  /** getExecutionEvents of the execution API over that stream. */
  const executionApiOver = (stream: DomainEvent<string, unknown>[], calls: unknown[]) => ({
    async call<T>(operation: string, input: unknown, caller: Caller): Promise<T> {
      calls.push({ operation, input, caller });
      const views: StoredEventView[] = stream.map((e) => ({ streamVersion: e.metadata.streamVersion ?? 0, eventId: e.metadata.eventId, type: e.type, occurredAt: e.metadata.occurredAt, actor: e.metadata.actor.id, data: e.data, previousHash: e.metadata.previousHash ?? null, hash: e.metadata.hash ?? '' }));
      return views as T;
    },
  });

  it('records the message of the full event, read from the execution stream as a reader', async () => {
    // given an ExecutionStarted that went on the bus claim-checked
    const full = inStream(published({ type: 'ExecutionStarted', data: executionStarted({ executionId: 'exec-claim-checked' }) }));
    const calls: unknown[] = [];
    const notifyResolving = createNotifyHandler({ resolveClaimCheck: executionEventResolver(executionApiOver([full], calls), serviceReader('notification')) });

    // when it is delivered
    await notifyResolving(envelopeOf(claimChecked(full, 900_000)), context());

    // then the message is named from its plan snapshot, as for an event that travelled whole
    expect(calls).toEqual([{ operation: 'getExecutionEvents', input: { executionId: 'exec-claim-checked', afterVersion: 0, limit: 1 }, caller: serviceReader('notification') }]);
    expect((await outboxItem(full.metadata.eventId))?.subject?.S).toBe('[DRILL] "Payments" v3: drill started');
  });

  it('fails without the execution API configured, recording nothing (retried, then dead-lettered)', async () => {
    const saved = process.env.EXECUTION_API_FUNCTION;
    delete process.env.EXECUTION_API_FUNCTION;
    try {
      const full = inStream(published({ type: 'ExecutionStarted', data: executionStarted({ executionId: 'exec-claim-unresolved' }) }));
      await expect(notify(envelopeOf(claimChecked(full, 900_000)), context())).rejects.toThrow('EXECUTION_API_FUNCTION');
      expect(await outboxItem(full.metadata.eventId)).toBeUndefined();
    } finally {
      if (saved !== undefined) process.env.EXECUTION_API_FUNCTION = saved;
    }
  });
});

describe('listOutbox', () => {
  beforeAll(async () => {
    for (const event of [
      published({ type: 'ExecutionStarted', data: executionStarted({ executionId: 'exec-listed' }) }),
      published({ type: 'WaveCompleted', data: waveCompleted({ executionId: 'exec-listed', waveId: 'wave-db' }) }),
      published({ type: 'WaveCompleted', data: waveCompleted({ executionId: 'exec-listed', waveId: 'wave-app' }) }),
      published({ type: 'ExecutionCompleted', data: executionCompleted({ executionId: 'exec-listed' }) }),
    ]) {
      await notify(envelopeOf(event), context());
    }
  });

  it('lists the messages of one execution, newest first', async () => {
    const response = await listOutbox({ executionId: 'exec-listed' });

    if (!response.ok) throw new Error(response.error.message);
    const { items, nextToken } = response.result;
    expect(nextToken).toBeNull();
    expect(items.map((m) => m.eventType).sort()).toEqual(['ExecutionCompleted', 'ExecutionStarted', 'WaveCompleted', 'WaveCompleted']);
    const createdAt = items.map((m) => m.createdAt);
    expect(createdAt).toEqual([...createdAt].sort().reverse());
    expect(items.find((m) => m.eventType === 'ExecutionCompleted')).toMatchObject({
      channel: 'outbox',
      severity: 'SUCCESS',
      subject: '[DRILL] "Payments" v3: drill completed in 12 min 5 s',
      executionId: 'exec-listed',
    });
  });

  it('lists every execution\'s messages page by page, newest first', async () => {
    const all = await listAll({ limit: 2 });

    expect(all.length).toBe(await outboxSize());
    expect(new Set(all.map((m) => m.messageId)).size).toBe(all.length);
    const createdAt = all.map((m) => m.createdAt);
    expect(createdAt).toEqual([...createdAt].sort().reverse());
  });

  it('refuses bad input with every problem named, and foreign tokens', async () => {
    expect(await listOutbox({ executionId: '', limit: 500, colour: 'red' })).toMatchObject({
      ok: false,
      error: {
        code: 'BAD_USER_INPUT',
        problems: [
          { field: 'colour', message: 'is not an input of listOutbox' },
          { field: 'executionId', message: 'must be a non-empty string' },
          { field: 'limit', message: 'must be an integer from 1 to 100' },
        ],
      },
    });
    expect(await listOutbox({ nextToken: 'not-a-token' })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'nextToken' } });

    const firstPage = await listOutbox({ limit: 1 });
    if (!firstPage.ok || !firstPage.result.nextToken) throw new Error('expected a second page');
    expect(await listOutbox({ executionId: 'exec-listed', nextToken: firstPage.result.nextToken })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'nextToken' } });
  });

  it('refuses a caller without the read permission', async () => {
    expect(await api({ operation: 'listOutbox', input: {}, caller: { ...viewer, roles: [] } })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});
