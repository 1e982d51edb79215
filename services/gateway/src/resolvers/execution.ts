/**
 * Resolvers of the execution mutations of graphql/schema.graphql: start, pause, resume, cancel,
 * approve / reject, retry, cleanup.
 *
 * Permissions mirror the execution service's: the gateway first checks the broader permission
 * (drill:run / drill:approve, which every holder of recovery:run / recovery:approve also holds),
 * then reads the execution's mode and checks the precise one (recovery:* for a RECOVERY), so that
 * an Operator controlling a RECOVERY is refused here, before any change is asked of the service.
 */
import type { Caller, ExecutionMode, Permission, PointInTime, StartExecutionOptions } from '@lifeboat/service-api';
import { ForbiddenError, ValidationError, may } from '@lifeboat/service-api';
import { authorize } from '../context.js';
import type { GatewayContext } from '../context.js';
import type { Maybe } from '../inputs.js';
import { optional } from '../inputs.js';
import { toExecution } from '../mapping.js';
import type { TypedServices } from '../services.js';
import type { Resolver } from './support.js';
import { renameFields, withFieldNames } from './support.js';

/** The service names the execution `executionId` where the schema's argument is `id`. */
const EXECUTION_ID = { executionId: 'id' };

type PointInTimeType = PointInTime['type'];

interface ServerPointInTimeArg {
  sourceServerId: string;
  type: PointInTimeType;
  snapshotId?: Maybe<string>;
  before?: Maybe<string>;
}
interface StartExecutionOptionsArg {
  waveIds?: Maybe<string[]>;
  sourceServerIds?: Maybe<string[]>;
  pointsInTime?: Maybe<ServerPointInTimeArg[]>;
}
export interface StartExecutionArgs {
  input: { planId: string; planVersion?: Maybe<number>; mode: ExecutionMode; confirmation?: Maybe<string>; options?: Maybe<StartExecutionOptionsArg> };
}
interface PauseArgs {
  id: string;
  beforeWaveId?: Maybe<string>;
}
interface IdArgs {
  id: string;
}
interface CancelArgs {
  id: string;
  terminateInstances?: Maybe<boolean>;
  reason?: Maybe<string>;
}
interface DecideArgs {
  executionId: string;
  approvalId: string;
  comment?: Maybe<string>;
}
interface RetryArgs {
  id: string;
  sourceServerIds?: Maybe<string[]>;
}

/** A point in time as the service takes it; the fields its type needs are checked by the service. */
function toPointInTime(arg: ServerPointInTimeArg, index: number): PointInTime {
  switch (arg.type) {
    case 'LATEST':
      return { type: 'LATEST' };
    case 'SNAPSHOT':
      if (!arg.snapshotId) throw new ValidationError([{ field: `options.pointsInTime[${index}].snapshotId`, message: 'is required for a SNAPSHOT' }]);
      return { type: 'SNAPSHOT', snapshotId: arg.snapshotId };
    case 'LATEST_BEFORE':
      if (!arg.before) throw new ValidationError([{ field: `options.pointsInTime[${index}].before`, message: 'is required for LATEST_BEFORE' }]);
      return { type: 'LATEST_BEFORE', before: arg.before };
    default:
      throw new ValidationError([{ field: `options.pointsInTime[${index}].type`, message: 'must be LATEST, SNAPSHOT or LATEST_BEFORE' }]);
  }
}

export function toStartOptions(options: Maybe<StartExecutionOptionsArg>): StartExecutionOptions {
  if (!options) return {};
  return {
    ...optional('waveIds', options.waveIds),
    ...optional('sourceServerIds', options.sourceServerIds),
    ...optional('pointsInTime', options.pointsInTime?.map((p, i) => ({ sourceServerId: p.sourceServerId, pointInTime: toPointInTime(p, i) }))),
  };
}

/** The service's fields of the start options are named within `input.options` here (`pointsInTime[0].pointInTime.before` → `options.pointsInTime[0].before`). */
export function optionsFieldOf(field: string): string {
  if (field === 'options') return 'options';
  const match = /^(waveIds|sourceServerIds|pointsInTime)(.*)$/.exec(field);
  if (!match) return field;
  return `options.${match[1] ?? ''}${(match[2] ?? '').replace('.pointInTime', '')}`;
}

function renameOptionFields(error: unknown): unknown {
  if (!(error instanceof ValidationError)) return error;
  const names: Record<string, string> = {};
  for (const p of error.problems) names[p.field] = optionsFieldOf(p.field);
  return renameFields(error, names);
}

const RUN = { DRILL: 'drill:run', RECOVERY: 'recovery:run' } as const satisfies Record<ExecutionMode, Permission>;
const APPROVE = { DRILL: 'drill:approve', RECOVERY: 'recovery:approve' } as const satisfies Record<ExecutionMode, Permission>;

export function executionMutations({ execution }: TypedServices) {
  /**
   * The caller, when it may do `action` on the execution: the broader permission first (no
   * service call without it), then the one of the execution's mode.
   */
  async function authorizeOn(context: GatewayContext, executionId: string, permissions: Record<ExecutionMode, Permission>, action: string, idField: string): Promise<Caller> {
    const caller = authorize(context, permissions.DRILL, action);
    const { mode } = await withFieldNames({ executionId: idField }, () => execution.call('getExecution', { executionId }, caller));
    const permission = permissions[mode];
    if (permission !== permissions.DRILL && !may(caller.roles, permission)) throw new ForbiddenError(`${action} of a ${mode} needs the ${permission} permission`);
    return caller;
  }

  const startExecution: Resolver<StartExecutionArgs> = async (_p, { input }, context) => {
    const permission = RUN[input.mode];
    const caller = authorize(context, permission, `startExecution of a ${input.mode}`);
    const options = toStartOptions(input.options);
    try {
      const view = await execution.call(
        'startExecution',
        { planId: input.planId, mode: input.mode, ...optional('planVersion', input.planVersion), ...optional('confirmation', input.confirmation), ...options },
        caller,
      );
      return toExecution(view);
    } catch (error) {
      throw renameOptionFields(error);
    }
  };

  const pauseExecution: Resolver<PauseArgs> = async (_p, { id, beforeWaveId }, context) => {
    const caller = await authorizeOn(context, id, RUN, 'pauseExecution', 'id');
    return toExecution(await withFieldNames(EXECUTION_ID, () => execution.call('pauseExecution', { executionId: id, ...optional('beforeWaveId', beforeWaveId) }, caller)));
  };
  const resumeExecution: Resolver<IdArgs> = async (_p, { id }, context) => {
    const caller = await authorizeOn(context, id, RUN, 'resumeExecution', 'id');
    return toExecution(await withFieldNames(EXECUTION_ID, () => execution.call('resumeExecution', { executionId: id }, caller)));
  };
  const cancelExecution: Resolver<CancelArgs> = async (_p, { id, terminateInstances, reason }, context) => {
    const caller = await authorizeOn(context, id, RUN, 'cancelExecution', 'id');
    const input = { executionId: id, ...optional('terminateInstances', terminateInstances), ...optional('reason', reason) };
    return toExecution(await withFieldNames(EXECUTION_ID, () => execution.call('cancelExecution', input, caller)));
  };
  const decide =
    (operation: 'approveStep' | 'rejectStep'): Resolver<DecideArgs> =>
    async (_p, { executionId, approvalId, comment }, context) => {
      const caller = await authorizeOn(context, executionId, APPROVE, operation, 'executionId');
      return toExecution(await execution.call(operation, { executionId, approvalId, ...optional('comment', comment) }, caller));
    };
  const retryFailedServers: Resolver<RetryArgs> = async (_p, { id, sourceServerIds }, context) => {
    const caller = await authorizeOn(context, id, RUN, 'retryFailedServers', 'id');
    return toExecution(await withFieldNames(EXECUTION_ID, () => execution.call('retryFailedServers', { executionId: id, ...optional('sourceServerIds', sourceServerIds) }, caller)));
  };
  const cleanupDrill: Resolver<IdArgs> = async (_p, { id }, context) => {
    const caller = authorize(context, 'drill:run', 'cleanupDrill');
    return toExecution(await withFieldNames(EXECUTION_ID, () => execution.call('cleanupDrill', { executionId: id }, caller)));
  };

  return { startExecution, pauseExecution, resumeExecution, cancelExecution, approveStep: decide('approveStep'), rejectStep: decide('rejectStep'), retryFailedServers, cleanupDrill };
}

