import type { Context } from 'aws-lambda';
import type { EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { sideEffects } from '../adapters/side-effects.js';
import { config } from '../config.js';
import { storedEventResolver } from '../publishing/claim-check.js';
import { runStep } from '../process-manager/steps.js';
import { runtime } from '../runtime.js';

let consumer: ReturnType<typeof lifeboatEventConsumer> | undefined;

/** lifeboat-execution-<stage>-runStep: StepStarted -> runs an SSM_DOCUMENT or LAMBDA step and records its result. */
export const handler = (event: EventBridgeEnvelope<EventDetail>, context: Context) =>
  (consumer ??= lifeboatEventConsumer({ idempotencyTable: config.idempotencyTable(), eventTypes: ['StepStarted'], dynamoDbClient: runtime.dynamoDb(), resolveClaimCheck: storedEventResolver(runtime.store) }, async (e, ctx) => {
    await runStep({ store: runtime.store(), ssm: sideEffects.ssm(), lambda: sideEffects.lambda(), clock: runtime.clock, remainingMs: () => ctx.getRemainingTimeInMillis() }, e);
  }))(event, context);
