import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { EventBridgeEnvelope } from '@lifeboat/events';
import { EventValidationError, validateAwsEventDetail } from '@lifeboat/events';
import { log } from '../config.js';
import type { DrsLaunchResultDetail } from '../process-manager/launch-result.js';
import { recordJobLaunchResults } from '../process-manager/launch-result.js';
import { runtime } from '../runtime.js';
import { launchDeps } from './process-manager.js';

const LAUNCH_RESULT = 'DRS Source Server Launch Result';

/**
 * The launch result an SQS record carries (its body is the event as EventBridge hands it to a
 * target), checked against the documented detail. Throws for anything else: the rule or the queue
 * is mis-wired, or DRS changed the event.
 */
export function launchResultOf(body: string): EventBridgeEnvelope<DrsLaunchResultDetail> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new Error(`the record's body is not JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error("the record's body is not an EventBridge event");
  const event = parsed as Partial<EventBridgeEnvelope<unknown>>;
  if (event.source !== 'aws.drs' || event['detail-type'] !== LAUNCH_RESULT) throw new Error(`This consumer does not handle ${String(event.source)} ${String(event['detail-type'])}; its rule is mis-wired`);
  if (typeof event.id !== 'string' || typeof event.account !== 'string' || typeof event.region !== 'string' || !Array.isArray(event.resources)) throw new Error('the DRS event has no id, account, region or resources');
  validateAwsEventDetail('aws.drs', LAUNCH_RESULT, event.detail);
  return event as EventBridgeEnvelope<DrsLaunchResultDetail>;
}

/**
 * lifeboat-execution-<stage>-onDrsLaunchResult: aws.drs DRS Source Server Launch Result, from the
 * default bus through an SQS queue, up to 10 a batch. The results of one job are recorded with one
 * DescribeJobs and one reconciliation (recordJobLaunchResults), however many of them the batch
 * holds. No idempotency record per event: reconciling a job records only what its execution does
 * not hold yet, so a repeated or late result changes nothing.
 *
 * Answers the records that failed (partial batch response): a body that is not a launch result,
 * and the results of a job whose read or reconciliation failed; the queue delivers those again,
 * then dead-letters them. The reconciler catches up on any result lost on the way.
 */
export const handler = async (event: SQSEvent, _context: Context): Promise<SQSBatchResponse> => {
  const failures: { itemIdentifier: string }[] = [];
  const accepted: { messageId: string; result: EventBridgeEnvelope<DrsLaunchResultDetail> }[] = [];
  for (const record of event.Records) {
    try {
      accepted.push({ messageId: record.messageId, result: launchResultOf(record.body) });
    } catch (error) {
      failures.push({ itemIdentifier: record.messageId });
      log('error', 'an SQS record that is not a DRS launch result: delivered again, then dead-lettered', {
        messageId: record.messageId,
        error: error as Error,
        ...(error instanceof EventValidationError ? { problems: error.problems } : {}),
      });
    }
  }
  const outcomes = await recordJobLaunchResults({ ...launchDeps(), jobReaderIn: runtime.jobReaderIn }, accepted.map((a) => a.result));
  outcomes.forEach((outcome, i) => {
    const { messageId, result } = accepted[i] as (typeof accepted)[number];
    if (outcome.outcome !== 'failed') return;
    failures.push({ itemIdentifier: messageId });
    log('error', 'a DRS launch result not recorded: delivered again', { messageId, eventId: result.id, jobId: result.detail['job-id'], error: outcome.error as Error });
  });
  return { batchItemFailures: failures };
};
