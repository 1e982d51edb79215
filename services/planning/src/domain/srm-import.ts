import type { FieldProblem, PlanFinding, RecoveryPlanDefinition, WaveInput } from '@lifeboat/service-api';
import { isRecord } from './checks.js';

/**
 * VMware SRM recovers a plan's VMs by priority group, 1 (first) to 5 (last), each priority after
 * the previous one has started. Here each used priority becomes a wave "Priority n" that depends on
 * the wave of the previous used priority; its servers launch in PARALLEL, as within an SRM priority.
 */

export const SRM_PRIORITIES = [1, 2, 3, 4, 5] as const;

export function srmWaveName(priority: number): string {
  return `Priority ${priority}`;
}

/**
 * The plan definition of SRM priorities (validated by the plan's own rules afterwards), and the
 * problems of the priorities list itself. `waveOfPriority` maps each wave back to its entry.
 */
export function srmPrioritiesToDefinition(input: unknown): { definition?: RecoveryPlanDefinition; problems: FieldProblem[]; entryOfWave: number[] } {
  const problems: FieldProblem[] = [];
  if (!isRecord(input)) return { problems: [{ field: '', message: 'must be an object with name and priorities' }], entryOfWave: [] };
  if (!Array.isArray(input.priorities) || input.priorities.length === 0) {
    problems.push({ field: 'priorities', message: 'must list at least one priority, like { priority: 1, protectionGroupIds: [...] }' });
    return { problems, entryOfWave: [] };
  }
  const entries: { index: number; priority: number; entry: Record<string, unknown> }[] = [];
  input.priorities.forEach((entry: unknown, index) => {
    const at = `priorities[${index}]`;
    if (!isRecord(entry)) {
      problems.push({ field: at, message: 'must be an object with priority and protectionGroupIds or sourceServerIds' });
      return;
    }
    const priority = entry.priority;
    if (typeof priority !== 'number' || !(SRM_PRIORITIES as readonly number[]).includes(priority)) {
      problems.push({ field: `${at}.priority`, message: 'must be an SRM priority: 1, 2, 3, 4 or 5' });
      return;
    }
    const other = entries.find((e) => e.priority === priority);
    if (other) {
      problems.push({ field: `${at}.priority`, message: `priority ${priority} is already at priorities[${other.index}]` });
      return;
    }
    for (const key of Object.keys(entry)) {
      if (!['priority', 'protectionGroupIds', 'sourceServerIds', 'servers'].includes(key)) problems.push({ field: `${at}.${key}`, message: 'is not a field of a priority (priority, protectionGroupIds, sourceServerIds, servers)' });
    }
    entries.push({ index, priority, entry });
  });
  if (problems.length > 0) return { problems, entryOfWave: [] };

  entries.sort((a, b) => a.priority - b.priority);
  const waves: WaveInput[] = entries.map(({ priority, entry }, i) => {
    const previous = entries[i - 1];
    const wave: Record<string, unknown> = { name: srmWaveName(priority), launchOrder: 'PARALLEL', errorPolicy: 'STOP' };
    if (previous) wave.dependsOn = [srmWaveName(previous.priority)];
    for (const key of ['protectionGroupIds', 'sourceServerIds', 'servers']) if (entry[key] !== undefined) wave[key] = entry[key];
    return wave as unknown as WaveInput;
  });
  const definition: RecoveryPlanDefinition = { name: input.name as string, waves };
  if (input.description !== undefined) definition.description = input.description as string;
  if (input.settings !== undefined) definition.settings = input.settings as RecoveryPlanDefinition['settings'];
  return { definition, problems, entryOfWave: entries.map((e) => e.index) };
}

/** Findings of the plan made from priorities, with `waves[i]` pointing back at `priorities[j]`. */
export function findingsOnPriorities(findings: readonly PlanFinding[], entryOfWave: readonly number[]): PlanFinding[] {
  return findings.map((finding) => {
    const match = /^waves\[(\d+)\](.*)$/.exec(finding.field);
    const entry = match ? entryOfWave[Number(match[1])] : undefined;
    if (!match || entry === undefined) return finding;
    // dependsOn and names were made by the import, not written by the author: point at the entry.
    const rest = /^\.(dependsOn|name|launchOrder|errorPolicy)/.test(match[2] ?? '') ? '' : (match[2] ?? '');
    return { ...finding, field: `priorities[${entry}]${rest}` };
  });
}
