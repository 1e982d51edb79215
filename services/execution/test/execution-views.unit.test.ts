import { describe, expect, it } from '@jest/globals';
import { streamIdOf } from '../src/command-handler.js';
import { projectExecution } from '../src/domain/projection.js';
import type { StoredEvent } from '../src/event-store/event-store.js';
import { toPublishedEvent } from '../src/event-store/event-store.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { ExecutionViewCache } from '../src/read-models/execution-views.js';
import { EXECUTION_ID, history, jobId, launchResult, plan, recordJob, startExecution, verification } from './support/decider-spec.js';

const STREAM = streamIdOf(EXECUTION_ID);
const p = plan({ id: 'w', servers: [1, 2, 3] });
const wholeRun = history(startExecution(p), recordJob('w-b1', jobId(1), [1, 2, 3]), launchResult(jobId(1), 1), launchResult(jobId(1), 2), launchResult(jobId(1), 3), verification(1), verification(2), verification(3));

/** The in-memory store, counting what the cache reads. */
class CountingStore extends InMemoryEventStore {
  readonly reads: string[] = [];
  override async readStream(streamId: string): Promise<StoredEvent[]> {
    this.reads.push(`whole ${streamId}`);
    return super.readStream(streamId);
  }
  override async readStreamFrom(streamId: string, afterVersion: number): Promise<StoredEvent[]> {
    this.reads.push(`after ${afterVersion}`);
    return super.readStreamFrom(streamId, afterVersion);
  }
}

const projected = async (store: InMemoryEventStore) => projectExecution((await store.readStream(STREAM)).map(toPublishedEvent));

describe('ExecutionViewCache', () => {
  it('answers the view of the whole stream, then folds only the events appended since', async () => {
    // given an execution whose first launches have been recorded
    const store = new CountingStore();
    const half = 5;
    await store.appendToStream(STREAM, 0, wholeRun.slice(0, half));
    const views = new ExecutionViewCache(store);
    // when it is read, and read again after the rest of the run is appended
    const first = await views.current(STREAM);
    await store.appendToStream(STREAM, half, wholeRun.slice(half));
    const second = await views.current(STREAM);
    // then each answer is the projection of the whole stream at that moment
    expect(first?.version).toBe(half);
    expect(second).toEqual(await projected(store));
    expect(second?.status).toBe('COMPLETED');
    // and the second read asked only for the tail
    expect(store.reads.slice(0, 2)).toEqual([`whole ${STREAM}`, `after ${half}`]);
  });

  it('folds a command result onto the kept view, and projects it whole when the kept view is ahead of it', async () => {
    const store = new InMemoryEventStore();
    const stored = await store.appendToStream(STREAM, 0, wholeRun);
    const views = new ExecutionViewCache(store);
    await views.current(STREAM);
    expect(views.ofStream(STREAM, stored)).toEqual(await projected(store));
    // a stream read before the kept view's version (another reader got further): projected from what was read
    const older = stored.slice(0, 3);
    expect(views.ofStream(STREAM, older)).toEqual(projectExecution(older.map(toPublishedEvent)));
  });

  it('answers undefined for a stream without an execution, and keeps at most its capacity', async () => {
    const store = new CountingStore();
    const views = new ExecutionViewCache(store, 1);
    expect(await views.current('execution/none')).toBeUndefined();
    await store.appendToStream(STREAM, 0, wholeRun);
    await store.appendToStream('execution/other', 0, wholeRun);
    await views.current(STREAM);
    await views.current('execution/other');
    store.reads.length = 0;
    // the first view was evicted by the second: read whole again
    await views.current(STREAM);
    expect(store.reads).toEqual([`whole ${STREAM}`]);
  });
});
