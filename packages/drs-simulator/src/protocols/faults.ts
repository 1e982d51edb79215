/**
 * The faults the HTTP edge applies, from the simulator's FaultPlan: throttling bursts, internal
 * errors and AssumeRole denial. (Launch, event and replication faults are the DRS core's.)
 *
 * A rule with `count` hits the next `count` matching calls; then, or without `count`, a `rate`
 * (0..1, drawn from the seed) hits that share of calls; a rule with neither hits every matching
 * call. `operations` names operations (`StartRecovery`) or service-qualified ones
 * (`ec2:DescribeInstances`); without it the rule matches every call of every protocol.
 */
import type { FaultPlan } from '../fleet.js';
import { SeededRandom } from '../random.js';
import type { EdgeService } from './common.js';

export type EdgeFaultDecision =
  | { kind: 'throttling'; retryAfterSeconds: number }
  | { kind: 'internalError' };

export const DEFAULT_RETRY_AFTER_SECONDS = 1;

interface RuleLike {
  operations?: string[];
  count?: number;
  rate?: number;
}

function matchesOperation(rule: RuleLike, service: EdgeService, operation: string): boolean {
  if (!rule.operations || rule.operations.length === 0) return true;
  const qualified = `${service}:${operation}`.toLowerCase();
  return rule.operations.some((name) => name === operation || name.toLowerCase() === qualified);
}

export class EdgeFaults {
  private random: SeededRandom;
  private signature = '';
  private remaining: { throttling: number | undefined; internalErrors: number | undefined } = { throttling: undefined, internalErrors: undefined };

  /** `plan` is read on every call: the current fault plan (the core's, or the edge's own). */
  constructor(private readonly seed: number, private readonly plan: () => FaultPlan) {
    this.random = SeededRandom.derive(seed, 'edge-faults');
  }

  /** The counts left and the stream's position (for the state file). */
  exportState(): { random: number; signature: string; remaining: { throttling?: number; internalErrors?: number } } {
    return {
      random: this.random.position,
      signature: this.signature,
      remaining: {
        ...(this.remaining.throttling !== undefined ? { throttling: this.remaining.throttling } : {}),
        ...(this.remaining.internalErrors !== undefined ? { internalErrors: this.remaining.internalErrors } : {}),
      },
    };
  }

  /** Continues from a persisted state (the plan is the core's, restored with it). */
  restoreState(state: { random: number; signature: string; remaining: { throttling?: number; internalErrors?: number } }): void {
    this.random = SeededRandom.at(state.random);
    this.signature = state.signature;
    this.remaining = { throttling: state.remaining.throttling, internalErrors: state.remaining.internalErrors };
  }

  /** Back to full counts and the start of the seeded stream (after a reset or a new plan). */
  reset(): void {
    this.random = SeededRandom.derive(this.seed, 'edge-faults');
    this.signature = '';
    this.remaining = { throttling: undefined, internalErrors: undefined };
  }

  /** What, if anything, goes wrong with this call. Consumes a count when a counted rule fires. */
  decide(service: EdgeService, operation: string): EdgeFaultDecision | undefined {
    const plan = this.plan();
    this.refresh(plan);
    const throttling = plan.throttling;
    if (throttling && this.fires('throttling', throttling, service, operation)) {
      return { kind: 'throttling', retryAfterSeconds: throttling.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS };
    }
    const internal = plan.internalErrors;
    if (internal && this.fires('internalErrors', internal, service, operation)) return { kind: 'internalError' };
    return undefined;
  }

  /** Whether the plan makes AssumeRole of this role ARN fail with AccessDenied. */
  assumeRoleDenied(roleArn: string): boolean {
    const denied = this.plan().assumeRoleDenied;
    if (!denied) return false;
    return denied.all === true || (denied.roleArns ?? []).includes(roleArn);
  }

  /** Counts left on the counted rules (undefined: not counted or no rule). */
  remainingCounts(): { throttling?: number; internalErrors?: number } {
    this.refresh(this.plan());
    return {
      ...(this.remaining.throttling !== undefined ? { throttling: this.remaining.throttling } : {}),
      ...(this.remaining.internalErrors !== undefined ? { internalErrors: this.remaining.internalErrors } : {}),
    };
  }

  private refresh(plan: FaultPlan): void {
    const signature = JSON.stringify([plan.throttling ?? null, plan.internalErrors ?? null]);
    if (signature === this.signature) return;
    this.signature = signature;
    this.remaining = { throttling: plan.throttling?.count, internalErrors: plan.internalErrors?.count };
  }

  private fires(which: 'throttling' | 'internalErrors', rule: RuleLike, service: EdgeService, operation: string): boolean {
    if (!matchesOperation(rule, service, operation)) return false;
    const left = this.remaining[which];
    if (left !== undefined && left > 0) {
      this.remaining[which] = left - 1;
      return true;
    }
    if (rule.rate !== undefined) return this.random.next() < rule.rate;
    return rule.count === undefined;
  }
}
