import type { DomainEvent } from '@lifeboat/events';
import type { PlanStep } from '@lifeboat/service-api';
import type { FunctionInvoker } from '../adapters/lambda.js';
import type { CommandRunner, InvocationResult } from '../adapters/ssm.js';
import { TERMINAL_INVOCATION_STATUSES } from '../adapters/ssm.js';
import { handleCommand, loadExecution, toExecutionEvents } from '../command-handler.js';
import { isExecutionError } from '../domain/errors.js';
import type { StepStarted } from '../domain/events.js';
import type { LiveState } from '../domain/state.js';
import { isLive } from '../domain/state.js';
import type { EventStore, StoredEvent } from '../event-store/event-store.js';
import { log } from '../config.js';
import { commandMetadata, PROCESS_MANAGER } from './commands.js';
import { excerpt } from './excerpt.js';

export interface RunStepDeps {
  store: EventStore;
  ssm: CommandRunner;
  lambda: FunctionInvoker;
  clock: () => Date;
  /** What is left of the function's time (context.getRemainingTimeInMillis). */
  remainingMs: () => number;
  /** Between two GetCommandInvocation rounds (default 5 s). */
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type RunStepOutcome = 'succeeded' | 'failed' | 'left-to-timeout' | 'nothing-to-run' | 'not-running';

/** Stop polling this long before the function's end, to record what is known. */
const SAFETY_MS = 10_000;
/** Errors of SSM or Lambda worth a new delivery, rather than a failed step. */
const RETRYABLE = new Set(['ThrottlingException', 'TooManyRequestsException', 'ServiceException', 'InternalServerError', 'InternalServerException', 'ServiceUnavailableException', 'EC2ThrottledException', 'ResourceConflictException']);

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const errorName = (error: unknown) => (error as { name?: string }).name ?? 'Error';

/**
 * Reacts to StepStarted: runs SSM_DOCUMENT and LAMBDA steps and records their result (WAIT and
 * APPROVAL steps are timers and approvals, nothing to run). A step no longer RUNNING (a duplicate
 * delivery, a timeout, a cancel) is not run again.
 */
export async function runStep(deps: RunStepDeps, event: DomainEvent): Promise<RunStepOutcome> {
  const { executionId, waveId, stepId, step } = (event as StepStarted).data;
  if (step.type !== 'SSM_DOCUMENT' && step.type !== 'LAMBDA') return 'nothing-to-run';
  const { state, stored } = await loadExecution(deps.store, executionId);
  if (!isLive(state) || state.steps.get(stepId)?.status !== 'RUNNING') {
    log('info', 'step not running any more: not run', { executionId, stepId, status: state.status });
    return 'not-running';
  }
  const startedAt = Date.parse(event.metadata.occurredAt);
  const result = step.type === 'LAMBDA'
    ? await invokeFunction(deps, step, { executionId, waveId, stepId })
    : await runDocument(deps, step, { executionId, stepId, startedAt, state, stored });
  if (result === 'left-to-timeout') {
    log('warn', 'step still running when the time was up: its timeout timer will decide', { executionId, stepId });
    return result;
  }
  try {
    await handleCommand(deps.store, executionId, {
      type: 'RecordStepResult',
      data: { stepId, outcome: result.outcome, ...(result.output !== undefined ? { output: result.output } : {}), ...(result.reason ? { reason: result.reason } : {}) },
      metadata: commandMetadata(deps.clock(), PROCESS_MANAGER, event.metadata.eventId),
    });
  } catch (error) {
    if (!isExecutionError(error, 'EXECUTION_FINISHED')) throw error;
    log('warn', 'the execution finished while its step ran', { executionId, stepId });
  }
  log('info', 'step ran', { executionId, stepId, type: step.type, outcome: result.outcome });
  return result.outcome === 'SUCCEEDED' ? 'succeeded' : 'failed';
}

interface StepResult {
  outcome: 'SUCCEEDED' | 'FAILED';
  output?: string;
  reason?: string;
}

type LambdaStep = Extract<PlanStep, { type: 'LAMBDA' }>;
type SsmStep = Extract<PlanStep, { type: 'SSM_DOCUMENT' }>;

async function invokeFunction(deps: RunStepDeps, step: LambdaStep, ids: { executionId: string; waveId: string; stepId: string }): Promise<StepResult> {
  try {
    const answer = await deps.lambda.invoke(step.functionArn, { ...step.payload, ...ids });
    if (answer.functionError) return { outcome: 'FAILED', reason: excerpt(`${step.functionArn} failed (${answer.functionError}): ${answer.payload}`) };
    return { outcome: 'SUCCEEDED', output: excerpt(answer.payload) };
  } catch (error) {
    if (RETRYABLE.has(errorName(error))) throw error;
    return { outcome: 'FAILED', reason: excerpt(`could not invoke ${step.functionArn}: ${errorName(error)}: ${(error as Error).message}`) };
  }
}

/** The EC2 instances of the step's target servers that were recovered: the newest instance id recorded for each. */
export function targetInstanceIds(state: LiveState, stored: readonly StoredEvent[], serverIds: readonly string[]): string[] {
  const ec2 = new Map<string, string>();
  for (const e of toExecutionEvents(stored)) {
    if ((e.type === 'ServerLaunched' || e.type === 'ServerVerificationRecorded') && e.data.ec2InstanceId) ec2.set(e.data.sourceServerId, e.data.ec2InstanceId);
  }
  return serverIds.flatMap((id) => {
    const server = state.servers.get(id);
    if (!server?.recoveryInstanceId) return [];
    // DRS's recovery instance id is the EC2 instance id of the recovered server.
    return [ec2.get(id) ?? server.recoveryInstanceId];
  });
}

export function commentOf(executionId: string, stepId: string): string {
  return `lifeboat ${executionId} ${stepId}`.slice(0, 100);
}

async function runDocument(
  deps: RunStepDeps,
  step: SsmStep,
  ctx: { executionId: string; stepId: string; startedAt: number; state: LiveState; stored: readonly StoredEvent[] },
): Promise<StepResult | 'left-to-timeout'> {
  const instanceIds = targetInstanceIds(ctx.state, ctx.stored, step.targetServerIds);
  if (instanceIds.length === 0) return { outcome: 'FAILED', reason: `none of the target servers ${step.targetServerIds.join(', ')} has a recovered instance to run ${step.documentName} on` };
  const comment = commentOf(ctx.executionId, ctx.stepId);
  let commandId: string | undefined;
  try {
    // A previous delivery may have sent it already.
    commandId = await deps.ssm.findCommand({ documentName: step.documentName, comment, since: new Date(ctx.startedAt - 5 * 60_000).toISOString() });
    commandId ??= await deps.ssm.sendCommand({
      documentName: step.documentName,
      ...(step.documentVersion ? { documentVersion: step.documentVersion } : {}),
      parameters: step.parameters,
      instanceIds,
      comment,
      timeoutSeconds: step.timeoutSeconds,
    });
  } catch (error) {
    if (RETRYABLE.has(errorName(error))) throw error;
    return { outcome: 'FAILED', reason: excerpt(`could not send ${step.documentName}: ${errorName(error)}: ${(error as Error).message}`) };
  }

  const sleep = deps.sleep ?? realSleep;
  const interval = deps.pollIntervalMs ?? 5_000;
  const stepDeadline = ctx.startedAt + step.timeoutSeconds * 1000;
  const functionDeadline = deps.clock().getTime() + deps.remainingMs() - SAFETY_MS;
  const deadline = Math.min(stepDeadline, functionDeadline);
  const results = new Map<string, InvocationResult>();
  for (;;) {
    for (const instanceId of instanceIds) {
      if (TERMINAL_INVOCATION_STATUSES.has(results.get(instanceId)?.status ?? '')) continue;
      results.set(instanceId, await deps.ssm.getInvocation(commandId, instanceId));
    }
    const all = instanceIds.map((id) => results.get(id)).filter((r): r is InvocationResult => r !== undefined);
    if (all.every((r) => TERMINAL_INVOCATION_STATUSES.has(r.status))) {
      const failed = all.filter((r) => r.status !== 'Success');
      const output = excerpt(all.map(describeInvocation).join('\n'));
      return failed.length === 0
        ? { outcome: 'SUCCEEDED', output }
        : { outcome: 'FAILED', reason: excerpt(`${step.documentName} did not succeed on ${failed.map((r) => `${r.instanceId} (${r.status})`).join(', ')}\n${output}`) };
    }
    if (deps.clock().getTime() + interval > deadline) return 'left-to-timeout';
    await sleep(interval);
  }
}

function describeInvocation(r: InvocationResult): string {
  return [`[${r.instanceId}] ${r.status}${r.statusDetails && r.statusDetails !== r.status ? ` (${r.statusDetails})` : ''}`, r.stdout?.trim(), r.stderr?.trim() ? `stderr: ${r.stderr.trim()}` : undefined]
    .filter((l): l is string => l !== undefined && l !== '')
    .join('\n');
}
