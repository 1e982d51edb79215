/**
 * The feeds of the Subscription fields, without a broker or a network: what each does when it
 * opens and when it is told of one bus event, and the pure decisions they rest on.
 */
import { describe, expect, it } from '@jest/globals';
import { createEvent } from '@lifeboat/events';
import type { DomainEvent } from '@lifeboat/events';
import type { ApprovalView, Caller, ExecutionView, SourceServerView } from '@lifeboat/service-api';
import { ForbiddenError, NotFoundError } from '@lifeboat/service-api';
import { typed } from '../src/services.js';
import { approvalListKey, matchesExecutionFilter, matchesInventoryFilter, mayDecide, pendingApprovalsFor } from '../src/subscriptions/filters.js';
import { createSubscriptionFeeds, feedOf, topicsOf } from '../src/subscriptions/feeds.js';
import { callerWith, executionView, fakeServices, fullSourceServerView, gatewayHarness, sourceServerView, storedEvent, streamEvent } from './fixtures.js';

/** Event `version` of an execution's stream, of any type. */
function executionEvent(type: string, executionId: string, version: number, data: Record<string, unknown> = {}): DomainEvent {
  const event = streamEvent(executionId, version);
  return { ...event, type, data: { executionId, ...data } };
}

function catalogEvent(type: string, data: Record<string, unknown>): DomainEvent {
  return createEvent(type, data, { correlationId: String(data.sourceServerId), actor: { type: 'service', id: 'lifeboat-catalog' }, occurredAt: '2025-02-01T08:00:00.000Z' });
}

/** The data of SourceServerDiscovered for a server, as the catalog announces it. */
function announced(server: SourceServerView): Record<string, unknown> {
  const { sourceServerId, accountId, region, arn, hostname, os, tags, replicationState, readyForRecovery } = server;
  return { sourceServerId, accountId, region, arn, hostname, os, tags, replicationState, readyForRecovery };
}

function approval(overrides: Partial<ApprovalView> = {}): ApprovalView {
  return {
    approvalId: 'ap-1',
    kind: 'STEP',
    waveId: 'w-db',
    stepId: 'w-db-pre-1',
    prompt: 'Go?',
    status: 'PENDING',
    permission: 'drill:approve',
    excludedUserIds: [],
    requestedAt: '2025-01-01T12:10:00.000Z',
    ...overrides,
  };
}

function setup() {
  const services = fakeServices();
  const feeds = createSubscriptionFeeds(typed(services));
  return { services, feeds };
}

const viewer = callerWith('Viewer');
const operator = callerWith('Operator');

describe('topicsOf', () => {
  it('sends a stream event to its execution, and a lifecycle event to executions too', () => {
    expect(topicsOf(executionEvent('ServerLaunched', 'exec-1', 3))).toEqual(['execution:exec-1']);
    expect(topicsOf(executionEvent('WaveStarted', 'exec-1', 3))).toEqual(['execution:exec-1', 'executions']);
  });

  it('sends approval events and the events that end or cancel an execution to approvals', () => {
    expect(topicsOf(executionEvent('ApprovalRequested', 'exec-1', 3))).toEqual(['execution:exec-1', 'approvals']);
    expect(topicsOf(executionEvent('ApprovalTimedOut', 'exec-1', 3))).toEqual(['execution:exec-1', 'approvals']);
    expect(topicsOf(executionEvent('CancelRequested', 'exec-1', 3))).toEqual(['execution:exec-1', 'executions', 'approvals']);
    expect(topicsOf(executionEvent('ExecutionFailed', 'exec-1', 3))).toEqual(['execution:exec-1', 'executions', 'approvals']);
  });

  it('sends the catalog events to inventory, and nothing without a stream position', () => {
    expect(topicsOf(catalogEvent('SourceServerRemoved', { sourceServerId: 's-1', accountId: '123456789012', region: 'us-east-1' }))).toEqual(['inventory']);
    const { streamVersion: _v, hash: _h, ...metadata } = executionEvent('ExecutionStarted', 'exec-1', 1).metadata;
    expect(topicsOf({ ...executionEvent('ExecutionStarted', 'exec-1', 1), metadata })).toEqual([]);
  });
});

describe('matchesExecutionFilter', () => {
  const view = executionView({ planId: 'plan-1', mode: 'DRILL', status: 'RUNNING', startedAt: '2025-01-01T12:00:00.000Z' });

  it('keeps every execution without a filter, or with only null fields', () => {
    expect(matchesExecutionFilter(view, undefined)).toBe(true);
    expect(matchesExecutionFilter(view, null)).toBe(true);
    expect(matchesExecutionFilter(view, { planId: null, mode: null, statuses: null, startedAfter: null, startedBefore: null })).toBe(true);
  });

  it('needs every given field to match', () => {
    expect(matchesExecutionFilter(view, { planId: 'plan-1', mode: 'DRILL', statuses: ['PAUSED', 'RUNNING'] })).toBe(true);
    expect(matchesExecutionFilter(view, { planId: 'plan-2' })).toBe(false);
    expect(matchesExecutionFilter(view, { planId: 'plan-1', mode: 'RECOVERY' })).toBe(false);
    expect(matchesExecutionFilter(view, { statuses: ['COMPLETED'] })).toBe(false);
    expect(matchesExecutionFilter(view, { statuses: [] })).toBe(false);
  });

  it('keeps executions started at or after startedAfter and strictly before startedBefore', () => {
    expect(matchesExecutionFilter(view, { startedAfter: '2025-01-01T12:00:00.000Z' })).toBe(true);
    expect(matchesExecutionFilter(view, { startedAfter: '2025-01-01T12:00:00.001Z' })).toBe(false);
    expect(matchesExecutionFilter(view, { startedBefore: '2025-01-01T12:00:00.000Z' })).toBe(false);
    expect(matchesExecutionFilter(view, { startedBefore: '2025-01-01T12:00:00.001Z' })).toBe(true);
  });
});

describe('matchesInventoryFilter', () => {
  it('needs the given account and region', () => {
    const server = { accountId: '123456789012', region: 'us-east-1' };
    expect(matchesInventoryFilter(server, null)).toBe(true);
    expect(matchesInventoryFilter(server, { accountId: '123456789012', region: null })).toBe(true);
    expect(matchesInventoryFilter(server, { accountId: '111122223333' })).toBe(false);
    expect(matchesInventoryFilter(server, { region: 'eu-west-1' })).toBe(false);
  });
});

describe('mayDecide', () => {
  it('needs a pending approval and its permission', () => {
    expect(mayDecide(approval(), operator)).toBe(true);
    expect(mayDecide(approval({ status: 'GRANTED' }), operator)).toBe(false);
    expect(mayDecide(approval(), viewer)).toBe(false);
    expect(mayDecide(approval({ permission: 'recovery:approve' }), operator)).toBe(false);
    expect(mayDecide(approval({ permission: 'recovery:approve' }), callerWith('RecoveryManager'))).toBe(true);
  });

  it('needs the approver role when set, which an Admin always has', () => {
    const forManagers = approval({ approverRole: 'RecoveryManager' });
    expect(mayDecide(forManagers, operator)).toBe(false);
    expect(mayDecide(forManagers, callerWith('RecoveryManager'))).toBe(true);
    expect(mayDecide(forManagers, callerWith('Admin'))).toBe(true);
  });

  it('refuses an excluded user (the starter of a recovery awaiting a second approver)', () => {
    const manager: Caller = callerWith('RecoveryManager');
    expect(mayDecide(approval({ kind: 'SECOND_APPROVER', permission: 'recovery:approve', excludedUserIds: [manager.userId] }), manager)).toBe(false);
  });
});

describe('pendingApprovalsFor and approvalListKey', () => {
  it('lists the approvals the caller may decide, oldest first, with their execution', () => {
    // given two executions with approvals, one of them decided and one for recovery approvers only
    const first = executionView({ executionId: 'exec-1', approvals: [approval({ approvalId: 'ap-late', requestedAt: '2025-01-01T12:30:00.000Z' }), approval({ approvalId: 'ap-done', status: 'GRANTED' })] });
    const second = executionView({ executionId: 'exec-2', planName: 'ERP', approvals: [approval({ approvalId: 'ap-early', requestedAt: '2025-01-01T12:05:00.000Z' }), approval({ approvalId: 'ap-rec', permission: 'recovery:approve' })] });
    // when an Operator's list is built
    const list = pendingApprovalsFor([first, second], operator);
    // then it holds the two pending drill approvals, oldest first
    expect(list.map((p) => [p.executionId, p.approval.approvalId, p.planName])).toEqual([
      ['exec-2', 'ap-early', 'ERP'],
      ['exec-1', 'ap-late', 'Shop'],
    ]);
  });

  it('keys a list by its approvals, whatever their order', () => {
    const a = executionView({ executionId: 'exec-1', approvals: [approval({ approvalId: 'ap-1' })] });
    const b = executionView({ executionId: 'exec-2', approvals: [approval({ approvalId: 'ap-2' })] });
    const both = pendingApprovalsFor([a, b], operator);
    expect(approvalListKey(both)).toBe(approvalListKey([...both].reverse()));
    expect(approvalListKey(both)).not.toBe(approvalListKey(both.slice(1)));
    expect(approvalListKey([])).not.toBe(approvalListKey(both.slice(0, 1)));
  });
});

describe('the executionEvents and executionUpdated feeds', () => {
  it('open at the execution version, and refuse an unknown execution with NOT_FOUND on id', async () => {
    const { services, feeds } = setup();
    services.execution.on('getExecution', () => executionView({ version: 4 }));
    expect(await feeds.executionEvents.open({ id: 'exec-1' }, viewer)).toEqual({ state: { cursor: 4 }, initial: [] });
    services.execution.on('getExecution', () => {
      throw new NotFoundError('Execution nope does not exist', 'executionId');
    });
    await expect(feeds.executionUpdated.open({ id: 'nope' }, viewer)).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'id' });
  });

  it('executionEvents: pushes nothing for a duplicate, fills a gap from the stream', async () => {
    const { services, feeds } = setup();
    services.execution.on('getExecutionEvents', (input: { afterVersion?: number }) => [3, 4].filter((v) => v > (input.afterVersion ?? 0)).map((v) => storedEvent('exec-1', v)));
    // given version 2 was pushed
    const state = { cursor: 2 };
    // when 2 arrives again, then nothing is pushed and no service is called
    expect(await feeds.executionEvents.next(streamEvent('exec-1', 2), state, { id: 'exec-1' }, viewer)).toEqual({ state, payloads: [] });
    expect(services.execution.calls).toEqual([]);
    // when 5 arrives, then 3 and 4 are read after 2, and 3, 4, 5 are pushed
    const step = await feeds.executionEvents.next(streamEvent('exec-1', 5), state, { id: 'exec-1' }, viewer);
    expect(step.state).toEqual({ cursor: 5 });
    expect(step.payloads.map((e) => e.streamVersion)).toEqual([3, 4, 5]);
    expect(services.execution.calls.map((c) => c.input)).toEqual([{ executionId: 'exec-1', afterVersion: 2 }]);
    expect(feeds.executionEvents.resolve(step.payloads[2]!)).toMatchObject({ streamVersion: 5, hash: 'hash-5' });
  });

  it('executionUpdated: reads the view only for an event newer than the view pushed', async () => {
    const { services, feeds } = setup();
    services.execution.on('getExecution', () => executionView({ version: 7 }));
    // given the view of version 5 was pushed, when event 4 arrives, then nothing is read
    expect((await feeds.executionUpdated.next(streamEvent('exec-1', 4), { cursor: 5 }, { id: 'exec-1' }, viewer)).payloads).toEqual([]);
    expect(services.execution.calls).toEqual([]);
    // when event 6 arrives, then the current view (version 7) is pushed once
    const step = await feeds.executionUpdated.next(streamEvent('exec-1', 6), { cursor: 5 }, { id: 'exec-1' }, viewer);
    expect(step).toEqual({ state: { cursor: 7 }, payloads: [executionView({ version: 7 })] });
    // and event 7, which that view includes, pushes nothing
    expect((await feeds.executionUpdated.next(streamEvent('exec-1', 7), step.state, { id: 'exec-1' }, viewer)).payloads).toEqual([]);
    expect(services.execution.calls).toHaveLength(1);
    expect(feeds.executionUpdated.topicOf({ id: 'exec-1' })).toBe('execution:exec-1');
  });
});

describe('the executions feed', () => {
  it('pushes the view of an execution after a lifecycle event when it matches the filter', async () => {
    const { services, feeds } = setup();
    services.execution.on('getExecution', (input: { executionId: string }) => executionView({ executionId: input.executionId, planId: input.executionId === 'exec-1' ? 'plan-1' : 'plan-2', version: 3 }));
    const args = { filter: { planId: 'plan-1', statuses: ['RUNNING' as const] } };
    const opened = await feeds.executions.open(args, viewer);
    expect(opened.initial).toEqual([]);
    // when a wave of a matching execution starts, then its view is pushed
    const matching = await feeds.executions.next(executionEvent('WaveStarted', 'exec-1', 3), opened.state, args, viewer);
    expect(matching.payloads.map((v) => v.executionId)).toEqual(['exec-1']);
    expect(feeds.executions.resolve(matching.payloads[0]!)).toMatchObject({ id: 'exec-1', planId: 'plan-1', status: 'RUNNING' });
    // when a wave of an execution of another plan starts, then nothing is pushed
    expect((await feeds.executions.next(executionEvent('WaveStarted', 'exec-2', 3), opened.state, args, viewer)).payloads).toEqual([]);
  });

  it('ignores per-server events, and refuses an ExecutionStarted of another plan without a call', async () => {
    const { services, feeds } = setup();
    const args = { filter: { planId: 'plan-1' } };
    expect((await feeds.executions.next(executionEvent('ServerLaunched', 'exec-1', 4), { cursor: 0 }, args, viewer)).payloads).toEqual([]);
    expect((await feeds.executions.next(executionEvent('ExecutionStarted', 'exec-9', 1, { planId: 'plan-9', mode: 'DRILL' }), { cursor: 0 }, args, viewer)).payloads).toEqual([]);
    expect(services.execution.calls).toEqual([]);
  });
});

describe('the inventoryChanged feed', () => {
  it('builds a discovered server from the event, without asking the catalog', async () => {
    const { services, feeds } = setup();
    const event = catalogEvent('SourceServerDiscovered', announced(fullSourceServerView));
    const step = await feeds.inventoryChanged.next(event, { cursor: 0 }, { filter: { accountId: '123456789012' } }, viewer);
    expect(services.catalog.calls).toEqual([]);
    expect(step.payloads).toHaveLength(1);
    const change = feeds.inventoryChanged.resolve(step.payloads[0]!);
    expect(change).toMatchObject({
      kind: 'DISCOVERED',
      sourceServerId: fullSourceServerView.sourceServerId,
      accountId: '123456789012',
      region: 'us-east-1',
      changedFields: [],
      changedAt: '2025-02-01T08:00:00.000Z',
      sourceServer: { id: fullSourceServerView.sourceServerId, hostname: 'erp-01', readyForRecovery: false, tags: [{ key: 'App', value: 'ERP' }], lastSeenAt: '2025-02-01T08:00:00.000Z', fqdn: null },
    });
  });

  it('asks the catalog only when the event lacks a field SourceServer needs', async () => {
    const { services, feeds } = setup();
    services.catalog.on('getSourceServer', () => sourceServerView);
    const { readyForRecovery: _ready, ...lacking } = announced(sourceServerView);
    const step = await feeds.inventoryChanged.next(catalogEvent('SourceServerChanged', { ...lacking, changedFields: ['tags'] }), { cursor: 0 }, {}, viewer);
    expect(services.catalog.calls.map((c) => [c.operation, c.input])).toEqual([['getSourceServer', { sourceServerId: sourceServerView.sourceServerId }]]);
    expect(step.payloads).toEqual([expect.objectContaining({ kind: 'CHANGED', changedFields: ['tags'], sourceServer: sourceServerView })]);
  });

  it('answers a null server when REMOVED, and skips servers outside the filter', async () => {
    const { feeds } = setup();
    const removed = catalogEvent('SourceServerRemoved', { sourceServerId: 's-1', accountId: '123456789012', region: 'us-east-1' });
    expect((await feeds.inventoryChanged.next(removed, { cursor: 0 }, { filter: null }, viewer)).payloads).toEqual([
      { kind: 'REMOVED', sourceServerId: 's-1', accountId: '123456789012', region: 'us-east-1', changedFields: [], sourceServer: null, changedAt: '2025-02-01T08:00:00.000Z' },
    ]);
    expect((await feeds.inventoryChanged.next(removed, { cursor: 0 }, { filter: { region: 'eu-west-1' } }, viewer)).payloads).toEqual([]);
  });
});

describe('the approvalsPending feed', () => {
  function listing(pages: ExecutionView[][]) {
    return (input: { nextToken?: string }) => {
      const index = input.nextToken ? Number(input.nextToken) : 0;
      return { items: pages[index] ?? [], nextToken: index + 1 < pages.length ? String(index + 1) : null };
    };
  }

  it('refuses a Viewer and a PlanAuthor, lets an approver subscribe', () => {
    const { feeds } = setup();
    expect(() => feeds.approvalsPending.authorize(viewer)).toThrow(ForbiddenError);
    expect(() => feeds.approvalsPending.authorize(callerWith('PlanAuthor'))).toThrow('approvalsPending needs the drill:approve or recovery:approve permission');
    expect(() => feeds.approvalsPending.authorize(operator)).not.toThrow();
    expect(() => feedOf(feeds, 'approvalsPending').authorize(callerWith('RecoveryManager'))).not.toThrow();
  });

  it('opens with the whole current list, read from every page of the open executions', async () => {
    const { services, feeds } = setup();
    services.execution.on('listExecutions', listing([[executionView({ executionId: 'exec-1', approvals: [approval({ approvalId: 'ap-1' })] })], [executionView({ executionId: 'exec-2', approvals: [approval({ approvalId: 'ap-2' })] })]]));
    const opened = await feeds.approvalsPending.open({}, operator);
    expect(opened.initial).toHaveLength(1);
    expect(opened.initial[0]!.map((p) => p.approval.approvalId)).toEqual(['ap-1', 'ap-2']);
    expect(services.execution.calls.map((c) => c.input)).toEqual([
      { filter: { statuses: ['RUNNING', 'PAUSED', 'CANCELLING'] }, limit: 100 },
      { filter: { statuses: ['RUNNING', 'PAUSED', 'CANCELLING'] }, limit: 100, nextToken: '1' },
    ]);
    const resolved = feeds.approvalsPending.resolve(opened.initial[0]!) as unknown[];
    expect(resolved[0]).toMatchObject({ executionId: 'exec-1', planId: 'plan-1', planName: 'Shop', mode: 'DRILL', startedBy: 'bob', approval: { id: 'ap-1', status: 'PENDING', approverRoles: ['Operator', 'RecoveryManager', 'Admin'] } });
  });

  it('pushes the list again only when it changed, reading the changed execution from its stream', async () => {
    const { services, feeds } = setup();
    // given a list read model that has not caught up with exec-1's new approval yet
    services.execution.on('listExecutions', listing([[executionView({ executionId: 'exec-1', version: 4, approvals: [] })]]));
    services.execution.on('getExecution', () => executionView({ executionId: 'exec-1', version: 5, approvals: [approval({ approvalId: 'ap-new' })] }));
    const opened = await feeds.approvalsPending.open({}, operator);
    expect(opened.initial).toEqual([[]]);
    // when its ApprovalRequested arrives, then the list with the new approval is pushed
    const requested = await feeds.approvalsPending.next(executionEvent('ApprovalRequested', 'exec-1', 5, { approvalId: 'ap-new' }), opened.state, {}, operator);
    expect(requested.payloads.map((list) => list.map((p) => p.approval.approvalId))).toEqual([['ap-new']]);
    // when the same event arrives again, then nothing is pushed
    const again = await feeds.approvalsPending.next(executionEvent('ApprovalRequested', 'exec-1', 5, { approvalId: 'ap-new' }), requested.state, {}, operator);
    expect(again).toEqual({ state: requested.state, payloads: [] });
    // when the execution fails (its approvals withdrawn), then the empty list is pushed
    services.execution.on('getExecution', () => executionView({ executionId: 'exec-1', version: 6, status: 'FAILED', approvals: [approval({ approvalId: 'ap-new', status: 'WITHDRAWN' })] }));
    const failed = await feeds.approvalsPending.next(executionEvent('ExecutionFailed', 'exec-1', 6), requested.state, {}, operator);
    expect(failed.payloads).toEqual([[]]);
    expect(failed.state).toEqual(opened.state);
  });
});

describe('the pendingApprovals query', () => {
  it('answers the list the caller may decide, and an empty list without a call for a role that approves nothing', async () => {
    const { services, run } = gatewayHarness();
    services.execution.on('listExecutions', () => ({ items: [executionView({ approvals: [approval({ approvalId: 'ap-1' }), approval({ approvalId: 'ap-rec', permission: 'recovery:approve' })] })], nextToken: null }));
    const query = '{ pendingApprovals { executionId planName mode approval { id prompt } } }';
    expect(await run(query, operator)).toEqual({ data: { pendingApprovals: [{ executionId: 'exec-1', planName: 'Shop', mode: 'DRILL', approval: { id: 'ap-1', prompt: 'Go?' } }] } });
    expect(await run(query, viewer)).toEqual({ data: { pendingApprovals: [] } });
    expect(services.execution.calls).toHaveLength(1);
    expect((await run(query, undefined)).errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});
