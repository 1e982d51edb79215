import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

export interface InvocationAnswer {
  /** Set when the function failed (Unhandled, Handled). */
  functionError?: string;
  /** The answer's payload, as text. */
  payload: string;
}

/** Invokes the functions of LAMBDA steps (request/response). */
export interface FunctionInvoker {
  invoke(functionArn: string, payload: Record<string, unknown>): Promise<InvocationAnswer>;
}

export class LambdaFunctionInvoker implements FunctionInvoker {
  constructor(private readonly client: LambdaClient = new LambdaClient({})) {}

  async invoke(functionArn: string, payload: Record<string, unknown>): Promise<InvocationAnswer> {
    const response = await this.client.send(new InvokeCommand({ FunctionName: functionArn, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
    return {
      ...(response.FunctionError ? { functionError: response.FunctionError } : {}),
      payload: response.Payload ? new TextDecoder().decode(response.Payload) : '',
    };
  }
}
