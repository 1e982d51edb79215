import { describe, expect, it } from '@jest/globals';
import type { RecoveryInstanceFacts } from '../../src/domain/recovery-instance.js';
import { selectRecoveryInstance } from '../../src/domain/recovery-instance.js';

const target = { sourceServerId: 's-1234567890abcdef0', jobId: 'drsjob-1234567890abcdef0' };
const instance = (overrides: Partial<RecoveryInstanceFacts>): RecoveryInstanceFacts => ({ recoveryInstanceID: 'i-ri01', sourceServerID: target.sourceServerId, jobID: target.jobId, ...overrides });

describe('selectRecoveryInstance', () => {
  const ofOtherJob = instance({ recoveryInstanceID: 'i-ri00', jobID: 'drsjob-00000000000000000' });

  it('given a launched recovery instance id, then that instance', () => {
    expect(selectRecoveryInstance([ofOtherJob, instance({})], { ...target, recoveryInstanceId: 'i-ri00' })?.recoveryInstanceID).toBe('i-ri00');
  });

  it('given no id, then the newest instance of the source server launched by the job', () => {
    const older = instance({ recoveryInstanceID: 'i-ri02', lastUpdatedDateTime: '2026-01-01T10:00:00Z' });
    const newer = instance({ recoveryInstanceID: 'i-ri03', lastUpdatedDateTime: '2026-01-01T11:00:00Z' });
    expect(selectRecoveryInstance([ofOtherJob, older, newer], target)?.recoveryInstanceID).toBe('i-ri03');
  });

  it('given only instances of other jobs, then none', () => {
    expect(selectRecoveryInstance([ofOtherJob], target)).toBeUndefined();
  });
});
