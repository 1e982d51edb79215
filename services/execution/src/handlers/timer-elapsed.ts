import { parseTimerFiring, recordTimerElapsed } from '../process-manager/timers.js';
import { runtime } from '../runtime.js';

/**
 * lifeboat-execution-<stage>-timerElapsed: invoked by a timer's schedule with {executionId, timerId}
 * -> RecordTimerElapsed. A stale or duplicate firing decides nothing.
 */
export const handler = async (input: unknown): Promise<{ outcome: string }> => {
  const firing = parseTimerFiring(input);
  return { outcome: await recordTimerElapsed({ store: runtime.store(), clock: runtime.clock }, firing) };
};
