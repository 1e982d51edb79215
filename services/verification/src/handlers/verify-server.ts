import { DrsClient } from '@aws-sdk/client-drs';
import type { Context } from 'aws-lambda';
import type { DomainEvent } from '@lifeboat/events';
import { EventPublisher, createEvent, lifeboatEventConsumer } from '@lifeboat/events';
import { envGetter, requiredEnv } from '@lifeboat/service-api';
import { DrsRecoveryInstances } from '../adapters/drs-recovery-instances.js';
import { verifyOptions } from '../config.js';
import type { CheckResult } from '../domain/checks.js';
import { systemClock, verifyRecoveredInstance } from '../verify.js';

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

/** Stop polling this long before Lambda would stop us, to publish the timeout ourselves. */
const LAMBDA_SAFETY_MARGIN_MS = 10_000;

const ACTOR = { type: 'service', id: 'lifeboat-verification' } as const;

const eventBusName = envGetter('EVENT_BUS_NAME');
let publisher: EventPublisher | undefined;
let instances: DrsRecoveryInstances | undefined;

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

async function verifyServer(event: DomainEvent, context: Context): Promise<void> {
  const launched = event.data as ServerLaunchedData;
  const options = verifyOptions();
  // Never let Lambda's own timeout cut a verification short without a verdict on the bus.
  const timeoutMs = Math.min(options.timeoutMs, Math.max(0, context.getRemainingTimeInMillis() - LAMBDA_SAFETY_MARGIN_MS));
  const target = { sourceServerId: launched.sourceServerId, jobId: launched.jobId, recoveryInstanceId: launched.recoveryInstanceId };

  instances ??= new DrsRecoveryInstances(new DrsClient({}));
  const verdict = await verifyRecoveredInstance(target, instances, systemClock, { ...options, timeoutMs });

  const data: VerificationData = definedOnly({
    executionId: launched.executionId,
    waveId: launched.waveId,
    sourceServerId: launched.sourceServerId,
    accountId: launched.accountId,
    region: launched.region,
    recoveryInstanceId: verdict.recoveryInstance?.recoveryInstanceID ?? launched.recoveryInstanceId,
    ec2InstanceId: verdict.recoveryInstance?.ec2InstanceID ?? launched.ec2InstanceId,
    checks: verdict.checks,
  });
  const causedBy = { correlationId: launched.executionId, causationId: event.metadata.eventId, actor: ACTOR };
  const outcome =
    verdict.verdict === 'VERIFIED'
      ? createEvent('ServerVerified', data, causedBy)
      : createEvent('ServerVerificationFailed', { ...data, reason: verdict.reason }, causedBy);

  publisher ??= new EventPublisher({ eventBusName: eventBusName() });
  await publisher.publish([outcome]);
  console.info(JSON.stringify({ message: `${outcome.type} ${launched.sourceServerId}`, executionId: launched.executionId, eventId: outcome.metadata.eventId, causationId: event.metadata.eventId }));
}

/** ServerLaunched → checks of the recovered instance → ServerVerified | ServerVerificationFailed. */
export const handler = lifeboatEventConsumer(
  { idempotencyTable: requiredEnv('VERIFICATION_IDEMPOTENCY_TABLE'), eventTypes: ['ServerLaunched'] },
  verifyServer,
);
