/**
 * Point-in-time (PIT) recovery snapshots, kept per source server by a policy shaped like DRS's
 * `pitPolicy` (PITPolicyRule: units MINUTE | HOUR | DAY, interval, retentionDuration, enabled).
 * The default is DRS's default policy: every 10 minutes for the last hour, every hour for the last
 * day, every day for the last 7 days.
 *
 * Snapshots are not stored: they are a pure function of the policy, the server's replication
 * history (no snapshot while it was not replicating) and simulated time, so 4,000 servers cost
 * nothing until someone asks, and ids are stable (derived from the seed, the server and the instant).
 */
import type { DataReplicationState } from './model.js';
import { SeededRandom, hash32 } from './random.js';

export type PitUnits = 'MINUTE' | 'HOUR' | 'DAY';

export interface PitPolicyRule {
  units: PitUnits;
  /** How often, in `units`, a snapshot is taken. */
  interval: number;
  /** How long, in `units`, a snapshot is kept. */
  retentionDuration: number;
  /** Default true. */
  enabled?: boolean;
  ruleID?: number;
}

export const DEFAULT_PIT_POLICY: readonly PitPolicyRule[] = [
  { ruleID: 1, units: 'MINUTE', interval: 10, retentionDuration: 60, enabled: true },
  { ruleID: 2, units: 'HOUR', interval: 1, retentionDuration: 24, enabled: true },
  { ruleID: 3, units: 'DAY', interval: 1, retentionDuration: 7, enabled: true },
];

const UNIT_MS: Readonly<Record<PitUnits, number>> = { MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

/** A rule may keep at most this many snapshots (retentionDuration / interval). */
export const MAX_SNAPSHOTS_PER_RULE = 2000;

/** Problems with a policy (empty when valid). */
export function pitPolicyProblems(rules: readonly PitPolicyRule[]): string[] {
  const problems: string[] = [];
  if (!Array.isArray(rules) || rules.length === 0) return ['the snapshot policy needs at least one rule'];
  rules.forEach((rule, i) => {
    const where = `snapshotPolicy[${i}]`;
    if (!(rule.units in UNIT_MS)) problems.push(`${where}.units must be MINUTE, HOUR or DAY`);
    if (!Number.isInteger(rule.interval) || rule.interval < 1) problems.push(`${where}.interval must be an integer >= 1`);
    if (!Number.isInteger(rule.retentionDuration) || rule.retentionDuration < 1) problems.push(`${where}.retentionDuration must be an integer >= 1`);
    else if (Number.isInteger(rule.interval) && rule.interval >= 1 && rule.retentionDuration / rule.interval > MAX_SNAPSHOTS_PER_RULE) {
      problems.push(`${where} would keep more than ${MAX_SNAPSHOTS_PER_RULE} snapshots`);
    }
  });
  return problems;
}

/** Replication states during which DRS keeps taking snapshots. */
export function takesSnapshots(state: DataReplicationState | undefined): boolean {
  return state === 'CONTINUOUS' || state === 'BACKLOG' || state === 'RESCAN' || state === 'CREATING_SNAPSHOT';
}

/** When a server replicated: from `sinceSimMs` (first byte), except during the gaps. */
export interface ReplicationHistory {
  sinceSimMs: number;
  gaps: { fromSimMs: number; toSimMs?: number }[];
}

export function replicatingAt(history: ReplicationHistory, simMs: number): boolean {
  if (simMs < history.sinceSimMs) return false;
  return !history.gaps.some((g) => simMs >= g.fromSimMs && (g.toSimMs === undefined || simMs < g.toSimMs));
}

/** Records a change of replication state at `simMs` (opens or closes a gap). */
export function recordReplication(history: ReplicationHistory, replicating: boolean, simMs: number): void {
  const open = history.gaps.find((g) => g.toSimMs === undefined);
  if (replicating && open) open.toSimMs = simMs;
  if (!replicating && !open) history.gaps.push({ fromSimMs: simMs });
}

/** The server's offset of its snapshot grid, so that servers do not all snapshot at the same instant. */
export function snapshotPhase(sourceServerID: string, policy: readonly PitPolicyRule[]): number {
  const smallest = Math.min(...policy.filter((r) => r.enabled !== false).map((r) => r.interval * UNIT_MS[r.units]), UNIT_MS.DAY);
  return hash32(`pit-phase:${sourceServerID}`) % Math.max(1, Math.min(smallest, 10 * UNIT_MS.MINUTE));
}

/** The simulated instants of the snapshots the policy keeps at `simNow`, ascending. */
export function snapshotInstants(policy: readonly PitPolicyRule[], history: ReplicationHistory, phaseMs: number, simNow: number): number[] {
  const instants = new Set<number>();
  for (const rule of policy) {
    if (rule.enabled === false) continue;
    const step = rule.interval * UNIT_MS[rule.units];
    const oldest = simNow - rule.retentionDuration * UNIT_MS[rule.units];
    for (let k = Math.floor((oldest - phaseMs) / step) + 1; ; k++) {
      const at = phaseMs + k * step;
      if (at > simNow) break;
      if (at > oldest && replicatingAt(history, at)) instants.add(at);
    }
  }
  return [...instants].sort((a, b) => a - b);
}

/** The id of the snapshot of a server at a simulated instant (`pit-` + 17 characters). */
export function snapshotId(seed: number, sourceServerID: string, simMs: number): string {
  return `pit-${SeededRandom.derive(seed, `pit:${sourceServerID}:${simMs}`).hex(17)}`;
}

/** The EBS snapshots of a PIT snapshot, one per replicated disk. */
export function ebsSnapshotIds(seed: number, sourceServerID: string, simMs: number, disks: number): string[] {
  const random = SeededRandom.derive(seed, `ebs:${sourceServerID}:${simMs}`);
  return Array.from({ length: Math.max(1, disks) }, () => `snap-${random.hex(17)}`);
}
