import type { Operation, PlanningOperations } from '@lifeboat/service-api';
import { operation } from '@lifeboat/service-api';
import type { PlanningApiDeps } from './api/common.js';
import { configurationOperations } from './api/configuration.js';
import { groupOperations } from './api/groups.js';
import { planOperations } from './api/plans.js';

export type { PlanningApiDeps } from './api/common.js';
export { actorOf } from './api/common.js';
export { parsePlanRef } from './api/plans.js';

type PlanningApi = { [K in keyof PlanningOperations]: Operation<PlanningOperations[K]['input'], PlanningOperations[K]['result']> };

/**
 * The operations of planning's `api` function (contracts/planning.ts PlanningOperations). Writes
 * need `plan:write`; reads, previews, validation and export need `read`. Every operation validates
 * its input itself (ValidationError naming each field) and writes all of its changes, with the
 * events they cause, in one transaction, or nothing. `dependencies` may be a function, called at
 * the first operation (so that a Lambda reads its environment when it is called, and a missing
 * variable fails that call, naming it).
 */
export function createPlanningApi(dependencies: PlanningApiDeps | (() => PlanningApiDeps)): PlanningApi {
  let resolved: PlanningApiDeps | undefined;
  const deps = (): PlanningApiDeps => (resolved ??= typeof dependencies === 'function' ? dependencies() : dependencies);
  const groups = groupOperations(deps);
  const plans = planOperations(deps);
  const configuration = configurationOperations(deps);

  return {
    createProtectionGroup: operation('plan:write', groups.createProtectionGroup),
    updateProtectionGroup: operation('plan:write', groups.updateProtectionGroup),
    deleteProtectionGroup: operation('plan:write', groups.deleteProtectionGroup),
    getProtectionGroup: operation('read', groups.getProtectionGroup),
    getProtectionGroups: operation('read', groups.getProtectionGroups),
    listProtectionGroups: operation('read', groups.listProtectionGroups),
    previewProtectionGroup: operation('read', groups.previewProtectionGroup),

    createRecoveryPlan: operation('plan:write', plans.createRecoveryPlan),
    updateRecoveryPlan: operation('plan:write', plans.updateRecoveryPlan),
    deleteRecoveryPlan: operation('plan:write', plans.deleteRecoveryPlan),
    validateRecoveryPlan: operation('read', plans.validateRecoveryPlan),
    listRecoveryPlans: operation('read', plans.listRecoveryPlans),
    getRecoveryPlan: operation('read', plans.getRecoveryPlan),
    listRecoveryPlanVersions: operation('read', plans.listRecoveryPlanVersions),
    diffRecoveryPlanVersions: operation('read', plans.diffRecoveryPlanVersions),
    resolveRecoveryPlan: operation('read', plans.resolveRecoveryPlan),
    importSrmPriorities: operation('plan:write', plans.importSrmPriorities),

    exportConfiguration: operation('read', configuration.exportConfiguration),
    importConfiguration: operation('plan:write', configuration.importConfiguration),
  };
}
