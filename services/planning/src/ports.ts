import type { DomainEvent } from '@lifeboat/events';
import type { ProtectionGroupView, RecoveryPlanView } from '@lifeboat/service-api';
import type { InventoryRecord, InventoryServer } from './domain/inventory.js';
import type { Membership } from './domain/protection-group.js';

/** Protection groups and the membership of each server (a server is in at most one group). */
export interface ProtectionGroupStore {
  listAll(): Promise<ProtectionGroupView[]>;
  getMany(protectionGroupIds: readonly string[]): Promise<Map<string, ProtectionGroupView>>;
  membershipsOf(sourceServerIds: readonly string[]): Promise<Membership[]>;
  /**
   * Writes the group and one membership per server, all or nothing; throws ServersTakenError when
   * a server already belongs to a group (whoever got there first, however close the race).
   */
  create(group: ProtectionGroupView): Promise<void>;
}

/** Thrown by ProtectionGroupStore.create: these servers belong to other groups already. */
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

/** Versions of recovery plans; a version, once written, never changes. */
export interface RecoveryPlanStore {
  /** Fails if this version exists. */
  create(plan: RecoveryPlanView): Promise<void>;
  /** The given version, or the latest one. */
  get(planId: string, version?: number): Promise<RecoveryPlanView | undefined>;
  /** The latest version of each plan. */
  listLatest(): Promise<RecoveryPlanView[]>;
}

/** Planning's copy of the inventory. */
export interface InventoryStore {
  /** Stores the record unless a later one is stored already; answers whether it was stored. */
  apply(record: InventoryRecord): Promise<boolean>;
  /** The live servers among these ids (removed and unknown ones are absent). */
  getMany(sourceServerIds: readonly string[]): Promise<Map<string, InventoryServer>>;
}

export interface EventSink {
  publish(events: DomainEvent[]): Promise<void>;
}
