/**
 * Figure 1, wave-transition latency: from the last launch result of a wave (its last
 * ServerLaunched) to the first StartRecovery of each wave that depends on it (its first
 * RecoveryJobStarted, appended right after StartRecovery answers), read from each execution's
 * stream. Between the two: the launch result's handling (DescribeJobs), the server's verification,
 * the decisions, and the next wave's StartRecovery.
 *
 * Plans are chains of one-server waves, run side by side (disjoint servers), so that one run gives
 * hundreds of transitions. The simulator's own waits before a recovered instance looks healthy
 * (SSM agent discovery, EC2 status checks initializing, post-launch actions: minutes in AWS) are
 * set to 0, so the figure is Lifeboat's reaction time, not the simulated instance's boot; every
 * check of the default verification still runs.
 */
import { groupedServers, scenarioFleet } from '../../support/scenario-fleet.js';
import { planningKnows, serverIdsByHostname, syncCatalog } from '../../support/execution-scenario.js';
import { distribution } from '../support/bench.js';
import type { BenchContext, BenchFigure, BenchRow } from '../support/bench.js';
import { at, createBenchPlan, startDrill, waitForDrill, waveOf } from '../support/drills.js';
import type { FinishedDrill } from '../support/drills.js';
import { startBenchStack } from '../support/stack.js';

/** Fast launches: 0.001 makes a 5-minute launch 0.3 s, so a 51-wave chain runs in well under a minute. */
const CLOCK_SCALE = 0.001;
/** Simulated instances healthy the moment they launch (LIFEBOAT_DRS_LAUNCH_TIMINGS). */
const HEALTHY_AT_LAUNCH = { ssmAgentMs: 0, statusChecksMs: 0, launchActionMs: 0 };

export function transitionsOf(drill: FinishedDrill): number[] {
  const transitions: number[] = [];
  for (const wave of drill.waves) {
    for (const dependency of wave.dependsOn) {
      const lastLaunch = Math.max(...drill.events.filter((e) => e.type === 'ServerLaunched' && waveOf(e) === dependency).map(at));
      const firstJob = Math.min(...drill.events.filter((e) => e.type === 'RecoveryJobStarted' && waveOf(e) === wave.id).map(at));
      if (Number.isFinite(lastLaunch) && Number.isFinite(firstJob)) transitions.push(firstJob - lastLaunch);
    }
  }
  return transitions;
}

async function run(context: BenchContext): Promise<BenchRow[]> {
  const chains = context.smoke ? 1 : 4;
  const wavesPerChain = context.smoke ? 4 : 51;
  // Tagged per chain: planning previews at most 95 servers at once.
  const servers = Array.from({ length: chains }, (_, chain) => groupedServers(`hop${chain + 1}`, wavesPerChain, { Chain: `chain-${chain + 1}` }, 1)).flat();
  const bench = await startBenchStack({
    drsTimeScale: CLOCK_SCALE,
    fleet: scenarioFleet({ servers }),
    env: { LIFEBOAT_DRS_LAUNCH_TIMINGS: JSON.stringify(HEALTHY_AT_LAUNCH) },
  });
  try {
    const synced = await syncCatalog(bench.ok);
    if (synced !== servers.length) throw new Error(`the catalog synced ${synced} servers, not ${servers.length}`);
    for (let chain = 0; chain < chains; chain++) await planningKnows(bench.ok, { key: 'Chain', value: `chain-${chain + 1}` }, wavesPerChain);
    const ids = await serverIdsByHostname(bench.ok, 'hop');
    const planIds: string[] = [];
    for (let chain = 0; chain < chains; chain++) {
      const waves = Array.from({ length: wavesPerChain }, (_, i) => {
        const hostname = servers[chain * wavesPerChain + i]?.hostname ?? '';
        const id = ids.get(hostname);
        if (!id) throw new Error(`no source server ${hostname}`);
        return { name: `Hop ${i + 1}`, dependsOn: i === 0 ? [] : [`Hop ${i}`], sourceServerIds: [id] };
      });
      planIds.push(await createBenchPlan(bench, `Chain ${chain + 1}`, waves));
    }
    context.log(`wave-transition: ${chains} chains of ${wavesPerChain} waves, side by side`);
    const started = Date.now();
    const executionIds = await Promise.all(planIds.map((planId) => startDrill(bench, planId)));
    const drills = await Promise.all(executionIds.map((id) => waitForDrill(bench, id, 600_000)));
    const elapsed = (Date.now() - started) / 1000;
    const failed = drills.filter((d) => d.status !== 'COMPLETED').length;
    if (failed > 0) throw new Error(`${failed} of ${drills.length} chain drills did not complete`);
    const transitions = distribution(drills.flatMap(transitionsOf));
    const shape = `${transitions.count} transitions: ${chains} chains of ${wavesPerChain} one-server waves run side by side (${elapsed.toFixed(0)} s); instances healthy at launch, default verification`;
    const base = { figure: '1 wave transition', unit: 'ms', clockScale: CLOCK_SCALE };
    return [
      { ...base, metric: `p50 (${transitions.count} transitions)`, value: transitions.p50, note: shape },
      { ...base, metric: 'p95', value: transitions.p95, target: { op: '<=', value: 1000 } },
      { ...base, metric: 'p99', value: transitions.p99 },
      { ...base, metric: 'vs polling DRS every 15 s (mean wait 7.5 s)', value: 7500 / transitions.p50, unit: 'x faster' },
    ];
  } finally {
    await bench.stop();
  }
}

export const waveTransitionFigure: BenchFigure = { id: 'wave-transition', title: '1 wave-transition latency', run };
