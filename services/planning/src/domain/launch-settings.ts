import type {
  FieldProblem,
  LaunchActionCategory,
  LaunchActionParameter,
  LaunchDisposition,
  LaunchSettings,
  PostLaunchActionView,
  RightSizingMethod,
  ServerLaunchOverride,
} from '@lifeboat/service-api';
import { isRecord, optionalBoolean, optionalEnum, optionalList, optionalString } from './checks.js';

/**
 * Launch settings of a protection group (defaults, per-server overrides) and its post-launch SSM
 * documents, and what DRS must be told for each member. The patterns are those of the DRS and EC2
 * API models, so that a setting Lifeboat accepts is one DRS accepts.
 */

export const LAUNCH_DISPOSITIONS: readonly LaunchDisposition[] = ['STARTED', 'STOPPED'];
export const RIGHT_SIZING_METHODS: readonly RightSizingMethod[] = ['NONE', 'BASIC', 'IN_AWS'];
export const LAUNCH_ACTION_CATEGORIES: readonly LaunchActionCategory[] = ['MONITORING', 'VALIDATION', 'CONFIGURATION', 'SECURITY', 'OTHER'];
export const MAX_POST_LAUNCH_ACTIONS = 10;
export const MAX_SECURITY_GROUPS = 16;
/** DRS launch action orders go from 2 to 10000; Lifeboat's start at 100, in list order. */
export const FIRST_ACTION_ORDER = 100;

const SUBNET_ID = /^subnet-[0-9a-fA-F]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-fA-F]{8,17}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/** DRS SsmDocumentName (PutLaunchAction actionCode). */
const SSM_DOCUMENT_NAME = /^[A-Za-z0-9/:-]{1,1011}$/;
const ACTION_VERSION = /^(\$DEFAULT|\$LATEST|[0-9]{1,10})$/;
const PARAMETER_NAME = /^[A-Za-z0-9]{1,1011}$/;
const PARAMETER_VALUE = /^[A-Za-z0-9.-]{1,1011}$/;
/** A subset of DRS LaunchActionDescription's characters. */
const ACTION_DESCRIPTION = /^[0-9a-zA-Z ():/.,'_#*;-]{0,1024}$/;

const SETTING_KEYS = ['subnetId', 'securityGroupIds', 'instanceType', 'copyPrivateIp', 'copyTags', 'launchDisposition', 'rightSizing'] as const;

/** Launch settings at `field`, with a problem per bad member. */
export function parseLaunchSettings(value: unknown, field: string, problems: FieldProblem[]): LaunchSettings {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problems.push({ field, message: 'must be an object of launch settings' });
    return {};
  }
  for (const key of Object.keys(value)) {
    if (key !== 'sourceServerId' && !(SETTING_KEYS as readonly string[]).includes(key)) problems.push({ field: `${field}.${key}`, message: `is not a launch setting (${SETTING_KEYS.join(', ')})` });
  }
  const settings: LaunchSettings = {};
  const subnetId = optionalString(value.subnetId, `${field}.subnetId`, problems, { pattern: SUBNET_ID, what: 'a subnet id (subnet-…)' });
  if (subnetId !== undefined) settings.subnetId = subnetId;
  if (value.securityGroupIds !== undefined) {
    const ids: string[] = [];
    optionalList(value.securityGroupIds, `${field}.securityGroupIds`, problems, MAX_SECURITY_GROUPS, 'security groups').forEach((id, i) => {
      const valid = optionalString(id, `${field}.securityGroupIds[${i}]`, problems, { pattern: SECURITY_GROUP_ID, what: 'a security group id (sg-…)' });
      if (valid === undefined) return;
      if (ids.includes(valid)) problems.push({ field: `${field}.securityGroupIds[${i}]`, message: `${valid} is listed twice` });
      else ids.push(valid);
    });
    if (Array.isArray(value.securityGroupIds) && value.securityGroupIds.length === 0) problems.push({ field: `${field}.securityGroupIds`, message: 'must list at least one security group (or be left out)' });
    settings.securityGroupIds = ids;
  }
  const instanceType = optionalString(value.instanceType, `${field}.instanceType`, problems, { pattern: INSTANCE_TYPE, max: 64, what: 'an EC2 instance type, like m5.large' });
  if (instanceType !== undefined) settings.instanceType = instanceType;
  const copyPrivateIp = optionalBoolean(value.copyPrivateIp, `${field}.copyPrivateIp`, problems);
  if (copyPrivateIp !== undefined) settings.copyPrivateIp = copyPrivateIp;
  const copyTags = optionalBoolean(value.copyTags, `${field}.copyTags`, problems);
  if (copyTags !== undefined) settings.copyTags = copyTags;
  const launchDisposition = optionalEnum(value.launchDisposition, `${field}.launchDisposition`, problems, LAUNCH_DISPOSITIONS);
  if (launchDisposition !== undefined) settings.launchDisposition = launchDisposition;
  const rightSizing = optionalEnum(value.rightSizing, `${field}.rightSizing`, problems, RIGHT_SIZING_METHODS);
  if (rightSizing !== undefined) settings.rightSizing = rightSizing;
  return settings;
}

/** The per-server overrides, each of a valid, distinct server id. */
export function parseServerLaunchOverrides(value: unknown, field: string, problems: FieldProblem[], max: number): ServerLaunchOverride[] {
  const overrides: ServerLaunchOverride[] = [];
  optionalList(value, field, problems, max, 'overrides').forEach((item, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(item)) {
      problems.push({ field: at, message: 'must be an object with sourceServerId and launch settings' });
      return;
    }
    const settings = parseLaunchSettings(item, at, problems);
    const id = item.sourceServerId;
    if (typeof id !== 'string' || !/^s-[0-9a-zA-Z]{17}$/.test(id)) {
      problems.push({ field: `${at}.sourceServerId`, message: 'must be a DRS source server id (s- and 17 characters)' });
      return;
    }
    const other = overrides.findIndex((o) => o.sourceServerId === id);
    if (other >= 0) {
      problems.push({ field: `${at}.sourceServerId`, message: `${id} already has overrides at ${field}[${other}]` });
      return;
    }
    overrides.push({ sourceServerId: id, ...settings });
  });
  return overrides;
}

/** The settings of one server: the group's defaults, overridden by the server's own. */
export function effectiveSettings(defaults: LaunchSettings, overrides: readonly ServerLaunchOverride[], sourceServerId: string): LaunchSettings {
  const override = overrides.find((o) => o.sourceServerId === sourceServerId);
  if (!override) return { ...defaults };
  const { sourceServerId: _id, ...own } = override;
  return { ...defaults, ...own };
}

/**
 * DRS right-sizing replaces the launch template's instance type: an instance type needs NONE.
 * Checked on the settings each server ends up with.
 */
export function settingsConflicts(settings: LaunchSettings): string | undefined {
  if (settings.instanceType !== undefined && settings.rightSizing !== undefined && settings.rightSizing !== 'NONE') {
    return `instanceType ${settings.instanceType} needs rightSizing NONE: with ${settings.rightSizing}, DRS chooses the instance type itself`;
  }
  return undefined;
}

/** A post-launch action as written, validated, with defaults, before it gets its id and order. */
export type PostLaunchActionDefinition = Omit<PostLaunchActionView, 'actionId' | 'order'>;

export function parsePostLaunchActions(value: unknown, field: string, problems: FieldProblem[]): PostLaunchActionDefinition[] {
  const actions: PostLaunchActionDefinition[] = [];
  optionalList(value, field, problems, MAX_POST_LAUNCH_ACTIONS, 'post-launch actions').forEach((item, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(item)) {
      problems.push({ field: at, message: 'must be an object with documentName' });
      return;
    }
    const count = problems.length;
    const documentName = typeof item.documentName === 'string' && SSM_DOCUMENT_NAME.test(item.documentName) ? item.documentName : undefined;
    if (documentName === undefined) problems.push({ field: `${at}.documentName`, message: 'must be the name or ARN of an SSM document (letters, digits, -, / and :)' });
    else if (actions.some((a) => a.documentName === documentName)) problems.push({ field: `${at}.documentName`, message: `${documentName} is already a post-launch action of this group` });
    const documentVersion = optionalString(item.documentVersion, `${at}.documentVersion`, problems, { pattern: ACTION_VERSION, what: '$DEFAULT, $LATEST or a version number' }) ?? '$DEFAULT';
    const parameters: LaunchActionParameter[] = [];
    optionalList(item.parameters, `${at}.parameters`, problems, 50, 'parameters').forEach((parameter, k) => {
      const pf = `${at}.parameters[${k}]`;
      if (!isRecord(parameter)) {
        problems.push({ field: pf, message: 'must be an object with name and value' });
        return;
      }
      const name = optionalString(parameter.name, `${pf}.name`, problems, { pattern: PARAMETER_NAME, what: 'a parameter name (letters and digits)' });
      if (parameter.name === undefined) problems.push({ field: `${pf}.name`, message: 'is required' });
      const parameterValue = optionalString(parameter.value, `${pf}.value`, problems, { pattern: PARAMETER_VALUE, what: 'a value DRS accepts (letters, digits, . and -)' });
      if (parameter.value === undefined) problems.push({ field: `${pf}.value`, message: 'is required' });
      const type = optionalEnum(parameter.type, `${pf}.type`, problems, ['DYNAMIC', 'SSM_STORE'] as const) ?? 'DYNAMIC';
      if (name !== undefined && parameters.some((p) => p.name === name)) problems.push({ field: `${pf}.name`, message: `${name} is listed twice` });
      else if (name !== undefined && parameterValue !== undefined) parameters.push({ name, value: parameterValue, type });
    });
    const optional = optionalBoolean(item.optional, `${at}.optional`, problems) ?? true;
    const category = optionalEnum(item.category, `${at}.category`, problems, LAUNCH_ACTION_CATEGORIES) ?? 'OTHER';
    const description = optionalString(item.description, `${at}.description`, problems, { pattern: ACTION_DESCRIPTION, what: "a description of at most 1024 letters, digits, spaces and ():/.,'_#*;-" }) ?? '';
    if (problems.length === count && documentName !== undefined) actions.push({ documentName, documentVersion, parameters, optional, category, description });
  });
  return actions;
}

/**
 * Ids and orders of a group's actions: an action keeps the id it had (same document), a new one
 * gets `newUuid()` (DRS wants a UUID); the order follows the list.
 */
export function assignActionIds(actions: readonly PostLaunchActionDefinition[], previous: readonly PostLaunchActionView[], newUuid: () => string): PostLaunchActionView[] {
  return actions.map((action, i) => ({
    actionId: previous.find((p) => p.documentName === action.documentName)?.actionId ?? newUuid(),
    ...action,
    order: FIRST_ACTION_ORDER + i,
  }));
}

/** Whether a group asks anything of DRS (launch settings or post-launch actions). */
export function hasLaunchWork(group: { launchDefaults: LaunchSettings; serverLaunchOverrides: readonly ServerLaunchOverride[]; postLaunchActions: readonly PostLaunchActionView[] }): boolean {
  return Object.keys(group.launchDefaults).length > 0 || group.serverLaunchOverrides.length > 0 || group.postLaunchActions.length > 0;
}

// ---- what DRS must be told, per server

/** Work for the launch-settings applier: reconcile these servers with the group as it is then. */
export interface LaunchSyncTask {
  protectionGroupId: string;
  accountId: string;
  region: string;
  sourceServerIds: string[];
  /** Launch actions the group had before the change (removed from servers that must not have them). */
  actionIds: string[];
}

/** The DRS (and EC2 launch template) calls that bring one server in line with its group. */
export interface ServerLaunchCalls {
  sourceServerId: string;
  /** UpdateLaunchConfiguration fields, when any. */
  configuration?: { copyPrivateIp?: boolean; copyTags?: boolean; launchDisposition?: LaunchDisposition; targetInstanceTypeRightSizingMethod?: RightSizingMethod; postLaunchEnabled?: boolean };
  /** The server's EC2 launch template (network interface 0 and instance type), when any. */
  template?: { subnetId?: string; securityGroupIds?: string[]; instanceType?: string };
  putActions: PostLaunchActionView[];
  deleteActionIds: string[];
}

/** The group as the applier sees it: its members and launch settings. */
export interface LaunchGroup {
  protectionGroupId: string;
  sourceServerIds: readonly string[];
  launchDefaults: LaunchSettings;
  serverLaunchOverrides: readonly ServerLaunchOverride[];
  postLaunchActions: readonly PostLaunchActionView[];
}

/**
 * The calls of a task, from the group as it is now (undefined once deleted): a member gets its
 * settings and the group's actions, and loses the task's old actions the group no longer has; a
 * server that is no longer a member loses every action of the group. A server that leaves keeps
 * its last launch configuration (there is nothing to restore it to). Replaying a task, or tasks
 * in any order, ends in the same state.
 */
export function launchCallsOf(task: LaunchSyncTask, group: LaunchGroup | undefined): ServerLaunchCalls[] {
  const current = group?.postLaunchActions ?? [];
  const currentIds = new Set(current.map((a) => a.actionId));
  const calls: ServerLaunchCalls[] = [];
  for (const sourceServerId of new Set(task.sourceServerIds)) {
    if (group && group.sourceServerIds.includes(sourceServerId)) {
      const settings = effectiveSettings(group.launchDefaults, group.serverLaunchOverrides, sourceServerId);
      const configuration: NonNullable<ServerLaunchCalls['configuration']> = {};
      if (settings.copyPrivateIp !== undefined) configuration.copyPrivateIp = settings.copyPrivateIp;
      if (settings.copyTags !== undefined) configuration.copyTags = settings.copyTags;
      if (settings.launchDisposition !== undefined) configuration.launchDisposition = settings.launchDisposition;
      // An instance type in the template only holds when DRS does not right-size.
      const rightSizing = settings.rightSizing ?? (settings.instanceType !== undefined ? 'NONE' : undefined);
      if (rightSizing !== undefined) configuration.targetInstanceTypeRightSizingMethod = rightSizing;
      if (current.length > 0) configuration.postLaunchEnabled = true;
      const template: NonNullable<ServerLaunchCalls['template']> = {};
      if (settings.subnetId !== undefined) template.subnetId = settings.subnetId;
      if (settings.securityGroupIds !== undefined) template.securityGroupIds = [...settings.securityGroupIds];
      if (settings.instanceType !== undefined) template.instanceType = settings.instanceType;
      const deleteActionIds = [...new Set(task.actionIds)].filter((id) => !currentIds.has(id));
      const call: ServerLaunchCalls = { sourceServerId, putActions: [...current], deleteActionIds };
      if (Object.keys(configuration).length > 0) call.configuration = configuration;
      if (Object.keys(template).length > 0) call.template = template;
      if (call.configuration || call.template || call.putActions.length > 0 || call.deleteActionIds.length > 0) calls.push(call);
    } else {
      const deleteActionIds = [...new Set([...task.actionIds, ...currentIds])];
      if (deleteActionIds.length > 0) calls.push({ sourceServerId, putActions: [], deleteActionIds });
    }
  }
  return calls;
}

/** A DRS launch action name from a document name (DRS LaunchActionName: starts alphanumeric). */
export function launchActionName(documentName: string): string {
  const cleaned = documentName.replace(/[^A-Za-z0-9 /_-]/g, '-').slice(0, 256);
  return /^[A-Za-z0-9]/.test(cleaned) ? cleaned : `A${cleaned.slice(0, 255)}`;
}
