import type { StoredEventView } from '@lifeboat/service-api';

const byStreamVersion = (a: StoredEventView, b: StoredEventView): number => a.streamVersion - b.streamVersion;

/**
 * The events of an execution's stream to push when `event` arrives and the last one pushed is
 * `pushedVersion`: none for a duplicate or an older event; the event, preceded by the events
 * missing between the two (read from the stream) when it is not the next one. The bus delivers at
 * least once and in any order, so this is what makes a subscriber see each event once, in order.
 */
export async function streamEventsToPush(
  event: StoredEventView,
  pushedVersion: number,
  eventsAfter: (afterVersion: number) => Promise<StoredEventView[]>,
): Promise<StoredEventView[]> {
  if (event.streamVersion <= pushedVersion) return [];
  const toPush: StoredEventView[] = [];
  if (event.streamVersion > pushedVersion + 1) {
    let last = pushedVersion;
    const missing = (await eventsAfter(pushedVersion)).filter((e) => e.streamVersion > pushedVersion && e.streamVersion < event.streamVersion).sort(byStreamVersion);
    for (const e of missing) {
      if (e.streamVersion !== last + 1) break;
      last = e.streamVersion;
      toPush.push(e);
    }
  }
  // Even if the stream could not fill the whole gap, the newest event is not held back.
  toPush.push(event);
  return toPush;
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
