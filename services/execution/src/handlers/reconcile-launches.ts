import type { Context } from 'aws-lambda';
import { log } from '../config.js';
import { reconcileAll } from '../process-manager/job-reconciler.js';
import { launchDeps } from './process-manager.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds between passes (EXECUTION_RECONCILE_INTERVAL_SECONDS, default 5). */
function intervalMs(): number {
  const seconds = Number(process.env.EXECUTION_RECONCILE_INTERVAL_SECONDS ?? '5');
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 5000;
}

/**
 * lifeboat-execution-<stage>-reconcileLaunches: a schedule invokes it every minute and it makes a
 * pass every few seconds for as long as it has time, because EventBridge schedules fire at most
 * once a minute and a lost DRS event must not stall an execution for that long.
 */
export const handler = async (_event: unknown, context: Context): Promise<{ passes: number }> => {
  const every = intervalMs();
  let passes = 0;
  do {
    const started = Date.now();
    try {
      await reconcileAll(launchDeps());
    } catch (error) {
      // The next pass tries again: one failing account must not stop the others' passes.
      log('error', 'reconciler pass failed', { error: error as Error });
    }
    passes++;
    const wait = every - (Date.now() - started);
    if (context.getRemainingTimeInMillis() < Math.max(wait, 0) + every + 5_000) break;
    // In short steps: a shutdown (no time left) ends the loop within a second.
    for (let slept = 0; slept < wait && context.getRemainingTimeInMillis() > every + 5_000; slept += 1_000) await sleep(Math.min(1_000, wait - slept));
  } while (context.getRemainingTimeInMillis() > every + 5_000);
  return { passes };
};
