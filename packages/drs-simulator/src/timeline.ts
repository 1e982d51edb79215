/**
 * Simulated time on top of a real (or manual) clock. The simulator's rules are written in
 * simulated milliseconds (a Linux launch takes about 5 simulated minutes); the time scale turns
 * them into real delays (0.01: 3 real seconds) and can change while things are in flight.
 *
 * - `SimTimeline` maps real instants to simulated ones, segment by segment: before the simulator
 *   started, simulated time is real time (history such as old snapshots looks real); after, it
 *   runs 1/scale times faster than the clock. A scale of 0 freezes simulated time (everything
 *   scheduled happens at once, and nothing accrues from time passing).
 * - `SimScheduler` runs callbacks after simulated delays and re-arms every pending one when the
 *   scale changes, so a launch half done at scale 0.01 finishes its other half at the new scale.
 */
import type { Clock, TimerHandle } from './clock.js';

/** From `realMs` on (until the next segment), simulated time runs from `simMs` at 1/scale the speed of the clock. */
export interface TimelineSegment {
  realMs: number;
  simMs: number;
  scale: number;
}

type Segment = TimelineSegment;

export class SimTimeline {
  private segments: Segment[];

  constructor(private readonly clock: Clock, scale: number) {
    const now = clock.now();
    this.segments = [{ realMs: now, simMs: now, scale }];
  }

  get scale(): number {
    return this.last().scale;
  }

  /** The current simulated instant (ms since the epoch on the simulated calendar). */
  simNow(): number {
    return this.simAt(this.clock.now());
  }

  /** The simulated instant of a real one. */
  simAt(realMs: number): number {
    const first = this.segments[0];
    if (!first || realMs <= first.realMs) return first ? first.simMs - (first.realMs - realMs) : realMs;
    let seg = first;
    for (const s of this.segments) {
      if (s.realMs <= realMs) seg = s;
      else break;
    }
    return seg.scale > 0 ? seg.simMs + (realMs - seg.realMs) / seg.scale : seg.simMs;
  }

  /** The real instant at which simulated time was (or will be, at the current scale) `simMs`. */
  realAt(simMs: number): number {
    const first = this.segments[0];
    if (!first || simMs <= first.simMs) return first ? first.realMs - (first.simMs - simMs) : simMs;
    let seg = first;
    for (const s of this.segments) {
      if (s.simMs <= simMs) seg = s;
      else break;
    }
    return Math.round(seg.realMs + (simMs - seg.simMs) * seg.scale);
  }

  /** Simulated milliseconds elapsed since a real instant. */
  simSince(realMs: number): number {
    return this.simNow() - this.simAt(realMs);
  }

  setScale(scale: number): void {
    const now = this.clock.now();
    const simMs = this.simAt(now);
    const last = this.last();
    if (last.realMs === now) {
      last.scale = scale;
      last.simMs = simMs;
    } else {
      this.segments.push({ realMs: now, simMs, scale });
    }
  }

  /** Starts over at the current instant (keeping the scale). */
  restart(): void {
    const now = this.clock.now();
    this.segments = [{ realMs: now, simMs: now, scale: this.scale }];
  }

  /** The segments (persisted state). */
  exportSegments(): TimelineSegment[] {
    return this.segments.map((s) => ({ ...s }));
  }

  /**
   * Continues a persisted timeline after a restart: its segments map the instants of the previous
   * run; simulated time stood still from `savedAtMs` (the last save, at simulated `savedSimMs`)
   * until now, and runs at `scale` from now on.
   */
  resume(segments: readonly TimelineSegment[], savedAtMs: number, savedSimMs: number, scale: number): void {
    const now = this.clock.now();
    const kept = segments.filter((s) => s.realMs < savedAtMs).map((s) => ({ ...s }));
    if (now > savedAtMs) kept.push({ realMs: savedAtMs, simMs: savedSimMs, scale: 0 });
    kept.push({ realMs: Math.max(now, savedAtMs), simMs: savedSimMs, scale });
    this.segments = kept;
  }

  private last(): Segment {
    const last = this.segments[this.segments.length - 1];
    if (!last) throw new Error('SimTimeline: no segment');
    return last;
  }
}

interface Task {
  dueSimMs: number;
  seq: number;
  run: () => void;
  handle: TimerHandle | undefined;
}

export interface TaskHandle {
  cancel(): void;
}

/** A task as the scheduler keeps it: when it is due on the simulated calendar. */
export interface ScheduledTask extends TaskHandle {
  readonly dueSimMs: number;
}

export class SimScheduler {
  private tasks = new Set<Task>();
  private seq = 0;

  constructor(private readonly clock: Clock, private readonly timeline: SimTimeline) {}

  /** Runs `run` once, `simDelayMs` simulated milliseconds from now. */
  schedule(simDelayMs: number, run: () => void): ScheduledTask {
    return this.scheduleAt(this.timeline.simNow() + Math.max(0, simDelayMs), run);
  }

  /** Runs `run` once at a simulated instant (at once when it is past). */
  scheduleAt(dueSimMs: number, run: () => void): ScheduledTask {
    const task: Task = { dueSimMs, seq: this.seq++, run, handle: undefined };
    this.tasks.add(task);
    this.arm(task, Math.max(0, dueSimMs - this.timeline.simNow()));
    return {
      get dueSimMs() {
        return task.dueSimMs;
      },
      cancel: () => {
        task.handle?.cancel();
        this.tasks.delete(task);
      },
    };
  }

  /** Changes the scale and re-arms every pending task for the simulated time it still has to wait. */
  rescale(scale: number): void {
    const simNow = this.timeline.simNow();
    const pending = [...this.tasks].sort((a, b) => a.seq - b.seq);
    const remaining = new Map(pending.map((t) => [t, Math.max(0, t.dueSimMs - simNow)]));
    for (const task of pending) task.handle?.cancel();
    this.timeline.setScale(scale);
    const newNow = this.timeline.simNow();
    for (const task of pending) {
      const left = remaining.get(task) ?? 0;
      task.dueSimMs = newNow + left;
      this.arm(task, left);
    }
  }

  cancelAll(): void {
    for (const task of this.tasks) task.handle?.cancel();
    this.tasks.clear();
  }

  get pending(): number {
    return this.tasks.size;
  }

  private arm(task: Task, simDelayMs: number): void {
    task.handle = this.clock.setTimer(Math.round(simDelayMs * this.timeline.scale), () => {
      this.tasks.delete(task);
      task.run();
    });
  }
}
