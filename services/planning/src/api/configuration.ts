import type { Caller, ConfigurationExport, ConfigurationImportResult, DocumentFormat, FieldProblem, PlanFinding, ProtectionGroupView } from '@lifeboat/service-api';
import { ConflictError, NotFoundError, ValidationError } from '@lifeboat/service-api';
import { ENTITY_ID, isRecord } from '../domain/checks.js';
import type { ConfigurationDocument } from '../domain/documents.js';
import { groupDocument, inDocument, parseDocuments, planDocument, planInputOf } from '../domain/documents.js';
import type { ProtectionGroup } from '../domain/protection-group.js';
import type { RecoveryPlan } from '../domain/recovery-plan.js';
import { groupIdsOf } from '../domain/recovery-plan.js';
import type { Write } from '../ports.js';
import { GroupGoneError, NameTakenError, ServersTakenError, StaleWriteError, isTombstone } from '../ports.js';
import type { PlanningApiDeps } from './common.js';
import { MAX_WRITES_PER_COMMIT, prefixed } from './common.js';
import { formatDocuments, parseDocumentText } from './document-text.js';
import { prepareGroupSave } from './groups.js';
import { preparePlanSave, validatePlanInput } from './plans.js';

/** The item a write changes, when two writes of one transaction could meet on it (group items are merged by the store). */
function itemOf(write: Write): string | undefined {
  switch (write.type) {
    case 'claimServer':
    case 'releaseServer':
      return `membership of ${write.sourceServerId}`;
    case 'claimName':
    case 'releaseName':
      return `name ${write.key.replace('#', ' ')}`;
    case 'putPlanVersion':
      return `version ${write.version.version} of plan ${write.version.planId}`;
    default:
      return undefined;
  }
}

function idList(input: Record<string, unknown>, field: string, problems: FieldProblem[]): string[] {
  const value = input[field];
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push({ field, message: 'must be a list of ids' });
    return [];
  }
  return value.flatMap((id, i) => {
    if (typeof id === 'string' && ENTITY_ID.test(id)) return [id];
    problems.push({ field: `${field}[${i}]`, message: 'is not an id' });
    return [];
  });
}

export function configurationOperations(deps: () => PlanningApiDeps) {
  return {
    exportConfiguration: async (input: unknown): Promise<ConfigurationExport> => {
      const request = isRecord(input) ? input : {};
      const problems: FieldProblem[] = [];
      const groupIds = idList(request, 'protectionGroupIds', problems);
      const planIds = idList(request, 'planIds', problems);
      const format = request.format ?? 'YAML';
      if (format !== 'YAML' && format !== 'JSON') problems.push({ field: 'format', message: 'must be YAML or JSON' });
      if (problems.length === 0 && groupIds.length + planIds.length === 0) problems.push({ field: 'protectionGroupIds', message: 'name at least one protection group or plan (planIds) to export' });
      if (problems.length > 0) throw new ValidationError(problems);

      const groups = await deps().store.getGroups(groupIds);
      groupIds.forEach((id, i) => {
        if (!groups.has(id)) throw new NotFoundError(`Protection group ${id} does not exist`, `protectionGroupIds[${i}]`);
      });
      const plans: RecoveryPlan[] = [];
      for (const [i, planId] of planIds.entries()) {
        const latest = await deps().store.getPlanVersion(planId);
        if (!latest || isTombstone(latest)) throw new NotFoundError(`Recovery plan ${planId} does not exist`, `planIds[${i}]`);
        plans.push(latest);
      }
      const used = await deps().store.getGroups(plans.flatMap(groupIdsOf));
      const names = new Map([...used.values(), ...groups.values()].map((g) => [g.protectionGroupId, g.name]));
      const documents: ConfigurationDocument[] = [...groupIds.map((id) => groupDocument(groups.get(id) as ProtectionGroup)), ...plans.map((plan) => planDocument(plan, names))];
      return {
        format: format as DocumentFormat,
        content: formatDocuments(documents, format as DocumentFormat),
        documents: documents.map((d) => ({ kind: d.kind, name: d.metadata.name, id: d.metadata.id ?? '' })),
      };
    },

    /**
     * Validates every document against the state as it will be (groups first, so that plans see
     * the imported groups), lists every problem at once, and writes everything in one transaction
     * or nothing. Documents match existing groups and plans by name.
     */
    importConfiguration: async (input: unknown, caller: Caller): Promise<ConfigurationImportResult> => {
      const request = isRecord(input) ? input : {};
      if (request.dryRun !== undefined && typeof request.dryRun !== 'boolean') throw new ValidationError([{ field: 'dryRun', message: 'must be true or false' }]);
      const dryRun = request.dryRun === true;
      const text = parseDocumentText(request.content, request.format);
      if (text.problems.length > 0) throw new ValidationError(text.problems);
      const { documents, problems } = parseDocuments(text.values);
      if (problems.length > 0) throw new ValidationError(problems);

      const storedGroups = await deps().store.listGroups();
      const groupsById = new Map(storedGroups.map((g) => [g.protectionGroupId, g]));
      const byName = new Map(storedGroups.map((g) => [g.name.toLowerCase(), g]));
      const claims = new Map<string, string>();
      const imported = new Map<string, ProtectionGroupView>();
      const groupIdByName = new Map(storedGroups.map((g) => [g.name.toLowerCase(), g.protectionGroupId]));
      const writes: Write[] = [];
      const answer: ConfigurationImportResult['documents'] = [];
      const findings: PlanFinding[] = [];

      for (const document of documents) {
        if (document.kind !== 'ProtectionGroup') continue;
        const existing = byName.get(document.name.toLowerCase());
        const place = (field: string) => inDocument(document.index, field);
        const result = await prepareGroupSave(deps(), document.definition, caller, { ...(existing ? { existing } : {}), groups: storedGroups, companions: { names: new Map(), claims } });
        problems.push(...prefixed(result.problems, place));
        for (const conflict of result.conflicts) {
          const owner = groupsById.get(conflict.protectionGroupId);
          problems.push({ field: place('sourceServerIds'), message: `${conflict.sourceServerId} belongs to protection group ${owner ? `'${owner.name}' (${owner.protectionGroupId})` : conflict.protectionGroupId}` });
        }
        if (!result.save) {
          // Known by name all the same, so that the plans naming it report their own problems only.
          const stand: ProtectionGroupView = existing ?? { protectionGroupId: `document-${document.index}`, name: document.name, accountId: '', region: '', sourceServerIds: [], createdAt: '', createdBy: '' };
          imported.set(stand.protectionGroupId, stand);
          groupIdByName.set(document.name.toLowerCase(), stand.protectionGroupId);
          continue;
        }
        const { group, writes: own, action } = result.save;
        for (const id of group.sourceServerIds) if (!existing?.sourceServerIds.includes(id)) claims.set(id, group.name);
        imported.set(group.protectionGroupId, group);
        groupIdByName.set(group.name.toLowerCase(), group.protectionGroupId);
        writes.push(...own);
        answer.push({ kind: 'ProtectionGroup', name: group.name, id: group.protectionGroupId, action });
      }

      const latest = await deps().store.latestPlanVersions();
      const plansByName = new Map(latest.filter((p): p is RecoveryPlan => !isTombstone(p)).map((p) => [p.name.toLowerCase(), p]));
      for (const document of documents) {
        if (document.kind !== 'RecoveryPlan') continue;
        const previous = plansByName.get(document.name.toLowerCase());
        const { input: planInput, problems: referenceProblems } = planInputOf(document, groupIdByName);
        problems.push(...referenceProblems);
        const validation = await validatePlanInput(deps(), planInput, { ...(previous ? { planId: previous.planId } : {}), groups: imported, latest });
        const place = (field: string) => inDocument(document.index, field);
        for (const finding of validation.findings) {
          if (finding.severity === 'ERROR') problems.push({ field: place(finding.field), message: finding.message });
          else findings.push({ ...finding, field: place(finding.field) });
        }
        if (!validation.definition || referenceProblems.length > 0) continue;
        const { plan, writes: own, action } = preparePlanSave(deps(), validation.definition, caller, previous ? { previous } : {});
        writes.push(...own);
        answer.push({ kind: 'RecoveryPlan', name: plan.name, id: plan.planId, action });
      }

      const seen = new Map<string, number>();
      for (const write of writes) {
        const item = itemOf(write);
        if (item !== undefined) seen.set(item, (seen.get(item) ?? 0) + 1);
      }
      for (const [item, count] of seen) if (count > 1) problems.push({ field: 'content', message: `the documents change the ${item} twice: import those changes one after the other` });
      if (writes.length > MAX_WRITES_PER_COMMIT) problems.push({ field: 'content', message: `the import needs ${writes.length} writes, and it is written atomically in at most ${MAX_WRITES_PER_COMMIT}: import fewer documents at a time` });
      if (problems.length > 0) throw new ValidationError(problems);
      if (dryRun || writes.length === 0) return { dryRun, documents: answer, findings };

      try {
        await deps().store.commit(writes);
      } catch (error) {
        if (error instanceof ServersTakenError) throw new ConflictError(`${error.sourceServerIds.join(', ')} joined another protection group meanwhile: nothing was imported`, 'content', { cause: error });
        if (error instanceof NameTakenError || error instanceof StaleWriteError || error instanceof GroupGoneError) {
          throw new ConflictError(`What the documents change was changed meanwhile (${error.message}): nothing was imported, import again`, 'content', { cause: error });
        }
        throw error;
      }
      return { dryRun, documents: answer, findings };
    },
  };
}
