import type { DomainEvent, EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { createEvent } from '@lifeboat/events';
import type {
  ExecutionCompletedData,
  ExecutionFailedData,
  ExecutionStartedData,
  NotifiableEvent,
  WaveCompletedData,
  WaveFailedData,
} from '../../src/domain/messages.js';

export const DB_1 = 's-db100000000000001';
export const DB_2 = 's-db200000000000002';
export const APP_1 = 's-app10000000000001';

const server = (sourceServerId: string, hostname: string) => ({ sourceServerId, hostname, accountId: '123456789012', region: 'us-east-1', criticality: 'CRITICAL' as const });

/** A three-tier plan: Database, then App, then Web. */
export function executionStarted(overrides: Partial<ExecutionStartedData> = {}): ExecutionStartedData {
  return {
    executionId: 'exec-1',
    planId: 'plan-1',
    planVersion: 3,
    mode: 'DRILL',
    plan: {
      planId: 'plan-1',
      version: 3,
      name: 'Payments',
      waves: [
        { waveId: 'wave-db', name: 'Database', dependsOn: [], launchOrder: 'SEQUENTIAL', servers: [server(DB_1, 'db-1'), server(DB_2, 'db-2')] },
        { waveId: 'wave-app', name: 'App', dependsOn: ['wave-db'], launchOrder: 'PARALLEL', servers: [server(APP_1, 'app-1')] },
        { waveId: 'wave-web', name: 'Web', dependsOn: ['wave-app'], launchOrder: 'PARALLEL', servers: [] },
      ],
    },
    ...overrides,
  };
}

export const waveCompleted = (overrides: Partial<WaveCompletedData> = {}): WaveCompletedData => ({ executionId: 'exec-1', waveId: 'wave-db', ...overrides });
export const waveFailed = (overrides: Partial<WaveFailedData> = {}): WaveFailedData => ({
  executionId: 'exec-1',
  waveId: 'wave-db',
  reason: 'critical server db-2 failed verification',
  failedServerIds: [DB_2],
  ...overrides,
});
export const executionCompleted = (overrides: Partial<ExecutionCompletedData> = {}): ExecutionCompletedData => ({ executionId: 'exec-1', planId: 'plan-1', mode: 'DRILL', durationMs: 725_000, ...overrides });
export const executionFailed = (overrides: Partial<ExecutionFailedData> = {}): ExecutionFailedData => ({ executionId: 'exec-1', planId: 'plan-1', mode: 'DRILL', reason: 'wave "Database" failed', ...overrides });

/** The event as the execution service publishes it. */
export function published(event: NotifiableEvent): DomainEvent<string, unknown> {
  return createEvent(event.type, event.data, { correlationId: event.data.executionId, actor: { type: 'service', id: 'lifeboat-execution' } });
}

/** What an EventBridge rule hands to the Lambda. */
export function envelopeOf(event: DomainEvent<string, unknown>): EventBridgeEnvelope<EventDetail<unknown>> {
  return {
    version: '0',
    id: `eb-${event.metadata.eventId}`,
    'detail-type': event.type,
    source: 'lifeboat.execution',
    account: '123456789012',
    time: event.metadata.occurredAt,
    region: 'us-east-1',
    resources: [],
    detail: { metadata: event.metadata, data: event.data },
  };
}
