import type { DomainEvent } from '@lifeboat/events';
import type { PointInTime } from '@lifeboat/service-api';
import type { RecoveryJob, RecoveryJobs, RecoverySnapshots } from '../adapters/drs.js';
import { JOB_TAGS, RecoveryJobConflictError } from '../adapters/drs.js';
import type { JobDirectory } from '../adapters/jobs.js';
import { handleCommand, loadExecution } from '../command-handler.js';
import { isExecutionError } from '../domain/errors.js';
import type { ServerLaunchRequested } from '../domain/events.js';
import { isLive } from '../domain/state.js';
import type { EventStore } from '../event-store/event-store.js';
import { log } from '../config.js';
import { commandMetadata, PROCESS_MANAGER } from './commands.js';

export interface LaunchBatchDeps {
  store: EventStore;
  drs: RecoveryJobs;
  jobs: JobDirectory;
  stage: string;
  clock: () => Date;
  /** Needed by servers launched from their latest snapshot before a time. */
  snapshots?: RecoverySnapshots;
}

export type LaunchBatchOutcome = 'started' | 'recovered-existing-job' | 'not-leader' | 'already-started' | 'execution-not-running';

/** The recovery snapshot of each server of the batch with a point in time, and the servers that have none. */
async function resolvePointsInTime(deps: LaunchBatchDeps, servers: readonly { sourceServerId: string; pointInTime?: PointInTime }[]): Promise<{ snapshotIds: Record<string, string>; missing: { sourceServerId: string; reason: string }[] }> {
  const snapshotIds: Record<string, string> = {};
  const missing: { sourceServerId: string; reason: string }[] = [];
  for (const { sourceServerId, pointInTime } of servers) {
    if (!pointInTime || pointInTime.type === 'LATEST') continue;
    if (pointInTime.type === 'SNAPSHOT') {
      snapshotIds[sourceServerId] = pointInTime.snapshotId;
      continue;
    }
    if (!deps.snapshots) throw new Error('launchBatch needs the DRS recovery snapshots to launch a server from its latest snapshot before a time');
    const snapshotId = await deps.snapshots.latestSnapshotBefore(sourceServerId, pointInTime.before);
    if (snapshotId) snapshotIds[sourceServerId] = snapshotId;
    else missing.push({ sourceServerId, reason: `no recovery snapshot of ${sourceServerId} taken before ${pointInTime.before}` });
  }
  return { snapshotIds, missing };
}

/**
 * Reacts to ServerLaunchRequested: the batch's first server (its leader) starts the batch's DRS
 * job, once. The intent is in the stream before DRS is called and the job is tagged with the
 * execution, wave and batch, so after a crash between the call and the record the job is found
 * (DescribeJobs by tags) and recorded rather than started again.
 */
export async function launchBatch(deps: LaunchBatchDeps, event: DomainEvent): Promise<LaunchBatchOutcome> {
  const { executionId, batchId, sourceServerId } = (event as ServerLaunchRequested).data;
  const { state } = await loadExecution(deps.store, executionId);
  // A recorded intent is in flight: it is launched while paused or cancelling too.
  if (!isLive(state)) {
    log('info', 'launch request of an execution that is not running: nothing to launch', { executionId, batchId, status: state.status });
    return 'execution-not-running';
  }
  const batch = state.batches.get(batchId);
  if (!batch) throw new Error(`Execution ${executionId} has no batch ${batchId} although it requested it`);
  if (batch.sourceServerIds[0] !== sourceServerId) return 'not-leader';
  if (batch.jobId) return 'already-started';

  const isDrill = state.mode === 'DRILL';
  const tags = { [JOB_TAGS.executionId]: executionId, [JOB_TAGS.waveId]: batch.waveId, [JOB_TAGS.batchId]: batchId, [JOB_TAGS.stage]: deps.stage };
  // A little before the request: DRS and Lambda clocks differ.
  const since = new Date(Date.parse(event.metadata.occurredAt) - 5 * 60_000).toISOString();

  // Points in time: the leader's event carries its own; the state has every server's.
  const { snapshotIds, missing } = await resolvePointsInTime(deps, batch.sourceServerIds.map((id) => {
    const pointInTime = state.servers.get(id)?.pointInTime;
    return pointInTime ? { sourceServerId: id, pointInTime } : { sourceServerId: id };
  }));
  const missingIds = new Set(missing.map((m) => m.sourceServerId));
  const launchable = batch.sourceServerIds.filter((id) => !missingIds.has(id));
  if (launchable.length === 0) {
    // No job to record their failure against: the decider has no command for it yet (reported).
    throw new Error(`Batch ${batchId} of execution ${executionId} cannot launch: ${missing.map((m) => m.reason).join('; ')}`);
  }

  let outcome: LaunchBatchOutcome = 'recovered-existing-job';
  // A previous attempt may have started the job and crashed before recording it.
  let job: RecoveryJob | undefined = await deps.drs.findJobByTags(tags, since);
  if (!job) {
    try {
      job = await deps.drs.startRecovery({ sourceServerIds: launchable, isDrill, tags, ...(Object.keys(snapshotIds).length > 0 ? { recoverySnapshotIds: snapshotIds } : {}) });
      outcome = 'started';
    } catch (error) {
      if (!(error instanceof RecoveryJobConflictError)) throw error;
      job = await deps.drs.findJobByTags(tags, since);
      // Another job (not ours) holds a server: retry later rather than guess.
      if (!job) throw error;
    }
  }

  const now = deps.clock();
  await deps.jobs.put({ jobId: job.jobId, executionId, waveId: batch.waveId, batchId, accountId: batch.accountId, region: batch.region, isDrill, createdAt: now.toISOString() });
  try {
    await handleCommand(deps.store, executionId, {
      type: 'RecordRecoveryJobStarted',
      data: { batchId, jobId: job.jobId, accountId: batch.accountId, region: batch.region, sourceServerIds: [...batch.sourceServerIds], isDrill },
      metadata: commandMetadata(now, PROCESS_MANAGER, event.metadata.eventId),
    });
    // Servers without a snapshot at their point in time are not in the job: they failed to launch.
    for (const { sourceServerId, reason } of missing) {
      await handleCommand(deps.store, executionId, {
        type: 'RecordServerLaunchResult',
        data: { jobId: job.jobId, sourceServerId, outcome: 'FAILED', reason },
        metadata: commandMetadata(deps.clock(), PROCESS_MANAGER, event.metadata.eventId),
      });
    }
  } catch (error) {
    if (!isExecutionError(error, 'EXECUTION_FINISHED')) throw error;
    log('warn', 'the execution finished while its job was starting', { executionId, batchId, jobId: job.jobId });
  }
  log('info', outcome === 'started' ? 'recovery job started' : 'recovery job found and recorded', { executionId, batchId, jobId: job.jobId, servers: batch.sourceServerIds.length, isDrill });
  return outcome;
}
