/**
 * The protection group editor's state and its translation to the API's inputs. Fields stay text
 * while they are edited; `toGroupInput` turns them into a CreateProtectionGroupInput-shaped
 * definition and lists, at the paths the API uses, what is not even a number or JSON.
 * Update replaces the whole definition, so what the editor does not show (post-launch action
 * parameters, per-server verification overrides) is carried over as it was.
 */
import type { LaunchActionCategory, LaunchDisposition, LaunchSettings, PostLaunchAction, ProbeType, ProtectionGroup, RightSizingMethod, ServerVerificationOverride, Tag, VerificationSettings } from './api.js';
import { fromOptionalBoolean, idList, jsonValue, optionalBoolean, wholeNumber } from './form-support.js';
import type { FieldProblem, OptionalBoolean } from './form-support.js';

export interface LaunchForm {
  subnetId: string;
  securityGroupIds: string;
  instanceType: string;
  copyPrivateIp: OptionalBoolean;
  copyTags: OptionalBoolean;
  launchDisposition: '' | LaunchDisposition;
  rightSizing: '' | RightSizingMethod;
}

export interface LaunchOverrideForm extends LaunchForm {
  sourceServerId: string;
}

export interface HealthCheckForm {
  name: string;
  documentName: string;
  parameters: string;
  timeoutSeconds: string;
}

export interface ProbeForm {
  type: ProbeType;
  name: string;
  port: string;
  path: string;
  https: OptionalBoolean;
  expectStatus: string;
  timeoutSeconds: string;
}

export interface VerificationForm {
  instanceTimeoutSeconds: string;
  requireSsmAgent: OptionalBoolean;
  ssmAgentTimeoutSeconds: string;
  checkPostLaunchActions: OptionalBoolean;
  healthChecks: HealthCheckForm[];
  probes: ProbeForm[];
}

export interface PostLaunchActionForm {
  documentName: string;
  documentVersion: string;
  category: LaunchActionCategory;
  optional: boolean;
  description: string;
  /** Kept as they were: the editor does not change parameters. */
  parameters: { name: string; value: string; type: 'DYNAMIC' | 'SSM_STORE' | null }[];
}

export interface GroupForm {
  name: string;
  accountId: string;
  region: string;
  explicitServerIds: string[];
  tagSelectors: { tags: Tag[] }[];
  launchDefaults: LaunchForm;
  launchOverrides: LaunchOverrideForm[];
  postLaunchActions: PostLaunchActionForm[];
  verification: VerificationForm;
  /** Carried over unchanged on update. */
  verificationOverrides: ServerVerificationOverride[];
}

export const EMPTY_LAUNCH: LaunchForm = { subnetId: '', securityGroupIds: '', instanceType: '', copyPrivateIp: '', copyTags: '', launchDisposition: '', rightSizing: '' };

export function emptyGroupForm(accountId = '', region = ''): GroupForm {
  return {
    name: '',
    accountId,
    region,
    explicitServerIds: [],
    tagSelectors: [],
    launchDefaults: { ...EMPTY_LAUNCH },
    launchOverrides: [],
    postLaunchActions: [],
    verification: { instanceTimeoutSeconds: '', requireSsmAgent: '', ssmAgentTimeoutSeconds: '', checkPostLaunchActions: '', healthChecks: [], probes: [] },
    verificationOverrides: [],
  };
}

function launchForm(settings: LaunchSettings): LaunchForm {
  return {
    subnetId: settings.subnetId ?? '',
    securityGroupIds: (settings.securityGroupIds ?? []).join(', '),
    instanceType: settings.instanceType ?? '',
    copyPrivateIp: fromOptionalBoolean(settings.copyPrivateIp),
    copyTags: fromOptionalBoolean(settings.copyTags),
    launchDisposition: settings.launchDisposition ?? '',
    rightSizing: settings.rightSizing ?? '',
  };
}

function verificationForm(settings: VerificationSettings): VerificationForm {
  const text = (n: number | null): string => (n === null ? '' : String(n));
  return {
    instanceTimeoutSeconds: text(settings.instanceTimeoutSeconds),
    requireSsmAgent: fromOptionalBoolean(settings.requireSsmAgent),
    ssmAgentTimeoutSeconds: text(settings.ssmAgentTimeoutSeconds),
    checkPostLaunchActions: fromOptionalBoolean(settings.checkPostLaunchActions),
    healthChecks: (settings.healthChecks ?? []).map((h) => ({
      name: h.name ?? '',
      documentName: h.documentName,
      parameters: h.parameters === null || h.parameters === undefined ? '' : JSON.stringify(h.parameters),
      timeoutSeconds: text(h.timeoutSeconds),
    })),
    probes: (settings.probes ?? []).map((p) => ({
      type: p.type,
      name: p.name ?? '',
      port: String(p.port),
      path: p.path ?? '',
      https: fromOptionalBoolean(p.https),
      expectStatus: text(p.expectStatus),
      timeoutSeconds: text(p.timeoutSeconds),
    })),
  };
}

function postLaunchActionForm(action: PostLaunchAction): PostLaunchActionForm {
  return {
    documentName: action.documentName,
    documentVersion: action.documentVersion,
    category: action.category,
    optional: action.optional,
    description: action.description,
    parameters: action.parameters,
  };
}

/** The editor's state for an existing group. */
export function groupFormOf(group: ProtectionGroup): GroupForm {
  return {
    name: group.name,
    accountId: group.accountId,
    region: group.region,
    explicitServerIds: [...group.explicitSourceServerIds],
    tagSelectors: group.tagSelectors.map((s) => ({ tags: s.tags.map((t) => ({ key: t.key, value: t.value })) })),
    launchDefaults: launchForm(group.launchDefaults),
    launchOverrides: group.serverLaunchOverrides.map((o) => ({ ...launchForm(o), sourceServerId: o.sourceServerId })),
    postLaunchActions: group.postLaunchActions.map(postLaunchActionForm),
    verification: verificationForm(group.verification),
    verificationOverrides: group.serverVerificationOverrides,
  };
}

/** JSON as an input is built: undefined members are dropped by `compact` (and by JSON.stringify). */
export type Json = string | number | boolean | null | undefined | Json[] | { [key: string]: Json };
export type InputObject = { [key: string]: Json };

function launchInput(form: LaunchForm): InputObject {
  const securityGroupIds = idList(form.securityGroupIds);
  return {
    subnetId: form.subnetId.trim() || undefined,
    securityGroupIds: securityGroupIds.length > 0 ? securityGroupIds : undefined,
    instanceType: form.instanceType.trim() || undefined,
    copyPrivateIp: optionalBoolean(form.copyPrivateIp),
    copyTags: optionalBoolean(form.copyTags),
    launchDisposition: form.launchDisposition || undefined,
    rightSizing: form.rightSizing || undefined,
  };
}

function verificationInput(form: VerificationForm, at: string, problems: FieldProblem[]): InputObject {
  return {
    instanceTimeoutSeconds: wholeNumber(form.instanceTimeoutSeconds, `${at}.instanceTimeoutSeconds`, problems),
    requireSsmAgent: optionalBoolean(form.requireSsmAgent),
    ssmAgentTimeoutSeconds: wholeNumber(form.ssmAgentTimeoutSeconds, `${at}.ssmAgentTimeoutSeconds`, problems),
    checkPostLaunchActions: optionalBoolean(form.checkPostLaunchActions),
    healthChecks:
      form.healthChecks.length === 0
        ? undefined
        : form.healthChecks.map((h, i) => ({
            name: h.name.trim() || undefined,
            documentName: h.documentName.trim(),
            parameters: jsonValue(h.parameters, `${at}.healthChecks[${i}].parameters`, problems) as Json | undefined,
            timeoutSeconds: wholeNumber(h.timeoutSeconds, `${at}.healthChecks[${i}].timeoutSeconds`, problems),
          })),
    probes:
      form.probes.length === 0
        ? undefined
        : form.probes.map((p, i) => {
            const http = p.type === 'HTTP';
            if (p.port.trim() === '') problems.push({ field: `${at}.probes[${i}].port`, message: 'is required' });
            return {
              type: p.type,
              name: p.name.trim() || undefined,
              port: wholeNumber(p.port, `${at}.probes[${i}].port`, problems),
              path: http ? p.path.trim() || undefined : undefined,
              https: http ? optionalBoolean(p.https) : undefined,
              expectStatus: http ? wholeNumber(p.expectStatus, `${at}.probes[${i}].expectStatus`, problems) : undefined,
              timeoutSeconds: wholeNumber(p.timeoutSeconds, `${at}.probes[${i}].timeoutSeconds`, problems),
            };
          }),
  };
}

function verificationOverrideInput(o: ServerVerificationOverride): InputObject {
  return {
    sourceServerId: o.sourceServerId,
    instanceTimeoutSeconds: o.instanceTimeoutSeconds ?? undefined,
    requireSsmAgent: o.requireSsmAgent ?? undefined,
    ssmAgentTimeoutSeconds: o.ssmAgentTimeoutSeconds ?? undefined,
    checkPostLaunchActions: o.checkPostLaunchActions ?? undefined,
    healthChecks: o.healthChecks?.map((h) => ({ name: h.name ?? undefined, documentName: h.documentName, parameters: (h.parameters ?? undefined) as Json | undefined, timeoutSeconds: h.timeoutSeconds ?? undefined })),
    probes: o.probes?.map((p) => ({ type: p.type, name: p.name ?? undefined, port: p.port, path: p.path ?? undefined, https: p.https ?? undefined, expectStatus: p.expectStatus ?? undefined, timeoutSeconds: p.timeoutSeconds ?? undefined })),
  };
}

/** Removes undefined members (JSON.stringify does too; this keeps inputs readable in tests and devtools). */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => compact(v)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, compact(v)])) as T;
  }
  return value;
}

/**
 * The definition as CreateProtectionGroupInput (UpdateProtectionGroupInput adds id and
 * expectedRevision), and the problems found before asking the server, at the API's paths.
 * Every launch override row is sent, so `serverLaunchOverrides[i]` of a server problem is row i.
 */
export function toGroupInput(form: GroupForm): { input: InputObject; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const tagSelectors = form.tagSelectors.map((selector) => ({ tags: selector.tags.map((t) => ({ key: t.key.trim(), value: t.value })) }));
  const launchDefaults = compact(launchInput(form.launchDefaults));
  const verification = compact(verificationInput(form.verification, 'verification', problems));
  form.launchOverrides.forEach((o, i) => {
    if (o.sourceServerId === '') problems.push({ field: `serverLaunchOverrides[${i}].sourceServerId`, message: 'choose a member' });
  });
  form.postLaunchActions.forEach((a, i) => {
    if (a.documentName.trim() === '') problems.push({ field: `postLaunchActions[${i}].documentName`, message: 'is required' });
  });
  const input: InputObject = {
    name: form.name.trim(),
    accountId: form.accountId,
    region: form.region,
    sourceServerIds: form.explicitServerIds,
    tagSelectors,
    launchDefaults: Object.keys(launchDefaults).length > 0 ? launchDefaults : undefined,
    serverLaunchOverrides: form.launchOverrides.map((o) => compact({ sourceServerId: o.sourceServerId, ...launchInput(o) })),
    postLaunchActions: form.postLaunchActions.map((a) =>
      compact({
        documentName: a.documentName.trim(),
        documentVersion: a.documentVersion.trim() || undefined,
        parameters: a.parameters.map((p) => compact({ name: p.name, value: p.value, type: p.type ?? undefined })),
        optional: a.optional,
        category: a.category,
        description: a.description.trim() || undefined,
      }),
    ),
    verification: Object.keys(verification).length > 0 ? verification : undefined,
    serverVerificationOverrides: form.verificationOverrides.map((o) => compact(verificationOverrideInput(o))),
  };
  return { input: compact(input), problems };
}

/**
 * The problems of a BAD_USER_INPUT answer at the editor's rows: the gateway names a duplicate tag
 * key `tagSelectors[i].tags[j].key`, the service names a bad tag `tagSelectors[i].tags.<key>`;
 * both become `tagSelectors[i].tags[j]` of the row with that key.
 */
export function problemsAtRows(form: GroupForm, problems: readonly FieldProblem[]): FieldProblem[] {
  return problems.map((problem) => {
    const byKey = /^tagSelectors\[(\d+)\]\.tags\.(.+)$/.exec(problem.field);
    if (byKey) {
      const selector = form.tagSelectors[Number(byKey[1])];
      const row = selector?.tags.findIndex((t) => t.key.trim() === byKey[2]) ?? -1;
      if (row >= 0) return { field: `tagSelectors[${byKey[1]}].tags[${row}]`, message: problem.message };
    }
    return problem;
  });
}
