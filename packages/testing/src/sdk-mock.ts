/**
 * A typed view of aws-sdk-client-mock's stubs.
 *
 * aws-sdk-client-mock's types come from the hoisted @smithy/types (2.x, pulled in by an old
 * @aws-sdk/client-drs), while most clients use @smithy/types 4.x, so `mockClient(EventBridgeClient)`
 * does not typecheck although it works. This facade types the calls the tests make from the
 * command classes themselves. (Delete it once the lock file has a single @smithy/types.)
 */
import { mockClient } from 'aws-sdk-client-mock';

/** A command class of an AWS SDK v3 client, with the types of its input and output. */
export type CommandClass<TInput, TOutput> = new (input: TInput) => {
  readonly input: TInput;
  resolveMiddleware(...args: never[]): (...args: never[]) => Promise<{ output: TOutput }>;
};

/** What a stubbed command answers: the output without the SDK's `$metadata`. */
export type Answer<TOutput> = Omit<TOutput, '$metadata'>;

export interface CommandStub<TInput, TOutput> {
  resolves(output: Answer<TOutput>): CommandStub<TInput, TOutput>;
  resolvesOnce(output: Answer<TOutput>): CommandStub<TInput, TOutput>;
  rejects(error: Error): CommandStub<TInput, TOutput>;
  rejectsOnce(error: Error): CommandStub<TInput, TOutput>;
  callsFake(fake: (input: TInput) => Answer<TOutput> | Promise<Answer<TOutput>>): CommandStub<TInput, TOutput>;
}

/** One call of a stubbed command: `args[0]` is the command, with the input as sent. */
export interface CommandCall<TInput> {
  args: [{ input: TInput }];
}

export interface ClientStub {
  on<TInput, TOutput>(command: CommandClass<TInput, TOutput>): CommandStub<TInput, TOutput>;
  /** The calls of one command, oldest first. */
  commandCalls<TInput, TOutput>(command: CommandClass<TInput, TOutput>): CommandCall<TInput>[];
  /** Forgets the calls and the behaviours (stubs stay in place; define them again). */
  reset(): void;
  /** Gives the client class its real `send` back. */
  restore(): void;
}

/** Stubs `send` of every instance of the client class (aws-sdk-client-mock's mockClient). */
export function stubClient(client: abstract new (...args: never) => object): ClientStub {
  return mockClient(client as never) as unknown as ClientStub;
}
