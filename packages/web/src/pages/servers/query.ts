/**
 * The Source servers page's state lives in the URL (`?search=&ready=false&group=none...`), so a
 * filtered view can be linked to (the dashboard does) and survives a reload.
 */
import { gql } from '../../api/client.js';

export interface SourceServerRow {
  id: string;
  accountId: string;
  region: string;
  hostname: string;
  fqdn: string | null;
  os: string;
  osName: string | null;
  tags: { key: string; value: string }[];
  replicationState: string;
  readyForRecovery: boolean;
  notReadyReason: string | null;
  replication: { lag: string | null; lagSeconds: number | null; totalStorageBytes: number | null; replicatedStorageBytes: number | null } | null;
  lastLaunch: { type: string | null; initiatedAt: string | null; status: string | null; result: string | null } | null;
  recoveryInstanceId: string | null;
  protectionGroup: { id: string; name: string | null } | null;
  lastSeenAt: string;
}

export const SOURCE_SERVER_FIELDS = `
  id
  accountId
  region
  hostname
  fqdn
  os
  osName
  tags { key value }
  replicationState
  readyForRecovery
  notReadyReason
  replication { lag lagSeconds totalStorageBytes replicatedStorageBytes }
  lastLaunch { type initiatedAt status result }
  recoveryInstanceId
  protectionGroup { id name }
  lastSeenAt
`;

export const SOURCE_SERVERS = gql`
  query SourceServers($first: Int!, $after: String, $filter: SourceServerFilter, $sort: SourceServerSort) {
    sourceServers(first: $first, after: $after, filter: $filter, sort: $sort) {
      items { ${SOURCE_SERVER_FIELDS} }
      nextCursor
    }
  }
`;

export const SERVER_FILTER_OPTIONS = gql`
  query SourceServerFilterOptions {
    targetAccounts {
      accountId
      regions
    }
    protectionGroups(first: 1000) {
      items {
        id
        name
      }
    }
  }
`;

export const INVENTORY_CHANGED = gql`
  subscription SourceServersInventory {
    inventoryChanged {
      kind
      sourceServerId
      sourceServer { ${SOURCE_SERVER_FIELDS} }
    }
  }
`;

/** Every DRS dataReplicationState (the simulator uses the first ten). */
export const REPLICATION_STATES = [
  'CONTINUOUS',
  'INITIATING',
  'INITIAL_SYNC',
  'BACKLOG',
  'CREATING_SNAPSHOT',
  'RESCAN',
  'PAUSED',
  'STOPPED',
  'STALLED',
  'DISCONNECTED',
  'PENDING_SNAPSHOT_SHIPPING',
  'SHIPPING_SNAPSHOT',
] as const;

export interface SourceServerFilterInput {
  search?: string;
  accountId?: string;
  region?: string;
  replicationState?: string;
  ready?: boolean;
  unassigned?: boolean;
  protectionGroupId?: string;
}

export interface ServerListView {
  search: string;
  accountId: string | undefined;
  region: string | undefined;
  replicationState: string | undefined;
  ready: boolean | undefined;
  /** `none`: in no group; an id: that group's members. */
  group: string | undefined;
  descending: boolean;
}

function nonEmpty(value: string | null): string | undefined {
  return value === null || value.trim() === '' ? undefined : value.trim();
}

export function viewFromParams(params: URLSearchParams): ServerListView {
  const ready = params.get('ready');
  return {
    search: params.get('search') ?? '',
    accountId: nonEmpty(params.get('account')),
    region: nonEmpty(params.get('region')),
    replicationState: nonEmpty(params.get('replicationState')),
    ready: ready === 'true' ? true : ready === 'false' ? false : undefined,
    group: nonEmpty(params.get('group')),
    descending: params.get('sort') === 'desc',
  };
}

export function paramsFromView(view: ServerListView): URLSearchParams {
  const params = new URLSearchParams();
  if (view.search.trim()) params.set('search', view.search.trim());
  if (view.accountId) params.set('account', view.accountId);
  if (view.region) params.set('region', view.region);
  if (view.replicationState) params.set('replicationState', view.replicationState);
  if (view.ready !== undefined) params.set('ready', String(view.ready));
  if (view.group) params.set('group', view.group);
  if (view.descending) params.set('sort', 'desc');
  return params;
}

export function filterOfView(view: ServerListView): SourceServerFilterInput {
  const filter: SourceServerFilterInput = {};
  if (view.search.trim()) filter.search = view.search.trim();
  if (view.accountId) filter.accountId = view.accountId;
  if (view.region) filter.region = view.region;
  if (view.replicationState) filter.replicationState = view.replicationState;
  if (view.ready !== undefined) filter.ready = view.ready;
  if (view.group === 'none') filter.unassigned = true;
  else if (view.group) filter.protectionGroupId = view.group;
  return filter;
}

export function isFiltered(view: ServerListView): boolean {
  return Object.keys(filterOfView(view)).length > 0;
}

/** `1.5 TiB` */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
