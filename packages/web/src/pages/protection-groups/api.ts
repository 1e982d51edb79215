/** GraphQL documents of the protection group pages, with the shapes they answer (graphql/schema.graphql). */
import { gql } from '../../api/client.js';

export interface Tag {
  key: string;
  value: string;
}

export type LaunchDisposition = 'STARTED' | 'STOPPED';
export type RightSizingMethod = 'NONE' | 'BASIC' | 'IN_AWS';
export type LaunchActionCategory = 'MONITORING' | 'VALIDATION' | 'CONFIGURATION' | 'SECURITY' | 'OTHER';
export type ProbeType = 'TCP' | 'HTTP';

export interface LaunchSettings {
  subnetId: string | null;
  securityGroupIds: string[] | null;
  instanceType: string | null;
  copyPrivateIp: boolean | null;
  copyTags: boolean | null;
  launchDisposition: LaunchDisposition | null;
  rightSizing: RightSizingMethod | null;
}

export interface ServerLaunchOverride extends LaunchSettings {
  sourceServerId: string;
}

export interface PostLaunchAction {
  actionId: string;
  documentName: string;
  documentVersion: string;
  parameters: { name: string; value: string; type: 'DYNAMIC' | 'SSM_STORE' | null }[];
  optional: boolean;
  category: LaunchActionCategory;
  description: string;
  order: number;
}

export interface HealthCheckDocument {
  name: string | null;
  documentName: string;
  parameters: unknown;
  timeoutSeconds: number | null;
}

export interface ConnectivityProbe {
  type: ProbeType;
  name: string | null;
  port: number;
  path: string | null;
  https: boolean | null;
  expectStatus: number | null;
  timeoutSeconds: number | null;
}

export interface VerificationSettings {
  instanceTimeoutSeconds: number | null;
  requireSsmAgent: boolean | null;
  ssmAgentTimeoutSeconds: number | null;
  healthChecks: HealthCheckDocument[] | null;
  checkPostLaunchActions: boolean | null;
  probes: ConnectivityProbe[] | null;
}

export interface ServerVerificationOverride extends VerificationSettings {
  sourceServerId: string;
}

export interface MembershipConflict {
  sourceServerId: string;
  protectionGroupId: string;
  protectionGroupName: string | null;
}

/** A group as the list shows it. */
export interface ProtectionGroupSummary {
  id: string;
  name: string;
  accountId: string;
  region: string;
  sourceServerIds: string[];
  explicitSourceServerIds: string[];
  tagSelectors: { tags: Tag[] }[];
  conflicts: MembershipConflict[];
  revision: number;
  createdAt: string;
  updatedAt: string | null;
}

/** A group with everything its detail page and editor need. */
export interface ProtectionGroup extends ProtectionGroupSummary {
  launchDefaults: LaunchSettings;
  serverLaunchOverrides: ServerLaunchOverride[];
  postLaunchActions: PostLaunchAction[];
  verification: VerificationSettings;
  serverVerificationOverrides: ServerVerificationOverride[];
  createdBy: string;
  updatedBy: string | null;
}

/** A source server as the picker and the member list show it. */
export interface PickerServer {
  id: string;
  hostname: string;
  os: string;
  tags: Tag[];
  replicationState: string;
  readyForRecovery: boolean;
  notReadyReason: string | null;
  protectionGroup: { id: string; name: string | null } | null;
}

export interface ProtectionGroupPreview {
  sourceServerIds: string[];
  servers: { sourceServerId: string; hostname: string; replicationState: string; matchedBy: 'EXPLICIT' | 'TAGS' }[];
  conflicts: MembershipConflict[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const SUMMARY_FIELDS = `
  id name accountId region sourceServerIds explicitSourceServerIds
  tagSelectors { tags { key value } }
  conflicts { sourceServerId protectionGroupId protectionGroupName }
  revision createdAt updatedAt
`;

const LAUNCH_FIELDS = 'subnetId securityGroupIds instanceType copyPrivateIp copyTags launchDisposition rightSizing';
const VERIFICATION_FIELDS = `
  instanceTimeoutSeconds requireSsmAgent ssmAgentTimeoutSeconds checkPostLaunchActions
  healthChecks { name documentName parameters timeoutSeconds }
  probes { type name port path https expectStatus timeoutSeconds }
`;

const GROUP_FIELDS = `
  ${SUMMARY_FIELDS}
  launchDefaults { ${LAUNCH_FIELDS} }
  serverLaunchOverrides { sourceServerId ${LAUNCH_FIELDS} }
  postLaunchActions { actionId documentName documentVersion parameters { name value type } optional category description order }
  verification { ${VERIFICATION_FIELDS} }
  serverVerificationOverrides { sourceServerId ${VERIFICATION_FIELDS} }
  createdBy updatedBy
`;

export const PROTECTION_GROUPS_QUERY = gql`
  query ProtectionGroups($first: Int, $after: String, $filter: ProtectionGroupFilter) {
    protectionGroups(first: $first, after: $after, filter: $filter) {
      items { ${SUMMARY_FIELDS} }
      nextCursor
    }
  }
`;
export interface ProtectionGroupsData {
  protectionGroups: Page<ProtectionGroupSummary>;
}
export interface ProtectionGroupsVariables {
  first?: number;
  after?: string | null;
  filter?: { search?: string; accountId?: string; region?: string; sourceServerId?: string };
}

export const PROTECTION_GROUP_QUERY = gql`
  query ProtectionGroup($id: ID!) {
    protectionGroup(id: $id) { ${GROUP_FIELDS} }
  }
`;
export interface ProtectionGroupData {
  protectionGroup: ProtectionGroup | null;
}

export const TARGET_ACCOUNTS_QUERY = gql`
  query TargetAccounts {
    targetAccounts { accountId regions isDefault }
  }
`;
export interface TargetAccountsData {
  targetAccounts: { accountId: string; regions: string[]; isDefault: boolean }[];
}

const PICKER_SERVER_FIELDS = 'id hostname os tags { key value } replicationState readyForRecovery notReadyReason protectionGroup { id name }';

export const SOURCE_SERVERS_QUERY = gql`
  query PickerSourceServers($first: Int, $after: String, $filter: SourceServerFilter) {
    sourceServers(first: $first, after: $after, filter: $filter) {
      items { ${PICKER_SERVER_FIELDS} }
      nextCursor
    }
  }
`;
export interface SourceServersData {
  sourceServers: Page<PickerServer>;
}
export interface SourceServersVariables {
  first?: number;
  after?: string | null;
  filter?: { accountId?: string; region?: string; protectionGroupId?: string };
}

export const PREVIEW_QUERY = gql`
  query PreviewProtectionGroup($input: PreviewProtectionGroupInput!) {
    previewProtectionGroup(input: $input) {
      sourceServerIds
      servers { sourceServerId hostname replicationState matchedBy }
      conflicts { sourceServerId protectionGroupId protectionGroupName }
    }
  }
`;
export interface PreviewData {
  previewProtectionGroup: ProtectionGroupPreview;
}

export const PLANS_USING_GROUP_QUERY = gql`
  query PlansUsingGroup($filter: RecoveryPlanFilter) {
    recoveryPlans(first: 100, filter: $filter) {
      items { id name version createdAt }
      nextCursor
    }
  }
`;
export interface PlansUsingGroupData {
  recoveryPlans: Page<{ id: string; name: string; version: number; createdAt: string }>;
}

export const CREATE_GROUP_MUTATION = gql`
  mutation CreateProtectionGroup($input: CreateProtectionGroupInput!) {
    createProtectionGroup(input: $input) { ${GROUP_FIELDS} }
  }
`;
export interface CreateGroupData {
  createProtectionGroup: ProtectionGroup;
}

export const UPDATE_GROUP_MUTATION = gql`
  mutation UpdateProtectionGroup($input: UpdateProtectionGroupInput!) {
    updateProtectionGroup(input: $input) { ${GROUP_FIELDS} }
  }
`;
export interface UpdateGroupData {
  updateProtectionGroup: ProtectionGroup;
}

export const DELETE_GROUP_MUTATION = gql`
  mutation DeleteProtectionGroup($id: ID!, $expectedRevision: Int) {
    deleteProtectionGroup(id: $id, expectedRevision: $expectedRevision) { id }
  }
`;
export interface DeleteGroupData {
  deleteProtectionGroup: { id: string };
}

/** "App=Orders, Tier=Web" for a selector. */
export function selectorLabel(selector: { tags: readonly Tag[] }): string {
  return selector.tags.map((t) => `${t.key}=${t.value}`).join(', ');
}
