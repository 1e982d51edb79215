/**
 * The permission of each catalog and planning operation, checked in the gateway before any
 * service call, for each role of ARCHITECTURE §5: a table of operation × role.
 */
import { describe, expect, it } from '@jest/globals';
import { callerWith, fullProtectionGroupView, fullSourceServerView, gatewayHarness, savedRecoveryPlanView, targetAccountView } from './fixtures.js';
import type { FakeService } from './fixtures.js';

const ROLES = ['Viewer', 'Operator', 'PlanAuthor', 'RecoveryManager', 'Admin'] as const;
type Role = (typeof ROLES)[number];

/** Who holds each permission (written out, not derived from roles.ts, so that a change there shows here). */
const HOLDERS: Record<'read' | 'plan:write' | 'admin', readonly Role[]> = {
  read: ROLES,
  'plan:write': ['PlanAuthor', 'Admin'],
  admin: ['Admin'],
};

type Services = ReturnType<typeof gatewayHarness>['services'];

interface Operation {
  name: string;
  permission: keyof typeof HOLDERS;
  document: string;
  service: (services: Services) => FakeService;
  answer: unknown;
}

const PLAN = 'name: "P", waves: [{ name: "A", protectionGroupIds: ["pg-1"] }]';
const GROUP = 'name: "G", accountId: "123456789012", region: "us-east-1", sourceServerIds: ["s-0000000000000000a"]';
const preview = { sourceServerIds: [], servers: [], conflicts: [] };

const MUTATIONS: Operation[] = [
  { name: 'syncSourceServers', permission: 'plan:write', document: 'mutation { syncSourceServers { discovered } }', service: (s) => s.catalog, answer: { discovered: 0, changed: 0, removed: 0 } },
  { name: 'addTargetAccount', permission: 'admin', document: 'mutation { addTargetAccount(input: { accountId: "111122223333", regions: ["us-east-1"], roleArn: "arn:aws:iam::111122223333:role/R" }) { accountId } }', service: (s) => s.catalog, answer: targetAccountView },
  { name: 'updateTargetAccount', permission: 'admin', document: 'mutation { updateTargetAccount(input: { accountId: "111122223333", regions: ["us-east-1"] }) { accountId } }', service: (s) => s.catalog, answer: targetAccountView },
  { name: 'removeTargetAccount', permission: 'admin', document: 'mutation { removeTargetAccount(accountId: "111122223333") { accountId } }', service: (s) => s.catalog, answer: { accountId: '111122223333', removedServers: 0 } },
  { name: 'createProtectionGroup', permission: 'plan:write', document: `mutation { createProtectionGroup(input: { ${GROUP}, tagSelectors: [{ tags: [{ key: "App", value: "X" }] }] }) { id } }`, service: (s) => s.planning, answer: fullProtectionGroupView },
  { name: 'updateProtectionGroup', permission: 'plan:write', document: `mutation { updateProtectionGroup(input: { id: "pg-1", ${GROUP} }) { id } }`, service: (s) => s.planning, answer: fullProtectionGroupView },
  { name: 'deleteProtectionGroup', permission: 'plan:write', document: 'mutation { deleteProtectionGroup(id: "pg-1") { id } }', service: (s) => s.planning, answer: { protectionGroupId: 'pg-1' } },
  { name: 'createRecoveryPlan', permission: 'plan:write', document: `mutation { createRecoveryPlan(input: { ${PLAN} }) { id } }`, service: (s) => s.planning, answer: savedRecoveryPlanView() },
  { name: 'updateRecoveryPlan', permission: 'plan:write', document: `mutation { updateRecoveryPlan(input: { id: "plan-1", ${PLAN} }) { id } }`, service: (s) => s.planning, answer: savedRecoveryPlanView() },
  { name: 'deleteRecoveryPlan', permission: 'plan:write', document: 'mutation { deleteRecoveryPlan(id: "plan-1") { id } }', service: (s) => s.planning, answer: { planId: 'plan-1', version: 3 } },
  { name: 'importSrmPriorities', permission: 'plan:write', document: 'mutation { importSrmPriorities(input: { name: "S", dryRun: true, priorities: [{ priority: 1, protectionGroupIds: ["pg-1"] }] }) { findings { code } } }', service: (s) => s.planning, answer: { definition: { name: 'S', waves: [] }, findings: [] } },
  { name: 'importConfiguration', permission: 'plan:write', document: 'mutation { importConfiguration(input: { content: "x", dryRun: true }) { dryRun } }', service: (s) => s.planning, answer: { dryRun: true, documents: [], findings: [] } },
];

const QUERIES: Operation[] = [
  { name: 'sourceServer', permission: 'read', document: '{ sourceServer(id: "s-0000000000000000a") { id } }', service: (s) => s.catalog, answer: fullSourceServerView },
  { name: 'targetAccounts', permission: 'read', document: '{ targetAccounts { accountId } }', service: (s) => s.catalog, answer: [] },
  { name: 'protectionGroup', permission: 'read', document: '{ protectionGroup(id: "pg-1") { id } }', service: (s) => s.planning, answer: fullProtectionGroupView },
  { name: 'previewProtectionGroup', permission: 'read', document: '{ previewProtectionGroup(input: { accountId: "123456789012", region: "us-east-1", sourceServerIds: ["s-0000000000000000a"] }) { sourceServerIds } }', service: (s) => s.planning, answer: preview },
  { name: 'validateRecoveryPlan', permission: 'read', document: `{ validateRecoveryPlan(input: { ${PLAN} }) { valid } }`, service: (s) => s.planning, answer: { valid: true, findings: [] } },
  { name: 'recoveryPlanVersions', permission: 'read', document: '{ recoveryPlanVersions(id: "plan-1") { version } }', service: (s) => s.planning, answer: [] },
  {
    name: 'recoveryPlanDiff',
    permission: 'read',
    document: '{ recoveryPlanDiff(id: "plan-1", fromVersion: 1, toVersion: 2) { summary } }',
    service: (s) => s.planning,
    answer: { planId: 'plan-1', fromVersion: 1, toVersion: 2, summary: [], waves: { added: [], removed: [], changed: [] }, planChanges: [] },
  },
  { name: 'exportConfiguration', permission: 'read', document: '{ exportConfiguration(planIds: ["plan-1"]) { content } }', service: (s) => s.planning, answer: { format: 'YAML', content: '', documents: [] } },
];

/** The fake answers every operation of every service with the operation's answer. */
function answering(services: Services, operation: Operation): FakeService {
  const service = operation.service(services);
  for (const name of ['listSourceServers', 'getSourceServer', 'syncSourceServers', 'listTargetAccounts', 'addTargetAccount', 'updateTargetAccount', 'removeTargetAccount']) services.catalog.on(name, () => operation.answer);
  for (const name of [
    'createProtectionGroup',
    'updateProtectionGroup',
    'deleteProtectionGroup',
    'getProtectionGroup',
    'previewProtectionGroup',
    'createRecoveryPlan',
    'updateRecoveryPlan',
    'deleteRecoveryPlan',
    'validateRecoveryPlan',
    'listRecoveryPlanVersions',
    'diffRecoveryPlanVersions',
    'importSrmPriorities',
    'exportConfiguration',
    'importConfiguration',
  ]) {
    services.planning.on(name, () => operation.answer);
  }
  return service;
}

const table = [...MUTATIONS, ...QUERIES].flatMap((operation) => ROLES.map((role) => [operation.name, role, HOLDERS[operation.permission].includes(role), operation] as const));

describe('permission of each operation × role, checked in the gateway', () => {
  it.each(table)('%s as %s: allowed %s', async (_name, role, allowed, operation) => {
    const { services, run } = gatewayHarness();
    const service = answering(services, operation);
    const caller = callerWith(role);
    const result = await run(operation.document, caller);
    if (allowed) {
      expect(result.errors).toBeUndefined();
      expect(service.calls).toHaveLength(1);
      expect(service.calls[0]?.caller).toEqual(caller);
    } else {
      expect(result.data).toBeNull();
      expect(result.errors).toEqual([expect.objectContaining({ message: `${operation.name} needs the ${operation.permission} permission`, extensions: { code: 'FORBIDDEN' } })]);
      expect(services.catalog.calls).toHaveLength(0);
      expect(services.planning.calls).toHaveLength(0);
    }
  });

  it.each(QUERIES.map((q) => [q.name, q] as const))('%s needs a role: a user without one is FORBIDDEN', async (_name, operation) => {
    const { services, run } = gatewayHarness();
    answering(services, operation);
    const result = await run(operation.document, callerWith());
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect([...services.catalog.calls, ...services.planning.calls]).toHaveLength(0);
  });

  it('no caller at all is UNAUTHENTICATED for a mutation too', async () => {
    const { services, run } = gatewayHarness();
    const operation = MUTATIONS[0] as Operation;
    answering(services, operation);
    const result = await run(operation.document, undefined);
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
