/**
 * Figure 6 of issue 9, the event store: how fast the execution service's DynamoDB event store
 * appends a drill's events (one writer; several writers on different streams at once), and how
 * long the command handler takes to rebuild a 10,000-event execution from the store, without a
 * snapshot and with the latest one.
 *
 * Everything measured is the product's code: DynamoDbEventStore and DynamoDbSnapshotStore
 * (services/execution/src/event-store/dynamodb.ts) over the execution service's own tables in the
 * project's local DynamoDB (dynalite, in a process of its own: event-store-dynamodb.ts), events
 * made by the execution decider (event-store-history.ts), and loadExecution, the command
 * handler's cold load (the whole stream, the latest snapshot whose hash matches, the events after
 * it folded with evolve).
 *
 * Each command's events are one commit, as on AWS where each Lambda invocation decides one
 * command; snapshots are written as the command handler writes them (the first commit at least
 * SNAPSHOT_EVERY_EVENTS events after the previous snapshot) and are not counted as appends.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  canonicalJson, deserializeExecutionState, DynamoDbEventStore, DynamoDbSnapshotStore, evolveAll, initialState, loadExecution, serializeExecutionState, SNAPSHOT_EVERY_EVENTS,
  streamIdOf, toExecutionEvents,
} from '@lifeboat/execution';
import type { ExecutionState, SnapshotStore, StoredEvent } from '@lifeboat/execution';
import { distribution } from '../support/bench.js';
import type { BenchContext, BenchFigure, BenchRow } from '../support/bench.js';
import { startBenchDynamoDb } from './event-store-dynamodb.js';
import { executionHistory } from './event-store-history.js';
import type { ExecutionHistory } from './event-store-history.js';

const FIGURE = '6 event store';
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };
/** When the drills start (their events' times; nothing waits for it). */
const STARTED_AT = new Date('2025-01-06T09:00:00.000Z');

interface Sizes {
  /** Events of the stream one writer appends and the rebuild reads. */
  streamEvents: number;
  /** Writers appending at once, each to its own stream, and the events each appends. */
  writers: number;
  writerEvents: number;
  /** Cold loads of each kind. */
  rebuilds: number;
  serversPerWave: number;
}

/**
 * Smoke: the stream is just long enough for the command handler's rule to have written a
 * snapshot (so both rebuilds run their real path), the writers append 200 events together.
 */
const SMOKE: Sizes = { streamEvents: SNAPSHOT_EVERY_EVENTS, writers: 4, writerEvents: 50, rebuilds: 2, serversPerWave: 25 };
const FULL: Sizes = { streamEvents: 10_000, writers: 4, writerEvents: 500, rebuilds: 4, serversPerWave: 250 };
/**
 * The rebuilt stream ends at least this many events after its latest snapshot: half the interval,
 * what a load finds on average (right after a snapshot there is nothing left to fold).
 */
const EVENTS_AFTER_SNAPSHOT = SNAPSHOT_EVERY_EVENTS / 2;

/** A ULID-shaped execution id per drill of the figure. */
function executionIdOf(n: number): string {
  return `01JBENCHEVENTSTRE${String(n).padStart(9, '0')}`;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const sum = (values: readonly number[]): number => values.reduce((total, v) => total + v, 0);

interface Appended {
  /** One per commit (appendToStream), in ms. */
  latencies: number[];
  events: number;
  /** The snapshots written after some commits, in ms each. */
  snapshotWrites: number[];
}

/**
 * Appends a history, each command's events in one commit after the stream's last event (as the
 * command handler appends a command decided alone), and the snapshots where its rule writes them.
 */
async function appendHistory(store: DynamoDbEventStore, history: ExecutionHistory, snapshots?: SnapshotStore): Promise<Appended> {
  const streamId = streamIdOf(history.executionId);
  const latencies: number[] = [];
  const snapshotWrites: number[] = [];
  let version = 0;
  for (const [index, events] of history.decisions.entries()) {
    const started = performance.now();
    const stored = await store.appendToStream(streamId, version, events);
    latencies.push(performance.now() - started);
    const last = stored.at(-1);
    if (!last || last.version !== version + events.length) throw new Error(`${streamId}: appending ${events.length} events after version ${version} stored ${stored.length}`);
    version = last.version;
    const state = history.snapshotStates.get(index);
    if (snapshots && state) {
      const writing = performance.now();
      await snapshots.write({ streamId, version, hash: last.hash, state: serializeExecutionState(state) });
      snapshotWrites.push(performance.now() - writing);
    }
  }
  return { latencies, events: version, snapshotWrites };
}

/** The rows of one way of appending: throughput, and the latency of each commit. */
function appendRows(label: string, appended: Appended[], wallMs: number, note: string): BenchRow[] {
  const latencies = distribution(appended.flatMap((a) => a.latencies));
  const events = sum(appended.map((a) => a.events));
  return [
    { figure: FIGURE, metric: `append throughput, ${label}`, value: Math.round((events / wallMs) * 1000), unit: 'events/s', note: `${events.toLocaleString('en-US')} events in ${latencies.count.toLocaleString('en-US')} commits in ${(wallMs / 1000).toFixed(1)} s; ${note}` },
    { figure: FIGURE, metric: `append latency p50, ${label} (${latencies.count.toLocaleString('en-US')} commits)`, value: round(latencies.p50), unit: 'ms' },
    { figure: FIGURE, metric: `append latency p95, ${label} (${latencies.count.toLocaleString('en-US')} commits)`, value: round(latencies.p95), unit: 'ms' },
  ];
}

/** Same content whatever path built it (Maps as lists, keys sorted). */
function stateText(state: ExecutionState): string {
  return canonicalJson(serializeExecutionState(state));
}

interface Rebuilds {
  withoutSnapshot: number[];
  withSnapshot: number[];
  read: number[];
  snapshotRead: number[];
  foldAll: number[];
  foldFromSnapshot: number[];
  snapshotVersion: number;
}

/**
 * Cold loads of the stream by the command handler (a fresh store each time, so nothing is cached),
 * alternately through a store without and with the snapshots table; then, apart, the parts of it:
 * reading the stream, folding every event, restoring the snapshot and folding the events after it.
 */
async function measureRebuilds(context: BenchContext, client: DynamoDBClient, tables: { events: string; snapshots: string }, history: ExecutionHistory, rebuilds: number): Promise<Rebuilds> {
  const streamId = streamIdOf(history.executionId);
  const stores = {
    without: () => new DynamoDbEventStore(tables.events, client),
    with: () => new DynamoDbEventStore(tables.events, client, undefined, { snapshotsTable: tables.snapshots }),
  };
  const snapshots = new DynamoDbSnapshotStore(tables.snapshots, client);
  const snapshot = await snapshots.read(streamId);
  const stream = await stores.without().readStream(streamId);
  const at: StoredEvent | undefined = snapshot ? stream[snapshot.version - 1] : undefined;
  if (!snapshot || !at || at.hash !== snapshot.hash || !deserializeExecutionState(snapshot.state)) throw new Error(`${streamId} has no snapshot the command handler can use`);
  const expected = stateText(history.state);

  const result: Rebuilds = { withoutSnapshot: [], withSnapshot: [], read: [], snapshotRead: [], foldAll: [], foldFromSnapshot: [], snapshotVersion: snapshot.version };
  for (let attempt = 0; attempt < rebuilds; attempt++) {
    context.log(`event-store: rebuild ${attempt + 1}/${rebuilds}`);
    // Alternated, so that neither kind always runs first (the machine's noise falls on both).
    for (const kind of attempt % 2 === 0 ? (['without', 'with'] as const) : (['with', 'without'] as const)) {
      const started = performance.now();
      const loaded = await loadExecution(stores[kind](), history.executionId);
      (kind === 'with' ? result.withSnapshot : result.withoutSnapshot).push(performance.now() - started);
      if (loaded.version !== history.eventCount) throw new Error(`the cold load ${kind} the snapshot found version ${loaded.version}, not ${history.eventCount}`);
      if (attempt === 0 && stateText(loaded.state) !== expected) throw new Error(`the cold load ${kind} the snapshot rebuilt another state than the decider's`);
    }
    const reading = performance.now();
    const stored = await stores.without().readStream(streamId);
    result.read.push(performance.now() - reading);
    const readingSnapshot = performance.now();
    await snapshots.read(streamId);
    result.snapshotRead.push(performance.now() - readingSnapshot);
    const folding = performance.now();
    evolveAll(initialState, toExecutionEvents(stored));
    result.foldAll.push(performance.now() - folding);
    const restoring = performance.now();
    const restored = deserializeExecutionState(snapshot.state) ?? initialState;
    evolveAll(restored, toExecutionEvents(stored.slice(snapshot.version)));
    result.foldFromSnapshot.push(performance.now() - restoring);
  }
  return result;
}

export const eventStoreFigure: BenchFigure = {
  id: 'event-store',
  title: 'Event store: append throughput, and rebuilding a 10,000-event stream with and without snapshots',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const sizes = context.smoke ? SMOKE : FULL;
    // The DynamoDB process starts while the drills are decided.
    const starting = startBenchDynamoDb();
    let history: ExecutionHistory;
    let writerHistories: ExecutionHistory[];
    try {
      context.log(`event-store: deciding a drill of ${sizes.streamEvents} events and ${sizes.writers} of ${sizes.writerEvents}`);
      history = executionHistory({ executionId: executionIdOf(0), minEvents: sizes.streamEvents, minEventsAfterSnapshot: EVENTS_AFTER_SNAPSHOT, serversPerWave: sizes.serversPerWave, startedAt: STARTED_AT });
      writerHistories = Array.from({ length: sizes.writers }, (_, i) =>
        executionHistory({ executionId: executionIdOf(i + 1), minEvents: sizes.writerEvents, serversPerWave: sizes.serversPerWave, startedAt: STARTED_AT }),
      );
    } catch (error) {
      await starting.then((db) => db.stop()).catch(() => undefined);
      throw error;
    }
    const db = await starting;
    const client = new DynamoDBClient({ endpoint: db.endpoint, region: REGION, credentials: CREDENTIALS });
    try {
      const tables = { events: tableOf(db.tables, 'ExecutionEventsTable'), snapshots: tableOf(db.tables, 'ExecutionSnapshotsTable') };
      const store = new DynamoDbEventStore(tables.events, client, undefined, { snapshotsTable: tables.snapshots });
      // The connection and the SDK's first-call work are not the store's.
      await store.readStream(streamIdOf(executionIdOf(999)));

      context.log(`event-store: one writer appends ${history.eventCount} events in ${history.decisions.length} commits`);
      const single = await appendHistory(store, history, store.snapshots);
      const singleMs = sum(single.latencies);

      context.log(`event-store: ${sizes.writers} writers append ${sizes.writerEvents} events each, at once`);
      const started = performance.now();
      const concurrent = await Promise.all(writerHistories.map((h) => appendHistory(store, h)));
      const concurrentMs = performance.now() - started;

      const rebuilds = await measureRebuilds(context, client, tables, history, sizes.rebuilds);
      const without = distribution(rebuilds.withoutSnapshot);
      const withSnapshot = distribution(rebuilds.withSnapshot);
      const read = distribution(rebuilds.read);
      const snapshotRead = distribution(rebuilds.snapshotRead);
      const foldAll = distribution(rebuilds.foldAll);
      const foldFromSnapshot = distribution(rebuilds.foldFromSnapshot);
      const events = history.eventCount.toLocaleString('en-US');
      const tail = history.eventCount - rebuilds.snapshotVersion;
      const singleThroughput = single.events / singleMs;
      const concurrentThroughput = sum(concurrent.map((c) => c.events)) / concurrentMs;
      const snapshotWrites = distribution(single.snapshotWrites);

      return [
        ...appendRows('1 writer', [single], singleMs, `a drill of ${history.servers.toLocaleString('en-US')} servers (still running), one commit per command (the largest: the start, ${history.decisions[0]?.length ?? 0} events); ${single.snapshotWrites.length} snapshot write${single.snapshotWrites.length === 1 ? '' : 's'} apart (p50 ${snapshotWrites.p50.toFixed(1)} ms)`),
        ...appendRows(`${sizes.writers} writers on ${sizes.writers} streams at once`, concurrent, concurrentMs, `the first ${sizes.writerEvents} events of ${sizes.writers} drills of ${writerHistories[0]?.servers ?? 0} servers, one commit per command, all writers at once`),
        { figure: FIGURE, metric: `append throughput, ${sizes.writers} writers / 1 writer`, value: round(concurrentThroughput / singleThroughput), unit: '×', note: 'one DynamoDB (dynalite) process serves every writer' },
        { figure: FIGURE, metric: `rebuild ${events}-event stream, no snapshot, p50 (${without.count} cold loads)`, value: round(without.p50, 1), unit: 'ms', note: `loadExecution without the snapshots table: reads the ${history.decisions.length.toLocaleString('en-US')} commits, folds all ${events} events` },
        { figure: FIGURE, metric: `rebuild ${events}-event stream, no snapshot, p95 (${without.count} cold loads)`, value: round(without.p95, 1), unit: 'ms' },
        { figure: FIGURE, metric: `rebuild ${events}-event stream, latest snapshot, p50 (${withSnapshot.count} cold loads)`, value: round(withSnapshot.p50, 1), unit: 'ms', note: `loadExecution: reads every commit and the latest snapshot, at version ${rebuilds.snapshotVersion.toLocaleString('en-US')} (checked against that event's hash), folds the ${tail} events after it (snapshots every ${SNAPSHOT_EVERY_EVENTS} events: the stream ends at least ${EVENTS_AFTER_SNAPSHOT} after one, the average)` },
        { figure: FIGURE, metric: `rebuild ${events}-event stream, latest snapshot, p95 (${withSnapshot.count} cold loads)`, value: round(withSnapshot.p95, 1), unit: 'ms' },
        { figure: FIGURE, metric: 'rebuild, no snapshot / latest snapshot (p50)', value: round(without.p50 / withSnapshot.p50), unit: '×', note: 'the stream is read whole either way: the snapshot spares the fold only' },
        { figure: FIGURE, metric: `of which: read the stream, p50 (${read.count})`, value: round(read.p50, 1), unit: 'ms', note: `readStream: Query pages, gunzip and JSON of ${history.decisions.length.toLocaleString('en-US')} commits` },
        { figure: FIGURE, metric: `of which: read the latest snapshot, p50 (${snapshotRead.count})`, value: round(snapshotRead.p50, 1), unit: 'ms', note: 'GetItem, gunzip and JSON of the state; loadExecution reads it beside the stream' },
        { figure: FIGURE, metric: `of which: fold ${events} events, p50 (${foldAll.count})`, value: round(foldAll.p50, 1), unit: 'ms', note: 'evolve over every event, from the initial state' },
        { figure: FIGURE, metric: `of which: restore the snapshot, fold ${tail} events, p50 (${foldFromSnapshot.count})`, value: round(foldFromSnapshot.p50, 1), unit: 'ms', note: 'deserializeExecutionState, then evolve over the events after it' },
        { figure: FIGURE, metric: 'fold, all events / from the snapshot (p50)', value: round(foldAll.p50 / foldFromSnapshot.p50), unit: '×' },
      ];
    } finally {
      client.destroy();
      await db.stop();
    }
  },
};

function tableOf(tables: Record<string, string>, logicalId: string): string {
  const name = tables[logicalId];
  if (!name) throw new Error(`services/execution/serverless.yml declares no ${logicalId} (it declares ${Object.keys(tables).join(', ')})`);
  return name;
}
