import type { DomainEvent } from '@lifeboat/events';
import type { Topic } from './feed.js';
import { topicsOf } from './topics.js';

export { executionIdOf } from './topics.js';

/**
 * A subscription to the events of one topic: an async iterator that ends when `close()` is
 * called (the client went away) and whose `return()` unsubscribes at once, even while a
 * consumer is waiting for the next event.
 */
export interface BrokerSubscription extends AsyncIterableIterator<DomainEvent> {
  readonly topic: Topic;
  /** Events dropped because the consumer fell more than `maxBuffered` events behind. */
  readonly dropped: number;
  /** Unsubscribes; a pending `next()` resolves as done. */
  return(): Promise<IteratorResult<DomainEvent>>;
  close(): void;
}

export interface BrokerOptions {
  /**
   * Events buffered per subscription before the oldest are dropped. A dropped event of an
   * execution's stream is not lost to the client: its feed refills gaps from the stream; the
   * other feeds push current state (a view, the whole approval list), which a later event brings.
   */
  maxBuffered?: number;
}

class Subscription implements BrokerSubscription {
  private readonly buffer: DomainEvent[] = [];
  private readonly waiting: ((result: IteratorResult<DomainEvent>) => void)[] = [];
  private closed = false;
  dropped = 0;

  constructor(
    readonly topic: Topic,
    private readonly maxBuffered: number,
    private readonly onClose: (subscription: Subscription) => void,
  ) {}

  push(event: DomainEvent): void {
    if (this.closed) return;
    const consumer = this.waiting.shift();
    if (consumer) {
      consumer({ value: event, done: false });
      return;
    }
    this.buffer.push(event);
    if (this.buffer.length > this.maxBuffered) {
      this.buffer.shift();
      this.dropped++;
    }
  }

  next(): Promise<IteratorResult<DomainEvent>> {
    const event = this.buffer.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<DomainEvent>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.length = 0;
    for (const consumer of this.waiting.splice(0)) consumer({ value: undefined, done: true });
    this.onClose(this);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * In-memory publish/subscribe of Lifeboat events by topic (`topicsOf`: an execution's stream,
 * `executions`, `inventory`, `approvals`). It feeds the GraphQL subscriptions of a gateway that
 * holds its WebSocket connections itself (the local runtime); on AWS the connections live in API
 * Gateway and the fan-out goes there instead.
 */
export class ExecutionEventBroker {
  private readonly subscriptions = new Map<string, Set<Subscription>>();
  private readonly maxBuffered: number;

  constructor(options: BrokerOptions = {}) {
    this.maxBuffered = options.maxBuffered ?? 1000;
  }

  /** Delivers an event to every subscriber of each of its topics; answers how many received it. */
  publish(event: DomainEvent): number {
    let delivered = 0;
    for (const topic of topicsOf(event)) {
      const subscribers = this.subscriptions.get(topic);
      if (!subscribers) continue;
      for (const subscription of subscribers) subscription.push(event);
      delivered += subscribers.size;
    }
    return delivered;
  }

  /** Subscribes to the events of one topic published from now on. */
  subscribe(topic: Topic): BrokerSubscription {
    const subscription = new Subscription(topic, this.maxBuffered, (s) => this.remove(s));
    let subscribers = this.subscriptions.get(topic);
    if (!subscribers) {
      subscribers = new Set();
      this.subscriptions.set(topic, subscribers);
    }
    subscribers.add(subscription);
    return subscription;
  }

  /** Open subscriptions, of one topic or of all. */
  subscriberCount(topic?: Topic): number {
    if (topic !== undefined) return this.subscriptions.get(topic)?.size ?? 0;
    let count = 0;
    for (const subscribers of this.subscriptions.values()) count += subscribers.size;
    return count;
  }

  private remove(subscription: Subscription): void {
    const subscribers = this.subscriptions.get(subscription.topic);
    if (!subscribers) return;
    subscribers.delete(subscription);
    if (subscribers.size === 0) this.subscriptions.delete(subscription.topic);
  }
}

// One broker per process, even if this module is loaded twice (for example by a runtime that
// re-imports handlers): the fan-out handler and the gateway server must share it.
const GLOBAL_KEY = Symbol.for('lifeboat.gateway.executionEventBroker');
const globalSlot = globalThis as typeof globalThis & { [GLOBAL_KEY]?: ExecutionEventBroker };

/** The process-wide broker: the fan-out handler publishes into it, the local gateway reads it. */
export const executionEventBroker: ExecutionEventBroker = (globalSlot[GLOBAL_KEY] ??= new ExecutionEventBroker());
