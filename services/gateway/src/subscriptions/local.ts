import type { Caller } from '@lifeboat/service-api';
import type { ExecutionEventBroker } from './broker.js';
import type { BrokerSubscription } from './broker.js';
import { closingWith } from './execution-stream.js';
import type { ClosableAsyncIterator } from './execution-stream.js';
import type { OpenedFeed, SubscriptionFeed } from './feed.js';

async function* pushes<TArgs, TPayload>(
  feed: SubscriptionFeed<TArgs, TPayload>,
  source: BrokerSubscription,
  opened: OpenedFeed<TPayload>,
  args: TArgs,
  caller: Caller,
): AsyncGenerator<TPayload, void, undefined> {
  yield* opened.initial;
  let state = opened.state;
  for await (const event of source) {
    const step = await feed.next(event, state, args, caller);
    state = step.state;
    yield* step.payloads;
  }
}

/**
 * Runs a feed for one subscription of the local gateway: checks the caller, subscribes to the
 * feed's topic BEFORE opening it (so that no event falls between reading where it starts and
 * listening), then answers open()'s initial payloads and the payloads of each event. Nothing stays
 * subscribed when the caller is refused or open() fails, and `return()` (the client went away)
 * leaves the broker at once.
 */
export async function runFeedLocally<TArgs, TPayload>(
  feed: SubscriptionFeed<TArgs, TPayload>,
  broker: ExecutionEventBroker,
  args: TArgs,
  caller: Caller,
): Promise<ClosableAsyncIterator<TPayload>> {
  feed.authorize(caller);
  const source = broker.subscribe(feed.topicOf(args));
  let opened: OpenedFeed<TPayload>;
  try {
    opened = await feed.open(args, caller);
  } catch (error) {
    source.close();
    throw error;
  }
  return closingWith(pushes(feed, source, opened, args, caller), () => source.close());
}
