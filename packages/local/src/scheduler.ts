import { randomUUID } from 'node:crypto';
import { CronExpressionParser } from 'cron-parser';
import type { BusEvent } from './eventbridge/bus.js';

/** A schedule rule: rate(...) or cron(...), as EventBridge Scheduler expressions. */
export interface ScheduleRule {
  ruleName: string;
  expression: string;
  enabled: boolean;
  input?: unknown;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

const FIRST_RATE_FIRING_MS = 1_000;

/** Milliseconds of a `rate(N unit)` expression. */
export function rateMs(expression: string): number {
  const match = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression.trim());
  if (!match) throw new Error(`Invalid rate expression ${expression}`);
  return Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
}

/** The next time an AWS `cron(min hour day-of-month month day-of-week year)` fires, in UTC. */
export function nextCron(expression: string, after: Date): Date {
  const match = /^cron\((.*)\)$/.exec(expression.trim());
  const fields = match?.[1]?.trim().split(/\s+/);
  if (!fields || fields.length !== 6) throw new Error(`Invalid cron expression ${expression}`);
  // cron-parser has no year field and no '?': drop the year, read '?' as '*'.
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields.map((f) => (f === '?' ? '*' : f));
  const parsed = CronExpressionParser.parse(`0 ${minute} ${hour} ${dayOfMonth} ${month} ${dayOfWeek}`, { currentDate: after, tz: 'UTC' });
  return parsed.next().toDate();
}

/** Fires schedule rules on timers; `fire` hands the event to the bus's delivery (with its retries). */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly fire: (ruleName: string, event: BusEvent) => void, private readonly settings: { region: string; accountId: string }) {}

  add(rule: ScheduleRule): void {
    if (!rule.enabled) return;
    if (rule.expression.startsWith('rate(')) {
      const interval = rateMs(rule.expression);
      const timer = setInterval(() => this.emit(rule), interval);
      timer.unref();
      this.timers.add(timer);
      // Also once soon after start: the stack was down for a while, and a restart should catch up
      // (e.g. the execution reconciler) rather than wait a whole interval.
      const first = setTimeout(() => {
        this.timers.delete(first);
        this.emit(rule);
      }, FIRST_RATE_FIRING_MS);
      first.unref();
      this.timers.add(first);
    } else {
      const arm = () => {
        const delay = Math.max(0, nextCron(rule.expression, new Date()).getTime() - Date.now());
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.emit(rule);
          arm();
        }, Math.min(delay, 2 ** 31 - 1));
        timer.unref();
        this.timers.add(timer);
      };
      arm();
    }
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private emit(rule: ScheduleRule): void {
    const { region, accountId } = this.settings;
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: accountId,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region,
      resources: [`arn:aws:events:${region}:${accountId}:rule/${rule.ruleName}`],
      detail: rule.input ?? {},
    };
    this.fire(rule.ruleName, event);
  }
}
