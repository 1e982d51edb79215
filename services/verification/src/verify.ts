import type { Assessment, Observation, RecoveryInstanceFacts, VerificationPolicy, VerificationTarget } from './domain/checks.js';
import { assess } from './domain/checks.js';

/** Port: what DRS knows about the recovered instance of a target (undefined: none yet). */
export interface RecoveryInstanceSource {
  find(target: VerificationTarget): Promise<RecoveryInstanceFacts | undefined>;
}

/** Port: time, so that tests need not wait for real seconds. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface VerifyOptions extends VerificationPolicy {
  /** Delay between two polls while a check is still waiting. */
  pollMs: number;
}

export type Verdict = Exclude<Assessment, { verdict: 'PENDING' }> & { recoveryInstance?: RecoveryInstanceFacts };

/**
 * Polls the recovered instance until every check passed, one failed, or the timeout ran out.
 * The last poll happens at the timeout, so a server that becomes ready just in time passes.
 */
export async function verifyRecoveredInstance(target: VerificationTarget, instances: RecoveryInstanceSource, clock: Clock, options: VerifyOptions): Promise<Verdict> {
  const startedAt = clock.now();
  const observations: Observation[] = [];
  for (;;) {
    const recoveryInstance = await instances.find(target);
    const elapsedMs = clock.now() - startedAt;
    observations.push({ elapsedMs, recoveryInstance });
    const assessment = assess(target, observations, options);
    if (assessment.verdict !== 'PENDING') return { ...assessment, recoveryInstance };
    await clock.sleep(Math.max(0, Math.min(options.pollMs, options.timeoutMs - elapsedMs)));
  }
}
