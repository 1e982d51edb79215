/**
 * Figure 2, quota saturation, and figure 3, DRS API calls per launched server, from the same runs.
 *
 * Plans of 100, 1,000 and 4,000 servers (the last across four accounts), one PARALLEL wave each,
 * drilled one after the other on one local stack. Every simulated launch takes exactly L (the
 * simulator's 5-minute Linux launch at the figure's clock scale, no jitter), so the shortest
 * possible makespan under DRS's quotas per account and region (100 servers per job, 20 concurrent
 * jobs, 500 servers in active jobs) is ceil(servers per account and region / 500) x L: 500 servers
 * are 5 jobs, within 20. The measured makespan runs from ExecutionStarted to the last
 * ServerLaunched of the execution's stream; the ratio is measured / shortest.
 *
 * Figure 3 counts the DRS calls Lifeboat made (the simulator's call log, the bench's own calls left
 * out) from each drill's start until it completed, verification and reconciliation included,
 * divided by the servers DRS launched.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Fleet, FleetAccount, FleetServer } from '@lifeboat/drs-simulator';
import { simulatorCalls, productCalls, quotaRefusals } from '../../support/drs-audit.js';
import type { SimulatorCall } from '../../support/drs-audit.js';
import { eventually } from '../../support/local-stack-process.js';
import { serverIdsByHostname, syncCatalog } from '../../support/execution-scenario.js';
import { HOME_ACCOUNT_ID, HOME_REGION, STAGING_ACCOUNT_SIZE, chunksOf, groupedServers } from '../../support/scenario-fleet.js';
import type { ScenarioServer, ServerChunk } from '../../support/scenario-fleet.js';
import { PartialFigureError } from '../support/bench.js';
import type { BenchContext, BenchFigure, BenchRow } from '../support/bench.js';
import { at, createBenchPlan, startDrill, waitForDrill, waitForLaunches } from '../support/drills.js';
import type { BenchStack } from '../support/stack.js';
import { startBenchStack } from '../support/stack.js';
import { FULL_SIZE, graphqlLatencyMeasuredOnSharedStack, measureGraphqlLatency } from './graphql-latency.js';

/** DRS's default quotas per account and region (ARCHITECTURE §3). */
const SERVERS_IN_ACTIVE_JOBS = 500;
const LINUX_LAUNCH_MS = 5 * 60_000;
const PARTNER_ROLE = 'LifeboatDrsAccess';
/** Simulated instances healthy the moment they launch: verification looks once. */
const LAUNCH_TIMINGS = { jitter: 0, ssmAgentMs: 0, statusChecksMs: 0, launchActionMs: 0 };

interface PlanSize {
  label: string;
  /** Servers per target account (all in HOME_REGION). */
  perAccount: { accountId: string; count: number }[];
}

function sizes(smoke: boolean): PlanSize[] {
  const partners = ['310000000001', '310000000002', '310000000003'];
  if (smoke) {
    return [
      { label: '10 servers', perAccount: [{ accountId: HOME_ACCOUNT_ID, count: 10 }] },
      { label: '20 servers, 2 accounts', perAccount: [{ accountId: HOME_ACCOUNT_ID, count: 10 }, { accountId: partners[0] as string, count: 10 }] },
    ];
  }
  return [
    { label: '100 servers', perAccount: [{ accountId: HOME_ACCOUNT_ID, count: 100 }] },
    { label: '1,000 servers', perAccount: [{ accountId: HOME_ACCOUNT_ID, count: 1000 }] },
    { label: '4,000 servers, 4 accounts', perAccount: [HOME_ACCOUNT_ID, ...partners].map((accountId) => ({ accountId, count: 1000 })) },
  ];
}

interface AccountServers {
  accountId: string;
  prefix: string;
  servers: ScenarioServer[];
  chunks: ServerChunk[];
}

/** Each plan's servers per account: hostnames `q<plan>a<account>-NNNN`, tagged by chunk of 95 (one protection group each). */
function layout(plans: PlanSize[]): AccountServers[][] {
  return plans.map((plan, p) =>
    plan.perAccount.map(({ accountId, count }, a) => {
      const prefix = `q${p + 1}a${a + 1}`;
      return { accountId, prefix, servers: groupedServers(prefix, count, { Bench: 'quota' }), chunks: chunksOf(prefix, count) };
    }),
  );
}

/**
 * Target accounts whose servers are extended from staging accounts of STAGING_ACCOUNT_SIZE (DRS
 * lets at most 300 replicate in one account and region); partner accounts trust the home account's
 * role, as the catalog's cross-account access expects.
 */
function fleetOf(layouts: AccountServers[][]): Fleet {
  const byAccount = new Map<string, ScenarioServer[]>();
  for (const entry of layouts.flat()) byAccount.set(entry.accountId, [...(byAccount.get(entry.accountId) ?? []), ...entry.servers]);
  const accounts: FleetAccount[] = [];
  const servers: FleetServer[] = [];
  let staging = 0;
  for (const [accountId, own] of byAccount) {
    accounts.push(
      accountId === HOME_ACCOUNT_ID
        ? { accountId, regions: [HOME_REGION] }
        : { accountId, regions: [HOME_REGION], roles: [{ roleName: PARTNER_ROLE, trustedAccountIds: [HOME_ACCOUNT_ID] }] },
    );
    for (let start = 0; start < own.length; start += STAGING_ACCOUNT_SIZE) {
      const stagingId = `41000000${String(++staging).padStart(4, '0')}`;
      accounts.push({ accountId: stagingId, regions: [HOME_REGION], trustedAccountIds: [accountId] });
      for (const s of own.slice(start, start + STAGING_ACCOUNT_SIZE)) {
        const server = { hostname: s.hostname, os: s.os ?? 'LINUX', region: HOME_REGION, tags: { Environment: 'Bench', ...s.tags } };
        servers.push({ ...server, accountId: stagingId }, { ...server, accountId, stagingAccountID: stagingId });
      }
    }
  }
  return { accounts, servers };
}

/** One protection group per chunk, once planning knows the chunk's servers (it learns them from the catalog's events). */
async function groupsOf(bench: BenchStack, entry: AccountServers): Promise<string[]> {
  const ids: string[] = [];
  for (const chunk of entry.chunks) {
    const definition = { accountId: entry.accountId, region: HOME_REGION, tagSelectors: [{ tags: [{ key: 'Group', value: chunk.tagValue }] }] };
    await eventually(async () => {
      const { previewProtectionGroup } = await bench.ok<{ previewProtectionGroup: { sourceServerIds: string[] } }>('query($input: PreviewProtectionGroupInput!) { previewProtectionGroup(input: $input) { sourceServerIds } }', { input: definition });
      return previewProtectionGroup.sourceServerIds.length === chunk.size ? true : undefined;
    }, 120_000, `planning knowing the ${chunk.size} servers of ${chunk.tagValue}`);
    const { createProtectionGroup } = await bench.ok<{ createProtectionGroup: { id: string } }>('mutation($input: CreateProtectionGroupInput!) { createProtectionGroup(input: $input) { id } }', { input: { name: `Bench ${chunk.tagValue}`, ...definition } });
    ids.push(createProtectionGroup.id);
  }
  return ids;
}

function drsCallsOf(calls: readonly SimulatorCall[], fromMs: number, toMs: number): SimulatorCall[] {
  return productCalls(calls).filter((c) => c.service === 'drs' && Date.parse(c.time) >= fromMs && Date.parse(c.time) <= toMs);
}

function breakdown(calls: readonly SimulatorCall[]): string {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c.operation, (counts.get(c.operation) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([operation, n]) => `${operation} ${n}`).join(', ');
}

async function run(context: BenchContext): Promise<BenchRow[]> {
  // L = 15 s: long beside Lifeboat's own work per server, short enough for the bench's budget.
  const clockScale = context.smoke ? 0.002 : 0.05;
  const launchMs = LINUX_LAUNCH_MS * clockScale;
  const plans = sizes(context.smoke);
  const layouts = layout(plans);
  const fleet = fleetOf(layouts);
  const total = layouts.flat().reduce((n, e) => n + e.servers.length, 0);
  context.log(`quota-saturation: a stack over ${total} servers in ${fleet.accounts.length} accounts (staging included), L = ${(launchMs / 1000).toFixed(1)} s`);
  const bench = await startBenchStack({ drsTimeScale: clockScale, fleet, env: { LIFEBOAT_DRS_LAUNCH_TIMINGS: JSON.stringify(LAUNCH_TIMINGS) } });
  try {
    const partners = [...new Set(layouts.flat().map((e) => e.accountId))].filter((id) => id !== HOME_ACCOUNT_ID);
    for (const accountId of partners) {
      await bench.ok('mutation($input: AddTargetAccountInput!) { addTargetAccount(input: $input) { accountId } }', { input: { accountId, regions: [HOME_REGION], roleArn: `arn:aws:iam::${accountId}:role/${PARTNER_ROLE}` } });
    }
    const synced = await syncCatalog(bench.ok);
    if (synced !== total) throw new Error(`the catalog synced ${synced} servers, not ${total}`);

    const rows: BenchRow[] = [];
    let allCalls = 0;
    let allLaunches = 0;
    const failures: string[] = [];
    for (const [p, plan] of plans.entries()) {
      try {
        const entries = layouts[p] ?? [];
        const groupIds: string[] = [];
        for (const entry of entries) groupIds.push(...(await groupsOf(bench, entry)));
        const planId = await createBenchPlan(bench, `Quota ${plan.label}`, [{ name: 'Everything', launchOrder: 'PARALLEL', protectionGroupIds: groupIds }]);
        const servers = entries.reduce((n, e) => n + e.servers.length, 0);
        const rounds = Math.max(...plan.perAccount.map((a) => Math.ceil(a.count / SERVERS_IN_ACTIVE_JOBS)));
        const shortestMs = rounds * launchMs;
        context.log(`quota-saturation: ${plan.label}, shortest possible ${(shortestMs / 1000).toFixed(0)} s`);
        const startedMs = Date.now();
        const executionId = await startDrill(bench, planId);
        // The largest plan is measured once every server launched: verifying 4,000 servers on one
        // local process would take the bench's whole budget (figure 3 comes from the other plans).
        const verifyToo = plan !== plans.at(-1) || context.smoke;
        const drill = verifyToo ? await waitForDrill(bench, executionId, Math.max(300_000, shortestMs * 10), 1000) : await waitForLaunches(bench, executionId, servers, Math.max(300_000, shortestMs * 10), 2000);
        const endedMs = Date.now();
        if (verifyToo && drill.status !== 'COMPLETED') throw new Error(`the ${plan.label} drill ended ${drill.status}`);
        const started = drill.events.find((e) => e.type === 'ExecutionStarted');
        const launched = drill.events.filter((e) => e.type === 'ServerLaunched');
        if (!started || launched.length !== servers) throw new Error(`the ${plan.label} drill launched ${launched.length} of ${servers} servers`);
        const makespanMs = Math.max(...launched.map(at)) - at(started);
        const calls = await simulatorCalls(bench.drsUrl);
        const drsCalls = drsCallsOf(calls, startedMs, endedMs);
        const refused = quotaRefusals(productCalls(calls).filter((c) => Date.parse(c.time) >= startedMs));
        rows.push({
          figure: '2 quota saturation',
          metric: `${plan.label}: makespan / shortest possible`,
          value: makespanMs / shortestMs,
          unit: '',
          target: { op: '<=', value: 1.1 },
          clockScale,
          note: `${(makespanMs / 1000).toFixed(1)} s measured, ${rounds} round(s) of L = ${(launchMs / 1000).toFixed(1)} s = ${(shortestMs / 1000).toFixed(1)} s; ${refused.length} calls refused for a quota`,
        });
        if (!verifyToo) continue;
        if (!context.smoke && servers === 1000) {
          // Figure 4 on this stack, idle now: its inventory is over 4,000 servers and it holds a finished 1,000-server drill.
          context.log('quota-saturation: measuring figure 4 (GraphQL latency) on this stack');
          const planServerIds = [...(await serverIdsByHostname(bench.ok, layouts.at(-1)?.[0]?.prefix ?? '')).values()].slice(0, FULL_SIZE.plan);
          graphqlLatencyMeasuredOnSharedStack(
            await measureGraphqlLatency(bench, FULL_SIZE, {
              inventoryServers: total,
              inventoryShape: `${new Set(layouts.flat().map((e) => e.accountId)).size} accounts`,
              drill: { id: executionId, status: drill.status, seconds: (endedMs - startedMs) / 1000, servers, clockScale },
              planServerIds,
            }),
          );
        }
        allCalls += drsCalls.length;
        allLaunches += servers;
        rows.push(
          {
            figure: '3 DRS calls per server',
            metric: `${plan.label}`,
            value: drsCalls.length / servers,
            unit: 'calls',
            target: { op: '<=', value: 1.2 },
            clockScale,
            note: `${drsCalls.length} DRS calls for ${servers} launched servers: ${breakdown(drsCalls)}`,
          },
        );
      } catch (error) {
        // The other sizes still run: one that fails is reported, not the whole figure lost.
        const log = path.join(os.tmpdir(), `lifeboat-bench-quota-${p + 1}.log`);
        fs.writeFileSync(log, bench.stack.output());
        failures.push(`${plan.label}: ${error instanceof Error ? error.message : String(error)} (the stack's output: ${log})`);
        rows.push({ figure: '2 quota saturation', metric: `${plan.label}: makespan / shortest possible`, value: Number.NaN, unit: '', target: { op: '<=', value: 1.1 }, clockScale, note: `FAILED: ${failures.at(-1)}` });
      }
    }
    if (failures.length > 0) throw new PartialFigureError(failures.join('; '), rows);
    rows.push({ figure: '3 DRS calls per server', metric: 'all verified runs', value: allCalls / allLaunches, unit: 'calls', target: { op: '<=', value: 1.2 }, clockScale });
    return rows;
  } finally {
    await bench.stop();
  }
}

export const quotaSaturationFigure: BenchFigure = { id: 'quota-saturation', title: '2 quota saturation and 3 DRS calls per launched server', run };
