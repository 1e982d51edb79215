import type { DomainEvent } from '@lifeboat/events';
import type { ExecutionServerView, ExecutionView, ExecutionWaveView } from '@lifeboat/service-api';
import { isExecutionEvent } from './events.js';

function updateServer(view: ExecutionView, sourceServerId: string, change: (server: ExecutionServerView) => ExecutionServerView): ExecutionView {
  return {
    ...view,
    waves: view.waves.map((wave) =>
      wave.servers.some((s) => s.sourceServerId === sourceServerId)
        ? { ...wave, servers: wave.servers.map((s) => (s.sourceServerId === sourceServerId ? change(s) : s)) }
        : wave,
    ),
  };
}

function updateWave(view: ExecutionView, waveId: string, change: (wave: ExecutionWaveView) => ExecutionWaveView): ExecutionView {
  return { ...view, waves: view.waves.map((wave) => (wave.waveId === waveId ? change(wave) : wave)) };
}

/**
 * Applies one stored event to the execution's read model. Pure and total: events of unknown
 * types, or that do not fit, leave the view as it is (a read model never throws).
 */
export function evolveView(view: ExecutionView | undefined, event: DomainEvent): ExecutionView | undefined {
  const version = event.metadata.streamVersion ?? (view ? view.version + 1 : 1);
  if (!isExecutionEvent(event)) return view ? { ...view, version } : view;
  if (event.type === 'ExecutionStarted') {
    if (view) return { ...view, version };
    const { plan } = event.data;
    return {
      executionId: event.data.executionId,
      planId: event.data.planId,
      planVersion: event.data.planVersion,
      planName: plan.name,
      mode: event.data.mode,
      status: 'RUNNING',
      startedAt: event.metadata.occurredAt,
      startedBy: event.metadata.actor.name ?? event.metadata.actor.id,
      version,
      waves: plan.waves.map((wave) => ({
        waveId: wave.waveId,
        name: wave.name,
        dependsOn: [...wave.dependsOn],
        launchOrder: wave.launchOrder,
        status: 'PENDING',
        servers: wave.servers.map((s) => ({ ...s, status: 'PENDING', checks: [] })),
      })),
    };
  }
  if (!view) return view;
  const at = event.metadata.occurredAt;
  const next = { ...view, version };
  switch (event.type) {
    case 'WaveStarted':
      return updateWave(next, event.data.waveId, (w) => ({ ...w, status: 'RUNNING', startedAt: at }));
    case 'ServerLaunchRequested':
      return updateServer(next, event.data.sourceServerId, (s) => ({ ...s, status: 'LAUNCH_REQUESTED' }));
    case 'RecoveryJobStarted': {
      const ids = new Set(event.data.sourceServerIds);
      const { jobId } = event.data;
      return { ...next, waves: next.waves.map((w) => ({ ...w, servers: w.servers.map((s) => (ids.has(s.sourceServerId) ? { ...s, status: 'LAUNCHING', jobId } : s)) })) };
    }
    case 'ServerLaunched': {
      const { recoveryInstanceId, ec2InstanceId, jobId } = event.data;
      return updateServer(next, event.data.sourceServerId, (s) => ({
        ...s,
        status: 'LAUNCHED',
        jobId,
        launchedAt: at,
        ...(recoveryInstanceId ? { recoveryInstanceId } : {}),
        ...(ec2InstanceId ? { ec2InstanceId } : {}),
      }));
    }
    case 'ServerLaunchFailed':
      return updateServer(next, event.data.sourceServerId, (s) => ({ ...s, status: 'LAUNCH_FAILED', ...(event.data.jobId ? { jobId: event.data.jobId } : {}) }));
    case 'ServerVerificationRecorded': {
      const { recoveryInstanceId, ec2InstanceId, outcome, checks } = event.data;
      return updateServer(next, event.data.sourceServerId, (s) => ({
        ...s,
        status: outcome === 'VERIFIED' ? 'VERIFIED' : 'VERIFICATION_FAILED',
        checks: checks.map((c) => ({ ...c })),
        verifiedAt: at,
        ...(recoveryInstanceId ? { recoveryInstanceId } : {}),
        ...(ec2InstanceId ? { ec2InstanceId } : {}),
      }));
    }
    case 'WaveCompleted':
      return updateWave(next, event.data.waveId, (w) => ({ ...w, status: 'COMPLETED', completedAt: at }));
    case 'WaveFailed':
      return updateWave(next, event.data.waveId, (w) => ({ ...w, status: 'FAILED', completedAt: at }));
    case 'ExecutionCompleted':
      return { ...next, status: 'COMPLETED', completedAt: at };
    case 'ExecutionFailed':
      return { ...next, status: 'FAILED', completedAt: at };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}

/**
 * The execution detail read model (ExecutionView of contracts.ts), rebuilt from the stream's
 * events; undefined when the events hold no ExecutionStarted. Never throws.
 */
export function projectExecution(events: readonly DomainEvent[]): ExecutionView | undefined {
  let view: ExecutionView | undefined;
  for (const event of events) view = evolveView(view, event);
  return view;
}
