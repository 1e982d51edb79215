/**
 * The runbook of one execution (`/executions/:id`), live: loaded with the `execution` query and
 * the latest events of its stream (`executionEvents(last: 200)`: a 1,000-server drill has about
 * 3,000, earlier ones are asked page by page from the timeline), then kept current by the
 * `executionUpdated` and `executionEvents` subscriptions (the fresher view wins by stream version;
 * a gap in the pushed events asks the query again). Everything but the timeline comes from the
 * `execution` detail, whatever part of the stream is held. Header: plan, mode, status, who started it and when, elapsed time against the
 * plan's RTO target, and the controls the user's roles and the execution's state allow. Body: the
 * waves as a graph and as a step list with approvals inline, the drill cleanup, the timeline.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { JSX } from 'react';
import { useParams } from 'react-router';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ButtonDropdown from '@cloudscape-design/components/button-dropdown';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import ProgressBar from '@cloudscape-design/components/progress-bar';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import Table from '@cloudscape-design/components/table';
import { useGraphQLMutation, useGraphQLQuery, useGraphQLSubscription } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { useSession } from '../../auth/session.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useFollow } from '../../layout/links.js';
import { useNotify } from '../../layout/notifications.js';
import { Page } from '../../layout/page.js';
import { ApprovalDecision } from './ApprovalDecision.js';
import { CancelModal, RetryModal } from './ControlModals.js';
import {
  CANCEL_EXECUTION,
  CLEANUP_DRILL,
  EARLIER_EVENTS_QUERY,
  EXECUTION_EVENTS,
  EXECUTION_UPDATED,
  PAUSE_EXECUTION,
  PLAN_TARGET_QUERY,
  RESUME_EXECUTION,
  RETRY_FAILED_SERVERS,
  RUNBOOK_QUERY,
} from './documents.js';
import type {
  CancelVariables,
  EarlierEventsData,
  EarlierEventsVariables,
  ExecutionEventsData,
  ExecutionUpdatedData,
  IdVariables,
  PauseVariables,
  PlanTargetData,
  RetryVariables,
  RunbookData,
} from './documents.js';
import { formatTime } from './format.js';
import type { Approval, Execution, ExecutionEventRecord } from './model.js';
import { controlsOf, elapsedMs, formatDuration, fresher, instancesLeft, isFinished, mergeEvents, rtoStanding, withEarlierEvents, withLatestEvents } from './model.js';
import { Timeline } from './Timeline.js';
import type { EarlierEvents } from './Timeline.js';
import { WaveGraph } from './WaveGraph.js';
import { WaveSteps } from './WaveSteps.js';

/** While an execution is live, the query is asked again this often: the safety net for a push lost while (re)connecting. */
const RESYNC_MS = 15_000;

export default function ExecutionPage(): JSX.Element {
  const { id = '' } = useParams();
  // A new id is a new runbook: no state of the previous one may leak into it.
  return <Runbook key={id} id={id} />;
}

/** The current time, every second while `running`. */
function useNow(running: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running]);
  return now;
}

function Runbook(props: { id: string }): JSX.Element {
  const { id } = props;
  const session = useSession();
  const notify = useNotify();
  const follow = useFollow();
  const query = useGraphQLQuery<RunbookData, IdVariables>(RUNBOOK_QUERY, { id });
  const [execution, setExecution] = useState<Execution | undefined>(undefined);
  const [events, setEvents] = useState<ExecutionEventRecord[]>([]);
  const eventsRef = useRef<ExecutionEventRecord[]>([]);
  const lastResync = useRef(0);
  const { refetch } = query;

  const take = useCallback((incoming: Execution) => setExecution((current) => fresher(current, incoming)), []);
  const holdEvents = useCallback((held: ExecutionEventRecord[]) => {
    eventsRef.current = held;
    setEvents(held);
  }, []);
  const addPushedEvent = useCallback(
    (incoming: ExecutionEventRecord) => {
      const merged = mergeEvents(eventsRef.current, [incoming]);
      holdEvents(merged.events);
      // A pushed event after a hole: the events in between were appended before the subscription started.
      if (merged.gap && Date.now() - lastResync.current > 1000) {
        lastResync.current = Date.now();
        refetch();
      }
    },
    [refetch, holdEvents],
  );

  useEffect(() => {
    const data = query.data;
    if (!data) return;
    if (data.execution) take(data.execution);
    holdEvents(withLatestEvents(eventsRef.current, data.executionEvents));
  }, [query.data, take, holdEvents]);

  // "Show earlier events": the page before the oldest event held, asked when the timeline asks for it.
  const [earlierBefore, setEarlierBefore] = useState<number | undefined>(undefined);
  const earlierQuery = useGraphQLQuery<EarlierEventsData, EarlierEventsVariables>(EARLIER_EVENTS_QUERY, { id, beforeVersion: earlierBefore ?? 1 }, { pause: earlierBefore === undefined });
  const { refetch: refetchEarlier } = earlierQuery;
  useEffect(() => {
    const page = earlierQuery.data?.executionEvents;
    if (page) holdEvents(withEarlierEvents(eventsRef.current, page));
  }, [earlierQuery.data, holdEvents]);
  const showEarlier = useCallback(() => {
    const oldest = eventsRef.current[0]?.streamVersion;
    if (oldest === undefined || oldest <= 1) return;
    // The same page again (after an error): the variables do not change, so ask the network.
    if (oldest === earlierBefore) refetchEarlier();
    else setEarlierBefore(oldest);
  }, [earlierBefore, refetchEarlier]);
  const earlier: EarlierEvents = { loading: earlierQuery.loading, error: earlierQuery.error, onShow: showEarlier };

  const notFound = query.data !== undefined && query.data.execution === null;
  const updated = useGraphQLSubscription<ExecutionUpdatedData, IdVariables>(EXECUTION_UPDATED, { id }, (data) => take(data.executionUpdated), { pause: notFound });
  const pushed = useGraphQLSubscription<ExecutionEventsData, IdVariables>(EXECUTION_EVENTS, { id }, (data) => addPushedEvent(data.executionEvents), { pause: notFound });

  const live = execution !== undefined && !isFinished(execution.status);
  const cleaningUp = execution?.cleanup?.status === 'IN_PROGRESS';
  useEffect(() => {
    if (!live && !cleaningUp) return undefined;
    const timer = setInterval(refetch, RESYNC_MS);
    return () => clearInterval(timer);
  }, [live, cleaningUp, refetch]);

  const plan = useGraphQLQuery<PlanTargetData, { id: string; version: number }>(
    PLAN_TARGET_QUERY,
    { id: execution?.planId ?? '', version: execution?.planVersion ?? 0 },
    { pause: !execution },
  );
  const now = useNow(live);

  if (query.loading && !execution) {
    return (
      <Page title="Execution" breadcrumbs={crumbs(id)}>
        <Box textAlign="center" padding="xxl">
          <Spinner size="large" /> Loading the runbook…
        </Box>
      </Page>
    );
  }
  if (!execution) {
    return (
      <Page title="Execution" breadcrumbs={crumbs(id)}>
        {query.error ? (
          <ErrorAlert error={query.error} onRetry={refetch} />
        ) : (
          <Alert type="error" header="Execution not found">
            There is no execution {id}.{' '}
            <Link href="/executions" onFollow={follow}>
              See the history
            </Link>
            .
          </Alert>
        )}
      </Page>
    );
  }

  const liveError = updated.error ?? pushed.error;
  const rtoTarget = plan.data?.recoveryPlan?.settings.rtoTargetMinutes ?? null;
  return (
    <RunbookView
      execution={execution}
      events={events}
      eventsLoading={query.loading}
      earlierEvents={earlier}
      now={now}
      rtoTargetMinutes={rtoTarget}
      userId={query.data?.me.id}
      username={session.username}
      roles={session.roles}
      may={session.may}
      liveError={liveError}
      queryError={query.error}
      onRetryQuery={refetch}
      onUpdated={take}
      notify={notify}
      follow={follow}
    />
  );
}

function crumbs(id: string, planName?: string): { text: string; href: string }[] {
  return [
    { text: 'Lifeboat', href: '/' },
    { text: 'Executions', href: '/executions' },
    { text: planName ? `${planName} (${id})` : id, href: `/executions/${id}` },
  ];
}

type Action = 'pause' | 'resume' | 'cancel' | 'cleanup' | 'retry';

function RunbookView(props: {
  execution: Execution;
  events: ExecutionEventRecord[];
  eventsLoading: boolean;
  earlierEvents: EarlierEvents;
  now: number;
  rtoTargetMinutes: number | null;
  userId: string | undefined;
  username: string;
  roles: string[];
  may: ReturnType<typeof useSession>['may'];
  liveError: ConsoleError | undefined;
  queryError: ConsoleError | undefined;
  onRetryQuery: () => void;
  onUpdated: (execution: Execution) => void;
  notify: ReturnType<typeof useNotify>;
  follow: ReturnType<typeof useFollow>;
}): JSX.Element {
  const { execution, onUpdated, notify } = props;
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});
  const [modal, setModal] = useState<'cancel' | 'retry' | undefined>(undefined);
  const [actionError, setActionError] = useState<{ action: Action; error: ConsoleError } | undefined>(undefined);
  const [pause, pausing] = useGraphQLMutation<{ pauseExecution: Execution }, PauseVariables>(PAUSE_EXECUTION);
  const [resume, resuming] = useGraphQLMutation<{ resumeExecution: Execution }, IdVariables>(RESUME_EXECUTION);
  const [cancel, cancelling] = useGraphQLMutation<{ cancelExecution: Execution }, CancelVariables>(CANCEL_EXECUTION);
  const [cleanup, cleaning] = useGraphQLMutation<{ cleanupDrill: Execution }, IdVariables>(CLEANUP_DRILL);
  const [retry, retrying] = useGraphQLMutation<{ retryFailedServers: Execution }, RetryVariables>(RETRY_FAILED_SERVERS);
  const controls = controlsOf(execution, props.may);
  const user = { userId: props.userId, roles: props.roles };

  /** Runs a control; the answer is the execution after it, taken at once (the subscription confirms it). */
  const act = async <T,>(action: Action, run: () => Promise<{ data?: T; error?: ConsoleError }>, pick: (data: T) => Execution, done: string): Promise<boolean> => {
    setActionError(undefined);
    const result = await run();
    if (result.error) {
      setActionError({ action, error: result.error });
      if (action !== 'cancel' && action !== 'retry') notify({ type: 'error', header: `Could not ${action === 'cleanup' ? 'clean up' : action}`, content: result.error.message });
      return false;
    }
    if (result.data !== undefined) onUpdated(pick(result.data));
    notify({ type: 'success', content: done });
    return true;
  };

  const pendingWaves = execution.waves.filter((w) => w.status === 'PENDING' && !w.skipped && !execution.pauseBeforeWaveIds.includes(w.id));
  const elapsed = elapsedMs(execution, props.now);
  const rto = rtoStanding(elapsed, props.rtoTargetMinutes);
  const secondApprovals: Approval[] = execution.approvals.filter((a) => a.kind === 'SECOND_APPROVER' && a.status === 'PENDING');
  const modeLabel = execution.mode === 'DRILL' ? 'Drill' : 'Recovery';

  const actions = (
    <SpaceBetween direction="horizontal" size="xs">
      {controls.pause.visible &&
        (pendingWaves.length > 0 ? (
          <ButtonDropdown
            data-testid="pause-execution"
            ariaLabel="More pause choices"
            loading={pausing.running}
            disabled={!controls.pause.enabled}
            disabledReason={controls.pause.reason}
            mainAction={{
              text: 'Pause',
              disabled: !controls.pause.enabled,
              disabledReason: controls.pause.reason,
              onClick: () => void act('pause', () => pause({ id: execution.id }), (d) => d.pauseExecution, 'Paused: nothing new starts until you resume.'),
            }}
            items={pendingWaves.map((w) => ({ id: w.id, text: `Pause before wave ${w.name}` }))}
            onItemClick={({ detail }) =>
              void act('pause', () => pause({ id: execution.id, beforeWaveId: detail.id }), (d) => d.pauseExecution, 'It will pause before that wave starts.')
            }
          />
        ) : (
          <Button
            loading={pausing.running}
            disabled={!controls.pause.enabled}
            disabledReason={controls.pause.reason}
            onClick={() => void act('pause', () => pause({ id: execution.id }), (d) => d.pauseExecution, 'Paused: nothing new starts until you resume.')}
          >
            Pause
          </Button>
        ))}
      {controls.resume.visible && (
        <Button
          variant="primary"
          loading={resuming.running}
          disabled={!controls.resume.enabled}
          disabledReason={controls.resume.reason}
          onClick={() => void act('resume', () => resume({ id: execution.id }), (d) => d.resumeExecution, 'Resumed.')}
        >
          Resume
        </Button>
      )}
      {controls.cancel.visible && (
        <Button disabled={!controls.cancel.enabled} disabledReason={controls.cancel.reason} onClick={() => setModal('cancel')}>
          Cancel
        </Button>
      )}
      {controls.retry.visible && (
        <Button disabled={!controls.retry.enabled} disabledReason={controls.retry.reason} onClick={() => setModal('retry')}>
          Retry failed servers
        </Button>
      )}
      {controls.cleanup.visible && (
        <Button
          loading={cleaning.running}
          disabled={!controls.cleanup.enabled}
          disabledReason={controls.cleanup.reason}
          onClick={() => void act('cleanup', () => cleanup({ id: execution.id }), (d) => d.cleanupDrill, 'Cleanup started: the drill instances are being terminated.')}
        >
          Clean up
        </Button>
      )}
    </SpaceBetween>
  );

  return (
    <Page
      title={execution.planName}
      description={`${modeLabel} of plan version ${execution.planVersion} · execution ${execution.id}`}
      breadcrumbs={crumbs(execution.id, execution.planName)}
      actions={actions}
    >
      <SpaceBetween size="l">
        {props.liveError ? (
          <Alert type="warning" header="Live updates interrupted">
            {props.liveError.message} The runbook is refreshed periodically until they resume.
          </Alert>
        ) : null}
        <ErrorAlert error={props.queryError} onRetry={props.onRetryQuery} />
        {secondApprovals.map((approval) => (
          <ApprovalDecision key={approval.id} executionId={execution.id} approval={approval} user={user} onUpdated={onUpdated} />
        ))}
        <Container header={<Header variant="h2">Overview</Header>} data-testid="execution-overview">
          <KeyValuePairs
            columns={4}
            items={[
              { label: 'Status', value: <span data-testid="execution-status" data-status={execution.status}><StatusBadge status={execution.status} /></span> },
              { label: 'Mode', value: modeLabel },
              {
                label: 'Plan',
                value: (
                  <Link href={`/plans/${execution.planId}`} onFollow={props.follow}>
                    {execution.planName} (version {execution.planVersion})
                  </Link>
                ),
              },
              { label: 'Started by', value: execution.startedBy },
              { label: 'Started', value: formatTime(execution.startedAt) },
              { label: 'Ended', value: execution.completedAt ? formatTime(execution.completedAt) : 'Not yet' },
              {
                label: props.rtoTargetMinutes ? `Elapsed of the ${props.rtoTargetMinutes} min RTO target` : 'Elapsed',
                value: rto ? (
                  <ProgressBar
                    data-testid="elapsed"
                    value={rto.percent}
                    status={rto.exceeded ? 'error' : 'in-progress'}
                    description={`${formatDuration(elapsed)} of ${formatDuration((props.rtoTargetMinutes ?? 0) * 60_000)}`}
                    additionalInfo={rto.exceeded ? 'Over the RTO target' : undefined}
                    ariaLabel="Elapsed against the RTO target"
                  />
                ) : (
                  <span data-testid="elapsed">{formatDuration(elapsed)}</span>
                ),
              },
              {
                label: 'State',
                value: describeState(execution),
              },
            ]}
          />
        </Container>
        <Container header={<Header variant="h2" description="Each wave starts when every wave it depends on has completed.">Waves</Header>}>
          <WaveGraph
            waves={execution.waves}
            executionStatus={execution.status}
            onSelect={(waveId) => {
              setExpanded((current) => ({ ...current, [waveId]: true }));
              document.getElementById(`wave-${waveId}`)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
            }}
          />
        </Container>
        <SpaceBetween size="s">
          <Header variant="h2" counter={`(${execution.waves.length})`} description="Steps before and after each wave's servers, and every server's launch and checks.">
            Step list
          </Header>
          {execution.waves.map((wave) => (
            <WaveSteps
              key={wave.id}
              execution={execution}
              wave={wave}
              expanded={expanded[wave.id] ?? true}
              onToggle={(open) => setExpanded((current) => ({ ...current, [wave.id]: open }))}
              user={user}
              onUpdated={onUpdated}
            />
          ))}
        </SpaceBetween>
        {execution.approvals.length > 0 ? <ApprovalHistory execution={execution} /> : null}
        {execution.mode === 'DRILL' ? <CleanupPanel execution={execution} /> : null}
        <Timeline
          events={props.events}
          execution={execution}
          me={{ userId: props.userId, username: props.username }}
          loading={props.eventsLoading && props.events.length === 0}
          earlier={props.earlierEvents}
        />
      </SpaceBetween>
      <CancelModal
        execution={execution}
        visible={modal === 'cancel'}
        running={cancelling.running}
        error={actionError?.action === 'cancel' ? actionError.error : undefined}
        onDismiss={() => {
          setModal(undefined);
          setActionError(undefined);
        }}
        onConfirm={(choice) =>
          void act(
            'cancel',
            () => cancel({ id: execution.id, terminateInstances: choice.terminateInstances, ...(choice.reason ? { reason: choice.reason } : {}) }),
            (d) => d.cancelExecution,
            choice.terminateInstances ? 'Cancelling: the recovery instances are terminated once nothing is in flight.' : 'Cancelling: nothing new launches.',
          ).then((ok) => ok && setModal(undefined))
        }
      />
      <RetryModal
        execution={execution}
        visible={modal === 'retry'}
        running={retrying.running}
        error={actionError?.action === 'retry' ? actionError.error : undefined}
        onDismiss={() => {
          setModal(undefined);
          setActionError(undefined);
        }}
        onConfirm={(sourceServerIds) =>
          void act('retry', () => retry({ id: execution.id, sourceServerIds }), (d) => d.retryFailedServers, `Retrying ${sourceServerIds.length} server(s).`).then(
            (ok) => ok && setModal(undefined),
          )
        }
      />
    </Page>
  );
}

/** One line on where the execution stands beyond its status. */
function describeState(execution: Execution): string {
  const waveName = (id: string | null) => execution.waves.find((w) => w.id === id)?.name ?? id ?? '';
  switch (execution.status) {
    case 'RUNNING': {
      const running = execution.waves.filter((w) => w.status === 'RUNNING').map((w) => w.name);
      const scheduled = execution.pauseBeforeWaveIds.map((waveId) => waveName(waveId));
      const waitingFor = execution.approvals.find((a) => a.status === 'PENDING');
      const idle = waitingFor ? (waitingFor.kind === 'SECOND_APPROVER' ? 'Waiting for a second approver before any launch' : 'Waiting for an approval') : 'Starting the next wave';
      const parts = [running.length > 0 ? `Running ${running.join(', ')}` : idle];
      if (scheduled.length > 0) parts.push(`will pause before ${scheduled.join(', ')}`);
      return parts.join('; ');
    }
    case 'PAUSED':
      return execution.pausedBeforeWaveId ? `Paused before ${waveName(execution.pausedBeforeWaveId)} since ${formatTime(execution.pausedAt)}` : `Paused since ${formatTime(execution.pausedAt)}`;
    case 'CANCELLING':
      return `Cancel asked by ${execution.cancelRequestedBy ?? 'someone'}; waiting for launches in flight`;
    case 'CANCELLED':
      return `Cancelled by ${execution.cancelRequestedBy ?? 'someone'}${execution.terminateInstancesOnCancel ? ', instances terminated' : ''}`;
    case 'FAILED':
      return execution.failureReason ?? 'Failed';
    case 'COMPLETED':
      return execution.retries > 0 ? `Completed after ${execution.retries} retr${execution.retries === 1 ? 'y' : 'ies'}` : 'Every wave completed';
    default: {
      const unexpected: never = execution.status;
      return String(unexpected);
    }
  }
}

function ApprovalHistory(props: { execution: Execution }): JSX.Element {
  const { execution } = props;
  const where = (approval: Approval) => {
    if (approval.kind === 'SECOND_APPROVER') return 'Before any launch';
    const wave = execution.waves.find((w) => w.id === approval.waveId);
    const step = wave ? [...wave.preSteps, ...wave.postSteps].find((s) => s.id === approval.stepId) : undefined;
    return `${wave?.name ?? 'A wave'}${step ? `: ${step.name}` : ''}`;
  };
  return (
    <Table<Approval>
      data-testid="approvals"
      variant="container"
      wrapLines
      header={<Header counter={`(${execution.approvals.length})`}>Approvals</Header>}
      ariaLabels={{ tableLabel: 'Approvals' }}
      trackBy="id"
      items={execution.approvals}
      columnDefinitions={[
        { id: 'where', header: 'Where', cell: where },
        { id: 'prompt', header: 'Prompt', cell: (a) => a.prompt },
        { id: 'status', header: 'Status', cell: (a) => <StatusBadge status={a.status} /> },
        { id: 'who', header: 'May decide', cell: (a) => a.approverRoles.join(', ') },
        { id: 'decided', header: 'Decided', cell: (a) => (a.decidedBy ? `${a.decidedBy}, ${formatTime(a.decidedAt)}` : '-') },
        { id: 'comment', header: 'Comment', cell: (a) => a.comment ?? '-' },
      ]}
    />
  );
}

function CleanupPanel(props: { execution: Execution }): JSX.Element {
  const { execution } = props;
  const cleanup = execution.cleanup;
  const left = instancesLeft(execution);
  const triggers = { ON_DEMAND: 'Clean up (on demand)', TTL: "The plan's time to live", CANCEL: 'Cancel with terminate instances' } as const;
  return (
    <Container
      data-testid="drill-cleanup"
      header={<Header variant="h2" description="Drill instances are terminated after the drill, on demand, by a cancel or at the plan's time to live.">Drill cleanup</Header>}
    >
      {cleanup ? (
        <KeyValuePairs
          columns={4}
          items={[
            { label: 'Cleanup status', value: <span data-testid="cleanup-status" data-status={cleanup.status}><StatusBadge status={cleanup.status} /></span> },
            { label: 'Started by', value: triggers[cleanup.trigger] },
            { label: 'Started', value: formatTime(cleanup.startedAt) },
            { label: 'Completed', value: formatTime(cleanup.completedAt) },
            { label: 'Terminated', value: `${cleanup.terminatedRecoveryInstanceIds.length} of ${cleanup.recoveryInstanceIds.length} recovery instances` },
            {
              label: 'Not terminated',
              value:
                cleanup.failed.length === 0 ? (
                  'None'
                ) : (
                  <ul>
                    {cleanup.failed.map((f) => (
                      <li key={f.recoveryInstanceId}>
                        {f.recoveryInstanceId}: {f.reason}
                      </li>
                    ))}
                  </ul>
                ),
            },
          ]}
        />
      ) : (
        <Box color="text-status-inactive" data-testid="cleanup-status" data-status="NONE">
          {left.length > 0 ? `Not cleaned up yet: ${left.length} recovery instance${left.length === 1 ? '' : 's'} up.` : 'Nothing to clean up: no recovery instance was launched.'}
        </Box>
      )}
    </Container>
  );
}
