/**
 * The in-memory state and rules of Elastic Disaster Recovery, with no HTTP: source servers, jobs
 * and their logs, recovery instances (with the EC2 facts behind them), point-in-time snapshots,
 * launch configurations and post-launch actions, failback, staging accounts, quotas, launch
 * timings, faults, the `aws.drs` events and a log of every call.
 *
 * Time comes from an injected clock through a rescalable simulated timeline, randomness from
 * seeded streams: with a `ManualClock` and a seed, a run is reproducible to the millisecond and
 * to the id.
 */
import {
  countsAsReplicating, defaultLaunchConfiguration, ec2State, isoDuration, launchActionType, recoveryReplicationInfo,
  replicationInfo, sortLaunchActions, toIso, toIsoSeconds, type DiskFacts, type Ec2StateName,
} from './builders.js';
import { systemClock, type Clock } from './clock.js';
import {
  DrsError, QUOTA_CODES, accessDenied, cannotParse, conflict, invalidRequest, notFound, quotaExceeded,
  uninitializedAccount, validationError,
} from './errors.js';
import { FaultEngine, parseFaultPlan, selects, type SelectableServer } from './faults.js';
import {
  demoFleet, type FaultPlan, type Fleet, type FleetAccount, type FleetServer, type FleetSsmScript, type LaunchOutcome,
  type OperatingSystem,
} from './fleet.js';
import { IdStream, jobArn, parseDrsArn, recoveryInstanceArn, sourceServerArn } from './ids.js';
import { checkInvariants, type InvariantOptions, type InvariantReport } from './invariants.js';
import type {
  CreateExtendedSourceServerInput, DataReplicationState, DescribeJobLogItemsInput, DescribeJobsInput,
  DescribeRecoveryInstancesInput, DescribeRecoverySnapshotsInput, DescribeSourceServersInput, DrsEvent,
  DrsFailbackStateChangeEvent, DrsLaunchResultEvent, DrsReplicationStalledChangeEvent, Ec2InstanceState, FailbackState,
  Job, JobLog, JobLogEvent, JobLogEventData, JsonValue, LaunchAction, LaunchActionsStatus, LaunchConfiguration,
  ListExtensibleSourceServersInput, ListLaunchActionsInput, ListStagingAccountsInput, Page,
  PublishEvents, PutLaunchActionInput, RecoveryInstance, RecoverySnapshot, SourceServer, StagingSourceServer,
  StartFailbackLaunchInput, StartRecoveryInput, TagsMap, TerminateRecoveryInstancesInput, UpdateLaunchConfigurationInput,
} from './model.js';
import { findOperation } from './operations.js';
import { MAX_PAGE_SIZE, paginate } from './paging.js';
import { SeededRandom } from './random.js';
import {
  DEFAULT_PIT_POLICY, ebsSnapshotIds, pitPolicyProblems, recordReplication, snapshotId, snapshotInstants, snapshotPhase,
  takesSnapshots, type PitPolicyRule, type ReplicationHistory,
} from './snapshots.js';
import { StateFileError, StateStore, type StateChanges, type StatePart, type StateStoreOptions, type StateStoreStats } from './persistence.js';
import { SimScheduler, SimTimeline, type ScheduledTask, type TaskHandle, type TimelineSegment } from './timeline.js';

export { toIso, toIsoSeconds } from './builders.js';

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
  /** Max replicating source servers (L-C1D14A2B, not adjustable in AWS): a fleet past it does not load; ReverseReplication and restarting replication are refused. */
  maxReplicatingSourceServers: number;
  /** Max source servers, replicating or not (L-E28BE5E0): a fleet past it does not load; CreateExtendedSourceServer and ReverseReplication are refused. */
  maxSourceServers: number;
  /** Max launch actions per resource (L-0588D03B): PutLaunchAction is refused. */
  maxLaunchActionsPerResource: number;
}

export const DEFAULT_QUOTAS: Readonly<Quotas> = {
  maxSourceServersPerJob: 100,
  maxConcurrentJobs: 20,
  maxSourceServersInAllJobs: 500,
  maxConcurrentJobsPerSourceServer: 1,
  maxReplicatingSourceServers: 300,
  maxSourceServers: 4000,
  maxLaunchActionsPerResource: 200,
};

/** Durations in simulated milliseconds (multiplied by the time scale to get real ones). */
export interface LaunchTimings {
  /** Mean time from StartRecovery to LAUNCHED for a Linux server. */
  linuxMeanMs: number;
  /** Mean time from StartRecovery to LAUNCHED for a Windows server. */
  windowsMeanMs: number;
  /** Standard deviation relative to the mean (0.2 = 20 %); draws are kept within [mean/2, 2 x mean]. */
  jitter: number;
  /** Time a job stays PENDING before it is STARTED and its servers IN_PROGRESS. */
  pendingMs: number;
  /** Time until a server that is not replicating is reported FAILED (SNAPSHOT_FAIL). */
  notReplicatingFailureMs: number;
  /** Time a TERMINATE job takes. */
  terminateMs: number;
  /** Time until the SSM agent of a recovered instance is discovered (unless its fleet `ssm.agentDelaySeconds` says otherwise). */
  ssmAgentMs: number;
  /** Time after which post-launch actions fail when the SSM agent never comes online. */
  ssmAgentTimeoutMs: number;
  /** Time each post-launch action runs. */
  launchActionMs: number;
  /** Time failback replication takes to reach FAILBACK_READY_FOR_LAUNCH (and a reversed server CONTINUOUS). */
  failbackReplicationMs: number;
  /** Time EC2 status checks stay `initializing` after an instance runs. */
  statusChecksMs: number;
}

export const DEFAULT_LAUNCH_TIMINGS: Readonly<LaunchTimings> = {
  linuxMeanMs: 5 * 60_000,
  windowsMeanMs: 20 * 60_000,
  jitter: 0.2,
  pendingMs: 20_000,
  notReplicatingFailureMs: 90_000,
  terminateMs: 60_000,
  ssmAgentMs: 60_000,
  ssmAgentTimeoutMs: 30 * 60_000,
  launchActionMs: 60_000,
  failbackReplicationMs: 30 * 60_000,
  statusChecksMs: 2 * 60_000,
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
  /** Real time per simulated time: 0.001 turns a 5-minute launch into 0.3 s. Default 0.01. Changeable with setTimeScale. */
  timeScale?: number;
  quotas?: Partial<Quotas>;
  launchTimings?: Partial<LaunchTimings>;
  /** Point-in-time snapshot policy of every server (default: DRS's default policy). */
  snapshotPolicy?: PitPolicyRule[];
  clock?: Clock;
  publishEvents?: PublishEvents;
  /** Page size of the Describe* operations when the caller gives no maxResults. Default 1000. */
  defaultPageSize?: number;
  /** Region used for a call that carries no SigV4 credential scope. Default: the account's first region. */
  defaultRegion?: string;
  /**
   * Persists the state to this file (a snapshot, plus `<file>.journal`) and restores it at
   * construction when it exists: jobs and launches in flight, recovery and EC2 instances, the call
   * and event logs, id streams, faults, time scale (README, "Persistence"). The file's fleet and
   * seed win over `fleet` and `seed`.
   */
  stateFile?: string;
  /**
   * With a restored state: hold the restored work in flight (launch steps, delayed events, events
   * to hand over again) until `resumeRestoredWork()`, e.g. until the event bus has its rules.
   * Default false: it resumes at once.
   */
  deferResume?: boolean;
  /** Tuning of the state file: compaction threshold, debounce of progress saves, fsync. */
  stateFileOptions?: StateStoreOptions;
}

/** What a restore found in the state file. */
export interface RestoredStateInfo {
  file: string;
  /** When the state was last saved before the restart. */
  savedAt: string;
  jobs: number;
  activeJobs: number;
  /** Launch steps, delayed events and stalls that were pending. */
  pendingTasks: number;
  /** Events handed to publishEvents but not confirmed: handed over again, same ids. */
  eventsToRedeliver: number;
  /** Milliseconds to read and apply the file. */
  loadMs: number;
}

/** DRS operations that change nothing but the call log (saved with a short delay; the others before they answer). */
export function isReadOnlyOperation(operation: string): boolean {
  return /^(Describe|Get|List)/.test(operation);
}

/** Who is calling: the account and region the call acts in. */
export interface CallerContext {
  accountId: string;
  region: string;
  accessKeyId?: string;
}

/** What a call says about its caller (from the SigV4 Authorization header, or resolved by the edge). */
export interface CallerHints {
  accessKeyId?: string;
  region?: string;
  /** The account when the edge already knows it (temporary credentials from AssumeRole); wins over the access key lookup. */
  accountId?: string;
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
  /**
   * NOT_PUBLISHED: no publishEvents callback was set when the event was handed over; LOST: dropped
   * by an injected fault; DELAYED: held back by an injected fault, handed over later.
   */
  status: 'PENDING' | 'DELIVERED' | 'FAILED' | 'NOT_PUBLISHED' | 'LOST' | 'DELAYED';
  error?: string;
  /** The injected fault, if any: the event was lost, delivered twice, or delayed. */
  fault?: 'LOST' | 'DUPLICATED' | 'DELAYED';
}

export type InvokeResult =
  | { ok: true; statusCode: number; output: unknown }
  | { ok: false; error: DrsError };

export interface ResourceFilter {
  accountId?: string;
  region?: string;
  /** Only these EC2 instances (recovery instances and EC2 facts): an endpoint asked for them by id. */
  ec2InstanceIDs?: ReadonlySet<string>;
}

/** The EC2 instance behind a recovery instance, as the EC2 and SSM endpoints report it. */
export interface Ec2InstanceFacts {
  instanceId: string;
  accountId: string;
  region: string;
  /** EC2's own state name and code (pending 0, running 16, shutting-down 32, terminated 48, stopping 64, stopped 80). */
  state: { name: Ec2StateName; code: number };
  instanceType: string;
  /** `windows` for Windows instances (EC2's `platform`), absent for Linux. */
  platform?: 'windows';
  os: OperatingSystem;
  osFullString?: string;
  imageId: string;
  launchTime: string;
  availabilityZone: string;
  privateIpAddress: string;
  privateDnsName: string;
  subnetId: string;
  vpcId: string;
  /** EC2 tags: the DRS-managed tags, plus the source server's tags when the launch configuration copies them. */
  tags: TagsMap;
  hostname?: string;
  /** EC2 status checks: `initializing` for statusChecksMs after the instance runs, then `ok`; `not-applicable` when not running. */
  statusChecks: 'initializing' | 'ok' | 'not-applicable';
  /** The SSM agent: online once the instance has run for the script's agent delay (unless the script says agentOnline: false). */
  ssm: { agentOnline: boolean; pingStatus?: 'Online' | 'ConnectionLost'; lastPingDateTime?: string; script: FleetSsmScript };
  recoveryInstanceID: string;
  sourceServerID: string;
  jobID: string;
  isDrill: boolean;
  /** True once TerminateRecoveryInstances deleted the recovery instance from DRS (EC2 still lists the terminated instance). */
  deletedFromDrs: boolean;
}

/** A recovery instance with the EC2 facts behind it. */
export interface RecoveryInstanceDetails {
  recoveryInstance: RecoveryInstance;
  ec2: Ec2InstanceFacts;
}

interface ServerEntry {
  accountId: string;
  region: string;
  os: OperatingSystem;
  hostname: string;
  launchOutcome: LaunchOutcome | undefined;
  ssm: FleetSsmScript | undefined;
  wire: SourceServer;
  disk: DiskFacts;
  privateIp: string;
  launchConfig: LaunchConfiguration;
  launchActions: Map<string, LaunchAction>;
  history: ReplicationHistory;
  phaseMs: number;
  /** An extended source server: the id of the staging account's server it extends (replication and snapshots are that server's). */
  extendsServerId?: string;
  /** Where an AWS-origin server runs (ReverseReplication replicates back there). */
  origin?: { accountId: string; region: string };
  /** The state to go back to when an injected stall ends. */
  stalledFrom?: DataReplicationState;
}

/** The plan of one participating server of a job. */
interface ServerPlan {
  index: number;
  sourceServerID: string;
  /** Simulated ms from STARTED to the end of this server's work. */
  spanMs: number;
  /** The launch fails (LAUNCH_FAILED) with this reason. */
  failure?: string;
  snapshot?: { snapshotID: string; realMs: number };
  recoveryInstanceID?: string;
  done: boolean;
}

interface JobEntry {
  accountId: string;
  region: string;
  isDrill: boolean;
  createdAtMs: number;
  wire: Job;
  tasks: TaskHandle[];
  log: JobLog[];
  plans: ServerPlan[];
}

interface InstanceEntry {
  accountId: string;
  region: string;
  wire: RecoveryInstance;
  os: OperatingSystem;
  hostname?: string;
  ssm: FleetSsmScript | undefined;
  disk: DiskFacts;
  instanceType: string;
  privateIp: string;
  ec2Tags: TagsMap;
  launchTimeMs: number;
  /** When the instance last started running, and when it stopped running (real ms). */
  runningSinceMs?: number;
  runEndedMs?: number;
  deleted: boolean;
  failbackTasks: TaskHandle[];
  /** The reversed-direction source server ReverseReplication created for it. */
  reversedServerId?: string;
}

/**
 * A step of the simulation waiting for its simulated instant. Named and serializable (not a
 * closure), so that the steps in flight are persisted and re-armed after a restart.
 */
type TaskSpec =
  | { kind: 'jobStart'; jobID: string }
  /** The snapshot is taken (or a chosen snapshot used, `logEnd` false): conversion starts. */
  | { kind: 'snapshotDone'; jobID: string; index: number; logEnd: boolean }
  | { kind: 'snapshotFail'; jobID: string; index: number; state: string }
  | { kind: 'conversionEnd'; jobID: string; index: number; conversionServerID: string }
  | { kind: 'launchEnd'; jobID: string; index: number; instanceID: string; failure?: string }
  | { kind: 'agentTimeout'; jobID: string; index: number; actions: LaunchAction[] }
  | { kind: 'agentDiscovered'; jobID: string; index: number; actions: LaunchAction[]; outcome: string }
  | { kind: 'actionEnd'; jobID: string; index: number; run: number; outcome: string }
  | { kind: 'cleanupEnd'; jobID: string; index: number }
  | { kind: 'failbackConversionEnd'; jobID: string; index: number }
  | { kind: 'failbackLaunchEnd'; jobID: string; index: number }
  | { kind: 'failbackReady'; instanceID: string; reversedServerID?: string }
  /** A delayed (or the second copy of a duplicated) event is handed over. */
  | { kind: 'handOver'; event: number }
  | { kind: 'stallBegin'; sourceServerID: string }
  | { kind: 'stallEnd'; sourceServerID: string };

type JobStepSpec = Extract<TaskSpec, { index: number }>;

interface DurableTask {
  id: number;
  spec: TaskSpec;
  dueSimMs: number;
  /** Armed on the scheduler (undefined while restored work is held). */
  timer: ScheduledTask | undefined;
}

/** The persisted forms of the core's records (JSON). */
type PersistedServer = Omit<ServerEntry, 'launchActions'> & { launchActions: LaunchAction[] };
/**
 * A job is persisted in parts, so that a step of one server does not rewrite a whole 100-server
 * job: `job/<id>` (this header), `jobpart/<id>/<index>` (one participating server and its plan),
 * `joblog/<id>/<from>` (log items from `from` on, append-only).
 */
type PersistedJob = Omit<JobEntry, 'tasks' | 'log' | 'plans' | 'wire'> & { wire: Omit<Job, 'participatingServers'>; servers: number };
interface PersistedJobPart {
  participant: Job['participatingServers'][number];
  plan: ServerPlan;
}
type PersistedInstance = Omit<InstanceEntry, 'failbackTasks'>;
interface PersistedTask {
  seq: number;
  dueSimMs: number;
  spec: TaskSpec;
}
interface PersistedMeta {
  seed: number;
  startedAtMs: number;
  /** The clock and the simulated calendar at the save: simulated time stands still from there until the restart. */
  savedAtMs: number;
  savedSimMs: number;
  timeScale: number;
  /** The `timeScale` option of the run that saved (a restart with another option takes the option's). */
  optionTimeScale: number;
  timeline: TimelineSegment[];
  streams: {
    jobIds: number; instanceIds: number; createdServerIds: number; eventIds: number; durations: number; aux: number;
    faults: { launches: number; events: number };
  };
  faultPlan: FaultPlan;
  faultStalled: string[];
  launchOverrides: [string, LaunchOutcome][];
  nextTaskId: number;
}

/** Real milliseconds between saves of the simulated clock while work is in flight. */
const CLOCK_SAVE_INTERVAL_MS = 1000;

const LINUX_FULL_STRING = 'Linux version 5.10.210-201.852.amzn2.x86_64 (mockbuild@ip-10-0-1-10) (gcc 7.3.1) #1 SMP';
const WINDOWS_FULL_STRING = 'Microsoft Windows Server 2019 Datacenter 64-bit';
const AGENT_VERSION = '4.6.612.0';
const GiB = 1024 ** 3;
/** Share of a launch's span spent on the snapshot, then on the conversion; the rest is the EC2 launch. */
const SNAPSHOT_SHARE = 0.1;
const CONVERSION_SHARE = 0.5;

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

function checkTimeScale(scale: number): number {
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) throw new Error(`DrsSimulator: timeScale must be a number >= 0, got ${String(scale)}`);
  return scale;
}

export class DrsSimulator {
  readonly seed: number;
  readonly quotas: Readonly<Quotas>;
  readonly timings: Readonly<LaunchTimings>;
  readonly snapshotPolicy: readonly PitPolicyRule[];
  readonly fleet: Fleet;
  private readonly clock: Clock;
  private readonly timeline: SimTimeline;
  private readonly scheduler: SimScheduler;
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
  private faultEngine!: FaultEngine;
  private faultTasks: TaskHandle[] = [];
  private faultStalled = new Set<string>();
  private jobIds!: IdStream;
  private instanceIds!: IdStream;
  private createdServerIds!: IdStream;
  private eventIds!: SeededRandom;
  private durations!: SeededRandom;
  private aux!: SeededRandom;
  private startedAtMs = 0;
  private stopped = false;
  private readonly runSalt: string;
  private readonly optionTimeScale: number;

  // Persistence (all unused without a state file).
  private readonly store: StateStore | undefined;
  /** Records changed since the last save (`server/<id>`, `job/<id>`, `instance/<id>`, `event/<n>`, `task/<n>`). */
  private readonly dirty: Set<string> | undefined;
  /** Source servers changed since the fleet was loaded: the only ones persisted (the others are rebuilt from the fleet). */
  private touchedServers = new Set<string>();
  private savedCalls = 0;
  /** Log items of each job already in the state file. */
  private savedLogs = new Map<string, number>();
  private lastMetaSignature = '';
  private clockSaveDue = false;
  private clockTimer: NodeJS.Timeout | undefined;
  private pendingTasks = new Map<number, DurableTask>();
  private nextTaskId = 1;
  private eventIndex = new WeakMap<EventLogEntry, number>();
  private held: { tasks: DurableTask[]; events: EventLogEntry[] } | undefined;
  private restoredInfo: RestoredStateInfo | undefined;

  constructor(options: DrsSimulatorOptions = {}) {
    const store = options.stateFile ? new StateStore(options.stateFile, options.stateFileOptions) : undefined;
    const loadStarted = performance.now();
    const loaded = store?.load();
    const records = store?.register('core', this.statePart());
    const meta = loaded ? (records?.get('meta') as PersistedMeta | undefined) : undefined;
    if (loaded && (!meta || !records?.get('fleet'))) throw new StateFileError(options.stateFile ?? '', 'holds no simulator core state');
    this.store = store;
    this.dirty = store ? new Set() : undefined;
    this.seed = meta?.seed ?? options.seed ?? DEFAULT_SEED;
    this.runSalt = options.runSalt ? `:${options.runSalt}` : '';
    if (!Number.isInteger(this.seed)) throw new Error(`DrsSimulator: seed must be an integer, got ${this.seed}`);
    const timeScale = checkTimeScale(options.timeScale ?? DEFAULT_TIME_SCALE);
    this.optionTimeScale = timeScale;
    const q = { ...DEFAULT_QUOTAS, ...options.quotas };
    this.quotas = Object.fromEntries(Object.entries(q).map(([name, value]) => [name, positiveInteger(name, value)])) as unknown as Quotas;
    this.timings = { ...DEFAULT_LAUNCH_TIMINGS, ...options.launchTimings };
    for (const [name, value] of Object.entries(this.timings)) {
      if (!Number.isFinite(value) || value < 0) throw new Error(`DrsSimulator: launchTimings.${name} must be a number >= 0, got ${value}`);
    }
    this.snapshotPolicy = clone(options.snapshotPolicy ?? [...DEFAULT_PIT_POLICY]);
    const policyProblems = pitPolicyProblems(this.snapshotPolicy);
    if (policyProblems.length > 0) throw new Error(`DrsSimulator: ${policyProblems.join('; ')}`);
    this.fleet = clone((records?.get('fleet') as Fleet | undefined) ?? options.fleet ?? demoFleet());
    if (this.fleet.accounts.length === 0) throw new Error('DrsSimulator: the fleet has no account');
    this.clock = options.clock ?? systemClock;
    this.timeline = new SimTimeline(this.clock, timeScale);
    this.scheduler = new SimScheduler(this.clock, this.timeline);
    this.defaultPageSize = options.defaultPageSize ?? MAX_PAGE_SIZE;
    this.defaultRegion = options.defaultRegion;
    this.publish = options.publishEvents;
    if (records && meta) this.restoreState(records, meta, options.stateFile ?? '', loadStarted, options.deferResume === true);
    else this.reset();
    if (store) {
      this.clockTimer = setInterval(() => {
        if (this.pendingTasks.size === 0) return;
        this.clockSaveDue = true;
        this.store?.save(false);
      }, CLOCK_SAVE_INTERVAL_MS);
      this.clockTimer.unref();
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Back to the fleet as loaded: cancels everything in flight and clears jobs, instances, logs and
   * events; the fault plan goes back to the fleet's (the time scale stays as set).
   */
  reset(): void {
    this.scheduler.cancelAll();
    this.timeline.restart();
    this.clearRecords();
    this.jobIds = new IdStream(this.seed, `job${this.runSalt}`, 'drsjob-');
    this.instanceIds = new IdStream(this.seed, `recovery-instance${this.runSalt}`, 'i-');
    this.createdServerIds = new IdStream(this.seed, `source-server-created${this.runSalt}`, 's-');
    this.eventIds = SeededRandom.derive(this.seed, `event${this.runSalt}`);
    this.durations = SeededRandom.derive(this.seed, 'launch-duration');
    this.aux = SeededRandom.derive(this.seed, `aux${this.runSalt}`);
    this.faultEngine = new FaultEngine(this.seed, this.runSalt);
    this.startedAtMs = this.clock.now();
    this.stopped = false;
    this.buildFleet();
    this.applyFaults(this.fleet.faults ? parseFaultPlan(this.fleet.faults) : {});
    this.store?.requestCompaction();
    this.saveState();
  }

  /**
   * Cancels every pending timer; no job progresses and no event is emitted afterwards. With a
   * state file, saves first (the steps in flight stay in the file: a restart resumes them).
   */
  stop(): void {
    this.saveState();
    this.stopped = true;
    this.scheduler.cancelAll();
    this.store?.close();
    if (this.clockTimer) clearInterval(this.clockTimer);
    this.clockTimer = undefined;
  }

  // ---------------------------------------------------------------- persistence

  /** The state file, when the simulator persists its state. */
  get stateFile(): string | undefined {
    return this.store?.file;
  }

  /** Timings of the state file's loads, saves and compactions. */
  get stateFileStats(): Readonly<StateStoreStats> | undefined {
    return this.store ? { ...this.store.stats } : undefined;
  }

  /** Set when this simulator was restored from its state file. */
  get restored(): RestoredStateInfo | undefined {
    return this.restoredInfo;
  }

  /**
   * Writes what changed to the state file now (fsynced), with the current simulated instant (a
   * restart resumes simulated time from the last save). No-op without a state file.
   */
  saveState(): void {
    if (!this.store) return;
    this.clockSaveDue = true;
    this.store.save();
  }

  /** Saves within a few tens of milliseconds (progress that a restart can safely redo). */
  saveStateSoon(): void {
    this.store?.saveSoon();
  }

  /** The next save rewrites the whole state file (after a reset of a part). */
  requestStateCompaction(): void {
    this.store?.requestCompaction();
  }

  /**
   * Adds a part (the HTTP edge: its call log, SSM commands, sessions) to the state file; returns
   * its restored records (empty on a fresh start), or undefined without a state file.
   */
  registerStatePart(name: string, part: StatePart): Map<string, unknown> | undefined {
    return this.store?.register(name, part);
  }

  /**
   * Starts the restored work held by `deferResume`: arms the pending steps (those due while the
   * process was down run at once, late) and hands over again the events that were handed over but
   * not confirmed. Returns what it resumed; nothing when nothing is held.
   */
  resumeRestoredWork(): { jobs: number; tasks: number; events: number } {
    const held = this.held;
    this.held = undefined;
    if (!held || this.stopped) return { jobs: 0, tasks: 0, events: 0 };
    let tasks = 0;
    for (const task of held.tasks) {
      if (this.pendingTasks.get(task.id) !== task || task.timer) continue;
      this.arm(task);
      tasks++;
    }
    let events = 0;
    for (const entry of held.events) {
      if (entry.status !== 'PENDING') continue;
      this.handOver(entry);
      events++;
    }
    const jobs = [...this.jobsById.values()].filter((j) => j.wire.status !== 'COMPLETED').length;
    return { jobs, tasks, events };
  }

  setPublishEvents(publish: PublishEvents | undefined): void {
    this.publish = publish;
  }

  /** Resolves once every event handed over so far has been given to publishEvents and settled (delayed events not yet due excepted). */
  async flushEvents(): Promise<void> {
    if (this.outbox.length > 0) this.deliver();
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  /** Empties jobs, instances, logs, events, overrides, stalls and steps in flight. */
  private clearRecords(): void {
    this.servers = new Map();
    this.jobsById = new Map();
    this.instances = new Map();
    this.calls = [];
    this.events = [];
    this.eventIndex = new WeakMap();
    this.outbox = [];
    this.launchOverrides = new Map();
    this.faultTasks = [];
    this.faultStalled = new Set();
    this.pendingTasks = new Map();
    this.held = undefined;
    this.touchedServers = new Set();
    this.dirty?.clear();
    this.savedCalls = 0;
    this.savedLogs = new Map();
  }

  /** The fleet's source servers as loaded, as of `startedAtMs` (the same servers after a restart). */
  private buildFleet(): void {
    this.servers = new Map();
    const fixedIds = new Set(this.fleet.servers.map((s) => s.sourceServerID).filter((id): id is string => !!id));
    this.fleet.servers.forEach((server, index) => this.addServer(server, index, fixedIds));
    this.linkExtendedServers();
    this.checkFleetQuotas();
  }

  /**
   * Back to the persisted state: the fleet rebuilt as it was loaded, then the persisted records
   * over it. Simulated time resumes where the last save left it (it stood still while the process
   * was down); the steps in flight are re-armed for the simulated time they still had to go.
   */
  private restoreState(records: Map<string, unknown>, meta: PersistedMeta, file: string, loadStarted: number, deferResume: boolean): void {
    this.scheduler.cancelAll();
    this.clearRecords();
    this.startedAtMs = meta.startedAtMs;
    const scale = meta.optionTimeScale === this.optionTimeScale ? meta.timeScale : this.optionTimeScale;
    this.timeline.resume(meta.timeline, meta.savedAtMs, meta.savedSimMs, scale);
    const streams = meta.streams;
    this.jobIds = new IdStream(this.seed, `job${this.runSalt}`, 'drsjob-');
    this.jobIds.restore(streams.jobIds);
    this.instanceIds = new IdStream(this.seed, `recovery-instance${this.runSalt}`, 'i-');
    this.instanceIds.restore(streams.instanceIds);
    this.createdServerIds = new IdStream(this.seed, `source-server-created${this.runSalt}`, 's-');
    this.createdServerIds.restore(streams.createdServerIds);
    this.eventIds = SeededRandom.at(streams.eventIds);
    this.durations = SeededRandom.at(streams.durations);
    this.aux = SeededRandom.at(streams.aux);
    this.faultEngine = new FaultEngine(this.seed, this.runSalt, parseFaultPlan(meta.faultPlan));
    this.faultEngine.restore(streams.faults);
    this.stopped = false;
    this.buildFleet();
    this.launchOverrides = new Map(meta.launchOverrides);
    this.faultStalled = new Set(meta.faultStalled);
    this.nextTaskId = meta.nextTaskId;

    const tasks: PersistedTask[] = [];
    for (const [key, value] of records) {
      const slash = key.indexOf('/');
      const kind = slash < 0 ? key : key.slice(0, slash);
      const id = key.slice(slash + 1);
      switch (kind) {
        case 'server': {
          const { launchActions, ...rest } = value as PersistedServer;
          this.servers.set(id, { ...rest, launchActions: new Map(launchActions.map((a) => [a.actionId, a])) });
          this.touchedServers.add(id);
          break;
        }
        case 'job': {
          const { servers, wire, ...rest } = value as PersistedJob;
          const existing = this.jobsById.get(id);
          this.jobsById.set(id, {
            ...rest,
            wire: { ...wire, participatingServers: existing?.wire.participatingServers ?? new Array<Job['participatingServers'][number]>(servers) },
            plans: existing?.plans ?? new Array<ServerPlan>(servers),
            log: existing?.log ?? [],
            tasks: [],
          });
          break;
        }
        case 'jobpart': {
          const [jobID = '', index = ''] = id.split('/');
          const job = this.jobsById.get(jobID);
          const part = value as PersistedJobPart;
          if (!job) break;
          job.wire.participatingServers[Number(index)] = part.participant;
          job.plans[Number(index)] = part.plan;
          break;
        }
        case 'joblog': {
          const [jobID = '', from = ''] = id.split('/');
          const job = this.jobsById.get(jobID);
          if (job) job.log.splice(Number(from), Infinity, ...(value as JobLog[]));
          break;
        }
        case 'instance':
          this.instances.set(id, { ...(value as PersistedInstance), failbackTasks: [] });
          break;
        case 'call':
          this.calls.push(value as CallLogEntry);
          break;
        case 'event':
          this.events[Number(id)] = value as EventLogEntry;
          break;
        case 'task':
          tasks.push(value as PersistedTask);
          break;
        default:
          break;
      }
    }
    for (const job of this.jobsById.values()) {
      job.wire.participatingServers = job.wire.participatingServers.filter((p) => p !== undefined);
      job.plans = job.plans.filter((p) => p !== undefined);
      this.savedLogs.set(job.wire.jobID, job.log.length);
    }
    this.calls.sort((a, b) => a.seq - b.seq);
    this.savedCalls = this.calls.length;
    this.events = this.events.filter((e): e is EventLogEntry => e !== undefined);
    this.events.forEach((entry, index) => this.eventIndex.set(entry, index));

    const held: DurableTask[] = [];
    for (const persisted of tasks.sort((a, b) => a.seq - b.seq)) {
      const task: DurableTask = { id: persisted.seq, spec: persisted.spec, dueSimMs: persisted.dueSimMs, timer: undefined };
      this.pendingTasks.set(task.id, task);
      this.ownTask(task.spec, this.taskHandle(task.id));
      held.push(task);
      this.nextTaskId = Math.max(this.nextTaskId, task.id + 1);
    }
    const toRedeliver = this.events.filter((e) => e.status === 'PENDING');
    this.held = { tasks: held, events: toRedeliver };
    const jobs = [...this.jobsById.values()];
    this.restoredInfo = {
      file,
      savedAt: toIso(meta.savedAtMs),
      jobs: jobs.length,
      activeJobs: jobs.filter((j) => j.wire.status !== 'COMPLETED').length,
      pendingTasks: held.length,
      eventsToRedeliver: toRedeliver.length,
      loadMs: Math.round((performance.now() - loadStarted) * 10) / 10,
    };
    // One snapshot of the merged state (and no torn journal line left behind).
    this.store?.requestCompaction();
    this.saveState();
    if (!deferResume) this.resumeRestoredWork();
  }

  /** The core's records in the state file. */
  private statePart(): StatePart {
    return {
      all: () => this.allRecords(),
      changes: () => this.changedRecords(),
    };
  }

  private allRecords(): [string, unknown][] {
    this.dirty?.clear();
    this.savedCalls = this.calls.length;
    const meta = this.metaRecord();
    this.lastMetaSignature = metaSignature(meta);
    this.clockSaveDue = false;
    const out: [string, unknown][] = [['meta', meta], ['fleet', this.fleet]];
    for (const [id, server] of this.servers) if (this.touchedServers.has(id)) out.push([`server/${id}`, this.serverRecord(server)]);
    for (const [id, job] of this.jobsById) {
      out.push([`job/${id}`, this.jobRecord(job)]);
      job.plans.forEach((_, index) => out.push([`jobpart/${id}/${index}`, this.jobPartRecord(job, index)]));
      out.push([`joblog/${id}/0`, job.log]);
      this.savedLogs.set(id, job.log.length);
    }
    for (const [id, instance] of this.instances) out.push([`instance/${id}`, this.instanceRecord(instance)]);
    for (const call of this.calls) out.push([`call/${call.seq}`, call]);
    this.events.forEach((entry, index) => out.push([`event/${index}`, entry]));
    for (const task of this.pendingTasks.values()) out.push([`task/${task.id}`, this.taskRecord(task)]);
    return out;
  }

  private changedRecords(): StateChanges {
    const upserts: [string, unknown][] = [];
    const deletes: string[] = [];
    for (const key of this.dirty ?? []) {
      const value = this.recordOf(key);
      if (value === undefined) deletes.push(key);
      else upserts.push([key, value]);
    }
    this.dirty?.clear();
    for (const [id, job] of this.jobsById) {
      const saved = this.savedLogs.get(id) ?? 0;
      if (job.log.length <= saved) continue;
      upserts.push([`joblog/${id}/${saved}`, job.log.slice(saved)]);
      this.savedLogs.set(id, job.log.length);
    }
    for (let i = this.savedCalls; i < this.calls.length; i++) {
      const call = this.calls[i];
      if (call) upserts.push([`call/${call.seq}`, call]);
    }
    this.savedCalls = this.calls.length;
    const meta = this.metaRecord();
    const signature = metaSignature(meta);
    if (upserts.length > 0 || deletes.length > 0 || signature !== this.lastMetaSignature || this.clockSaveDue) {
      upserts.unshift(['meta', meta]);
      this.lastMetaSignature = signature;
      this.clockSaveDue = false;
    }
    return { upserts, deletes };
  }

  private recordOf(key: string): unknown {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const id = key.slice(slash + 1);
    switch (kind) {
      case 'server': {
        const server = this.servers.get(id);
        return server ? this.serverRecord(server) : undefined;
      }
      case 'job': {
        const job = this.jobsById.get(id);
        return job ? this.jobRecord(job) : undefined;
      }
      case 'jobpart': {
        const [jobID = '', index = ''] = id.split('/');
        const job = this.jobsById.get(jobID);
        return job ? this.jobPartRecord(job, Number(index)) : undefined;
      }
      case 'instance': {
        const instance = this.instances.get(id);
        return instance ? this.instanceRecord(instance) : undefined;
      }
      case 'event':
        return this.events[Number(id)];
      case 'task': {
        const task = this.pendingTasks.get(Number(id));
        return task ? this.taskRecord(task) : undefined;
      }
      default:
        return undefined;
    }
  }

  private metaRecord(): PersistedMeta {
    return {
      seed: this.seed,
      startedAtMs: this.startedAtMs,
      savedAtMs: this.clock.now(),
      savedSimMs: this.timeline.simNow(),
      timeScale: this.timeline.scale,
      optionTimeScale: this.optionTimeScale,
      timeline: this.timeline.exportSegments(),
      streams: {
        jobIds: this.jobIds.position,
        instanceIds: this.instanceIds.position,
        createdServerIds: this.createdServerIds.position,
        eventIds: this.eventIds.position,
        durations: this.durations.position,
        aux: this.aux.position,
        faults: this.faultEngine.positions,
      },
      faultPlan: this.faultEngine.plan,
      faultStalled: [...this.faultStalled],
      launchOverrides: [...this.launchOverrides],
      nextTaskId: this.nextTaskId,
    };
  }

  private serverRecord(server: ServerEntry): PersistedServer {
    const { launchActions, ...rest } = server;
    return { ...rest, launchActions: [...launchActions.values()] };
  }

  private jobRecord(job: JobEntry): PersistedJob {
    const { participatingServers, ...wire } = job.wire;
    return { accountId: job.accountId, region: job.region, isDrill: job.isDrill, createdAtMs: job.createdAtMs, wire, servers: participatingServers.length };
  }

  private jobPartRecord(job: JobEntry, index: number): PersistedJobPart | undefined {
    const participant = job.wire.participatingServers[index];
    const plan = job.plans[index];
    return participant && plan ? { participant, plan } : undefined;
  }

  private instanceRecord(instance: InstanceEntry): PersistedInstance {
    const { failbackTasks: _tasks, ...rest } = instance;
    return rest;
  }

  private taskRecord(task: DurableTask): PersistedTask {
    return { seq: task.id, dueSimMs: task.dueSimMs, spec: task.spec };
  }

  private markServer(server: ServerEntry): void {
    if (!this.dirty) return;
    const id = server.wire.sourceServerID;
    this.touchedServers.add(id);
    this.dirty.add(`server/${id}`);
  }

  private markInstance(instance: InstanceEntry): void {
    this.dirty?.add(`instance/${instance.wire.recoveryInstanceID}`);
  }

  private markEvent(entry: EventLogEntry): void {
    const index = this.eventIndex.get(entry);
    if (index !== undefined) this.dirty?.add(`event/${index}`);
  }

  /** A job changed, and with it (when given) one participating server and its instances; without a plan, all of them. */
  private markJob(job: JobEntry, plan?: ServerPlan): void {
    if (!this.dirty) return;
    this.dirty.add(`job/${job.wire.jobID}`);
    for (const p of plan ? [plan] : job.plans) {
      this.dirty.add(`jobpart/${job.wire.jobID}/${p.index}`);
      const server = this.servers.get(p.sourceServerID);
      if (server) this.markServer(server);
      if (p.recoveryInstanceID) this.dirty.add(`instance/${p.recoveryInstanceID}`);
      const participant = job.wire.participatingServers[p.index];
      if (participant?.recoveryInstanceID) this.dirty.add(`instance/${participant.recoveryInstanceID}`);
    }
  }

  // ---------------------------------------------------------------- steps in flight (durable tasks)

  /** Schedules a named step `simDelayMs` simulated milliseconds from now. */
  private defer(simDelayMs: number, spec: TaskSpec): TaskHandle {
    const task: DurableTask = { id: this.nextTaskId++, spec, dueSimMs: this.timeline.simNow() + Math.max(0, simDelayMs), timer: undefined };
    this.pendingTasks.set(task.id, task);
    this.dirty?.add(`task/${task.id}`);
    this.arm(task);
    return this.taskHandle(task.id);
  }

  private arm(task: DurableTask): void {
    task.timer = this.scheduler.scheduleAt(task.dueSimMs, () => this.fire(task));
  }

  private taskHandle(id: number): TaskHandle {
    return {
      cancel: () => {
        const task = this.pendingTasks.get(id);
        if (!task) return;
        task.timer?.cancel();
        this.pendingTasks.delete(id);
        this.dirty?.add(`task/${id}`);
      },
    };
  }

  /** Gives a restored step's handle to whoever cancels it (its job, its instance's failback, the fault plan). */
  private ownTask(spec: TaskSpec, handle: TaskHandle): void {
    if ('jobID' in spec) this.jobsById.get(spec.jobID)?.tasks.push(handle);
    else if (spec.kind === 'failbackReady') this.instances.get(spec.instanceID)?.failbackTasks.push(handle);
    else if (spec.kind === 'stallBegin' || spec.kind === 'stallEnd') this.faultTasks.push(handle);
  }

  private fire(task: DurableTask): void {
    if (this.stopped || this.pendingTasks.get(task.id) !== task) return;
    this.pendingTasks.delete(task.id);
    this.dirty?.add(`task/${task.id}`);
    this.runTask(task.spec);
    // Progress: a restart that lost it runs the step again, with the same draws (the streams are saved with it).
    this.saveStateSoon();
  }

  private runTask(spec: TaskSpec): void {
    switch (spec.kind) {
      case 'handOver': {
        const entry = this.events[spec.event];
        if (entry) this.handOver(entry);
        return;
      }
      case 'stallBegin':
        return this.beginStall(spec.sourceServerID);
      case 'stallEnd':
        return this.endStall(spec.sourceServerID);
      case 'failbackReady':
        return this.failbackReady(spec.instanceID, spec.reversedServerID);
      case 'jobStart': {
        const job = this.jobsById.get(spec.jobID);
        if (!job) return;
        this.startJob(job);
        this.markJob(job);
        return;
      }
      default: {
        const job = this.jobsById.get(spec.jobID);
        const plan = job?.plans.find((p) => p.index === spec.index);
        if (!job || !plan) return;
        this.runJobStep(job, plan, spec);
        this.markJob(job, plan);
      }
    }
  }

  // ---------------------------------------------------------------- time

  /** Real time per simulated time (0.01: a 5-minute launch takes 3 s). */
  get timeScale(): number {
    return this.timeline.scale;
  }

  /**
   * Changes the time scale at run time: everything in flight (launches, terminations, post-launch
   * actions, failback replication, delayed events, scheduled stalls) keeps the simulated time it
   * still had to go and runs it at the new scale. 0 makes everything due happen at once.
   */
  setTimeScale(scale: number): void {
    this.scheduler.rescale(checkTimeScale(scale));
    this.saveState();
  }

  /** The current instant on the simulated calendar (ms since the epoch). */
  simulatedNow(): number {
    return this.timeline.simNow();
  }

  // ---------------------------------------------------------------- faults

  /**
   * Replaces the fault plan (validated like the fleet file's `faults`; throws FaultPlanError).
   * Launch faults apply to launches started from now on; event faults to events emitted from now
   * on; stalls of the previous plan end (NOT_STALLED) unless the new plan stalls the same server at
   * once, and the new plan's stalls start after their `afterSeconds`.
   */
  setFaults(plan: FaultPlan): void {
    this.applyFaults(parseFaultPlan(plan));
    this.saveState();
  }

  /** The fault plan in force (a copy). */
  faults(): FaultPlan {
    return clone(this.faultEngine.plan);
  }

  // ---------------------------------------------------------------- reading state (tests, control API, the EC2/SSM edge)

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

  /** The log items of a job (DescribeJobLogItems without paging); empty for an unknown job. */
  jobLog(jobID: string): JobLog[] {
    return clone(this.jobsById.get(jobID)?.log ?? []);
  }

  /** The recovery instances DRS lists (terminated ones are deleted from DRS when their TERMINATE job ends). */
  recoveryInstances(filter: ResourceFilter = {}): RecoveryInstance[] {
    return [...this.instances.values()].filter((i) => !i.deleted && matchesInstance(i, filter)).map((i) => clone(i.wire));
  }

  /** Every EC2 instance DRS launched, terminated ones included, with its EC2 and SSM facts (for the EC2 and SSM endpoints). */
  ec2Instances(filter: ResourceFilter = {}): Ec2InstanceFacts[] {
    return [...this.instances.values()].filter((i) => matchesInstance(i, filter)).map((i) => this.ec2Facts(i));
  }

  /** The recovery instances DRS lists, each with the EC2 facts behind it. */
  recoveryInstanceDetails(filter: ResourceFilter = {}): RecoveryInstanceDetails[] {
    return [...this.instances.values()].filter((i) => !i.deleted && matchesInstance(i, filter))
      .map((i) => ({ recoveryInstance: clone(i.wire), ec2: this.ec2Facts(i) }));
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
    this.saveState();
  }

  /**
   * Changes a server's replication state (a server that is not CONTINUOUS cannot be launched from
   * an on-demand snapshot). Entering or leaving STALLED emits `DRS Source Server Data Replication
   * Stalled Change`. Restarting replication past the replicating servers quota throws the
   * ServiceQuotaExceededException.
   */
  setReplicationState(sourceServerID: string, state: DataReplicationState): void {
    const server = this.servers.get(sourceServerID);
    if (!server) throw new Error(`Unknown source server ${sourceServerID}`);
    if (server.extendsServerId) throw new Error(`Source server ${sourceServerID} is extended: its replication is the staging account's server's`);
    const current = server.wire.dataReplicationInfo.dataReplicationState;
    if (!countsAsReplicating(current) && countsAsReplicating(state)) this.enforceReplicatingQuota(server.accountId, server.region, 1);
    this.faultStalled.delete(sourceServerID);
    delete server.stalledFrom;
    this.changeReplication(server, state);
    this.saveState();
  }

  /**
   * The failback client of an on-premises recovery instance connects (what booting the DRS
   * Failback Client on the original machine does): failback replication starts
   * (FAILBACK_IN_PROGRESS), and FAILBACK_READY_FOR_LAUNCH follows after failbackReplicationMs.
   * AWS-origin instances use ReverseReplication instead.
   */
  startFailbackReplication(recoveryInstanceID: string): void {
    const instance = this.instances.get(recoveryInstanceID);
    if (!instance || instance.deleted) throw new Error(`Unknown recovery instance ${recoveryInstanceID}`);
    this.checkFailbackStartable(instance);
    this.beginFailbackReplication(instance, `fbc-${this.aux.hex(17)}`);
    this.saveState();
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
    const named = hints.accountId !== undefined ? this.fleet.accounts.find((a) => a.accountId === hints.accountId) : undefined;
    if (hints.accountId !== undefined && !named) throw accessDenied(`Account ${hints.accountId} is not part of the simulated fleet`);
    const account = named ?? this.accountFor(hints.accessKeyId);
    const region = hints.region ?? this.defaultRegion ?? account.regions[0] ?? 'us-east-1';
    const ctx: CallerContext = { accountId: account.accountId, region, ...(hints.accessKeyId ? { accessKeyId: hints.accessKeyId } : {}) };
    if (!account.regions.includes(region)) throw uninitializedAccount(account.accountId, region);
    return ctx;
  }

  /**
   * Runs an operation by name on a raw (JSON) input, as the HTTP layer does, and logs the call.
   * With a state file, a mutating operation is saved (fsynced) before this resolves, unless
   * `deferSave` (the HTTP edge saves itself, once its own log has the call, before it answers).
   */
  async invoke(operation: string, caller: CallerHints, input: unknown, options: { deferSave?: boolean } = {}): Promise<InvokeResult> {
    const result = this.run(operation, caller, input);
    if (!options.deferSave) {
      if (isReadOnlyOperation(operation)) this.saveStateSoon();
      else this.saveState();
    }
    return result;
  }

  private run(operation: string, caller: CallerHints, input: unknown): InvokeResult {
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

  /** Logs a call that was refused before it reached an operation (unknown route, unparsable body, injected fault). */
  rejectCall(operation: string, caller: CallerHints, input: unknown, error: DrsError): InvokeResult {
    const result: InvokeResult = { ok: false, error };
    let ctx: CallerContext;
    try {
      ctx = this.resolveCaller(caller);
    } catch {
      ctx = this.fallbackContext(caller);
    }
    this.logCall(operation, ctx, input, result);
    this.saveStateSoon();
    return result;
  }

  describeSourceServers(ctx: CallerContext, input: DescribeSourceServersInput): Page<SourceServer> {
    const f = input.filters ?? {};
    const ids = f.sourceServerIDs && f.sourceServerIDs.length > 0 ? new Set(f.sourceServerIDs) : undefined;
    const staging = f.stagingAccountIDs && f.stagingAccountIDs.length > 0 ? new Set(f.stagingAccountIDs) : undefined;
    const hardwareId = f.hardwareId ? f.hardwareId.toLowerCase() : undefined;
    const entries = [...this.servers.values()]
      .filter((s) => matches(s, ctx))
      .filter((s) => !ids || ids.has(s.wire.sourceServerID))
      .filter((s) => !staging || (s.wire.stagingArea.stagingAccountID !== undefined && staging.has(s.wire.stagingArea.stagingAccountID)))
      .filter((s) => !hardwareId || hardwareIds(s.wire).includes(hardwareId));
    const page = paginate(entries, { ...pageOptions(input), defaultPageSize: this.defaultPageSize, scope: `DescribeSourceServers|${ctx.accountId}|${ctx.region}`, query: input.filters });
    return { ...page, items: page.items.map((s) => this.viewServer(s)) };
  }

  describeJobs(ctx: CallerContext, input: DescribeJobsInput): Page<Job> {
    const f = input.filters ?? {};
    const ids = f.jobIDs && f.jobIDs.length > 0 ? new Set(f.jobIDs) : undefined;
    const from = f.fromDate ? Date.parse(f.fromDate) : undefined;
    const to = f.toDate ? Date.parse(f.toDate) : undefined;
    const entries = [...this.jobsById.values()]
      .filter((j) => matches(j, ctx))
      .filter((j) => !ids || ids.has(j.wire.jobID))
      .filter((j) => from === undefined || j.createdAtMs >= from)
      .filter((j) => to === undefined || j.createdAtMs <= to);
    const page = paginate(entries, { ...pageOptions(input), defaultPageSize: this.defaultPageSize, scope: `DescribeJobs|${ctx.accountId}|${ctx.region}`, query: input.filters });
    return { ...page, items: page.items.map((j) => clone(j.wire)) };
  }

  /** The job's log, oldest first. An unknown job (or another account's) has no items: the model lists no not-found error here. */
  describeJobLogItems(ctx: CallerContext, input: DescribeJobLogItemsInput): Page<JobLog> {
    const job = this.jobsById.get(input.jobID);
    const log = job && matches(job, ctx) ? job.log : [];
    const page = paginate(log, { ...pageOptions(input), defaultPageSize: this.defaultPageSize, scope: `DescribeJobLogItems|${ctx.accountId}|${ctx.region}`, query: input.jobID });
    return { ...page, items: clone(page.items) };
  }

  describeRecoveryInstances(ctx: CallerContext, input: DescribeRecoveryInstancesInput): Page<RecoveryInstance> {
    const f = input.filters ?? {};
    const ids = f.recoveryInstanceIDs && f.recoveryInstanceIDs.length > 0 ? new Set(f.recoveryInstanceIDs) : undefined;
    const servers = f.sourceServerIDs && f.sourceServerIDs.length > 0 ? new Set(f.sourceServerIDs) : undefined;
    const entries = [...this.instances.values()]
      .filter((i) => !i.deleted && matches(i, ctx))
      .filter((i) => !ids || ids.has(i.wire.recoveryInstanceID))
      .filter((i) => !servers || servers.has(i.wire.sourceServerID));
    const page = paginate(entries, { ...pageOptions(input), defaultPageSize: this.defaultPageSize, scope: `DescribeRecoveryInstances|${ctx.accountId}|${ctx.region}`, query: input.filters });
    return { ...page, items: page.items.map((i) => clone(i.wire)) };
  }

  /**
   * The point-in-time snapshots the policy keeps for a server (for an extended server: its staging
   * server's). Unknown server: no items (the model lists no not-found error here).
   */
  describeRecoverySnapshots(ctx: CallerContext, input: DescribeRecoverySnapshotsInput): Page<RecoverySnapshot> {
    const server = this.servers.get(input.sourceServerID);
    let items = server && matches(server, ctx) ? this.snapshotsOf(server) : [];
    const from = input.filters?.fromDateTime ? Date.parse(input.filters.fromDateTime) : undefined;
    const to = input.filters?.toDateTime ? Date.parse(input.filters.toDateTime) : undefined;
    items = items.filter((s) => {
      const at = Date.parse(s.timestamp ?? s.expectedTimestamp);
      return (from === undefined || at >= from) && (to === undefined || at <= to);
    });
    if (input.order === 'DESC') items.reverse();
    return paginate(items, {
      ...pageOptions(input), defaultPageSize: this.defaultPageSize,
      scope: `DescribeRecoverySnapshots|${ctx.accountId}|${ctx.region}`, query: [input.sourceServerID, input.filters, input.order ?? 'ASC'],
    });
  }

  startRecovery(ctx: CallerContext, input: StartRecoveryInput): Job {
    const ids = input.sourceServers.map((s) => s.sourceServerID);
    rejectDuplicates(ids, (i) => `sourceServers[${i}].sourceServerID`, 'Source server');
    const servers = ids.map((id) => this.ownServer(ctx, id));
    const snapshots = input.sourceServers.map((s, i) => {
      if (!s.recoverySnapshotID) return undefined;
      const server = servers[i];
      const found = server ? this.snapshotsOf(server).find((snap) => snap.snapshotID === s.recoverySnapshotID) : undefined;
      if (!found) throw notFound(`Recovery snapshot ${s.recoverySnapshotID} of source server ${s.sourceServerID} not found`, 'RECOVERY_SNAPSHOT', s.recoverySnapshotID);
      return { snapshotID: found.snapshotID, realMs: Date.parse(found.expectedTimestamp) };
    });
    this.enforceJobQuotas(ctx, ids);

    const isDrill = input.isDrill ?? false;
    const t = this.timings;
    const job = this.createJob(ctx, {
      type: 'LAUNCH',
      initiatedBy: isDrill ? 'START_DRILL' : 'START_RECOVERY',
      isDrill,
      tags: input.tags ?? {},
      participatingServers: ids.map((sourceServerID) => ({ sourceServerID, launchStatus: 'PENDING' })),
    });
    servers.forEach((server, index) => {
      this.markServer(server);
      server.wire.lastLaunchResult = 'PENDING';
      server.wire.lifeCycle.lastLaunch = {
        initiated: { apiCallDateTime: job.wire.creationDateTime, jobID: job.wire.jobID, type: isDrill ? 'DRILL' : 'RECOVERY' },
        status: 'PENDING',
      };
      const drawn = this.drawLaunchDuration(server.os); // drawn for every server, so outcomes never shift the stream
      const faults = this.faultEngine.launch(this.selectable(server));
      const forced = this.launchOverrides.get(server.wire.sourceServerID) ?? server.launchOutcome;
      const failure = faults.fail ? 'Launch failed (injected fault)' : forced === 'FAIL' ? 'Launch failed (the fleet forces this server to fail)' : undefined;
      const snapshot = snapshots[index];
      job.plans.push({
        index,
        sourceServerID: server.wire.sourceServerID,
        spanMs: Math.max(Math.round(drawn * faults.slowFactor), t.pendingMs + 1) - t.pendingMs,
        ...(failure ? { failure } : {}),
        ...(snapshot ? { snapshot } : {}),
        done: false,
      });
    });
    this.scheduleStart(job);
    return clone(job.wire);
  }

  terminateRecoveryInstances(ctx: CallerContext, input: TerminateRecoveryInstancesInput): Job {
    const ids = input.recoveryInstanceIDs;
    rejectDuplicates(ids, (i) => `recoveryInstanceIDs[${i}]`, 'Recovery instance');
    const instances = ids.map((id) => {
      const instance = this.ownInstance(ctx, id);
      const state = instance.wire.ec2InstanceState;
      if (state === 'TERMINATED' || state === 'SHUTTING-DOWN' || this.activeJobWithInstance(id)) {
        throw conflict(`Recovery instance ${id} is already terminated or being terminated, or busy in another job`, 'RECOVERY_INSTANCE', id);
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
    const t = this.timings;
    instances.forEach((instance, index) => job.plans.push({
      index,
      sourceServerID: instance.wire.sourceServerID,
      recoveryInstanceID: instance.wire.recoveryInstanceID,
      spanMs: Math.max(t.terminateMs, t.pendingMs + 1) - t.pendingMs,
      done: false,
    }));
    this.scheduleStart(job);
    return clone(job.wire);
  }

  getLaunchConfiguration(ctx: CallerContext, sourceServerID: string): LaunchConfiguration {
    return clone(this.ownServer(ctx, sourceServerID).launchConfig);
  }

  updateLaunchConfiguration(ctx: CallerContext, input: UpdateLaunchConfigurationInput): LaunchConfiguration {
    const server = this.ownServer(ctx, input.sourceServerID);
    this.markServer(server);
    const config = server.launchConfig;
    if (input.name !== undefined) config.name = input.name;
    if (input.launchDisposition !== undefined) config.launchDisposition = input.launchDisposition;
    if (input.targetInstanceTypeRightSizingMethod !== undefined) config.targetInstanceTypeRightSizingMethod = input.targetInstanceTypeRightSizingMethod;
    if (input.copyPrivateIp !== undefined) config.copyPrivateIp = input.copyPrivateIp;
    if (input.copyTags !== undefined) config.copyTags = input.copyTags;
    if (input.licensing !== undefined) config.licensing = { ...input.licensing };
    if (input.postLaunchEnabled !== undefined) config.postLaunchEnabled = input.postLaunchEnabled;
    if (input.launchIntoInstanceProperties !== undefined) {
      if (input.launchIntoInstanceProperties.launchIntoEC2InstanceID) config.launchIntoInstanceProperties = { ...input.launchIntoInstanceProperties };
      else delete config.launchIntoInstanceProperties;
    }
    return clone(config);
  }

  putLaunchAction(ctx: CallerContext, input: PutLaunchActionInput): LaunchAction & { resourceId: string } {
    const server = this.launchActionResource(ctx, input.resourceId);
    if (!server.launchActions.has(input.actionId) && server.launchActions.size >= this.quotas.maxLaunchActionsPerResource) {
      throw quotaExceeded(`A resource can have at most ${this.quotas.maxLaunchActionsPerResource} launch actions`, QUOTA_CODES.launchActionsPerResource, 'LAUNCH_ACTION', input.resourceId);
    }
    const action: LaunchAction = {
      actionId: input.actionId,
      actionCode: input.actionCode,
      type: launchActionType(input.actionCode),
      name: input.name,
      active: input.active,
      order: input.order,
      actionVersion: input.actionVersion,
      optional: input.optional,
      ...(input.parameters ? { parameters: clone(input.parameters) } : {}),
      description: input.description,
      category: input.category,
    };
    server.launchActions.set(action.actionId, action);
    this.markServer(server);
    return { resourceId: input.resourceId, ...clone(action) };
  }

  listLaunchActions(ctx: CallerContext, input: ListLaunchActionsInput): Page<LaunchAction> {
    const server = this.launchActionResource(ctx, input.resourceId);
    const ids = input.filters?.actionIds && input.filters.actionIds.length > 0 ? new Set(input.filters.actionIds) : undefined;
    const items = sortLaunchActions(server.launchActions.values()).filter((a) => !ids || ids.has(a.actionId));
    const page = paginate(items, { ...pageOptions(input), defaultPageSize: this.defaultPageSize, scope: `ListLaunchActions|${ctx.accountId}|${ctx.region}`, query: [input.resourceId, input.filters] });
    return { ...page, items: clone(page.items) };
  }

  deleteLaunchAction(ctx: CallerContext, resourceId: string, actionId: string): void {
    const server = this.launchActionResource(ctx, resourceId);
    if (!server.launchActions.delete(actionId)) throw notFound(`Launch action ${actionId} not found on ${resourceId}`, 'LAUNCH_ACTION', actionId);
    this.markServer(server);
  }

  /** Launches the failback of recovery instances in FAILBACK_READY_FOR_LAUNCH: a LAUNCH job initiated by FAILBACK. */
  startFailbackLaunch(ctx: CallerContext, input: StartFailbackLaunchInput): Job {
    const ids = input.recoveryInstanceIDs;
    rejectDuplicates(ids, (i) => `recoveryInstanceIDs[${i}]`, 'Recovery instance');
    const instances = ids.map((id) => {
      const instance = this.ownInstance(ctx, id);
      const state = instance.wire.failback?.state;
      if (instance.wire.isDrill) throw conflict(`Recovery instance ${id} was launched by a drill and cannot be failed back`, 'RECOVERY_INSTANCE', id);
      if (state !== 'FAILBACK_READY_FOR_LAUNCH') throw conflict(`Recovery instance ${id} is in failback state ${state ?? 'none'}, not FAILBACK_READY_FOR_LAUNCH`, 'RECOVERY_INSTANCE', id);
      if (this.activeJobWithInstance(id)) throw conflict(`Recovery instance ${id} is busy in another job`, 'RECOVERY_INSTANCE', id);
      return instance;
    });
    this.enforceJobQuotas(ctx, [...new Set(instances.map((i) => i.wire.sourceServerID))]);
    const job = this.createJob(ctx, {
      type: 'LAUNCH',
      initiatedBy: 'FAILBACK',
      isDrill: false,
      tags: input.tags ?? {},
      participatingServers: instances.map((i) => ({ sourceServerID: i.wire.sourceServerID, recoveryInstanceID: i.wire.recoveryInstanceID, launchStatus: 'PENDING' })),
    });
    const t = this.timings;
    instances.forEach((instance, index) => {
      const drawn = this.drawLaunchDuration(instance.os);
      const server = this.servers.get(instance.wire.sourceServerID);
      const faults = server ? this.faultEngine.launch(this.selectable(server)) : { fail: false, slowFactor: 1 };
      const failback = instance.wire.failback ?? (instance.wire.failback = {});
      failback.failbackJobID = job.wire.jobID;
      this.markInstance(instance);
      job.plans.push({
        index,
        sourceServerID: instance.wire.sourceServerID,
        recoveryInstanceID: instance.wire.recoveryInstanceID,
        spanMs: Math.max(Math.round(drawn * faults.slowFactor), t.pendingMs + 1) - t.pendingMs,
        ...(faults.fail ? { failure: 'Failback launch failed (injected fault)' } : {}),
        done: false,
      });
    });
    this.scheduleStart(job);
    return clone(job.wire);
  }

  /**
   * Starts replication of an AWS-origin recovery instance back to its origin region: creates (or
   * restarts) the reversed-direction source server there and moves the instance to
   * FAILBACK_IN_PROGRESS, then FAILBACK_READY_FOR_LAUNCH once synchronized.
   */
  reverseReplication(ctx: CallerContext, recoveryInstanceID: string): { reversedDirectionSourceServerArn: string } {
    const instance = this.ownInstance(ctx, recoveryInstanceID);
    this.checkFailbackStartable(instance);
    const original = this.servers.get(instance.wire.sourceServerID);
    if (!original || instance.wire.originEnvironment !== 'AWS' || !original.origin) {
      throw invalidRequest(`Recovery instance ${recoveryInstanceID} did not originate in EC2: reverse replication applies only to AWS-origin servers (fail back with the DRS Failback Client)`);
    }
    const origin = original.origin;
    const account = this.fleet.accounts.find((a) => a.accountId === origin.accountId);
    if (!account) throw accessDenied(`Elastic Disaster Recovery cannot reach the origin account ${origin.accountId}`);
    if (!account.regions.includes(origin.region)) throw uninitializedAccount(origin.accountId, origin.region);
    let reversed = instance.reversedServerId ? this.servers.get(instance.reversedServerId) : undefined;
    if (!reversed) {
      this.enforceReplicatingQuota(origin.accountId, origin.region, 1);
      this.enforceServerCountQuota(origin.accountId, origin.region);
      reversed = this.createReversedServer(instance, original, origin);
    } else if (!countsAsReplicating(reversed.wire.dataReplicationInfo.dataReplicationState)) {
      this.enforceReplicatingQuota(origin.accountId, origin.region, 1);
    }
    this.changeReplication(reversed, 'INITIAL_SYNC');
    original.wire.reversedDirectionSourceServerArn = reversed.wire.arn;
    this.markServer(original);
    this.beginFailbackReplication(instance, undefined, reversed);
    return { reversedDirectionSourceServerArn: reversed.wire.arn };
  }

  /** Back to FAILBACK_NOT_STARTED: failback replication stops (a failback launch in flight no longer moves the state). */
  stopFailback(ctx: CallerContext, recoveryInstanceID: string): void {
    const instance = this.ownInstance(ctx, recoveryInstanceID);
    this.cancelFailbackTasks(instance);
    this.markInstance(instance);
    const failback = instance.wire.failback ?? (instance.wire.failback = {});
    const replicating = instance.wire.dataReplicationInfo?.dataReplicationState;
    if (replicating !== undefined && replicating !== 'NOT_STARTED' && replicating !== 'DISCONNECTED') {
      instance.wire.dataReplicationInfo = recoveryReplicationInfo('STOPPED', instance.disk, instance.region);
    }
    delete failback.failbackJobID;
    this.setFailbackState(instance, 'FAILBACK_NOT_STARTED');
  }

  /**
   * Disconnects a recovery instance from DRS: replication DISCONNECTED, replicated disks' total
   * storage zeroed, lag and ETA dropped; a failback in progress goes back to FAILBACK_NOT_STARTED.
   */
  disconnectRecoveryInstance(ctx: CallerContext, recoveryInstanceID: string): void {
    const instance = this.ownInstance(ctx, recoveryInstanceID);
    if (this.activeJobWithInstance(recoveryInstanceID)) throw conflict(`Recovery instance ${recoveryInstanceID} is busy in an active job`, 'RECOVERY_INSTANCE', recoveryInstanceID);
    this.cancelFailbackTasks(instance);
    this.markInstance(instance);
    instance.wire.dataReplicationInfo = recoveryReplicationInfo('DISCONNECTED', instance.disk, instance.region);
    const state = instance.wire.failback?.state;
    if (state === 'FAILBACK_IN_PROGRESS' || state === 'FAILBACK_READY_FOR_LAUNCH') this.setFailbackState(instance, 'FAILBACK_NOT_STARTED');
  }

  /** The staging accounts of the caller's extended source servers. */
  listStagingAccounts(ctx: CallerContext, input: ListStagingAccountsInput): { accounts: { accountID: string }[]; nextToken?: string } {
    const ids = new Set<string>();
    for (const s of this.servers.values()) {
      if (matches(s, ctx) && s.wire.stagingArea.status === 'EXTENDED' && s.wire.stagingArea.stagingAccountID) ids.add(s.wire.stagingArea.stagingAccountID);
    }
    const page = paginate([...ids].sort().map((accountID) => ({ accountID })), { ...pageOptions(input), defaultPageSize: 50, scope: `ListStagingAccounts|${ctx.accountId}|${ctx.region}`, query: null });
    return { accounts: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  /**
   * The source servers of a staging account (same region) that the caller may extend: not already
   * extended into the caller's account, and not themselves extensions of another server.
   */
  listExtensibleSourceServers(ctx: CallerContext, input: ListExtensibleSourceServersInput): Page<StagingSourceServer> {
    this.checkStagingAccess(ctx, input.stagingAccountID);
    const extendedHere = new Set([...this.servers.values()].filter((s) => matches(s, ctx) && s.extendsServerId).map((s) => s.extendsServerId));
    const items = [...this.servers.values()]
      .filter((s) => s.accountId === input.stagingAccountID && s.region === ctx.region)
      .filter((s) => s.wire.stagingArea.status !== 'EXTENDED' && s.wire.replicationDirection === 'FAILOVER')
      .filter((s) => !extendedHere.has(s.wire.sourceServerID))
      .map((s) => ({ hostname: s.hostname, arn: s.wire.arn, tags: { ...s.wire.tags } }));
    return paginate(items, { ...pageOptions(input), defaultPageSize: 300, scope: `ListExtensibleSourceServers|${ctx.accountId}|${ctx.region}`, query: input.stagingAccountID });
  }

  /** Extends a staging account's source server into the caller's account (same region). */
  createExtendedSourceServer(ctx: CallerContext, input: CreateExtendedSourceServerInput): SourceServer {
    const arn = parseDrsArn(input.sourceServerArn);
    if (!arn || arn.resourceType !== 'source-server') throw validationError([{ name: 'sourceServerArn', message: 'Not a source server ARN' }]);
    if (arn.accountId === ctx.accountId) throw invalidRequest(`Source server ${arn.resourceId} is already in account ${ctx.accountId}: extend servers of a staging account`);
    if (arn.region !== ctx.region) throw invalidRequest(`Source server ${arn.resourceId} is in ${arn.region}: extended source servers stay in the region of the call (${ctx.region})`);
    this.checkStagingAccess(ctx, arn.accountId);
    const staging = this.servers.get(arn.resourceId);
    if (!staging || staging.accountId !== arn.accountId || staging.region !== arn.region) {
      throw notFound(`Source server ${arn.resourceId} not found in staging account ${arn.accountId}, region ${arn.region}`, 'SOURCE_SERVER', arn.resourceId);
    }
    if (staging.wire.stagingArea.status === 'EXTENDED') throw invalidRequest(`Source server ${arn.resourceId} is itself an extended source server and cannot be extended again`);
    const existing = [...this.servers.values()].find((s) => matches(s, ctx) && s.extendsServerId === staging.wire.sourceServerID);
    if (existing) throw invalidRequest(`Source server ${arn.resourceId} is already extended into account ${ctx.accountId} as ${existing.wire.sourceServerID}`);
    this.enforceServerCountQuota(ctx.accountId, ctx.region);
    const now = this.clock.now();
    const id = this.createdServerIds.next((candidate) => this.servers.has(candidate));
    const entry = this.newEntry({
      id, accountId: ctx.accountId, region: ctx.region, os: staging.os, hostname: staging.hostname, ssm: staging.ssm,
      tags: input.tags ?? {}, properties: clone(staging.wire.sourceProperties), disk: staging.disk, privateIp: staging.privateIp,
      addedMs: now, state: 'CONTINUOUS', at: this.nowAt(),
    });
    entry.extendsServerId = staging.wire.sourceServerID;
    entry.wire.stagingArea = { status: 'EXTENDED', stagingAccountID: arn.accountId, stagingSourceServerArn: staging.wire.arn };
    this.servers.set(id, entry);
    this.markServer(entry);
    return this.viewServer(entry);
  }

  listTagsForResource(ctx: CallerContext, resourceArn: string): TagsMap {
    return { ...this.taggable(ctx, resourceArn).tags };
  }

  tagResource(ctx: CallerContext, resourceArn: string, tags: TagsMap): void {
    const target = this.taggable(ctx, resourceArn);
    const merged = { ...target.tags, ...tags };
    if (Object.keys(merged).length > 50) {
      throw validationError([{ name: 'tags', message: `A resource can have at most 50 tags; ${resourceArn} would have ${Object.keys(merged).length}` }]);
    }
    Object.assign(target.tags, tags);
    target.touch();
  }

  untagResource(ctx: CallerContext, resourceArn: string, tagKeys: string[]): void {
    const target = this.taggable(ctx, resourceArn);
    for (const key of tagKeys) delete target.tags[key];
    target.touch();
  }

  // ---------------------------------------------------------------- internals: lookups and quotas

  private ownServer(ctx: CallerContext, id: string): ServerEntry {
    const server = this.servers.get(id);
    if (!server || !matches(server, ctx)) throw notFound(`Source server ${id} not found in account ${ctx.accountId}, region ${ctx.region}`, 'SOURCE_SERVER', id);
    return server;
  }

  private ownInstance(ctx: CallerContext, id: string): InstanceEntry {
    const instance = this.instances.get(id);
    if (!instance || instance.deleted || !matches(instance, ctx)) {
      throw notFound(`Recovery instance ${id} not found in account ${ctx.accountId}, region ${ctx.region}`, 'RECOVERY_INSTANCE', id);
    }
    return instance;
  }

  private launchActionResource(ctx: CallerContext, resourceId: string): ServerEntry {
    if (resourceId.startsWith('lct-')) {
      throw notFound(`Launch configuration template ${resourceId} not found (the simulator keeps launch actions per source server)`, 'LAUNCH_CONFIGURATION_TEMPLATE', resourceId);
    }
    return this.ownServer(ctx, resourceId);
  }

  /** The caller may read a staging account's servers: the account exists, runs DRS in the region, and trusts the caller. */
  private checkStagingAccess(ctx: CallerContext, stagingAccountID: string): void {
    if (stagingAccountID === ctx.accountId) throw invalidRequest(`The staging account must be another account than ${ctx.accountId}`);
    const staging = this.fleet.accounts.find((a) => a.accountId === stagingAccountID);
    const trusted = staging && (staging.trustedAccountIds === undefined || staging.trustedAccountIds.includes(ctx.accountId));
    if (!staging || !staging.regions.includes(ctx.region) || !trusted) {
      throw accessDenied(`Account ${ctx.accountId} is not trusted by staging account ${stagingAccountID} in ${ctx.region}`);
    }
  }

  private activeJobs(ctx: { accountId: string; region: string }): JobEntry[] {
    return [...this.jobsById.values()].filter((j) => matches(j, ctx) && j.wire.status !== 'COMPLETED');
  }

  /** A TERMINATE or FAILBACK job still works on the instance. */
  private activeJobWithInstance(recoveryInstanceID: string): boolean {
    return [...this.jobsById.values()].some((j) => j.wire.status !== 'COMPLETED' && j.plans.some((p) => p.recoveryInstanceID === recoveryInstanceID && !p.done));
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

  private replicatingCount(accountId: string, region: string): number {
    let n = 0;
    for (const s of this.servers.values()) {
      if (s.accountId === accountId && s.region === region && s.wire.stagingArea.status !== 'EXTENDED' && countsAsReplicating(s.wire.dataReplicationInfo.dataReplicationState)) n++;
    }
    return n;
  }

  private serverCount(accountId: string, region: string): number {
    let n = 0;
    for (const s of this.servers.values()) if (s.accountId === accountId && s.region === region) n++;
    return n;
  }

  private enforceReplicatingQuota(accountId: string, region: string, adding: number): void {
    const current = this.replicatingCount(accountId, region);
    if (current + adding > this.quotas.maxReplicatingSourceServers) {
      throw quotaExceeded(
        `At most ${this.quotas.maxReplicatingSourceServers} source servers can replicate in account ${accountId}, region ${region}; ${current} already do`,
        QUOTA_CODES.replicatingSourceServers, 'SOURCE_SERVER',
      );
    }
  }

  private enforceServerCountQuota(accountId: string, region: string): void {
    const current = this.serverCount(accountId, region);
    if (current + 1 > this.quotas.maxSourceServers) {
      throw quotaExceeded(
        `At most ${this.quotas.maxSourceServers} source servers can exist in account ${accountId}, region ${region}; ${current} already do`,
        QUOTA_CODES.sourceServers, 'SOURCE_SERVER',
      );
    }
  }

  /** A fleet beyond the replicating or total source server quotas does not load: real DRS would never hold it. */
  private checkFleetQuotas(): void {
    const buckets = new Map<string, { accountId: string; region: string }>();
    for (const s of this.servers.values()) buckets.set(`${s.accountId}|${s.region}`, { accountId: s.accountId, region: s.region });
    const problems: string[] = [];
    for (const { accountId, region } of buckets.values()) {
      const replicating = this.replicatingCount(accountId, region);
      const total = this.serverCount(accountId, region);
      if (replicating > this.quotas.maxReplicatingSourceServers) {
        problems.push(`${replicating} replicating source servers in ${accountId}/${region}, DRS allows ${this.quotas.maxReplicatingSourceServers} (${QUOTA_CODES.replicatingSourceServers}): spread them over more accounts, set replicationState STOPPED on some, or raise quotas.maxReplicatingSourceServers`);
      }
      if (total > this.quotas.maxSourceServers) {
        problems.push(`${total} source servers in ${accountId}/${region}, DRS allows ${this.quotas.maxSourceServers} (${QUOTA_CODES.sourceServers})`);
      }
    }
    if (problems.length > 0) throw new Error(`DrsSimulator: the fleet exceeds DRS quotas: ${problems.join('; ')}`);
  }

  // ---------------------------------------------------------------- internals: servers, replication, snapshots

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
    const disk = { deviceName: windows ? '\\\\.\\PHYSICALDRIVE0' : '/dev/sda', bytes: diskBytes };
    const entry = this.newEntry({
      id,
      accountId: server.accountId,
      region: server.region,
      os: server.os,
      hostname: server.hostname,
      ssm: server.ssm,
      tags: server.tags ?? {},
      disk,
      privateIp: ip,
      addedMs: added,
      // As of the start (also when rebuilt after a restart): the same server, to the timestamp.
      at: { realMs: this.startedAtMs, simMs: this.startedAtMs },
      state: server.replicationState ?? 'CONTINUOUS',
      launchOutcome: server.launchOutcome,
      properties: {
        lastUpdatedDateTime: toIso(this.startedAtMs),
        recommendedInstanceType: server.recommendedInstanceType ?? (cores >= 8 ? 'm5.2xlarge' : cores >= 4 ? 'm5.xlarge' : 'm5.large'),
        identificationHints: {
          hostname: server.hostname,
          fqdn: `${server.hostname}.corp.example.com`,
          ...(server.vmWareUuid ? { vmWareUuid: server.vmWareUuid } : {}),
          ...(server.awsInstanceID ? { awsInstanceID: server.awsInstanceID } : {}),
        },
        networkInterfaces: [{ macAddress: mac, ips: [ip], isPrimary: true }],
        disks: [{ deviceName: disk.deviceName, bytes: diskBytes }],
        cpus: [{ cores, modelName: 'Intel(R) Xeon(R) Platinum 8259CL CPU @ 2.50GHz' }],
        ramBytes,
        os: { fullString: server.osFullString ?? (windows ? WINDOWS_FULL_STRING : LINUX_FULL_STRING) },
        supportsNitroInstances: true,
      },
      launchTemplateId: `lt-${random.hex(17)}`,
    });
    if (stagingAccountID) {
      entry.wire.stagingArea = { status: 'EXTENDED', stagingAccountID, stagingSourceServerArn: sourceServerArn(server.region, stagingAccountID, `s-${random.hex(17)}`) };
    }
    if (server.awsInstanceID) {
      const account = this.fleet.accounts.find((a) => a.accountId === (server.originAccountID ?? server.accountId));
      const originRegion = server.originRegion ?? account?.regions.find((r) => r !== server.region) ?? server.region;
      entry.origin = { accountId: server.originAccountID ?? server.accountId, region: originRegion };
      entry.wire.sourceCloudProperties = { originAccountID: entry.origin.accountId, originRegion, originAvailabilityZone: `${originRegion}a` };
    }
    this.servers.set(id, entry);
  }

  /** A fleet server declared as extended from a staging account whose server (same hostname and region) is in the fleet is linked to it. */
  private linkExtendedServers(): void {
    for (const entry of this.servers.values()) {
      const stagingAccountID = entry.wire.stagingArea.stagingAccountID;
      if (!stagingAccountID || entry.extendsServerId) continue;
      const staging = [...this.servers.values()].find((s) => s.accountId === stagingAccountID && s.region === entry.region && s.hostname === entry.hostname && !s.wire.stagingArea.stagingAccountID);
      if (!staging) continue;
      entry.extendsServerId = staging.wire.sourceServerID;
      entry.wire.stagingArea.stagingSourceServerArn = staging.wire.arn;
    }
  }

  private newEntry(spec: {
    id: string; accountId: string; region: string; os: OperatingSystem; hostname: string; ssm: FleetSsmScript | undefined;
    tags: TagsMap; disk: DiskFacts; privateIp: string; addedMs: number; state: DataReplicationState;
    properties: SourceServer['sourceProperties']; launchOutcome?: LaunchOutcome | undefined; launchTemplateId?: string;
    /** The instant the server is added, on the clock and on the simulated calendar. */
    at: { realMs: number; simMs: number };
  }): ServerEntry {
    const simNow = spec.at.simMs;
    const firstByte = spec.addedMs + 600_000;
    const history: ReplicationHistory = { sinceSimMs: Math.min(firstByte, simNow), gaps: [] };
    if (spec.state === 'INITIATING' || spec.state === 'INITIAL_SYNC') history.sinceSimMs = simNow;
    else if (!takesSnapshots(spec.state)) history.gaps.push({ fromSimMs: Math.max(history.sinceSimMs, simNow - 2 * 3_600_000) });
    const wire: SourceServer = {
      sourceServerID: spec.id,
      arn: sourceServerArn(spec.region, spec.accountId, spec.id),
      tags: { ...spec.tags },
      lastLaunchResult: 'NOT_STARTED',
      dataReplicationInfo: replicationInfo(spec.state, spec.disk, spec.region, spec.at.realMs),
      lifeCycle: {
        addedToServiceDateTime: toIso(spec.addedMs),
        firstByteDateTime: toIso(firstByte),
        elapsedReplicationDuration: isoDuration(Math.max(0, spec.at.realMs - firstByte)),
        lastSeenByServiceDateTime: toIso(Math.max(spec.addedMs, this.startedAtMs)),
      },
      sourceProperties: spec.properties,
      stagingArea: { status: 'NOT_EXTENDED' },
      replicationDirection: 'FAILOVER',
      agentVersion: AGENT_VERSION,
    };
    return {
      accountId: spec.accountId,
      region: spec.region,
      os: spec.os,
      hostname: spec.hostname,
      launchOutcome: spec.launchOutcome,
      ssm: spec.ssm,
      wire,
      disk: spec.disk,
      privateIp: spec.privateIp,
      launchConfig: defaultLaunchConfiguration(spec.id, spec.hostname, spec.launchTemplateId ?? `lt-${this.aux.hex(17)}`),
      launchActions: new Map(),
      history,
      phaseMs: snapshotPhase(spec.id, this.snapshotPolicy),
    };
  }

  /** The server whose replication an entry reports: itself, or the staging server it extends. */
  private replicationSource(server: ServerEntry): ServerEntry {
    return (server.extendsServerId ? this.servers.get(server.extendsServerId) : undefined) ?? server;
  }

  private replicationStateOf(server: ServerEntry): DataReplicationState | undefined {
    return this.replicationSource(server).wire.dataReplicationInfo.dataReplicationState;
  }

  private nowAt(): { realMs: number; simMs: number } {
    return { realMs: this.clock.now(), simMs: this.timeline.simNow() };
  }

  private changeReplication(server: ServerEntry, state: DataReplicationState): void {
    this.markServer(server);
    const previous = server.wire.dataReplicationInfo.dataReplicationState;
    server.wire.dataReplicationInfo = replicationInfo(state, server.disk, server.region, this.clock.now());
    recordReplication(server.history, takesSnapshots(state), this.timeline.simNow());
    if (previous !== 'STALLED' && state === 'STALLED') this.emit(this.stalledEvent(server, 'STALLED'));
    if (previous === 'STALLED' && state !== 'STALLED') this.emit(this.stalledEvent(server, 'NOT_STALLED'));
  }

  private snapshotsOf(server: ServerEntry): RecoverySnapshot[] {
    const source = this.replicationSource(server);
    const simNow = this.timeline.simNow();
    return snapshotInstants(this.snapshotPolicy, source.history, source.phaseMs, simNow).map((at) => {
      const expected = this.timeline.realAt(at);
      return {
        snapshotID: snapshotId(this.seed, source.wire.sourceServerID, at),
        sourceServerID: server.wire.sourceServerID,
        expectedTimestamp: toIso(expected),
        timestamp: toIso(this.timeline.realAt(at + Math.min(2000, simNow - at))),
        ebsSnapshots: ebsSnapshotIds(this.seed, source.wire.sourceServerID, at, source.wire.sourceProperties.disks?.length ?? 1),
      };
    });
  }

  private viewServer(server: ServerEntry): SourceServer {
    const view = clone(server.wire);
    const source = this.replicationSource(server);
    if (source !== server) view.dataReplicationInfo = clone(source.wire.dataReplicationInfo);
    const state = view.dataReplicationInfo.dataReplicationState;
    if (state !== 'STALLED' && state !== 'DISCONNECTED' && state !== 'STOPPED') view.lifeCycle.lastSeenByServiceDateTime = toIso(this.clock.now());
    return view;
  }

  private selectable(server: ServerEntry): SelectableServer {
    return { sourceServerID: server.wire.sourceServerID, hostname: server.hostname, tags: server.wire.tags };
  }

  private createReversedServer(instance: InstanceEntry, original: ServerEntry, origin: { accountId: string; region: string }): ServerEntry {
    const id = this.createdServerIds.next((candidate) => this.servers.has(candidate));
    const properties = clone(original.wire.sourceProperties);
    properties.identificationHints = { ...(instance.hostname ? { hostname: instance.hostname } : {}), awsInstanceID: instance.wire.ec2InstanceID };
    properties.networkInterfaces = clone(instance.wire.recoveryInstanceProperties.networkInterfaces ?? []);
    properties.lastUpdatedDateTime = toIso(this.clock.now());
    const reversed = this.newEntry({
      id, accountId: origin.accountId, region: origin.region, os: instance.os, hostname: instance.hostname ?? original.hostname,
      ssm: instance.ssm, tags: { ...original.wire.tags }, disk: instance.disk, privateIp: instance.privateIp,
      addedMs: this.clock.now(), state: 'INITIAL_SYNC', properties, at: this.nowAt(),
    });
    reversed.wire.replicationDirection = 'FAILBACK';
    reversed.wire.reversedDirectionSourceServerArn = original.wire.arn;
    reversed.wire.sourceCloudProperties = { originAccountID: instance.accountId, originRegion: instance.region, originAvailabilityZone: `${instance.region}a` };
    reversed.origin = { accountId: instance.accountId, region: instance.region };
    this.servers.set(id, reversed);
    this.markServer(reversed);
    instance.reversedServerId = id;
    this.markInstance(instance);
    return reversed;
  }

  // ---------------------------------------------------------------- internals: faults

  private applyFaults(plan: FaultPlan): void {
    for (const task of this.faultTasks) task.cancel();
    this.faultTasks = [];
    this.faultEngine.plan = plan;
    const rules = plan.replicationStalls ?? [];
    const candidates = [...this.servers.values()].filter((s) => !s.extendsServerId);
    const immediate = new Set<string>();
    for (const rule of rules) {
      if ((rule.afterSeconds ?? 0) > 0) continue;
      for (const s of candidates) if (selects(rule, this.selectable(s))) immediate.add(s.wire.sourceServerID);
    }
    for (const id of [...this.faultStalled]) if (!immediate.has(id)) this.endStall(id);
    for (const rule of rules) {
      const after = (rule.afterSeconds ?? 0) * 1000;
      for (const server of candidates) {
        if (!selects(rule, this.selectable(server))) continue;
        const id = server.wire.sourceServerID;
        if (after > 0) this.faultTasks.push(this.defer(after, { kind: 'stallBegin', sourceServerID: id }));
        else this.beginStall(id);
        if (rule.durationSeconds !== undefined) this.faultTasks.push(this.defer(after + rule.durationSeconds * 1000, { kind: 'stallEnd', sourceServerID: id }));
      }
    }
  }

  private beginStall(id: string): void {
    const server = this.servers.get(id);
    if (!server || this.stopped) return;
    const state = server.wire.dataReplicationInfo.dataReplicationState;
    if (state === 'STALLED' || state === 'STOPPED' || state === 'DISCONNECTED') return;
    server.stalledFrom = state ?? 'CONTINUOUS';
    this.faultStalled.add(id);
    this.changeReplication(server, 'STALLED');
  }

  private endStall(id: string): void {
    const server = this.servers.get(id);
    if (!server || !this.faultStalled.delete(id) || this.stopped) return;
    const back = server.stalledFrom ?? 'CONTINUOUS';
    delete server.stalledFrom;
    this.markServer(server);
    if (server.wire.dataReplicationInfo.dataReplicationState === 'STALLED') this.changeReplication(server, back);
  }

  // ---------------------------------------------------------------- internals: jobs

  private createJob(ctx: CallerContext, spec: Pick<Job, 'type' | 'initiatedBy' | 'tags' | 'participatingServers'> & { isDrill: boolean }): JobEntry {
    const now = this.clock.now();
    const jobID = this.jobIds.next((id) => this.jobsById.has(id));
    const job: JobEntry = {
      accountId: ctx.accountId,
      region: ctx.region,
      isDrill: spec.isDrill,
      createdAtMs: now,
      tasks: [],
      log: [],
      plans: [],
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
    this.dirty?.add(`job/${jobID}`);
    return job;
  }

  private scheduleStart(job: JobEntry): void {
    this.markJob(job); // its servers and plans are known now
    job.tasks.push(this.defer(this.timings.pendingMs, { kind: 'jobStart', jobID: job.wire.jobID }));
  }

  /** The next step of a server of a job, `simMs` simulated milliseconds from now. */
  private after(job: JobEntry, simMs: number, spec: JobStepSpec): void {
    job.tasks.push(this.defer(Math.max(0, Math.round(simMs)), spec));
  }

  private log(job: JobEntry, event: JobLogEvent, eventData?: JobLogEventData): void {
    job.log.push({ logDateTime: toIso(this.clock.now()), event, ...(eventData ? { eventData } : {}) });
  }

  /** Runs a step of one server of a job (see TaskSpec). */
  private runJobStep(job: JobEntry, plan: ServerPlan, spec: JobStepSpec): void {
    const jobID = job.wire.jobID;
    const index = plan.index;
    const sourceServerID = plan.sourceServerID;
    switch (spec.kind) {
      case 'snapshotDone': {
        const server = this.servers.get(sourceServerID);
        if (!server) return this.finishServer(job, plan, false);
        if (spec.logEnd) this.log(job, 'SNAPSHOT_END', { sourceServerID });
        return this.beginConversion(job, plan);
      }
      case 'snapshotFail':
        this.log(job, 'SNAPSHOT_FAIL', { sourceServerID, rawError: `Source server ${sourceServerID} is not in continuous data replication (${spec.state}): no point-in-time snapshot could be taken` });
        return this.finishServer(job, plan, false);
      case 'conversionEnd': {
        this.log(job, 'CONVERSION_END', { sourceServerID, conversionServerID: spec.conversionServerID });
        const server = this.servers.get(sourceServerID);
        if (!server) return this.finishServer(job, plan, false);
        return this.beginEc2Launch(job, plan, server);
      }
      case 'launchEnd':
        return this.endEc2Launch(job, plan, spec.instanceID, spec.failure);
      case 'agentTimeout': {
        const status = this.actionsStatus(job, plan);
        status.runs = spec.actions.map((action) => ({ action: clone(action), runId: this.aux.uuid(), status: 'FAILED', failureReason: 'SSM agent was not discovered on the recovery instance' }));
        return this.finishActions(job, plan);
      }
      case 'agentDiscovered': {
        const status = this.actionsStatus(job, plan);
        status.ssmAgentDiscoveryDatetime = toIso(this.clock.now());
        status.runs = spec.actions.map((action) => ({ action: clone(action), runId: this.aux.uuid(), status: 'IN_PROGRESS' }));
        return this.after(job, this.timings.launchActionMs, { kind: 'actionEnd', jobID, index, run: 0, outcome: spec.outcome });
      }
      case 'actionEnd': {
        const status = this.actionsStatus(job, plan);
        const run = status.runs[spec.run];
        if (run) {
          run.status = spec.outcome === 'Success' ? 'SUCCEEDED' : 'FAILED';
          if (spec.outcome !== 'Success') run.failureReason = `SSM document ${run.action.actionCode} ended ${spec.outcome}`;
        }
        if (spec.run + 1 < status.runs.length) return this.after(job, this.timings.launchActionMs, { ...spec, run: spec.run + 1 });
        return this.finishActions(job, plan);
      }
      case 'cleanupEnd':
        return this.endTermination(job, plan);
      case 'failbackConversionEnd': {
        const data = { sourceServerID };
        this.log(job, 'CONVERSION_END', data);
        this.log(job, 'LAUNCH_START', data);
        return this.after(job, plan.spanMs * (1 - CONVERSION_SHARE), { kind: 'failbackLaunchEnd', jobID, index });
      }
      case 'failbackLaunchEnd':
        if (plan.failure) this.log(job, 'LAUNCH_FAILED', { sourceServerID, rawError: plan.failure });
        return this.finishServer(job, plan, !plan.failure);
    }
  }

  private startJob(job: JobEntry): void {
    if (this.stopped || job.wire.status !== 'PENDING') return;
    job.wire.status = 'STARTED';
    this.log(job, 'JOB_START');
    for (const plan of job.plans) {
      const participant = job.wire.participatingServers[plan.index];
      if (!participant || participant.launchStatus !== 'PENDING') continue;
      participant.launchStatus = 'IN_PROGRESS';
      if (job.wire.type === 'TERMINATE') this.beginTermination(job, plan);
      else if (job.wire.initiatedBy === 'FAILBACK') this.beginFailbackLaunchOf(job, plan);
      else this.beginLaunch(job, plan);
    }
    this.completeIfDone(job);
  }

  private beginLaunch(job: JobEntry, plan: ServerPlan): void {
    const server = this.servers.get(plan.sourceServerID);
    if (!server) return this.finishServer(job, plan, false);
    const lastLaunch = server.wire.lifeCycle.lastLaunch;
    if (lastLaunch?.initiated?.jobID === job.wire.jobID) lastLaunch.status = 'IN_PROGRESS';
    const data = { sourceServerID: plan.sourceServerID };
    const span = plan.spanMs;
    const step = { jobID: job.wire.jobID, index: plan.index };
    if (plan.snapshot) {
      this.log(job, 'USING_PREVIOUS_SNAPSHOT', data);
      this.after(job, span * SNAPSHOT_SHARE, { kind: 'snapshotDone', ...step, logEnd: false });
      return;
    }
    this.log(job, 'SNAPSHOT_START', data);
    if (this.replicationStateOf(server) !== 'CONTINUOUS') {
      const state = this.replicationStateOf(server) ?? 'unknown';
      this.after(job, Math.max(this.timings.notReplicatingFailureMs - this.timings.pendingMs, 1), { kind: 'snapshotFail', ...step, state });
      return;
    }
    this.after(job, span * SNAPSHOT_SHARE, { kind: 'snapshotDone', ...step, logEnd: true });
  }

  private beginConversion(job: JobEntry, plan: ServerPlan): void {
    const conversionServerID = `i-${this.aux.hex(17)}`;
    this.log(job, 'CONVERSION_START', { sourceServerID: plan.sourceServerID, conversionServerID });
    this.after(job, plan.spanMs * CONVERSION_SHARE, { kind: 'conversionEnd', jobID: job.wire.jobID, index: plan.index, conversionServerID });
  }

  private beginEc2Launch(job: JobEntry, plan: ServerPlan, server: ServerEntry): void {
    const into = server.launchConfig.launchIntoInstanceProperties?.launchIntoEC2InstanceID;
    const intoBusy = into !== undefined && [...this.instances.values()].some((i) => !i.deleted && i.wire.ec2InstanceID === into && i.wire.ec2InstanceState !== 'TERMINATED');
    const id = into && !intoBusy ? into : this.instanceIds.next((candidate) => this.instances.has(candidate));
    this.createInstance(job, server, plan, id);
    this.log(job, 'LAUNCH_START', { sourceServerID: plan.sourceServerID, targetInstanceID: id });
    const failure = intoBusy ? `EC2 instance ${into} to launch into is used by another recovery instance` : plan.failure;
    this.after(job, plan.spanMs * (1 - SNAPSHOT_SHARE - CONVERSION_SHARE), {
      kind: 'launchEnd', jobID: job.wire.jobID, index: plan.index, instanceID: id, ...(failure ? { failure } : {}),
    });
  }

  private endEc2Launch(job: JobEntry, plan: ServerPlan, id: string, failure: string | undefined): void {
    const instance = this.instances.get(id);
    const server = this.servers.get(plan.sourceServerID);
    if (!instance || !server) return this.finishServer(job, plan, false);
    this.markInstance(instance);
    if (failure) {
      this.log(job, 'LAUNCH_FAILED', { sourceServerID: plan.sourceServerID, targetInstanceID: id, rawError: failure });
      instance.wire.ec2InstanceState = 'TERMINATED';
      instance.deleted = true;
      this.finishServer(job, plan, false);
      return;
    }
    const running = server.launchConfig.launchDisposition === 'STARTED';
    instance.wire.ec2InstanceState = running ? 'RUNNING' : 'STOPPED';
    if (running) instance.runningSinceMs = this.clock.now();
    instance.wire.recoveryInstanceProperties.lastUpdatedDateTime = toIso(this.clock.now());
    const participant = job.wire.participatingServers[plan.index];
    if (participant) participant.recoveryInstanceID = id;
    server.wire.recoveryInstanceId = id;
    this.runPostLaunchActions(job, plan, server, instance);
  }

  /** Post-launch actions (SSM documents) once the SSM agent is discovered; a failed non-optional action fails the launch. */
  private runPostLaunchActions(job: JobEntry, plan: ServerPlan, server: ServerEntry, instance: InstanceEntry): void {
    const actions = server.launchConfig.postLaunchEnabled ? sortLaunchActions(server.launchActions.values()).filter((a) => a.active) : [];
    const participant = job.wire.participatingServers[plan.index];
    if (actions.length === 0 || !participant || instance.wire.ec2InstanceState !== 'RUNNING') return this.finishServer(job, plan, true);
    participant.launchActionsStatus = { runs: [] };
    const script = server.ssm ?? {};
    const step = { jobID: job.wire.jobID, index: plan.index, actions: clone(actions) };
    if (script.agentOnline === false) {
      this.after(job, this.timings.ssmAgentTimeoutMs, { kind: 'agentTimeout', ...step });
      return;
    }
    const agentMs = script.agentDelaySeconds !== undefined ? script.agentDelaySeconds * 1000 : this.timings.ssmAgentMs;
    this.after(job, agentMs, { kind: 'agentDiscovered', ...step, outcome: script.commandStatus ?? 'Success' });
  }

  /** The post-launch actions' status of a server of a job. */
  private actionsStatus(job: JobEntry, plan: ServerPlan): LaunchActionsStatus {
    const participant = job.wire.participatingServers[plan.index];
    if (!participant) return { runs: [] };
    return participant.launchActionsStatus ?? (participant.launchActionsStatus = { runs: [] });
  }

  private finishActions(job: JobEntry, plan: ServerPlan): void {
    const status = this.actionsStatus(job, plan);
    this.finishServer(job, plan, !status.runs.some((r) => r.status === 'FAILED' && !r.action.optional));
  }

  private beginTermination(job: JobEntry, plan: ServerPlan): void {
    const instance = plan.recoveryInstanceID ? this.instances.get(plan.recoveryInstanceID) : undefined;
    this.log(job, 'CLEANUP_START', { sourceServerID: plan.sourceServerID, ...(instance ? { targetInstanceID: instance.wire.ec2InstanceID } : {}) });
    if (instance) {
      instance.wire.ec2InstanceState = 'SHUTTING-DOWN';
      this.markInstance(instance);
    }
    this.after(job, plan.spanMs, { kind: 'cleanupEnd', jobID: job.wire.jobID, index: plan.index });
  }

  private endTermination(job: JobEntry, plan: ServerPlan): void {
    const instance = plan.recoveryInstanceID ? this.instances.get(plan.recoveryInstanceID) : undefined;
    this.log(job, 'CLEANUP_END', { sourceServerID: plan.sourceServerID, ...(instance ? { targetInstanceID: instance.wire.ec2InstanceID } : {}) });
    if (instance) {
      instance.wire.ec2InstanceState = 'TERMINATED';
      instance.deleted = true;
      if (instance.runningSinceMs !== undefined) instance.runEndedMs = this.clock.now();
      this.cancelFailbackTasks(instance);
      this.markInstance(instance);
    }
    const server = this.servers.get(plan.sourceServerID);
    if (server && server.wire.recoveryInstanceId === plan.recoveryInstanceID) delete server.wire.recoveryInstanceId;
    plan.done = true;
    const participant = job.wire.participatingServers[plan.index];
    if (participant) participant.launchStatus = 'TERMINATED';
    this.completeIfDone(job);
  }

  private beginFailbackLaunchOf(job: JobEntry, plan: ServerPlan): void {
    this.log(job, 'CONVERSION_START', { sourceServerID: plan.sourceServerID });
    this.after(job, plan.spanMs * CONVERSION_SHARE, { kind: 'failbackConversionEnd', jobID: job.wire.jobID, index: plan.index });
  }

  private finishServer(job: JobEntry, plan: ServerPlan, succeeded: boolean): void {
    if (plan.done) return;
    plan.done = true;
    const participant = job.wire.participatingServers[plan.index];
    if (participant) participant.launchStatus = succeeded ? 'LAUNCHED' : 'FAILED';
    const server = this.servers.get(plan.sourceServerID);
    if (job.wire.initiatedBy === 'FAILBACK') {
      const instance = plan.recoveryInstanceID ? this.instances.get(plan.recoveryInstanceID) : undefined;
      if (instance?.wire.failback?.failbackJobID === job.wire.jobID) this.setFailbackState(instance, succeeded ? 'FAILBACK_COMPLETED' : 'FAILBACK_ERROR');
    } else if (server) {
      const lastLaunch = server.wire.lifeCycle.lastLaunch;
      if (lastLaunch?.initiated?.jobID === job.wire.jobID) {
        lastLaunch.status = succeeded ? 'LAUNCHED' : 'FAILED';
        server.wire.lastLaunchResult = succeeded ? 'SUCCEEDED' : 'FAILED';
      }
      this.emit(this.launchResultEvent(job, server, succeeded));
    }
    this.completeIfDone(job);
  }

  private completeIfDone(job: JobEntry): void {
    if (job.wire.status === 'COMPLETED' || !job.plans.every((p) => p.done)) return;
    const now = this.clock.now();
    this.log(job, 'JOB_END');
    job.wire.status = 'COMPLETED';
    job.wire.endDateTime = toIso(now);
    for (const t of job.tasks) t.cancel();
    job.tasks = [];
  }

  private createInstance(job: JobEntry, server: ServerEntry, plan: ServerPlan, id: string): InstanceEntry {
    const now = this.clock.now();
    const props = server.wire.sourceProperties;
    const hostname = props.identificationHints?.hostname;
    const config = server.launchConfig;
    const privateIp = config.copyPrivateIp ? server.privateIp : `10.${100 + this.aux.int(100)}.${this.aux.int(256)}.${10 + this.aux.int(240)}`;
    const mac = Array.from({ length: 6 }, (_, i) => (i === 0 ? '0e' : this.aux.hex(2))).join(':');
    const instanceType = config.targetInstanceTypeRightSizingMethod === 'NONE' ? 't3.medium' : props.recommendedInstanceType ?? 'm5.large';
    const awsOrigin = props.identificationHints?.awsInstanceID !== undefined;
    const ec2Tags: TagsMap = {
      ...(config.copyTags ? server.wire.tags : {}),
      ...(hostname ? { Name: hostname } : {}),
      AWSElasticDisasterRecoveryManaged: 'drs.amazonaws.com',
      AWSElasticDisasterRecoverySourceServerID: server.wire.sourceServerID,
    };
    const instance: InstanceEntry = {
      accountId: job.accountId,
      region: job.region,
      os: server.os,
      ...(hostname ? { hostname } : {}),
      ssm: server.ssm,
      disk: server.disk,
      instanceType,
      privateIp,
      ec2Tags,
      launchTimeMs: now,
      deleted: false,
      failbackTasks: [],
      wire: {
        ec2InstanceID: id,
        ec2InstanceState: 'PENDING',
        jobID: job.wire.jobID,
        recoveryInstanceID: id,
        sourceServerID: server.wire.sourceServerID,
        arn: recoveryInstanceArn(job.region, job.accountId, id),
        tags: { ...server.wire.tags },
        recoveryInstanceProperties: {
          lastUpdatedDateTime: toIso(now),
          identificationHints: { ...(hostname ? { hostname } : {}), awsInstanceID: id },
          networkInterfaces: [{ macAddress: mac, ips: [privateIp], isPrimary: true }],
          disks: [{ internalDeviceName: server.os === 'WINDOWS' ? '/dev/sda1' : '/dev/xvda', bytes: server.disk.bytes, ebsVolumeID: `vol-${this.aux.hex(17)}` }],
          ...(props.cpus ? { cpus: clone(props.cpus) } : {}),
          ...(props.ramBytes !== undefined ? { ramBytes: props.ramBytes } : {}),
          ...(props.os ? { os: clone(props.os) } : {}),
        },
        pointInTimeSnapshotDateTime: plan.snapshot ? toIso(plan.snapshot.realMs) : job.wire.creationDateTime,
        isDrill: job.isDrill,
        originEnvironment: awsOrigin ? 'AWS' : 'ON_PREMISES',
        originAvailabilityZone: `${server.origin?.region ?? job.region}a`,
        agentVersion: AGENT_VERSION,
        ...(job.isDrill ? {} : {
          failback: { state: 'FAILBACK_NOT_STARTED' as const },
          dataReplicationInfo: recoveryReplicationInfo('NOT_STARTED', server.disk, job.region),
        }),
      },
    };
    const old = this.instances.get(id);
    if (old) this.instances.delete(id);
    this.instances.set(id, instance);
    this.markInstance(instance);
    return instance;
  }

  private ec2Facts(instance: InstanceEntry): Ec2InstanceFacts {
    const state = instance.wire.ec2InstanceState;
    const since = instance.runningSinceMs;
    const running = state === 'RUNNING' && since !== undefined;
    const sinceRunning = running ? this.timeline.simSince(since) : 0;
    const script = instance.ssm ?? {};
    const agentDelay = script.agentDelaySeconds !== undefined ? script.agentDelaySeconds * 1000 : this.timings.ssmAgentMs;
    const agentOnline = running && script.agentOnline !== false && sinceRunning >= agentDelay;
    const ranFor = since === undefined ? 0 : instance.runEndedMs !== undefined ? this.timeline.simAt(instance.runEndedMs) - this.timeline.simAt(since) : sinceRunning;
    const everOnline = !agentOnline && script.agentOnline !== false && since !== undefined && ranFor >= agentDelay;
    const octets = instance.privateIp.split('.');
    return {
      instanceId: instance.wire.ec2InstanceID,
      accountId: instance.accountId,
      region: instance.region,
      state: ec2State(state),
      instanceType: instance.instanceType,
      ...(instance.os === 'WINDOWS' ? { platform: 'windows' as const } : {}),
      os: instance.os,
      ...(instance.wire.recoveryInstanceProperties.os?.fullString ? { osFullString: instance.wire.recoveryInstanceProperties.os.fullString } : {}),
      imageId: `ami-${SeededRandom.derive(this.seed, `ami:${instance.region}:${instance.os}`).hex(17)}`,
      launchTime: toIso(instance.launchTimeMs),
      availabilityZone: `${instance.region}a`,
      privateIpAddress: instance.privateIp,
      privateDnsName: `ip-${octets.join('-')}.${instance.region === 'us-east-1' ? 'ec2.internal' : `${instance.region}.compute.internal`}`,
      subnetId: `subnet-${SeededRandom.derive(this.seed, `subnet:${instance.accountId}:${instance.region}`).hex(17)}`,
      vpcId: `vpc-${SeededRandom.derive(this.seed, `vpc:${instance.accountId}:${instance.region}`).hex(17)}`,
      tags: { ...instance.ec2Tags },
      ...(instance.hostname ? { hostname: instance.hostname } : {}),
      statusChecks: running ? (sinceRunning >= this.timings.statusChecksMs ? 'ok' : 'initializing') : 'not-applicable',
      ssm: {
        agentOnline,
        ...(agentOnline ? { pingStatus: 'Online' as const, lastPingDateTime: toIso(this.clock.now()) } : everOnline ? { pingStatus: 'ConnectionLost' as const } : {}),
        script: clone(script),
      },
      recoveryInstanceID: instance.wire.recoveryInstanceID,
      sourceServerID: instance.wire.sourceServerID,
      jobID: instance.wire.jobID,
      isDrill: instance.wire.isDrill,
      deletedFromDrs: instance.deleted,
    };
  }

  // ---------------------------------------------------------------- internals: failback

  private checkFailbackStartable(instance: InstanceEntry): void {
    const id = instance.wire.recoveryInstanceID;
    if (instance.wire.isDrill) throw conflict(`Recovery instance ${id} was launched by a drill and cannot be failed back`, 'RECOVERY_INSTANCE', id);
    const ec2: Ec2InstanceState = instance.wire.ec2InstanceState;
    if (ec2 !== 'RUNNING' && ec2 !== 'STOPPED') throw conflict(`Recovery instance ${id} is ${ec2}`, 'RECOVERY_INSTANCE', id);
    const state = instance.wire.failback?.state ?? 'FAILBACK_NOT_STARTED';
    if (state !== 'FAILBACK_NOT_STARTED' && state !== 'FAILBACK_ERROR') throw conflict(`Recovery instance ${id} is already in failback state ${state}`, 'RECOVERY_INSTANCE', id);
    if (this.activeJobWithInstance(id)) throw conflict(`Recovery instance ${id} is busy in an active job`, 'RECOVERY_INSTANCE', id);
  }

  private beginFailbackReplication(instance: InstanceEntry, failbackClientID: string | undefined, reversed?: ServerEntry): void {
    this.cancelFailbackTasks(instance);
    const now = this.clock.now();
    const failback = instance.wire.failback ?? (instance.wire.failback = {});
    failback.failbackInitiationTime = toIso(now);
    failback.failbackToOriginalServer = true;
    failback.failbackLaunchType = 'RECOVERY';
    failback.agentLastSeenByServiceDateTime = toIso(now);
    if (failbackClientID) {
      failback.failbackClientID = failbackClientID;
      failback.failbackClientLastSeenByServiceDateTime = toIso(now);
    }
    delete failback.failbackJobID;
    instance.wire.dataReplicationInfo = recoveryReplicationInfo('INITIAL_SYNC', instance.disk, instance.region);
    this.markInstance(instance);
    this.setFailbackState(instance, 'FAILBACK_IN_PROGRESS');
    instance.failbackTasks.push(this.defer(this.timings.failbackReplicationMs, {
      kind: 'failbackReady', instanceID: instance.wire.recoveryInstanceID, ...(reversed ? { reversedServerID: reversed.wire.sourceServerID } : {}),
    }));
  }

  /** Failback replication has caught up: FAILBACK_READY_FOR_LAUNCH (and a reversed server CONTINUOUS). */
  private failbackReady(instanceID: string, reversedServerID: string | undefined): void {
    const instance = this.instances.get(instanceID);
    if (this.stopped || !instance) return;
    const reversed = reversedServerID ? this.servers.get(reversedServerID) : undefined;
    const failback = instance.wire.failback ?? (instance.wire.failback = {});
    const at = this.clock.now();
    instance.wire.dataReplicationInfo = recoveryReplicationInfo('CONTINUOUS', instance.disk, instance.region);
    failback.firstByteDateTime = toIso(at);
    failback.elapsedReplicationDuration = toIso(at);
    this.markInstance(instance);
    if (reversed && reversed.wire.dataReplicationInfo.dataReplicationState === 'INITIAL_SYNC') this.changeReplication(reversed, 'CONTINUOUS');
    this.setFailbackState(instance, 'FAILBACK_READY_FOR_LAUNCH');
  }

  private cancelFailbackTasks(instance: InstanceEntry): void {
    for (const task of instance.failbackTasks) task.cancel();
    instance.failbackTasks = [];
  }

  /** Moves the failback state; the states AWS documents for the event (IN_PROGRESS, COMPLETED, ERROR) emit it. */
  private setFailbackState(instance: InstanceEntry, state: FailbackState): void {
    const failback = instance.wire.failback ?? (instance.wire.failback = {});
    if (failback.state === state) return;
    failback.state = state;
    this.markInstance(instance);
    if (state === 'FAILBACK_IN_PROGRESS' || state === 'FAILBACK_COMPLETED' || state === 'FAILBACK_ERROR') {
      this.emit(this.failbackEvent(instance, state));
    }
  }

  // ---------------------------------------------------------------- internals: events

  private envelope(accountId: string, region: string, resource: string): { version: '0'; id: string; source: 'aws.drs'; account: string; time: string; region: string; resources: string[] } {
    return { version: '0', id: this.eventIds.uuid(), source: 'aws.drs', account: accountId, time: toIsoSeconds(this.clock.now()), region, resources: [resource] };
  }

  private launchResultEvent(job: JobEntry, server: ServerEntry, succeeded: boolean): DrsLaunchResultEvent {
    const e = this.envelope(job.accountId, job.region, server.wire.arn);
    return {
      version: e.version, id: e.id, 'detail-type': 'DRS Source Server Launch Result', source: e.source, account: e.account, time: e.time, region: e.region, resources: e.resources,
      detail: { state: succeeded ? 'RECOVERY_LAUNCH_SUCCEEDED' : 'RECOVERY_LAUNCH_FAILED', 'job-id': job.wire.jobID, 'is-drill': job.isDrill ? 'TRUE' : 'FALSE' },
    };
  }

  private stalledEvent(server: ServerEntry, state: 'STALLED' | 'NOT_STALLED'): DrsReplicationStalledChangeEvent {
    const e = this.envelope(server.accountId, server.region, server.wire.arn);
    return {
      version: e.version, id: e.id, 'detail-type': 'DRS Source Server Data Replication Stalled Change', source: e.source, account: e.account, time: e.time, region: e.region, resources: e.resources,
      detail: { state },
    };
  }

  private failbackEvent(instance: InstanceEntry, state: DrsFailbackStateChangeEvent['detail']['state']): DrsFailbackStateChangeEvent {
    const e = this.envelope(instance.accountId, instance.region, instance.wire.arn);
    return {
      version: e.version, id: e.id, 'detail-type': 'DRS Recovery Instance Failback State Change', source: e.source, account: e.account, time: e.time, region: e.region, resources: e.resources,
      detail: { state },
    };
  }

  /** Emits an event through the event faults in force: lost, delivered twice (a simulated second later), or delayed. */
  private emit(event: DrsEvent): void {
    const fate = this.faultEngine.event();
    const entry: EventLogEntry = { event, status: 'PENDING' };
    const index = this.events.length;
    this.events.push(entry);
    this.eventIndex.set(entry, index);
    this.markEvent(entry);
    if (fate.lost) {
      entry.status = 'LOST';
      entry.fault = 'LOST';
      return;
    }
    if (fate.delayMs > 0) {
      entry.status = 'DELAYED';
      entry.fault = 'DELAYED';
      this.defer(fate.delayMs, { kind: 'handOver', event: index });
    } else {
      this.handOver(entry);
    }
    if (fate.duplicated) {
      entry.fault = 'DUPLICATED';
      this.defer(fate.delayMs + 1000, { kind: 'handOver', event: index });
    }
  }

  /** Queues a logged event for the next delivery batch (a duplicated event is handed over twice). */
  private handOver(entry: EventLogEntry): void {
    if (this.stopped) return;
    this.markEvent(entry);
    if (!this.publish) {
      entry.status = 'NOT_PUBLISHED';
      return;
    }
    entry.status = 'PENDING';
    this.outbox.push(entry);
    if (!this.deliveryQueued) {
      this.deliveryQueued = true;
      queueMicrotask(() => this.deliver());
    }
  }

  /** Hands the events queued in the same tick to publishEvents in one batch. */
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
        this.markEvent(e);
      }
      // Settled: a restart does not hand these over again.
      this.store?.save(false);
    };
    // Before anyone sees the events, they (and the state that produced them) are written: a
    // restart never emits another event for the same step; it hands these over again, same ids,
    // if it did not record them settled. (Written, not fsynced: that survives a killed process.)
    this.store?.save(false);
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

  // ---------------------------------------------------------------- internals: misc

  private drawLaunchDuration(os: OperatingSystem): number {
    const mean = os === 'WINDOWS' ? this.timings.windowsMeanMs : this.timings.linuxMeanMs;
    const value = mean * (1 + this.timings.jitter * this.durations.normal());
    return Math.round(Math.min(2 * mean, Math.max(mean / 2, value)));
  }

  private fallbackContext(caller: CallerHints): CallerContext {
    const named = caller.accountId !== undefined ? this.fleet.accounts.find((a) => a.accountId === caller.accountId) : undefined;
    const account = named ?? this.accountFor(caller.accessKeyId);
    return {
      accountId: caller.accountId ?? account.accountId,
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

  /** The tags of a resource, and how to record that they changed. */
  private taggable(ctx: CallerContext, resourceArn: string): { tags: TagsMap; touch: () => void } {
    const arn = parseDrsArn(resourceArn);
    const missing = () => notFound(`Resource ${resourceArn} not found`, arn?.resourceType ?? 'RESOURCE', resourceArn);
    if (!arn || arn.accountId !== ctx.accountId || arn.region !== ctx.region) throw missing();
    const found = (entry: { accountId: string; region: string; wire: { tags: TagsMap } } | undefined, touch: () => void) => {
      if (!entry || !matches(entry, ctx)) throw missing();
      return { tags: entry.wire.tags, touch };
    };
    switch (arn.resourceType) {
      case 'source-server': {
        const server = this.servers.get(arn.resourceId);
        return found(server, () => server && this.markServer(server));
      }
      case 'job': {
        const job = this.jobsById.get(arn.resourceId);
        return found(job, () => this.dirty?.add(`job/${arn.resourceId}`));
      }
      case 'recovery-instance': {
        const instance = this.instances.get(arn.resourceId);
        return found(instance && !instance.deleted ? instance : undefined, () => instance && this.markInstance(instance));
      }
      default:
        throw missing();
    }
  }
}

/** The meta record without the instants of the save (to tell whether anything else changed). */
function metaSignature(meta: PersistedMeta): string {
  return JSON.stringify({ ...meta, savedAtMs: 0, savedSimMs: 0 });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matches(entry: { accountId: string; region: string }, filter: ResourceFilter): boolean {
  return (filter.accountId === undefined || entry.accountId === filter.accountId) && (filter.region === undefined || entry.region === filter.region);
}

/** Checked before anything is cloned: an endpoint asking for a few instances must not copy them all. */
function matchesInstance(entry: InstanceEntry, filter: ResourceFilter): boolean {
  return matches(entry, filter) && (filter.ec2InstanceIDs === undefined || filter.ec2InstanceIDs.has(entry.wire.ec2InstanceID ?? ''));
}

function pageOptions(input: { maxResults?: number; nextToken?: string }): { maxResults?: number; nextToken?: string } {
  return { ...(input.maxResults !== undefined ? { maxResults: input.maxResults } : {}), ...(input.nextToken ? { nextToken: input.nextToken } : {}) };
}

function rejectDuplicates(ids: string[], field: (index: number) => string, what: string): void {
  const duplicates = ids.map((id, i) => ({ id, i })).filter(({ id, i }) => ids.indexOf(id) !== i);
  if (duplicates.length > 0) {
    throw validationError(duplicates.map(({ id, i }) => ({ name: field(i), message: `${what} ${id} is listed more than once` })));
  }
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
  for (const key of ['sourceServerID', 'recoveryInstanceID', 'jobID', 'resourceId', 'actionId', 'stagingAccountID', 'sourceServerArn']) {
    if (typeof input[key] === 'string') parts.push(`${key}=${input[key]}`);
  }
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
