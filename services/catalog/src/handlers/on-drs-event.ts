import type { Context } from 'aws-lambda';
import type { ConsumerResult, EventBridgeEnvelope } from '@lifeboat/events';
import { EventValidationError, awsEventConsumer, awsEventSchemas } from '@lifeboat/events';
import { drsDirectory, env, home, serverStore, targetStore } from '../config.js';
import { refreshServer } from '../server-updates.js';

/** The DRS events (default bus, source aws.drs) that say a source server changed. */
export const DRS_EVENT_TYPES = ['DRS Source Server Data Replication Stalled Change', 'DRS Source Server Launch Result'] as const;

let consumer: ReturnType<typeof awsEventConsumer<unknown>> | undefined;

function log(level: string, message: string, details: unknown): void {
  console.info(JSON.stringify({ level, message, details }));
}

async function handle(event: EventBridgeEnvelope<unknown>): Promise<void> {
  const arn = event.resources?.[0];
  if (typeof arn !== 'string') {
    log('WARN', 'a DRS event without a source server ARN in resources[0]', { id: event.id, detailType: event['detail-type'] });
    return;
  }
  const outcome = await refreshServer(
    { drs: drsDirectory(), store: serverStore(), targets: targetStore(), home: home(), log },
    arn,
    { actor: { type: 'system', id: 'aws.drs', name: event['detail-type'] }, correlationId: `drs-event-${event.id}`, causationId: event.id },
  );
  log('INFO', 'DRS event applied', { id: event.id, detailType: event['detail-type'], sourceServerArn: arn, detail: event.detail, outcome });
}

/**
 * The detail of `DRS Source Server Data Replication Stalled Change` ({ state: STALLED | NOT_STALLED },
 * events/schemas/aws/DRSSourceServerDataReplicationStalledChange.schema.json), checked here while
 * packages/events does not register that schema yet.
 */
export function checkStalledChange(event: EventBridgeEnvelope<unknown>): void {
  const detail = event.detail as { state?: unknown } | null | undefined;
  const problems: { path: string; message: string }[] = [];
  if (!detail || typeof detail !== 'object') problems.push({ path: '', message: 'must be an object' });
  else if (detail.state !== 'STALLED' && detail.state !== 'NOT_STALLED') problems.push({ path: '/state', message: 'must be STALLED or NOT_STALLED' });
  if (problems.length > 0) throw new EventValidationError(event['detail-type'], problems);
}

/**
 * aws.drs "DRS Source Server Data Replication Stalled Change" and "DRS Source Server Launch
 * Result" (rule on the default bus, serverless.yml): the server named in resources[0] is described
 * again and written if it changed (the table's stream then announces SourceServerChanged).
 * Idempotent on the EventBridge event id through awsEventConsumer once the event's schema is
 * registered in @lifeboat/events; until then validated here (applying an event twice changes
 * nothing the second time anyway).
 */
export const handler = async (event: EventBridgeEnvelope<unknown>, context: Context): Promise<ConsumerResult> => {
  const type = event['detail-type'];
  if (event.source !== 'aws.drs' || !(DRS_EVENT_TYPES as readonly string[]).includes(type)) throw new Error(`This consumer does not handle ${event.source} ${type}; its rule is mis-wired`);
  if (awsEventSchemas['aws.drs']?.[type]) {
    consumer ??= awsEventConsumer({ idempotencyTable: env.idempotencyTable(), eventTypes: DRS_EVENT_TYPES }, handle);
    return consumer(event, context);
  }
  checkStalledChange(event);
  await handle(event);
  return { eventId: event.id };
};
