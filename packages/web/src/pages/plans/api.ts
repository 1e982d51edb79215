/** GraphQL documents of the recovery plan pages, with the shapes they answer (graphql/schema.graphql). */
import { gql } from '../../api/client.js';
import type { Page } from '../protection-groups/api.js';

export type LaunchOrder = 'PARALLEL' | 'SEQUENTIAL';
export type ErrorPolicy = 'STOP' | 'CONTINUE';
export type Criticality = 'CRITICAL' | 'OPTIONAL';
export type StepType = 'WAIT' | 'APPROVAL' | 'SSM_DOCUMENT' | 'LAMBDA';
export type StepFailureAction = 'FAIL' | 'CONTINUE';
export type RoleName = 'Viewer' | 'Operator' | 'PlanAuthor' | 'RecoveryManager' | 'Admin';
export type FindingSeverity = 'ERROR' | 'WARNING' | 'INFO';
export type DrillNetworkIsolation = 'ISOLATED_VPC' | 'CUSTOM_SUBNET';
export type NotificationTargetType = 'SNS_TOPIC' | 'EMAIL' | 'WEBHOOK';
export type DocumentFormat = 'YAML' | 'JSON';

export interface PlanStep {
  id: string;
  type: StepType;
  name: string;
  durationSeconds: number | null;
  prompt: string | null;
  approverRole: RoleName | null;
  timeoutSeconds: number | null;
  onTimeout: StepFailureAction | null;
  documentName: string | null;
  documentVersion: string | null;
  parameters: unknown;
  targetServerIds: string[] | null;
  onFailure: StepFailureAction | null;
  functionArn: string | null;
  payload: unknown;
}

export interface WaveServer {
  sourceServerId: string;
  criticality: Criticality;
  bootOrder: number | null;
  delaySeconds: number | null;
}

export interface Wave {
  id: string;
  name: string;
  dependsOn: string[];
  launchOrder: LaunchOrder;
  protectionGroupIds: string[];
  sourceServerIds: string[];
  servers: WaveServer[];
  preSteps: PlanStep[];
  postSteps: PlanStep[];
  errorPolicy: ErrorPolicy;
}

export interface PlanSettings {
  rtoTargetMinutes: number | null;
  drill: { networkIsolation: DrillNetworkIsolation; subnetId: string | null; securityGroupIds: string[]; autoCleanupAfterHours: number | null } | null;
  notificationTargets: { type: NotificationTargetType; address: string }[];
  requireSecondApprover: boolean;
}

export interface RecoveryPlan {
  id: string;
  name: string;
  description: string | null;
  version: number;
  waves: Wave[];
  settings: PlanSettings;
  changeSummary: string[];
  createdAt: string;
  createdBy: string;
}

export interface PlanFinding {
  severity: FindingSeverity;
  code: string;
  field: string;
  message: string;
}

export interface PlanVersionSummary {
  planId: string;
  version: number;
  name: string;
  changeSummary: string[];
  createdAt: string;
  createdBy: string;
  deleted: boolean;
}

export interface PlanDiff {
  planId: string;
  fromVersion: number;
  toVersion: number;
  summary: string[];
  waves: { added: string[]; removed: string[]; changed: { waveId: string; name: string; changes: string[] }[] };
  planChanges: string[];
}

const BUILDER_GROUP_FIELDS = 'id name accountId region sourceServerIds';
const BUILDER_SERVER_FIELDS = 'id hostname readyForRecovery replicationState';

const STEP_FIELDS = 'id type name durationSeconds prompt approverRole timeoutSeconds onTimeout documentName documentVersion parameters targetServerIds onFailure functionArn payload';

export const PLAN_FIELDS = `
  id name description version
  waves {
    id name dependsOn launchOrder protectionGroupIds sourceServerIds errorPolicy
    servers { sourceServerId criticality bootOrder delaySeconds }
    preSteps { ${STEP_FIELDS} }
    postSteps { ${STEP_FIELDS} }
  }
  settings {
    rtoTargetMinutes requireSecondApprover
    drill { networkIsolation subnetId securityGroupIds autoCleanupAfterHours }
    notificationTargets { type address }
  }
  changeSummary createdAt createdBy
`;

export const RECOVERY_PLANS_QUERY = gql`
  query RecoveryPlans($first: Int, $after: String, $filter: RecoveryPlanFilter) {
    recoveryPlans(first: $first, after: $after, filter: $filter) {
      items { id name description version createdAt createdBy waves { id protectionGroupIds sourceServerIds } settings { rtoTargetMinutes } }
      nextCursor
    }
  }
`;
export interface PlanSummary {
  id: string;
  name: string;
  description: string | null;
  version: number;
  createdAt: string;
  createdBy: string;
  waves: { id: string; protectionGroupIds: string[]; sourceServerIds: string[] }[];
  settings: { rtoTargetMinutes: number | null };
}
export interface RecoveryPlansData {
  recoveryPlans: Page<PlanSummary>;
}
export interface RecoveryPlansVariables {
  first?: number;
  after?: string | null;
  filter?: { search?: string; protectionGroupId?: string };
}

export const RECOVERY_PLAN_QUERY = gql`
  query RecoveryPlan($id: ID!, $version: Int) {
    recoveryPlan(id: $id, version: $version) { ${PLAN_FIELDS} }
  }
`;
export interface RecoveryPlanData {
  recoveryPlan: RecoveryPlan | null;
}

export const PLAN_VERSIONS_QUERY = gql`
  query RecoveryPlanVersions($id: ID!) {
    recoveryPlanVersions(id: $id) { planId version name changeSummary createdAt createdBy deleted }
  }
`;
export interface PlanVersionsData {
  recoveryPlanVersions: PlanVersionSummary[];
}

export const PLAN_DIFF_QUERY = gql`
  query RecoveryPlanDiff($id: ID!, $fromVersion: Int!, $toVersion: Int!) {
    recoveryPlanDiff(id: $id, fromVersion: $fromVersion, toVersion: $toVersion) {
      planId fromVersion toVersion summary planChanges
      waves { added removed changed { waveId name changes } }
    }
  }
`;
export interface PlanDiffData {
  recoveryPlanDiff: PlanDiff;
}

export const VALIDATE_PLAN_QUERY = gql`
  query ValidateRecoveryPlan($input: ValidateRecoveryPlanInput!) {
    validateRecoveryPlan(input: $input) { valid findings { severity code field message } }
  }
`;
export interface ValidatePlanData {
  validateRecoveryPlan: { valid: boolean; findings: PlanFinding[] };
}

/** Every group with its members (the SRM import maps priorities onto any group). */
export const BUILDER_GROUPS_QUERY = gql`
  query BuilderProtectionGroups($after: String) {
    protectionGroups(first: 1000, after: $after) {
      items { ${BUILDER_GROUP_FIELDS} }
      nextCursor
    }
  }
`;
export interface BuilderGroup {
  id: string;
  name: string;
  accountId: string;
  region: string;
  sourceServerIds: string[];
}
export interface BuilderGroupsData {
  protectionGroups: Page<BuilderGroup>;
}

/** What a plan's pages show of a source server: its hostname and readiness. */
export interface BuilderServer {
  id: string;
  hostname: string;
  readyForRecovery: boolean;
  replicationState: string;
}
export interface BuilderServersData {
  sourceServers: Page<BuilderServer>;
}

/**
 * Lookups by id put several ids in one document, one alias each (the gateway batches them into
 * one call per service); the gateway allows 15 aliases a document.
 */
export const IDS_PER_DOCUMENT = 14;

/** The groups of these ids (`g0`, `g1`, ...: null when there is no such group). */
export function groupsByIdDocument(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$g${i}: ID!`).join(', ');
  const fields = Array.from({ length: count }, (_, i) => `g${i}: protectionGroup(id: $g${i}) { ${BUILDER_GROUP_FIELDS} }`).join('\n');
  return `query PlanProtectionGroups(${variables}) {\n${fields}\n}`;
}
export type GroupsByIdData = Record<string, BuilderGroup | null>;

/**
 * Groups per members document: the gateway's static cost estimate counts each `sourceServers` list
 * at about 14,000 whatever its `first` (limit 100,000), so 5 a document stay well under it.
 */
export const GROUPS_PER_MEMBERS_DOCUMENT = 5;

/** The catalog's members of these groups (`g0`, `g1`, ...): a group holds at most 95 servers, one page each. */
export function membersOfGroupsDocument(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$g${i}: ID!`).join(', ');
  const fields = Array.from({ length: count }, (_, i) => `g${i}: sourceServers(first: 1000, filter: { protectionGroupId: $g${i} }) { items { ${BUILDER_SERVER_FIELDS} } }`).join('\n');
  return `query PlanGroupMembers(${variables}) {\n${fields}\n}`;
}
export type MembersOfGroupsData = Record<string, { items: BuilderServer[] }>;

/** The servers of these ids (`s0`, `s1`, ...: null when the catalog does not know it). */
export function serversByIdDocument(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$s${i}: ID!`).join(', ');
  const fields = Array.from({ length: count }, (_, i) => `s${i}: sourceServer(id: $s${i}) { ${BUILDER_SERVER_FIELDS} }`).join('\n');
  return `query PlanSourceServers(${variables}) {\n${fields}\n}`;
}
export type ServersByIdData = Record<string, BuilderServer | null>;

/** A page of the groups whose name contains the search, for a wave's group picker. */
export const GROUP_SEARCH_QUERY = gql`
  query BuilderGroupSearch($search: String, $after: String) {
    protectionGroups(first: 50, after: $after, filter: { search: $search }) {
      items { ${BUILDER_GROUP_FIELDS} }
      nextCursor
    }
  }
`;

/** A page of the servers whose hostname contains the search, for a wave's single servers picker. */
export const SERVER_SEARCH_QUERY = gql`
  query BuilderServerSearch($search: String, $after: String) {
    sourceServers(first: 50, after: $after, filter: { search: $search }) {
      items { ${BUILDER_SERVER_FIELDS} }
      nextCursor
    }
  }
`;
export interface SearchVariables {
  search?: string;
  after?: string;
}

const SAVED_FIELDS = `${PLAN_FIELDS} findings { severity code field message }`;

export const CREATE_PLAN_MUTATION = gql`
  mutation CreateRecoveryPlan($input: CreateRecoveryPlanInput!) {
    createRecoveryPlan(input: $input) { ${SAVED_FIELDS} }
  }
`;
export interface CreatePlanData {
  createRecoveryPlan: RecoveryPlan & { findings: PlanFinding[] };
}

export const UPDATE_PLAN_MUTATION = gql`
  mutation UpdateRecoveryPlan($input: UpdateRecoveryPlanInput!) {
    updateRecoveryPlan(input: $input) { ${SAVED_FIELDS} }
  }
`;
export interface UpdatePlanData {
  updateRecoveryPlan: RecoveryPlan & { findings: PlanFinding[] };
}

export const DELETE_PLAN_MUTATION = gql`
  mutation DeleteRecoveryPlan($id: ID!, $expectedVersion: Int) {
    deleteRecoveryPlan(id: $id, expectedVersion: $expectedVersion) { id version }
  }
`;
export interface DeletePlanData {
  deleteRecoveryPlan: { id: string; version: number };
}

export const EXPORT_QUERY = gql`
  query ExportConfiguration($protectionGroupIds: [ID!], $planIds: [ID!], $format: DocumentFormat) {
    exportConfiguration(protectionGroupIds: $protectionGroupIds, planIds: $planIds, format: $format) {
      format content documents { kind name id }
    }
  }
`;
export interface ExportData {
  exportConfiguration: { format: DocumentFormat; content: string; documents: { kind: string; name: string; id: string | null }[] };
}

export const IMPORT_CONFIGURATION_MUTATION = gql`
  mutation ImportConfiguration($input: ImportConfigurationInput!) {
    importConfiguration(input: $input) {
      dryRun
      documents { kind name id action }
      findings { severity code field message }
    }
  }
`;
export interface ImportConfigurationData {
  importConfiguration: {
    dryRun: boolean;
    documents: { kind: 'ProtectionGroup' | 'RecoveryPlan'; name: string; id: string | null; action: 'CREATE' | 'UPDATE' | 'UNCHANGED' }[];
    findings: PlanFinding[];
  };
}

export const IMPORT_SRM_MUTATION = gql`
  mutation ImportSrmPriorities($input: ImportSrmPrioritiesInput!) {
    importSrmPriorities(input: $input) {
      definition { name waves { name dependsOn protectionGroupIds sourceServerIds } }
      findings { severity code field message }
      plan { id version }
    }
  }
`;
export interface ImportSrmData {
  importSrmPriorities: {
    definition: { name: string; waves: { name: string; dependsOn: string[]; protectionGroupIds: string[]; sourceServerIds: string[] }[] };
    findings: PlanFinding[];
    plan: { id: string; version: number } | null;
  };
}
