import type { DomainEvent } from '@lifeboat/events';
import { handleCommand } from '../command-handler.js';
import { isExecutionError } from '../domain/errors.js';
import type { VerificationCheck } from '../domain/events.js';
import type { EventStore } from '../event-store/event-store.js';
import { log } from '../config.js';
import { commandMetadata, PROCESS_MANAGER } from './commands.js';

/** data of ServerVerified and ServerVerificationFailed (lifeboat.verification). */
export interface VerificationResultData {
  executionId: string;
  waveId: string;
  sourceServerId: string;
  accountId: string;
  region: string;
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
  checks: VerificationCheck[];
  reason?: string;
}

export type VerificationOutcome = 'recorded' | 'duplicate' | 'execution-not-running';

/** Records the verification of a recovered server in its execution. */
export async function recordVerificationResult(deps: { store: EventStore; clock: () => Date }, event: DomainEvent): Promise<VerificationOutcome> {
  const data = event.data as VerificationResultData;
  try {
    const { appended } = await handleCommand(deps.store, data.executionId, {
      type: 'RecordVerification',
      data: {
        verificationEventId: event.metadata.eventId,
        sourceServerId: data.sourceServerId,
        outcome: event.type === 'ServerVerified' ? 'VERIFIED' : 'FAILED',
        checks: data.checks,
        ...(data.reason ? { reason: data.reason } : {}),
        ...(data.recoveryInstanceId ? { recoveryInstanceId: data.recoveryInstanceId } : {}),
        ...(data.ec2InstanceId ? { ec2InstanceId: data.ec2InstanceId } : {}),
      },
      metadata: commandMetadata(deps.clock(), PROCESS_MANAGER, event.metadata.eventId),
    });
    return appended.length > 0 ? 'recorded' : 'duplicate';
  } catch (error) {
    if (isExecutionError(error, 'EXECUTION_FINISHED') || isExecutionError(error, 'EXECUTION_NOT_STARTED')) {
      log('warn', 'verification for an execution that is not running: ignored', { executionId: data.executionId, sourceServerId: data.sourceServerId, reason: (error as Error).message });
      return 'execution-not-running';
    }
    throw error;
  }
}
