/**
 * `npm run bench`: figures measured against the local stack and the DRS simulator.
 * Prints a table and writes the same figures as JSON (test/bench/results.json, git-ignored).
 * Options: --drills N (default 100: 200 wave transitions), --concurrency C (default 1: drills of
 * one plan cannot overlap, and each is cleaned up before the next),
 * --time-scale S (default 0.001), --json <file>.
 *
 * Figure 1, wave-transition latency: for each wave that depends on another, the time from the last
 * launch result (ServerLaunched) of the wave it waited for to the first RecoveryJobStarted of the
 * wave itself, read from each execution's stream. RecoveryJobStarted is appended right after
 * StartRecovery answers, so the figure includes verification and the StartRecovery call.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalStack } from '../../packages/local/src/stack.js';
import type { ExecutionView, PlanningOperations, StoredEventView } from '../../packages/service-api/src/index.js';
import { ServiceApiClient, functionNameOf } from '../../packages/service-api/src/index.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]?.replace(/^--/, '') ?? '', process.argv[i + 1] ?? '');
const drills = Number(args.get('drills') ?? 100);
const concurrency = Number(args.get('concurrency') ?? 1);
const timeScale = Number(args.get('time-scale') ?? 0.001);
const jsonFile = args.get('json') ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json');

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? NaN;
}

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startLocalStack({ port: 0, drsTimeScale: timeScale, log: () => undefined });
  const operator = { userId: 'bench', username: 'bench', roles: ['Operator'] };
  const planning = new ServiceApiClient(functionNameOf('planning', 'local', 'api'));
  const execution = new ServiceApiClient(functionNameOf('execution', 'local', 'api'));
  try {
    const plans = await planning.call<PlanningOperations['listRecoveryPlans']['result']>('listRecoveryPlans', { filter: { search: 'Orders 3-tier' } }, operator);
    const plan = plans.items.find((p) => p.name === 'Orders 3-tier');
    if (!plan) throw new Error('demo plan missing');

    const transitions: number[] = [];
    const durations: number[] = [];
    let failed = 0;
    let next = 0;
    const runOne = async (): Promise<void> => {
      const view = await execution.call<ExecutionView>('startExecution', { planId: plan.planId, mode: 'DRILL' }, operator);
      const deadline = Date.now() + 120_000;
      let status = view.status;
      while (status === 'RUNNING') {
        if (Date.now() > deadline) throw new Error(`execution ${view.executionId} did not finish`);
        await new Promise((r) => setTimeout(r, 50));
        status = (await execution.call<ExecutionView>('getExecution', { executionId: view.executionId }, operator)).status;
      }
      if (status !== 'COMPLETED') failed++;
      const events = await execution.call<StoredEventView[]>('getExecutionEvents', { executionId: view.executionId }, operator);
      const at = (e: StoredEventView) => Date.parse(e.occurredAt);
      const waveOf = (e: StoredEventView) => (e.data as { waveId?: string }).waveId;
      for (const wave of view.waves) {
        for (const dependency of wave.dependsOn) {
          const lastLaunch = Math.max(...events.filter((e) => e.type === 'ServerLaunched' && waveOf(e) === dependency).map(at));
          const firstJob = Math.min(...events.filter((e) => e.type === 'RecoveryJobStarted' && waveOf(e) === wave.waveId).map(at));
          if (Number.isFinite(lastLaunch) && Number.isFinite(firstJob)) transitions.push(firstJob - lastLaunch);
        }
      }
      const first = events[0];
      const last = events.at(-1);
      if (first && last) durations.push(at(last) - at(first));
      // As in SRM, a test is cleaned up before the plan is tested again.
      if (events.some((e) => e.type === 'ServerLaunched')) {
        await execution.call<ExecutionView>('cleanupDrill', { executionId: view.executionId }, operator);
        while ((await execution.call<ExecutionView>('getExecution', { executionId: view.executionId }, operator)).cleanup?.status !== 'COMPLETED') {
          if (Date.now() > deadline) throw new Error(`cleanup of ${view.executionId} did not finish`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, drills) }, async () => {
      while (next < drills) {
        next++;
        await runOne();
      }
    }));

    transitions.sort((a, b) => a - b);
    durations.sort((a, b) => a - b);
    const figures = {
      machine: { cores: os.cpus().length, node: process.version },
      drsTimeScale: timeScale,
      drills,
      concurrency,
      failedDrills: failed,
      waveTransitionMs: { count: transitions.length, p50: percentile(transitions, 50), p95: percentile(transitions, 95), p99: percentile(transitions, 99), max: transitions.at(-1) ?? NaN, targetP95: 1000 },
      drillDurationMs: { p50: percentile(durations, 50), p95: percentile(durations, 95) },
      wallClockSeconds: (Date.now() - started) / 1000,
    };
    const rows = [
      ['figure', 'value', 'target'],
      ['wave-transition latency p50', `${figures.waveTransitionMs.p50} ms`, ''],
      ['wave-transition latency p95', `${figures.waveTransitionMs.p95} ms`, '<= 1000 ms'],
      ['wave-transition latency p99', `${figures.waveTransitionMs.p99} ms`, ''],
      ['transitions measured', String(transitions.length), '>= 200'],
      ['3-wave drill duration p50', `${figures.drillDurationMs.p50} ms`, ''],
      ['failed drills', String(failed), '0'],
    ];
    const width = [32, 14, 12];
    process.stdout.write(`\nLifeboat bench — ${figures.machine.cores} cores, DRS time scale ${timeScale} (a 5-minute Linux launch takes ${(300 * timeScale).toFixed(2)} s), ${drills} drills, ${concurrency} at a time\n\n`);
    for (const row of rows) process.stdout.write(row.map((cell, i) => cell.padEnd(width[i] ?? 10)).join('  ') + '\n');
    fs.writeFileSync(jsonFile, JSON.stringify(figures, null, 2) + '\n');
    process.stdout.write(`\nJSON: ${jsonFile} (${figures.wallClockSeconds.toFixed(1)} s)\n`);
    if (failed > 0) process.exitCode = 1;
  } finally {
    await stack.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
