import type { GroupAssignment } from './inventory.js';

/**
 * The catalog's projection of planning's protection groups: which group each server belongs to.
 * Events arrive at least once and in any order, so each group keeps the position of the event it
 * came from and only a later event replaces it; a deletion leaves a tombstone so that a late
 * ProtectionGroupUpdated cannot bring the group back. Pure.
 */

/** data of ProtectionGroupCreated / ProtectionGroupUpdated (events/schemas, source lifeboat.planning). */
export interface ProtectionGroupData {
  protectionGroupId: string;
  name: string;
  accountId: string;
  region: string;
  sourceServerIds: string[];
  /** The group's revision after the change (planning numbers them): orders the events of one group. */
  revision?: number;
}

export type ProtectionGroupEvent =
  | { type: 'ProtectionGroupCreated' | 'ProtectionGroupUpdated'; data: ProtectionGroupData; metadata: { eventId: string; occurredAt: string } }
  | { type: 'ProtectionGroupDeleted'; data: { protectionGroupId: string; revision?: number }; metadata: { eventId: string; occurredAt: string } };

export const PROTECTION_GROUP_EVENT_TYPES = ['ProtectionGroupCreated', 'ProtectionGroupUpdated', 'ProtectionGroupDeleted'] as const;

/** A group as the catalog knows it, or the tombstone of a deleted one. */
export type GroupRecord =
  | ({ deleted: false; position: string } & ProtectionGroupData)
  | { deleted: true; position: string; protectionGroupId: string };

/**
 * Where an event stands in its group's history. Positions compare as strings: the group's
 * revision when planning gives one (immune to clock skew), else the event's time, then its ULID.
 * A revisioned position sorts after any timed one.
 */
export function positionOf(event: { data: { revision?: number }; metadata: { eventId: string; occurredAt: string } }): string {
  if (typeof event.data.revision === 'number') return `rev#${String(event.data.revision).padStart(12, '0')}`;
  return `${new Date(event.metadata.occurredAt).toISOString()}#${event.metadata.eventId}`;
}

/** The record an event leaves behind (stored only if no later event was stored already). */
export function groupRecordOf(event: ProtectionGroupEvent): GroupRecord {
  const position = positionOf(event);
  switch (event.type) {
    case 'ProtectionGroupCreated':
    case 'ProtectionGroupUpdated': {
      const { protectionGroupId, name, accountId, region, sourceServerIds } = event.data;
      // The revision lives in the position: the record keeps the fields the catalog reads.
      return { deleted: false, position, protectionGroupId, name, accountId, region, sourceServerIds: [...new Set(sourceServerIds)] };
    }
    case 'ProtectionGroupDeleted':
      return { deleted: true, position, protectionGroupId: event.data.protectionGroupId };
    default: {
      const unknown: never = event;
      throw new Error(`Not a protection group event: ${(unknown as { type: string }).type}`);
    }
  }
}

/** Whether `record` should replace `current`. */
export function supersedes(record: GroupRecord, current: GroupRecord | undefined): boolean {
  return current === undefined || current.position < record.position;
}

/** A server assigned to the group in the servers table now. */
export interface CurrentAssignment {
  sourceServerId: string;
  protectionGroupName?: string;
}

export interface MembershipChanges {
  /** Servers to assign to the group (or whose group name to refresh). */
  assign: string[];
  /** Servers the table assigns to the group that are no longer its members. */
  unassign: string[];
}

/**
 * What to write so that the servers table agrees with the latest known state of a group, given
 * the servers the table assigns to it now. Running it again after it was applied finds nothing.
 */
export function membershipChanges(group: GroupRecord, current: readonly CurrentAssignment[]): MembershipChanges {
  const members = group.deleted ? [] : group.sourceServerIds;
  const memberSet = new Set(members);
  const currentById = new Map(current.map((assignment) => [assignment.sourceServerId, assignment]));
  const name = group.deleted ? undefined : group.name;
  return {
    assign: members.filter((id) => currentById.get(id)?.protectionGroupName !== name),
    unassign: current.map((assignment) => assignment.sourceServerId).filter((id) => !memberSet.has(id)),
  };
}

/** The group of each server, from the live groups (a server is in at most one; should two claim it, the later wins). */
export function assignmentsOf(groups: readonly GroupRecord[]): Map<string, GroupAssignment> {
  const assignments = new Map<string, GroupAssignment>();
  const live = groups.filter((group): group is Extract<GroupRecord, { deleted: false }> => !group.deleted).sort((a, b) => a.position.localeCompare(b.position));
  for (const group of live) {
    for (const id of group.sourceServerIds) assignments.set(id, { protectionGroupId: group.protectionGroupId, name: group.name });
  }
  return assignments;
}
