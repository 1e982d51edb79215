import { describe, expect, it } from '@jest/globals';
import { formatDocuments, parseDocumentText } from '../src/api/document-text.js';
import type { ConfigurationDocument } from '../src/domain/documents.js';
import { API_VERSION, groupDocument, inDocument, parseDocuments, planDocument, planInputOf } from '../src/domain/documents.js';
import { definitionOf } from '../src/domain/protection-group.js';
import { newRecoveryPlanVersion, parseRecoveryPlanInput } from '../src/domain/recovery-plan.js';
import { byId, group, sequentialIds, serverId } from './support/fixtures.js';

const databases = group('pg-db', 'Databases', [1, 2], {
  tagSelectors: [{ tags: { Tier: 'Database' } }],
  launchDefaults: { copyTags: true, subnetId: 'subnet-0123456789abcdef0' },
  postLaunchActions: [{ actionId: '00000000-0000-4000-8000-000000000001', documentName: 'Lifeboat-Check', documentVersion: '$DEFAULT', parameters: [], optional: true, category: 'VALIDATION', description: '', order: 100 }],
});
const app = group('pg-app', 'App servers', [3]);
const GROUPS = byId([databases, app], (g) => g.protectionGroupId);
const plan = newRecoveryPlanVersion(
  parseRecoveryPlanInput(
    {
      name: 'Shop',
      settings: { rtoTargetMinutes: 45 },
      waves: [
        { name: 'DB', protectionGroupIds: ['pg-db'], launchOrder: 'SEQUENTIAL', servers: [{ sourceServerId: serverId(2), bootOrder: 1 }] },
        { name: 'App', dependsOn: ['DB'], protectionGroupIds: ['pg-app'], preSteps: [{ type: 'APPROVAL', prompt: 'Go?' }] },
      ],
    },
    GROUPS,
  ),
  { planId: 'plan-1', version: 4, newId: sequentialIds(), createdAt: 't', createdBy: 'paul' },
);

/** given documents / when written as text and read back / then the same documents. */
function roundTrip(documents: ConfigurationDocument[], format: 'YAML' | 'JSON') {
  const text = formatDocuments(documents, format);
  const { values, problems } = parseDocumentText(text, undefined);
  expect(problems).toEqual([]);
  return { text, values };
}

describe('configuration documents', () => {
  const groupDoc = groupDocument(databases);
  const planDoc = planDocument(plan, new Map([...GROUPS.values()].map((g) => [g.protectionGroupId, g.name])));

  it('describe a group by its definition, and a plan with its groups by name', () => {
    expect(groupDoc).toEqual({
      apiVersion: API_VERSION,
      kind: 'ProtectionGroup',
      metadata: { name: 'Databases', id: 'pg-db' },
      spec: {
        accountId: '123456789012',
        region: 'us-east-1',
        sourceServerIds: [serverId(1), serverId(2)],
        tagSelectors: [{ tags: { Tier: 'Database' } }],
        launchDefaults: { copyTags: true, subnetId: 'subnet-0123456789abcdef0' },
        postLaunchActions: [{ documentName: 'Lifeboat-Check', documentVersion: '$DEFAULT', optional: true, category: 'VALIDATION' }],
      },
    });
    expect(planDoc.metadata).toEqual({ name: 'Shop', id: 'plan-1', version: 4 });
    expect(planDoc.spec.waves).toEqual([
      { name: 'DB', launchOrder: 'SEQUENTIAL', protectionGroups: ['Databases'], servers: [{ sourceServerId: serverId(2), bootOrder: 1 }], errorPolicy: 'STOP' },
      { name: 'App', dependsOn: ['DB'], launchOrder: 'PARALLEL', protectionGroups: ['App servers'], preSteps: [{ type: 'APPROVAL', name: 'Approval', prompt: 'Go?', timeoutSeconds: 86400, onTimeout: 'FAIL' }], errorPolicy: 'STOP' },
    ]);
  });

  it.each(['YAML', 'JSON'] as const)('survive a round trip through %s text, and read back as the same definitions', (format) => {
    const { text, values } = roundTrip([groupDoc, planDoc], format);
    if (format === 'YAML') expect(text).toContain('---\napiVersion: lifeboat/v1\nkind: RecoveryPlan');
    const { documents, problems } = parseDocuments(values);
    expect(problems).toEqual([]);
    const [g, p] = documents;
    expect(g?.kind === 'ProtectionGroup' && g.definition).toEqual({ ...definitionOf(databases) });
    const input = p?.kind === 'RecoveryPlan' ? planInputOf(p, new Map([['databases', 'pg-db'], ['app servers', 'pg-app']])) : undefined;
    expect(input?.problems).toEqual([]);
    const again = newRecoveryPlanVersion(parseRecoveryPlanInput(input?.input, GROUPS), { planId: 'plan-1', version: 5, previous: plan, newId: sequentialIds(), createdAt: 't', createdBy: 'paul' });
    expect(again.changeSummary).toEqual(['no changes']);
  });

  it('refuse a bad envelope, twice the same name, and groups unknown by name, each at its place', () => {
    const { documents, problems } = parseDocuments([
      { apiVersion: 'lifeboat/v0', kind: 'Plan', metadata: {}, spec: [] },
      { apiVersion: API_VERSION, kind: 'ProtectionGroup', metadata: { name: 'Web' }, spec: { accountId: '123456789012' }, status: {} },
      { apiVersion: API_VERSION, kind: 'ProtectionGroup', metadata: { name: 'web' }, spec: {} },
      { apiVersion: API_VERSION, kind: 'RecoveryPlan', metadata: { name: 'Shop' }, spec: { waves: [{ name: 'A', protectionGroups: ['Nope'] }] } },
    ]);
    expect(problems).toEqual([
      { field: 'documents[0].apiVersion', message: 'must be lifeboat/v1' },
      { field: 'documents[0].kind', message: 'must be one of ProtectionGroup, RecoveryPlan' },
      { field: 'documents[0].metadata.name', message: 'is required' },
      { field: 'documents[0].spec', message: 'must be an object' },
      { field: 'documents[1].status', message: 'is not a part of a document (apiVersion, kind, metadata, spec)' },
      { field: 'documents[2].metadata.name', message: "documents[1] is already the ProtectionGroup 'Web'" },
    ]);
    const planDocument = documents.find((d) => d.kind === 'RecoveryPlan');
    expect(planDocument?.kind === 'RecoveryPlan' && planInputOf(planDocument, new Map()).problems).toEqual([
      { field: 'documents[3].spec.waves[0].protectionGroups[0]', message: "no protection group is named 'Nope' (neither existing nor in these documents)" },
    ]);
  });

  it('place a definition’s problems in its document', () => {
    expect(inDocument(2, 'name')).toBe('documents[2].metadata.name');
    expect(inDocument(2, 'waves[1].protectionGroupIds[0]')).toBe('documents[2].spec.waves[1].protectionGroups[0]');
    expect(inDocument(2, '')).toBe('documents[2].spec');
  });

  it('report text that is not YAML or JSON, with its place', () => {
    expect(parseDocumentText('{ "apiVersion": ', undefined).problems[0]?.message).toMatch(/^is not valid JSON/);
    expect(parseDocumentText('a: [1, 2\n', 'YAML').problems[0]).toEqual({ field: 'documents[0]', message: expect.stringMatching(/^is not valid YAML \(line \d+, column \d+\)/) });
    expect(parseDocumentText('', undefined).problems).toEqual([{ field: 'content', message: 'is required: the documents as YAML or JSON' }]);
    expect(parseDocumentText('a: 1', 'XML').problems).toEqual([{ field: 'format', message: 'must be YAML or JSON' }]);
  });
});
