import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SSMClient } from '@aws-sdk/client-ssm';
import { config } from '../config.js';
import { LambdaFunctionInvoker } from './lambda.js';
import { EventBridgeTimerSchedules } from './scheduler.js';
import { SsmCommandRunner } from './ssm.js';

function lazy<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= create());
}

/**
 * The adapters of the process manager's side effects beyond DRS (timers, steps), created once per
 * container on first use; DRS is reached per account and region (runtime.ts). Endpoints come from
 * the environment (AWS_ENDPOINT_URL_SCHEDULER / _SSM / _LAMBDA locally).
 */
export const sideEffects = {
  schedules: lazy(() => new EventBridgeTimerSchedules({
    functionArn: config.timerFunctionArn(),
    roleArn: config.timerRoleArn(),
    deadLetterQueueArn: config.deadLetterQueueArn(),
  }, new SchedulerClient({}))),
  ssm: lazy(() => new SsmCommandRunner(new SSMClient({}))),
  lambda: lazy(() => new LambdaFunctionInvoker(new LambdaClient({}))),
};
