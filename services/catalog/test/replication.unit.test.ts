import { describe, expect, it } from '@jest/globals';
import { toSourceServerView } from '../src/domain/inventory.js';
import { durationSeconds, lagBandOf, lastLaunchOf, notReadyReasonOf, replicationOf } from '../src/domain/replication.js';
import { DISK_BYTES, drsServer } from './support/fixtures.js';

const SEEN_AT = '2025-06-01T12:00:00.000Z';

/** given a DRS source server / when the catalog reads it / then its readiness is */
function givenDrs(spec: Parameters<typeof drsServer>[0]) {
  const mapped = toSourceServerView(drsServer(spec), SEEN_AT);
  if (!mapped.ok) throw new Error(mapped.reason);
  return mapped.server;
}

describe('readiness: CONTINUOUS means ready, and otherwise the reason is given', () => {
  it('is ready, with no reason, while replication is CONTINUOUS', () => {
    expect(givenDrs({ n: 1, state: 'CONTINUOUS' })).toMatchObject({ readyForRecovery: true });
    expect(givenDrs({ n: 1, state: 'CONTINUOUS' })).not.toHaveProperty('notReadyReason');
  });

  it('gives the progress of an initial sync in whole percent', () => {
    expect(givenDrs({ n: 1, state: 'INITIAL_SYNC', replicatedBytes: DISK_BYTES * 0.456 })).toMatchObject({ readyForRecovery: false, notReadyReason: 'initial sync 45%' });
    expect(givenDrs({ n: 1, state: 'INITIAL_SYNC' })).toMatchObject({ notReadyReason: 'initial sync' });
  });

  it('names every other state in an operator\'s words', () => {
    const reasons = Object.fromEntries(['STALLED', 'DISCONNECTED', 'BACKLOG', 'PAUSED', 'STOPPED', 'INITIATING', 'CREATING_SNAPSHOT', 'RESCAN', 'UNKNOWN', 'SOMETHING_NEW'].map((state) => [state, notReadyReasonOf({ state })]));
    expect(reasons).toEqual({
      STALLED: 'replication stalled',
      DISCONNECTED: 'disconnected',
      BACKLOG: 'replication backlog',
      PAUSED: 'replication paused',
      STOPPED: 'replication stopped',
      INITIATING: 'replication initiating',
      CREATING_SNAPSHOT: 'creating the first snapshot',
      RESCAN: 'rescan',
      UNKNOWN: 'replication state unknown',
      SOMETHING_NEW: 'replication something new',
    });
  });

  it('adds DRS\'s replication error to a stall', () => {
    expect(notReadyReasonOf(replicationOf({ dataReplicationState: 'STALLED', dataReplicationError: { error: 'AGENT_NOT_SEEN' } }))).toBe('replication stalled (AGENT_NOT_SEEN)');
  });
});

describe('lag', () => {
  it('reads DRS lagDuration (ISO-8601) as seconds', () => {
    expect([durationSeconds('PT0S'), durationSeconds('PT2H'), durationSeconds('PT1M30.5S'), durationSeconds('P1DT1H'), durationSeconds(undefined), durationSeconds('soon'), durationSeconds('PT')]).toEqual([0, 7200, 91, 90000, undefined, undefined, undefined]);
  });

  it('sums storage over the replicated disks and keeps the lag as DRS wrote it', () => {
    const replication = replicationOf({
      dataReplicationState: 'BACKLOG',
      lagDuration: 'PT5M',
      etaDateTime: '2025-06-01T13:00:00Z',
      replicatedDisks: [
        { totalStorageBytes: 100, replicatedStorageBytes: 100, backloggedStorageBytes: 7 },
        { totalStorageBytes: 50, replicatedStorageBytes: 20 },
      ],
    });
    expect(replication).toEqual({ state: 'BACKLOG', lagDuration: 'PT5M', lagSeconds: 300, etaDateTime: '2025-06-01T13:00:00Z', totalStorageBytes: 150, replicatedStorageBytes: 120, backloggedStorageBytes: 7 });
  });

  it('puts lags into bands, so that a wobble of seconds is not a change', () => {
    expect([lagBandOf(undefined), lagBandOf(0), lagBandOf(59), lagBandOf(60), lagBandOf(899), lagBandOf(3600), lagBandOf(86400)]).toEqual([-1, 0, 0, 1, 2, 4, 5]);
  });
});

describe('last launch', () => {
  it('reads a drill from lifeCycle.lastLaunch, lastLaunchResult and recoveryInstanceId', () => {
    const server = givenDrs({ n: 1, lastLaunch: { type: 'DRILL', jobId: 'drsjob-1a2b3c4d5e6f7a8b9', at: '2025-06-01T11:00:00Z', status: 'LAUNCHED', result: 'SUCCEEDED', recoveryInstanceId: 'i-0123456789abcdef0' } });
    expect(server.lastLaunch).toEqual({ type: 'DRILL', initiatedAt: '2025-06-01T11:00:00Z', jobId: 'drsjob-1a2b3c4d5e6f7a8b9', status: 'LAUNCHED', result: 'SUCCEEDED' });
    expect(server.recoveryInstanceId).toBe('i-0123456789abcdef0');
  });

  it('has no last launch for a server never launched', () => {
    expect(lastLaunchOf(undefined, 'NOT_STARTED')).toBeUndefined();
    expect(lastLaunchOf({}, undefined)).toBeUndefined();
    expect(lastLaunchOf({ lastLaunch: { initiated: { type: 'RECOVERY' }, status: 'FAILED' } }, 'FAILED')).toEqual({ type: 'RECOVERY', status: 'FAILED', result: 'FAILED' });
  });
});
