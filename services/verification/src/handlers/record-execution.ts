import type { DomainEvent } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { requiredEnv } from '@lifeboat/service-api';
import { executionContexts } from '../config.js';
import type { ExecutionStartedData } from '../domain/execution-context.js';
import { contextOf } from '../domain/execution-context.js';

async function recordExecution(event: DomainEvent): Promise<void> {
  const context = contextOf(event.data as ExecutionStartedData);
  await executionContexts().save(context, new Date());
  console.info(JSON.stringify({ message: `execution ${context.executionId} recorded`, mode: context.mode, profiles: context.profiles.length, serversWithSettings: Object.keys(context.serverProfiles).length }));
}

/** ExecutionStarted → how each server of the execution is verified (its plan snapshot's settings). */
export const handler = lifeboatEventConsumer(
  { idempotencyTable: requiredEnv('VERIFICATION_IDEMPOTENCY_TABLE'), eventTypes: ['ExecutionStarted'] },
  recordExecution,
);
