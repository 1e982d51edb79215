/**
 * The fan-out of bus events to the subscriptions of the WebSocket API (API Gateway mode): given
 * subscriptions stored on a topic, when an event arrives, then each gets its `next` messages once,
 * in stream order, through the Management API (mocked). The store is the in-memory twin, the feed
 * a fake, the schema the real one.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MessageType } from 'graphql-ws';
import type { DomainEvent } from '@lifeboat/events';
import { ForbiddenError } from '@lifeboat/service-api';
import { createSubscriptionFanout } from '../src/handlers/subscription-fanout.js';
import { topicsOf } from '../src/subscriptions/feeds.js';
import type { FeedState } from '../src/subscriptions/feed.js';
import { createWebSocketFanout } from '../src/websocket/fanout.js';
import type { WebSocketFanout } from '../src/websocket/fanout.js';
import type { StoredSubscription } from '../src/websocket/store.js';
import { onTheBus, streamEvent } from './fixtures.js';
import { storedSubscription, webSocketHarness } from './support/websocket-harness.js';
import type { WebSocketHarness } from './support/websocket-harness.js';

let harness: WebSocketHarness;
let fanout: WebSocketFanout;

function fanoutWith(harnessToUse: WebSocketHarness): WebSocketFanout {
  return createWebSocketFanout({
    store: harnessToUse.store,
    connections: harnessToUse.connections,
    schema: harnessToUse.schema,
    feeds: harnessToUse.feeds,
    topicsOf,
    log: (message, error) => harnessToUse.logged.push({ message, error }),
  });
}

beforeEach(() => {
  harness = webSocketHarness();
  fanout = fanoutWith(harness);
});

afterEach(() => {
  harness.restore();
});

/** Given these connections (acknowledged) and subscriptions. */
async function given(...subscriptions: StoredSubscription[]): Promise<void> {
  for (const connectionId of new Set(subscriptions.map((s) => s.connectionId))) {
    await harness.store.putConnection({ connectionId, connectedAt: '2025-01-01T12:00:00.000Z', expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  }
  for (const subscription of subscriptions) expect(await harness.store.addSubscription(subscription)).toBe('added');
}

const versionsSentTo = (connectionId: string): unknown[] =>
  harness.sent(connectionId).map((m) => (m.type === MessageType.Next ? (m.payload.data as { executionEvents: { streamVersion: number } }).executionEvents.streamVersion : m.type));

describe('createWebSocketFanout', () => {
  it('given subscriptions on an execution, when its next event arrives, then each gets one next message, and others none', async () => {
    await given(
      storedSubscription({ connectionId: 'c-1', subscriptionId: 's1' }),
      storedSubscription({ connectionId: 'c-2', subscriptionId: 's1' }),
      storedSubscription({ connectionId: 'c-3', subscriptionId: 's1' }, 'exec-2'),
    );
    expect(await fanout.deliver(streamEvent('exec-1', 2))).toEqual({ delivered: 2 });
    expect(harness.sent('c-1')).toEqual([{ id: 's1', type: 'next', payload: { data: { executionEvents: { streamVersion: 2, type: 'WaveStarted' } } } }]);
    expect(versionsSentTo('c-2')).toEqual([2]);
    expect(versionsSentTo('c-3')).toEqual([]);
    expect((await harness.store.getSubscription('c-1', 's1'))?.state).toEqual({ cursor: 2 });
  });

  it('given an event already pushed, when it arrives again, then nothing is sent', async () => {
    await given(storedSubscription({ connectionId: 'c-1', subscriptionId: 's1' }));
    await fanout.deliver(streamEvent('exec-1', 2));
    await fanout.deliver(streamEvent('exec-1', 2));
    await fanout.deliver(streamEvent('exec-1', 1));
    expect(versionsSentTo('c-1')).toEqual([2]);
  });

  it('given a gap, when a later event arrives first, then the missing events are sent before it, in stream order, and the late one is not', async () => {
    await given(storedSubscription({ connectionId: 'c-1', subscriptionId: 's1' }));
    await fanout.deliver(streamEvent('exec-1', 2));
    await fanout.deliver(streamEvent('exec-1', 5));
    await fanout.deliver(streamEvent('exec-1', 4));
    await fanout.deliver(streamEvent('exec-1', 6));
    expect(versionsSentTo('c-1')).toEqual([2, 3, 4, 5, 6]);
  });

  it('executes the stored document with its variables and aliases for each payload, as the subscriber', async () => {
    await given(
      storedSubscription({
        connectionId: 'c-1',
        subscriptionId: 's1',
        query: 'subscription Mine($id: ID!) { latest: executionEvents(id: $id) { streamVersion hash actor } }',
        operationName: 'Mine',
      }),
    );
    await fanout.deliver(streamEvent('exec-1', 2));
    expect(harness.sent('c-1')).toEqual([{ id: 's1', type: 'next', payload: { data: { latest: { streamVersion: 2, hash: 'hash-2', actor: 'lifeboat-execution' } } } }]);
    expect(harness.feed.nextCalls.map((c) => c.caller.username)).toEqual(['vera']);
  });

  it('given a connection that is gone (410), then it and its subscriptions are forgotten, and the others still served', async () => {
    await given(
      storedSubscription({ connectionId: 'c-gone', subscriptionId: 's1' }),
      storedSubscription({ connectionId: 'c-gone', subscriptionId: 's2' }, 'exec-2'),
      storedSubscription({ connectionId: 'c-1', subscriptionId: 's1' }),
    );
    harness.gone('c-gone');
    await fanout.deliver(streamEvent('exec-1', 2));
    expect(harness.store.allConnections().map((c) => c.connectionId)).toEqual(['c-1']);
    expect(harness.store.allSubscriptions().map((s) => s.connectionId)).toEqual(['c-1']);
    expect(versionsSentTo('c-1')).toEqual([2]);
  });

  it("given a subscriber whose token has expired, then it gets an error message and its subscription ends, without reading as it", async () => {
    await given(storedSubscription({ connectionId: 'c-1', subscriptionId: 's1', tokenExpiresAt: Math.floor(Date.now() / 1000) - 1 }), storedSubscription({ connectionId: 'c-2', subscriptionId: 's1' }));
    await fanout.deliver(streamEvent('exec-1', 2));
    expect(harness.sent('c-1')).toEqual([{ id: 's1', type: 'error', payload: [{ message: 'Token expired: reconnect with a new token', extensions: { code: 'UNAUTHENTICATED' } }] }]);
    expect(harness.store.allSubscriptions().map((s) => s.connectionId)).toEqual(['c-2']);
    expect(harness.feed.nextCalls.map((c) => c.caller.userId)).toEqual(['sub-viewer']);
    expect(harness.feed.nextCalls).toHaveLength(1);
  });

  it('given another delivery that moves the subscription first, then the lost claim reads it again and pushes only what is left, once', async () => {
    await given(storedSubscription({ connectionId: 'c-1', subscriptionId: 's1' }));
    // Another delivery (of event 2) wins the race right after this one read the subscription at cursor 1.
    const advance = harness.store.advance.bind(harness.store);
    let raced = false;
    harness.store.advance = async (connectionId: string, subscriptionId: string, from: FeedState, to: FeedState) => {
      if (!raced) {
        raced = true;
        expect(await advance(connectionId, subscriptionId, { cursor: 1 }, { cursor: 2 })).toBe(true);
      }
      return advance(connectionId, subscriptionId, from, to);
    };
    await fanout.deliver(streamEvent('exec-1', 3));
    expect(versionsSentTo('c-1')).toEqual([3]);
    expect(harness.feed.nextCalls.map((c) => c.state.cursor)).toEqual([1, 2]);
    expect((await harness.store.getSubscription('c-1', 's1'))?.state).toEqual({ cursor: 3 });
  });

  it('given a feed that refuses the subscriber (FORBIDDEN), then it gets the error and its subscription ends', async () => {
    await given(storedSubscription({ connectionId: 'c-1', subscriptionId: 's1' }));
    harness.feed.failNextWith = new ForbiddenError('executionEvents needs the read permission');
    await fanout.deliver(streamEvent('exec-1', 2));
    expect(harness.sent('c-1')).toEqual([{ id: 's1', type: 'error', payload: [{ message: 'executionEvents needs the read permission', extensions: { code: 'FORBIDDEN' } }] }]);
    expect(harness.store.allSubscriptions()).toEqual([]);
  });

  it('given an internal failure for one subscription, then the others are served and the delivery fails (the bus tries again), sending nothing of it', async () => {
    await given(storedSubscription({ connectionId: 'c-1', subscriptionId: 's1' }), storedSubscription({ connectionId: 'c-2', subscriptionId: 's1' }));
    const next = harness.feed.next.bind(harness.feed);
    harness.feed.next = async (event, state, args, caller) => {
      if (harness.feed.nextCalls.length === 0) {
        harness.feed.nextCalls.push({ eventVersion: Number(event.metadata.streamVersion), state, caller });
        throw new Error('getExecutionEvents timed out');
      }
      return next(event, state, args, caller);
    };
    await expect(fanout.deliver(streamEvent('exec-1', 2))).rejects.toThrow('failed for 1 of 2 subscriptions');
    expect(harness.sent('c-1').length + harness.sent('c-2').length).toBe(1);
    expect(harness.logged.map((l) => (l.error as Error).message)).toEqual(['getExecutionEvents timed out']);
    // The retry by the bus pushes to the one that missed it, and nothing twice.
    await fanout.deliver(streamEvent('exec-1', 2));
    expect([...versionsSentTo('c-1'), ...versionsSentTo('c-2')]).toEqual([2, 2]);
  });

  it('given an event no topic takes, then nothing is read or sent', async () => {
    await given(storedSubscription({ connectionId: 'c-1', subscriptionId: 's1' }));
    const unrelated: DomainEvent = { ...streamEvent('exec-1', 2), data: { something: 'else' } };
    expect(await fanout.deliver(unrelated)).toEqual({ delivered: 0 });
    expect(harness.sent()).toEqual([]);
  });
});

describe('subscriptionFanout in apigateway mode', () => {
  it('hands the bus event to the WebSocket fan-out', async () => {
    await given(storedSubscription({ connectionId: 'c-1', subscriptionId: 's1' }));
    const handler = createSubscriptionFanout({ mode: () => 'apigateway', webSocketFanout: fanout });
    expect(await handler(onTheBus(streamEvent('exec-1', 2)))).toEqual({ delivered: 1 });
    expect(versionsSentTo('c-1')).toEqual([2]);
  });
});
