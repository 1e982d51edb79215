import type { Context } from 'aws-lambda';
import type { EventBridgeEnvelope } from '@lifeboat/events';
import { awsEventConsumer } from '@lifeboat/events';
import { config } from '../config.js';
import type { DrsLaunchResultDetail } from '../process-manager/launch-result.js';
import { recordLaunchResult } from '../process-manager/launch-result.js';
import { runtime } from '../runtime.js';
import { launchDeps } from './process-manager.js';

let consumer: ReturnType<typeof awsEventConsumer<DrsLaunchResultDetail>> | undefined;

/** lifeboat-execution-<stage>-onDrsLaunchResult: aws.drs DRS Source Server Launch Result (default bus). */
export const handler = (event: EventBridgeEnvelope<DrsLaunchResultDetail>, context: Context) =>
  (consumer ??= awsEventConsumer<DrsLaunchResultDetail>({ idempotencyTable: config.idempotencyTable(), eventTypes: ['DRS Source Server Launch Result'], dynamoDbClient: runtime.dynamoDb() }, async (e) => {
    await recordLaunchResult({ ...launchDeps(), jobReaderIn: runtime.jobReaderIn }, e);
  }))(event, context);
