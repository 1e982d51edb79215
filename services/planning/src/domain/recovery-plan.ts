import type { Criticality, FieldProblem, LaunchOrder, PlanSnapshot, ProtectionGroupView, RecoveryPlanView, WaveView } from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';
import type { InventoryServer } from './inventory.js';
import { checkName } from './protection-group.js';

export const LAUNCH_ORDERS: readonly LaunchOrder[] = ['PARALLEL', 'SEQUENTIAL'];
export const DEFAULT_LAUNCH_ORDER: LaunchOrder = 'PARALLEL';
export const DEFAULT_CRITICALITY: Criticality = 'CRITICAL';
/** The shape of the ids planning hands out (`pg-…`, `plan-…`, `wave-…`); anything else cannot exist. */
export const ENTITY_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** A validated plan as its author wrote it: waves depend on each other by name. */
export interface RecoveryPlanInput {
  name: string;
  waves: { name: string; dependsOn: string[]; launchOrder: LaunchOrder; protectionGroupIds: string[] }[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

/**
 * Every problem of a new recovery plan, at once, with the path of the field at fault:
 * a name; at least one wave; per wave a unique name (whatever its case), a known launch order,
 * `dependsOn` naming other waves of the plan without cycles, and at least one protection group,
 * each existing; and no server in two waves.
 */
export function recoveryPlanProblems(input: unknown, groups: ReadonlyMap<string, ProtectionGroupView>): FieldProblem[] {
  if (!isRecord(input)) return [{ field: '', message: 'must be an object with name and waves' }];
  const problems: FieldProblem[] = [];
  checkName(input.name, 'name', problems);
  if (!Array.isArray(input.waves) || input.waves.length === 0) {
    problems.push({ field: 'waves', message: 'must list at least one wave' });
    return problems;
  }
  const waves: unknown[] = input.waves;

  // Names first, so that dependencies can refer to waves further down the list.
  const names = waves.map((wave, i) => (isRecord(wave) ? checkName(wave.name, `waves[${i}].name`, problems) : undefined) ?? `#${i + 1}`);
  const indexByName = new Map<string, number>();
  waves.forEach((wave, i) => {
    if (!isRecord(wave)) {
      problems.push({ field: `waves[${i}]`, message: 'must be an object with name and protectionGroupIds' });
      return;
    }
    if (typeof wave.name !== 'string' || wave.name.trim() === '') return;
    const key = (names[i] ?? '').toLowerCase();
    const first = indexByName.get(key);
    if (first === undefined) indexByName.set(key, i);
    else problems.push({ field: `waves[${i}].name`, message: `'${names[i]}' is already the name of waves[${first}]` });
  });

  const edges: Edge[] = [];
  /** Where each server, and each group, first appears: wave index and group. */
  const serverPlace = new Map<string, { wave: number; groupId: string }>();
  const groupWave = new Map<string, number>();

  waves.forEach((wave, i) => {
    if (!isRecord(wave)) return;
    const at = `waves[${i}]`;

    if (wave.launchOrder !== undefined && !LAUNCH_ORDERS.includes(wave.launchOrder as LaunchOrder)) {
      problems.push({ field: `${at}.launchOrder`, message: `must be one of ${LAUNCH_ORDERS.join(', ')}` });
    }

    if (wave.dependsOn !== undefined && !Array.isArray(wave.dependsOn)) {
      problems.push({ field: `${at}.dependsOn`, message: 'must be a list of wave names' });
    } else {
      const seen = new Set<number>();
      const dependencies: unknown[] = Array.isArray(wave.dependsOn) ? wave.dependsOn : [];
      dependencies.forEach((dependency, k) => {
        const field = `${at}.dependsOn[${k}]`;
        if (typeof dependency !== 'string' || dependency.trim() === '') {
          problems.push({ field, message: 'must be the name of a wave' });
          return;
        }
        const to = indexByName.get(dependency.trim().toLowerCase());
        if (to === undefined) problems.push({ field, message: `no wave of this plan is named '${dependency}'` });
        else if (seen.has(to)) problems.push({ field, message: `'${dependency}' is listed twice` });
        else {
          seen.add(to);
          edges.push({ from: i, index: k, to });
        }
      });
    }

    if (!Array.isArray(wave.protectionGroupIds) || wave.protectionGroupIds.length === 0) {
      problems.push({ field: `${at}.protectionGroupIds`, message: 'a wave needs at least one protection group' });
      return;
    }
    const inWave = new Set<string>();
    const groupIds: unknown[] = wave.protectionGroupIds;
    groupIds.forEach((groupId, k) => {
      const field = `${at}.protectionGroupIds[${k}]`;
      if (typeof groupId !== 'string' || groupId === '') {
        problems.push({ field, message: 'must be a protection group id' });
        return;
      }
      if (inWave.has(groupId)) {
        problems.push({ field, message: `${groupId} is listed twice in this wave` });
        return;
      }
      inWave.add(groupId);
      const group = groups.get(groupId);
      if (!group) {
        problems.push({ field, message: `protection group ${groupId} does not exist` });
        return;
      }
      const otherWave = groupWave.get(groupId);
      if (otherWave !== undefined) {
        problems.push({ field, message: `protection group '${group.name}' is already in wave '${names[otherWave]}': a server can be in one wave only` });
        return;
      }
      groupWave.set(groupId, i);
      const taken = new Map<number, string[]>();
      for (const serverId of group.sourceServerIds) {
        const place = serverPlace.get(serverId);
        if (place) taken.set(place.wave, [...(taken.get(place.wave) ?? []), serverId]);
        else serverPlace.set(serverId, { wave: i, groupId });
      }
      for (const [otherWaveIndex, servers] of taken) {
        problems.push({ field, message: `${servers.join(', ')} of protection group '${group.name}' ${servers.length === 1 ? 'is' : 'are'} already in wave '${names[otherWaveIndex]}': a server can be in one wave only` });
      }
    });
  });

  for (const { path, closedBy } of dependencyCycles(names, edges)) {
    const message = path.length === 2 ? `'${path[0]}' depends on itself (${path.join(' → ')})` : `waves depend on each other in a cycle: ${path.join(' → ')}`;
    problems.push({ field: `waves[${closedBy.from}].dependsOn[${closedBy.index}]`, message });
  }
  return problems;
}

/** The validated input of a new plan (or plan version); throws ValidationError listing every problem. */
export function parseRecoveryPlanInput(input: unknown, groups: ReadonlyMap<string, ProtectionGroupView>): RecoveryPlanInput {
  const problems = recoveryPlanProblems(input, groups);
  if (problems.length > 0) throw new ValidationError(problems);
  const valid = input as { name: string; waves: { name: string; dependsOn?: string[]; launchOrder?: LaunchOrder; protectionGroupIds: string[] }[] };
  return {
    name: valid.name.trim(),
    waves: valid.waves.map((wave) => ({
      name: wave.name.trim(),
      dependsOn: (wave.dependsOn ?? []).map((name) => name.trim()),
      launchOrder: wave.launchOrder ?? DEFAULT_LAUNCH_ORDER,
      protectionGroupIds: [...wave.protectionGroupIds],
    })),
  };
}

/** The ids of every protection group an input names, to look up before validating it. */
export function protectionGroupIdsOf(input: unknown): string[] {
  if (!isRecord(input) || !Array.isArray(input.waves)) return [];
  const ids = input.waves.flatMap((wave: unknown) => (isRecord(wave) && Array.isArray(wave.protectionGroupIds) ? wave.protectionGroupIds : []));
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && ENTITY_ID.test(id)))];
}

/**
 * One immutable version of a plan: waves get their ids (`waveIds`, one per wave, in order) and
 * their dependencies by name become dependencies by id.
 */
export function newRecoveryPlanVersion(
  plan: RecoveryPlanInput,
  meta: { planId: string; version: number; waveIds: readonly string[]; createdAt: string; createdBy: string },
): RecoveryPlanView {
  if (meta.waveIds.length !== plan.waves.length) throw new Error(`${plan.waves.length} waves need as many ids, not ${meta.waveIds.length}`);
  const idByName = new Map(plan.waves.map((wave, i) => [wave.name.toLowerCase(), meta.waveIds[i] ?? '']));
  const waves: WaveView[] = plan.waves.map((wave, i) => ({
    waveId: meta.waveIds[i] ?? '',
    name: wave.name,
    dependsOn: wave.dependsOn.map((name) => idByName.get(name.toLowerCase()) ?? ''),
    launchOrder: wave.launchOrder,
    protectionGroupIds: [...wave.protectionGroupIds],
  }));
  return { planId: meta.planId, name: plan.name, version: meta.version, waves, createdAt: meta.createdAt, createdBy: meta.createdBy };
}

/** Every server id of a plan version's groups (groups that no longer exist are skipped). */
export function serverIdsOf(plan: RecoveryPlanView, groups: ReadonlyMap<string, ProtectionGroupView>): string[] {
  return [...new Set(plan.waves.flatMap((wave) => wave.protectionGroupIds.flatMap((id) => groups.get(id)?.sourceServerIds ?? [])))];
}

/**
 * What an execution runs: the plan version with each wave's servers, in the order of the wave's
 * groups and of each group's servers. Account and region come from the group (a group's servers
 * all share them), the hostname from the inventory (empty when the inventory no longer has the
 * server: DRS will tell the execution), criticality is CRITICAL until plans say otherwise.
 * Throws ValidationError when a group of the plan no longer exists.
 */
export function resolvePlan(plan: RecoveryPlanView, groups: ReadonlyMap<string, ProtectionGroupView>, inventory: ReadonlyMap<string, InventoryServer>): PlanSnapshot {
  const problems: FieldProblem[] = [];
  const waves = plan.waves.map((wave, i) => ({
    waveId: wave.waveId,
    name: wave.name,
    dependsOn: [...wave.dependsOn],
    launchOrder: wave.launchOrder,
    servers: wave.protectionGroupIds.flatMap((groupId, k) => {
      const group = groups.get(groupId);
      if (!group) {
        problems.push({ field: `waves[${i}].protectionGroupIds[${k}]`, message: `protection group ${groupId} no longer exists` });
        return [];
      }
      return group.sourceServerIds.map((sourceServerId) => ({
        sourceServerId,
        accountId: group.accountId,
        region: group.region,
        hostname: inventory.get(sourceServerId)?.hostname ?? '',
        criticality: DEFAULT_CRITICALITY,
      }));
    }),
  }));
  if (problems.length > 0) throw new ValidationError(problems);
  return { planId: plan.planId, version: plan.version, name: plan.name, waves };
}
