import { envGetter } from '@lifeboat/service-api';

/** The environment of the execution service's functions, each read once, when first needed. */
export const config = {
  eventsTable: envGetter('EXECUTION_EVENTS_TABLE'),
  jobsTable: envGetter('EXECUTION_JOBS_TABLE'),
  executionsTable: envGetter('EXECUTION_EXECUTIONS_TABLE'),
  idempotencyTable: envGetter('EXECUTION_IDEMPOTENCY_TABLE'),
  /** The DRS launch capacity ledger of each account and region. */
  capacityTable: envGetter('EXECUTION_CAPACITY_TABLE'),
  /** Snapshots of long execution streams' folded state. */
  snapshotsTable: envGetter('EXECUTION_SNAPSHOTS_TABLE'),
  eventBusName: envGetter('EVENT_BUS_NAME'),
  stage: envGetter('LIFEBOAT_STAGE'),
  planningApiFunction: envGetter('PLANNING_API_FUNCTION'),
  /** scheduleTimer: the timerElapsed function, the role Scheduler invokes it with, and where undeliverable firings go. */
  timerFunctionArn: envGetter('EXECUTION_TIMER_FUNCTION_ARN'),
  timerRoleArn: envGetter('EXECUTION_TIMER_ROLE_ARN'),
  deadLetterQueueArn: envGetter('EXECUTION_DEAD_LETTER_QUEUE_ARN'),
  /** Which execution holds which source server (overlapping executions are refused). */
  serverClaimsTable: envGetter('EXECUTION_SERVER_CLAIMS_TABLE'),
  /** onExecutionStartRequested: JSON `{ "<source>": { "role": "<Role>" } }`, the sources accepted and the role each acts with. */
  triggerSources: envGetter('EXECUTION_TRIGGER_SOURCES'),
};

/** One structured log line (CloudWatch, or the local runtime's console). */
export function log(level: 'info' | 'warn' | 'error', message: string, details: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, service: 'execution', message, ...details }, (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message } : value));
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
