import { describe, expect, it } from '@jest/globals';
import type { JobLaunchActions, ServerLaunchActions } from '../../src/domain/job-launch-actions.js';
import { SNAPSHOT_MAX_BYTES, fitSnapshot, isFresh, jobKeyOf, launchActionsIn, snapshotBytes } from '../../src/domain/job-launch-actions.js';

/** DynamoDB's largest item. */
const ITEM_MAX_BYTES = 400 * 1024;

const sid = (n: number) => `s-${n.toString(16).padStart(17, '0')}`;

/** `servers` servers with `actions` actions each, every one FAILED with a long reason. */
function failingJob(servers: number, actions: number, reasonChars = 2_000): JobLaunchActions {
  const server: ServerLaunchActions = {
    launchStatus: 'LAUNCHED',
    reported: true,
    ssmAgentDiscoveryDatetime: '2024-05-01T10:00:00.000Z',
    runs: Array.from({ length: actions }, (_, i) => ({ name: `Configure the application tier, step ${i} ${'x'.repeat(200)}`, optional: i % 2 === 0, status: 'FAILED', failureReason: `SSM document AWS-RunShellScript ended Failed: ${'e'.repeat(reasonChars)}` })),
  };
  return Object.fromEntries(Array.from({ length: servers }, (_, i) => [sid(i + 1), server]));
}

describe('job launch action snapshots', () => {
  it('a job is keyed by its account, region and id', () => {
    expect(jobKeyOf({ accountId: '123456789012', region: 'eu-west-1', jobId: 'drsjob-1' })).toBe('123456789012#eu-west-1#drsjob-1');
  });

  it('a snapshot is fresh for freshMs after it was read from DRS', () => {
    const snapshot = { readAtMs: 10_000, servers: {} };

    expect(isFresh(snapshot, 11_999, 2_000)).toBe(true);
    expect(isFresh(snapshot, 12_000, 2_000)).toBe(false);
    expect(isFresh(undefined, 10_000, 2_000)).toBe(false);
  });

  it('a server of the snapshot is found with its facts; one it does not list is not found', () => {
    const server: ServerLaunchActions = { launchStatus: 'LAUNCHED', reported: true, runs: [{ name: 'Smoke test', optional: false, status: 'SUCCEEDED' }] };
    const snapshot = { readAtMs: 0, servers: { [sid(1)]: server } };

    expect(launchActionsIn(snapshot, sid(1))).toEqual({ found: true, ...server });
    expect(launchActionsIn(snapshot, sid(2))).toEqual({ found: false, reported: false, runs: [] });
  });

  it('keeps the judged fields only, and failure reasons and names cut to 500 and 128 characters when that fits', () => {
    // given a job of 10 servers whose actions failed with 2,000-character reasons
    const job = failingJob(10, 3);

    // when it is fitted
    const { snapshot, shareable } = fitSnapshot(job, 42);

    // then it is shared with the first compaction
    expect(shareable).toBe(true);
    expect(snapshot.readAtMs).toBe(42);
    const run = snapshot.servers[sid(1)]?.runs[0];
    expect(run?.failureReason).toHaveLength(500);
    expect(run?.failureReason?.endsWith('…')).toBe(true);
    expect(run?.name).toHaveLength(128);
    expect(Object.keys(run ?? {}).sort()).toEqual(['failureReason', 'name', 'optional', 'status']);
    expect(snapshot.servers[sid(1)]).toMatchObject({ launchStatus: 'LAUNCHED', reported: true, ssmAgentDiscoveryDatetime: '2024-05-01T10:00:00.000Z' });
  });

  it('100 servers with 10 failed actions each, all with long reasons, fit well under DynamoDB\'s 400 KB', () => {
    const { snapshot, shareable } = fitSnapshot(failingJob(100, 10), 0);

    expect(shareable).toBe(true);
    expect(snapshotBytes(snapshot.servers)).toBeLessThanOrEqual(SNAPSHOT_MAX_BYTES);
    expect(SNAPSHOT_MAX_BYTES).toBeLessThan(ITEM_MAX_BYTES * 0.75);
    // The reasons are shorter, not gone: the check still names why an action failed.
    expect(snapshot.servers[sid(100)]?.runs[9]?.failureReason).toMatch(/^SSM document AWS-RunShellScript ended Failed: e+…$/);
  });

  it('a job whose actions would not fit even without reasons is not shareable, and keeps the first compaction for its reader', () => {
    const { snapshot, shareable } = fitSnapshot(failingJob(100, 200, 100), 0);

    expect(shareable).toBe(false);
    expect(snapshot.servers[sid(1)]?.runs).toHaveLength(200);
    expect(snapshot.servers[sid(1)]?.runs[0]?.failureReason).toBe(`SSM document AWS-RunShellScript ended Failed: ${'e'.repeat(100)}`);
  });
});
