import type { Actor } from '@lifeboat/events';
import type { SourceServerFilter, SourceServerView } from '@lifeboat/service-api';
import type { DrsSourceServer, GroupAssignment } from './domain/inventory.js';
import type { CurrentAssignment, GroupRecord } from './domain/protection-groups.js';
import type { SyncTarget, TargetAccount } from './domain/targets.js';

/** A live server as the servers table holds it, with its write bookkeeping. */
export interface StoredServer {
  server: SourceServerView;
  /** Incremented by every write (optimistic concurrency of single-server updates). */
  revision: number;
  /** When it was last written (ISO-8601): the time of the events its writes announce. */
  changedAt: string;
}

/** Who and what caused a write: becomes the metadata of the events the write announces. */
export interface ChangeCause {
  /** ISO-8601. */
  at: string;
  actor: Actor;
  correlationId: string;
  causationId?: string | null;
}

export type ServerWrite = { kind: 'put'; server: SourceServerView; previous?: StoredServer } | { kind: 'remove'; previous: StoredServer };

export interface ServerQuery {
  limit: number;
  nextToken?: string;
  filter: SourceServerFilter;
  descending: boolean;
}

export interface ServerPage {
  items: SourceServerView[];
  nextToken: string | null;
}

/**
 * The catalog's servers table. Writes are recorded with their cause; the table's stream turns
 * each committed write into the event it announces (src/publishing), so a write is never
 * announced before it is committed, nor lost after.
 */
export interface ServerStore {
  /** Live servers of one account and region. */
  listTarget(accountId: string, region: string): Promise<StoredServer[]>;
  /** A live server; undefined when unknown or removed. */
  get(sourceServerId: string): Promise<StoredServer | undefined>;
  /** Unconditional writes, batched (a full sync). */
  write(writes: readonly ServerWrite[], cause: ChangeCause): Promise<void>;
  /** One write, only if the server's revision is still `write.previous`'s (or it is still absent); false if not. */
  writeIfUnchanged(write: ServerWrite, cause: ChangeCause): Promise<boolean>;
  /** Servers the table assigns to a protection group. */
  assignedTo(protectionGroupId: string): Promise<CurrentAssignment[]>;
  /** Sets (or, with undefined, clears) the group of live servers; clearing only where the group is still `protectionGroupId`. */
  setGroup(sourceServerIds: readonly string[], group: GroupAssignment | undefined, protectionGroupId: string): Promise<void>;
  query(query: ServerQuery): Promise<ServerPage>;
}

/** DescribeSourceServers accepts at most 200 ids in `filters.sourceServerIDs`. */
export const MAX_IDS_PER_DESCRIBE = 200;

/** Lists and describes DRS source servers in one account and region. */
export interface SourceServerDirectory {
  /** Every server (all pages). */
  listSourceServers(target: SyncTarget): Promise<DrsSourceServer[]>;
  /**
   * The servers of these ids that DRS knows (those it does not know are left out), in any order.
   * DescribeSourceServers filtered by id, at most 200 ids a call (the API's limit): 1,000 ids are
   * 5 calls, every page of each followed. No ids: no call, no servers (an empty filter would list
   * them all).
   */
  describeSourceServers(target: SyncTarget, sourceServerIds: readonly string[]): Promise<DrsSourceServer[]>;
}

/** How the last sync of one account and region went. */
export interface SyncStatus {
  accountId: string;
  region: string;
  status: 'SUCCEEDED' | 'FAILED';
  lastAttemptAt: string;
  lastSuccessAt?: string;
  error?: { code: string; message: string };
  serverCount?: number;
  discovered?: number;
  changed?: number;
  removed?: number;
  durationMs?: number;
}

/** Target accounts and the sync status of each account and region. */
export interface TargetStore {
  list(): Promise<TargetAccount[]>;
  get(accountId: string): Promise<TargetAccount | undefined>;
  /** ConflictError (accountId) when it exists. */
  create(target: TargetAccount): Promise<void>;
  /** NotFoundError (accountId) when it does not exist. */
  replace(target: TargetAccount): Promise<void>;
  /** Removes the account and its sync statuses; false when it did not exist. */
  remove(accountId: string): Promise<boolean>;
  statuses(): Promise<SyncStatus[]>;
  /** Records an attempt; a failed one keeps the time of the last success. */
  recordSync(status: SyncStatus): Promise<void>;
  forgetSync(accountId: string, region: string): Promise<void>;
}

/** The catalog's copy of planning's protection groups. */
export interface GroupStore {
  /** Stores the record unless a later one is stored; answers the record now stored. */
  apply(record: GroupRecord): Promise<GroupRecord>;
  listAll(): Promise<GroupRecord[]>;
}
