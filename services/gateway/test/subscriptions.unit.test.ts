/**
 * The subscription path without a network: the fan-out handler publishes bus events into the
 * broker by topic, subscriptions run their feeds over them (an execution's stream in stream order),
 * and leave the broker when the client goes away.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { parse, subscribe } from 'graphql';
import type { ExecutionResult } from 'graphql';
import { ClaimCheckError, EventValidationError, claimChecked, createEvent } from '@lifeboat/events';
import type { DomainEvent } from '@lifeboat/events';
import type { StoredEventView } from '@lifeboat/service-api';
import { NotFoundError, executionEventResolver, serviceReader } from '@lifeboat/service-api';
import { createSubscriptionFanout } from '../src/handlers/subscription-fanout.js';
import { createGatewaySchema } from '../src/schema.js';
import { ExecutionEventBroker, executionEventBroker } from '../src/subscriptions/broker.js';
import { closingWith, streamEventsToPush } from '../src/subscriptions/execution-stream.js';
import { FakeService, callerWith, executionView, fakeServices, onTheBus, sourceServerView, storedEvent, streamEvent, within } from './fixtures.js';

async function take<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const values: T[] = [];
  while (values.length < count) {
    const next = await within(`value ${values.length + 1} of ${count}`, iterator.next());
    if (next.done) break;
    values.push(next.value);
  }
  return values;
}

/** A catalog event, as the catalog publishes it (source lifeboat.catalog). */
function inventoryEvent(type: 'SourceServerDiscovered' | 'SourceServerRemoved'): DomainEvent {
  const { sourceServerId, accountId, region, arn, hostname, os, tags, replicationState, readyForRecovery } = sourceServerView;
  const data = type === 'SourceServerRemoved' ? { sourceServerId, accountId, region } : { sourceServerId, accountId, region, arn, hostname, os, tags, replicationState, readyForRecovery };
  return createEvent(type, data, { correlationId: sourceServerId, actor: { type: 'service', id: 'lifeboat-catalog' }, occurredAt: '2025-01-01T12:00:00.000Z' });
}

describe('ExecutionEventBroker', () => {
  it('delivers an event to the subscribers of its execution only', async () => {
    const broker = new ExecutionEventBroker();
    const one = broker.subscribe('execution:exec-1');
    const other = broker.subscribe('execution:exec-2');
    expect(broker.publish(streamEvent('exec-1', 1))).toBe(1);
    expect(broker.publish(streamEvent('exec-3', 1))).toBe(0);
    expect((await one.next()).value).toEqual(streamEvent('exec-1', 1));
    expect(broker.subscriberCount()).toBe(2);
    other.close();
    expect(broker.subscriberCount('execution:exec-2')).toBe(0);
  });

  it('delivers an event to the subscribers of every topic it feeds', async () => {
    const broker = new ExecutionEventBroker();
    const stream = broker.subscribe('execution:exec-1');
    const lifecycle = broker.subscribe('executions');
    const approvals = broker.subscribe('approvals');
    const inventory = broker.subscribe('inventory');
    // given an event of the stream that is a lifecycle event and ends the execution
    const completed = { ...streamEvent('exec-1', 5), type: 'ExecutionCompleted' };
    // when it is published, then the stream, the executions and the approvals subscribers get it
    expect(broker.publish(completed)).toBe(3);
    expect((await stream.next()).value).toEqual(completed);
    expect((await lifecycle.next()).value).toEqual(completed);
    expect((await approvals.next()).value).toEqual(completed);
    // and an inventory event reaches the inventory subscriber only
    expect(broker.publish(inventoryEvent('SourceServerDiscovered'))).toBe(1);
    expect((await inventory.next()).value).toMatchObject({ type: 'SourceServerDiscovered' });
  });

  it('return() ends a consumer that is waiting, and unsubscribes', async () => {
    const broker = new ExecutionEventBroker();
    const subscription = broker.subscribe('execution:exec-1');
    const waiting = subscription.next();
    await subscription.return();
    expect(await within('the waiting next()', waiting)).toEqual({ value: undefined, done: true });
    expect(broker.subscriberCount()).toBe(0);
    expect(broker.publish(streamEvent('exec-1', 1))).toBe(0);
  });

  it('keeps the newest events of a consumer that falls behind', async () => {
    const broker = new ExecutionEventBroker({ maxBuffered: 2 });
    const subscription = broker.subscribe('execution:exec-1');
    for (const v of [1, 2, 3]) broker.publish(streamEvent('exec-1', v));
    expect(subscription.dropped).toBe(1);
    const versions = (await take(subscription, 2)).map((e) => e.metadata.streamVersion);
    expect(versions).toEqual([2, 3]);
  });

  it('is one per process', async () => {
    const again = await import('../src/subscriptions/broker.js');
    expect(again.executionEventBroker).toBe(executionEventBroker);
  });
});

describe('streamEventsToPush', () => {
  const noGaps = async (): Promise<StoredEventView[]> => {
    throw new Error('no gap expected');
  };

  it('pushes the next event as it is', async () => {
    // given version 1 was pushed, when version 2 arrives, then it alone is pushed
    expect((await streamEventsToPush(storedEvent('e', 2), 1, noGaps)).map((e) => e.streamVersion)).toEqual([2]);
  });

  it('pushes nothing for a duplicate or an older event', async () => {
    // given version 3 was pushed, when 3 or 2 arrives again, then nothing is pushed
    expect(await streamEventsToPush(storedEvent('e', 3), 3, noGaps)).toEqual([]);
    expect(await streamEventsToPush(storedEvent('e', 2), 3, noGaps)).toEqual([]);
  });

  it('reads a gap from the stream, then pushes the event', async () => {
    const asked: number[] = [];
    const eventsAfter = async (after: number) => {
      asked.push(after);
      return [5, 3, 4, 2].filter((v) => v > after).map((v) => storedEvent('e', v));
    };
    // given version 2 was pushed, when 5 arrives, then 3 and 4 are read from the stream and pushed before it
    expect((await streamEventsToPush(storedEvent('e', 5), 2, eventsAfter)).map((e) => e.streamVersion)).toEqual([3, 4, 5]);
    expect(asked).toEqual([2]);
  });

  it('does not hold the newest event back when the stream cannot fill the whole gap', async () => {
    // given the stream answers 3 but not 4, when 5 arrives after 2, then 3 and 5 are pushed
    const eventsAfter = async () => [3].map((v) => storedEvent('e', v));
    expect((await streamEventsToPush(storedEvent('e', 5), 2, eventsAfter)).map((e) => e.streamVersion)).toEqual([3, 5]);
  });

  it('closingWith ends a generator that waits for its source', async () => {
    const broker = new ExecutionEventBroker();
    const subscription = broker.subscribe('execution:e');
    async function* relay(): AsyncGenerator<DomainEvent, void, undefined> {
      for await (const event of subscription) yield event;
    }
    const events = closingWith(relay(), () => subscription.close());
    const waiting = events.next();
    await within('return()', events.return(undefined));
    expect(await within('the waiting next()', waiting)).toEqual({ value: undefined, done: true });
    expect(broker.subscriberCount()).toBe(0);
  });
});

describe('Subscription resolvers', () => {
  let broker: ExecutionEventBroker;
  let services: ReturnType<typeof fakeServices>;
  const caller = callerWith('Viewer');

  beforeEach(() => {
    broker = new ExecutionEventBroker();
    services = fakeServices();
    services.execution.on('getExecution', () => executionView({ version: 1 }));
    services.execution.on('getExecutionEvents', (input: { afterVersion?: number }) => [2, 3, 4].filter((v) => v > (input.afterVersion ?? 0)).map((v) => storedEvent('exec-1', v)));
  });

  async function subscribeTo(query: string, roles = ['Viewer']): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
    const schema = createGatewaySchema(services, { broker });
    return (await subscribe({ schema, document: parse(query), contextValue: { caller: callerWith(...roles) } })) as AsyncGenerator<ExecutionResult> | ExecutionResult;
  }

  function iteratorOf(result: AsyncGenerator<ExecutionResult> | ExecutionResult): AsyncGenerator<ExecutionResult> {
    if (!(Symbol.asyncIterator in result)) throw new Error(`not subscribed: ${JSON.stringify(result)}`);
    return result;
  }

  it('executionEvents pushes each event after the current version, in order, then leaves the broker', async () => {
    const events = iteratorOf(await subscribeTo('subscription { executionEvents(id: "exec-1") { streamVersion type hash data } }'));
    expect(broker.subscriberCount('execution:exec-1')).toBe(1);
    broker.publish(streamEvent('exec-1', 1)); // already in the execution's version: skipped
    broker.publish(streamEvent('exec-1', 2));
    broker.publish(streamEvent('exec-1', 4)); // 3 is read from the stream
    const results = await take(events, 3);
    expect(results.map((r) => r.data?.executionEvents)).toEqual(
      [2, 3, 4].map((v) => ({ streamVersion: v, type: 'WaveStarted', hash: `hash-${v}`, data: { executionId: 'exec-1', waveId: `w-${v}`, name: `Wave ${v}` } })),
    );
    expect(services.execution.calls.map((c) => [c.operation, c.input])).toEqual([
      ['getExecution', { executionId: 'exec-1' }],
      ['getExecutionEvents', { executionId: 'exec-1', afterVersion: 2 }],
    ]);
    await events.return(undefined);
    expect(broker.subscriberCount()).toBe(0);
  });

  it('executionUpdated pushes the execution view after each event', async () => {
    let version = 1;
    services.execution.on('getExecution', () => executionView({ version, status: version >= 3 ? 'COMPLETED' : 'RUNNING' }));
    const updates = iteratorOf(await subscribeTo('subscription { executionUpdated(id: "exec-1") { id version status } }'));
    version = 2;
    broker.publish(streamEvent('exec-1', 2));
    const [first] = await take(updates, 1);
    expect(first?.data).toEqual({ executionUpdated: { id: 'exec-1', version: 2, status: 'RUNNING' } });
    version = 3;
    broker.publish(streamEvent('exec-1', 3));
    const [second] = await take(updates, 1);
    expect(second?.data).toEqual({ executionUpdated: { id: 'exec-1', version: 3, status: 'COMPLETED' } });
    await updates.return(undefined);
    expect(broker.subscriberCount()).toBe(0);
  });

  it('needs the read permission, and does not subscribe without it', async () => {
    const result = await subscribeTo('subscription { executionEvents(id: "exec-1") { hash } }', []);
    expect(result).toMatchObject({ errors: [expect.objectContaining({ message: 'executionEvents needs the read permission' })] });
    expect(broker.subscriberCount()).toBe(0);
  });

  it('an unknown execution is an error, and leaves nothing subscribed', async () => {
    services.execution.on('getExecution', () => {
      throw new NotFoundError('no such execution', 'executionId');
    });
    const result = await subscribeTo('subscription { executionUpdated(id: "nope") { id } }');
    expect(result).toMatchObject({ errors: [expect.objectContaining({ message: 'no such execution' })] });
    expect(broker.subscriberCount()).toBe(0);
  });

  it('uses the caller of the subscription for its service calls', async () => {
    const events = iteratorOf(await subscribeTo('subscription { executionEvents(id: "exec-1") { hash } }'));
    await events.return(undefined);
    expect(services.execution.calls[0]?.caller).toEqual(caller);
  });
});

const ulidOther = '01JOTHER000000000000000000';

describe('subscriptionFanout handler', () => {
  let broker: ExecutionEventBroker;
  let mode: 'local' | 'apigateway';
  let handler: ReturnType<typeof createSubscriptionFanout>;

  beforeEach(() => {
    broker = new ExecutionEventBroker();
    mode = 'local';
    handler = createSubscriptionFanout({ broker, mode: () => mode });
  });

  it('locally, publishes each execution event into the broker', async () => {
    const subscription = broker.subscribe('execution:exec-1');
    const event: DomainEvent = streamEvent('exec-1', 2);
    expect(await handler(onTheBus(event))).toEqual({ delivered: 1 });
    expect((await subscription.next()).value).toEqual(event);
  });

  it('locally, publishes the catalog inventory events, which have no stream position', async () => {
    const subscription = broker.subscribe('inventory');
    for (const type of ['SourceServerDiscovered', 'SourceServerRemoved'] as const) {
      const event = inventoryEvent(type);
      expect(await handler(onTheBus(event, 'lifeboat.catalog'))).toEqual({ delivered: 1 });
      expect((await subscription.next()).value).toEqual(event);
    }
  });

  it('refuses events of another source or type (a mis-wired rule) and events that break their contract', async () => {
    await expect(handler(onTheBus(streamEvent('exec-1', 2), 'lifeboat.planning'))).rejects.toThrow('mis-wired');
    await expect(handler(onTheBus(streamEvent('exec-1', 2), 'lifeboat.catalog'))).rejects.toThrow('mis-wired');
    const brokenServer = onTheBus(inventoryEvent('SourceServerDiscovered'), 'lifeboat.catalog');
    brokenServer.detail = { ...brokenServer.detail, data: { sourceServerId: 's-1234567890abcdef0' } };
    await expect(handler(brokenServer)).rejects.toBeInstanceOf(EventValidationError);
    const broken = onTheBus(streamEvent('exec-1', 2));
    broken.detail = { ...broken.detail, data: { executionId: 'exec-1' } };
    await expect(handler(broken)).rejects.toBeInstanceOf(EventValidationError);
  });

  it('refuses an execution event without its stream position', async () => {
    const event = streamEvent('exec-1', 2);
    const { streamVersion: _v, hash: _h, ...metadata } = event.metadata;
    await expect(handler(onTheBus({ ...event, metadata }))).rejects.toThrow('no stream position');
  });

  describe('a claim-checked event (its detail was over EventBridge\'s 256 KB)', () => {
    /** ExecutionStarted at version 1 of exec-big's stream, as the execution service publishes it. */
    const started = (): DomainEvent => {
      const event = createEvent(
        'ExecutionStarted',
        { executionId: 'exec-big', planId: 'plan-1', planVersion: 3, mode: 'DRILL', plan: { planId: 'plan-1', version: 3, name: 'Orders', waves: [{ waveId: 'w-1', name: 'Database', dependsOn: [], launchOrder: 'PARALLEL', servers: [] }] } },
        { correlationId: 'exec-big', actor: { type: 'user', id: 'sub-op', name: 'olivia' }, occurredAt: '2025-01-01T12:00:00.000Z' },
      );
      return { ...event, metadata: { ...event.metadata, streamId: 'execution/exec-big', streamVersion: 1, previousHash: null, hash: 'hash-1' } };
    };
    /** The execution API holding `stream` (getExecutionEvents). */
    const executionOver = (stream: DomainEvent[]) =>
      new FakeService().on('getExecutionEvents', () =>
        stream.map((e): StoredEventView => ({ streamVersion: e.metadata.streamVersion ?? 0, eventId: e.metadata.eventId, type: e.type, occurredAt: e.metadata.occurredAt, actor: e.metadata.actor.id, data: e.data, previousHash: e.metadata.previousHash ?? null, hash: e.metadata.hash ?? '' })),
      );

    it('is read from its stream as a reader and published whole to its topics (the stream and executions)', async () => {
      // given the full event in the stream, and its claim-checked form on the bus
      const full = started();
      const execution = executionOver([full]);
      const resolving = createSubscriptionFanout({ broker, mode: () => mode, resolveClaimCheck: executionEventResolver(execution, serviceReader('gateway')) });
      const stream = broker.subscribe('execution:exec-big');
      const lifecycle = broker.subscribe('executions');

      // when the fan-out receives it
      expect(await resolving(onTheBus(claimChecked(full, 845_000)))).toEqual({ delivered: 2 });

      // then both topics got the full event, read once through the execution API as the gateway's reader
      expect((await stream.next()).value).toEqual(full);
      expect((await lifecycle.next()).value).toEqual(full);
      expect(execution.calls).toEqual([{ operation: 'getExecutionEvents', input: { executionId: 'exec-big', afterVersion: 0, limit: 1 }, caller: serviceReader('gateway') }]);
    });

    it('on AWS too, the WebSocket fan-out is handed the full event', async () => {
      mode = 'apigateway';
      const full = started();
      const handed: DomainEvent[] = [];
      const onAws = createSubscriptionFanout({ broker, mode: () => mode, resolveClaimCheck: executionEventResolver(executionOver([full]), serviceReader('gateway')), webSocketFanout: { deliver: async (event) => (handed.push(event), { delivered: 1 }) } });

      expect(await onAws(onTheBus(claimChecked(full, 845_000)))).toEqual({ delivered: 1 });
      expect(handed).toEqual([full]);
    });

    it('is refused when the stream holds another event at its version, and delivered to no one', async () => {
      const full = started();
      const other = { ...full, metadata: { ...full.metadata, eventId: ulidOther, hash: 'hash-other' } };
      const resolving = createSubscriptionFanout({ broker, mode: () => mode, resolveClaimCheck: executionEventResolver(executionOver([other]), serviceReader('gateway')) });
      const stream = broker.subscribe('execution:exec-big');

      await expect(resolving(onTheBus(claimChecked(full, 845_000)))).rejects.toBeInstanceOf(ClaimCheckError);
      expect(await Promise.race([stream.next(), Promise.resolve('nothing delivered')])).toBe('nothing delivered');
      stream.close();
    });
  });

  it('on AWS (apigateway), hands the checked event to the WebSocket fan-out, not to the broker', async () => {
    mode = 'apigateway';
    const handed: DomainEvent[] = [];
    const onAws = createSubscriptionFanout({ broker, mode: () => mode, webSocketFanout: { deliver: async (event) => (handed.push(event), { delivered: 2 }) } });
    const subscription = broker.subscribe('inventory');
    const event = inventoryEvent('SourceServerRemoved');
    expect(await onAws(onTheBus(event, 'lifeboat.catalog'))).toEqual({ delivered: 2 });
    expect(handed).toEqual([event]);
    // Nothing is waiting in the local broker: its next() is still pending.
    expect(await Promise.race([subscription.next(), Promise.resolve('nothing buffered')])).toBe('nothing buffered');
    subscription.close();
  });

  describe('the exported handler', () => {
    const saved = process.env.GATEWAY_SUBSCRIPTIONS;
    afterEach(() => {
      if (saved === undefined) delete process.env.GATEWAY_SUBSCRIPTIONS;
      else process.env.GATEWAY_SUBSCRIPTIONS = saved;
    });

    it('reads GATEWAY_SUBSCRIPTIONS and feeds the process-wide broker', async () => {
      const { handler: exported } = await import('../src/handlers/subscription-fanout.js');
      delete process.env.GATEWAY_SUBSCRIPTIONS;
      await expect(exported(onTheBus(streamEvent('exec-9', 1)))).rejects.toThrow('GATEWAY_SUBSCRIPTIONS');
      process.env.GATEWAY_SUBSCRIPTIONS = 'local';
      const subscription = executionEventBroker.subscribe('execution:exec-9');
      expect(await exported(onTheBus(streamEvent('exec-9', 1)))).toEqual({ delivered: 1 });
      subscription.close();
    });
  });
});
