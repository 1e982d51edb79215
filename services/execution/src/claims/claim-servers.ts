import { ConflictError } from '@lifeboat/service-api';
import { loadExecution } from '../command-handler.js';
import type { ExecutionState } from '../domain/state.js';
import type { EventStore } from '../event-store/event-store.js';
import type { ClaimRequest, ClaimWrite, FoundClaim } from './rules.js';
import { conflictMessage, decideClaims, effectiveHold } from './rules.js';
import type { ServerClaimStore } from './store.js';
import { ClaimRaceError } from './store.js';

export interface ClaimDeps {
  claims: ServerClaimStore;
  /** To judge another execution's claim by its stream. */
  store: EventStore;
  clock: () => Date;
}

/** How a refusal reads: "Cannot <action>: ...", and the input field it is about. */
export interface ClaimRefusal {
  action: string;
  field: string;
}

/** Reading, deciding and writing again after a race, this many times in all. */
const MAX_ATTEMPTS = 4;

/**
 * Claims every server of the request for its execution, all or none, or throws ConflictError
 * naming the executions in the way (and writes nothing). Answers what it wrote, for `undo` when
 * the execution does not start after all.
 */
export async function claimServers(deps: ClaimDeps, request: ClaimRequest, refusal: ClaimRefusal): Promise<ClaimWrite[]> {
  if (request.sourceServerIds.length === 0) return [];
  for (let attempt = 1; ; attempt++) {
    const now = deps.clock();
    const found = await deps.claims.get(request.sourceServerIds);
    const holders = new Map<string, ExecutionState>();
    for (const claim of found.values()) {
      if (claim.executionId !== request.executionId && !holders.has(claim.executionId)) holders.set(claim.executionId, (await loadExecution(deps.store, claim.executionId)).state);
    }
    const judged = new Map<string, FoundClaim>();
    for (const [id, claim] of found) {
      const holder = holders.get(claim.executionId);
      judged.set(id, { claim, hold: holder ? effectiveHold(claim, holder, now) : claim.kind });
    }
    const decision = decideClaims(request, judged, now);
    if (!decision.allowed) throw new ConflictError(conflictMessage(request.mode, refusal.action, decision.conflicts), refusal.field);
    try {
      await deps.claims.write(decision.writes);
      return decision.writes;
    } catch (error) {
      if (!(error instanceof ClaimRaceError)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new ConflictError(`Cannot ${refusal.action}: other executions are claiming the same servers at this moment; try again`, refusal.field, { cause: error });
    }
  }
}
