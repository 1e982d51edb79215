import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { LocalQueue, SqsEventSource, type SqsRecord } from '../src/sqs/queue.js';
import { loadProject } from '../src/serverless/project.js';

const settings = { accountId: '123456789012', region: 'us-east-1' };
const definition = { name: 'lifeboat-test-queue', arn: 'arn:aws:sqs:us-east-1:123456789012:lifeboat-test-queue', maxReceiveCount: 3 };
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-sqs-'));
}

function newQueue(dataDir?: string): LocalQueue {
  const queue = new LocalQueue(definition, dataDir ? { dataDir } : {});
  cleanup.push(() => queue.close());
  return queue;
}

type Invoke = (event: { Records: SqsRecord[] }) => Promise<unknown>;

function newSource(queue: LocalQueue, invoke: Invoke, options: { batchSize?: number; windowMs?: number; reportBatchItemFailures?: boolean } = {}): SqsEventSource {
  const source = new SqsEventSource(queue, {
    functionName: 'lifeboat-test-consumer',
    batchSize: options.batchSize ?? 10,
    maximumBatchingWindowMs: options.windowMs ?? 0,
    reportBatchItemFailures: options.reportBatchItemFailures ?? true,
    ...settings,
    invoke,
    retryBaseMs: 5,
    retryMaxMs: 20,
  });
  cleanup.push(() => source.close());
  source.start();
  return source;
}

describe('the local SQS queue and its event source mapping', () => {
  it('given 250 messages sent within the batching window, when the function is triggered, then it gets full batches of 100 and the rest', async () => {
    // given
    const queue = newQueue();
    const batches: string[][] = [];
    for (let i = 0; i < 250; i++) queue.send(JSON.stringify({ n: i }));
    // when
    const source = newSource(queue, async (event) => void batches.push(event.Records.map((r) => r.body)), { batchSize: 100, windowMs: 200 });
    // then
    expect(await source.idle()).toBe(true);
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.flat()).toEqual(Array.from({ length: 250 }, (_, i) => JSON.stringify({ n: i })));
  });

  it('given a partial batch, when the batching window passes, then it is delivered without waiting for more, as SQS records', async () => {
    // given
    const queue = newQueue();
    const received: SqsRecord[] = [];
    const source = newSource(queue, async (event) => void received.push(...event.Records), { batchSize: 100, windowMs: 50 });
    // when
    const sentAt = Date.now();
    const id = queue.send('{"hello":1}');
    // then
    expect(await source.idle()).toBe(true);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(45);
    expect(received).toEqual([
      expect.objectContaining({ messageId: id, body: '{"hello":1}', eventSource: 'aws:sqs', eventSourceARN: definition.arn, awsRegion: 'us-east-1', attributes: expect.objectContaining({ ApproximateReceiveCount: '1' }) }),
    ]);
  });

  it('given a function that reports one record as failed, when the batch is delivered, then only that record is received again', async () => {
    // given
    const queue = newQueue();
    const deliveries: { body: string; receiveCount: string }[] = [];
    let failFirst = true;
    // when
    const source = newSource(queue, async (event) => {
      deliveries.push(...event.Records.map((r) => ({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount })));
      const bad = event.Records.find((r) => r.body === 'b');
      if (bad && failFirst) {
        failFirst = false;
        return { batchItemFailures: [{ itemIdentifier: bad.messageId }] };
      }
      return { batchItemFailures: [] };
    });
    for (const body of ['a', 'b', 'c']) queue.send(body);
    // then
    expect(await source.idle()).toBe(true);
    expect(deliveries.filter((d) => d.body === 'b')).toEqual([{ body: 'b', receiveCount: '1' }, { body: 'b', receiveCount: '2' }]);
    expect(deliveries.filter((d) => d.body !== 'b').map((d) => d.body).sort()).toEqual(['a', 'c']);
  });

  it.each([
    ['throws', async (): Promise<unknown> => { throw new Error('the function crashed'); }],
    // Lambda fails the whole batch when batchItemFailures names an id of no record.
    ['answers an unknown item id', async (): Promise<unknown> => ({ batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] })],
  ])('given a function that %s on a first receive, when a batch is delivered, then every record of it is received again', async (_label, failure) => {
    // given
    const queue = newQueue();
    const deliveries: string[] = [];
    // when
    const source = newSource(queue, async (event) => {
      deliveries.push(...event.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
      return event.Records.some((r) => r.attributes.ApproximateReceiveCount === '1') ? failure() : { batchItemFailures: [] };
    }, { windowMs: 20 });
    queue.send('x');
    queue.send('y');
    // then
    expect(await source.idle()).toBe(true);
    expect(deliveries.sort()).toEqual(['x#1', 'x#2', 'y#1', 'y#2']);
  });

  it('given a message that always fails, when it was received maxReceiveCount times, then it is in the dead-letter file and no longer delivered', async () => {
    // given
    const dataDir = tempDir();
    const queue = newQueue(dataDir);
    let calls = 0;
    // when
    const source = newSource(queue, async () => {
      calls++;
      throw new Error('poison');
    });
    queue.send('poison-pill');
    // then
    expect(await source.idle()).toBe(true);
    expect(calls).toBe(3);
    expect(queue.readDeadLetters()).toEqual([expect.objectContaining({ queue: definition.name, receiveCount: 3, reason: 'Error: poison', message: expect.objectContaining({ body: 'poison-pill' }) })]);
  });

  it('given messages not yet deleted when the process stopped, when the queue is opened again, then they are delivered; deleted ones are not', async () => {
    // given a queue whose consumer deleted one message and never finished the other
    const dataDir = tempDir();
    const first = new LocalQueue(definition, { dataDir });
    first.send('done');
    first.send('in-flight');
    const [done, inFlight] = first.receive(2);
    first.delete(done?.messageId ?? '');
    expect(inFlight?.body).toBe('in-flight');
    first.close();
    // when
    const second = newQueue(dataDir);
    const received: string[] = [];
    const source = newSource(second, async (event) => void received.push(...event.Records.map((r) => r.body)));
    // then
    expect(await source.idle()).toBe(true);
    expect(received).toEqual(['in-flight']);
  });

  it('given the services serverless.yml files, when the project is loaded, then the catalog rule for DRS events sends to its queue and onDrsEvent reads it in batches', () => {
    // given / when
    const project = loadProject(path.resolve(import.meta.dirname, '../../..'), { stage: 'local', ...settings });
    // then
    const queue = project.queues.find((q) => q.name === 'lifeboat-catalog-local-drs-events');
    expect(queue).toEqual({ name: 'lifeboat-catalog-local-drs-events', arn: 'arn:aws:sqs:us-east-1:123456789012:lifeboat-catalog-local-drs-events', maxReceiveCount: 10 });
    expect(project.queueRules).toContainEqual(expect.objectContaining({ eventBus: 'default', queueArn: queue?.arn, pattern: expect.objectContaining({ source: ['aws.drs'] }) }));
    const consumer = project.functions.find((f) => f.name === 'lifeboat-catalog-local-onDrsEvent');
    expect(consumer?.events).toEqual([{ type: 'sqs', queueArn: queue?.arn, batchSize: 100, maximumBatchingWindowSeconds: 1, reportBatchItemFailures: true }]);
  });
});
