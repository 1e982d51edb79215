/**
 * The DRS wire shapes the simulator produces: the subset of the 2020-02-26 model
 * (botocore drs/service-2.json, @aws-sdk/client-drs) that its operations return, with the
 * model's member names and enum values.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const DATA_REPLICATION_STATES = [
  'STOPPED', 'INITIATING', 'INITIAL_SYNC', 'BACKLOG', 'CREATING_SNAPSHOT',
  'CONTINUOUS', 'PAUSED', 'RESCAN', 'STALLED', 'DISCONNECTED',
] as const;
export type DataReplicationState = (typeof DATA_REPLICATION_STATES)[number];

export type JobType = 'LAUNCH' | 'TERMINATE' | 'CREATE_CONVERTED_SNAPSHOT';
export type InitiatedBy =
  | 'START_RECOVERY' | 'START_DRILL' | 'FAILBACK' | 'DIAGNOSTIC' | 'TERMINATE_RECOVERY_INSTANCES' | 'TARGET_ACCOUNT'
  | 'CREATE_NETWORK_RECOVERY' | 'UPDATE_NETWORK_RECOVERY' | 'ASSOCIATE_NETWORK_RECOVERY';
export type JobStatus = 'PENDING' | 'STARTED' | 'COMPLETED';
export type LaunchStatus = 'PENDING' | 'IN_PROGRESS' | 'LAUNCHED' | 'FAILED' | 'TERMINATED';
export type LastLaunchResult = 'NOT_STARTED' | 'PENDING' | 'SUCCEEDED' | 'FAILED';
export type LastLaunchType = 'RECOVERY' | 'DRILL';
export type Ec2InstanceState = 'PENDING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'SHUTTING-DOWN' | 'TERMINATED' | 'NOT_FOUND';
export type ExtensionStatus = 'EXTENDED' | 'EXTENSION_ERROR' | 'NOT_EXTENDED';

export type TagsMap = Record<string, string>;

export interface IdentificationHints {
  fqdn?: string;
  hostname?: string;
  vmWareUuid?: string;
  awsInstanceID?: string;
}

export interface NetworkInterface {
  macAddress?: string;
  ips?: string[];
  isPrimary?: boolean;
}

export interface SourceProperties {
  lastUpdatedDateTime?: string;
  recommendedInstanceType?: string;
  identificationHints?: IdentificationHints;
  networkInterfaces?: NetworkInterface[];
  disks?: { deviceName?: string; bytes?: number }[];
  cpus?: { cores?: number; modelName?: string }[];
  ramBytes?: number;
  os?: { fullString?: string };
  supportsNitroInstances?: boolean;
}

export interface DataReplicationInfo {
  lagDuration?: string;
  etaDateTime?: string;
  replicatedDisks?: {
    deviceName?: string;
    totalStorageBytes?: number;
    replicatedStorageBytes?: number;
    rescannedStorageBytes?: number;
    backloggedStorageBytes?: number;
  }[];
  dataReplicationState?: DataReplicationState;
  dataReplicationError?: { error?: string; rawError?: string };
  stagingAvailabilityZone?: string;
}

export interface LifeCycle {
  addedToServiceDateTime?: string;
  firstByteDateTime?: string;
  elapsedReplicationDuration?: string;
  lastSeenByServiceDateTime?: string;
  lastLaunch?: {
    initiated?: { apiCallDateTime?: string; jobID?: string; type?: LastLaunchType };
    status?: LaunchStatus;
  };
}

export interface SourceCloudProperties {
  originAccountID?: string;
  originRegion?: string;
  originAvailabilityZone?: string;
}

export interface StagingArea {
  status?: ExtensionStatus;
  stagingAccountID?: string;
  stagingSourceServerArn?: string;
  errorMessage?: string;
}

export interface SourceServer {
  sourceServerID: string;
  arn: string;
  tags: TagsMap;
  recoveryInstanceId?: string;
  lastLaunchResult: LastLaunchResult;
  dataReplicationInfo: DataReplicationInfo;
  lifeCycle: LifeCycle;
  sourceProperties: SourceProperties;
  stagingArea: StagingArea;
  sourceCloudProperties?: SourceCloudProperties;
  replicationDirection: ReplicationDirection;
  /** For a server that was reverse-replicated: the source server of the other direction. */
  reversedDirectionSourceServerArn?: string;
  agentVersion?: string;
}

export type ReplicationDirection = 'FAILOVER' | 'FAILBACK';

export interface ParticipatingServer {
  sourceServerID: string;
  recoveryInstanceID?: string;
  launchStatus: LaunchStatus;
  /** Post-launch actions of the server in this job (when its launch configuration has postLaunchEnabled and it has active actions). */
  launchActionsStatus?: LaunchActionsStatus;
}

export interface Job {
  jobID: string;
  arn: string;
  type: JobType;
  initiatedBy: InitiatedBy;
  creationDateTime: string;
  endDateTime?: string;
  status: JobStatus;
  participatingServers: ParticipatingServer[];
  tags: TagsMap;
}

export const FAILBACK_STATES = [
  'FAILBACK_NOT_STARTED', 'FAILBACK_IN_PROGRESS', 'FAILBACK_READY_FOR_LAUNCH', 'FAILBACK_COMPLETED',
  'FAILBACK_ERROR', 'FAILBACK_NOT_READY_FOR_LAUNCH', 'FAILBACK_LAUNCH_STATE_NOT_AVAILABLE',
] as const;
export type FailbackState = (typeof FAILBACK_STATES)[number];

export interface RecoveryInstanceFailback {
  failbackClientID?: string;
  failbackJobID?: string;
  failbackInitiationTime?: string;
  state?: FailbackState;
  agentLastSeenByServiceDateTime?: string;
  failbackClientLastSeenByServiceDateTime?: string;
  failbackToOriginalServer?: boolean;
  firstByteDateTime?: string;
  elapsedReplicationDuration?: string;
  failbackLaunchType?: LastLaunchType;
}

export type RecoveryInstanceDataReplicationState = DataReplicationState | 'REPLICATION_STATE_NOT_AVAILABLE' | 'NOT_STARTED';

export interface RecoveryInstanceDataReplicationInfo {
  lagDuration?: string;
  etaDateTime?: string;
  replicatedDisks?: {
    deviceName?: string;
    totalStorageBytes?: number;
    replicatedStorageBytes?: number;
    rescannedStorageBytes?: number;
    backloggedStorageBytes?: number;
  }[];
  dataReplicationState?: RecoveryInstanceDataReplicationState;
  dataReplicationError?: { error?: string; rawError?: string };
  stagingAvailabilityZone?: string;
}

export interface RecoveryInstance {
  ec2InstanceID: string;
  ec2InstanceState: Ec2InstanceState;
  jobID: string;
  recoveryInstanceID: string;
  sourceServerID: string;
  arn: string;
  tags: TagsMap;
  failback?: RecoveryInstanceFailback;
  dataReplicationInfo?: RecoveryInstanceDataReplicationInfo;
  recoveryInstanceProperties: {
    lastUpdatedDateTime?: string;
    identificationHints?: IdentificationHints;
    networkInterfaces?: NetworkInterface[];
    disks?: { internalDeviceName?: string; bytes?: number; ebsVolumeID?: string }[];
    cpus?: { cores?: number; modelName?: string }[];
    ramBytes?: number;
    os?: { fullString?: string };
  };
  pointInTimeSnapshotDateTime: string;
  isDrill: boolean;
  originEnvironment: 'ON_PREMISES' | 'AWS';
  originAvailabilityZone?: string;
  agentVersion?: string;
}

export const JOB_LOG_EVENTS = [
  'JOB_START', 'SERVER_SKIPPED', 'CLEANUP_START', 'CLEANUP_END', 'CLEANUP_FAIL', 'SNAPSHOT_START', 'SNAPSHOT_END',
  'SNAPSHOT_FAIL', 'USING_PREVIOUS_SNAPSHOT', 'USING_PREVIOUS_SNAPSHOT_FAILED', 'CONVERSION_START', 'CONVERSION_END',
  'CONVERSION_FAIL', 'LAUNCH_START', 'LAUNCH_FAILED', 'JOB_CANCEL', 'JOB_END',
  'DEPLOY_NETWORK_CONFIGURATION_START', 'DEPLOY_NETWORK_CONFIGURATION_END', 'DEPLOY_NETWORK_CONFIGURATION_FAILED',
  'UPDATE_NETWORK_CONFIGURATION_START', 'UPDATE_NETWORK_CONFIGURATION_END', 'UPDATE_NETWORK_CONFIGURATION_FAILED',
  'UPDATE_LAUNCH_TEMPLATE_START', 'UPDATE_LAUNCH_TEMPLATE_END', 'UPDATE_LAUNCH_TEMPLATE_FAILED', 'NETWORK_RECOVERY_FAIL',
] as const;
export type JobLogEvent = (typeof JOB_LOG_EVENTS)[number];

export interface JobLogEventData {
  sourceServerID?: string;
  conversionServerID?: string;
  targetInstanceID?: string;
  rawError?: string;
  attemptCount?: number;
  maxAttemptsCount?: number;
}

export interface JobLog {
  logDateTime: string;
  event: JobLogEvent;
  eventData?: JobLogEventData;
}

export interface RecoverySnapshot {
  snapshotID: string;
  sourceServerID: string;
  expectedTimestamp: string;
  timestamp?: string;
  ebsSnapshots?: string[];
}

export type LaunchDisposition = 'STOPPED' | 'STARTED';
export type TargetInstanceTypeRightSizingMethod = 'NONE' | 'BASIC' | 'IN_AWS';

export interface LaunchConfiguration {
  sourceServerID: string;
  name: string;
  ec2LaunchTemplateID: string;
  launchDisposition: LaunchDisposition;
  targetInstanceTypeRightSizingMethod: TargetInstanceTypeRightSizingMethod;
  copyPrivateIp: boolean;
  copyTags: boolean;
  licensing: { osByol?: boolean };
  postLaunchEnabled: boolean;
  launchIntoInstanceProperties?: { launchIntoEC2InstanceID?: string };
}

export const LAUNCH_ACTION_CATEGORIES = ['MONITORING', 'VALIDATION', 'CONFIGURATION', 'SECURITY', 'OTHER'] as const;
export type LaunchActionCategory = (typeof LAUNCH_ACTION_CATEGORIES)[number];
export type LaunchActionType = 'SSM_AUTOMATION' | 'SSM_COMMAND';
export type LaunchActionParameterType = 'SSM_STORE' | 'DYNAMIC';
export type LaunchActionParameters = Record<string, { value?: string; type?: LaunchActionParameterType }>;

export interface LaunchAction {
  actionId: string;
  actionCode: string;
  type: LaunchActionType;
  name: string;
  active: boolean;
  order: number;
  actionVersion: string;
  optional: boolean;
  parameters?: LaunchActionParameters;
  description: string;
  category: LaunchActionCategory;
}

export type LaunchActionRunStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';

export interface LaunchActionRun {
  action: LaunchAction;
  runId: string;
  status: LaunchActionRunStatus;
  failureReason?: string;
}

export interface LaunchActionsStatus {
  ssmAgentDiscoveryDatetime?: string;
  runs: LaunchActionRun[];
}

/** A source server of a staging account that the caller may extend (ListExtensibleSourceServers). */
export interface StagingSourceServer {
  hostname?: string;
  arn: string;
  tags: TagsMap;
}

/** Inputs of the operations, as validated from the wire. */
export interface DescribeSourceServersInput {
  filters?: { sourceServerIDs?: string[]; hardwareId?: string; stagingAccountIDs?: string[] };
  maxResults?: number;
  nextToken?: string;
}

export interface StartRecoveryInput {
  sourceServers: { sourceServerID: string; recoverySnapshotID?: string }[];
  isDrill?: boolean;
  tags?: TagsMap;
}

export interface DescribeJobsInput {
  filters?: { jobIDs?: string[]; fromDate?: string; toDate?: string };
  maxResults?: number;
  nextToken?: string;
}

export interface DescribeRecoveryInstancesInput {
  filters?: { recoveryInstanceIDs?: string[]; sourceServerIDs?: string[] };
  maxResults?: number;
  nextToken?: string;
}

export interface TerminateRecoveryInstancesInput {
  recoveryInstanceIDs: string[];
}

export interface DescribeJobLogItemsInput {
  jobID: string;
  maxResults?: number;
  nextToken?: string;
}

export interface DescribeRecoverySnapshotsInput {
  sourceServerID: string;
  filters?: { fromDateTime?: string; toDateTime?: string };
  order?: 'ASC' | 'DESC';
  maxResults?: number;
  nextToken?: string;
}

export interface UpdateLaunchConfigurationInput {
  sourceServerID: string;
  name?: string;
  launchDisposition?: LaunchDisposition;
  targetInstanceTypeRightSizingMethod?: TargetInstanceTypeRightSizingMethod;
  copyPrivateIp?: boolean;
  copyTags?: boolean;
  licensing?: { osByol?: boolean };
  postLaunchEnabled?: boolean;
  launchIntoInstanceProperties?: { launchIntoEC2InstanceID?: string };
}

export interface PutLaunchActionInput {
  resourceId: string;
  actionCode: string;
  order: number;
  actionId: string;
  optional: boolean;
  active: boolean;
  name: string;
  actionVersion: string;
  category: LaunchActionCategory;
  parameters?: LaunchActionParameters;
  description: string;
}

export interface ListLaunchActionsInput {
  resourceId: string;
  filters?: { actionIds?: string[] };
  maxResults?: number;
  nextToken?: string;
}

export interface StartFailbackLaunchInput {
  recoveryInstanceIDs: string[];
  tags?: TagsMap;
}

export interface ListExtensibleSourceServersInput {
  stagingAccountID: string;
  maxResults?: number;
  nextToken?: string;
}

export interface ListStagingAccountsInput {
  maxResults?: number;
  nextToken?: string;
}

export interface CreateExtendedSourceServerInput {
  sourceServerArn: string;
  tags?: TagsMap;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** The AWS event the simulator emits when a server of a launch job finishes. */
export interface DrsLaunchResultEvent {
  version: '0';
  id: string;
  'detail-type': 'DRS Source Server Launch Result';
  source: 'aws.drs';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    state: 'RECOVERY_LAUNCH_SUCCEEDED' | 'RECOVERY_LAUNCH_FAILED';
    'job-id': string;
    'is-drill': 'TRUE' | 'FALSE';
  };
}

/** Sent when a source server's replication becomes STALLED and when it is no longer stalled. */
export interface DrsReplicationStalledChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'DRS Source Server Data Replication Stalled Change';
  source: 'aws.drs';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: { state: 'STALLED' | 'NOT_STALLED' };
}

/** Sent as the failback of a recovery instance progresses (the states AWS documents for this event). */
export interface DrsFailbackStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': 'DRS Recovery Instance Failback State Change';
  source: 'aws.drs';
  account: string;
  time: string;
  region: string;
  /** The recovery instance ARN. */
  resources: string[];
  detail: { state: 'FAILBACK_IN_PROGRESS' | 'FAILBACK_COMPLETED' | 'FAILBACK_ERROR' };
}

/** Every `aws.drs` event the simulator can emit. */
export type DrsEvent = DrsLaunchResultEvent | DrsReplicationStalledChangeEvent | DrsFailbackStateChangeEvent;

export type PublishEvents = (events: DrsEvent[]) => Promise<void>;

export function isLaunchResultEvent(event: DrsEvent): event is DrsLaunchResultEvent {
  return event['detail-type'] === 'DRS Source Server Launch Result';
}
