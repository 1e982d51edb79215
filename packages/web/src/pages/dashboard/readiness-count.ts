/** Counts of replication readiness, from the few fields the dashboard asks of each source server. */

export interface ReadinessItem {
  replicationState: string;
  readyForRecovery: boolean;
  protectionGroup: { id: string } | null;
}

export interface Readiness {
  total: number;
  ready: number;
  unassigned: number;
  /** Unready servers that are in a protection group: what a drill would miss. */
  protectedNotReady: number;
  byState: { state: string; count: number }[];
}

export function countReadiness(items: ReadinessItem[]): Readiness {
  const byState = new Map<string, number>();
  let ready = 0;
  let unassigned = 0;
  let protectedNotReady = 0;
  for (const server of items) {
    byState.set(server.replicationState, (byState.get(server.replicationState) ?? 0) + 1);
    if (server.readyForRecovery) ready += 1;
    if (!server.protectionGroup) unassigned += 1;
    else if (!server.readyForRecovery) protectedNotReady += 1;
  }
  return {
    total: items.length,
    ready,
    unassigned,
    protectedNotReady,
    byState: [...byState.entries()].map(([state, count]) => ({ state, count })).sort((a, b) => b.count - a.count || a.state.localeCompare(b.state)),
  };
}
