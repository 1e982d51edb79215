/** Which DRS recovery instance is the one a launch made (pure; the DRS adapter lists candidates). */

/** The fields of a DRS RecoveryInstance that verification reads (DescribeRecoveryInstances). */
export interface RecoveryInstanceFacts {
  recoveryInstanceID: string;
  ec2InstanceID?: string;
  sourceServerID?: string;
  jobID?: string;
  /** recoveryInstanceProperties.lastUpdatedDateTime, to pick the newest of several instances. */
  lastUpdatedDateTime?: string;
}

/**
 * The launched recovery instance id when the launch reported one; else the newest instance of
 * the source server launched by the launch's job (an older instance of another job is not this
 * launch's).
 */
export function selectRecoveryInstance(
  candidates: readonly RecoveryInstanceFacts[],
  target: { sourceServerId: string; jobId: string; recoveryInstanceId?: string },
): RecoveryInstanceFacts | undefined {
  if (target.recoveryInstanceId) return candidates.find((c) => c.recoveryInstanceID === target.recoveryInstanceId);
  const ofThisLaunch = candidates.filter((c) => c.sourceServerID === target.sourceServerId && c.jobID === target.jobId);
  return ofThisLaunch.reduce<RecoveryInstanceFacts | undefined>(
    (newest, c) => (!newest || (c.lastUpdatedDateTime ?? '') > (newest.lastUpdatedDateTime ?? '') ? c : newest),
    undefined,
  );
}
