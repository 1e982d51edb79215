/**
 * The checks of a recovered instance (ISSUE 6), in the order they run:
 *
 *   1. `ec2-running-and-status-checks`: EC2 says running, system and instance status checks ok
 *      (SRM's "wait for VMware Tools"), within `instanceTimeoutSeconds`;
 *   2. `ssm-agent-online`: the SSM agent pings Online, within `ssmAgentTimeoutSeconds`
 *      (SKIPPED, with the documents, when the plan does not require the agent);
 *   3. `ssm:<name>`, one per health-check document: Run Command, its invocation's outcome;
 *   4. `drs-post-launch-actions`: DRS's post-launch action runs of the launch's job;
 *   5. `tcp:<port>` / `http:<port><path>`: probes of the instance's private IP.
 *
 * Pure: the handler's loop (src/verify.ts) asks the outside world for facts and hands them in;
 * this module plans the checks from a server's ResolvedVerification, judges each set of facts
 * (PASSED, FAILED or WAITING: "not yet, ask again"), turns a wait past the check's deadline into
 * a FAILED check naming the timeout, and concludes: after a failure, later checks are SKIPPED.
 */
import type { ConnectivityProbe, ResolvedVerification } from '@lifeboat/service-api';

export const EC2_RUNNING_AND_STATUS_CHECKS = 'ec2-running-and-status-checks';
export const SSM_AGENT_ONLINE = 'ssm-agent-online';
export const DRS_POST_LAUNCH_ACTIONS = 'drs-post-launch-actions';

export type CheckStatus = 'PASSED' | 'FAILED' | 'SKIPPED';

/** One check's result, as carried by ServerVerified / ServerVerificationFailed. */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** Time this check took, from the moment the check before it ended. */
  durationMs: number;
  /** A short excerpt of what was seen (at most OUTPUT_MAX_BYTES), or why it failed or was skipped. */
  output: string;
}

/** What one look at the world concluded: WAITING means "not yet, ask again". */
export interface Judgement {
  status: 'PASSED' | 'FAILED' | 'WAITING';
  output: string;
}

// ---------------------------------------------------------------- the plan of a server's checks

interface PlannedBase {
  name: string;
  /** How long the check may wait for the world (its own timeout). */
  timeoutMs: number;
  /** Set when the plan turned the check off: it is reported SKIPPED with this reason. */
  skip?: string;
}
export type PlannedCheck =
  | (PlannedBase & { kind: 'EC2' })
  | (PlannedBase & { kind: 'SSM_AGENT' })
  | (PlannedBase & { kind: 'SSM_DOCUMENT'; documentName: string; parameters: Record<string, string[]> })
  | (PlannedBase & { kind: 'POST_LAUNCH_ACTIONS' })
  | (PlannedBase & { kind: 'PROBE'; probe: ConnectivityProbe });

/** Settings of the service (not of the plan). */
export interface CheckSettings {
  /** How long DRS's post-launch actions may still run (the plan has no setting for it). */
  postLaunchActionsTimeoutMs: number;
  /** Default timeout of a probe without `timeoutSeconds`. */
  probeTimeoutMs: number;
}

export const DEFAULT_CHECK_SETTINGS: Readonly<CheckSettings> = { postLaunchActionsTimeoutMs: 600_000, probeTimeoutMs: 60_000 };

export function probeName(probe: ConnectivityProbe): string {
  if (probe.name) return probe.name;
  return probe.type === 'TCP' ? `tcp:${probe.port}` : `http:${probe.port}${probe.path ?? '/'}`;
}

/**
 * The checks of one server, in order, from its resolved verification settings.
 *
 * @example
 * planChecks({ ...DEFAULT_VERIFICATION, healthChecks: [{ name: 'linux', documentName: 'Lifeboat-HealthCheck-Linux', parameters: {}, timeoutSeconds: 120 }] })
 * // → ec2-running-and-status-checks, ssm-agent-online, ssm:linux, drs-post-launch-actions
 */
export function planChecks(verification: ResolvedVerification, settings: CheckSettings = DEFAULT_CHECK_SETTINGS): PlannedCheck[] {
  const noAgent = verification.requireSsmAgent ? undefined : 'not required by the plan (requireSsmAgent is false)';
  return [
    { kind: 'EC2', name: EC2_RUNNING_AND_STATUS_CHECKS, timeoutMs: verification.instanceTimeoutSeconds * 1000 },
    { kind: 'SSM_AGENT', name: SSM_AGENT_ONLINE, timeoutMs: verification.ssmAgentTimeoutSeconds * 1000, ...(noAgent ? { skip: noAgent } : {}) },
    ...verification.healthChecks.map((h): PlannedCheck => ({
      kind: 'SSM_DOCUMENT',
      name: `ssm:${h.name}`,
      timeoutMs: h.timeoutSeconds * 1000,
      documentName: h.documentName,
      parameters: h.parameters,
      ...(noAgent ? { skip: 'not run: the plan does not require the SSM agent' } : {}),
    })),
    {
      kind: 'POST_LAUNCH_ACTIONS',
      name: DRS_POST_LAUNCH_ACTIONS,
      timeoutMs: settings.postLaunchActionsTimeoutMs,
      ...(verification.checkPostLaunchActions ? {} : { skip: 'not required by the plan (checkPostLaunchActions is false)' }),
    },
    ...verification.probes.map((probe): PlannedCheck => ({ kind: 'PROBE', name: probeName(probe), timeoutMs: (probe.timeoutSeconds ?? settings.probeTimeoutMs / 1000) * 1000, probe })),
  ];
}

/** What `describeVerificationChecks` answers for each check. */
export interface CheckDescription {
  name: string;
  description: string;
  timeoutSeconds: number;
  /** Why it will be SKIPPED, when the settings turn it off. */
  skipped?: string;
}

const DESCRIPTIONS: Record<PlannedCheck['kind'], string> = {
  EC2: 'EC2 reports the instance running and its system and instance status checks ok',
  SSM_AGENT: 'The SSM agent of the instance pings Online',
  SSM_DOCUMENT: 'The health-check document, run with SSM Run Command, ends in Success',
  POST_LAUNCH_ACTIONS: 'No non-optional DRS post-launch action of the launch failed',
  PROBE: 'The instance answers on its private IP',
};

export function describeChecks(plan: readonly PlannedCheck[]): CheckDescription[] {
  return plan.map((check) => ({
    name: check.name,
    description: check.kind === 'SSM_DOCUMENT' ? `${DESCRIPTIONS.SSM_DOCUMENT} (${check.documentName})` : DESCRIPTIONS[check.kind],
    timeoutSeconds: check.timeoutMs / 1000,
    ...(check.skip ? { skipped: check.skip } : {}),
  }));
}

// ---------------------------------------------------------------- outputs

/** The most an output excerpt takes in an event (UTF-8 bytes). */
export const OUTPUT_MAX_BYTES = 2048;
const encoder = new TextEncoder();

function byteLength(text: string): number {
  return encoder.encode(text).length;
}

/** Keeps the start of a text within maxBytes (UTF-8), marking a cut with an ellipsis (3 bytes). */
export function excerpt(text: string, maxBytes = OUTPUT_MAX_BYTES): string {
  if (byteLength(text) <= maxBytes) return text;
  let kept = text.slice(0, maxBytes);
  for (let over = byteLength(kept) + 3 - maxBytes; over > 0; over = byteLength(kept) + 3 - maxBytes) kept = kept.slice(0, kept.length - Math.ceil(over / 4));
  return `${kept}…`;
}

/** Keeps the end of a text (where scripts say what went wrong) within maxBytes. */
export function tail(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text;
  let kept = text.slice(-maxBytes);
  for (let over = byteLength(kept) + 3 - maxBytes; over > 0; over = byteLength(kept) + 3 - maxBytes) kept = kept.slice(Math.ceil(over / 4));
  return `…${kept}`;
}

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(1))} s`;
}

// ---------------------------------------------------------------- judging facts

/** What EC2 reports (DescribeInstances + DescribeInstanceStatus); undefined: EC2 does not know it (yet). */
export interface InstanceFacts {
  instanceId: string;
  /** pending, running, shutting-down, terminated, stopping, stopped. */
  state: string;
  /** ok, impaired, insufficient-data, not-applicable, initializing (absent: no status yet). */
  systemStatus?: string;
  instanceStatus?: string;
  privateIp?: string;
}

const GONE_STATES = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);

export function judgeInstance(instanceId: string | undefined, facts: InstanceFacts | undefined): Judgement {
  if (!instanceId) return { status: 'WAITING', output: 'DRS reports no EC2 instance for the launch yet' };
  if (!facts) return { status: 'WAITING', output: `EC2 does not know ${instanceId} yet` };
  if (GONE_STATES.has(facts.state)) return { status: 'FAILED', output: `${instanceId} is ${facts.state}` };
  if (facts.state !== 'running') return { status: 'WAITING', output: `${instanceId} is ${facts.state}` };
  const system = facts.systemStatus ?? 'not reported';
  const instance = facts.instanceStatus ?? 'not reported';
  const summary = `${instanceId} is running; system status ${system}, instance status ${instance}`;
  // impaired can clear during a boot: it is waited for, and the timeout names it.
  return { status: system === 'ok' && instance === 'ok' ? 'PASSED' : 'WAITING', output: summary };
}

/** What SSM reports of the instance's agent (DescribeInstanceInformation); undefined: not registered. */
export interface AgentFacts {
  pingStatus: string;
  platformName?: string;
  agentVersion?: string;
}

export function judgeAgent(instanceId: string, facts: AgentFacts | undefined): Judgement {
  if (!facts) return { status: 'WAITING', output: `the SSM agent of ${instanceId} has not registered` };
  const about = [facts.platformName, facts.agentVersion && `agent ${facts.agentVersion}`].filter(Boolean).join(', ');
  const output = `the SSM agent of ${instanceId} is ${facts.pingStatus}${about ? ` (${about})` : ''}`;
  return { status: facts.pingStatus === 'Online' ? 'PASSED' : 'WAITING', output };
}

/** What GetCommandInvocation answers; undefined: the invocation is not known yet. */
export interface InvocationFacts {
  commandId: string;
  /** Pending, InProgress, Delayed, Success, Cancelled, TimedOut, Failed, Cancelling. */
  status: string;
  statusDetails?: string;
  responseCode?: number;
  stdout?: string;
  stderr?: string;
}

const RUNNING_INVOCATION = new Set(['Pending', 'InProgress', 'Delayed']);

/** Half of the excerpt for each stream, the rest for the status line. */
const STREAM_BYTES = 960;

export function judgeInvocation(documentName: string, facts: InvocationFacts | undefined): Judgement {
  if (!facts) return { status: 'WAITING', output: `${documentName}: the command is not known to SSM yet` };
  if (RUNNING_INVOCATION.has(facts.status)) return { status: 'WAITING', output: `${documentName}: command ${facts.commandId} is ${facts.status}` };
  const code = facts.responseCode !== undefined && facts.responseCode >= 0 ? `, exit ${facts.responseCode}` : '';
  const details = facts.statusDetails && facts.statusDetails !== facts.status ? ` (${facts.statusDetails})` : '';
  const lines = [`${documentName}: ${facts.status}${details}${code}`];
  if (facts.stdout?.trim()) lines.push(`stdout: ${tail(facts.stdout.trim(), STREAM_BYTES)}`);
  if (facts.stderr?.trim()) lines.push(`stderr: ${tail(facts.stderr.trim(), STREAM_BYTES)}`);
  return { status: facts.status === 'Success' ? 'PASSED' : 'FAILED', output: excerpt(lines.join('\n')) };
}

/** The launch's post-launch action runs (DescribeJobs participatingServers[].launchActionsStatus). */
export interface LaunchActionsFacts {
  /** Whether DRS lists the job and the server in it. */
  found: boolean;
  /** The server's launchStatus in the job: PENDING, IN_PROGRESS, LAUNCHED, FAILED, TERMINATED. */
  launchStatus?: string;
  /** Whether DRS reports launchActionsStatus at all. */
  reported: boolean;
  ssmAgentDiscoveryDatetime?: string;
  runs: { name: string; optional: boolean; status: string; failureReason?: string }[];
}

const FINAL_LAUNCH = new Set(['LAUNCHED', 'FAILED', 'TERMINATED']);

/**
 * DRS semantics (LaunchAction.optional: "whether the launch will not be marked as failed if this
 * action fails"): a failed non-optional action fails the check; a failed optional one is reported
 * in the output of a PASSED check, as DRS does not hold it against the launch either.
 */
export function judgeLaunchActions(jobId: string, facts: LaunchActionsFacts): Judgement {
  if (!facts.found) return { status: 'WAITING', output: `DRS does not list the server in job ${jobId} yet` };
  const runs = facts.runs;
  if (runs.length === 0) {
    if (!facts.reported || FINAL_LAUNCH.has(facts.launchStatus ?? '')) return { status: 'PASSED', output: `no post-launch action ran for job ${jobId}` };
    return { status: 'WAITING', output: `post-launch actions of job ${jobId} wait for DRS to discover the SSM agent` };
  }
  const describe = (r: LaunchActionsFacts['runs'][number]) => `${r.name} ${r.status}${r.failureReason ? `: ${r.failureReason}` : ''}`;
  const failed = runs.filter((r) => r.status === 'FAILED' && !r.optional);
  if (failed.length > 0) return { status: 'FAILED', output: excerpt(`post-launch action ${failed.map(describe).join('; ')}`) };
  const running = runs.filter((r) => r.status !== 'SUCCEEDED' && r.status !== 'FAILED');
  if (running.length > 0) return { status: 'WAITING', output: excerpt(`post-launch actions still running: ${running.map(describe).join('; ')}`) };
  const optionalFailures = runs.filter((r) => r.status === 'FAILED');
  const succeeded = runs.length - optionalFailures.length;
  const note = optionalFailures.length > 0 ? `; optional ${optionalFailures.map(describe).join('; ')}` : '';
  return { status: 'PASSED', output: excerpt(`${succeeded} of ${runs.length} post-launch actions succeeded${note}`) };
}

/** The outcome of one connection attempt of a probe. */
export type ProbeFacts =
  | { reached: true; httpStatus?: number; detail?: string }
  | { reached: false; error: string };

export function judgeProbe(probe: ConnectivityProbe, address: string | undefined, facts: ProbeFacts | undefined): Judgement {
  if (!address) return { status: 'WAITING', output: 'the instance has no private IP address yet' };
  const where = probe.type === 'TCP' ? `${address}:${probe.port}` : `${probe.https ? 'https' : 'http'}://${address}:${probe.port}${probe.path ?? '/'}`;
  if (!facts) return { status: 'WAITING', output: `${where} not tried yet` };
  if (!facts.reached) return { status: 'WAITING', output: `${where}: ${facts.error}` };
  if (probe.type === 'TCP') return { status: 'PASSED', output: `${where} accepts connections` };
  const status = facts.httpStatus ?? 0;
  const ok = probe.expectStatus !== undefined ? status === probe.expectStatus : status >= 200 && status < 300;
  const expected = probe.expectStatus !== undefined ? String(probe.expectStatus) : '2xx';
  return { status: ok ? 'PASSED' : 'WAITING', output: excerpt(`${where} answered ${status} (expected ${expected})${facts.detail ? `: ${facts.detail}` : ''}`, 512) };
}

// ---------------------------------------------------------------- time

/**
 * When a check that started at `startedAtMs` must be over: its own timeout, or the end of the
 * verification's budget (the Lambda's remaining time) if that comes first.
 */
export function checkDeadline(check: Pick<PlannedCheck, 'timeoutMs'>, startedAtMs: number, budgetEndMs: number): { deadlineMs: number; capped: boolean } {
  const own = startedAtMs + check.timeoutMs;
  return own <= budgetEndMs ? { deadlineMs: own, capped: false } : { deadlineMs: budgetEndMs, capped: true };
}

export type Settled = { done: true; result: CheckResult } | { done: false; output: string };

/**
 * A check's judgement at `nowMs`: PASSED and FAILED end it; WAITING goes on until the deadline,
 * at which the check fails with `timed out after N s` and the last thing seen.
 */
export function settle(check: Pick<PlannedCheck, 'name' | 'timeoutMs'>, judgement: Judgement, startedAtMs: number, nowMs: number, deadline: { deadlineMs: number; capped: boolean }): Settled {
  const durationMs = Math.max(0, Math.round(nowMs - startedAtMs));
  if (judgement.status !== 'WAITING') return { done: true, result: { name: check.name, status: judgement.status, durationMs, output: excerpt(judgement.output) } };
  if (nowMs < deadline.deadlineMs) return { done: false, output: judgement.output };
  const reason = deadline.capped
    ? `timed out after ${formatSeconds(durationMs)}: the verification's time (Lambda's) ran out before the check's ${formatSeconds(check.timeoutMs)}`
    : `timed out after ${formatSeconds(check.timeoutMs)}`;
  return { done: true, result: { name: check.name, status: 'FAILED', durationMs, output: excerpt(`${reason} (${judgement.output})`) } };
}

/** The delay before the next look: quick at first (most checks pass soon), then every pollMs; never past the deadline. */
export function pollDelay(attempt: number, pollMs: number, nowMs: number, deadlineMs: number): number {
  const backoff = Math.min(pollMs, 250 * 2 ** Math.min(attempt, 10));
  return Math.max(0, Math.min(backoff, deadlineMs - nowMs));
}

// ---------------------------------------------------------------- the verdict

export type Verdict = { verdict: 'VERIFIED'; checks: CheckResult[] } | { verdict: 'FAILED'; checks: CheckResult[]; reason: string };

export function skipped(check: Pick<PlannedCheck, 'name'>, why: string): CheckResult {
  return { name: check.name, status: 'SKIPPED', durationMs: 0, output: why };
}

export const NOT_RUN_AFTER_FAILURE = 'not run: an earlier check did not pass';

/**
 * The verdict from the results of the checks run so far (in plan order): every check after the
 * first failure is SKIPPED; VERIFIED when none failed.
 */
export function conclude(plan: readonly PlannedCheck[], results: readonly CheckResult[]): Verdict {
  const checks: CheckResult[] = [];
  let failure: CheckResult | undefined;
  plan.forEach((check, i) => {
    const result = results[i];
    if (failure || !result) checks.push(skipped(check, NOT_RUN_AFTER_FAILURE));
    else {
      checks.push(result);
      if (result.status === 'FAILED') failure = result;
    }
  });
  return failure ? { verdict: 'FAILED', checks, reason: excerpt(`${failure.name} failed: ${failure.output}`, 1024) } : { verdict: 'VERIFIED', checks };
}

/**
 * The Comment of the Run Command of a health check: how a redelivered launch finds the command
 * it already sent instead of sending another. SSM allows 100 characters.
 */
export function commandComment(executionId: string, sourceServerId: string, checkName: string): string {
  return `lifeboat ${executionId} ${sourceServerId} ${checkName}`.slice(0, 100);
}
