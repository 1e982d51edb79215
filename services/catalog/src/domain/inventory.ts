import type { SourceServerData } from '@lifeboat/events';
import type { SourceServerLaunchView, SourceServerView } from '@lifeboat/service-api';
import type { DrsDataReplicationInfo, DrsLifeCycle } from './replication.js';
import { READY_REPLICATION_STATE, lagBandOf, lastLaunchOf, notReadyReasonOf, replicationOf } from './replication.js';

export { READY_REPLICATION_STATE } from './replication.js';

/**
 * The part of a DRS `SourceServer` (DescribeSourceServers) that the catalog reads. Declared here,
 * not imported from @aws-sdk/client-drs, so that the core stays pure; the SDK's type is
 * structurally assignable to it.
 */
export interface DrsSourceServer {
  sourceServerID?: string;
  arn?: string;
  tags?: Record<string, string>;
  recoveryInstanceId?: string;
  lastLaunchResult?: string;
  dataReplicationInfo?: DrsDataReplicationInfo;
  lifeCycle?: DrsLifeCycle;
  sourceProperties?: {
    identificationHints?: { hostname?: string; fqdn?: string };
    os?: { fullString?: string };
  };
  stagingArea?: { stagingAccountID?: string };
}

/** The operating system family Lifeboat shows and launches by. DRS protects Linux and Windows only. */
export type OsFamily = 'LINUX' | 'WINDOWS' | 'UNKNOWN';

// The same patterns as events/schemas/common.schema.json: a server that does not match them could
// not be announced, so it is refused here instead of failing a whole publish later.
export const SOURCE_SERVER_ID = /^s-[0-9a-zA-Z]{17}$/;
export const ACCOUNT_ID = /^[0-9]{12}$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]$/;
const SOURCE_SERVER_ARN = /^arn:aws[a-z-]*:drs:([^:]+):([^:]+):source-server\/(.+)$/;

/** Region, account and id of `arn:<partition>:drs:<region>:<account>:source-server/<id>`. */
export function parseSourceServerArn(arn: string): { region: string; accountId: string; sourceServerId: string } | undefined {
  const match = SOURCE_SERVER_ARN.exec(arn);
  if (!match) return undefined;
  const [, region = '', accountId = '', sourceServerId = ''] = match;
  return { region, accountId, sourceServerId };
}

/** LINUX or WINDOWS from DRS's `sourceProperties.os.fullString` (e.g. "Microsoft Windows Server 2019"). */
export function osFamilyOf(fullString: string | undefined): OsFamily {
  const text = fullString?.trim() ?? '';
  if (text === '') return 'UNKNOWN';
  // DRS replicates only Windows and Linux machines, so anything that is not Windows is Linux.
  return /windows/i.test(text) ? 'WINDOWS' : 'LINUX';
}

export type MappedSourceServer = { ok: true; server: SourceServerView } | { ok: false; reference: string; reason: string };

/** The catalog's view of one DRS source server, seen at `seenAt` (ISO-8601), or why it cannot be used. */
export function toSourceServerView(server: DrsSourceServer, seenAt: string): MappedSourceServer {
  const reference = server.sourceServerID ?? server.arn ?? '(no id)';
  if (!server.arn) return { ok: false, reference, reason: 'has no ARN' };
  const parsed = parseSourceServerArn(server.arn);
  if (!parsed) return { ok: false, reference, reason: `has an ARN that is not a DRS source server ARN: ${server.arn}` };
  const sourceServerId = server.sourceServerID ?? parsed.sourceServerId;
  if (sourceServerId !== parsed.sourceServerId) return { ok: false, reference, reason: `has the id ${sourceServerId} but the ARN ${server.arn}` };
  if (!SOURCE_SERVER_ID.test(sourceServerId)) return { ok: false, reference, reason: 'has an id that is not a DRS source server id' };
  if (!ACCOUNT_ID.test(parsed.accountId)) return { ok: false, reference, reason: `has an ARN with an invalid account: ${server.arn}` };
  if (!REGION.test(parsed.region)) return { ok: false, reference, reason: `has an ARN with an invalid region: ${server.arn}` };

  const replication = replicationOf(server.dataReplicationInfo);
  const hints = server.sourceProperties?.identificationHints;
  const osName = server.sourceProperties?.os?.fullString?.trim();
  const view: SourceServerView = {
    sourceServerId,
    accountId: parsed.accountId,
    region: parsed.region,
    arn: server.arn,
    hostname: hints?.hostname ?? hints?.fqdn ?? '',
    os: osFamilyOf(osName),
    tags: { ...(server.tags ?? {}) },
    replicationState: replication.state,
    readyForRecovery: replication.state === READY_REPLICATION_STATE,
    lastSeenAt: seenAt,
    replication,
  };
  const notReadyReason = notReadyReasonOf(replication);
  const lastLaunch = lastLaunchOf(server.lifeCycle, server.lastLaunchResult);
  const optional: Partial<SourceServerView> = {
    stagingAccountId: server.stagingArea?.stagingAccountID || undefined,
    fqdn: hints?.fqdn || undefined,
    osName: osName || undefined,
    notReadyReason,
    lastLaunch,
    recoveryInstanceId: server.recoveryInstanceId || undefined,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(view, { [key]: value });
  return { ok: true, server: view };
}

/** Every server of a DescribeSourceServers listing that the catalog can use, and the others with why. */
export function toSourceServerViews(servers: readonly DrsSourceServer[], seenAt: string): { servers: SourceServerView[]; refused: { reference: string; reason: string }[] } {
  const mapped = servers.map((server) => toSourceServerView(server, seenAt));
  return {
    servers: mapped.flatMap((m) => (m.ok ? [m.server] : [])),
    refused: mapped.flatMap((m) => (m.ok ? [] : [{ reference: m.reference, reason: m.reason }])),
  };
}

/** The protection group a server belongs to, as planning announced it. */
export interface GroupAssignment {
  protectionGroupId: string;
  name: string;
}

/** The view with its protection group set (or cleared). */
export function withAssignment(server: SourceServerView, group: GroupAssignment | undefined): SourceServerView {
  const { protectionGroupId: _id, protectionGroupName: _name, ...rest } = server;
  return group ? { ...rest, protectionGroupId: group.protectionGroupId, protectionGroupName: group.name } : rest;
}

/**
 * Fields whose change is announced with SourceServerChanged (`changedFields`): identity,
 * replication state and readiness, last launch. Lag and storage progress are not announced (they
 * move all the time); neither is the protection group (planning announces that itself).
 */
export const TRACKED_FIELDS = [
  'arn',
  'accountId',
  'region',
  'hostname',
  'os',
  'tags',
  'replicationState',
  'stagingAccountId',
  'notReadyReason',
  'lastLaunch',
  'recoveryInstanceId',
] as const;
export type TrackedField = (typeof TRACKED_FIELDS)[number];

function sameRecord(a: Record<string, string | undefined> | undefined, b: Record<string, string | undefined> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const keys = Object.keys(a).filter((key) => a[key] !== undefined);
  return keys.length === Object.keys(b).filter((key) => b[key] !== undefined).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

function sameLaunch(a: SourceServerLaunchView | undefined, b: SourceServerLaunchView | undefined): boolean {
  return sameRecord(a as Record<string, string | undefined> | undefined, b as Record<string, string | undefined> | undefined);
}

/** The announced fields that differ between two views of the same server. */
export function changedFieldsOf(before: SourceServerView, after: SourceServerView): TrackedField[] {
  return TRACKED_FIELDS.filter((field) => {
    if (field === 'tags') return !sameRecord(before.tags, after.tags);
    if (field === 'lastLaunch') return !sameLaunch(before.lastLaunch, after.lastLaunch);
    return before[field] !== after[field];
  });
}

/**
 * Whether the table must be rewritten although nothing announced changed: the protection group,
 * OS name, FQDN, a lag that moved to another band, a replication error. Never `lastSeenAt`: that
 * DRS listed a server again is recorded once per sync, on its account and region.
 */
export function needsRefresh(before: SourceServerView, after: SourceServerView): boolean {
  return (
    before.protectionGroupId !== after.protectionGroupId ||
    before.protectionGroupName !== after.protectionGroupName ||
    before.osName !== after.osName ||
    before.fqdn !== after.fqdn ||
    before.readyForRecovery !== after.readyForRecovery ||
    before.replication?.error !== after.replication?.error ||
    before.replication?.etaDateTime !== after.replication?.etaDateTime ||
    lagBandOf(before.replication?.lagSeconds) !== lagBandOf(after.replication?.lagSeconds)
  );
}

export interface ChangedSourceServer {
  before: SourceServerView;
  after: SourceServerView;
  changedFields: TrackedField[];
}

export interface InventoryDiff {
  /** In `seen`, not in `known`. */
  discovered: SourceServerView[];
  /** In both, with at least one announced field different. */
  changed: ChangedSourceServer[];
  /** In both, nothing announced different, but worth rewriting (see needsRefresh). */
  refreshed: SourceServerView[];
  /** In `known`, not in `seen`. */
  removed: SourceServerView[];
  /** In both with nothing worth writing, or known to be newer than the listing. */
  unchanged: SourceServerView[];
}

export interface DiffOptions {
  /**
   * When the listing started (ISO-8601). A known server observed after it (by a DRS event, while
   * the listing ran) is newer than the listing: it is neither changed nor removed by it.
   */
  listedAt?: string;
}

/**
 * What changed between what the catalog knew (`known`) and a complete listing of DRS (`seen`).
 * `seen` must be the whole listing of the scope that `known` covers: a server missing from it is
 * removed. When a server appears twice in `seen`, the last one wins. Outputs keep input order.
 */
export function diffInventory(known: readonly SourceServerView[], seen: readonly SourceServerView[], options: DiffOptions = {}): InventoryDiff {
  const knownById = new Map(known.map((server) => [server.sourceServerId, server]));
  const seenById = new Map(seen.map((server) => [server.sourceServerId, server]));
  const newer = (server: SourceServerView) => options.listedAt !== undefined && server.lastSeenAt > options.listedAt;
  const diff: InventoryDiff = { discovered: [], changed: [], refreshed: [], removed: [], unchanged: [] };
  for (const after of seenById.values()) {
    const before = knownById.get(after.sourceServerId);
    if (!before) {
      diff.discovered.push(after);
      continue;
    }
    if (newer(before)) {
      diff.unchanged.push(before);
      continue;
    }
    const changedFields = changedFieldsOf(before, after);
    if (changedFields.length > 0) diff.changed.push({ before, after, changedFields });
    else if (needsRefresh(before, after)) diff.refreshed.push(after);
    else diff.unchanged.push(after);
  }
  for (const before of knownById.values()) {
    if (seenById.has(before.sourceServerId)) continue;
    if (newer(before)) diff.unchanged.push(before);
    else diff.removed.push(before);
  }
  return diff;
}

/** The number of servers that a diff announces. */
export function countOf(diff: InventoryDiff): { discovered: number; changed: number; removed: number } {
  return { discovered: diff.discovered.length, changed: diff.changed.length, removed: diff.removed.length };
}

/**
 * The data of SourceServerDiscovered / SourceServerChanged: SourceServerData (the fields every
 * consumer reads) and the optional readiness and launch fields of the schemas.
 */
export type AnnouncedSourceServer = SourceServerData & {
  readyForRecovery?: boolean;
  notReadyReason?: string;
  lastLaunch?: SourceServerLaunchView;
  recoveryInstanceId?: string;
};

/** The announced state of a server: its view without what only the catalog keeps. */
export function sourceServerData(server: SourceServerView): AnnouncedSourceServer {
  const data: AnnouncedSourceServer = {
    sourceServerId: server.sourceServerId,
    accountId: server.accountId,
    region: server.region,
    arn: server.arn,
    hostname: server.hostname,
    os: server.os,
    tags: server.tags,
    replicationState: server.replicationState,
    readyForRecovery: server.readyForRecovery,
  };
  if (server.stagingAccountId !== undefined) data.stagingAccountId = server.stagingAccountId;
  if (server.notReadyReason !== undefined) data.notReadyReason = server.notReadyReason;
  if (server.lastLaunch !== undefined) data.lastLaunch = server.lastLaunch;
  if (server.recoveryInstanceId !== undefined) data.recoveryInstanceId = server.recoveryInstanceId;
  return data;
}

/** An event (type and data) announcing one change of the inventory. */
export type InventoryEventPayload =
  | { type: 'SourceServerDiscovered'; sourceServerId: string; arn: string; data: AnnouncedSourceServer }
  | { type: 'SourceServerChanged'; sourceServerId: string; arn: string; data: AnnouncedSourceServer & { changedFields: TrackedField[] } }
  | { type: 'SourceServerRemoved'; sourceServerId: string; arn: string; data: { sourceServerId: string; accountId: string; region: string } };

/**
 * What one committed change of a server's item announces: `before` and `after` are the live
 * server before and after the write (undefined: absent or removed). Nothing when no announced
 * field changed (a refresh, a new protection group).
 */
export function announcementOf(before: SourceServerView | undefined, after: SourceServerView | undefined): InventoryEventPayload | undefined {
  if (after && !before) return { type: 'SourceServerDiscovered', sourceServerId: after.sourceServerId, arn: after.arn, data: sourceServerData(after) };
  if (before && !after) {
    return {
      type: 'SourceServerRemoved',
      sourceServerId: before.sourceServerId,
      arn: before.arn,
      data: { sourceServerId: before.sourceServerId, accountId: before.accountId, region: before.region },
    };
  }
  if (!before || !after) return undefined;
  const changedFields = changedFieldsOf(before, after);
  if (changedFields.length === 0) return undefined;
  return { type: 'SourceServerChanged', sourceServerId: after.sourceServerId, arn: after.arn, data: { ...sourceServerData(after), changedFields } };
}

/** The events that announce a diff, in the order discovered, changed, removed. */
export function inventoryEventsOf(diff: InventoryDiff): InventoryEventPayload[] {
  return [
    ...diff.discovered.map((server) => announcementOf(undefined, server)),
    ...diff.changed.map(({ before, after }) => announcementOf(before, after)),
    ...diff.removed.map((server) => announcementOf(server, undefined)),
  ].filter((payload): payload is InventoryEventPayload => payload !== undefined);
}
