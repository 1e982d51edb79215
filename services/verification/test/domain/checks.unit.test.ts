import { describe, expect, it } from '@jest/globals';
import { DEFAULT_VERIFICATION, type ResolvedVerification } from '@lifeboat/service-api';
import type { CheckResult, Judgement, LaunchActionsFacts, PlannedCheck } from '../../src/domain/checks.js';
import {
  OUTPUT_MAX_BYTES, checkDeadline, commandComment, conclude, describeChecks, excerpt, judgeAgent, judgeInstance, judgeInvocation,
  judgeLaunchActions, judgeProbe, planChecks, pollDelay, settle, tail,
} from '../../src/domain/checks.js';

const linux = { name: 'linux', documentName: 'Lifeboat-HealthCheck-Linux', parameters: { services: ['sshd'] }, timeoutSeconds: 120 };

function verification(overrides: Partial<ResolvedVerification> = {}): ResolvedVerification {
  return { ...DEFAULT_VERIFICATION, ...overrides };
}

describe('planChecks', () => {
  it('given the defaults, then EC2, agent and post-launch actions, with their timeouts', () => {
    const plan = planChecks(DEFAULT_VERIFICATION);

    expect(plan.map((c) => [c.name, c.timeoutMs, c.skip])).toEqual([
      ['ec2-running-and-status-checks', 900_000, undefined],
      ['ssm-agent-online', 600_000, undefined],
      ['drs-post-launch-actions', 600_000, undefined],
    ]);
  });

  it('given health checks and probes, then one check each, in the order of the issue', () => {
    const plan = planChecks(verification({ healthChecks: [linux], probes: [{ type: 'TCP', port: 22 }, { type: 'HTTP', port: 8080, path: '/health', timeoutSeconds: 5 }] }));

    expect(plan.map((c) => [c.kind, c.name, c.timeoutMs])).toEqual([
      ['EC2', 'ec2-running-and-status-checks', 900_000],
      ['SSM_AGENT', 'ssm-agent-online', 600_000],
      ['SSM_DOCUMENT', 'ssm:linux', 120_000],
      ['POST_LAUNCH_ACTIONS', 'drs-post-launch-actions', 600_000],
      ['PROBE', 'tcp:22', 60_000],
      ['PROBE', 'http:8080/health', 5_000],
    ]);
  });

  it('given the agent is not required, then the agent and the documents are skipped, saying why', () => {
    const plan = planChecks(verification({ requireSsmAgent: false, checkPostLaunchActions: false, healthChecks: [linux] }));

    expect(plan.map((c) => [c.name, c.skip])).toEqual([
      ['ec2-running-and-status-checks', undefined],
      ['ssm-agent-online', expect.stringContaining('requireSsmAgent is false')],
      ['ssm:linux', expect.stringContaining('does not require the SSM agent')],
      ['drs-post-launch-actions', expect.stringContaining('checkPostLaunchActions is false')],
    ]);
  });

  it('describes each check with its timeout', () => {
    expect(describeChecks(planChecks(verification({ healthChecks: [linux] })))[2]).toEqual({ name: 'ssm:linux', description: expect.stringContaining('Lifeboat-HealthCheck-Linux'), timeoutSeconds: 120 });
  });
});

describe('judging EC2', () => {
  it('given a running instance with both status checks ok, then PASSED', () => {
    expect(judgeInstance('i-1', { instanceId: 'i-1', state: 'running', systemStatus: 'ok', instanceStatus: 'ok' })).toEqual({ status: 'PASSED', output: 'i-1 is running; system status ok, instance status ok' });
  });

  it('given a running instance still initializing, or pending, or unknown to EC2, then WAITING', () => {
    expect(judgeInstance('i-1', { instanceId: 'i-1', state: 'running', systemStatus: 'ok', instanceStatus: 'initializing' }).status).toBe('WAITING');
    expect(judgeInstance('i-1', { instanceId: 'i-1', state: 'pending' }).status).toBe('WAITING');
    expect(judgeInstance('i-1', undefined)).toEqual({ status: 'WAITING', output: 'EC2 does not know i-1 yet' });
    expect(judgeInstance(undefined, undefined).status).toBe('WAITING');
  });

  it('given a stopped or terminated instance, then FAILED at once', () => {
    expect(judgeInstance('i-1', { instanceId: 'i-1', state: 'terminated' })).toEqual({ status: 'FAILED', output: 'i-1 is terminated' });
    expect(judgeInstance('i-1', { instanceId: 'i-1', state: 'stopped' }).status).toBe('FAILED');
  });
});

describe('judging the SSM agent', () => {
  it('given Online, then PASSED; given not registered or ConnectionLost, then WAITING', () => {
    expect(judgeAgent('i-1', { pingStatus: 'Online', platformName: 'Amazon Linux 2023', agentVersion: '3.3' })).toEqual({ status: 'PASSED', output: 'the SSM agent of i-1 is Online (Amazon Linux 2023, agent 3.3)' });
    expect(judgeAgent('i-1', undefined)).toEqual({ status: 'WAITING', output: 'the SSM agent of i-1 has not registered' });
    expect(judgeAgent('i-1', { pingStatus: 'ConnectionLost' }).status).toBe('WAITING');
  });
});

describe('judging a health-check command', () => {
  it('given it is still Pending or InProgress, then WAITING', () => {
    expect(judgeInvocation('Doc', { commandId: 'c-1', status: 'InProgress' }).status).toBe('WAITING');
    expect(judgeInvocation('Doc', undefined).status).toBe('WAITING');
  });

  it('given Success, then PASSED with its stdout', () => {
    expect(judgeInvocation('Doc', { commandId: 'c-1', status: 'Success', responseCode: 0, stdout: 'OK   sshd\n' })).toEqual({ status: 'PASSED', output: 'Doc: Success, exit 0\nstdout: OK   sshd' });
  });

  it('given Failed, then FAILED with the status details and excerpts of stdout and stderr', () => {
    const judged = judgeInvocation('Doc', { commandId: 'c-1', status: 'Failed', statusDetails: 'Failed', responseCode: 1, stdout: 'starting\n', stderr: 'FAIL sshd is inactive\n' });
    expect(judged).toEqual({ status: 'FAILED', output: 'Doc: Failed, exit 1\nstdout: starting\nstderr: FAIL sshd is inactive' });
  });

  it('given TimedOut with details, then FAILED naming them', () => {
    expect(judgeInvocation('Doc', { commandId: 'c-1', status: 'TimedOut', statusDetails: 'ExecutionTimedOut', responseCode: -1 }).output).toBe('Doc: TimedOut (ExecutionTimedOut)');
  });

  it('given huge outputs, then the excerpt stays within 2 KB, keeping the end of each stream', () => {
    const judged = judgeInvocation('Doc', { commandId: 'c-1', status: 'Failed', stdout: `${'x'.repeat(10_000)}END-OUT`, stderr: `${'é'.repeat(10_000)}END-ERR` });
    expect(new TextEncoder().encode(judged.output).length).toBeLessThanOrEqual(OUTPUT_MAX_BYTES);
    expect(judged.output).toContain('END-OUT');
    expect(judged.output).toContain('END-ERR');
  });
});

describe('judging DRS post-launch actions', () => {
  const facts = (overrides: Partial<LaunchActionsFacts>): LaunchActionsFacts => ({ found: true, launchStatus: 'LAUNCHED', reported: true, runs: [], ...overrides });

  it('given no action ran for a finished launch, or DRS reports none, then PASSED', () => {
    expect(judgeLaunchActions('drsjob-1', facts({}))).toEqual({ status: 'PASSED', output: 'no post-launch action ran for job drsjob-1' });
    expect(judgeLaunchActions('drsjob-1', facts({ reported: false, launchStatus: 'IN_PROGRESS' })).status).toBe('PASSED');
  });

  it('given actions still running or the agent not yet discovered, then WAITING', () => {
    expect(judgeLaunchActions('drsjob-1', facts({ runs: [{ name: 'a', optional: false, status: 'IN_PROGRESS' }] })).status).toBe('WAITING');
    expect(judgeLaunchActions('drsjob-1', facts({ launchStatus: 'IN_PROGRESS' })).status).toBe('WAITING');
    expect(judgeLaunchActions('drsjob-1', { found: false, reported: false, runs: [] }).status).toBe('WAITING');
  });

  it('given a failed non-optional action, then FAILED naming it and its reason', () => {
    const judged = judgeLaunchActions('drsjob-1', facts({ launchStatus: 'FAILED', runs: [{ name: 'Smoke', optional: false, status: 'FAILED', failureReason: 'SSM document ended Failed' }] }));
    expect(judged).toEqual({ status: 'FAILED', output: 'post-launch action Smoke FAILED: SSM document ended Failed' });
  });

  it('given only an optional action failed, then PASSED, reporting it (DRS does not fail the launch either)', () => {
    const judged = judgeLaunchActions('drsjob-1', facts({ runs: [{ name: 'Main', optional: false, status: 'SUCCEEDED' }, { name: 'Extra', optional: true, status: 'FAILED', failureReason: 'boom' }] }));
    expect(judged).toEqual({ status: 'PASSED', output: '1 of 2 post-launch actions succeeded; optional Extra FAILED: boom' });
  });
});

describe('judging probes', () => {
  it('given a TCP connection, then PASSED; a refused one, then WAITING (it may still start)', () => {
    expect(judgeProbe({ type: 'TCP', port: 22 }, '10.0.0.5', { reached: true })).toEqual({ status: 'PASSED', output: '10.0.0.5:22 accepts connections' });
    expect(judgeProbe({ type: 'TCP', port: 22 }, '10.0.0.5', { reached: false, error: 'ECONNREFUSED' })).toEqual({ status: 'WAITING', output: '10.0.0.5:22: ECONNREFUSED' });
  });

  it('given an HTTP answer, then the status decides: 2xx, or exactly expectStatus', () => {
    expect(judgeProbe({ type: 'HTTP', port: 80, path: '/health' }, '10.0.0.5', { reached: true, httpStatus: 204 }).status).toBe('PASSED');
    expect(judgeProbe({ type: 'HTTP', port: 80 }, '10.0.0.5', { reached: true, httpStatus: 503 }).output).toBe('http://10.0.0.5:80/ answered 503 (expected 2xx)');
    expect(judgeProbe({ type: 'HTTP', port: 80, expectStatus: 401 }, '10.0.0.5', { reached: true, httpStatus: 401 }).status).toBe('PASSED');
  });

  it('given no address, then WAITING', () => {
    expect(judgeProbe({ type: 'TCP', port: 22 }, undefined, undefined).status).toBe('WAITING');
  });
});

describe('settle: a judgement in time', () => {
  const check = { name: 'ssm-agent-online', timeoutMs: 2_000 };
  const waiting: Judgement = { status: 'WAITING', output: 'the SSM agent of i-1 has not registered' };

  it('given PASSED or FAILED, then the check ends, timed from its start', () => {
    expect(settle(check, { status: 'PASSED', output: 'ok' }, 1_000, 1_750, checkDeadline(check, 1_000, 99_000))).toEqual({ done: true, result: { name: 'ssm-agent-online', status: 'PASSED', durationMs: 750, output: 'ok' } });
  });

  it('given WAITING before the deadline, then not done', () => {
    expect(settle(check, waiting, 1_000, 2_000, checkDeadline(check, 1_000, 99_000))).toEqual({ done: false, output: waiting.output });
  });

  it('given WAITING at its own deadline, then FAILED: timed out after its timeout, with what was seen last', () => {
    const settled = settle(check, waiting, 1_000, 3_000, checkDeadline(check, 1_000, 99_000));
    expect(settled).toEqual({ done: true, result: { name: 'ssm-agent-online', status: 'FAILED', durationMs: 2_000, output: 'timed out after 2 s (the SSM agent of i-1 has not registered)' } });
  });

  it('given the verification\'s time runs out first, then FAILED saying so', () => {
    const deadline = checkDeadline(check, 1_000, 2_500);
    expect(deadline).toEqual({ deadlineMs: 2_500, capped: true });
    const settled = settle(check, waiting, 1_000, 2_500, deadline);
    expect(settled.done && settled.result.output).toMatch(/^timed out after 1\.5 s: the verification's time \(Lambda's\) ran out before the check's 2 s/);
  });
});

describe('pollDelay', () => {
  it('looks again soon at first, then every pollMs, never past the deadline', () => {
    expect([0, 1, 2, 3, 4, 5].map((attempt) => pollDelay(attempt, 5_000, 0, 60_000))).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000]);
    expect(pollDelay(5, 5_000, 58_000, 60_000)).toBe(2_000);
    expect(pollDelay(0, 20, 0, 60_000)).toBe(20);
  });
});

describe('conclude', () => {
  const plan: PlannedCheck[] = planChecks(verification({ healthChecks: [linux] }));
  const passed = (name: string): CheckResult => ({ name, status: 'PASSED', durationMs: 10, output: 'ok' });

  it('given every check passed, then VERIFIED', () => {
    expect(conclude(plan, plan.map((c) => passed(c.name))).verdict).toBe('VERIFIED');
  });

  it('given a check failed, then FAILED with its reason, and every later check SKIPPED', () => {
    const results = [passed('ec2-running-and-status-checks'), { name: 'ssm-agent-online', status: 'FAILED' as const, durationMs: 2_000, output: 'timed out after 2 s' }];

    const verdict = conclude(plan, results);

    expect(verdict).toMatchObject({ verdict: 'FAILED', reason: 'ssm-agent-online failed: timed out after 2 s' });
    expect(verdict.checks.map((c) => [c.name, c.status])).toEqual([
      ['ec2-running-and-status-checks', 'PASSED'],
      ['ssm-agent-online', 'FAILED'],
      ['ssm:linux', 'SKIPPED'],
      ['drs-post-launch-actions', 'SKIPPED'],
    ]);
  });

  it('given checks SKIPPED by the plan, then still VERIFIED', () => {
    const results = plan.map((c): CheckResult => (c.name === 'ec2-running-and-status-checks' ? passed(c.name) : { name: c.name, status: 'SKIPPED', durationMs: 0, output: 'not required' }));
    expect(conclude(plan, results).verdict).toBe('VERIFIED');
  });
});

describe('outputs', () => {
  it('excerpt keeps the start within the byte limit; tail keeps the end', () => {
    expect(excerpt('ok')).toBe('ok');
    const cut = excerpt('x'.repeat(5_000));
    expect(new TextEncoder().encode(cut).length).toBeLessThanOrEqual(OUTPUT_MAX_BYTES);
    expect(cut.endsWith('…')).toBe(true);
    expect(tail('abcdefghij', 8)).toBe('…fghij');
  });

  it('names the command of a health check by execution, server and check, within SSM\'s 100 characters', () => {
    expect(commandComment('exec-1', 's-1234567890abcdef0', 'ssm:linux')).toBe('lifeboat exec-1 s-1234567890abcdef0 ssm:linux');
    expect(commandComment('e'.repeat(60), 's-1234567890abcdef0', 'ssm:a-very-long-check-name')).toHaveLength(100);
  });
});
