import type { FieldProblem } from '@lifeboat/service-api';
import type { AssumedRoleCredentials } from './adapters/assumed-roles.js';
import { awsErrorOf } from './adapters/assumed-roles.js';
import type { DrsClientFor } from './adapters/drs-source-servers.js';
import { checkDrsAccess } from './adapters/drs-source-servers.js';
import type { TargetAccount } from './domain/targets.js';

export interface TargetCheckDeps {
  roles: AssumedRoleCredentials;
  drsClientFor: DrsClientFor;
}

export type TargetAccess = (account: Pick<TargetAccount, 'accountId' | 'regions' | 'roleArn' | 'externalId'>) => Promise<FieldProblem[]>;

/** What a DRS error means for an admin adding a target, per region. */
function drsProblem(region: string, accountId: string, error: unknown): string {
  const { code, message } = awsErrorOf(error);
  if (code === 'AccessDeniedException' || code === 'AccessDenied') return `the role may not call drs:DescribeSourceServers in ${region} (${code}: ${message})`;
  if (code === 'UninitializedAccountException') return `DRS is not initialized in ${region} of account ${accountId} (${code})`;
  return `DRS did not answer in ${region} (${code}: ${message})`;
}

/**
 * Checks that the catalog can reach a target before it is saved: the role can be assumed (STS
 * AssumeRole with the external id) and DRS answers DescribeSourceServers in every region. Answers
 * every problem, each naming its field; none when all is well.
 */
export function targetAccessChecker(deps: TargetCheckDeps): TargetAccess {
  return async (account) => {
    const { accountId, roleArn, externalId } = account;
    if (roleArn) {
      // Always a fresh AssumeRole: cached credentials would hide a changed trust policy or external id.
      deps.roles.forget(roleArn, externalId);
      try {
        await deps.roles.credentialsFor(roleArn, externalId);
      } catch (error) {
        const { code, message } = awsErrorOf(error);
        return [{ field: 'roleArn', message: `cannot be assumed by Lifeboat${externalId ? ' with this externalId' : ''} (${code}: ${message}); check the role's trust policy` }];
      }
    }
    const problems = await Promise.all(
      account.regions.map(async (region, index): Promise<FieldProblem | undefined> => {
        try {
          await checkDrsAccess(deps.drsClientFor, { accountId, region, ...(roleArn ? { roleArn } : {}), ...(externalId ? { externalId } : {}) });
          return undefined;
        } catch (error) {
          return { field: `regions[${index}]`, message: drsProblem(region, accountId, error) };
        }
      }),
    );
    return problems.filter((problem): problem is FieldProblem => problem !== undefined);
  };
}
