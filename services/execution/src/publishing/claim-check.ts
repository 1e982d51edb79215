import type { ClaimCheckResolver } from '@lifeboat/events';
import type { EventStore } from '../event-store/event-store.js';
import { toPublishedEvent } from '../event-store/event-store.js';

/**
 * The execution service's own consumers read a claim-checked event (published without its data,
 * over EventBridge's 256 KB) straight from the stream it was appended to, as the stream publisher
 * published it; other services go through the API (executionEventResolver of @lifeboat/service-api).
 */
export function storedEventResolver(store: () => EventStore): ClaimCheckResolver {
  return async (event) => {
    const { streamId, streamVersion } = event.metadata;
    if (typeof streamId !== 'string' || typeof streamVersion !== 'number' || !Number.isInteger(streamVersion) || streamVersion < 1) {
      throw new Error(`${event.type} ${event.metadata.eventId} has no stream position: it cannot be read back`);
    }
    const stored = (await store().readStreamFrom(streamId, streamVersion - 1)).find((e) => e.version === streamVersion);
    if (!stored) throw new Error(`${streamId} has no event at version ${streamVersion}: ${event.type} ${event.metadata.eventId} cannot be read back`);
    return toPublishedEvent(stored);
  };
}
