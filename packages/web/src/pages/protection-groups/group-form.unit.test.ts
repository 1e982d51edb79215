import { describe, expect, it } from '@jest/globals';
import type { ProtectionGroup } from './api.js';
import { emptyGroupForm, groupFormOf, problemsAtRows, toGroupInput } from './group-form.js';
import { errorTextAt, wholeNumber } from './form-support.js';

const S1 = 's-00000000000000001';

describe('toGroupInput', () => {
  it('sends only what was set: members, selectors, launch defaults and verification', () => {
    // given a new group over one server and one tag selector, a subnet and a probe
    const form = emptyGroupForm('123456789012', 'us-east-1');
    form.name = ' Monitoring ';
    form.explicitServerIds = [S1];
    form.tagSelectors = [{ tags: [{ key: ' App ', value: 'Monitoring' }] }];
    form.launchDefaults = { ...form.launchDefaults, subnetId: 'subnet-1', securityGroupIds: 'sg-1 sg-2', copyTags: 'false' };
    form.verification.probes = [{ type: 'TCP', name: '', port: '22', path: '/ignored', https: 'true', expectStatus: '200', timeoutSeconds: '' }];
    // when the input is made
    const { input, problems } = toGroupInput(form);
    // then it is the API's shape, without empty fields and without HTTP fields on a TCP probe
    expect(problems).toEqual([]);
    expect(input).toEqual({
      name: 'Monitoring',
      accountId: '123456789012',
      region: 'us-east-1',
      sourceServerIds: [S1],
      tagSelectors: [{ tags: [{ key: 'App', value: 'Monitoring' }] }],
      launchDefaults: { subnetId: 'subnet-1', securityGroupIds: ['sg-1', 'sg-2'], copyTags: false },
      serverLaunchOverrides: [],
      postLaunchActions: [],
      verification: { probes: [{ type: 'TCP', port: 22 }] },
      serverVerificationOverrides: [],
    });
  });

  it('reports numbers and JSON it cannot read at the API paths, before asking the server', () => {
    const form = emptyGroupForm('123456789012', 'us-east-1');
    form.verification.instanceTimeoutSeconds = 'ten';
    form.verification.healthChecks = [{ name: '', documentName: 'AWS-RunShellScript', parameters: '{', timeoutSeconds: '' }];
    form.verification.probes = [{ type: 'HTTP', name: '', port: '', path: '/', https: '', expectStatus: '', timeoutSeconds: '' }];
    form.launchOverrides = [{ ...form.launchDefaults, sourceServerId: '' }];
    const { problems } = toGroupInput(form);
    expect(problems.map((p) => p.field)).toEqual(['verification.instanceTimeoutSeconds', 'verification.healthChecks[0].parameters', 'verification.probes[0].port', 'serverLaunchOverrides[0].sourceServerId']);
  });

  it('carries over what the editor does not show when a group is edited', () => {
    // given a saved group with a post-launch action and a per-server verification override
    const group: ProtectionGroup = {
      id: 'pg-1', name: 'Web', accountId: '123456789012', region: 'us-east-1', sourceServerIds: [S1], explicitSourceServerIds: [S1], tagSelectors: [], conflicts: [], revision: 4,
      createdAt: '2025-01-01T00:00:00Z', updatedAt: null, createdBy: 'admin', updatedBy: null,
      launchDefaults: { subnetId: null, securityGroupIds: null, instanceType: 'm5.large', copyPrivateIp: true, copyTags: null, launchDisposition: 'STARTED', rightSizing: 'NONE' },
      serverLaunchOverrides: [{ sourceServerId: S1, subnetId: 'subnet-2', securityGroupIds: null, instanceType: null, copyPrivateIp: null, copyTags: null, launchDisposition: null, rightSizing: null }],
      postLaunchActions: [{ actionId: 'a1', documentName: 'Lifeboat-Smoke', documentVersion: '$DEFAULT', parameters: [{ name: 'url', value: '/health', type: null }], optional: true, category: 'VALIDATION', description: 'smoke', order: 100 }],
      verification: { instanceTimeoutSeconds: 600, requireSsmAgent: false, ssmAgentTimeoutSeconds: null, healthChecks: null, checkPostLaunchActions: null, probes: null },
      serverVerificationOverrides: [{ sourceServerId: S1, instanceTimeoutSeconds: 120, requireSsmAgent: null, ssmAgentTimeoutSeconds: null, healthChecks: null, checkPostLaunchActions: null, probes: [{ type: 'HTTP', name: null, port: 443, path: '/', https: true, expectStatus: 200, timeoutSeconds: null }] }],
    };
    // when it is opened and saved unchanged
    const { input } = toGroupInput(groupFormOf(group));
    // then the whole definition goes back
    expect(input).toEqual({
      name: 'Web', accountId: '123456789012', region: 'us-east-1', sourceServerIds: [S1], tagSelectors: [],
      launchDefaults: { instanceType: 'm5.large', copyPrivateIp: true, launchDisposition: 'STARTED', rightSizing: 'NONE' },
      serverLaunchOverrides: [{ sourceServerId: S1, subnetId: 'subnet-2' }],
      postLaunchActions: [{ documentName: 'Lifeboat-Smoke', documentVersion: '$DEFAULT', parameters: [{ name: 'url', value: '/health' }], optional: true, category: 'VALIDATION', description: 'smoke' }],
      verification: { instanceTimeoutSeconds: 600, requireSsmAgent: false },
      serverVerificationOverrides: [{ sourceServerId: S1, instanceTimeoutSeconds: 120, probes: [{ type: 'HTTP', port: 443, path: '/', https: true, expectStatus: 200 }] }],
    });
  });
});

describe('field problems', () => {
  it('puts a tag problem the service names by key on the row of that key', () => {
    const form = emptyGroupForm('123456789012', 'us-east-1');
    form.tagSelectors = [{ tags: [{ key: 'App', value: 'x' }, { key: 'Tier', value: '' }] }];
    expect(problemsAtRows(form, [{ field: 'tagSelectors[0].tags.Tier', message: 'must not be empty' }, { field: 'name', message: 'is taken' }])).toEqual([
      { field: 'tagSelectors[0].tags[1]', message: 'must not be empty' },
      { field: 'name', message: 'is taken' },
    ]);
  });

  it('gathers the problems at and under a path for a form field', () => {
    const problems = [{ field: 'launchDefaults.securityGroupIds[1]', message: 'must be a security group id' }, { field: 'launchDefaultsX', message: 'other' }, { field: 'name', message: 'is required' }];
    expect(errorTextAt(problems, 'launchDefaults.securityGroupIds')).toBe('[1]: must be a security group id');
    expect(errorTextAt(problems, 'name')).toBe('is required');
    expect(errorTextAt(problems, 'region')).toBeUndefined();
    const found: { field: string; message: string }[] = [];
    expect(wholeNumber(' 42 ', 'x', found)).toBe(42);
    expect(wholeNumber('', 'x', found)).toBeUndefined();
    expect(found).toEqual([]);
  });
});
