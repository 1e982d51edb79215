import { createHash } from 'node:crypto';
import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';

/** What a timer's schedule hands to the timerElapsed function. */
export interface TimerFiring {
  executionId: string;
  timerId: string;
}

const NAME_PATTERN = /^[0-9a-zA-Z\-_.]{1,64}$/;

/**
 * The schedule of a timer: `<executionId>-<timerId>`, with any character Scheduler does not allow
 * (`[0-9a-zA-Z-_.]`) replaced by `-`. When something had to be replaced or the name is longer than
 * 64 characters, a hash of the raw name ends it, so two timers never share a schedule.
 */
export function scheduleNameOf(executionId: string, timerId: string): string {
  const raw = `${executionId}-${timerId}`;
  if (NAME_PATTERN.test(raw)) return raw;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 12);
  const sanitised = raw.replace(/[^0-9a-zA-Z\-_.]/g, '-');
  return `${sanitised.slice(0, 64 - hash.length - 1)}-${hash}`;
}

/** `at(YYYY-MM-DDThh:mm:ss)` in UTC, rounded up to the second (a timer never fires early). */
export function atExpressionOf(fireAt: Date): string {
  const seconds = Math.ceil(fireAt.getTime() / 1000) * 1000;
  return `at(${new Date(seconds).toISOString().slice(0, 19)})`;
}

/** Creates the one-time schedules of timers. */
export interface TimerSchedules {
  /** 'exists' when a schedule of that name is already there (a duplicate delivery). */
  create(input: { name: string; fireAt: Date; firing: TimerFiring }): Promise<'created' | 'exists'>;
}

export interface SchedulerTarget {
  /** The timerElapsed function. */
  functionArn: string;
  /** The role Scheduler assumes to invoke it. */
  roleArn: string;
  /** Where Scheduler puts a firing it could not deliver. */
  deadLetterQueueArn?: string;
}

/** TimerSchedules on Amazon EventBridge Scheduler (the default group; AWS_ENDPOINT_URL_SCHEDULER locally). */
export class EventBridgeTimerSchedules implements TimerSchedules {
  constructor(private readonly target: SchedulerTarget, private readonly client: SchedulerClient = new SchedulerClient({})) {}

  async create(input: { name: string; fireAt: Date; firing: TimerFiring }): Promise<'created' | 'exists'> {
    try {
      await this.client.send(new CreateScheduleCommand({
        Name: input.name,
        GroupName: 'default',
        ScheduleExpression: atExpressionOf(input.fireAt),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: this.target.functionArn,
          RoleArn: this.target.roleArn,
          Input: JSON.stringify({ executionId: input.firing.executionId, timerId: input.firing.timerId }),
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
          ...(this.target.deadLetterQueueArn ? { DeadLetterConfig: { Arn: this.target.deadLetterQueueArn } } : {}),
        },
      }));
      return 'created';
    } catch (error) {
      if (error instanceof ConflictException || (error as { name?: string }).name === 'ConflictException') return 'exists';
      throw error;
    }
  }
}
