import type { DomainEvent } from '@lifeboat/events';
import type { RecoveryInstanceTerminator, TerminationResult } from '../adapters/drs.js';
import { JOB_TAGS } from '../adapters/drs.js';
import { handleCommand, loadExecution } from '../command-handler.js';
import type { DrillCleanupStarted } from '../domain/events.js';
import type { EventStore } from '../event-store/event-store.js';
import { log } from '../config.js';
import { commandMetadata, PROCESS_MANAGER } from './commands.js';

export interface CleanupDeps {
  store: EventStore;
  /** DRS in an account and region, through that account's role. */
  drsIn: (scope: { accountId: string; region: string }) => Promise<RecoveryInstanceTerminator>;
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

  // Per account and region: each is reached through its own role.
  const scopes = new Map<string, { accountId: string; region: string; instanceIds: Set<string>; jobIds: string[] }>();
  const scopeOf = (accountId: string, region: string) => {
    const key = `${accountId}#${region}`;
    let scope = scopes.get(key);
    if (!scope) scopes.set(key, (scope = { accountId, region, instanceIds: new Set(), jobIds: [] }));
    return scope;
  };
  for (const r of recoveryInstances) scopeOf(r.accountId, r.region).instanceIds.add(r.recoveryInstanceId);
  for (const jobId of jobIds) {
    const batch = state.batches.get(state.jobs.get(jobId) ?? '');
    if (batch) scopeOf(batch.accountId, batch.region).jobIds.push(jobId);
    else log('warn', 'job of the cleanup is not one of the drill\'s batches: its instances are left alone', { executionId, jobId });
  }

  const result: TerminationResult = { terminated: [], failed: [] };
  for (const scope of scopes.values()) {
    const drs = await deps.drsIn(scope);
    const ids = scope.instanceIds;
    if (scope.jobIds.length > 0) {
      for (const job of await drs.describeJobs(scope.jobIds)) {
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
    if (ids.size === 0) continue;
    const done = await drs.terminate([...ids]);
    result.terminated.push(...done.terminated);
    result.failed.push(...done.failed);
  }
  await handleCommand(deps.store, executionId, {
    type: 'RecordCleanupResult',
    data: { terminatedRecoveryInstanceIds: result.terminated, ...(result.failed.length > 0 ? { failed: result.failed } : {}) },
    metadata: commandMetadata(deps.clock(), PROCESS_MANAGER, event.metadata.eventId),
  });
  log('info', 'drill cleaned up', { executionId, terminated: result.terminated.length, failed: result.failed.length });
  return 'cleaned-up';
}
