import type { Context } from 'aws-lambda';
import type { EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { sideEffects } from '../adapters/side-effects.js';
import { config } from '../config.js';
import { storedEventResolver } from '../publishing/claim-check.js';
import { scheduleTimer } from '../process-manager/timers.js';
import { runtime } from '../runtime.js';

let consumer: ReturnType<typeof lifeboatEventConsumer> | undefined;

/** lifeboat-execution-<stage>-scheduleTimer: TimerScheduled -> a one-time EventBridge Scheduler schedule of timerElapsed. */
export const handler = (event: EventBridgeEnvelope<EventDetail>, context: Context) =>
  (consumer ??= lifeboatEventConsumer({ idempotencyTable: config.idempotencyTable(), eventTypes: ['TimerScheduled'], dynamoDbClient: runtime.dynamoDb(), resolveClaimCheck: storedEventResolver(runtime.store) }, async (e) => {
    await scheduleTimer({ store: runtime.store(), schedules: sideEffects.schedules(), clock: runtime.clock }, e);
  }))(event, context);
