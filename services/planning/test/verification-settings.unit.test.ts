import { describe, expect, it } from '@jest/globals';
import type { FieldProblem, ProtectionGroupView, ResolvedVerification, VerificationSettings } from '@lifeboat/service-api';
import { DEFAULT_VERIFICATION } from '@lifeboat/service-api';
import { definitionOf, normalizeGroup, parseProtectionGroupInput, protectionGroupProblems } from '../src/domain/protection-group.js';
import { newRecoveryPlanVersion, parseRecoveryPlanInput, resolvePlan } from '../src/domain/recovery-plan.js';
import { MAX_VERIFICATION_CHARACTERS, parseVerificationSettings, resolveVerification } from '../src/domain/verification-settings.js';
import { ACCOUNT, REGION, byId, group, sequentialIds, server, serverId } from './support/fixtures.js';

const INVENTORY = byId([server(1), server(2), server(3), server(8)], (s) => s.sourceServerId);
/** The defaults with these fields changed. */
const resolved = (extra: Partial<ResolvedVerification>): ResolvedVerification => ({ ...DEFAULT_VERIFICATION, ...extra });
const input = (extra: Record<string, unknown> = {}) => ({ name: 'Databases', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(1), serverId(2)], ...extra });

/** given the inventory / when a group with these verification settings is validated / then these problems. */
function whenValidated(candidate: unknown) {
  const problems = protectionGroupProblems(candidate, { existingGroups: [], inventory: INVENTORY });
  return {
    thenValid: () => expect(problems).toEqual([]),
    thenProblems: (expected: FieldProblem[]) => expect(problems).toEqual(expected),
  };
}

describe('verification settings of a protection group', () => {
  it('accepts every setting, and overrides of members', () => {
    whenValidated(
      input({
        verification: {
          instanceTimeoutSeconds: 1200,
          requireSsmAgent: true,
          ssmAgentTimeoutSeconds: 300,
          healthChecks: [{ documentName: 'Lifeboat-CheckOracle', parameters: { sid: ['ORCL'] }, timeoutSeconds: 900 }, { name: 'disk', documentName: 'AWS-RunShellScript', parameters: { commands: ['df -h'] } }],
          checkPostLaunchActions: false,
          probes: [{ type: 'TCP', port: 1521 }, { type: 'HTTP', name: 'status page', port: 8443, path: '/health?deep=1', https: true, expectStatus: 204, timeoutSeconds: 30 }],
        },
        serverVerificationOverrides: [{ sourceServerId: serverId(2), requireSsmAgent: false, healthChecks: [], probes: [{ type: 'TCP', port: 22 }] }],
      }),
    ).thenValid();
  });

  it('keeps what the author wrote, and no more, in the definition and in the exported document', () => {
    const verification: VerificationSettings = { healthChecks: [{ documentName: 'Lifeboat-Check' }], probes: [{ type: 'TCP', port: 443 }] };
    const overrides = [{ sourceServerId: serverId(1), instanceTimeoutSeconds: 60 }];
    const { definition } = parseProtectionGroupInput(input({ verification, serverVerificationOverrides: overrides }), { existingGroups: [], inventory: INVENTORY });
    expect(definition.verification).toEqual(verification);
    expect(definition.serverVerificationOverrides).toEqual(overrides);
    const stored = group('pg-db', 'Databases', [1, 2], { verification, serverVerificationOverrides: overrides });
    expect(definitionOf(stored)).toMatchObject({ verification, serverVerificationOverrides: overrides });
    expect(definitionOf(group('pg-db', 'Databases', [1, 2]))).not.toHaveProperty('verification');
  });

  it('reads a group stored before verification existed as the defaults (no settings, no overrides)', () => {
    const old: ProtectionGroupView = { protectionGroupId: 'pg-old', name: 'Old', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(1)], createdAt: 't', createdBy: 'paul' };
    expect(normalizeGroup(old)).toMatchObject({ verification: {}, serverVerificationOverrides: [] });
  });

  it('refuses bad timeouts, ports, paths, statuses and documents, each at its field path', () => {
    whenValidated(
      input({
        verification: {
          instanceTimeoutSeconds: 0,
          ssmAgentTimeoutSeconds: 7201,
          requireSsmAgent: 'yes',
          healthChecks: [{ documentName: '' }, { documentName: 'bad name!', timeoutSeconds: 1.5, parameters: { commands: 'uptime' } }, { name: 'x', documentName: 'AWS-RunShellScript', retries: 3 }],
          probes: [{ type: 'TCP', port: 0 }, { type: 'HTTP', port: 65536, path: 'health', expectStatus: 600 }, { type: 'UDP', port: 53 }, { type: 'TCP', port: 22, path: '/' }, { port: 80 }],
          speed: 'fast',
        },
      }),
    ).thenProblems([
      { field: 'verification.speed', message: 'is not a verification setting (instanceTimeoutSeconds, requireSsmAgent, ssmAgentTimeoutSeconds, healthChecks, checkPostLaunchActions, probes)' },
      { field: 'verification.instanceTimeoutSeconds', message: 'must be a whole number from 1 to 7200' },
      { field: 'verification.requireSsmAgent', message: 'must be true or false' },
      { field: 'verification.ssmAgentTimeoutSeconds', message: 'must be a whole number from 1 to 7200' },
      { field: 'verification.healthChecks[0].documentName', message: 'is required' },
      { field: 'verification.healthChecks[1].documentName', message: 'must be the name or ARN of an SSM document (3 to 128 letters, digits, _, . and -)' },
      { field: 'verification.healthChecks[1].parameters.commands', message: 'must be a list of strings' },
      { field: 'verification.healthChecks[1].timeoutSeconds', message: 'must be a whole number from 1 to 7200' },
      { field: 'verification.healthChecks[2].retries', message: 'is not a health check field (name, documentName, parameters, timeoutSeconds)' },
      { field: 'verification.probes[0].port', message: 'must be a whole number from 1 to 65535' },
      { field: 'verification.probes[1].port', message: 'must be a whole number from 1 to 65535' },
      { field: 'verification.probes[1].path', message: "must be an HTTP path starting with '/' (no spaces, at most 2048 characters)" },
      { field: 'verification.probes[1].expectStatus', message: 'must be a whole number from 100 to 599' },
      { field: 'verification.probes[2].type', message: 'must be one of TCP, HTTP' },
      { field: 'verification.probes[3].path', message: 'is for HTTP probes only' },
      { field: 'verification.probes[4].type', message: 'is required (TCP, HTTP)' },
    ]);
  });

  it('refuses two health checks or probes of one name, and health checks the SSM agent would never run', () => {
    whenValidated(
      input({
        verification: {
          requireSsmAgent: false,
          healthChecks: [{ documentName: 'Lifeboat-Check' }, { documentName: 'Lifeboat-Check' }, { name: 'lifeboat-check', documentName: 'Other-Check' }],
          probes: [{ type: 'TCP', name: 'db', port: 1521 }, { type: 'HTTP', name: 'DB', port: 80 }],
        },
      }),
    ).thenProblems([
      { field: 'verification.healthChecks[1].documentName', message: "verification.healthChecks[0] is already named 'Lifeboat-Check': give each health check its own name" },
      { field: 'verification.healthChecks[2].name', message: "verification.healthChecks[0] is already named 'lifeboat-check': give each health check its own name" },
      { field: 'verification.healthChecks', message: 'run through the SSM agent: with requireSsmAgent false they would never run (leave them out, or require the agent)' },
      { field: 'verification.probes[1].name', message: "verification.probes[0] is already named 'DB'" },
    ]);
  });

  it('refuses overrides of servers that are not members, twice the same server, and bad override settings', () => {
    whenValidated(
      input({
        serverVerificationOverrides: [
          { sourceServerId: serverId(3), requireSsmAgent: false },
          { sourceServerId: serverId(1), instanceTimeoutSeconds: 60 },
          { sourceServerId: serverId(1), probes: [{ type: 'TCP', port: 22 }] },
          { sourceServerId: 'i-123', probes: 'none' },
          'all',
        ],
      }),
    ).thenProblems([
      { field: 'serverVerificationOverrides[2].sourceServerId', message: `${serverId(1)} already has verification overrides at serverVerificationOverrides[1]` },
      { field: 'serverVerificationOverrides[3].probes', message: 'must be a list' },
      { field: 'serverVerificationOverrides[3].sourceServerId', message: 'must be a DRS source server id (s- and 17 characters)' },
      { field: 'serverVerificationOverrides[4]', message: 'must be an object with sourceServerId and verification settings' },
      { field: 'serverVerificationOverrides[0].sourceServerId', message: `${serverId(3)} is not a member of this group` },
    ]);
  });

  it('refuses settings too large to store with the group and carry in its events', () => {
    const parameters = { commands: ['x'.repeat(3000)] };
    const overrides = [1, 2].map((n) => ({ sourceServerId: serverId(n), healthChecks: Array.from({ length: 10 }, (_, i) => ({ name: `check ${i}`, documentName: 'AWS-RunShellScript', parameters })) }));
    const problems = protectionGroupProblems(input({ serverVerificationOverrides: overrides }), { existingGroups: [], inventory: INVENTORY });
    expect(problems).toEqual([{ field: 'serverVerificationOverrides', message: expect.stringContaining(`at most ${MAX_VERIFICATION_CHARACTERS} fit`) }]);
  });

  it('reads absent settings as none', () => {
    const problems: FieldProblem[] = [];
    expect(parseVerificationSettings(undefined, 'verification', problems)).toEqual({});
    expect(parseVerificationSettings('fast', 'verification', problems)).toEqual({});
    expect(problems).toEqual([{ field: 'verification', message: 'must be an object of verification settings' }]);
  });
});

describe('resolveVerification', () => {
  it('gives a server without a group, or of a group without settings, the defaults', () => {
    expect(resolveVerification(undefined, serverId(1))).toEqual(DEFAULT_VERIFICATION);
    expect(resolveVerification({}, serverId(1))).toEqual(DEFAULT_VERIFICATION);
  });

  it('takes the group’s settings over the defaults, naming health checks after their documents', () => {
    const group = { verification: { instanceTimeoutSeconds: 1200, healthChecks: [{ documentName: 'Lifeboat-Check' }, { name: 'oracle', documentName: 'Lifeboat-Oracle', parameters: { sid: ['ORCL'] }, timeoutSeconds: 60 }] } };
    expect(resolveVerification(group, serverId(1))).toEqual(
      resolved({
        instanceTimeoutSeconds: 1200,
        healthChecks: [
          { name: 'Lifeboat-Check', documentName: 'Lifeboat-Check', parameters: {}, timeoutSeconds: 600 },
          { name: 'oracle', documentName: 'Lifeboat-Oracle', parameters: { sid: ['ORCL'] }, timeoutSeconds: 60 },
        ],
      }),
    );
  });

  it('takes a server’s override field by field over its group’s, and replaces lists whole', () => {
    const group = {
      verification: { instanceTimeoutSeconds: 1200, checkPostLaunchActions: false, healthChecks: [{ documentName: 'Lifeboat-Check' }], probes: [{ type: 'TCP' as const, port: 443 }] },
      serverVerificationOverrides: [{ sourceServerId: serverId(2), ssmAgentTimeoutSeconds: 120, healthChecks: [], probes: [{ type: 'HTTP' as const, port: 80, path: '/health' }] }],
    };
    // given server 2 has an override / when resolved / then its own fields win, the group's others stay, its lists replace the group's
    expect(resolveVerification(group, serverId(2))).toEqual(
      resolved({ instanceTimeoutSeconds: 1200, ssmAgentTimeoutSeconds: 120, checkPostLaunchActions: false, healthChecks: [], probes: [{ type: 'HTTP', port: 80, path: '/health' }] }),
    );
    // and server 1, without one, has the group's
    expect(resolveVerification(group, serverId(1))).toMatchObject({ ssmAgentTimeoutSeconds: 600, healthChecks: [{ name: 'Lifeboat-Check' }], probes: [{ type: 'TCP', port: 443 }] });
  });

  it('never hands out the defaults’ own lists (a snapshot can be changed without changing the next one)', () => {
    const first = resolveVerification(undefined, serverId(1));
    first.probes.push({ type: 'TCP', port: 22 });
    expect(resolveVerification(undefined, serverId(1)).probes).toEqual([]);
    expect(DEFAULT_VERIFICATION.probes).toEqual([]);
  });
});

describe('resolvePlan: the verification of each server', () => {
  it('given a group with settings and an override, and a single server / when resolved / then each server carries its own verification', () => {
    const db = group('pg-db', 'Databases', [1, 2], {
      verification: { probes: [{ type: 'TCP', port: 1521 }], healthChecks: [{ documentName: 'Lifeboat-Oracle' }] },
      serverVerificationOverrides: [{ sourceServerId: serverId(2), requireSsmAgent: false, healthChecks: [] }],
    });
    const groups = byId([db], (g) => g.protectionGroupId);
    const definition = parseRecoveryPlanInput({ name: 'Shop', waves: [{ name: 'DB', protectionGroupIds: ['pg-db'], sourceServerIds: [serverId(8)] }] }, groups, INVENTORY);
    const version = newRecoveryPlanVersion(definition, { planId: 'plan-1', version: 1, newId: sequentialIds(), createdAt: 't', createdBy: 'paul' });

    const snapshot = resolvePlan(version, groups, INVENTORY);

    const verificationOf = new Map(snapshot.waves[0]?.servers.map((s) => [s.sourceServerId, s.verification]));
    expect(verificationOf.get(serverId(1))).toEqual(
      resolved({ probes: [{ type: 'TCP', port: 1521 }], healthChecks: [{ name: 'Lifeboat-Oracle', documentName: 'Lifeboat-Oracle', parameters: {}, timeoutSeconds: 600 }] }),
    );
    expect(verificationOf.get(serverId(2))).toEqual(resolved({ requireSsmAgent: false, probes: [{ type: 'TCP', port: 1521 }] }));
    // A server verified with the defaults alone leaves them out of the snapshot (it stays small).
    expect(snapshot.waves[0]?.servers.find((s) => s.sourceServerId === serverId(8))).not.toHaveProperty('verification');
  });
});
