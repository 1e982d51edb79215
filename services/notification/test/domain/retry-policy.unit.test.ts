import { describe, expect, it } from '@jest/globals';
import { afterFailure, backoffMs, DEFAULT_RETRY_POLICY } from '../../src/domain/retry-policy.js';

const policy = { maxAttempts: 5, baseMs: 30_000, maxDelayMs: 3_600_000 };
const now = new Date('2025-03-01T10:00:00.000Z');

describe('the retry policy of a delivery', () => {
  it('given attempt 1 failed, then attempt 2 comes after the base delay', () => {
    expect(afterFailure(1, now, policy)).toEqual({ status: 'PENDING', nextAttemptAt: new Date('2025-03-01T10:00:30.000Z') });
  });

  it('doubles the delay after each failure', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffMs(attempt, policy))).toEqual([30_000, 60_000, 120_000, 240_000]);
  });

  it('never waits longer than the maximum delay', () => {
    expect(backoffMs(20, { ...policy, maxAttempts: 30 })).toBe(3_600_000);
    expect(backoffMs(1_000, { ...policy, maxAttempts: 2_000 })).toBe(3_600_000);
  });

  it('given the last attempt failed, then the delivery is dead-lettered', () => {
    expect(afterFailure(5, now, policy)).toEqual({ status: 'DEAD_LETTERED' });
    expect(afterFailure(4, now, policy).status).toBe('PENDING');
  });

  it('defaults to five attempts from 30 s', () => {
    expect(DEFAULT_RETRY_POLICY).toMatchObject({ maxAttempts: 5, baseMs: 30_000 });
  });
});
