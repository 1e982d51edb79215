import type { DomainEvent } from '@lifeboat/events';
import type { EventStore, SnapshotStore, StoredEvent, StreamSnapshot } from './event-store.js';
import { StreamVersionConflictError, chainEvents } from './event-store.js';

/** The in-memory twin of the snapshots table: kept as JSON text, as the table keeps them serialized. */
export class InMemorySnapshotStore implements SnapshotStore {
  private readonly snapshots = new Map<string, string>();
  /** Writes that were kept, for tests. */
  writes = 0;

  async read(streamId: string): Promise<StreamSnapshot | undefined> {
    const text = this.snapshots.get(streamId);
    return text === undefined ? undefined : (JSON.parse(text) as StreamSnapshot);
  }

  async write(snapshot: StreamSnapshot): Promise<void> {
    const current = await this.read(snapshot.streamId);
    if (current && current.version > snapshot.version) return;
    this.snapshots.set(snapshot.streamId, JSON.stringify(snapshot));
    this.writes++;
  }
}

/** The in-memory twin of the DynamoDB event store (tests, local experiments). */
export class InMemoryEventStore implements EventStore {
  private readonly streams = new Map<string, StoredEvent[]>();
  readonly snapshots = new InMemorySnapshotStore();

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return structuredClone(this.streams.get(streamId) ?? []);
  }

  async readStreamFrom(streamId: string, afterVersion: number): Promise<StoredEvent[]> {
    return structuredClone((this.streams.get(streamId) ?? []).slice(Math.max(0, afterVersion)));
  }

  async readStreamTail(streamId: string, count: number, beforeVersion?: number): Promise<StoredEvent[]> {
    if (count < 1) return [];
    const below = (this.streams.get(streamId) ?? []).filter((e) => beforeVersion === undefined || e.version < beforeVersion);
    return structuredClone(below.slice(-count));
  }

  async appendToStream(streamId: string, expectedVersion: number, events: readonly DomainEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const stream = this.streams.get(streamId) ?? [];
    if (stream.length !== expectedVersion) throw new StreamVersionConflictError(streamId, expectedVersion);
    const stored = chainEvents(streamId, expectedVersion, stream.at(-1)?.hash ?? null, structuredClone(events));
    for (const event of stored) stream.push(event);
    this.streams.set(streamId, stream);
    return structuredClone(stored);
  }

  /** Every stream id, for tests. */
  streamIds(): string[] {
    return [...this.streams.keys()];
  }
}
