/** Times as the executions pages show them: in the browser's time zone, seconds included (runbooks move fast). */
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : DATE_TIME.format(time);
}

/** Only the time of day, for rows of one run (the timeline). */
export function formatClock(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : TIME.format(time);
}

/** The first lines of a long output, for a table cell. */
export function excerpt(value: string | null | undefined, max = 160): string {
  if (!value) return '';
  const flat = value.trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
