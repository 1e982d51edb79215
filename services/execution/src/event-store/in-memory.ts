import type { DomainEvent } from '@lifeboat/events';
import type { EventStore, StoredEvent } from './event-store.js';
import { StreamVersionConflictError, chainEvents } from './event-store.js';

/** The in-memory twin of the DynamoDB event store (tests, local experiments). */
export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, StoredEvent[]>();

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return structuredClone(this.streams.get(streamId) ?? []);
  }

  async appendToStream(streamId: string, expectedVersion: number, events: readonly DomainEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const stream = this.streams.get(streamId) ?? [];
    if (stream.length !== expectedVersion) throw new StreamVersionConflictError(streamId, expectedVersion);
    const stored = chainEvents(streamId, expectedVersion, stream.at(-1)?.hash ?? null, structuredClone(events));
    this.streams.set(streamId, [...stream, ...stored]);
    return structuredClone(stored);
  }

  /** Every stream id, for tests. */
  streamIds(): string[] {
    return [...this.streams.keys()];
  }
}
