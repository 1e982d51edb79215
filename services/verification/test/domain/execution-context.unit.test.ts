import { describe, expect, it } from '@jest/globals';
import { DEFAULT_VERIFICATION, type PlanSnapshot, type ResolvedVerification } from '@lifeboat/service-api';
import { contextOf, verificationOf } from '../../src/domain/execution-context.js';

const strict: ResolvedVerification = { ...DEFAULT_VERIFICATION, instanceTimeoutSeconds: 300, healthChecks: [{ name: 'linux', documentName: 'Lifeboat-HealthCheck-Linux', parameters: { services: ['nginx'] }, timeoutSeconds: 60 }] };

function server(sourceServerId: string, verification?: ResolvedVerification): PlanSnapshot['waves'][number]['servers'][number] {
  return { sourceServerId, accountId: '123456789012', region: 'us-east-1', hostname: sourceServerId, criticality: 'CRITICAL', ...(verification ? { verification } : {}) };
}

const plan = (servers: PlanSnapshot['waves'][number]['servers']): PlanSnapshot => ({
  planId: 'plan-1',
  version: 3,
  name: 'Shop',
  waves: [{ waveId: 'w-1', name: 'All', dependsOn: [], launchOrder: 'PARALLEL', servers }],
});

describe('the verification context of an execution', () => {
  it('given servers sharing settings (keys in any order), then each distinct setting is kept once', () => {
    const { probes, ...rest } = strict;
    const reordered: ResolvedVerification = { probes, ...rest };

    const context = contextOf({ executionId: 'e-1', planId: 'plan-1', planVersion: 3, mode: 'DRILL', plan: plan([server('s-a', strict), server('s-b', reordered), server('s-c')]) });

    expect(context).toEqual({ executionId: 'e-1', planId: 'plan-1', planVersion: 3, mode: 'DRILL', profiles: [strict], serverProfiles: { 's-a': 0, 's-b': 0 } });
  });

  it('given a server with settings, then its settings; without, then the defaults, saying why', () => {
    const context = contextOf({ executionId: 'e-1', planId: 'plan-1', planVersion: 3, mode: 'RECOVERY', plan: plan([server('s-a', strict), server('s-c')]) });

    expect(verificationOf(context, 's-a')).toEqual({ verification: strict, source: 'plan' });
    expect(verificationOf(context, 's-c')).toEqual({ verification: DEFAULT_VERIFICATION, source: 'default (plan sets none)' });
  });

  it('given the launch overtook its ExecutionStarted, then the defaults (the launch is not held back)', () => {
    expect(verificationOf(undefined, 's-a')).toEqual({ verification: DEFAULT_VERIFICATION, source: 'default (no ExecutionStarted yet)' });
  });
});
