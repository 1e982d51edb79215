/**
 * The pure decisions of the subscription feeds: which executions and servers a filter keeps,
 * which approvals a caller may decide, and whether a list of approvals changed.
 */
import type { ApprovalView, Caller, ExecutionMode, ExecutionStatus, ExecutionView } from '@lifeboat/service-api';
import { may } from '@lifeboat/service-api';

/** The ExecutionFilter input of graphql/schema.graphql, as graphql-js passes it (absent or null alike). */
export type ExecutionFilterArgs = {
  planId?: string | null;
  mode?: ExecutionMode | null;
  statuses?: readonly ExecutionStatus[] | null;
  /** ISO-8601 UTC (the DateTime scalar keeps the string). */
  startedAfter?: string | null;
  startedBefore?: string | null;
};

/** The InventoryFilter input of graphql/schema.graphql. */
export type InventoryFilterArgs = {
  accountId?: string | null;
  region?: string | null;
};

const given = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

/** Whether an execution matches every given field of the filter (no filter: every execution). */
export function matchesExecutionFilter(view: Pick<ExecutionView, 'planId' | 'mode' | 'status' | 'startedAt'>, filter: ExecutionFilterArgs | null | undefined): boolean {
  if (!filter) return true;
  if (given(filter.planId) && view.planId !== filter.planId) return false;
  if (given(filter.mode) && view.mode !== filter.mode) return false;
  if (given(filter.statuses) && !filter.statuses.includes(view.status)) return false;
  const startedAt = Date.parse(view.startedAt);
  // At or after startedAfter, strictly before startedBefore (the schema's wording).
  if (given(filter.startedAfter) && !(startedAt >= Date.parse(filter.startedAfter))) return false;
  if (given(filter.startedBefore) && !(startedAt < Date.parse(filter.startedBefore))) return false;
  return true;
}

/** Whether a server (of an inventory event) matches every given field of the filter. */
export function matchesInventoryFilter(server: { accountId: string; region: string }, filter: InventoryFilterArgs | null | undefined): boolean {
  if (!filter) return true;
  if (given(filter.accountId) && server.accountId !== filter.accountId) return false;
  if (given(filter.region) && server.region !== filter.region) return false;
  return true;
}

/** Whether the caller holds a permission to approve anything (approvalsPending, pendingApprovals). */
export function mayApproveAnything(caller: Pick<Caller, 'roles'>): boolean {
  return may(caller.roles, 'drill:approve') || may(caller.roles, 'recovery:approve');
}

/**
 * Whether the caller may decide the approval now, as the execution service would let them: it is
 * PENDING, the caller holds its permission, its role when set (an Admin always may), and is not
 * one of its excluded users (e.g. the starter of a RECOVERY waiting for a second approver).
 */
export function mayDecide(approval: Pick<ApprovalView, 'status' | 'permission' | 'approverRole' | 'excludedUserIds'>, caller: Pick<Caller, 'userId' | 'roles'>): boolean {
  if (approval.status !== 'PENDING') return false;
  if (!may(caller.roles, approval.permission)) return false;
  if (approval.approverRole && !caller.roles.includes(approval.approverRole) && !caller.roles.includes('Admin')) return false;
  return !approval.excludedUserIds.includes(caller.userId);
}

/** A pending approval with the execution it belongs to (the PendingApproval type). */
export interface PendingApprovalView {
  executionId: string;
  planId: string;
  planName: string;
  mode: ExecutionMode;
  startedBy: string;
  approval: ApprovalView;
}

/** The approvals of these executions that the caller may decide, oldest first. */
export function pendingApprovalsFor(executions: readonly ExecutionView[], caller: Pick<Caller, 'userId' | 'roles'>): PendingApprovalView[] {
  const pending: PendingApprovalView[] = [];
  for (const execution of executions) {
    for (const approval of execution.approvals ?? []) {
      if (!mayDecide(approval, caller)) continue;
      const { executionId, planId, planName, mode, startedBy } = execution;
      pending.push({ executionId, planId, planName, mode, startedBy, approval });
    }
  }
  return pending.sort(
    (a, b) =>
      a.approval.requestedAt.localeCompare(b.approval.requestedAt) || a.executionId.localeCompare(b.executionId) || a.approval.approvalId.localeCompare(b.approval.approvalId),
  );
}

/**
 * A number that names the set of approvals in a list (a 53-bit hash of their ids): a subscription
 * keeps it as its cursor, to push the list only when it changed. An approval stays in the list
 * only while PENDING, and a pending approval does not change, so its id stands for its content.
 */
export function approvalListKey(list: readonly PendingApprovalView[]): number {
  const ids = list.map((p) => `${p.executionId}/${p.approval.approvalId}`).sort();
  return hash53(ids.join('\n'));
}

// cyrb53 (public domain): a fast, well-mixed string hash that fits a JavaScript number exactly.
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
