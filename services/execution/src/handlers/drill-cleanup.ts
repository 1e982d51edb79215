import type { Context } from 'aws-lambda';
import type { EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { config } from '../config.js';
import { storedEventResolver } from '../publishing/claim-check.js';
import { cleanUpDrill } from '../process-manager/cleanup.js';
import { runtime } from '../runtime.js';

let consumer: ReturnType<typeof lifeboatEventConsumer> | undefined;

/** lifeboat-execution-<stage>-drillCleanup: DrillCleanupStarted -> DRS TerminateRecoveryInstances -> RecordCleanupResult. */
export const handler = (event: EventBridgeEnvelope<EventDetail>, context: Context) =>
  (consumer ??= lifeboatEventConsumer({ idempotencyTable: config.idempotencyTable(), eventTypes: ['DrillCleanupStarted'], dynamoDbClient: runtime.dynamoDb(), resolveClaimCheck: storedEventResolver(runtime.store) }, async (e) => {
    await cleanUpDrill({ store: runtime.store(), drsIn: runtime.terminatorIn, clock: runtime.clock }, e);
  }))(event, context);
