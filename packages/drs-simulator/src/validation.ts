/**
 * Request validation against the constraints of the DRS model (required members, types, lengths,
 * patterns, list sizes). Problems are collected, then thrown as one ValidationException with
 * `reason: 'fieldValidationFailed'` and a `fieldList`, the way the service reports them.
 */
import { validationError, type ValidationField } from './errors.js';
import type { TagsMap } from './model.js';

export interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
}

export interface ListRule {
  min?: number;
  max?: number;
}

/** Constraints of the model's shapes used by the operations. */
export const SHAPES = {
  SourceServerID: { min: 19, max: 19, pattern: /^s-[0-9a-zA-Z]{17}$/ },
  JobID: { min: 24, max: 24, pattern: /^drsjob-[0-9a-zA-Z]{17}$/ },
  RecoveryInstanceID: { min: 10, max: 19, pattern: /^i-[0-9a-fA-F]{8,}$/ },
  RecoverySnapshotID: { min: 21, max: 21, pattern: /^pit-[0-9a-zA-Z]{17}$/ },
  AccountID: { min: 12, max: 12, pattern: /^.*[0-9]{12,}.*$/ },
  BoundedString: { min: 0, max: 256 },
  PaginationToken: { min: 0, max: 2048 },
  ISO8601DatetimeString: {
    min: 19,
    max: 32,
    pattern: /^[1-9][0-9]*-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([0-1][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?Z$/,
  },
  ARN: { min: 20, max: 2048, pattern: /^arn:.{16,2044}$/ },
  TagKey: { min: 0, max: 256 },
  TagValue: { min: 0, max: 256 },
} satisfies Record<string, StringRule>;

/** Reads an untrusted JSON input member by member, collecting every problem. */
export class InputReader {
  readonly problems: ValidationField[] = [];

  fail(name: string, message: string): undefined {
    this.problems.push({ name, message });
    return undefined;
  }

  /** Throws the ValidationException if any problem was found. */
  check(): void {
    if (this.problems.length > 0) throw validationError(this.problems);
  }

  object(value: unknown, name: string, required = false): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return required ? this.fail(name, 'Member must not be null') : undefined;
    if (typeof value !== 'object' || Array.isArray(value)) return this.fail(name, 'Member must be a structure');
    return value as Record<string, unknown>;
  }

  string(value: unknown, name: string, rule: StringRule, required = false): string | undefined {
    if (value === undefined || value === null) return required ? this.fail(name, 'Member must not be null') : undefined;
    if (typeof value !== 'string') return this.fail(name, 'Member must be a string');
    if (rule.min !== undefined && value.length < rule.min) {
      return this.fail(name, `Value '${value}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`);
    }
    if (rule.max !== undefined && value.length > rule.max) {
      return this.fail(name, `Value failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`);
    }
    if (rule.pattern && !rule.pattern.test(value)) {
      return this.fail(name, `Value '${value}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${patternText(rule.pattern)}`);
    }
    return value;
  }

  integer(value: unknown, name: string, min: number, max?: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) return this.fail(name, 'Member must be an integer');
    if (value < min) return this.fail(name, `Value '${value}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`);
    if (max !== undefined && value > max) return this.fail(name, `Value '${value}' failed to satisfy constraint: Member must have value less than or equal to ${max}`);
    return value;
  }

  boolean(value: unknown, name: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') return this.fail(name, 'Member must be a boolean');
    return value;
  }

  list<T>(value: unknown, name: string, rule: ListRule, item: (value: unknown, name: string) => T | undefined, required = false): T[] | undefined {
    if (value === undefined || value === null) return required ? this.fail(name, 'Member must not be null') : undefined;
    if (!Array.isArray(value)) return this.fail(name, 'Member must be a list');
    if (rule.min !== undefined && value.length < rule.min) {
      return this.fail(name, `Value failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`);
    }
    if (rule.max !== undefined && value.length > rule.max) {
      return this.fail(name, `Value failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`);
    }
    const before = this.problems.length;
    const items = value.map((v, i) => item(v, `${name}[${i}]`));
    if (this.problems.length > before) return undefined;
    return items.filter((v): v is T => v !== undefined);
  }

  stringList(value: unknown, name: string, listRule: ListRule, itemRule: StringRule, required = false): string[] | undefined {
    return this.list(value, name, listRule, (v, n) => this.string(v, n, itemRule, true), required);
  }

  tags(value: unknown, name: string, required = false): TagsMap | undefined {
    const obj = this.object(value, name, required);
    if (!obj) return undefined;
    const out: TagsMap = {};
    let ok = true;
    for (const [key, tagValue] of Object.entries(obj)) {
      const k = this.string(key, `${name}.key`, SHAPES.TagKey, true);
      const v = this.string(tagValue, `${name}.${key}`, SHAPES.TagValue, true);
      if (k === undefined || v === undefined) ok = false;
      else out[k] = v;
    }
    return ok ? out : undefined;
  }
}

function patternText(pattern: RegExp): string {
  return pattern.source.replace(/^\^/, '').replace(/\$$/, '');
}
