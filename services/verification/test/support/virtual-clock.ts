import type { Clock } from '../../src/verify.js';

/**
 * A clock whose time moves only when everything that can run has run: `run(work)` lets pending
 * promise callbacks run, then jumps to the next sleeper's wake-up time, until `work` settles. Many
 * concurrent sleepers (simulated Lambda containers) thus share one timeline, as on a real clock,
 * without the test waiting for real seconds.
 */
export class VirtualClock implements Clock {
  private nowMs: number;
  private readonly sleepers: { wakeAtMs: number; wake: () => void }[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ wakeAtMs: this.nowMs + Math.max(0, ms), wake }));
  }

  /** Moves time on by `ms` (waking who is due), without waiting for anything. */
  advance(ms: number): void {
    this.nowMs += ms;
    this.wakeDue();
  }

  /** Runs the timeline until `work` settles; throws when it waits for nothing that could ever come. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    work.then(() => { settled = true; }, () => { settled = true; });
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return work;
      const next = Math.min(...this.sleepers.map((s) => s.wakeAtMs));
      if (!Number.isFinite(next)) throw new Error('the work waits, but nobody sleeps: nothing would ever wake it');
      this.nowMs = Math.max(this.nowMs, next);
      this.wakeDue();
    }
  }

  private wakeDue(): void {
    const due = this.sleepers.filter((s) => s.wakeAtMs <= this.nowMs);
    for (const sleeper of due) this.sleepers.splice(this.sleepers.indexOf(sleeper), 1);
    for (const sleeper of due) sleeper.wake();
  }
}
