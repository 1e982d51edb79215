/**
 * The history of one drill for the event-store figure, made by the execution service's own
 * decider: a plan of PARALLEL waves (each after the previous), started, then driven the way the
 * process manager drives it (each batch's DRS job recorded, each server's launch result, each
 * server's verification), command by command, until the stream holds the events asked for.
 * Every event is the decider's: the same types, data and metadata a real drill appends.
 */
import type { Actor } from '@lifeboat/events';
import { newEventId } from '@lifeboat/events';
import { decide, evolveAll, initialState, SNAPSHOT_EVERY_EVENTS } from '@lifeboat/execution';
import type { ExecutionCommand, ExecutionEvent, ExecutionState } from '@lifeboat/execution';
import type { PlanSnapshot } from '@lifeboat/service-api';

/** The account and region the local stack recovers into (as the scale scenario does). */
const ACCOUNT_ID = '123456789012';
const REGION = 'us-east-1';
/** Planning keeps at most 95 servers per protection group. */
const GROUP_SIZE = 95;
/** Who issues the commands after the start: the execution's process manager. */
const PROCESS_MANAGER: Actor = { type: 'service', id: 'lifeboat-execution', name: 'execution process manager' };
const OPERATOR: Actor = { type: 'user', id: 'bench-operator', name: 'Bench Operator' };
const VERIFICATION_CHECKS = ['ec2-running-and-status-checks', 'ssm-agent-online', 'drs-post-launch-actions'];

export interface ExecutionHistory {
  executionId: string;
  /** The events of each command that caused any, in the order decided: one commit each when appended one by one. */
  decisions: ExecutionEvent[][];
  /** All events (at least the minimum asked for). */
  eventCount: number;
  /** The state the events fold into. */
  state: ExecutionState;
  /**
   * The state after the decisions (by index) after which the command handler writes a snapshot:
   * the first commit that takes the stream SNAPSHOT_EVERY_EVENTS events past the previous one.
   */
  snapshotStates: Map<number, ExecutionState>;
  servers: number;
}

function sourceServerId(n: number): string {
  return `s-${n.toString(16).padStart(17, '0')}`;
}

function drillPlan(executionId: string, servers: number, serversPerWave: number): PlanSnapshot {
  const waveCount = Math.ceil(servers / serversPerWave);
  return {
    planId: `bench-plan-${executionId.slice(-6).toLowerCase()}`,
    version: 1,
    name: 'Event store bench',
    waves: Array.from({ length: waveCount }, (_, w) => ({
      waveId: `wave-${w + 1}`,
      name: `Tier ${w + 1}`,
      dependsOn: w === 0 ? [] : [`wave-${w}`],
      launchOrder: 'PARALLEL' as const,
      servers: Array.from({ length: Math.min(serversPerWave, servers - w * serversPerWave) }, (_, i) => {
        const n = w * serversPerWave + i + 1;
        return { sourceServerId: sourceServerId(n), accountId: ACCOUNT_ID, region: REGION, hostname: `app-${String(n).padStart(5, '0')}`, criticality: 'CRITICAL' as const, protectionGroupId: `pg-${Math.ceil(n / GROUP_SIZE)}` };
      }),
    })),
  };
}

/**
 * Decides a drill's commands until at least `minEvents` events were caused, and at least
 * `minEventsAfterSnapshot` after the last snapshot the command handler would have written. ~3
 * events per server (requested, launched, verified) plus one per DRS job of 100: the plan gets
 * enough servers for that, and the history stops as soon as it holds them (the drill is then
 * still running, as the stream of an execution being worked on is).
 */
export function executionHistory(options: { executionId: string; minEvents: number; minEventsAfterSnapshot?: number; serversPerWave: number; startedAt: Date }): ExecutionHistory {
  const { executionId, minEvents, serversPerWave } = options;
  const minTail = options.minEventsAfterSnapshot ?? 0;
  if (minTail >= SNAPSHOT_EVERY_EVENTS) throw new Error(`minEventsAfterSnapshot must be under ${SNAPSHOT_EVERY_EVENTS}: a snapshot is written every ${SNAPSHOT_EVERY_EVENTS} events`);
  // Room for a wave more, and for the events after the minimum that reaching minTail may take.
  const servers = Math.ceil((minEvents + (minTail > 0 ? SNAPSHOT_EVERY_EVENTS : 0)) / 3) + serversPerWave;
  let clockMs = options.startedAt.getTime();
  const metadata = (actor: Actor, causationId: string | null, advanceMs: number) => {
    clockMs += advanceMs;
    const now = new Date(clockMs);
    return { commandId: newEventId(now), now: now.toISOString(), actor, causationId };
  };

  const decisions: ExecutionEvent[][] = [];
  let state: ExecutionState = initialState;
  let eventCount = 0;
  let snapshotVersion = 0;
  const snapshotStates = new Map<number, ExecutionState>();
  let jobs = 0;
  // What the process manager has to do next, in the order the events asking for it came.
  const work: ExecutionCommand[] = [
    { type: 'StartExecution', data: { executionId, mode: 'DRILL', plan: drillPlan(executionId, servers, serversPerWave) }, metadata: metadata(OPERATOR, null, 0) },
  ];
  // The servers of each requested batch (its job's command holds the same list).
  const batches = new Map<string, string[]>();

  const enough = () => eventCount >= minEvents && eventCount - snapshotVersion >= minTail;
  for (let next = work.shift(); next && !enough(); next = work.shift()) {
    const events = decide(next, state);
    if (events.length === 0) continue;
    state = evolveAll(state, events);
    decisions.push(events);
    eventCount += events.length;
    if (eventCount - snapshotVersion >= SNAPSHOT_EVERY_EVENTS) {
      // Folds never change a state in place: this one stays the state at this version.
      snapshotStates.set(decisions.length - 1, state);
      snapshotVersion = eventCount;
    }
    for (const event of events) {
      const causationId = event.metadata.eventId;
      switch (event.type) {
        case 'ServerLaunchRequested': {
          const batch = batches.get(event.data.batchId) ?? [];
          batch.push(event.data.sourceServerId);
          if (!batches.has(event.data.batchId)) {
            batches.set(event.data.batchId, batch);
            // Queued now, filled by the events of this decision that follow: the batch's other servers.
            work.push({
              type: 'RecordRecoveryJobStarted',
              data: { batchId: event.data.batchId, jobId: `drsjob-${(++jobs).toString(16).padStart(17, '0')}`, accountId: event.data.accountId, region: event.data.region, sourceServerIds: batch, isDrill: true },
              metadata: metadata(PROCESS_MANAGER, causationId, 2_000),
            });
          }
          break;
        }
        case 'RecoveryJobStarted':
          for (const id of event.data.sourceServerIds) {
            work.push({
              type: 'RecordServerLaunchResult',
              data: { jobId: event.data.jobId, sourceServerId: id, outcome: 'LAUNCHED', recoveryInstanceId: `i-${id.slice(2)}` },
              metadata: metadata(PROCESS_MANAGER, causationId, 1_500),
            });
          }
          break;
        case 'ServerLaunched':
          work.push({
            type: 'RecordVerification',
            data: {
              verificationEventId: newEventId(new Date(clockMs)),
              sourceServerId: event.data.sourceServerId,
              outcome: 'VERIFIED',
              checks: VERIFICATION_CHECKS.map((name, i) => ({ name, status: 'PASSED' as const, durationMs: 1_000 + ((clockMs + i * 7_919) % 60_000) })),
              ...(event.data.recoveryInstanceId ? { recoveryInstanceId: event.data.recoveryInstanceId } : {}),
              ec2InstanceId: `i-0${event.data.sourceServerId.slice(3)}`,
            },
            metadata: metadata(PROCESS_MANAGER, causationId, 1_000),
          });
          break;
        default:
          break;
      }
    }
  }
  if (!enough()) throw new Error(`The drill of ${servers} servers ended after ${eventCount} events, before the ${minEvents} asked for (${minTail} after the last snapshot)`);
  return { executionId, decisions, eventCount, state, snapshotStates, servers };
}
