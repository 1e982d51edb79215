import type { ConnectivityProbe, FieldProblem, HealthCheckDocument, ResolvedVerification, ServerVerificationOverride, VerificationSettings } from '@lifeboat/service-api';
import { DEFAULT_VERIFICATION } from '@lifeboat/service-api';
import { SOURCE_SERVER_ID, isRecord, jsonLength, optionalBoolean, optionalEnum, optionalInteger, optionalList, optionalString, requiredInteger } from './checks.js';
import { SSM_DOCUMENT, SSM_PARAMETER_NAME } from './plan-steps.js';

/**
 * How the recovered servers of a protection group are verified (issue 6): the group's settings,
 * per-server overrides, and what one server ends up with in a plan snapshot (DEFAULT_VERIFICATION,
 * then the group's, then the server's; field by field, lists replaced whole).
 */

/** Longest wait Lifeboat accepts for one check (2 hours): a recovery must not hang on a check. */
export const MAX_VERIFICATION_TIMEOUT_SECONDS = 7_200;
export const MAX_HEALTH_CHECKS = 10;
export const MAX_PROBES = 10;
/** A health check's parameters as JSON. */
export const MAX_HEALTH_CHECK_PARAMETER_CHARACTERS = 4 * 1024;
/** A group's verification and its overrides together, as JSON (they are stored with the group and carried by its events). */
export const MAX_VERIFICATION_CHARACTERS = 32 * 1024;
/** Health checks run as Run Command documents; their default timeout. */
export const DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS = 600;

const SETTING_KEYS = ['instanceTimeoutSeconds', 'requireSsmAgent', 'ssmAgentTimeoutSeconds', 'healthChecks', 'checkPostLaunchActions', 'probes'] as const;
const HEALTH_CHECK_KEYS = ['name', 'documentName', 'parameters', 'timeoutSeconds'] as const;
const PROBE_TYPES = ['TCP', 'HTTP'] as const;
const PROBE_KEYS = { TCP: ['type', 'name', 'port', 'timeoutSeconds'], HTTP: ['type', 'name', 'port', 'path', 'https', 'expectStatus', 'timeoutSeconds'] } as const;
/** An HTTP path: starts with '/', printable ASCII without spaces (a query string is fine). */
const HTTP_PATH = /^\/[\x21-\x7e]{0,2047}$/;
const CHECK_NAME = { max: 128, what: 'a name of 1 to 128 characters' };

function timeout(value: unknown, field: string, problems: FieldProblem[]): number | undefined {
  return optionalInteger(value, field, problems, 1, MAX_VERIFICATION_TIMEOUT_SECONDS);
}

function displayName(value: unknown, field: string, problems: FieldProblem[]): string | undefined {
  const name = optionalString(value, field, problems, CHECK_NAME);
  if (name === undefined) return undefined;
  if (name.trim() === '') {
    problems.push({ field, message: `must be ${CHECK_NAME.what}` });
    return undefined;
  }
  return name.trim();
}

function refuseUnknownKeys(value: Record<string, unknown>, field: string, allowed: readonly string[], what: string, problems: FieldProblem[]): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push({ field: `${field}.${key}`, message: `is not ${what} (${allowed.join(', ')})` });
}

function parseParameters(value: unknown, field: string, problems: FieldProblem[]): Record<string, string[]> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    problems.push({ field, message: 'must be an object of parameter name to a list of values' });
    return undefined;
  }
  const parameters: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(value)) {
    if (!SSM_PARAMETER_NAME.test(name)) problems.push({ field, message: `'${name}' is not an SSM document parameter name` });
    else if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) problems.push({ field: `${field}.${name}`, message: 'must be a list of strings' });
    else parameters[name] = [...(values as string[])];
  }
  if (jsonLength(parameters) > MAX_HEALTH_CHECK_PARAMETER_CHARACTERS) problems.push({ field, message: `must be at most ${MAX_HEALTH_CHECK_PARAMETER_CHARACTERS} characters as JSON` });
  return parameters;
}

function parseHealthChecks(value: unknown, field: string, problems: FieldProblem[]): HealthCheckDocument[] {
  const checks: HealthCheckDocument[] = [];
  const names = new Map<string, number>();
  optionalList(value, field, problems, MAX_HEALTH_CHECKS, 'health checks').forEach((item, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(item)) {
      problems.push({ field: at, message: 'must be an object with documentName' });
      return;
    }
    const count = problems.length;
    refuseUnknownKeys(item, at, HEALTH_CHECK_KEYS, 'a health check field', problems);
    const documentName = typeof item.documentName === 'string' && SSM_DOCUMENT.test(item.documentName) ? item.documentName : undefined;
    if (item.documentName === undefined || item.documentName === null || item.documentName === '') problems.push({ field: `${at}.documentName`, message: 'is required' });
    else if (documentName === undefined) problems.push({ field: `${at}.documentName`, message: 'must be the name or ARN of an SSM document (3 to 128 letters, digits, _, . and -)' });
    const name = displayName(item.name, `${at}.name`, problems);
    const parameters = parseParameters(item.parameters, `${at}.parameters`, problems);
    const timeoutSeconds = timeout(item.timeoutSeconds, `${at}.timeoutSeconds`, problems);
    const shown = name ?? documentName;
    if (shown !== undefined) {
      const first = names.get(shown.toLowerCase());
      if (first !== undefined) problems.push({ field: name !== undefined ? `${at}.name` : `${at}.documentName`, message: `${field}[${first}] is already named '${shown}': give each health check its own name` });
      else names.set(shown.toLowerCase(), i);
    }
    if (problems.length > count || documentName === undefined) return;
    checks.push({
      ...(name !== undefined ? { name } : {}),
      documentName,
      ...(parameters !== undefined ? { parameters } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    });
  });
  return checks;
}

function parseProbes(value: unknown, field: string, problems: FieldProblem[]): ConnectivityProbe[] {
  const probes: ConnectivityProbe[] = [];
  const names = new Map<string, number>();
  optionalList(value, field, problems, MAX_PROBES, 'probes').forEach((item, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(item)) {
      problems.push({ field: at, message: `must be an object with type (${PROBE_TYPES.join(', ')}) and port` });
      return;
    }
    const count = problems.length;
    const type = optionalEnum(item.type, `${at}.type`, problems, PROBE_TYPES);
    if (item.type === undefined) problems.push({ field: `${at}.type`, message: `is required (${PROBE_TYPES.join(', ')})` });
    if (type !== undefined) {
      for (const key of Object.keys(item)) {
        if ((PROBE_KEYS[type] as readonly string[]).includes(key)) continue;
        const httpOnly = (PROBE_KEYS.HTTP as readonly string[]).includes(key);
        problems.push({ field: `${at}.${key}`, message: httpOnly ? 'is for HTTP probes only' : `is not a probe field (${PROBE_KEYS.HTTP.join(', ')})` });
      }
    }
    const name = displayName(item.name, `${at}.name`, problems);
    if (name !== undefined) {
      const first = names.get(name.toLowerCase());
      if (first !== undefined) problems.push({ field: `${at}.name`, message: `${field}[${first}] is already named '${name}'` });
      else names.set(name.toLowerCase(), i);
    }
    const port = requiredInteger(item.port, `${at}.port`, problems, 1, 65_535);
    const timeoutSeconds = timeout(item.timeoutSeconds, `${at}.timeoutSeconds`, problems);
    if (type === 'HTTP') {
      const path = optionalString(item.path, `${at}.path`, problems, { pattern: HTTP_PATH, what: "an HTTP path starting with '/' (no spaces, at most 2048 characters)" });
      const https = optionalBoolean(item.https, `${at}.https`, problems);
      const expectStatus = optionalInteger(item.expectStatus, `${at}.expectStatus`, problems, 100, 599);
      if (problems.length > count || port === undefined) return;
      probes.push({
        type,
        ...(name !== undefined ? { name } : {}),
        port,
        ...(path !== undefined ? { path } : {}),
        ...(https !== undefined ? { https } : {}),
        ...(expectStatus !== undefined ? { expectStatus } : {}),
        ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      });
      return;
    }
    if (problems.length > count || type === undefined || port === undefined) return;
    probes.push({ type, ...(name !== undefined ? { name } : {}), port, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) });
  });
  return probes;
}

/**
 * Verification settings at `field` (absent: `{}`), with a problem per bad field: timeouts whole
 * seconds from 1 to MAX_VERIFICATION_TIMEOUT_SECONDS, health checks (SSM documents, names
 * unique), probes (TCP or HTTP, ports 1-65535, HTTP paths from '/', expected status 100-599),
 * and no health checks beside `requireSsmAgent: false` (they run through the agent).
 * `sourceServerId` is left to the caller (overrides).
 */
export function parseVerificationSettings(value: unknown, field: string, problems: FieldProblem[], options: { allowSourceServerId?: boolean } = {}): VerificationSettings {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problems.push({ field, message: 'must be an object of verification settings' });
    return {};
  }
  const allowed: readonly string[] = options.allowSourceServerId ? ['sourceServerId', ...SETTING_KEYS] : SETTING_KEYS;
  for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push({ field: `${field}.${key}`, message: `is not a verification setting (${SETTING_KEYS.join(', ')})` });
  const settings: VerificationSettings = {};
  const instanceTimeoutSeconds = timeout(value.instanceTimeoutSeconds, `${field}.instanceTimeoutSeconds`, problems);
  if (instanceTimeoutSeconds !== undefined) settings.instanceTimeoutSeconds = instanceTimeoutSeconds;
  const requireSsmAgent = optionalBoolean(value.requireSsmAgent, `${field}.requireSsmAgent`, problems);
  if (requireSsmAgent !== undefined) settings.requireSsmAgent = requireSsmAgent;
  const ssmAgentTimeoutSeconds = timeout(value.ssmAgentTimeoutSeconds, `${field}.ssmAgentTimeoutSeconds`, problems);
  if (ssmAgentTimeoutSeconds !== undefined) settings.ssmAgentTimeoutSeconds = ssmAgentTimeoutSeconds;
  if (value.healthChecks !== undefined) {
    settings.healthChecks = parseHealthChecks(value.healthChecks, `${field}.healthChecks`, problems);
    if (requireSsmAgent === false && Array.isArray(value.healthChecks) && value.healthChecks.length > 0) {
      problems.push({ field: `${field}.healthChecks`, message: 'run through the SSM agent: with requireSsmAgent false they would never run (leave them out, or require the agent)' });
    }
  }
  const checkPostLaunchActions = optionalBoolean(value.checkPostLaunchActions, `${field}.checkPostLaunchActions`, problems);
  if (checkPostLaunchActions !== undefined) settings.checkPostLaunchActions = checkPostLaunchActions;
  if (value.probes !== undefined) settings.probes = parseProbes(value.probes, `${field}.probes`, problems);
  return settings;
}

/** The per-server verification overrides, each of a valid, distinct server id (membership is the caller's). */
export function parseServerVerificationOverrides(value: unknown, field: string, problems: FieldProblem[], max: number): ServerVerificationOverride[] {
  const overrides: ServerVerificationOverride[] = [];
  optionalList(value, field, problems, max, 'overrides').forEach((item, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(item)) {
      problems.push({ field: at, message: 'must be an object with sourceServerId and verification settings' });
      return;
    }
    const settings = parseVerificationSettings(item, at, problems, { allowSourceServerId: true });
    const id = item.sourceServerId;
    if (typeof id !== 'string' || !SOURCE_SERVER_ID.test(id)) {
      problems.push({ field: `${at}.sourceServerId`, message: 'must be a DRS source server id (s- and 17 characters)' });
      return;
    }
    const other = overrides.findIndex((o) => o.sourceServerId === id);
    if (other >= 0) {
      problems.push({ field: `${at}.sourceServerId`, message: `${id} already has verification overrides at ${field}[${other}]` });
      return;
    }
    overrides.push({ sourceServerId: id, ...settings });
  });
  return overrides;
}

/** A problem when a group's verification and overrides are too large to store and publish. */
export function verificationSizeProblem(verification: VerificationSettings, overrides: readonly ServerVerificationOverride[]): FieldProblem | undefined {
  const size = jsonLength(verification) + jsonLength(overrides);
  if (size <= MAX_VERIFICATION_CHARACTERS) return undefined;
  return { field: overrides.length > 0 ? 'serverVerificationOverrides' : 'verification', message: `verification and serverVerificationOverrides take ${size} characters as JSON, at most ${MAX_VERIFICATION_CHARACTERS} fit` };
}

function applySettings(target: ResolvedVerification, settings: VerificationSettings | undefined): void {
  if (!settings) return;
  if (settings.instanceTimeoutSeconds !== undefined) target.instanceTimeoutSeconds = settings.instanceTimeoutSeconds;
  if (settings.requireSsmAgent !== undefined) target.requireSsmAgent = settings.requireSsmAgent;
  if (settings.ssmAgentTimeoutSeconds !== undefined) target.ssmAgentTimeoutSeconds = settings.ssmAgentTimeoutSeconds;
  if (settings.healthChecks !== undefined) {
    target.healthChecks = settings.healthChecks.map((check) => ({
      name: check.name ?? check.documentName,
      documentName: check.documentName,
      parameters: Object.fromEntries(Object.entries(check.parameters ?? {}).map(([name, values]) => [name, [...values]])),
      timeoutSeconds: check.timeoutSeconds ?? DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS,
    }));
  }
  if (settings.checkPostLaunchActions !== undefined) target.checkPostLaunchActions = settings.checkPostLaunchActions;
  if (settings.probes !== undefined) target.probes = settings.probes.map((probe) => ({ ...probe }));
}

/**
 * What one server is verified with: DEFAULT_VERIFICATION, then the group's settings, then the
 * server's override, field by field (a list given replaces the one before it, it is not merged).
 * A health check's name defaults to its document name, its parameters to {}, its timeout to
 * DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS. Without a group (a single server): the defaults.
 */
export function resolveVerification(
  group: { verification?: VerificationSettings; serverVerificationOverrides?: readonly ServerVerificationOverride[] } | undefined,
  sourceServerId: string,
): ResolvedVerification {
  const resolved: ResolvedVerification = { ...DEFAULT_VERIFICATION, healthChecks: [], probes: [] };
  applySettings(resolved, group?.verification);
  const override = group?.serverVerificationOverrides?.find((o) => o.sourceServerId === sourceServerId);
  if (override) {
    const { sourceServerId: _id, ...own } = override;
    applySettings(resolved, own);
  }
  return resolved;
}

/** True when a server is verified with the defaults alone: its snapshot then leaves `verification` out (events stay small). */
export function isDefaultVerification(resolved: ResolvedVerification): boolean {
  return JSON.stringify(resolved) === JSON.stringify({ ...DEFAULT_VERIFICATION, healthChecks: [], probes: [] });
}
