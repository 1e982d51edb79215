/**
 * Controlling executions through the local stack, as a client (GraphQL over HTTP with the admin's
 * token): pause before a wave and resume, an approval step granted and rejected, and a cancel in
 * the middle of a wave. The demo plan "Orders 3-tier" runs Database -> App -> Web (2 servers each);
 * the simulator's time scale is 0.002 (a launch takes ~0.6 s).
 *
 * The local identity provider knows only the admin, so the roles a mutation needs (a Viewer is
 * FORBIDDEN) are covered by services/gateway/test/execution-control.unit.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { graphql, login, startStackProcess, type RunningStack } from '../support/local-stack-process.js';
import { FINISHED_STATUSES, executionClient, groupIdOf } from '../support/execution-client.js';
import { HEALTHY_LAUNCHES, launchInvariants } from '../support/drs-audit.js';

const ADMIN_PASSWORD = 'scenario-admin-password';

jest.setTimeout(180_000);

interface Step {
  id: string;
  type: string;
  status: string;
  reason: string | null;
}
interface Approval {
  id: string;
  kind: string;
  waveId: string | null;
  stepId: string | null;
  status: string;
  permission: string;
  approverRoles: string[];
  decidedBy: string | null;
  comment: string | null;
}
interface Execution {
  id: string;
  status: string;
  failureReason: string | null;
  pausedAt: string | null;
  pausedBeforeWaveId: string | null;
  cancelRequestedAt: string | null;
  approvals: Approval[];
  waves: { id: string; name: string; status: string; failureReason: string | null; preSteps: Step[]; servers: { hostname: string; status: string; recoveryInstanceId: string | null }[] }[];
  cleanup: { status: string; trigger: string; terminatedRecoveryInstanceIds: string[] } | null;
}
interface Group {
  id: string;
  name: string;
}
interface StreamEvent {
  type: string;
  data: { waveId?: string; sourceServerId?: string };
}

const EXECUTION_FIELDS = `id status failureReason pausedAt pausedBeforeWaveId cancelRequestedAt
  approvals { id kind waveId stepId status permission approverRoles decidedBy comment }
  waves { id name status failureReason preSteps { id type status reason } servers { hostname status recoveryInstanceId } }
  cleanup { status trigger terminatedRecoveryInstanceIds }`;

const FINISHED = FINISHED_STATUSES;
// A drill of 6 servers over 3 waves takes a few seconds at this time scale.
const WAIT_MS = 60_000;

describe('execution control through the local stack', () => {
  let stack: RunningStack;
  let token: string;
  let groups: Group[];

  const { ok, until, stream, startDrill, cleanUpDrills } = executionClient<Execution, StreamEvent>({
    url: () => stack.url,
    token: () => token,
    executionFields: EXECUTION_FIELDS,
    streamFields: 'type data',
    waitMs: WAIT_MS,
  });
  const groupId = (name: string): string => groupIdOf(groups, name);

  /** A plan Database -> App with an APPROVAL step before App, created over GraphQL from the demo groups. */
  async function planWithApproval(name: string): Promise<string> {
    const input = {
      name,
      waves: [
        { name: 'Database', protectionGroupIds: [groupId('Database')] },
        { name: 'App', dependsOn: ['Database'], protectionGroupIds: [groupId('App')], preSteps: [{ type: 'APPROVAL', name: 'Go for App', prompt: 'Is the database healthy?', timeoutSeconds: 3600 }] },
      ],
    };
    return (await ok<{ createRecoveryPlan: { id: string } }>('mutation($input: CreateRecoveryPlanInput!) { createRecoveryPlan(input: $input) { id } }', { input })).createRecoveryPlan.id;
  }

  beforeAll(async () => {
    stack = await startStackProcess({ adminPassword: ADMIN_PASSWORD });
    token = await login(stack.url, 'admin', ADMIN_PASSWORD);
    groups = (await ok<{ protectionGroups: { items: Group[] } }>('{ protectionGroups(first: 1000) { items { id name } } }')).protectionGroups.items;
  });

  // Whatever a test did, DRS never launched a server twice in an execution nor refused a launch for quota.
  afterEach(async () => {
    expect(await launchInvariants(stack.drsUrl)).toEqual(HEALTHY_LAUNCHES);
  });

  // The next test drills the same servers: clean this one's instances up first.
  afterEach(() => cleanUpDrills());

  const setFaults = async (plan: Record<string, unknown>): Promise<void> => {
    const response = await fetch(`${stack.drsUrl}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) });
    if (!response.ok) throw new Error(`faults refused: ${await response.text()}`);
  };
  afterEach(() => setFaults({}));

  afterAll(async () => {
    await stack?.stop();
  });

  it('pauses before a wave, then resumes to completion', async () => {
    const plans = (await ok<{ recoveryPlans: { items: { id: string; name: string }[] } }>('{ recoveryPlans(first: 1000) { items { id name } } }')).recoveryPlans.items;
    const demo = plans.find((p) => p.name === 'Orders 3-tier');
    if (!demo) throw new Error('no demo plan');
    const started = await startDrill(demo.id);
    const app = started.waves.find((w) => w.name === 'App');
    if (!app) throw new Error('no App wave');

    const asked = await ok<{ pauseExecution: Execution }>(`mutation($id: ID!, $wave: ID!) { pauseExecution(id: $id, beforeWaveId: $wave) { ${EXECUTION_FIELDS} } }`, { id: started.id, wave: app.id });
    expect(asked.pauseExecution.status).toBe('RUNNING');

    const paused = await until(started.id, 'PAUSED', (e) => e.status === 'PAUSED');
    expect(paused.pausedBeforeWaveId).toBe(app.id);
    expect(paused.pausedAt).not.toBeNull();
    expect(paused.waves.map((w) => [w.name, w.status])).toEqual([['Database', 'COMPLETED'], ['App', 'PENDING'], ['Web', 'PENDING']]);
    expect(paused.waves[1]?.servers.every((s) => s.status === 'PENDING')).toBe(true);
    expect((await stream(started.id)).filter((e) => e.type === 'ServerLaunchRequested' && e.data.waveId === app.id)).toEqual([]);

    const resumed = await ok<{ resumeExecution: Execution }>(`mutation($id: ID!) { resumeExecution(id: $id) { ${EXECUTION_FIELDS} } }`, { id: started.id });
    expect(resumed.resumeExecution.status).toBe('RUNNING');
    const done = await until(started.id, 'finished', (e) => FINISHED.includes(e.status));
    expect(done.status).toBe('COMPLETED');
    expect(done.waves.flatMap((w) => w.servers.map((s) => s.status))).toEqual(Array(6).fill('VERIFIED'));
    // No server launched twice.
    const requested = (await stream(started.id)).filter((e) => e.type === 'ServerLaunchRequested').map((e) => e.data.sourceServerId);
    expect(new Set(requested).size).toBe(6);
    expect(requested).toHaveLength(6);

    const again = await graphql(stack.url, token, 'mutation($id: ID!) { resumeExecution(id: $id) { id } }', { id: started.id });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('waits for an approval step, then goes on once the admin approves', async () => {
    const started = await startDrill(await planWithApproval('Orders with approval (granted)'));
    const waiting = await until(started.id, 'a pending approval', (e) => e.approvals.some((a) => a.status === 'PENDING'));
    const approval = waiting.approvals.find((a) => a.status === 'PENDING');
    expect(approval).toMatchObject({ kind: 'STEP', waveId: waiting.waves[1]?.id, permission: 'drill:approve', approverRoles: ['Operator', 'RecoveryManager', 'Admin'] });
    expect(waiting.status).toBe('RUNNING');
    expect(waiting.waves[0]?.status).toBe('COMPLETED');
    expect(waiting.waves[1]?.preSteps[0]).toMatchObject({ type: 'APPROVAL', status: 'WAITING_FOR_APPROVAL' });
    expect(waiting.waves[1]?.servers.every((s) => s.status === 'PENDING')).toBe(true);

    const approved = await ok<{ approveStep: Execution }>(
      `mutation($id: ID!, $approval: ID!) { approveStep(executionId: $id, approvalId: $approval, comment: "database looks fine") { ${EXECUTION_FIELDS} } }`,
      { id: started.id, approval: approval?.id },
    );
    expect(approved.approveStep.approvals.find((a) => a.id === approval?.id)).toMatchObject({ status: 'GRANTED', decidedBy: 'admin', comment: 'database looks fine' });
    const done = await until(started.id, 'finished', (e) => FINISHED.includes(e.status));
    expect(done.status).toBe('COMPLETED');
    expect(done.waves[1]?.preSteps[0]?.status).toBe('COMPLETED');
    expect(done.waves.flatMap((w) => w.servers.map((s) => s.status))).toEqual(Array(4).fill('VERIFIED'));
  });

  it('fails the step, its wave and the execution (STOP) when the approval is rejected', async () => {
    const started = await startDrill(await planWithApproval('Orders with approval (rejected)'));
    const waiting = await until(started.id, 'a pending approval', (e) => e.approvals.some((a) => a.status === 'PENDING'));
    const approval = waiting.approvals.find((a) => a.status === 'PENDING');
    await ok(`mutation($id: ID!, $approval: ID!) { rejectStep(executionId: $id, approvalId: $approval, comment: "database is not ready") { id } }`, { id: started.id, approval: approval?.id });
    const done = await until(started.id, 'finished', (e) => FINISHED.includes(e.status));
    expect(done.status).toBe('FAILED');
    expect(done.approvals.find((a) => a.id === approval?.id)).toMatchObject({ status: 'REJECTED', comment: 'database is not ready' });
    expect(done.waves[1]).toMatchObject({ status: 'FAILED' });
    expect(done.waves[1]?.preSteps[0]?.status).toBe('FAILED');
    expect(done.waves[1]?.servers.every((s) => s.status === 'PENDING')).toBe(true);
    expect((await stream(started.id)).filter((e) => e.type === 'ServerLaunchRequested' && e.data.waveId === done.waves[1]?.id)).toEqual([]);

    const twice = await graphql(stack.url, token, 'mutation($id: ID!, $approval: ID!) { approveStep(executionId: $id, approvalId: $approval) { id } }', { id: started.id, approval: approval?.id });
    expect(twice.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('cancels mid-wave with cleanup: CANCELLING until the in-flight launches finish, then CANCELLED with nothing more launched and the launched instances terminated', async () => {
    const plans = (await ok<{ recoveryPlans: { items: { id: string; name: string }[] } }>('{ recoveryPlans(first: 1000) { items { id name } } }')).recoveryPlans.items;
    const demo = plans.find((p) => p.name === 'Orders 3-tier');
    if (!demo) throw new Error('no demo plan');
    // Launches slow enough (about 12 s) to cancel while the first wave's job runs.
    await setFaults({ slowLaunches: [{ factor: 20 }] });
    const started = await startDrill(demo.id);
    expect(started.waves[0]?.servers.map((s) => s.status)).toEqual(['LAUNCH_REQUESTED', 'LAUNCH_REQUESTED']);
    await until(started.id, 'its first job running', (e) => e.waves[0]?.servers.every((s) => s.status === 'LAUNCHING') === true);

    const cancelling = await ok<{ cancelExecution: Execution }>(`mutation($id: ID!) { cancelExecution(id: $id, reason: "wrong time", terminateInstances: true) { ${EXECUTION_FIELDS} } }`, { id: started.id });
    expect(cancelling.cancelExecution.status).toBe('CANCELLING');
    expect(cancelling.cancelExecution.cancelRequestedAt).not.toBeNull();

    const done = await until(started.id, 'finished', (e) => FINISHED.includes(e.status));
    expect(done.status).toBe('CANCELLED');
    expect(done.waves.slice(1).every((w) => w.servers.every((s) => s.status === 'PENDING'))).toBe(true);
    const requested = (await stream(started.id)).filter((e) => e.type === 'ServerLaunchRequested');
    expect(requested.map((e) => e.data.waveId)).toEqual([started.waves[0]?.id, started.waves[0]?.id]);
    // The cancel asked for the drill's instances to go: the cleanup follows on its own.
    const launchedIds = done.waves.flatMap((w) => w.servers.map((s) => s.recoveryInstanceId)).filter((id): id is string => id !== null);
    const cleaned = await until(started.id, 'cleanup completed', (e) => e.cleanup?.status === 'COMPLETED');
    expect(cleaned.cleanup?.trigger).toBe('CANCEL');
    expect([...(cleaned.cleanup?.terminatedRecoveryInstanceIds ?? [])].sort()).toEqual([...launchedIds].sort());
  });
});
