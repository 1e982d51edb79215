import { describe, expect, it } from '@jest/globals';
import type { Assessment, Observation, RecoveryInstanceFacts, VerificationTarget } from '../../src/domain/checks.js';
import { assess, describeChecks, excerpt, selectRecoveryInstance } from '../../src/domain/checks.js';

const target: VerificationTarget = { sourceServerId: 's-1234567890abcdef0', jobId: 'drsjob-1234567890abcdef0' };
const policy = { timeoutMs: 60_000 };

function instance(ec2InstanceState: string | undefined, overrides: Partial<RecoveryInstanceFacts> = {}): RecoveryInstanceFacts {
  return { recoveryInstanceID: 'i-ri01', ec2InstanceID: 'i-0abc', ec2InstanceState, sourceServerID: target.sourceServerId, jobID: target.jobId, isDrill: true, ...overrides };
}

/** given these observations (oldest first) / when assessed / then … */
function given(...observations: Observation[]) {
  return { whenAssessed: (timeoutMs = policy.timeoutMs): Assessment => assess(target, observations, { timeoutMs }) };
}

function statuses(assessment: Assessment): [string, string, number][] {
  if (assessment.verdict === 'PENDING') throw new Error('expected a verdict');
  return assessment.checks.map((c) => [c.name, c.status, c.durationMs]);
}

describe('assess', () => {
  it('given a running instance at the first look, then VERIFIED at once', () => {
    const assessment = given({ elapsedMs: 0, recoveryInstance: instance('RUNNING') }).whenAssessed();

    expect(assessment.verdict).toBe('VERIFIED');
    expect(statuses(assessment)).toEqual([
      ['recovery-instance-found', 'PASSED', 0],
      ['ec2-instance-running', 'PASSED', 0],
    ]);
  });

  it('given the instance appears, boots, then runs, then each check is timed from the one before', () => {
    const assessment = given(
      { elapsedMs: 0 },
      { elapsedMs: 5_000, recoveryInstance: instance('PENDING') },
      { elapsedMs: 10_000, recoveryInstance: instance('PENDING') },
      { elapsedMs: 15_000, recoveryInstance: instance('RUNNING') },
    ).whenAssessed();

    expect(statuses(assessment)).toEqual([
      ['recovery-instance-found', 'PASSED', 5_000],
      ['ec2-instance-running', 'PASSED', 10_000],
    ]);
    expect(assessment.verdict === 'VERIFIED' && assessment.checks[1]?.output).toBe('i-0abc is RUNNING');
  });

  it('given the instance is still PENDING before the timeout, then PENDING on ec2-instance-running', () => {
    const assessment = given({ elapsedMs: 20_000, recoveryInstance: instance('PENDING') }).whenAssessed();

    expect(assessment).toEqual({ verdict: 'PENDING', waitingFor: 'ec2-instance-running', output: 'i-0abc is PENDING' });
  });

  it('given DRS does not report the instance yet, then PENDING on recovery-instance-found', () => {
    expect(given({ elapsedMs: 1_000 }).whenAssessed()).toMatchObject({ verdict: 'PENDING', waitingFor: 'recovery-instance-found' });
  });

  it('given the instance is still PENDING at the timeout, then FAILED with a timeout reason', () => {
    const assessment = given(
      { elapsedMs: 0, recoveryInstance: instance('PENDING') },
      { elapsedMs: 60_000, recoveryInstance: instance('PENDING') },
    ).whenAssessed();

    expect(assessment).toMatchObject({ verdict: 'FAILED', reason: 'ec2-instance-running failed: timed out after 60 s (i-0abc is PENDING)' });
    expect(statuses(assessment)).toEqual([
      ['recovery-instance-found', 'PASSED', 0],
      ['ec2-instance-running', 'FAILED', 60_000],
    ]);
  });

  it('given DRS never reports the instance, then recovery-instance-found FAILED and the rest SKIPPED', () => {
    const assessment = given({ elapsedMs: 0 }, { elapsedMs: 1_500 }).whenAssessed(1_500);

    expect(assessment).toMatchObject({ verdict: 'FAILED', reason: expect.stringMatching(/^recovery-instance-found failed: timed out after 1\.5 s/) });
    expect(statuses(assessment)).toEqual([
      ['recovery-instance-found', 'FAILED', 1_500],
      ['ec2-instance-running', 'SKIPPED', 0],
    ]);
  });

  it('given the instance is STOPPED, then FAILED at once, without waiting for the timeout', () => {
    const assessment = given({ elapsedMs: 3_000, recoveryInstance: instance('STOPPED') }).whenAssessed();

    expect(assessment).toMatchObject({ verdict: 'FAILED', reason: 'ec2-instance-running failed: i-0abc is STOPPED' });
  });

  it('given the instance ran and then terminated, then the latest look decides: FAILED', () => {
    const assessment = given(
      { elapsedMs: 0, recoveryInstance: instance('RUNNING') },
      { elapsedMs: 5_000, recoveryInstance: instance('TERMINATED') },
    ).whenAssessed();

    expect(assessment.verdict).toBe('FAILED');
  });

  it('given EC2 does not know the instance yet (NOT_FOUND), then it is still waited for', () => {
    expect(given({ elapsedMs: 1_000, recoveryInstance: instance('NOT_FOUND') }).whenAssessed()).toMatchObject({ verdict: 'PENDING' });
  });

  it('given no observation, then it refuses (a broken invariant of the caller)', () => {
    expect(() => given().whenAssessed()).toThrow(/at least one observation/);
  });
});

describe('selectRecoveryInstance', () => {
  const ofOtherJob = instance('STOPPED', { recoveryInstanceID: 'i-ri00', jobID: 'drsjob-00000000000000000' });

  it('given a launched recovery instance id, then that instance', () => {
    const chosen = selectRecoveryInstance([ofOtherJob, instance('RUNNING')], { ...target, recoveryInstanceId: 'i-ri00' });
    expect(chosen?.recoveryInstanceID).toBe('i-ri00');
  });

  it('given no id, then the newest instance of the source server launched by the job', () => {
    const older = instance('RUNNING', { recoveryInstanceID: 'i-ri02', lastUpdatedDateTime: '2026-01-01T10:00:00Z' });
    const newer = instance('RUNNING', { recoveryInstanceID: 'i-ri03', lastUpdatedDateTime: '2026-01-01T11:00:00Z' });
    expect(selectRecoveryInstance([ofOtherJob, older, newer], target)?.recoveryInstanceID).toBe('i-ri03');
  });

  it('given only instances of other jobs, then none (this launch has no instance yet)', () => {
    expect(selectRecoveryInstance([ofOtherJob], target)).toBeUndefined();
  });
});

describe('describeChecks', () => {
  it('lists the checks in the order they run, with the server budget', () => {
    expect(describeChecks({ timeoutMs: 60_000 })).toEqual([
      { name: 'recovery-instance-found', description: expect.any(String), timeoutSeconds: 60 },
      { name: 'ec2-instance-running', description: expect.any(String), timeoutSeconds: 60 },
    ]);
  });
});

describe('excerpt', () => {
  it('keeps short outputs and cuts long ones with an ellipsis', () => {
    expect(excerpt('ok')).toBe('ok');
    const cut = excerpt('x'.repeat(2_000));
    expect(cut).toHaveLength(500);
    expect(cut.endsWith('…')).toBe(true);
  });
});
