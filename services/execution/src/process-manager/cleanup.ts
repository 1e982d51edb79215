import type { DomainEvent } from '@lifeboat/events';
import type { RecoveryInstanceTerminator } from '../adapters/drs.js';
import { JOB_TAGS } from '../adapters/drs.js';
import { handleCommand, loadExecution } from '../command-handler.js';
import type { DrillCleanupStarted } from '../domain/events.js';
import type { EventStore } from '../event-store/event-store.js';
import { log } from '../config.js';
import { commandMetadata, PROCESS_MANAGER } from './commands.js';

export interface CleanupDeps {
  store: EventStore;
  drs: RecoveryInstanceTerminator;
  clock: () => Date;
}

export type CleanupOutcome = 'cleaned-up' | 'already-completed' | 'refused-not-a-drill';

/**
 * Reacts to DrillCleanupStarted: terminates the drill's recovery instances (those of the event,
 * plus those of its drill jobs in DescribeJobs, which a lost launch result may have hidden) and
 * records what was terminated and what could not be. Only a DRILL's instances, only once.
 */
export async function cleanUpDrill(deps: CleanupDeps, event: DomainEvent): Promise<CleanupOutcome> {
  const { executionId, recoveryInstances, jobIds } = (event as DrillCleanupStarted).data;
  const { state } = await loadExecution(deps.store, executionId);
  if (state.status === 'NOT_STARTED' || state.mode !== 'DRILL') {
    log('error', 'cleanup of an execution that is not a drill: refused, nothing terminated', { executionId, mode: state.status === 'NOT_STARTED' ? undefined : state.mode });
    return 'refused-not-a-drill';
  }
  if (state.cleanup?.status !== 'IN_PROGRESS') return 'already-completed';

  const ids = new Set(recoveryInstances.map((r) => r.recoveryInstanceId));
  if (jobIds.length > 0) {
    for (const job of await deps.drs.describeJobs(jobIds)) {
      const tagged = job.tags[JOB_TAGS.executionId];
      // Only the launch jobs of this drill: never a recovery's instances.
      if (job.initiatedBy !== 'START_DRILL' || (tagged !== undefined && tagged !== executionId)) {
        log('warn', 'job of the cleanup is not a launch of this drill: its instances are left alone', { executionId, jobId: job.jobId, initiatedBy: job.initiatedBy, tagged });
        continue;
      }
      for (const id of job.recoveryInstanceIds) ids.add(id);
    }
  }
  for (const id of state.terminatedRecoveryInstanceIds) ids.delete(id);

  const result = ids.size > 0 ? await deps.drs.terminate([...ids]) : { terminated: [], failed: [] };
  await handleCommand(deps.store, executionId, {
    type: 'RecordCleanupResult',
    data: { terminatedRecoveryInstanceIds: result.terminated, ...(result.failed.length > 0 ? { failed: result.failed } : {}) },
    metadata: commandMetadata(deps.clock(), PROCESS_MANAGER, event.metadata.eventId),
  });
  log('info', 'drill cleaned up', { executionId, terminated: result.terminated.length, failed: result.failed.length });
  return 'cleaned-up';
}
