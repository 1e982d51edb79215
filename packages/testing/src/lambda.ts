import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * A Lambda-like context, as the Lambda service (or the local runtime) passes one. A string is the
 * function name; the ARN and log group follow from the function name unless overridden.
 */
export function lambdaContext(overrides: string | Partial<Context> = {}): Context {
  const given = typeof overrides === 'string' ? { functionName: overrides } : overrides;
  const functionName = given.functionName ?? 'lifeboat-test-function';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/01/01/[$LATEST]test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...given,
  };
}
