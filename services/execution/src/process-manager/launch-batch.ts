import type { DomainEvent } from '@lifeboat/events';
import type { PointInTime } from '@lifeboat/service-api';
import type { RecoveryJob, RecoveryJobs, RecoverySnapshots } from '../adapters/drs.js';
import { JOB_TAGS, RecoveryJobConflictError, RecoveryJobRefusedError, RecoveryQuotaExceededError } from '../adapters/drs.js';
import type { JobDirectory } from '../adapters/jobs.js';
import type { CapacityScope, Holding } from '../capacity/ledger.js';
import { admitWaiting, backOff, batchKey, recordJob, release, requestCapacity } from '../capacity/ledger.js';
import type { DrsLaunchQuotas } from '../capacity/quotas.js';
import type { CapacityStore } from '../capacity/store.js';
import { handleCommand, loadExecution } from '../command-handler.js';
import { isExecutionError } from '../domain/errors.js';
import type { ServerLaunchRequested } from '../domain/events.js';
import type { BatchState } from '../domain/state.js';
import { isLive } from '../domain/state.js';
import type { EventStore } from '../event-store/event-store.js';
import { log } from '../config.js';
import { commandMetadata, PROCESS_MANAGER } from './commands.js';

export interface LaunchBatchDeps {
  store: EventStore;
  /** DRS in an account and region, through that account's role (the home account: own credentials). */
  drsIn: (scope: CapacityScope) => Promise<RecoveryJobs>;
  jobs: JobDirectory;
  /** The launch capacity of each DRS account and region, shared by all executions. */
  capacity: CapacityStore;
  quotas: DrsLaunchQuotas;
  stage: string;
  clock: () => Date;
  /** Needed by servers launched from their latest snapshot before a time. */
  snapshotsIn?: (scope: CapacityScope) => Promise<RecoverySnapshots>;
}

export type LaunchBatchOutcome =
  | 'started'
  | 'recovered-existing-job'
  | 'not-leader'
  | 'already-started'
  | 'execution-not-running'
  /** Waiting for DRS capacity: started when a job of this account and region completes. */
  | 'queued'
  /** DRS refused it for now (a busy server, quota used outside Lifeboat): it waits and is tried again. */
  | 'backing-off'
  /** DRS can never launch it (or the execution was cancelled while it waited): its servers failed to launch. */
  | 'refused';

/** How long a batch waits after DRS refused it for now. */
const CONFLICT_BACKOFF_MS = 30_000;
const QUOTA_BACKOFF_MS = 15_000;

/** The recovery snapshot of each server of the batch with a point in time, and the servers that have none. */
async function resolvePointsInTime(deps: LaunchBatchDeps, scope: CapacityScope, servers: readonly { sourceServerId: string; pointInTime?: PointInTime }[]): Promise<{ snapshotIds: Record<string, string>; missing: { sourceServerId: string; reason: string }[] }> {
  const snapshotIds: Record<string, string> = {};
  const missing: { sourceServerId: string; reason: string }[] = [];
  for (const { sourceServerId, pointInTime } of servers) {
    if (!pointInTime || pointInTime.type === 'LATEST') continue;
    if (pointInTime.type === 'SNAPSHOT') {
      snapshotIds[sourceServerId] = pointInTime.snapshotId;
      continue;
    }
    if (!deps.snapshotsIn) throw new Error('launchBatch needs the DRS recovery snapshots to launch a server from its latest snapshot before a time');
    const snapshotId = await (await deps.snapshotsIn(scope)).latestSnapshotBefore(sourceServerId, pointInTime.before);
    if (snapshotId) snapshotIds[sourceServerId] = snapshotId;
    else missing.push({ sourceServerId, reason: `no recovery snapshot of ${sourceServerId} taken before ${pointInTime.before}` });
  }
  return { snapshotIds, missing };
}

/**
 * Reacts to ServerLaunchRequested: the batch's first server (its leader) asks the account and
 * region's capacity ledger for room; admitted, it starts the batch's DRS job, otherwise the batch
 * waits in the ledger's queue and starts when a job completes (drainCapacity).
 */
export async function launchBatch(deps: LaunchBatchDeps, event: DomainEvent): Promise<LaunchBatchOutcome> {
  const { executionId, batchId, sourceServerId } = (event as ServerLaunchRequested).data;
  const { state } = await loadExecution(deps.store, executionId);
  // A recorded intent is in flight: it is launched while paused too.
  if (!isLive(state)) {
    log('info', 'launch request of an execution that is not running: nothing to launch', { executionId, batchId, status: state.status });
    return 'execution-not-running';
  }
  const batch = state.batches.get(batchId);
  if (!batch) throw new Error(`Execution ${executionId} has no batch ${batchId} although it requested it`);
  if (batch.sourceServerIds[0] !== sourceServerId) return 'not-leader';
  if (batch.jobId) return 'already-started';

  const scope: CapacityScope = { accountId: batch.accountId, region: batch.region };
  const key = batchKey(executionId, batchId);
  const now = deps.clock().toISOString();
  const outcome = await deps.capacity.update(scope, (ledger) => {
    const requested = requestCapacity(ledger, { key, executionId, batchId, servers: batch.sourceServerIds.length }, deps.quotas, now);
    return { ledger: requested.ledger, result: requested.outcome };
  });
  if (outcome === 'QUEUED') {
    log('info', 'batch waits for DRS capacity', { executionId, batchId, servers: batch.sourceServerIds.length, accountId: scope.accountId, region: scope.region });
    return 'queued';
  }
  return startBatch(deps, { scope, executionId, batchId, since: event.metadata.occurredAt, causationId: event.metadata.eventId, mayHaveStarted: outcome === 'ALREADY_HELD' });
}

export interface AdmittedBatch {
  scope: CapacityScope;
  executionId: string;
  batchId: string;
  /** When the launch was requested or admitted: the tagged job, if any, is younger. */
  since: string;
  causationId: string | null;
  /** A previous attempt held the capacity: it may have started the job before it crashed. */
  mayHaveStarted: boolean;
}

/**
 * Starts the DRS job of a batch that holds capacity, once. The capacity is held before DRS is
 * called and the job is tagged with the execution, wave and batch, so after a crash between the
 * call and the record the job is found (DescribeJobs by tags) and recorded, not started again.
 */
export async function startBatch(deps: LaunchBatchDeps, admitted: AdmittedBatch): Promise<LaunchBatchOutcome> {
  const { scope, executionId, batchId } = admitted;
  const key = batchKey(executionId, batchId);
  const { state } = await loadExecution(deps.store, executionId);
  const batch = state.status === 'NOT_STARTED' ? undefined : state.batches.get(batchId);
  if (!batch) {
    await freeCapacity(deps, scope, key);
    throw new Error(`Execution ${executionId} has no batch ${batchId} although it holds DRS capacity for it`);
  }
  if (batch.jobId) {
    const jobId = batch.jobId;
    await deps.capacity.update(scope, (ledger) => ({ ledger: recordJob(ledger, key, jobId), result: undefined }));
    return 'already-started';
  }
  if (!isLive(state)) {
    await freeCapacity(deps, scope, key);
    return 'execution-not-running';
  }
  if (state.status === 'CANCELLING') {
    await refuse(deps, executionId, batchId, batch.sourceServerIds, 'the execution was cancelled before this batch could launch', admitted.causationId);
    await freeCapacity(deps, scope, key);
    return 'refused';
  }

  const isDrill = state.mode === 'DRILL';
  const tags = { [JOB_TAGS.executionId]: executionId, [JOB_TAGS.waveId]: batch.waveId, [JOB_TAGS.batchId]: batchId, [JOB_TAGS.stage]: deps.stage };
  // A little before: DRS and Lambda clocks differ.
  const since = new Date(Date.parse(admitted.since) - 5 * 60_000).toISOString();

  const drs = await deps.drsIn(scope);
  const { snapshotIds, missing } = await resolvePointsInTime(deps, scope, batch.sourceServerIds.map((id) => {
    const pointInTime = state.servers.get(id)?.pointInTime;
    return pointInTime ? { sourceServerId: id, pointInTime } : { sourceServerId: id };
  }));
  const missingIds = new Set(missing.map((m) => m.sourceServerId));
  const launchable = batch.sourceServerIds.filter((id) => !missingIds.has(id));

  let outcome: LaunchBatchOutcome = 'recovered-existing-job';
  // A previous attempt may have started the job and crashed before recording it.
  let job: RecoveryJob | undefined = admitted.mayHaveStarted ? await drs.findJobByTags(tags, since) : undefined;
  if (!job && launchable.length > 0) {
    try {
      job = await drs.startRecovery({ sourceServerIds: launchable, isDrill, tags, ...(Object.keys(snapshotIds).length > 0 ? { recoverySnapshotIds: snapshotIds } : {}) });
      outcome = 'started';
    } catch (error) {
      if (error instanceof RecoveryJobConflictError) {
        job = await drs.findJobByTags(tags, since);
        // Another job (not ours) holds a server: wait and try again rather than guess.
        if (!job) return waitAndRetry(deps, scope, key, CONFLICT_BACKOFF_MS, `a server of the batch is in another DRS job: ${error.message}`);
      } else if (error instanceof RecoveryQuotaExceededError) {
        return waitAndRetry(deps, scope, key, QUOTA_BACKOFF_MS, `DRS quota reached by jobs Lifeboat did not start: ${error.message}`);
      } else if (error instanceof RecoveryJobRefusedError) {
        await refuse(deps, executionId, batchId, batch.sourceServerIds, `DRS refused to launch the batch: ${error.message}`, admitted.causationId);
        await freeCapacity(deps, scope, key);
        return 'refused';
      } else {
        throw error;
      }
    }
  }
  if (!job) {
    await refuse(deps, executionId, batchId, batch.sourceServerIds, missing.map((m) => m.reason).join('; '), admitted.causationId);
    await freeCapacity(deps, scope, key);
    return 'refused';
  }

  const jobId = job.jobId;
  await recordStartedJob(deps, scope, executionId, batch, jobId, isDrill, admitted.causationId);
  // Servers without a snapshot at their point in time are not in the job: they failed to launch.
  if (missing.length > 0) await refuse(deps, executionId, batchId, missing.map((m) => m.sourceServerId), missing.map((m) => m.reason).join('; '), admitted.causationId);
  log('info', outcome === 'started' ? 'recovery job started' : 'recovery job found and recorded', { executionId, batchId, jobId, servers: launchable.length, isDrill });
  return outcome;
}

/** The batch's job runs: in the capacity ledger, the jobs table and the execution's stream. */
export async function recordStartedJob(deps: LaunchBatchDeps, scope: CapacityScope, executionId: string, batch: BatchState, jobId: string, isDrill: boolean, causationId: string | null): Promise<void> {
  const key = batchKey(executionId, batch.batchId);
  await deps.capacity.update(scope, (ledger) => ({ ledger: recordJob(ledger, key, jobId), result: undefined }));
  await deps.jobs.put({ jobId, executionId, waveId: batch.waveId, batchId: batch.batchId, accountId: batch.accountId, region: batch.region, isDrill, createdAt: deps.clock().toISOString() });
  try {
    await handleCommand(deps.store, executionId, {
      type: 'RecordRecoveryJobStarted',
      data: { batchId: batch.batchId, jobId, accountId: batch.accountId, region: batch.region, sourceServerIds: [...batch.sourceServerIds], isDrill },
      metadata: commandMetadata(deps.clock(), PROCESS_MANAGER, causationId),
    });
  } catch (error) {
    if (!isExecutionError(error, 'EXECUTION_FINISHED')) throw error;
    log('warn', 'the execution finished while its job was starting', { executionId, batchId: batch.batchId, jobId });
  }
}

/** Records that servers of a batch could not be put in any DRS job. */
async function refuse(deps: LaunchBatchDeps, executionId: string, batchId: string, sourceServerIds: string[], reason: string, causationId: string | null): Promise<void> {
  try {
    await handleCommand(deps.store, executionId, {
      type: 'RecordServerLaunchRefused',
      data: { batchId, sourceServerIds, reason },
      metadata: commandMetadata(deps.clock(), PROCESS_MANAGER, causationId),
    });
  } catch (error) {
    if (!isExecutionError(error, 'EXECUTION_FINISHED')) throw error;
  }
  log('warn', 'servers could not be launched', { executionId, batchId, servers: sourceServerIds.length, reason });
}

async function waitAndRetry(deps: LaunchBatchDeps, scope: CapacityScope, key: string, delayMs: number, reason: string): Promise<LaunchBatchOutcome> {
  const notBefore = new Date(deps.clock().getTime() + delayMs).toISOString();
  await deps.capacity.update(scope, (ledger) => ({ ledger: backOff(ledger, key, notBefore, reason), result: undefined }));
  log('warn', 'DRS refused the batch for now: it waits and is tried again', { key, notBefore, reason });
  return 'backing-off';
}

/** Gives the batch's capacity back and lets the batches waiting for it start. */
export async function freeCapacity(deps: LaunchBatchDeps, scope: CapacityScope, key: string): Promise<void> {
  await deps.capacity.update(scope, (ledger) => ({ ledger: release(ledger, key), result: undefined }));
  await drainCapacity(deps, scope);
}

/** Starts the waiting batches of an account and region that now fit, first come first served. */
export async function drainCapacity(deps: LaunchBatchDeps, scope: CapacityScope): Promise<Holding[]> {
  const now = deps.clock().toISOString();
  const admitted = await deps.capacity.update(scope, (ledger) => {
    const result = admitWaiting(ledger, deps.quotas, now);
    return { ledger: result.ledger, result: result.admitted };
  });
  const outcomes = await Promise.allSettled(admitted.map((holding) =>
    startBatch(deps, { scope, executionId: holding.executionId, batchId: holding.batchId, since: holding.since, causationId: null, mayHaveStarted: false }),
  ));
  outcomes.forEach((outcome, i) => {
    // It holds capacity without a job: the reconciler starts it again (looking for its job first).
    if (outcome.status === 'rejected') log('error', 'an admitted batch failed to start; the reconciler will try again', { key: admitted[i]?.key, error: outcome.reason as unknown });
  });
  return admitted;
}
