/**
 * The process manager's side effects through the local stack, as a client (GraphQL over HTTP with
 * the admin's token): timers (EventBridge Scheduler one-time schedules, emulated by the runtime)
 * for an approval that times out and a WAIT step, and the cleanup of a drill on demand
 * (TerminateRecoveryInstances, confirmed by the simulator).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { eventually, login, startStackProcess, type RunningStack } from '../support/local-stack-process.js';
import { FINISHED_STATUSES, executionClient, groupIdOf } from '../support/execution-client.js';
import { HEALTHY_LAUNCHES, launchInvariants } from '../support/drs-audit.js';

const ADMIN_PASSWORD = 'scenario-admin-password';

jest.setTimeout(240_000);

interface Step {
  id: string;
  type: string;
  status: string;
  reason: string | null;
  startedAt: string | null;
  completedAt: string | null;
}
interface Execution {
  id: string;
  status: string;
  failureReason: string | null;
  approvals: { id: string; stepId: string | null; status: string }[];
  waves: { id: string; name: string; status: string; startedAt: string | null; preSteps: Step[]; servers: { status: string; recoveryInstanceId: string | null; ec2InstanceId: string | null; launchedAt: string | null }[] }[];
  cleanup: { status: string; trigger: string; recoveryInstanceIds: string[]; terminatedRecoveryInstanceIds: string[]; failed: { recoveryInstanceId: string; reason: string }[] } | null;
}
interface StreamEvent {
  type: string;
  occurredAt: string;
  data: { waveId?: string; stepId?: string; terminatedRecoveryInstanceIds?: string[]; failed?: unknown[] };
}
interface Group {
  id: string;
  name: string;
}

const EXECUTION_FIELDS = `id status failureReason
  approvals { id stepId status }
  waves { id name status startedAt preSteps { id type status reason startedAt completedAt } servers { status recoveryInstanceId ec2InstanceId launchedAt } }
  cleanup { status trigger recoveryInstanceIds terminatedRecoveryInstanceIds failed { recoveryInstanceId reason } }`;

const FINISHED = FINISHED_STATUSES;
const WAIT_MS = 120_000;
// The stack's timers run 10 times faster (LIFEBOAT_TIMER_TIME_SCALE): a 60-second approval timeout fires after 6 s.
const TIMER_SCALE = 0.1;

describe('the process manager\'s side effects through the local stack', () => {
  let stack: RunningStack;
  let token: string;
  let groups: Group[];

  const { ok, until, stream, startDrill, cleanUpDrills } = executionClient<Execution, StreamEvent>({
    url: () => stack.url,
    token: () => token,
    executionFields: EXECUTION_FIELDS,
    streamFields: 'type occurredAt data',
    waitMs: WAIT_MS,
  });
  const groupId = (name: string): string => groupIdOf(groups, name);

  async function createPlan(name: string, appPreSteps: Record<string, unknown>[]): Promise<string> {
    const input = {
      name,
      waves: [
        { name: 'Database', protectionGroupIds: [groupId('Database')] },
        { name: 'App', dependsOn: ['Database'], protectionGroupIds: [groupId('App')], preSteps: appPreSteps },
      ],
    };
    return (await ok<{ createRecoveryPlan: { id: string } }>('mutation($input: CreateRecoveryPlanInput!) { createRecoveryPlan(input: $input) { id } }', { input })).createRecoveryPlan.id;
  }

  beforeAll(async () => {
    stack = await startStackProcess({ adminPassword: ADMIN_PASSWORD, env: { LIFEBOAT_TIMER_TIME_SCALE: String(TIMER_SCALE) } });
    token = await login(stack.url, 'admin', ADMIN_PASSWORD);
    groups = (await ok<{ protectionGroups: { items: Group[] } }>('{ protectionGroups(first: 1000) { items { id name } } }')).protectionGroups.items;
  });

  // Whatever a test did, DRS never launched a server twice in an execution nor refused a launch for quota.
  afterEach(async () => {
    expect(await launchInvariants(stack.drsUrl)).toEqual(HEALTHY_LAUNCHES);
  });

  // The next test drills the same servers: clean this one's instances up first.
  afterEach(() => cleanUpDrills());

  afterAll(async () => {
    await stack?.stop();
  });

  it('times out an approval nobody gives: ApprovalTimedOut, the step and the execution FAILED', async () => {
    const planId = await createPlan('Approval that times out', [{ type: 'APPROVAL', name: 'Go for App', prompt: 'Is the database healthy?', timeoutSeconds: 60, onTimeout: 'FAIL' }]);
    const started = await startDrill(planId);
    const pending = await until(started.id, 'approval requested', (e) => e.approvals.some((a) => a.status === 'PENDING'));
    expect(pending.status).toBe('RUNNING');

    const failed = await until(started.id, 'finished', (e) => FINISHED.includes(e.status));
    expect(failed.status).toBe('FAILED');
    expect(failed.approvals.find((a) => a.stepId !== null)?.status).toBe('TIMED_OUT');
    const app = failed.waves.find((w) => w.name === 'App');
    expect(app?.status).toBe('FAILED');
    expect(app?.preSteps[0]).toMatchObject({ type: 'APPROVAL', status: 'FAILED' });
    expect(app?.servers.every((s) => s.status === 'PENDING')).toBe(true);

    const events = await stream(started.id);
    const scheduled = events.find((e) => e.type === 'TimerScheduled');
    const timedOut = events.find((e) => e.type === 'ApprovalTimedOut');
    expect(timedOut).toBeDefined();
    // Not before its (scaled) time.
    expect(Date.parse(timedOut?.occurredAt ?? '') - Date.parse(scheduled?.occurredAt ?? '')).toBeGreaterThanOrEqual(60_000 * TIMER_SCALE);
    expect(events.filter((e) => e.type === 'TimerElapsed')).toHaveLength(1);
  });

  it('waits 2 s before the wave\'s launches with a WAIT step', async () => {
    const planId = await createPlan('Wait before App', [{ type: 'WAIT', name: 'Let the database settle', durationSeconds: 2 }]);
    const started = await startDrill(planId);
    const done = await until(started.id, 'finished', (e) => FINISHED.includes(e.status));
    expect(done.status).toBe('COMPLETED');
    const app = done.waves.find((w) => w.name === 'App');
    if (!app) throw new Error('no App wave');
    expect(app.preSteps[0]).toMatchObject({ type: 'WAIT', status: 'COMPLETED' });

    const events = await stream(started.id);
    const waitStarted = events.find((e) => e.type === 'StepStarted' && e.data.waveId === app.id);
    const elapsed = events.find((e) => e.type === 'TimerElapsed');
    const firstLaunch = events.find((e) => e.type === 'ServerLaunchRequested' && e.data.waveId === app.id);
    expect(waitStarted && elapsed && firstLaunch).toBeTruthy();
    expect(Date.parse(firstLaunch?.occurredAt ?? '') - Date.parse(waitStarted?.occurredAt ?? '')).toBeGreaterThanOrEqual(2_000 * TIMER_SCALE);
    expect(Date.parse(elapsed?.occurredAt ?? '')).toBeLessThanOrEqual(Date.parse(firstLaunch?.occurredAt ?? ''));
  });

  it('cleans up a drill on demand: its 6 recovery instances terminated, as DRS and EC2 confirm', async () => {
    const plans = (await ok<{ recoveryPlans: { items: { id: string; name: string }[] } }>('{ recoveryPlans(first: 1000) { items { id name } } }')).recoveryPlans.items;
    const demo = plans.find((p) => p.name === 'Orders 3-tier');
    if (!demo) throw new Error('no demo plan');
    const started = await startDrill(demo.id);
    const done = await until(started.id, 'finished', (e) => FINISHED.includes(e.status));
    expect(done.status).toBe('COMPLETED');
    const instances = done.waves.flatMap((w) => w.servers.map((s) => s.recoveryInstanceId)).filter((id): id is string => id !== null);
    expect(instances).toHaveLength(6);

    await ok(`mutation($id: ID!) { cleanupDrill(id: $id) { id } }`, { id: started.id });
    const cleaned = await until(started.id, 'cleanup completed', (e) => e.cleanup?.status === 'COMPLETED');
    expect(cleaned.cleanup?.trigger).toBe('ON_DEMAND');
    expect([...(cleaned.cleanup?.terminatedRecoveryInstanceIds ?? [])].sort()).toEqual([...instances].sort());
    expect(cleaned.cleanup?.failed).toEqual([]);
    const completed = (await stream(started.id)).filter((e) => e.type === 'DrillCleanupCompleted');
    expect(completed).toHaveLength(1);
    expect([...(completed[0]?.data.terminatedRecoveryInstanceIds ?? [])].sort()).toEqual([...instances].sort());

    const { calls } = (await (await fetch(`${stack.drsUrl}/_simulator/calls?operation=TerminateRecoveryInstances`)).json()) as { calls: { operation: string; input?: { recoveryInstanceIDs?: string[] } }[] };
    // Earlier tests' drills were cleaned up too: of this drill's instances, each terminated once.
    expect(calls.flatMap((c) => c.input?.recoveryInstanceIDs ?? []).filter((id) => instances.includes(id)).sort()).toEqual([...instances].sort());

    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: stack.drsUrl, credentials: { accessKeyId: 'AKIDSCENARIO', secretAccessKey: 'scenario' } });
    const ec2Ids = done.waves.flatMap((w) => w.servers.map((s) => s.ec2InstanceId ?? s.recoveryInstanceId)).filter((id): id is string => id !== null);
    await eventually(async () => {
      const answer = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ec2Ids }));
      const states = (answer.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.State?.Name);
      return states.length === 6 && states.every((s) => s === 'terminated') ? states : undefined;
    }, WAIT_MS, 'the 6 EC2 instances terminated');
    ec2.destroy();
  });
});
