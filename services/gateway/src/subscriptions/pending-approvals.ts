import type { Caller, ExecutionOperations, ExecutionStatus, ExecutionView } from '@lifeboat/service-api';
import { NotFoundError } from '@lifeboat/service-api';
import type { TypedService } from '../services.js';
import { mayApproveAnything, pendingApprovalsFor } from './filters.js';
import type { PendingApprovalView } from './filters.js';

/** The statuses of an execution that can still wait for an approval (an ending one withdraws them). */
export const OPEN_STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'PAUSED', 'CANCELLING'];
const PAGE_SIZE = 100;

/**
 * The pending approvals the caller may decide now, oldest first, read from the execution list (every
 * page). `freshExecutionId`, when given, is the execution an event just changed: the list is a read
 * model that may not have caught up with it yet, so that execution is read from its stream instead.
 * A caller who approves nothing gets an empty list without a call.
 */
export async function readPendingApprovals(execution: TypedService<ExecutionOperations>, caller: Caller, freshExecutionId?: string): Promise<PendingApprovalView[]> {
  if (!mayApproveAnything(caller)) return [];
  const byId = new Map<string, ExecutionView>();
  let nextToken: string | undefined;
  do {
    const page = await execution.call('listExecutions', { filter: { statuses: [...OPEN_STATUSES] }, limit: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }, caller);
    for (const view of page.items) byId.set(view.executionId, view);
    nextToken = page.nextToken ?? undefined;
  } while (nextToken);
  if (freshExecutionId !== undefined) {
    const fresh = await currentView(execution, freshExecutionId, caller);
    const listed = byId.get(freshExecutionId);
    if (fresh && (!listed || fresh.version >= listed.version)) {
      if (OPEN_STATUSES.includes(fresh.status)) byId.set(freshExecutionId, fresh);
      else byId.delete(freshExecutionId);
    }
  }
  return pendingApprovalsFor([...byId.values()], caller);
}

async function currentView(execution: TypedService<ExecutionOperations>, executionId: string, caller: Caller): Promise<ExecutionView | undefined> {
  try {
    return await execution.call('getExecution', { executionId }, caller);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
