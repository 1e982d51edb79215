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
  EC2InstanceID: { min: 0, max: 255, pattern: /^i-[0-9a-fA-F]{8,}$/ },
  SmallBoundedString: { min: 0, max: 128 },
  SourceServerARN: { min: 20, max: 2048, pattern: /^arn:(?:[0-9a-zA-Z_-]+:){3}([0-9]{12,}):source-server\/(s-[0-9a-zA-Z]{17})$/ },
  LaunchActionResourceId: { pattern: /^(s-[0-9a-zA-Z]{17}$|lct-[0-9a-zA-Z]{17})$/ },
  SsmDocumentName: { min: 1, max: 1011, pattern: /^([A-Za-z0-9-/:])+$/ },
  LaunchActionId: { min: 1, max: 64, pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/ },
  LaunchActionName: { min: 1, max: 256, pattern: /^[A-Za-z0-9][A-Za-z0-9 /_-]*$/ },
  LaunchActionVersion: { min: 1, max: 10, pattern: /^(\$DEFAULT|\$LATEST|[0-9]+)$/ },
  LaunchActionDescription: { min: 0, max: 1024, pattern: /^[0-9a-zA-Z ():/.,'-_#*; ]*$/ },
  LaunchActionParameterName: { min: 1, max: 1011, pattern: /^([A-Za-z0-9])+$/ },
  LaunchActionParameterValue: { min: 1, max: 1011, pattern: /^[A-Za-z0-9.-]+$/ },
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

  /** One of the model's enum values. */
  enumValue<T extends string>(value: unknown, name: string, values: readonly T[], required = false): T | undefined {
    if (value === undefined || value === null) return required ? this.fail(name, 'Member must not be null') : undefined;
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      return this.fail(name, `Value '${String(value)}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`);
    }
    return value as T;
  }

  /** An integer bound to a query parameter: a number or its decimal text (one value; the last one when repeated). */
  queryInteger(value: unknown, name: string, min: number, max?: number): number | undefined {
    const raw = Array.isArray(value) ? value[value.length - 1] : value;
    if (typeof raw === 'string') {
      if (!/^-?[0-9]+$/.test(raw.trim())) return this.fail(name, `Value '${raw}' is not an integer`);
      return this.integer(Number(raw), name, min, max);
    }
    return this.integer(raw, name, min, max);
  }

  /** A string bound to a query parameter (the last value when repeated). */
  queryString(value: unknown, name: string, rule: StringRule): string | undefined {
    const raw = Array.isArray(value) ? value[value.length - 1] : value;
    return this.string(raw, name, rule);
  }

  booleanRequired(value: unknown, name: string): boolean | undefined {
    if (value === undefined || value === null) return this.fail(name, 'Member must not be null');
    return this.boolean(value, name);
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
