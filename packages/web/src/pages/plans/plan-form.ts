/**
 * The recovery plan builder's state and its translation to the API's WaveInput / PlanStepInput.
 * Waves refer to each other by a local key while they are edited (renaming a wave keeps its
 * dependencies); the input names them, as the API wants. A wave's servers are those of its
 * protection groups and its single servers; the builder keeps their boot order as a list and
 * sends it as bootOrder 1, 2, ... for a SEQUENTIAL wave only.
 */
import type { DrillNetworkIsolation, ErrorPolicy, LaunchOrder, NotificationTargetType, PlanStep, RecoveryPlan, RoleName, StepFailureAction, StepType, Wave } from './api.js';
import { idList, jsonValue, wholeNumber } from '../protection-groups/form-support.js';
import type { FieldProblem } from '../protection-groups/form-support.js';
import { compact } from '../protection-groups/group-form.js';
import type { InputObject } from '../protection-groups/group-form.js';

export interface StepForm {
  key: string;
  type: StepType;
  name: string;
  durationSeconds: string;
  prompt: string;
  approverRole: '' | RoleName;
  timeoutSeconds: string;
  onTimeout: '' | StepFailureAction;
  documentName: string;
  documentVersion: string;
  parameters: string;
  targetServerIds: string[];
  onFailure: '' | StepFailureAction;
  functionArn: string;
  payload: string;
}

export interface WaveForm {
  key: string;
  name: string;
  /** Keys of the waves it depends on. */
  dependsOn: string[];
  launchOrder: LaunchOrder;
  errorPolicy: ErrorPolicy;
  protectionGroupIds: string[];
  sourceServerIds: string[];
  /** Preferred launch order of its servers (SEQUENTIAL); servers not listed follow in the wave's order. */
  bootOrder: string[];
  /** Servers whose failure does not fail the wave. */
  optionalServers: string[];
  /** SEQUENTIAL: seconds to wait before launching a server, by server id (text while edited). */
  delays: Record<string, string>;
  preSteps: StepForm[];
  postSteps: StepForm[];
}

export interface PlanForm {
  name: string;
  description: string;
  rtoTargetMinutes: string;
  requireSecondApprover: boolean;
  drillEnabled: boolean;
  drillNetworkIsolation: DrillNetworkIsolation;
  drillSubnetId: string;
  drillSecurityGroupIds: string;
  drillAutoCleanupAfterHours: string;
  notificationTargets: { type: NotificationTargetType; address: string }[];
  waves: WaveForm[];
}

let keySequence = 0;
/** A key for a new wave or step, unique within the page's lifetime. */
export function newKey(prefix: string): string {
  keySequence += 1;
  return `${prefix}-${keySequence}`;
}

export function emptyStep(type: StepType): StepForm {
  return {
    key: newKey('step'),
    type,
    name: '',
    durationSeconds: type === 'WAIT' ? '60' : '',
    prompt: type === 'APPROVAL' ? 'Continue with the next wave?' : '',
    approverRole: '',
    timeoutSeconds: '',
    onTimeout: '',
    documentName: '',
    documentVersion: '',
    parameters: '',
    targetServerIds: [],
    onFailure: '',
    functionArn: '',
    payload: '',
  };
}

export function emptyWave(name: string, dependsOn: string[] = []): WaveForm {
  return {
    key: newKey('wave'),
    name,
    dependsOn,
    launchOrder: 'PARALLEL',
    errorPolicy: 'STOP',
    protectionGroupIds: [],
    sourceServerIds: [],
    bootOrder: [],
    optionalServers: [],
    delays: {},
    preSteps: [],
    postSteps: [],
  };
}

export function emptyPlanForm(): PlanForm {
  return {
    name: '',
    description: '',
    rtoTargetMinutes: '',
    requireSecondApprover: false,
    drillEnabled: false,
    drillNetworkIsolation: 'ISOLATED_VPC',
    drillSubnetId: '',
    drillSecurityGroupIds: '',
    drillAutoCleanupAfterHours: '',
    notificationTargets: [],
    waves: [emptyWave('Wave 1')],
  };
}

const text = (n: number | null | undefined): string => (n === null || n === undefined ? '' : String(n));
const jsonText = (value: unknown): string => (value === null || value === undefined ? '' : JSON.stringify(value, null, 2));

function stepForm(step: PlanStep): StepForm {
  return {
    key: newKey('step'),
    type: step.type,
    name: step.name,
    durationSeconds: text(step.durationSeconds),
    prompt: step.prompt ?? '',
    approverRole: step.approverRole ?? '',
    timeoutSeconds: text(step.timeoutSeconds),
    onTimeout: step.onTimeout ?? '',
    documentName: step.documentName ?? '',
    documentVersion: step.documentVersion ?? '',
    parameters: jsonText(step.parameters),
    targetServerIds: step.targetServerIds ?? [],
    onFailure: step.onFailure ?? '',
    functionArn: step.functionArn ?? '',
    payload: jsonText(step.payload),
  };
}

/** The builder's state for a saved plan version. */
export function planFormOf(plan: RecoveryPlan): PlanForm {
  const keyOfWaveId = new Map(plan.waves.map((w) => [w.id, newKey('wave')]));
  return {
    name: plan.name,
    description: plan.description ?? '',
    rtoTargetMinutes: text(plan.settings.rtoTargetMinutes),
    requireSecondApprover: plan.settings.requireSecondApprover,
    drillEnabled: plan.settings.drill !== null,
    drillNetworkIsolation: plan.settings.drill?.networkIsolation ?? 'ISOLATED_VPC',
    drillSubnetId: plan.settings.drill?.subnetId ?? '',
    drillSecurityGroupIds: (plan.settings.drill?.securityGroupIds ?? []).join(', '),
    drillAutoCleanupAfterHours: text(plan.settings.drill?.autoCleanupAfterHours),
    notificationTargets: plan.settings.notificationTargets.map((t) => ({ type: t.type, address: t.address })),
    waves: plan.waves.map((wave: Wave) => ({
      key: keyOfWaveId.get(wave.id) ?? newKey('wave'),
      name: wave.name,
      dependsOn: wave.dependsOn.map((id) => keyOfWaveId.get(id)).filter((k): k is string => k !== undefined),
      launchOrder: wave.launchOrder,
      errorPolicy: wave.errorPolicy,
      protectionGroupIds: [...wave.protectionGroupIds],
      sourceServerIds: [...wave.sourceServerIds],
      bootOrder: wave.servers
        .filter((s) => s.bootOrder !== null)
        .sort((a, b) => (a.bootOrder ?? 0) - (b.bootOrder ?? 0))
        .map((s) => s.sourceServerId),
      optionalServers: wave.servers.filter((s) => s.criticality === 'OPTIONAL').map((s) => s.sourceServerId),
      delays: Object.fromEntries(wave.servers.filter((s) => s.delaySeconds !== null).map((s) => [s.sourceServerId, String(s.delaySeconds)])),
      preSteps: wave.preSteps.map(stepForm),
      postSteps: wave.postSteps.map(stepForm),
    })),
  };
}

/** The members of a protection group, by id (unknown group: none). */
export type MembersOf = (groupId: string) => readonly string[];

/** The wave's servers in launch order: its boot order first, then the others as its groups and single servers list them. */
export function serversInOrder(wave: Pick<WaveForm, 'protectionGroupIds' | 'sourceServerIds' | 'bootOrder'>, membersOf: MembersOf): string[] {
  const natural: string[] = [];
  const seen = new Set<string>();
  for (const id of [...wave.protectionGroupIds.flatMap((g) => membersOf(g)), ...wave.sourceServerIds]) {
    if (!seen.has(id)) {
      seen.add(id);
      natural.push(id);
    }
  }
  const ordered = wave.bootOrder.filter((id, i) => seen.has(id) && wave.bootOrder.indexOf(id) === i);
  const placed = new Set(ordered);
  return [...ordered, ...natural.filter((id) => !placed.has(id))];
}

/** The list with the item at `from` moved to `to` (drag and drop, move up / down). */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  if (from === to || from < 0 || from >= items.length || to < 0 || to >= items.length) return [...items];
  const next = [...items];
  const [moved] = next.splice(from, 1);
  next.splice(to, 0, moved as T);
  return next;
}

function stepInput(step: StepForm, at: string, problems: FieldProblem[]): InputObject {
  const common = { type: step.type, name: step.name.trim() || undefined };
  switch (step.type) {
    case 'WAIT':
      return { ...common, durationSeconds: wholeNumber(step.durationSeconds, `${at}.durationSeconds`, problems) };
    case 'APPROVAL':
      return {
        ...common,
        prompt: step.prompt.trim() || undefined,
        approverRole: step.approverRole || undefined,
        timeoutSeconds: wholeNumber(step.timeoutSeconds, `${at}.timeoutSeconds`, problems),
        onTimeout: step.onTimeout || undefined,
      };
    case 'SSM_DOCUMENT':
      return {
        ...common,
        documentName: step.documentName.trim() || undefined,
        documentVersion: step.documentVersion.trim() || undefined,
        parameters: jsonValue(step.parameters, `${at}.parameters`, problems) as InputObject | undefined,
        targetServerIds: step.targetServerIds.length > 0 ? step.targetServerIds : undefined,
        timeoutSeconds: wholeNumber(step.timeoutSeconds, `${at}.timeoutSeconds`, problems),
        onFailure: step.onFailure || undefined,
      };
    case 'LAMBDA':
      return {
        ...common,
        functionArn: step.functionArn.trim() || undefined,
        payload: jsonValue(step.payload, `${at}.payload`, problems) as InputObject | undefined,
        timeoutSeconds: wholeNumber(step.timeoutSeconds, `${at}.timeoutSeconds`, problems),
        onFailure: step.onFailure || undefined,
      };
    default: {
      const unknownType: never = step.type;
      throw new Error(`Unknown step type ${String(unknownType)}`);
    }
  }
}

/**
 * The definition as CreateRecoveryPlanInput / ValidateRecoveryPlanInput (without id), and what
 * the builder found wrong before asking the server (not a number, not JSON), at the API's paths.
 */
export function toPlanInput(form: PlanForm, membersOf: MembersOf): { input: InputObject; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const nameOfKey = new Map(form.waves.map((w) => [w.key, w.name.trim()]));
  const waves = form.waves.map((wave, i) => {
    const at = `waves[${i}]`;
    const sequential = wave.launchOrder === 'SEQUENTIAL';
    const servers = serversInOrder(wave, membersOf)
      .map((sourceServerId, position) => ({
        sourceServerId,
        criticality: wave.optionalServers.includes(sourceServerId) ? ('OPTIONAL' as const) : undefined,
        bootOrder: sequential ? position + 1 : undefined,
        delaySeconds: sequential ? wholeNumber(wave.delays[sourceServerId] ?? '', `${at}.servers[${position}].delaySeconds`, problems) : undefined,
      }))
      .filter((s) => s.criticality !== undefined || s.bootOrder !== undefined || s.delaySeconds !== undefined);
    return {
      name: wave.name.trim(),
      dependsOn: wave.dependsOn.map((key) => nameOfKey.get(key)).filter((name): name is string => name !== undefined),
      launchOrder: wave.launchOrder,
      errorPolicy: wave.errorPolicy,
      protectionGroupIds: wave.protectionGroupIds,
      sourceServerIds: wave.sourceServerIds,
      servers,
      preSteps: wave.preSteps.map((s, j) => stepInput(s, `${at}.preSteps[${j}]`, problems)),
      postSteps: wave.postSteps.map((s, j) => stepInput(s, `${at}.postSteps[${j}]`, problems)),
    };
  });
  const drill = form.drillEnabled
    ? {
        networkIsolation: form.drillNetworkIsolation,
        subnetId: form.drillNetworkIsolation === 'CUSTOM_SUBNET' ? form.drillSubnetId.trim() || undefined : undefined,
        securityGroupIds: idList(form.drillSecurityGroupIds),
        autoCleanupAfterHours: wholeNumber(form.drillAutoCleanupAfterHours, 'settings.drill.autoCleanupAfterHours', problems),
      }
    : undefined;
  const settings = {
    rtoTargetMinutes: wholeNumber(form.rtoTargetMinutes, 'settings.rtoTargetMinutes', problems),
    requireSecondApprover: form.requireSecondApprover,
    drill,
    notificationTargets: form.notificationTargets.map((t) => ({ type: t.type, address: t.address.trim() })),
  };
  const input: InputObject = { name: form.name.trim(), description: form.description.trim() || undefined, waves, settings };
  return { input: compact(input), problems };
}

/** The index of the wave a field path points into (`waves[2].dependsOn[0]` → 2), if any. */
export function waveIndexOf(field: string): number | undefined {
  const match = /^waves\[(\d+)\]/.exec(field);
  return match ? Number(match[1]) : undefined;
}

/** The keys of the waves `key` depends on, directly or not (a wave may not depend on these' dependents: that makes a cycle). */
export function dependentsOf(waves: readonly Pick<WaveForm, 'key' | 'dependsOn'>[], key: string): Set<string> {
  const dependents = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const wave of waves) {
      if (dependents.has(wave.key)) continue;
      if (wave.dependsOn.some((d) => d === key || dependents.has(d))) {
        dependents.add(wave.key);
        grew = true;
      }
    }
  }
  return dependents;
}

/** The keys of the waves `key` waits for, directly or not (a step before the wave may target their servers). */
export function dependenciesOf(waves: readonly Pick<WaveForm, 'key' | 'dependsOn'>[], key: string): Set<string> {
  const byKey = new Map(waves.map((w) => [w.key, w]));
  const dependencies = new Set<string>();
  const pending = [...(byKey.get(key)?.dependsOn ?? [])];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next === key || dependencies.has(next)) continue;
    dependencies.add(next);
    pending.push(...(byKey.get(next)?.dependsOn ?? []));
  }
  return dependencies;
}
