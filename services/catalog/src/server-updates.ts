import type { Actor } from '@lifeboat/events';
import { ConflictError } from '@lifeboat/service-api';
import { changedFieldsOf, needsRefresh, parseSourceServerArn, toSourceServerView, withAssignment } from './domain/inventory.js';
import type { HomeTarget } from './domain/targets.js';
import { syncTargetsOf } from './domain/targets.js';
import type { ServerStore, SourceServerDirectory, TargetStore } from './ports.js';

export interface ServerUpdateDeps {
  drs: SourceServerDirectory;
  store: ServerStore;
  targets: TargetStore;
  home: HomeTarget;
  now?: () => Date;
  log?: (level: 'INFO' | 'WARN', message: string, details: unknown) => void;
}

export type ServerUpdateOutcome = 'changed' | 'unchanged' | 'unknown-target' | 'not-in-drs' | 'unusable';

/** Attempts of read-describe-write when another writer changes the server meanwhile. */
const MAX_ATTEMPTS = 5;

/**
 * Brings one server up to date after a DRS event about it (replication stalled or no longer,
 * launch result): describes it in its account and region and writes it if anything changed. The
 * event only says that something changed; DescribeSourceServers says what (the new replication
 * state, lag, last launch and recovery instance). Running it twice changes nothing the second
 * time, so a duplicated or late event is harmless. The write is conditional on the revision read,
 * so a concurrent write is never overwritten with older data.
 */
export async function refreshServer(deps: ServerUpdateDeps, sourceServerArn: string, cause: { actor: Actor; correlationId: string; causationId: string }): Promise<ServerUpdateOutcome> {
  const log = deps.log ?? ((level, message, details) => console.warn(JSON.stringify({ level, message, details })));
  const now = deps.now ?? (() => new Date());
  const ref = parseSourceServerArn(sourceServerArn);
  if (!ref) {
    log('WARN', 'a DRS event names no source server', { sourceServerArn });
    return 'unusable';
  }
  const target = syncTargetsOf(await deps.targets.list(), deps.home).find((t) => t.accountId === ref.accountId && t.region === ref.region);
  if (!target) {
    log('WARN', 'a DRS event of an account and region the catalog does not list', ref);
    return 'unknown-target';
  }
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const previous = await deps.store.get(ref.sourceServerId);
    const observedAt = now().toISOString();
    const described = await deps.drs.describeSourceServer(target, ref.sourceServerId);
    // A server DRS no longer knows is removed by the next sync, which sees the whole listing.
    if (!described) return 'not-in-drs';
    const mapped = toSourceServerView(described, observedAt);
    if (!mapped.ok) {
      log('WARN', 'a DRS source server left out of the catalog', { reference: mapped.reference, reason: mapped.reason });
      return 'unusable';
    }
    const group = previous?.server.protectionGroupId ? { protectionGroupId: previous.server.protectionGroupId, name: previous.server.protectionGroupName ?? '' } : undefined;
    const server = withAssignment(mapped.server, group);
    if (previous && changedFieldsOf(previous.server, server).length === 0 && !needsRefresh(previous.server, server)) return 'unchanged';
    const written = await deps.store.writeIfUnchanged({ kind: 'put', server, ...(previous ? { previous } : {}) }, { ...cause, at: observedAt });
    if (written) return 'changed';
  }
  throw new ConflictError(`source server ${ref.sourceServerId} kept changing while it was updated`, 'sourceServerId');
}
