import type { Actor } from '@lifeboat/events';
import { createEvent } from '@lifeboat/events';
import type { Caller, Operation, PlanningOperations, PlanSnapshot, ProtectionGroupView, RecoveryPlanView } from '@lifeboat/service-api';
import { ConflictError, NotFoundError, ValidationError, operation } from '@lifeboat/service-api';
import { assertServersFree, newProtectionGroup, parseProtectionGroupInput, sourceServerIdsOf } from './domain/protection-group.js';
import { ENTITY_ID, newRecoveryPlanVersion, parseRecoveryPlanInput, protectionGroupIdsOf, resolvePlan, serverIdsOf } from './domain/recovery-plan.js';
import type { EventSink, InventoryStore, ProtectionGroupStore, RecoveryPlanStore } from './ports.js';
import { ServersTakenError } from './ports.js';

type PlanningApi = { [K in keyof PlanningOperations]: Operation<PlanningOperations[K]['input'], PlanningOperations[K]['result']> };

export interface PlanningApiDeps {
  groups: ProtectionGroupStore;
  plans: RecoveryPlanStore;
  inventory: InventoryStore;
  events: EventSink;
  now?: () => Date;
  /** A new unique id with this prefix (`pg`, `plan`, `wave`). */
  newId: (prefix: string) => string;
}

/** Who caused an event, from the caller of an API operation. */
export function actorOf(caller: Caller): Actor {
  return { type: caller.userId.startsWith('service:') ? 'service' : 'user', id: caller.userId, name: caller.username };
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' });

/** planId (required) and version (optional, a positive integer) of get/resolve. */
export function parsePlanRef(input: unknown): { planId: string; version: number | undefined } {
  const { planId, version } = (input && typeof input === 'object' ? input : {}) as { planId?: unknown; version?: unknown };
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
 * The operations of planning's `api` function (contracts.ts PlanningOperations). `dependencies`
 * may be a function, called at the first operation (so that a Lambda reads its environment when
 * it is called, and a missing variable fails that call, naming it).
 */
export function createPlanningApi(dependencies: PlanningApiDeps | (() => PlanningApiDeps)): PlanningApi {
  let resolved: PlanningApiDeps | undefined;
  const deps = (): PlanningApiDeps => (resolved ??= typeof dependencies === 'function' ? dependencies() : dependencies);
  const now = () => (deps().now ?? (() => new Date()))();

  async function getPlan(input: unknown): Promise<RecoveryPlanView> {
    const { planId, version } = parsePlanRef(input);
    const plan = await deps().plans.get(planId, version);
    if (!plan) throw new NotFoundError(version === undefined ? `Recovery plan ${planId} does not exist` : `Recovery plan ${planId} has no version ${version}`, 'planId');
    return plan;
  }

  return {
    createProtectionGroup: operation('plan:write', async (input, caller): Promise<ProtectionGroupView> => {
      const serverIds = sourceServerIdsOf(input);
      const [existingGroups, inventory, memberships] = await Promise.all([deps().groups.listAll(), deps().inventory.getMany(serverIds), deps().groups.membershipsOf(serverIds)]);
      const valid = parseProtectionGroupInput(input, { existingGroups, inventory });
      const groupsById = new Map(existingGroups.map((group) => [group.protectionGroupId, group]));
      // Friendly early answer; the transaction below is what makes the rule hold under races.
      assertServersFree(memberships, groupsById);

      const at = now();
      const group = newProtectionGroup(valid, { protectionGroupId: deps().newId('pg'), createdAt: at.toISOString(), createdBy: caller.username });
      try {
        await deps().groups.create(group);
      } catch (error) {
        if (!(error instanceof ServersTakenError)) throw error;
        const owners = await deps().groups.getMany(error.memberships.map((m) => m.protectionGroupId));
        assertServersFree(error.memberships, owners);
        throw new ConflictError(`${error.sourceServerIds.join(', ')} joined another protection group meanwhile`, 'sourceServerIds');
      }

      await deps().events.publish([
        createEvent(
          'ProtectionGroupCreated',
          { protectionGroupId: group.protectionGroupId, name: group.name, accountId: group.accountId, region: group.region, sourceServerIds: group.sourceServerIds },
          { correlationId: group.protectionGroupId, actor: actorOf(caller), occurredAt: group.createdAt },
        ),
      ]);
      return group;
    }),

    listProtectionGroups: operation('read', async () => (await deps().groups.listAll()).sort(byName)),

    createRecoveryPlan: operation('plan:write', async (input, caller): Promise<RecoveryPlanView> => {
      const groups = await deps().groups.getMany(protectionGroupIdsOf(input));
      const valid = parseRecoveryPlanInput(input, groups);
      const at = now();
      const plan = newRecoveryPlanVersion(valid, {
        planId: deps().newId('plan'),
        version: 1,
        waveIds: valid.waves.map(() => deps().newId('wave')),
        createdAt: at.toISOString(),
        createdBy: caller.username,
      });
      await deps().plans.create(plan);
      await deps().events.publish([
        createEvent('RecoveryPlanCreated', { planId: plan.planId, version: plan.version, name: plan.name, waveCount: plan.waves.length }, {
          correlationId: plan.planId,
          actor: actorOf(caller),
          occurredAt: plan.createdAt,
        }),
      ]);
      return plan;
    }),

    listRecoveryPlans: operation('read', async () => (await deps().plans.listLatest()).sort(byName)),

    getRecoveryPlan: operation('read', async (input) => getPlan(input)),

    resolveRecoveryPlan: operation('read', async (input): Promise<PlanSnapshot> => {
      const plan = await getPlan(input);
      const groups = await deps().groups.getMany(plan.waves.flatMap((wave) => wave.protectionGroupIds));
      const inventory = await deps().inventory.getMany(serverIdsOf(plan, groups));
      return resolvePlan(plan, groups, inventory);
    }),
  };
}
