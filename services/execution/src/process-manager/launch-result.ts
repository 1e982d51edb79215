import type { EventBridgeEnvelope } from '@lifeboat/events';
import type { RecoveryJob, RecoveryJobs } from '../adapters/drs.js';
import type { CapacityScope } from '../capacity/ledger.js';
import { log } from '../config.js';
import type { LaunchBatchDeps } from './launch-batch.js';
import { reconcileJob } from './job-reconciler.js';

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

/**
 * A DRS launch result is a hint: the job is read from DRS (coalesced with the other results
 * arriving now) and every finished server of it is recorded, so results whose events were lost
 * are recorded too, and one seen twice counts once. Jobs that Lifeboat did not start (or that
 * another stage started) are ignored.
 */
export async function recordLaunchResult(deps: LaunchBatchDeps & { jobReaderIn: (scope: CapacityScope) => Promise<CoalescingJobReader> }, event: EventBridgeEnvelope<DrsLaunchResultDetail>): Promise<LaunchResultOutcome> {
  const jobId = event.detail['job-id'];
  const sourceServerId = event.resources[0]?.split('/').at(-1);
  if (!sourceServerId) throw new Error(`DRS launch result ${event.id} names no source server in resources`);

  // The event comes from the account and region that ran the job (forwarded to the hub's bus as is).
  const scope: CapacityScope = { accountId: event.account, region: event.region };
  const reader = await deps.jobReaderIn(scope);
  // The 100 results of a job arrive together: the first one read the completed job and recorded them all.
  if (reader.isSettled(jobId)) return 'duplicate';
  const job = await reader.read(jobId);
  if (!job) {
    // DRS answers DescribeJobs for a job it just reported on; otherwise the reconciler catches up.
    log('warn', 'launch result of a job DRS does not describe: left to the reconciler', { jobId, sourceServerId });
    return 'unknown-job';
  }
  const launched = event.detail.state === 'RECOVERY_LAUNCH_SUCCEEDED';
  const recoveryInstanceId = job.participatingServers.find((s) => s.sourceServerId === sourceServerId)?.recoveryInstanceId;
  const result = await reconcileJob(deps, scope, job, {
    sourceServerId,
    outcome: launched ? 'LAUNCHED' : 'FAILED',
    ...(launched && recoveryInstanceId ? { recoveryInstanceId } : {}),
    ...(launched ? {} : { reason: `DRS reported ${event.detail.state}` }),
  });
  if (!result.executionId) {
    log('info', 'launch result of a job Lifeboat did not start here: ignored', { jobId, sourceServerId });
    return 'not-lifeboat-job';
  }
  if (result.completed) reader.markSettled(jobId);
  return result.recorded > 0 ? 'recorded' : 'duplicate';
}
