/**
 * Figure 5 of issue 9, subscription latency: from an event appended to an execution's stream to a
 * graphql-ws client receiving it, over drills of the demo's "Orders 3-tier" plan (one after the
 * other, each cleaned up before the next: drills of one plan cannot overlap).
 *
 * The client subscribes to `executionEvents` as the console's runbook does and takes, for each
 * event it receives, its receipt time minus the event's `occurredAt`. `occurredAt` is the clock of
 * the command that made the event, read when the command is made, before it is decided and written
 * with one conditional PutItem; the store's own commit time (`committedAt` of the commit item) is
 * closer to the append but not answered by the API. So each sample is an upper bound of
 * append-to-receipt: it also holds the command's wait in its execution's queue, the decision and
 * the write. The path measured is the product's: store, stream publisher, bus,
 * subscription fan-out, the feed, graphql-ws. The stack is another process on the same machine
 * (one clock).
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { distribution } from '../support/bench.js';
import type { BenchContext, BenchFigure, BenchRow } from '../support/bench.js';
import { startBenchStack } from '../support/stack.js';
import type { BenchStack } from '../support/stack.js';

const FIGURE = '5 subscription latency';
const DEMO_PLAN_NAME = 'Orders 3-tier';
/** A demo drill takes seconds at the bench's clock; this only bounds a stuck one. */
const DRILL_WAIT_MS = 120_000;

/**
 * At most this DRS clock (a 5-minute launch takes 0.3 s). The figure measures pushes, not launches:
 * a faster clock only shortens the quiet time between events (and raises their rate). At the
 * bench's default 0.01 a demo drill took 20 s while writing this figure, and each drill started
 * right after the previous one's cleanup waited about 35 s more before its first recovery job
 * started.
 */
const DRS_TIME_SCALE = 0.001;

const SIZES = {
  /** 27 events per drill are received (those appended before the subscription are not): 270 samples, about 50 s. */
  full: { drills: 10 },
  smoke: { drills: 1 },
};

/** The runbook's subscription (packages/web/src/pages/executions/documents.ts, EXECUTION_EVENTS), with the fields the figure reads. */
const EXECUTION_EVENTS = 'subscription RunbookEvents($id: ID!) { executionEvents(id: $id) { streamVersion eventId type occurredAt } }';

interface PushedEvent {
  streamVersion: number;
  eventId: string;
  type: string;
  occurredAt: string;
}

/** One received event: how long after its occurredAt it arrived. */
interface Sample {
  type: string;
  latencyMs: number;
}

/** What one drill's subscription saw. */
interface DrillObservation {
  samples: Sample[];
  /** Events decided before the client asked to subscribe (their delay includes the subscribing): left out. */
  beforeSubscribing: number;
  /** Versions pushed out of order or skipped (the feed promises each event once, in order). */
  outOfOrder: number;
}

const TERMINAL = new Set(['ExecutionCompleted', 'ExecutionFailed', 'ExecutionCancelled']);

/**
 * Subscribes to the execution's events and collects them until `until` is received (or the
 * subscription fails or `timeoutMs` passes). Answers the observation and a stop function.
 */
function watch(client: Client, executionId: string, subscribedAt: number): {
  observation: DrillObservation;
  received: (type: string) => Promise<void>;
  stop: () => void;
} {
  const observation: DrillObservation = { samples: [], beforeSubscribing: 0, outOfOrder: 0 };
  const seenTypes = new Set<string>();
  const waiters: { type: string; resolve: () => void; reject: (error: Error) => void }[] = [];
  let failure: Error | undefined;
  let lastVersion: number | undefined;
  const settle = (): void => {
    for (const waiter of [...waiters]) {
      if (seenTypes.has(waiter.type)) waiter.resolve();
      else if (failure) waiter.reject(failure);
      else continue;
      waiters.splice(waiters.indexOf(waiter), 1);
    }
  };
  const stop = client.subscribe<{ executionEvents: PushedEvent }>({ query: EXECUTION_EVENTS, variables: { id: executionId } }, {
    next: (message) => {
      // Read the clock first: the rest is the client's own bookkeeping.
      const receivedAt = Date.now();
      const event = message.data?.executionEvents;
      if (!event) {
        failure = new Error(`executionEvents of ${executionId} answered errors: ${JSON.stringify(message.errors)}`);
        settle();
        return;
      }
      if (lastVersion !== undefined && event.streamVersion !== lastVersion + 1) observation.outOfOrder++;
      lastVersion = event.streamVersion;
      const occurredAt = Date.parse(event.occurredAt);
      if (occurredAt < subscribedAt) observation.beforeSubscribing++;
      else observation.samples.push({ type: event.type, latencyMs: receivedAt - occurredAt });
      seenTypes.add(TERMINAL.has(event.type) ? 'terminal' : event.type);
      settle();
    },
    error: (error: unknown) => {
      failure = error instanceof Error ? error : new Error(`executionEvents of ${executionId} failed: ${JSON.stringify(error)}`);
      settle();
    },
    complete: () => {
      failure ??= new Error(`executionEvents of ${executionId} completed before the drill was cleaned up`);
      settle();
    },
  });
  const received = (type: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      waiters.push({ type, resolve, reject });
      settle();
    });
  return { observation, received, stop };
}

/** Rejects after `ms` unless `promise` settles first. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen in ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One drill of the plan, watched from just after it starts until its cleanup completed. */
async function watchedDrill(stack: BenchStack, client: Client, planId: string): Promise<DrillObservation> {
  const { startExecution } = await stack.ok<{ startExecution: { id: string } }>('mutation($input: StartExecutionInput!) { startExecution(input: $input) { id } }', { input: { planId, mode: 'DRILL' } });
  const executionId = startExecution.id;
  const watching = watch(client, executionId, Date.now());
  try {
    await within(watching.received('terminal'), DRILL_WAIT_MS, `the drill ${executionId} finishing`);
    // As an SRM test is cleaned up before the plan is tested again; the cleanup's events are samples too.
    await stack.ok('mutation($id: ID!) { cleanupDrill(id: $id) { id } }', { id: executionId });
    await within(watching.received('DrillCleanupCompleted'), DRILL_WAIT_MS, `the cleanup of drill ${executionId}`);
  } finally {
    watching.stop();
  }
  return watching.observation;
}

export const subscriptionLatencyFigure: BenchFigure = {
  id: 'subscription-latency',
  title: 'Subscription latency (event appended → graphql-ws client)',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const size = context.smoke ? SIZES.smoke : SIZES.full;
    context.log(`subscription-latency: starting the demo stack`);
    const drsTimeScale = Math.min(context.drsTimeScale, DRS_TIME_SCALE);
    const stack = await startBenchStack({ drsTimeScale });
    let client: Client | undefined;
    try {
      const { recoveryPlans } = await stack.ok<{ recoveryPlans: { items: { id: string; name: string }[] } }>('query($search: String) { recoveryPlans(first: 10, filter: { search: $search }) { items { id name } } }', { search: DEMO_PLAN_NAME });
      const plan = recoveryPlans.items.find((p) => p.name === DEMO_PLAN_NAME);
      if (!plan) throw new Error(`the demo plan "${DEMO_PLAN_NAME}" is missing`);
      client = createClient({ url: `${stack.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${stack.token}` }, retryAttempts: 0, lazy: false });

      const observations: DrillObservation[] = [];
      for (let i = 0; i < size.drills; i++) {
        const drillStarted = Date.now();
        const observation = await watchedDrill(stack, client, plan.id);
        observations.push(observation);
        context.log(`subscription-latency: drill ${i + 1}/${size.drills}: ${observation.samples.length} events received in ${((Date.now() - drillStarted) / 1000).toFixed(1)} s`);
      }

      const samples = observations.flatMap((o) => o.samples);
      const latency = distribution(samples.map((s) => s.latencyMs));
      const skipped = observations.reduce((n, o) => n + o.beforeSubscribing, 0);
      const outOfOrder = observations.reduce((n, o) => n + o.outOfOrder, 0);
      const slowest = [...samples].sort((a, b) => b.latencyMs - a.latencyMs)[0];
      const what = `${latency.count} events of ${size.drills} demo drill${size.drills === 1 ? '' : 's'} and their cleanups`;
      const basis = 'receipt time minus the event\'s occurredAt (its command\'s clock, before the decision and the conditional write; the commit time is not answered by the API), so an upper bound';
      return [
        { figure: FIGURE, metric: `p50 (${latency.count} events)`, value: latency.p50, unit: 'ms', note: `${what}; ${basis}`, clockScale: drsTimeScale },
        { figure: FIGURE, metric: `p95 (${latency.count} events)`, value: latency.p95, unit: 'ms', target: { op: '<=', value: 250 }, clockScale: drsTimeScale },
        {
          figure: FIGURE,
          metric: `p99 (${latency.count} events)`,
          value: latency.p99,
          unit: 'ms',
          note: `max ${latency.max} ms${slowest ? ` (${slowest.type})` : ''}; ${skipped} events decided before the client subscribed left out; ${outOfOrder} pushed out of order`,
          clockScale: drsTimeScale,
        },
      ];
    } finally {
      await client?.dispose();
      await stack.stop();
    }
  },
};
