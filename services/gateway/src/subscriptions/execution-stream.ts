import type { DomainEvent } from '@lifeboat/events';
import type { ExecutionView, StoredEventView } from '@lifeboat/service-api';
import { storedEventOf } from '../mapping.js';

const byStreamVersion = (a: StoredEventView, b: StoredEventView): number => a.streamVersion - b.streamVersion;

/**
 * The events of one execution's stream after `afterVersion`, each once and in stream order,
 * from bus events that arrive at least once and in any order: duplicates are skipped, and a
 * gap (an event still on its way, or dropped for a slow subscriber) is read from the stream.
 */
export async function* inStreamOrder(
  source: AsyncIterable<DomainEvent>,
  afterVersion: number,
  eventsAfter: (afterVersion: number) => Promise<StoredEventView[]>,
): AsyncGenerator<StoredEventView, void, undefined> {
  let last = afterVersion;
  for await (const event of source) {
    const stored = storedEventOf(event);
    if (!stored || stored.streamVersion <= last) continue;
    if (stored.streamVersion > last + 1) {
      const missing = (await eventsAfter(last)).filter((e) => e.streamVersion > last && e.streamVersion < stored.streamVersion).sort(byStreamVersion);
      for (const e of missing) {
        if (e.streamVersion !== last + 1) break;
        last = e.streamVersion;
        yield e;
      }
    }
    // Even if the stream could not fill the whole gap, the newest event is not held back.
    last = stored.streamVersion;
    yield stored;
  }
}

/**
 * The execution's view after each of its events; an event the last pushed view already
 * includes (its version is at least the event's) is not fetched again.
 */
export async function* viewAfterEachEvent(
  events: AsyncIterable<StoredEventView>,
  shownVersion: number,
  fetchView: () => Promise<ExecutionView>,
): AsyncGenerator<ExecutionView, void, undefined> {
  let shown = shownVersion;
  for await (const event of events) {
    if (event.streamVersion <= shown) continue;
    const view = await fetchView();
    shown = view.version;
    yield view;
  }
}

/** An async iterator whose `return()` is always there (the client going away calls it). */
export interface ClosableAsyncIterator<T> extends AsyncIterableIterator<T, void, undefined> {
  return(value?: void): Promise<IteratorResult<T, void>>;
}

/**
 * Wraps a generator so that `return()` (the client went away) first runs `close`, which ends the
 * source the generator waits on: a generator paused in an `await` would otherwise finish its
 * `return()` only when the next event arrives.
 */
export function closingWith<T>(generator: AsyncGenerator<T, void, undefined>, close: () => void): ClosableAsyncIterator<T> {
  const wrapper: ClosableAsyncIterator<T> = {
    next: () => generator.next(),
    return: (value) => {
      close();
      return generator.return(value);
    },
    throw: (error: unknown) => {
      close();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]: () => wrapper,
  };
  return wrapper;
}
