import { newEventId } from '@lifeboat/events';
import type { Actor } from '@lifeboat/events';
import type { TargetSyncResult } from '@lifeboat/service-api';
import { NotFoundError } from '@lifeboat/service-api';
import { awsErrorOf } from './adapters/assumed-roles.js';
import type { GroupAssignment } from './domain/inventory.js';
import { countOf, diffInventory, toSourceServerViews, withAssignment } from './domain/inventory.js';
import { assignmentsOf } from './domain/protection-groups.js';
import type { HomeTarget, SyncTarget } from './domain/targets.js';
import { syncTargetsOf } from './domain/targets.js';
import type { ChangeCause, GroupStore, ServerStore, ServerWrite, SourceServerDirectory, TargetStore } from './ports.js';

export interface InventorySyncDeps {
  drs: SourceServerDirectory;
  store: ServerStore;
  targets: TargetStore;
  groups: GroupStore;
  /** The account and region Lifeboat runs in: synced without configuration. */
  home: HomeTarget;
  /** Accounts and regions synced at once. */
  parallelTargets?: number;
  now?: () => Date;
  log?: (level: 'INFO' | 'WARN' | 'ERROR', message: string, details: unknown) => void;
}

export interface SyncResult {
  discovered: number;
  changed: number;
  removed: number;
  targets: TargetSyncResult[];
}

/** Which accounts and regions a sync covers: all, one account, or one account and region. */
export interface SyncScope {
  accountId?: string;
  region?: string;
}

const defaultLog: NonNullable<InventorySyncDeps['log']> = (level, message, details) => {
  const line = JSON.stringify({ level, message, details });
  if (level === 'ERROR') console.error(line);
  else if (level === 'WARN') console.warn(line);
  else console.info(line);
};

/**
 * A full sync: every configured account and region (and the one Lifeboat runs in), a few at a
 * time. Each lists DRS (every page), diffs the listing against the table and writes only what
 * changed; the table's stream announces each write (src/publishing). A failing account or region
 * does not stop the others: its failure is recorded as its sync status, and the next sync tries
 * again.
 */
export async function syncInventory(deps: InventorySyncDeps, actor: Actor, scope: SyncScope = {}): Promise<SyncResult> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? defaultLog;
  const all = syncTargetsOf(await deps.targets.list(), deps.home);
  const targets = all.filter((t) => (scope.accountId === undefined || t.accountId === scope.accountId) && (scope.region === undefined || t.region === scope.region));
  if (targets.length === 0 && (scope.accountId !== undefined || scope.region !== undefined)) {
    throw new NotFoundError(`no target account${scope.accountId ? ` ${scope.accountId}` : ''}${scope.region ? ` in ${scope.region}` : ''}`, scope.region && all.some((t) => t.accountId === scope.accountId) ? 'region' : 'accountId');
  }
  const assignments = assignmentsOf(await deps.groups.listAll());
  const correlationId = `sync-${newEventId(now())}`;

  const results: TargetSyncResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < targets.length; index = next++) {
      const target = targets[index];
      if (target) results.push(await syncOneTarget(deps, target, assignments, { actor, correlationId }, now, log));
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.parallelTargets ?? 4, targets.length) }, worker));
  results.sort((a, b) => a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region));
  return {
    discovered: results.reduce((n, r) => n + r.discovered, 0),
    changed: results.reduce((n, r) => n + r.changed, 0),
    removed: results.reduce((n, r) => n + r.removed, 0),
    targets: results,
  };
}

async function syncOneTarget(
  deps: InventorySyncDeps,
  target: SyncTarget,
  assignments: Map<string, GroupAssignment>,
  cause: Omit<ChangeCause, 'at'>,
  now: () => Date,
  log: NonNullable<InventorySyncDeps['log']>,
): Promise<TargetSyncResult> {
  const started = now();
  const listedAt = started.toISOString();
  const { accountId, region } = target;
  try {
    const listing = await deps.drs.listSourceServers(target);
    const { servers, refused } = toSourceServerViews(listing, listedAt);
    if (refused.length > 0) log('WARN', 'DRS source servers left out of the catalog', { accountId, region, refused });
    // A server whose ARN names another account or region is not this listing's to keep (and
    // would otherwise be removed and rediscovered by turns).
    const elsewhere = servers.filter((s) => s.accountId !== accountId || s.region !== region);
    if (elsewhere.length > 0) log('WARN', 'DRS listed servers of another account or region', { accountId, region, servers: elsewhere.map((s) => s.arn) });
    const seen = servers.filter((s) => s.accountId === accountId && s.region === region).map((s) => withAssignment(s, assignments.get(s.sourceServerId)));

    const known = await deps.store.listTarget(accountId, region);
    const previous = new Map(known.map((stored) => [stored.server.sourceServerId, stored]));
    const diff = diffInventory(
      known.map((stored) => stored.server),
      seen,
      { listedAt },
    );
    const put = (server: (typeof seen)[number]): ServerWrite => {
      const before = previous.get(server.sourceServerId);
      return { kind: 'put', server, ...(before ? { previous: before } : {}) };
    };
    const writes: ServerWrite[] = [
      ...diff.discovered.map(put),
      ...diff.changed.map((change) => put(change.after)),
      ...diff.refreshed.map(put),
      ...diff.removed.flatMap((server): ServerWrite[] => {
        const before = previous.get(server.sourceServerId);
        return before ? [{ kind: 'remove', previous: before }] : [];
      }),
    ];
    await deps.store.write(writes, { ...cause, at: listedAt });

    const counts = countOf(diff);
    const durationMs = now().getTime() - started.getTime();
    await recordQuietly(deps, log, { accountId, region, status: 'SUCCEEDED', lastAttemptAt: listedAt, lastSuccessAt: listedAt, serverCount: seen.length, ...counts, durationMs });
    return { accountId, region, status: 'SUCCEEDED', ...counts, serverCount: seen.length };
  } catch (error) {
    const failure = awsErrorOf(error);
    log('ERROR', 'DRS sync of an account and region failed', { accountId, region, ...failure });
    await recordQuietly(deps, log, { accountId, region, status: 'FAILED', lastAttemptAt: listedAt, error: failure, durationMs: now().getTime() - started.getTime() });
    return { accountId, region, status: 'FAILED', discovered: 0, changed: 0, removed: 0, serverCount: 0, error: failure };
  }
}

async function recordQuietly(deps: InventorySyncDeps, log: NonNullable<InventorySyncDeps['log']>, status: Parameters<TargetStore['recordSync']>[0]): Promise<void> {
  try {
    await deps.targets.recordSync(status);
  } catch (error) {
    // The sync itself is done: a status that could not be recorded is only logged.
    log('ERROR', 'could not record the sync status', { accountId: status.accountId, region: status.region, ...awsErrorOf(error) });
  }
}
