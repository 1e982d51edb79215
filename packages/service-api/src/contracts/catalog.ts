import type { SourceServerData } from '@lifeboat/events';

/** The catalog service's API contract. */
// ---- catalog (function lifeboat-catalog-<stage>-api)

/** Replication of a source server, as DRS reports it (`dataReplicationInfo`). */
export interface SourceServerReplicationView {
  /** DRS dataReplicationState (same as SourceServerView.replicationState). */
  state: string;
  /** ISO-8601 duration as DRS reports it (`lagDuration`), e.g. `PT2M`. */
  lagDuration?: string;
  /** `lagDuration` in seconds. */
  lagSeconds?: number;
  /** When DRS expects the initial sync or rescan to end. */
  etaDateTime?: string;
  /** Sums over `replicatedDisks`. */
  totalStorageBytes?: number;
  replicatedStorageBytes?: number;
  rescannedStorageBytes?: number;
  backloggedStorageBytes?: number;
  /** `dataReplicationError.error`, when DRS reports one. */
  error?: string;
}

/** The last launch of a recovery instance for a source server (`lifeCycle.lastLaunch`, `lastLaunchResult`). */
export interface SourceServerLaunchView {
  /** DRILL or RECOVERY. */
  type?: string;
  /** When the launch was requested (`initiated.apiCallDateTime`). */
  initiatedAt?: string;
  jobId?: string;
  /** Launch status of the job for this server: PENDING, IN_PROGRESS, LAUNCHED, FAILED, TERMINATED. */
  status?: string;
  /** `lastLaunchResult`: NOT_STARTED, PENDING, SUCCEEDED, FAILED. */
  result?: string;
}

/** A source server as the catalog shows it: what it announces in its events, plus its read model. */
export interface SourceServerView extends SourceServerData {
  /** CONTINUOUS replication means ready. */
  readyForRecovery: boolean;
  /** When DRS last listed (or described) the server. */
  lastSeenAt: string;
  /** `identificationHints.fqdn`. */
  fqdn?: string;
  /** `sourceProperties.os.fullString`, e.g. "Microsoft Windows Server 2019 Datacenter". */
  osName?: string;
  replication?: SourceServerReplicationView;
  /** Why the server is not ready for recovery ("replication stalled", "initial sync 45%", ...); absent when ready. */
  notReadyReason?: string;
  lastLaunch?: SourceServerLaunchView;
  /** The recovery instance of the last launch, while it exists. */
  recoveryInstanceId?: string;
  /** The protection group (planning) the server belongs to, if any. */
  protectionGroupId?: string;
  protectionGroupName?: string;
}

/** Filters of listSourceServers; all given ones must match. */
export interface SourceServerFilter {
  accountId?: string;
  region?: string;
  /** A DRS dataReplicationState, e.g. STALLED. */
  replicationState?: string;
  /** true: only servers ready for recovery; false: only servers that are not. */
  ready?: boolean;
  protectionGroupId?: string;
  /** true: only servers in no protection group. */
  unassigned?: boolean;
  /** A tag the server has; with `value`, that value too. */
  tag?: { key: string; value?: string };
  /** Case-insensitive substring of the hostname. */
  search?: string;
}

/** Servers are ordered by hostname (case-insensitive), then by id. */
export interface SourceServerSort {
  field: 'HOSTNAME';
  direction?: 'ASC' | 'DESC';
}

export interface ListSourceServersInput {
  /** 1..1000, default 100. A page may be shorter even when more follow. */
  limit?: number;
  /** The nextToken of the previous page, with the same filter and sort. */
  nextToken?: string;
  filter?: SourceServerFilter;
  sort?: SourceServerSort;
}

/** How the last sync of one account and region went. */
export interface TargetRegionSyncView {
  region: string;
  status: 'NEVER_SYNCED' | 'SUCCEEDED' | 'FAILED';
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  /** Why the last attempt failed (an AWS error code such as AccessDenied, and its message). */
  error?: { code: string; message: string };
  /** Servers DRS listed at the last successful sync. */
  serverCount?: number;
  discovered?: number;
  changed?: number;
  removed?: number;
  durationMs?: number;
}

/** An AWS account (and its regions) whose DRS source servers the catalog lists. */
export interface TargetAccountView {
  accountId: string;
  regions: string[];
  /** The role the catalog assumes in the account; absent for the account Lifeboat runs in. */
  roleArn?: string;
  /** Whether AssumeRole is called with an external id (the id itself is never answered). */
  hasExternalId: boolean;
  /** The account Lifeboat runs in, listed without configuration (no role). */
  isDefault: boolean;
  createdAt?: string;
  createdBy?: string;
  updatedAt?: string;
  updatedBy?: string;
  sync: TargetRegionSyncView[];
}

export interface TargetAccountInput {
  /** 12 digits. */
  accountId: string;
  /** AWS regions, e.g. ["us-east-1", "eu-west-1"]; at least one. */
  regions: string[];
  /** arn:aws:iam::<accountId>:role/<name>; optional only for the account Lifeboat runs in. */
  roleArn?: string;
  /** Passed to AssumeRole as ExternalId (2..1224 characters of [\w+=,.@:/-]). */
  externalId?: string;
}

/** One account and region of a sync. */
export interface TargetSyncResult {
  accountId: string;
  region: string;
  status: 'SUCCEEDED' | 'FAILED';
  discovered: number;
  changed: number;
  removed: number;
  serverCount: number;
  error?: { code: string; message: string };
}

export interface CatalogOperations {
  /** Permission `read`. */
  listSourceServers: { input: ListSourceServersInput; result: { items: SourceServerView[]; nextToken: string | null } };
  /** Permission `read`; NotFoundError (field sourceServerId) when the catalog does not know the server. */
  getSourceServer: { input: { sourceServerId: string }; result: SourceServerView };
  /**
   * Permission `read`. Several servers in one call (the gateway's per-request batching): 1..100
   * ids; the servers the catalog knows, in the order asked (unknown ids are left out, a repeated
   * id answered once).
   */
  getSourceServers: { input: { sourceServerIds: string[] }; result: SourceServerView[] };
  /** Runs a full sync now (also runs on its schedule); permission `plan:write`. Optionally of one account (and region). */
  syncSourceServers: {
    input: { accountId?: string; region?: string };
    result: { discovered: number; changed: number; removed: number; targets?: TargetSyncResult[] };
  };
  /** Permission `read`. */
  listTargetAccounts: { input: Record<string, never>; result: TargetAccountView[] };
  /** Permission `admin`. Checks that the role can be assumed and DRS answers in every region before saving. */
  addTargetAccount: { input: TargetAccountInput; result: TargetAccountView };
  /** Permission `admin`. Replaces the given fields (externalId: null removes it), checks again, then saves. */
  updateTargetAccount: {
    input: { accountId: string; regions?: string[]; roleArn?: string; externalId?: string | null };
    result: TargetAccountView;
  };
  /** Permission `admin`. Forgets the account and removes its servers from the catalog (SourceServerRemoved each). */
  removeTargetAccount: { input: { accountId: string }; result: { accountId: string; removedServers: number } };
}

/**
 * How a Lifeboat service reaches DRS in a target account (resolveTargetAccess). Unlike
 * TargetAccountView, it carries the external id: it is answered to Lifeboat's services only.
 */
export interface ResolvedTargetAccess {
  accountId: string;
  regions: string[];
  /** The role to assume in the account; absent for the account Lifeboat runs in (its own credentials). */
  roleArn?: string;
  /** ExternalId of AssumeRole, when the role asks for one. Never log it. */
  externalId?: string;
  /** The account Lifeboat runs in, not configured as a target (no role; its region). */
  isDefault: boolean;
}

/**
 * Catalog operations for Lifeboat's services only (permission `service`: a `systemCaller`), kept
 * out of CatalogOperations so that the gateway, typed by CatalogOperations, cannot call them.
 */
export interface CatalogServiceOperations {
  /**
   * Permission `service`. The account's regions, role and external id, as configured
   * (addTargetAccount); the account Lifeboat runs in, unless configured, answers `isDefault` and no
   * role. NotFoundError (field accountId) for an account that is not a target.
   */
  resolveTargetAccess: { input: { accountId: string }; result: ResolvedTargetAccess };
}
