import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { EventBridgeEnvelope } from '@lifeboat/events';
import { EventValidationError, validateAwsEventDetail } from '@lifeboat/events';
import { drsDirectory, home, serverStore, targetStore } from '../config.js';
import type { RefreshCause, ServerRefreshResult } from '../server-updates.js';
import { refreshServers } from '../server-updates.js';

/** The DRS events (default bus, source aws.drs) that say a source server changed. */
export const DRS_EVENT_TYPES = ['DRS Source Server Data Replication Stalled Change', 'DRS Source Server Launch Result'] as const;

function log(level: 'INFO' | 'WARN' | 'ERROR', message: string, details: unknown): void {
  console.info(JSON.stringify({ level, message, details }));
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * The DRS event an SQS record carries (its body is the event as EventBridge passes it to a
 * target), validated against its documented detail. Throws when the body is not JSON, not an
 * event, not one of DRS_EVENT_TYPES (the rule or queue is mis-wired) or has another detail.
 */
export function drsEventOf(body: string): EventBridgeEnvelope<unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new Error(`the record's body is not JSON (${describeError(error)})`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error("the record's body is not an EventBridge event (not an object)");
  const event = parsed as Partial<EventBridgeEnvelope<unknown>>;
  const type = event['detail-type'];
  if (event.source !== 'aws.drs' || typeof type !== 'string' || !(DRS_EVENT_TYPES as readonly string[]).includes(type)) {
    throw new Error(`This consumer does not handle ${String(event.source)} ${String(type)}; its rule is mis-wired`);
  }
  if (typeof event.id !== 'string' || event.id === '') throw new Error('the DRS event has no id');
  const envelope = { ...event, 'detail-type': type, id: event.id, resources: Array.isArray(event.resources) ? event.resources : [] } as EventBridgeEnvelope<unknown>;
  // events/schemas/aws: the documented detail of each DRS event.
  validateAwsEventDetail('aws.drs', type, envelope.detail);
  return envelope;
}

/** What caused a write after a DRS event: the event (its id is the causation, and names the correlation). */
function causeOf(event: EventBridgeEnvelope<unknown>): RefreshCause {
  return { actor: { type: 'system', id: 'aws.drs', name: event['detail-type'] }, correlationId: `drs-event-${event.id}`, causationId: event.id };
}

/** A record that carries a valid DRS event about a server. */
interface AcceptedRecord {
  messageId: string;
  event: EventBridgeEnvelope<unknown>;
  sourceServerArn: string;
}

/**
 * aws.drs "DRS Source Server Data Replication Stalled Change" and "DRS Source Server Launch
 * Result", delivered in batches by an SQS queue (the rule on the default bus targets the queue,
 * serverless.yml): the servers named in the events' resources[0] are described again, one
 * DescribeSourceServers per 200 servers of an account and region (refreshServers), and written
 * if they changed (the table's stream then announces SourceServerChanged). 1,000 launches are a
 * handful of DRS calls instead of 1,000.
 *
 * Answers the records that failed (partial batch response: the queue delivers only those again,
 * then dead-letters them): a body that is not a valid DRS event, or a server whose refresh threw
 * (DRS throttled or refused, the table failed). A server of an account and region the catalog does
 * not list, unknown to DRS, or an event without a usable ARN is logged, not failed: retrying would
 * change nothing.
 *
 * No idempotency record per event (unlike awsEventConsumer): a refresh is idempotent by design,
 * since it writes what DRS says now and only when it differs from the table, so a repeated or
 * late event changes nothing, and a table write per record would cost more than it saves.
 */
export const handler = async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
  const failed = new Set<string>();
  const accepted: AcceptedRecord[] = [];
  let withoutServer = 0;
  for (const record of event.Records) {
    let drsEvent: EventBridgeEnvelope<unknown>;
    try {
      drsEvent = drsEventOf(record.body);
    } catch (error) {
      failed.add(record.messageId);
      log('ERROR', 'an SQS record that is not a valid DRS event: delivered again, then dead-lettered', {
        messageId: record.messageId,
        error: describeError(error),
        ...(error instanceof EventValidationError ? { problems: error.problems } : {}),
      });
      continue;
    }
    const sourceServerArn = drsEvent.resources[0];
    if (typeof sourceServerArn !== 'string') {
      withoutServer++;
      log('WARN', 'a DRS event without a source server ARN in resources[0]', { messageId: record.messageId, id: drsEvent.id, detailType: drsEvent['detail-type'] });
      continue;
    }
    accepted.push({ messageId: record.messageId, event: drsEvent, sourceServerArn });
  }

  // A server named by several events of the batch is refreshed once, caused by the first of them.
  const causes = new Map<string, RefreshCause>();
  for (const { sourceServerArn, event: drsEvent } of accepted) if (!causes.has(sourceServerArn)) causes.set(sourceServerArn, causeOf(drsEvent));
  let results = new Map<string, ServerRefreshResult>();
  if (causes.size > 0) {
    try {
      results = await refreshServers({ drs: drsDirectory(), store: serverStore(), targets: targetStore(), home: home(), log }, [...causes.keys()], (arn) => {
        const cause = causes.get(arn);
        if (!cause) throw new Error(`no DRS event of this batch names ${arn}`);
        return cause;
      });
    } catch (error) {
      // Before any server (the targets could not be read): the whole batch is retried.
      for (const arn of causes.keys()) results.set(arn, { outcome: 'failed', error });
    }
  }

  const outcomes: Record<string, number> = {};
  const count = (outcome: string, n = 1) => {
    if (n > 0) outcomes[outcome] = (outcomes[outcome] ?? 0) + n;
  };
  count('invalid', failed.size);
  count('unusable', withoutServer);
  const refreshFailures: { messageId: string; id: string; sourceServerArn: string; error: string }[] = [];
  for (const { messageId, event: drsEvent, sourceServerArn } of accepted) {
    const result: ServerRefreshResult = results.get(sourceServerArn) ?? { outcome: 'failed', error: new Error('the server was not refreshed') };
    count(result.outcome);
    if (result.outcome === 'failed') {
      failed.add(messageId);
      refreshFailures.push({ messageId, id: drsEvent.id, sourceServerArn, error: describeError(result.error) });
    }
  }
  if (refreshFailures.length > 0) log('ERROR', 'DRS events not applied: delivered again, then dead-lettered', { failures: refreshFailures });
  log('INFO', 'DRS events applied', { records: event.Records.length, servers: causes.size, failed: failed.size, outcomes });
  return { batchItemFailures: event.Records.filter((record) => failed.has(record.messageId)).map((record) => ({ itemIdentifier: record.messageId })) };
};
