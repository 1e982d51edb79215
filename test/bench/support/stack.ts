/**
 * A local stack for a bench figure: started exactly as `npm start` starts it (its own process, so
 * the bench's client work is not measured as the product's), over a fleet of the figure's size,
 * with the admin signed in and a GraphQL client that fails loudly.
 */
import type { Fleet } from '@lifeboat/drs-simulator';
import { graphql, login, startStackProcess, tempDataDir } from '../../support/local-stack-process.js';
import type { RunningStack } from '../../support/local-stack-process.js';
import { startFleetStack } from '../../support/execution-scenario.js';

const ADMIN_PASSWORD = 'bench-admin-password';

export interface BenchStack {
  url: string;
  drsUrl: string;
  token: string;
  stack: RunningStack;
  /** A GraphQL call as the admin that must succeed. */
  ok<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * `fleet` undefined means the demo (the 3-tier plan and its servers). `env` adds settings
 * (LIFEBOAT_TIMER_TIME_SCALE, …); the DRS clock scale is the bench's.
 */
export async function startBenchStack(options: { drsTimeScale: number; fleet?: Fleet; env?: Record<string, string> }): Promise<BenchStack> {
  const env = { LIFEBOAT_DRS_TIME_SCALE: String(options.drsTimeScale), POWERTOOLS_LOG_LEVEL: 'ERROR', ...options.env };
  const stack = options.fleet
    ? (await startFleetStack({ adminPassword: ADMIN_PASSWORD, fleet: options.fleet, env })).stack
    : await startStackProcess({ dataDir: tempDataDir(), adminPassword: ADMIN_PASSWORD, env, timeoutMs: 180_000 });
  const token = await login(stack.url, 'admin', ADMIN_PASSWORD);
  const ok = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const result = await graphql<T>(stack.url, token, query, variables);
    if (result.errors?.length || !result.data) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
  // Stopped, not killed (a profiled stack, LIFEBOAT_STACK_NODE_ARGS, writes its profile on the way
  // out), unless it is still busy after 20 s (a drill left verifying thousands of servers).
  const stop = async (): Promise<void> => {
    const stopped = stack.stop().then(() => true);
    const late = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000).unref());
    if (!(await Promise.race([stopped, late]))) await stack.kill();
  };
  return { url: stack.url, drsUrl: stack.drsUrl, token, stack, ok, stop };
}
