import type { Actor } from '@lifeboat/events';
import type { SourceServerView } from '@lifeboat/service-api';
import { ConflictError } from '@lifeboat/service-api';
import type { DrsSourceServer } from './domain/inventory.js';
import { ACCOUNT_ID, REGION, SOURCE_SERVER_ID, changedFieldsOf, needsRefresh, parseSourceServerArn, toSourceServerView, withAssignment } from './domain/inventory.js';
import type { HomeTarget, SyncTarget } from './domain/targets.js';
import { syncTargetsOf, targetKeyOf } from './domain/targets.js';
import type { ServerStore, SourceServerDirectory, StoredServer, TargetStore } from './ports.js';
import { MAX_IDS_PER_DESCRIBE } from './ports.js';

export interface ServerUpdateDeps {
  drs: SourceServerDirectory;
  store: ServerStore;
  targets: TargetStore;
  home: HomeTarget;
  now?: () => Date;
  log?: (level: 'INFO' | 'WARN', message: string, details: unknown) => void;
}

export type ServerUpdateOutcome = 'changed' | 'unchanged' | 'unknown-target' | 'not-in-drs' | 'unusable';

/** Who and what asked for a refresh: the metadata of the events its write announces. */
export interface RefreshCause {
  actor: Actor;
  correlationId: string;
  causationId: string;
}

/**
 * What a batch refresh did for one ARN: an outcome, or the error that stopped it (DescribeSourceServers
 * throttled or refused, the table failed, the server kept changing). A failed server is worth
 * another try; the other outcomes are final.
 */
export type ServerRefreshResult = { outcome: ServerUpdateOutcome } | { outcome: 'failed'; error: unknown };

/** Attempts of read-describe-write when another writer changes the server meanwhile. */
const MAX_ATTEMPTS = 5;

/**
 * Table reads and writes of a batch in flight at once: enough to keep a batch of hundreds of
 * servers short, few enough not to open hundreds of sockets or spike the table.
 */
const STORE_CONCURRENCY = 25;

type Log = NonNullable<ServerUpdateDeps['log']>;

const defaultLog: Log = (level, message, details) => console.warn(JSON.stringify({ level, message, details }));

/** A source server named by a DRS event, with the account and region to describe it in. */
interface ServerRef {
  accountId: string;
  region: string;
  sourceServerId: string;
}

/**
 * The server an ARN names, if its id, account and region have DRS's shapes. A malformed id is
 * refused here rather than sent: DescribeSourceServers would refuse the whole call, and with it
 * every other server of the batch.
 */
function serverRefOf(sourceServerArn: string): ServerRef | undefined {
  const ref = parseSourceServerArn(sourceServerArn);
  if (!ref || !SOURCE_SERVER_ID.test(ref.sourceServerId) || !ACCOUNT_ID.test(ref.accountId) || !REGION.test(ref.region)) return undefined;
  return ref;
}

type Comparison = { outcome: 'not-in-drs' | 'unusable' | 'unchanged' } | { outcome: 'write'; server: SourceServerView };

/** What to do with a server, given what the table holds and what DRS answered about it. */
function compare(previous: StoredServer | undefined, described: DrsSourceServer | undefined, observedAt: string, log: Log): Comparison {
  // A server DRS no longer knows is removed by the next sync, which sees the whole listing.
  if (!described) return { outcome: 'not-in-drs' };
  const mapped = toSourceServerView(described, observedAt);
  if (!mapped.ok) {
    log('WARN', 'a DRS source server left out of the catalog', { reference: mapped.reference, reason: mapped.reason });
    return { outcome: 'unusable' };
  }
  const group = previous?.server.protectionGroupId ? { protectionGroupId: previous.server.protectionGroupId, name: previous.server.protectionGroupName ?? '' } : undefined;
  const server = withAssignment(mapped.server, group);
  if (previous && changedFieldsOf(previous.server, server).length === 0 && !needsRefresh(previous.server, server)) return { outcome: 'unchanged' };
  return { outcome: 'write', server };
}

/** The write of `server`, conditional on the revision read (or on its absence). */
function putIfUnchanged(deps: ServerUpdateDeps, server: SourceServerView, previous: StoredServer | undefined, cause: RefreshCause, observedAt: string): Promise<boolean> {
  return deps.store.writeIfUnchanged({ kind: 'put', server, ...(previous ? { previous } : {}) }, { ...cause, at: observedAt });
}

/** Read, describe, compare, conditional write; again while another writer wins. */
async function refreshOne(deps: ServerUpdateDeps, target: SyncTarget, sourceServerId: string, cause: RefreshCause): Promise<ServerUpdateOutcome> {
  const log = deps.log ?? defaultLog;
  const now = deps.now ?? (() => new Date());
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const previous = await deps.store.get(sourceServerId);
    const observedAt = now().toISOString();
    const described = (await deps.drs.describeSourceServers(target, [sourceServerId])).find((s) => s.sourceServerID === sourceServerId);
    const next = compare(previous, described, observedAt, log);
    if (next.outcome !== 'write') return next.outcome;
    if (await putIfUnchanged(deps, next.server, previous, cause, observedAt)) return 'changed';
  }
  throw new ConflictError(`source server ${sourceServerId} kept changing while it was updated`, 'sourceServerId');
}

/** A server of a batch: the ARNs that named it (each gets its result) and the cause of its write. */
interface BatchServer {
  sourceServerId: string;
  arns: string[];
  cause: RefreshCause;
}

/** The servers of one account and region in a batch, by id. */
interface TargetBatch {
  target: SyncTarget;
  servers: Map<string, BatchServer>;
}

/**
 * Brings the servers named by the DRS events of one delivery up to date (replication stalled or
 * no longer, launch results; 1,000 launched servers give 1,000 events): the events only say that
 * something changed, DescribeSourceServers says what. One DescribeSourceServers per 200 servers of
 * an account and region, since DRS APIs are rate-limited. Each server is then read, compared and
 * written if it changed, conditionally on the revision read (a concurrent write is never
 * overwritten with older data; running it twice changes nothing the second time); a write that
 * loses to another writer falls back to refreshOne's loop for that server alone (it describes it again).
 *
 * An ARN named twice is described once and both get its result. ARNs that name no DRS source
 * server get 'unusable', those of an account and region the catalog does not list
 * 'unknown-target'. When DescribeSourceServers fails in an account and region (throttled, access
 * denied), its servers get the error and those of the other accounts and regions go on. Results
 * are keyed by ARN, as given. `cause` is the same for all, or per ARN (the event that named it).
 */
export async function refreshServers(
  deps: ServerUpdateDeps,
  sourceServerArns: readonly string[],
  cause: RefreshCause | ((sourceServerArn: string) => RefreshCause),
): Promise<Map<string, ServerRefreshResult>> {
  const log = deps.log ?? defaultLog;
  const causeOf = typeof cause === 'function' ? cause : () => cause;
  const results = new Map<string, ServerRefreshResult>();

  const refs: { arn: string; ref: ServerRef }[] = [];
  for (const arn of new Set(sourceServerArns)) {
    const ref = serverRefOf(arn);
    if (ref) refs.push({ arn, ref });
    else results.set(arn, { outcome: 'unusable' });
  }
  const unusable = [...results.keys()];
  if (unusable.length > 0) log('WARN', 'DRS events that name no source server', { sourceServerArns: unusable });
  if (refs.length === 0) return results;

  const targets = new Map(syncTargetsOf(await deps.targets.list(), deps.home).map((t) => [targetKeyOf(t), t]));
  const batches = new Map<string, TargetBatch>();
  const unknown = new Map<string, { accountId: string; region: string; sourceServerIds: string[] }>();
  for (const { arn, ref } of refs) {
    const key = targetKeyOf(ref);
    const target = targets.get(key);
    if (!target) {
      results.set(arn, { outcome: 'unknown-target' });
      const entry = unknown.get(key) ?? { accountId: ref.accountId, region: ref.region, sourceServerIds: [] };
      entry.sourceServerIds.push(ref.sourceServerId);
      unknown.set(key, entry);
      continue;
    }
    const batch = batches.get(key) ?? { target, servers: new Map<string, BatchServer>() };
    const server = batch.servers.get(ref.sourceServerId);
    // The same server under another spelling of its ARN: described and written once too.
    if (server) server.arns.push(arn);
    else batch.servers.set(ref.sourceServerId, { sourceServerId: ref.sourceServerId, arns: [arn], cause: causeOf(arn) });
    batches.set(key, batch);
  }
  for (const entry of unknown.values()) log('WARN', 'DRS events of an account and region the catalog does not list', entry);

  // Accounts and regions have their own DRS quotas: refreshed side by side.
  await Promise.all([...batches.values()].map((batch) => refreshTarget(deps, batch, results)));
  return results;
}

/** The servers of one account and region, 200 per DescribeSourceServers. */
async function refreshTarget(deps: ServerUpdateDeps, batch: TargetBatch, results: Map<string, ServerRefreshResult>): Promise<void> {
  const log = deps.log ?? defaultLog;
  const record = (server: BatchServer, result: ServerRefreshResult) => {
    for (const arn of server.arns) results.set(arn, result);
  };
  const servers = [...batch.servers.values()];
  for (let start = 0; start < servers.length; start += MAX_IDS_PER_DESCRIBE) {
    try {
      const outcomes = await refreshChunk(deps, batch.target, servers.slice(start, start + MAX_IDS_PER_DESCRIBE));
      for (const [server, result] of outcomes) record(server, result);
    } catch (error) {
      // DescribeSourceServers failed (the SDK already retried a throttle): the rest of this
      // account and region would meet the same refusal, so its servers fail now, to be retried.
      const failed = servers.slice(start);
      for (const server of failed) record(server, { outcome: 'failed', error });
      log('WARN', 'DescribeSourceServers failed; the DRS events of these servers are not applied', {
        accountId: batch.target.accountId,
        region: batch.target.region,
        servers: failed.length,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return;
    }
  }
}

/**
 * Up to 200 servers of one account and region: read them, describe them in one call, write those
 * that changed. Reading before describing is what makes the conditional write safe: a write that
 * lands in between (a sync, another event) makes ours lose instead of overwriting newer data.
 * Throws only when the describe fails; a server whose read or write fails gets its error.
 */
async function refreshChunk(deps: ServerUpdateDeps, target: SyncTarget, servers: readonly BatchServer[]): Promise<Map<BatchServer, ServerRefreshResult>> {
  const log = deps.log ?? defaultLog;
  const now = deps.now ?? (() => new Date());
  const results = new Map<BatchServer, ServerRefreshResult>();

  const previousOf = new Map<BatchServer, StoredServer | undefined>();
  await mapConcurrently(servers, STORE_CONCURRENCY, async (server) => {
    try {
      previousOf.set(server, await deps.store.get(server.sourceServerId));
    } catch (error) {
      results.set(server, { outcome: 'failed', error });
    }
  });
  const reads = servers.filter((server) => previousOf.has(server)).map((server) => ({ server, previous: previousOf.get(server) }));
  if (reads.length === 0) return results;

  const observedAt = now().toISOString();
  const described = new Map<string, DrsSourceServer>();
  for (const item of await deps.drs.describeSourceServers(target, reads.map((read) => read.server.sourceServerId))) {
    if (item.sourceServerID) described.set(item.sourceServerID, item);
  }

  await mapConcurrently(reads, STORE_CONCURRENCY, async ({ server, previous }) => {
    results.set(server, await applyDescribed(deps, target, server, previous, described.get(server.sourceServerId), observedAt, log));
  });
  return results;
}

/** Compare and conditional write of one described server; a lost write falls back to refreshOne's loop. */
async function applyDescribed(
  deps: ServerUpdateDeps,
  target: SyncTarget,
  server: BatchServer,
  previous: StoredServer | undefined,
  described: DrsSourceServer | undefined,
  observedAt: string,
  log: Log,
): Promise<ServerRefreshResult> {
  try {
    const next = compare(previous, described, observedAt, log);
    if (next.outcome !== 'write') return { outcome: next.outcome };
    if (await putIfUnchanged(deps, next.server, previous, server.cause, observedAt)) return { outcome: 'changed' };
    // Someone wrote the server since it was read: what was described may be older than what they
    // wrote, so it is described again on its own.
    return { outcome: await refreshOne(deps, target, server.sourceServerId, server.cause) };
  } catch (error) {
    return { outcome: 'failed', error };
  }
}

/** `work` over every item, at most `limit` at a time. */
async function mapConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) await work(items[index] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
