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
import { EXECUTION_ID, history, jobId, launchResult, plan, recordJob, startExecution, verification } from './support/decider-spec.js';

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
    expect(await executions.list({ limit: 100, filter: {} })).toEqual({ items: [], next: null, withoutServers: [] });
  });

  it('keeps a live execution listed without its servers, saved only when what the list holds changes, and a finished one whole', async () => {
    // given a started execution of one wave of two servers, published once
    const commands = [startExecution(plan({ id: 'w', servers: [1, 2] })), recordJob('w-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), launchResult(jobId(1), 2), verification(1), verification(2)];
    const store = new InMemoryEventStore();
    const executions = new InMemoryExecutionList();
    const listed = new Map<string, string>();
    const streamId = streamIdOf(EXECUTION_ID);
    let appended = 0;
    const commit = async (upTo: number) => {
      const events = history(...commands.slice(0, upTo)).slice(appended);
      const stored = await store.appendToStream(streamId, appended, events);
      appended += events.length;
      return publishCommits({ store, executions, listed, publish: async () => undefined }, { Records: [record('INSERT', stored)] });
    };
    const listedNow = async () => (await executions.list({ limit: 10, filter: {} })).items[0];
    expect((await commit(1)).views).toBe(1);
    expect((await listedNow())?.waves[0]?.servers).toEqual([]);
    // when commits change only its servers (a job started, a server launched)
    expect((await commit(2)).views).toBe(0);
    expect((await commit(3)).views).toBe(0);
    // then the list keeps what it had
    expect((await listedNow())?.version).toBe(4);
    // and when the last server is verified, the wave and the execution complete: saved whole, with its servers
    await commit(4);
    await commit(5);
    expect((await commit(6)).views).toBe(1);
    const finished = await listedNow();
    expect(finished?.status).toBe('COMPLETED');
    expect(finished?.waves[0]?.servers.map((s) => s.status)).toEqual(['VERIFIED', 'VERIFIED']);
    expect(listed.size).toBe(0);
  });
});
