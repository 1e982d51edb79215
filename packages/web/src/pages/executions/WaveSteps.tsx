/**
 * One wave of the runbook as a step list: its pre-steps, its servers (status, DRS job, recovery
 * and EC2 instance, verification checks on expand) and its post-steps, with a pending approval
 * of its steps decided inline.
 */
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { StatusBadge } from '../../components/StatusBadge.js';
import { ApprovalDecision } from './ApprovalDecision.js';
import { excerpt, formatClock, formatTime } from './format.js';
import type { Approval, Execution, ExecutionServer, ExecutionStep, ExecutionWave } from './model.js';
import { formatDuration, isFinished, shownStatus, spanMs } from './model.js';
import type { ExecutionStatus } from './model.js';

const STEP_TYPE_LABELS: Record<ExecutionStep['type'], string> = {
  WAIT: 'Wait',
  APPROVAL: 'Approval',
  SSM_DOCUMENT: 'SSM document',
  LAMBDA: 'Lambda',
};

function duration(from: string | null, to: string | null): string {
  const ms = spanMs(from, to);
  return ms === undefined ? '-' : formatDuration(ms);
}

function StepTable(props: { title: string; steps: ExecutionStep[]; testId: string; executionStatus: ExecutionStatus }): JSX.Element | null {
  const live = !isFinished(props.executionStatus);
  if (props.steps.length === 0) return null;
  return (
    <Table<ExecutionStep>
      data-testid={props.testId}
      variant="embedded"
      wrapLines
      header={<Box variant="h4">{props.title}</Box>}
      ariaLabels={{ tableLabel: props.title }}
      trackBy="id"
      items={props.steps}
      columnDefinitions={[
        { id: 'name', header: 'Step', cell: (step) => step.name },
        { id: 'type', header: 'Type', cell: (step) => STEP_TYPE_LABELS[step.type] },
        { id: 'status', header: 'Status', minWidth: 130, cell: (step) => <StatusBadge status={shownStatus(step.status, props.executionStatus)} /> },
        { id: 'started', header: 'Started', cell: (step) => (step.startedAt ? formatClock(step.startedAt) : '-') },
        {
          id: 'duration',
          header: 'Duration',
          cell: (step) => (step.completedAt ? duration(step.startedAt, step.completedAt) : live && step.dueAt ? `${step.type === 'WAIT' ? 'ends' : 'times out'} ${formatTime(step.dueAt)}` : '-'),
        },
        {
          id: 'detail',
          header: 'Output or reason',
          cell: (step) => {
            const detail = step.reason ?? step.output;
            if (!detail) return '-';
            return (
              <Box variant="code" fontSize="body-s">
                {excerpt(detail)}
                {step.status === 'FAILED' && step.onFailure ? ` (on failure: ${step.onFailure.toLowerCase()})` : ''}
              </Box>
            );
          },
        },
      ]}
    />
  );
}

function Checks(props: { server: ExecutionServer }): JSX.Element {
  const { checks } = props.server;
  if (checks.length === 0) return <Box color="text-status-inactive">None yet</Box>;
  const passed = checks.filter((c) => c.status === 'PASSED').length;
  const failed = checks.filter((c) => c.status === 'FAILED').length;
  const label = failed > 0 ? `${failed} of ${checks.length} failed` : `${passed} of ${checks.length} passed`;
  return (
    <ExpandableSection variant="footer" headerText={label} headerAriaLabel={`Checks of ${props.server.hostname}: ${label}`}>
      <SpaceBetween size="xs">
        {checks.map((check) => (
          <div key={check.name} data-testid={`check-${props.server.sourceServerId}-${check.name}`}>
            <SpaceBetween direction="horizontal" size="xs">
              <StatusBadge status={check.status} />
              <Box fontWeight="bold">{check.name}</Box>
              <Box color="text-body-secondary">{formatDuration(check.durationMs)}</Box>
            </SpaceBetween>
            {check.output ? (
              <Box variant="code" fontSize="body-s">
                {excerpt(check.output, 400)}
              </Box>
            ) : null}
          </div>
        ))}
      </SpaceBetween>
    </ExpandableSection>
  );
}

function ServerTable(props: { wave: ExecutionWave; executionStatus: ExecutionStatus }): JSX.Element {
  return (
    <Table<ExecutionServer>
      data-testid={`servers-${props.wave.name}`}
      variant="embedded"
      wrapLines
      header={<Box variant="h4">Servers ({props.wave.launchOrder === 'SEQUENTIAL' ? 'in boot order' : 'in parallel'})</Box>}
      ariaLabels={{ tableLabel: `Servers of wave ${props.wave.name}` }}
      trackBy="sourceServerId"
      items={props.wave.servers}
      empty={<Box color="text-status-inactive">This wave recovers no server.</Box>}
      columnDefinitions={[
        {
          id: 'hostname',
          header: 'Server',
          cell: (server) => (
            <SpaceBetween size="xxxs">
              <Box fontWeight="bold">{server.hostname || server.sourceServerId}</Box>
              <Box variant="small">
                {server.sourceServerId}
                {server.criticality === 'OPTIONAL' ? ' · optional' : ''}
                {server.attempts > 1 ? ` · attempt ${server.attempts}` : ''}
              </Box>
            </SpaceBetween>
          ),
        },
        { id: 'status', header: 'Status', minWidth: 130, cell: (server) => <StatusBadge status={shownStatus(server.status, props.executionStatus)} /> },
        { id: 'job', header: 'DRS job', cell: (server) => server.jobId ?? '-' },
        {
          id: 'instance',
          header: 'Recovery instance',
          cell: (server) =>
            server.recoveryInstanceId ? (
              <SpaceBetween size="xxxs">
                <span>{server.recoveryInstanceId}</span>
                {server.ec2InstanceId ? <Box variant="small">{server.ec2InstanceId}</Box> : null}
              </SpaceBetween>
            ) : (
              '-'
            ),
        },
        {
          id: 'pointInTime',
          header: 'Point in time',
          cell: (server) =>
            !server.pointInTime || server.pointInTime.type === 'LATEST'
              ? 'Latest'
              : server.pointInTime.type === 'SNAPSHOT'
                ? `Snapshot ${server.pointInTime.snapshotId ?? ''}`
                : `Before ${server.pointInTime.before ?? ''}`,
        },
        { id: 'checks', header: 'Checks', cell: (server) => <Checks server={server} /> },
      ]}
    />
  );
}

export function WaveSteps(props: {
  execution: Execution;
  wave: ExecutionWave;
  expanded: boolean;
  onToggle: (expanded: boolean) => void;
  user: { userId: string | undefined; roles: readonly string[] };
  onUpdated: (execution: Execution) => void;
}): JSX.Element {
  const { wave, execution } = props;
  const stepIds = new Set([...wave.preSteps, ...wave.postSteps].map((s) => s.id));
  const pending: Approval[] = execution.approvals.filter((a) => a.status === 'PENDING' && a.kind === 'STEP' && (a.waveId === wave.id || (a.stepId !== null && stepIds.has(a.stepId))));
  const depends = wave.dependsOn.map((id) => execution.waves.find((w) => w.id === id)?.name ?? id);
  const description = [
    wave.launchOrder === 'SEQUENTIAL' ? 'Sequential launch' : 'Parallel launch',
    depends.length > 0 ? `after ${depends.join(', ')}` : 'first',
    wave.startedAt ? `started ${formatClock(wave.startedAt)}` : undefined,
    wave.completedAt ? `took ${duration(wave.startedAt, wave.completedAt)}` : undefined,
  ]
    .filter((part): part is string => part !== undefined)
    .join(' · ');
  const status = wave.skipped ? 'SKIPPED' : shownStatus(wave.status, execution.status);
  return (
    <div id={`wave-${wave.id}`} data-testid={`wave-${wave.name}`} data-status={status}>
      <ExpandableSection
        variant="container"
        headerText={wave.name}
        headerCounter={`(${wave.servers.length})`}
        headerDescription={description}
        headerActions={<StatusBadge status={status} />}
        expanded={props.expanded}
        onChange={({ detail }) => props.onToggle(detail.expanded)}
      >
        <SpaceBetween size="m">
          {wave.skipped && wave.skipReason ? <Box color="text-status-inactive">Skipped: {wave.skipReason}</Box> : null}
          {wave.failureReason ? <Box color="text-status-error">Failed: {wave.failureReason}</Box> : null}
          {pending.map((approval) => (
            <ApprovalDecision key={approval.id} executionId={execution.id} approval={approval} user={props.user} onUpdated={props.onUpdated} />
          ))}
          <StepTable title="Before the servers" steps={wave.preSteps} testId={`pre-steps-${wave.name}`} executionStatus={execution.status} />
          <ServerTable wave={wave} executionStatus={execution.status} />
          <StepTable title="After the servers" steps={wave.postSteps} testId={`post-steps-${wave.name}`} executionStatus={execution.status} />
        </SpaceBetween>
      </ExpandableSection>
    </div>
  );
}
