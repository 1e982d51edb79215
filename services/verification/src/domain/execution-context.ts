/**
 * What the service remembers of an execution (from its ExecutionStarted): its mode and how each
 * of its servers is verified. Events are unordered: a ServerLaunched can overtake its
 * ExecutionStarted, and then the server is verified with the defaults (a launch is never held
 * back waiting for the plan).
 *
 * Compact: a plan of thousands of servers has a handful of distinct verification settings, so the
 * context keeps each distinct setting once (`profiles`) and per server the index of its profile;
 * the item stays far below DynamoDB's 400 KB.
 */
import type { PlanSnapshot, ResolvedVerification } from '@lifeboat/service-api';
import { DEFAULT_VERIFICATION } from '@lifeboat/service-api';

/** Drill or real recovery (the contract's). */
export type { ExecutionMode } from '@lifeboat/service-api';
import type { ExecutionMode } from '@lifeboat/service-api';

/** The data of ExecutionStarted (events/schemas/ExecutionStarted.schema.json) that this service reads. */
export interface ExecutionStartedData {
  executionId: string;
  planId: string;
  planVersion: number;
  mode: ExecutionMode;
  plan: PlanSnapshot;
}

export interface VerificationContext {
  executionId: string;
  planId: string;
  planVersion: number;
  mode: ExecutionMode;
  /** Distinct verification settings of the plan's servers. */
  profiles: ResolvedVerification[];
  /** sourceServerId → index in `profiles` (servers without settings are absent: defaults). */
  serverProfiles: Record<string, number>;
}

/** A stable text of a value (object keys sorted), to tell equal settings apart from different ones. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function contextOf(started: ExecutionStartedData): VerificationContext {
  const profiles: ResolvedVerification[] = [];
  const index = new Map<string, number>();
  const serverProfiles: Record<string, number> = {};
  for (const wave of started.plan.waves) {
    for (const server of wave.servers) {
      if (!server.verification) continue;
      const key = canonical(server.verification);
      let at = index.get(key);
      if (at === undefined) {
        at = profiles.push(server.verification) - 1;
        index.set(key, at);
      }
      serverProfiles[server.sourceServerId] = at;
    }
  }
  return { executionId: started.executionId, planId: started.planId, planVersion: started.planVersion, mode: started.mode, profiles, serverProfiles };
}

export type VerificationSource = 'plan' | 'default (no ExecutionStarted yet)' | 'default (plan sets none)';

/** How a server of the execution is verified: its plan settings, else the defaults (and why). */
export function verificationOf(context: VerificationContext | undefined, sourceServerId: string): { verification: ResolvedVerification; source: VerificationSource } {
  if (!context) return { verification: DEFAULT_VERIFICATION, source: 'default (no ExecutionStarted yet)' };
  const at = context.serverProfiles[sourceServerId];
  const profile = at === undefined ? undefined : context.profiles[at];
  if (profile) return { verification: profile, source: 'plan' };
  return { verification: DEFAULT_VERIFICATION, source: 'default (plan sets none)' };
}
