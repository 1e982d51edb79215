import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { eventually, graphql, login, startStackProcess, type RunningStack } from '../support/local-stack-process.js';

const ADMIN_PASSWORD = 'scenario-admin-password';

// Each test starts or drives the whole local stack: allow more than the 60 s default.
jest.setTimeout(180_000);

interface ExecutionEventView {
  streamVersion: number;
  eventId: string;
  type: string;
  data: { waveId?: string; sourceServerId?: string };
  previousHash: string | null;
  hash: string;
}

interface ExecutionDetail {
  id: string;
  status: string;
  mode: string;
  waves: { id: string; name: string; status: string; servers: { sourceServerId: string; hostname: string; status: string; jobId: string | null; recoveryInstanceId: string | null; checks: { name: string; status: string; durationMs: number }[] }[] }[];
}

const EXECUTION_FIELDS = 'id status mode planName waves { id name status servers { sourceServerId hostname status jobId recoveryInstanceId checks { name status durationMs } } }';

describe('walking skeleton: a drill of the demo plan, end to end through the local stack', () => {
  let stack: RunningStack;
  let token: string;
  let ws: Client | undefined;

  beforeAll(async () => {
    stack = await startStackProcess({ adminPassword: ADMIN_PASSWORD });
    token = await login(stack.url, 'admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await ws?.dispose();
    await stack?.stop();
  });

  it('refuses GraphQL without a token', async () => {
    const result = await graphql(stack.url, undefined, '{ recoveryPlans { items { id } } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('runs a DRILL of "Orders 3-tier": all 6 servers launched, waves in dependency order, live over subscriptions, audited in the stream and the archive', async () => {
    // Given the seeded demo plan
    const plans = await graphql<{ recoveryPlans: { items: { id: string; name: string; version: number; waves: { id: string; name: string; dependsOn: string[] }[] }[] } }>(stack.url, token, '{ recoveryPlans { items { id name version waves { id name dependsOn } } } }');
    expect(plans.errors).toBeUndefined();
    const plan = plans.data?.recoveryPlans.items.find((p) => p.name === 'Orders 3-tier');
    expect(plan?.waves.map((w) => w.name)).toEqual(['Database', 'App', 'Web']);

    // When a DRILL starts
    const started = await graphql<{ startExecution: ExecutionDetail }>(stack.url, token, `mutation($input: StartExecutionInput!) { startExecution(input: $input) { ${EXECUTION_FIELDS} } }`, { input: { planId: plan?.id, mode: 'DRILL' } });
    expect(started.errors).toBeUndefined();
    const executionId = started.data?.startExecution.id ?? '';
    expect(started.data?.startExecution.mode).toBe('DRILL');

    // Then subscription updates arrive over graphql-ws until it completes
    ws = createClient({ url: stack.url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    const pushedEvents: string[] = [];
    const pushedStatuses: string[] = [];
    const completedLive = new Promise<void>((resolve, reject) => {
      ws?.subscribe<{ executionEvents: { type: string } }>({ query: 'subscription($id: ID!) { executionEvents(id: $id) { type streamVersion } }', variables: { id: executionId } }, {
        next: (message) => {
          const type = message.data?.executionEvents.type;
          if (type) pushedEvents.push(type);
          if (type === 'ExecutionCompleted' || type === 'ExecutionFailed') resolve();
        },
        error: reject,
        complete: () => undefined,
      });
      ws?.subscribe<{ executionUpdated: { status: string } }>({ query: 'subscription($id: ID!) { executionUpdated(id: $id) { id status } }', variables: { id: executionId } }, {
        next: (message) => {
          if (message.data) pushedStatuses.push(message.data.executionUpdated.status);
        },
        error: reject,
        complete: () => undefined,
      });
    });
    const finished = await eventually(async () => {
      const result = await graphql<{ execution: ExecutionDetail }>(stack.url, token, `query($id: ID!) { execution(id: $id) { ${EXECUTION_FIELDS} } }`, { id: executionId });
      const status = result.data?.execution.status;
      return status === 'COMPLETED' || status === 'FAILED' ? result.data?.execution : undefined;
    }, 120_000, 'the drill finishing');
    let liveTimer: NodeJS.Timeout | undefined;
    await Promise.race([completedLive, new Promise((_, reject) => (liveTimer = setTimeout(() => reject(new Error(`no ExecutionCompleted pushed; got ${pushedEvents.join(',')}`)), 10_000)))]).finally(() => clearTimeout(liveTimer));

    expect(finished.status).toBe('COMPLETED');
    const servers = finished.waves.flatMap((w) => w.servers);
    expect(servers).toHaveLength(6);
    expect(servers.every((s) => s.status === 'VERIFIED' && s.jobId && s.recoveryInstanceId)).toBe(true);
    // Each server's checks, in order, as the execution detail shows them (the demo sets no health-check documents or probes).
    for (const server of servers) {
      expect(server.checks.filter((c) => c.status !== 'SKIPPED').map((c) => [c.name, c.status])).toEqual([
        ['ec2-running-and-status-checks', 'PASSED'],
        ['ssm-agent-online', 'PASSED'],
        ['drs-post-launch-actions', 'PASSED'],
      ]);
    }
    expect(finished.waves.map((w) => [w.name, w.status])).toEqual([['Database', 'COMPLETED'], ['App', 'COMPLETED'], ['Web', 'COMPLETED']]);
    expect(pushedEvents).toContain('WaveCompleted');
    expect(pushedStatuses.length).toBeGreaterThan(0);

    // The stream is readable through the API, hash-chained, and shows Database before App before Web.
    const streamResult = await graphql<{ executionEvents: ExecutionEventView[] }>(stack.url, token, 'query($id: ID!) { executionEvents(id: $id) { streamVersion eventId type data previousHash hash } }', { id: executionId });
    const stream = streamResult.data?.executionEvents ?? [];
    expect(stream.map((e) => e.streamVersion)).toEqual(stream.map((_, i) => i + 1));
    stream.forEach((event, i) => expect(event.previousHash).toBe(i === 0 ? null : stream[i - 1]?.hash));
    const waveIdOf = (name: string) => finished.waves.find((w) => w.name === name)?.id;
    const at = (type: string, wave: string) => stream.findIndex((e) => e.type === type && e.data.waveId === waveIdOf(wave));
    expect(at('WaveCompleted', 'Database')).toBeGreaterThan(-1);
    expect(at('WaveCompleted', 'Database')).toBeLessThan(at('WaveStarted', 'App'));
    expect(at('WaveCompleted', 'App')).toBeLessThan(at('WaveStarted', 'Web'));
    const launchRequests = stream.filter((e) => e.type === 'ServerLaunchRequested').map((e) => e.data.sourceServerId);
    expect(new Set(launchRequests).size).toBe(6);
    expect(launchRequests).toHaveLength(6);

    // The bus archive holds every published event of the execution.
    const archive = await eventually(async () => {
      const lines = fs.readFileSync(path.join(stack.dataDir, 'eventbridge', 'lifeboat-local.archive.jsonl'), 'utf8').split('\n').filter(Boolean);
      const ids = new Set(lines.map((l) => (JSON.parse(l) as { detail: { metadata?: { eventId?: string } } }).detail.metadata?.eventId));
      return stream.every((e) => ids.has(e.eventId)) ? ids : undefined;
    }, 10_000, 'every stream event reaching the archive');
    expect(archive.size).toBeGreaterThanOrEqual(stream.length);

    // And DRS saw each server launched exactly once.
    const calls = (await (await fetch(`${stack.drsUrl}/_simulator/calls`)).json()) as { operation: string; input?: { sourceServers?: { sourceServerID: string }[] }; outcome?: string }[] | { calls: { operation: string; input?: { sourceServers?: { sourceServerID: string }[] } }[] };
    const list = Array.isArray(calls) ? calls : calls.calls;
    const launched = list.filter((c) => c.operation === 'StartRecovery').flatMap((c) => (c.input?.sourceServers ?? []).map((s) => s.sourceServerID));
    expect(launched.sort()).toEqual([...new Set(launched)].sort());
    expect(launched).toHaveLength(6);
  });

  it('keeps plans and executions across a restart of the local stack', async () => {
    const before = await graphql<{ executions: { items: { id: string; status: string }[] } }>(stack.url, token, '{ executions(first: 100) { items { id status } } }');
    expect(before.data?.executions.items.length).toBeGreaterThan(0);
    const dataDir = stack.dataDir;
    await stack.stop();
    stack = await startStackProcess({ dataDir, port: stack.port });
    expect(stack.output()).not.toContain('generated now');
    token = await login(stack.url, 'admin', ADMIN_PASSWORD);
    const after = await graphql<{ executions: { items: { id: string; status: string }[] }; recoveryPlans: { items: { name: string }[] } }>(stack.url, token, '{ executions(first: 100) { items { id status } } recoveryPlans { items { name } } }');
    expect(after.data?.recoveryPlans.items.map((p) => p.name)).toEqual(['Orders 3-tier']);
    expect(after.data?.executions).toEqual(before.data?.executions);
  });
});
