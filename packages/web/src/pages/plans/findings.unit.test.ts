import { describe, expect, it } from '@jest/globals';
import { sortFindings, whereLabel } from './findings.js';

describe('validation findings', () => {
  it('lists errors first, then warnings, then infos, keeping the server order within each', () => {
    const findings = [
      { severity: 'INFO' as const, code: 'QUOTA_SPLIT', field: 'waves[0]', message: 'split' },
      { severity: 'ERROR' as const, code: 'EMPTY_WAVE', field: 'waves[2].protectionGroupIds', message: 'empty' },
      { severity: 'WARNING' as const, code: 'SERVER_NOT_READY', field: 'waves[1]', message: 'stalled' },
      { severity: 'ERROR' as const, code: 'CYCLE', field: 'waves[1].dependsOn[0]', message: 'cycle' },
    ];
    expect(sortFindings(findings).map((f) => f.code)).toEqual(['EMPTY_WAVE', 'CYCLE', 'SERVER_NOT_READY', 'QUOTA_SPLIT']);
  });

  it('names the wave at fault by its name, or its position while it has none', () => {
    const names = ['Database', '  ', 'Web'];
    expect(whereLabel('waves[2].protectionGroupIds', names)).toBe('Wave "Web" · protectionGroupIds');
    expect(whereLabel('waves[0]', names)).toBe('Wave "Database"');
    expect(whereLabel('waves[1].dependsOn[0]', names)).toBe('Wave 2 · dependsOn[0]');
    expect(whereLabel('name', names)).toBe('Plan name');
    expect(whereLabel('', names)).toBe('Plan');
    expect(whereLabel('settings.rtoTargetMinutes', names)).toBe('settings.rtoTargetMinutes');
  });
});
