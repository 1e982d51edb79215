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

/** Every group with its members, for the builder's pickers and boot order lists. */
export const BUILDER_GROUPS_QUERY = gql`
  query BuilderProtectionGroups($after: String) {
    protectionGroups(first: 1000, after: $after) {
      items { id name accountId region sourceServerIds }
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

/** Hostnames and readiness of the inventory, for the builder's boot order lists and step targets. */
export const BUILDER_SERVERS_QUERY = gql`
  query BuilderSourceServers($after: String) {
    sourceServers(first: 1000, after: $after) {
      items { id hostname readyForRecovery replicationState }
      nextCursor
    }
  }
`;
export interface BuilderServer {
  id: string;
  hostname: string;
  readyForRecovery: boolean;
  replicationState: string;
}
export interface BuilderServersData {
  sourceServers: Page<BuilderServer>;
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
