import type { DomainEvent } from '@lifeboat/events';
import { claimsAfterEnd } from '../claims/rules.js';
import type { ServerClaimStore } from '../claims/store.js';
import { loadExecution } from '../command-handler.js';
import { log } from '../config.js';
import type { EventStore } from '../event-store/event-store.js';

export interface ReleaseDeps {
  store: EventStore;
  claims: ServerClaimStore;
  clock: () => Date;
}

/** What the release did with the execution's claims. */
export type ReleaseOutcome = { executionId: string; status: 'LIVE' | 'UNKNOWN' } | { executionId: string; status: 'SETTLED'; kept: string[]; released: string[] };

/**
 * On ExecutionCompleted / ExecutionFailed / ExecutionCancelled / DrillCleanupCompleted: settles the
 * execution's server claims from its stream as it is now, not from the event (events arrive
 * unordered and late): a finished RECOVERY releases every server, a finished drill keeps the
 * servers whose recovery instances are still up (DRILL_INSTANCES) and releases the others. A live
 * execution (a retry after its end) keeps them. Only claims of this execution made before the
 * stream was read are changed: a retry claims its servers again after it is appended.
 */
export async function releaseServerClaims(deps: ReleaseDeps, event: DomainEvent): Promise<ReleaseOutcome> {
  const { executionId } = event.data as { executionId: string };
  // Taken before the read: a claim made after it belongs to something this read may not show.
  const readAt = deps.clock().toISOString();
  const { state } = await loadExecution(deps.store, executionId);
  if (state.status === 'NOT_STARTED') {
    log('warn', 'server claims of an unknown execution', { executionId, eventType: event.type, eventId: event.metadata.eventId });
    return { executionId, status: 'UNKNOWN' };
  }
  const after = claimsAfterEnd(state);
  if (!after) return { executionId, status: 'LIVE' };
  await deps.claims.settle(executionId, after.keep, 'DRILL_INSTANCES', readAt);
  await deps.claims.settle(executionId, after.release, null, readAt);
  return { executionId, status: 'SETTLED', kept: after.keep, released: after.release };
}
