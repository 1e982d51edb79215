/**
 * graphql/schema.graphql as a contract: every type, field, argument and input field is described,
 * and each enum the services define has exactly the services' values (checked against the
 * contract types at compile time through the Record keys below), and the operations of existing
 * clients stay valid.
 */
import { describe, expect, it } from '@jest/globals';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedDirective, isSpecifiedScalarType, parse, validate } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import type {
  ApprovalView,
  DrillCleanupView,
  ExecutionStatus,
  ExecutionStepView,
  PointInTime,
  WaveStatus,
  Criticality,
  DocumentFormat,
  DrillNetworkIsolation,
  ErrorPolicy,
  ExecutionMode,
  FindingSeverity,
  LaunchActionCategory,
  LaunchDisposition,
  LaunchOrder,
  NotificationTarget,
  PostLaunchActionView,
  ProtectionGroupPreviewServer,
  RightSizingMethod,
  Role,
  StepFailureAction,
  StepType,
  TargetAccountView,
  TargetSyncResult,
  ConfigurationImportResult,
  ConnectivityProbe,
} from '@lifeboat/service-api';
import { createGatewaySchema, typeDefs } from '../src/schema.js';
import { fakeServices } from './fixtures.js';

const schema = buildSchema(typeDefs);

type Values<T extends string> = Record<T, true>;
const SERVICE_ENUMS: Record<string, Record<string, true>> = {
  ExecutionMode: { DRILL: true, RECOVERY: true } satisfies Values<ExecutionMode>,
  LaunchOrder: { PARALLEL: true, SEQUENTIAL: true } satisfies Values<LaunchOrder>,
  Criticality: { CRITICAL: true, OPTIONAL: true } satisfies Values<Criticality>,
  Role: { Viewer: true, Operator: true, PlanAuthor: true, RecoveryManager: true, Admin: true } satisfies Values<Role>,
  LaunchDisposition: { STARTED: true, STOPPED: true } satisfies Values<LaunchDisposition>,
  RightSizingMethod: { NONE: true, BASIC: true, IN_AWS: true } satisfies Values<RightSizingMethod>,
  LaunchActionCategory: { MONITORING: true, VALIDATION: true, CONFIGURATION: true, SECURITY: true, OTHER: true } satisfies Values<LaunchActionCategory>,
  LaunchActionParameterType: { DYNAMIC: true, SSM_STORE: true } satisfies Values<NonNullable<PostLaunchActionView['parameters'][number]['type']>>,
  MemberMatch: { EXPLICIT: true, TAGS: true } satisfies Values<ProtectionGroupPreviewServer['matchedBy']>,
  ProbeType: { TCP: true, HTTP: true } satisfies Values<ConnectivityProbe['type']>,
  ErrorPolicy: { STOP: true, CONTINUE: true } satisfies Values<ErrorPolicy>,
  StepType: { WAIT: true, APPROVAL: true, SSM_DOCUMENT: true, LAMBDA: true } satisfies Values<StepType>,
  StepFailureAction: { FAIL: true, CONTINUE: true } satisfies Values<StepFailureAction>,
  DrillNetworkIsolation: { ISOLATED_VPC: true, CUSTOM_SUBNET: true } satisfies Values<DrillNetworkIsolation>,
  NotificationTargetType: { SNS_TOPIC: true, EMAIL: true, WEBHOOK: true } satisfies Values<NotificationTarget['type']>,
  FindingSeverity: { ERROR: true, WARNING: true, INFO: true } satisfies Values<FindingSeverity>,
  DocumentFormat: { YAML: true, JSON: true } satisfies Values<DocumentFormat>,
  ConfigurationDocumentKind: { ProtectionGroup: true, RecoveryPlan: true } satisfies Values<ConfigurationImportResult['documents'][number]['kind']>,
  ImportAction: { CREATE: true, UPDATE: true, UNCHANGED: true } satisfies Values<ConfigurationImportResult['documents'][number]['action']>,
  TargetSyncStatus: { NEVER_SYNCED: true, SUCCEEDED: true, FAILED: true } satisfies Values<TargetAccountView['sync'][number]['status']>,
  SyncOutcome: { SUCCEEDED: true, FAILED: true } satisfies Values<TargetSyncResult['status']>,
  ExecutionStatus: { RUNNING: true, PAUSED: true, CANCELLING: true, COMPLETED: true, FAILED: true, CANCELLED: true } satisfies Values<ExecutionStatus>,
  WaveStatus: { PENDING: true, RUNNING: true, COMPLETED: true, FAILED: true } satisfies Values<WaveStatus>,
  StepStatus: { PENDING: true, RUNNING: true, WAITING_FOR_APPROVAL: true, COMPLETED: true, FAILED: true } satisfies Values<ExecutionStepView['status']>,
  ApprovalStatus: { PENDING: true, GRANTED: true, REJECTED: true, TIMED_OUT: true, WITHDRAWN: true } satisfies Values<ApprovalView['status']>,
  ApprovalKind: { SECOND_APPROVER: true, STEP: true } satisfies Values<ApprovalView['kind']>,
  PointInTimeType: { LATEST: true, SNAPSHOT: true, LATEST_BEFORE: true } satisfies Values<PointInTime['type']>,
  DrillCleanupStatus: { IN_PROGRESS: true, COMPLETED: true } satisfies Values<DrillCleanupView['status']>,
  DrillCleanupTrigger: { ON_DEMAND: true, TTL: true, CANCEL: true } satisfies Values<DrillCleanupView['trigger']>,
};

/** Every type, field, argument, enum value, input field and custom directive of a schema that has no description, by name. */
function undescribedIn(subject: GraphQLSchema): string[] {
  const undescribed: string[] = [];
  for (const type of Object.values(subject.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    if (!type.description) undescribed.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) undescribed.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (!arg.description) undescribed.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isInputObjectType(type)) for (const field of Object.values(type.getFields())) if (!field.description) undescribed.push(`${type.name}.${field.name}`);
    if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) undescribed.push(`${type.name}.${value.name}`);
  }
  for (const directive of subject.getDirectives()) {
    if (isSpecifiedDirective(directive)) continue;
    if (!directive.description) undescribed.push(`@${directive.name}`);
    for (const arg of directive.args) if (!arg.description) undescribed.push(`@${directive.name}(${arg.name})`);
  }
  return undescribed;
}

describe('graphql/schema.graphql', () => {
  it('describes every type, field, argument, enum value and input field', () => {
    expect(undescribedIn(schema)).toEqual([]);
  });

  it('keeps every description in the schema the gateway serves (what introspection shows)', () => {
    const served = createGatewaySchema(fakeServices());
    expect(undescribedIn(served)).toEqual([]);
    // The walk names what it finds undescribed (the check is not vacuous).
    expect(undescribedIn(buildSchema('"Q." type Query { "F." f(a: Int): E } enum E { "V." V W } input I { x: Int }'))).toEqual(['Query.f(a)', 'E', 'E.W', 'I', 'I.x']);
  });

  it.each(Object.entries(SERVICE_ENUMS))('enum %s has exactly the services values', (name, values) => {
    const type = schema.getType(name);
    if (!isEnumType(type)) throw new Error(`${name} is not an enum of the schema`);
    expect(type.getValues().map((v) => v.name).sort()).toEqual(Object.keys(values).sort());
  });
});

describe('existing clients', () => {
  it('every operation of the static web console is valid against the schema', async () => {
    const webConsole = new URL('../../../packages/web/public/app.js', import.meta.url).href;
    const { OPERATIONS } = (await import(webConsole)) as { OPERATIONS: Record<string, string> };
    const names = Object.keys(OPERATIONS);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect({ name, errors: validate(schema, parse(OPERATIONS[name] ?? '')).map((e) => e.message) }).toEqual({ name, errors: [] });
  });
});
