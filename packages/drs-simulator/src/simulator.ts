/**
 * The in-memory state and rules of Elastic Disaster Recovery, with no HTTP: source servers, jobs,
 * recovery instances, quotas, launch timings, the `aws.drs` events and a log of every call.
 *
 * Time comes from an injected clock, randomness from seeded streams: with a `ManualClock` and a
 * seed, a run is reproducible to the millisecond and to the id.
 */
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import {
  DrsError, QUOTA_CODES, cannotParse, conflict, notFound, quotaExceeded, uninitializedAccount, validationError,
} from './errors.js';
import { demoFleet, type Fleet, type FleetAccount, type FleetServer, type LaunchOutcome, type OperatingSystem } from './fleet.js';
import { IdStream, jobArn, parseDrsArn, recoveryInstanceArn, sourceServerArn } from './ids.js';
import { checkInvariants, type InvariantOptions, type InvariantReport } from './invariants.js';
import type {
  DataReplicationState, DescribeJobsInput, DescribeRecoveryInstancesInput, DescribeSourceServersInput, DrsEvent,
  DrsLaunchResultEvent, Job, JsonValue, Page, PublishEvents, RecoveryInstance, SourceServer, StartRecoveryInput,
  TagsMap, TerminateRecoveryInstancesInput,
} from './model.js';
import { findOperation } from './operations.js';
import { MAX_PAGE_SIZE, paginate } from './paging.js';
import { SeededRandom } from './random.js';

/** DRS quotas per account and region. */
export interface Quotas {
  /** Max source servers in a single Job (L-B827C881): ServiceQuotaExceededException. */
  maxSourceServersPerJob: number;
  /** Concurrent jobs in progress (L-D88FAC3A): ServiceQuotaExceededException. */
  maxConcurrentJobs: number;
  /** Max source servers in all Jobs (L-05AFA8C6): ServiceQuotaExceededException. */
  maxSourceServersInAllJobs: number;
  /** Max concurrent Jobs per source server (L-DD6D028C): ConflictException. */
  maxConcurrentJobsPerSourceServer: number;
}

export const DEFAULT_QUOTAS: Readonly<Quotas> = {
  maxSourceServersPerJob: 100,
  maxConcurrentJobs: 20,
  maxSourceServersInAllJobs: 500,
  maxConcurrentJobsPerSourceServer: 1,
};

/** Durations in simulated milliseconds (multiplied by `timeScale` to get real ones). */
export interface LaunchTimings {
  /** Mean time from StartRecovery to LAUNCHED for a Linux server. */
  linuxMeanMs: number;
  /** Mean time from StartRecovery to LAUNCHED for a Windows server. */
  windowsMeanMs: number;
  /** Standard deviation relative to the mean (0.2 = 20 %); draws are kept within [mean/2, 2 x mean]. */
  jitter: number;
  /** Time a job stays PENDING before it is STARTED and its servers IN_PROGRESS. */
  pendingMs: number;
  /** Time until a server that is not replicating is reported FAILED. */
  notReplicatingFailureMs: number;
  /** Time a TERMINATE job takes. */
  terminateMs: number;
}

export const DEFAULT_LAUNCH_TIMINGS: Readonly<LaunchTimings> = {
  linuxMeanMs: 5 * 60_000,
  windowsMeanMs: 20 * 60_000,
  jitter: 0.2,
  pendingMs: 20_000,
  notReplicatingFailureMs: 90_000,
  terminateMs: 60_000,
};

export const DEFAULT_SEED = 1;
export const DEFAULT_TIME_SCALE = 0.01;

export interface DrsSimulatorOptions {
  fleet?: Fleet;
  seed?: number;
  /**
   * Mixed into the streams of job, recovery-instance and event ids (not source-server ids): a
   * restarted simulator over persisted state passes a new salt so that it never reuses a job id.
   */
  runSalt?: string;
  /** Real time per simulated time: 0.001 turns a 5-minute launch into 0.3 s. Default 0.01. */
  timeScale?: number;
  quotas?: Partial<Quotas>;
  launchTimings?: Partial<LaunchTimings>;
  clock?: Clock;
  publishEvents?: PublishEvents;
  /** Page size of the Describe* operations when the caller gives no maxResults. Default 1000. */
  defaultPageSize?: number;
  /** Region used for a call that carries no SigV4 credential scope. Default: the account's first region. */
  defaultRegion?: string;
}

/** Who is calling: the account and region the call acts in. */
export interface CallerContext {
  accountId: string;
  region: string;
  accessKeyId?: string;
}

/** What a call says about its caller (from the SigV4 Authorization header). */
export interface CallerHints {
  accessKeyId?: string;
  region?: string;
}

export interface CallLogEntry {
  seq: number;
  time: string;
  operation: string;
  accountId: string;
  region: string;
  accessKeyId?: string;
  /** The request input as received (JSON). */
  input: JsonValue;
  /** A one-line summary of the input. */
  summary: string;
  outcome: 'OK' | 'ERROR';
  statusCode: number;
  errorType?: string;
  errorMessage?: string;
  /** StartRecovery: the servers asked for, the tags and isDrill (also when the call failed). */
  sourceServerIDs?: string[];
  tags?: TagsMap;
  isDrill?: boolean;
  /** The job the call created. */
  jobID?: string;
}

export interface EventLogEntry {
  event: DrsEvent;
  /** NOT_PUBLISHED: no publishEvents callback was set when the event was emitted. */
  status: 'PENDING' | 'DELIVERED' | 'FAILED' | 'NOT_PUBLISHED';
  error?: string;
}

export type InvokeResult =
  | { ok: true; statusCode: number; output: unknown }
  | { ok: false; error: DrsError };

export interface ResourceFilter {
  accountId?: string;
  region?: string;
}

interface ServerEntry {
  accountId: string;
  region: string;
  os: OperatingSystem;
  launchOutcome: LaunchOutcome | undefined;
  wire: SourceServer;
}

interface JobEntry {
  accountId: string;
  region: string;
  isDrill: boolean;
  createdAtMs: number;
  wire: Job;
  timers: TimerHandle[];
}

interface InstanceEntry {
  accountId: string;
  region: string;
  wire: RecoveryInstance;
}

const LINUX_FULL_STRING = 'Linux version 5.10.210-201.852.amzn2.x86_64 (mockbuild@ip-10-0-1-10) (gcc 7.3.1) #1 SMP';
const WINDOWS_FULL_STRING = 'Microsoft Windows Server 2019 Datacenter 64-bit';
const GiB = 1024 ** 3;

export const toIso = (ms: number): string => new Date(ms).toISOString();
/** EventBridge event times carry whole seconds. */
export const toIsoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const clone = <T>(value: T): T => structuredClone(value);

function toJson(value: unknown): JsonValue {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as JsonValue;
  } catch {
    return String(value);
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`DrsSimulator: quota ${name} must be a positive integer, got ${value}`);
  return value;
}

export class DrsSimulator {
  readonly seed: number;
  readonly timeScale: number;
  readonly quotas: Readonly<Quotas>;
  readonly timings: Readonly<LaunchTimings>;
  readonly fleet: Fleet;
  private readonly clock: Clock;
  private readonly defaultPageSize: number;
  private readonly defaultRegion: string | undefined;
  private publish: PublishEvents | undefined;

  private servers = new Map<string, ServerEntry>();
  private jobsById = new Map<string, JobEntry>();
  private instances = new Map<string, InstanceEntry>();
  private calls: CallLogEntry[] = [];
  private events: EventLogEntry[] = [];
  private outbox: EventLogEntry[] = [];
  private deliveryQueued = false;
  private inflight = new Set<Promise<void>>();
  private launchOverrides = new Map<string, LaunchOutcome>();
  private jobIds!: IdStream;
  private instanceIds!: IdStream;
  private eventIds!: SeededRandom;
  private durations!: SeededRandom;
  private startedAtMs = 0;
  private stopped = false;
  private readonly runSalt: string;

  constructor(options: DrsSimulatorOptions = {}) {
    this.seed = options.seed ?? DEFAULT_SEED;
    this.runSalt = options.runSalt ? `:${options.runSalt}` : '';
    if (!Number.isInteger(this.seed)) throw new Error(`DrsSimulator: seed must be an integer, got ${this.seed}`);
    this.timeScale = options.timeScale ?? DEFAULT_TIME_SCALE;
    if (!Number.isFinite(this.timeScale) || this.timeScale < 0) throw new Error(`DrsSimulator: timeScale must be a number >= 0, got ${this.timeScale}`);
    const q = { ...DEFAULT_QUOTAS, ...options.quotas };
    this.quotas = {
      maxSourceServersPerJob: positiveInteger('maxSourceServersPerJob', q.maxSourceServersPerJob),
      maxConcurrentJobs: positiveInteger('maxConcurrentJobs', q.maxConcurrentJobs),
      maxSourceServersInAllJobs: positiveInteger('maxSourceServersInAllJobs', q.maxSourceServersInAllJobs),
      maxConcurrentJobsPerSourceServer: positiveInteger('maxConcurrentJobsPerSourceServer', q.maxConcurrentJobsPerSourceServer),
    };
    this.timings = { ...DEFAULT_LAUNCH_TIMINGS, ...options.launchTimings };
    for (const [name, value] of Object.entries(this.timings)) {
      if (!Number.isFinite(value) || value < 0) throw new Error(`DrsSimulator: launchTimings.${name} must be a number >= 0, got ${value}`);
    }
    this.fleet = clone(options.fleet ?? demoFleet());
    if (this.fleet.accounts.length === 0) throw new Error('DrsSimulator: the fleet has no account');
    this.clock = options.clock ?? systemClock;
    this.defaultPageSize = options.defaultPageSize ?? MAX_PAGE_SIZE;
    this.defaultRegion = options.defaultRegion;
    this.publish = options.publishEvents;
    this.reset();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Back to the fleet as loaded: cancels pending launches and clears jobs, instances, logs and events. */
  reset(): void {
    for (const job of this.jobsById.values()) for (const t of job.timers) t.cancel();
    this.servers = new Map();
    this.jobsById = new Map();
    this.instances = new Map();
    this.calls = [];
    this.events = [];
    this.outbox = [];
    this.launchOverrides = new Map();
    this.jobIds = new IdStream(this.seed, `job${this.runSalt}`, 'drsjob-');
    this.instanceIds = new IdStream(this.seed, `recovery-instance${this.runSalt}`, 'i-');
    this.eventIds = SeededRandom.derive(this.seed, `event${this.runSalt}`);
    this.durations = SeededRandom.derive(this.seed, 'launch-duration');
    this.startedAtMs = this.clock.now();
    this.stopped = false;
    const fixedIds = new Set(this.fleet.servers.map((s) => s.sourceServerID).filter((id): id is string => !!id));
    this.fleet.servers.forEach((server, index) => this.addServer(server, index, fixedIds));
  }

  /** Cancels every pending timer; no job progresses and no event is emitted afterwards. */
  stop(): void {
    this.stopped = true;
    for (const job of this.jobsById.values()) for (const t of job.timers) t.cancel();
  }

  setPublishEvents(publish: PublishEvents | undefined): void {
    this.publish = publish;
  }

  /** Resolves once every event emitted so far has been handed to publishEvents and settled. */
  async flushEvents(): Promise<void> {
    if (this.outbox.length > 0) this.deliver();
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  // ---------------------------------------------------------------- reading state (tests, control API)

  get callLog(): readonly CallLogEntry[] {
    return this.calls;
  }

  get eventLog(): readonly EventLogEntry[] {
    return this.events;
  }

  sourceServers(filter: ResourceFilter = {}): SourceServer[] {
    return [...this.servers.values()].filter((s) => matches(s, filter)).map((s) => this.viewServer(s));
  }

  jobs(filter: ResourceFilter = {}): Job[] {
    return [...this.jobsById.values()].filter((j) => matches(j, filter)).map((j) => clone(j.wire));
  }

  recoveryInstances(filter: ResourceFilter = {}): RecoveryInstance[] {
    return [...this.instances.values()].filter((i) => matches(i, filter)).map((i) => clone(i.wire));
  }

  /** Checks the call log: no server launched twice within jobs sharing a tag value, no quota exceeded. */
  checkInvariants(options: InvariantOptions = {}): InvariantReport {
    return checkInvariants(this.calls, this.jobs(), options);
  }

  // ---------------------------------------------------------------- controls for tests and fault injection

  /** Forces the outcome of the next launches of a server (undefined: back to the fleet's setting). */
  setLaunchOutcome(sourceServerID: string, outcome: LaunchOutcome | undefined): void {
    if (!this.servers.has(sourceServerID)) throw new Error(`Unknown source server ${sourceServerID}`);
    if (outcome) this.launchOverrides.set(sourceServerID, outcome);
    else this.launchOverrides.delete(sourceServerID);
  }

  /** Changes a server's replication state (a server that is not CONTINUOUS cannot be launched). */
  setReplicationState(sourceServerID: string, state: DataReplicationState): void {
    const server = this.servers.get(sourceServerID);
    if (!server) throw new Error(`Unknown source server ${sourceServerID}`);
    server.wire.dataReplicationInfo = this.replicationInfo(state, server);
  }

  // ---------------------------------------------------------------- the API

  /** The account a call acts as: the one listing the access key id, otherwise the fleet's first. */
  accountFor(accessKeyId: string | undefined): FleetAccount {
    const listed = accessKeyId ? this.fleet.accounts.find((a) => a.accessKeyIds?.includes(accessKeyId)) : undefined;
    const account = listed ?? this.fleet.accounts[0];
    if (!account) throw new Error('DrsSimulator: the fleet has no account');
    return account;
  }

  /** The caller's account and region; UninitializedAccountException where DRS is not initialized. */
  resolveCaller(hints: CallerHints): CallerContext {
    const account = this.accountFor(hints.accessKeyId);
    const region = hints.region ?? this.defaultRegion ?? account.regions[0] ?? 'us-east-1';
    const ctx: CallerContext = { accountId: account.accountId, region, ...(hints.accessKeyId ? { accessKeyId: hints.accessKeyId } : {}) };
    if (!account.regions.includes(region)) throw uninitializedAccount(account.accountId, region);
    return ctx;
  }

  /** Runs an operation by name on a raw (JSON) input, as the HTTP layer does, and logs the call. */
  async invoke(operation: string, caller: CallerHints, input: unknown): Promise<InvokeResult> {
    const definition = findOperation(operation);
    let ctx: CallerContext | undefined;
    try {
      if (!definition) throw new DrsError('UnknownOperationException', `Unknown operation ${operation}`);
      ctx = this.resolveCaller(caller);
      const record = input ?? {};
      if (!isRecord(record)) throw cannotParse('The request body must be a JSON object');
      const output = definition.run(this, ctx, record);
      const result: InvokeResult = { ok: true, statusCode: definition.successCode, output };
      this.logCall(operation, ctx, input, result);
      return result;
    } catch (thrown) {
      const error = thrown instanceof DrsError ? thrown : new DrsError('InternalServerException', thrown instanceof Error ? thrown.message : String(thrown));
      const result: InvokeResult = { ok: false, error };
      this.logCall(operation, ctx ?? this.fallbackContext(caller), input, result);
      return result;
    }
  }

  /** Logs a call that was refused before it reached an operation (unknown route, unparsable body). */
  rejectCall(operation: string, caller: CallerHints, input: unknown, error: DrsError): InvokeResult {
    const result: InvokeResult = { ok: false, error };
    this.logCall(operation, this.fallbackContext(caller), input, result);
    return result;
  }

  describeSourceServers(ctx: CallerContext, input: DescribeSourceServersInput): Page<SourceServer> {
    const f = input.filters ?? {};
    const ids = f.sourceServerIDs && f.sourceServerIDs.length > 0 ? new Set(f.sourceServerIDs) : undefined;
    const staging = f.stagingAccountIDs && f.stagingAccountIDs.length > 0 ? new Set(f.stagingAccountIDs) : undefined;
    const hardwareId = f.hardwareId ? f.hardwareId.toLowerCase() : undefined;
    const items = [...this.servers.values()]
      .filter((s) => matches(s, ctx))
      .filter((s) => !ids || ids.has(s.wire.sourceServerID))
      .filter((s) => !staging || (s.wire.stagingArea.stagingAccountID !== undefined && staging.has(s.wire.stagingArea.stagingAccountID)))
      .filter((s) => !hardwareId || hardwareIds(s.wire).includes(hardwareId))
      .map((s) => this.viewServer(s));
    return paginate(items, { ...pageOptions(input), defaultPageSize: this.defaultPageSize, scope: `DescribeSourceServers|${ctx.accountId}|${ctx.region}`, query: input.filters });
  }

  describeJobs(ctx: CallerContext, input: DescribeJobsInput): Page<Job> {
    const f = input.filters ?? {};
    const ids = f.jobIDs && f.jobIDs.length > 0 ? new Set(f.jobIDs) : undefined;
    const from = f.fromDate ? Date.parse(f.fromDate) : undefined;
    const to = f.toDate ? Date.parse(f.toDate) : undefined;
    const items = [...this.jobsById.values()]
      .filter((j) => matches(j, ctx))
      .filter((j) => !ids || ids.has(j.wire.jobID))
      .filter((j) => from === undefined || j.createdAtMs >= from)
      .filter((j) => to === undefined || j.createdAtMs <= to)
      .map((j) => clone(j.wire));
    return paginate(items, { ...pageOptions(input), defaultPageSize: this.defaultPageSize, scope: `DescribeJobs|${ctx.accountId}|${ctx.region}`, query: input.filters });
  }

  describeRecoveryInstances(ctx: CallerContext, input: DescribeRecoveryInstancesInput): Page<RecoveryInstance> {
    const f = input.filters ?? {};
    const ids = f.recoveryInstanceIDs && f.recoveryInstanceIDs.length > 0 ? new Set(f.recoveryInstanceIDs) : undefined;
    const servers = f.sourceServerIDs && f.sourceServerIDs.length > 0 ? new Set(f.sourceServerIDs) : undefined;
    const items = [...this.instances.values()]
      .filter((i) => matches(i, ctx))
      .filter((i) => !ids || ids.has(i.wire.recoveryInstanceID))
      .filter((i) => !servers || servers.has(i.wire.sourceServerID))
      .map((i) => clone(i.wire));
    return paginate(items, { ...pageOptions(input), defaultPageSize: this.defaultPageSize, scope: `DescribeRecoveryInstances|${ctx.accountId}|${ctx.region}`, query: input.filters });
  }

  startRecovery(ctx: CallerContext, input: StartRecoveryInput): Job {
    const ids = input.sourceServers.map((s) => s.sourceServerID);
    const duplicates = ids.map((id, i) => ({ id, i })).filter(({ id, i }) => ids.indexOf(id) !== i);
    if (duplicates.length > 0) {
      throw validationError(duplicates.map(({ id, i }) => ({ name: `sourceServers[${i}].sourceServerID`, message: `Source server ${id} is listed more than once` })));
    }
    const servers = ids.map((id) => {
      const server = this.servers.get(id);
      if (!server || !matches(server, ctx)) throw notFound(`Source server ${id} not found in account ${ctx.accountId}, region ${ctx.region}`, 'SOURCE_SERVER', id);
      return server;
    });
    this.enforceJobQuotas(ctx, ids);

    const isDrill = input.isDrill ?? false;
    const job = this.createJob(ctx, {
      type: 'LAUNCH',
      initiatedBy: isDrill ? 'START_DRILL' : 'START_RECOVERY',
      isDrill,
      tags: input.tags ?? {},
      participatingServers: ids.map((sourceServerID) => ({ sourceServerID, launchStatus: 'PENDING' })),
    });
    for (const server of servers) {
      server.wire.lastLaunchResult = 'PENDING';
      server.wire.lifeCycle.lastLaunch = {
        initiated: { apiCallDateTime: job.wire.creationDateTime, jobID: job.wire.jobID, type: isDrill ? 'DRILL' : 'RECOVERY' },
        status: 'PENDING',
      };
    }

    const t = this.timings;
    job.timers.push(this.clock.setTimer(this.scaled(t.pendingMs), () => this.markStarted(job)));
    servers.forEach((server, index) => {
      const drawn = this.drawLaunchDuration(server.os); // drawn for every server, so outcomes never shift the stream
      const replicating = server.wire.dataReplicationInfo.dataReplicationState === 'CONTINUOUS';
      const outcome: LaunchOutcome = replicating ? (this.launchOverrides.get(server.wire.sourceServerID) ?? server.launchOutcome ?? 'SUCCEED') : 'FAIL';
      const finishMs = Math.max(replicating ? drawn : t.notReplicatingFailureMs, t.pendingMs + 1);
      job.timers.push(this.clock.setTimer(this.scaled(finishMs), () => this.finishLaunch(job, index, outcome)));
    });
    return clone(job.wire);
  }

  terminateRecoveryInstances(ctx: CallerContext, input: TerminateRecoveryInstancesInput): Job {
    const ids = input.recoveryInstanceIDs;
    const duplicates = ids.map((id, i) => ({ id, i })).filter(({ id, i }) => ids.indexOf(id) !== i);
    if (duplicates.length > 0) {
      throw validationError(duplicates.map(({ id, i }) => ({ name: `recoveryInstanceIDs[${i}]`, message: `Recovery instance ${id} is listed more than once` })));
    }
    const instances = ids.map((id) => {
      const instance = this.instances.get(id);
      if (!instance || !matches(instance, ctx)) throw notFound(`Recovery instance ${id} not found in account ${ctx.accountId}, region ${ctx.region}`, 'RECOVERY_INSTANCE', id);
      const state = instance.wire.ec2InstanceState;
      if (state === 'TERMINATED' || state === 'SHUTTING-DOWN' || this.activeJobWithInstance(id)) {
        throw conflict(`Recovery instance ${id} is already terminated or being terminated`, 'RECOVERY_INSTANCE', id);
      }
      return instance;
    });
    const serverIds = [...new Set(instances.map((i) => i.wire.sourceServerID))];
    this.enforceJobQuotas(ctx, serverIds);
    const job = this.createJob(ctx, {
      type: 'TERMINATE',
      initiatedBy: 'TERMINATE_RECOVERY_INSTANCES',
      isDrill: false,
      tags: {},
      participatingServers: instances.map((i) => ({ sourceServerID: i.wire.sourceServerID, recoveryInstanceID: i.wire.recoveryInstanceID, launchStatus: 'PENDING' })),
    });
    job.timers.push(this.clock.setTimer(this.scaled(this.timings.pendingMs), () => this.markStarted(job)));
    job.timers.push(this.clock.setTimer(this.scaled(Math.max(this.timings.terminateMs, this.timings.pendingMs + 1)), () => this.finishTermination(job)));
    return clone(job.wire);
  }

  listTagsForResource(ctx: CallerContext, resourceArn: string): TagsMap {
    return { ...this.taggable(ctx, resourceArn) };
  }

  tagResource(ctx: CallerContext, resourceArn: string, tags: TagsMap): void {
    const target = this.taggable(ctx, resourceArn);
    const merged = { ...target, ...tags };
    if (Object.keys(merged).length > 50) {
      throw validationError([{ name: 'tags', message: `A resource can have at most 50 tags; ${resourceArn} would have ${Object.keys(merged).length}` }]);
    }
    Object.assign(target, tags);
  }

  untagResource(ctx: CallerContext, resourceArn: string, tagKeys: string[]): void {
    const target = this.taggable(ctx, resourceArn);
    for (const key of tagKeys) delete target[key];
  }

  // ---------------------------------------------------------------- internals

  private scaled(simulatedMs: number): number {
    return Math.round(simulatedMs * this.timeScale);
  }

  private drawLaunchDuration(os: OperatingSystem): number {
    const mean = os === 'WINDOWS' ? this.timings.windowsMeanMs : this.timings.linuxMeanMs;
    const value = mean * (1 + this.timings.jitter * this.durations.normal());
    return Math.round(Math.min(2 * mean, Math.max(mean / 2, value)));
  }

  private fallbackContext(caller: CallerHints): CallerContext {
    const account = this.accountFor(caller.accessKeyId);
    return {
      accountId: account.accountId,
      region: caller.region ?? this.defaultRegion ?? account.regions[0] ?? 'us-east-1',
      ...(caller.accessKeyId ? { accessKeyId: caller.accessKeyId } : {}),
    };
  }

  private logCall(operation: string, ctx: CallerContext, input: unknown, result: InvokeResult): void {
    const entry: CallLogEntry = {
      seq: this.calls.length + 1,
      time: toIso(this.clock.now()),
      operation,
      accountId: ctx.accountId,
      region: ctx.region,
      ...(ctx.accessKeyId ? { accessKeyId: ctx.accessKeyId } : {}),
      input: toJson(input),
      summary: summarize(operation, input),
      outcome: result.ok ? 'OK' : 'ERROR',
      statusCode: result.ok ? result.statusCode : result.error.statusCode,
    };
    if (!result.ok) {
      entry.errorType = result.error.type;
      entry.errorMessage = result.error.message;
    }
    if (operation === 'StartRecovery' && isRecord(input)) {
      const servers = Array.isArray(input.sourceServers) ? input.sourceServers : [];
      entry.sourceServerIDs = servers.map((s) => (isRecord(s) && typeof s.sourceServerID === 'string' ? s.sourceServerID : '')).filter(Boolean);
      if (isRecord(input.tags)) entry.tags = Object.fromEntries(Object.entries(input.tags).filter((e): e is [string, string] => typeof e[1] === 'string'));
      entry.isDrill = input.isDrill === true;
    }
    if (result.ok && isRecord(result.output) && isRecord(result.output.job) && typeof result.output.job.jobID === 'string') {
      entry.jobID = result.output.job.jobID;
    }
    this.calls.push(entry);
  }

  private addServer(server: FleetServer, index: number, fixedIds: ReadonlySet<string>): void {
    const random = SeededRandom.derive(this.seed, `source-server:${server.accountId}:${server.region}:${server.hostname}`);
    let id = server.sourceServerID;
    if (id && this.servers.has(id)) throw new Error(`DrsSimulator: source server id ${id} is used twice`);
    while (!id || (id !== server.sourceServerID && (this.servers.has(id) || fixedIds.has(id)))) id = `s-${random.hex(17)}`;
    const windows = server.os === 'WINDOWS';
    const cores = [2, 4, 8][random.int(3)] ?? 2;
    const ramBytes = cores * 4 * GiB;
    const diskBytes = (windows ? 120 : 40 + 20 * random.int(5)) * GiB;
    const mac = Array.from({ length: 6 }, (_, i) => (i === 0 ? '02' : random.hex(2))).join(':');
    const ip = `10.${10 + random.int(20)}.${random.int(256)}.${10 + random.int(240)}`;
    const added = this.startedAtMs - 30 * 86_400_000 - index * 3_600_000;
    const stagingAccountID = server.stagingAccountID;
    const wire: SourceServer = {
      sourceServerID: id,
      arn: sourceServerArn(server.region, server.accountId, id),
      tags: { ...server.tags },
      lastLaunchResult: 'NOT_STARTED',
      dataReplicationInfo: {},
      lifeCycle: {
        addedToServiceDateTime: toIso(added),
        firstByteDateTime: toIso(added + 600_000),
        elapsedReplicationDuration: 'P30D',
        lastSeenByServiceDateTime: toIso(this.startedAtMs),
      },
      sourceProperties: {
        lastUpdatedDateTime: toIso(this.startedAtMs),
        recommendedInstanceType: server.recommendedInstanceType ?? (cores >= 8 ? 'm5.2xlarge' : cores >= 4 ? 'm5.xlarge' : 'm5.large'),
        identificationHints: {
          hostname: server.hostname,
          fqdn: `${server.hostname}.corp.example.com`,
          ...(server.vmWareUuid ? { vmWareUuid: server.vmWareUuid } : {}),
          ...(server.awsInstanceID ? { awsInstanceID: server.awsInstanceID } : {}),
        },
        networkInterfaces: [{ macAddress: mac, ips: [ip], isPrimary: true }],
        disks: [{ deviceName: windows ? '\\\\.\\PHYSICALDRIVE0' : '/dev/sda', bytes: diskBytes }],
        cpus: [{ cores, modelName: 'Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz' }],
        ramBytes,
        os: { fullString: server.osFullString ?? (windows ? WINDOWS_FULL_STRING : LINUX_FULL_STRING) },
        supportsNitroInstances: true,
      },
      stagingArea: stagingAccountID
        ? { status: 'EXTENDED', stagingAccountID, stagingSourceServerArn: sourceServerArn(server.region, stagingAccountID, `s-${random.hex(17)}`) }
        : { status: 'NOT_EXTENDED' },
      replicationDirection: 'FAILOVER',
    };
    const entry: ServerEntry = { accountId: server.accountId, region: server.region, os: server.os, launchOutcome: server.launchOutcome, wire };
    wire.dataReplicationInfo = this.replicationInfo(server.replicationState ?? 'CONTINUOUS', entry);
    this.servers.set(id, entry);
  }

  private replicationInfo(state: DataReplicationState, server: Pick<ServerEntry, 'region' | 'wire'>): SourceServer['dataReplicationInfo'] {
    const disk = server.wire.sourceProperties.disks?.[0];
    const total = disk?.bytes ?? 0;
    const healthy = state === 'CONTINUOUS';
    return {
      dataReplicationState: state,
      lagDuration: healthy ? 'PT0S' : 'PT2H',
      replicatedDisks: [{
        deviceName: disk?.deviceName ?? '/dev/sda',
        totalStorageBytes: total,
        replicatedStorageBytes: total,
        rescannedStorageBytes: 0,
        backloggedStorageBytes: healthy ? 0 : Math.round(total / 100),
      }],
      stagingAvailabilityZone: `${server.region}a`,
      ...(state === 'STALLED' || state === 'DISCONNECTED' ? { dataReplicationError: { error: 'AGENT_NOT_SEEN' } } : {}),
    };
  }

  private viewServer(server: ServerEntry): SourceServer {
    const view = clone(server.wire);
    const state = view.dataReplicationInfo.dataReplicationState;
    if (state !== 'STALLED' && state !== 'DISCONNECTED') view.lifeCycle.lastSeenByServiceDateTime = toIso(this.clock.now());
    return view;
  }

  private activeJobs(ctx: CallerContext): JobEntry[] {
    return [...this.jobsById.values()].filter((j) => matches(j, ctx) && j.wire.status !== 'COMPLETED');
  }

  private activeJobWithInstance(recoveryInstanceID: string): boolean {
    return [...this.jobsById.values()].some((j) => j.wire.status !== 'COMPLETED' && j.wire.type === 'TERMINATE'
      && j.wire.participatingServers.some((p) => p.recoveryInstanceID === recoveryInstanceID));
  }

  private enforceJobQuotas(ctx: CallerContext, sourceServerIDs: string[]): void {
    const q = this.quotas;
    if (sourceServerIDs.length > q.maxSourceServersPerJob) {
      throw quotaExceeded(
        `A job can include at most ${q.maxSourceServersPerJob} source servers; this request has ${sourceServerIDs.length}`,
        QUOTA_CODES.sourceServersPerJob, 'JOB',
      );
    }
    const active = this.activeJobs(ctx);
    for (const id of sourceServerIDs) {
      const busy = active.filter((j) => j.wire.participatingServers.some((p) => p.sourceServerID === id));
      if (busy.length >= q.maxConcurrentJobsPerSourceServer) {
        throw conflict(`Source server ${id} is already participating in active job ${busy.map((j) => j.wire.jobID).join(', ')}`, 'SOURCE_SERVER', id);
      }
    }
    if (active.length >= q.maxConcurrentJobs) {
      throw quotaExceeded(
        `At most ${q.maxConcurrentJobs} jobs can be in progress at once in account ${ctx.accountId}, region ${ctx.region}`,
        QUOTA_CODES.concurrentJobs, 'JOB',
      );
    }
    const inJobs = active.reduce((n, j) => n + j.wire.participatingServers.length, 0);
    if (inJobs + sourceServerIDs.length > q.maxSourceServersInAllJobs) {
      throw quotaExceeded(
        `At most ${q.maxSourceServersInAllJobs} source servers can participate in active jobs; ${inJobs} already do and this request adds ${sourceServerIDs.length}`,
        QUOTA_CODES.sourceServersInAllJobs, 'JOB',
      );
    }
  }

  private createJob(ctx: CallerContext, spec: Pick<Job, 'type' | 'initiatedBy' | 'tags' | 'participatingServers'> & { isDrill: boolean }): JobEntry {
    const now = this.clock.now();
    const jobID = this.jobIds.next((id) => this.jobsById.has(id));
    const job: JobEntry = {
      accountId: ctx.accountId,
      region: ctx.region,
      isDrill: spec.isDrill,
      createdAtMs: now,
      timers: [],
      wire: {
        jobID,
        arn: jobArn(ctx.region, ctx.accountId, jobID),
        type: spec.type,
        initiatedBy: spec.initiatedBy,
        creationDateTime: toIso(now),
        status: 'PENDING',
        participatingServers: spec.participatingServers,
        tags: { ...spec.tags },
      },
    };
    this.jobsById.set(jobID, job);
    return job;
  }

  private markStarted(job: JobEntry): void {
    if (this.stopped || job.wire.status !== 'PENDING') return;
    job.wire.status = 'STARTED';
    for (const p of job.wire.participatingServers) {
      if (p.launchStatus !== 'PENDING') continue;
      p.launchStatus = 'IN_PROGRESS';
      if (job.wire.type === 'LAUNCH') {
        const lastLaunch = this.servers.get(p.sourceServerID)?.wire.lifeCycle.lastLaunch;
        if (lastLaunch?.initiated?.jobID === job.wire.jobID) lastLaunch.status = 'IN_PROGRESS';
      } else if (p.recoveryInstanceID) {
        const instance = this.instances.get(p.recoveryInstanceID);
        if (instance) instance.wire.ec2InstanceState = 'SHUTTING-DOWN';
      }
    }
  }

  private finishLaunch(job: JobEntry, index: number, outcome: LaunchOutcome): void {
    if (this.stopped) return;
    this.markStarted(job);
    const participant = job.wire.participatingServers[index];
    const server = participant && this.servers.get(participant.sourceServerID);
    if (!participant || !server || participant.launchStatus === 'LAUNCHED' || participant.launchStatus === 'FAILED') return;
    const now = this.clock.now();
    const succeeded = outcome === 'SUCCEED';
    if (succeeded) {
      const instance = this.createInstance(job, server, now);
      participant.recoveryInstanceID = instance.wire.recoveryInstanceID;
      participant.launchStatus = 'LAUNCHED';
      server.wire.recoveryInstanceId = instance.wire.recoveryInstanceID;
    } else {
      participant.launchStatus = 'FAILED';
    }
    const lastLaunch = server.wire.lifeCycle.lastLaunch;
    if (lastLaunch?.initiated?.jobID === job.wire.jobID) {
      lastLaunch.status = participant.launchStatus;
      server.wire.lastLaunchResult = succeeded ? 'SUCCEEDED' : 'FAILED';
    }
    this.emit(this.launchResultEvent(job, server, succeeded, now));
    this.completeIfDone(job, now);
  }

  private finishTermination(job: JobEntry): void {
    if (this.stopped) return;
    this.markStarted(job);
    const now = this.clock.now();
    for (const p of job.wire.participatingServers) {
      p.launchStatus = 'TERMINATED';
      const instance = p.recoveryInstanceID ? this.instances.get(p.recoveryInstanceID) : undefined;
      if (instance) instance.wire.ec2InstanceState = 'TERMINATED';
      const server = this.servers.get(p.sourceServerID);
      if (server && server.wire.recoveryInstanceId === p.recoveryInstanceID) delete server.wire.recoveryInstanceId;
    }
    this.completeIfDone(job, now);
  }

  private completeIfDone(job: JobEntry, now: number): void {
    const done = job.wire.participatingServers.every((p) => p.launchStatus === 'LAUNCHED' || p.launchStatus === 'FAILED' || p.launchStatus === 'TERMINATED');
    if (!done || job.wire.status === 'COMPLETED') return;
    job.wire.status = 'COMPLETED';
    job.wire.endDateTime = toIso(now);
    for (const t of job.timers) t.cancel();
    job.timers = [];
  }

  private createInstance(job: JobEntry, server: ServerEntry, now: number): InstanceEntry {
    const id = this.instanceIds.next((candidate) => this.instances.has(candidate));
    const props = server.wire.sourceProperties;
    const hostname = props.identificationHints?.hostname;
    const instance: InstanceEntry = {
      accountId: job.accountId,
      region: job.region,
      wire: {
        ec2InstanceID: id,
        ec2InstanceState: 'RUNNING',
        jobID: job.wire.jobID,
        recoveryInstanceID: id,
        sourceServerID: server.wire.sourceServerID,
        arn: recoveryInstanceArn(job.region, job.accountId, id),
        tags: { ...server.wire.tags },
        recoveryInstanceProperties: {
          lastUpdatedDateTime: toIso(now),
          identificationHints: { ...(hostname ? { hostname } : {}), awsInstanceID: id },
          ...(props.cpus ? { cpus: clone(props.cpus) } : {}),
          ...(props.ramBytes !== undefined ? { ramBytes: props.ramBytes } : {}),
          ...(props.os ? { os: clone(props.os) } : {}),
        },
        pointInTimeSnapshotDateTime: job.wire.creationDateTime,
        isDrill: job.isDrill,
        originEnvironment: props.identificationHints?.awsInstanceID ? 'AWS' : 'ON_PREMISES',
        originAvailabilityZone: `${job.region}a`,
      },
    };
    this.instances.set(id, instance);
    return instance;
  }

  private launchResultEvent(job: JobEntry, server: ServerEntry, succeeded: boolean, now: number): DrsLaunchResultEvent {
    return {
      version: '0',
      id: this.eventIds.uuid(),
      'detail-type': 'DRS Source Server Launch Result',
      source: 'aws.drs',
      account: job.accountId,
      time: toIsoSeconds(now),
      region: job.region,
      resources: [server.wire.arn],
      detail: {
        state: succeeded ? 'RECOVERY_LAUNCH_SUCCEEDED' : 'RECOVERY_LAUNCH_FAILED',
        'job-id': job.wire.jobID,
        'is-drill': job.isDrill ? 'TRUE' : 'FALSE',
      },
    };
  }

  private emit(event: DrsEvent): void {
    const entry: EventLogEntry = { event, status: this.publish ? 'PENDING' : 'NOT_PUBLISHED' };
    this.events.push(entry);
    if (!this.publish) return;
    this.outbox.push(entry);
    if (!this.deliveryQueued) {
      this.deliveryQueued = true;
      queueMicrotask(() => this.deliver());
    }
  }

  /** Hands the events emitted in the same tick to publishEvents in one batch. */
  private deliver(): void {
    this.deliveryQueued = false;
    const batch = this.outbox.splice(0);
    const publish = this.publish;
    if (batch.length === 0) return;
    if (!publish) {
      for (const e of batch) e.status = 'NOT_PUBLISHED';
      return;
    }
    const settle = (status: EventLogEntry['status'], error?: string) => {
      for (const e of batch) {
        e.status = status;
        if (error !== undefined) e.error = error;
      }
    };
    let delivery: Promise<void>;
    try {
      delivery = Promise.resolve(publish(batch.map((e) => e.event)));
    } catch (error) {
      delivery = Promise.reject(error);
    }
    const tracked: Promise<void> = delivery
      .then(() => settle('DELIVERED'), (error: unknown) => settle('FAILED', error instanceof Error ? error.message : String(error)))
      .finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private taggable(ctx: CallerContext, resourceArn: string): TagsMap {
    const arn = parseDrsArn(resourceArn);
    const missing = () => notFound(`Resource ${resourceArn} not found`, arn?.resourceType ?? 'RESOURCE', resourceArn);
    if (!arn || arn.accountId !== ctx.accountId || arn.region !== ctx.region) throw missing();
    const entry: { accountId: string; region: string; wire: { tags: TagsMap } } | undefined =
      arn.resourceType === 'source-server' ? this.servers.get(arn.resourceId)
        : arn.resourceType === 'job' ? this.jobsById.get(arn.resourceId)
          : arn.resourceType === 'recovery-instance' ? this.instances.get(arn.resourceId)
            : undefined;
    if (!entry || !matches(entry, ctx)) throw missing();
    return entry.wire.tags;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matches(entry: { accountId: string; region: string }, filter: ResourceFilter): boolean {
  return (filter.accountId === undefined || entry.accountId === filter.accountId) && (filter.region === undefined || entry.region === filter.region);
}

function pageOptions(input: { maxResults?: number; nextToken?: string }): { maxResults?: number; nextToken?: string } {
  return { ...(input.maxResults !== undefined ? { maxResults: input.maxResults } : {}), ...(input.nextToken ? { nextToken: input.nextToken } : {}) };
}

/** The ids DescribeSourceServers' hardwareId filter matches: EC2 instance id, VMware UUID, MAC addresses. */
function hardwareIds(server: SourceServer): string[] {
  const hints = server.sourceProperties.identificationHints ?? {};
  const macs = (server.sourceProperties.networkInterfaces ?? []).map((n) => n.macAddress).filter((m): m is string => !!m);
  return [hints.awsInstanceID, hints.vmWareUuid, ...macs].filter((v): v is string => !!v).map((v) => v.toLowerCase());
}

function summarize(operation: string, input: unknown): string {
  if (!isRecord(input)) return operation;
  const parts: string[] = [];
  if (operation === 'StartRecovery') {
    const servers = Array.isArray(input.sourceServers) ? input.sourceServers : [];
    parts.push(input.isDrill === true ? 'drill' : 'recovery', `${servers.length} server(s)`);
  }
  if (Array.isArray(input.recoveryInstanceIDs)) parts.push(`${input.recoveryInstanceIDs.length} instance(s)`);
  if (typeof input.resourceArn === 'string') parts.push(input.resourceArn);
  if (isRecord(input.filters)) {
    for (const [key, value] of Object.entries(input.filters)) {
      parts.push(Array.isArray(value) ? `${key}=[${value.length}]` : `${key}=${String(value)}`);
    }
  }
  if (input.maxResults !== undefined) parts.push(`maxResults=${String(input.maxResults)}`);
  if (input.nextToken) parts.push('page>1');
  if (isRecord(input.tags)) parts.push(`tags ${Object.entries(input.tags).map(([k, v]) => `${k}=${String(v)}`).join(',')}`);
  return parts.length > 0 ? `${operation} ${parts.join(' ')}` : operation;
}
