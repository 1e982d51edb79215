import { Ajv2020, type ValidateFunction, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import common from '../../../events/schemas/common.schema.json' with { type: 'json' };
import SourceServerDiscovered from '../../../events/schemas/SourceServerDiscovered.schema.json' with { type: 'json' };
import SourceServerChanged from '../../../events/schemas/SourceServerChanged.schema.json' with { type: 'json' };
import SourceServerRemoved from '../../../events/schemas/SourceServerRemoved.schema.json' with { type: 'json' };
import ProtectionGroupCreated from '../../../events/schemas/ProtectionGroupCreated.schema.json' with { type: 'json' };
import ProtectionGroupUpdated from '../../../events/schemas/ProtectionGroupUpdated.schema.json' with { type: 'json' };
import ProtectionGroupDeleted from '../../../events/schemas/ProtectionGroupDeleted.schema.json' with { type: 'json' };
import RecoveryPlanCreated from '../../../events/schemas/RecoveryPlanCreated.schema.json' with { type: 'json' };
import RecoveryPlanUpdated from '../../../events/schemas/RecoveryPlanUpdated.schema.json' with { type: 'json' };
import RecoveryPlanDeleted from '../../../events/schemas/RecoveryPlanDeleted.schema.json' with { type: 'json' };
import ExecutionStarted from '../../../events/schemas/ExecutionStarted.schema.json' with { type: 'json' };
import WaveStarted from '../../../events/schemas/WaveStarted.schema.json' with { type: 'json' };
import ServerLaunchRequested from '../../../events/schemas/ServerLaunchRequested.schema.json' with { type: 'json' };
import RecoveryJobStarted from '../../../events/schemas/RecoveryJobStarted.schema.json' with { type: 'json' };
import ServerLaunched from '../../../events/schemas/ServerLaunched.schema.json' with { type: 'json' };
import ServerLaunchFailed from '../../../events/schemas/ServerLaunchFailed.schema.json' with { type: 'json' };
import WaveCompleted from '../../../events/schemas/WaveCompleted.schema.json' with { type: 'json' };
import WaveFailed from '../../../events/schemas/WaveFailed.schema.json' with { type: 'json' };
import ExecutionCompleted from '../../../events/schemas/ExecutionCompleted.schema.json' with { type: 'json' };
import ExecutionFailed from '../../../events/schemas/ExecutionFailed.schema.json' with { type: 'json' };
import WaveSkipped from '../../../events/schemas/WaveSkipped.schema.json' with { type: 'json' };
import StepStarted from '../../../events/schemas/StepStarted.schema.json' with { type: 'json' };
import StepCompleted from '../../../events/schemas/StepCompleted.schema.json' with { type: 'json' };
import StepFailed from '../../../events/schemas/StepFailed.schema.json' with { type: 'json' };
import ApprovalRequested from '../../../events/schemas/ApprovalRequested.schema.json' with { type: 'json' };
import ApprovalGranted from '../../../events/schemas/ApprovalGranted.schema.json' with { type: 'json' };
import ApprovalRejected from '../../../events/schemas/ApprovalRejected.schema.json' with { type: 'json' };
import ApprovalTimedOut from '../../../events/schemas/ApprovalTimedOut.schema.json' with { type: 'json' };
import ExecutionPauseScheduled from '../../../events/schemas/ExecutionPauseScheduled.schema.json' with { type: 'json' };
import ExecutionPaused from '../../../events/schemas/ExecutionPaused.schema.json' with { type: 'json' };
import ExecutionResumed from '../../../events/schemas/ExecutionResumed.schema.json' with { type: 'json' };
import CancelRequested from '../../../events/schemas/CancelRequested.schema.json' with { type: 'json' };
import ExecutionCancelled from '../../../events/schemas/ExecutionCancelled.schema.json' with { type: 'json' };
import DrillCleanupStarted from '../../../events/schemas/DrillCleanupStarted.schema.json' with { type: 'json' };
import DrillCleanupCompleted from '../../../events/schemas/DrillCleanupCompleted.schema.json' with { type: 'json' };
import TimerScheduled from '../../../events/schemas/TimerScheduled.schema.json' with { type: 'json' };
import TimerElapsed from '../../../events/schemas/TimerElapsed.schema.json' with { type: 'json' };
import ServersRetried from '../../../events/schemas/ServersRetried.schema.json' with { type: 'json' };
import ExecutionStartRequested from '../../../events/schemas/ExecutionStartRequested.schema.json' with { type: 'json' };
import ExecutionStartRefused from '../../../events/schemas/ExecutionStartRefused.schema.json' with { type: 'json' };
import ServerVerified from '../../../events/schemas/ServerVerified.schema.json' with { type: 'json' };
import ServerVerificationFailed from '../../../events/schemas/ServerVerificationFailed.schema.json' with { type: 'json' };
import ServerVerificationRecorded from '../../../events/schemas/ServerVerificationRecorded.schema.json' with { type: 'json' };
import DRSSourceServerLaunchResult from '../../../events/schemas/aws/DRSSourceServerLaunchResult.schema.json' with { type: 'json' };
import DRSSourceServerDataReplicationStalledChange from '../../../events/schemas/aws/DRSSourceServerDataReplicationStalledChange.schema.json' with { type: 'json' };

/**
 * Every Lifeboat event schema, by detail-type. Schemas are imported (not read from disk) so that
 * they are bundled into each Lambda. A unit test checks this list against events/schemas.
 */
export const lifeboatEventSchemas = {
  SourceServerDiscovered, SourceServerChanged, SourceServerRemoved,
  ProtectionGroupCreated, ProtectionGroupUpdated, ProtectionGroupDeleted,
  RecoveryPlanCreated, RecoveryPlanUpdated, RecoveryPlanDeleted,
  ExecutionStarted, WaveStarted, ServerLaunchRequested, RecoveryJobStarted, ServerLaunched, ServerLaunchFailed,
  ServerVerificationRecorded, WaveCompleted, WaveFailed, ExecutionCompleted, ExecutionFailed,
  WaveSkipped, StepStarted, StepCompleted, StepFailed,
  ApprovalRequested, ApprovalGranted, ApprovalRejected, ApprovalTimedOut,
  ExecutionPauseScheduled, ExecutionPaused, ExecutionResumed, CancelRequested, ExecutionCancelled,
  DrillCleanupStarted, DrillCleanupCompleted, TimerScheduled, TimerElapsed, ServersRetried,
  ServerVerified, ServerVerificationFailed,
  ExecutionStartRequested, ExecutionStartRefused,
} as const;

/** Schemas of AWS events that Lifeboat consumes, by `source` and `detail-type`. */
export const awsEventSchemas: Record<string, Record<string, object>> = {
  'aws.drs': {
    'DRS Source Server Launch Result': DRSSourceServerLaunchResult,
    'DRS Source Server Data Replication Stalled Change': DRSSourceServerDataReplicationStalledChange,
  },
};

export type LifeboatEventType = keyof typeof lifeboatEventSchemas;

/** The service (`lifeboat.<service>`) that owns an event type, from the schema's x-lifeboat-source. */
export function sourceOf(type: LifeboatEventType): string {
  return (lifeboatEventSchemas[type] as { 'x-lifeboat-source': string })['x-lifeboat-source'];
}

export function isLifeboatEventType(type: string): type is LifeboatEventType {
  return Object.hasOwn(lifeboatEventSchemas, type);
}

/** Thrown when an event does not match its contract. */
export class EventValidationError extends Error {
  override readonly name = 'EventValidationError';
  constructor(
    readonly eventType: string,
    readonly problems: { path: string; message: string }[],
  ) {
    super(`${eventType} does not match its schema: ${problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`);
  }
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(key: string, schema: object): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    if (!ajv) {
      ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, keywords: ['x-lifeboat-source', 'x-aws-source', 'x-aws-detail-type'] });
      addFormats(ajv);
      ajv.addSchema(common);
    }
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

function problemsOf(errors: ErrorObject[] | null | undefined): { path: string; message: string }[] {
  return (errors ?? []).map((e) => ({ path: e.instancePath, message: e.message ?? 'is invalid' }));
}

/**
 * The sources whose events may be claim-checked: those of an event-sourced stream, which a
 * consumer reads back through the owner's API (the execution API's getExecutionEvents).
 */
export const CLAIM_CHECK_SOURCES: ReadonlySet<string> = new Set(['lifeboat.execution']);

/** Whether an event of this type may travel claim-checked (it still needs its stream position). */
export function isClaimCheckable(type: string): boolean {
  return isLifeboatEventType(type) && CLAIM_CHECK_SOURCES.has(sourceOf(type));
}

/** Whether a detail says it is claim-checked (`metadata.claimCheck`), valid or not. */
function saysClaimChecked(detail: unknown): boolean {
  const metadata = (detail as { metadata?: unknown } | null | undefined)?.metadata;
  return typeof metadata === 'object' && metadata !== null && (metadata as { claimCheck?: unknown }).claimCheck !== undefined;
}

const CLAIM_CHECKED_DETAIL = { $ref: `${common.$id}#/$defs/claimCheckedDetail` };

/**
 * Validates the `detail` ({ metadata, data }) of a Lifeboat event; throws EventValidationError.
 * A claim-checked detail (`metadata.claimCheck`) is valid when its metadata is, with its stream
 * position, and its data is `{}`: its type's data schema applies to the full event, once read
 * from the stream (resolveClaimCheck).
 */
export function validateEventDetail(type: string, detail: unknown): void {
  if (!isLifeboatEventType(type)) throw new EventValidationError(type, [{ path: '', message: 'is not a known Lifeboat event type' }]);
  if (saysClaimChecked(detail)) {
    if (!isClaimCheckable(type)) throw new EventValidationError(type, [{ path: '/metadata/claimCheck', message: `is not allowed: only events of ${[...CLAIM_CHECK_SOURCES].join(', ')} streams can be claim-checked` }]);
    const validate = validatorFor('claimCheckedDetail', CLAIM_CHECKED_DETAIL);
    if (!validate(detail)) throw new EventValidationError(type, problemsOf(validate.errors));
    return;
  }
  const validate = validatorFor(type, lifeboatEventSchemas[type]);
  if (!validate(detail)) throw new EventValidationError(type, problemsOf(validate.errors));
}

/** Validates the `detail` of an AWS service event (for example aws.drs) that Lifeboat consumes. */
export function validateAwsEventDetail(source: string, detailType: string, detail: unknown): void {
  const schema = awsEventSchemas[source]?.[detailType];
  if (!schema) throw new EventValidationError(`${source} ${detailType}`, [{ path: '', message: 'is not a consumed AWS event type' }]);
  const validate = validatorFor(`${source}|${detailType}`, schema);
  if (!validate(detail)) throw new EventValidationError(detailType, problemsOf(validate.errors));
}

/** Compiles every schema; used by tests and at start-up of the local runtime. */
export function compileAllSchemas(): string[] {
  const names: string[] = [];
  for (const [type, schema] of Object.entries(lifeboatEventSchemas)) { validatorFor(type, schema); names.push(type); }
  for (const [source, byType] of Object.entries(awsEventSchemas)) {
    for (const [detailType, schema] of Object.entries(byType)) { validatorFor(`${source}|${detailType}`, schema); names.push(`${source}/${detailType}`); }
  }
  return names;
}
