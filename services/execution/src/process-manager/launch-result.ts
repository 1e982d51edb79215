import type { EventBridgeEnvelope } from '@lifeboat/events';
import type { RecoveryJobs } from '../adapters/drs.js';
import { JOB_TAGS } from '../adapters/drs.js';
import type { JobDirectory } from '../adapters/jobs.js';
import { handleCommand } from '../command-handler.js';
import { isExecutionError } from '../domain/errors.js';
import type { EventStore } from '../event-store/event-store.js';
import { log } from '../config.js';
import { commandMetadata, PROCESS_MANAGER } from './commands.js';

/** detail of `aws.drs` `DRS Source Server Launch Result` (events/schemas/aws). */
export interface DrsLaunchResultDetail {
  state: 'RECOVERY_LAUNCH_SUCCEEDED' | 'RECOVERY_LAUNCH_FAILED';
  'job-id': string;
  'is-drill'?: 'TRUE' | 'FALSE';
}

export interface LaunchResultDeps {
  store: EventStore;
  drs: RecoveryJobs;
  jobs: JobDirectory;
  stage: string;
  clock: () => Date;
}

export type LaunchResultOutcome = 'recorded' | 'duplicate' | 'not-lifeboat-job' | 'execution-not-running';

/**
 * Records a DRS launch result in the execution whose job it is. The job is found in the jobs
 * table or, when the event outruns that write, by the job's lifeboat tags; jobs that Lifeboat
 * did not start (or that another stage started) are ignored.
 */
export async function recordLaunchResult(deps: LaunchResultDeps, event: EventBridgeEnvelope<DrsLaunchResultDetail>): Promise<LaunchResultOutcome> {
  const jobId = event.detail['job-id'];
  const sourceServerArn = event.resources[0];
  const sourceServerId = sourceServerArn?.split('/').at(-1);
  if (!sourceServerId) throw new Error(`DRS launch result ${event.id} names no source server in resources`);

  const record = await deps.jobs.get(jobId);
  const job = await deps.drs.describeJob(jobId);
  let executionId = record?.executionId;
  if (!executionId) {
    const tags = job?.tags ?? {};
    const tagged = tags[JOB_TAGS.executionId];
    if (!tagged || tags[JOB_TAGS.stage] !== deps.stage) {
      log('info', 'launch result of a job Lifeboat did not start here: ignored', { jobId, sourceServerId });
      return 'not-lifeboat-job';
    }
    executionId = tagged;
  }

  const participating = job?.participatingServers.find((s) => s.sourceServerId === sourceServerId);
  const launched = event.detail.state === 'RECOVERY_LAUNCH_SUCCEEDED';
  try {
    const { appended } = await handleCommand(deps.store, executionId, {
      type: 'RecordServerLaunchResult',
      data: {
        jobId,
        sourceServerId,
        outcome: launched ? 'LAUNCHED' : 'FAILED',
        ...(participating?.recoveryInstanceId ? { recoveryInstanceId: participating.recoveryInstanceId } : {}),
        ...(launched ? {} : { reason: `DRS reported ${event.detail.state}${participating?.launchStatus ? ` (launch status ${participating.launchStatus})` : ''}` }),
      },
      metadata: commandMetadata(deps.clock(), PROCESS_MANAGER, event.id),
    });
    return appended.length > 0 ? 'recorded' : 'duplicate';
  } catch (error) {
    if (isExecutionError(error, 'EXECUTION_FINISHED') || isExecutionError(error, 'EXECUTION_NOT_STARTED')) {
      // Late results after the execution stopped (error policy STOP) change nothing.
      log('warn', 'launch result for an execution that is not running: ignored', { executionId, jobId, sourceServerId, reason: (error as Error).message });
      return 'execution-not-running';
    }
    throw error;
  }
}
