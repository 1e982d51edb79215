import type { RecoveryJob, RecoveryJobs } from '../../src/adapters/drs.js';
import { RecoveryJobConflictError } from '../../src/adapters/drs.js';

/** An in-memory DRS for the process manager's unit tests: jobs, tags, one active job per server. */
export class FakeDrs implements RecoveryJobs {
  readonly jobs: (RecoveryJob & { isDrill: boolean; createdAt: string })[] = [];
  startCalls = 0;
  /** Servers held by a job that Lifeboat did not start. */
  readonly busyServers = new Set<string>();
  /** How many of the next findJobByTags calls see nothing (DRS being eventually consistent). */
  blindLookups = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async startRecovery(input: { sourceServerIds: string[]; isDrill: boolean; tags: Record<string, string> }): Promise<RecoveryJob> {
    this.startCalls++;
    const active = new Set(this.jobs.flatMap((j) => j.participatingServers.map((s) => s.sourceServerId)));
    if (input.sourceServerIds.some((id) => active.has(id) || this.busyServers.has(id))) throw new RecoveryJobConflictError('a source server already has an active job');
    const job = {
      jobId: `drsjob-${(this.jobs.length + 1).toString(16).padStart(17, '0')}`,
      tags: { ...input.tags },
      isDrill: input.isDrill,
      createdAt: this.now().toISOString(),
      participatingServers: input.sourceServerIds.map((sourceServerId, i) => ({ sourceServerId, recoveryInstanceId: `i-${(this.jobs.length * 1000 + i).toString(16).padStart(17, '0')}`, launchStatus: 'PENDING' })),
    };
    this.jobs.push(job);
    return structuredClone(job);
  }

  async findJobByTags(tags: Record<string, string>, since: string): Promise<RecoveryJob | undefined> {
    if (this.blindLookups > 0) {
      this.blindLookups--;
      return undefined;
    }
    const job = this.jobs.find((j) => j.createdAt >= since && Object.entries(tags).every(([k, v]) => j.tags[k] === v));
    return job ? structuredClone(job) : undefined;
  }

  async describeJob(jobId: string): Promise<RecoveryJob | undefined> {
    const job = this.jobs.find((j) => j.jobId === jobId);
    return job ? structuredClone(job) : undefined;
  }
}
