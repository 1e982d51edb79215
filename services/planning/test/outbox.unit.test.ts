import { describe, expect, it } from '@jest/globals';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DomainEvent } from '@lifeboat/events';
import { createEvent } from '@lifeboat/events';
import { RecordingLaunchSettings } from '../src/adapters/in-memory.js';
import { applyLaunchTasks } from '../src/launch-sync.js';
import type { OutboxStreamEvent } from '../src/outbox/outbox.js';
import { launchTasksOf, publishOutbox } from '../src/outbox/outbox.js';
import type { OutboxEntry } from '../src/ports.js';
import { group, serverId } from './support/fixtures.js';

const event = (n: number) => createEvent('ProtectionGroupDeleted', { protectionGroupId: `pg-${n}` }, { correlationId: `pg-${n}`, actor: { type: 'user', id: 'u' }, occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString() });
const task = { protectionGroupId: 'pg-1', accountId: '123456789012', region: 'us-east-1', sourceServerIds: [serverId(1), serverId(2)], actionIds: [] };

/** The stream records DynamoDB delivers for these outbox items. */
function stream(...records: { eventName: 'INSERT' | 'MODIFY' | 'REMOVE'; entry: OutboxEntry }[]): OutboxStreamEvent {
  return { Records: records.map(({ eventName, entry }) => ({ eventName, dynamodb: { NewImage: marshall({ ...entry, expiration: 1 }, { removeUndefinedValues: true }) } })) };
}

describe('the outbox stream', () => {
  it('publishes the events of new outbox items, oldest first, and nothing else', async () => {
    const [e1, e2] = [event(1), event(2)];
    const published: DomainEvent[][] = [];
    const count = await publishOutbox(
      stream(
        { eventName: 'INSERT', entry: { outboxId: e2.metadata.eventId, kind: 'event', event: e2 } },
        { eventName: 'INSERT', entry: { outboxId: 'launch-1', kind: 'launch-sync', task } },
        { eventName: 'REMOVE', entry: { outboxId: 'x', kind: 'event', event: event(3) } },
        { eventName: 'INSERT', entry: { outboxId: e1.metadata.eventId, kind: 'event', event: e1 } },
      ),
      async (events) => {
        published.push(events);
      },
    );
    expect(count).toBe(2);
    expect(published).toEqual([[e1, e2]]);
  });

  it('fails the batch when the bus refuses, so that it is delivered again', async () => {
    const e1 = event(1);
    await expect(publishOutbox(stream({ eventName: 'INSERT', entry: { outboxId: e1.metadata.eventId, kind: 'event', event: e1 } }), async () => Promise.reject(new Error('bus down')))).rejects.toThrow('bus down');
  });

  it('hands launch-settings tasks to the applier', () => {
    expect(launchTasksOf(stream({ eventName: 'INSERT', entry: { outboxId: 'launch-1', kind: 'launch-sync', task } }))).toEqual([task]);
  });
});

describe('the launch-settings applier', () => {
  const withSettings = group('pg-1', 'DB', [1, 2], { launchDefaults: { copyTags: true } });
  const store = { getGroups: async (ids: readonly string[]) => new Map(ids.includes('pg-1') ? [['pg-1', withSettings]] : []) };

  it('applies each server’s calls in the group’s site', async () => {
    const launch = new RecordingLaunchSettings();
    expect(await applyLaunchTasks({ store, launch, log: () => undefined }, [task])).toEqual({ applied: 2, skipped: [] });
    expect(launch.calls.map((c) => [c.accountId, c.region, c.calls.sourceServerId, c.calls.configuration])).toEqual([
      ['123456789012', 'us-east-1', serverId(1), { copyTags: true }],
      ['123456789012', 'us-east-1', serverId(2), { copyTags: true }],
    ]);
  });

  it('skips, and logs, a server DRS no longer knows; fails the batch on throttling', async () => {
    const logged: unknown[] = [];
    const gone = { apply: async (_site: unknown, calls: { sourceServerId: string }) => { if (calls.sourceServerId === serverId(1)) throw Object.assign(new Error('no server'), { name: 'ResourceNotFoundException' }); } };
    expect(await applyLaunchTasks({ store, launch: gone, log: (_l, _m, detail) => logged.push(detail) }, [task])).toEqual({ applied: 1, skipped: [{ sourceServerId: serverId(1), error: 'ResourceNotFoundException: no server' }] });
    expect(logged).toHaveLength(1);
    const throttled = { apply: async () => Promise.reject(Object.assign(new Error('slow down'), { name: 'ThrottlingException' })) };
    await expect(applyLaunchTasks({ store, launch: throttled, log: () => undefined }, [task])).rejects.toThrow('slow down');
  });
});
