import { describe, expect, it } from '@jest/globals';
import type { DomainEvent } from '@lifeboat/events';
import { validateEventDetail } from '@lifeboat/events';
import { InMemoryServerStore } from '../src/adapters/in-memory-servers.js';
import type { DrsSourceServer } from '../src/domain/inventory.js';
import type { EventSink } from '../src/inventory-sync.js';
import { syncInventory } from '../src/inventory-sync.js';
import { drsServer, serverId, view } from './support/fixtures.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const ACTOR = { type: 'system' as const, id: 'test' };

function recordingSink(failWith?: Error): EventSink & { events: DomainEvent[]; resources: string[][] } {
  const sink = {
    events: [] as DomainEvent[],
    resources: [] as string[][],
    async publish(events: DomainEvent[], resources: (event: DomainEvent) => string[] = () => []) {
      if (failWith) throw failWith;
      for (const event of events) {
        validateEventDetail(event.type, { metadata: event.metadata, data: event.data });
        sink.events.push(event);
        sink.resources.push(resources(event));
      }
    },
  };
  return sink;
}

function setup(known: ReturnType<typeof view>[], listing: DrsSourceServer[], sink = recordingSink()) {
  const store = new InMemoryServerStore(known);
  const deps = { drs: { listSourceServers: async () => listing }, store, events: sink, region: 'us-east-1', now: () => NOW, warn: () => {} };
  return { store, sink, run: () => syncInventory(deps, ACTOR) };
}

describe('syncInventory', () => {
  it('announces and records what changed in DRS, with valid events', async () => {
    const { store, sink, run } = setup([view(1), view(2)], [drsServer({ n: 2, state: 'STALLED' }), drsServer({ n: 3 })]);

    const result = await run();

    expect(result).toEqual({ discovered: 1, changed: 1, removed: 1 });
    expect(sink.events.map((e) => [e.type, (e.data as { sourceServerId: string }).sourceServerId])).toEqual([
      ['SourceServerDiscovered', serverId(3)],
      ['SourceServerChanged', serverId(2)],
      ['SourceServerRemoved', serverId(1)],
    ]);
    expect(sink.events.every((e) => e.metadata.occurredAt === NOW.toISOString() && e.metadata.actor === ACTOR)).toBe(true);
    expect(new Set(sink.events.map((e) => e.metadata.correlationId)).size).toBe(1);
    expect(sink.resources[0]).toEqual([`arn:aws:drs:us-east-1:123456789012:source-server/${serverId(3)}`]);
    expect([...store.servers.keys()].sort()).toEqual([serverId(2), serverId(3)]);
    expect(store.servers.get(serverId(2))).toMatchObject({ replicationState: 'STALLED', readyForRecovery: false, lastSeenAt: NOW.toISOString() });
  });

  it('announces nothing the second time', async () => {
    const { sink, run } = setup([], [drsServer({ n: 1 })]);
    await run();
    const second = await run();
    expect(second).toEqual({ discovered: 0, changed: 0, removed: 0 });
    expect(sink.events).toHaveLength(1);
  });

  it('records nothing when the events could not be published, so the next sync announces again', async () => {
    const { store, run } = setup([view(1)], [drsServer({ n: 2 })], recordingSink(new Error('bus down')));
    await expect(run()).rejects.toThrow('bus down');
    expect([...store.servers.keys()]).toEqual([serverId(1)]);
  });

  it('leaves the servers of other regions alone', async () => {
    const elsewhere = view(9, { region: 'eu-west-1', arn: `arn:aws:drs:eu-west-1:123456789012:source-server/${serverId(9)}` });
    const { store, sink, run } = setup([elsewhere], []);
    await run();
    expect(sink.events).toEqual([]);
    expect(store.servers.has(serverId(9))).toBe(true);
  });
});
