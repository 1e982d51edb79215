import { describe, expect, it } from '@jest/globals';
import type { SourceServerView } from '@lifeboat/service-api';
import type { InventoryDiff } from '../src/domain/inventory.js';
import { announcementOf, diffInventory, inventoryEventsOf, osFamilyOf, parseSourceServerArn, toSourceServerView, toSourceServerViews, withAssignment } from '../src/domain/inventory.js';
import { ACCOUNT, REGION, drsServer, serverId, view } from './support/fixtures.js';

const SEEN_AT = '2025-06-01T12:00:00.000Z';

/** given what the catalog knew / when DRS lists these / then the diff is */
function given(known: SourceServerView[]) {
  return {
    whenSeen: (seen: SourceServerView[]) => ({
      then: (expected: Partial<InventoryDiff>) => {
        const diff = diffInventory(known, seen);
        expect(diff).toEqual({ discovered: [], changed: [], refreshed: [], removed: [], unchanged: [], ...expected });
      },
    }),
  };
}

describe('diffInventory', () => {
  it('discovers every server of a first sync', () => {
    given([]).whenSeen([view(1), view(2)]).then({ discovered: [view(1), view(2)] });
  });

  it('finds nothing when DRS lists what the catalog knows, whatever lastSeenAt says', () => {
    const seen = view(1, { lastSeenAt: SEEN_AT });
    given([view(1)]).whenSeen([seen]).then({ unchanged: [seen] });
  });

  it('names every changed field, and only those', () => {
    const before = view(1);
    const after = view(1, { replicationState: 'STALLED', tags: { app: 'shop', tier: 'db' }, hostname: 'db-1', lastSeenAt: SEEN_AT });
    given([before]).whenSeen([after]).then({ changed: [{ before, after, changedFields: ['hostname', 'tags', 'replicationState', 'notReadyReason'] }] });
  });

  it('sees a tag whose value changed, one removed, and one added as changed tags', () => {
    const variants: Record<string, string>[] = [{ app: 'web' }, {}, { app: 'shop', owner: 'ops' }];
    for (const tags of variants) {
      const after = view(1, { tags });
      given([view(1)]).whenSeen([after]).then({ changed: [{ before: view(1), after, changedFields: ['tags'] }] });
    }
  });

  it('sees a staging account that appears as a change', () => {
    const after = view(1, { stagingAccountId: '210987654321' });
    given([view(1)]).whenSeen([after]).then({ changed: [{ before: view(1), after, changedFields: ['stagingAccountId'] }] });
  });

  it('removes what DRS no longer lists', () => {
    given([view(1), view(2)]).whenSeen([view(2)]).then({ removed: [view(1)], unchanged: [view(2)] });
  });

  it('removes everything when DRS lists nothing', () => {
    given([view(1), view(2)]).whenSeen([]).then({ removed: [view(1), view(2)] });
  });

  it('discovers, changes and removes in one pass', () => {
    const changed = view(2, { os: 'WINDOWS' });
    given([view(1), view(2), view(3)])
      .whenSeen([changed, view(3), view(4)])
      .then({ discovered: [view(4)], changed: [{ before: view(2), after: changed, changedFields: ['os'] }], removed: [view(1)], unchanged: [view(3)] });
  });

  it('keeps the last of a server listed twice', () => {
    const later = view(1, { hostname: 'renamed' });
    given([]).whenSeen([view(1), later]).then({ discovered: [later] });
  });
});

describe('toSourceServerView (a DRS SourceServer as the catalog sees it)', () => {
  it('reads hostname, OS family, tags, replication state, account and region from DRS', () => {
    const mapped = toSourceServerView(drsServer({ n: 7, hostname: 'db-1', os: 'Microsoft Windows Server 2019 Datacenter', state: 'CONTINUOUS', tags: { tier: 'db' }, accountId: '111122223333', region: 'eu-west-1', stagingAccountId: '444455556666' }), SEEN_AT);
    expect(mapped).toEqual({
      ok: true,
      server: {
        sourceServerId: serverId(7),
        accountId: '111122223333',
        region: 'eu-west-1',
        arn: `arn:aws:drs:eu-west-1:111122223333:source-server/${serverId(7)}`,
        hostname: 'db-1',
        os: 'WINDOWS',
        tags: { tier: 'db' },
        replicationState: 'CONTINUOUS',
        readyForRecovery: true,
        stagingAccountId: '444455556666',
        lastSeenAt: SEEN_AT,
        fqdn: 'host-7.corp.example',
        osName: 'Microsoft Windows Server 2019 Datacenter',
        replication: { state: 'CONTINUOUS' },
      },
    });
  });

  it('is ready for recovery only while replication is CONTINUOUS', () => {
    for (const state of ['INITIAL_SYNC', 'BACKLOG', 'STALLED', 'DISCONNECTED', 'PAUSED', 'STOPPED']) {
      const mapped = toSourceServerView(drsServer({ n: 1, state }), SEEN_AT);
      expect(mapped.ok && mapped.server.readyForRecovery).toBe(false);
    }
  });

  it('copes with a server DRS knows little about yet', () => {
    const mapped = toSourceServerView({ sourceServerID: serverId(1), arn: `arn:aws:drs:us-east-1:123456789012:source-server/${serverId(1)}` }, SEEN_AT);
    expect(mapped).toMatchObject({ ok: true, server: { hostname: '', os: 'UNKNOWN', tags: {}, replicationState: 'UNKNOWN', readyForRecovery: false } });
  });

  it('refuses a server whose ARN or id cannot be announced, saying why', () => {
    const id = serverId(1);
    expect(toSourceServerView({ sourceServerID: id }, SEEN_AT)).toEqual({ ok: false, reference: id, reason: 'has no ARN' });
    expect(toSourceServerView({ sourceServerID: id, arn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-1' }, SEEN_AT)).toMatchObject({ ok: false });
    expect(toSourceServerView({ sourceServerID: serverId(2), arn: `arn:aws:drs:us-east-1:123456789012:source-server/${id}` }, SEEN_AT)).toMatchObject({ ok: false });
    expect(toSourceServerView({ arn: 'arn:aws:drs:us-east-1:12345:source-server/s-1' }, SEEN_AT)).toMatchObject({ ok: false });
  });

  it('keeps the usable servers of a listing and lists the refused ones', () => {
    const result = toSourceServerViews([drsServer({ n: 1 }), { sourceServerID: 'bogus' }], SEEN_AT);
    expect(result.servers.map((s) => s.sourceServerId)).toEqual([serverId(1)]);
    expect(result.refused).toEqual([{ reference: 'bogus', reason: 'has no ARN' }]);
  });

  it('parses DRS ARNs of every partition', () => {
    expect(parseSourceServerArn(`arn:aws-us-gov:drs:us-gov-west-1:123456789012:source-server/${serverId(1)}`)).toEqual({ region: 'us-gov-west-1', accountId: '123456789012', sourceServerId: serverId(1) });
  });

  it('knows Windows from Linux by the OS string', () => {
    expect(osFamilyOf('Microsoft Windows Server 2022 Standard')).toBe('WINDOWS');
    expect(osFamilyOf('Linux version 4.18.0 (Red Hat Enterprise Linux 8.6)')).toBe('LINUX');
    expect(osFamilyOf(undefined)).toBe('UNKNOWN');
  });
});

describe('inventoryEventsOf', () => {
  it('announces discovered, changed and removed servers with the data their schemas ask for', () => {
    const changed = view(2, { replicationState: 'STALLED' });
    const events = inventoryEventsOf(diffInventory([view(2), view(3)], [view(1), changed]));
    expect(events.map((e) => [e.type, e.sourceServerId])).toEqual([
      ['SourceServerDiscovered', serverId(1)],
      ['SourceServerChanged', serverId(2)],
      ['SourceServerRemoved', serverId(3)],
    ]);
    expect(events[0]?.data).toMatchObject({ readyForRecovery: true });
    expect(events[0]?.data).not.toHaveProperty('lastSeenAt');
    expect(events[0]?.data).not.toHaveProperty('replication');
    expect(events[1]?.data).toMatchObject({ replicationState: 'STALLED', readyForRecovery: false, notReadyReason: 'replication stalled', changedFields: ['replicationState', 'notReadyReason'] });
    expect(events[2]?.data).toEqual({ sourceServerId: serverId(3), accountId: '123456789012', region: 'us-east-1' });
  });
});

describe('diffInventory: what is written and what is announced', () => {
  it('rewrites, without announcing, a server whose lag moved to another band', () => {
    const before = view(1, { replication: { state: 'CONTINUOUS', lagDuration: 'PT5S', lagSeconds: 5 } });
    const wobble = view(1, { replication: { state: 'CONTINUOUS', lagDuration: 'PT20S', lagSeconds: 20 } });
    const behind = view(1, { replication: { state: 'CONTINUOUS', lagDuration: 'PT20M', lagSeconds: 1200 } });
    given([before]).whenSeen([wobble]).then({ unchanged: [wobble] });
    given([before]).whenSeen([behind]).then({ refreshed: [behind] });
  });

  it('rewrites, without announcing, a server that joined a protection group', () => {
    const grouped = withAssignment(view(1), { protectionGroupId: 'pg-1', name: 'Database' });
    given([view(1)]).whenSeen([grouped]).then({ refreshed: [grouped] });
    expect(grouped).toMatchObject({ protectionGroupId: 'pg-1', protectionGroupName: 'Database' });
    expect(withAssignment(grouped, undefined)).not.toHaveProperty('protectionGroupId');
  });

  it('announces a new last launch and recovery instance', () => {
    const launched = view(1, { lastLaunch: { type: 'DRILL', jobId: 'drsjob-1', status: 'LAUNCHED', result: 'SUCCEEDED' }, recoveryInstanceId: 'i-0123456789abcdef0' });
    given([view(1)]).whenSeen([launched]).then({ changed: [{ before: view(1), after: launched, changedFields: ['lastLaunch', 'recoveryInstanceId'] }] });
  });

  it('leaves alone a server written after the listing started (a DRS event overtook the sync)', () => {
    const listedAt = '2025-06-01T12:00:00.000Z';
    const newer = view(1, { replicationState: 'STALLED', lastSeenAt: '2025-06-01T12:00:05.000Z' });
    const older = view(2, { lastSeenAt: '2025-06-01T11:55:00.000Z' });
    // DRS's listing still says CONTINUOUS for 1 and no longer lists 3 (discovered by an event meanwhile).
    const fresh = view(3, { lastSeenAt: '2025-06-01T12:00:03.000Z' });
    const diff = diffInventory([newer, older, fresh], [view(1), view(2)], { listedAt });
    expect(diff.changed).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.unchanged.map((s) => s.sourceServerId)).toEqual([serverId(1), serverId(2), serverId(3)]);
  });
});

describe('announcementOf (a committed write, before and after)', () => {
  it('announces a discovery, a change of an announced field, a removal, and nothing else', () => {
    expect(announcementOf(undefined, view(1))).toMatchObject({ type: 'SourceServerDiscovered', sourceServerId: serverId(1), arn: view(1).arn });
    expect(announcementOf(view(1), view(1, { hostname: 'db-1' }))).toMatchObject({ type: 'SourceServerChanged', data: { hostname: 'db-1', changedFields: ['hostname'] } });
    expect(announcementOf(view(1), undefined)).toEqual({
      type: 'SourceServerRemoved',
      sourceServerId: serverId(1),
      arn: view(1).arn,
      data: { sourceServerId: serverId(1), accountId: ACCOUNT, region: REGION },
    });
    expect(announcementOf(view(1), withAssignment(view(1), { protectionGroupId: 'pg-1', name: 'Web' }))).toBeUndefined();
    expect(announcementOf(undefined, undefined)).toBeUndefined();
  });
});
