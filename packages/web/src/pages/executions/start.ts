/** The Execute dialog's rules, pure: which servers run, their points in time, and what still stops Start. */
import type { ExecutionMode, PointInTimeType } from './model.js';

export interface PointInTimeChoice {
  type: PointInTimeType;
  /** LATEST_BEFORE: YYYY-MM-DD, UTC. */
  date: string;
  /** LATEST_BEFORE: hh:mm or hh:mm:ss, UTC. */
  time: string;
  /** SNAPSHOT: snapshot id per source server id (blank: its latest). */
  snapshots: Record<string, string>;
}

export interface ServerPointInTime {
  sourceServerId: string;
  type: PointInTimeType;
  snapshotId?: string;
  before?: string;
}

/** The servers the chosen waves recover: their protection groups' members and their single servers, each once. */
export function serversOfWaves(
  waves: readonly { protectionGroupIds: readonly string[]; sourceServerIds: readonly string[] }[],
  groups: readonly { id: string; sourceServerIds: readonly string[] }[],
): string[] {
  const members = new Map(groups.map((g) => [g.id, g.sourceServerIds]));
  const servers = new Set<string>();
  for (const wave of waves) {
    for (const groupId of wave.protectionGroupIds) for (const id of members.get(groupId) ?? []) servers.add(id);
    for (const id of wave.sourceServerIds) servers.add(id);
  }
  return [...servers];
}

/** The UTC time a LATEST_BEFORE choice names, or undefined while it is incomplete or no time. */
export function beforeTime(choice: Pick<PointInTimeChoice, 'date' | 'time'>): string | undefined {
  const date = choice.date.replace(/\//g, '-');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}(:\d{2})?$/.test(choice.time)) return undefined;
  const time = choice.time.length === 5 ? `${choice.time}:00` : choice.time;
  const parsed = Date.parse(`${date}T${time}Z`);
  return Number.isNaN(parsed) ? undefined : new Date(parsed).toISOString();
}

/** `options.pointsInTime` of startExecution: none for LATEST (the default), every server for LATEST_BEFORE, the named snapshots for SNAPSHOT. */
export function pointsInTimeOf(choice: PointInTimeChoice, servers: readonly string[]): ServerPointInTime[] {
  switch (choice.type) {
    case 'LATEST':
      return [];
    case 'LATEST_BEFORE': {
      const before = beforeTime(choice);
      return before ? servers.map((sourceServerId) => ({ sourceServerId, type: 'LATEST_BEFORE', before })) : [];
    }
    case 'SNAPSHOT':
      return servers.flatMap((sourceServerId) => {
        const snapshotId = choice.snapshots[sourceServerId]?.trim();
        return snapshotId ? [{ sourceServerId, type: 'SNAPSHOT' as const, snapshotId }] : [];
      });
    default: {
      const unexpected: never = choice.type;
      throw new Error(`Unknown point in time ${String(unexpected)}`);
    }
  }
}

/** What keeps Start disabled, first problem first (empty: it may start). */
export function startProblems(input: { mode: ExecutionMode; confirmation: string; planName: string; pointInTime: PointInTimeChoice; waveCount: number; now: number }): string[] {
  const problems: string[] = [];
  if (input.waveCount === 0) problems.push('Choose at least one wave');
  if (input.pointInTime.type === 'LATEST_BEFORE') {
    const before = beforeTime(input.pointInTime);
    if (!before) problems.push('Give the date and time of the point in time');
    else if (Date.parse(before) > input.now) problems.push('The point in time is in the future');
  }
  if (input.pointInTime.type === 'SNAPSHOT' && !Object.values(input.pointInTime.snapshots).some((id) => id.trim() !== '')) {
    problems.push('Name at least one snapshot, or choose the latest snapshots');
  }
  if (input.mode === 'RECOVERY' && input.confirmation !== input.planName) problems.push(`Type the plan's name "${input.planName}" to confirm`);
  return problems;
}
