/**
 * The execution mutations (start with options, pause, resume, cancel, approve, reject, retry,
 * cleanup): the permission of each for each role of ARCHITECTURE §5 and each mode, what the
 * gateway asks of the execution service, and the new fields of Execution.
 */
import { describe, expect, it } from '@jest/globals';
import type { ExecutionMode, ExecutionView } from '@lifeboat/service-api';
import { ConflictError, NotFoundError, ValidationError } from '@lifeboat/service-api';
import { callerWith, executionView, gatewayHarness } from './fixtures.js';

const ROLES = ['Viewer', 'Operator', 'PlanAuthor', 'RecoveryManager', 'Admin'] as const;
type Role = (typeof ROLES)[number];

/** Who holds each permission (written out, not derived from roles.ts, so that a change there shows here). */
const HOLDERS = {
  'drill:run': ['Operator', 'RecoveryManager', 'Admin'],
  'recovery:run': ['RecoveryManager', 'Admin'],
  'drill:approve': ['Operator', 'RecoveryManager', 'Admin'],
  'recovery:approve': ['RecoveryManager', 'Admin'],
} as const satisfies Record<string, readonly Role[]>;
type Held = keyof typeof HOLDERS;

interface Mutation {
  name: string;
  document: string;
  /** The permission for a DRILL and a RECOVERY. */
  permission: Record<ExecutionMode, Held>;
  /** What the service is asked. */
  input: unknown;
}

const MUTATIONS: Mutation[] = [
  { name: 'pauseExecution', document: 'mutation { pauseExecution(id: "exec-1", beforeWaveId: "w-app") { id status } }', permission: { DRILL: 'drill:run', RECOVERY: 'recovery:run' }, input: { executionId: 'exec-1', beforeWaveId: 'w-app' } },
  { name: 'resumeExecution', document: 'mutation { resumeExecution(id: "exec-1") { id status } }', permission: { DRILL: 'drill:run', RECOVERY: 'recovery:run' }, input: { executionId: 'exec-1' } },
  {
    name: 'cancelExecution',
    document: 'mutation { cancelExecution(id: "exec-1", terminateInstances: true, reason: "wrong plan") { id status } }',
    permission: { DRILL: 'drill:run', RECOVERY: 'recovery:run' },
    input: { executionId: 'exec-1', terminateInstances: true, reason: 'wrong plan' },
  },
  { name: 'approveStep', document: 'mutation { approveStep(executionId: "exec-1", approvalId: "a-1", comment: "go") { id status } }', permission: { DRILL: 'drill:approve', RECOVERY: 'recovery:approve' }, input: { executionId: 'exec-1', approvalId: 'a-1', comment: 'go' } },
  { name: 'rejectStep', document: 'mutation { rejectStep(executionId: "exec-1", approvalId: "a-1") { id status } }', permission: { DRILL: 'drill:approve', RECOVERY: 'recovery:approve' }, input: { executionId: 'exec-1', approvalId: 'a-1' } },
  { name: 'retryFailedServers', document: 'mutation { retryFailedServers(id: "exec-1", sourceServerIds: ["s-1"]) { id status } }', permission: { DRILL: 'drill:run', RECOVERY: 'recovery:run' }, input: { executionId: 'exec-1', sourceServerIds: ['s-1'] } },
  { name: 'cleanupDrill', document: 'mutation { cleanupDrill(id: "exec-1") { id status } }', permission: { DRILL: 'drill:run', RECOVERY: 'drill:run' }, input: { executionId: 'exec-1' } },
];

const table = MUTATIONS.flatMap((mutation) =>
  (['DRILL', 'RECOVERY'] as const).flatMap((mode) => ROLES.map((role) => [mutation.name, mode, role, (HOLDERS[mutation.permission[mode]] as readonly Role[]).includes(role), mutation] as const)),
);

function harnessOf(mode: ExecutionMode) {
  const harness = gatewayHarness();
  const view = executionView({ mode });
  harness.services.execution.on('getExecution', () => view);
  for (const m of MUTATIONS) harness.services.execution.on(m.name, () => view);
  return harness;
}

describe('permission of each execution mutation × mode × role, checked in the gateway', () => {
  it.each(table)('%s of a %s as %s: allowed %s', async (name, mode, role, allowed, mutation) => {
    const { services, run } = harnessOf(mode);
    const caller = callerWith(role);
    const result = await run(mutation.document, caller);
    const changes = services.execution.calls.filter((c) => c.operation !== 'getExecution');
    if (allowed) {
      expect(result.errors).toBeUndefined();
      expect(changes).toEqual([{ operation: name, input: mutation.input, caller }]);
    } else {
      expect(result.data).toBeNull();
      const broad = mutation.permission.DRILL;
      const message = (HOLDERS[broad] as readonly Role[]).includes(role) ? `${name} of a ${mode} needs the ${mutation.permission[mode]} permission` : `${name} needs the ${broad} permission`;
      expect(result.errors).toEqual([expect.objectContaining({ message, extensions: { code: 'FORBIDDEN' } })]);
      expect(changes).toHaveLength(0);
    }
  });

  it('refuses a caller without the broader permission before any service call', async () => {
    const { services, run } = harnessOf('DRILL');
    await run('mutation { pauseExecution(id: "exec-1") { id } }', callerWith('Viewer'));
    expect(services.execution.calls).toHaveLength(0);
  });

  it('is UNAUTHENTICATED without a caller', async () => {
    const { run } = harnessOf('DRILL');
    expect((await run('mutation { resumeExecution(id: "exec-1") { id } }', undefined)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['startExecution of a DRILL', 'DRILL', HOLDERS['drill:run']],
    ['startExecution of a RECOVERY', 'RECOVERY', HOLDERS['recovery:run']],
  ] as const)('%s', async (_name, mode, holders) => {
    for (const role of ROLES) {
      const { services, run } = harnessOf(mode);
      services.execution.on('startExecution', () => executionView({ mode }));
      const result = await run(`mutation { startExecution(input: { planId: "plan-1", mode: ${mode}, confirmation: "Shop" }) { id } }`, callerWith(role));
      expect({ role, allowed: result.errors === undefined }).toEqual({ role, allowed: (holders as readonly Role[]).includes(role) });
    }
  });
});

describe('errors of the execution mutations', () => {
  it('answers NOT_FOUND for an unknown execution, naming the argument', async () => {
    const { services, run } = gatewayHarness();
    services.execution.on('getExecution', () => {
      throw new NotFoundError('Execution nope does not exist', 'executionId');
    });
    const result = await run('mutation { pauseExecution(id: "nope") { id } }', callerWith('Admin'));
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND', field: 'id' } });
    const approve = await run('mutation { approveStep(executionId: "nope", approvalId: "a") { id } }', callerWith('Admin'));
    expect(approve.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND', field: 'executionId' } });
  });

  it('passes the service\'s CONFLICT and BAD_USER_INPUT on', async () => {
    const { services, run } = harnessOf('DRILL');
    services.execution.on('resumeExecution', () => {
      throw new ConflictError('Execution exec-1 is RUNNING, not paused');
    });
    services.execution.on('pauseExecution', () => {
      throw new ValidationError('Execution exec-1 runs no wave nope', 'beforeWaveId');
    });
    expect((await run('mutation { resumeExecution(id: "exec-1") { id } }', callerWith('Operator'))).errors?.[0]).toMatchObject({ message: 'Execution exec-1 is RUNNING, not paused', extensions: { code: 'CONFLICT' } });
    expect((await run('mutation { pauseExecution(id: "exec-1", beforeWaveId: "nope") { id } }', callerWith('Operator'))).errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'beforeWaveId' } });
  });
});

describe('startExecution options', () => {
  it('passes waves, servers and points in time to the service', async () => {
    const { services, run } = harnessOf('DRILL');
    services.execution.on('startExecution', () => executionView());
    const result = await run(
      `mutation { startExecution(input: { planId: "plan-1", mode: DRILL, options: { waveIds: ["w-db"], sourceServerIds: ["s-1"], pointsInTime: [
        { sourceServerId: "s-1", type: SNAPSHOT, snapshotId: "pit-1" }, { sourceServerId: "s-2", type: LATEST_BEFORE, before: "2025-01-01T00:00:00Z" }, { sourceServerId: "s-3", type: LATEST }] } }) { id } }`,
      callerWith('Operator'),
    );
    expect(result.errors).toBeUndefined();
    expect(services.execution.calls.find((c) => c.operation === 'startExecution')?.input).toEqual({
      planId: 'plan-1',
      mode: 'DRILL',
      waveIds: ['w-db'],
      sourceServerIds: ['s-1'],
      pointsInTime: [
        { sourceServerId: 's-1', pointInTime: { type: 'SNAPSHOT', snapshotId: 'pit-1' } },
        { sourceServerId: 's-2', pointInTime: { type: 'LATEST_BEFORE', before: '2025-01-01T00:00:00Z' } },
        { sourceServerId: 's-3', pointInTime: { type: 'LATEST' } },
      ],
    });
  });

  it('names the fields of the options within the input', async () => {
    const { services, run } = harnessOf('DRILL');
    services.execution.on('startExecution', () => {
      throw new ValidationError([{ field: 'options', message: 'unknown wave nope' }, { field: 'pointsInTime[0].pointInTime.before', message: 'bad' }]);
    });
    const result = await run('mutation { startExecution(input: { planId: "plan-1", mode: DRILL, options: { waveIds: ["nope"] } }) { id } }', callerWith('Operator'));
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ field: 'options' }, { field: 'options.pointsInTime[0].before' }] });
    const missing = await run('mutation { startExecution(input: { planId: "plan-1", mode: DRILL, options: { pointsInTime: [{ sourceServerId: "s-1", type: SNAPSHOT }] } }) { id } }', callerWith('Operator'));
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'options.pointsInTime[0].snapshotId' });
  });
});

describe('the new fields of Execution', () => {
  const view: ExecutionView = executionView({
    status: 'PAUSED',
    pausedAt: '2025-01-01T12:10:00.000Z',
    pausedBeforeWaveId: 'w-app',
    pauseBeforeWaveIds: [],
    cancelRequestedAt: undefined,
    failureReason: undefined,
    retries: 1,
    approvals: [
      {
        approvalId: 'a-1',
        kind: 'STEP',
        waveId: 'w-app',
        stepId: 'w-app-pre-1',
        prompt: 'Go on?',
        status: 'PENDING',
        permission: 'drill:approve',
        approverRole: 'RecoveryManager',
        excludedUserIds: [],
        requestedAt: '2025-01-01T12:09:00.000Z',
        expiresAt: '2025-01-01T13:09:00.000Z',
      },
      { approvalId: 'a-0', kind: 'STEP', prompt: 'Sure?', status: 'GRANTED', permission: 'drill:approve', excludedUserIds: ['sub-x'], requestedAt: '2025-01-01T12:01:00.000Z', decidedAt: '2025-01-01T12:02:00.000Z', decidedBy: 'ann', comment: 'ok' },
    ],
    cleanup: { status: 'COMPLETED', trigger: 'ON_DEMAND', startedAt: '2025-01-01T13:00:00.000Z', completedAt: '2025-01-01T13:01:00.000Z', recoveryInstanceIds: ['i-1', 'i-2'], terminatedRecoveryInstanceIds: ['i-1'], failed: [{ recoveryInstanceId: 'i-2', reason: 'gone' }] },
    waves: [
      {
        ...executionView().waves[0]!,
        errorPolicy: 'CONTINUE',
        preSteps: [{ stepId: 'w-db-pre-1', type: 'WAIT', name: 'Wait', status: 'COMPLETED', startedAt: '2025-01-01T12:00:01.000Z', completedAt: '2025-01-01T12:00:31.000Z', dueAt: '2025-01-01T12:00:31.000Z' }],
        postSteps: [{ stepId: 'w-db-post-1', type: 'LAMBDA', name: 'Smoke', status: 'FAILED', reason: 'boom', onFailure: 'CONTINUE' }],
      },
      { waveId: 'w-app', name: 'App', dependsOn: ['w-db'], launchOrder: 'PARALLEL', status: 'PENDING', servers: [], skippedAt: '2025-01-01T12:20:00.000Z', skipReason: 'w-db failed' },
    ],
  });

  it('answers approvals with who may decide, steps, skip, pause, cancel and cleanup', async () => {
    const { services, run } = gatewayHarness();
    services.execution.on('getExecution', () => view);
    const result = await run(
      `{ execution(id: "exec-1") { status failureReason pausedAt pausedBeforeWaveId pauseBeforeWaveIds cancelRequestedAt cancelRequestedBy terminateInstancesOnCancel retries
        approvals { id kind waveId stepId prompt status permission approverRole approverRoles excludedUserIds requestedAt expiresAt decidedAt decidedBy comment }
        cleanup { status trigger startedAt completedAt recoveryInstanceIds terminatedRecoveryInstanceIds failed { recoveryInstanceId reason } }
        waves { id errorPolicy skipped skippedAt skipReason failureReason
          preSteps { id type name status startedAt completedAt output reason onFailure dueAt }
          postSteps { id status reason onFailure }
          servers { sourceServerId attempts pointInTime { type snapshotId before } } } } }`,
      callerWith('Viewer'),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.execution).toMatchObject({
      status: 'PAUSED',
      pausedBeforeWaveId: 'w-app',
      pauseBeforeWaveIds: [],
      cancelRequestedAt: null,
      terminateInstancesOnCancel: false,
      retries: 1,
      approvals: [
        { id: 'a-1', kind: 'STEP', status: 'PENDING', permission: 'drill:approve', approverRole: 'RecoveryManager', approverRoles: ['RecoveryManager', 'Admin'], decidedBy: null },
        { id: 'a-0', status: 'GRANTED', approverRole: null, approverRoles: ['Operator', 'RecoveryManager', 'Admin'], excludedUserIds: ['sub-x'], decidedBy: 'ann', comment: 'ok' },
      ],
      cleanup: { status: 'COMPLETED', trigger: 'ON_DEMAND', terminatedRecoveryInstanceIds: ['i-1'], failed: [{ recoveryInstanceId: 'i-2', reason: 'gone' }] },
      waves: [
        {
          id: 'w-db',
          errorPolicy: 'CONTINUE',
          skipped: false,
          preSteps: [{ id: 'w-db-pre-1', type: 'WAIT', status: 'COMPLETED', output: null, dueAt: '2025-01-01T12:00:31.000Z' }],
          postSteps: [{ id: 'w-db-post-1', status: 'FAILED', reason: 'boom', onFailure: 'CONTINUE' }],
          servers: [{ sourceServerId: 's-1234567890abcdef0', attempts: 1, pointInTime: null }],
        },
        { id: 'w-app', errorPolicy: null, skipped: true, skippedAt: '2025-01-01T12:20:00.000Z', skipReason: 'w-db failed', preSteps: [], postSteps: [] },
      ],
    });
  });
});
