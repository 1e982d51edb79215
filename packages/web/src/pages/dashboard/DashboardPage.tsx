/**
 * The administrator's first look: is the estate recoverable (replication readiness), how did each
 * plan's last drill go and did it meet its RTO target, what runs now, what waits for a decision.
 * Everything but the readiness counts is pushed live by subscriptions.
 */
import { useCallback, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import ProgressBar from '@cloudscape-design/components/progress-bar';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import { gql, useGraphQLQuery, useGraphQLSubscription } from '../../api/client.js';
import { useSession } from '../../auth/session.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { formatAge, formatDuration, formatTimestamp, useNow } from '../../components/time.js';
import { useFollow } from '../../layout/links.js';
import { Page } from '../../layout/page.js';
import type { ExecutionSummary } from './executions.js';
import { useDashboardExecutions } from './executions.js';
import { useReadiness } from './readiness.js';

const PLANS = gql`
  query DashboardPlans {
    recoveryPlans(first: 100) {
      items {
        id
        name
        version
        waves {
          id
        }
        settings {
          rtoTargetMinutes
        }
      }
      nextCursor
    }
  }
`;

const PENDING_APPROVAL_FIELDS = `
  executionId
  planId
  planName
  mode
  startedBy
  approval { id kind prompt status requestedAt expiresAt approverRoles }
`;

const PENDING_APPROVALS = gql`
  query DashboardPendingApprovals {
    pendingApprovals { ${PENDING_APPROVAL_FIELDS} }
  }
`;

const APPROVALS_PENDING = gql`
  subscription DashboardApprovalsPending {
    approvalsPending { ${PENDING_APPROVAL_FIELDS} }
  }
`;

interface PlanSummary {
  id: string;
  name: string;
  version: number;
  waves: { id: string }[];
  settings: { rtoTargetMinutes: number | null };
}

interface PendingApproval {
  executionId: string;
  planId: string;
  planName: string;
  mode: 'DRILL' | 'RECOVERY';
  startedBy: string;
  approval: { id: string; kind: 'SECOND_APPROVER' | 'STEP'; prompt: string; status: string; requestedAt: string; expiresAt: string | null; approverRoles: string[] };
}

/** How long an execution ran (or has run so far). */
export function elapsedMs(execution: Pick<ExecutionSummary, 'startedAt' | 'completedAt'>, now: number): number {
  const end = execution.completedAt ? Date.parse(execution.completedAt) : now;
  return end - Date.parse(execution.startedAt);
}

function RtoVerdict(props: { execution: ExecutionSummary | undefined; rtoTargetMinutes: number | null; now: number }): ReactNode {
  const { execution, rtoTargetMinutes, now } = props;
  if (!execution) return '-';
  const elapsed = elapsedMs(execution, now);
  if (rtoTargetMinutes === null) return <Box color="text-body-secondary">{formatDuration(elapsed)} (no target)</Box>;
  const target = rtoTargetMinutes * 60_000;
  const text = `${formatDuration(elapsed)} of ${rtoTargetMinutes} min`;
  if (!execution.completedAt) return <StatusIndicator type={elapsed > target ? 'warning' : 'in-progress'}>{text}</StatusIndicator>;
  if (execution.status !== 'COMPLETED') return <StatusIndicator type="stopped">{text} (did not complete)</StatusIndicator>;
  return <StatusIndicator type={elapsed <= target ? 'success' : 'error'}>{elapsed <= target ? `Met: ${text}` : `Missed: ${text}`}</StatusIndicator>;
}

function ReadinessPanel(): ReactNode {
  const follow = useFollow();
  const { readiness, error, loading, refresh } = useReadiness();
  return (
    <Container
      header={
        <Header
          variant="h2"
          description="Source servers across every account and region, by DRS replication state"
          actions={<Button iconName="refresh" ariaLabel="Refresh readiness" onClick={refresh} loading={loading} />}
        >
          Replication readiness
        </Header>
      }
      data-testid="readiness"
    >
      {error ? (
        <ErrorAlert error={error} onRetry={refresh} />
      ) : !readiness ? (
        <StatusIndicator type="loading">Counting source servers</StatusIndicator>
      ) : readiness.total === 0 ? (
        <EmptyState title="No source servers" subtitle="The catalog lists no DRS source servers yet. Add an account in Settings, then sync." />
      ) : (
        <SpaceBetween size="l">
          <ColumnLayout columns={4} variant="text-grid" minColumnWidth={120}>
            <div>
              <Box variant="awsui-key-label">Source servers</Box>
              <Link variant="awsui-value-large" href="/servers" onFollow={follow}>
                {readiness.total}
              </Link>
            </div>
            <div>
              <Box variant="awsui-key-label">Ready for recovery</Box>
              <Link variant="awsui-value-large" href="/servers?ready=true" onFollow={follow}>
                {readiness.ready}
              </Link>
            </div>
            <div>
              <Box variant="awsui-key-label">Not ready</Box>
              <Link variant="awsui-value-large" href="/servers?ready=false" onFollow={follow}>
                {readiness.total - readiness.ready}
              </Link>
              {readiness.protectedNotReady > 0 && <Box color="text-status-error">{readiness.protectedNotReady} of them in protection groups</Box>}
            </div>
            <div>
              <Box variant="awsui-key-label">In no protection group</Box>
              <Link variant="awsui-value-large" href="/servers?group=none" onFollow={follow}>
                {readiness.unassigned}
              </Link>
            </div>
          </ColumnLayout>
          <ProgressBar
            value={Math.round((readiness.ready / readiness.total) * 100)}
            label="Ready for recovery"
            description={`${readiness.ready} of ${readiness.total} servers replicate continuously`}
            status={readiness.ready === readiness.total ? 'success' : 'in-progress'}
            resultText="All servers are ready"
          />
          <ColumnLayout columns={3} variant="text-grid" minColumnWidth={160}>
            {readiness.byState.map(({ state, count }) => (
              <div key={state} data-testid={`replication-${state}`}>
                <Link href={`/servers?replicationState=${encodeURIComponent(state)}`} onFollow={follow} ariaLabel={`${count} servers ${state}`}>
                  <StatusBadge status={state} />
                </Link>{' '}
                <Box variant="strong" display="inline">
                  {count}
                </Box>
              </div>
            ))}
          </ColumnLayout>
        </SpaceBetween>
      )}
    </Container>
  );
}

function PendingApprovalsTable(): ReactNode {
  const follow = useFollow();
  const now = useNow();
  const query = useGraphQLQuery<{ pendingApprovals: PendingApproval[] }>(PENDING_APPROVALS);
  const [pushed, setPushed] = useState<PendingApproval[] | undefined>(undefined);
  const onPending = useCallback((data: { approvalsPending: PendingApproval[] }) => setPushed(data.approvalsPending), []);
  const subscription = useGraphQLSubscription(APPROVALS_PENDING, {}, onPending);
  const approvals = pushed ?? query.data?.pendingApprovals ?? [];
  const error = query.error ?? subscription.error;
  return (
    <Table
      data-testid="pending-approvals"
      header={
        <Header variant="h2" counter={`(${approvals.length})`} description="Approvals you may decide now">
          Pending approvals
        </Header>
      }
      loading={query.loading && pushed === undefined}
      loadingText="Loading approvals"
      items={approvals}
      trackBy={(item) => item.approval.id}
      variant="container"
      empty={error ? <ErrorAlert error={error} onRetry={query.refetch} /> : <EmptyState title="Nothing waits for you" subtitle="Approvals of running drills and recoveries appear here as soon as they are asked for." />}
      columnDefinitions={[
        {
          id: 'plan',
          header: 'Execution',
          cell: (item) => (
            <Link href={`/executions/${item.executionId}`} onFollow={follow}>
              {item.planName} ({item.mode === 'DRILL' ? 'drill' : 'recovery'})
            </Link>
          ),
        },
        { id: 'prompt', header: 'Asks', cell: (item) => item.approval.prompt },
        { id: 'kind', header: 'Kind', cell: (item) => (item.approval.kind === 'SECOND_APPROVER' ? 'Second approver' : 'Step') },
        { id: 'requested', header: 'Asked', cell: (item) => formatAge(item.approval.requestedAt, now) },
        { id: 'expires', header: 'Times out', cell: (item) => (item.approval.expiresAt ? formatAge(item.approval.expiresAt, now) : 'Never') },
        {
          id: 'open',
          header: 'Decide',
          cell: (item) => (
            <Button href={`/executions/${item.executionId}`} onFollow={follow} ariaLabel={`Review the approval of ${item.planName}`}>
              Review
            </Button>
          ),
        },
      ]}
    />
  );
}

export default function DashboardPage(): ReactNode {
  const session = useSession();
  const follow = useFollow();
  const now = useNow(5000);
  const plansQuery = useGraphQLQuery<{ recoveryPlans: { items: PlanSummary[]; nextCursor: string | null } }>(PLANS);
  const plans = useMemo(() => plansQuery.data?.recoveryPlans.items ?? [], [plansQuery.data]);
  const planIds = useMemo(() => (plansQuery.data ? plans.map((p) => p.id) : undefined), [plansQuery.data, plans]);
  const executions = useDashboardExecutions(planIds);
  const rtoOf = useMemo(() => new Map(plans.map((p) => [p.id, p.settings.rtoTargetMinutes])), [plans]);
  const mayApprove = session.may('drill:approve') || session.may('recovery:approve');

  return (
    <Page
      title="Dashboard"
      description="Readiness, drills and executions across every protected application"
      breadcrumbs={[{ text: 'Lifeboat', href: '/' }, { text: 'Dashboard', href: '/' }]}
    >
      <SpaceBetween size="l">
        <ReadinessPanel />
        <Table
          data-testid="running-executions"
          header={
            <Header variant="h2" counter={`(${executions.running.length})`} description="Drills and recoveries in progress, live">
              Running executions
            </Header>
          }
          variant="container"
          items={executions.running}
          trackBy="id"
          empty={
            executions.error ? (
              <ErrorAlert error={executions.error} onRetry={executions.refetch} />
            ) : (
              <EmptyState title="Nothing is running" subtitle="Start a drill from a recovery plan to rehearse a recovery." />
            )
          }
          columnDefinitions={[
            {
              id: 'plan',
              header: 'Plan',
              cell: (item) => (
                <Link href={`/executions/${item.id}`} onFollow={follow}>
                  {item.planName}
                </Link>
              ),
            },
            { id: 'mode', header: 'Mode', cell: (item) => (item.mode === 'DRILL' ? 'Drill' : 'Recovery') },
            { id: 'status', header: 'Status', cell: (item) => <StatusBadge status={item.status} /> },
            { id: 'started', header: 'Started', cell: (item) => `${formatAge(item.startedAt, now)} by ${item.startedBy}` },
            { id: 'rto', header: 'Elapsed / RTO target', cell: (item) => <RtoVerdict execution={item} rtoTargetMinutes={rtoOf.get(item.planId) ?? null} now={now} /> },
          ]}
        />
        {mayApprove && <PendingApprovalsTable />}
        <Table
          data-testid="plan-drills"
          header={
            <Header
              variant="h2"
              counter={plansQuery.data ? `(${plans.length}${plansQuery.data.recoveryPlans.nextCursor ? '+' : ''})` : undefined}
              description="Each plan's last drill, its age, and its duration against the plan's RTO target"
            >
              Recovery plans: last drill
            </Header>
          }
          variant="container"
          loading={plansQuery.loading}
          loadingText="Loading plans"
          items={plans}
          trackBy="id"
          empty={
            plansQuery.error ? (
              <ErrorAlert error={plansQuery.error} onRetry={plansQuery.refetch} />
            ) : (
              <EmptyState title="No recovery plans" subtitle="A recovery plan recovers protection groups in waves." />
            )
          }
          columnDefinitions={[
            {
              id: 'name',
              header: 'Plan',
              cell: (item) => (
                <Link href={`/plans/${item.id}`} onFollow={follow}>
                  {item.name}
                </Link>
              ),
            },
            { id: 'waves', header: 'Waves', cell: (item) => `${item.waves.length} (version ${item.version})` },
            {
              id: 'last-drill',
              header: 'Last drill',
              cell: (item) => {
                const last = executions.lastDrills.get(item.id);
                if (!last) return executions.lastDrillsLoading ? <StatusIndicator type="loading">Loading</StatusIndicator> : <StatusIndicator type="warning">Never drilled</StatusIndicator>;
                return (
                  <Link href={`/executions/${last.id}`} onFollow={follow} ariaLabel={`Last drill of ${item.name}: ${last.status}`}>
                    <StatusBadge status={last.status} />
                  </Link>
                );
              },
            },
            {
              id: 'age',
              header: 'When',
              cell: (item) => {
                const last = executions.lastDrills.get(item.id);
                return last ? <span title={formatTimestamp(last.startedAt)}>{formatAge(last.startedAt, now)}</span> : '-';
              },
            },
            { id: 'rto', header: 'Duration / RTO target', cell: (item) => <RtoVerdict execution={executions.lastDrills.get(item.id)} rtoTargetMinutes={item.settings.rtoTargetMinutes} now={now} /> },
          ]}
        />
      </SpaceBetween>
    </Page>
  );
}
