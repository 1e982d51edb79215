import type { FieldProblem, RecoveryPlanDefinition } from '@lifeboat/service-api';
import { isRecord } from './checks.js';
import type { ProtectionGroup } from './protection-group.js';
import { definitionOf } from './protection-group.js';
import type { RecoveryPlan } from './recovery-plan.js';
import { planDefinitionOf } from './recovery-plan.js';

/**
 * Protection groups and recovery plans as versioned documents, for configuration kept in Git:
 *
 *   apiVersion: lifeboat/v1
 *   kind: ProtectionGroup | RecoveryPlan
 *   metadata: { name, id }        # name is the identity; id is informative
 *   spec: ...                     # the definition, as the API takes it
 *
 * A plan's waves name their protection groups by name (`protectionGroups`), not by id, so that
 * the same documents apply to any stage. Documents are data: reading and writing their text (JSON
 * or YAML) is done outside the domain.
 */

export const API_VERSION = 'lifeboat/v1';
export const KINDS = ['ProtectionGroup', 'RecoveryPlan'] as const;
export type DocumentKind = (typeof KINDS)[number];

export interface ConfigurationDocument {
  apiVersion: typeof API_VERSION;
  kind: DocumentKind;
  metadata: { name: string; id?: string; version?: number };
  spec: Record<string, unknown>;
}

export function groupDocument(group: ProtectionGroup): ConfigurationDocument {
  const { name: _name, ...spec } = definitionOf(group);
  return { apiVersion: API_VERSION, kind: 'ProtectionGroup', metadata: { name: group.name, id: group.protectionGroupId }, spec };
}

/** A plan's latest version as a document; groups by name (`groupNames`: id → name). */
export function planDocument(plan: RecoveryPlan, groupNames: ReadonlyMap<string, string>): ConfigurationDocument {
  const { name: _name, waves, ...rest } = planDefinitionOf(plan);
  const spec: Record<string, unknown> = { ...rest };
  spec.waves = waves.map(({ protectionGroupIds, ...wave }) => ({
    ...wave,
    ...(Array.isArray(protectionGroupIds) ? { protectionGroups: protectionGroupIds.map((id: string) => groupNames.get(id) ?? id) } : {}),
  }));
  return { apiVersion: API_VERSION, kind: 'RecoveryPlan', metadata: { name: plan.name, id: plan.planId, version: plan.version }, spec };
}

export type ParsedDocument =
  | { index: number; kind: 'ProtectionGroup'; name: string; definition: Record<string, unknown> }
  | { index: number; kind: 'RecoveryPlan'; name: string; spec: Record<string, unknown> };

/**
 * The envelope of each document (apiVersion, kind, metadata.name, spec), with a problem per bad
 * part at `documents[i]…`; names are unique per kind (whatever their case).
 */
export function parseDocuments(values: readonly unknown[]): { documents: ParsedDocument[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const documents: ParsedDocument[] = [];
  if (values.length === 0) problems.push({ field: 'content', message: 'holds no document' });
  values.forEach((value, index) => {
    const at = `documents[${index}]`;
    if (!isRecord(value)) {
      problems.push({ field: at, message: `must be a document with apiVersion ${API_VERSION}, kind, metadata and spec` });
      return;
    }
    const count = problems.length;
    if (value.apiVersion !== API_VERSION) problems.push({ field: `${at}.apiVersion`, message: `must be ${API_VERSION}` });
    const kind = (KINDS as readonly unknown[]).includes(value.kind) ? (value.kind as DocumentKind) : undefined;
    if (!kind) problems.push({ field: `${at}.kind`, message: `must be one of ${KINDS.join(', ')}` });
    const metadata = isRecord(value.metadata) ? value.metadata : undefined;
    const name = typeof metadata?.name === 'string' && metadata.name.trim() !== '' ? metadata.name.trim() : undefined;
    if (!name) problems.push({ field: `${at}.metadata.name`, message: 'is required' });
    if (!isRecord(value.spec)) problems.push({ field: `${at}.spec`, message: 'must be an object' });
    const fatal = problems.length > count;
    for (const key of Object.keys(value)) if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(key)) problems.push({ field: `${at}.${key}`, message: 'is not a part of a document (apiVersion, kind, metadata, spec)' });
    if (fatal || !kind || !name || !isRecord(value.spec)) return;
    const twin = documents.find((d) => d.kind === kind && d.name.toLowerCase() === name.toLowerCase());
    if (twin) {
      problems.push({ field: `${at}.metadata.name`, message: `documents[${twin.index}] is already the ${kind} '${twin.name}'` });
      return;
    }
    if (kind === 'ProtectionGroup') {
      if ('name' in value.spec) problems.push({ field: `${at}.spec.name`, message: 'the name is metadata.name' });
      documents.push({ index, kind, name, definition: { ...value.spec, name } });
    } else {
      if ('name' in value.spec) problems.push({ field: `${at}.spec.name`, message: 'the name is metadata.name' });
      documents.push({ index, kind, name, spec: value.spec });
    }
  });
  return { documents, problems };
}

/**
 * A plan document's definition with group names turned into ids (`groupIdByName`: lower-cased
 * name → id), with a problem per unknown name.
 */
export function planInputOf(document: Extract<ParsedDocument, { kind: 'RecoveryPlan' }>, groupIdByName: ReadonlyMap<string, string>): { input: RecoveryPlanDefinition; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const at = `documents[${document.index}].spec`;
  const waves = Array.isArray(document.spec.waves)
    ? document.spec.waves.map((wave: unknown, i) => {
        if (!isRecord(wave)) return wave;
        const { protectionGroups, protectionGroupIds, ...rest } = wave;
        if (protectionGroupIds !== undefined) problems.push({ field: `${at}.waves[${i}].protectionGroupIds`, message: 'a document names groups by name: use protectionGroups' });
        if (protectionGroups === undefined) return rest;
        if (!Array.isArray(protectionGroups)) {
          problems.push({ field: `${at}.waves[${i}].protectionGroups`, message: 'must be a list of protection group names' });
          return rest;
        }
        const ids = protectionGroups.map((name: unknown, k) => {
          const id = typeof name === 'string' ? groupIdByName.get(name.trim().toLowerCase()) : undefined;
          if (id === undefined) problems.push({ field: `${at}.waves[${i}].protectionGroups[${k}]`, message: `no protection group is named '${String(name)}' (neither existing nor in these documents)` });
          return id ?? '';
        });
        return { ...rest, protectionGroupIds: ids.filter((id) => id !== '') };
      })
    : document.spec.waves;
  return { input: { ...document.spec, name: document.name, waves } as RecoveryPlanDefinition, problems };
}

/** A problem of a definition, at its place in the document (`name` is metadata.name). */
export function inDocument(index: number, field: string): string {
  if (field === 'name') return `documents[${index}].metadata.name`;
  const renamed = field.replace(/^waves\[(\d+)\]\.protectionGroupIds/, 'waves[$1].protectionGroups');
  return `documents[${index}].spec${renamed === '' ? '' : renamed.startsWith('[') ? renamed : `.${renamed}`}`;
}
