/**
 * Trigger events from other systems (issue 5): ExecutionStartRequested handled with the API's own
 * startExecution (the planning API stubbed, everything else in memory), the accepted sources and
 * their roles, idempotency per request, and the two event contracts checked on sample events.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { DomainEvent, EventBridgeEnvelope } from '@lifeboat/events';
import { EventValidationError, validateEventDetail } from '@lifeboat/events';
import type { Caller, PlanSnapshot } from '@lifeboat/service-api';
import { NotFoundError, createApiHandler } from '@lifeboat/service-api';
import type { StartRequestContext } from '../src/api/operations.js';
import { createExecutionApi } from '../src/api/operations.js';
import { InMemoryServerClaims } from '../src/claims/store.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { InMemoryExecutionList } from '../src/read-models/executions.js';
import { TriggerSourcesError, parseTriggerSources } from '../src/triggers/sources.js';
import type { StartRequestDeps } from '../src/triggers/start-requested.js';
import { StartRequestBusyError, handleStartRequest, ulidOf } from '../src/triggers/start-requested.js';
import { InMemoryStartRequestLog } from '../src/triggers/start-requests.js';
import { plan, sid } from './support/decider-spec.js';

const SOURCES = '{"lifeboat.runbook":{"role":"RecoveryManager"},"lifeboat.alarm":{"role":"Operator"}}';
const RUNBOOK_ROLE = 'arn:aws:iam::123456789012:role/LifeboatRunbook';
const T0 = new Date('2025-04-01T08:00:00.000Z');

const snapshot: PlanSnapshot = plan({ id: 'db', servers: [1, 2] }, { id: 'app', dependsOn: ['db'], servers: [3] });

let store: InMemoryEventStore;
let claims: InMemoryServerClaims;
let requests: InMemoryStartRequestLog;
let published: DomainEvent[];
let now: Date;
let planningDown: boolean;
let deps: StartRequestDeps;
let delivered = 0;

beforeEach(() => {
  store = new InMemoryEventStore();
  claims = new InMemoryServerClaims();
  requests = new InMemoryStartRequestLog();
  published = [];
  now = T0;
  planningDown = false;
  deps = {
    sources: () => parseTriggerSources(SOURCES),
    requests,
    // The API's own startExecution; only the planning API is stubbed.
    startExecution: (input: Record<string, unknown>, caller: Caller, request: StartRequestContext) =>
      createApiHandler(
        createExecutionApi({
          store,
          executions: new InMemoryExecutionList(),
          resolvePlan: async ({ planId }) => {
            if (planningDown) throw new Error('planning is unreachable');
            if (planId !== snapshot.planId) throw new NotFoundError(`Recovery plan ${planId} does not exist`, 'planId');
            return snapshot;
          },
          clock: () => now,
          claims,
          startRequest: request,
          log: () => undefined,
        }),
        () => undefined,
      )({ operation: 'startExecution', input, caller }),
    publish: async (events) => {
      for (const e of events) validateEventDetail(e.type, { metadata: e.metadata, data: e.data });
      published.push(...events);
    },
    clock: () => now,
    leaseMs: 120_000,
  };
});

function request(data: Record<string, unknown>, options: { source?: string; requestId?: string; id?: string } = {}): EventBridgeEnvelope<unknown> {
  delivered += 1;
  return {
    version: '0',
    id: options.id ?? `event-${delivered}`,
    'detail-type': 'ExecutionStartRequested',
    source: options.source ?? 'lifeboat.runbook',
    account: '123456789012',
    time: now.toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: { metadata: { requestId: options.requestId ?? 'req-1' }, data: { requestedBy: RUNBOOK_ROLE, ...data } },
  };
}

const drill = { planId: 'plan-1', mode: 'DRILL' };
const recovery = { planId: 'plan-1', mode: 'RECOVERY', confirmation: 'Three tier app' };

async function executions(): Promise<string[]> {
  return store.streamIds();
}

describe('ExecutionStartRequested of an accepted source', () => {
  it('starts the execution with the role of its source, recording the request as the cause', async () => {
    const result = await handleStartRequest(deps, request({ ...recovery, reason: 'Region us-east-1 is down', options: { waveIds: ['db'] } }));
    expect(result).toMatchObject({ outcome: 'STARTED', repeated: false });
    const executionId = result.outcome === 'STARTED' ? result.executionId : '';
    expect(await executions()).toEqual([`execution/${executionId}`]);
    const [first] = await store.readStream(`execution/${executionId}`);
    expect(first).toMatchObject({ type: 'ExecutionStarted', data: { executionId, planId: 'plan-1', mode: 'RECOVERY', options: { waveIds: ['db'] } } });
    expect(first?.metadata).toMatchObject({ causationId: 'req-1', actor: { type: 'service', id: `trigger:lifeboat.runbook:${RUNBOOK_ROLE}`, name: `${RUNBOOK_ROLE} (lifeboat.runbook)` } });
    // The subset's servers are claimed for it, like any start.
    expect([...claims.claims.keys()].sort()).toEqual([sid(1), sid(2)]);
    expect(published).toEqual([]);
  });

  it('a DRILL from an Operator source is started', async () => {
    expect(await handleStartRequest(deps, request(drill, { source: 'lifeboat.alarm' }))).toMatchObject({ outcome: 'STARTED' });
  });

  it('acts as the request\'s principal, never as one of Lifeboat\'s services, whatever requestedBy says', async () => {
    const seen: Caller[] = [];
    const start = deps.startExecution;
    deps.startExecution = (input, caller, context) => {
      seen.push(caller);
      return start(input, caller, context);
    };
    await handleStartRequest(deps, request({ ...drill, requestedBy: 'service:planning' }, { source: 'lifeboat.alarm' }));
    expect(seen).toEqual([{ userId: 'trigger:lifeboat.alarm:service:planning', username: 'service:planning (lifeboat.alarm)', roles: ['Operator'] }]);
  });
});

describe('ExecutionStartRequested refused (ExecutionStartRefused, nothing started)', () => {
  async function refusedWith(envelope: EventBridgeEnvelope<unknown>) {
    const result = await handleStartRequest(deps, envelope);
    expect(result.outcome).toBe('REFUSED');
    expect(published.at(-1)).toEqual(result.outcome === 'REFUSED' ? result.refusal : undefined);
    return published.at(-1)?.data as { code: string; message: string; field?: string; source: string; requestId: string; planId?: string };
  }

  it('from a source that is not configured: FORBIDDEN', async () => {
    const data = await refusedWith(request(drill, { source: 'acme.scheduler' }));
    expect(data).toEqual({ requestId: 'req-1', source: 'acme.scheduler', planId: 'plan-1', mode: 'DRILL', code: 'FORBIDDEN', message: 'Source acme.scheduler may not request executions: it is not one of the accepted trigger sources (EXECUTION_TRIGGER_SOURCES)' });
    expect(published[0]?.metadata).toMatchObject({ correlationId: 'plan-1', causationId: 'req-1', actor: { type: 'service', id: 'lifeboat-execution' } });
    expect(await executions()).toEqual([]);
  });

  it('a RECOVERY from a source acting as Operator: FORBIDDEN, as the API answers an Operator', async () => {
    const data = await refusedWith(request(recovery, { source: 'lifeboat.alarm' }));
    expect(data).toMatchObject({ code: 'FORBIDDEN', message: 'A RECOVERY needs the recovery:run permission', source: 'lifeboat.alarm' });
    expect(await executions()).toEqual([]);
    expect(claims.claims.size).toBe(0);
  });

  it('a RECOVERY without, or with a wrong, typed confirmation: BAD_USER_INPUT on confirmation', async () => {
    const without = await refusedWith(request({ planId: 'plan-1', mode: 'RECOVERY' }, { requestId: 'req-a' }));
    expect(without).toMatchObject({ code: 'BAD_USER_INPUT', field: 'confirmation', message: 'confirmation: type the plan\'s name "Three tier app" to confirm a real recovery' });
    const wrong = await refusedWith(request({ ...recovery, confirmation: 'three tier app' }, { requestId: 'req-b' }));
    expect(wrong).toMatchObject({ code: 'BAD_USER_INPUT', field: 'confirmation' });
    expect(await executions()).toEqual([]);
  });

  it('an unknown plan: NOT_FOUND; servers in use by another execution: CONFLICT naming it', async () => {
    expect(await refusedWith(request({ planId: 'plan-9', mode: 'DRILL' }, { requestId: 'req-a' }))).toMatchObject({ code: 'NOT_FOUND', field: 'planId', planId: 'plan-9' });
    const first = await handleStartRequest(deps, request(drill, { requestId: 'req-b' }));
    const firstId = first.outcome === 'STARTED' ? first.executionId : '';
    const conflict = await refusedWith(request(drill, { requestId: 'req-c' }));
    expect(conflict).toMatchObject({ code: 'CONFLICT', field: 'planId' });
    expect(conflict.message).toContain(`in use by DRILL ${firstId}`);
    expect(await executions()).toEqual([`execution/${firstId}`]);
  });

  it('a request that does not match its schema: BAD_USER_INPUT with each problem', async () => {
    const data = await refusedWith(request({ planId: 'plan-1', mode: 'FAILOVER', options: { waveIds: 'db' } }));
    expect(data).toMatchObject({ code: 'BAD_USER_INPUT', planId: 'plan-1' });
    expect((published[0]?.data as { problems: { field: string }[] }).problems.map((p) => p.field)).toEqual(expect.arrayContaining(['mode', 'options.waveIds']));
    expect(await executions()).toEqual([]);
  });

  it('a request without a usable requestId cannot be answered: it fails (into the dead-letter queue)', async () => {
    const envelope = request(drill);
    (envelope.detail as { metadata: Record<string, unknown> }).metadata = { requestId: 'has spaces' };
    await expect(handleStartRequest(deps, envelope)).rejects.toBeInstanceOf(EventValidationError);
    expect(published).toEqual([]);
  });
});

describe('one request, one execution', () => {
  it('a redelivered or re-sent request starts nothing twice', async () => {
    const envelope = request(drill);
    const first = await handleStartRequest(deps, envelope);
    const again = await handleStartRequest(deps, envelope);
    now = new Date(T0.getTime() + 3_600_000);
    const resent = await handleStartRequest(deps, request(drill, { id: 'another-event' }));
    expect(first).toMatchObject({ outcome: 'STARTED', repeated: false });
    const executionId = first.outcome === 'STARTED' ? first.executionId : '';
    expect(again).toEqual({ outcome: 'STARTED', executionId, repeated: true });
    expect(resent).toEqual({ outcome: 'STARTED', executionId, repeated: true });
    expect(await executions()).toEqual([`execution/${executionId}`]);
    expect(published).toEqual([]);
  });

  it('a refused request is answered again with the same refusal', async () => {
    await handleStartRequest(deps, request({ planId: 'plan-1', mode: 'RECOVERY' }));
    await handleStartRequest(deps, request({ planId: 'plan-1', mode: 'RECOVERY' }));
    expect(published).toHaveLength(2);
    expect(published[1]).toEqual(published[0]);
  });

  it('the same requestId with other content is refused (CONFLICT) and starts nothing', async () => {
    const first = await handleStartRequest(deps, request(drill));
    const other = await handleStartRequest(deps, request({ ...drill, planVersion: 2 }));
    expect(other).toMatchObject({ outcome: 'REFUSED', refusal: { data: { code: 'CONFLICT', field: 'requestId' } } });
    expect(await executions()).toEqual([`execution/${first.outcome === 'STARTED' ? first.executionId : ''}`]);
  });

  it('a crash between the start and its record: the retry finds the execution it reserved', async () => {
    const finish = requests.finish.bind(requests);
    requests.finish = async () => {
      throw new Error('crashed');
    };
    await expect(handleStartRequest(deps, request(drill))).rejects.toThrow('crashed');
    const [streamId] = await executions();
    requests.finish = finish;
    // Another delivery while the first handling still holds the request: tried again later.
    await expect(handleStartRequest(deps, request(drill))).rejects.toBeInstanceOf(StartRequestBusyError);
    now = new Date(T0.getTime() + 121_000);
    const retried = await handleStartRequest(deps, request(drill));
    expect(retried).toMatchObject({ outcome: 'STARTED' });
    expect(`execution/${retried.outcome === 'STARTED' ? retried.executionId : ''}`).toBe(streamId);
    expect(await executions()).toEqual([streamId]);
  });

  it('a failing dependency is no answer: the request is let go and tried again, nothing is refused', async () => {
    planningDown = true;
    await expect(handleStartRequest(deps, request(drill))).rejects.toThrow(/startExecution failed \(INTERNAL/);
    expect(published).toEqual([]);
    planningDown = false;
    expect(await handleStartRequest(deps, request(drill))).toMatchObject({ outcome: 'STARTED' });
  });
});

describe('the trigger sources (EXECUTION_TRIGGER_SOURCES)', () => {
  it('reads sources and roles, and refuses what cannot be a source or a role', () => {
    expect([...parseTriggerSources(SOURCES)]).toEqual([['lifeboat.runbook', { role: 'RecoveryManager' }], ['lifeboat.alarm', { role: 'Operator' }]]);
    expect(parseTriggerSources('{}').size).toBe(0);
    for (const bad of ['nope', '[]', '{"aws.cloudwatch":{"role":"Operator"}}', '{"lifeboat.execution":{"role":"Operator"}}', '{"lifeboat.runbook":{"role":"Root"}}', '{"lifeboat.runbook":"Operator"}', '{"lifeboat.runbook":{"role":"Operator","plans":["x"]}}']) {
      expect(() => parseTriggerSources(bad)).toThrow(TriggerSourcesError);
    }
  });

  it('serverless.yml: the default configuration parses and the rule listens to exactly its sources', () => {
    const yml = parse(readFileSync(fileURLToPath(new URL('../serverless.yml', import.meta.url)), 'utf8'), { logLevel: 'silent' }) as {
      params: { default: { executionTriggerSources: string } };
      functions: { onExecutionStartRequested: { environment: Record<string, string>; events: { eventBridge: { pattern: { source: string[]; 'detail-type': string[] } } }[] } };
    };
    const sources = parseTriggerSources(yml.params.default.executionTriggerSources);
    const fn = yml.functions.onExecutionStartRequested;
    expect(fn.environment.EXECUTION_TRIGGER_SOURCES).toBe('${param:executionTriggerSources}');
    expect(fn.events.map((e) => e.eventBridge.pattern)).toEqual([{ source: [...sources.keys()], 'detail-type': ['ExecutionStartRequested'] }]);
  });
});

describe('the contracts of ExecutionStartRequested and ExecutionStartRefused', () => {
  const runbookRequest = { metadata: { requestId: '4105a4fc-f944-11e6-9d32-0123456789ab' }, data: { planId: 'plan-1', mode: 'DRILL', requestedBy: RUNBOOK_ROLE } };
  const fullRequest = {
    metadata: { requestId: 'alarm/db-latency:2025-04-01T08:00:00Z', eventId: '01JQ0000000000000000000000', schemaVersion: 1, occurredAt: '2025-04-01T08:00:00.000Z', actor: { type: 'service', id: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:db-latency' } },
    data: {
      planId: 'plan-1',
      planVersion: 4,
      mode: 'RECOVERY',
      confirmation: 'Three tier app',
      options: { waveIds: ['db'], sourceServerIds: [sid(1)], pointsInTime: [{ sourceServerId: sid(1), pointInTime: { type: 'LATEST_BEFORE', before: '2025-04-01T07:00:00.000Z' } }] },
      requestedBy: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:db-latency',
      reason: 'db latency alarm',
    },
  };

  it.each([
    ['what a runbook sends (only requestId in metadata)', runbookRequest],
    ['every field', fullRequest],
  ])('ExecutionStartRequested accepts %s', (_name, detail) => {
    expect(() => validateEventDetail('ExecutionStartRequested', detail)).not.toThrow();
  });

  it.each([
    ['no requestId', { ...runbookRequest, metadata: {} }],
    ['a requestId with spaces', { ...runbookRequest, metadata: { requestId: 'a b' } }],
    ['no requestedBy', { ...runbookRequest, data: { planId: 'plan-1', mode: 'DRILL' } }],
    ['an unknown mode', { ...runbookRequest, data: { ...runbookRequest.data, mode: 'FAILBACK' } }],
    ['an unknown field', { ...runbookRequest, data: { ...runbookRequest.data, roles: ['Admin'] } }],
    ['a malformed server id', { ...runbookRequest, data: { ...runbookRequest.data, options: { sourceServerIds: ['web-1'] } } }],
  ])('ExecutionStartRequested refuses %s', (_name, detail) => {
    expect(() => validateEventDetail('ExecutionStartRequested', detail)).toThrow(EventValidationError);
  });

  it('ExecutionStartRefused carries the request, the code and the message', () => {
    const metadata = { eventId: ulidOf(T0.getTime(), 'x'), schemaVersion: 1, occurredAt: T0.toISOString(), correlationId: 'plan-1', causationId: 'req-1', actor: { type: 'service', id: 'lifeboat-execution' } };
    expect(() => validateEventDetail('ExecutionStartRefused', { metadata, data: { requestId: 'req-1', source: 'lifeboat.runbook', planId: 'plan-1', mode: 'DRILL', code: 'CONFLICT', message: 'in use', field: 'planId' } })).not.toThrow();
    expect(() => validateEventDetail('ExecutionStartRefused', { metadata, data: { requestId: 'req-1', source: 'lifeboat.runbook', code: 'INTERNAL', message: 'x' } })).toThrow(EventValidationError);
    expect(() => validateEventDetail('ExecutionStartRefused', { metadata, data: { requestId: 'req-1', source: 'lifeboat.runbook', code: 'FORBIDDEN' } })).toThrow(EventValidationError);
  });

  it('a refusal id is a ULID of the delivery: the same delivery, the same id', () => {
    expect(ulidOf(T0.getTime(), 'a')).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ulidOf(T0.getTime(), 'a')).toBe(ulidOf(T0.getTime(), 'a'));
    expect(ulidOf(T0.getTime(), 'a')).not.toBe(ulidOf(T0.getTime(), 'b'));
    // The time part encodes the delivery's time (48 bits, Crockford base 32), as any ULID's.
    expect(ulidOf(T0.getTime(), 'a').slice(0, 10)).toBe('01JQR5TJ00');
  });
});
