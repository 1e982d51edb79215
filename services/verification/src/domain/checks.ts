/**
 * The checks of a recovered instance, evaluated from what DRS (and, later, EC2 and SSM) report.
 *
 * Pure: the handler polls the outside world and hands each poll's facts in as an `Observation`;
 * this module only decides. A verification is a sequence of observations of one server; each
 * check runs in order, and a check only runs when the one before it passed (there is no point
 * asking whether an instance that DRS does not know is running). While a check is still
 * waiting for the world to change (an instance PENDING), the verdict is PENDING until the
 * server's timeout; then the waiting check fails with a timeout.
 */

export const RECOVERY_INSTANCE_FOUND = 'recovery-instance-found';
export const EC2_INSTANCE_RUNNING = 'ec2-instance-running';

export type CheckStatus = 'PASSED' | 'FAILED' | 'SKIPPED';

/** One check's result, as carried by ServerVerified / ServerVerificationFailed. */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** Time this check took, from the moment the check before it passed. */
  durationMs: number;
  /** A short, human-readable excerpt of what was seen (never a whole log). */
  output: string;
}

/** The fields of a DRS RecoveryInstance that verification reads (DescribeRecoveryInstances). */
export interface RecoveryInstanceFacts {
  recoveryInstanceID: string;
  ec2InstanceID?: string;
  /** DRS EC2InstanceState: PENDING, RUNNING, STOPPING, STOPPED, SHUTTING-DOWN, TERMINATED, NOT_FOUND. */
  ec2InstanceState?: string;
  sourceServerID?: string;
  isDrill?: boolean;
  jobID?: string;
  /** recoveryInstanceProperties.lastUpdatedDateTime, to pick the newest of several instances. */
  lastUpdatedDateTime?: string;
}

/** Which recovered instance is being verified: the ids of the ServerLaunched event. */
export interface VerificationTarget {
  sourceServerId: string;
  jobId: string;
  /** Known when DRS reported it with the launch; otherwise found by source server and job. */
  recoveryInstanceId?: string;
}

/**
 * What one poll saw. Later checks (EC2 status checks, SSM agent ping, SSM documents, probes)
 * add their facts here as optional fields, filled by the handler's adapters.
 */
export interface Observation {
  /** Milliseconds since the verification started. */
  elapsedMs: number;
  recoveryInstance?: RecoveryInstanceFacts;
}

export interface VerificationPolicy {
  /** Budget of the whole verification of one server. */
  timeoutMs: number;
}

/** The outcome of a check on one observation: WAITING means "not yet, ask again". */
type Probe = { status: 'PASSED' | 'FAILED' | 'WAITING'; output: string };

interface CheckDefinition {
  name: string;
  description: string;
  probe: (observation: Observation, target: VerificationTarget) => Probe;
}

/** EC2 states from which an instance does not come back to RUNNING by itself. */
const STOPPED_STATES = new Set(['STOPPING', 'STOPPED', 'SHUTTING-DOWN', 'TERMINATED']);

const MAX_OUTPUT_CHARS = 500;

/** Keeps outputs short enough for events and messages; later SSM outputs can be long. */
export function excerpt(text: string, maxChars = MAX_OUTPUT_CHARS): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

function describeInstance(instance: RecoveryInstanceFacts): string {
  const kind = instance.isDrill === true ? 'drill' : instance.isDrill === false ? 'recovery' : 'unknown kind';
  return `${instance.recoveryInstanceID} (${kind} instance, job ${instance.jobID ?? 'unknown'})`;
}

/** The checks, in the order they run. */
export const CHECKS: readonly CheckDefinition[] = [
  {
    name: RECOVERY_INSTANCE_FOUND,
    description: 'DRS reports a recovery instance for the server, launched by the execution\'s job',
    probe: ({ recoveryInstance }, target) =>
      recoveryInstance
        ? { status: 'PASSED', output: `DRS reports recovery instance ${describeInstance(recoveryInstance)}` }
        : {
            status: 'WAITING',
            output: target.recoveryInstanceId
              ? `DRS does not report recovery instance ${target.recoveryInstanceId}`
              : `DRS reports no recovery instance of ${target.sourceServerId} launched by ${target.jobId}`,
          },
  },
  {
    name: EC2_INSTANCE_RUNNING,
    description: 'The EC2 instance of the recovery instance is RUNNING',
    probe: ({ recoveryInstance }) => {
      if (!recoveryInstance) return { status: 'WAITING', output: 'no recovery instance yet' };
      const ec2 = recoveryInstance.ec2InstanceID ?? 'its EC2 instance (id not reported yet)';
      const state = recoveryInstance.ec2InstanceState;
      if (state === 'RUNNING') return { status: 'PASSED', output: `${ec2} is RUNNING` };
      if (state !== undefined && STOPPED_STATES.has(state)) return { status: 'FAILED', output: `${ec2} is ${state}` };
      // PENDING, NOT_FOUND (EC2 can lag behind DRS right after a launch) or not reported yet.
      return { status: 'WAITING', output: `${ec2} is ${state ?? 'in no reported state'}` };
    },
  },
];

/** What `describeVerificationChecks` answers: the checks that run and their budget. */
export interface CheckDescription {
  name: string;
  description: string;
  /** Checks share the server's budget: each must pass before it runs out. */
  timeoutSeconds: number;
}

export function describeChecks(policy: VerificationPolicy): CheckDescription[] {
  return CHECKS.map(({ name, description }) => ({ name, description, timeoutSeconds: policy.timeoutMs / 1000 }));
}

export type Assessment =
  | { verdict: 'PENDING'; waitingFor: string; output: string }
  | { verdict: 'VERIFIED'; checks: CheckResult[] }
  | { verdict: 'FAILED'; checks: CheckResult[]; reason: string };

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/** Elapsed time of the first observation of the trailing run in which the check passes. */
function passingSince(observations: readonly Observation[], check: CheckDefinition, target: VerificationTarget): number {
  let since = observations[observations.length - 1]?.elapsedMs ?? 0;
  for (let i = observations.length - 1; i >= 0; i--) {
    const observation = observations[i];
    if (!observation || check.probe(observation, target).status !== 'PASSED') break;
    since = observation.elapsedMs;
  }
  return since;
}

/**
 * Assesses the checks of a recovered instance from every observation so far (oldest first):
 * the latest observation decides each check; the earlier ones time how long each took.
 *
 * @example
 * assess(target, [{ elapsedMs: 0 }, { elapsedMs: 5000, recoveryInstance: running }], { timeoutMs: 60000 })
 * // → { verdict: 'VERIFIED', checks: [{ name: 'recovery-instance-found', status: 'PASSED', durationMs: 5000, ... }, ...] }
 */
export function assess(target: VerificationTarget, observations: readonly Observation[], policy: VerificationPolicy): Assessment {
  const latest = observations[observations.length - 1];
  if (!latest) throw new Error('assess needs at least one observation');
  const timedOut = latest.elapsedMs >= policy.timeoutMs;

  const checks: CheckResult[] = [];
  let failure: string | undefined;
  let previousPassedAt = 0;
  for (const check of CHECKS) {
    if (failure !== undefined) {
      checks.push({ name: check.name, status: 'SKIPPED', durationMs: 0, output: 'not run: an earlier check did not pass' });
      continue;
    }
    const probe = check.probe(latest, target);
    if (probe.status === 'PASSED') {
      const passedAt = Math.max(previousPassedAt, passingSince(observations, check, target));
      checks.push({ name: check.name, status: 'PASSED', durationMs: Math.round(passedAt - previousPassedAt), output: excerpt(probe.output) });
      previousPassedAt = passedAt;
      continue;
    }
    if (probe.status === 'WAITING' && !timedOut) return { verdict: 'PENDING', waitingFor: check.name, output: probe.output };
    const output = probe.status === 'WAITING' ? `timed out after ${formatSeconds(policy.timeoutMs)} (${probe.output})` : probe.output;
    checks.push({ name: check.name, status: 'FAILED', durationMs: Math.round(Math.max(0, latest.elapsedMs - previousPassedAt)), output: excerpt(output) });
    failure = `${check.name} failed: ${output}`;
  }
  return failure === undefined ? { verdict: 'VERIFIED', checks } : { verdict: 'FAILED', checks, reason: excerpt(failure) };
}

/**
 * Picks the recovered instance of the target among what DRS returned: the one with the
 * launched recovery instance id when known, else the newest instance of the source server
 * launched by the target's job (an older instance of another job is not this launch's).
 */
export function selectRecoveryInstance(candidates: readonly RecoveryInstanceFacts[], target: VerificationTarget): RecoveryInstanceFacts | undefined {
  if (target.recoveryInstanceId) return candidates.find((c) => c.recoveryInstanceID === target.recoveryInstanceId);
  const ofThisLaunch = candidates.filter((c) => c.sourceServerID === target.sourceServerId && c.jobID === target.jobId);
  return ofThisLaunch.reduce<RecoveryInstanceFacts | undefined>(
    (newest, c) => (!newest || (c.lastUpdatedDateTime ?? '') > (newest.lastUpdatedDateTime ?? '') ? c : newest),
    undefined,
  );
}
