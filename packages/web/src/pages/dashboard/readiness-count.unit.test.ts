import { describe, expect, it } from '@jest/globals';
import { countReadiness } from './readiness-count.js';

describe('countReadiness', () => {
  it('counts servers by replication state, readiness and group', () => {
    // given two healthy grouped servers, a stalled grouped one and a stalled one in no group
    const readiness = countReadiness([
      { replicationState: 'CONTINUOUS', readyForRecovery: true, protectionGroup: { id: 'g1' } },
      { replicationState: 'CONTINUOUS', readyForRecovery: true, protectionGroup: { id: 'g1' } },
      { replicationState: 'STALLED', readyForRecovery: false, protectionGroup: { id: 'g2' } },
      { replicationState: 'BACKLOG', readyForRecovery: false, protectionGroup: null },
    ]);
    // then the largest state first, and the unready server a drill would miss
    expect(readiness).toEqual({
      total: 4,
      ready: 2,
      unassigned: 1,
      protectedNotReady: 1,
      byState: [
        { state: 'CONTINUOUS', count: 2 },
        { state: 'BACKLOG', count: 1 },
        { state: 'STALLED', count: 1 },
      ],
    });
  });

  it('counts nothing in an empty inventory', () => {
    expect(countReadiness([])).toEqual({ total: 0, ready: 0, unassigned: 0, protectedNotReady: 0, byState: [] });
  });
});
