import { describe, expect, it } from '@jest/globals';
import { rangeBounds } from './history.js';
import type { PointInTimeChoice } from './start.js';
import { beforeTime, pointsInTimeOf, serversOfWaves, startProblems } from './start.js';

const latest: PointInTimeChoice = { type: 'LATEST', date: '', time: '', snapshots: {} };
const now = Date.parse('2025-03-01T12:00:00.000Z');

describe('serversOfWaves', () => {
  it("collects the chosen waves' group members and single servers, each once", () => {
    const groups = [
      { id: 'pg-db', sourceServerIds: ['s-1', 's-2'] },
      { id: 'pg-app', sourceServerIds: ['s-3'] },
    ];
    const waves = [
      { protectionGroupIds: ['pg-db'], sourceServerIds: ['s-9'] },
      { protectionGroupIds: ['pg-app', 'pg-db'], sourceServerIds: [] },
    ];
    expect(serversOfWaves(waves, groups)).toEqual(['s-1', 's-2', 's-9', 's-3']);
    expect(serversOfWaves([{ protectionGroupIds: ['pg-unknown'], sourceServerIds: [] }], groups)).toEqual([]);
  });
});

describe('pointsInTimeOf', () => {
  it('asks nothing for the latest snapshots (the default)', () => {
    expect(pointsInTimeOf(latest, ['s-1'])).toEqual([]);
  });

  it('gives every server the same UTC time for LATEST_BEFORE', () => {
    // given a date from the date picker and a time without seconds
    const choice: PointInTimeChoice = { ...latest, type: 'LATEST_BEFORE', date: '2025/02/28', time: '23:15' };
    // when the points in time are made
    const points = pointsInTimeOf(choice, ['s-1', 's-2']);
    // then both servers launch from the latest snapshot before that UTC time
    expect(points).toEqual([
      { sourceServerId: 's-1', type: 'LATEST_BEFORE', before: '2025-02-28T23:15:00.000Z' },
      { sourceServerId: 's-2', type: 'LATEST_BEFORE', before: '2025-02-28T23:15:00.000Z' },
    ]);
  });

  it('names a snapshot only for the servers given one, and only those of the execution', () => {
    const choice: PointInTimeChoice = { ...latest, type: 'SNAPSHOT', snapshots: { 's-1': ' pit-1 ', 's-2': '', 's-other': 'pit-9' } };
    expect(pointsInTimeOf(choice, ['s-1', 's-2'])).toEqual([{ sourceServerId: 's-1', type: 'SNAPSHOT', snapshotId: 'pit-1' }]);
  });
});

describe('startProblems', () => {
  const base = { mode: 'DRILL' as const, confirmation: '', planName: 'Orders 3-tier', pointInTime: latest, waveCount: 3, now };

  it('lets a drill of the latest snapshots start at once', () => {
    expect(startProblems(base)).toEqual([]);
  });

  it("keeps a RECOVERY from starting until the plan's name is typed exactly", () => {
    expect(startProblems({ ...base, mode: 'RECOVERY', confirmation: 'orders 3-tier' })).toEqual(['Type the plan\'s name "Orders 3-tier" to confirm']);
    expect(startProblems({ ...base, mode: 'RECOVERY', confirmation: 'Orders 3-tier' })).toEqual([]);
  });

  it('asks for a complete, past point in time, at least one snapshot and one wave', () => {
    expect(startProblems({ ...base, pointInTime: { ...latest, type: 'LATEST_BEFORE', date: '2025-03-01' } })).toEqual(['Give the date and time of the point in time']);
    expect(startProblems({ ...base, pointInTime: { ...latest, type: 'LATEST_BEFORE', date: '2025-03-01', time: '13:00:00' } })).toEqual(['The point in time is in the future']);
    expect(startProblems({ ...base, pointInTime: { ...latest, type: 'SNAPSHOT', snapshots: { 's-1': ' ' } } })).toEqual(['Name at least one snapshot, or choose the latest snapshots']);
    expect(startProblems({ ...base, waveCount: 0 })).toEqual(['Choose at least one wave']);
    expect(beforeTime({ date: '2025-13-45', time: '10:00' })).toBeUndefined();
  });
});

describe('rangeBounds', () => {
  it('makes a relative range end now, and keeps an absolute one with its offset', () => {
    expect(rangeBounds({ type: 'relative', amount: 1, unit: 'day' }, now)).toEqual({ startedAfter: '2025-02-28T12:00:00.000Z' });
    expect(rangeBounds({ type: 'absolute', startDate: '2025-02-01T00:00:00+01:00', endDate: '2025-02-02T00:00:00+01:00' }, now)).toEqual({
      startedAfter: '2025-01-31T23:00:00.000Z',
      startedBefore: '2025-02-01T23:00:00.000Z',
    });
    expect(rangeBounds(null, now)).toEqual({});
  });
});
