/**
 * Drills as the bench runs them: started through GraphQL as the admin, waited for by polling the
 * execution's status (cheap: a kept view folds only new events), then read back as the execution's
 * stream (the timestamps every figure is computed from).
 */
import type { BenchStack } from './stack.js';

export interface StreamEvent {
  streamVersion: number;
  type: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface FinishedDrill {
  executionId: string;
  status: string;
  waves: { id: string; name: string; dependsOn: string[] }[];
  events: StreamEvent[];
}

const FINISHED = ['COMPLETED', 'FAILED', 'CANCELLED'];

export async function startDrill(bench: BenchStack, planId: string): Promise<string> {
  const { startExecution } = await bench.ok<{ startExecution: { id: string } }>('mutation($input: StartExecutionInput!) { startExecution(input: $input) { id } }', { input: { planId, mode: 'DRILL' } });
  return startExecution.id;
}

export async function waitForDrill(bench: BenchStack, executionId: string, timeoutMs: number, pollMs = 250): Promise<FinishedDrill> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { execution } = await bench.ok<{ execution: { status: string } }>('query($id: ID!) { execution(id: $id) { status } }', { id: executionId });
    if (FINISHED.includes(execution.status)) break;
    if (Date.now() > deadline) throw new Error(`drill ${executionId} did not finish within ${timeoutMs / 1000} s (status ${execution.status})`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const { execution, executionEvents } = await bench.ok<{ execution: { status: string; waves: { id: string; name: string; dependsOn: string[] }[] }; executionEvents: StreamEvent[] }>(
    'query($id: ID!) { execution(id: $id) { status waves { id name dependsOn } } executionEvents(id: $id) { streamVersion type occurredAt data } }',
    { id: executionId },
  );
  return { executionId, status: execution.status, waves: execution.waves, events: executionEvents };
}

export const at = (event: StreamEvent): number => Date.parse(event.occurredAt);
export const waveOf = (event: StreamEvent): string | undefined => (typeof event.data.waveId === 'string' ? event.data.waveId : undefined);

/** A plan of the given waves (CreateRecoveryPlanInput's shape); answers its id. */
export async function createBenchPlan(bench: BenchStack, name: string, waves: Record<string, unknown>[]): Promise<string> {
  const { createRecoveryPlan } = await bench.ok<{ createRecoveryPlan: { id: string; findings: { severity: string; message: string }[] } }>(
    'mutation($input: CreateRecoveryPlanInput!) { createRecoveryPlan(input: $input) { id findings { severity message } } }',
    { input: { name, waves } },
  );
  const errors = createRecoveryPlan.findings.filter((f) => f.severity === 'ERROR');
  if (errors.length > 0) throw new Error(`plan ${name} has errors: ${errors.map((f) => f.message).join('; ')}`);
  return createRecoveryPlan.id;
}

const NOT_LAUNCHED_YET = ['PENDING', 'LAUNCH_REQUESTED', 'LAUNCHING'];

/** Waits until every server of the drill has its launch result (its verification may still run); answers the stream then. */
export async function waitForLaunches(bench: BenchStack, executionId: string, servers: number, timeoutMs: number, pollMs = 1000): Promise<FinishedDrill> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { execution } = await bench.ok<{ execution: { status: string; waves: { servers: { status: string }[] }[] } }>('query($id: ID!) { execution(id: $id) { status waves { servers { status } } } }', { id: executionId });
    const launched = execution.waves.flatMap((w) => w.servers).filter((s) => !NOT_LAUNCHED_YET.includes(s.status)).length;
    if (launched >= servers || FINISHED.includes(execution.status)) break;
    if (Date.now() > deadline) throw new Error(`drill ${executionId}: ${launched} of ${servers} servers launched after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const { execution, executionEvents } = await bench.ok<{ execution: { status: string; waves: { id: string; name: string; dependsOn: string[] }[] }; executionEvents: StreamEvent[] }>(
    'query($id: ID!) { execution(id: $id) { status waves { id name dependsOn } } executionEvents(id: $id) { streamVersion type occurredAt data } }',
    { id: executionId },
  );
  return { executionId, status: execution.status, waves: execution.waves, events: executionEvents };
}
