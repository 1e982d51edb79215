import type { DrsLaunchQuotas } from './quotas.js';

/**
 * The launch capacity of one DRS account and region, shared by every execution: the batches that
 * hold capacity (their job started or about to start) and the batches waiting for it, first come
 * first served. Pure: the store around it makes each change atomic.
 */
export interface CapacityScope {
  accountId: string;
  region: string;
}

/** A batch of an execution: the servers one DRS job launches. */
export interface BatchRef {
  /** `<executionId>/<batchId>`: unique across executions. */
  key: string;
  executionId: string;
  batchId: string;
  servers: number;
}

export interface Holding extends BatchRef {
  /** When the batch was admitted (ISO-8601). */
  since: string;
  /** The DRS job, once started. */
  jobId?: string;
}

export interface WaitingBatch extends BatchRef {
  enqueuedAt: string;
  /** Not to be admitted before this time (DRS refused it and it backs off). */
  notBefore?: string;
  /** Why it waits, for the operator. */
  reason?: string;
}

export interface Ledger {
  holdings: Holding[];
  waiting: WaitingBatch[];
}

export const EMPTY_LEDGER: Ledger = { holdings: [], waiting: [] };

export function scopeKey(scope: CapacityScope): string {
  return `${scope.accountId}#${scope.region}`;
}

export function batchKey(executionId: string, batchId: string): string {
  return `${executionId}/${batchId}`;
}

export function usage(ledger: Ledger): { jobs: number; servers: number } {
  return { jobs: ledger.holdings.length, servers: ledger.holdings.reduce((sum, h) => sum + h.servers, 0) };
}

function fits(ledger: Ledger, servers: number, quotas: DrsLaunchQuotas): boolean {
  const { jobs, servers: inUse } = usage(ledger);
  return jobs + 1 <= quotas.concurrentJobs && inUse + servers <= quotas.serversInActiveJobs;
}

function eligible(waiting: WaitingBatch, now: string): boolean {
  return !waiting.notBefore || waiting.notBefore <= now;
}

/** A batch the quotas can never admit (bigger than one job may be). */
export class BatchTooLargeError extends Error {
  override readonly name = 'BatchTooLargeError';
}

export type RequestOutcome = 'ADMITTED' | 'ALREADY_HELD' | 'QUEUED';

/**
 * A batch asks for capacity: admitted when it fits and no eligible batch waits before it (first
 * come, first served across executions); otherwise it joins the queue. Asking again is harmless.
 */
export function requestCapacity(ledger: Ledger, batch: BatchRef, quotas: DrsLaunchQuotas, now: string): { ledger: Ledger; outcome: RequestOutcome } {
  if (batch.servers > quotas.serversPerJob) throw new BatchTooLargeError(`Batch ${batch.key} has ${batch.servers} servers; a DRS job takes at most ${quotas.serversPerJob}`);
  if (ledger.holdings.some((h) => h.key === batch.key)) return { ledger, outcome: 'ALREADY_HELD' };
  const queued = ledger.waiting.find((w) => w.key === batch.key);
  const ahead = ledger.waiting.filter((w) => w.key !== batch.key && eligible(w, now) && (!queued || w.enqueuedAt <= queued.enqueuedAt));
  if (queued && !eligible(queued, now)) return { ledger, outcome: 'QUEUED' };
  if (ahead.length === 0 && fits(ledger, batch.servers, quotas)) {
    return {
      ledger: { holdings: [...ledger.holdings, { ...ref(batch), since: now }], waiting: ledger.waiting.filter((w) => w.key !== batch.key) },
      outcome: 'ADMITTED',
    };
  }
  if (queued) return { ledger, outcome: 'QUEUED' };
  return { ledger: { ...ledger, waiting: [...ledger.waiting, { ...ref(batch), enqueuedAt: now }] }, outcome: 'QUEUED' };
}

/** Admits waiting batches in order while they fit; a batch backing off does not hold up the others. */
export function admitWaiting(ledger: Ledger, quotas: DrsLaunchQuotas, now: string): { ledger: Ledger; admitted: Holding[] } {
  let current = ledger;
  const admitted: Holding[] = [];
  const ordered = [...ledger.waiting].sort((a, b) => a.enqueuedAt.localeCompare(b.enqueuedAt));
  for (const waiting of ordered) {
    if (!eligible(waiting, now)) continue;
    if (!fits(current, waiting.servers, quotas)) break;
    const holding: Holding = { ...ref(waiting), since: now };
    admitted.push(holding);
    current = { holdings: [...current.holdings, holding], waiting: current.waiting.filter((w) => w.key !== waiting.key) };
  }
  return { ledger: current, admitted };
}

/** The batch's job started: the capacity is held until the job completes. */
export function recordJob(ledger: Ledger, key: string, jobId: string): Ledger {
  // Unchanged: the same ledger, so the store writes nothing.
  if (!ledger.holdings.some((h) => h.key === key && h.jobId !== jobId)) return ledger;
  return { ...ledger, holdings: ledger.holdings.map((h) => (h.key === key ? { ...h, jobId } : h)) };
}

/** The batch's job completed (or the batch will never launch): its capacity is free again. */
export function release(ledger: Ledger, key: string): Ledger {
  // Every result of a completed job releases it: only the first changes anything.
  if (!ledger.holdings.some((h) => h.key === key) && !ledger.waiting.some((w) => w.key === key)) return ledger;
  return { holdings: ledger.holdings.filter((h) => h.key !== key), waiting: ledger.waiting.filter((w) => w.key !== key) };
}

/**
 * DRS refused the batch for now (capacity used outside Lifeboat, a server busy in another job):
 * it gives its capacity back and waits again, keeping its place, until `notBefore`.
 */
export function backOff(ledger: Ledger, key: string, notBefore: string, reason: string): Ledger {
  const holding = ledger.holdings.find((h) => h.key === key);
  const waiting = ledger.waiting.find((w) => w.key === key);
  const batch = holding ?? waiting;
  if (!batch) return ledger;
  const enqueuedAt = waiting?.enqueuedAt ?? holding?.since ?? notBefore;
  return {
    holdings: ledger.holdings.filter((h) => h.key !== key),
    waiting: [...ledger.waiting.filter((w) => w.key !== key), { ...ref(batch), enqueuedAt, notBefore, reason }],
  };
}

function ref(batch: BatchRef): BatchRef {
  return { key: batch.key, executionId: batch.executionId, batchId: batch.batchId, servers: batch.servers };
}
