import { describe, it, expect, beforeEach } from '@jest/globals';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput, type PutEventsRequestEntry, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { stubClient } from '@lifeboat/testing';
import { EventPublisher, PublishError, MAX_BYTES_PER_PUT, MAX_ENTRIES_PER_PUT, batchEntries, entrySize } from '../src/publisher.js';
import { EventValidationError } from '../src/schemas.js';
import { createEvent, type DomainEvent } from '../src/envelope.js';

const eventBridge = stubClient(EventBridgeClient);
const BUS = 'lifeboat-test';
const actor = { type: 'user', id: 'user-1', name: 'alice' } as const;

function waveStarted(i: number, name = `Wave ${i}`): DomainEvent {
  return createEvent('WaveStarted', { executionId: 'ex-1', waveId: `w-${i}`, name }, { correlationId: 'ex-1', actor });
}

function sourceServerRemoved(): DomainEvent {
  return createEvent('SourceServerRemoved', { sourceServerId: 's-0123456789abcdef0', accountId: '123456789012', region: 'us-east-1' }, { correlationId: 'sync-1', actor: { type: 'system', id: 'catalog' } });
}

/** Every PutEvents call's input, in order. */
const putInputs = (): PutEventsCommandInput[] => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input);

const accepted = (entries: PutEventsRequestEntry[] | undefined): PutEventsResultEntry[] => (entries ?? []).map((_, i) => ({ EventId: `eb-${i}` }));

function publisher(options: { maxAttempts?: number; delays?: number[] } = {}): EventPublisher {
  return new EventPublisher({
    client: new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    eventBusName: BUS,
    maxAttempts: options.maxAttempts ?? 3,
    baseDelayMs: 10,
    sleep: async (ms) => {
      options.delays?.push(ms);
    },
  });
}

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({ FailedEntryCount: 0, Entries: accepted(input.Entries) }));
});

describe('EventPublisher: entries', () => {
  it('puts each event on the bus with its source, detail-type, detail { metadata, data } and time', async () => {
    const events = [waveStarted(1), sourceServerRemoved()];
    await publisher().publish(events, (event) => (event.type === 'WaveStarted' ? ['arn:aws:drs:us-east-1:123456789012:job/drsjob-1'] : []));

    const [input] = putInputs();
    expect(putInputs()).toHaveLength(1);
    expect(input?.Entries).toEqual([
      {
        EventBusName: BUS,
        Source: 'lifeboat.execution',
        DetailType: 'WaveStarted',
        Detail: JSON.stringify({ metadata: events[0]?.metadata, data: events[0]?.data }),
        Resources: ['arn:aws:drs:us-east-1:123456789012:job/drsjob-1'],
        Time: new Date(events[0]?.metadata.occurredAt ?? ''),
      },
      {
        EventBusName: BUS,
        Source: 'lifeboat.catalog',
        DetailType: 'SourceServerRemoved',
        Detail: JSON.stringify({ metadata: events[1]?.metadata, data: events[1]?.data }),
        Resources: [],
        Time: new Date(events[1]?.metadata.occurredAt ?? ''),
      },
    ]);
  });

  it('makes no call for no events', async () => {
    await publisher().publish([]);
    expect(putInputs()).toHaveLength(0);
  });
});

describe('EventPublisher: batching within the PutEvents limits', () => {
  it('sends 25 events in 3 calls of at most 10 entries, in order', async () => {
    const events = Array.from({ length: 25 }, (_, i) => waveStarted(i));
    await publisher().publish(events);

    const inputs = putInputs();
    expect(inputs.map((input) => input.Entries?.length)).toEqual([10, 10, 5]);
    const sentIds = inputs.flatMap((input) => (input.Entries ?? []).map((entry) => (JSON.parse(entry.Detail ?? '{}') as { metadata: { eventId: string } }).metadata.eventId));
    expect(sentIds).toEqual(events.map((event) => event.metadata.eventId));
  });

  it('keeps every call under 256 KB, splitting before the 10-entry limit when events are large', async () => {
    const bigName = 'x'.repeat(60 * 1024);
    const events = Array.from({ length: 10 }, (_, i) => waveStarted(i, bigName));
    await publisher().publish(events);

    const inputs = putInputs();
    expect(inputs.map((input) => input.Entries?.length)).toEqual([4, 4, 2]);
    for (const input of inputs) {
      const entries = input.Entries ?? [];
      expect(entries.length).toBeLessThanOrEqual(MAX_ENTRIES_PER_PUT);
      expect(entries.reduce((bytes, entry) => bytes + entrySize(entry), 0)).toBeLessThanOrEqual(MAX_BYTES_PER_PUT);
    }
  });

  it('rejects an event larger than 256 KB before any call', async () => {
    const events = [waveStarted(1), waveStarted(2, 'x'.repeat(MAX_BYTES_PER_PUT))];
    await expect(publisher().publish(events)).rejects.toThrow(/exceeds the PutEvents limit/);
    expect(putInputs()).toHaveLength(0);
  });

  it('entrySize counts Time as 14 bytes plus the UTF-8 bytes of source, detail-type, detail and resources', () => {
    expect(entrySize({ Source: 'lifeboat.x', DetailType: 'E', Detail: '{"é":1}', Resources: ['r1', 'r2'] })).toBe(10 + 1 + 8 + 4);
    expect(entrySize({ Source: 'a', Time: new Date() })).toBe(15);
  });

  it('batchEntries fills a batch up to exactly the byte limit and never returns an empty batch', () => {
    const half = (MAX_BYTES_PER_PUT - 2) / 2;
    const entries = [{ Detail: 'x'.repeat(half) }, { Detail: 'x'.repeat(half) }, { Detail: 'xx' }, { Detail: 'y' }];
    expect(batchEntries(entries).map((batch) => batch.length)).toEqual([3, 1]);
    expect(batchEntries([])).toEqual([]);
  });
});

describe('EventPublisher: retries, never a silent drop', () => {
  it('retries only the failed entries until they are accepted', async () => {
    const delays: number[] = [];
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [{ EventId: 'eb-0' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }, { EventId: 'eb-2' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, { EventId: 'eb-4' }],
      })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'eb-5' }, { ErrorCode: 'InternalFailure' }] })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-6' }] });
    const events = Array.from({ length: 5 }, (_, i) => waveStarted(i));

    await publisher({ maxAttempts: 5, delays }).publish(events);

    const [first, second, third, ...more] = putInputs();
    expect(more).toHaveLength(0);
    expect(second).toEqual({ Entries: [first?.Entries?.[1], first?.Entries?.[3]] });
    expect(third).toEqual({ Entries: [first?.Entries?.[3]] });
    expect(delays).toEqual([10, 20]);
  });

  it('treats a result entry without an EventId as failed', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'eb-0' }, {}] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-1' }] });
    const events = [waveStarted(0), waveStarted(1)];
    await publisher().publish(events);
    const [first, second] = putInputs();
    expect(second).toEqual({ Entries: [first?.Entries?.[1]] });
  });

  it('throws a PublishError naming the events still failing after the last attempt', async () => {
    const events = [waveStarted(0), waveStarted(1), waveStarted(2)];
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
      FailedEntryCount: 1,
      Entries: (input.Entries ?? []).map((entry, i) =>
        entry.Detail?.includes(events[1]?.metadata.eventId ?? '?') ? { ErrorCode: 'InternalFailure', ErrorMessage: 'boom' } : { EventId: `eb-${i}` },
      ),
    }));

    const error = await publisher({ maxAttempts: 3 }).publish(events).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(PublishError);
    expect((error as PublishError).failures).toEqual([{ eventId: events[1]?.metadata.eventId, type: 'WaveStarted', errorCode: 'InternalFailure', errorMessage: 'boom' }]);
    expect((error as PublishError).message).toContain(events[1]?.metadata.eventId);
    expect(putInputs().map((input) => input.Entries?.length)).toEqual([3, 1, 1]);
  });

  it('retries a PutEvents call that throws, like a failed entry', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    eventBridge.on(PutEventsCommand).rejectsOnce(throttled).callsFake((input) => ({ FailedEntryCount: 0, Entries: accepted(input.Entries) }));
    const events = [waveStarted(0), waveStarted(1)];

    await publisher().publish(events);

    const [first, second] = putInputs();
    expect(second).toEqual(first);
  });

  it('names every event of a request that kept throwing, and still sends the next batches', async () => {
    const events = Array.from({ length: 12 }, (_, i) => waveStarted(i));
    eventBridge.on(PutEventsCommand).callsFake((input) => {
      if ((input.Entries ?? []).length === 10) throw Object.assign(new Error('User is not authorized to perform: events:PutEvents'), { name: 'AccessDeniedException' });
      return { FailedEntryCount: 0, Entries: accepted(input.Entries) };
    });

    const error = await publisher({ maxAttempts: 2 }).publish(events).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PublishError);
    expect((error as PublishError).failures).toEqual(
      events.slice(0, 10).map((event) => ({ eventId: event.metadata.eventId, type: 'WaveStarted', errorCode: 'AccessDeniedException', errorMessage: 'User is not authorized to perform: events:PutEvents' })),
    );
    // (requests go out side by side: the first batch twice, the second once, in any order)
    expect(putInputs().map((input) => input.Entries?.length).sort()).toEqual([10, 10, 2]);
  });

  it('sends the requests of a large commit side by side, at most four at once', async () => {
    // given 1,002 events (a 1,000-server wave's start) and a bus answering after a pause
    const events = Array.from({ length: 1002 }, (_, i) => waveStarted(i));
    let inFlight = 0;
    let mostInFlight = 0;
    eventBridge.on(PutEventsCommand).callsFake(async (input) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return { FailedEntryCount: 0, Entries: accepted(input.Entries) };
    });
    // when they are published
    await publisher().publish(events);
    // then every event went out once, in 101 requests, four at a time
    expect(putInputs().flatMap((input) => (input.Entries ?? []).map((e) => JSON.parse(e.Detail ?? '{}').metadata.eventId)).sort()).toEqual(events.map((e) => e.metadata.eventId).sort());
    expect(putInputs()).toHaveLength(101);
    expect(mostInFlight).toBe(4);
  });

  it('still sends the other batches when one batch keeps failing, then reports the failures', async () => {
    const events = Array.from({ length: 12 }, (_, i) => waveStarted(i));
    eventBridge.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      const entries = input.Entries ?? [];
      // The second batch (2 entries) is always rejected.
      if (entries.length === 2) return { FailedEntryCount: 2, Entries: entries.map(() => ({ ErrorCode: 'InternalFailure' })) };
      return { FailedEntryCount: 0, Entries: accepted(entries) };
    });

    await expect(publisher({ maxAttempts: 2 }).publish(events)).rejects.toThrow(PublishError);
    expect(putInputs().map((input) => input.Entries?.length)).toEqual([10, 2, 2]);
    const error = await publisher({ maxAttempts: 2 }).publish(events).catch((e: unknown) => e);
    expect((error as PublishError).failures.map((f) => f.eventId)).toEqual([events[10]?.metadata.eventId, events[11]?.metadata.eventId]);
  });
});

describe('EventPublisher: validation before any call', () => {
  it('rejects an event whose data does not match its schema, and sends none of the batch', async () => {
    const bad = createEvent('WaveStarted', { executionId: 'ex-1', waveId: 'w-1' }, { correlationId: 'ex-1', actor });
    const error = await publisher().publish([waveStarted(0), bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).problems).toEqual([expect.objectContaining({ path: '/data' })]);
    expect(putInputs()).toHaveLength(0);
  });

  it('rejects an unknown event type', async () => {
    const unknown = createEvent('WaveExploded', {}, { correlationId: 'ex-1', actor });
    await expect(publisher().publish([unknown])).rejects.toThrow(EventValidationError);
    expect(putInputs()).toHaveLength(0);
  });

  it('rejects incomplete metadata (an eventId that is not a ULID, a local time)', async () => {
    const event = waveStarted(0);
    await expect(publisher().publish([{ ...event, metadata: { ...event.metadata, eventId: 'abc' } }])).rejects.toThrow(EventValidationError);
    await expect(publisher().publish([{ ...event, metadata: { ...event.metadata, occurredAt: '2025-01-01T10:00:00+02:00' } }])).rejects.toThrow(EventValidationError);
    expect(putInputs()).toHaveLength(0);
  });
});
