/**
 * From the services' views (contracts.ts) to the types of graphql/schema.graphql. Ids are named
 * `id` in GraphQL; optional fields become null.
 */
import type { DomainEvent } from '@lifeboat/events';
import type {
  ExecutionServerView,
  ExecutionView,
  ExecutionWaveView,
  ProtectionGroupView,
  RecoveryPlanView,
  SourceServerView,
  StoredEventView,
  WaveView,
} from '@lifeboat/service-api';

export interface Tag {
  key: string;
  value: string;
}

export function toTags(tags: Record<string, string> | undefined): Tag[] {
  return Object.entries(tags ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value }));
}

export function toSourceServer(view: SourceServerView) {
  return {
    id: view.sourceServerId,
    accountId: view.accountId,
    region: view.region,
    hostname: view.hostname,
    os: view.os,
    tags: toTags(view.tags),
    replicationState: view.replicationState,
    readyForRecovery: view.readyForRecovery,
  };
}

export function toProtectionGroup(view: ProtectionGroupView) {
  return { id: view.protectionGroupId, name: view.name, accountId: view.accountId, region: view.region, sourceServerIds: view.sourceServerIds };
}

export function toWave(view: WaveView) {
  return { id: view.waveId, name: view.name, dependsOn: view.dependsOn, launchOrder: view.launchOrder, protectionGroupIds: view.protectionGroupIds };
}

export function toRecoveryPlan(view: RecoveryPlanView) {
  return { id: view.planId, name: view.name, version: view.version, waves: view.waves.map(toWave), createdAt: view.createdAt, createdBy: view.createdBy };
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
