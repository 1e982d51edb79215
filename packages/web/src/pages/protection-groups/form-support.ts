/**
 * Small helpers the protection group and recovery plan forms share: debounced definitions for
 * live previews, field problems by path, and number fields that stay text until they are sent.
 */
import { useEffect, useMemo, useState } from 'react';

/** A problem at a field path of an operation's input (`waves[1].dependsOn[0]`, `launchDefaults.subnetId`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * The value once it has stopped changing for `delayMs`, compared by its JSON so that a new object
 * with the same content does not restart the wait (forms rebuild their inputs on every render).
 */
export function useDebouncedValue<T>(value: T, delayMs: number): T {
  const key = JSON.stringify(value);
  const [settled, setSettled] = useState(key);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(key), delayMs);
    return () => clearTimeout(timer);
  }, [key, delayMs]);
  return useMemo(() => JSON.parse(settled) as T, [settled]);
}

/** True when `field` is `path` itself or lies under it (`path.x`, `path[0]`). */
export function isUnder(field: string, path: string): boolean {
  if (path === '') return true;
  return field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`);
}

/** The messages of the problems at or under `path`, joined for a FormField's errorText; undefined when none. */
export function errorTextAt(problems: readonly FieldProblem[], path: string): string | undefined {
  const messages = problems.filter((p) => isUnder(p.field, path)).map((p) => (p.field === path ? p.message : `${p.field.slice(path.length).replace(/^\./, '')}: ${p.message}`));
  return messages.length > 0 ? messages.join('; ') : undefined;
}

/**
 * A whole number typed in a text field: undefined when empty, the number when it is one, and a
 * problem at `field` otherwise (the server checks ranges; the console only refuses what is not a number).
 */
export function wholeNumber(text: string, field: string, problems: FieldProblem[]): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (!/^-?\d+$/.test(trimmed)) {
    problems.push({ field, message: 'must be a whole number' });
    return undefined;
  }
  return Number(trimmed);
}

/** A JSON value typed in a text area: undefined when empty, a problem at `field` when it does not parse. */
export function jsonValue(text: string, field: string, problems: FieldProblem[]): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    problems.push({ field, message: 'must be valid JSON' });
    return undefined;
  }
}

/** Ids typed as a list separated by commas or spaces (security groups). */
export function idList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter((id) => id !== '');
}

/** A three-way choice for an optional boolean: leave it to the default, or set it. */
export type OptionalBoolean = '' | 'true' | 'false';

export function optionalBoolean(choice: OptionalBoolean): boolean | undefined {
  return choice === '' ? undefined : choice === 'true';
}

export function fromOptionalBoolean(value: boolean | null | undefined): OptionalBoolean {
  return value === null || value === undefined ? '' : value ? 'true' : 'false';
}

/** Short relative age of a timestamp ("5 min ago"), for lists. */
export function ageOf(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '-';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (Number.isNaN(seconds)) return '-';
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** A timestamp as the console shows it: local date and time, with the ISO value for a tooltip. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
