import type { SourceServerLaunchView, SourceServerReplicationView } from '@lifeboat/service-api';

/**
 * Replication, readiness and last launch of a source server, read from the DRS model
 * (`dataReplicationInfo`, `lifeCycle.lastLaunch`, `lastLaunchResult`). Pure.
 */

/** The parts of DRS's `dataReplicationInfo` the catalog reads. */
export interface DrsDataReplicationInfo {
  dataReplicationState?: string;
  lagDuration?: string;
  etaDateTime?: string;
  replicatedDisks?: {
    deviceName?: string;
    totalStorageBytes?: number;
    replicatedStorageBytes?: number;
    rescannedStorageBytes?: number;
    backloggedStorageBytes?: number;
  }[];
  dataReplicationError?: { error?: string; rawError?: string };
}

/** The parts of DRS's `lifeCycle` the catalog reads. */
export interface DrsLifeCycle {
  lastLaunch?: {
    initiated?: { apiCallDateTime?: string; jobID?: string; type?: string };
    status?: string;
  };
}

/** The replication state in which DRS can launch a recovery instance from recent data. */
export const READY_REPLICATION_STATE = 'CONTINUOUS';

const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Seconds of an ISO-8601 duration as DRS writes `lagDuration` (`PT0S`, `PT2H5M`, `P1DT3H`); undefined when unreadable. */
export function durationSeconds(duration: string | undefined): number | undefined {
  if (!duration) return undefined;
  const match = ISO_DURATION.exec(duration.trim());
  if (!match || duration.trim() === 'P' || duration.trim().endsWith('T')) return undefined;
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return Math.round(Number(days) * 86400 + Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds));
}

function sum(values: (number | undefined)[]): number | undefined {
  const present = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  return present.length === 0 ? undefined : present.reduce((total, value) => total + value, 0);
}

/** The replication view of a server: state, lag and storage progress. */
export function replicationOf(info: DrsDataReplicationInfo | undefined): SourceServerReplicationView {
  const disks = info?.replicatedDisks ?? [];
  const view: SourceServerReplicationView = { state: info?.dataReplicationState ?? 'UNKNOWN' };
  const optional = {
    lagDuration: info?.lagDuration,
    lagSeconds: durationSeconds(info?.lagDuration),
    etaDateTime: info?.etaDateTime,
    totalStorageBytes: sum(disks.map((d) => d.totalStorageBytes)),
    replicatedStorageBytes: sum(disks.map((d) => d.replicatedStorageBytes)),
    rescannedStorageBytes: sum(disks.map((d) => d.rescannedStorageBytes)),
    backloggedStorageBytes: sum(disks.map((d) => d.backloggedStorageBytes)),
    error: info?.dataReplicationError?.error,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined && value !== '') Object.assign(view, { [key]: value });
  return view;
}

function percent(part: number | undefined, total: number | undefined): number | undefined {
  if (part === undefined || !total) return undefined;
  return Math.max(0, Math.min(100, Math.floor((part / total) * 100)));
}

function withPercent(label: string, value: number | undefined): string {
  return value === undefined ? label : `${label} ${value}%`;
}

/**
 * Why a server is not ready for recovery, in the words an operator reads in a list; undefined
 * when it is ready (replication CONTINUOUS). Progress is given in whole percent so that it
 * changes at most a hundred times over an initial sync.
 */
export function notReadyReasonOf(replication: SourceServerReplicationView): string | undefined {
  const error = replication.error ? ` (${replication.error})` : '';
  switch (replication.state) {
    case READY_REPLICATION_STATE:
      return undefined;
    case 'STALLED':
      return `replication stalled${error}`;
    case 'INITIAL_SYNC':
      return withPercent('initial sync', percent(replication.replicatedStorageBytes, replication.totalStorageBytes));
    case 'RESCAN':
      return withPercent('rescan', percent(replication.rescannedStorageBytes, replication.totalStorageBytes));
    case 'BACKLOG':
      return 'replication backlog';
    case 'CREATING_SNAPSHOT':
      return 'creating the first snapshot';
    case 'INITIATING':
      return 'replication initiating';
    case 'DISCONNECTED':
      return 'disconnected';
    case 'PAUSED':
      return 'replication paused';
    case 'STOPPED':
      return 'replication stopped';
    case 'UNKNOWN':
      return 'replication state unknown';
    default:
      return `replication ${replication.state.toLowerCase().replace(/_/g, ' ')}`;
  }
}

/** The last launch from `lifeCycle.lastLaunch` and `lastLaunchResult`; undefined when the server was never launched. */
export function lastLaunchOf(lifeCycle: DrsLifeCycle | undefined, lastLaunchResult: string | undefined): SourceServerLaunchView | undefined {
  const last = lifeCycle?.lastLaunch;
  const launched = Boolean(last?.initiated || last?.status);
  if (!launched && (lastLaunchResult === undefined || lastLaunchResult === 'NOT_STARTED')) return undefined;
  const view: SourceServerLaunchView = {};
  const fields = {
    type: last?.initiated?.type,
    initiatedAt: last?.initiated?.apiCallDateTime,
    jobId: last?.initiated?.jobID,
    status: last?.status,
    result: lastLaunchResult,
  };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== '') Object.assign(view, { [key]: value });
  return view;
}

/**
 * Lag bands: the table keeps the lag DRS reported, rewritten only when it moves to another
 * band, so that a sync of a steady fleet (whose lag wobbles by seconds) writes nothing.
 */
const LAG_BANDS_SECONDS = [60, 300, 900, 3600, 6 * 3600];

export function lagBandOf(lagSeconds: number | undefined): number {
  if (lagSeconds === undefined) return -1;
  const band = LAG_BANDS_SECONDS.findIndex((limit) => lagSeconds < limit);
  return band === -1 ? LAG_BANDS_SECONDS.length : band;
}
