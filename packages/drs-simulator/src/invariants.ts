/**
 * Checks over the call log that tests of an orchestrator assert on: no source server launched
 * twice within jobs that share a tag value (e.g. the same `lifeboat:execution-id`), and no call
 * refused for a quota or for a server already busy in another job.
 */
import type { CallLogEntry } from './simulator.js';
import type { Job, LaunchStatus } from './model.js';

export const DEFAULT_GROUP_TAG_KEY = 'lifeboat:execution-id';

export interface InvariantOptions {
  /** The job tag whose value groups launches (default `lifeboat:execution-id`). */
  groupTagKey?: string;
  /** A server whose earlier launch in the same group ended FAILED may be launched again (default true). */
  allowRetryAfterFailure?: boolean;
}

export interface DuplicateLaunch {
  tagValue: string;
  sourceServerID: string;
  /** The earlier job of the group that launched (or was launching) the server. */
  firstJobID: string;
  /** The later StartRecovery call. */
  callSeq: number;
  /** The job the later call created, or the error that refused it. */
  jobID?: string;
  errorType?: string;
}

export interface RejectedCall {
  callSeq: number;
  time: string;
  operation: string;
  accountId: string;
  region: string;
  errorType: string;
  message: string;
}

export interface InvariantReport {
  ok: boolean;
  duplicateLaunches: DuplicateLaunch[];
  /** Calls refused with ServiceQuotaExceededException. */
  quotaRejections: RejectedCall[];
  /** StartRecovery calls refused with ConflictException (a server already in an active job). */
  conflicts: RejectedCall[];
  /** One readable line per problem. */
  violations: string[];
}

export function checkInvariants(calls: readonly CallLogEntry[], jobs: readonly Job[], options: InvariantOptions = {}): InvariantReport {
  const tagKey = options.groupTagKey ?? DEFAULT_GROUP_TAG_KEY;
  const allowRetry = options.allowRetryAfterFailure ?? true;
  const jobsById = new Map(jobs.map((j) => [j.jobID, j]));
  const finalStatus = (jobID: string, sourceServerID: string): LaunchStatus | undefined =>
    jobsById.get(jobID)?.participatingServers.find((p) => p.sourceServerID === sourceServerID)?.launchStatus;

  const groups = new Map<string, Map<string, { jobID: string; failed: boolean }>>();
  const duplicateLaunches: DuplicateLaunch[] = [];
  const quotaRejections: RejectedCall[] = [];
  const conflicts: RejectedCall[] = [];
  const rejected = (c: CallLogEntry): RejectedCall => ({
    callSeq: c.seq, time: c.time, operation: c.operation, accountId: c.accountId, region: c.region,
    errorType: c.errorType ?? 'Unknown', message: c.errorMessage ?? '',
  });

  for (const call of [...calls].sort((a, b) => a.seq - b.seq)) {
    if (call.errorType === 'ServiceQuotaExceededException') quotaRejections.push(rejected(call));
    if (call.operation !== 'StartRecovery') continue;
    if (call.errorType === 'ConflictException') conflicts.push(rejected(call));
    const tagValue = call.tags?.[tagKey];
    if (tagValue === undefined) continue;
    const accepted = call.outcome === 'OK' && call.jobID !== undefined;
    if (!accepted && call.errorType !== 'ConflictException') continue;
    let group = groups.get(tagValue);
    if (!group) groups.set(tagValue, (group = new Map()));
    for (const sourceServerID of call.sourceServerIDs ?? []) {
      const earlier = group.get(sourceServerID);
      if (earlier && !(allowRetry && earlier.failed)) {
        duplicateLaunches.push({
          tagValue, sourceServerID, firstJobID: earlier.jobID, callSeq: call.seq,
          ...(accepted && call.jobID ? { jobID: call.jobID } : { errorType: call.errorType ?? 'Unknown' }),
        });
      }
      if (accepted && call.jobID) group.set(sourceServerID, { jobID: call.jobID, failed: finalStatus(call.jobID, sourceServerID) === 'FAILED' });
    }
  }

  const violations = [
    ...duplicateLaunches.map((d) => `source server ${d.sourceServerID} launched again (call #${d.callSeq}${d.jobID ? `, job ${d.jobID}` : `, refused as ${d.errorType}`}) within ${tagKey}=${d.tagValue}, already in job ${d.firstJobID}`),
    ...quotaRejections.map((r) => `call #${r.callSeq} ${r.operation} exceeded a quota: ${r.message}`),
    ...conflicts.map((r) => `call #${r.callSeq} ${r.operation} conflicted with an active job: ${r.message}`),
  ];
  return { ok: violations.length === 0, duplicateLaunches, quotaRejections, conflicts, violations };
}
