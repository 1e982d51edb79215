/**
 * One look for every status the API answers: executions, waves, steps, servers, checks, approvals,
 * drill clean-ups, syncs, deliveries and DRS replication states. The same word means the same
 * thing everywhere (PENDING, FAILED, COMPLETED), so one table serves them all.
 */
import type { JSX } from 'react';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import type { StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';

const INDICATORS: Record<string, StatusIndicatorProps.Type> = {
  // Executions, waves, steps, servers, checks
  RUNNING: 'in-progress',
  COMPLETED: 'success',
  FAILED: 'error',
  PAUSED: 'stopped',
  CANCELLING: 'in-progress',
  CANCELLED: 'stopped',
  PENDING: 'pending',
  WAITING_FOR_APPROVAL: 'warning',
  LAUNCH_REQUESTED: 'in-progress',
  LAUNCHING: 'in-progress',
  LAUNCHED: 'in-progress',
  LAUNCH_FAILED: 'error',
  VERIFIED: 'success',
  VERIFICATION_FAILED: 'error',
  PASSED: 'success',
  SKIPPED: 'stopped',
  // Approvals and drill clean-ups
  GRANTED: 'success',
  REJECTED: 'error',
  TIMED_OUT: 'error',
  WITHDRAWN: 'stopped',
  IN_PROGRESS: 'in-progress',
  // Target account syncs and notification deliveries
  NEVER_SYNCED: 'not-started',
  SUCCEEDED: 'success',
  DELIVERED: 'success',
  DELIVERED_TO_OUTBOX: 'info',
  DEAD_LETTERED: 'error',
  // DRS dataReplicationState
  CONTINUOUS: 'success',
  STALLED: 'error',
  DISCONNECTED: 'error',
  STOPPED: 'stopped',
  INITIATING: 'in-progress',
  INITIAL_SYNC: 'in-progress',
  BACKLOG: 'in-progress',
  CREATING_SNAPSHOT: 'in-progress',
  RESCAN: 'in-progress',
  PENDING_SNAPSHOT_SHIPPING: 'in-progress',
  SHIPPING_SNAPSHOT: 'in-progress',
};

/** Words a reader would use rather than the enum's. */
const LABELS: Record<string, string> = {
  CONTINUOUS: 'Healthy (continuous)',
  NEVER_SYNCED: 'Never synced',
  DELIVERED_TO_OUTBOX: 'Delivered to outbox',
  INITIAL_SYNC: 'Initial sync',
};

/** `WAITING_FOR_APPROVAL` -> `Waiting for approval`. */
export function statusLabel(status: string): string {
  const known = LABELS[status];
  if (known) return known;
  const words = status.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function statusIndicatorType(status: string): StatusIndicatorProps.Type {
  return INDICATORS[status] ?? 'info';
}

export function StatusBadge(props: { status: string }): JSX.Element {
  return (
    <StatusIndicator type={statusIndicatorType(props.status)} data-status={props.status}>
      {statusLabel(props.status)}
    </StatusIndicator>
  );
}
