import type { Context } from 'aws-lambda';
import type { EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { DynamoDbServerClaims } from '../claims/store.js';
import { config } from '../config.js';
import { storedEventResolver } from '../publishing/claim-check.js';
import { releaseServerClaims } from '../process-manager/server-claims.js';
import { runtime } from '../runtime.js';

let consumer: ReturnType<typeof lifeboatEventConsumer> | undefined;
let claims: DynamoDbServerClaims | undefined;

/**
 * lifeboat-execution-<stage>-releaseServerClaims: ExecutionCompleted / ExecutionFailed /
 * ExecutionCancelled / DrillCleanupCompleted -> the execution's server claims are released, or kept
 * as DRILL_INSTANCES while its drill instances are up.
 */
export const handler = (event: EventBridgeEnvelope<EventDetail>, context: Context) =>
  (consumer ??= lifeboatEventConsumer(
    { idempotencyTable: config.idempotencyTable(), eventTypes: ['ExecutionCompleted', 'ExecutionFailed', 'ExecutionCancelled', 'DrillCleanupCompleted'], dynamoDbClient: runtime.dynamoDb(), resolveClaimCheck: storedEventResolver(runtime.store) },
    async (e) => {
      await releaseServerClaims({ store: runtime.store(), claims: (claims ??= new DynamoDbServerClaims(config.serverClaimsTable(), runtime.dynamoDb())), clock: runtime.clock }, e);
    },
  ))(event, context);
