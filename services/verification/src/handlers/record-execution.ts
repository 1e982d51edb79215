import type { ClaimCheckResolver, DomainEvent } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { executionEventResolverFromEnv, requiredEnv } from '@lifeboat/service-api';
import { executionContexts } from '../config.js';
import type { ExecutionStartedData } from '../domain/execution-context.js';
import { contextOf } from '../domain/execution-context.js';

async function recordExecution(event: DomainEvent): Promise<void> {
  const context = contextOf(event.data as ExecutionStartedData);
  await executionContexts().save(context, new Date());
  console.info(JSON.stringify({ message: `execution ${context.executionId} recorded`, mode: context.mode, profiles: context.profiles.length, serversWithSettings: Object.keys(context.serverProfiles).length }));
}

/**
 * The handler with another claim-check resolver (tests). By default a claim-checked ExecutionStarted
 * (a plan snapshot over EventBridge's 256 KB) is read from the execution API (EXECUTION_API_FUNCTION).
 */
export function createRecordExecutionHandler(overrides: { resolveClaimCheck?: ClaimCheckResolver } = {}) {
  return lifeboatEventConsumer(
    { idempotencyTable: requiredEnv('VERIFICATION_IDEMPOTENCY_TABLE'), eventTypes: ['ExecutionStarted'], resolveClaimCheck: overrides.resolveClaimCheck ?? executionEventResolverFromEnv('verification') },
    recordExecution,
  );
}

/** ExecutionStarted → how each server of the execution is verified (its plan snapshot's settings). */
export const handler = createRecordExecutionHandler();
