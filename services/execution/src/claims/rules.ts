/**
 * Which execution holds which DRS source server: the rules, without I/O.
 *
 * An execution claims every server it will launch when it starts (table
 * lifeboat-execution-server-claims-<stage>, key sourceServerId). A claim is RUNNING while its
 * execution may still launch the server, and DRILL_INSTANCES once a drill ended with a recovery
 * instance of the server still up. Another execution may take a server only when its claim is
 * FREE in effect:
 *
 * - RUNNING: refused, for a DRILL as for a RECOVERY (two jobs for one server, DRS refuses or races).
 * - DRILL_INSTANCES: refused until the drill is cleaned up, for a RECOVERY (its instances run from
 *   the same data, may carry the same private IPs and host names, and would be mistaken for the
 *   recovered ones) and for another DRILL too. DRS itself would launch a second drill instance beside
 *   the first, but an SRM administrator expects what SRM does: a test is cleaned up before the plan
 *   is tested again; and one claim per server keeps the account of whose instances are up exact.
 *
 * The claims table can lag behind the executions (the release function runs when the end event
 * reaches the bus) or miss a release (it failed into the dead-letter queue), so a claim of another
 * execution is judged against that execution's own stream, the source of truth (`effectiveHold`).
 */
import type { ExecutionMode } from '@lifeboat/service-api';
import type { ExecutionState, ServerState, StartedState } from '../domain/state.js';
import { isLive } from '../domain/state.js';

export type ClaimKind = 'RUNNING' | 'DRILL_INSTANCES';

/** What a claim amounts to now: a hold, or nothing (FREE: the server may be taken). */
export type Hold = ClaimKind | 'FREE';

/** One item of the claims table. */
export interface ServerClaim {
  sourceServerId: string;
  executionId: string;
  planId: string;
  mode: ExecutionMode;
  kind: ClaimKind;
  /** ISO-8601 UTC; written again each time the execution claims the server (a retry). */
  claimedAt: string;
}

/**
 * The stream of an execution is appended right after its claims: a claim whose execution has no
 * stream after this long was left by a start that crashed in between (beyond any Lambda timeout).
 */
export const ORPHAN_CLAIM_AFTER_MS = 5 * 60 * 1000;

/** At most this many servers are named in a refusal (per holding execution). */
const NAMED_SERVERS = 5;

/** A recovery instance of the server that its drill has not terminated: what cleanupDrill terminates. */
function hasDrillInstance(state: StartedState, server: ServerState): boolean {
  return server.recoveryInstanceId !== undefined && !state.terminatedRecoveryInstanceIds.has(server.recoveryInstanceId);
}

/**
 * What an execution still needs of one of its servers, from its state: RUNNING while it is live,
 * DRILL_INSTANCES for a finished drill's server with a recovery instance not terminated yet, and
 * nothing otherwise (a finished RECOVERY hands its servers back: its instances are production now).
 */
export function holdOf(state: ExecutionState, sourceServerId: string): ClaimKind | undefined {
  if (state.status === 'NOT_STARTED') return undefined;
  const server = state.servers.get(sourceServerId);
  if (!server) return undefined;
  if (isLive(state)) return 'RUNNING';
  if (state.mode === 'RECOVERY') return undefined;
  return hasDrillInstance(state, server) ? 'DRILL_INSTANCES' : undefined;
}

/** What another execution's claim amounts to, given that execution's state (NOT_STARTED: no stream). */
export function effectiveHold(claim: ServerClaim, holder: ExecutionState, now: Date): Hold {
  if (holder.status === 'NOT_STARTED') {
    // A young claim belongs to a start in progress; an old one to a start that crashed.
    return now.getTime() - Date.parse(claim.claimedAt) > ORPHAN_CLAIM_AFTER_MS ? 'FREE' : 'RUNNING';
  }
  return holdOf(holder, claim.sourceServerId) ?? 'FREE';
}

/** Whether a new execution may take a server held this way by another one (see the module's comment). */
export function mayTakeOver(_mode: ExecutionMode, hold: Hold): boolean {
  return hold === 'FREE';
}

/** An execution asking for its servers (at its start, or to retry some of them). */
export interface ClaimRequest {
  executionId: string;
  planId: string;
  mode: ExecutionMode;
  sourceServerIds: readonly string[];
}

/** A claim found in the table, with what it amounts to (its own claims: their kind). */
export interface FoundClaim {
  claim: ServerClaim;
  hold: Hold;
}

/** One claim to write, only if its item is still what it replaces (absent when `replaces` is). */
export interface ClaimWrite {
  claim: ServerClaim;
  replaces?: ServerClaim;
}

export interface ClaimConflict {
  sourceServerId: string;
  holder: ServerClaim;
  hold: ClaimKind;
}

export type ClaimDecision = { allowed: true; writes: ClaimWrite[] } | { allowed: false; conflicts: ClaimConflict[] };

/**
 * All the servers or none: the claims to write when every server is free, held by the requesting
 * execution itself (a retry reuses its own claims) or free in effect; else every conflict.
 */
export function decideClaims(request: ClaimRequest, found: ReadonlyMap<string, FoundClaim>, now: Date): ClaimDecision {
  const writes: ClaimWrite[] = [];
  const conflicts: ClaimConflict[] = [];
  for (const sourceServerId of new Set(request.sourceServerIds)) {
    const claim: ServerClaim = { sourceServerId, executionId: request.executionId, planId: request.planId, mode: request.mode, kind: 'RUNNING', claimedAt: now.toISOString() };
    const existing = found.get(sourceServerId);
    if (!existing) writes.push({ claim });
    else if (existing.claim.executionId === request.executionId || mayTakeOver(request.mode, existing.hold)) writes.push({ claim, replaces: existing.claim });
    else conflicts.push({ sourceServerId, holder: existing.claim, hold: existing.hold === 'FREE' ? existing.claim.kind : existing.hold });
  }
  return conflicts.length > 0 ? { allowed: false, conflicts } : { allowed: true, writes };
}

function serverList(ids: readonly string[]): string {
  const named = ids.slice(0, NAMED_SERVERS).join(', ');
  return ids.length > NAMED_SERVERS ? `${named} and ${ids.length - NAMED_SERVERS} more` : named;
}

/**
 * The refusal: for each execution in the way, what it holds (a few servers named) and what to do.
 * `action` completes "Cannot ...", e.g. "start this RECOVERY".
 */
export function conflictMessage(mode: ExecutionMode, action: string, conflicts: readonly ClaimConflict[]): string {
  const groups = new Map<string, { holder: ServerClaim; hold: ClaimKind; ids: string[] }>();
  for (const c of conflicts) {
    const key = `${c.holder.executionId}|${c.hold}`;
    const group = groups.get(key) ?? { holder: c.holder, hold: c.hold, ids: [] };
    group.ids.push(c.sourceServerId);
    groups.set(key, group);
  }
  const parts = [...groups.values()].map(({ holder, hold, ids }) => {
    const servers = `${ids.length === 1 ? 'server' : 'servers'} ${serverList(ids)}`;
    if (hold === 'DRILL_INSTANCES') {
      return `drill ${holder.executionId} of plan ${holder.planId} still has recovery instances of ${servers}: clean that drill up first (cleanupDrill), then ${mode === 'RECOVERY' ? 'start the RECOVERY' : 'drill again'}`;
    }
    return `${servers} ${ids.length === 1 ? 'is' : 'are'} in use by ${holder.mode} ${holder.executionId} of plan ${holder.planId}, which has not finished: wait for it or cancel it`;
  });
  return `Cannot ${action}: ${parts.join('; ')}`;
}

/**
 * What becomes of the claims of an execution that ended: its drill's servers with recovery
 * instances up stay held (DRILL_INSTANCES), the others are released. Undefined while it is live
 * (a retry made it live again: its claims stay RUNNING).
 */
export function claimsAfterEnd(state: StartedState): { keep: string[]; release: string[] } | undefined {
  if (isLive(state)) return undefined;
  const keep: string[] = [];
  const release: string[] = [];
  for (const sourceServerId of state.servers.keys()) (holdOf(state, sourceServerId) === 'DRILL_INSTANCES' ? keep : release).push(sourceServerId);
  return { keep, release };
}
