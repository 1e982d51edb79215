/**
 * Pure builders of the DRS wire shapes the simulator holds: replication info for a state, the
 * default launch configuration of a server, launch action types, EC2 state names.
 */
import type {
  DataReplicationInfo, DataReplicationState, Ec2InstanceState, LaunchAction, LaunchActionType, LaunchConfiguration,
  RecoveryInstanceDataReplicationInfo, RecoveryInstanceDataReplicationState,
} from './model.js';

export const toIso = (ms: number): string => new Date(ms).toISOString();
/** EventBridge event times carry whole seconds. */
export const toIsoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An ISO-8601 duration (PT…S) of a number of milliseconds. */
export function isoDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || (!h && !m) ? `${s}S` : ''}`;
  return `P${d ? `${d}D` : ''}${time ? `T${time}` : ''}`;
}

/** Replication states that count against the replicating source servers quota (L-C1D14A2B). */
export function countsAsReplicating(state: DataReplicationState | undefined): boolean {
  return state !== 'STOPPED' && state !== 'DISCONNECTED';
}

export interface DiskFacts {
  deviceName: string;
  bytes: number;
}

/** The dataReplicationInfo of a source server in a state. */
export function replicationInfo(state: DataReplicationState, disk: DiskFacts, region: string, nowMs: number): DataReplicationInfo {
  const syncing = state === 'INITIATING' || state === 'INITIAL_SYNC';
  const healthy = state === 'CONTINUOUS';
  const stopped = state === 'STOPPED' || state === 'DISCONNECTED';
  return {
    dataReplicationState: state,
    ...(stopped ? {} : { lagDuration: healthy ? 'PT0S' : syncing ? 'PT0S' : 'PT2H' }),
    ...(syncing ? { etaDateTime: toIso(nowMs + 3_600_000) } : {}),
    replicatedDisks: [{
      deviceName: disk.deviceName,
      totalStorageBytes: state === 'DISCONNECTED' ? 0 : disk.bytes,
      replicatedStorageBytes: syncing ? 0 : disk.bytes,
      rescannedStorageBytes: 0,
      backloggedStorageBytes: syncing ? disk.bytes : healthy || stopped ? 0 : Math.round(disk.bytes / 100),
    }],
    stagingAvailabilityZone: `${region}a`,
    ...(state === 'STALLED' || state === 'DISCONNECTED' ? { dataReplicationError: { error: 'AGENT_NOT_SEEN' } } : {}),
  };
}

/** The dataReplicationInfo of a recovery instance (failback replication). */
export function recoveryReplicationInfo(state: RecoveryInstanceDataReplicationState, disk: DiskFacts, region: string): RecoveryInstanceDataReplicationInfo {
  if (state === 'NOT_STARTED' || state === 'REPLICATION_STATE_NOT_AVAILABLE') return { dataReplicationState: state };
  const syncing = state === 'INITIATING' || state === 'INITIAL_SYNC';
  return {
    dataReplicationState: state,
    ...(state === 'DISCONNECTED' || state === 'STOPPED' ? {} : { lagDuration: 'PT0S' }),
    replicatedDisks: [{
      deviceName: disk.deviceName,
      totalStorageBytes: state === 'DISCONNECTED' ? 0 : disk.bytes,
      replicatedStorageBytes: syncing ? 0 : disk.bytes,
      rescannedStorageBytes: 0,
      backloggedStorageBytes: syncing ? disk.bytes : 0,
    }],
    stagingAvailabilityZone: `${region}a`,
  };
}

/** DRS's default launch settings for a new source server. */
export function defaultLaunchConfiguration(sourceServerID: string, name: string, ec2LaunchTemplateID: string): LaunchConfiguration {
  return {
    sourceServerID,
    name,
    ec2LaunchTemplateID,
    launchDisposition: 'STARTED',
    targetInstanceTypeRightSizingMethod: 'BASIC',
    copyPrivateIp: false,
    copyTags: false,
    licensing: { osByol: true },
    postLaunchEnabled: true,
  };
}

/** SSM automation runbooks vs command documents (the simulator goes by the document name). */
export function launchActionType(actionCode: string): LaunchActionType {
  return /automation/i.test(actionCode) ? 'SSM_AUTOMATION' : 'SSM_COMMAND';
}

export function sortLaunchActions(actions: Iterable<LaunchAction>): LaunchAction[] {
  return [...actions].sort((a, b) => a.order - b.order || a.actionId.localeCompare(b.actionId));
}

export type Ec2StateName = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

/** EC2's state name and code for a DRS EC2InstanceState. */
export function ec2State(state: Ec2InstanceState): { name: Ec2StateName; code: number } {
  switch (state) {
    case 'PENDING': return { name: 'pending', code: 0 };
    case 'RUNNING': return { name: 'running', code: 16 };
    case 'SHUTTING-DOWN': return { name: 'shutting-down', code: 32 };
    case 'TERMINATED':
    case 'NOT_FOUND': return { name: 'terminated', code: 48 };
    case 'STOPPING': return { name: 'stopping', code: 64 };
    case 'STOPPED': return { name: 'stopped', code: 80 };
  }
}
