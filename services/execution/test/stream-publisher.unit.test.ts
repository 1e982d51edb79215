import { describe, expect, it } from '@jest/globals';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DomainEvent } from '@lifeboat/events';
import { validateEventDetail } from '@lifeboat/events';
import { streamIdOf } from '../src/command-handler.js';
import type { CommitItem } from '../src/event-store/dynamodb.js';
import type { StoredEvent } from '../src/event-store/event-store.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { publishCommits } from '../src/publishing/stream-publisher.js';
import type { EventsTableStreamEvent } from '../src/publishing/stream-publisher.js';
import { InMemoryExecutionList } from '../src/read-models/executions.js';
import { EXECUTION_ID, history, plan, startExecution } from './support/decider-spec.js';

/** A stream record as DynamoDB Streams delivers a commit item (DynamoDB JSON). */
function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', stored: StoredEvent[]): EventsTableStreamEvent['Records'][number] {
  const last = stored.at(-1)!;
  const item: CommitItem = { streamId: last.streamId, version: stored[0]!.version, lastVersion: last.version, lastHash: last.hash, eventTypes: stored.map((e) => e.type), committedAt: '2025-01-01T00:00:00.000Z', events: JSON.stringify(stored) };
  const image = marshall(item);
  return { eventName, dynamodb: { Keys: { streamId: image.streamId, version: image.version }, NewImage: image, SequenceNumber: '1' } };
}

async function started() {
  const store = new InMemoryEventStore();
  const stored = await store.appendToStream(streamIdOf(EXECUTION_ID), 0, history(startExecution(plan({ id: 'w', servers: [1, 2] }))));
  return { store, stored };
}

describe('publishCommits', () => {
  it('publishes the events of inserted commits, with their place in the stream, and updates the list', async () => {
    const { store, stored } = await started();
    const executions = new InMemoryExecutionList();
    const published: DomainEvent[] = [];
    const result = await publishCommits({ store, executions, publish: async (events) => void published.push(...events) }, { Records: [record('INSERT', stored), record('MODIFY', stored), record('REMOVE', stored)] });
    expect(result).toEqual({ published: stored.length, views: 1 });
    expect(published.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaveStarted', 'ServerLaunchRequested', 'ServerLaunchRequested']);
    for (const [i, e] of published.entries()) {
      expect(e.metadata).toMatchObject({ streamId: streamIdOf(EXECUTION_ID), streamVersion: i + 1, previousHash: stored[i]!.previousHash, hash: stored[i]!.hash });
      validateEventDetail(e.type, { metadata: e.metadata, data: e.data });
    }
    expect((await executions.list({ limit: 100, filter: {} })).items.map((v) => [v.executionId, v.version])).toEqual([[EXECUTION_ID, 4]]);
    // Delivered again (a retried batch): published again, the read model unchanged.
    expect(await publishCommits({ store, executions, publish: async () => undefined }, { Records: [record('INSERT', stored)] })).toEqual({ published: 4, views: 0 });
  });

  it('fails the batch (to be retried) when publishing fails, before touching the read model', async () => {
    const { store, stored } = await started();
    const executions = new InMemoryExecutionList();
    await expect(publishCommits({ store, executions, publish: async () => { throw new Error('PutEvents failed'); } }, { Records: [record('INSERT', stored)] })).rejects.toThrow('PutEvents failed');
    expect(await executions.list({ limit: 100, filter: {} })).toEqual({ items: [], next: null });
  });
});
