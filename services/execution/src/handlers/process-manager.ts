import type { Context } from 'aws-lambda';
import type { EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { config } from '../config.js';
import { storedEventResolver } from '../publishing/claim-check.js';
import type { LaunchBatchDeps } from '../process-manager/launch-batch.js';
import { launchBatch } from '../process-manager/launch-batch.js';
import { runtime } from '../runtime.js';

let consumer: ReturnType<typeof lifeboatEventConsumer> | undefined;

/** What launching and reconciling need, from the container's adapters. */
export function launchDeps(): LaunchBatchDeps {
  return { store: runtime.store(), drsIn: runtime.drsIn, jobs: runtime.jobs(), capacity: runtime.capacity(), quotas: runtime.quotas(), stage: config.stage(), clock: runtime.clock, snapshotsIn: runtime.snapshotsIn };
}

/** lifeboat-execution-<stage>-processManager: ServerLaunchRequested -> DRS capacity, then StartRecovery (once per batch), at each server's point in time. */
export const handler = (event: EventBridgeEnvelope<EventDetail>, context: Context) =>
  (consumer ??= lifeboatEventConsumer({ idempotencyTable: config.idempotencyTable(), eventTypes: ['ServerLaunchRequested'], dynamoDbClient: runtime.dynamoDb(), resolveClaimCheck: storedEventResolver(runtime.store) }, async (e) => {
    await launchBatch(launchDeps(), e);
  }))(event, context);
