import type { SourceServerData } from '@lifeboat/events';
/**
 * Planning's own copy of the DRS inventory, projected from the catalog's events (planning never
 * reads the catalog's tables). Events arrive at least once and in any order, so each record keeps
 * the position of the event it came from and only a later event replaces it; a removal leaves a
 * tombstone so that a late SourceServerChanged cannot bring the server back.
 */

/** A source server as planning knows it: what the catalog announced. */
export type InventoryServer = SourceServerData;

export type InventoryRecord =
  | ({ removed: false; position: string } & InventoryServer)
  | { removed: true; position: string; sourceServerId: string; accountId: string; region: string; expiration: number };

/** The events of lifeboat.catalog that the projection reads (their data as the schemas define it). */
export type InventoryEvent =
  | { type: 'SourceServerDiscovered'; data: InventoryServer; metadata: { eventId: string; occurredAt: string } }
  | { type: 'SourceServerChanged'; data: InventoryServer & { changedFields: string[] }; metadata: { eventId: string; occurredAt: string } }
  | { type: 'SourceServerRemoved'; data: { sourceServerId: string; accountId: string; region: string }; metadata: { eventId: string; occurredAt: string } };

export const INVENTORY_EVENT_TYPES = ['SourceServerDiscovered', 'SourceServerChanged', 'SourceServerRemoved'] as const;

/** How long a tombstone outlives its removal: longer than any event can be late. */
export const TOMBSTONE_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Where an event stands in the catalog's history: its time, then its ULID (monotonic within one
 * sync). Positions compare as strings.
 */
export function positionOf(event: { metadata: { eventId: string; occurredAt: string } }): string {
  return `${new Date(event.metadata.occurredAt).toISOString()}#${event.metadata.eventId}`;
}

/** The record an event leaves behind (to be stored only if no later event was stored already). */
export function inventoryRecordOf(event: InventoryEvent): InventoryRecord {
  const position = positionOf(event);
  switch (event.type) {
    case 'SourceServerDiscovered':
    case 'SourceServerChanged': {
      const { sourceServerId, accountId, region, arn, hostname, os, tags, replicationState, stagingAccountId } = event.data;
      return {
        removed: false,
        position,
        sourceServerId,
        accountId,
        region,
        arn,
        hostname,
        os,
        tags,
        replicationState,
        ...(stagingAccountId !== undefined ? { stagingAccountId } : {}),
      };
    }
    case 'SourceServerRemoved': {
      const expiration = Math.floor(new Date(event.metadata.occurredAt).getTime() / 1000) + TOMBSTONE_TTL_SECONDS;
      return { removed: true, position, sourceServerId: event.data.sourceServerId, accountId: event.data.accountId, region: event.data.region, expiration };
    }
    default: {
      const unknown: never = event;
      throw new Error(`Not an inventory event: ${(unknown as { type: string }).type}`);
    }
  }
}

/** Whether `record` should replace `current` (the in-memory form of the store's condition). */
export function supersedes(record: InventoryRecord, current: InventoryRecord | undefined): boolean {
  return current === undefined || current.position < record.position;
}

/** The server of a live record; undefined for a tombstone. */
export function serverOf(record: InventoryRecord | undefined): InventoryServer | undefined {
  if (!record || record.removed) return undefined;
  const { removed: _removed, position: _position, ...server } = record;
  return server;
}
