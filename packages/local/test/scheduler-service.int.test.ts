import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ConflictException, CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, ResourceNotFoundException, SchedulerClient, ValidationException } from '@aws-sdk/client-scheduler';
import { LocalEventBus } from '../src/eventbridge/bus.js';
import { startAwsEndpoint } from '../src/lambda/endpoint.js';
import { LocalLambdaRuntime } from '../src/lambda/runtime.js';
import { LocalScheduler } from '../src/scheduler/service.js';

const settings = { accountId: '123456789012', region: 'us-east-1' };
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** `at()` in UTC, `ms` from now, to the second (as EventBridge Scheduler takes it). */
function atIn(ms: number): string {
  return `at(${new Date(Date.now() + ms).toISOString().slice(0, 19)})`;
}

async function start(options: { dataDir?: string; timeScale?: number; invoke: (name: string, payload: unknown) => Promise<unknown> }) {
  const schedules = new LocalScheduler({
    ...settings,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    invoke: options.invoke,
    retryBaseMs: 10,
  });
  const lambda = new LocalLambdaRuntime([], settings);
  const endpoint = await startAwsEndpoint(lambda, new LocalEventBus({ ...settings, buses: ['default'] }), schedules);
  cleanup.push(() => endpoint.close(), () => schedules.close());
  const client = new SchedulerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  return { schedules, client };
}

const create = (name: string, expression: string, input: object) =>
  new CreateScheduleCommand({
    Name: name,
    ScheduleExpression: expression,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: { Arn: 'arn:aws:lambda:us-east-1:123456789012:function:lifeboat-execution-local-timerElapsed', RoleArn: 'arn:aws:iam::123456789012:role/scheduler', Input: JSON.stringify(input) },
  });

describe('the local EventBridge Scheduler', () => {
  it('given a one-time schedule, when its time comes, then the target Lambda gets its input and the schedule is deleted', async () => {
    const calls: [string, unknown][] = [];
    const { client } = await start({ invoke: async (name, payload) => void calls.push([name, payload]) });
    const created = await client.send(create('exec-1-wait-s1', atIn(0), { executionId: 'exec-1', timerId: 'wait:s1' }));
    expect(created.ScheduleArn).toBe('arn:aws:scheduler:us-east-1:123456789012:schedule/default/exec-1-wait-s1');
    await until(() => calls.length === 1);
    expect(calls[0]).toEqual(['lifeboat-execution-local-timerElapsed', { executionId: 'exec-1', timerId: 'wait:s1' }]);
    await expect(client.send(new GetScheduleCommand({ Name: 'exec-1-wait-s1' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('given an existing name, then CreateSchedule answers ConflictException; GetSchedule and DeleteSchedule work as on AWS', async () => {
    const { client } = await start({ invoke: async () => undefined });
    await client.send(create('later', atIn(3_600_000), { n: 1 }));
    await expect(client.send(create('later', atIn(3_600_000), { n: 2 }))).rejects.toBeInstanceOf(ConflictException);
    const got = await client.send(new GetScheduleCommand({ Name: 'later' }));
    expect(got).toMatchObject({ Name: 'later', GroupName: 'default', State: 'ENABLED', ActionAfterCompletion: 'DELETE', Target: { Input: JSON.stringify({ n: 1 }) } });
    await client.send(new DeleteScheduleCommand({ Name: 'later' }));
    await expect(client.send(new DeleteScheduleCommand({ Name: 'later' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(create('every', 'rate(5 minutes)', {}))).rejects.toBeInstanceOf(ValidationException);
  });

  it('given a time scale of 0.01, when a schedule is due in 60 s, then it fires within a second and still says its own time', async () => {
    const fired: number[] = [];
    const { client } = await start({ timeScale: 0.01, invoke: async () => void fired.push(Date.now()) });
    const expression = atIn(60_000);
    const created = Date.now();
    await client.send(create('approval-timeout', expression, {}));
    const got = await client.send(new GetScheduleCommand({ Name: 'approval-timeout' }));
    expect(got.ScheduleExpression).toBe(expression);
    await until(() => fired.length === 1, 3_000);
    expect(fired[0]! - created).toBeGreaterThanOrEqual(500);
  });

  it('given a target that fails, then the schedule is retried until it succeeds', async () => {
    let attempts = 0;
    const { client } = await start({ invoke: async () => { attempts++; if (attempts < 3) throw new Error('busy'); } });
    await client.send(create('flaky', atIn(0), {}));
    await until(() => attempts === 3);
  });

  it('given schedules persisted when the process stopped, when it starts again, then an overdue one fires at once and a future one stays armed', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-scheduler-'));
    const first = await start({ dataDir, invoke: async () => undefined });
    await first.client.send(create('overdue', atIn(1500), { which: 'overdue' }));
    await first.client.send(create('future', atIn(3_600_000), { which: 'future' }));
    first.schedules.close();

    await new Promise((r) => setTimeout(r, 1600));
    const calls: unknown[] = [];
    const second = new LocalScheduler({ ...settings, dataDir, invoke: async (_name, payload) => void calls.push(payload) });
    cleanup.push(() => second.close());
    expect(second.start()).toBe(2);
    await until(() => calls.length === 1, 5000);
    expect(calls).toEqual([{ which: 'overdue' }]);
    expect(second.list().map((s) => s.name)).toEqual(['future']);
  });
});
