import { DrsClient } from '@aws-sdk/client-drs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import type { ClaimCheckResolver, DomainEvent } from '@lifeboat/events';
import { EventPublisher, createEvent, lifeboatEventConsumer } from '@lifeboat/events';
import { envGetter, executionEventResolverFromEnv, requiredEnv } from '@lifeboat/service-api';
import type { AccountClientConfig, AccountScope, TargetAccounts } from '@lifeboat/target-accounts';
import { DrsAdapter } from '../adapters/drs.js';
import type { ExecutionContexts } from '../adapters/dynamodb-execution-contexts.js';
import { Ec2Adapter } from '../adapters/ec2.js';
import { networkProbes } from '../adapters/probes.js';
import { SsmAdapter } from '../adapters/ssm.js';
import type { ServiceSettings } from '../config.js';
import { executionContexts, jobLaunchActionsReader, serviceSettings, targetAccounts } from '../config.js';
import type { CheckResult } from '../domain/checks.js';
import { planChecks } from '../domain/checks.js';
import { verificationOf } from '../domain/execution-context.js';
import type { JobLaunchActionsReader } from '../job-launch-actions.js';
import type { Clock, VerificationPorts } from '../verify.js';
import { systemClock, verifyLaunchedServer } from '../verify.js';

/** The data of ServerLaunched (events/schemas/ServerLaunched.schema.json), validated by the consumer. */
interface ServerLaunchedData {
  executionId: string;
  waveId: string;
  sourceServerId: string;
  accountId: string;
  region: string;
  jobId: string;
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
}

interface VerificationData {
  executionId: string;
  waveId: string;
  sourceServerId: string;
  accountId: string;
  region: string;
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
  checks: CheckResult[];
}

/** Stop checking this long before Lambda would stop us, to publish the verdict ourselves. */
const LAMBDA_SAFETY_MARGIN_MS = 10_000;

const ACTOR = { type: 'service', id: 'lifeboat-verification' } as const;

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The client kinds of TargetAccounts.clientFor. */
const drsClient = (config: AccountClientConfig) => new DrsClient(config);
const ec2Client = (config: AccountClientConfig) => new EC2Client(config);
const ssmClient = (config: AccountClientConfig) => new SSMClient(config);

/**
 * The ports of a launch's account and region: DRS, EC2 and SSM clients of that account (this
 * function's own credentials in its own account, else the account's role from the catalog).
 * Endpoints from AWS_ENDPOINT_URL_<SERVICE> locally. The post-launch actions of a job are read
 * through `jobs`, shared with the verifications of the job's other servers.
 */
export async function portsIn(scope: AccountScope, accounts: TargetAccounts, jobs: JobLaunchActionsReader): Promise<VerificationPorts> {
  const [drs, ec2, ssm] = await Promise.all([accounts.clientFor(scope, drsClient), accounts.clientFor(scope, ec2Client), accounts.clientFor(scope, ssmClient)]);
  return { drs: new DrsAdapter(drs, { reader: jobs, accountId: scope.accountId, region: scope.region }), ec2: new Ec2Adapter(ec2), ssm: new SsmAdapter(ssm), probes: networkProbes };
}

/** What the handler works with; tests replace some (a probe address resolver, a clock, the accounts). */
export interface VerifyServerDependencies {
  /** The ports in the launch's account and region. */
  ports: (scope: AccountScope, accounts: TargetAccounts, jobs: JobLaunchActionsReader) => Promise<VerificationPorts>;
  accounts: () => TargetAccounts;
  /** The snapshots of DRS jobs' launch actions, shared by the verifications of a job's servers. */
  jobLaunchActions: () => JobLaunchActionsReader;
  contexts: () => ExecutionContexts;
  settings: () => ServiceSettings;
  publisher: () => EventPublisher;
  clock: Clock;
  /** Reads a claim-checked ServerLaunched from the execution's stream (the execution API). */
  resolveClaimCheck: ClaimCheckResolver;
}

let publisher: EventPublisher | undefined;
const eventBusName = envGetter('EVENT_BUS_NAME');

export const defaultDependencies: VerifyServerDependencies = {
  ports: portsIn,
  accounts: targetAccounts,
  jobLaunchActions: jobLaunchActionsReader,
  contexts: executionContexts,
  settings: serviceSettings,
  publisher: () => (publisher ??= new EventPublisher({ eventBusName: eventBusName() })),
  clock: systemClock,
  resolveClaimCheck: executionEventResolverFromEnv('verification'),
};

/** The consumer's work for one ServerLaunched (exported for tests; `handler` adds validation and idempotency). */
export async function verifyLaunch(deps: VerifyServerDependencies, event: DomainEvent, context: Context): Promise<void> {
  const launched = event.data as ServerLaunchedData;
  const settings = deps.settings();
  // Never let Lambda's own timeout cut a verification short without a verdict on the bus.
  const budgetMs = Math.min(settings.budgetMs, Math.max(0, context.getRemainingTimeInMillis() - LAMBDA_SAFETY_MARGIN_MS));
  // A launch that overtook its ExecutionStarted is verified with the defaults rather than held back.
  const { verification, source } = verificationOf(await deps.contexts().get(launched.executionId), launched.sourceServerId);
  const plan = planChecks(verification, settings.checks);

  const outcome = await verifyLaunchedServer(
    {
      executionId: launched.executionId,
      sourceServerId: launched.sourceServerId,
      jobId: launched.jobId,
      ...(launched.recoveryInstanceId ? { recoveryInstanceId: launched.recoveryInstanceId } : {}),
      ...(launched.ec2InstanceId ? { ec2InstanceId: launched.ec2InstanceId } : {}),
    },
    plan,
    // In the account and region the server was recovered into; an unreachable account
    // (AccountAccessError) is an error, not a verdict: the launch is delivered again.
    await deps.ports({ accountId: launched.accountId, region: launched.region }, deps.accounts(), deps.jobLaunchActions()),
    deps.clock,
    { pollMs: settings.pollMs, budgetMs },
  );

  const data: VerificationData = definedOnly({
    executionId: launched.executionId,
    waveId: launched.waveId,
    sourceServerId: launched.sourceServerId,
    accountId: launched.accountId,
    region: launched.region,
    recoveryInstanceId: outcome.recoveryInstanceId ?? launched.recoveryInstanceId,
    ec2InstanceId: outcome.ec2InstanceId ?? launched.ec2InstanceId,
    checks: outcome.checks,
  });
  const causedBy = { correlationId: launched.executionId, causationId: event.metadata.eventId, actor: ACTOR };
  const verdict =
    outcome.verdict === 'VERIFIED'
      ? createEvent('ServerVerified', data, causedBy)
      : createEvent('ServerVerificationFailed', { ...data, reason: outcome.reason }, causedBy);
  await deps.publisher().publish([verdict]);
  console.info(JSON.stringify({ message: `${verdict.type} ${launched.sourceServerId}`, executionId: launched.executionId, settings: source, eventId: verdict.metadata.eventId, causationId: event.metadata.eventId }));
}

/** The handler with other dependencies (tests: a probe address resolver, fake adapters). */
export function createVerifyServerHandler(overrides: Partial<VerifyServerDependencies> = {}) {
  const deps = { ...defaultDependencies, ...overrides };
  return lifeboatEventConsumer(
    { idempotencyTable: requiredEnv('VERIFICATION_IDEMPOTENCY_TABLE'), eventTypes: ['ServerLaunched'], resolveClaimCheck: deps.resolveClaimCheck },
    (event, context) => verifyLaunch(deps, event, context),
  );
}

/** ServerLaunched → the checks of the recovered instance → ServerVerified | ServerVerificationFailed. */
export const handler = createVerifyServerHandler();
