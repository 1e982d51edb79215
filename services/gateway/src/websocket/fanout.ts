import { parse } from 'graphql';
import type { DocumentNode } from 'graphql';
import { MessageType } from 'graphql-ws';
import type { Message } from 'graphql-ws';
import type { DomainEvent } from '@lifeboat/events';
import { LifeboatError } from '@lifeboat/service-api';
import { consoleErrorLogger } from '../errors.js';
import type { FeedStep, Topic } from '../subscriptions/feed.js';
import { executeForPayload, formatThrown } from './operation.js';
import { TOKEN_EXPIRED_MESSAGE } from './options.js';
import type { WebSocketGatewayOptions } from './options.js';
import type { StoredSubscription } from './store.js';

export interface WebSocketFanoutOptions extends WebSocketGatewayOptions {
  /** The topics a bus event feeds (the same function the local broker uses). */
  topicsOf: (event: DomainEvent) => Topic[];
  /** Subscriptions served at once (default 16). */
  concurrency?: number;
  /** Claims tried per subscription when other deliveries keep moving it (default 5). */
  maxClaimAttempts?: number;
}

export interface WebSocketFanout {
  /** Pushes what the event means to every subscription of its topics; answers how many it was handed to. */
  deliver(event: DomainEvent): Promise<{ delivered: number }>;
}

async function inParallel<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<unknown[]> {
  const failures: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await run(item);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return failures;
}

/**
 * The fan-out of bus events to the subscriptions kept in DynamoDB (API Gateway mode). For each
 * subscription on the event's topics, its feed says what the event means from where the
 * subscription stands (nothing for a duplicate, the missing events first for a gap); the new state
 * is claimed with a conditional write before anything is pushed, so that two deliveries of one
 * event (the bus delivers at least once) never push the same payload twice; a lost claim reads the
 * subscription again and asks the feed again. Each payload is pushed as a `next` message: the
 * stored operation executed with the payload as its root value, as the subscriber.
 *
 * A subscriber whose token has expired gets an `error` message and its subscription ends; a
 * subscription the feed refuses (FORBIDDEN, NOT_FOUND) too. A client that is gone (410) is
 * forgotten with its subscriptions. Any other failure is thrown after every other subscription was
 * served, so that the bus tries again (claimed states make that push nothing twice).
 */
export function createWebSocketFanout(options: WebSocketFanoutOptions): WebSocketFanout {
  const { store, connections, schema, feeds, topicsOf } = options;
  const now = options.now ?? Date.now;
  const log = options.log ?? consoleErrorLogger;
  const concurrency = options.concurrency ?? 16;
  const maxClaimAttempts = options.maxClaimAttempts ?? 5;

  /** Sends; a client that is gone is forgotten. False when nothing more should be sent to it. */
  async function send(connectionId: string, message: Message): Promise<boolean> {
    if ((await connections.send(connectionId, message)) === 'sent') return true;
    await store.deleteConnection(connectionId);
    return false;
  }

  /** Ends a subscription with an `error` message. */
  async function end(subscription: StoredSubscription, error: Message & { type: MessageType.Error }): Promise<void> {
    await store.deleteSubscription(subscription.connectionId, subscription.subscriptionId);
    await send(subscription.connectionId, error);
  }

  async function serve(event: DomainEvent, stored: StoredSubscription, documents: Map<string, DocumentNode>): Promise<void> {
    const { connectionId, subscriptionId: id } = stored;
    if (stored.tokenExpiresAt * 1000 <= now()) {
      await end(stored, { type: MessageType.Error, id, payload: [{ message: TOKEN_EXPIRED_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    const feed = feeds[stored.field];
    if (!feed) throw new Error(`No subscription feed serves the field ${stored.field} (subscription ${id} of ${connectionId})`);

    let subscription = stored;
    for (let attempt = 1; ; attempt++) {
      let step: FeedStep<unknown>;
      try {
        step = await feed.next(event, subscription.state, subscription.args, subscription.caller);
      } catch (error) {
        // A refusal the client should hear of ends the subscription; anything else is retried by the bus.
        if (error instanceof LifeboatError && error.code !== 'INTERNAL') {
          await end(subscription, { type: MessageType.Error, id, payload: formatThrown(error, log) });
          return;
        }
        throw error;
      }
      if (step.payloads.length === 0 && step.state.cursor === subscription.state.cursor) return;
      if (step.state.cursor !== subscription.state.cursor && !(await store.advance(connectionId, id, subscription.state, step.state))) {
        // Another delivery moved it first: start again from where that one left it.
        const fresh = await store.getSubscription(connectionId, id);
        if (!fresh) return;
        if (attempt >= maxClaimAttempts) throw new Error(`Subscription ${id} of ${connectionId}: gave up after ${attempt} lost claims`);
        subscription = fresh;
        continue;
      }
      let document = documents.get(subscription.query);
      if (!document) {
        document = parse(subscription.query);
        documents.set(subscription.query, document);
      }
      const context = { caller: subscription.caller, expiresAt: subscription.tokenExpiresAt };
      for (const payload of step.payloads) {
        const result = await executeForPayload(schema, { document, operationName: subscription.operationName, variables: subscription.variables }, payload, context, log);
        if (!(await send(connectionId, { type: MessageType.Next, id, payload: result }))) return;
      }
      return;
    }
  }

  return {
    async deliver(event) {
      const topics = [...new Set(topicsOf(event))];
      const subscriptions = (await Promise.all(topics.map((topic) => store.subscriptionsOn(topic)))).flat();
      const documents = new Map<string, DocumentNode>();
      const failures = await inParallel(subscriptions, concurrency, (subscription) => serve(event, subscription, documents));
      if (failures.length > 0) {
        for (const failure of failures) log(`Pushing ${event.type} ${event.metadata.eventId} failed`, failure);
        throw new Error(`Pushing ${event.type} ${event.metadata.eventId} failed for ${failures.length} of ${subscriptions.length} subscriptions`, { cause: failures[0] });
      }
      return { delivered: subscriptions.length };
    },
  };
}
