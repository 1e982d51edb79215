/**
 * One DescribeJobs for the verifications of a job's servers polled within the same couple of seconds.
 *
 * On AWS every verifyServer container verifies one server at a time, so sharing goes through a
 * table (JobSnapshotStore): a snapshot of the job's launch actions, fresh for `freshMs`, and a lease
 * that lets one reader refresh it while the others wait briefly for what it writes. Locally all
 * verifications share one process: concurrent reads of a job share one promise, and a fresh
 * snapshot in memory answers without the table.
 *
 * Sharing is an optimisation, never a reason to fail or stall a verification: a reader that waited
 * `waitMs` in vain (the lease holder slow, throttled or gone) reads DRS itself, and a table that
 * cannot be reached is logged and bypassed. A DRS error propagates as it did without sharing (the
 * launch is delivered again); the lease is left to expire.
 */
import { randomUUID } from 'node:crypto';
import type { LaunchActionsFacts } from './domain/checks.js';
import type { JobLaunchActions, JobLaunchActionsSnapshot, JobRef } from './domain/job-launch-actions.js';
import { fitSnapshot, isFresh, jobKeyOf, launchActionsIn } from './domain/job-launch-actions.js';
import type { Clock } from './verify.js';

/** Port: DRS in the job's account and region. */
export interface JobSource {
  /** DescribeJobs of one job: every server it lists, with its launch actions ({} when DRS lists no such job). */
  jobLaunchActions(jobId: string): Promise<JobLaunchActions>;
}

/** What the table holds for a job: its last snapshot and who is refreshing it. */
export interface StoredJobSnapshot {
  snapshot?: JobLaunchActionsSnapshot;
  /** A reader is refreshing the snapshot until then (epoch ms). */
  leaseUntilMs?: number;
}

export interface LeaseRequest {
  /** Who takes it: only its holder releases it. */
  owner: string;
  nowMs: number;
  untilMs: number;
  /** Not taken when a snapshot read at or after this is there: it answers instead. */
  staleBeforeMs: number;
  /** The item's TTL (epoch seconds). */
  expiresAtSeconds: number;
}

/** Port: the shared snapshots (DynamoDB on AWS, in memory in tests). */
export interface JobSnapshotStore {
  /** The job's item, read consistently. */
  read(jobKey: string): Promise<StoredJobSnapshot | undefined>;
  /** Takes the job's lease unless someone holds it (not expired) or a fresh snapshot is there; true when taken. */
  tryLease(jobKey: string, lease: LeaseRequest): Promise<boolean>;
  /**
   * Writes a snapshot unless a newer one is there, and releases the lease when `owner` holds it.
   * Without an owner (a reader that gave up waiting) it only writes.
   */
  publish(jobKey: string, snapshot: JobLaunchActionsSnapshot, owner: string | undefined, expiresAtSeconds: number): Promise<void>;
}

export interface JobLaunchActionsOptions {
  /** A snapshot read from DRS less than this ago answers (default 2,000 ms). */
  freshMs: number;
  /** How long a reader may refresh a snapshot before others may take over (default 5,000 ms). */
  leaseMs: number;
  /** How long a reader waits for someone else's refresh before reading DRS itself (default 2,000 ms). */
  waitMs: number;
  /** Delay between two looks at the table while waiting (default 150 ms). */
  stepMs: number;
  /** How long an item stays in the table (TTL, default 1 hour): jobs end, verifications too. */
  retentionSeconds: number;
}

export const DEFAULT_JOB_LAUNCH_ACTIONS_OPTIONS: Readonly<JobLaunchActionsOptions> = { freshMs: 2_000, leaseMs: 5_000, waitMs: 2_000, stepMs: 150, retentionSeconds: 3_600 };

/** What a failed call to the table answers: the reader then reads DRS without sharing. */
const STORE_UNAVAILABLE = Symbol('store unavailable');

/** The in-memory snapshots kept beyond this many jobs are pruned of stale ones. */
const MEMORY_PRUNE_AT = 200;

/**
 * The launch actions of a server in a DRS job, from a snapshot shared by the verifications of the
 * job's servers (see the module's comment).
 *
 * @example
 * const reader = new JobLaunchActionsReader(new DynamoDbJobSnapshots(documents, 'lifeboat-verification-jobs-dev'), systemClock);
 * const facts = await reader.launchActions({ accountId: '123456789012', region: 'us-east-1', jobId: 'drsjob-1' }, 's-1', new DrsAdapter(client));
 */
export class JobLaunchActionsReader {
  private readonly options: JobLaunchActionsOptions;
  /** Reads under way in this process, by job key: concurrent readers of a job share one. */
  private readonly reading = new Map<string, Promise<JobLaunchActionsSnapshot>>();
  /** The last snapshot this process saw of each job. */
  private readonly recent = new Map<string, JobLaunchActionsSnapshot>();

  constructor(
    private readonly store: JobSnapshotStore,
    private readonly clock: Clock,
    options: Partial<JobLaunchActionsOptions> = {},
  ) {
    this.options = { ...DEFAULT_JOB_LAUNCH_ACTIONS_OPTIONS, ...options };
  }

  /** The server's launch actions in the job, read from DRS (through `source`) less than `freshMs` ago. */
  async launchActions(job: JobRef, sourceServerId: string, source: JobSource): Promise<LaunchActionsFacts> {
    const key = jobKeyOf(job);
    const known = this.recent.get(key);
    if (isFresh(known, this.clock.now(), this.options.freshMs)) return launchActionsIn(known, sourceServerId);
    let reading = this.reading.get(key);
    if (!reading) {
      reading = this.readShared(key, job, source).finally(() => this.reading.delete(key));
      this.reading.set(key, reading);
    }
    return launchActionsIn(await reading, sourceServerId);
  }

  private async readShared(key: string, job: JobRef, source: JobSource): Promise<JobLaunchActionsSnapshot> {
    const { freshMs, leaseMs, waitMs, stepMs } = this.options;
    const giveUpAtMs = this.clock.now() + waitMs;
    let seen = await this.storeCall('read', () => this.store.read(key));
    if (seen === STORE_UNAVAILABLE) return this.readDrs(key, job, source, undefined);
    for (;;) {
      const nowMs = this.clock.now();
      if (isFresh(seen?.snapshot, nowMs, freshMs)) return this.remember(key, seen.snapshot);
      if ((seen?.leaseUntilMs ?? 0) < nowMs) {
        const owner = randomUUID();
        const lease = { owner, nowMs, untilMs: nowMs + leaseMs, staleBeforeMs: nowMs - freshMs, expiresAtSeconds: this.expiresAt(nowMs) };
        const taken = await this.storeCall('lease', () => this.store.tryLease(key, lease));
        if (taken === STORE_UNAVAILABLE) return this.readDrs(key, job, source, undefined);
        if (taken) return this.readDrs(key, job, source, owner);
      }
      // Someone else is reading DRS: wait for what they write, but not for long.
      if (nowMs >= giveUpAtMs) return this.readDrs(key, job, source, undefined);
      await this.clock.sleep(Math.min(stepMs, giveUpAtMs - nowMs));
      seen = await this.storeCall('read', () => this.store.read(key));
      if (seen === STORE_UNAVAILABLE) return this.readDrs(key, job, source, undefined);
    }
  }

  /** One DescribeJobs; its snapshot is shared (and the lease of `owner` released) when it fits the table. */
  private async readDrs(key: string, job: JobRef, source: JobSource, owner: string | undefined): Promise<JobLaunchActionsSnapshot> {
    // The time the call is sent, not answered: the facts are at least that recent.
    const readAtMs = this.clock.now();
    const { snapshot, shareable } = fitSnapshot(await source.jobLaunchActions(job.jobId), readAtMs);
    if (shareable) await this.storeCall('publish', () => this.store.publish(key, snapshot, owner, this.expiresAt(readAtMs)));
    else console.warn(JSON.stringify({ message: `launch actions of job ${job.jobId} too large to share`, jobKey: key, servers: Object.keys(snapshot.servers).length }));
    return this.remember(key, snapshot);
  }

  private remember(key: string, snapshot: JobLaunchActionsSnapshot): JobLaunchActionsSnapshot {
    const known = this.recent.get(key);
    if (!known || known.readAtMs <= snapshot.readAtMs) this.recent.set(key, snapshot);
    if (this.recent.size > MEMORY_PRUNE_AT) {
      const nowMs = this.clock.now();
      for (const [job, kept] of this.recent) if (!isFresh(kept, nowMs, this.options.freshMs)) this.recent.delete(job);
    }
    return snapshot;
  }

  private expiresAt(nowMs: number): number {
    return Math.floor(nowMs / 1000) + this.options.retentionSeconds;
  }

  /** A call to the table; its failure is logged and means "read DRS without sharing". */
  private async storeCall<T>(what: string, call: () => Promise<T>): Promise<T | typeof STORE_UNAVAILABLE> {
    try {
      return await call();
    } catch (error) {
      console.warn(JSON.stringify({ message: `job snapshots: ${what} failed; this read of DRS is not shared`, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
      return STORE_UNAVAILABLE;
    }
  }
}
