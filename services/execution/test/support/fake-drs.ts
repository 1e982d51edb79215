import type { LaunchedRecoveryInstance, RecoveryJob, RecoveryJobs, StartRecoveryInput } from '../../src/adapters/drs.js';
import { RecoveryJobConflictError, RecoveryJobRefusedError, RecoveryQuotaExceededError } from '../../src/adapters/drs.js';

type FakeJob = RecoveryJob & { isDrill: boolean; createdAt: string };

/**
 * An in-memory DRS for the process manager's unit tests: jobs, tags, one active job per server,
 * the launch quotas, and launches finished by the test (`finish`).
 */
export class FakeDrs implements RecoveryJobs {
  readonly jobs: FakeJob[] = [];
  startCalls = 0;
  describeCalls = 0;
  /** Servers held by a job that Lifeboat did not start. */
  readonly busyServers = new Set<string>();
  /** Servers DRS does not know: StartRecovery is refused for good. */
  readonly unknownServers = new Set<string>();
  /** How many of the next findJobByTags calls see nothing (DRS being eventually consistent). */
  blindLookups = 0;
  /** Jobs started outside Lifeboat that use up quota. */
  foreignActiveJobs = 0;
  /** The ids asked by each DescribeRecoveryInstances call. */
  readonly recoveryInstanceCalls: string[][] = [];
  /** When set, DescribeRecoveryInstances fails with it. */
  recoveryInstancesError: Error | undefined;

  constructor(private readonly now: () => Date = () => new Date(), readonly quotas = { concurrentJobs: 20, serversInActiveJobs: 500 }) {}

  private active(): FakeJob[] {
    return this.jobs.filter((j) => j.status !== 'COMPLETED');
  }

  async startRecovery(input: StartRecoveryInput): Promise<RecoveryJob> {
    this.startCalls++;
    if (input.sourceServerIds.some((id) => this.unknownServers.has(id))) throw new RecoveryJobRefusedError('source server not found');
    const busy = new Set(this.active().flatMap((j) => j.participatingServers.map((s) => s.sourceServerId)));
    if (input.sourceServerIds.some((id) => busy.has(id) || this.busyServers.has(id))) throw new RecoveryJobConflictError('a source server already has an active job');
    const active = this.active();
    const inUse = active.reduce((n, j) => n + j.participatingServers.length, 0);
    if (active.length + this.foreignActiveJobs + 1 > this.quotas.concurrentJobs || inUse + input.sourceServerIds.length > this.quotas.serversInActiveJobs) {
      throw new RecoveryQuotaExceededError('Concurrent jobs in progress quota exceeded');
    }
    const job: FakeJob = {
      jobId: `drsjob-${(this.jobs.length + 1).toString(16).padStart(17, '0')}`,
      status: 'STARTED',
      tags: { ...input.tags },
      isDrill: input.isDrill,
      createdAt: this.now().toISOString(),
      participatingServers: input.sourceServerIds.map((sourceServerId, i) => ({ sourceServerId, recoveryInstanceId: `i-${(this.jobs.length * 1000 + i).toString(16).padStart(17, '0')}`, launchStatus: 'PENDING' })),
    };
    this.jobs.push(job);
    return structuredClone(job);
  }

  /** A server of a job finished launching; the job completes with its last server. */
  finish(jobId: string, sourceServerId: string, launchStatus: 'LAUNCHED' | 'FAILED' = 'LAUNCHED'): void {
    const job = this.jobs.find((j) => j.jobId === jobId);
    const server = job?.participatingServers.find((s) => s.sourceServerId === sourceServerId);
    if (!job || !server) throw new Error(`no server ${sourceServerId} in job ${jobId}`);
    server.launchStatus = launchStatus;
    if (job.participatingServers.every((s) => s.launchStatus === 'LAUNCHED' || s.launchStatus === 'FAILED')) job.status = 'COMPLETED';
  }

  async findJobByTags(tags: Record<string, string>, since: string): Promise<RecoveryJob | undefined> {
    this.describeCalls++;
    if (this.blindLookups > 0) {
      this.blindLookups--;
      return undefined;
    }
    const job = this.jobs.find((j) => j.createdAt >= since && Object.entries(tags).every(([k, v]) => j.tags[k] === v));
    return job ? structuredClone(job) : undefined;
  }

  async describeJobs(jobIds: readonly string[]): Promise<RecoveryJob[]> {
    this.describeCalls++;
    return this.jobs.filter((j) => jobIds.includes(j.jobId)).map((j) => structuredClone(j));
  }

  /** The EC2 instance DRS launched behind a recovery instance (another id than the recovery instance's). */
  ec2InstanceIdOf(recoveryInstanceId: string): string {
    return `i-e${recoveryInstanceId.slice(3)}`;
  }

  /** The recovery instances of the servers that launched (those still pending have none yet). */
  async describeRecoveryInstances(recoveryInstanceIds: readonly string[]): Promise<LaunchedRecoveryInstance[]> {
    this.recoveryInstanceCalls.push([...recoveryInstanceIds]);
    if (this.recoveryInstancesError) throw this.recoveryInstancesError;
    const wanted = new Set(recoveryInstanceIds);
    return this.jobs.flatMap((j) => j.participatingServers).flatMap((s) =>
      s.recoveryInstanceId && wanted.has(s.recoveryInstanceId) && s.launchStatus === 'LAUNCHED' ? [{ recoveryInstanceId: s.recoveryInstanceId, ec2InstanceId: this.ec2InstanceIdOf(s.recoveryInstanceId) }] : [],
    );
  }
}
