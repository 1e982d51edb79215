import type { SourceServerData } from '@lifeboat/events';
import type { SourceServerView } from '@lifeboat/service-api';

/**
 * The part of a DRS `SourceServer` (DescribeSourceServers) that the catalog reads. Declared here,
 * not imported from @aws-sdk/client-drs, so that the core stays pure; the SDK's type is
 * structurally assignable to it.
 */
export interface DrsSourceServer {
  sourceServerID?: string;
  arn?: string;
  tags?: Record<string, string>;
  dataReplicationInfo?: { dataReplicationState?: string };
  sourceProperties?: {
    identificationHints?: { hostname?: string; fqdn?: string };
    os?: { fullString?: string };
  };
  stagingArea?: { stagingAccountID?: string };
}

/** The operating system family Lifeboat shows and launches by. DRS protects Linux and Windows only. */
export type OsFamily = 'LINUX' | 'WINDOWS' | 'UNKNOWN';

/** The replication state in which DRS can launch a recovery instance from recent data. */
export const READY_REPLICATION_STATE = 'CONTINUOUS';

// The same patterns as events/schemas/common.schema.json: a server that does not match them could
// not be announced, so it is refused here instead of failing a whole publish later.
const SOURCE_SERVER_ID = /^s-[0-9a-zA-Z]{17}$/;
const ACCOUNT_ID = /^[0-9]{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]$/;
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

  const replicationState = server.dataReplicationInfo?.dataReplicationState ?? 'UNKNOWN';
  const hints = server.sourceProperties?.identificationHints;
  const view: SourceServerView = {
    sourceServerId,
    accountId: parsed.accountId,
    region: parsed.region,
    arn: server.arn,
    hostname: hints?.hostname ?? hints?.fqdn ?? '',
    os: osFamilyOf(server.sourceProperties?.os?.fullString),
    tags: { ...(server.tags ?? {}) },
    replicationState,
    readyForRecovery: replicationState === READY_REPLICATION_STATE,
    lastSeenAt: seenAt,
  };
  const stagingAccountId = server.stagingArea?.stagingAccountID;
  if (stagingAccountId) view.stagingAccountId = stagingAccountId;
  return { ok: true, server: view };
}

/** Every server of a DescribeSourceServers listing that the catalog can use, and the others with why. */
export function toSourceServerViews(servers: readonly DrsSourceServer[], seenAt: string): { servers: SourceServerView[]; refused: { reference: string; reason: string }[] } {
  const views: SourceServerView[] = [];
  const refused: { reference: string; reason: string }[] = [];
  for (const server of servers) {
    const mapped = toSourceServerView(server, seenAt);
    if (mapped.ok) views.push(mapped.server);
    else refused.push({ reference: mapped.reference, reason: mapped.reason });
  }
  return { servers: views, refused };
}

/** Fields whose change is announced with SourceServerChanged (the data of the event, bar the key). */
export const TRACKED_FIELDS = ['arn', 'accountId', 'region', 'hostname', 'os', 'tags', 'replicationState', 'stagingAccountId'] as const;
export type TrackedField = (typeof TRACKED_FIELDS)[number];

export interface ChangedSourceServer {
  before: SourceServerView;
  after: SourceServerView;
  changedFields: TrackedField[];
}

export interface InventoryDiff {
  /** In `seen`, not in `known`. */
  discovered: SourceServerView[];
  /** In both, with at least one tracked field different. */
  changed: ChangedSourceServer[];
  /** In `known`, not in `seen`. */
  removed: SourceServerView[];
  /** In both, with no tracked field different (their `lastSeenAt` is the newer one). */
  unchanged: SourceServerView[];
}

function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

/** The tracked fields that differ between two views of the same server. */
export function changedFieldsOf(before: SourceServerView, after: SourceServerView): TrackedField[] {
  return TRACKED_FIELDS.filter((field) => (field === 'tags' ? !sameTags(before.tags, after.tags) : before[field] !== after[field]));
}

/**
 * What changed between what the catalog knew (`known`) and a complete listing of DRS (`seen`).
 * `seen` must be the whole listing of the scope that `known` covers: a server missing from it is
 * removed. When a server appears twice in `seen`, the last one wins. Outputs keep input order.
 */
export function diffInventory(known: readonly SourceServerView[], seen: readonly SourceServerView[]): InventoryDiff {
  const knownById = new Map(known.map((server) => [server.sourceServerId, server]));
  const seenById = new Map(seen.map((server) => [server.sourceServerId, server]));
  const diff: InventoryDiff = { discovered: [], changed: [], removed: [], unchanged: [] };
  for (const after of seenById.values()) {
    const before = knownById.get(after.sourceServerId);
    if (!before) {
      diff.discovered.push(after);
      continue;
    }
    const changedFields = changedFieldsOf(before, after);
    if (changedFields.length > 0) diff.changed.push({ before, after, changedFields });
    else diff.unchanged.push(after);
  }
  for (const before of knownById.values()) if (!seenById.has(before.sourceServerId)) diff.removed.push(before);
  return diff;
}

/** The number of servers that a diff announces. */
export function countOf(diff: InventoryDiff): { discovered: number; changed: number; removed: number } {
  return { discovered: diff.discovered.length, changed: diff.changed.length, removed: diff.removed.length };
}

/** The data of SourceServerDiscovered (events/schemas/SourceServerDiscovered.schema.json). */
export type { SourceServerData } from '@lifeboat/events';

/** The announced state of a server: its view without what only the catalog keeps. */
export function sourceServerData(server: SourceServerView): SourceServerData {
  const data: SourceServerData = {
    sourceServerId: server.sourceServerId,
    accountId: server.accountId,
    region: server.region,
    arn: server.arn,
    hostname: server.hostname,
    os: server.os,
    tags: server.tags,
    replicationState: server.replicationState,
  };
  if (server.stagingAccountId !== undefined) data.stagingAccountId = server.stagingAccountId;
  return data;
}

/** The events (type and data) that announce a diff, in the order discovered, changed, removed. */
export type InventoryEventPayload =
  | { type: 'SourceServerDiscovered'; sourceServerId: string; arn: string; data: SourceServerData }
  | { type: 'SourceServerChanged'; sourceServerId: string; arn: string; data: SourceServerData & { changedFields: TrackedField[] } }
  | { type: 'SourceServerRemoved'; sourceServerId: string; arn: string; data: { sourceServerId: string; accountId: string; region: string } };

export function inventoryEventsOf(diff: InventoryDiff): InventoryEventPayload[] {
  return [
    ...diff.discovered.map((server): InventoryEventPayload => ({ type: 'SourceServerDiscovered', sourceServerId: server.sourceServerId, arn: server.arn, data: sourceServerData(server) })),
    ...diff.changed.map(({ after, changedFields }): InventoryEventPayload => ({
      type: 'SourceServerChanged',
      sourceServerId: after.sourceServerId,
      arn: after.arn,
      data: { ...sourceServerData(after), changedFields },
    })),
    ...diff.removed.map((server): InventoryEventPayload => ({
      type: 'SourceServerRemoved',
      sourceServerId: server.sourceServerId,
      arn: server.arn,
      data: { sourceServerId: server.sourceServerId, accountId: server.accountId, region: server.region },
    })),
  ];
}
