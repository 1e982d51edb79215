import type { RecoveryJob } from '../adapters/drs.js';
import { JOB_TAGS } from '../adapters/drs.js';
import type { CapacityScope } from '../capacity/ledger.js';
import { batchKey } from '../capacity/ledger.js';
import { handleCommand, loadExecution } from '../command-handler.js';
import { isExecutionError } from '../domain/errors.js';
import { hasLaunchResult, isLive } from '../domain/state.js';
import { log } from '../config.js';
import { commandMetadata, PROCESS_MANAGER } from './commands.js';
import type { LaunchBatchDeps } from './launch-batch.js';
import { drainCapacity, freeCapacity, recordStartedJob, startBatch } from './launch-batch.js';

/** What DRS says about one server of a job, when it has finished. */
export type FinalLaunch = { sourceServerId: string; outcome: 'LAUNCHED' | 'FAILED'; recoveryInstanceId?: string; reason?: string };

function finalLaunches(job: RecoveryJob): FinalLaunch[] {
  return job.participatingServers.flatMap((s): FinalLaunch[] => {
    // TERMINATED: it launched and was terminated since (a cleanup that outran the result).
    if (s.launchStatus === 'LAUNCHED' || s.launchStatus === 'TERMINATED') return [{ sourceServerId: s.sourceServerId, outcome: 'LAUNCHED', ...(s.recoveryInstanceId ? { recoveryInstanceId: s.recoveryInstanceId } : {}) }];
    if (s.launchStatus === 'FAILED') return [{ sourceServerId: s.sourceServerId, outcome: 'FAILED', reason: `DRS launch status FAILED in job ${job.jobId}` }];
    return [];
  });
}

/** Who a job belongs to: our jobs table, else its tags (the event can outrun the table write). */
async function ownerOf(deps: LaunchBatchDeps, job: RecoveryJob): Promise<{ executionId: string; batchId: string } | undefined> {
  const record = await deps.jobs.get(job.jobId);
  if (record) return { executionId: record.executionId, batchId: record.batchId };
  const executionId = job.tags[JOB_TAGS.executionId];
  const batchId = job.tags[JOB_TAGS.batchId];
  if (!executionId || !batchId || job.tags[JOB_TAGS.stage] !== deps.stage) return undefined;
  return { executionId, batchId };
}

/**
 * The EC2 instance ids asked of DRS for each job read (recoveryInstanceId -> EC2 id, undefined when
 * DRS reported none). The results of a job arrive together and share one DescribeJobs answer, the
 * same object: keyed by it, the reconciliations of one read share one DescribeRecoveryInstances.
 */
const instancesOfRead = new WeakMap<RecoveryJob, Map<string, Promise<string | undefined>>>();

/** recoveryInstanceId -> EC2 instance id, for those DRS reports; nothing (and a warning) when DRS cannot answer. */
async function describeRecoveryInstances(deps: LaunchBatchDeps, scope: CapacityScope, jobId: string, recoveryInstanceIds: string[]): Promise<Map<string, string>> {
  try {
    const instances = await (await deps.drsIn(scope)).describeRecoveryInstances(recoveryInstanceIds);
    return new Map(instances.flatMap((i): [string, string][] => (i.ec2InstanceId ? [[i.recoveryInstanceId, i.ec2InstanceId]] : [])));
  } catch (error) {
    // The launch is a fact whatever DRS answers now: verification finds the EC2 instance itself.
    log('warn', 'DescribeRecoveryInstances failed: launches recorded without their EC2 instance ids', { jobId, scope, recoveryInstances: recoveryInstanceIds.length, error: error as Error });
    return new Map();
  }
}

/** The EC2 instance ids of these recovery instances of a job read, asking DRS only for those not asked for this read yet. */
async function ec2InstanceIdsOf(deps: LaunchBatchDeps, scope: CapacityScope, job: RecoveryJob, recoveryInstanceIds: string[]): Promise<Map<string, string>> {
  if (recoveryInstanceIds.length === 0) return new Map();
  let asked = instancesOfRead.get(job);
  if (!asked) {
    asked = new Map();
    instancesOfRead.set(job, asked);
  }
  const missing = [...new Set(recoveryInstanceIds.filter((id) => !asked.has(id)))];
  if (missing.length > 0) {
    const lookup = describeRecoveryInstances(deps, scope, job.jobId, missing);
    for (const id of missing) asked.set(id, lookup.then((found) => found.get(id)));
  }
  const answers = await Promise.all(recoveryInstanceIds.map(async (id): Promise<[string, string | undefined]> => [id, await asked.get(id)]));
  return new Map(answers.filter((a): a is [string, string] => a[1] !== undefined));
}

export interface JobReconciliation {
  jobId: string;
  executionId?: string;
  /** Launch results recorded now (0 when all were known already). */
  recorded: number;
  completed: boolean;
}

/**
 * Brings one execution up to date with what DRS says about its job: every finished server is
 * recorded (a duplicate decides nothing, so a result seen twice counts once), and a COMPLETED
 * job gives its capacity back. `hints`: what launch-result events said, in case DescribeJobs lags.
 */
export async function reconcileJob(deps: LaunchBatchDeps, scope: CapacityScope, job: RecoveryJob, hints: readonly FinalLaunch[] = []): Promise<JobReconciliation> {
  const owner = await ownerOf(deps, job);
  if (!owner) return { jobId: job.jobId, recorded: 0, completed: job.status === 'COMPLETED' };
  const launches = finalLaunches(job);
  for (const hint of hints) if (!launches.some((l) => l.sourceServerId === hint.sourceServerId)) launches.push(hint);

  const { state } = await loadExecution(deps.store, owner.executionId);
  const batch = state.status === 'NOT_STARTED' ? undefined : state.batches.get(owner.batchId);
  if (batch && !batch.jobId && state.status !== 'NOT_STARTED') {
    // Its results outran the record of the job (or a crash lost it): record the job we hold first.
    await recordStartedJob(deps, scope, owner.executionId, batch, job.jobId, state.mode === 'DRILL', null);
  }
  const known = state.status === 'NOT_STARTED' ? new Set<string>() : new Set([...state.servers.values()].filter(hasLaunchResult).map((s) => s.sourceServerId));
  const fresh = launches.filter((l) => !known.has(l.sourceServerId));
  // A completed job's capacity is free whatever the recording of its results does: the batches
  // waiting for it start while they are recorded (releasing twice, after a retry, changes nothing).
  const completed = job.status === 'COMPLETED';
  const freeing = completed ? freeCapacity(deps, scope, batchKey(owner.executionId, owner.batchId)) : Promise.resolve();
  const [recorded] = await Promise.all([recordLaunches(deps, scope, job, owner.executionId, isLive(state), fresh), freeing]);
  return { jobId: job.jobId, executionId: owner.executionId, recorded, completed };
}

/** Records the launch results an execution does not hold yet; answers how many it recorded. */
async function recordLaunches(deps: LaunchBatchDeps, scope: CapacityScope, job: RecoveryJob, executionId: string, live: boolean, fresh: readonly FinalLaunch[]): Promise<number> {
  // One DescribeRecoveryInstances for the servers launched now, so that ServerLaunched carries the
  // EC2 instance and verification need not ask DRS per server (none for a finished execution).
  const ec2 = live ? await ec2InstanceIdsOf(deps, scope, job, fresh.flatMap((l) => (l.outcome === 'LAUNCHED' && l.recoveryInstanceId ? [l.recoveryInstanceId] : []))) : new Map<string, string>();
  // Issued together: the command handler commits them as one group.
  const recorded = await Promise.all(fresh.map(async (launch): Promise<number> => {
    const ec2InstanceId = launch.recoveryInstanceId ? ec2.get(launch.recoveryInstanceId) : undefined;
    try {
      const { appended } = await handleCommand(deps.store, executionId, {
        type: 'RecordServerLaunchResult',
        data: { jobId: job.jobId, ...launch, ...(ec2InstanceId ? { ec2InstanceId } : {}) },
        metadata: commandMetadata(deps.clock(), PROCESS_MANAGER, null),
      });
      return appended.length > 0 ? 1 : 0;
    } catch (error) {
      if (isExecutionError(error, 'EXECUTION_FINISHED') || isExecutionError(error, 'EXECUTION_NOT_STARTED')) return 0;
      throw error;
    }
  }));
  return recorded.reduce((a, b) => a + b, 0);
}

/** Holdings without a job for this long are started again (their first attempt crashed). */
const STALLED_START_MS = 60_000;

export interface ReconcilePass {
  scopes: number;
  jobs: number;
  recorded: number;
  released: number;
  restarted: number;
  admitted: number;
}

/**
 * One pass of the reconciler over every account and region: DescribeJobs for the jobs holding
 * capacity (one call per 1,000 jobs), record what the events did not bring, free the capacity of
 * completed jobs, restart batches whose start crashed, and admit waiting batches that now fit.
 * A lost event therefore never stalls an execution for longer than one pass.
 */
export async function reconcileAll(deps: LaunchBatchDeps): Promise<ReconcilePass> {
  const pass: ReconcilePass = { scopes: 0, jobs: 0, recorded: 0, released: 0, restarted: 0, admitted: 0 };
  const now = deps.clock().getTime();
  for (const { scope, ledger } of await deps.capacity.all()) {
    if (ledger.holdings.length === 0 && ledger.waiting.length === 0) continue;
    pass.scopes++;
    const jobIds = ledger.holdings.flatMap((h) => (h.jobId ? [h.jobId] : []));
    if (jobIds.length > 0) {
      const jobs = await (await deps.drsIn(scope)).describeJobs(jobIds);
      pass.jobs += jobs.length;
      for (const job of jobs) {
        const result = await reconcileJob(deps, scope, job);
        pass.recorded += result.recorded;
        if (result.completed) pass.released++;
      }
    }
    for (const holding of ledger.holdings) {
      if (holding.jobId || now - Date.parse(holding.since) < STALLED_START_MS) continue;
      pass.restarted++;
      try {
        await startBatch(deps, { scope, executionId: holding.executionId, batchId: holding.batchId, since: holding.since, causationId: null, mayHaveStarted: true });
      } catch (error) {
        log('error', 'restarting a batch failed; next pass tries again', { key: holding.key, error: error as Error });
      }
    }
    pass.admitted += (await drainCapacity(deps, scope)).length;
  }
  if (pass.recorded > 0 || pass.restarted > 0 || pass.admitted > 0) log('info', 'reconciled DRS jobs', { ...pass });
  return pass;
}
