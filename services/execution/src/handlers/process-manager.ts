import type { Context } from 'aws-lambda';
import type { EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { config } from '../config.js';
import { sideEffects } from '../adapters/side-effects.js';
import { launchBatch } from '../process-manager/launch-batch.js';
import { runtime } from '../runtime.js';

let consumer: ReturnType<typeof lifeboatEventConsumer> | undefined;

/** lifeboat-execution-<stage>-processManager: ServerLaunchRequested -> DRS StartRecovery (once per batch), at each server's point in time. */
export const handler = (event: EventBridgeEnvelope<EventDetail>, context: Context) =>
  (consumer ??= lifeboatEventConsumer({ idempotencyTable: config.idempotencyTable(), eventTypes: ['ServerLaunchRequested'], dynamoDbClient: runtime.dynamoDb() }, async (e) => {
    await launchBatch({ store: runtime.store(), drs: runtime.drs(), jobs: runtime.jobs(), stage: config.stage(), clock: runtime.clock, snapshots: sideEffects.snapshots() }, e);
  }))(event, context);
