import { createEvent, newEventId } from '@lifeboat/events';
import type { Actor, DomainEvent } from '@lifeboat/events';
import type { SourceServerView } from '@lifeboat/service-api';
import type { DrsSourceServer } from './domain/inventory.js';
import { countOf, diffInventory, inventoryEventsOf, toSourceServerViews } from './domain/inventory.js';

/** Lists every source server DRS knows in one account and region (all pages). */
export interface SourceServerDirectory {
  listSourceServers(): Promise<DrsSourceServer[]>;
}

/** The catalog's table of known servers. */
export interface ServerStore {
  listAll(): Promise<SourceServerView[]>;
  /** Creates or replaces. */
  save(servers: readonly SourceServerView[]): Promise<void>;
  remove(sourceServerIds: readonly string[]): Promise<void>;
}

export interface EventSink {
  publish(events: DomainEvent[], resources?: (event: DomainEvent) => string[]): Promise<void>;
}

export interface InventorySyncDeps {
  drs: SourceServerDirectory;
  store: ServerStore;
  events: EventSink;
  /** The region the DRS client lists: known servers of other regions are not this sync's to remove. */
  region: string;
  now?: () => Date;
  warn?: (message: string, details: unknown) => void;
}

export interface SyncResult {
  discovered: number;
  changed: number;
  removed: number;
}

/**
 * One full sync: list DRS, diff against the table, announce the differences, then record them.
 *
 * Events are published before the table is written, so a failure in between makes the next sync
 * find (and announce) the same differences again: at least once, never lost. Consumers are
 * idempotent and the events carry whole states, so a repeat is harmless.
 */
export async function syncInventory(deps: InventorySyncDeps, actor: Actor): Promise<SyncResult> {
  const now = (deps.now ?? (() => new Date()))();
  const seenAt = now.toISOString();
  const listing = await deps.drs.listSourceServers();
  const { servers: seen, refused } = toSourceServerViews(listing, seenAt);
  if (refused.length > 0) (deps.warn ?? defaultWarn)('DRS source servers left out of the catalog', refused);

  const known = (await deps.store.listAll()).filter((server) => server.region === deps.region);
  // A server DRS lists in another region than the client's would otherwise be removed and
  // rediscovered by turns; keep the comparison within the region.
  const diff = diffInventory(known, seen.filter((server) => server.region === deps.region));

  const correlationId = `sync-${newEventId(now)}`;
  const arns = new Map<string, string>();
  const events = inventoryEventsOf(diff).map((payload) => {
    const event = createEvent(payload.type, payload.data, { correlationId, actor, occurredAt: seenAt });
    arns.set(event.metadata.eventId, payload.arn);
    return event as DomainEvent;
  });
  await deps.events.publish(events, (event) => {
    const arn = arns.get(event.metadata.eventId);
    return arn ? [arn] : [];
  });

  // Unchanged servers are written too, so that lastSeenAt tells when DRS last listed them.
  await deps.store.save([...diff.discovered, ...diff.changed.map((change) => change.after), ...diff.unchanged]);
  await deps.store.remove(diff.removed.map((server) => server.sourceServerId));
  return countOf(diff);
}

function defaultWarn(message: string, details: unknown): void {
  console.warn(JSON.stringify({ level: 'WARN', message, details }));
}
