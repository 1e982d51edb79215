/**
 * From the services' views (contracts.ts) to the types of graphql/schema.graphql. Ids are named
 * `id` in GraphQL; optional fields become null.
 */
import type { DomainEvent } from '@lifeboat/events';
import type {
  ApprovalView,
  ConfigurationExport,
  DrillCleanupView,
  ExecutionStepView,
  ConfigurationImportResult,
  ConnectivityProbe,
  ExecutionServerView,
  ExecutionView,
  ExecutionWaveView,
  HealthCheckDocument,
  LaunchSettings,
  MembershipConflict,
  PlanFinding,
  PlanStep,
  PostLaunchActionView,
  ProtectionGroupPreview,
  ProtectionGroupView,
  RecoveryPlanDiff,
  RecoveryPlanSettings,
  RecoveryPlanValidation,
  RecoveryPlanVersionSummary,
  RecoveryPlanView,
  SavedRecoveryPlan,
  ServerLaunchOverride,
  ServerVerificationOverride,
  SourceServerView,
  SrmImportResult,
  StoredEventView,
  TargetAccountView,
  TargetRegionSyncView,
  TargetSyncResult,
  VerificationSettings,
  WaveInput,
  WaveServerSetting,
  WaveView,
  PointInTime,
} from '@lifeboat/service-api';
import { ROLES, may } from '@lifeboat/service-api';

export interface Tag {
  key: string;
  value: string;
}

/** A service's page (`items`, `nextToken`) as a Connection of the schema (`items`, `nextCursor`). */
export function toConnection<TView, TItem>(page: { items: readonly TView[]; nextToken: string | null }, toItem: (view: TView) => TItem): { items: TItem[]; nextCursor: string | null } {
  return { items: page.items.map(toItem), nextCursor: page.nextToken ?? null };
}

export function toTags(tags: Record<string, string> | undefined): Tag[] {
  return Object.entries(tags ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value }));
}

export function toSourceServer(view: SourceServerView) {
  const { replication, lastLaunch } = view;
  return {
    id: view.sourceServerId,
    accountId: view.accountId,
    region: view.region,
    arn: view.arn,
    hostname: view.hostname,
    fqdn: view.fqdn ?? null,
    os: view.os,
    osName: view.osName ?? null,
    tags: toTags(view.tags),
    stagingAccountId: view.stagingAccountId ?? null,
    replicationState: view.replicationState,
    readyForRecovery: view.readyForRecovery,
    notReadyReason: view.notReadyReason ?? null,
    replication: replication
      ? {
          state: replication.state,
          lag: replication.lagDuration ?? null,
          lagSeconds: replication.lagSeconds ?? null,
          eta: replication.etaDateTime ?? null,
          totalStorageBytes: replication.totalStorageBytes ?? null,
          replicatedStorageBytes: replication.replicatedStorageBytes ?? null,
          rescannedStorageBytes: replication.rescannedStorageBytes ?? null,
          backloggedStorageBytes: replication.backloggedStorageBytes ?? null,
          error: replication.error ?? null,
        }
      : null,
    lastLaunch: lastLaunch
      ? { type: lastLaunch.type ?? null, initiatedAt: lastLaunch.initiatedAt ?? null, jobId: lastLaunch.jobId ?? null, status: lastLaunch.status ?? null, result: lastLaunch.result ?? null }
      : null,
    recoveryInstanceId: view.recoveryInstanceId ?? null,
    protectionGroup: view.protectionGroupId ? { id: view.protectionGroupId, name: view.protectionGroupName ?? null } : null,
    lastSeenAt: view.lastSeenAt,
  };
}

function toRegionSync(view: TargetRegionSyncView) {
  return {
    region: view.region,
    status: view.status,
    lastAttemptAt: view.lastAttemptAt ?? null,
    lastSuccessAt: view.lastSuccessAt ?? null,
    error: view.error ? { code: view.error.code, message: view.error.message } : null,
    serverCount: view.serverCount ?? null,
    discovered: view.discovered ?? null,
    changed: view.changed ?? null,
    removed: view.removed ?? null,
    durationMs: view.durationMs ?? null,
  };
}

/** A target account: only the fields of the contract (never an external id). */
export function toTargetAccount(view: TargetAccountView) {
  return {
    accountId: view.accountId,
    regions: view.regions,
    roleArn: view.roleArn ?? null,
    hasExternalId: view.hasExternalId,
    isDefault: view.isDefault,
    createdAt: view.createdAt ?? null,
    createdBy: view.createdBy ?? null,
    updatedAt: view.updatedAt ?? null,
    updatedBy: view.updatedBy ?? null,
    sync: view.sync.map(toRegionSync),
  };
}

function toTargetSyncResult(result: TargetSyncResult) {
  return {
    accountId: result.accountId,
    region: result.region,
    status: result.status,
    discovered: result.discovered,
    changed: result.changed,
    removed: result.removed,
    serverCount: result.serverCount,
    error: result.error ? { code: result.error.code, message: result.error.message } : null,
  };
}

export function toSyncResult(result: { discovered: number; changed: number; removed: number; targets?: TargetSyncResult[] }) {
  return { discovered: result.discovered, changed: result.changed, removed: result.removed, targets: (result.targets ?? []).map(toTargetSyncResult) };
}

// ---- protection groups

function toLaunchSettings(settings: LaunchSettings) {
  return {
    subnetId: settings.subnetId ?? null,
    securityGroupIds: settings.securityGroupIds ?? null,
    instanceType: settings.instanceType ?? null,
    copyPrivateIp: settings.copyPrivateIp ?? null,
    copyTags: settings.copyTags ?? null,
    launchDisposition: settings.launchDisposition ?? null,
    rightSizing: settings.rightSizing ?? null,
  };
}

function toServerLaunchOverride(override: ServerLaunchOverride) {
  return { sourceServerId: override.sourceServerId, ...toLaunchSettings(override) };
}

function toPostLaunchAction(action: PostLaunchActionView) {
  return {
    actionId: action.actionId,
    documentName: action.documentName,
    documentVersion: action.documentVersion,
    parameters: action.parameters.map((p) => ({ name: p.name, value: p.value, type: p.type ?? null })),
    optional: action.optional,
    category: action.category,
    description: action.description,
    order: action.order,
  };
}

function toHealthCheck(check: HealthCheckDocument) {
  return { name: check.name ?? null, documentName: check.documentName, parameters: check.parameters ?? null, timeoutSeconds: check.timeoutSeconds ?? null };
}

function toProbe(probe: ConnectivityProbe) {
  const http = probe.type === 'HTTP' ? probe : undefined;
  return {
    type: probe.type,
    name: probe.name ?? null,
    port: probe.port,
    path: http?.path ?? null,
    https: http?.https ?? null,
    expectStatus: http?.expectStatus ?? null,
    timeoutSeconds: probe.timeoutSeconds ?? null,
  };
}

function toVerificationSettings(settings: VerificationSettings) {
  return {
    instanceTimeoutSeconds: settings.instanceTimeoutSeconds ?? null,
    requireSsmAgent: settings.requireSsmAgent ?? null,
    ssmAgentTimeoutSeconds: settings.ssmAgentTimeoutSeconds ?? null,
    healthChecks: settings.healthChecks?.map(toHealthCheck) ?? null,
    checkPostLaunchActions: settings.checkPostLaunchActions ?? null,
    probes: settings.probes?.map(toProbe) ?? null,
  };
}

function toServerVerificationOverride(override: ServerVerificationOverride) {
  return { sourceServerId: override.sourceServerId, ...toVerificationSettings(override) };
}

function toMembershipConflict(conflict: MembershipConflict) {
  return { sourceServerId: conflict.sourceServerId, protectionGroupId: conflict.protectionGroupId, protectionGroupName: conflict.protectionGroupName ?? null };
}

/** A group; views written before tag selectors, launch and verification settings have explicit members only and no settings. */
export function toProtectionGroup(view: ProtectionGroupView) {
  return {
    id: view.protectionGroupId,
    name: view.name,
    accountId: view.accountId,
    region: view.region,
    sourceServerIds: view.sourceServerIds,
    explicitSourceServerIds: view.explicitSourceServerIds ?? view.sourceServerIds,
    tagSelectors: (view.tagSelectors ?? []).map((selector) => ({ tags: toTags(selector.tags) })),
    launchDefaults: toLaunchSettings(view.launchDefaults ?? {}),
    serverLaunchOverrides: (view.serverLaunchOverrides ?? []).map(toServerLaunchOverride),
    postLaunchActions: (view.postLaunchActions ?? []).map(toPostLaunchAction),
    verification: toVerificationSettings(view.verification ?? {}),
    serverVerificationOverrides: (view.serverVerificationOverrides ?? []).map(toServerVerificationOverride),
    conflicts: (view.conflicts ?? []).map(toMembershipConflict),
    revision: view.revision ?? 1,
    createdAt: view.createdAt,
    createdBy: view.createdBy,
    updatedAt: view.updatedAt ?? null,
    updatedBy: view.updatedBy ?? null,
  };
}

export function toProtectionGroupPreview(preview: ProtectionGroupPreview) {
  return {
    sourceServerIds: preview.sourceServerIds,
    servers: preview.servers.map((s) => ({ sourceServerId: s.sourceServerId, hostname: s.hostname, replicationState: s.replicationState, matchedBy: s.matchedBy })),
    conflicts: preview.conflicts.map(toMembershipConflict),
  };
}

// ---- recovery plans

function toWaveServer(setting: WaveServerSetting) {
  return { sourceServerId: setting.sourceServerId, criticality: setting.criticality ?? 'CRITICAL', bootOrder: setting.bootOrder ?? null, delaySeconds: setting.delaySeconds ?? null };
}

/** Every type-specific field of PlanStep, null: each step sets those of its type. */
const NO_STEP_FIELDS = {
  durationSeconds: null,
  prompt: null,
  approverRole: null,
  timeoutSeconds: null,
  onTimeout: null,
  documentName: null,
  documentVersion: null,
  parameters: null,
  targetServerIds: null,
  onFailure: null,
  functionArn: null,
  payload: null,
};

export function toPlanStep(step: PlanStep) {
  const base = { ...NO_STEP_FIELDS, id: step.stepId, type: step.type, name: step.name };
  switch (step.type) {
    case 'WAIT':
      return { ...base, durationSeconds: step.durationSeconds };
    case 'APPROVAL':
      return { ...base, prompt: step.prompt, approverRole: step.approverRole ?? null, timeoutSeconds: step.timeoutSeconds, onTimeout: step.onTimeout };
    case 'SSM_DOCUMENT':
      return {
        ...base,
        documentName: step.documentName,
        documentVersion: step.documentVersion,
        parameters: step.parameters,
        targetServerIds: step.targetServerIds,
        timeoutSeconds: step.timeoutSeconds,
        onFailure: step.onFailure,
      };
    case 'LAMBDA':
      return { ...base, functionArn: step.functionArn, payload: step.payload, timeoutSeconds: step.timeoutSeconds, onFailure: step.onFailure };
    default: {
      const unknown: never = step;
      throw new Error(`Unknown step type ${JSON.stringify(unknown)}`);
    }
  }
}

export function toWave(view: WaveView) {
  return {
    id: view.waveId,
    name: view.name,
    dependsOn: view.dependsOn,
    launchOrder: view.launchOrder,
    protectionGroupIds: view.protectionGroupIds,
    sourceServerIds: view.sourceServerIds ?? [],
    servers: (view.servers ?? []).map(toWaveServer),
    preSteps: (view.preSteps ?? []).map(toPlanStep),
    postSteps: (view.postSteps ?? []).map(toPlanStep),
    errorPolicy: view.errorPolicy ?? 'STOP',
  };
}

function toPlanSettings(settings: RecoveryPlanSettings) {
  const { drill } = settings;
  return {
    rtoTargetMinutes: settings.rtoTargetMinutes ?? null,
    drill: drill ? { networkIsolation: drill.networkIsolation, subnetId: drill.subnetId ?? null, securityGroupIds: drill.securityGroupIds ?? [], autoCleanupAfterHours: drill.autoCleanupAfterHours ?? null } : null,
    notificationTargets: (settings.notificationTargets ?? []).map((t) => ({ type: t.type, address: t.address })),
    requireSecondApprover: settings.requireSecondApprover ?? false,
  };
}

export function toRecoveryPlan(view: RecoveryPlanView) {
  return {
    id: view.planId,
    name: view.name,
    description: view.description ?? null,
    version: view.version,
    waves: view.waves.map(toWave),
    settings: toPlanSettings(view.settings ?? {}),
    changeSummary: view.changeSummary ?? [],
    createdAt: view.createdAt,
    createdBy: view.createdBy,
  };
}

export function toPlanFinding(finding: PlanFinding) {
  return { severity: finding.severity, code: finding.code, field: finding.field, message: finding.message };
}

export function toSavedRecoveryPlan(view: SavedRecoveryPlan) {
  return { ...toRecoveryPlan(view), findings: view.findings.map(toPlanFinding) };
}

export function toPlanValidation(validation: RecoveryPlanValidation) {
  return { valid: validation.valid, findings: validation.findings.map(toPlanFinding) };
}

export function toPlanVersionSummary(summary: RecoveryPlanVersionSummary) {
  return {
    planId: summary.planId,
    version: summary.version,
    name: summary.name,
    changeSummary: summary.changeSummary,
    createdAt: summary.createdAt,
    createdBy: summary.createdBy,
    deleted: summary.deleted ?? false,
  };
}

export function toPlanDiff(diff: RecoveryPlanDiff) {
  return {
    planId: diff.planId,
    fromVersion: diff.fromVersion,
    toVersion: diff.toVersion,
    summary: diff.summary,
    waves: {
      added: diff.waves.added,
      removed: diff.waves.removed,
      changed: diff.waves.changed.map((c) => ({ waveId: c.waveId, name: c.name, changes: c.changes })),
    },
    planChanges: diff.planChanges,
  };
}

function toWaveDefinition(wave: WaveInput) {
  return {
    name: wave.name,
    dependsOn: wave.dependsOn ?? [],
    launchOrder: wave.launchOrder ?? 'PARALLEL',
    errorPolicy: wave.errorPolicy ?? null,
    protectionGroupIds: wave.protectionGroupIds ?? [],
    sourceServerIds: wave.sourceServerIds ?? [],
    servers: (wave.servers ?? []).map(toWaveServer),
  };
}

export function toSrmImportResult(result: SrmImportResult) {
  const { definition } = result;
  return {
    definition: {
      name: definition.name,
      description: definition.description ?? null,
      waves: definition.waves.map(toWaveDefinition),
      settings: definition.settings ? toPlanSettings(definition.settings) : null,
    },
    findings: result.findings.map(toPlanFinding),
    plan: result.plan ? toSavedRecoveryPlan(result.plan) : null,
  };
}

export function toConfigurationExport(result: ConfigurationExport) {
  return { format: result.format, content: result.content, documents: result.documents.map((d) => ({ kind: d.kind, name: d.name, id: d.id === '' ? null : d.id })) };
}

export function toConfigurationImportResult(result: ConfigurationImportResult) {
  return {
    dryRun: result.dryRun,
    documents: result.documents.map((d) => ({ kind: d.kind, name: d.name, id: d.id ?? null, action: d.action })),
    findings: result.findings.map(toPlanFinding),
  };
}

export function toExecutionServer(view: ExecutionServerView) {
  return {
    sourceServerId: view.sourceServerId,
    hostname: view.hostname,
    accountId: view.accountId,
    region: view.region,
    criticality: view.criticality,
    status: view.status,
    jobId: view.jobId ?? null,
    recoveryInstanceId: view.recoveryInstanceId ?? null,
    ec2InstanceId: view.ec2InstanceId ?? null,
    checks: view.checks.map((check) => ({ name: check.name, status: check.status, durationMs: check.durationMs, output: check.output ?? null })),
    launchedAt: view.launchedAt ?? null,
    verifiedAt: view.verifiedAt ?? null,
    pointInTime: view.pointInTime ? toPointInTime(view.pointInTime) : null,
    attempts: view.attempts ?? (view.status === 'PENDING' ? 0 : 1),
  };
}

export function toPointInTime(point: PointInTime) {
  return {
    type: point.type,
    snapshotId: point.type === 'SNAPSHOT' ? point.snapshotId : null,
    before: point.type === 'LATEST_BEFORE' ? point.before : null,
  };
}

export function toExecutionStep(view: ExecutionStepView) {
  return {
    id: view.stepId,
    type: view.type,
    name: view.name,
    status: view.status,
    startedAt: view.startedAt ?? null,
    completedAt: view.completedAt ?? null,
    output: view.output ?? null,
    reason: view.reason ?? null,
    onFailure: view.onFailure ?? null,
    dueAt: view.dueAt ?? null,
  };
}

/** The roles whose members may decide an approval: they hold its permission, and its role when set (Admin always may). */
export function approverRolesOf(approval: Pick<ApprovalView, 'permission' | 'approverRole'>): string[] {
  return ROLES.filter((role) => may([role], approval.permission) && (!approval.approverRole || role === approval.approverRole || role === 'Admin'));
}

export function toApproval(view: ApprovalView) {
  return {
    id: view.approvalId,
    kind: view.kind,
    waveId: view.waveId ?? null,
    stepId: view.stepId ?? null,
    prompt: view.prompt,
    status: view.status,
    permission: view.permission,
    approverRole: view.approverRole ?? null,
    approverRoles: approverRolesOf(view),
    excludedUserIds: view.excludedUserIds,
    requestedAt: view.requestedAt,
    expiresAt: view.expiresAt ?? null,
    decidedAt: view.decidedAt ?? null,
    decidedBy: view.decidedBy ?? null,
    comment: view.comment ?? null,
  };
}

export function toDrillCleanup(view: DrillCleanupView) {
  return {
    status: view.status,
    trigger: view.trigger,
    startedAt: view.startedAt,
    completedAt: view.completedAt ?? null,
    recoveryInstanceIds: view.recoveryInstanceIds,
    terminatedRecoveryInstanceIds: view.terminatedRecoveryInstanceIds,
    failed: view.failed.map((f) => ({ recoveryInstanceId: f.recoveryInstanceId, reason: f.reason })),
  };
}

export function toExecutionWave(view: ExecutionWaveView) {
  return {
    id: view.waveId,
    name: view.name,
    dependsOn: view.dependsOn,
    launchOrder: view.launchOrder,
    status: view.status,
    startedAt: view.startedAt ?? null,
    completedAt: view.completedAt ?? null,
    servers: view.servers.map(toExecutionServer),
    errorPolicy: view.errorPolicy ?? null,
    preSteps: (view.preSteps ?? []).map(toExecutionStep),
    postSteps: (view.postSteps ?? []).map(toExecutionStep),
    skipped: view.skippedAt !== undefined,
    skippedAt: view.skippedAt ?? null,
    skipReason: view.skipReason ?? null,
    failureReason: view.failureReason ?? null,
  };
}

export function toExecution(view: ExecutionView) {
  return {
    id: view.executionId,
    planId: view.planId,
    planVersion: view.planVersion,
    planName: view.planName,
    mode: view.mode,
    status: view.status,
    startedAt: view.startedAt,
    completedAt: view.completedAt ?? null,
    startedBy: view.startedBy,
    version: view.version,
    waves: view.waves.map(toExecutionWave),
    failureReason: view.failureReason ?? null,
    pausedAt: view.pausedAt ?? null,
    pausedBeforeWaveId: view.pausedBeforeWaveId ?? null,
    pauseBeforeWaveIds: view.pauseBeforeWaveIds ?? [],
    cancelRequestedAt: view.cancelRequestedAt ?? null,
    cancelRequestedBy: view.cancelRequestedBy ?? null,
    terminateInstancesOnCancel: view.terminateInstancesOnCancel ?? false,
    approvals: (view.approvals ?? []).map(toApproval),
    cleanup: view.cleanup ? toDrillCleanup(view.cleanup) : null,
    retries: view.retries ?? 0,
  };
}

export function toExecutionEvent(view: StoredEventView) {
  return {
    streamVersion: view.streamVersion,
    eventId: view.eventId,
    type: view.type,
    occurredAt: view.occurredAt,
    actor: view.actor,
    data: view.data,
    previousHash: view.previousHash ?? null,
    hash: view.hash,
  };
}

/**
 * A stream event as it travels on the bus, in the shape the execution service stores it; undefined
 * when it lacks its stream position (only events of an event-sourced stream have one).
 */
export function storedEventOf(event: DomainEvent): StoredEventView | undefined {
  const { metadata } = event;
  if (typeof metadata.streamVersion !== 'number' || typeof metadata.hash !== 'string') return undefined;
  return {
    streamVersion: metadata.streamVersion,
    eventId: metadata.eventId,
    type: event.type,
    occurredAt: metadata.occurredAt,
    actor: metadata.actor.id,
    data: event.data,
    previousHash: metadata.previousHash ?? null,
    hash: metadata.hash,
  };
}
