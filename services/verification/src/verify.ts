/**
 * The loop that drives the checks of one recovered instance: I/O at the edges (the ports below),
 * decisions in the pure core (src/domain/checks.ts). Each check runs once the one before passed,
 * asks the world again (quickly at first, then every pollMs) while it is WAITING, and fails at its
 * own timeout or when the verification's time (the Lambda's) runs out, whichever comes first.
 */
import type { ConnectivityProbe } from '@lifeboat/service-api';
import type {
  AgentFacts, CheckResult, InstanceFacts, InvocationFacts, Judgement, LaunchActionsFacts, PlannedCheck, ProbeFacts, Verdict,
} from './domain/checks.js';
import {
  NOT_RUN_AFTER_FAILURE, checkDeadline, commandComment, conclude, judgeAgent, judgeInstance, judgeInvocation, judgeLaunchActions, judgeProbe,
  pollDelay, settle, skipped,
} from './domain/checks.js';

/** Which launch is verified: the ids of the ServerLaunched event. */
export interface VerificationTarget {
  executionId: string;
  sourceServerId: string;
  jobId: string;
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
}

/** Port: DRS. */
export interface DrsPort {
  /**
   * The EC2 instance id of the launch's recovery instance (undefined: DRS reports none yet). Asked
   * only when ServerLaunched did not carry it (the execution could not learn it at launch).
   */
  ec2InstanceIdOf(target: VerificationTarget): Promise<{ recoveryInstanceId: string; ec2InstanceId?: string } | undefined>;
  launchActions(jobId: string, sourceServerId: string): Promise<LaunchActionsFacts>;
}

/** Port: EC2. */
export interface Ec2Port {
  describe(instanceId: string): Promise<InstanceFacts | undefined>;
}

/** A Run Command of a health check. */
export interface CommandRequest {
  instanceId: string;
  documentName: string;
  parameters: Record<string, string[]>;
  /** Identifies the command: a redelivery finds it instead of sending another. */
  comment: string;
  timeoutSeconds: number;
}

/** Port: SSM. */
export interface SsmPort {
  agent(instanceId: string): Promise<AgentFacts | undefined>;
  /** The id of the command sent with this comment to the instance, sent now if none was. */
  findOrSend(request: CommandRequest): Promise<string>;
  invocation(commandId: string, instanceId: string): Promise<InvocationFacts | undefined>;
}

/** Port: connections from Lifeboat to the instance. */
export interface ProbePort {
  attempt(probe: ConnectivityProbe, address: string, timeoutMs: number): Promise<ProbeFacts>;
}

/** Where probes connect to: the instance's private IP by default (locally: a test's own server). */
export type AddressResolver = (instance: { instanceId: string; privateIp?: string }) => string | undefined;
export const privateIpAddress: AddressResolver = (instance) => instance.privateIp;

/** Port: time, so that tests need not wait for real seconds. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface VerificationPorts {
  drs: DrsPort;
  ec2: Ec2Port;
  ssm: SsmPort;
  probes: ProbePort;
  resolveAddress?: AddressResolver;
}

export interface VerifyOptions {
  /** The longest delay between two looks at a check still WAITING. */
  pollMs: number;
  /** Time the whole verification may take (the Lambda's remaining time, less a margin). */
  budgetMs: number;
}

export type VerificationOutcome = Verdict & { recoveryInstanceId?: string; ec2InstanceId?: string };

/** Longest wait of one probe attempt: the check retries until its own timeout. */
const PROBE_ATTEMPT_MS = 5_000;

/** What the checks learn about the instance as they go (later checks need the instance id and IP). */
interface Learned {
  recoveryInstanceId?: string;
  instanceId?: string;
  privateIp?: string;
}

/** One look of a check at the world; keeps its own state (the command id) across looks. */
type Look = (remainingMs: number) => Promise<Judgement>;

function lookOf(check: PlannedCheck, target: VerificationTarget, ports: VerificationPorts, learned: Learned): Look {
  switch (check.kind) {
    case 'EC2':
      return async () => {
        if (!learned.instanceId) {
          const found = await ports.drs.ec2InstanceIdOf(target);
          if (found) {
            learned.recoveryInstanceId = found.recoveryInstanceId;
            learned.instanceId = found.ec2InstanceId;
          }
        }
        const facts = learned.instanceId ? await ports.ec2.describe(learned.instanceId) : undefined;
        if (facts?.privateIp) learned.privateIp = facts.privateIp;
        return judgeInstance(learned.instanceId, facts);
      };
    case 'SSM_AGENT':
      return async () => judgeAgent(learned.instanceId ?? '', await ports.ssm.agent(learned.instanceId ?? ''));
    case 'SSM_DOCUMENT': {
      let commandId: string | undefined;
      return async () => {
        const instanceId = learned.instanceId ?? '';
        commandId ??= await ports.ssm.findOrSend({
          instanceId,
          documentName: check.documentName,
          parameters: check.parameters,
          comment: commandComment(target.executionId, target.sourceServerId, check.name),
          timeoutSeconds: Math.max(30, Math.ceil(check.timeoutMs / 1000)),
        });
        return judgeInvocation(check.documentName, await ports.ssm.invocation(commandId, instanceId));
      };
    }
    case 'POST_LAUNCH_ACTIONS':
      return async () => judgeLaunchActions(target.jobId, await ports.drs.launchActions(target.jobId, target.sourceServerId));
    case 'PROBE':
      return async (remainingMs) => {
        const address = (ports.resolveAddress ?? privateIpAddress)({ instanceId: learned.instanceId ?? '', ...(learned.privateIp ? { privateIp: learned.privateIp } : {}) });
        const facts = address ? await ports.probes.attempt(check.probe, address, Math.max(100, Math.min(PROBE_ATTEMPT_MS, remainingMs))) : undefined;
        return judgeProbe(check.probe, address, facts);
      };
  }
}

async function runCheck(check: PlannedCheck, look: Look, clock: Clock, options: VerifyOptions, budgetEndMs: number): Promise<CheckResult> {
  const startedAt = clock.now();
  const deadline = checkDeadline(check, startedAt, budgetEndMs);
  for (let attempt = 0; ; attempt++) {
    const judgement = await look(deadline.deadlineMs - clock.now());
    const now = clock.now();
    const settled = settle(check, judgement, startedAt, now, deadline);
    if (settled.done) return settled.result;
    await clock.sleep(pollDelay(attempt, options.pollMs, now, deadline.deadlineMs));
  }
}

/**
 * Runs the planned checks of a launched server in order and concludes. Errors of the ports
 * (DRS, EC2 or SSM unreachable, access denied) are not verdicts: they propagate, and the launch
 * is delivered again (a health check's command is then found by its comment, not sent twice).
 */
export async function verifyLaunchedServer(target: VerificationTarget, plan: readonly PlannedCheck[], ports: VerificationPorts, clock: Clock, options: VerifyOptions): Promise<VerificationOutcome> {
  const budgetEndMs = clock.now() + options.budgetMs;
  const learned: Learned = {
    ...(target.recoveryInstanceId ? { recoveryInstanceId: target.recoveryInstanceId } : {}),
    ...(target.ec2InstanceId ? { instanceId: target.ec2InstanceId } : {}),
  };
  const results: CheckResult[] = [];
  let failed = false;
  for (const check of plan) {
    if (failed) results.push(skipped(check, NOT_RUN_AFTER_FAILURE));
    else if (check.skip) results.push(skipped(check, check.skip));
    else {
      const result = await runCheck(check, lookOf(check, target, ports, learned), clock, options, budgetEndMs);
      results.push(result);
      failed = result.status === 'FAILED';
    }
  }
  return {
    ...conclude(plan, results),
    ...(learned.recoveryInstanceId ? { recoveryInstanceId: learned.recoveryInstanceId } : {}),
    ...(learned.instanceId ? { ec2InstanceId: learned.instanceId } : {}),
  };
}
