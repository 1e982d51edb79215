import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { LocalFunction } from '../serverless/project.js';

type Handler = (event: unknown, context: Context) => Promise<unknown> | unknown;

/** A handler that did not finish within the function's timeout. */
export class LambdaTimeoutError extends Error {
  override readonly name = 'LambdaTimeoutError';
}

export class FunctionNotFoundError extends Error {
  override readonly name = 'ResourceNotFoundException';
}

export interface InvocationRecord {
  functionName: string;
  startedAt: number;
  durationMs: number;
  error?: string;
}

/** Invocations of one function that run at once locally, unless the runtime is told otherwise. */
export const DEFAULT_LOCAL_CONCURRENCY = 4;

/** A function's concurrency: at most `limit` invocations run, the others wait their turn in order. */
class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async acquire(): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/**
 * Runs the functions of every serverless.yml in this process: each handler module is imported once
 * (as a warm Lambda container would keep it) and called with a Lambda-shaped context.
 *
 * Each function runs at most `concurrency` invocations at once (its reserved concurrency, as it
 * were); the others wait in arrival order and their timeout starts when they run. Without it a
 * burst (a 1,000-server wave's launch results) would advance every invocation in lockstep on the
 * one process, and the first result of a job would be recorded as late as the last.
 */
export class LocalLambdaRuntime {
  private readonly functions = new Map<string, LocalFunction>();
  private readonly modules = new Map<string, Promise<Handler>>();
  private readonly listeners = new Set<(record: InvocationRecord) => void>();
  private readonly limits = new Map<string, ConcurrencyLimit>();
  private shuttingDown = false;

  constructor(functions: LocalFunction[], private readonly settings: { region: string; accountId: string; concurrency?: number }) {
    for (const fn of functions) this.functions.set(fn.name, fn);
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  get(name: string): LocalFunction {
    const fn = this.functions.get(name);
    if (!fn) throw new FunctionNotFoundError(`Function not found: arn:aws:lambda:${this.settings.region}:${this.settings.accountId}:function:${name}`);
    return fn;
  }

  onInvocation(listener: (record: InvocationRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The stack is stopping: running handlers see no time left (getRemainingTimeInMillis() = 0), as a
   * Lambda near its timeout would, so long-running ones (the execution reconciler) finish now.
   */
  shutdown(): void {
    this.shuttingDown = true;
  }

  /** Loads every handler module now, so a broken one fails at start-up, not at its first event. */
  async preload(): Promise<void> {
    await Promise.all([...this.functions.values()].map((fn) => this.handlerOf(fn)));
  }

  async invoke(name: string, event: unknown): Promise<unknown> {
    const fn = this.get(name);
    const handler = await this.handlerOf(fn);
    let limit = this.limits.get(name);
    if (!limit) {
      limit = new ConcurrencyLimit(Math.max(1, this.settings.concurrency ?? DEFAULT_LOCAL_CONCURRENCY));
      this.limits.set(name, limit);
    }
    await limit.acquire();
    try {
      return await this.run(name, fn, handler, event);
    } finally {
      limit.release();
    }
  }

  private async run(name: string, fn: LocalFunction, handler: Handler, event: unknown): Promise<unknown> {
    const startedAt = Date.now();
    const deadline = startedAt + fn.timeoutSeconds * 1000;
    const context = this.contextFor(fn, deadline);
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LambdaTimeoutError(`Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`)), fn.timeoutSeconds * 1000);
      });
      const result = await Promise.race([Promise.resolve(handler(event, context)), timeout]);
      this.emit({ functionName: name, startedAt, durationMs: Date.now() - startedAt });
      return result;
    } catch (error) {
      this.emit({ functionName: name, startedAt, durationMs: Date.now() - startedAt, error: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private emit(record: InvocationRecord): void {
    for (const listener of this.listeners) listener(record);
  }

  private handlerOf(fn: LocalFunction): Promise<Handler> {
    let loading = this.modules.get(fn.handlerFile + '#' + fn.exportName);
    if (!loading) {
      loading = import(pathToFileURL(fn.handlerFile).href).then((module: Record<string, unknown>) => {
        const handler = module[fn.exportName];
        if (typeof handler !== 'function') throw new Error(`${fn.handlerFile} does not export a function named ${fn.exportName}`);
        return handler as Handler;
      });
      this.modules.set(fn.handlerFile + '#' + fn.exportName, loading);
    }
    return loading;
  }

  private contextFor(fn: LocalFunction, deadline: number): Context {
    const requestId = randomUUID();
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: fn.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${this.settings.region}:${this.settings.accountId}:function:${fn.name}`,
      memoryLimitInMB: String(fn.memorySize),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${fn.name}`,
      logStreamName: `local/${requestId}`,
      getRemainingTimeInMillis: () => (this.shuttingDown ? 0 : Math.max(0, deadline - Date.now())),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
  }
}
