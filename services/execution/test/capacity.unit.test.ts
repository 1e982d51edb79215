import { describe, expect, it } from '@jest/globals';
import type { BatchRef, Ledger } from '../src/capacity/ledger.js';
import { admitWaiting, backOff, BatchTooLargeError, EMPTY_LEDGER, recordJob, release, requestCapacity, usage } from '../src/capacity/ledger.js';
import { DEFAULT_DRS_LAUNCH_QUOTAS, parseLaunchQuotas } from '../src/capacity/quotas.js';

const T0 = '2025-01-01T10:00:00.000Z';
const T1 = '2025-01-01T10:00:01.000Z';
const T2 = '2025-01-01T10:00:02.000Z';

function batch(execution: string, n: number, servers: number): BatchRef {
  return { key: `${execution}/w-b${n}`, executionId: execution, batchId: `w-b${n}`, servers };
}

/** Requests each batch in turn; the ledger after, and each outcome. */
function requested(batches: BatchRef[], quotas = DEFAULT_DRS_LAUNCH_QUOTAS, start: Ledger = EMPTY_LEDGER) {
  let ledger = start;
  const outcomes = batches.map((b) => {
    const result = requestCapacity(ledger, b, quotas, T0);
    ledger = result.ledger;
    return result.outcome;
  });
  return { ledger, outcomes };
}

describe('the DRS capacity ledger of an account and region', () => {
  it('admits batches up to 500 servers in active jobs, then queues the rest', () => {
    // Given ten batches of 100 servers (a 1,000-server wave)
    const wave = Array.from({ length: 10 }, (_, i) => batch('e1', i + 1, 100));
    // When each asks for capacity
    const { ledger, outcomes } = requested(wave);
    // Then five start and five wait, in order
    expect(outcomes).toEqual([...Array(5).fill('ADMITTED'), ...Array(5).fill('QUEUED')]);
    expect(usage(ledger)).toEqual({ jobs: 5, servers: 500 });
    expect(ledger.waiting.map((w) => w.batchId)).toEqual(['w-b6', 'w-b7', 'w-b8', 'w-b9', 'w-b10']);
  });

  it('admits at most 20 concurrent jobs however small', () => {
    const { ledger, outcomes } = requested(Array.from({ length: 25 }, (_, i) => batch('e1', i + 1, 1)));
    expect(outcomes.filter((o) => o === 'ADMITTED')).toHaveLength(20);
    expect(usage(ledger).jobs).toBe(20);
  });

  it('is first come, first served across executions: a small batch does not jump a waiting big one', () => {
    // Given 450 servers in flight and a 100-server batch of another execution waiting
    const { ledger } = requested([...Array.from({ length: 9 }, (_, i) => batch('e1', i + 1, 50)), batch('e2', 1, 100)]);
    expect(ledger.waiting.map((w) => w.key)).toEqual(['e2/w-b1']);
    // When a 10-server batch of a third execution asks (it would fit)
    const { outcomes } = requested([batch('e3', 1, 10)], DEFAULT_DRS_LAUNCH_QUOTAS, ledger);
    // Then it waits behind
    expect(outcomes).toEqual(['QUEUED']);
  });

  it('asking again is harmless', () => {
    const once = requested([batch('e1', 1, 10)]);
    const again = requestCapacity(once.ledger, batch('e1', 1, 10), DEFAULT_DRS_LAUNCH_QUOTAS, T1);
    expect(again.outcome).toBe('ALREADY_HELD');
    expect(again.ledger).toBe(once.ledger);
  });

  it('frees capacity when a job completes and admits the waiting batches that now fit, in order', () => {
    const wave = Array.from({ length: 7 }, (_, i) => batch('e1', i + 1, 100));
    let { ledger } = requested(wave);
    ledger = recordJob(ledger, 'e1/w-b1', 'drsjob-1');
    expect(ledger.holdings[0]).toMatchObject({ jobId: 'drsjob-1' });
    ledger = release(ledger, 'e1/w-b1');
    const { ledger: after, admitted } = admitWaiting(ledger, DEFAULT_DRS_LAUNCH_QUOTAS, T1);
    expect(admitted.map((h) => h.batchId)).toEqual(['w-b6']);
    expect(after.waiting.map((w) => w.batchId)).toEqual(['w-b7']);
    expect(usage(after)).toEqual({ jobs: 5, servers: 500 });
  });

  it('a batch DRS refused for now gives its capacity back and waits until its back-off is over, without holding up the others', () => {
    const oneJob = { ...DEFAULT_DRS_LAUNCH_QUOTAS, concurrentJobs: 1 };
    let { ledger } = requested([batch('e1', 1, 100), batch('e2', 1, 100)], oneJob);
    expect(ledger.waiting.map((w) => w.key)).toEqual(['e2/w-b1']);
    // When DRS refuses e1's batch (a server busy in a job Lifeboat did not start) until T2
    ledger = backOff(ledger, 'e1/w-b1', T2, 'busy');
    // Then e2's batch is admitted now, and e1's only from T2
    const now = admitWaiting(ledger, oneJob, T1);
    expect(now.admitted.map((h) => h.key)).toEqual(['e2/w-b1']);
    expect(requestCapacity(now.ledger, batch('e1', 1, 100), oneJob, T1).outcome).toBe('QUEUED');
    expect(admitWaiting(release(now.ledger, 'e2/w-b1'), oneJob, T1).admitted).toEqual([]);
    const later = admitWaiting(release(now.ledger, 'e2/w-b1'), oneJob, T2);
    expect(later.admitted.map((h) => h.key)).toEqual(['e1/w-b1']);
  });

  it('refuses a batch larger than one job may be', () => {
    expect(() => requestCapacity(EMPTY_LEDGER, batch('e1', 1, 101), DEFAULT_DRS_LAUNCH_QUOTAS, T0)).toThrow(BatchTooLargeError);
  });
});

describe('launch quotas from configuration', () => {
  it('defaults to DRS\'s quotas and takes raised ones', () => {
    expect(parseLaunchQuotas(undefined)).toEqual({ serversPerJob: 100, concurrentJobs: 20, serversInActiveJobs: 500 });
    expect(parseLaunchQuotas('')).toEqual(DEFAULT_DRS_LAUNCH_QUOTAS);
    expect(parseLaunchQuotas('{"concurrentJobs":40}')).toMatchObject({ concurrentJobs: 40, serversInActiveJobs: 500 });
  });

  it('refuses what is not a quota', () => {
    expect(() => parseLaunchQuotas('{"jobs":4}')).toThrow(/unknown quota jobs/);
    expect(() => parseLaunchQuotas('{"concurrentJobs":0}')).toThrow(/positive integer/);
    expect(() => parseLaunchQuotas('nope')).toThrow(/not JSON/);
  });
});
