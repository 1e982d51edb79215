import type { Criticality, LaunchOrder } from './common.js';
import type { Role } from '../roles.js';

/** The planning service's API contract. */
// ---- planning (function lifeboat-planning-<stage>-api)

// ---- protection groups

/** DRS launch configuration: the state of the recovery instance after launch. */
export type LaunchDisposition = 'STARTED' | 'STOPPED';
/** DRS `targetInstanceTypeRightSizingMethod`: NONE keeps the launch template's instance type. */
export type RightSizingMethod = 'NONE' | 'BASIC' | 'IN_AWS';

/**
 * How the servers of a group launch; every field optional (unset: DRS keeps what it has).
 * `copyPrivateIp`, `copyTags`, `launchDisposition` and `rightSizing` are DRS launch configuration
 * (UpdateLaunchConfiguration); `subnetId`, `securityGroupIds` and `instanceType` live in the
 * server's EC2 launch template, which DRS owns (see services/planning/README.md).
 */
export interface LaunchSettings {
  subnetId?: string;
  securityGroupIds?: string[];
  instanceType?: string;
  copyPrivateIp?: boolean;
  copyTags?: boolean;
  launchDisposition?: LaunchDisposition;
  rightSizing?: RightSizingMethod;
}
/** Launch settings of one member, over the group's defaults. */
export interface ServerLaunchOverride extends LaunchSettings {
  sourceServerId: string;
}
/** Matches the servers that carry every one of these tags (key and value, case-sensitive). */
export interface TagSelector {
  tags: Record<string, string>;
}
export type LaunchActionCategory = 'MONITORING' | 'VALIDATION' | 'CONFIGURATION' | 'SECURITY' | 'OTHER';
export interface LaunchActionParameter {
  name: string;
  value: string;
  /** DYNAMIC (the value itself, default) or SSM_STORE (the name of an SSM parameter). */
  type?: 'DYNAMIC' | 'SSM_STORE';
}
/** An SSM document DRS runs on each recovered member after launch (DRS PutLaunchAction). */
export interface PostLaunchActionInput {
  documentName: string;
  /** `$DEFAULT` (default), `$LATEST` or a version number. */
  documentVersion?: string;
  parameters?: LaunchActionParameter[];
  /** When true (the default) a failure of the document does not mark the launch failed. */
  optional?: boolean;
  category?: LaunchActionCategory;
  description?: string;
}
export interface PostLaunchActionView {
  /** The DRS launch action id (a UUID, kept while the document stays in the group). */
  actionId: string;
  documentName: string;
  documentVersion: string;
  parameters: LaunchActionParameter[];
  optional: boolean;
  category: LaunchActionCategory;
  description: string;
  /** DRS launch action order (from 100, in the order of the list). */
  order: number;
}
// ---- verification of recovered servers (issue 6): set per group, overridable per server

/** An SSM document run on the recovered instance as a health check (Run Command). */
export interface HealthCheckDocument {
  /** Shown in the check list; default the document name. */
  name?: string;
  documentName: string;
  parameters?: Record<string, string[]>;
  /** Default 600. */
  timeoutSeconds?: number;
}
/** A probe from Lifeboat to the recovered instance's private IP. */
export type ConnectivityProbe =
  | { type: 'TCP'; name?: string; port: number; timeoutSeconds?: number }
  | { type: 'HTTP'; name?: string; port: number; path?: string; https?: boolean; expectStatus?: number; timeoutSeconds?: number };
/**
 * How a recovered server is proved healthy, in order: EC2 running and its status checks passed,
 * the SSM agent online, the health-check documents, DRS's post-launch actions, the probes.
 * Every field optional: unset takes the default (see ResolvedVerification).
 */
export interface VerificationSettings {
  /** EC2 running + status checks passed within this (SRM's VMware Tools wait). Default 900. */
  instanceTimeoutSeconds?: number;
  /** Wait for the SSM agent to be Online. Default true (false: skip it and the documents). */
  requireSsmAgent?: boolean;
  /** Default 600. */
  ssmAgentTimeoutSeconds?: number;
  healthChecks?: HealthCheckDocument[];
  /** Read the job's DRS post-launch action results (launchActionsStatus). Default true. */
  checkPostLaunchActions?: boolean;
  probes?: ConnectivityProbe[];
}
/** A member's verification, over its group's. */
export interface ServerVerificationOverride extends VerificationSettings {
  sourceServerId: string;
}
/** A server's verification in a plan snapshot: group, then server settings, then the defaults. */
export interface ResolvedVerification {
  instanceTimeoutSeconds: number;
  requireSsmAgent: boolean;
  ssmAgentTimeoutSeconds: number;
  healthChecks: { name: string; documentName: string; parameters: Record<string, string[]>; timeoutSeconds: number }[];
  checkPostLaunchActions: boolean;
  probes: ConnectivityProbe[];
}
export const DEFAULT_VERIFICATION: Readonly<ResolvedVerification> = {
  instanceTimeoutSeconds: 900,
  requireSsmAgent: true,
  ssmAgentTimeoutSeconds: 600,
  healthChecks: [],
  checkPostLaunchActions: true,
  probes: [],
};

/** What an author writes: the input of create, update, preview and of an imported document. */
export interface ProtectionGroupDefinition {
  name: string;
  accountId: string;
  region: string;
  /** Members named explicitly. */
  sourceServerIds?: string[];
  /** Members by tags: a server matching any selector (all of its tags) is a member. */
  tagSelectors?: TagSelector[];
  launchDefaults?: LaunchSettings;
  serverLaunchOverrides?: ServerLaunchOverride[];
  postLaunchActions?: PostLaunchActionInput[];
  /** How its recovered servers are verified (defaults when unset). */
  verification?: VerificationSettings;
  serverVerificationOverrides?: ServerVerificationOverride[];
}
/** A server a group's selectors match but another group holds (a server is in at most one group). */
export interface MembershipConflict {
  sourceServerId: string;
  protectionGroupId: string;
  protectionGroupName?: string;
}
export interface ProtectionGroupView {
  protectionGroupId: string;
  name: string;
  accountId: string;
  region: string;
  /** Every member: the explicit ones, then those the selectors resolve to (by id). */
  sourceServerIds: string[];
  createdAt: string;
  createdBy: string;
  // Planning always answers the fields below; optional so that views written before them still type.
  explicitSourceServerIds?: string[];
  tagSelectors?: TagSelector[];
  launchDefaults?: LaunchSettings;
  serverLaunchOverrides?: ServerLaunchOverride[];
  postLaunchActions?: PostLaunchActionView[];
  verification?: VerificationSettings;
  serverVerificationOverrides?: ServerVerificationOverride[];
  /** Servers the selectors matched after the group was saved that another group already held. */
  conflicts?: MembershipConflict[];
  /** 1 when created, +1 per change (for `expectedRevision`). */
  revision?: number;
  updatedAt?: string;
  updatedBy?: string;
}
export interface ProtectionGroupPreviewServer {
  sourceServerId: string;
  hostname: string;
  replicationState: string;
  /** EXPLICIT: named in sourceServerIds; TAGS: matched by a selector. */
  matchedBy: 'EXPLICIT' | 'TAGS';
}
/** The servers a definition would hold now, and those it cannot have. */
export interface ProtectionGroupPreview {
  sourceServerIds: string[];
  servers: ProtectionGroupPreviewServer[];
  conflicts: MembershipConflict[];
}

// ---- recovery plans

/** What a failed wave does to the plan: STOP it, or CONTINUE with the waves that do not need it. */
export type ErrorPolicy = 'STOP' | 'CONTINUE';
/** What a failed (or timed-out) step does: FAIL its wave, or CONTINUE. */
export type StepFailureAction = 'FAIL' | 'CONTINUE';
export type StepType = 'WAIT' | 'APPROVAL' | 'SSM_DOCUMENT' | 'LAMBDA';

export interface WaitStepInput {
  type: 'WAIT';
  name?: string;
  durationSeconds: number;
}
export interface ApprovalStepInput {
  type: 'APPROVAL';
  name?: string;
  prompt: string;
  /** Who may approve; unset: an Operator for a drill, a RecoveryManager for a recovery. */
  approverRole?: Role;
  /** Default 86400 (a day). */
  timeoutSeconds?: number;
  /** Default FAIL. */
  onTimeout?: StepFailureAction;
}
export interface SsmDocumentStepInput {
  type: 'SSM_DOCUMENT';
  name?: string;
  documentName: string;
  documentVersion?: string;
  parameters?: Record<string, string[]>;
  /**
   * Recovered servers it runs on: of this wave (post steps) or of the waves it depends on.
   * Default: the wave's servers (post steps); required for pre steps.
   */
  targetServerIds?: string[];
  /** Default 3600. */
  timeoutSeconds?: number;
  /** Default FAIL. */
  onFailure?: StepFailureAction;
}
export interface LambdaStepInput {
  type: 'LAMBDA';
  name?: string;
  functionArn: string;
  payload?: Record<string, unknown>;
  /** Default 300. */
  timeoutSeconds?: number;
  /** Default FAIL. */
  onFailure?: StepFailureAction;
}
export type StepInput = WaitStepInput | ApprovalStepInput | SsmDocumentStepInput | LambdaStepInput;

/** A step as stored: an id, a name and every default filled in. */
export type PlanStep =
  | { stepId: string; type: 'WAIT'; name: string; durationSeconds: number }
  | { stepId: string; type: 'APPROVAL'; name: string; prompt: string; approverRole?: Role; timeoutSeconds: number; onTimeout: StepFailureAction }
  | { stepId: string; type: 'SSM_DOCUMENT'; name: string; documentName: string; documentVersion: string; parameters: Record<string, string[]>; targetServerIds: string[]; timeoutSeconds: number; onFailure: StepFailureAction }
  | { stepId: string; type: 'LAMBDA'; name: string; functionArn: string; payload: Record<string, unknown>; timeoutSeconds: number; onFailure: StepFailureAction };

/** Settings of one server of a wave. */
export interface WaveServerSetting {
  sourceServerId: string;
  /** Default CRITICAL. */
  criticality?: Criticality;
  /** SEQUENTIAL waves: lower first; servers without one come last, in the wave's order. */
  bootOrder?: number;
  /** SEQUENTIAL waves: seconds to wait after the previous server before launching this one. */
  delaySeconds?: number;
}
export interface WaveInput {
  name: string;
  /** Names of other waves of the same plan. */
  dependsOn?: string[];
  launchOrder?: LaunchOrder;
  protectionGroupIds?: string[];
  /** Single servers, beside (or instead of) protection groups. */
  sourceServerIds?: string[];
  servers?: WaveServerSetting[];
  preSteps?: StepInput[];
  postSteps?: StepInput[];
  /** Default STOP. */
  errorPolicy?: ErrorPolicy;
}
export interface WaveView {
  waveId: string;
  name: string;
  /** Wave ids. */
  dependsOn: string[];
  launchOrder: LaunchOrder;
  protectionGroupIds: string[];
  // Planning always answers the fields below; optional so that views written before them still type.
  sourceServerIds?: string[];
  servers?: WaveServerSetting[];
  preSteps?: PlanStep[];
  postSteps?: PlanStep[];
  errorPolicy?: ErrorPolicy;
}
/** ISOLATED_VPC: Lifeboat's drill VPC (platform stack); CUSTOM_SUBNET: a subnet the author names. */
export type DrillNetworkIsolation = 'ISOLATED_VPC' | 'CUSTOM_SUBNET';
export interface DrillSettings {
  networkIsolation: DrillNetworkIsolation;
  /** CUSTOM_SUBNET only. */
  subnetId?: string;
  securityGroupIds?: string[];
  /** Drill instances are cleaned up this many hours after launch (1–168). */
  autoCleanupAfterHours?: number;
}
export interface NotificationTarget {
  type: 'SNS_TOPIC' | 'EMAIL' | 'WEBHOOK';
  /** Topic ARN, e-mail address or https URL. */
  address: string;
}
export interface RecoveryPlanSettings {
  rtoTargetMinutes?: number;
  drill?: DrillSettings;
  notificationTargets?: NotificationTarget[];
  /** A RECOVERY needs the approval of a second person. */
  requireSecondApprover?: boolean;
}
/** What an author writes: the input of create, update, validate and of an imported document. */
export interface RecoveryPlanDefinition {
  name: string;
  description?: string;
  waves: WaveInput[];
  settings?: RecoveryPlanSettings;
}
export interface RecoveryPlanView {
  planId: string;
  name: string;
  version: number;
  waves: WaveView[];
  createdAt: string;
  createdBy: string;
  // Planning always answers settings and changeSummary; optional so that views written before them still type.
  description?: string;
  settings?: RecoveryPlanSettings;
  /** What this version changed from the previous one (`created` for version 1). */
  changeSummary?: string[];
}
export type FindingSeverity = 'ERROR' | 'WARNING' | 'INFO';
/** One finding of plan validation; `code` is stable, `message` is for people. */
export interface PlanFinding {
  severity: FindingSeverity;
  code: string;
  field: string;
  message: string;
}
export interface RecoveryPlanValidation {
  /** No ERROR finding. */
  valid: boolean;
  findings: PlanFinding[];
}
/** The answer of a save: the version written and the warnings and infos of its validation. */
export interface SavedRecoveryPlan extends RecoveryPlanView {
  findings: PlanFinding[];
}
export interface RecoveryPlanVersionSummary {
  planId: string;
  version: number;
  name: string;
  changeSummary: string[];
  createdAt: string;
  createdBy: string;
  /** The version that deleted the plan. */
  deleted?: boolean;
}
export interface RecoveryPlanDiff {
  planId: string;
  fromVersion: number;
  toVersion: number;
  /** One line per change, as in changeSummary. */
  summary: string[];
  waves: { added: string[]; removed: string[]; changed: { waveId: string; name: string; changes: string[] }[] };
  /** Changed paths outside the waves (name, description, settings.*). */
  planChanges: string[];
}
/** Servers in SRM priority order: priority 1 recovers first. */
export interface SrmPriorityInput {
  priority: number;
  protectionGroupIds?: string[];
  sourceServerIds?: string[];
  servers?: WaveServerSetting[];
}
export interface SrmImportResult {
  /** The plan the priorities make: wave "Priority n" per used priority, each after the previous. */
  definition: RecoveryPlanDefinition;
  findings: PlanFinding[];
  /** The saved plan (absent for a dry run). */
  plan?: SavedRecoveryPlan;
}

// ---- configuration documents (`apiVersion: lifeboat/v1`)

export type DocumentFormat = 'YAML' | 'JSON';
export interface ConfigurationExport {
  format: DocumentFormat;
  content: string;
  documents: { kind: 'ProtectionGroup' | 'RecoveryPlan'; name: string; id: string }[];
}
export interface ConfigurationImportResult {
  dryRun: boolean;
  /** Per document, what the import does (or did). */
  documents: { kind: 'ProtectionGroup' | 'RecoveryPlan'; name: string; id?: string; action: 'CREATE' | 'UPDATE' | 'UNCHANGED' }[];
  /** Warnings and infos of the plans (errors refuse the import). */
  findings: PlanFinding[];
}

/** What an execution runs: one plan version with each wave's servers resolved (the ExecutionStarted snapshot). */
export interface PlanSnapshot {
  planId: string;
  version: number;
  name: string;
  waves: {
    waveId: string;
    name: string;
    dependsOn: string[];
    launchOrder: LaunchOrder;
    /** In launch order: boot order first for SEQUENTIAL waves. */
    servers: {
      sourceServerId: string;
      accountId: string;
      region: string;
      hostname: string;
      criticality: Criticality;
      bootOrder?: number;
      delaySeconds?: number;
      /** The group it comes from (absent for a single server). */
      protectionGroupId?: string;
      /** How it is verified once launched; absent: DEFAULT_VERIFICATION (left out to keep the event small). */
      verification?: ResolvedVerification;
    }[];
    errorPolicy?: ErrorPolicy;
    preSteps?: PlanStep[];
    postSteps?: PlanStep[];
  }[];
  settings?: RecoveryPlanSettings;
}

/** Filters of listProtectionGroups; all given ones must match. */
export interface ProtectionGroupFilter {
  /** Case-insensitive substring of the name. */
  search?: string;
  accountId?: string;
  region?: string;
  /** Only the group holding this server. */
  sourceServerId?: string;
}
export interface ListProtectionGroupsInput {
  /** 1..1000, default 100. */
  limit?: number;
  nextToken?: string;
  filter?: ProtectionGroupFilter;
}
/** Filters of listRecoveryPlans; all given ones must match. */
export interface RecoveryPlanFilter {
  /** Case-insensitive substring of the name. */
  search?: string;
  /** Only plans whose latest version recovers this group. */
  protectionGroupId?: string;
}
export interface ListRecoveryPlansInput {
  /** 1..1000, default 100. */
  limit?: number;
  nextToken?: string;
  filter?: RecoveryPlanFilter;
}

export interface PlanningOperations {
  createProtectionGroup: { input: ProtectionGroupDefinition; result: ProtectionGroupView };
  /** Replaces the definition; CONFLICT when `expectedRevision` is given and not current. */
  updateProtectionGroup: { input: ProtectionGroupDefinition & { protectionGroupId: string; expectedRevision?: number }; result: ProtectionGroupView };
  /** CONFLICT, naming the plans, when the latest version of a plan uses the group. */
  deleteProtectionGroup: { input: { protectionGroupId: string; expectedRevision?: number }; result: { protectionGroupId: string } };
  getProtectionGroup: { input: { protectionGroupId: string }; result: ProtectionGroupView };
  /**
   * Several groups in one read (the gateway's per-request batching); `read`. 1..100 ids; the
   * groups that exist, in the order asked (unknown ids are left out, a repeated id answered once).
   */
  getProtectionGroups: { input: { protectionGroupIds: string[] }; result: ProtectionGroupView[] };
  /** By name; `read`. BAD_USER_INPUT for a limit out of 1..1000 or a token not of this filter. */
  listProtectionGroups: { input: ListProtectionGroupsInput; result: { items: ProtectionGroupView[]; nextToken: string | null } };
  /** What a definition would hold now; `protectionGroupId` previews a change of that group. */
  previewProtectionGroup: { input: Omit<ProtectionGroupDefinition, 'name'> & { name?: string; protectionGroupId?: string }; result: ProtectionGroupPreview };
  createRecoveryPlan: { input: RecoveryPlanDefinition; result: SavedRecoveryPlan };
  /** A new immutable version; CONFLICT when `expectedVersion` is given and not the latest. */
  updateRecoveryPlan: { input: RecoveryPlanDefinition & { planId: string; expectedVersion?: number }; result: SavedRecoveryPlan };
  /** Writes a final version marking the plan deleted; its versions stay readable by number. */
  deleteRecoveryPlan: { input: { planId: string; expectedVersion?: number }; result: { planId: string; version: number } };
  /** Every finding of a definition, without saving it (`planId`: as an update of that plan). */
  validateRecoveryPlan: { input: RecoveryPlanDefinition & { planId?: string }; result: RecoveryPlanValidation };
  /** Latest version of each plan. */
  /** Latest versions by name, deleted plans left out; `read`. BAD_USER_INPUT as listProtectionGroups. */
  listRecoveryPlans: { input: ListRecoveryPlansInput; result: { items: RecoveryPlanView[]; nextToken: string | null } };
  /** NotFoundError when the plan or version does not exist. */
  getRecoveryPlan: { input: { planId: string; version?: number }; result: RecoveryPlanView };
  listRecoveryPlanVersions: { input: { planId: string }; result: RecoveryPlanVersionSummary[] };
  diffRecoveryPlanVersions: { input: { planId: string; fromVersion: number; toVersion: number }; result: RecoveryPlanDiff };
  resolveRecoveryPlan: { input: { planId: string; version?: number }; result: PlanSnapshot };
  importSrmPriorities: { input: { name: string; description?: string; priorities: SrmPriorityInput[]; settings?: RecoveryPlanSettings; dryRun?: boolean }; result: SrmImportResult };
  exportConfiguration: { input: { protectionGroupIds?: string[]; planIds?: string[]; format?: DocumentFormat }; result: ConfigurationExport };
  /** Validates every document first; writes all of them in one transaction, or nothing. */
  importConfiguration: { input: { content: string; format?: DocumentFormat; dryRun?: boolean }; result: ConfigurationImportResult };
}
