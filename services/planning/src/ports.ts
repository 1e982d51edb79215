import type { DomainEvent } from '@lifeboat/events';
import type { InventoryRecord, InventoryServer } from './domain/inventory.js';
import type { LaunchSyncTask, ServerLaunchCalls } from './domain/launch-settings.js';
import type { Membership, ProtectionGroup } from './domain/protection-group.js';
import type { RecoveryPlan } from './domain/recovery-plan.js';

/** The last version of a deleted plan: it marks the deletion, and its earlier versions stay. */
export interface PlanTombstone {
  planId: string;
  version: number;
  name: string;
  deleted: true;
  changeSummary: string[];
  createdAt: string;
  createdBy: string;
}

export type StoredPlanVersion = RecoveryPlan | PlanTombstone;

export function isTombstone(version: StoredPlanVersion | undefined): version is PlanTombstone {
  return version !== undefined && 'deleted' in version && version.deleted === true;
}

/** What the outbox holds: a Lifeboat event to publish, or work for the launch-settings applier. */
export type OutboxEntry = { outboxId: string; kind: 'event'; event: DomainEvent } | { outboxId: string; kind: 'launch-sync'; task: LaunchSyncTask };

/**
 * One change of planning's state. A command's writes are committed together or not at all (one
 * DynamoDB transaction); each carries the condition that keeps the rules true under races.
 */
export type Write =
  /** Fails if the group exists. */
  | { type: 'createGroup'; group: ProtectionGroup }
  /** Fails unless the group is at `expectedRevision`. */
  | { type: 'updateGroup'; group: ProtectionGroup; expectedRevision: number }
  /** Fails unless the group is at `expectedRevision` and no plan's latest version uses it. */
  | { type: 'deleteGroup'; protectionGroupId: string; expectedRevision: number }
  /** A plan version starts (+1) or stops (-1) using a group; fails if the group does not exist. */
  | { type: 'groupUse'; protectionGroupId: string; delta: number }
  /** Fails if the server belongs to a group. */
  | { type: 'claimServer'; sourceServerId: string; protectionGroupId: string; accountId: string; region: string; at: string }
  /** Fails unless the server belongs to this group. */
  | { type: 'releaseServer'; sourceServerId: string; protectionGroupId: string }
  /** Fails if another owner has the name (`key`: kind and lower-cased name). */
  | { type: 'claimName'; key: string; name: string; ownerId: string }
  | { type: 'releaseName'; key: string; ownerId: string }
  /** Fails if the version exists. */
  | { type: 'putPlanVersion'; version: StoredPlanVersion }
  | { type: 'outbox'; entry: OutboxEntry };

/** Protection groups, memberships, names and plan versions: planning's own state. */
export interface PlanningStore {
  listGroups(): Promise<ProtectionGroup[]>;
  getGroups(protectionGroupIds: readonly string[]): Promise<Map<string, ProtectionGroup>>;
  membershipsOf(sourceServerIds: readonly string[]): Promise<Membership[]>;
  /** The given version, or the latest one (a tombstone when the plan was deleted). */
  getPlanVersion(planId: string, version?: number): Promise<StoredPlanVersion | undefined>;
  /** Every version of a plan, oldest first. */
  planVersions(planId: string): Promise<StoredPlanVersion[]>;
  /** The latest version of each plan (tombstones included). */
  latestPlanVersions(): Promise<StoredPlanVersion[]>;
  /** All or nothing; throws one of the errors below when a condition fails. */
  commit(writes: readonly Write[]): Promise<void>;
}

/** commit: these servers belong to other groups already. */
export class ServersTakenError extends Error {
  override readonly name = 'ServersTakenError';
  constructor(
    /** Every server that was taken. */
    readonly sourceServerIds: string[],
    /** The groups that have them, as far as known. */
    readonly memberships: Membership[],
  ) {
    super(`Servers already in a protection group: ${sourceServerIds.join(', ')}`);
  }
}

/** commit: another owner has this name. */
export class NameTakenError extends Error {
  override readonly name = 'NameTakenError';
  constructor(readonly key: string) {
    super(`The name ${key} is taken`);
  }
}

/** commit: what the command read changed meanwhile (a revision, a version, a membership). */
export class StaleWriteError extends Error {
  override readonly name = 'StaleWriteError';
}

/** commit: a plan's latest version uses the group being deleted. */
export class GroupInUseError extends Error {
  override readonly name = 'GroupInUseError';
  constructor(readonly protectionGroupId: string) {
    super(`Protection group ${protectionGroupId} is used by a recovery plan`);
  }
}

/** commit: a group a plan is to use no longer exists. */
export class GroupGoneError extends Error {
  override readonly name = 'GroupGoneError';
  constructor(readonly protectionGroupId: string) {
    super(`Protection group ${protectionGroupId} does not exist`);
  }
}

/** Planning's copy of the inventory. */
export interface InventoryStore {
  /** Stores the record unless a later one is stored already; answers whether it was stored. */
  apply(record: InventoryRecord): Promise<boolean>;
  /** The live servers among these ids (removed and unknown ones are absent). */
  getMany(sourceServerIds: readonly string[]): Promise<Map<string, InventoryServer>>;
  /** Every live server of an account and region (for tag selectors). */
  listSite(accountId: string, region: string): Promise<InventoryServer[]>;
}

/** Applies one server's launch settings and post-launch actions in DRS (and its EC2 launch template). */
export interface LaunchSettingsPort {
  apply(site: { accountId: string; region: string }, calls: ServerLaunchCalls): Promise<void>;
}

/** Name keys of the names table: one namespace per kind, case-insensitive. */
export const nameKey = {
  group: (name: string) => `protection-group#${name.trim().toLowerCase()}`,
  plan: (name: string) => `recovery-plan#${name.trim().toLowerCase()}`,
};
