import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { ApiRequest, ApiResponse, Caller } from './protocol.js';
import { fromErrorBody } from './errors.js';

/** Calls a service's API handler through Lambda Invoke (locally the runtime's Lambda endpoint). */
export class ServiceApiClient {
  constructor(
    private readonly functionName: string,
    private readonly lambda: LambdaClient = new LambdaClient({}),
  ) {}

  async call<TResult>(operation: string, input: unknown, caller: Caller): Promise<TResult> {
    const request: ApiRequest = { operation, input, caller };
    const response = await this.lambda.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(request)) }),
    );
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    if (response.FunctionError) throw new Error(`${this.functionName} failed: ${response.FunctionError}`);
    const body = JSON.parse(text) as ApiResponse<TResult>;
    if (!body.ok) throw fromErrorBody(body.error);
    return body.result;
  }
}

/** The deployed name of a service's function: `lifeboat-<service>-<stage>-<function>`. */
export function functionNameOf(service: string, stage: string, fn: string): string {
  return `lifeboat-${service}-${stage}-${fn}`;
}

/** The system caller used by services calling each other on their own behalf. */
export function systemCaller(service: string): Caller {
  return { userId: `service:${service}`, username: `lifeboat-${service}`, roles: ['Admin'] };
}
