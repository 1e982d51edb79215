/**
 * Fault injection in the DRS core: which launches fail or are slow, what happens to the
 * `aws.drs` events, which servers stall. The plan comes from the fleet file (`faults`) or, at
 * run time, from `DrsSimulator.setFaults` (the control API). Rates are drawn from seeded streams,
 * a fixed number of draws per launch and per event, so a run is reproducible for a seed whatever
 * the plan says.
 *
 * Throttling, internal errors and AssumeRole denial are part of the same plan but applied by the
 * HTTP edge; this module only validates them.
 */
import type { FaultPlan, ServerSelector } from './fleet.js';
import type { TagsMap } from './model.js';
import { SeededRandom } from './random.js';

/** What a selector is matched against. */
export interface SelectableServer {
  sourceServerID: string;
  hostname?: string;
  tags: TagsMap;
}

/**
 * A selector matches a server by id, by hostname, or by carrying all of the given tags (any of the
 * three); a selector that names nothing matches every server.
 */
export function selects(selector: ServerSelector, server: SelectableServer): boolean {
  const ids = selector.sourceServerIds ?? [];
  const hosts = selector.hostnames ?? [];
  const tags = selector.tags ? Object.entries(selector.tags) : [];
  if (ids.length === 0 && hosts.length === 0 && tags.length === 0) return true;
  if (ids.includes(server.sourceServerID)) return true;
  if (server.hostname !== undefined && hosts.includes(server.hostname)) return true;
  return tags.length > 0 && tags.every(([key, value]) => server.tags[key] === value);
}

/** A fault plan that is not valid (from a fleet file or the control API). */
export class FaultPlanError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid fault plan: ${problems.join('; ')}`);
    this.name = 'FaultPlanError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class PlanReader {
  constructor(readonly problems: string[]) {}

  keys(obj: Record<string, unknown>, where: string, allowed: readonly string[]): void {
    for (const key of Object.keys(obj)) if (!allowed.includes(key)) this.problems.push(`${where}.${key} is not a known setting (known: ${allowed.join(', ')})`);
  }

  number(obj: Record<string, unknown>, key: string, where: string, check: (n: number) => boolean, expected: string): number | undefined {
    const value = obj[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
      this.problems.push(`${where}.${key} must be ${expected}`);
      return undefined;
    }
    return value;
  }

  rate(obj: Record<string, unknown>, key: string, where: string): number | undefined {
    return this.number(obj, key, where, (n) => n >= 0 && n <= 1, 'a number between 0 and 1');
  }

  strings(obj: Record<string, unknown>, key: string, where: string, pattern?: RegExp): string[] | undefined {
    const value = obj[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0 && (!pattern || pattern.test(v)))) {
      this.problems.push(`${where}.${key} must be a list of ${pattern ? `strings matching ${pattern.source}` : 'non-empty strings'}`);
      return undefined;
    }
    return value as string[];
  }

  selector(obj: Record<string, unknown>, where: string): ServerSelector {
    const sourceServerIds = this.strings(obj, 'sourceServerIds', where, /^s-[0-9a-zA-Z]{17}$/);
    const hostnames = this.strings(obj, 'hostnames', where);
    let tags: TagsMap | undefined;
    if (obj.tags !== undefined) {
      if (!isRecord(obj.tags) || !Object.values(obj.tags).every((v) => typeof v === 'string')) this.problems.push(`${where}.tags must map tag keys to string values`);
      else tags = { ...(obj.tags as TagsMap) };
    }
    return { ...(sourceServerIds ? { sourceServerIds } : {}), ...(hostnames ? { hostnames } : {}), ...(tags ? { tags } : {}) };
  }

  list<T>(value: unknown, where: string, item: (obj: Record<string, unknown>, where: string) => T): T[] | undefined {
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) {
      this.problems.push(`${where} must be a list`);
      return undefined;
    }
    const out: T[] = [];
    value.forEach((raw: unknown, i) => {
      if (!isRecord(raw)) this.problems.push(`${where}[${i}] must be an object`);
      else out.push(item(raw, `${where}[${i}]`));
    });
    return out;
  }

  object<T>(value: unknown, where: string, read: (obj: Record<string, unknown>) => T): T | undefined {
    if (value === undefined) return undefined;
    if (!isRecord(value)) {
      this.problems.push(`${where} must be an object`);
      return undefined;
    }
    return read(value);
  }
}

const SELECTOR_KEYS = ['sourceServerIds', 'hostnames', 'tags'] as const;

/** Reads an untrusted fault plan, appending every problem to `problems`. */
export function readFaultPlan(value: unknown, where: string, problems: string[]): FaultPlan {
  const r = new PlanReader(problems);
  if (!isRecord(value)) {
    problems.push(`${where} must be an object`);
    return {};
  }
  r.keys(value, where, ['launchFailures', 'slowLaunches', 'events', 'replicationStalls', 'throttling', 'internalErrors', 'assumeRoleDenied']);
  const plan: FaultPlan = {};
  const launchFailures = r.list(value.launchFailures, `${where}.launchFailures`, (o, w) => {
    r.keys(o, w, [...SELECTOR_KEYS, 'rate']);
    const rate = r.rate(o, 'rate', w);
    return { ...r.selector(o, w), ...(rate !== undefined ? { rate } : {}) };
  });
  if (launchFailures) plan.launchFailures = launchFailures;
  const slowLaunches = r.list(value.slowLaunches, `${where}.slowLaunches`, (o, w) => {
    r.keys(o, w, [...SELECTOR_KEYS, 'factor', 'rate']);
    const factor = r.number(o, 'factor', w, (n) => n > 0, 'a number > 0');
    if (o.factor === undefined) problems.push(`${w}.factor is required`);
    const rate = r.rate(o, 'rate', w);
    return { ...r.selector(o, w), factor: factor ?? 1, ...(rate !== undefined ? { rate } : {}) };
  });
  if (slowLaunches) plan.slowLaunches = slowLaunches;
  const events = r.object(value.events, `${where}.events`, (o) => {
    const w = `${where}.events`;
    r.keys(o, w, ['lossRate', 'duplicateRate', 'delayMs', 'delayRate']);
    const lossRate = r.rate(o, 'lossRate', w);
    const duplicateRate = r.rate(o, 'duplicateRate', w);
    const delayRate = r.rate(o, 'delayRate', w);
    const delayMs = r.number(o, 'delayMs', w, (n) => n >= 0, 'a number of milliseconds >= 0');
    return {
      ...(lossRate !== undefined ? { lossRate } : {}),
      ...(duplicateRate !== undefined ? { duplicateRate } : {}),
      ...(delayMs !== undefined ? { delayMs } : {}),
      ...(delayRate !== undefined ? { delayRate } : {}),
    };
  });
  if (events) plan.events = events;
  const replicationStalls = r.list(value.replicationStalls, `${where}.replicationStalls`, (o, w) => {
    r.keys(o, w, [...SELECTOR_KEYS, 'afterSeconds', 'durationSeconds']);
    const afterSeconds = r.number(o, 'afterSeconds', w, (n) => n >= 0, 'a number of seconds >= 0');
    const durationSeconds = r.number(o, 'durationSeconds', w, (n) => n > 0, 'a number of seconds > 0');
    return { ...r.selector(o, w), ...(afterSeconds !== undefined ? { afterSeconds } : {}), ...(durationSeconds !== undefined ? { durationSeconds } : {}) };
  });
  if (replicationStalls) plan.replicationStalls = replicationStalls;
  const callFaults = (key: 'throttling' | 'internalErrors') => r.object(value[key], `${where}.${key}`, (o) => {
    const w = `${where}.${key}`;
    r.keys(o, w, key === 'throttling' ? ['operations', 'count', 'rate', 'retryAfterSeconds'] : ['operations', 'count', 'rate']);
    const operations = r.strings(o, 'operations', w);
    const count = r.number(o, 'count', w, (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0');
    const rate = r.rate(o, 'rate', w);
    const retryAfterSeconds = key === 'throttling' ? r.number(o, 'retryAfterSeconds', w, (n) => n >= 0, 'a number of seconds >= 0') : undefined;
    return {
      ...(operations ? { operations } : {}),
      ...(count !== undefined ? { count } : {}),
      ...(rate !== undefined ? { rate } : {}),
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    };
  });
  const throttling = callFaults('throttling');
  if (throttling) plan.throttling = throttling;
  const internalErrors = callFaults('internalErrors');
  if (internalErrors) plan.internalErrors = internalErrors;
  const assumeRoleDenied = r.object(value.assumeRoleDenied, `${where}.assumeRoleDenied`, (o) => {
    const w = `${where}.assumeRoleDenied`;
    r.keys(o, w, ['roleArns', 'all']);
    const roleArns = r.strings(o, 'roleArns', w, /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/.+$/);
    if (o.all !== undefined && typeof o.all !== 'boolean') problems.push(`${w}.all must be true or false`);
    return { ...(roleArns ? { roleArns } : {}), ...(typeof o.all === 'boolean' ? { all: o.all } : {}) };
  });
  if (assumeRoleDenied) plan.assumeRoleDenied = assumeRoleDenied;
  return plan;
}

/** Validates an untrusted value as a fault plan; throws FaultPlanError listing every problem. */
export function parseFaultPlan(value: unknown): FaultPlan {
  const problems: string[] = [];
  const plan = readFaultPlan(value ?? {}, 'faults', problems);
  if (problems.length > 0) throw new FaultPlanError(problems);
  return plan;
}

export interface LaunchFaults {
  /** The launch fails (LAUNCH_FAILED) even though the server replicates. */
  fail: boolean;
  /** Multiplies the launch duration (1: no slow-down). */
  slowFactor: number;
}

export interface EventFate {
  lost: boolean;
  duplicated: boolean;
  /** Simulated milliseconds before the event is handed to the bus (0: now). */
  delayMs: number;
}

/**
 * Applies a plan with seeded draws. Each launch draws two numbers and each event three, whatever
 * the plan, so changing the plan never shifts the draws of later launches or events. When several
 * rules with rates match, the highest rate (and the largest slow-down) wins.
 */
export class FaultEngine {
  private launches: SeededRandom;
  private events: SeededRandom;

  constructor(seed: number, salt: string, public plan: FaultPlan = {}) {
    this.launches = SeededRandom.derive(seed, `fault:launch${salt}`);
    this.events = SeededRandom.derive(seed, `fault:event${salt}`);
  }

  /** The positions of the seeded streams (persisted state). */
  get positions(): { launches: number; events: number } {
    return { launches: this.launches.position, events: this.events.position };
  }

  /** Continues the streams from persisted positions. */
  restore(positions: { launches: number; events: number }): void {
    this.launches = SeededRandom.at(positions.launches);
    this.events = SeededRandom.at(positions.events);
  }

  launch(server: SelectableServer): LaunchFaults {
    const failDraw = this.launches.next();
    const slowDraw = this.launches.next();
    const fail = (this.plan.launchFailures ?? []).some((rule) => selects(rule, server) && (rule.rate === undefined || failDraw < rule.rate));
    const factors = (this.plan.slowLaunches ?? [])
      .filter((rule) => selects(rule, server) && (rule.rate === undefined || slowDraw < rule.rate))
      .map((rule) => rule.factor);
    return { fail, slowFactor: factors.length > 0 ? Math.max(...factors) : 1 };
  }

  event(): EventFate {
    const lossDraw = this.events.next();
    const duplicateDraw = this.events.next();
    const delayDraw = this.events.next();
    const e = this.plan.events ?? {};
    const lost = e.lossRate !== undefined && lossDraw < e.lossRate;
    const duplicated = !lost && e.duplicateRate !== undefined && duplicateDraw < e.duplicateRate;
    const delayed = !lost && (e.delayMs ?? 0) > 0 && (e.delayRate === undefined || delayDraw < e.delayRate);
    return { lost, duplicated, delayMs: delayed ? (e.delayMs ?? 0) : 0 };
  }
}
