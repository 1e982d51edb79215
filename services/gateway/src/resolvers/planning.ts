/** Resolvers of the planning part of graphql/schema.graphql: protection groups, recovery plans, documents. */
import type { DocumentFormat } from '@lifeboat/service-api';
import { authorize } from '../context.js';
import type { ImportConfigurationArg, ImportSrmPrioritiesArg, Maybe, ProtectionGroupFieldsArg, RecoveryPlanFieldsArg } from '../inputs.js';
import { given, optional, toProtectionGroupDefinition, toProtectionGroupFields, toRecoveryPlanDefinition, toSrmImportInput } from '../inputs.js';
import { loadersOf } from '../loaders.js';
import { PAGING_FIELDS, pagingInput } from '../paging.js';
import {
  toConfigurationExport,
  toConnection,
  toConfigurationImportResult,
  toPlanDiff,
  toPlanValidation,
  toPlanVersionSummary,
  toProtectionGroup,
  toProtectionGroupPreview,
  toRecoveryPlan,
  toSavedRecoveryPlan,
  toSrmImportResult,
} from '../mapping.js';
import type { TypedServices } from '../services.js';
import type { Resolver } from './support.js';
import { orNull, withFieldNames } from './support.js';

/** Planning names the ids of its inputs after what they identify; the schema calls each `id`. */
const GROUP_ID = { protectionGroupId: 'id' };
const PLAN_ID = { planId: 'id' };

interface IdArgs {
  id: string;
}
/** Page size of protectionGroups and recoveryPlans (graphql/schema.graphql). */
const PLANNING_PAGES = { default: 100, max: 1000 };
interface ListArgs<TFilter> {
  first?: Maybe<number>;
  after?: Maybe<string>;
  filter?: Maybe<TFilter>;
}
interface ProtectionGroupFilterArg {
  search?: Maybe<string>;
  accountId?: Maybe<string>;
  region?: Maybe<string>;
  sourceServerId?: Maybe<string>;
}
interface RecoveryPlanFilterArg {
  search?: Maybe<string>;
  protectionGroupId?: Maybe<string>;
}
interface ProtectionGroupInputArgs {
  input: ProtectionGroupFieldsArg & { name: string };
}
interface UpdateProtectionGroupArgs {
  input: ProtectionGroupFieldsArg & { id: string; expectedRevision?: Maybe<number>; name: string };
}
interface PreviewProtectionGroupArgs {
  input: ProtectionGroupFieldsArg & { id?: Maybe<string>; name?: Maybe<string> };
}
interface RecoveryPlanArgs {
  id: string;
  version?: Maybe<number>;
}
interface RecoveryPlanInputArgs {
  input: RecoveryPlanFieldsArg;
}
interface UpdateRecoveryPlanArgs {
  input: RecoveryPlanFieldsArg & { id: string; expectedVersion?: Maybe<number> };
}
interface ValidateRecoveryPlanArgs {
  input: RecoveryPlanFieldsArg & { id?: Maybe<string> };
}
interface DiffArgs {
  id: string;
  fromVersion: number;
  toVersion: number;
}
interface ExportArgs {
  protectionGroupIds?: Maybe<string[]>;
  planIds?: Maybe<string[]>;
  format?: Maybe<DocumentFormat>;
}

export function planningQueries(services: TypedServices) {
  const { planning } = services;
  const protectionGroups: Resolver<ListArgs<ProtectionGroupFilterArg>> = async (_p, { first, after, filter }, context) => {
    const caller = authorize(context, 'read', 'protectionGroups');
    const input = { ...pagingInput(first, after, PLANNING_PAGES), ...(filter ? { filter: given(filter) } : {}) };
    return toConnection(await withFieldNames(PAGING_FIELDS, () => planning.call('listProtectionGroups', input, caller)), toProtectionGroup);
  };
  const protectionGroup: Resolver<IdArgs> = async (_p, { id }, context) => {
    authorize(context, 'read', 'protectionGroup');
    // Batched with the other groups this request asks for by id (loaders.ts).
    const view = await loadersOf(context, services).protectionGroup.load(id);
    return view && toProtectionGroup(view);
  };
  const previewProtectionGroup: Resolver<PreviewProtectionGroupArgs> = async (_p, { input }, context) => {
    const caller = authorize(context, 'read', 'previewProtectionGroup');
    const definition = { ...optional('protectionGroupId', input.id), ...optional('name', input.name), ...toProtectionGroupFields(input) };
    return toProtectionGroupPreview(await withFieldNames(GROUP_ID, () => planning.call('previewProtectionGroup', definition, caller)));
  };
  const recoveryPlans: Resolver<ListArgs<RecoveryPlanFilterArg>> = async (_p, { first, after, filter }, context) => {
    const caller = authorize(context, 'read', 'recoveryPlans');
    const input = { ...pagingInput(first, after, PLANNING_PAGES), ...(filter ? { filter: given(filter) } : {}) };
    return toConnection(await withFieldNames(PAGING_FIELDS, () => planning.call('listRecoveryPlans', input, caller)), toRecoveryPlan);
  };
  const recoveryPlan: Resolver<RecoveryPlanArgs> = async (_p, { id, version }, context) => {
    const caller = authorize(context, 'read', 'recoveryPlan');
    const plan = await orNull(withFieldNames(PLAN_ID, () => planning.call('getRecoveryPlan', { planId: id, ...optional('version', version) }, caller)));
    return plan && toRecoveryPlan(plan);
  };
  const validateRecoveryPlan: Resolver<ValidateRecoveryPlanArgs> = async (_p, { input }, context) => {
    const caller = authorize(context, 'read', 'validateRecoveryPlan');
    const definition = { ...optional('planId', input.id), ...toRecoveryPlanDefinition(input) };
    return toPlanValidation(await withFieldNames(PLAN_ID, () => planning.call('validateRecoveryPlan', definition, caller)));
  };
  const recoveryPlanVersions: Resolver<IdArgs> = async (_p, { id }, context) => {
    const caller = authorize(context, 'read', 'recoveryPlanVersions');
    return (await withFieldNames(PLAN_ID, () => planning.call('listRecoveryPlanVersions', { planId: id }, caller))).map(toPlanVersionSummary);
  };
  const recoveryPlanDiff: Resolver<DiffArgs> = async (_p, { id, fromVersion, toVersion }, context) => {
    const caller = authorize(context, 'read', 'recoveryPlanDiff');
    return toPlanDiff(await withFieldNames(PLAN_ID, () => planning.call('diffRecoveryPlanVersions', { planId: id, fromVersion, toVersion }, caller)));
  };
  const exportConfiguration: Resolver<ExportArgs> = async (_p, args, context) => {
    const caller = authorize(context, 'read', 'exportConfiguration');
    return toConfigurationExport(await planning.call('exportConfiguration', given(args), caller));
  };
  return { protectionGroups, protectionGroup, previewProtectionGroup, recoveryPlans, recoveryPlan, validateRecoveryPlan, recoveryPlanVersions, recoveryPlanDiff, exportConfiguration };
}

export function planningMutations({ planning }: TypedServices) {
  const createProtectionGroup: Resolver<ProtectionGroupInputArgs> = async (_p, { input }, context) => {
    const caller = authorize(context, 'plan:write', 'createProtectionGroup');
    return toProtectionGroup(await planning.call('createProtectionGroup', toProtectionGroupDefinition(input), caller));
  };
  const updateProtectionGroup: Resolver<UpdateProtectionGroupArgs> = async (_p, { input }, context) => {
    const caller = authorize(context, 'plan:write', 'updateProtectionGroup');
    const update = { protectionGroupId: input.id, ...optional('expectedRevision', input.expectedRevision), ...toProtectionGroupDefinition(input) };
    return toProtectionGroup(await withFieldNames(GROUP_ID, () => planning.call('updateProtectionGroup', update, caller)));
  };
  const deleteProtectionGroup: Resolver<{ id: string; expectedRevision?: Maybe<number> }> = async (_p, { id, expectedRevision }, context) => {
    const caller = authorize(context, 'plan:write', 'deleteProtectionGroup');
    const result = await withFieldNames(GROUP_ID, () => planning.call('deleteProtectionGroup', { protectionGroupId: id, ...optional('expectedRevision', expectedRevision) }, caller));
    return { id: result.protectionGroupId };
  };
  const createRecoveryPlan: Resolver<RecoveryPlanInputArgs> = async (_p, { input }, context) => {
    const caller = authorize(context, 'plan:write', 'createRecoveryPlan');
    return toSavedRecoveryPlan(await planning.call('createRecoveryPlan', toRecoveryPlanDefinition(input), caller));
  };
  const updateRecoveryPlan: Resolver<UpdateRecoveryPlanArgs> = async (_p, { input }, context) => {
    const caller = authorize(context, 'plan:write', 'updateRecoveryPlan');
    const update = { planId: input.id, ...optional('expectedVersion', input.expectedVersion), ...toRecoveryPlanDefinition(input) };
    return toSavedRecoveryPlan(await withFieldNames(PLAN_ID, () => planning.call('updateRecoveryPlan', update, caller)));
  };
  const deleteRecoveryPlan: Resolver<{ id: string; expectedVersion?: Maybe<number> }> = async (_p, { id, expectedVersion }, context) => {
    const caller = authorize(context, 'plan:write', 'deleteRecoveryPlan');
    const result = await withFieldNames(PLAN_ID, () => planning.call('deleteRecoveryPlan', { planId: id, ...optional('expectedVersion', expectedVersion) }, caller));
    return { id: result.planId, version: result.version };
  };
  const importSrmPriorities: Resolver<{ input: ImportSrmPrioritiesArg }> = async (_p, { input }, context) => {
    const caller = authorize(context, 'plan:write', 'importSrmPriorities');
    return toSrmImportResult(await planning.call('importSrmPriorities', toSrmImportInput(input), caller));
  };
  const importConfiguration: Resolver<{ input: ImportConfigurationArg }> = async (_p, { input }, context) => {
    const caller = authorize(context, 'plan:write', 'importConfiguration');
    return toConfigurationImportResult(await planning.call('importConfiguration', given(input), caller));
  };
  return { createProtectionGroup, updateProtectionGroup, deleteProtectionGroup, createRecoveryPlan, updateRecoveryPlan, deleteRecoveryPlan, importSrmPriorities, importConfiguration };
}
