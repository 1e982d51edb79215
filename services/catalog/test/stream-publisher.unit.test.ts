import { describe, expect, it } from '@jest/globals';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DomainEvent } from '@lifeboat/events';
import { validateEventDetail } from '@lifeboat/events';
import { itemOf, tombstoneOf } from '../src/adapters/servers-table.js';
import type { ChangeCause, StoredServer } from '../src/ports.js';
import { deterministicEventId, eventsOfStream, publishChanges } from '../src/publishing/stream-publisher.js';
import type { ServersStreamEvent } from '../src/publishing/stream-publisher.js';
import { serverId, view } from './support/fixtures.js';

const CAUSE: ChangeCause = { at: '2025-06-01T12:00:00.000Z', actor: { type: 'user', id: 'u-1', name: 'ann' }, correlationId: 'sync-1', causationId: null };

function image(item: Record<string, unknown>): Record<string, unknown> {
  return marshall(item, { removeUndefinedValues: true }) as Record<string, unknown>;
}

function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', oldItem?: Record<string, unknown>, newItem?: Record<string, unknown>): ServersStreamEvent['Records'][number] {
  return { eventName, dynamodb: { ...(oldItem ? { OldImage: image(oldItem) } : {}), ...(newItem ? { NewImage: image(newItem) } : {}) } };
}

const stored = (server = view(1)): StoredServer => ({ server, revision: 1, changedAt: '2025-06-01T11:00:00.000Z' });

describe('the servers table stream, announced', () => {
  it('announces an insert, a change, a removal, each with its cause as metadata and a valid detail', () => {
    const inserted = itemOf(view(1), 1, CAUSE.at, CAUSE);
    const changed = itemOf(view(1, { replicationState: 'STALLED' }), 2, '2025-06-01T12:05:00.000Z', { ...CAUSE, at: '2025-06-01T12:05:00.000Z', actor: { type: 'system', id: 'aws.drs' }, correlationId: 'drs-event-1', causationId: 'evt-1' });
    const removed = tombstoneOf({ server: view(1, { replicationState: 'STALLED' }), revision: 2, changedAt: '2025-06-01T12:05:00.000Z' }, '2025-06-01T12:10:00.000Z', { ...CAUSE, at: '2025-06-01T12:10:00.000Z' });

    const { events, arns } = eventsOfStream({ Records: [record('INSERT', undefined, inserted), record('MODIFY', inserted, changed), record('MODIFY', changed, removed)] });

    expect(events.map((e) => e.type)).toEqual(['SourceServerDiscovered', 'SourceServerChanged', 'SourceServerRemoved']);
    for (const e of events) validateEventDetail(e.type, { metadata: e.metadata, data: e.data });
    expect(events[0]?.metadata).toMatchObject({ occurredAt: CAUSE.at, actor: CAUSE.actor, correlationId: 'sync-1', causationId: null });
    expect(events[1]?.metadata).toMatchObject({ occurredAt: '2025-06-01T12:05:00.000Z', actor: { type: 'system', id: 'aws.drs' }, correlationId: 'drs-event-1', causationId: 'evt-1' });
    expect(events[1]?.data).toMatchObject({ replicationState: 'STALLED', notReadyReason: 'replication stalled', readyForRecovery: false, changedFields: ['replicationState', 'notReadyReason'] });
    expect(events[2]?.data).toEqual({ sourceServerId: serverId(1), accountId: '123456789012', region: 'us-east-1' });
    expect(arns.get(events[0]?.metadata.eventId ?? '')).toBe(view(1).arn);
  });

  it('announces nothing for a write that changed nothing announced, nor for an expired tombstone', () => {
    const before = itemOf(view(1), 1, CAUSE.at, CAUSE);
    const grouped = itemOf({ ...view(1), protectionGroupId: 'pg-1', protectionGroupName: 'DB' }, 2, CAUSE.at, CAUSE);
    const tombstone = tombstoneOf(stored(), CAUSE.at, CAUSE);
    expect(eventsOfStream({ Records: [record('MODIFY', before, grouped), record('REMOVE', tombstone, undefined)] }).events).toEqual([]);
  });

  it('announces a server listed again after its removal as discovered', () => {
    const tombstone = tombstoneOf(stored(), CAUSE.at, CAUSE);
    const back = itemOf(view(1), 1, '2025-06-01T12:30:00.000Z', { ...CAUSE, at: '2025-06-01T12:30:00.000Z' });
    expect(eventsOfStream({ Records: [record('MODIFY', tombstone, back)] }).events.map((e) => e.type)).toEqual(['SourceServerDiscovered']);
  });

  it('gives a retried record the same eventId (consumers then see one event)', () => {
    const inserted = itemOf(view(1), 1, CAUSE.at, CAUSE);
    const first = eventsOfStream({ Records: [record('INSERT', undefined, inserted)] }).events[0];
    const again = eventsOfStream({ Records: [record('INSERT', undefined, inserted)] }).events[0];
    expect(first?.metadata.eventId).toBe(again?.metadata.eventId);
    expect(first?.metadata.eventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(deterministicEventId(CAUSE.at, 'a')).not.toBe(deterministicEventId(CAUSE.at, 'b'));
    // The time part is the ULID time of occurredAt: ids sort by time.
    expect(deterministicEventId('2025-06-01T12:00:00.001Z', 'a') > deterministicEventId('2025-06-01T12:00:00.000Z', 'z')).toBe(true);
  });

  it('fails the batch when publishing fails, so that the stream delivers it again', async () => {
    const inserted = itemOf(view(1), 1, CAUSE.at, CAUSE);
    const published: DomainEvent[] = [];
    const ok = await publishChanges({ publish: async (events) => void published.push(...events) }, { Records: [record('INSERT', undefined, inserted)] });
    expect(ok).toEqual({ published: 1 });
    await expect(publishChanges({ publish: async () => Promise.reject(new Error('bus down')) }, { Records: [record('INSERT', undefined, inserted)] })).rejects.toThrow('bus down');
  });
});
