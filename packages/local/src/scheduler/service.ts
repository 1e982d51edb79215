import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A one-time schedule as EventBridge Scheduler keeps it. */
export interface ScheduleRecord {
  name: string;
  groupName: string;
  arn: string;
  expression: string;
  timezone: string;
  target: { Arn: string; RoleArn: string; Input?: string };
  actionAfterCompletion: 'NONE' | 'DELETE';
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  createdAt: number;
  fireAt: number;
  completed?: boolean;
}

interface SchedulerOptions {
  region: string;
  accountId: string;
  /** Folder for schedules.json and dead letters; memory only when omitted. */
  dataDir?: string;
  /** Invokes a Lambda target by function name. */
  invoke: (functionName: string, payload: unknown) => Promise<unknown>;
  log?: (line: string) => void;
  retryBaseMs?: number;
  maxAttempts?: number;
  /**
   * Scales the wait until a schedule fires (0.1: an approval's 60-second timeout fires after 6 s),
   * as the DRS simulator's clock scales launches, so that long timers can be tried locally.
   * The schedule itself keeps its time. Default 1.
   */
  timeScale?: number;
}

class SchedulerError extends Error {
  constructor(readonly type: string, readonly status: number, message: string) {
    super(message);
  }
}

const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;

/**
 * The local Amazon EventBridge Scheduler: CreateSchedule / GetSchedule / DeleteSchedule / ListSchedules
 * over its REST protocol for one-time `at()` schedules with Lambda targets, persisted so that a
 * timer survives a restart (an overdue one fires at start), retried with backoff when the target
 * fails, then written to a dead-letter file.
 */
export class LocalScheduler {
  private readonly schedules = new Map<string, ScheduleRecord>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly file: string | undefined;
  private closed = false;

  constructor(private readonly options: SchedulerOptions) {
    if (options.dataDir) {
      const dir = path.join(options.dataDir, 'scheduler');
      fs.mkdirSync(dir, { recursive: true });
      this.file = path.join(dir, 'schedules.json');
      if (fs.existsSync(this.file)) {
        for (const record of JSON.parse(fs.readFileSync(this.file, 'utf8')) as ScheduleRecord[]) this.schedules.set(key(record.groupName, record.name), record);
      }
    }
  }

  /** Arms every persisted schedule that has not fired yet. */
  start(): number {
    let armed = 0;
    for (const record of this.schedules.values()) {
      if (!record.completed && record.state === 'ENABLED') {
        this.arm(record, 1);
        armed++;
      }
    }
    return armed;
  }

  list(): ScheduleRecord[] {
    return [...this.schedules.values()];
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Answers the Scheduler routes; false for any other request. */
  async route(req: IncomingMessage, res: ServerResponse, body: string): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://local');
    const match = /^\/schedules(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) return false;
    const name = match[1] ? decodeURIComponent(match[1]) : undefined;
    const group = url.searchParams.get('groupName') ?? 'default';
    try {
      if (!name && req.method === 'GET') return send(res, 200, { Schedules: this.summaries(url.searchParams.get('ScheduleGroup') ?? undefined, url.searchParams.get('NamePrefix') ?? undefined) });
      if (!name) throw new SchedulerError('ValidationException', 400, 'A schedule name is required');
      if (req.method === 'POST') return send(res, 200, { ScheduleArn: this.create(name, JSON.parse(body || '{}') as Record<string, unknown>).arn });
      if (req.method === 'GET') return send(res, 200, this.describe(this.get(group, name)));
      if (req.method === 'DELETE') {
        this.get(group, name);
        this.remove(group, name);
        return send(res, 200, {});
      }
      throw new SchedulerError('ValidationException', 400, `${req.method} ${url.pathname} is not supported locally`);
    } catch (error) {
      if (error instanceof SchedulerError) {
        res.writeHead(error.status, { 'content-type': 'application/json', 'x-amzn-errortype': error.type });
        res.end(JSON.stringify({ Message: error.message }));
        return true;
      }
      throw error;
    }
  }

  private create(name: string, input: Record<string, unknown>): ScheduleRecord {
    if (!NAME.test(name)) throw new SchedulerError('ValidationException', 400, 'Name must be 1-64 letters, digits, -, _ or .');
    const groupName = typeof input.GroupName === 'string' ? input.GroupName : 'default';
    if (this.schedules.has(key(groupName, name))) throw new SchedulerError('ConflictException', 409, `Schedule ${name} already exists.`);
    const expression = String(input.ScheduleExpression ?? '');
    const at = AT.exec(expression);
    if (!at) throw new SchedulerError('ValidationException', 400, `Only one-time at(yyyy-mm-ddThh:mm:ss) schedules are emulated locally, not ${expression}`);
    const timezone = typeof input.ScheduleExpressionTimezone === 'string' ? input.ScheduleExpressionTimezone : 'UTC';
    if (timezone !== 'UTC') throw new SchedulerError('ValidationException', 400, 'Only the UTC time zone is emulated locally');
    const target = input.Target as ScheduleRecord['target'] | undefined;
    if (!target?.Arn || !target.RoleArn) throw new SchedulerError('ValidationException', 400, 'Target.Arn and Target.RoleArn are required');
    if (!target.Arn.includes(':lambda:') || !target.Arn.includes(':function:')) throw new SchedulerError('ValidationException', 400, 'Only Lambda targets are emulated locally');
    if ((input.FlexibleTimeWindow as { Mode?: string } | undefined)?.Mode === undefined) throw new SchedulerError('ValidationException', 400, 'FlexibleTimeWindow is required');
    const record: ScheduleRecord = {
      name,
      groupName,
      arn: `arn:aws:scheduler:${this.options.region}:${this.options.accountId}:schedule/${groupName}/${name}`,
      expression,
      timezone,
      target,
      actionAfterCompletion: input.ActionAfterCompletion === 'DELETE' ? 'DELETE' : 'NONE',
      state: input.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      ...(typeof input.Description === 'string' ? { description: input.Description } : {}),
      createdAt: Date.now(),
      fireAt: this.scaled(Date.parse(`${at[1]}Z`)),
    };
    this.schedules.set(key(groupName, name), record);
    this.save();
    if (record.state === 'ENABLED') this.arm(record, 1);
    return record;
  }

  /** When a schedule due at `dueAt` fires on this scheduler's clock. */
  private scaled(dueAt: number): number {
    const scale = this.options.timeScale ?? 1;
    if (scale === 1) return dueAt;
    const now = Date.now();
    return now + Math.max(0, dueAt - now) * scale;
  }

  private get(group: string, name: string): ScheduleRecord {
    const record = this.schedules.get(key(group, name));
    if (!record) throw new SchedulerError('ResourceNotFoundException', 404, `Schedule ${name} does not exist.`);
    return record;
  }

  private remove(group: string, name: string): void {
    const id = key(group, name);
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.schedules.delete(id);
    this.save();
  }

  private arm(record: ScheduleRecord, attempt: number, delayOverride?: number): void {
    if (this.closed) return;
    const id = key(record.groupName, record.name);
    const delay = delayOverride ?? Math.max(0, record.fireAt - Date.now());
    const timer = setTimeout(() => void this.fire(record, attempt), Math.min(delay, 2 ** 31 - 1));
    timer.unref();
    this.timers.set(id, timer);
  }

  private async fire(record: ScheduleRecord, attempt: number): Promise<void> {
    const id = key(record.groupName, record.name);
    this.timers.delete(id);
    if (!this.schedules.has(id) || this.closed) return;
    const functionName = record.target.Arn.split(':function:')[1]?.split(':')[0] ?? '';
    try {
      await this.options.invoke(functionName, record.target.Input === undefined ? {} : JSON.parse(record.target.Input));
      if (record.actionAfterCompletion === 'DELETE') this.remove(record.groupName, record.name);
      else {
        record.completed = true;
        this.save();
      }
    } catch (error) {
      const maxAttempts = this.options.maxAttempts ?? 185;
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= maxAttempts) {
        this.options.log?.(`schedule ${record.name}: giving up after ${attempt} attempts (${message})`);
        if (this.options.dataDir) fs.appendFileSync(path.join(this.options.dataDir, 'scheduler', 'dead-letters.jsonl'), JSON.stringify({ schedule: record, attempts: attempt, error: message, failedAt: new Date().toISOString() }) + '\n');
        record.completed = true;
        this.save();
        return;
      }
      const delay = Math.min(60_000, (this.options.retryBaseMs ?? 500) * 2 ** Math.min(attempt - 1, 10));
      this.options.log?.(`schedule ${record.name}: target failed (${message}); retrying in ${delay} ms`);
      this.arm(record, attempt + 1, delay);
    }
  }

  private describe(record: ScheduleRecord): Record<string, unknown> {
    return {
      Arn: record.arn,
      GroupName: record.groupName,
      Name: record.name,
      ScheduleExpression: record.expression,
      ScheduleExpressionTimezone: record.timezone,
      State: record.state,
      Target: record.target,
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: record.actionAfterCompletion,
      CreationDate: Math.floor(record.createdAt / 1000),
      LastModificationDate: Math.floor(record.createdAt / 1000),
      ...(record.description ? { Description: record.description } : {}),
    };
  }

  private summaries(group: string | undefined, prefix: string | undefined): Record<string, unknown>[] {
    return [...this.schedules.values()]
      .filter((r) => (!group || r.groupName === group) && (!prefix || r.name.startsWith(prefix)))
      .map((r) => ({ Arn: r.arn, GroupName: r.groupName, Name: r.name, State: r.state, CreationDate: Math.floor(r.createdAt / 1000), LastModificationDate: Math.floor(r.createdAt / 1000), Target: { Arn: r.target.Arn } }));
  }

  private save(): void {
    if (this.file) fs.writeFileSync(this.file, JSON.stringify([...this.schedules.values()], null, 2));
  }
}

function key(group: string, name: string): string {
  return `${group}/${name}`;
}

function send(res: ServerResponse, status: number, body: unknown): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return true;
}
