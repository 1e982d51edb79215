import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * A typed facade over aws-sdk-client-mock. Its types come from an older hoisted @smithy/types
 * than the clients', so `mockClient(DrsClient)` does not typecheck although it works; the stubs
 * here take their input and output types from the command classes instead.
 */
type CommandClass<TInput, TOutput> = new (input: TInput) => {
  readonly input: TInput;
  resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: TOutput }>;
};

export interface Stub<TInput, TOutput> {
  callsFake(fake: (input: TInput) => Omit<TOutput, '$metadata'> | Promise<Omit<TOutput, '$metadata'>>): Stub<TInput, TOutput>;
}

export interface ClientStub {
  on<TInput, TOutput>(command: CommandClass<TInput, TOutput>): Stub<TInput, TOutput>;
  commandCalls<TInput, TOutput>(command: CommandClass<TInput, TOutput>): { args: [{ input: TInput }] }[];
  reset(): void;
  restore(): void;
}

export function stubClient(client: abstract new (...args: never) => object): ClientStub {
  return mockClient(client as never) as unknown as ClientStub;
}

/** The context the Lambda service (or the local runtime) passes to a function. */
export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
