/**
 * From the input types of graphql/schema.graphql to the services' inputs (contracts/*.ts).
 * GraphQL answers an omitted optional field as absent or null; the services take absent only, so
 * null fields are left out. Tags travel as [{ key, value }] in GraphQL and as a map in the
 * services. Everything else the services validate themselves, naming each field.
 */
import type {
  ConnectivityProbe,
  Criticality,
  DocumentFormat,
  DrillNetworkIsolation,
  ErrorPolicy,
  FieldProblem,
  HealthCheckDocument,
  LaunchActionCategory,
  LaunchDisposition,
  LaunchOrder,
  LaunchSettings,
  ListSourceServersInput,
  NotificationTarget,
  PostLaunchActionInput,
  ProtectionGroupDefinition,
  RecoveryPlanDefinition,
  RecoveryPlanSettings,
  RightSizingMethod,
  Role,
  ServerLaunchOverride,
  ServerVerificationOverride,
  SourceServerFilter,
  SrmPriorityInput,
  StepFailureAction,
  StepInput,
  StepType,
  TagSelector,
  VerificationSettings,
  WaveInput,
  WaveServerSetting,
} from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';

/** An optional field of a GraphQL input: absent, null or a value. */
export type Maybe<T> = T | null | undefined;

type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : null extends T[K] ? K : never }[keyof T];
type RequiredKeys<T> = Exclude<keyof T, OptionalKeys<T>>;

/** An input object with its null fields left out. */
export type Given<T> = { [K in RequiredKeys<T>]: T[K] } & { [K in OptionalKeys<T>]?: Exclude<T[K], null | undefined> };

/** The fields of an input object that were given (null and absent fields left out; one level). */
export function given<T extends object>(value: T): Given<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null && field !== undefined)) as Given<T>;
}

/** `{ [key]: value }` when the value was given, else nothing (to spread into an input). */
export function optional<K extends string, V>(key: K, value: V | null | undefined): Partial<Record<K, V>> {
  return value === null || value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

// ---- argument shapes (graphql/schema.graphql)

export interface TagArg {
  key: string;
  value: string;
}

export interface SourceServerFilterArg {
  accountId?: Maybe<string>;
  region?: Maybe<string>;
  replicationState?: Maybe<string>;
  ready?: Maybe<boolean>;
  protectionGroupId?: Maybe<string>;
  unassigned?: Maybe<boolean>;
  tag?: Maybe<{ key: string; value?: Maybe<string> }>;
  search?: Maybe<string>;
}

export interface SourceServerSortArg {
  field: 'HOSTNAME';
  direction?: Maybe<'ASC' | 'DESC'>;
}

export interface LaunchSettingsArg {
  subnetId?: Maybe<string>;
  securityGroupIds?: Maybe<string[]>;
  instanceType?: Maybe<string>;
  copyPrivateIp?: Maybe<boolean>;
  copyTags?: Maybe<boolean>;
  launchDisposition?: Maybe<LaunchDisposition>;
  rightSizing?: Maybe<RightSizingMethod>;
}

export interface ServerLaunchOverrideArg extends LaunchSettingsArg {
  sourceServerId: string;
}

export interface PostLaunchActionArg {
  documentName: string;
  documentVersion?: Maybe<string>;
  parameters?: Maybe<{ name: string; value: string; type?: Maybe<'DYNAMIC' | 'SSM_STORE'> }[]>;
  optional?: Maybe<boolean>;
  category?: Maybe<LaunchActionCategory>;
  description?: Maybe<string>;
}

export interface HealthCheckDocumentArg {
  name?: Maybe<string>;
  documentName: string;
  parameters?: Maybe<Record<string, string[]>>;
  timeoutSeconds?: Maybe<number>;
}

export interface ConnectivityProbeArg {
  type: ConnectivityProbe['type'];
  name?: Maybe<string>;
  port: number;
  path?: Maybe<string>;
  https?: Maybe<boolean>;
  expectStatus?: Maybe<number>;
  timeoutSeconds?: Maybe<number>;
}

export interface VerificationSettingsArg {
  instanceTimeoutSeconds?: Maybe<number>;
  requireSsmAgent?: Maybe<boolean>;
  ssmAgentTimeoutSeconds?: Maybe<number>;
  healthChecks?: Maybe<HealthCheckDocumentArg[]>;
  checkPostLaunchActions?: Maybe<boolean>;
  probes?: Maybe<ConnectivityProbeArg[]>;
}

export interface ServerVerificationOverrideArg extends VerificationSettingsArg {
  sourceServerId: string;
}

/** The definition fields shared by create, update and preview of a protection group. */
export interface ProtectionGroupFieldsArg {
  accountId: string;
  region: string;
  sourceServerIds?: Maybe<string[]>;
  tagSelectors?: Maybe<{ tags: TagArg[] }[]>;
  launchDefaults?: Maybe<LaunchSettingsArg>;
  serverLaunchOverrides?: Maybe<ServerLaunchOverrideArg[]>;
  postLaunchActions?: Maybe<PostLaunchActionArg[]>;
  verification?: Maybe<VerificationSettingsArg>;
  serverVerificationOverrides?: Maybe<ServerVerificationOverrideArg[]>;
}

export interface WaveServerArg {
  sourceServerId: string;
  criticality?: Maybe<Criticality>;
  bootOrder?: Maybe<number>;
  delaySeconds?: Maybe<number>;
}

export interface PlanStepArg {
  type: StepType;
  name?: Maybe<string>;
  durationSeconds?: Maybe<number>;
  prompt?: Maybe<string>;
  approverRole?: Maybe<Role>;
  timeoutSeconds?: Maybe<number>;
  onTimeout?: Maybe<StepFailureAction>;
  documentName?: Maybe<string>;
  documentVersion?: Maybe<string>;
  parameters?: Maybe<Record<string, string[]>>;
  targetServerIds?: Maybe<string[]>;
  onFailure?: Maybe<StepFailureAction>;
  functionArn?: Maybe<string>;
  payload?: Maybe<Record<string, unknown>>;
}

export interface WaveArg {
  name: string;
  dependsOn?: Maybe<string[]>;
  launchOrder?: Maybe<LaunchOrder>;
  protectionGroupIds?: Maybe<string[]>;
  sourceServerIds?: Maybe<string[]>;
  servers?: Maybe<WaveServerArg[]>;
  preSteps?: Maybe<PlanStepArg[]>;
  postSteps?: Maybe<PlanStepArg[]>;
  errorPolicy?: Maybe<ErrorPolicy>;
}

export interface RecoveryPlanSettingsArg {
  rtoTargetMinutes?: Maybe<number>;
  drill?: Maybe<{ networkIsolation: DrillNetworkIsolation; subnetId?: Maybe<string>; securityGroupIds?: Maybe<string[]>; autoCleanupAfterHours?: Maybe<number> }>;
  notificationTargets?: Maybe<NotificationTarget[]>;
  requireSecondApprover?: Maybe<boolean>;
}

/** The definition fields shared by create, update and validation of a recovery plan. */
export interface RecoveryPlanFieldsArg {
  name: string;
  description?: Maybe<string>;
  waves: WaveArg[];
  settings?: Maybe<RecoveryPlanSettingsArg>;
}

export interface SrmPriorityArg {
  priority: number;
  protectionGroupIds?: Maybe<string[]>;
  sourceServerIds?: Maybe<string[]>;
  servers?: Maybe<WaveServerArg[]>;
}

export interface ImportSrmPrioritiesArg {
  name: string;
  description?: Maybe<string>;
  priorities: SrmPriorityArg[];
  settings?: Maybe<RecoveryPlanSettingsArg>;
  dryRun?: Maybe<boolean>;
}

export interface ImportConfigurationArg {
  content: string;
  format?: Maybe<DocumentFormat>;
  dryRun?: Maybe<boolean>;
}

// ---- conversions

/**
 * Tags as a map; a key given twice is a problem at `field[i].key` (a map cannot hold both).
 */
export function tagMap(tags: readonly TagArg[], field: string, problems: FieldProblem[]): Record<string, string> {
  const map: Record<string, string> = {};
  const firstIndex = new Map<string, number>();
  tags.forEach(({ key, value }, i) => {
    const first = firstIndex.get(key);
    if (first !== undefined) problems.push({ field: `${field}[${i}].key`, message: `'${key}' is already given at ${field}[${first}]: a tag key is given once` });
    else {
      firstIndex.set(key, i);
      map[key] = value;
    }
  });
  return map;
}

/** Throws one ValidationError listing every problem the gateway found itself. */
function refuse(problems: readonly FieldProblem[]): void {
  if (problems.length > 0) throw new ValidationError([...problems]);
}

/** listSourceServers' input from `sourceServers(first, after, filter, sort)`. */
export function toListSourceServersInput(args: { first: number; after?: Maybe<string>; filter?: Maybe<SourceServerFilterArg>; sort?: Maybe<SourceServerSortArg> }): ListSourceServersInput {
  let filter: SourceServerFilter | undefined;
  if (args.filter) {
    const { tag, ...rest } = args.filter;
    filter = { ...given(rest), ...optional('tag', tag ? given(tag) : undefined) };
  }
  return { limit: args.first, ...optional('nextToken', args.after), ...optional('filter', filter), ...optional('sort', args.sort ? given(args.sort) : undefined) };
}

function toLaunchSettings(settings: LaunchSettingsArg): LaunchSettings {
  return given(settings);
}

function toOverride(override: ServerLaunchOverrideArg): ServerLaunchOverride {
  return given(override);
}

function toPostLaunchAction(action: PostLaunchActionArg): PostLaunchActionInput {
  const { parameters, ...rest } = action;
  return { ...given(rest), ...optional('parameters', parameters?.map((parameter) => given(parameter))) };
}

/**
 * Verification settings with null fields left out. A probe's HTTP-only fields on a TCP probe are
 * passed on (planning refuses them, naming the field).
 */
function toVerificationSettings(settings: VerificationSettingsArg): VerificationSettings {
  const { healthChecks, probes, ...rest } = settings;
  return {
    ...given(rest),
    ...optional('healthChecks', healthChecks?.map((check): HealthCheckDocument => given(check))),
    ...optional('probes', probes?.map((probe) => given(probe) as ConnectivityProbe)),
  };
}

function toVerificationOverride(override: ServerVerificationOverrideArg): ServerVerificationOverride {
  return { ...toVerificationSettings(override), sourceServerId: override.sourceServerId };
}

/** A protection group definition; `name` is left out when not given (a preview). */
export function toProtectionGroupFields(input: ProtectionGroupFieldsArg): Omit<ProtectionGroupDefinition, 'name'> {
  const problems: FieldProblem[] = [];
  const tagSelectors: TagSelector[] | undefined = input.tagSelectors?.map((selector, i) => ({ tags: tagMap(selector.tags, `tagSelectors[${i}].tags`, problems) }));
  refuse(problems);
  return {
    accountId: input.accountId,
    region: input.region,
    ...optional('sourceServerIds', input.sourceServerIds),
    ...optional('tagSelectors', tagSelectors),
    ...optional('launchDefaults', input.launchDefaults ? toLaunchSettings(input.launchDefaults) : undefined),
    ...optional('serverLaunchOverrides', input.serverLaunchOverrides?.map(toOverride)),
    ...optional('postLaunchActions', input.postLaunchActions?.map(toPostLaunchAction)),
    ...optional('verification', input.verification ? toVerificationSettings(input.verification) : undefined),
    ...optional('serverVerificationOverrides', input.serverVerificationOverrides?.map(toVerificationOverride)),
  };
}

export function toProtectionGroupDefinition(input: ProtectionGroupFieldsArg & { name: string }): ProtectionGroupDefinition {
  return { name: input.name, ...toProtectionGroupFields(input) };
}

function toWaveServer(server: WaveServerArg): WaveServerSetting {
  return given(server);
}

/**
 * A step: its type and the fields given. The service checks the fields against the type (required
 * ones present, those of other types refused), so the union is not narrowed here.
 */
function toStep(step: PlanStepArg): StepInput {
  return given(step) as StepInput;
}

function toWave(wave: WaveArg): WaveInput {
  const { servers, preSteps, postSteps, ...rest } = wave;
  return {
    ...given(rest),
    ...optional('servers', servers?.map(toWaveServer)),
    ...optional('preSteps', preSteps?.map(toStep)),
    ...optional('postSteps', postSteps?.map(toStep)),
  };
}

function toSettings(settings: RecoveryPlanSettingsArg): RecoveryPlanSettings {
  const { drill, ...rest } = settings;
  return { ...given(rest), ...optional('drill', drill ? given(drill) : undefined) };
}

export function toRecoveryPlanDefinition(input: RecoveryPlanFieldsArg): RecoveryPlanDefinition {
  return {
    name: input.name,
    ...optional('description', input.description),
    waves: input.waves.map(toWave),
    ...optional('settings', input.settings ? toSettings(input.settings) : undefined),
  };
}

export function toSrmImportInput(input: ImportSrmPrioritiesArg): { name: string; description?: string; priorities: SrmPriorityInput[]; settings?: RecoveryPlanSettings; dryRun?: boolean } {
  return {
    name: input.name,
    ...optional('description', input.description),
    priorities: input.priorities.map(({ servers, ...rest }) => ({ ...given(rest), ...optional('servers', servers?.map(toWaveServer)) })),
    ...optional('settings', input.settings ? toSettings(input.settings) : undefined),
    ...optional('dryRun', input.dryRun),
  };
}
