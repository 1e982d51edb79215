/**
 * Time for the simulator: a clock that can also schedule callbacks. The system clock uses real
 * timers; `ManualClock` is virtual time for unit tests (nothing happens until `advance`).
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once, `delayMs` from now. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
}

/** Real time. Timers are unref'd: a pending launch never keeps a process alive on its own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(delayMs, callback) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

interface ManualTimer {
  dueMs: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/** Virtual time: timers fire, in due order, only when the test advances the clock. */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(start: number | string = '2024-01-01T00:00:00.000Z') {
    this.current = typeof start === 'string' ? Date.parse(start) : start;
    if (!Number.isFinite(this.current)) throw new Error(`ManualClock: invalid start time ${String(start)}`);
  }

  now(): number {
    return this.current;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer: ManualTimer = { dueMs: this.current + Math.max(0, delayMs), seq: this.seq++, callback, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Timers scheduled and not yet fired or cancelled. */
  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way (timers they set included). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`ManualClock.advance: ms must be >= 0, got ${ms}`);
    this.advanceTo(this.current + ms);
  }

  /** Moves time to `target`, firing due timers in order. */
  advanceTo(target: number): void {
    for (;;) {
      const next = this.nextDue();
      if (!next || next.dueMs > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.dueMs);
      next.callback();
    }
    this.current = Math.max(this.current, target);
  }

  /** Fires timers until none is left (bounded, to catch a timer that re-arms itself forever). */
  runAll(maxTimers = 100_000): void {
    for (let fired = 0; ; fired++) {
      const next = this.nextDue();
      if (!next) return;
      if (fired >= maxTimers) throw new Error(`ManualClock.runAll: more than ${maxTimers} timers fired`);
      this.advanceTo(next.dueMs);
    }
  }

  private nextDue(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.timers) {
      if (t.cancelled) continue;
      if (!best || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.seq < best.seq)) best = t;
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    return best;
  }
}
