import type {
  Criticality,
  ErrorPolicy,
  FieldProblem,
  LaunchOrder,
  PlanFinding,
  PlanSnapshot,
  PlanStep,
  ProtectionGroupView,
  RecoveryPlanSettings,
  RecoveryPlanView,
  WaveServerSetting,
  WaveView,
} from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';
import { ENTITY_ID, SOURCE_SERVER_ID, checkName, isRecord, jsonLength, optionalEnum, optionalInteger, optionalList, optionalString } from './checks.js';
import type { InventoryServer } from './inventory.js';
import { parsePlanSettings } from './plan-settings.js';
import type { StepDefinition } from './plan-steps.js';
import { parseSteps } from './plan-steps.js';
import { isDefaultVerification, resolveVerification } from './verification-settings.js';
import { summarizeChanges } from './plan-diff.js';

export { ENTITY_ID } from './checks.js';

export const LAUNCH_ORDERS: readonly LaunchOrder[] = ['PARALLEL', 'SEQUENTIAL'];
export const ERROR_POLICIES: readonly ErrorPolicy[] = ['STOP', 'CONTINUE'];
export const CRITICALITIES: readonly Criticality[] = ['CRITICAL', 'OPTIONAL'];
export const DEFAULT_LAUNCH_ORDER: LaunchOrder = 'PARALLEL';
export const DEFAULT_CRITICALITY: Criticality = 'CRITICAL';
export const DEFAULT_ERROR_POLICY: ErrorPolicy = 'STOP';
export const MAX_WAVES = 100;
export const MAX_SERVERS_PER_WAVE_LIST = 500;
/**
 * A plan version is written in one transaction with one item per protection group it uses (or
 * stops using), to keep a group a plan uses from being deleted: at most 90 groups per plan.
 */
export const MAX_GROUPS_PER_PLAN = 90;
/** A plan version is one DynamoDB item (at most 400 KB). */
export const MAX_PLAN_CHARACTERS = 300_000;

/** DRS quotas per account and region (ARCHITECTURE §3). */
export const DRS_QUOTAS = { serversPerJob: 100, concurrentJobs: 20, serversInActiveJobs: 500 } as const;

/** A wave as planning keeps it: every field of the view present. */
export type PlanWave = Required<WaveView>;
/** A plan version as planning keeps it. */
export interface RecoveryPlan extends Omit<RecoveryPlanView, 'waves' | 'settings' | 'changeSummary'> {
  waves: PlanWave[];
  settings: RecoveryPlanSettings;
  changeSummary: string[];
  /** Stored only: this version counts in its groups' planUses (versions written before that do not). */
  groupUseCounted?: boolean;
}

/** A validated wave as its author wrote it: dependencies by name. */
export interface WaveDefinition {
  name: string;
  dependsOn: string[];
  launchOrder: LaunchOrder;
  protectionGroupIds: string[];
  sourceServerIds: string[];
  servers: WaveServerSetting[];
  preSteps: StepDefinition[];
  postSteps: StepDefinition[];
  errorPolicy: ErrorPolicy;
}
/** A validated plan as its author wrote it. */
export interface PlanDefinition {
  name: string;
  description?: string;
  waves: WaveDefinition[];
  settings: RecoveryPlanSettings;
}

/** What validation knows besides the input. */
export interface PlanContext {
  /** The protection groups the input names (others do not exist). */
  groups: ReadonlyMap<string, ProtectionGroupView>;
  /**
   * Inventory records of the plan's servers (single servers and groups' members). Without it
   * only the structure is checked (no unknown servers, readiness or quota findings).
   */
  inventory?: ReadonlyMap<string, InventoryServer>;
  /** The group of each single server that has one. */
  groupOfServer?: ReadonlyMap<string, string>;
}

/** One dependency `waves[from].dependsOn[index]` on `waves[to]`. */
interface Edge {
  from: number;
  index: number;
  to: number;
}

/**
 * The dependency cycles among waves, each once, as the names along it ("A → B → A": A depends on
 * B, which depends on A), with the dependency that closes it. `edges` are resolved dependencies.
 */
export function dependencyCycles(names: readonly string[], edges: readonly Edge[]): { path: string[]; closedBy: Edge }[] {
  const outgoing = names.map((_, from) => edges.filter((edge) => edge.from === from));
  const state = names.map((): 'new' | 'open' | 'done' => 'new');
  const stack: number[] = [];
  const cycles: { path: string[]; closedBy: Edge }[] = [];

  const visit = (wave: number): void => {
    state[wave] = 'open';
    stack.push(wave);
    for (const edge of outgoing[wave] ?? []) {
      if (state[edge.to] === 'open') {
        const loop = stack.slice(stack.indexOf(edge.to));
        cycles.push({ path: [...loop, edge.to].map((i) => names[i] ?? `#${i}`), closedBy: edge });
      } else if (state[edge.to] === 'new') {
        visit(edge.to);
      }
    }
    stack.pop();
    state[wave] = 'done';
  };
  names.forEach((_, wave) => {
    if (state[wave] === 'new') visit(wave);
  });
  return cycles;
}

/** For each wave, every wave it depends on directly or not (cycles included, without looping). */
export function upstreamWaves(count: number, edges: readonly { from: number; to: number }[]): Set<number>[] {
  return Array.from({ length: count }, (_, start) => {
    const seen = new Set<number>();
    const queue = edges.filter((e) => e.from === start).map((e) => e.to);
    while (queue.length > 0) {
      const next = queue.shift() as number;
      if (seen.has(next)) continue;
      seen.add(next);
      for (const edge of edges) if (edge.from === next) queue.push(edge.to);
    }
    seen.delete(start);
    return seen;
  });
}

class Findings {
  readonly list: PlanFinding[] = [];
  add(severity: PlanFinding['severity'], code: string, field: string, message: string): void {
    this.list.push({ severity, code, field, message });
  }
  /** Field problems found by a parser, as errors of one code. */
  errors(code: string, problems: FieldProblem[]): void {
    for (const p of problems) this.add('ERROR', code, p.field, p.message);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Every finding of a plan at once, each with its severity and the path of the field at fault:
 * - errors: the structure (name, waves with unique names, launch order, error policy, dependencies
 *   naming waves of the plan without cycles), empty waves, unknown groups and servers, servers in
 *   no group or server list of their wave, the same server twice, bad steps and settings;
 * - warnings: servers not ready (replication not CONTINUOUS), members unknown to the inventory,
 *   empty groups, single servers in no protection group, boot order in a PARALLEL wave;
 * - info: how waves above the DRS quotas are split, and the accounts and regions a plan spans.
 * Answers the definition when there is no error.
 */
export function checkRecoveryPlan(input: unknown, context: PlanContext): { findings: PlanFinding[]; definition?: PlanDefinition } {
  const findings = new Findings();
  if (!isRecord(input)) {
    findings.add('ERROR', 'INVALID', '', 'must be an object with name and waves');
    return { findings: findings.list };
  }
  const head: FieldProblem[] = [];
  const name = checkName(input.name, 'name', head);
  const description = optionalString(input.description, 'description', head, { max: 2048, what: 'a description of at most 2048 characters' });
  const settings = parsePlanSettings(input.settings, head);
  if (jsonLength(input) > MAX_PLAN_CHARACTERS) head.push({ field: '', message: `is too large: a plan is at most ${MAX_PLAN_CHARACTERS} characters as JSON` });
  findings.errors('INVALID', head);
  if (!Array.isArray(input.waves) || input.waves.length === 0) {
    findings.add('ERROR', 'EMPTY_PLAN', 'waves', 'must list at least one wave');
    return { findings: findings.list };
  }
  if (input.waves.length > MAX_WAVES) findings.add('ERROR', 'INVALID', 'waves', `must list at most ${MAX_WAVES} waves`);
  const waves: unknown[] = input.waves;

  // Names first, so that dependencies can refer to waves further down the list.
  const nameProblems: FieldProblem[] = [];
  const names = waves.map((wave, i) => (isRecord(wave) ? checkName(wave.name, `waves[${i}].name`, nameProblems) : undefined) ?? `#${i + 1}`);
  const indexByName = new Map<string, number>();
  waves.forEach((wave, i) => {
    if (!isRecord(wave)) {
      nameProblems.push({ field: `waves[${i}]`, message: 'must be an object with name and protectionGroupIds or sourceServerIds' });
      return;
    }
    if (typeof wave.name !== 'string' || wave.name.trim() === '') return;
    const key = (names[i] ?? '').toLowerCase();
    const first = indexByName.get(key);
    if (first === undefined) indexByName.set(key, i);
    else nameProblems.push({ field: `waves[${i}].name`, message: `'${names[i]}' is already the name of waves[${first}]` });
  });
  findings.errors('INVALID', nameProblems);

  const edges: Edge[] = [];
  /** Where each server first appears: wave index, and its group (absent: a single server). */
  const serverPlace = new Map<string, { wave: number; groupId?: string }>();
  const groupWave = new Map<string, number>();
  /** Per wave: its servers, in order, with the group each comes from. */
  const waveServers: { sourceServerId: string; groupId?: string }[][] = waves.map(() => []);
  const parsed: Partial<WaveDefinition>[] = waves.map(() => ({}));
  const groupsUsed = new Set<string>();

  waves.forEach((wave, i) => {
    if (!isRecord(wave)) return;
    const at = `waves[${i}]`;
    const own: FieldProblem[] = [];
    const launchOrder = optionalEnum(wave.launchOrder, `${at}.launchOrder`, own, LAUNCH_ORDERS) ?? DEFAULT_LAUNCH_ORDER;
    const errorPolicy = optionalEnum(wave.errorPolicy, `${at}.errorPolicy`, own, ERROR_POLICIES) ?? DEFAULT_ERROR_POLICY;
    findings.errors('INVALID', own);

    const dependsOn: string[] = [];
    if (wave.dependsOn !== undefined && !Array.isArray(wave.dependsOn)) {
      findings.add('ERROR', 'INVALID', `${at}.dependsOn`, 'must be a list of wave names');
    } else {
      const seen = new Set<number>();
      const dependencies: unknown[] = Array.isArray(wave.dependsOn) ? wave.dependsOn : [];
      dependencies.forEach((dependency, k) => {
        const field = `${at}.dependsOn[${k}]`;
        if (typeof dependency !== 'string' || dependency.trim() === '') {
          findings.add('ERROR', 'INVALID', field, 'must be the name of a wave');
          return;
        }
        const to = indexByName.get(dependency.trim().toLowerCase());
        if (to === undefined) findings.add('ERROR', 'UNKNOWN_WAVE', field, `no wave of this plan is named '${dependency}'`);
        else if (seen.has(to)) findings.add('ERROR', 'INVALID', field, `'${dependency}' is listed twice`);
        else {
          seen.add(to);
          edges.push({ from: i, index: k, to });
          dependsOn.push(dependency.trim());
        }
      });
    }

    const groupList = optionalList(wave.protectionGroupIds, `${at}.protectionGroupIds`, [], Number.MAX_SAFE_INTEGER);
    const singleList = optionalList(wave.sourceServerIds, `${at}.sourceServerIds`, [], Number.MAX_SAFE_INTEGER);
    if (wave.protectionGroupIds !== undefined && !Array.isArray(wave.protectionGroupIds)) findings.add('ERROR', 'INVALID', `${at}.protectionGroupIds`, 'must be a list of protection group ids');
    if (wave.sourceServerIds !== undefined && !Array.isArray(wave.sourceServerIds)) findings.add('ERROR', 'INVALID', `${at}.sourceServerIds`, 'must be a list of source server ids');
    if (groupList.length === 0 && singleList.length === 0) {
      findings.add('ERROR', 'EMPTY_WAVE', `${at}.protectionGroupIds`, 'a wave needs at least one protection group or server');
    }
    if (singleList.length > MAX_SERVERS_PER_WAVE_LIST) findings.add('ERROR', 'INVALID', `${at}.sourceServerIds`, `must list at most ${MAX_SERVERS_PER_WAVE_LIST} servers`);

    const protectionGroupIds: string[] = [];
    groupList.forEach((groupId, k) => {
      const field = `${at}.protectionGroupIds[${k}]`;
      if (typeof groupId !== 'string' || groupId === '') {
        findings.add('ERROR', 'INVALID', field, 'must be a protection group id');
        return;
      }
      if (protectionGroupIds.includes(groupId)) {
        findings.add('ERROR', 'INVALID', field, `${groupId} is listed twice in this wave`);
        return;
      }
      protectionGroupIds.push(groupId);
      const group = context.groups.get(groupId);
      if (!group) {
        findings.add('ERROR', 'UNKNOWN_GROUP', field, `protection group ${groupId} does not exist`);
        return;
      }
      groupsUsed.add(groupId);
      const otherWave = groupWave.get(groupId);
      if (otherWave !== undefined) {
        findings.add('ERROR', 'DUPLICATE_SERVER', field, `protection group '${group.name}' is already in wave '${names[otherWave]}': a server can be in one wave only`);
        return;
      }
      groupWave.set(groupId, i);
      if (group.sourceServerIds.length === 0) findings.add('WARNING', 'EMPTY_GROUP', field, `protection group '${group.name}' has no servers now: the wave recovers none of it until its selectors match some`);
      const taken = new Map<number, string[]>();
      for (const serverId of group.sourceServerIds) {
        const place = serverPlace.get(serverId);
        if (place) taken.set(place.wave, [...(taken.get(place.wave) ?? []), serverId]);
        else {
          serverPlace.set(serverId, { wave: i, groupId });
          waveServers[i]?.push({ sourceServerId: serverId, groupId });
        }
      }
      for (const [otherWaveIndex, servers] of taken) {
        findings.add('ERROR', 'DUPLICATE_SERVER', field, `${servers.join(', ')} of protection group '${group.name}' ${servers.length === 1 ? 'is' : 'are'} already in wave '${names[otherWaveIndex]}': a server can be in one wave only`);
      }
    });

    const sourceServerIds: string[] = [];
    singleList.forEach((id, k) => {
      const field = `${at}.sourceServerIds[${k}]`;
      if (typeof id !== 'string' || !SOURCE_SERVER_ID.test(id)) {
        findings.add('ERROR', 'INVALID', field, 'must be a DRS source server id (s- and 17 characters)');
        return;
      }
      if (sourceServerIds.includes(id)) {
        findings.add('ERROR', 'INVALID', field, `${id} is listed twice in this wave`);
        return;
      }
      sourceServerIds.push(id);
      if (context.inventory && !context.inventory.has(id)) {
        findings.add('ERROR', 'UNKNOWN_SERVER', field, `${id} is not in the inventory`);
        return;
      }
      const place = serverPlace.get(id);
      if (place) {
        const through = place.groupId ? ` through protection group '${context.groups.get(place.groupId)?.name ?? place.groupId}'` : '';
        const where = place.wave === i ? 'this wave' : `wave '${names[place.wave]}'`;
        findings.add('ERROR', 'DUPLICATE_SERVER', field, `${id} is already in ${where}${through}: a server can be in one wave only`);
        return;
      }
      serverPlace.set(id, { wave: i });
      waveServers[i]?.push({ sourceServerId: id });
      if (context.groupOfServer && !context.groupOfServer.has(id)) {
        findings.add('WARNING', 'UNGROUPED_SERVER', field, `${id} is in no protection group: it launches with the launch settings DRS has for it`);
      }
    });

    // Settings of single servers of the wave (criticality, boot order, delay).
    const inWave = new Set((waveServers[i] ?? []).map((s) => s.sourceServerId));
    const servers: WaveServerSetting[] = [];
    optionalList(wave.servers, `${at}.servers`, [], Number.MAX_SAFE_INTEGER).forEach((item, k) => {
      const field = `${at}.servers[${k}]`;
      if (!isRecord(item)) {
        findings.add('ERROR', 'INVALID', field, 'must be an object with sourceServerId and criticality, bootOrder or delaySeconds');
        return;
      }
      const problems: FieldProblem[] = [];
      const id = item.sourceServerId;
      const criticality = optionalEnum(item.criticality, `${field}.criticality`, problems, CRITICALITIES);
      const bootOrder = optionalInteger(item.bootOrder, `${field}.bootOrder`, problems, 1, 10_000);
      const delaySeconds = optionalInteger(item.delaySeconds, `${field}.delaySeconds`, problems, 0, 3_600);
      for (const key of Object.keys(item)) {
        if (!['sourceServerId', 'criticality', 'bootOrder', 'delaySeconds'].includes(key)) problems.push({ field: `${field}.${key}`, message: 'is not a server setting (criticality, bootOrder, delaySeconds)' });
      }
      findings.errors('INVALID', problems);
      if (typeof id !== 'string' || !SOURCE_SERVER_ID.test(id)) {
        findings.add('ERROR', 'INVALID', `${field}.sourceServerId`, 'must be a DRS source server id (s- and 17 characters)');
        return;
      }
      if (servers.some((s) => s.sourceServerId === id)) {
        findings.add('ERROR', 'INVALID', `${field}.sourceServerId`, `${id} already has settings in this wave`);
        return;
      }
      if (!inWave.has(id)) {
        findings.add('ERROR', 'SERVER_NOT_IN_WAVE', `${field}.sourceServerId`, `${id} is in no protection group or server list of this wave`);
        return;
      }
      if (launchOrder === 'PARALLEL' && (bootOrder !== undefined || delaySeconds !== undefined)) {
        findings.add('WARNING', 'BOOT_ORDER_IGNORED', field, 'bootOrder and delaySeconds only apply to a SEQUENTIAL wave: this wave is PARALLEL');
      }
      if (problems.length > 0) return;
      servers.push({ sourceServerId: id, ...(criticality ? { criticality } : {}), ...(bootOrder !== undefined ? { bootOrder } : {}), ...(delaySeconds !== undefined ? { delaySeconds } : {}) });
    });

    parsed[i] = { name: names[i] ?? '', dependsOn, launchOrder, protectionGroupIds, sourceServerIds, servers, errorPolicy };
  });

  if (groupsUsed.size > MAX_GROUPS_PER_PLAN) findings.add('ERROR', 'INVALID', 'waves', `uses ${groupsUsed.size} protection groups: a plan uses at most ${MAX_GROUPS_PER_PLAN}`);

  for (const { path, closedBy } of dependencyCycles(names, edges)) {
    const message = path.length === 2 ? `'${path[0]}' depends on itself (${path.join(' → ')})` : `waves depend on each other in a cycle: ${path.join(' → ')}`;
    findings.add('ERROR', 'CYCLE', `waves[${closedBy.from}].dependsOn[${closedBy.index}]`, message);
  }

  // Steps: their targets must be recovered by the time they run.
  const upstream = upstreamWaves(waves.length, edges);
  waves.forEach((wave, i) => {
    if (!isRecord(wave)) return;
    const problems: FieldProblem[] = [];
    const own = new Set((waveServers[i] ?? []).map((s) => s.sourceServerId));
    const before = new Set([...(upstream[i] ?? [])].flatMap((w) => (waveServers[w] ?? []).map((s) => s.sourceServerId)));
    const preSteps = parseSteps(wave.preSteps, `waves[${i}].preSteps`, problems, { phase: 'pre', waveServers: own, upstreamServers: before });
    const postSteps = parseSteps(wave.postSteps, `waves[${i}].postSteps`, problems, { phase: 'post', waveServers: own, upstreamServers: before });
    findings.errors('BAD_STEP', problems);
    const target = parsed[i];
    if (target) Object.assign(target, { preSteps, postSteps });
  });

  if (context.inventory) inventoryFindings(findings, names, waveServers, edges, context);

  const hasErrors = findings.list.some((f) => f.severity === 'ERROR');
  if (hasErrors || name === undefined) return { findings: findings.list };
  return {
    findings: findings.list,
    definition: { name, ...(description !== undefined && description.trim() !== '' ? { description: description.trim() } : {}), waves: parsed as WaveDefinition[], settings },
  };
}

/** Readiness, unknown members, quota splits and sites of the plan's servers. */
function inventoryFindings(findings: Findings, names: readonly string[], waveServers: readonly { sourceServerId: string; groupId?: string }[][], edges: readonly Edge[], context: PlanContext): void {
  const inventory = context.inventory ?? new Map<string, InventoryServer>();
  const siteOf = (server: { sourceServerId: string; groupId?: string }): string | undefined => {
    const group = server.groupId ? context.groups.get(server.groupId) : undefined;
    if (group) return `${group.accountId}/${group.region}`;
    const known = inventory.get(server.sourceServerId);
    return known ? `${known.accountId}/${known.region}` : undefined;
  };
  const perSite = new Map<string, number>();
  const waveSites: Map<string, number>[] = [];

  waveServers.forEach((servers, i) => {
    const at = `waves[${i}]`;
    const notReady: string[] = [];
    const unknown: string[] = [];
    const sites = new Map<string, number>();
    for (const server of servers) {
      const known = inventory.get(server.sourceServerId);
      if (!known) {
        if (server.groupId) unknown.push(server.sourceServerId);
      } else if (known.replicationState !== 'CONTINUOUS') {
        notReady.push(`${server.sourceServerId}${known.hostname ? ` (${known.hostname})` : ''}: ${known.replicationState}`);
      }
      const site = siteOf(server);
      if (site) sites.set(site, (sites.get(site) ?? 0) + 1);
    }
    if (notReady.length > 0) findings.add('WARNING', 'SERVER_NOT_READY', at, `${plural(notReady.length, 'server')} not ready for recovery (replication not CONTINUOUS): ${notReady.join(', ')}`);
    if (unknown.length > 0) findings.add('WARNING', 'SERVER_NOT_IN_INVENTORY', at, `${plural(unknown.length, 'protection group member')} unknown to the inventory (removed from DRS?): ${unknown.join(', ')}`);
    waveSites.push(sites);
    for (const [site, count] of sites) {
      perSite.set(site, (perSite.get(site) ?? 0) + count);
      if (count <= DRS_QUOTAS.serversPerJob) continue;
      const jobs = Math.ceil(count / DRS_QUOTAS.serversPerJob);
      const parts = [`${count} servers in ${site} launch as ${jobs} DRS jobs of at most ${DRS_QUOTAS.serversPerJob} servers`];
      if (jobs > DRS_QUOTAS.concurrentJobs) parts.push(`at most ${DRS_QUOTAS.concurrentJobs} jobs run at once, the other ${jobs - DRS_QUOTAS.concurrentJobs} wait`);
      if (count > DRS_QUOTAS.serversInActiveJobs) parts.push(`at most ${DRS_QUOTAS.serversInActiveJobs} servers are in active jobs per account and region, so they launch in ${Math.ceil(count / DRS_QUOTAS.serversInActiveJobs)} rounds`);
      findings.add('INFO', 'QUOTA_SPLIT', at, `wave '${names[i]}': ${parts.join('; ')}`);
    }
  });

  // Waves that may run at the same time (neither depends on the other) share the quotas.
  const upstream = upstreamWaves(waveServers.length, edges);
  for (let a = 0; a < waveServers.length; a++) {
    for (let b = a + 1; b < waveServers.length; b++) {
      if (upstream[a]?.has(b) || upstream[b]?.has(a)) continue;
      for (const [site, count] of waveSites[a] ?? []) {
        const total = count + (waveSites[b]?.get(site) ?? 0);
        if ((waveSites[b]?.get(site) ?? 0) > 0 && total > DRS_QUOTAS.serversInActiveJobs) {
          findings.add('INFO', 'QUOTA_SPLIT', `waves[${b}]`, `waves '${names[a]}' and '${names[b]}' may run at the same time with ${total} servers in ${site}: above ${DRS_QUOTAS.serversInActiveJobs} servers in active jobs, launches queue`);
        }
      }
    }
  }

  if (perSite.size > 1) {
    findings.add('INFO', 'MULTI_SITE', 'waves', `the plan recovers servers in ${perSite.size} accounts and regions: ${[...perSite].map(([site, n]) => `${site} (${plural(n, 'server')})`).join(', ')}`);
  }
}

/** The errors of a plan as field problems (structure only, without the inventory). */
export function recoveryPlanProblems(input: unknown, groups: ReadonlyMap<string, ProtectionGroupView>): FieldProblem[] {
  return checkRecoveryPlan(input, { groups })
    .findings.filter((f) => f.severity === 'ERROR')
    .map(({ field, message }) => ({ field, message }));
}

/** The validated plan; throws ValidationError listing every error. */
export function parseRecoveryPlanInput(input: unknown, groups: ReadonlyMap<string, ProtectionGroupView>, inventory?: ReadonlyMap<string, InventoryServer>): PlanDefinition {
  const { findings, definition } = checkRecoveryPlan(input, { groups, ...(inventory ? { inventory } : {}) });
  if (!definition) throw new ValidationError(findings.filter((f) => f.severity === 'ERROR').map(({ field, message }) => ({ field, message })));
  return definition;
}

/** The ids of every protection group an input names, to look up before validating it. */
export function protectionGroupIdsOf(input: unknown): string[] {
  if (!isRecord(input) || !Array.isArray(input.waves)) return [];
  const ids = input.waves.flatMap((wave: unknown) => (isRecord(wave) && Array.isArray(wave.protectionGroupIds) ? wave.protectionGroupIds : []));
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && ENTITY_ID.test(id)))];
}

/** The single servers an input names, to look up before validating it. */
export function singleServerIdsOf(input: unknown): string[] {
  if (!isRecord(input) || !Array.isArray(input.waves)) return [];
  const ids = input.waves.flatMap((wave: unknown) => (isRecord(wave) && Array.isArray(wave.sourceServerIds) ? wave.sourceServerIds : []));
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && SOURCE_SERVER_ID.test(id)))];
}

/** The ids of the steps of a wave: stable within a version, and from one version to the next. */
function withIds(steps: readonly StepDefinition[], waveId: string, phase: 'pre' | 'post'): PlanStep[] {
  return steps.map((step, k) => ({ stepId: `${waveId}-${phase}-${k + 1}`, ...step }) as PlanStep);
}

/**
 * One immutable version of a plan: waves get their ids (a wave keeps the id it had in `previous`
 * when its name stays, others get `newId('wave')`), dependencies by name become dependencies by
 * id, steps get ids, and the change summary says what changed from `previous`.
 */
export function newRecoveryPlanVersion(
  plan: PlanDefinition,
  meta: { planId: string; version: number; previous?: RecoveryPlan; newId: (prefix: string) => string; createdAt: string; createdBy: string },
): RecoveryPlan {
  const previousIds = new Map((meta.previous?.waves ?? []).map((wave) => [wave.name.toLowerCase(), wave.waveId]));
  const ids = plan.waves.map((wave) => previousIds.get(wave.name.toLowerCase()) ?? meta.newId('wave'));
  const idByName = new Map(plan.waves.map((wave, i) => [wave.name.toLowerCase(), ids[i] ?? '']));
  const waves: PlanWave[] = plan.waves.map((wave, i) => {
    const waveId = ids[i] ?? '';
    return {
      waveId,
      name: wave.name,
      dependsOn: wave.dependsOn.map((name) => idByName.get(name.toLowerCase()) ?? ''),
      launchOrder: wave.launchOrder,
      protectionGroupIds: [...wave.protectionGroupIds],
      sourceServerIds: [...wave.sourceServerIds],
      servers: wave.servers.map((s) => ({ ...s })),
      preSteps: withIds(wave.preSteps, waveId, 'pre'),
      postSteps: withIds(wave.postSteps, waveId, 'post'),
      errorPolicy: wave.errorPolicy,
    };
  });
  const version: RecoveryPlan = {
    planId: meta.planId,
    name: plan.name,
    ...(plan.description !== undefined ? { description: plan.description } : {}),
    version: meta.version,
    waves,
    settings: plan.settings,
    changeSummary: [],
    createdAt: meta.createdAt,
    createdBy: meta.createdBy,
  };
  version.changeSummary = meta.previous ? summarizeChanges(meta.previous, version) : ['created'];
  return version;
}

/** A plan version as stored, with the fields that versions written before them lack. */
export function normalizePlan(view: RecoveryPlanView): RecoveryPlan {
  return {
    ...view,
    waves: view.waves.map((wave) => ({
      waveId: wave.waveId,
      name: wave.name,
      dependsOn: [...wave.dependsOn],
      launchOrder: wave.launchOrder,
      protectionGroupIds: [...wave.protectionGroupIds],
      sourceServerIds: wave.sourceServerIds ?? [],
      servers: wave.servers ?? [],
      preSteps: wave.preSteps ?? [],
      postSteps: wave.postSteps ?? [],
      errorPolicy: wave.errorPolicy ?? DEFAULT_ERROR_POLICY,
    })),
    settings: view.settings ?? {},
    changeSummary: view.changeSummary ?? [view.version === 1 ? 'created' : 'changed'],
  };
}

/** The definition of a plan version as an author would write it (dependencies by name). */
export function planDefinitionOf(plan: RecoveryPlan): { name: string; description?: string; waves: Record<string, unknown>[]; settings?: RecoveryPlanSettings } {
  const nameById = new Map(plan.waves.map((wave) => [wave.waveId, wave.name]));
  const stepInput = (step: PlanStep): Record<string, unknown> => {
    const { stepId: _id, ...rest } = step;
    return rest;
  };
  return {
    name: plan.name,
    ...(plan.description !== undefined ? { description: plan.description } : {}),
    waves: plan.waves.map((wave) => ({
      name: wave.name,
      ...(wave.dependsOn.length > 0 ? { dependsOn: wave.dependsOn.map((id) => nameById.get(id) ?? id) } : {}),
      launchOrder: wave.launchOrder,
      ...(wave.protectionGroupIds.length > 0 ? { protectionGroupIds: [...wave.protectionGroupIds] } : {}),
      ...(wave.sourceServerIds.length > 0 ? { sourceServerIds: [...wave.sourceServerIds] } : {}),
      ...(wave.servers.length > 0 ? { servers: wave.servers.map((s) => ({ ...s })) } : {}),
      ...(wave.preSteps.length > 0 ? { preSteps: wave.preSteps.map(stepInput) } : {}),
      ...(wave.postSteps.length > 0 ? { postSteps: wave.postSteps.map(stepInput) } : {}),
      errorPolicy: wave.errorPolicy,
    })),
    ...(Object.keys(plan.settings).length > 0 ? { settings: plan.settings } : {}),
  };
}

/** Every protection group a plan version uses. */
export function groupIdsOf(plan: Pick<RecoveryPlan, 'waves'>): string[] {
  return [...new Set(plan.waves.flatMap((wave) => wave.protectionGroupIds))];
}

/** Every server id of a plan version: its groups' members and its single servers. */
export function serverIdsOf(plan: Pick<RecoveryPlanView, 'waves'>, groups: ReadonlyMap<string, ProtectionGroupView>): string[] {
  return [...new Set(plan.waves.flatMap((wave) => [...wave.protectionGroupIds.flatMap((id) => groups.get(id)?.sourceServerIds ?? []), ...(wave.sourceServerIds ?? [])]))];
}

type SnapshotServer = PlanSnapshot['waves'][number]['servers'][number];

/**
 * What an execution runs: the plan version with each wave's servers, from its groups (in the order
 * of the wave's groups and of each group's members) and its single servers, in launch order (boot
 * order first in a SEQUENTIAL wave). Account and region come from the group (a group's servers all
 * share them) or, for a single server, from the inventory; the hostname from the inventory (empty
 * when the inventory no longer has a member: DRS will tell the execution). A server appears once:
 * a single server is recovered in its own wave, and a member that reached a second wave through a
 * later change of its group's selectors stays in the first. SSM_DOCUMENT steps without targets run
 * on their wave's servers. Each server carries its verification (resolveVerification: the defaults,
 * its group's settings, its own override; a single server gets the defaults). Throws ValidationError when a group no longer exists or a single server
 * is no longer in the inventory.
 */
export function resolvePlan(plan: RecoveryPlanView, groups: ReadonlyMap<string, ProtectionGroupView>, inventory: ReadonlyMap<string, InventoryServer>): PlanSnapshot {
  const version = normalizePlan(plan);
  const problems: FieldProblem[] = [];
  const singles = new Set(version.waves.flatMap((wave) => wave.sourceServerIds));
  const placed = new Set<string>();
  const waves = version.waves.map((wave, i) => {
    const settings = new Map(wave.servers.map((s) => [s.sourceServerId, s]));
    const server = (sourceServerId: string, accountId: string, region: string, group?: ProtectionGroupView): SnapshotServer => {
      const own = settings.get(sourceServerId);
      const protectionGroupId = group?.protectionGroupId;
      return {
        sourceServerId,
        accountId,
        region,
        hostname: inventory.get(sourceServerId)?.hostname ?? '',
        criticality: own?.criticality ?? DEFAULT_CRITICALITY,
        ...(own?.bootOrder !== undefined ? { bootOrder: own.bootOrder } : {}),
        ...(own?.delaySeconds !== undefined ? { delaySeconds: own.delaySeconds } : {}),
        ...(protectionGroupId !== undefined ? { protectionGroupId } : {}),
        // Absent means DEFAULT_VERIFICATION: a 1,000-server ExecutionStarted must stay under EventBridge's 256 KB.
        ...withVerification(resolveVerification(group, sourceServerId)),
      };
    };
    const servers: SnapshotServer[] = [];
    wave.protectionGroupIds.forEach((groupId, k) => {
      const group = groups.get(groupId);
      if (!group) {
        problems.push({ field: `waves[${i}].protectionGroupIds[${k}]`, message: `protection group ${groupId} no longer exists` });
        return;
      }
      for (const id of group.sourceServerIds) {
        if (singles.has(id) || placed.has(id)) continue;
        placed.add(id);
        servers.push(server(id, group.accountId, group.region, group));
      }
    });
    wave.sourceServerIds.forEach((id, k) => {
      const known = inventory.get(id);
      if (!known) {
        problems.push({ field: `waves[${i}].sourceServerIds[${k}]`, message: `${id} is no longer in the inventory` });
        return;
      }
      placed.add(id);
      servers.push(server(id, known.accountId, known.region));
    });
    if (wave.launchOrder === 'SEQUENTIAL') {
      const position = new Map(servers.map((s, index) => [s.sourceServerId, index]));
      servers.sort((a, b) => (a.bootOrder ?? Number.MAX_SAFE_INTEGER) - (b.bootOrder ?? Number.MAX_SAFE_INTEGER) || (position.get(a.sourceServerId) ?? 0) - (position.get(b.sourceServerId) ?? 0));
    }
    const serverIds = servers.map((s) => s.sourceServerId);
    const resolveTargets = (step: PlanStep): PlanStep => (step.type === 'SSM_DOCUMENT' && step.targetServerIds.length === 0 ? { ...step, targetServerIds: serverIds } : step);
    return {
      waveId: wave.waveId,
      name: wave.name,
      dependsOn: [...wave.dependsOn],
      launchOrder: wave.launchOrder,
      servers,
      errorPolicy: wave.errorPolicy,
      preSteps: wave.preSteps.map(resolveTargets),
      postSteps: wave.postSteps.map(resolveTargets),
    };
  });
  if (problems.length > 0) throw new ValidationError(problems);
  return { planId: version.planId, version: version.version, name: version.name, waves, settings: version.settings };
}

function withVerification(verification: ReturnType<typeof resolveVerification>): { verification?: ReturnType<typeof resolveVerification> } {
  return isDefaultVerification(verification) ? {} : { verification };
}
