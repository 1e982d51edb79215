/**
 * The claim check of events over EventBridge's 256 KB: the publisher sends an oversized stream event
 * without its data, the contract accepts that form only for stream events, and the consumer hands
 * its handler the full event read back from the stream (checked and validated), never the empty one.
 */
import { describe, it, expect, beforeEach, jest } from '@jest/globals';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { lambdaContext, stubClient } from '@lifeboat/testing';
import { ClaimCheckError, claimChecked, resolveClaimCheck, type ClaimCheckResolver } from '../src/claim-check.js';
import { lifeboatEventConsumer } from '../src/consumer.js';
import { createEvent, type DomainEvent, type EventDetail } from '../src/envelope.js';
import { EventPublisher, MAX_BYTES_PER_PUT, entrySize } from '../src/publisher.js';
import { EventValidationError, validateEventDetail } from '../src/schemas.js';
import { delivered } from './support/envelopes.js';

const eventBridge = stubClient(EventBridgeClient);
const dynamoMock = stubClient(DynamoDBClient);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const actor = { type: 'service', id: 'lifeboat-execution' } as const;
const EXECUTION_ID = '01JCLAIMCHECK0000000000000';
const STREAM_ID = `execution/${EXECUTION_ID}`;

/** The ExecutionStarted of a one-wave plan of `servers` servers, as the stream publisher publishes it (version 1 of its stream). */
function executionStarted(servers: number): DomainEvent {
  const plan = {
    planId: 'plan-big',
    version: 1,
    name: 'Data centre exit',
    waves: [
      {
        waveId: 'wave-all',
        name: 'Everything',
        dependsOn: [],
        launchOrder: 'PARALLEL',
        servers: Array.from({ length: servers }, (_, i) => ({
          sourceServerId: `s-${i.toString(16).padStart(17, '0')}`,
          accountId: '123456789012',
          region: 'us-east-1',
          hostname: `host-${i}.corp.example.com`,
          criticality: 'OPTIONAL',
          protectionGroupId: `pg-${i % 40}`,
        })),
      },
    ],
  };
  const event = createEvent('ExecutionStarted', { executionId: EXECUTION_ID, planId: 'plan-big', planVersion: 1, mode: 'DRILL', plan }, { correlationId: EXECUTION_ID, actor });
  return { ...event, metadata: { ...event.metadata, streamId: STREAM_ID, streamVersion: 1, previousHash: null, hash: 'a'.repeat(64) } };
}

/** A stream event small enough to travel whole (version 2 of the stream). */
function waveStarted(): DomainEvent {
  const event = createEvent('WaveStarted', { executionId: EXECUTION_ID, waveId: 'wave-all', name: 'Everything' }, { correlationId: EXECUTION_ID, actor });
  return { ...event, metadata: { ...event.metadata, streamId: STREAM_ID, streamVersion: 2, previousHash: 'a'.repeat(64), hash: 'b'.repeat(64) } };
}

function publisher(): EventPublisher {
  return new EventPublisher({ client: new EventBridgeClient({ region: 'us-east-1', credentials }), eventBusName: 'lifeboat-test', maxAttempts: 2, baseDelayMs: 1, sleep: async () => undefined });
}

const sentEntries = () => eventBridge.commandCalls(PutEventsCommand).flatMap((call) => call.args[0].input.Entries ?? []);

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({ FailedEntryCount: 0, Entries: (input.Entries ?? []).map((_, i) => ({ EventId: `eb-${i}` })) }));
  dynamoMock.reset();
  dynamoMock.on(PutItemCommand).resolves({});
  dynamoMock.on(UpdateItemCommand).resolves({});
  dynamoMock.on(DeleteItemCommand).resolves({});
});

describe('EventPublisher: claim check', () => {
  it('publishes an oversized stream event claim-checked: same metadata, claimCheck.bytes = the full entry size, data {}', async () => {
    // given an ExecutionStarted whose plan snapshot is over 256 KB, and a small event of the same stream
    const big = executionStarted(2_500);
    const small = waveStarted();
    const fullSize = entrySize({ Source: 'lifeboat.execution', DetailType: big.type, Detail: JSON.stringify({ metadata: big.metadata, data: big.data }), Time: new Date() });
    expect(fullSize).toBeGreaterThan(MAX_BYTES_PER_PUT);

    // when both are published
    await publisher().publish([big, small]);

    // then the big one travels without its data, the small one whole, in one request under the limit
    const [bigEntry, smallEntry, ...more] = sentEntries();
    expect(more).toHaveLength(0);
    expect(bigEntry?.DetailType).toBe('ExecutionStarted');
    expect(bigEntry?.Source).toBe('lifeboat.execution');
    expect(JSON.parse(bigEntry?.Detail ?? '{}')).toEqual({ metadata: { ...big.metadata, claimCheck: { bytes: fullSize } }, data: {} });
    expect(entrySize(bigEntry ?? {})).toBeLessThan(2_000);
    expect(JSON.parse(smallEntry?.Detail ?? '{}')).toEqual({ metadata: small.metadata, data: small.data });
  });

  it('still refuses an oversized event without a stream position, before any call', async () => {
    const { streamId: _s, streamVersion: _v, previousHash: _p, hash: _h, ...metadata } = executionStarted(2_500).metadata;
    const withoutStream = { ...executionStarted(2_500), metadata };

    await expect(publisher().publish([waveStarted(), withoutStream])).rejects.toThrow(/exceeds the PutEvents limit/);
    expect(sentEntries()).toHaveLength(0);
  });

  it('still refuses an oversized event of a service without streams (only execution stream events are read back)', async () => {
    const tooBig = createEvent('SourceServerRemoved', { sourceServerId: 's-0123456789abcdef0', accountId: '123456789012', region: 'us-east-1' }, { correlationId: 'sync-1', actor: { type: 'system', id: 'catalog' } });
    const padded = { ...tooBig, metadata: { ...tooBig.metadata, streamId: 'catalog/x', streamVersion: 1, correlationId: 'x'.repeat(MAX_BYTES_PER_PUT) } };

    await expect(publisher().publish([padded])).rejects.toThrow(/exceeds the PutEvents limit/);
    expect(sentEntries()).toHaveLength(0);
  });
});

describe('validateEventDetail: a claim-checked detail', () => {
  const checked = () => claimChecked(executionStarted(2), 300_000);
  const detailOf = (event: DomainEvent): EventDetail => ({ metadata: event.metadata, data: event.data });

  it('is valid with its metadata, its stream position and data {}: the type data schema is not applied', () => {
    expect(() => validateEventDetail('ExecutionStarted', detailOf(checked()))).not.toThrow();
  });

  it('is refused with data', () => {
    const event = checked();
    const error = (() => {
      try {
        validateEventDetail('ExecutionStarted', { metadata: event.metadata, data: { executionId: EXECUTION_ID } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).problems).toEqual([expect.objectContaining({ path: '/data' })]);
  });

  it('is refused without its stream position', () => {
    const { metadata } = checked();
    const { streamVersion: _v, ...withoutVersion } = metadata;
    const { streamId: _s, ...withoutStream } = metadata;
    expect(() => validateEventDetail('ExecutionStarted', { metadata: withoutVersion, data: {} })).toThrow(EventValidationError);
    expect(() => validateEventDetail('ExecutionStarted', { metadata: withoutStream, data: {} })).toThrow(EventValidationError);
  });

  it('is refused with invalid metadata or a malformed claimCheck', () => {
    const { metadata } = checked();
    expect(() => validateEventDetail('ExecutionStarted', { metadata: { ...metadata, eventId: 'not-a-ulid' }, data: {} })).toThrow(EventValidationError);
    expect(() => validateEventDetail('ExecutionStarted', { metadata: { ...metadata, claimCheck: { bytes: 'big' } }, data: {} })).toThrow(EventValidationError);
    expect(() => validateEventDetail('ExecutionStarted', { metadata: { ...metadata, claimCheck: {} }, data: {} })).toThrow(EventValidationError);
  });

  it('is refused for an event type of a source without streams', () => {
    const removed = createEvent('SourceServerRemoved', { sourceServerId: 's-0123456789abcdef0', accountId: '123456789012', region: 'us-east-1' }, { correlationId: 'sync-1', actor: { type: 'system', id: 'catalog' } });
    const metadata = { ...removed.metadata, streamId: 'catalog/x', streamVersion: 1, claimCheck: { bytes: 300_000 } };
    expect(() => validateEventDetail('SourceServerRemoved', { metadata, data: {} })).toThrow(/only events of lifeboat.execution streams can be claim-checked/);
  });
});

describe('lifeboatEventConsumer: a claim-checked event', () => {
  const dynamoDbClient = new DynamoDBClient({ region: 'us-east-1', credentials });
  const FUNCTION = 'lifeboat-verification-test-recordExecution';
  type Handle = (event: DomainEvent, context: unknown) => Promise<void>;
  const consumer = (handle: Handle, resolve?: ClaimCheckResolver) =>
    lifeboatEventConsumer({ idempotencyTable: 'lifeboat-verification-idempotency-test', eventTypes: ['ExecutionStarted'], dynamoDbClient, ...(resolve ? { resolveClaimCheck: resolve } : {}) }, handle);

  it('is resolved from its stream, validated, then handled as the full event; idempotency stays keyed on its eventId', async () => {
    // given the full event in the stream and its claim-checked form on the bus
    const full = executionStarted(2_500);
    const onTheBus = delivered(claimChecked(full, 900_000));
    const resolve = jest.fn<ClaimCheckResolver>(async () => structuredClone(full));
    const handle = jest.fn<Handle>(async () => undefined);

    // when it is delivered
    const result = await consumer(handle, resolve)(onTheBus, lambdaContext(FUNCTION));

    // then the resolver was asked with the claim-checked event and the handler got the full one
    expect(resolve).toHaveBeenCalledWith(expect.objectContaining({ type: 'ExecutionStarted', data: {}, metadata: expect.objectContaining({ claimCheck: { bytes: 900_000 } }) }));
    expect(handle).toHaveBeenCalledWith(full, expect.anything());
    expect(result).toEqual({ eventId: full.metadata.eventId });
    expect(dynamoMock.commandCalls(PutItemCommand)[0]?.args[0].input.Item?.id?.S).toMatch(new RegExp(`^${FUNCTION}#`));
  });

  it('throws without a resolver: not handled, its record released so that it is retried and dead-lettered, never dropped', async () => {
    const handle = jest.fn<Handle>(async () => undefined);
    const error = await consumer(handle)(delivered(claimChecked(executionStarted(3), 900_000)), lambdaContext(FUNCTION)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ClaimCheckError);
    expect((error as Error).message).toMatch(/is claim-checked \(900000 bytes.*no resolveClaimCheck/);
    expect(handle).not.toHaveBeenCalled();
    expect(dynamoMock.commandCalls(DeleteItemCommand)).toHaveLength(1);
    expect(dynamoMock.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it.each([
    ['another event id', (e: DomainEvent): DomainEvent => ({ ...e, metadata: { ...e.metadata, eventId: '01JOTHER000000000000000000' } })],
    ['another type', (e: DomainEvent): DomainEvent => ({ ...e, type: 'WaveStarted' })],
    ['another stream', (e: DomainEvent): DomainEvent => ({ ...e, metadata: { ...e.metadata, streamId: 'execution/01JOTHER000000000000000000' } })],
    ['another version', (e: DomainEvent): DomainEvent => ({ ...e, metadata: { ...e.metadata, streamVersion: 2 } })],
    ['another hash', (e: DomainEvent): DomainEvent => ({ ...e, metadata: { ...e.metadata, hash: 'c'.repeat(64) } })],
    ['a claim-checked event again', (e: DomainEvent): DomainEvent => claimChecked(e, 900_000)],
  ])('refuses a resolution to %s, without handling it', async (_name, tamper) => {
    const full = executionStarted(3);
    const handle = jest.fn<Handle>(async () => undefined);

    await expect(consumer(handle, async () => tamper(full))(delivered(claimChecked(full, 900_000)), lambdaContext(FUNCTION))).rejects.toThrow(ClaimCheckError);
    expect(handle).not.toHaveBeenCalled();
  });

  it('validates the resolved event against its type schema', async () => {
    const full = executionStarted(3);
    const handle = jest.fn<Handle>(async () => undefined);
    const broken = { ...full, data: { ...(full.data as object), mode: 'REHEARSAL' } };

    const error = await consumer(handle, async () => broken)(delivered(claimChecked(full, 900_000)), lambdaContext(FUNCTION)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).problems).toEqual(expect.arrayContaining([expect.objectContaining({ path: '/data/mode' })]));
    expect(handle).not.toHaveBeenCalled();
  });

  it('lets a resolver failure through (the execution API unreachable), to be retried', async () => {
    const handle = jest.fn<Handle>(async () => undefined);
    const failing = async (): Promise<DomainEvent> => {
      throw new Error('execution api unavailable');
    };
    await expect(consumer(handle, failing)(delivered(claimChecked(executionStarted(3), 900_000)), lambdaContext(FUNCTION))).rejects.toThrow('execution api unavailable');
    expect(handle).not.toHaveBeenCalled();
  });

  it('does not call the resolver for an event that travelled whole', async () => {
    const resolve = jest.fn<ClaimCheckResolver>(async (e) => e);
    const full = executionStarted(3);
    expect(await resolveClaimCheck(full, resolve)).toBe(full);
    expect(resolve).not.toHaveBeenCalled();
  });
});
