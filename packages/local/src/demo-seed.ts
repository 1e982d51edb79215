import fs from 'node:fs';
import path from 'node:path';
import type { Caller, CatalogOperations, PlanningOperations, ProtectionGroupView, ServiceApiClient, SourceServerView } from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';

export const DEMO_PLAN_NAME = 'Orders 3-tier';
const TIERS = ['Database', 'App', 'Web'] as const;

const seeder: Caller = { userId: 'local-demo-seed', username: 'demo-seed', roles: ['Admin'] };

/**
 * First start only: the Orders demo, created through the services' APIs exactly as a user would
 * (catalog sync, then protection groups Database / App / Web and the plan Database -> App -> Web).
 */
export async function seedDemo(options: { dataDir: string | undefined; catalog: ServiceApiClient; planning: ServiceApiClient; log: (line: string) => void; timeoutMs?: number }): Promise<boolean> {
  const marker = options.dataDir ? path.join(options.dataDir, 'demo-seeded.json') : undefined;
  if (marker && fs.existsSync(marker)) return false;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);

  await options.catalog.call<CatalogOperations['syncSourceServers']['result']>('syncSourceServers', {}, seeder);
  const inventory = await options.catalog.call<CatalogOperations['listSourceServers']['result']>('listSourceServers', { limit: 1000 }, seeder);
  const orders = inventory.items.filter((s) => s.tags.App === 'Orders');
  const groups: ProtectionGroupView[] = [];
  for (const tier of TIERS) {
    // Names are unique case-insensitively: the search finds the group of that name, if any.
    const named = await options.planning.call<PlanningOperations['listProtectionGroups']['result']>('listProtectionGroups', { filter: { search: tier } }, seeder);
    const found = named.items.find((g) => g.name.toLowerCase() === tier.toLowerCase());
    if (found) {
      groups.push(found);
      continue;
    }
    const servers: SourceServerView[] = orders.filter((s) => s.tags.Tier === tier).sort((a, b) => a.hostname.localeCompare(b.hostname));
    const first = servers[0];
    if (!first) throw new Error(`The fleet has no Orders servers of tier ${tier}`);
    groups.push(await untilInventoryKnown(deadline, () =>
      options.planning.call<PlanningOperations['createProtectionGroup']['result']>('createProtectionGroup', { name: tier, accountId: first.accountId, region: first.region, sourceServerIds: servers.map((s) => s.sourceServerId) }, seeder),
    ));
  }

  const plans = await options.planning.call<PlanningOperations['listRecoveryPlans']['result']>('listRecoveryPlans', { filter: { search: DEMO_PLAN_NAME } }, seeder);
  if (!plans.items.some((p) => p.name.toLowerCase() === DEMO_PLAN_NAME.toLowerCase())) {
    const waves = TIERS.map((tier, index) => ({
      name: tier,
      dependsOn: index === 0 ? [] : [TIERS[index - 1] as string],
      launchOrder: 'PARALLEL' as const,
      protectionGroupIds: [groups[index]?.protectionGroupId ?? ''],
    }));
    await options.planning.call('createRecoveryPlan', { name: DEMO_PLAN_NAME, waves }, seeder);
  }
  if (marker) fs.writeFileSync(marker, JSON.stringify({ seededAt: new Date().toISOString(), plan: DEMO_PLAN_NAME }) + '\n');
  options.log(`seeded the demo: protection groups ${TIERS.join(', ')} and plan "${DEMO_PLAN_NAME}"`);
  return true;
}

/** Planning learns the inventory from catalog's events: retry while it has not seen the servers yet. */
async function untilInventoryKnown<T>(deadline: number, attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ValidationError) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
