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
export type InitiatedBy = 'START_RECOVERY' | 'START_DRILL' | 'FAILBACK' | 'DIAGNOSTIC' | 'TERMINATE_RECOVERY_INSTANCES' | 'TARGET_ACCOUNT';
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
  replicationDirection: 'FAILOVER' | 'FAILBACK';
}

export interface ParticipatingServer {
  sourceServerID: string;
  recoveryInstanceID?: string;
  launchStatus: LaunchStatus;
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

export interface RecoveryInstance {
  ec2InstanceID: string;
  ec2InstanceState: Ec2InstanceState;
  jobID: string;
  recoveryInstanceID: string;
  sourceServerID: string;
  arn: string;
  tags: TagsMap;
  recoveryInstanceProperties: {
    lastUpdatedDateTime?: string;
    identificationHints?: IdentificationHints;
    networkInterfaces?: NetworkInterface[];
    cpus?: { cores?: number; modelName?: string }[];
    ramBytes?: number;
    os?: { fullString?: string };
  };
  pointInTimeSnapshotDateTime: string;
  isDrill: boolean;
  originEnvironment: 'ON_PREMISES' | 'AWS';
  originAvailabilityZone?: string;
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

/** Every `aws.drs` event the simulator can emit (more kinds come with fault injection and replication changes). */
export type DrsEvent = DrsLaunchResultEvent;

export type PublishEvents = (events: DrsEvent[]) => Promise<void>;
