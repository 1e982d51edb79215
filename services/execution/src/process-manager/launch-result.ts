import type { EventBridgeEnvelope } from '@lifeboat/events';
import type { RecoveryJob, RecoveryJobs } from '../adapters/drs.js';
import type { CapacityScope } from '../capacity/ledger.js';
import { log } from '../config.js';
import type { LaunchBatchDeps } from './launch-batch.js';
import { reconcileJob } from './job-reconciler.js';
import type { FinalLaunch } from './job-reconciler.js';

/** detail of `aws.drs` `DRS Source Server Launch Result` (events/schemas/aws). */
export interface DrsLaunchResultDetail {
  state: 'RECOVERY_LAUNCH_SUCCEEDED' | 'RECOVERY_LAUNCH_FAILED';
  'job-id': string;
  'is-drill'?: 'TRUE' | 'FALSE';
}

export type LaunchResultOutcome = 'recorded' | 'duplicate' | 'not-lifeboat-job' | 'unknown-job';

/**
 * Reads jobs from DRS for many callers at once: the launch results of one job arrive together,
 * and one DescribeJobs call answers all of them (DRS API calls per launched server stay near 1).
 */
export class CoalescingJobReader {
  private pending = new Map<string, { resolve: (job: RecoveryJob | undefined) => void; reject: (error: unknown) => void }[]>();
  private timer: NodeJS.Timeout | undefined;
  /** Jobs seen COMPLETED with every result recorded, most recent last: their later results are duplicates. */
  private readonly settled = new Set<string>();

  constructor(private readonly drs: RecoveryJobs, private readonly windowMs = 25, private readonly settledCapacity = 1000) {}

  isSettled(jobId: string): boolean {
    return this.settled.has(jobId);
  }

  /** A COMPLETED job whose results are all recorded: the other results of it need no DescribeJobs. */
  markSettled(jobId: string): void {
    this.settled.add(jobId);
    if (this.settled.size > this.settledCapacity) this.settled.delete(this.settled.values().next().value as string);
  }

  read(jobId: string): Promise<RecoveryJob | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(jobId) ?? [];
      waiting.push({ resolve, reject });
      this.pending.set(jobId, waiting);
      this.timer ??= setTimeout(() => void this.flush(), this.windowMs);
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.timer = undefined;
    try {
      const jobs = new Map((await this.drs.describeJobs([...batch.keys()])).map((job) => [job.jobId, job]));
      for (const [jobId, waiting] of batch) for (const w of waiting) w.resolve(jobs.get(jobId));
    } catch (error) {
      for (const waiting of batch.values()) for (const w of waiting) w.reject(error);
    }
  }
}

/** A launch result of a job, as the event said it (a hint: DescribeJobs is what counts). */
function hintOf(event: EventBridgeEnvelope<DrsLaunchResultDetail>, sourceServerId: string, job: RecoveryJob): FinalLaunch {
  const launched = event.detail.state === 'RECOVERY_LAUNCH_SUCCEEDED';
  const recoveryInstanceId = job.participatingServers.find((s) => s.sourceServerId === sourceServerId)?.recoveryInstanceId;
  return {
    sourceServerId,
    outcome: launched ? 'LAUNCHED' : 'FAILED',
    ...(launched && recoveryInstanceId ? { recoveryInstanceId } : {}),
    ...(launched ? {} : { reason: `DRS reported ${event.detail.state}` }),
  };
}

/** The source server a launch result names (its ARN in resources[0]). */
function sourceServerOf(event: EventBridgeEnvelope<DrsLaunchResultDetail>): string {
  const sourceServerId = event.resources[0]?.split('/').at(-1);
  if (!sourceServerId) throw new Error(`DRS launch result ${event.id} names no source server in resources`);
  return sourceServerId;
}

export type LaunchResultDeps = LaunchBatchDeps & { jobReaderIn: (scope: CapacityScope) => Promise<CoalescingJobReader> };

/** What became of one launch result of a batch: an outcome, or the error that stopped its job's reconciliation. */
export type LaunchResultRecord = { outcome: LaunchResultOutcome } | { outcome: 'failed'; error: unknown };

/**
 * A DRS launch result is a hint: the job is read from DRS (coalesced with the other results
 * arriving now) and every finished server of it is recorded, so results whose events were lost
 * are recorded too, and one seen twice counts once. Jobs that Lifeboat did not start (or that
 * another stage started) are ignored.
 *
 * The launch results of one delivery (up to 10 from the queue; a job's 100 results come together)
 * are grouped by job: one read and one reconciliation per job, whatever number of its results the
 * batch holds. Answers each event's outcome, in the order given; a job whose read or
 * reconciliation failed fails its events only (they are delivered again).
 */
export async function recordJobLaunchResults(deps: LaunchResultDeps, events: readonly EventBridgeEnvelope<DrsLaunchResultDetail>[]): Promise<LaunchResultRecord[]> {
  const results: (LaunchResultRecord | undefined)[] = events.map(() => undefined);
  const byJob = new Map<string, { scope: CapacityScope; jobId: string; members: { index: number; event: EventBridgeEnvelope<DrsLaunchResultDetail>; sourceServerId: string }[] }>();
  events.forEach((event, index) => {
    let sourceServerId: string;
    try {
      sourceServerId = sourceServerOf(event);
    } catch (error) {
      results[index] = { outcome: 'failed', error };
      return;
    }
    // The event comes from the account and region that ran the job (forwarded to the hub's bus as is).
    const scope: CapacityScope = { accountId: event.account, region: event.region };
    const jobId = event.detail['job-id'];
    const key = `${scope.accountId}|${scope.region}|${jobId}`;
    const group = byJob.get(key) ?? { scope, jobId, members: [] };
    group.members.push({ index, event, sourceServerId });
    byJob.set(key, group);
  });

  // Jobs one after the other: jobs of one execution append to the same stream.
  for (const { scope, jobId, members } of byJob.values()) {
    const settle = (outcome: LaunchResultRecord) => {
      for (const m of members) results[m.index] = outcome;
    };
    try {
      const reader = await deps.jobReaderIn(scope);
      // The 100 results of a job arrive together: the first ones read the completed job and recorded them all.
      if (reader.isSettled(jobId)) {
        settle({ outcome: 'duplicate' });
        continue;
      }
      const job = await reader.read(jobId);
      if (!job) {
        // DRS answers DescribeJobs for a job it just reported on; otherwise the reconciler catches up.
        log('warn', 'launch result of a job DRS does not describe: left to the reconciler', { jobId, sourceServerIds: members.map((m) => m.sourceServerId) });
        settle({ outcome: 'unknown-job' });
        continue;
      }
      const result = await reconcileJob(deps, scope, job, members.map((m) => hintOf(m.event, m.sourceServerId, job)));
      if (!result.executionId) {
        log('info', 'launch result of a job Lifeboat did not start here: ignored', { jobId, sourceServerIds: members.map((m) => m.sourceServerId) });
        settle({ outcome: 'not-lifeboat-job' });
        continue;
      }
      if (result.completed) reader.markSettled(jobId);
      settle({ outcome: result.recorded > 0 ? 'recorded' : 'duplicate' });
    } catch (error) {
      settle({ outcome: 'failed', error });
    }
  }
  return results.map((r) => r ?? { outcome: 'failed', error: new Error('launch result not handled') });
}
