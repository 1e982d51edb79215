/**
 * listExecutions' input, filters and page tokens (src/read-models/execution-query.ts), given / when
 * / then, and the operation through the API on the in-memory read model.
 */
import { describe, expect, it } from '@jest/globals';
import type { ApiResponse, Caller, ExecutionView } from '@lifeboat/service-api';
import { createApiHandler } from '@lifeboat/service-api';
import { createExecutionApi } from '../src/api/operations.js';
import { InMemoryServerClaims } from '../src/claims/store.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { decodeListToken, encodeListToken, executionMatches, newestFirst, parseListExecutionsInput } from '../src/read-models/execution-query.js';
import { InMemoryExecutionList } from '../src/read-models/executions.js';
import { validationProblemsOf } from '@lifeboat/testing';

const viewer: Caller = { userId: 'sub-v', username: 'victor', roles: ['Viewer'] };

const problemsOf = validationProblemsOf;

const view = (executionId: string, startedAt: string, fields: Partial<ExecutionView> = {}): ExecutionView =>
  ({ executionId, startedAt, planId: 'plan-1', mode: 'DRILL', status: 'COMPLETED', version: 1, waves: [], ...fields }) as ExecutionView;

describe('listExecutions input', () => {
  it('given no input, when parsed, then the first page of 20 without a filter', () => {
    expect(parseListExecutionsInput(undefined)).toEqual({ limit: 20, filter: {} });
    expect(parseListExecutionsInput({ limit: null, nextToken: null, filter: null })).toEqual({ limit: 20, filter: {} });
  });

  it('given filters, when parsed, then times are read as UTC instants written like the read model writes startedAt', () => {
    expect(
      parseListExecutionsInput({
        limit: 100,
        filter: { planId: 'plan-1', mode: 'RECOVERY', statuses: ['FAILED', 'RUNNING', 'FAILED'], startedAfter: '2025-01-31T12:00:00+01:00', startedBefore: '2025-02-01' },
      }),
    ).toEqual({ limit: 100, filter: { planId: 'plan-1', mode: 'RECOVERY', statuses: ['FAILED', 'RUNNING'], startedAfter: '2025-01-31T11:00:00.000Z', startedBefore: '2025-02-01T00:00:00.000Z' } });
    // No status ticked: every status.
    expect(parseListExecutionsInput({ filter: { statuses: [] } })).toEqual({ limit: 20, filter: {} });
  });

  it('given bad input, when parsed, then every problem is named at once', () => {
    expect(
      problemsOf(() =>
        parseListExecutionsInput({ limit: 101, nextToken: 7, order: 'ASC', filter: { planId: '', mode: 'FAILBACK', statuses: ['DONE'], startedAfter: '2025-01-31T12:00:00', startedBefore: 'yesterday', owner: 'me' } }),
      ),
    ).toEqual([
      { field: 'order', message: 'is not an input of listExecutions (limit, nextToken, filter)' },
      { field: 'limit', message: 'must be an integer from 1 to 100' },
      { field: 'nextToken', message: 'must be a token returned by listExecutions' },
      { field: 'filter.owner', message: 'is not a filter (filters: planId, mode, statuses, startedAfter, startedBefore)' },
      { field: 'filter.planId', message: 'must be a recovery plan id' },
      { field: 'filter.mode', message: 'must be DRILL or RECOVERY' },
      { field: 'filter.statuses[0]', message: 'must be one of RUNNING, PAUSED, CANCELLING, COMPLETED, FAILED, CANCELLED' },
      { field: 'filter.startedAfter', message: 'must be an ISO-8601 time with its zone, e.g. 2025-01-31T12:00:00Z' },
      { field: 'filter.startedBefore', message: 'must be an ISO-8601 time with its zone, e.g. 2025-01-31T12:00:00Z' },
    ]);
    expect(problemsOf(() => parseListExecutionsInput({ limit: 0, filter: { startedAfter: '2025-02-01T00:00:00Z', startedBefore: '2025-01-01T00:00:00Z' } }))).toEqual([
      { field: 'limit', message: 'must be an integer from 1 to 100' },
      { field: 'filter.startedBefore', message: 'must be later than startedAfter' },
    ]);
  });
});

describe('page tokens', () => {
  const filter = { mode: 'DRILL' as const, statuses: ['FAILED' as const, 'COMPLETED' as const] };
  const token = encodeListToken(filter, { startedAt: '2025-01-02T00:00:00.000Z', executionId: '01JABC' });

  it('given a token, when read with the same filter (statuses in any order), then it names its position', () => {
    expect(decodeListToken({ statuses: ['COMPLETED', 'FAILED'], mode: 'DRILL' }, token)).toEqual({ startedAt: '2025-01-02T00:00:00.000Z', executionId: '01JABC' });
    expect(parseListExecutionsInput({ nextToken: token, filter }).after).toEqual({ startedAt: '2025-01-02T00:00:00.000Z', executionId: '01JABC' });
  });

  it('given a token, when read with another filter, then it is refused at nextToken', () => {
    expect(problemsOf(() => parseListExecutionsInput({ nextToken: token, filter: { mode: 'RECOVERY' } }))).toEqual([{ field: 'nextToken', message: 'belongs to a listing with another filter: list again from the first page' }]);
  });

  it('given a forged or damaged token, when read, then it is refused at nextToken', () => {
    const payload = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, string>;
    const moved = Buffer.from(JSON.stringify({ ...payload, s: '2030-01-01T00:00:00.000Z' })).toString('base64url');
    for (const bad of [moved, 'x', `${token}A`, Buffer.from('null').toString('base64url'), '%%%']) {
      expect(problemsOf(() => decodeListToken(filter, bad))).toEqual([{ field: 'nextToken', message: 'is not a token returned by listExecutions' }]);
    }
  });
});

describe('order and filters', () => {
  it('given two executions, when ordered, then the later start comes first, and the greater id for the same start', () => {
    expect(newestFirst({ startedAt: '2025-01-02T00:00:00.000Z', executionId: 'a' }, { startedAt: '2025-01-01T00:00:00.000Z', executionId: 'b' })).toBeLessThan(0);
    expect(newestFirst({ startedAt: '2025-01-01T00:00:00.000Z', executionId: 'a' }, { startedAt: '2025-01-01T00:00:00.000Z', executionId: 'b' })).toBeGreaterThan(0);
  });

  it('given an execution, when filtered, then every given filter must match; startedAfter includes its instant, startedBefore does not', () => {
    const execution = view('e', '2025-01-02T00:00:00.000Z', { planId: 'plan-2', mode: 'RECOVERY', status: 'RUNNING' });
    expect(executionMatches(execution, { planId: 'plan-2', mode: 'RECOVERY', statuses: ['RUNNING'], startedAfter: '2025-01-02T00:00:00.000Z', startedBefore: '2025-01-02T00:00:00.001Z' })).toBe(true);
    expect(executionMatches(execution, { startedBefore: '2025-01-02T00:00:00.000Z' })).toBe(false);
    expect(executionMatches(execution, { planId: 'plan-1' })).toBe(false);
    expect(executionMatches(execution, { mode: 'DRILL' })).toBe(false);
    expect(executionMatches(execution, { statuses: ['COMPLETED', 'FAILED'] })).toBe(false);
  });
});

describe('listExecutions through the API', () => {
  async function api() {
    const executions = new InMemoryExecutionList();
    for (let day = 1; day <= 9; day++) {
      await executions.save(view(`e${day}`, `2025-01-0${day}T00:00:00.000Z`, { mode: day % 3 === 0 ? 'RECOVERY' : 'DRILL', planId: day <= 5 ? 'plan-1' : 'plan-2' }));
    }
    const handler = createApiHandler(
      createExecutionApi({ store: new InMemoryEventStore(), executions, resolvePlan: async () => Promise.reject(new Error('unused')), clock: () => new Date(), claims: new InMemoryServerClaims() }),
      () => undefined,
    );
    return (input: unknown) => handler({ operation: 'listExecutions', input, caller: viewer }) as Promise<ApiResponse<{ items: ExecutionView[]; nextToken: string | null }>>;
  }

  it('pages newest first with a token, and filters', async () => {
    const list = await api();
    const ids: string[] = [];
    let nextToken: string | null = null;
    let pages = 0;
    do {
      const response = await list({ limit: 4, filter: { mode: 'DRILL' }, ...(nextToken ? { nextToken } : {}) });
      if (!response.ok) throw new Error(response.error.message);
      ids.push(...response.result.items.map((e) => e.executionId));
      nextToken = response.result.nextToken;
      pages++;
    } while (nextToken);
    expect(ids).toEqual(['e8', 'e7', 'e5', 'e4', 'e2', 'e1']);
    expect(pages).toBe(2);
    const window = await list({ filter: { planId: 'plan-1', startedAfter: '2025-01-02T00:00:00Z', startedBefore: '2025-01-05T00:00:00Z' } });
    expect(window.ok && window.result).toEqual({ items: ['e4', 'e3', 'e2'].map((id) => expect.objectContaining({ executionId: id })), nextToken: null });
  });

  it('refuses a limit out of range, a token of another filter and a forged token, naming the field', async () => {
    const list = await api();
    const first = await list({ limit: 1 });
    const token = first.ok ? first.result.nextToken : null;
    const fieldOf = (response: ApiResponse<unknown>) => (response.ok ? undefined : [response.error.code, response.error.problems?.[0]?.field]);
    expect(fieldOf(await list({ limit: 101 }))).toEqual(['BAD_USER_INPUT', 'limit']);
    expect(fieldOf(await list({ limit: 1, nextToken: token, filter: { mode: 'DRILL' } }))).toEqual(['BAD_USER_INPUT', 'nextToken']);
    expect(fieldOf(await list({ limit: 1, nextToken: `${token}x` }))).toEqual(['BAD_USER_INPUT', 'nextToken']);
  });
});
