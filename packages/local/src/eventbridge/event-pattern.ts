/**
 * Amazon EventBridge event-pattern matching, as a pure module (no I/O, no AWS SDK).
 *
 * Semantics follow the EventBridge user guide pages "Creating event patterns" / "Event pattern
 * syntax", "Arrays in Amazon EventBridge event patterns", "Matching null values and empty strings"
 * and "Content filtering in Amazon EventBridge event patterns" (a.k.a. "Comparison operators for
 * use in event patterns"):
 *
 * - A pattern is a JSON object. Every field it names must match (AND); fields it does not name are
 *   ignored. A field's value is either a nested pattern object, or a non-empty array of match
 *   values of which any one may match (OR). The special key `$or` holds an array of patterns, any
 *   one of which must match the object it appears in.
 * - A match value is an exact JSON value (string, number, boolean, null) or a content filter: an
 *   object with exactly one operator (`prefix`, `suffix`, `equals-ignore-case`, `wildcard`,
 *   `anything-but`, `numeric`, `exists`, `cidr`).
 * - Comparison operators only look at leaf values (strings, numbers, booleans, null). When the event
 *   value is an array, the field matches if any element matches. A field whose value is an object is
 *   not a leaf, so for leaf matching it behaves as if absent (`exists: false` matches it).
 * - Strings only match strings and numbers only match numbers; numbers compare numerically
 *   (300 matches 300.0 and 3.0e2).
 *
 * Patterns are compiled once (which validates them) and the result can be reused for many events.
 */

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** An exact value to match: compared by type and value (numbers numerically). */
export type ExactMatchValue = string | number | boolean | null;

export type EqualsIgnoreCaseFilter = { readonly 'equals-ignore-case': string };

export type NumericComparator = '=' | '<' | '<=' | '>' | '>=';

/** `[op, n]` or a range `[lowerOp, n, upperOp, m]` (e.g. `[">", 0, "<=", 5]`). */
export type NumericOperand =
  | readonly [NumericComparator, number]
  | readonly [NumericComparator, number, NumericComparator, number];

export type AnythingButOperand =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly 'equals-ignore-case': string | readonly string[] }
  | { readonly wildcard: string | readonly string[] };

export type ContentFilter =
  | { readonly prefix: string | EqualsIgnoreCaseFilter }
  | { readonly suffix: string | EqualsIgnoreCaseFilter }
  | EqualsIgnoreCaseFilter
  | { readonly wildcard: string }
  | { readonly 'anything-but': AnythingButOperand }
  | { readonly numeric: NumericOperand }
  | { readonly exists: boolean }
  | { readonly cidr: string };

export type PatternMatchValue = ExactMatchValue | ContentFilter;

/**
 * An EventBridge event pattern. Field values are either a non-empty array of match values, a nested
 * pattern, or (for the `$or` key only) an array of patterns.
 */
export type EventPattern = {
  readonly [field: string]: readonly PatternMatchValue[] | EventPattern | readonly EventPattern[];
};

/** A compiled, validated pattern: call it with an event to test for a match. */
export type EventPatternMatcher = (event: unknown) => boolean;

/** Thrown for a malformed event pattern; `path` names the offending location (e.g. `detail.state[0].numeric`). */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  /** Location of the problem inside the pattern; empty string for the pattern root. */
  readonly path: string;
  /** Human-readable reason, without the path. */
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`Invalid event pattern at ${path === '' ? '<root>' : path}: ${reason}`);
    this.path = path;
    this.reason = reason;
  }
}

// ---------------------------------------------------------------------------------------------
// Public functions
// ---------------------------------------------------------------------------------------------

/** Throws `InvalidEventPatternError` unless `pattern` is a well-formed EventBridge event pattern. */
export function validateEventPattern(pattern: unknown): asserts pattern is EventPattern {
  compileObjectPattern(pattern, '');
}

/** Validates `pattern` (throwing `InvalidEventPatternError`) and returns a reusable matcher. */
export function compileEventPattern(pattern: unknown): EventPatternMatcher {
  const compiled = compileObjectPattern(pattern, '');
  return (event: unknown) => matchObject(compiled, isJsonObject(event) ? event : EMPTY_OBJECT);
}

/**
 * Whether `event` matches `pattern`. The pattern is validated first, so a malformed pattern throws
 * `InvalidEventPatternError` rather than silently not matching. For many events against the same
 * pattern, prefer `compileEventPattern`.
 */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}

// ---------------------------------------------------------------------------------------------
// Compiled representation
// ---------------------------------------------------------------------------------------------

type Leaf = string | number | boolean | null;
type LeafPredicate = (leaf: Leaf) => boolean;
type JsonObject = Record<string, unknown>;

interface LeafRule {
  readonly kind: 'leaf';
  readonly field: string;
  /** Value conditions; the rule matches if any leaf satisfies any of them. */
  readonly predicates: readonly LeafPredicate[];
  /** `{ "exists": true }` present: matches when the field has at least one leaf value. */
  readonly matchesWhenPresent: boolean;
  /** `{ "exists": false }` present: matches when the field has no leaf value. */
  readonly matchesWhenAbsent: boolean;
}

interface NestedRule {
  readonly kind: 'nested';
  readonly field: string;
  readonly pattern: CompiledPattern;
}

interface CompiledPattern {
  readonly rules: readonly (LeafRule | NestedRule)[];
  /** Branches of a `$or` at this level (any must match), or undefined when there is none. */
  readonly anyOf: readonly CompiledPattern[] | undefined;
}

const EMPTY_OBJECT: JsonObject = Object.freeze({});

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

function matchObject(pattern: CompiledPattern, object: JsonObject): boolean {
  for (const rule of pattern.rules) {
    const value = Object.hasOwn(object, rule.field) ? object[rule.field] : undefined;
    const ok = rule.kind === 'leaf' ? matchLeafRule(rule, value) : matchNestedRule(rule, value);
    if (!ok) return false;
  }
  return pattern.anyOf === undefined || pattern.anyOf.some((branch) => matchObject(branch, object));
}

function matchLeafRule(rule: LeafRule, value: unknown): boolean {
  const leaves: Leaf[] = [];
  collectLeaves(value, leaves);
  if (leaves.length === 0) return rule.matchesWhenAbsent;
  if (rule.matchesWhenPresent) return true;
  return leaves.some((leaf) => rule.predicates.some((predicate) => predicate(leaf)));
}

function matchNestedRule(rule: NestedRule, value: unknown): boolean {
  const objects: JsonObject[] = [];
  collectObjects(value, objects);
  // Missing (or non-object) intermediate nodes behave like an empty object, so that e.g.
  // `{ "detail": { "c-count": [ { "exists": false } ] } }` matches an event without `detail`.
  if (objects.length === 0) return matchObject(rule.pattern, EMPTY_OBJECT);
  // An array of objects matches if one element matches the whole nested pattern.
  return objects.some((object) => matchObject(rule.pattern, object));
}

function collectLeaves(value: unknown, out: Leaf[]): void {
  if (Array.isArray(value)) {
    for (const element of value) collectLeaves(element, out);
  } else if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') {
    out.push(value);
  }
}

function collectObjects(value: unknown, out: JsonObject[]): void {
  if (Array.isArray(value)) {
    for (const element of value) collectObjects(element, out);
  } else if (isJsonObject(value)) {
    out.push(value);
  }
}

// ---------------------------------------------------------------------------------------------
// Compilation and validation
// ---------------------------------------------------------------------------------------------

const OR_KEY = '$or';
const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr'] as const;
const ANYTHING_BUT_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;
/** "Numeric matching ... is limited to values between -5.0e9 and +5.0e9 inclusive" (content filtering docs). */
export const NUMERIC_LIMIT = 5.0e9;

function fail(path: string, reason: string): never {
  throw new InvalidEventPatternError(path, reason);
}

function compileObjectPattern(raw: unknown, path: string): CompiledPattern {
  if (!isJsonObject(raw)) {
    fail(path, `a pattern must be a JSON object, got ${describe(raw)}`);
  }
  const entries = Object.entries(raw);
  if (entries.length === 0) fail(path, 'empty objects are not allowed');

  const rules: (LeafRule | NestedRule)[] = [];
  let anyOf: CompiledPattern[] | undefined;
  for (const [field, value] of entries) {
    const fieldPath = childPath(path, field);
    if (field === OR_KEY) {
      anyOf = compileOr(value, fieldPath);
    } else if (isArray(value)) {
      rules.push(compileLeafRule(field, value, fieldPath));
    } else if (isJsonObject(value)) {
      rules.push({ kind: 'nested', field, pattern: compileObjectPattern(value, fieldPath) });
    } else {
      fail(fieldPath, `a field must be an array of match values or a nested object, got ${describe(value)}`);
    }
  }
  return { rules, anyOf };
}

function compileOr(raw: unknown, path: string): CompiledPattern[] {
  if (!isArray(raw) || raw.length === 0) {
    fail(path, `"$or" must be a non-empty array of patterns, got ${describe(raw)}`);
  }
  return raw.map((branch: unknown, index) => compileObjectPattern(branch, `${path}[${index}]`));
}

function compileLeafRule(field: string, values: readonly unknown[], path: string): LeafRule {
  if (values.length === 0) fail(path, 'empty arrays are not allowed');
  const predicates: LeafPredicate[] = [];
  let matchesWhenPresent = false;
  let matchesWhenAbsent = false;
  values.forEach((value, index) => {
    const valuePath = `${path}[${index}]`;
    if (typeof value === 'string' || typeof value === 'boolean' || value === null) {
      predicates.push((leaf) => leaf === value);
    } else if (typeof value === 'number') {
      predicates.push(numberEquals(requireFiniteNumber(value, valuePath)));
    } else if (isArray(value)) {
      fail(valuePath, 'nested arrays are not allowed in a match array');
    } else if (isJsonObject(value)) {
      const filter = compileContentFilter(value, valuePath);
      if (filter.kind === 'exists') {
        if (filter.exists) matchesWhenPresent = true;
        else matchesWhenAbsent = true;
      } else {
        predicates.push(filter.predicate);
      }
    } else {
      fail(valuePath, `a match value must be a string, number, boolean, null or content filter, got ${describe(value)}`);
    }
  });
  return { kind: 'leaf', field, predicates, matchesWhenPresent, matchesWhenAbsent };
}

type CompiledFilter = { readonly kind: 'exists'; readonly exists: boolean } | { readonly kind: 'predicate'; readonly predicate: LeafPredicate };

function compileContentFilter(filter: JsonObject, path: string): CompiledFilter {
  const operator = singleKey(filter, path, OPERATORS);
  const operand = filter[operator];
  const operandPath = childPath(path, operator);
  const predicate = (p: LeafPredicate): CompiledFilter => ({ kind: 'predicate', predicate: p });
  switch (operator) {
    case 'prefix': {
      const { text, ignoreCase } = stringOrIgnoreCase(operand, operandPath, 'prefix');
      return predicate(ignoreCase ? onStrings((s) => foldCase(s).startsWith(text)) : onStrings((s) => s.startsWith(text)));
    }
    case 'suffix': {
      const { text, ignoreCase } = stringOrIgnoreCase(operand, operandPath, 'suffix');
      return predicate(ignoreCase ? onStrings((s) => foldCase(s).endsWith(text)) : onStrings((s) => s.endsWith(text)));
    }
    case 'equals-ignore-case':
      return predicate(equalsIgnoreCase([requireString(operand, operandPath, 'equals-ignore-case')]));
    case 'wildcard':
      return predicate(wildcardMatcher(requireString(operand, operandPath, 'wildcard'), operandPath));
    case 'anything-but': {
      const excluded = compileAnythingBut(operand, operandPath);
      return predicate((leaf) => !excluded(leaf));
    }
    case 'numeric':
      return predicate(compileNumeric(operand, operandPath));
    case 'exists':
      if (typeof operand !== 'boolean') fail(operandPath, `"exists" must be true or false, got ${describe(operand)}`);
      return { kind: 'exists', exists: operand };
    case 'cidr':
      return predicate(compileCidr(operand, operandPath));
  }
}

/** Returns the predicate for what `anything-but` excludes. */
function compileAnythingBut(operand: unknown, path: string): LeafPredicate {
  if (typeof operand === 'string') return (leaf) => leaf === operand;
  if (typeof operand === 'number') return numberEquals(requireFiniteNumber(operand, path));
  if (isArray(operand)) {
    if (operand.length === 0) fail(path, 'empty arrays are not allowed');
    if (operand.every((v): v is string => typeof v === 'string')) {
      const excluded = new Set<string>(operand);
      return (leaf) => typeof leaf === 'string' && excluded.has(leaf);
    }
    if (operand.every((v): v is number => typeof v === 'number')) {
      const excluded = operand.map((v, index) => requireFiniteNumber(v, `${path}[${index}]`));
      return (leaf) => typeof leaf === 'number' && excluded.includes(leaf);
    }
    fail(path, '"anything-but" list must contain only strings or only numbers');
  }
  if (isJsonObject(operand)) {
    const operator = singleKey(operand, path, ANYTHING_BUT_OPERATORS);
    const inner = operand[operator];
    const innerPath = childPath(path, operator);
    switch (operator) {
      case 'prefix': {
        // "Anything-but matching only works with a single prefix, not a list."
        const text = requireString(inner, innerPath, 'anything-but prefix');
        return onStrings((s) => s.startsWith(text));
      }
      case 'suffix': {
        const text = requireString(inner, innerPath, 'anything-but suffix');
        return onStrings((s) => s.endsWith(text));
      }
      case 'equals-ignore-case':
        return equalsIgnoreCase(stringOrStringList(inner, innerPath, 'anything-but equals-ignore-case'));
      case 'wildcard': {
        const matchers = stringOrStringList(inner, innerPath, 'anything-but wildcard').map((text, index) =>
          wildcardMatcher(text, isArray(inner) ? `${innerPath}[${index}]` : innerPath),
        );
        return (leaf) => matchers.some((matches) => matches(leaf));
      }
    }
  }
  fail(path, `"anything-but" must be a string, a number, a list of strings or numbers, or an object with one of ${quoteList(ANYTHING_BUT_OPERATORS)}; got ${describe(operand)}`);
}

const LOWER_BOUNDS: ReadonlySet<string> = new Set(['>', '>=']);
const UPPER_BOUNDS: ReadonlySet<string> = new Set(['<', '<=']);
const COMPARATORS: ReadonlySet<unknown> = new Set<NumericComparator>(['=', '<', '<=', '>', '>=']);

function isNumericComparator(value: unknown): value is NumericComparator {
  return COMPARATORS.has(value);
}

interface Bound {
  readonly comparator: NumericComparator;
  readonly value: number;
}

function compileNumeric(operand: unknown, path: string): LeafPredicate {
  const usage = 'expected [comparator, number] or [">"|">=", number, "<"|"<=", number]';
  if (!isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    fail(path, `"numeric" ${usage}, got ${describe(operand)}`);
  }
  const bounds: Bound[] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const comparator: unknown = operand[i];
    const value: unknown = operand[i + 1];
    if (!isNumericComparator(comparator)) {
      fail(`${path}[${i}]`, `unknown numeric comparator ${describe(comparator)}; expected one of "=", "<", "<=", ">", ">="`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      fail(`${path}[${i + 1}]`, `numeric comparator "${comparator}" needs a number, got ${describe(value)}`);
    }
    if (Math.abs(value) > NUMERIC_LIMIT) {
      fail(`${path}[${i + 1}]`, `numeric values are limited to -5.0e9..+5.0e9, got ${value}`);
    }
    bounds.push({ comparator, value });
  }
  const [first, second] = bounds;
  if (first === undefined) fail(path, `"numeric" ${usage}`);
  if (second === undefined) return onNumbers((n) => satisfies(n, first));

  const lower = bounds.find((b) => LOWER_BOUNDS.has(b.comparator));
  const upper = bounds.find((b) => UPPER_BOUNDS.has(b.comparator));
  if (lower === undefined || upper === undefined) {
    fail(path, `a numeric range needs one lower bound (">" or ">=") and one upper bound ("<" or "<="), got "${first.comparator}" and "${second.comparator}"`);
  }
  if (!(lower.value < upper.value)) {
    fail(path, `numeric range lower bound ${lower.value} must be less than upper bound ${upper.value}`);
  }
  return onNumbers((n) => satisfies(n, lower) && satisfies(n, upper));
}

function satisfies(n: number, bound: Bound): boolean {
  switch (bound.comparator) {
    case '=':
      return n === bound.value;
    case '<':
      return n < bound.value;
    case '<=':
      return n <= bound.value;
    case '>':
      return n > bound.value;
    case '>=':
      return n >= bound.value;
  }
}

// --- wildcard ---------------------------------------------------------------------------------

/**
 * `*` matches any run of characters (including none); `\*` is a literal asterisk and `\\` a literal
 * backslash. Consecutive wildcard characters (`**`) and any other escape are rejected.
 */
function wildcardMatcher(pattern: string, path: string): LeafPredicate {
  const segments: string[] = [];
  let current = '';
  let previousWasWildcard = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char === '\\') {
      const next = pattern.charAt(i + 1);
      if (next !== '*' && next !== '\\') {
        fail(path, `invalid escape at position ${i} in wildcard "${pattern}": only \\* and \\\\ may be escaped`);
      }
      current += next;
      i++;
      previousWasWildcard = false;
    } else if (char === '*') {
      if (previousWasWildcard) fail(path, `consecutive wildcard characters at position ${i} in wildcard "${pattern}" are not supported`);
      segments.push(current);
      current = '';
      previousWasWildcard = true;
    } else {
      current += char;
      previousWasWildcard = false;
    }
  }
  segments.push(current);
  return onStrings((s) => globMatches(segments, s));
}

/** `segments` are the literal parts between wildcards; with one segment the match is exact. */
function globMatches(segments: readonly string[], value: string): boolean {
  const first = segments[0] ?? '';
  if (segments.length === 1) return value === first;
  const last = segments[segments.length - 1] ?? '';
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  // Middle segments: leftmost-first search is sufficient when the only metacharacter is `*`.
  let position = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i] ?? '';
    const found = value.indexOf(segment, position);
    if (found === -1 || found + segment.length > end) return false;
    position = found + segment.length;
  }
  return true;
}

// --- cidr -------------------------------------------------------------------------------------

interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

function compileCidr(operand: unknown, path: string): LeafPredicate {
  const text = requireString(operand, path, 'cidr');
  const slash = text.indexOf('/');
  const address = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (address === undefined) fail(path, `"cidr" needs an IPv4 or IPv6 address with an optional /prefix-length, got "${text}"`);
  const width = address.family === 4 ? 32 : 128;
  let prefixLength = width;
  if (slash !== -1) {
    const lengthText = text.slice(slash + 1);
    const parsed = /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : Number.NaN;
    if (!(parsed >= 0 && parsed <= width)) fail(path, `invalid prefix length "${lengthText}" in "${text}" (must be 0..${width})`);
    prefixLength = parsed;
  }
  const shift = BigInt(width - prefixLength);
  const network = address.value >> shift;
  return onStrings((s) => {
    const candidate = parseIp(s);
    return candidate !== undefined && candidate.family === address.family && candidate.value >> shift === network;
  });
}

function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

function parseIpv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4) return undefined;
  let value = 0n;
  for (const octet of octets) {
    if (!/^(0|[1-9]\d{0,2})$/.test(octet)) return undefined;
    const n = Number(octet);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(input: string): bigint | undefined {
  let text = input;
  // An embedded dotted IPv4 tail (e.g. ::ffff:192.0.2.1) stands for the last two 16-bit groups.
  if (text.includes('.')) {
    const lastColon = text.lastIndexOf(':');
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => Number.parseInt(g, 16));
  };
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const explicit = head.length + tail.length;
  if (halves.length === 2 ? explicit > 7 : explicit !== 8) return undefined;
  const groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...tail];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

// --- small helpers ----------------------------------------------------------------------------

function onStrings(test: (s: string) => boolean): LeafPredicate {
  return (leaf) => typeof leaf === 'string' && test(leaf);
}

function onNumbers(test: (n: number) => boolean): LeafPredicate {
  return (leaf) => typeof leaf === 'number' && test(leaf);
}

/** Numbers match numerically: 300, 300.0 and 3.0e2 are the same JSON number. */
function numberEquals(value: number): LeafPredicate {
  return onNumbers((n) => n === value);
}

function equalsIgnoreCase(values: readonly string[]): LeafPredicate {
  const folded = new Set(values.map(foldCase));
  return onStrings((s) => folded.has(foldCase(s)));
}

function foldCase(s: string): string {
  return s.toLowerCase();
}

function stringOrIgnoreCase(operand: unknown, path: string, operator: string): { text: string; ignoreCase: boolean } {
  if (typeof operand === 'string') return { text: operand, ignoreCase: false };
  if (isJsonObject(operand)) {
    const keys = Object.keys(operand);
    const inner = operand['equals-ignore-case'];
    if (keys.length === 1 && typeof inner === 'string') return { text: foldCase(inner), ignoreCase: true };
  }
  fail(path, `"${operator}" must be a string or { "equals-ignore-case": string }, got ${describe(operand)}`);
}

function stringOrStringList(operand: unknown, path: string, operator: string): string[] {
  if (typeof operand === 'string') return [operand];
  if (isArray(operand) && operand.length > 0 && operand.every((v): v is string => typeof v === 'string')) return [...operand];
  fail(path, `"${operator}" must be a string or a non-empty list of strings, got ${describe(operand)}`);
}

function requireString(operand: unknown, path: string, operator: string): string {
  if (typeof operand !== 'string') fail(path, `"${operator}" must be a string, got ${describe(operand)}`);
  return operand;
}

function requireFiniteNumber(value: number, path: string): number {
  if (!Number.isFinite(value)) fail(path, `numbers must be finite, got ${value}`);
  return value;
}

function singleKey<K extends string>(object: JsonObject, path: string, allowed: readonly K[]): K {
  const keys = Object.keys(object);
  if (keys.length !== 1) {
    fail(path, `a content filter must have exactly one operator, got ${keys.length === 0 ? 'none' : quoteList(keys)}`);
  }
  const key = keys[0] ?? '';
  const known = allowed.find((candidate) => candidate === key);
  if (known === undefined) fail(path, `unknown operator "${key}"; expected one of ${quoteList(allowed)}`);
  return known;
}

function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !isArray(value);
}

function childPath(path: string, key: string): string {
  const segment = /^[^.[\]"]+$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (path === '') return segment;
  return segment.startsWith('[') ? `${path}${segment}` : `${path}.${segment}`;
}

function quoteList(items: readonly string[]): string {
  return items.map((item) => `"${item}"`).join(', ');
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (isArray(value)) return `array ${truncate(safeJson(value))}`;
  if (typeof value === 'object') return `object ${truncate(safeJson(value))}`;
  if (typeof value === 'string') return `string ${truncate(JSON.stringify(value))}`;
  return `${typeof value} ${String(value)}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
