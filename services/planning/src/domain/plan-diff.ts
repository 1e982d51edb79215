import type { PlanStep, RecoveryPlanDiff, RecoveryPlanSettings, WaveServerSetting, WaveView } from '@lifeboat/service-api';

/**
 * What changed between two versions of a plan, in words (the change summary of a version) and in
 * structure (diffRecoveryPlanVersions). Waves are matched by id; a wave keeps its id from one
 * version to the next as long as its name stays, so a renamed wave reads as removed and added.
 */

type Wave = Required<WaveView>;
interface Version {
  planId: string;
  version: number;
  name: string;
  description?: string;
  waves: Wave[];
  settings: RecoveryPlanSettings;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const quoted = (names: readonly string[]): string => (names.length === 0 ? 'nothing' : names.map((n) => `'${n}'`).join(', '));

function listChange(label: string, before: readonly string[], after: readonly string[]): string | undefined {
  const added = after.filter((x) => !before.includes(x));
  const removed = before.filter((x) => !after.includes(x));
  if (added.length === 0 && removed.length === 0) return same(before, after) ? undefined : `${label} reordered`;
  return `${label} ${[...added.map((x) => `+${x}`), ...removed.map((x) => `-${x}`)].join(' ')}`;
}

function stepsLabel(steps: readonly PlanStep[]): string {
  return steps.length === 0 ? 'none' : steps.map((s) => `${s.type} '${s.name}'`).join(', ');
}

function serverSettings(settings: readonly WaveServerSetting[]): Map<string, string> {
  return new Map(settings.map(({ sourceServerId, ...rest }) => [sourceServerId, JSON.stringify(rest)]));
}

/** The changes of one wave, in words ("launch order PARALLEL → SEQUENTIAL"). */
function waveChanges(before: Wave, after: Wave, names: { before: Map<string, string>; after: Map<string, string> }): string[] {
  const changes: string[] = [];
  const dependsBefore = before.dependsOn.map((id) => names.before.get(id) ?? id);
  const dependsAfter = after.dependsOn.map((id) => names.after.get(id) ?? id);
  if (!same([...dependsBefore].sort(), [...dependsAfter].sort())) changes.push(`depends on ${quoted(dependsAfter)} (was ${quoted(dependsBefore)})`);
  if (before.launchOrder !== after.launchOrder) changes.push(`launch order ${before.launchOrder} → ${after.launchOrder}`);
  if (before.errorPolicy !== after.errorPolicy) changes.push(`error policy ${before.errorPolicy} → ${after.errorPolicy}`);
  const groups = listChange('protection groups', before.protectionGroupIds, after.protectionGroupIds);
  if (groups) changes.push(groups);
  const servers = listChange('servers', before.sourceServerIds, after.sourceServerIds);
  if (servers) changes.push(servers);
  const settingsBefore = serverSettings(before.servers);
  const settingsAfter = serverSettings(after.servers);
  const changedSettings = [...new Set([...settingsBefore.keys(), ...settingsAfter.keys()])].filter((id) => settingsBefore.get(id) !== settingsAfter.get(id));
  if (changedSettings.length > 0) changes.push(`server settings of ${changedSettings.join(', ')}`);
  const strip = (steps: readonly PlanStep[]) => steps.map(({ stepId: _id, ...rest }) => rest);
  if (!same(strip(before.preSteps), strip(after.preSteps))) changes.push(`steps before: ${stepsLabel(after.preSteps)} (was ${stepsLabel(before.preSteps)})`);
  if (!same(strip(before.postSteps), strip(after.postSteps))) changes.push(`steps after: ${stepsLabel(after.postSteps)} (was ${stepsLabel(before.postSteps)})`);
  return changes;
}

/** The paths of the settings that differ (`settings.rtoTargetMinutes`, `settings.drill`). */
function settingsChanges(before: RecoveryPlanSettings, after: RecoveryPlanSettings): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort() as (keyof RecoveryPlanSettings)[];
  return keys.filter((key) => !same(before[key], after[key])).map((key) => `settings.${key}`);
}

function describeSetting(path: string, before: RecoveryPlanSettings, after: RecoveryPlanSettings): string {
  const key = path.slice('settings.'.length) as keyof RecoveryPlanSettings;
  const show = (value: unknown): string => (value === undefined ? 'unset' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  return `${path} ${show(before[key])} → ${show(after[key])}`;
}

/** The structured difference between two versions. */
export function diffPlans(from: Version, to: Version): RecoveryPlanDiff {
  const names = { before: new Map(from.waves.map((w) => [w.waveId, w.name])), after: new Map(to.waves.map((w) => [w.waveId, w.name])) };
  const beforeById = new Map(from.waves.map((w) => [w.waveId, w]));
  const afterIds = new Set(to.waves.map((w) => w.waveId));
  const added = to.waves.filter((w) => !beforeById.has(w.waveId)).map((w) => w.name);
  const removed = from.waves.filter((w) => !afterIds.has(w.waveId)).map((w) => w.name);
  const changed = to.waves.flatMap((wave) => {
    const before = beforeById.get(wave.waveId);
    const changes = before ? waveChanges(before, wave, names) : [];
    return changes.length > 0 ? [{ waveId: wave.waveId, name: wave.name, changes }] : [];
  });
  const planChanges: string[] = [];
  if (from.name !== to.name) planChanges.push('name');
  if ((from.description ?? '') !== (to.description ?? '')) planChanges.push('description');
  planChanges.push(...settingsChanges(from.settings, to.settings));

  const summary: string[] = [];
  if (from.name !== to.name) summary.push(`renamed '${from.name}' → '${to.name}'`);
  if (planChanges.includes('description')) summary.push('description changed');
  for (const path of planChanges.filter((p) => p.startsWith('settings.'))) summary.push(describeSetting(path, from.settings, to.settings));
  for (const name of added) summary.push(`wave '${name}' added`);
  for (const name of removed) summary.push(`wave '${name}' removed`);
  for (const wave of changed) for (const change of wave.changes) summary.push(`wave '${wave.name}': ${change}`);
  const kept = (waves: readonly Wave[]) => waves.filter((w) => beforeById.has(w.waveId) && afterIds.has(w.waveId)).map((w) => w.waveId);
  if (!same(kept(from.waves), kept(to.waves))) summary.push('waves reordered');
  return { planId: to.planId, fromVersion: from.version, toVersion: to.version, summary, waves: { added, removed, changed }, planChanges };
}

/** The change summary of `next` after `previous` (`no changes` when they are the same). */
export function summarizeChanges(previous: Version, next: Version): string[] {
  const { summary } = diffPlans(previous, next);
  return summary.length > 0 ? summary : ['no changes'];
}
