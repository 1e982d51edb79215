import type { Context } from 'aws-lambda';
import type { EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { config } from '../config.js';
import { recordVerificationResult } from '../process-manager/verification-result.js';
import { runtime } from '../runtime.js';

let consumer: ReturnType<typeof lifeboatEventConsumer> | undefined;

/** lifeboat-execution-<stage>-onVerificationResult: ServerVerified / ServerVerificationFailed -> RecordVerification. */
export const handler = (event: EventBridgeEnvelope<EventDetail>, context: Context) =>
  (consumer ??= lifeboatEventConsumer({ idempotencyTable: config.idempotencyTable(), eventTypes: ['ServerVerified', 'ServerVerificationFailed'], dynamoDbClient: runtime.dynamoDb() }, async (e) => {
    await recordVerificationResult({ store: runtime.store(), clock: runtime.clock }, e);
  }))(event, context);
