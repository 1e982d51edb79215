import type { FieldProblem } from '@lifeboat/service-api';

/** Small readers of untrusted input that record a problem per bad field and answer the good value. */

export const MAX_NAME_LENGTH = 128;
export const ACCOUNT_ID = /^[0-9]{12}$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]$/;
export const SOURCE_SERVER_ID = /^s-[0-9a-zA-Z]{17}$/;
/** The shape of the ids planning hands out (`pg-…`, `plan-…`, `wave-…`); anything else cannot exist. */
export const ENTITY_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A name: a non-empty string of at most MAX_NAME_LENGTH characters, trimmed. */
export function checkName(value: unknown, field: string, problems: FieldProblem[]): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') {
    problems.push({ field, message: 'is required' });
    return undefined;
  }
  const name = value.trim();
  if (name.length > MAX_NAME_LENGTH) problems.push({ field, message: `must be at most ${MAX_NAME_LENGTH} characters` });
  return name;
}

/** An optional string matching `pattern` (described by `what`); undefined when absent or bad. */
export function optionalString(value: unknown, field: string, problems: FieldProblem[], rule: { pattern?: RegExp; max?: number; what: string }): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (rule.pattern && !rule.pattern.test(value)) || (rule.max !== undefined && value.length > rule.max)) {
    problems.push({ field, message: `must be ${rule.what}` });
    return undefined;
  }
  return value;
}

/** A required string matching `rule`. */
export function requiredString(value: unknown, field: string, problems: FieldProblem[], rule: { pattern?: RegExp; max?: number; what: string }): string | undefined {
  if (value === undefined || value === null || value === '') {
    problems.push({ field, message: 'is required' });
    return undefined;
  }
  return optionalString(value, field, problems, rule);
}

/** An optional integer within [min, max]. */
export function optionalInteger(value: unknown, field: string, problems: FieldProblem[], min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push({ field, message: `must be a whole number from ${min} to ${max}` });
    return undefined;
  }
  return value;
}

export function requiredInteger(value: unknown, field: string, problems: FieldProblem[], min: number, max: number): number | undefined {
  if (value === undefined || value === null) {
    problems.push({ field, message: 'is required' });
    return undefined;
  }
  return optionalInteger(value, field, problems, min, max);
}

export function optionalBoolean(value: unknown, field: string, problems: FieldProblem[]): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    problems.push({ field, message: 'must be true or false' });
    return undefined;
  }
  return value;
}

/** An optional value of `allowed`. */
export function optionalEnum<T extends string>(value: unknown, field: string, problems: FieldProblem[], allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    problems.push({ field, message: `must be one of ${allowed.join(', ')}` });
    return undefined;
  }
  return value as T;
}

/** An optional list (absent: empty); a problem and an empty list when it is not a list or too long. */
export function optionalList(value: unknown, field: string, problems: FieldProblem[], max: number, what = 'items'): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.push({ field, message: 'must be a list' });
    return [];
  }
  if (value.length > max) problems.push({ field, message: `must list at most ${max} ${what}` });
  return value;
}

/** Source server ids of a list, each valid and listed once; problems at `field[i]`. */
export function sourceServerIdList(value: unknown, field: string, problems: FieldProblem[], max: number): string[] {
  const ids: string[] = [];
  const first = new Map<string, number>();
  optionalList(value, field, problems, max, 'source servers').forEach((id, index) => {
    const at = `${field}[${index}]`;
    if (typeof id !== 'string' || !SOURCE_SERVER_ID.test(id)) {
      problems.push({ field: at, message: 'must be a DRS source server id (s- and 17 characters)' });
      return;
    }
    const seen = first.get(id);
    if (seen !== undefined) {
      problems.push({ field: at, message: `${id} is already listed at ${field}[${seen}]` });
      return;
    }
    first.set(id, index);
    ids.push(id);
  });
  return ids;
}

/** Whether a value survives a JSON round trip unchanged in meaning (plain data only). */
export function isPlainJson(value: unknown, depth = 0): boolean {
  if (depth > 20) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isPlainJson(item, depth + 1));
  if (isRecord(value)) return Object.values(value).every((item) => isPlainJson(item, depth + 1));
  return false;
}

/** The number of characters of a value written as JSON (a size bound for stored payloads). */
export function jsonLength(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}
