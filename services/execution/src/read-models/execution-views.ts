/**
 * Execution views kept in memory between calls (a warm Lambda container, or the local process),
 * each brought up to date with its stream's tail before it is answered. Reading and folding a
 * 1,000-server execution's whole stream for every runbook refresh costs seconds; reading only the
 * events appended since costs what they are.
 *
 * Always as fresh as the store: the tail is read on every call (the stream is append-only, so a
 * view at version v plus the events after v is the view of the whole stream).
 */
import type { ExecutionView } from '@lifeboat/service-api';
import { evolveView } from '../domain/projection.js';
import type { EventStore, StoredEvent } from '../event-store/event-store.js';
import { toPublishedEvent } from '../event-store/event-store.js';

export class ExecutionViewCache {
  /** Least recently used first (a Map keeps insertion order). */
  private readonly views = new Map<string, ExecutionView>();

  constructor(
    private readonly store: Pick<EventStore, 'readStream' | 'readStreamFrom'>,
    private readonly capacity = 32,
  ) {}

  /** The view of the stream as it is now; undefined for a stream with no execution. */
  async current(streamId: string): Promise<ExecutionView | undefined> {
    const cached = this.views.get(streamId);
    const tail = cached ? await this.store.readStreamFrom(streamId, cached.version) : await this.store.readStream(streamId);
    return this.keep(streamId, fold(cached, tail));
  }

  /** The view of a stream the caller has just read whole (a command's result): folds only what the kept view lacks. */
  ofStream(streamId: string, stream: readonly StoredEvent[]): ExecutionView | undefined {
    const cached = this.views.get(streamId);
    const usable = cached !== undefined && cached.version <= (stream.at(-1)?.version ?? 0);
    return this.keep(streamId, usable ? fold(cached, stream.filter((e) => e.version > cached.version)) : fold(undefined, stream));
  }

  private keep(streamId: string, view: ExecutionView | undefined): ExecutionView | undefined {
    if (!view) return undefined;
    this.views.delete(streamId);
    this.views.set(streamId, view);
    if (this.views.size > this.capacity) {
      const oldest = this.views.keys().next().value;
      if (oldest !== undefined) this.views.delete(oldest);
    }
    return view;
  }
}

function fold(view: ExecutionView | undefined, events: readonly StoredEvent[]): ExecutionView | undefined {
  let folded = view;
  for (const stored of events) folded = evolveView(folded, toPublishedEvent(stored));
  return folded;
}
