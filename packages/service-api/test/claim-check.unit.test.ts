/**
 * executionEventResolver: a claim-checked execution event (published without its data, over
 * EventBridge's 256 KB) read back from its stream through the execution API's getExecutionEvents,
 * as the stream publisher published it.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { claimChecked, createEvent, resolveClaimCheck, type DomainEvent } from '@lifeboat/events';
import { stubClient } from '@lifeboat/testing';
import type { ApiRequest, Caller, StoredEventView } from '../src/index.js';
import { callerMay, createApiHandler, executionEventResolver, executionEventResolverFromEnv, executionIdOfStream, operation, serviceReader } from '../src/index.js';

const EXECUTION_ID = '01JRESOLVER000000000000000';
const actor = { type: 'user', id: 'user-7', name: 'ada' } as const;

/** Version `version` of the execution's stream, as the stream publisher publishes it (toPublishedEvent). */
function published(type: 'ExecutionStarted' | 'WaveStarted', data: unknown, version: number): DomainEvent {
  const event = createEvent(type, data, { correlationId: EXECUTION_ID, causationId: 'cmd-1', actor, occurredAt: `2025-03-01T10:00:0${version}.000Z` });
  return { ...event, metadata: { ...event.metadata, streamId: `execution/${EXECUTION_ID}`, streamVersion: version, previousHash: version === 1 ? null : `${version - 1}`.repeat(64), hash: `${version}`.repeat(64) } };
}

/** The view getExecutionEvents answers for a published event (toStoredEventView). */
function viewOf(event: DomainEvent): StoredEventView {
  const { metadata } = event;
  return { streamVersion: metadata.streamVersion ?? 0, eventId: metadata.eventId, type: event.type, occurredAt: metadata.occurredAt, actor: metadata.actor.id, data: event.data, previousHash: metadata.previousHash ?? null, hash: metadata.hash ?? '' };
}

const started = published(
  'ExecutionStarted',
  {
    executionId: EXECUTION_ID,
    planId: 'plan-1',
    planVersion: 2,
    mode: 'DRILL',
    plan: { planId: 'plan-1', version: 2, name: 'Orders', waves: [{ waveId: 'w-1', name: 'Database', dependsOn: [], launchOrder: 'PARALLEL', servers: [{ sourceServerId: 's-0123456789abcdef0', accountId: '123456789012', region: 'us-east-1', hostname: 'db-1', criticality: 'CRITICAL' }] }] },
  },
  1,
);
const waveStarted = published('WaveStarted', { executionId: EXECUTION_ID, waveId: 'w-1', name: 'Database' }, 2);

type Call = (operation: string, input: unknown, caller: Caller) => Promise<unknown>;

/** The execution API over a stream of published events: getExecutionEvents as the service answers it. */
function executionApi(stream: DomainEvent[]) {
  const call = jest.fn<Call>(async (op, input) => {
    if (op !== 'getExecutionEvents') throw new Error(`unexpected ${op}`);
    const { afterVersion = 0 } = input as { afterVersion?: number };
    return stream.map(viewOf).filter((view) => view.streamVersion > afterVersion);
  });
  return { call: <T>(op: string, input: unknown, caller: Caller) => call(op, input, caller) as Promise<T>, calls: call };
}

describe('executionEventResolver', () => {
  it('reads the event at its version (getExecutionEvents after the version before it) and answers it as published', async () => {
    // given a stream whose first event went on the bus claim-checked
    const api = executionApi([started, waveStarted]);
    const reader = serviceReader('verification');

    // when it is resolved
    const resolved = await executionEventResolver(api, reader)(claimChecked(started, 845_000));

    // then the execution API was asked once, as the reader, from the version before it
    expect(api.calls).toHaveBeenCalledTimes(1);
    expect(api.calls).toHaveBeenCalledWith('getExecutionEvents', { executionId: EXECUTION_ID, afterVersion: 0, limit: 1 }, reader);
    // and the event is the published one: same type, data, metadata (no claimCheck)
    expect(resolved).toEqual(started);
  });

  it('answers an event further down the stream, which the consumer check accepts', async () => {
    const api = executionApi([started, waveStarted]);
    const resolve = executionEventResolver(api, serviceReader('notification'));

    const resolved = await resolveClaimCheck(claimChecked(waveStarted, 300_000), resolve);

    expect(api.calls).toHaveBeenCalledWith('getExecutionEvents', { executionId: EXECUTION_ID, afterVersion: 1, limit: 1 }, expect.anything());
    expect(resolved).toEqual(waveStarted);
  });

  it('answers what the stream holds at that version: another event there is refused by the consumer check', async () => {
    // The store holds another event at version 2 than the one on the bus (another history).
    const other = { ...waveStarted, metadata: { ...waveStarted.metadata, eventId: '01JOTHER000000000000000000', hash: 'f'.repeat(64) } };
    const resolve = executionEventResolver(executionApi([started, other]), serviceReader('gateway'));

    await expect(resolveClaimCheck(claimChecked(waveStarted, 300_000), resolve)).rejects.toThrow(/eventId, hash differ/);
  });

  it('throws when the stream has no event at that version, or for an event not of an execution stream', async () => {
    const resolve = executionEventResolver(executionApi([started]), serviceReader('verification'));
    await expect(resolve(claimChecked(waveStarted, 300_000))).rejects.toThrow(`execution/${EXECUTION_ID} has no event at version 2`);

    const { streamVersion: _v, ...noVersion } = waveStarted.metadata;
    await expect(resolve({ ...waveStarted, metadata: noVersion })).rejects.toThrow(/not an event of an execution's stream/);
    await expect(resolve({ ...waveStarted, metadata: { ...waveStarted.metadata, streamId: `planning/${EXECUTION_ID}` } })).rejects.toThrow(/not an event of an execution's stream/);
  });

  it('lets an error of the execution API through (the consumer is retried)', async () => {
    const failing = { call: async <T>(): Promise<T> => Promise.reject(new Error('Rate exceeded')) };
    await expect(executionEventResolver(failing, serviceReader('verification'))(claimChecked(started, 845_000))).rejects.toThrow('Rate exceeded');
  });
});

describe('serviceReader and executionIdOfStream', () => {
  it('serviceReader is a service caller that may read and nothing else', async () => {
    const reader = serviceReader('verification');
    expect(reader.userId).toBe('service:verification');
    expect(callerMay(reader, 'read')).toBe(true);
    expect(callerMay(reader, 'drill:run')).toBe(false);
    const api = createApiHandler({ look: operation('read', async () => 'seen'), touch: operation('drill:run', async () => 'changed') });
    expect(await api({ operation: 'look', input: {}, caller: reader })).toEqual({ ok: true, result: 'seen' });
    expect(await api({ operation: 'touch', input: {}, caller: reader })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('executionIdOfStream reads execution/<id> only', () => {
    expect(executionIdOfStream(`execution/${EXECUTION_ID}`)).toBe(EXECUTION_ID);
    expect(executionIdOfStream('execution/')).toBeUndefined();
    expect(executionIdOfStream('plan/x')).toBeUndefined();
    expect(executionIdOfStream(undefined)).toBeUndefined();
  });
});

describe('executionEventResolverFromEnv', () => {
  const lambda = stubClient(LambdaClient);
  const saved = process.env.EXECUTION_API_FUNCTION;
  afterEach(() => {
    lambda.reset();
    if (saved === undefined) delete process.env.EXECUTION_API_FUNCTION;
    else process.env.EXECUTION_API_FUNCTION = saved;
  });

  it('invokes EXECUTION_API_FUNCTION, read at the first claim-checked event, as the service reader', async () => {
    delete process.env.EXECUTION_API_FUNCTION;
    // Made without the variable: a consumer module loads before its environment is checked.
    const resolve = executionEventResolverFromEnv('notification');
    process.env.EXECUTION_API_FUNCTION = 'lifeboat-execution-test-api';
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify({ ok: true, result: [viewOf(started), viewOf(waveStarted)] })) as never });

    expect(await resolve(claimChecked(started, 845_000))).toEqual(started);

    const [invoke] = lambda.commandCalls(InvokeCommand);
    expect(invoke?.args[0].input.FunctionName).toBe('lifeboat-execution-test-api');
    const request = JSON.parse(new TextDecoder().decode(invoke?.args[0].input.Payload as Uint8Array)) as ApiRequest;
    expect(request).toEqual({ operation: 'getExecutionEvents', input: { executionId: EXECUTION_ID, afterVersion: 0, limit: 1 }, caller: serviceReader('notification') });
  });

  it('names the missing variable when a claim-checked event arrives without it', async () => {
    delete process.env.EXECUTION_API_FUNCTION;
    await expect(executionEventResolverFromEnv('notification')(claimChecked(started, 845_000))).rejects.toThrow('EXECUTION_API_FUNCTION');
  });
});
