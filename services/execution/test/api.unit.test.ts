import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ApiResponse, Caller, ExecutionView, PlanSnapshot, StoredEventView } from '@lifeboat/service-api';
import { createApiHandler, NotFoundError } from '@lifeboat/service-api';
import { createExecutionApi } from '../src/api/operations.js';
import { verifyChain } from '../src/event-store/event-store.js';
import { InMemoryServerClaims } from '../src/claims/store.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { InMemoryExecutionList } from '../src/read-models/executions.js';
import { plan } from './support/decider-spec.js';

const operator: Caller = { userId: 'sub-op', username: 'olivia', roles: ['Operator'] };
const manager: Caller = { userId: 'sub-rm', username: 'ruth', roles: ['RecoveryManager'] };
const viewer: Caller = { userId: 'sub-v', username: 'victor', roles: ['Viewer'] };
const snapshot: PlanSnapshot = plan({ id: 'db', servers: [1] }, { id: 'app', dependsOn: ['db'], servers: [2] });

let store: InMemoryEventStore;
let executions: InMemoryExecutionList;
let resolved: { input: unknown; caller: Caller }[];
let api: ReturnType<typeof createApiHandler>;

beforeEach(() => {
  store = new InMemoryEventStore();
  executions = new InMemoryExecutionList();
  resolved = [];
  api = createApiHandler(
    createExecutionApi({
      store,
      executions,
      resolvePlan: async (input, caller) => {
        resolved.push({ input, caller });
        if ((input as { planId: string }).planId !== 'plan-1') throw new NotFoundError('no such plan', 'planId');
        return snapshot;
      },
      clock: () => new Date('2025-02-03T04:05:06.000Z'),
      claims: new InMemoryServerClaims(),
    }),
    () => undefined,
  );
});

function ok<T>(response: ApiResponse): T {
  if (!response.ok) throw new Error(`expected ok, got ${JSON.stringify(response.error)}`);
  return response.result as T;
}

describe('startExecution', () => {
  it('starts a DRILL of the resolved plan on behalf of the caller and answers the projected view', async () => {
    const view = ok<ExecutionView>(await api({ operation: 'startExecution', input: { planId: 'plan-1', planVersion: 3, mode: 'DRILL' }, caller: operator }));
    expect(resolved).toEqual([{ input: { planId: 'plan-1', version: 3 }, caller: operator }]);
    expect(view).toMatchObject({ planId: 'plan-1', planVersion: 3, planName: 'Three tier app', mode: 'DRILL', status: 'RUNNING', startedAt: '2025-02-03T04:05:06.000Z', startedBy: 'olivia', version: 3 });
    expect(view.executionId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(view.waves.map((w) => [w.waveId, w.status])).toEqual([['db', 'RUNNING'], ['app', 'PENDING']]);
    expect(view.waves[0]?.servers[0]?.status).toBe('LAUNCH_REQUESTED');
  });

  it('needs recovery:run and the plan\'s name typed as confirmation for a RECOVERY', async () => {
    expect(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'RECOVERY', confirmation: 'Three tier app' }, caller: operator })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'RECOVERY' }, caller: manager })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'confirmation' } });
    expect(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'RECOVERY', confirmation: 'three tier app' }, caller: manager })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'confirmation' } });
    expect(store.streamIds()).toEqual([]);
    const view = ok<ExecutionView>(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'RECOVERY', confirmation: 'Three tier app' }, caller: manager }));
    expect(view.mode).toBe('RECOVERY');
  });

  it('refuses bad input, viewers, and unknown plans, changing nothing', async () => {
    expect(await api({ operation: 'startExecution', input: { mode: 'FAILOVER', planVersion: 0 }, caller: operator })).toMatchObject({
      ok: false,
      error: { code: 'BAD_USER_INPUT', problems: [{ field: 'planId' }, { field: 'planVersion' }, { field: 'mode' }] },
    });
    expect(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'DRILL' }, caller: viewer })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await api({ operation: 'startExecution', input: { planId: 'nope', mode: 'DRILL' }, caller: operator })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', field: 'planId' } });
    expect(store.streamIds()).toEqual([]);
  });

  it('answers a plan that cannot run as a validation error', async () => {
    const broken = createApiHandler(createExecutionApi({ store, executions, resolvePlan: async () => ({ ...snapshot, waves: [] }), clock: () => new Date(), claims: new InMemoryServerClaims() }), () => undefined);
    expect(await broken({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'DRILL' }, caller: operator })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'planId' } });
  });
});

describe('reading executions', () => {
  it('gets an execution, its events with their hash chain (after a version), and NOT_FOUND for unknown ones', async () => {
    const started = ok<ExecutionView>(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'DRILL' }, caller: operator }));
    expect(ok<ExecutionView>(await api({ operation: 'getExecution', input: { executionId: started.executionId }, caller: viewer }))).toEqual(started);
    const events = ok<StoredEventView[]>(await api({ operation: 'getExecutionEvents', input: { executionId: started.executionId }, caller: viewer }));
    expect(events.map((e) => [e.streamVersion, e.type, e.actor])).toEqual([[1, 'ExecutionStarted', 'sub-op'], [2, 'WaveStarted', 'sub-op'], [3, 'ServerLaunchRequested', 'sub-op']]);
    expect(events[1]?.previousHash).toBe(events[0]?.hash);
    expect(verifyChain(await store.readStream(`execution/${started.executionId}`))).toEqual({ valid: true });
    expect(ok<StoredEventView[]>(await api({ operation: 'getExecutionEvents', input: { executionId: started.executionId, afterVersion: 2 }, caller: viewer })).map((e) => e.streamVersion)).toEqual([3]);
    expect(await api({ operation: 'getExecution', input: { executionId: 'nope' }, caller: viewer })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', field: 'executionId' } });
    expect(await api({ operation: 'getExecutionEvents', input: { executionId: 'nope' }, caller: viewer })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // one event out of the stream (a claim check's resolution), the end of the stream, and a bad limit
    expect(ok<StoredEventView[]>(await api({ operation: 'getExecutionEvents', input: { executionId: started.executionId, afterVersion: 1, limit: 1 }, caller: viewer })).map((e) => e.streamVersion)).toEqual([2]);
    expect(ok<StoredEventView[]>(await api({ operation: 'getExecutionEvents', input: { executionId: started.executionId, afterVersion: 3 }, caller: viewer }))).toEqual([]);
    expect(await api({ operation: 'getExecutionEvents', input: { executionId: 'nope', afterVersion: 3 }, caller: viewer })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await api({ operation: 'getExecutionEvents', input: { executionId: started.executionId, limit: 0 }, caller: viewer })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'limit' } });
    expect(await api({ operation: 'getExecution', input: {}, caller: viewer })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'executionId' } });
  });

  it('gets the latest events of an execution, and earlier ones before a version, in stream order', async () => {
    // given an execution of 3 events
    const { executionId } = ok<ExecutionView>(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'DRILL' }, caller: operator }));
    const versions = async (input: Record<string, unknown>) => ok<StoredEventView[]>(await api({ operation: 'getExecutionEvents', input: { executionId, ...input }, caller: viewer })).map((e) => e.streamVersion);
    // when the latest ones are asked for, then the ones before the oldest answered
    // then each answer is the latest below, ascending, down to version 1 and nothing below it
    expect(await versions({ last: 2 })).toEqual([2, 3]);
    expect(await versions({ last: 2, beforeVersion: 2 })).toEqual([1]);
    expect(await versions({ last: 2, beforeVersion: 1 })).toEqual([]);
    expect(await versions({ last: 1000 })).toEqual([1, 2, 3]);
    expect(await versions({ beforeVersion: 3 })).toEqual([1, 2]);
    expect(await versions({ beforeVersion: 1 })).toEqual([]);
    expect(await versions({ last: 5, beforeVersion: 99 })).toEqual([1, 2, 3]);
    // and an unknown execution is NOT_FOUND, whatever is asked
    for (const input of [{ last: 200 }, { last: 200, beforeVersion: 1 }, { last: 200, beforeVersion: 2 }, { beforeVersion: 50 }]) {
      expect(await api({ operation: 'getExecutionEvents', input: { executionId: 'nope', ...input }, caller: viewer })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', field: 'executionId' } });
    }
  });

  it('refuses a bad last or beforeVersion, or either with afterVersion or limit, with the field', async () => {
    const { executionId } = ok<ExecutionView>(await api({ operation: 'startExecution', input: { planId: 'plan-1', mode: 'DRILL' }, caller: operator }));
    const refusal = async (input: Record<string, unknown>) => {
      const response = await api({ operation: 'getExecutionEvents', input: { executionId, ...input }, caller: viewer });
      return response.ok ? response : { code: response.error.code, fields: (response.error.problems ?? []).map((p) => p.field) };
    };
    expect(await refusal({ last: 0 })).toEqual({ code: 'BAD_USER_INPUT', fields: ['last'] });
    expect(await refusal({ last: 1001 })).toEqual({ code: 'BAD_USER_INPUT', fields: ['last'] });
    expect(await refusal({ last: 1.5 })).toEqual({ code: 'BAD_USER_INPUT', fields: ['last'] });
    expect(await refusal({ last: '10' })).toEqual({ code: 'BAD_USER_INPUT', fields: ['last'] });
    expect(await refusal({ last: 10, beforeVersion: 0 })).toEqual({ code: 'BAD_USER_INPUT', fields: ['beforeVersion'] });
    expect(await refusal({ last: -1, beforeVersion: -1 })).toEqual({ code: 'BAD_USER_INPUT', fields: ['last', 'beforeVersion'] });
    expect(await refusal({ last: 10, afterVersion: 1 })).toEqual({ code: 'BAD_USER_INPUT', fields: ['last'] });
    expect(await refusal({ beforeVersion: 2, limit: 1 })).toEqual({ code: 'BAD_USER_INPUT', fields: ['beforeVersion'] });
  });

  it('lists executions from the read model, newest first', async () => {
    const older = { executionId: 'a', startedAt: '2025-01-01T00:00:00.000Z', status: 'COMPLETED', version: 1, waves: [] } as unknown as ExecutionView;
    const newer = { executionId: 'b', startedAt: '2025-01-02T00:00:00.000Z', status: 'COMPLETED', version: 1, waves: [] } as unknown as ExecutionView;
    await executions.save(older);
    await executions.save(newer);
    expect(ok<{ items: ExecutionView[] }>(await api({ operation: 'listExecutions', input: {}, caller: viewer })).items.map((v) => v.executionId)).toEqual(['b', 'a']);
  });
});
