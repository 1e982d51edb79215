import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LocalEventBus, type BusEvent } from '../src/eventbridge/bus.js';
import { startAwsEndpoint } from '../src/lambda/endpoint.js';
import { LocalLambdaRuntime } from '../src/lambda/runtime.js';

const settings = { accountId: '123456789012', region: 'us-east-1' };
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-bus-'));
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function newBus(dataDir?: string) {
  const bus = new LocalEventBus({ ...settings, buses: ['default', 'lifeboat-test'], retryBaseMs: 5, retryMaxMs: 20, ...(dataDir ? { dataDir } : {}) });
  cleanup.push(() => bus.close());
  return bus;
}

const entry = (detailType: string, detail: object = { n: 1 }) => ({ Source: 'lifeboat.test', DetailType: detailType, Detail: JSON.stringify(detail), EventBusName: 'lifeboat-test' });

describe('the local event bus', () => {
  it('given rules with patterns, when events are put, then only matching rules receive them, with the EventBridge envelope', async () => {
    const bus = newBus();
    const received: BusEvent[] = [];
    bus.addRule({ name: 'waves', eventBus: 'lifeboat-test', pattern: { 'detail-type': ['WaveStarted'] }, maximumRetryAttempts: 3, maximumEventAgeSeconds: 60, target: async (e) => void received.push(e) });
    bus.addRule({ name: 'other-bus', eventBus: 'default', pattern: { source: ['lifeboat.test'] }, maximumRetryAttempts: 3, maximumEventAgeSeconds: 60, target: async () => { throw new Error('must not be called'); } });
    const results = bus.putEvents([entry('WaveStarted'), entry('WaveCompleted')]);
    expect(results.every((r) => 'EventId' in r)).toBe(true);
    await bus.idle();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ version: '0', source: 'lifeboat.test', 'detail-type': 'WaveStarted', account: '123456789012', region: 'us-east-1', detail: { n: 1 } });
    expect(received[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('given a target that fails twice, when an event is delivered, then it is retried until it succeeds', async () => {
    const bus = newBus();
    let calls = 0;
    bus.addRule({ name: 'flaky', eventBus: 'lifeboat-test', pattern: { source: ['lifeboat.test'] }, maximumRetryAttempts: 5, maximumEventAgeSeconds: 60, target: async () => { calls++; if (calls < 3) throw new Error('boom'); } });
    bus.putEvents([entry('X')]);
    await until(() => calls === 3);
    expect(await bus.idle()).toBe(true);
    expect(calls).toBe(3);
  });

  it('given a target that always fails, when the retries are exhausted, then the event is written to the dead-letter file', async () => {
    const bus = newBus(tempDir());
    let calls = 0;
    bus.addRule({ name: 'broken', eventBus: 'lifeboat-test', pattern: { source: ['lifeboat.test'] }, maximumRetryAttempts: 2, maximumEventAgeSeconds: 60, target: async () => { calls++; throw new Error('always'); } });
    bus.putEvents([entry('Doomed')]);
    await until(() => bus.readDeadLetters().length === 1);
    expect(calls).toBe(3);
    expect(bus.readDeadLetters()[0]).toMatchObject({ rule: 'broken', attempts: 3, event: { 'detail-type': 'Doomed' } });
  });

  it('given events accepted but not yet delivered when the process stops, when the bus starts again, then they are delivered', async () => {
    const dataDir = tempDir();
    const first = new LocalEventBus({ ...settings, buses: ['default', 'lifeboat-test'], retryBaseMs: 10_000, dataDir });
    first.addRule({ name: 'slow', eventBus: 'lifeboat-test', pattern: { source: ['lifeboat.test'] }, maximumRetryAttempts: 5, maximumEventAgeSeconds: 600, target: async () => { throw new Error('down'); } });
    first.putEvents([entry('Kept', { n: 7 })]);
    await new Promise((r) => setTimeout(r, 50));
    await first.close();

    const second = newBus(dataDir);
    const received: BusEvent[] = [];
    second.addRule({ name: 'slow', eventBus: 'lifeboat-test', pattern: { source: ['lifeboat.test'] }, maximumRetryAttempts: 5, maximumEventAgeSeconds: 600, target: async (e) => void received.push(e) });
    expect(second.resumePendingDeliveries()).toBe(1);
    await until(() => received.length === 1);
    expect(received[0]?.detail).toEqual({ n: 7 });
    expect(second.readArchive('lifeboat-test').map((e) => e['detail-type'])).toEqual(['Kept']);
  });

  it('given customers, when they put an aws.* event, then EventBridge refuses the source', () => {
    const bus = newBus();
    expect(bus.putEvents([{ Source: 'aws.drs', DetailType: 'x', Detail: '{}' }])[0]).toMatchObject({ ErrorCode: 'NotAuthorizedForSourceException' });
    expect(bus.putEvents([{ Source: 's', DetailType: 'x', Detail: 'not json', EventBusName: 'lifeboat-test' }])[0]).toMatchObject({ ErrorCode: 'MalformedDetail' });
    expect(bus.putEvents([{ Source: 's', DetailType: 'x', Detail: '{}', EventBusName: 'nope' }])[0]).toMatchObject({ ErrorCode: 'ResourceNotFoundException' });
  });

  it('given an archive, when a time window is replayed, then its events reach the rules again, marked with the replay name', async () => {
    const bus = newBus(tempDir());
    const received: BusEvent[] = [];
    bus.addRule({ name: 'all', eventBus: 'lifeboat-test', pattern: { source: ['lifeboat.test'] }, maximumRetryAttempts: 1, maximumEventAgeSeconds: 60, target: async (e) => void received.push(e) });
    bus.putEvents([entry('A'), entry('B')]);
    await bus.idle();
    expect(bus.replay('lifeboat-test', 'audit-replay', new Date(Date.now() - 60_000), new Date(Date.now() + 1000))).toBe(2);
    await bus.idle();
    expect(received.map((e) => [e['detail-type'], e['replay-name']])).toEqual([['A', undefined], ['B', undefined], ['A', 'audit-replay'], ['B', 'audit-replay']]);
  });
});

describe('the local AWS endpoint', () => {
  it('given the unmodified EventBridge and Lambda SDK clients, then PutEvents and Invoke work as on AWS', async () => {
    const dir = tempDir();
    const handlerFile = path.join(dir, 'echo.mjs');
    fs.writeFileSync(handlerFile, "export const handler = async (event, context) => { if (event.fail) throw new Error('asked to fail'); return { echoed: event, fn: context.functionName, left: context.getRemainingTimeInMillis() > 0 }; };\n");
    const lambda = new LocalLambdaRuntime([{ service: 's', key: 'echo', name: 'lifeboat-s-local-echo', serviceDir: dir, handlerFile, exportName: 'handler', timeoutSeconds: 5, memorySize: 128, environment: {}, events: [] }], settings);
    const bus = newBus();
    const received: BusEvent[] = [];
    bus.addRule({ name: 'r', eventBus: 'lifeboat-test', pattern: { source: ['lifeboat.test'] }, maximumRetryAttempts: 1, maximumEventAgeSeconds: 60, target: async (e) => void received.push(e) });
    const endpoint = await startAwsEndpoint(lambda, bus);
    cleanup.push(() => endpoint.close());

    const events = new EventBridgeClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    const put = await events.send(new PutEventsCommand({ Entries: [{ ...entry('Hello'), Time: new Date('2026-01-02T03:04:05Z') }, { Source: 'aws.drs', DetailType: 'x', Detail: '{}' }] }));
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[0]?.EventId).toBeTruthy();
    expect(put.Entries?.[1]?.ErrorCode).toBe('NotAuthorizedForSourceException');
    await bus.idle();
    expect(received[0]?.time).toBe('2026-01-02T03:04:05Z');

    const client = new LambdaClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    const ok = await client.send(new InvokeCommand({ FunctionName: 'lifeboat-s-local-echo', Payload: new TextEncoder().encode(JSON.stringify({ a: 1 })) }));
    expect(JSON.parse(new TextDecoder().decode(ok.Payload))).toEqual({ echoed: { a: 1 }, fn: 'lifeboat-s-local-echo', left: true });
    const failed = await client.send(new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:lifeboat-s-local-echo', Payload: new TextEncoder().encode(JSON.stringify({ fail: true })) }));
    expect(failed.FunctionError).toBe('Unhandled');
    expect(JSON.parse(new TextDecoder().decode(failed.Payload))).toMatchObject({ errorMessage: 'asked to fail' });
    await expect(client.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
