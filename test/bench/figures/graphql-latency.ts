/**
 * Figure 4 of issue 9, GraphQL latency: p50 and p95 of the queries the console sends most, measured
 * from a client over HTTP (fetch to /graphql with the admin's token, keep-alive), one request at a
 * time (latency, not throughput), against one local stack over 4,000 source servers (each extended
 * from a staging account, as DRS needs for more than 300 in one account and region; catalog synced):
 *
 * - a page of `sourceServers(first: 100)`, walking the pages by cursor, as the Source servers page
 *   asks it (unfiltered by hostname, and with a hostname search sorted descending);
 * - the runbook's query of a completed 1,000-server drill (one PARALLEL wave of 11 protection
 *   groups, as test/scenarios/execution-scale.test.ts runs it);
 * - `validateRecoveryPlan` of a 200-server plan of 3 waves, as the plan builder asks it after each
 *   change.
 *
 * The stack is idle while measured (the drill has ended). The documents are copies of the
 * console's (packages/web/src/pages/...: the console's sources are browser code, outside this
 * TypeScript config): keep them in step.
 */
import { performance } from 'node:perf_hooks';
import type { Fleet, FleetAccount, FleetServer } from '@lifeboat/drs-simulator';
import { graphql } from '../../support/local-stack-process.js';
import { HOME_ACCOUNT_ID, HOME_REGION, MAX_GROUP_SIZE, STAGING_ACCOUNT_SIZE, groupedServers, numberedServers } from '../../support/scenario-fleet.js';
import type { ScenarioServer } from '../../support/scenario-fleet.js';
import { distribution } from '../support/bench.js';
import type { BenchContext, BenchFigure, BenchRow } from '../support/bench.js';
import { createBenchPlan, startDrill, waitForDrill } from '../support/drills.js';
import { startBenchStack } from '../support/stack.js';
import type { BenchStack } from '../support/stack.js';

const FIGURE = '4 GraphQL latency';
const TARGET_P95_MS = 50;

const SIZES = {
  full: { servers: 4_000, drill: 1_000, plan: 200, requests: 100, warmUp: 5, budgetMs: 20_000 },
  smoke: { servers: 30, drill: 10, plan: 10, requests: 10, warmUp: 2, budgetMs: 10_000 },
};
export type Size = (typeof SIZES)['full'];

/** At most this DRS clock: the drill only makes the execution whose detail is read; its launches are not measured. */
const DRILL_DRS_TIME_SCALE = 0.002;
/** The drill's liveness bound (execution-scale.test.ts: 65-100 s alone on 2 cores, more beside other work). */
const DRILL_WAIT_MS = 360_000;
/** How long planning may take to learn 1,000 servers from the catalog's events. */
const PLANNING_WAIT_MS = 180_000;

const DRILL_PREFIX = 'drill';
const INVENTORY_PREFIX = 'inv';

// ---------------------------------------------------------------- the console's documents

/** packages/web/src/pages/servers/query.ts: SOURCE_SERVER_FIELDS and SOURCE_SERVERS. */
const SOURCE_SERVER_FIELDS = `
  id accountId region hostname fqdn os osName tags { key value } replicationState readyForRecovery notReadyReason
  replication { lag lagSeconds totalStorageBytes replicatedStorageBytes }
  lastLaunch { type initiatedAt status result }
  recoveryInstanceId protectionGroup { id name } lastSeenAt
`;
const SOURCE_SERVERS = `
  query SourceServers($first: Int!, $after: String, $filter: SourceServerFilter, $sort: SourceServerSort) {
    sourceServers(first: $first, after: $after, filter: $filter, sort: $sort) {
      items { ${SOURCE_SERVER_FIELDS} }
      nextCursor
    }
  }
`;

/** packages/web/src/pages/executions/documents.ts: EXECUTION_FIELDS, EVENT_FIELDS and RUNBOOK_QUERY (the latest 200 events). */
const STEP_FIELDS = 'id type name status startedAt completedAt output reason onFailure dueAt';
const EXECUTION_FIELDS = `
  id planId planVersion planName mode status startedAt completedAt startedBy version failureReason
  pausedAt pausedBeforeWaveId pauseBeforeWaveIds cancelRequestedAt cancelRequestedBy terminateInstancesOnCancel retries
  waves {
    id name dependsOn launchOrder status startedAt completedAt errorPolicy skipped skippedAt skipReason failureReason
    preSteps { ${STEP_FIELDS} }
    postSteps { ${STEP_FIELDS} }
    servers {
      sourceServerId hostname accountId region criticality status jobId recoveryInstanceId ec2InstanceId
      launchedAt verifiedAt attempts
      pointInTime { type snapshotId before }
      checks { name status durationMs output }
    }
  }
  approvals {
    id kind waveId stepId prompt status permission approverRole approverRoles excludedUserIds
    requestedAt expiresAt decidedAt decidedBy comment
  }
  cleanup { status trigger startedAt completedAt recoveryInstanceIds terminatedRecoveryInstanceIds failed { recoveryInstanceId reason } }
`;
const EVENT_FIELDS = 'streamVersion eventId type occurredAt actor data';
const RUNBOOK_QUERY = `
  query Runbook($id: ID!) {
    me { id }
    execution(id: $id) { ${EXECUTION_FIELDS} }
    executionEvents(id: $id, last: 200) { ${EVENT_FIELDS} }
  }
`;
/** The execution's detail alone (the runbook's execution fields, without its timeline of events). */
const EXECUTION_DETAIL_QUERY = `
  query ExecutionDetail($id: ID!) {
    execution(id: $id) { ${EXECUTION_FIELDS} }
  }
`;

/** packages/web/src/pages/plans/api.ts: VALIDATE_PLAN_QUERY. */
const VALIDATE_PLAN_QUERY = `
  query ValidateRecoveryPlan($input: ValidateRecoveryPlanInput!) {
    validateRecoveryPlan(input: $input) { valid findings { severity code field message } }
  }
`;

// ---------------------------------------------------------------- measuring

interface GraphQLRequest {
  query: string;
  variables: Record<string, unknown>;
}

interface Answer {
  data: Record<string, unknown>;
  bytes: number;
}

/** What one query's measurement gave: each counted request's milliseconds and answer size, and its last answer. */
interface Measurement {
  samplesMs: number[];
  bytes: number[];
  last: Answer | undefined;
}

/**
 * One request timed from before the call to the last byte of the answer (parsing the JSON is the
 * client's work, left out). An answer with errors fails the figure: it would time something else.
 */
async function timedRequest(bench: BenchStack, request: GraphQLRequest): Promise<{ ms: number; answer: Answer }> {
  const started = performance.now();
  const response = await fetch(`${bench.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bench.token}` },
    body: JSON.stringify(request),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  const body = JSON.parse(text) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (!response.ok || body.errors?.length || !body.data) throw new Error(`GraphQL failed (${response.status}): ${text.slice(0, 500)}`);
  return { ms, answer: { data: body.data, bytes: Buffer.byteLength(text) } };
}

/**
 * Sends `next(previous answer)` sequentially: `warmUp` requests first (not counted), then up to
 * `requests` counted ones, stopping early once `budgetMs` is spent (a slow query still gets a
 * p95 of at least 20 samples).
 */
async function measure(bench: BenchStack, size: Size, next: (previous: Answer | undefined) => GraphQLRequest): Promise<Measurement> {
  let previous: Answer | undefined;
  for (let i = 0; i < size.warmUp; i++) previous = (await timedRequest(bench, next(previous))).answer;
  const measurement: Measurement = { samplesMs: [], bytes: [], last: undefined };
  const started = performance.now();
  const count = (): number => measurement.samplesMs.length;
  while (count() < size.requests && (count() < Math.min(20, size.requests) || performance.now() - started < size.budgetMs)) {
    const { ms, answer } = await timedRequest(bench, next(previous));
    measurement.samplesMs.push(ms);
    measurement.bytes.push(answer.bytes);
    measurement.last = answer;
    previous = answer;
  }
  return measurement;
}

/** The p50 and p95 rows of one query. */
function rowsOf(what: string, measurement: Measurement, note: string): BenchRow[] {
  const d = distribution(measurement.samplesMs);
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  const kib = measurement.bytes.reduce((sum, b) => sum + b, 0) / Math.max(1, measurement.bytes.length) / 1024;
  return [
    { figure: FIGURE, metric: `${what} p50 (${d.count} requests)`, value: round(d.p50), unit: 'ms', note: `${note}; answers of ${kib.toFixed(kib < 10 ? 1 : 0)} KiB on average` },
    { figure: FIGURE, metric: `${what} p95 (${d.count} requests)`, value: round(d.p95), unit: 'ms', target: { op: '<=', value: TARGET_P95_MS } },
  ];
}

/** Page after page by cursor, back to the first page after the last: the pages at every offset. */
function pageWalk(variables: Record<string, unknown>): (previous: Answer | undefined) => GraphQLRequest {
  return (previous) => {
    const connection = previous?.data.sourceServers as { nextCursor?: string | null } | undefined;
    return { query: SOURCE_SERVERS, variables: { ...variables, first: 100, after: connection?.nextCursor ?? null } };
  };
}

// ---------------------------------------------------------------- the stack's content
// ---------------------------------------------------------------- the stack's content

/** The home account's regions the fleet uses: the drill's servers in the stack's own region, the rest in the others. */
const REGIONS = [HOME_REGION, 'us-west-2', 'eu-west-1', 'eu-central-1'];
/**
 * Servers synced at once. The catalog announces each server it discovers with an event and the
 * local bus delivers them all at the same moment: 4,000 at once saturate the local DynamoDB, every
 * planning consumer times out (30 s) and retries, and planning does not learn the inventory in
 * minutes (seen while writing this figure). 1,000 at once is what execution-scale.test.ts syncs:
 * so one region at a time, each known to planning before the next is synced.
 */
const SERVERS_PER_SYNC = 1_000;

interface RegionSlice {
  region: string;
  servers: ScenarioServer[];
}

/** The drill's servers in the stack's region, then the rest, at most SERVERS_PER_SYNC per region. */
function slicesOf(size: Size): RegionSlice[] {
  const inventory = size.servers - size.drill;
  const inventoryRegions = Math.ceil(inventory / SERVERS_PER_SYNC);
  if (size.drill > SERVERS_PER_SYNC || 1 + inventoryRegions > REGIONS.length) throw new Error(`${size.servers} servers do not fit in ${REGIONS.length} regions of ${SERVERS_PER_SYNC}`);
  const slices: RegionSlice[] = [{ region: HOME_REGION, servers: groupedServers(DRILL_PREFIX, size.drill, { Bench: 'drill' }) }];
  for (let k = 0; k < inventoryRegions; k++) {
    const count = Math.min(SERVERS_PER_SYNC, inventory - k * SERVERS_PER_SYNC);
    slices.push({ region: REGIONS[k + 1] ?? '', servers: numberedServers(`${INVENTORY_PREFIX}${k + 1}`, count, { Bench: 'inventory' }) });
  }
  return slices;
}

/**
 * scenarioFleet's shape (scenario-fleet.ts) over several regions: each server replicates in a
 * staging account (at most STAGING_ACCOUNT_SIZE per account and region) and is extended into the
 * home account, in the same region.
 */
function regionalFleet(slices: readonly RegionSlice[]): Fleet {
  const accounts: FleetAccount[] = [{ accountId: HOME_ACCOUNT_ID, regions: slices.map((s) => s.region) }];
  const servers: FleetServer[] = [];
  slices.forEach((slice, k) => {
    const stagingIds = Array.from({ length: Math.ceil(slice.servers.length / STAGING_ACCOUNT_SIZE) }, (_, i) => `21${String(k + 1).padStart(2, '0')}${String(i + 1).padStart(8, '0')}`);
    for (const accountId of stagingIds) accounts.push({ accountId, regions: [slice.region], trustedAccountIds: [HOME_ACCOUNT_ID] });
    slice.servers.forEach((s, i) => {
      const staging = stagingIds[Math.floor(i / STAGING_ACCOUNT_SIZE)] ?? '';
      const server: FleetServer = { hostname: s.hostname, os: s.os ?? 'LINUX', accountId: staging, region: slice.region, tags: { Environment: 'Bench', ...s.tags } };
      servers.push(server, { ...server, accountId: HOME_ACCOUNT_ID, stagingAccountID: staging });
    });
  });
  return { accounts, servers };
}

/** Lists DRS in one region of the home account now; answers the servers listed. */
async function syncRegion(bench: BenchStack, region: string): Promise<number> {
  const { syncSourceServers } = await bench.ok<{ syncSourceServers: { targets: { region: string; status: string; serverCount: number }[] } }>(
    'mutation($accountId: String, $region: String) { syncSourceServers(accountId: $accountId, region: $region) { targets { region status serverCount } } }',
    { accountId: HOME_ACCOUNT_ID, region },
  );
  const target = syncSourceServers.targets.find((t) => t.region === region);
  if (!target || target.status !== 'SUCCEEDED') throw new Error(`the sync of ${region} failed: ${JSON.stringify(syncSourceServers)}`);
  return target.serverCount;
}

/** The ids of the catalog's servers of one region of the home account, in hostname order. */
async function serverIdsOfRegion(bench: BenchStack, region: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  do {
    const page: { sourceServers: { items: { id: string }[]; nextCursor: string | null } } = await bench.ok(
      'query($filter: SourceServerFilter, $after: String) { sourceServers(first: 1000, after: $after, filter: $filter) { items { id } nextCursor } }',
      { filter: { accountId: HOME_ACCOUNT_ID, region }, after },
    );
    ids.push(...page.sourceServers.items.map((s) => s.id));
    after = page.sourceServers.nextCursor;
  } while (after);
  return ids;
}

/** Waits until planning knows every one of `ids` (it learns them from the catalog's events): a preview of each 95, explicitly. */
async function untilPlanningKnows(bench: BenchStack, region: string, ids: readonly string[]): Promise<void> {
  const deadline = Date.now() + PLANNING_WAIT_MS;
  for (let i = 0; i < ids.length; i += MAX_GROUP_SIZE) {
    const input = { accountId: HOME_ACCOUNT_ID, region, sourceServerIds: ids.slice(i, i + MAX_GROUP_SIZE) };
    for (;;) {
      const result = await graphql(bench.url, bench.token, 'query($input: PreviewProtectionGroupInput!) { previewProtectionGroup(input: $input) { sourceServerIds } }', { input });
      if (!result.errors?.length) break;
      if (Date.now() > deadline) throw new Error(`planning did not learn the servers of ${region} in ${PLANNING_WAIT_MS} ms: ${JSON.stringify(result.errors).slice(0, 300)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * The catalog synced one region at a time, each region's servers known to planning before the
 * next. Answers the ids of each slice's servers (hostname order).
 */
async function syncedInventory(bench: BenchStack, slices: readonly RegionSlice[], log: (line: string) => void): Promise<string[][]> {
  if (slices.length > 1) {
    // The account Lifeboat runs in is listed in its own region by default: name its regions to list the others.
    await bench.ok('mutation($input: AddTargetAccountInput!) { addTargetAccount(input: $input) { accountId regions } }', { input: { accountId: HOME_ACCOUNT_ID, regions: slices.map((s) => s.region) } });
  }
  const idsBySlice: string[][] = [];
  for (const slice of slices) {
    const started = Date.now();
    const listed = await syncRegion(bench, slice.region);
    if (listed !== slice.servers.length) throw new Error(`the catalog listed ${listed} servers in ${slice.region}, not ${slice.servers.length}`);
    const ids = await serverIdsOfRegion(bench, slice.region);
    if (ids.length !== listed) throw new Error(`the catalog answers ${ids.length} servers of ${slice.region}, not ${listed}`);
    await untilPlanningKnows(bench, slice.region, ids);
    idsBySlice.push(ids);
    log(`graphql-latency: ${slice.region}: ${listed} servers synced and known to planning in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return idsBySlice;
}

/** A DRILL of `ids` (explicit groups of at most 95, one PARALLEL wave), run to its end. */
async function completedDrill(bench: BenchStack, ids: readonly string[], log: (line: string) => void): Promise<{ id: string; status: string; seconds: number }> {
  const groupIds: string[] = [];
  for (let i = 0; i < ids.length; i += MAX_GROUP_SIZE) {
    const input = { name: `Bench drill ${groupIds.length + 1}`, accountId: HOME_ACCOUNT_ID, region: HOME_REGION, sourceServerIds: ids.slice(i, i + MAX_GROUP_SIZE) };
    const { createProtectionGroup } = await bench.ok<{ createProtectionGroup: { id: string } }>('mutation($input: CreateProtectionGroupInput!) { createProtectionGroup(input: $input) { id } }', { input });
    groupIds.push(createProtectionGroup.id);
  }
  const planId = await createBenchPlan(bench, `Bench ${ids.length} servers`, [{ name: 'Everything', launchOrder: 'PARALLEL', protectionGroupIds: groupIds }]);
  const started = Date.now();
  const executionId = await startDrill(bench, planId);
  log(`graphql-latency: the ${ids.length}-server drill ${executionId} started (${groupIds.length} groups)`);
  // Polled every 2 s: the stack should spend itself on the drill.
  const drill = await waitForDrill(bench, executionId, DRILL_WAIT_MS, 2_000);
  return { id: executionId, status: drill.status, seconds: (Date.now() - started) / 1000 };
}

/**
 * A plan of `ids.length` single servers in 3 waves, as the builder sends it (plan-form.ts
 * toPlanInput): Database (PARALLEL, a tenth OPTIONAL) → App (PARALLEL, an approval before it) →
 * Web (SEQUENTIAL, every server with its boot order, a wait after it).
 */
function planInputOf(ids: readonly string[]): Record<string, unknown> {
  const database = ids.slice(0, Math.round(ids.length * 0.3));
  const app = ids.slice(database.length, Math.round(ids.length * 0.7));
  const web = ids.slice(database.length + app.length);
  return {
    name: `Bench ${ids.length}-server plan`,
    description: 'Validated as the plan builder validates it',
    waves: [
      {
        name: 'Database', dependsOn: [], launchOrder: 'PARALLEL', errorPolicy: 'STOP', protectionGroupIds: [], sourceServerIds: database,
        servers: database.filter((_, i) => i % 10 === 0).map((sourceServerId) => ({ sourceServerId, criticality: 'OPTIONAL' })), preSteps: [], postSteps: [],
      },
      {
        name: 'App', dependsOn: ['Database'], launchOrder: 'PARALLEL', errorPolicy: 'STOP', protectionGroupIds: [], sourceServerIds: app, servers: [],
        preSteps: [{ type: 'APPROVAL', name: 'Database checked', prompt: 'Is the database consistent?', approverRole: 'Operator', timeoutSeconds: 3600, onTimeout: 'FAIL' }], postSteps: [],
      },
      {
        name: 'Web', dependsOn: ['App'], launchOrder: 'SEQUENTIAL', errorPolicy: 'CONTINUE', protectionGroupIds: [], sourceServerIds: web,
        servers: web.map((sourceServerId, i) => ({ sourceServerId, bootOrder: i + 1 })), preSteps: [], postSteps: [{ type: 'WAIT', name: 'Let caches warm', durationSeconds: 60 }],
      },
    ],
    settings: { rtoTargetMinutes: 60, requireSecondApprover: false, notificationTargets: [] },
  };
}

/** What the measurement needs from a stack: its inventory's size, a finished large drill and servers for a plan. */
export interface GraphqlLatencySubjects {
  inventoryServers: number;
  inventoryShape: string;
  drill: { id: string; status: string; seconds: number; servers: number; clockScale: number };
  planServerIds: readonly string[];
}

/** Measures the console's queries on a stack that holds the subjects (also used on quota-saturation's stack). */
export async function measureGraphqlLatency(bench: BenchStack, size: Size, subjects: GraphqlLatencySubjects): Promise<BenchRow[]> {
  const planInput = planInputOf(subjects.planServerIds);
  // A hostname substring the console's search box gets.
  const search = '-01';
  const unfiltered = await measure(bench, size, pageWalk({ filter: {}, sort: { field: 'HOSTNAME', direction: 'ASC' } }));
  const filtered = await measure(bench, size, pageWalk({ filter: { search }, sort: { field: 'HOSTNAME', direction: 'DESC' } }));
  const detail = await measure(bench, size, () => ({ query: EXECUTION_DETAIL_QUERY, variables: { id: subjects.drill.id } }));
  const runbook = await measure(bench, size, () => ({ query: RUNBOOK_QUERY, variables: { id: subjects.drill.id } }));
  const validation = await measure(bench, size, () => ({ query: VALIDATE_PLAN_QUERY, variables: { input: planInput } }));
  const { validateRecoveryPlan } = await bench.ok<{ validateRecoveryPlan: { valid: boolean; findings: { severity: string; code: string }[] } }>(VALIDATE_PLAN_QUERY, { input: planInput });
  const findings = new Map<string, number>();
  for (const f of validateRecoveryPlan.findings) findings.set(`${f.severity} ${f.code}`, (findings.get(`${f.severity} ${f.code}`) ?? 0) + 1);
  const { execution } = await bench.ok<{ execution: { version: number } }>('query($id: ID!) { execution(id: $id) { version } }', { id: subjects.drill.id });
  const { drill } = subjects;
  const runbookEvents = Array.isArray(runbook.last?.data.executionEvents) ? runbook.last.data.executionEvents.length : 0;
  const drillText = `a ${drill.status} ${drill.servers}-server drill (${drill.seconds.toFixed(0)} s at DRS clock x${drill.clockScale})`;
  return [
    ...rowsOf('sourceServers page of 100', unfiltered, `pages of 100 of ${subjects.inventoryServers} servers (${subjects.inventoryShape}) walked by cursor (every offset), by hostname, the console's fields`),
    ...rowsOf('sourceServers page of 100, search + DESC', filtered, `search "${search}" (hostname substring) sorted DESC, walked by cursor`),
    ...rowsOf(`execution detail, ${drill.servers} servers`, detail, `the runbook's execution fields (every server with its checks) of ${drillText}`),
    ...rowsOf(
      `runbook (detail + ${runbookEvents < execution.version ? `its latest ${runbookEvents} of ${execution.version}` : `all its ${runbookEvents}`} events), ${drill.servers} servers`,
      runbook,
      `the runbook's query: the detail and the latest events (last: 200) of the timeline of ${drillText}`,
    ),
    ...rowsOf(`validateRecoveryPlan, ${subjects.planServerIds.length} servers`, validation, `3 waves (PARALLEL, PARALLEL after an approval, SEQUENTIAL with boot orders); valid: ${validateRecoveryPlan.valid}; findings: ${[...findings].map(([k, n]) => `${k} x${n}`).join(', ') || 'none'}`),
  ];
}

/** Rows measured on another figure's stack in this run (quota-saturation's), answered instead of starting one. */
let measuredElsewhere: BenchRow[] | undefined;

export function graphqlLatencyMeasuredOnSharedStack(rows: BenchRow[]): void {
  measuredElsewhere = rows;
}

export const FULL_SIZE: Size = SIZES.full;

export const graphqlLatencyFigure: BenchFigure = {
  id: 'graphql-latency',
  title: 'GraphQL latency (console queries over HTTP, one at a time)',
  async run(context: BenchContext): Promise<BenchRow[]> {
    if (measuredElsewhere && !context.smoke) {
      context.log('graphql-latency: measured on the quota-saturation stack (5,100 servers, its 1,000-server drill)');
      return measuredElsewhere;
    }
    const size = context.smoke ? SIZES.smoke : SIZES.full;
    const slices = slicesOf(size);
    const drsTimeScale = Math.min(context.drsTimeScale, DRILL_DRS_TIME_SCALE);
    context.log(`graphql-latency: starting a stack over ${size.servers} servers in ${slices.length} regions`);
    const bench = await startBenchStack({ drsTimeScale, fleet: regionalFleet(slices) });
    try {
      const [drillIds = [], ...inventoryIds] = await syncedInventory(bench, slices, context.log);
      const drill = await completedDrill(bench, drillIds, context.log);
      context.log(`graphql-latency: the drill ended ${drill.status} after ${drill.seconds.toFixed(0)} s; measuring`);
      const planServers = inventoryIds.flat().slice(0, size.plan);
      if (planServers.length !== size.plan) throw new Error(`only ${planServers.length} servers for the ${size.plan}-server plan`);
      return await measureGraphqlLatency(bench, size, {
        inventoryServers: size.servers,
        inventoryShape: `${slices.length} regions`,
        drill: { ...drill, servers: size.drill, clockScale: drsTimeScale },
        planServerIds: planServers,
      });
    } finally {
      await bench.stop();
    }
  },
};
