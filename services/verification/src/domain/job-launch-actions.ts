/**
 * Snapshots of a DRS job's post-launch actions, shared by the verifications of its servers.
 *
 * A job holds up to 100 servers, each verified in its own Lambda invocation that polls DescribeJobs
 * while its actions run: without sharing, a 1,000-server drill makes thousands of DescribeJobs
 * calls, which DRS throttles. One read of the job answers for every server in it, so a read less
 * than `freshMs` old is shared (src/job-launch-actions.ts coordinates who reads).
 *
 * Pure: the key of a job, whether a snapshot is fresh, a server's facts in it, and the snapshot cut
 * to fit in one DynamoDB item (400 KB).
 */
import type { LaunchActionsFacts } from './checks.js';

/** A DRS job in the account and region it runs in (job ids are unique only there). */
export interface JobRef {
  accountId: string;
  region: string;
  jobId: string;
}

/** `<accountId>#<region>#<jobId>`: the key of a job's snapshot. */
export function jobKeyOf(job: JobRef): string {
  return `${job.accountId}#${job.region}#${job.jobId}`;
}

/** What DescribeJobs says of one server of the job (LaunchActionsFacts of a server it lists). */
export type ServerLaunchActions = Omit<LaunchActionsFacts, 'found'>;

/** The launch actions of every server DRS lists in the job, by source server id. */
export type JobLaunchActions = Record<string, ServerLaunchActions>;

/** One read of a job from DRS. */
export interface JobLaunchActionsSnapshot {
  /** When the read was sent to DRS (epoch ms): the facts are at least this recent. */
  readAtMs: number;
  servers: JobLaunchActions;
}

/** Whether a snapshot was read from DRS less than `freshMs` before `nowMs`. */
export function isFresh(snapshot: JobLaunchActionsSnapshot | undefined, nowMs: number, freshMs: number): snapshot is JobLaunchActionsSnapshot {
  return snapshot !== undefined && nowMs - snapshot.readAtMs < freshMs;
}

/** The facts of one server in a snapshot: a server DRS does not list there is not found (yet). */
export function launchActionsIn(snapshot: JobLaunchActionsSnapshot, sourceServerId: string): LaunchActionsFacts {
  const server = snapshot.servers[sourceServerId];
  return server ? { found: true, ...server, runs: server.runs.map((run) => ({ ...run })) } : { found: false, reported: false, runs: [] };
}

// ---------------------------------------------------------------- fitting one DynamoDB item

/**
 * The most a snapshot's JSON may take (UTF-8 bytes): DynamoDB's items stop at 400 KB, and the
 * item also holds its key, the lease and the TTL.
 */
export const SNAPSHOT_MAX_BYTES = 300_000;

/** How much of each action name and failure reason is kept, tried in order until the snapshot fits. */
export interface Compaction {
  nameChars: number;
  /** 0: failure reasons are left out. */
  reasonChars: number;
}

const FULLEST: Compaction = { nameChars: 128, reasonChars: 500 };
/**
 * 100 servers with 10 actions each fit the first, unless most of them failed with long reasons;
 * DRS allows many more actions per server (the simulator 200), which the later ones keep in the item.
 */
export const COMPACTIONS: readonly Compaction[] = [
  FULLEST,
  { nameChars: 64, reasonChars: 100 },
  { nameChars: 32, reasonChars: 0 },
];

const encoder = new TextEncoder();

/** The start of a text, at most `chars` characters, marking a cut with an ellipsis. */
function cut(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, Math.max(0, chars - 1))}…`;
}

function compact(servers: JobLaunchActions, compaction: Compaction): JobLaunchActions {
  return Object.fromEntries(Object.entries(servers).map(([sourceServerId, server]) => [sourceServerId, {
    ...(server.launchStatus ? { launchStatus: server.launchStatus } : {}),
    reported: server.reported,
    ...(server.ssmAgentDiscoveryDatetime ? { ssmAgentDiscoveryDatetime: server.ssmAgentDiscoveryDatetime } : {}),
    runs: server.runs.map((run) => ({
      name: cut(run.name, compaction.nameChars),
      optional: run.optional,
      status: run.status,
      ...(run.failureReason && compaction.reasonChars > 0 ? { failureReason: cut(run.failureReason, compaction.reasonChars) } : {}),
    })),
  }]));
}

/** The UTF-8 size of the servers of a snapshot as stored (JSON). */
export function snapshotBytes(servers: JobLaunchActions): number {
  return encoder.encode(JSON.stringify(servers)).length;
}

export interface FittedSnapshot {
  snapshot: JobLaunchActionsSnapshot;
  /** false: even the last compaction is over `maxBytes`; the snapshot answers its reader only, not stored. */
  shareable: boolean;
}

/**
 * A job's read, kept to the fields the check judges and cut to fit `maxBytes`: the first
 * compaction that fits. Everyone answers from the same cut snapshot, so the servers of one read
 * see the same facts whoever read them.
 */
export function fitSnapshot(servers: JobLaunchActions, readAtMs: number, maxBytes = SNAPSHOT_MAX_BYTES): FittedSnapshot {
  for (const compaction of COMPACTIONS) {
    const compacted = compact(servers, compaction);
    if (snapshotBytes(compacted) <= maxBytes) return { snapshot: { readAtMs, servers: compacted }, shareable: true };
  }
  // Not shared: its reader keeps as much as the first compaction does.
  return { snapshot: { readAtMs, servers: compact(servers, FULLEST) }, shareable: false };
}
