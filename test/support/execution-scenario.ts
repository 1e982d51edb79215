/**
 * What the execution scenarios over their own fleet do as a client (GraphQL over HTTP): sync the
 * catalog, make protection groups by tag, make plans, and explain a failure with the execution's
 * events.
 */
import path from 'node:path';
import type { Fleet } from '@lifeboat/drs-simulator';
import { eventually, startStackProcess, tempDataDir, type RunningStack } from './local-stack-process.js';
import { GROUP_TAG, writeFleetFile, type ServerChunk } from './scenario-fleet.js';

/**
 * Starts the local stack over `fleet` (LIFEBOAT_DRS_FLEET) without the Orders demo, whose seed
 * needs the demo fleet (LIFEBOAT_DEMO=0). The fleet file lives beside the data folder, so a restart
 * on the same data folder (`fleetFile`) gets the same fleet and the same source server ids.
 */
export async function startFleetStack(options: { fleet?: Fleet; fleetFile?: string; dataDir?: string; adminPassword: string; env?: Record<string, string> }): Promise<{ stack: RunningStack; fleetFile: string }> {
  const dataDir = options.dataDir ?? tempDataDir();
  const fleetFile = options.fleetFile ?? writeFleetFile(path.join(dataDir, '..', `${path.basename(dataDir)}-fleet`), options.fleet ?? { accounts: [], servers: [] });
  const stack = await startStackProcess({ dataDir, adminPassword: options.adminPassword, env: { LIFEBOAT_DEMO: '0', LIFEBOAT_DRS_FLEET: fleetFile, ...options.env } });
  return { stack, fleetFile };
}

type Ok = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

/** The fields of an execution the resilience and scale scenarios read. */
export const EXECUTION_FIELDS = `id status failureReason completedAt
  waves { id name status failureReason servers { sourceServerId hostname status criticality attempts jobId } }`;
/** The fields of each stream event they read. */
export const STREAM_FIELDS = 'streamVersion type occurredAt data';

export interface ExecutionServerView {
  sourceServerId: string;
  hostname: string;
  status: string;
  criticality: string;
  attempts: number;
  jobId: string | null;
}
export interface ExecutionView {
  id: string;
  status: string;
  failureReason: string | null;
  completedAt: string | null;
  waves: { id: string; name: string; status: string; failureReason: string | null; servers: ExecutionServerView[] }[];
}
export interface StreamEventView {
  streamVersion: number;
  type: string;
  occurredAt: string;
  data: { waveId?: string; sourceServerId?: string; jobId?: string; batchId?: string; sourceServerIds?: string[]; reason?: string };
}

/** Lists DRS now (a fleet without the demo is not synced until asked, or until the 5-minute schedule). */
export async function syncCatalog(ok: Ok): Promise<number> {
  const { syncSourceServers } = await ok<{ syncSourceServers: { targets: { status: string; serverCount: number }[] } }>('mutation { syncSourceServers { targets { status serverCount } } }');
  const failed = syncSourceServers.targets.filter((t) => t.status !== 'SUCCEEDED');
  if (failed.length > 0) throw new Error(`the catalog sync failed: ${JSON.stringify(syncSourceServers)}`);
  return syncSourceServers.targets.reduce((n, t) => n + t.serverCount, 0);
}

/**
 * Waits until planning knows the `expected` servers carrying `tag` (at most 95: a preview is a
 * protection group's definition), i.e. until it learned them from the catalog's events.
 */
export async function planningKnows(ok: Ok, tag: { key: string; value: string }, expected: number, waitMs = 60_000): Promise<void> {
  const input = { accountId: '123456789012', region: 'us-east-1', tagSelectors: [{ tags: [tag] }] };
  await eventually(async () => {
    const { previewProtectionGroup } = await ok<{ previewProtectionGroup: { sourceServerIds: string[] } }>('query($input: PreviewProtectionGroupInput!) { previewProtectionGroup(input: $input) { sourceServerIds } }', { input });
    return previewProtectionGroup.sourceServerIds.length === expected ? true : undefined;
  }, waitMs, `planning knowing the ${expected} servers tagged ${tag.key}=${tag.value}`);
}

/**
 * A protection group of the servers carrying `tag`, once planning knows all `expected` of them
 * (planning learns the inventory from the catalog's events). Answers its id and members.
 */
export async function groupByTag(ok: Ok, name: string, tag: { key: string; value: string }, expected: number, waitMs = 60_000): Promise<{ id: string; sourceServerIds: string[] }> {
  const definition = { name, accountId: '123456789012', region: 'us-east-1', tagSelectors: [{ tags: [tag] }] };
  await planningKnows(ok, tag, expected, waitMs);
  const { createProtectionGroup } = await ok<{ createProtectionGroup: { id: string; sourceServerIds: string[] } }>('mutation($input: CreateProtectionGroupInput!) { createProtectionGroup(input: $input) { id sourceServerIds } }', { input: definition });
  if (createProtectionGroup.sourceServerIds.length !== expected) throw new Error(`group ${name} holds ${createProtectionGroup.sourceServerIds.length} servers, not ${expected}`);
  return createProtectionGroup;
}

/** One protection group per chunk (see groupedServers), created one after the other. */
export async function groupsOfChunks(ok: Ok, namePrefix: string, chunks: readonly ServerChunk[], waitMs = 60_000): Promise<{ id: string; sourceServerIds: string[] }[]> {
  const groups = [];
  for (const chunk of chunks) groups.push(await groupByTag(ok, `${namePrefix} ${chunk.tagValue}`, { key: GROUP_TAG, value: chunk.tagValue }, chunk.size, waitMs));
  return groups;
}

/** Creates a plan (waves as CreateRecoveryPlanInput takes them); answers its id and wave ids by name. */
export async function createPlan(ok: Ok, name: string, waves: Record<string, unknown>[]): Promise<{ id: string; waveIds: Record<string, string> }> {
  const { createRecoveryPlan } = await ok<{ createRecoveryPlan: { id: string; waves: { id: string; name: string }[]; findings: { severity: string; code: string; message: string }[] } }>(
    'mutation($input: CreateRecoveryPlanInput!) { createRecoveryPlan(input: $input) { id waves { id name } findings { severity code message } } }',
    { input: { name, waves } },
  );
  return { id: createRecoveryPlan.id, waveIds: Object.fromEntries(createRecoveryPlan.waves.map((w) => [w.name, w.id])) };
}

/** Source server ids by hostname (from the catalog). */
export async function serverIdsByHostname(ok: Ok, search: string): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  let after: string | null = null;
  do {
    const page: { sourceServers: { items: { id: string; hostname: string }[]; nextCursor: string | null } } = await ok('query($search: String, $after: String) { sourceServers(first: 1000, after: $after, filter: { search: $search }) { items { id hostname } nextCursor } }', { search, after });
    for (const s of page.sourceServers.items) ids.set(s.hostname, s.id);
    after = page.sourceServers.nextCursor;
  } while (after);
  return ids;
}

/** One line per event: version, type and the ids that matter (for a failure message). */
export function describeStream(events: readonly StreamEventView[], limit = 400): string {
  const lines = events.map((e) => {
    const d = e.data;
    const parts = [d.waveId && `wave=${d.waveId}`, d.batchId && `batch=${d.batchId}`, d.jobId && `job=${d.jobId}`, d.sourceServerId && `server=${d.sourceServerId}`, d.sourceServerIds && `servers=${d.sourceServerIds.length}`, d.reason && `reason=${d.reason}`].filter(Boolean);
    return `  #${e.streamVersion} ${e.occurredAt} ${e.type} ${parts.join(' ')}`;
  });
  const shown = lines.length > limit ? [...lines.slice(0, limit / 2), `  ... ${lines.length - limit} more ...`, ...lines.slice(-limit / 2)] : lines;
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return [`${events.length} events (${[...counts.entries()].map(([t, n]) => `${t} x${n}`).join(', ')}):`, ...shown].join('\n');
}

/**
 * Runs `body`; when it throws, prints each execution's events (the explanation), and the end of
 * the stack's output when given, before the error goes on to fail the test.
 */
export async function explainingFailure<T>(streamOf: (id: string) => Promise<StreamEventView[]>, executionIds: () => readonly string[], body: () => Promise<T>, stackOutput?: () => string): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (stackOutput) console.log(`The local stack's last output:\n${stackOutput().split('\n').slice(-60).join('\n')}`);
    for (const id of executionIds()) {
      const described = await streamOf(id).then(describeStream, (e: unknown) => `(could not read the events: ${String(e)})`);
      console.log(`Events of execution ${id}:\n${described}`);
    }
    throw error;
  }
}
