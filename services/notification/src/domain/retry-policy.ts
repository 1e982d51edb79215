/**
 * When a failed delivery is attempted again, and when it is given up (dead-lettered). Pure.
 *
 * Attempt n (1-based) that fails is followed by attempt n + 1 after `baseMs * 2^(n-1)`, at most
 * `maxDelayMs`; the failure of attempt `maxAttempts` dead-letters the delivery.
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseMs: 30_000, maxDelayMs: 3_600_000 };

export type AfterFailure = { status: 'PENDING'; nextAttemptAt: Date } | { status: 'DEAD_LETTERED' };

/** The delay before the attempt after failed attempt `attempt` (1-based). */
export function backoffMs(attempt: number, policy: RetryPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.min(exponent, 30));
}

/** What becomes of a delivery whose attempt number `attempt` just failed at `now`. */
export function afterFailure(attempt: number, now: Date, policy: RetryPolicy): AfterFailure {
  if (attempt >= policy.maxAttempts) return { status: 'DEAD_LETTERED' };
  return { status: 'PENDING', nextAttemptAt: new Date(now.getTime() + backoffMs(attempt, policy)) };
}
