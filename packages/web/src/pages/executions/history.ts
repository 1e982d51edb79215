/** The history page's date range as the `startedAfter` / `startedBefore` of ExecutionFilter. */

export type RangeValue =
  | { type: 'absolute'; startDate: string; endDate: string }
  | { type: 'relative'; amount: number; unit: 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year' };

const UNIT_MS = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000, year: 365 * 86_400_000 } as const;

/** A relative range ends now; an absolute one is taken as given (its time offset included). Unparseable ends are left out. */
export function rangeBounds(value: RangeValue | null, now: number): { startedAfter?: string; startedBefore?: string } {
  if (!value) return {};
  if (value.type === 'relative') return { startedAfter: new Date(now - value.amount * UNIT_MS[value.unit]).toISOString() };
  const start = Date.parse(value.startDate);
  const end = Date.parse(value.endDate);
  return {
    ...(Number.isNaN(start) ? {} : { startedAfter: new Date(start).toISOString() }),
    ...(Number.isNaN(end) ? {} : { startedBefore: new Date(end).toISOString() }),
  };
}
