import type { Role } from '@lifeboat/service-api';
import { ROLES, isRole } from '@lifeboat/service-api';

/** How a source's requests act: with the permissions of this role (ARCHITECTURE §5). */
export interface TriggerSource {
  role: Role;
}

/** The EventBridge sources whose ExecutionStartRequested are accepted, by source. */
export type TriggerSources = ReadonlyMap<string, TriggerSource>;

/** EventBridge's own rule for a source: letters, digits, '.', '-', '_', up to 256. */
const SOURCE = /^[A-Za-z0-9._-]{1,256}$/;

/** Thrown at the first use of a malformed EXECUTION_TRIGGER_SOURCES: a deployment error, loudly. */
export class TriggerSourcesError extends Error {
  override readonly name = 'TriggerSourcesError';
}

/**
 * Reads EXECUTION_TRIGGER_SOURCES: `{ "<source>": { "role": "<Role>" } }`, e.g.
 * `{"lifeboat.runbook":{"role":"RecoveryManager"},"lifeboat.alarm":{"role":"Operator"}}`.
 * `aws.*` sources are refused (customers cannot put them) and so is lifeboat.execution (its own).
 */
export function parseTriggerSources(text: string): TriggerSources {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TriggerSourcesError(`EXECUTION_TRIGGER_SOURCES is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TriggerSourcesError('EXECUTION_TRIGGER_SOURCES must be an object of source -> { "role": "<Role>" }');
  const sources = new Map<string, TriggerSource>();
  for (const [source, value] of Object.entries(parsed)) {
    if (!SOURCE.test(source) || source.startsWith('aws.') || source === 'lifeboat.execution') throw new TriggerSourcesError(`EXECUTION_TRIGGER_SOURCES: ${JSON.stringify(source)} cannot be a trigger source`);
    const role: unknown = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).role : undefined;
    const extra = typeof value === 'object' && value !== null ? Object.keys(value).filter((k) => k !== 'role') : [];
    if (typeof role !== 'string' || !isRole(role) || extra.length > 0) {
      throw new TriggerSourcesError(`EXECUTION_TRIGGER_SOURCES: ${source} must be { "role": ${ROLES.map((r) => `"${r}"`).join(' | ')} }`);
    }
    sources.set(source, { role });
  }
  return sources;
}
