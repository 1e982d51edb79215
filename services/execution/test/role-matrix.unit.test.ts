/**
 * The role matrix (test/support/role-matrix.ts) checked again in the execution service's API: every
 * operation × every role (and a user without a role), on a DRILL and on a RECOVERY where the
 * permission depends on the mode. Allowed: it succeeds (cleanupDrill of a RECOVERY: BAD_USER_INPUT,
 * a RECOVERY has nothing to clean up). Not allowed: FORBIDDEN, and no event appended, no server
 * claimed. Then the two rules of a real RECOVERY: the typed confirmation of the plan's name, and a
 * second approver who is not the person who started it; and an approval's own role.
 */
import { describe, expect, it } from '@jest/globals';
import type { ApiResponse, Caller, ExecutionMode, ExecutionView, PlanSnapshot, PlanStep } from '@lifeboat/service-api';
import { createApiHandler } from '@lifeboat/service-api';
import { MATRIX_ROLES, SERVICE_MATRIX, casesOf, isModeRules, namesThePermission, rowsOf } from '../../../test/support/role-matrix.js';
import type { MatrixRole } from '../../../test/support/role-matrix.js';
import { createExecutionApi } from '../src/api/operations.js';
import { InMemoryServerClaims } from '../src/claims/store.js';
import { handleCommand, loadExecution } from '../src/command-handler.js';
import { SECOND_APPROVAL_ID } from '../src/domain/state.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { InMemoryExecutionList } from '../src/read-models/executions.js';
import { jobId, launchResult, plan, recordJob, verification, withWave } from './support/decider-spec.js';

const TABLE = SERVICE_MATRIX.execution;
type Operation = keyof typeof TABLE;

/** Who starts the executions the operations act on: not one of the callers under test. */
const STARTER: Caller = { userId: 'sub-starter', username: 'stella', roles: ['Admin'] };
const caller = (roles: readonly string[], id = roles.join('-') || 'none'): Caller => ({ userId: `sub-${id}`, username: `user-${id}`, roles: [...roles] });

const oneServer = plan({ id: 'db', servers: [1] });
const approvalStep: PlanStep = { stepId: 'db-pre-1', type: 'APPROVAL', name: 'Go?', prompt: 'Go on?', timeoutSeconds: 3600, onTimeout: 'FAIL' };
const withApproval = (approverRole?: MatrixRole): PlanSnapshot => withWave(oneServer, 'db', { preSteps: [{ ...approvalStep, ...(approverRole ? { approverRole } : {}) }] });

function ok<T = ExecutionView>(response: ApiResponse): T {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response.result as T;
}

/** The execution API over in-memory twins, resolving every plan id to `snapshot`. */
function executionService(snapshot: PlanSnapshot) {
  const store = new InMemoryEventStore();
  const claims = new InMemoryServerClaims();
  const api = createApiHandler(
    createExecutionApi({ store, executions: new InMemoryExecutionList(), resolvePlan: async () => snapshot, clock: () => new Date('2025-01-01T09:00:00.000Z'), claims }),
    () => undefined,
  );
  const call = (operation: string, input: unknown, as: Caller) => api({ operation, input, caller: as });
  const start = async (mode: ExecutionMode, as: Caller = STARTER): Promise<string> =>
    ok(await call('startExecution', { planId: snapshot.planId, mode, ...(mode === 'RECOVERY' ? { confirmation: snapshot.name } : {}) }, as)).executionId;
  /** Plays DRS (and verification) for the one server of the execution's first batch. */
  async function launch(executionId: string, outcome: 'LAUNCHED' | 'FAILED'): Promise<void> {
    const { state } = await loadExecution(store, executionId);
    if (state.status === 'NOT_STARTED') throw new Error(`execution ${executionId} has not started`);
    const batch = [...state.batches.values()][0];
    if (!batch) throw new Error(`execution ${executionId} requested no launch`);
    await handleCommand(store, executionId, recordJob(batch.batchId, jobId(1), [1], state.mode === 'DRILL'));
    await handleCommand(store, executionId, launchResult(jobId(1), 1, outcome, outcome === 'FAILED' ? 'launch failed' : undefined));
    if (outcome === 'LAUNCHED') await handleCommand(store, executionId, verification(1));
  }
  /** Everything the service could have changed: each stream's length and every server claim. */
  const written = async () => ({
    streams: await Promise.all(store.streamIds().map(async (id) => [id, (await store.readStream(id)).length])),
    claims: [...claims.claims.values()],
  });
  return { call, start, launch, written, store };
}

/**
 * The given state each operation acts on, in the row's mode (a DRILL for the mode-independent
 * reads), and its input: a setup where an allowed caller succeeds.
 */
async function given(operation: Operation, mode: ExecutionMode = 'DRILL') {
  const service = executionService(operation === 'approveStep' || operation === 'rejectStep' ? withApproval() : oneServer);
  if (operation === 'startExecution') return { service, input: { planId: oneServer.planId, mode, ...(mode === 'RECOVERY' ? { confirmation: oneServer.name } : {}) } };
  if (operation === 'listExecutions') return { service, input: {} };
  const executionId = await service.start(mode);
  const view = ok(await service.call('getExecution', { executionId }, STARTER));
  switch (operation) {
    case 'getExecution':
    case 'getExecutionEvents':
    case 'pauseExecution':
    case 'cancelExecution':
      return { service, input: { executionId } };
    case 'resumeExecution':
      ok(await service.call('pauseExecution', { executionId }, STARTER));
      return { service, input: { executionId } };
    case 'approveStep':
    case 'rejectStep':
      return { service, input: { executionId, approvalId: view.approvals?.find((a) => a.status === 'PENDING')?.approvalId } };
    case 'retryFailedServers':
      await service.launch(executionId, 'FAILED');
      return { service, input: { executionId } };
    case 'cleanupDrill':
      await service.launch(executionId, 'LAUNCHED');
      return { service, input: { executionId } };
  }
}

/** What an allowed caller gets other than success: a RECOVERY has no drill instances to clean up. */
const refusedForWhatItIs = (operation: string, mode: ExecutionMode | undefined) => (operation === 'cleanupDrill' && mode === 'RECOVERY' ? 'BAD_USER_INPUT' : undefined);

describe('the execution API: every operation × every role, per mode', () => {
  it('has a row in the role matrix for every operation, and no row for an operation it lacks', () => {
    const operations = Object.keys(createExecutionApi({ store: new InMemoryEventStore(), executions: new InMemoryExecutionList(), resolvePlan: async () => oneServer, clock: () => new Date(), claims: new InMemoryServerClaims() }));
    expect([...new Set(rowsOf(TABLE).map((r) => r.name))].sort()).toEqual(operations.sort());
  });

  it('states the mode-dependent operations per mode', () => {
    expect(Object.entries(TABLE).flatMap(([name, entry]) => (isModeRules(entry) ? [name] : []))).toEqual([
      'startExecution',
      'pauseExecution',
      'resumeExecution',
      'cancelExecution',
      'approveStep',
      'rejectStep',
      'retryFailedServers',
      'cleanupDrill',
    ]);
  });

  it.each(casesOf(TABLE).map((c) => [c.title, c] as const))('%s', async (_title, { row, roles, allowed }) => {
    const { service, input } = await given(row.name as Operation, row.mode);
    const before = await service.written();
    const response = await service.call(row.name, input, caller(roles));
    if (allowed) {
      const code = refusedForWhatItIs(row.name, row.mode);
      expect(response).toMatchObject(code ? { ok: false, error: { code } } : { ok: true });
    } else {
      expect(response).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      if (!response.ok) expect({ message: response.error.message, names: namesThePermission(response.error.message, TABLE, row, roles as MatrixRole[]) }).toEqual({ message: response.error.message, names: true });
      expect(await service.written()).toEqual(before);
    }
  });
});

describe('a RECOVERY needs the plan\'s name typed as confirmation', () => {
  const recoveryStarters = TABLE.startExecution.RECOVERY.allowed;

  it.each(recoveryStarters.map((role) => [role]))('a %s without it, or with it mistyped, is refused (BAD_USER_INPUT) and nothing starts', async (role) => {
    const service = executionService(oneServer);
    for (const confirmation of [undefined, '', 'three tier app', 'Three tier app ']) {
      const response = await service.call('startExecution', { planId: 'plan-1', mode: 'RECOVERY', ...(confirmation !== undefined ? { confirmation } : {}) }, caller([role]));
      expect(response).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'confirmation' } });
    }
    expect(await service.written()).toEqual({ streams: [], claims: [] });
    expect(ok(await service.call('startExecution', { planId: 'plan-1', mode: 'RECOVERY', confirmation: 'Three tier app' }, caller([role]))).mode).toBe('RECOVERY');
  });

  it.each(MATRIX_ROLES.filter((role) => !recoveryStarters.includes(role)).map((role) => [role]))('a %s is FORBIDDEN even with it', async (role) => {
    const service = executionService(oneServer);
    expect(await service.call('startExecution', { planId: 'plan-1', mode: 'RECOVERY', confirmation: 'Three tier app' }, caller([role]))).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await service.written()).toEqual({ streams: [], claims: [] });
  });

  it('a DRILL needs none', async () => {
    const service = executionService(oneServer);
    expect(ok(await service.call('startExecution', { planId: 'plan-1', mode: 'DRILL' }, caller(['Operator']))).mode).toBe('DRILL');
  });
});

describe('the second approver of a RECOVERY is another person than its starter', () => {
  const secondApprover: PlanSnapshot = { ...oneServer, settings: { requireSecondApprover: true } };
  const starters = TABLE.startExecution.RECOVERY.allowed;

  async function recoveryStartedBy(starter: Caller) {
    const service = executionService(secondApprover);
    const executionId = await service.start('RECOVERY', starter);
    const pending = ok(await service.call('getExecution', { executionId }, starter)).approvals?.find((a) => a.approvalId === SECOND_APPROVAL_ID);
    expect(pending).toMatchObject({ kind: 'SECOND_APPROVER', status: 'PENDING', approverRole: 'RecoveryManager', excludedUserIds: [starter.userId] });
    return { service, input: { executionId, approvalId: SECOND_APPROVAL_ID } };
  }

  it.each(starters.flatMap((role) => (['approveStep', 'rejectStep'] as const).map((operation) => [role, operation] as const)))('a %s who started it may not %s it: FORBIDDEN, nothing written', async (role, operation) => {
    const starter = caller([role], `starter-${role}`);
    const { service, input } = await recoveryStartedBy(starter);
    const before = await service.written();
    expect(await service.call(operation, input, starter)).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'The second approver must be another person than the one who started the recovery' },
    });
    expect(await service.written()).toEqual(before);
  });

  it.each(MATRIX_ROLES.map((role) => [role, TABLE.approveStep.RECOVERY.allowed.includes(role)] as const))('another person who is a %s: allowed %s', async (role, allowed) => {
    const { service, input } = await recoveryStartedBy(caller(['RecoveryManager'], 'starter'));
    const before = await service.written();
    const response = await service.call('approveStep', input, caller([role]));
    if (allowed) {
      const view = ok(response);
      expect(view.approvals?.find((a) => a.approvalId === SECOND_APPROVAL_ID)).toMatchObject({ status: 'GRANTED', decidedBy: `user-${role}` });
      expect(view.waves[0]?.servers[0]?.status).toBe('LAUNCH_REQUESTED');
    } else {
      expect(response).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await service.written()).toEqual(before);
    }
  });
});

describe("an approval step's own role", () => {
  it.each(MATRIX_ROLES.map((role) => [role, ['RecoveryManager', 'Admin'].includes(role)] as const))('approving a DRILL step for RecoveryManagers as a %s: allowed %s', async (role, allowed) => {
    const service = executionService(withApproval('RecoveryManager'));
    const executionId = await service.start('DRILL');
    const approvalId = ok(await service.call('getExecution', { executionId }, STARTER)).approvals?.[0]?.approvalId;
    const before = await service.written();
    const response = await service.call('approveStep', { executionId, approvalId }, caller([role]));
    if (allowed) expect(ok(response).approvals?.[0]?.status).toBe('GRANTED');
    else {
      expect(response).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(await service.written()).toEqual(before);
    }
  });
});
