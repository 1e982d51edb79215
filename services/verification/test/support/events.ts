import type { DomainEvent, EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { createEvent } from '@lifeboat/events';

export const SOURCE_SERVER_ID = 's-1234567890abcdef0';
export const JOB_ID = 'drsjob-1234567890abcdef0';
export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';

export interface ServerLaunchedData {
  executionId: string;
  waveId: string;
  sourceServerId: string;
  accountId: string;
  region: string;
  jobId: string;
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
}

export function serverLaunched(overrides: Partial<ServerLaunchedData> = {}): DomainEvent<'ServerLaunched', ServerLaunchedData> {
  const data: ServerLaunchedData = {
    executionId: 'exec-1',
    waveId: 'wave-db',
    sourceServerId: SOURCE_SERVER_ID,
    accountId: ACCOUNT_ID,
    region: REGION,
    jobId: JOB_ID,
    ...overrides,
  };
  return createEvent('ServerLaunched', data, { correlationId: data.executionId, actor: { type: 'service', id: 'lifeboat-execution' } });
}

/** What an EventBridge rule hands to the Lambda. */
export function envelopeOf<TData>(event: DomainEvent<string, TData>): EventBridgeEnvelope<EventDetail<TData>> {
  return {
    version: '0',
    id: `eb-${event.metadata.eventId}`,
    'detail-type': event.type,
    source: 'lifeboat.execution',
    account: ACCOUNT_ID,
    time: event.metadata.occurredAt,
    region: REGION,
    resources: [],
    detail: { metadata: event.metadata, data: event.data },
  };
}
