import { describe, expect, it } from '@jest/globals';
import { findingsOnPriorities, srmPrioritiesToDefinition } from '../src/domain/srm-import.js';
import { serverId } from './support/fixtures.js';

describe('import from SRM priorities', () => {
  it('makes a wave per used priority, each depending on the one before, launched in parallel', () => {
    const { definition, problems } = srmPrioritiesToDefinition({
      name: 'From SRM',
      priorities: [
        { priority: 3, protectionGroupIds: ['pg-app'] },
        { priority: 1, protectionGroupIds: ['pg-db'], servers: [{ sourceServerId: serverId(1), criticality: 'OPTIONAL' }] },
        { priority: 5, sourceServerIds: [serverId(9)] },
      ],
    });
    expect(problems).toEqual([]);
    expect(definition).toEqual({
      name: 'From SRM',
      waves: [
        { name: 'Priority 1', launchOrder: 'PARALLEL', errorPolicy: 'STOP', protectionGroupIds: ['pg-db'], servers: [{ sourceServerId: serverId(1), criticality: 'OPTIONAL' }] },
        { name: 'Priority 3', launchOrder: 'PARALLEL', errorPolicy: 'STOP', dependsOn: ['Priority 1'], protectionGroupIds: ['pg-app'] },
        { name: 'Priority 5', launchOrder: 'PARALLEL', errorPolicy: 'STOP', dependsOn: ['Priority 3'], sourceServerIds: [serverId(9)] },
      ],
    });
  });

  it('makes waves 1 to 5 from priorities 1 to 5', () => {
    const { definition } = srmPrioritiesToDefinition({ name: 'All', priorities: [1, 2, 3, 4, 5].map((priority) => ({ priority, protectionGroupIds: [`pg-${priority}`] })) });
    expect(definition?.waves.map((w) => [w.name, w.dependsOn ?? []])).toEqual([
      ['Priority 1', []],
      ['Priority 2', ['Priority 1']],
      ['Priority 3', ['Priority 2']],
      ['Priority 4', ['Priority 3']],
      ['Priority 5', ['Priority 4']],
    ]);
  });

  it('refuses priorities outside 1–5, twice the same priority, and unknown fields, all at once', () => {
    expect(srmPrioritiesToDefinition({ name: 'x', priorities: [{ priority: 0 }, { priority: 2, vms: [] }, { priority: 2 }, 'y'] }).problems).toEqual([
      { field: 'priorities[0].priority', message: 'must be an SRM priority: 1, 2, 3, 4 or 5' },
      { field: 'priorities[1].vms', message: 'is not a field of a priority (priority, protectionGroupIds, sourceServerIds, servers)' },
      { field: 'priorities[2].priority', message: 'priority 2 is already at priorities[1]' },
      { field: 'priorities[3]', message: 'must be an object with priority and protectionGroupIds or sourceServerIds' },
    ]);
    expect(srmPrioritiesToDefinition({ name: 'x', priorities: [] }).problems).toEqual([{ field: 'priorities', message: 'must list at least one priority, like { priority: 1, protectionGroupIds: [...] }' }]);
  });

  it('points the plan’s findings back at the priorities the author wrote', () => {
    const findings = findingsOnPriorities(
      [
        { severity: 'ERROR', code: 'UNKNOWN_GROUP', field: 'waves[1].protectionGroupIds[0]', message: 'protection group pg-x does not exist' },
        { severity: 'ERROR', code: 'EMPTY_WAVE', field: 'waves[0].protectionGroupIds', message: 'empty' },
        { severity: 'ERROR', code: 'INVALID', field: 'name', message: 'is required' },
      ],
      [2, 0],
    );
    expect(findings.map((f) => f.field)).toEqual(['priorities[0].protectionGroupIds[0]', 'priorities[2].protectionGroupIds', 'name']);
  });
});
