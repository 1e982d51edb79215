import { describe, expect, it } from '@jest/globals';
import { DEFAULT_VERIFICATION, type ResolvedVerification } from '@lifeboat/service-api';
import type { AgentFacts, InstanceFacts, InvocationFacts, LaunchActionsFacts } from '../src/domain/checks.js';
import { planChecks } from '../src/domain/checks.js';
import type { Clock, CommandRequest, VerificationPorts, VerificationTarget } from '../src/verify.js';
import { verifyLaunchedServer } from '../src/verify.js';

const target: VerificationTarget = { executionId: 'exec-1', sourceServerId: 's-1234567890abcdef0', jobId: 'drsjob-1234567890abcdef0', recoveryInstanceId: 'i-0abc' };
const healthy: InstanceFacts = { instanceId: 'i-0abc', state: 'running', systemStatus: 'ok', instanceStatus: 'ok', privateIp: '10.0.0.5' };

/** A clock whose sleep advances time at once, recording each sleep. */
function fakeClock(): Clock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return { sleeps, now: () => now, sleep: async (ms) => { sleeps.push(ms); now += ms; } };
}

/** Ports answering each look with the next answer of their list, then the last one forever. */
function world(answers: { ec2?: (InstanceFacts | undefined)[]; agent?: (AgentFacts | undefined)[]; invocation?: (InvocationFacts | undefined)[]; actions?: LaunchActionsFacts[] } = {}) {
  const next = <T>(list: T[], i: number): T => list[Math.min(i, list.length - 1)] as T;
  const looks = { ec2: 0, agent: 0, invocation: 0, actions: 0, probes: [] as string[], sent: [] as CommandRequest[], drsLookups: 0 };
  const ports: VerificationPorts = {
    drs: {
      ec2InstanceIdOf: async () => { looks.drsLookups++; return { recoveryInstanceId: 'i-0abc', ec2InstanceId: 'i-0abc' }; },
      launchActions: async () => next(answers.actions ?? [{ found: true, launchStatus: 'LAUNCHED', reported: false, runs: [] }], looks.actions++),
    },
    ec2: { describe: async () => next(answers.ec2 ?? [healthy], looks.ec2++) },
    ssm: {
      agent: async () => next(answers.agent ?? [{ pingStatus: 'Online' }], looks.agent++),
      findOrSend: async (request) => { looks.sent.push(request); return 'cmd-1'; },
      invocation: async () => next(answers.invocation ?? [{ commandId: 'cmd-1', status: 'Success', responseCode: 0 }], looks.invocation++),
    },
    probes: { attempt: async (probe, address) => { looks.probes.push(`${address}:${probe.port}`); return { reached: true }; } },
  };
  return { ports, looks };
}

const withDocs = (overrides: Partial<ResolvedVerification> = {}) => planChecks({ ...DEFAULT_VERIFICATION, healthChecks: [{ name: 'linux', documentName: 'Lifeboat-HealthCheck-Linux', parameters: {}, timeoutSeconds: 60 }], ...overrides });

describe('verifyLaunchedServer', () => {
  it('runs every check in order and finds the EC2 instance through DRS', async () => {
    const clock = fakeClock();
    const { ports, looks } = world({ ec2: [{ instanceId: 'i-0abc', state: 'pending' }, { ...healthy, instanceStatus: 'initializing' }, healthy] });

    const outcome = await verifyLaunchedServer(target, withDocs(), ports, clock, { pollMs: 5_000, budgetMs: 890_000 });

    expect(outcome).toMatchObject({ verdict: 'VERIFIED', recoveryInstanceId: 'i-0abc', ec2InstanceId: 'i-0abc' });
    expect(outcome.checks.map((c) => [c.name, c.status, c.durationMs])).toEqual([
      ['ec2-running-and-status-checks', 'PASSED', 750],
      ['ssm-agent-online', 'PASSED', 0],
      ['ssm:linux', 'PASSED', 0],
      ['drs-post-launch-actions', 'PASSED', 0],
    ]);
    expect(clock.sleeps).toEqual([250, 500]);
    expect(looks.drsLookups).toBe(1);
    expect(looks.sent).toEqual([{ instanceId: 'i-0abc', documentName: 'Lifeboat-HealthCheck-Linux', parameters: {}, comment: 'lifeboat exec-1 s-1234567890abcdef0 ssm:linux', timeoutSeconds: 60 }]);
  });

  it('uses the EC2 instance the launch carries, asking DRS nothing for it', async () => {
    // given a launch whose ServerLaunched carried the EC2 instance
    const { ports, looks } = world({ ec2: [{ ...healthy, instanceId: 'i-0def' }] });

    // when it is verified
    const outcome = await verifyLaunchedServer({ ...target, ec2InstanceId: 'i-0def' }, withDocs(), ports, fakeClock(), { pollMs: 5_000, budgetMs: 890_000 });

    // then every check ran against that instance, without DescribeRecoveryInstances
    expect(outcome).toMatchObject({ verdict: 'VERIFIED', recoveryInstanceId: 'i-0abc', ec2InstanceId: 'i-0def' });
    expect(looks.drsLookups).toBe(0);
    expect(looks.sent.map((s) => s.instanceId)).toEqual(['i-0def']);
  });

  it('sends a health check once however long it runs, and polls its invocation', async () => {
    const { ports, looks } = world({ invocation: [undefined, { commandId: 'cmd-1', status: 'InProgress' }, { commandId: 'cmd-1', status: 'Failed', responseCode: 1, stderr: 'FAIL nginx' }] });

    const outcome = await verifyLaunchedServer(target, withDocs(), ports, fakeClock(), { pollMs: 5_000, budgetMs: 890_000 });

    expect(looks.sent).toHaveLength(1);
    expect(outcome).toMatchObject({ verdict: 'FAILED', reason: 'ssm:linux failed: Lifeboat-HealthCheck-Linux: Failed, exit 1\nstderr: FAIL nginx' });
    expect(outcome.checks.map((c) => c.status)).toEqual(['PASSED', 'PASSED', 'FAILED', 'SKIPPED']);
  });

  it('fails a check still waiting at its own timeout, and skips the rest', async () => {
    const clock = fakeClock();
    const { ports, looks } = world({ agent: [undefined] });

    const outcome = await verifyLaunchedServer(target, withDocs({ ssmAgentTimeoutSeconds: 10 }), ports, clock, { pollMs: 5_000, budgetMs: 890_000 });

    expect(outcome).toMatchObject({ verdict: 'FAILED', reason: 'ssm-agent-online failed: timed out after 10 s (the SSM agent of i-0abc has not registered)' });
    expect(outcome.checks.map((c) => [c.name, c.status])).toEqual([
      ['ec2-running-and-status-checks', 'PASSED'],
      ['ssm-agent-online', 'FAILED'],
      ['ssm:linux', 'SKIPPED'],
      ['drs-post-launch-actions', 'SKIPPED'],
    ]);
    expect(clock.sleeps).toEqual([250, 500, 1_000, 2_000, 4_000, 2_250]);
    expect(looks.sent).toHaveLength(0);
  });

  it('cuts a check short when the verification\'s time runs out first, saying so', async () => {
    const { ports } = world({ ec2: [{ instanceId: 'i-0abc', state: 'pending' }] });

    const outcome = await verifyLaunchedServer(target, withDocs(), ports, fakeClock(), { pollMs: 5_000, budgetMs: 20_000 });

    expect(outcome.verdict === 'FAILED' && outcome.reason).toMatch(/^ec2-running-and-status-checks failed: timed out after 20 s: the verification's time \(Lambda's\) ran out before the check's 900 s/);
  });

  it('skips what the plan turns off and still verifies', async () => {
    const { ports, looks } = world({ agent: [undefined] });

    const outcome = await verifyLaunchedServer(target, withDocs({ requireSsmAgent: false, checkPostLaunchActions: false }), ports, fakeClock(), { pollMs: 5_000, budgetMs: 890_000 });

    expect(outcome.verdict).toBe('VERIFIED');
    expect(outcome.checks.map((c) => c.status)).toEqual(['PASSED', 'SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(looks.agent).toBe(0);
  });

  it('probes the address the resolver gives (the private IP by default)', async () => {
    const { ports, looks } = world();
    const plan = planChecks({ ...DEFAULT_VERIFICATION, probes: [{ type: 'TCP', port: 22 }] });

    await verifyLaunchedServer(target, plan, ports, fakeClock(), { pollMs: 5_000, budgetMs: 890_000 });
    await verifyLaunchedServer(target, plan, { ...ports, resolveAddress: () => '127.0.0.1' }, fakeClock(), { pollMs: 5_000, budgetMs: 890_000 });

    expect(looks.probes).toEqual(['10.0.0.5:22', '127.0.0.1:22']);
  });
});
