import { describe, expect, it } from '@jest/globals';
import type { RecoveryInstanceFacts, VerificationTarget } from '../src/domain/checks.js';
import type { Clock, RecoveryInstanceSource } from '../src/verify.js';
import { verifyRecoveredInstance } from '../src/verify.js';

const target: VerificationTarget = { sourceServerId: 's-1234567890abcdef0', jobId: 'drsjob-1234567890abcdef0' };

/** A clock whose sleep advances time at once, recording each sleep. */
function fakeClock(): Clock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return { sleeps, now: () => now, sleep: async (ms) => { sleeps.push(ms); now += ms; } };
}

/** DRS answering each look with the next state, then the last one forever. */
function drsSeeing(...states: (string | undefined)[]): RecoveryInstanceSource & { looks: number } {
  const source = {
    looks: 0,
    find: async (): Promise<RecoveryInstanceFacts | undefined> => {
      const state = states[Math.min(source.looks++, states.length - 1)];
      return state === undefined ? undefined : { recoveryInstanceID: 'i-ri01', ec2InstanceID: 'i-0abc', ec2InstanceState: state, jobID: target.jobId, sourceServerID: target.sourceServerId };
    },
  };
  return source;
}

describe('verifyRecoveredInstance', () => {
  it('polls every pollMs until the instance runs', async () => {
    const clock = fakeClock();
    const drs = drsSeeing(undefined, 'PENDING', 'RUNNING');

    const verdict = await verifyRecoveredInstance(target, drs, clock, { timeoutMs: 60_000, pollMs: 5_000 });

    expect(verdict.verdict).toBe('VERIFIED');
    expect(verdict.recoveryInstance?.recoveryInstanceID).toBe('i-ri01');
    expect(drs.looks).toBe(3);
    expect(clock.sleeps).toEqual([5_000, 5_000]);
  });

  it('takes its last look exactly at the timeout, then fails', async () => {
    const clock = fakeClock();
    const drs = drsSeeing('PENDING');

    const verdict = await verifyRecoveredInstance(target, drs, clock, { timeoutMs: 12_000, pollMs: 5_000 });

    expect(clock.sleeps).toEqual([5_000, 5_000, 2_000]);
    expect(verdict).toMatchObject({ verdict: 'FAILED', reason: expect.stringContaining('timed out after 12 s') });
  });

  it('stops at the first failed check without waiting for the timeout', async () => {
    const clock = fakeClock();

    const verdict = await verifyRecoveredInstance(target, drsSeeing('PENDING', 'TERMINATED'), clock, { timeoutMs: 60_000, pollMs: 5_000 });

    expect(verdict.verdict).toBe('FAILED');
    expect(clock.sleeps).toEqual([5_000]);
  });
});
