/**
 * The executions pages' view of the API (the types of graphql/schema.graphql they select) and the
 * pure rules they show: which controls an execution offers, who may decide an approval, how the
 * waves are laid out as a graph, what each stream event says, and how two runs compare.
 * No React and no I/O here, so every rule is tested on its own (model.unit.test.ts).
 */

export type ExecutionMode = 'DRILL' | 'RECOVERY';
export type ExecutionStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'PAUSED' | 'CANCELLING' | 'CANCELLED';
export type WaveStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED';
export type ServerStatus = 'PENDING' | 'LAUNCH_REQUESTED' | 'LAUNCHING' | 'LAUNCHED' | 'LAUNCH_FAILED' | 'VERIFIED' | 'VERIFICATION_FAILED';
export type StepStatus = 'PENDING' | 'RUNNING' | 'WAITING_FOR_APPROVAL' | 'COMPLETED' | 'FAILED';
export type ApprovalStatus = 'PENDING' | 'GRANTED' | 'REJECTED' | 'TIMED_OUT' | 'WITHDRAWN';
export type PointInTimeType = 'LATEST' | 'SNAPSHOT' | 'LATEST_BEFORE';

export interface Check {
  name: string;
  status: 'PASSED' | 'FAILED' | 'SKIPPED';
  durationMs: number;
  output: string | null;
}

export interface ExecutionServer {
  sourceServerId: string;
  hostname: string;
  accountId: string;
  region: string;
  criticality: 'CRITICAL' | 'OPTIONAL';
  status: ServerStatus;
  jobId: string | null;
  recoveryInstanceId: string | null;
  ec2InstanceId: string | null;
  checks: Check[];
  launchedAt: string | null;
  verifiedAt: string | null;
  pointInTime: { type: PointInTimeType; snapshotId: string | null; before: string | null } | null;
  attempts: number;
}

export interface ExecutionStep {
  id: string;
  type: 'WAIT' | 'APPROVAL' | 'SSM_DOCUMENT' | 'LAMBDA';
  name: string;
  status: StepStatus;
  startedAt: string | null;
  completedAt: string | null;
  output: string | null;
  reason: string | null;
  onFailure: 'FAIL' | 'CONTINUE' | null;
  dueAt: string | null;
}

export interface ExecutionWave {
  id: string;
  name: string;
  dependsOn: string[];
  launchOrder: 'PARALLEL' | 'SEQUENTIAL';
  status: WaveStatus;
  startedAt: string | null;
  completedAt: string | null;
  servers: ExecutionServer[];
  errorPolicy: 'STOP' | 'CONTINUE' | null;
  preSteps: ExecutionStep[];
  postSteps: ExecutionStep[];
  skipped: boolean;
  skippedAt: string | null;
  skipReason: string | null;
  failureReason: string | null;
}

export interface Approval {
  id: string;
  kind: 'SECOND_APPROVER' | 'STEP';
  waveId: string | null;
  stepId: string | null;
  prompt: string;
  status: ApprovalStatus;
  permission: string;
  approverRole: string | null;
  approverRoles: string[];
  excludedUserIds: string[];
  requestedAt: string;
  expiresAt: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  comment: string | null;
}

export interface DrillCleanup {
  status: 'IN_PROGRESS' | 'COMPLETED';
  trigger: 'ON_DEMAND' | 'TTL' | 'CANCEL';
  startedAt: string;
  completedAt: string | null;
  recoveryInstanceIds: string[];
  terminatedRecoveryInstanceIds: string[];
  failed: { recoveryInstanceId: string; reason: string }[];
}

export interface Execution {
  id: string;
  planId: string;
  planVersion: number;
  planName: string;
  mode: ExecutionMode;
  status: ExecutionStatus;
  startedAt: string;
  completedAt: string | null;
  startedBy: string;
  version: number;
  waves: ExecutionWave[];
  failureReason: string | null;
  pausedAt: string | null;
  pausedBeforeWaveId: string | null;
  pauseBeforeWaveIds: string[];
  cancelRequestedAt: string | null;
  cancelRequestedBy: string | null;
  terminateInstancesOnCancel: boolean;
  approvals: Approval[];
  cleanup: DrillCleanup | null;
  retries: number;
}

/** An execution as the history list shows it (no servers' checks, no steps). */
export interface ExecutionSummary {
  id: string;
  planId: string;
  planVersion: number;
  planName: string;
  mode: ExecutionMode;
  status: ExecutionStatus;
  startedAt: string;
  completedAt: string | null;
  startedBy: string;
  failureReason: string | null;
  waves: { id: string; name: string; status: WaveStatus; skipped: boolean }[];
}

/** One event of an execution's stream. `data` is the event's payload, read defensively. */
export interface ExecutionEventRecord {
  streamVersion: number;
  eventId: string;
  type: string;
  occurredAt: string;
  actor: string;
  data: unknown;
}

const FINISHED: ReadonlySet<ExecutionStatus> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** An execution that changes no more (unless its failed servers are retried or its drill cleaned up). */
export function isFinished(status: ExecutionStatus): boolean {
  return FINISHED.has(status);
}

/**
 * The status to show of a wave, step or server: as answered while the execution is live; once it
 * has ended, what was still running or waiting when it ended shows as cancelled (or stopped, when
 * the execution failed), since it will never finish (the read model keeps the last status it had).
 */
export function shownStatus(status: string, executionStatus: ExecutionStatus): string {
  if (!isFinished(executionStatus) || !UNFINISHED.has(status)) return status;
  return executionStatus === 'CANCELLED' ? 'CANCELLED' : 'STOPPED';
}

const UNFINISHED: ReadonlySet<string> = new Set(['RUNNING', 'WAITING_FOR_APPROVAL', 'LAUNCH_REQUESTED', 'LAUNCHING']);

// ---------------------------------------------------------------- live state

/** The fresher of two views of one execution: a stream only grows, so the higher version wins. */
export function fresher<T extends { version: number }>(current: T | undefined, incoming: T | undefined): T | undefined {
  if (!current) return incoming;
  if (!incoming) return current;
  return incoming.version >= current.version ? incoming : current;
}

/**
 * Events merged by stream version (a pushed event may repeat one a query already answered), in
 * stream order, and whether a version is missing in between (then the query must be asked again).
 * The runbook holds the latest events, not always the stream's start: only a hole between two
 * held events is a gap.
 */
export function mergeEvents(current: readonly ExecutionEventRecord[], incoming: readonly ExecutionEventRecord[]): { events: ExecutionEventRecord[]; gap: boolean } {
  const byVersion = new Map<number, ExecutionEventRecord>();
  for (const event of current) byVersion.set(event.streamVersion, event);
  for (const event of incoming) byVersion.set(event.streamVersion, event);
  const events = [...byVersion.values()].sort((a, b) => a.streamVersion - b.streamVersion);
  const gap = events.some((event, index) => index > 0 && event.streamVersion !== (events[index - 1]?.streamVersion ?? 0) + 1);
  return { events, gap };
}

/**
 * The held events with a query's answer of the latest ones. Held events older than a hole below
 * the answer are dropped (more events were appended meanwhile than one answer carries): the
 * runbook shows one unbroken run of the stream, which "Show earlier events" extends back.
 */
export function withLatestEvents(current: readonly ExecutionEventRecord[], latest: readonly ExecutionEventRecord[]): ExecutionEventRecord[] {
  const { events } = mergeEvents(current, latest);
  if (latest.length === 0) return events;
  const oldestAnswered = Math.min(...latest.map((e) => e.streamVersion));
  let start = events.findIndex((e) => e.streamVersion === oldestAnswered);
  while (start > 0 && events[start - 1]?.streamVersion === (events[start]?.streamVersion ?? 0) - 1) start--;
  return events.slice(Math.max(0, start));
}

/**
 * The held events with the page of earlier ones asked for before the oldest held: prepended when
 * the page reaches it; an answer that no longer does (the held run was replaced meanwhile) is
 * left out rather than leaving a hole.
 */
export function withEarlierEvents(current: readonly ExecutionEventRecord[], earlier: readonly ExecutionEventRecord[]): ExecutionEventRecord[] {
  const oldestHeld = current[0]?.streamVersion;
  if (oldestHeld === undefined || earlier.length === 0) return [...current];
  const newestEarlier = Math.max(...earlier.map((e) => e.streamVersion));
  return newestEarlier + 1 >= oldestHeld ? mergeEvents(current, earlier).events : [...current];
}

/** How much of the stream the held events are: the oldest held, and the stream's length as far as anyone knows. */
export function eventsCoverage(events: readonly ExecutionEventRecord[], execution: Pick<Execution, 'version'> | undefined): { oldest: number | undefined; total: number; complete: boolean } {
  const oldest = events[0]?.streamVersion;
  const total = Math.max(execution?.version ?? 0, events.at(-1)?.streamVersion ?? 0);
  return { oldest, total, complete: oldest === undefined ? total === 0 : oldest <= 1 };
}

// ---------------------------------------------------------------- time

/** How long an execution has run: until it finished, else until `now`. */
export function elapsedMs(execution: Pick<Execution, 'startedAt' | 'completedAt'>, now: number): number {
  const end = execution.completedAt ? Date.parse(execution.completedAt) : now;
  return Math.max(0, end - Date.parse(execution.startedAt));
}

/** Between two times, or undefined while the second is unknown. */
export function spanMs(from: string | null, to: string | null): number | undefined {
  if (!from || !to) return undefined;
  return Math.max(0, Date.parse(to) - Date.parse(from));
}

/** 0:42, 12:05, 1:02:03 (hours only when needed). */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.floor(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}

/** Where the elapsed time stands against the plan's RTO target. */
export function rtoStanding(elapsed: number, rtoTargetMinutes: number | null | undefined): { percent: number; exceeded: boolean } | undefined {
  if (!rtoTargetMinutes || rtoTargetMinutes <= 0) return undefined;
  const target = rtoTargetMinutes * 60_000;
  return { percent: Math.min(100, Math.round((elapsed / target) * 100)), exceeded: elapsed > target };
}

// ---------------------------------------------------------------- controls

export type Permission = 'read' | 'drill:run' | 'drill:approve' | 'plan:write' | 'recovery:run' | 'recovery:approve' | 'admin';

/** What a control of the runbook is: shown and usable, shown but not now (with why), or not for this user. */
export interface Control {
  visible: boolean;
  enabled: boolean;
  reason?: string;
}

export interface ExecutionControls {
  pause: Control;
  resume: Control;
  cancel: Control;
  cleanup: Control;
  retry: Control;
}

/** Servers whose launch or verification failed. */
export function failedServers(execution: Pick<Execution, 'waves'>): ExecutionServer[] {
  return execution.waves.flatMap((w) => w.servers.filter((s) => s.status === 'LAUNCH_FAILED' || s.status === 'VERIFICATION_FAILED'));
}

/** Recovery instances of a drill that no cleanup has terminated yet. */
export function instancesLeft(execution: Pick<Execution, 'waves' | 'cleanup'>): string[] {
  const terminated = new Set(execution.cleanup?.terminatedRecoveryInstanceIds ?? []);
  return execution.waves.flatMap((w) => w.servers.map((s) => s.recoveryInstanceId)).filter((id): id is string => id !== null && !terminated.has(id));
}

/**
 * The controls of an execution for a user: hidden without the permission of the execution's mode
 * (drill:run, recovery:run: the server refuses anyway) or when they no longer apply (pause and
 * cancel once finished), disabled with a reason when the state does not allow them now, as the
 * execution service decides (pause while running, resume while paused, retry and clean up once
 * finished).
 */
export function controlsOf(execution: Pick<Execution, 'mode' | 'status' | 'waves' | 'cleanup'>, may: (permission: Permission) => boolean): ExecutionControls {
  const runs = may(execution.mode === 'RECOVERY' ? 'recovery:run' : 'drill:run');
  const live = !isFinished(execution.status);
  const control = (visible: boolean, why: string | undefined): Control => (why === undefined ? { visible, enabled: visible } : { visible, enabled: false, reason: why });
  const { status } = execution;
  const pauseWhy = status === 'RUNNING' ? undefined : status === 'PAUSED' ? 'Already paused' : `The execution is ${status.toLowerCase()}`;
  const resumeWhy = status === 'PAUSED' ? undefined : 'Only a paused execution resumes';
  const cancelWhy = status === 'RUNNING' || status === 'PAUSED' ? undefined : status === 'CANCELLING' ? 'Already cancelling' : `The execution is ${status.toLowerCase()}`;
  let cleanupWhy: string | undefined;
  if (live) cleanupWhy = 'A running drill is cleaned up by cancelling it with "terminate instances"';
  else if (execution.cleanup?.status === 'IN_PROGRESS') cleanupWhy = 'The cleanup is in progress';
  else if (instancesLeft(execution).length === 0) cleanupWhy = 'No recovery instance is left to terminate';
  let retryWhy: string | undefined;
  if (live) retryWhy = 'Failed servers are retried once the execution has finished';
  else if (status === 'CANCELLED') retryWhy = 'A cancelled execution is not retried';
  else if (failedServers(execution).length === 0) retryWhy = 'No server failed';
  return {
    pause: control(runs && live && status !== 'PAUSED', pauseWhy),
    resume: control(runs && status === 'PAUSED', resumeWhy),
    cancel: control(runs && live, cancelWhy),
    cleanup: control(runs && execution.mode === 'DRILL', cleanupWhy),
    retry: control(runs && failedServers(execution).length > 0, retryWhy),
  };
}

/**
 * Whether the signed-in user may decide an approval, as the service rules it (holding one of its
 * approver roles, not being excluded from it), or else who may, for people to ask.
 */
export function approvalDecision(approval: Pick<Approval, 'status' | 'approverRoles' | 'excludedUserIds'>, user: { userId: string | undefined; roles: readonly string[] }): { mayDecide: boolean; why?: string } {
  if (approval.status !== 'PENDING') return { mayDecide: false, why: 'Already decided' };
  const roles = approval.approverRoles.length > 0 ? approval.approverRoles.join(', ') : 'nobody';
  if (!user.roles.some((role) => approval.approverRoles.includes(role))) return { mayDecide: false, why: `Waiting for someone with the role ${roles}` };
  if (user.userId !== undefined && approval.excludedUserIds.includes(user.userId)) {
    return { mayDecide: false, why: `A different person with the role ${roles} must decide (you may not approve your own request)` };
  }
  return { mayDecide: true };
}

// ---------------------------------------------------------------- graph

export interface WaveNode {
  id: string;
  name: string;
  /** The shown status (shownStatus), or SKIPPED. */
  status: string;
  depth: number;
  row: number;
  x: number;
  y: number;
}

export interface WaveEdge {
  from: string;
  to: string;
  path: string;
}

export interface WaveGraphLayout {
  nodes: WaveNode[];
  edges: WaveEdge[];
  width: number;
  height: number;
}

export const WAVE_NODE = { width: 168, height: 56, columnGap: 64, rowGap: 20, margin: 12 } as const;

/**
 * Waves laid out left to right by dependency depth (a wave sits one column right of the deepest
 * wave it waits for), top to bottom in plan order within a column, with one edge per dependsOn.
 * Defensive against what a DAG never has (cycles, unknown ids): those edges are left out.
 */
export function layoutWaves(waves: readonly Pick<ExecutionWave, 'id' | 'name' | 'status' | 'skipped' | 'dependsOn'>[], executionStatus: ExecutionStatus = 'RUNNING'): WaveGraphLayout {
  const byId = new Map(waves.map((w) => [w.id, w]));
  const depths = new Map<string, number>();
  const depthOf = (id: string, visiting: Set<string>): number => {
    const known = depths.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const deps = (byId.get(id)?.dependsOn ?? []).filter((dep) => byId.has(dep));
    const depth = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((dep) => depthOf(dep, visiting)));
    visiting.delete(id);
    depths.set(id, depth);
    return depth;
  };
  const rowsUsed = new Map<number, number>();
  const { width: w, height: h, columnGap, rowGap, margin } = WAVE_NODE;
  const nodes: WaveNode[] = waves.map((wave) => {
    const depth = depthOf(wave.id, new Set());
    const row = rowsUsed.get(depth) ?? 0;
    rowsUsed.set(depth, row + 1);
    return { id: wave.id, name: wave.name, status: wave.skipped ? 'SKIPPED' : shownStatus(wave.status, executionStatus), depth, row, x: margin + depth * (w + columnGap), y: margin + row * (h + rowGap) };
  });
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const edges: WaveEdge[] = [];
  for (const node of nodes) {
    for (const dep of byId.get(node.id)?.dependsOn ?? []) {
      const from = nodeById.get(dep);
      if (!from || from.depth >= node.depth) continue;
      const x1 = from.x + w;
      const y1 = from.y + h / 2;
      const x2 = node.x;
      const y2 = node.y + h / 2;
      const bend = (x2 - x1) / 2;
      edges.push({ from: dep, to: node.id, path: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}` });
    }
  }
  const columns = nodes.length === 0 ? 0 : Math.max(...nodes.map((n) => n.depth)) + 1;
  const rows = Math.max(0, ...rowsUsed.values());
  return {
    nodes,
    edges,
    width: columns === 0 ? 0 : margin * 2 + columns * w + (columns - 1) * columnGap,
    height: rows === 0 ? 0 : margin * 2 + rows * h + (rows - 1) * rowGap,
  };
}

// ---------------------------------------------------------------- timeline

function field(data: unknown, name: string): unknown {
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[name] : undefined;
}

function text(data: unknown, name: string): string | undefined {
  const value = field(data, name);
  return typeof value === 'string' ? value : undefined;
}

function list(data: unknown, name: string): unknown[] {
  const value = field(data, name);
  return Array.isArray(value) ? value : [];
}

/** What one stream event says, for people, with waves, steps and servers named as the runbook names them. */
export function describeEvent(event: Pick<ExecutionEventRecord, 'type' | 'data'>, execution: Pick<Execution, 'waves'> | undefined): string {
  const waves = execution?.waves ?? [];
  const waveName = (id: string | undefined) => (id ? (waves.find((w) => w.id === id)?.name ?? id) : 'a wave');
  const serverName = (id: string | undefined) => {
    if (!id) return 'a server';
    const server = waves.flatMap((w) => w.servers).find((s) => s.sourceServerId === id);
    return server?.hostname ? `${server.hostname} (${id})` : id;
  };
  const stepName = (id: string | undefined) => {
    if (!id) return 'a step';
    const step = waves.flatMap((w) => [...w.preSteps, ...w.postSteps]).find((s) => s.id === id);
    return step ? `"${step.name}"` : id;
  };
  const d = event.data;
  const wave = waveName(text(d, 'waveId'));
  const server = serverName(text(d, 'sourceServerId'));
  const step = stepName(text(d, 'stepId'));
  const reason = text(d, 'reason');
  const because = reason ? `: ${reason}` : '';
  const seconds = (ms: unknown) => (typeof ms === 'number' ? formatDuration(ms) : '');
  switch (event.type) {
    case 'ExecutionStarted':
      return `${text(d, 'mode') ?? 'Execution'} of plan version ${String(field(d, 'planVersion') ?? '')} started`.trim();
    case 'ExecutionCompleted':
      return `Execution completed in ${seconds(field(d, 'durationMs'))}`;
    case 'ExecutionFailed':
      return `Execution failed${because}`;
    case 'ExecutionPaused':
      return text(d, 'beforeWaveId') ? `Paused before wave ${waveName(text(d, 'beforeWaveId'))}` : 'Paused';
    case 'ExecutionPauseScheduled':
      return `Will pause before wave ${waveName(text(d, 'beforeWaveId'))}`;
    case 'ExecutionResumed':
      return `Resumed after ${seconds(field(d, 'pausedMs'))} paused`;
    case 'CancelRequested':
      return `Cancel requested${field(d, 'terminateInstances') === true ? ', recovery instances to be terminated' : ''}${because}`;
    case 'ExecutionCancelled':
      return `Execution cancelled after ${seconds(field(d, 'durationMs'))}`;
    case 'WaveStarted':
      return `Wave ${text(d, 'name') ?? wave} started`;
    case 'WaveCompleted':
      return `Wave ${wave} completed`;
    case 'WaveFailed':
      return `Wave ${wave} failed${because}`;
    case 'WaveSkipped':
      return `Wave ${wave} skipped${because}`;
    case 'StepStarted':
      return `Step ${step} of wave ${wave} started`;
    case 'StepCompleted':
      return `Step ${step} of wave ${wave} completed`;
    case 'StepFailed':
      return `Step ${step} of wave ${wave} failed${because}`;
    case 'ApprovalRequested':
      return `Approval requested: ${text(d, 'prompt') ?? ''}`.trim();
    case 'ApprovalGranted':
      return `Approved by ${text(d, 'approverName') ?? text(d, 'approverId') ?? 'someone'}${text(d, 'comment') ? `: ${text(d, 'comment')}` : ''}`;
    case 'ApprovalRejected':
      return `Rejected by ${text(d, 'approverName') ?? text(d, 'approverId') ?? 'someone'}${text(d, 'comment') ? `: ${text(d, 'comment')}` : ''}`;
    case 'ApprovalTimedOut':
      return 'Approval timed out';
    case 'RecoveryJobStarted':
      return `DRS job ${text(d, 'jobId') ?? ''} started for ${list(d, 'sourceServerIds').length} server(s) of wave ${wave}`;
    case 'ServerLaunchRequested':
      return `Launch of ${server} requested`;
    case 'ServerLaunched':
      return `${server} launched as ${text(d, 'recoveryInstanceId') ?? 'a recovery instance'}`;
    case 'ServerLaunchFailed':
      return `Launch of ${server} failed${because}`;
    case 'ServerVerified':
      return `${server} verified (${list(d, 'checks').length} checks)`;
    case 'ServerVerificationFailed':
      return `Verification of ${server} failed${because}`;
    case 'ServerVerificationRecorded':
      return `Verification of ${server} recorded: ${text(d, 'outcome') ?? ''}`.trim();
    case 'ServersRetried':
      return `Retry ${String(field(d, 'attempt') ?? '')}: ${list(d, 'sourceServerIds').length} failed server(s) launched again`;
    case 'DrillCleanupStarted':
      return `Drill cleanup started (${text(d, 'trigger') ?? ''}): ${list(d, 'recoveryInstances').length} recovery instance(s) to terminate`;
    case 'DrillCleanupCompleted':
      return `Drill cleanup completed: ${list(d, 'terminatedRecoveryInstanceIds').length} terminated, ${list(d, 'failed').length} failed`;
    case 'TimerScheduled':
      return `Timer ${text(d, 'purpose') ?? ''} set for ${text(d, 'fireAt') ?? ''}`.trim();
    case 'TimerElapsed':
      return `Timer ${text(d, 'purpose') ?? ''} elapsed`.trim();
    default:
      return event.type;
  }
}

/**
 * People's names for the actors of a stream (events carry user ids): who started the execution
 * (its first event's actor is the starter), the deciders of approvals (their events name them),
 * and the signed-in user. Services and unknown ids stay as they are.
 */
export function actorNames(events: readonly ExecutionEventRecord[], execution: Pick<Execution, 'startedBy'> | undefined, me: { userId: string | undefined; username: string }): Map<string, string> {
  const names = new Map<string, string>();
  const started = events.find((e) => e.type === 'ExecutionStarted');
  if (started && execution) names.set(started.actor, execution.startedBy);
  for (const event of events) {
    const id = text(event.data, 'approverId');
    const name = text(event.data, 'approverName');
    if (id && name) names.set(id, name);
  }
  if (me.userId) names.set(me.userId, me.username);
  return names;
}

// ---------------------------------------------------------------- compare runs

export interface RunFacts {
  id: string;
  label: string;
  status: ExecutionStatus;
  mode: ExecutionMode;
  planVersion: number;
  startedAt: string;
  durationMs: number | undefined;
  failedHostnames: string[];
  retries: number;
}

export interface WaveComparison {
  name: string;
  /** status: the wave's shown status (shownStatus), SKIPPED, or NOT_RUN when the run had no such wave. */
  a: { status: string; durationMs: number | undefined; failed: number };
  b: { status: string; durationMs: number | undefined; failed: number };
}

type ComparedExecution = Pick<Execution, 'id' | 'planName' | 'status' | 'mode' | 'planVersion' | 'startedAt' | 'completedAt' | 'waves' | 'retries'>;

export function runFacts(execution: ComparedExecution): RunFacts {
  return {
    id: execution.id,
    label: `${execution.planName} v${execution.planVersion}`,
    status: execution.status,
    mode: execution.mode,
    planVersion: execution.planVersion,
    startedAt: execution.startedAt,
    durationMs: spanMs(execution.startedAt, execution.completedAt),
    failedHostnames: failedServers(execution).map((s) => s.hostname || s.sourceServerId),
    retries: execution.retries,
  };
}

/** The waves of two runs side by side, matched by name (ids change when a plan's wave is renamed), in the first run's order. */
export function compareWaves(a: ComparedExecution, b: ComparedExecution): WaveComparison[] {
  const side = (wave: ExecutionWave | undefined, run: ComparedExecution): WaveComparison['a'] => {
    if (!wave) return { status: 'NOT_RUN', durationMs: undefined, failed: 0 };
    return {
      status: wave.skipped ? 'SKIPPED' : shownStatus(wave.status, run.status),
      durationMs: spanMs(wave.startedAt, wave.completedAt),
      failed: wave.servers.filter((s) => s.status === 'LAUNCH_FAILED' || s.status === 'VERIFICATION_FAILED').length,
    };
  };
  const names = [...a.waves.map((w) => w.name), ...b.waves.map((w) => w.name).filter((name) => !a.waves.some((w) => w.name === name))];
  return names.map((name) => ({ name, a: side(a.waves.find((w) => w.name === name), a), b: side(b.waves.find((w) => w.name === name), b) }));
}
