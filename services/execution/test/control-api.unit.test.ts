/**
 * The control operations of the execution API (pause, resume, cancel, approve, reject, retry,
 * cleanup, start options): permission per mode, the decider's errors as API errors, the view answered.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ApiResponse, Caller, ExecutionView, PlanSnapshot, PlanStep } from '@lifeboat/service-api';
import { createApiHandler } from '@lifeboat/service-api';
import { createExecutionApi } from '../src/api/operations.js';
import type { ServerClaimStore } from '../src/claims/store.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { InMemoryExecutionList } from '../src/read-models/executions.js';
import { plan, sid } from './support/decider-spec.js';

const operator: Caller = { userId: 'sub-op', username: 'olivia', roles: ['Operator'] };
const operator2: Caller = { userId: 'sub-op2', username: 'oscar', roles: ['Operator'] };
const manager: Caller = { userId: 'sub-rm', username: 'ruth', roles: ['RecoveryManager'] };
const viewer: Caller = { userId: 'sub-v', username: 'victor', roles: ['Viewer'] };
const author: Caller = { userId: 'sub-pa', username: 'paula', roles: ['PlanAuthor'] };

const approval: PlanStep = { stepId: 'app-pre-1', type: 'APPROVAL', name: 'Go?', prompt: 'Go on?', timeoutSeconds: 3600, onTimeout: 'FAIL' };
const base = plan({ id: 'db', servers: [1] }, { id: 'app', dependsOn: ['db'], servers: [2] });
/** These tests run several executions of one plan side by side: no claims (server-claims.unit.test.ts covers overlaps). */
const noClaims: ServerClaimStore = { get: async () => new Map(), write: async () => undefined, undo: async () => undefined, settle: async () => undefined };
const withApproval: PlanSnapshot = { ...base, waves: base.waves.map((w) => (w.waveId === 'app' ? { ...w, preSteps: [approval] } : w)) };

let snapshot: PlanSnapshot;
let api: ReturnType<typeof createApiHandler>;

beforeEach(() => {
  snapshot = base;
  api = createApiHandler(
    createExecutionApi({ store: new InMemoryEventStore(), executions: new InMemoryExecutionList(), resolvePlan: async () => snapshot, clock: () => new Date(), claims: noClaims }),
    () => undefined,
  );
});

function ok<T = ExecutionView>(response: ApiResponse): T {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response.result as T;
}

async function start(mode: 'DRILL' | 'RECOVERY' = 'DRILL', caller: Caller = mode === 'DRILL' ? operator : manager): Promise<string> {
  return ok(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode, ...(mode === 'RECOVERY' ? { confirmation: 'Three tier app' } : {}) }, caller })).executionId;
}

describe('pauseExecution / resumeExecution', () => {
  it('pauses before a wave and resumes, answering the view each time', async () => {
    const executionId = await start();
    const paused = ok(await api({ operation: 'pauseExecution', input: { executionId, beforeWaveId: 'app' }, caller: operator }));
    expect(paused.pauseBeforeWaveIds).toEqual(['app']);
    expect(await api({ operation: 'pauseExecution', input: { executionId, beforeWaveId: 'nope' }, caller: operator })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'beforeWaveId' } });
    expect(await api({ operation: 'pauseExecution', input: { executionId, beforeWaveId: 'db' }, caller: operator })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const now = ok(await api({ operation: 'pauseExecution', input: { executionId }, caller: operator }));
    expect(now.status).toBe('PAUSED');
    expect(await api({ operation: 'pauseExecution', input: { executionId }, caller: operator })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(ok(await api({ operation: 'resumeExecution', input: { executionId }, caller: operator })).status).toBe('RUNNING');
    expect(await api({ operation: 'resumeExecution', input: { executionId }, caller: operator })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('needs drill:run for a DRILL and recovery:run for a RECOVERY; NOT_FOUND for an unknown execution', async () => {
    const drill = await start();
    expect(await api({ operation: 'pauseExecution', input: { executionId: drill }, caller: viewer })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await api({ operation: 'pauseExecution', input: { executionId: drill }, caller: author })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const recovery = await start('RECOVERY');
    expect(await api({ operation: 'pauseExecution', input: { executionId: recovery }, caller: operator })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: 'pauseExecution of a RECOVERY needs the recovery:run permission' } });
    expect(ok(await api({ operation: 'pauseExecution', input: { executionId: recovery }, caller: manager })).status).toBe('PAUSED');
    expect(await api({ operation: 'resumeExecution', input: { executionId: 'nope' }, caller: operator })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', field: 'executionId' } });
    expect(await api({ operation: 'resumeExecution', input: {}, caller: operator })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'executionId' } });
  });
});

describe('cancelExecution', () => {
  it('cancels with a reason; terminateInstances only for a drill', async () => {
    const recovery = await start('RECOVERY');
    expect(await api({ operation: 'cancelExecution', input: { executionId: recovery, terminateInstances: true }, caller: manager })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT' } });
    expect(await api({ operation: 'cancelExecution', input: { executionId: recovery, terminateInstances: 'yes' }, caller: manager })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'terminateInstances' } });
    const drill = await start();
    const view = ok(await api({ operation: 'cancelExecution', input: { executionId: drill, terminateInstances: true, reason: 'wrong plan' }, caller: operator }));
    expect(view).toMatchObject({ status: 'CANCELLING', cancelRequestedBy: 'olivia', terminateInstancesOnCancel: true });
    // Cancelling again changes nothing.
    expect(ok(await api({ operation: 'cancelExecution', input: { executionId: drill }, caller: operator })).version).toBe(view.version);
  });
});

describe('approveStep / rejectStep', () => {

  it('answers BAD_USER_INPUT for an unknown approval and refuses viewers', async () => {
    snapshot = withApproval;
    const executionId = await start();
    expect(await api({ operation: 'approveStep', input: { executionId, approvalId: 'nope' }, caller: operator })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'approvalId' } });
    expect(await api({ operation: 'rejectStep', input: { executionId, approvalId: 'nope' }, caller: viewer })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await api({ operation: 'approveStep', input: { executionId }, caller: operator })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'approvalId' } });
  });

  it('grants a pending approval of the first wave, with the caller and the comment', async () => {
    snapshot = { ...base, waves: base.waves.map((w) => (w.waveId === 'db' ? { ...w, preSteps: [{ ...approval, stepId: 'db-pre-1' }] } : w)) };
    const executionId = await start();
    const view = ok(await api({ operation: 'getExecution', input: { executionId }, caller: viewer }));
    const pending = view.approvals?.find((a) => a.status === 'PENDING');
    expect(pending).toMatchObject({ kind: 'STEP', waveId: 'db', permission: 'drill:approve' });
    const approvalId = pending?.approvalId ?? '';
    const granted = ok(await api({ operation: 'approveStep', input: { executionId, approvalId, comment: 'go' }, caller: operator2 }));
    expect(granted.approvals?.find((a) => a.approvalId === approvalId)).toMatchObject({ status: 'GRANTED', comment: 'go' });
    expect(granted.waves[0]?.servers[0]?.status).toBe('LAUNCH_REQUESTED');
    expect(await api({ operation: 'rejectStep', input: { executionId, approvalId }, caller: operator })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('rejects a pending approval: the step fails and so does the execution (STOP)', async () => {
    snapshot = { ...base, waves: base.waves.map((w) => (w.waveId === 'db' ? { ...w, preSteps: [{ ...approval, stepId: 'db-pre-1' }] } : w)) };
    const executionId = await start();
    const approvalId = ok(await api({ operation: 'getExecution', input: { executionId }, caller: viewer })).approvals?.[0]?.approvalId ?? '';
    const rejected = ok(await api({ operation: 'rejectStep', input: { executionId, approvalId, comment: 'no' }, caller: operator }));
    expect(rejected.status).toBe('FAILED');
    expect(rejected.waves[0]?.preSteps?.[0]?.status).toBe('FAILED');
  });

  it('needs recovery:approve for the approvals of a RECOVERY', async () => {
    snapshot = { ...base, waves: base.waves.map((w) => (w.waveId === 'db' ? { ...w, preSteps: [{ ...approval, stepId: 'db-pre-1' }] } : w)) };
    const executionId = await start('RECOVERY');
    const approvalId = ok(await api({ operation: 'getExecution', input: { executionId }, caller: viewer })).approvals?.[0]?.approvalId ?? '';
    expect(await api({ operation: 'approveStep', input: { executionId, approvalId }, caller: operator })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const admin: Caller = { userId: 'sub-admin', username: 'ada', roles: ['Admin'] };
    expect(ok(await api({ operation: 'approveStep', input: { executionId, approvalId }, caller: admin })).approvals?.[0]?.status).toBe('GRANTED');
  });
});

describe('retryFailedServers / cleanupDrill / start options', () => {
  it('answers CONFLICT when there is nothing to retry or the drill still runs', async () => {
    const executionId = await start();
    expect(await api({ operation: 'retryFailedServers', input: { executionId }, caller: operator })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await api({ operation: 'cleanupDrill', input: { executionId }, caller: operator })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await api({ operation: 'cleanupDrill', input: { executionId }, caller: viewer })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await api({ operation: 'retryFailedServers', input: { executionId, sourceServerIds: [''] }, caller: operator })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'sourceServerIds[0]' } });
  });

  it('starts a subset of waves and servers with points in time; refuses options that do not fit the plan', async () => {
    const view = ok(
      await api({
        operation: 'startExecution',
        input: { planId: 'plan-1', mode: 'DRILL', waveIds: ['db'], pointsInTime: [{ sourceServerId: sid(1), pointInTime: { type: 'SNAPSHOT', snapshotId: 'pit-1' } }] },
        caller: operator,
      }),
    );
    expect(view.waves.find((w) => w.waveId === 'db')?.servers[0]?.pointInTime).toEqual({ type: 'SNAPSHOT', snapshotId: 'pit-1' });
    expect(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'DRILL', waveIds: ['nope'] }, caller: operator })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'options' } });
    expect(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'DRILL', pointsInTime: [{ sourceServerId: sid(1), pointInTime: { type: 'LATEST_BEFORE' } }] }, caller: operator })).toMatchObject({
      ok: false,
      error: { code: 'BAD_USER_INPUT', field: 'pointsInTime[0].pointInTime.before' },
    });
  });
});
