import { describe, expect, it } from '@jest/globals';
import type { InventoryEvent, InventoryRecord } from '../src/domain/inventory.js';
import { TOMBSTONE_TTL_SECONDS, inventoryRecordOf, serverOf, supersedes } from '../src/domain/inventory.js';
import { server, serverId } from './support/fixtures.js';

let clock = 0;
/** An event of the catalog at second `at` (ULIDs sort like their time). */
function event(type: InventoryEvent['type'], at: number, overrides: Record<string, unknown> = {}): InventoryEvent {
  const metadata = { eventId: `01J${String(at).padStart(10, '0')}${String(clock++).padStart(13, '0')}`, occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, at)).toISOString() };
  if (type === 'SourceServerRemoved') return { type, data: { sourceServerId: serverId(1), accountId: '123456789012', region: 'us-east-1' }, metadata };
  if (type === 'SourceServerChanged') return { type, data: { ...server(1), changedFields: ['hostname'], ...overrides }, metadata };
  return { type, data: { ...server(1), ...overrides }, metadata };
}

/** given nothing / when these events arrive in this order / then the projection holds this record. */
function whenArrive(...events: InventoryEvent[]) {
  let current: InventoryRecord | undefined;
  for (const e of events) {
    const record = inventoryRecordOf(e);
    if (supersedes(record, current)) current = record;
  }
  return { then: (check: (record: InventoryRecord | undefined) => void) => check(current) };
}

describe('planning’s inventory projection', () => {
  it('knows a discovered server', () => {
    whenArrive(event('SourceServerDiscovered', 1)).then((record) => expect(serverOf(record)).toEqual(server(1)));
  });

  it('keeps the latest state whatever the order of arrival', () => {
    const discovered = event('SourceServerDiscovered', 1);
    const changed = event('SourceServerChanged', 2, { hostname: 'renamed' });
    whenArrive(changed, discovered).then((record) => expect(serverOf(record)?.hostname).toBe('renamed'));
    whenArrive(discovered, changed).then((record) => expect(serverOf(record)?.hostname).toBe('renamed'));
  });

  it('ignores a duplicate', () => {
    const changed = event('SourceServerChanged', 2, { hostname: 'renamed' });
    whenArrive(event('SourceServerDiscovered', 1), changed, changed).then((record) => expect(serverOf(record)?.hostname).toBe('renamed'));
  });

  it('does not bring back a removed server when an older change arrives late', () => {
    const removed = event('SourceServerRemoved', 3);
    whenArrive(event('SourceServerDiscovered', 1), removed, event('SourceServerChanged', 2)).then((record) => {
      expect(serverOf(record)).toBeUndefined();
      expect(record).toMatchObject({ removed: true, expiration: Date.UTC(2025, 0, 1, 0, 0, 3) / 1000 + TOMBSTONE_TTL_SECONDS });
    });
  });

  it('knows a server rediscovered after its removal', () => {
    whenArrive(event('SourceServerDiscovered', 1), event('SourceServerRemoved', 2), event('SourceServerDiscovered', 3)).then((record) => expect(serverOf(record)).toEqual(server(1)));
  });

  it('drops changedFields: the record is the server’s state', () => {
    whenArrive(event('SourceServerChanged', 1)).then((record) => expect(record).not.toHaveProperty('changedFields'));
  });
});
