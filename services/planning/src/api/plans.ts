import type {
  Caller,
  PlanFinding,
  PlanSnapshot,
  ProtectionGroupView,
  RecoveryPlanDefinition,
  RecoveryPlanDiff,
  RecoveryPlanValidation,
  RecoveryPlanVersionSummary,
  RecoveryPlanView,
  SavedRecoveryPlan,
  SrmImportResult,
} from '@lifeboat/service-api';
import { ConflictError, NotFoundError, ValidationError } from '@lifeboat/service-api';
import { ENTITY_ID, isRecord } from '../domain/checks.js';
import { diffPlans } from '../domain/plan-diff.js';
import type { PlanDefinition, RecoveryPlan } from '../domain/recovery-plan.js';
import { checkRecoveryPlan, groupIdsOf, newRecoveryPlanVersion, protectionGroupIdsOf, resolvePlan, serverIdsOf, singleServerIdsOf } from '../domain/recovery-plan.js';
import { findingsOnPriorities, srmPrioritiesToDefinition } from '../domain/srm-import.js';
import type { PlanTombstone, StoredPlanVersion, Write } from '../ports.js';
import { GroupGoneError, NameTakenError, isTombstone, nameKey } from '../ports.js';
import type { Page } from '../domain/listing.js';
import { pageOf, parsePlanListInput, planMatches } from '../domain/listing.js';
import type { PlanningApiDeps } from './common.js';
import { actorOf, assertFitsOneCommit, eventWrite, optionalPositive, requiredId, withRetryOnStale, withoutFields } from './common.js';

const errorsOf = (findings: readonly PlanFinding[]) => findings.filter((f) => f.severity === 'ERROR').map(({ field, message }) => ({ field, message }));
const notErrors = (findings: readonly PlanFinding[]) => findings.filter((f) => f.severity !== 'ERROR');

/** A stored version as the API answers it (without what only the store needs). */
export function planView(plan: RecoveryPlan): RecoveryPlanView {
  const { groupUseCounted: _counted, ...view } = plan;
  return view;
}

/** planId (required) and version (optional, a positive integer) of get/resolve. */
export function parsePlanRef(input: unknown): { planId: string; version: number | undefined } {
  const { planId, version } = (isRecord(input) ? input : {}) as { planId?: unknown; version?: unknown };
  const problems: { field: string; message: string }[] = [];
  if (typeof planId !== 'string' || planId === '') problems.push({ field: 'planId', message: 'is required' });
  else if (!ENTITY_ID.test(planId)) problems.push({ field: 'planId', message: 'is not a recovery plan id' });
  if (version !== undefined && version !== null && (typeof version !== 'number' || !Number.isInteger(version) || version < 1)) {
    problems.push({ field: 'version', message: 'must be a positive integer' });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return { planId: planId as string, version: typeof version === 'number' ? version : undefined };
}

/**
 * Every finding of a plan definition: the plan's own rules (recovery-plan.ts) against the groups
 * and the inventory as they are (`groups` overrides what the store has: an import's groups), and
 * the unique name among the latest versions of the other plans.
 */
export async function validatePlanInput(
  deps: PlanningApiDeps,
  input: unknown,
  options: { planId?: string; groups?: ReadonlyMap<string, ProtectionGroupView>; latest?: readonly StoredPlanVersion[] } = {},
): Promise<{ findings: PlanFinding[]; definition?: PlanDefinition }> {
  const ids = protectionGroupIdsOf(input);
  const stored = await deps.store.getGroups(ids.filter((id) => !options.groups?.has(id)));
  const groups = new Map<string, ProtectionGroupView>(stored);
  for (const id of ids) {
    const overridden = options.groups?.get(id);
    if (overridden) groups.set(id, overridden);
  }
  const singles = singleServerIdsOf(input);
  const [memberships, latest] = await Promise.all([deps.store.membershipsOf(singles), options.latest ? Promise.resolve(options.latest) : deps.store.latestPlanVersions()]);
  const groupOfServer = new Map(memberships.map((m) => [m.sourceServerId, m.protectionGroupId]));
  for (const group of options.groups?.values() ?? []) for (const id of group.sourceServerIds) groupOfServer.set(id, group.protectionGroupId);
  const inventory = await deps.inventory.getMany([...new Set([...[...groups.values()].flatMap((g) => g.sourceServerIds), ...singles])]);
  const { findings, definition } = checkRecoveryPlan(input, { groups, inventory, groupOfServer });
  if (definition) {
    const twin = latest.find((plan) => !isTombstone(plan) && plan.planId !== options.planId && plan.name.toLowerCase() === definition.name.toLowerCase());
    if (twin) {
      findings.unshift({ severity: 'ERROR', code: 'NAME_TAKEN', field: 'name', message: `a recovery plan named '${twin.name}' already exists (${twin.planId})` });
      return { findings };
    }
  }
  return definition ? { findings, definition } : { findings };
}

/** The writes of a new version of a plan (version 1 when there is no `previous`). */
export function preparePlanSave(
  deps: PlanningApiDeps,
  definition: PlanDefinition,
  caller: Caller,
  options: { previous?: RecoveryPlan; planId?: string },
): { plan: RecoveryPlan; writes: Write[]; action: 'CREATE' | 'UPDATE' | 'UNCHANGED' } {
  const { previous } = options;
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const planId = previous?.planId ?? options.planId ?? deps.newId('plan');
  const plan: RecoveryPlan = {
    ...newRecoveryPlanVersion(definition, { planId, version: (previous?.version ?? 0) + 1, ...(previous ? { previous } : {}), newId: deps.newId, createdAt: at, createdBy: caller.username }),
    groupUseCounted: true,
  };
  if (previous && plan.changeSummary.length === 1 && plan.changeSummary[0] === 'no changes') return { plan: previous, writes: [], action: 'UNCHANGED' };

  const writes: Write[] = [{ type: 'putPlanVersion', version: plan }];
  if (previous && nameKey.plan(previous.name) !== nameKey.plan(plan.name)) writes.push({ type: 'releaseName', key: nameKey.plan(previous.name), ownerId: planId });
  writes.push({ type: 'claimName', key: nameKey.plan(plan.name), name: plan.name, ownerId: planId });
  // planUses of a group counts the plans whose latest version uses it (a used group cannot be deleted).
  const uses = new Map<string, number>();
  for (const id of groupIdsOf(plan)) uses.set(id, (uses.get(id) ?? 0) + 1);
  if (previous?.groupUseCounted) for (const id of groupIdsOf(previous)) uses.set(id, (uses.get(id) ?? 0) - 1);
  for (const [protectionGroupId, delta] of uses) if (delta !== 0) writes.push({ type: 'groupUse', protectionGroupId, delta });
  const context = { correlationId: planId, actor: actorOf(caller), occurredAt: at };
  if (previous) {
    writes.push(eventWrite('RecoveryPlanUpdated', { planId, version: plan.version, previousVersion: previous.version, name: plan.name, waveCount: plan.waves.length, changeSummary: plan.changeSummary }, context));
  } else {
    writes.push(eventWrite('RecoveryPlanCreated', { planId, version: plan.version, name: plan.name, waveCount: plan.waves.length }, context));
  }
  return { plan, writes, action: previous ? 'UPDATE' : 'CREATE' };
}

/** Commits a plan version, answering the rules' errors as CONFLICT. */
export async function commitPlanSave(deps: PlanningApiDeps, plan: RecoveryPlan, writes: readonly Write[]): Promise<void> {
  assertFitsOneCommit(writes, 'waves', `Version ${plan.version} of recovery plan '${plan.name}'`);
  try {
    await deps.store.commit(writes);
  } catch (error) {
    if (error instanceof NameTakenError) throw new ConflictError(`A recovery plan named '${plan.name}' was saved meanwhile`, 'name', { cause: error });
    if (error instanceof GroupGoneError) throw new ConflictError(`Protection group ${error.protectionGroupId} was deleted meanwhile`, 'waves', { cause: error });
    throw error;
  }
}

export function planOperations(deps: () => PlanningApiDeps) {
  /** The latest version of a live plan, or NOT_FOUND. */
  async function latestOf(planId: string): Promise<RecoveryPlan> {
    const latest = await deps().store.getPlanVersion(planId);
    if (!latest) throw new NotFoundError(`Recovery plan ${planId} does not exist`, 'planId');
    if (isTombstone(latest)) throw new NotFoundError(`Recovery plan ${planId} was deleted (version ${latest.version})`, 'planId');
    return latest;
  }

  async function getPlan(input: unknown): Promise<RecoveryPlan> {
    const { planId, version } = parsePlanRef(input);
    if (version === undefined) return latestOf(planId);
    const found = await deps().store.getPlanVersion(planId, version);
    if (!found) throw new NotFoundError(`Recovery plan ${planId} has no version ${version}`, 'version');
    if (isTombstone(found)) throw new NotFoundError(`Version ${version} of recovery plan ${planId} marks its deletion`, 'version');
    return found;
  }

  async function save(input: unknown, caller: Caller, previous: RecoveryPlan | undefined): Promise<SavedRecoveryPlan> {
    const { findings, definition } = await validatePlanInput(deps(), input, previous ? { planId: previous.planId } : {});
    if (!definition) throw new ValidationError(errorsOf(findings));
    const { plan, writes } = preparePlanSave(deps(), definition, caller, previous ? { previous } : {});
    await commitPlanSave(deps(), plan, writes);
    return { ...planView(plan), findings: notErrors(findings) };
  }

  const expectVersion = (plan: RecoveryPlan, expected: number | undefined) => {
    if (expected !== undefined && plan.version !== expected) throw new ConflictError(`Recovery plan '${plan.name}' is at version ${plan.version}, not ${expected}: read it again`, 'expectedVersion');
  };

  return {
    createRecoveryPlan: async (input: unknown, caller: Caller): Promise<SavedRecoveryPlan> => withRetryOnStale(undefined, 'The recovery plan', () => save(input, caller, undefined)),

    updateRecoveryPlan: async (input: unknown, caller: Caller): Promise<SavedRecoveryPlan> => {
      const expected = optionalPositive(input, 'expectedVersion');
      return withRetryOnStale(expected, 'The recovery plan', async () => {
        const previous = await latestOf(requiredId(input, 'planId', ENTITY_ID, 'a recovery plan id'));
        expectVersion(previous, expected);
        return save(withoutFields(input, ['planId', 'expectedVersion']), caller, previous);
      });
    },

    deleteRecoveryPlan: async (input: unknown, caller: Caller): Promise<{ planId: string; version: number }> => {
      const expected = optionalPositive(input, 'expectedVersion');
      return withRetryOnStale(expected, 'The recovery plan', async () => {
        const latest = await latestOf(requiredId(input, 'planId', ENTITY_ID, 'a recovery plan id'));
        expectVersion(latest, expected);
        const at = (deps().now ?? (() => new Date()))().toISOString();
        const tombstone: PlanTombstone = { planId: latest.planId, version: latest.version + 1, name: latest.name, deleted: true, changeSummary: ['deleted'], createdAt: at, createdBy: caller.username };
        const writes: Write[] = [
          { type: 'putPlanVersion', version: tombstone },
          { type: 'releaseName', key: nameKey.plan(latest.name), ownerId: latest.planId },
          ...(latest.groupUseCounted ? groupIdsOf(latest).map((protectionGroupId): Write => ({ type: 'groupUse', protectionGroupId, delta: -1 })) : []),
          eventWrite('RecoveryPlanDeleted', { planId: latest.planId, version: tombstone.version, name: latest.name }, { correlationId: latest.planId, actor: actorOf(caller), occurredAt: at }),
        ];
        await deps().store.commit(writes);
        return { planId: latest.planId, version: tombstone.version };
      });
    },

    validateRecoveryPlan: async (input: unknown): Promise<RecoveryPlanValidation> => {
      const planId = isRecord(input) && input.planId !== undefined ? requiredId(input, 'planId', ENTITY_ID, 'a recovery plan id') : undefined;
      const { findings } = await validatePlanInput(deps(), withoutFields(input, ['planId']), planId ? { planId } : {});
      return { valid: !findings.some((f) => f.severity === 'ERROR'), findings };
    },

    listRecoveryPlans: async (input: unknown): Promise<Page<RecoveryPlanView>> => {
      const query = parsePlanListInput(input);
      const live = (await deps().store.latestPlanVersions()).filter((plan): plan is RecoveryPlan => !isTombstone(plan) && planMatches(plan, query.filter));
      const page = pageOf('listRecoveryPlans', live, (plan) => ({ name: plan.name, id: plan.planId }), query);
      return { items: page.items.map(planView), nextToken: page.nextToken };
    },

    getRecoveryPlan: async (input: unknown): Promise<RecoveryPlanView> => planView(await getPlan(input)),

    listRecoveryPlanVersions: async (input: unknown): Promise<RecoveryPlanVersionSummary[]> => {
      const planId = requiredId(input, 'planId', ENTITY_ID, 'a recovery plan id');
      const versions = await deps().store.planVersions(planId);
      if (versions.length === 0) throw new NotFoundError(`Recovery plan ${planId} does not exist`, 'planId');
      return versions.map((v) => ({ planId: v.planId, version: v.version, name: v.name, changeSummary: [...v.changeSummary], createdAt: v.createdAt, createdBy: v.createdBy, ...(isTombstone(v) ? { deleted: true } : {}) }));
    },

    diffRecoveryPlanVersions: async (input: unknown): Promise<RecoveryPlanDiff> => {
      const planId = requiredId(input, 'planId', ENTITY_ID, 'a recovery plan id');
      const problems: { field: string; message: string }[] = [];
      const numbers = ['fromVersion', 'toVersion'].map((field) => {
        try {
          const value = optionalPositive(input, field);
          if (value === undefined) problems.push({ field, message: 'is required' });
          return value ?? 0;
        } catch (error) {
          if (error instanceof ValidationError) problems.push(...error.problems);
          return 0;
        }
      });
      if (problems.length > 0) throw new ValidationError(problems);
      const [from, to] = await Promise.all(numbers.map((version) => getPlan({ planId, version })));
      return diffPlans(from as RecoveryPlan, to as RecoveryPlan);
    },

    resolveRecoveryPlan: async (input: unknown): Promise<PlanSnapshot> => {
      const plan = await getPlan(input);
      const groups = await deps().store.getGroups(groupIdsOf(plan));
      const inventory = await deps().inventory.getMany(serverIdsOf(plan, groups));
      return resolvePlan(plan, groups, inventory);
    },

    importSrmPriorities: async (input: unknown, caller: Caller): Promise<SrmImportResult> => {
      const { definition, problems, entryOfWave } = srmPrioritiesToDefinition(withoutFields(input, ['dryRun']));
      const dryRun = isRecord(input) && input.dryRun === true;
      if (isRecord(input) && input.dryRun !== undefined && typeof input.dryRun !== 'boolean') problems.push({ field: 'dryRun', message: 'must be true or false' });
      if (!definition || problems.length > 0) throw new ValidationError(problems);
      return withRetryOnStale(undefined, 'The recovery plan', async () => {
        const validation = await validatePlanInput(deps(), definition);
        const findings = findingsOnPriorities(validation.findings, entryOfWave);
        if (!validation.definition) throw new ValidationError(errorsOf(findings));
        const answer: SrmImportResult = { definition: definition as RecoveryPlanDefinition, findings: notErrors(findings) };
        if (dryRun) return answer;
        const { plan, writes } = preparePlanSave(deps(), validation.definition, caller, {});
        await commitPlanSave(deps(), plan, writes);
        return { ...answer, plan: { ...planView(plan), findings: answer.findings } };
      });
    },
  };
}
