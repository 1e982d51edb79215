/**
 * One recovery plan at a version (the latest unless `?version=`): its waves as a graph and a list
 * with their servers and steps, its settings, its versions with a diff between any two, export
 * as YAML or JSON, and Execute (W2's dialog) for those who may run drills.
 */
import { useEffect, useRef, useState } from 'react';
import type { JSX } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ButtonDropdown from '@cloudscape-design/components/button-dropdown';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import Tabs from '@cloudscape-design/components/tabs';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useGraphQLMutation, useGraphQLQuery } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { useSession } from '../../auth/session.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatAge } from '../../components/time.js';
import { useFollow } from '../../layout/links.js';
import { useNotify } from '../../layout/notifications.js';
import { Page } from '../../layout/page.js';
import { ExecuteDialog } from '../executions/ExecuteDialog.js';
import { DELETE_PLAN_MUTATION, EXPORT_QUERY, PLAN_VERSIONS_QUERY, RECOVERY_PLAN_QUERY } from './api.js';
import type { BuilderGroup, DeletePlanData, DocumentFormat, ExportData, PlanStep, PlanVersionsData, RecoveryPlan, RecoveryPlanData, Wave } from './api.js';
import { usePlanCatalog } from './plan-catalog.js';
import { PlanGraph } from './PlanGraph.js';
import { PlanVersions } from './PlanVersions.js';
import { STEP_TYPE_LABELS } from './StepsEditor.js';

const PLANS_CRUMB = { text: 'Recovery plans', href: '/plans' };

export default function RecoveryPlanDetailPage(): JSX.Element {
  const { id = '' } = useParams();
  const [searchParams] = useSearchParams();
  const requested = Number(searchParams.get('version'));
  const version = Number.isInteger(requested) && requested > 0 ? requested : undefined;
  const { data, error, loading, refetch } = useGraphQLQuery<RecoveryPlanData, { id: string; version?: number }>(RECOVERY_PLAN_QUERY, version ? { id, version } : { id });
  const plan = data?.recoveryPlan;
  const crumbs = [PLANS_CRUMB, { text: plan?.name ?? id, href: `/plans/${id}` }];

  if (loading) {
    return (
      <Page title="Recovery plan" breadcrumbs={crumbs}>
        <Box textAlign="center" padding="l">
          <Spinner size="large" /> Loading the recovery plan
        </Box>
      </Page>
    );
  }
  if (error || !plan) {
    return (
      <Page title="Recovery plan" breadcrumbs={crumbs}>
        {error ? <ErrorAlert error={error} onRetry={refetch} /> : <Alert type="error" header="Not found">{`There is no recovery plan ${id}${version ? ` at version ${version}` : ''}. It may have been deleted.`}</Alert>}
      </Page>
    );
  }
  return <PlanDetail plan={plan} requestedVersion={version} crumbs={crumbs} />;
}

/**
 * Downloads the export once a fresh answer is there: each click asks again (the cached answer of
 * an earlier click may predate a newer version of the plan), and only an answer that arrived
 * after the click is saved.
 */
function useExport(plan: RecoveryPlan): { start: (format: DocumentFormat) => void; error: ConsoleError | undefined; running: boolean } {
  const [request, setRequest] = useState<{ format: DocumentFormat; n: number } | undefined>(undefined);
  const done = useRef(0);
  const before = useRef<ExportData | undefined>(undefined);
  const groupIds = [...new Set(plan.waves.flatMap((w) => w.protectionGroupIds))];
  const { data, error } = useGraphQLQuery<ExportData, { planIds: string[]; protectionGroupIds: string[]; format: DocumentFormat }>(
    EXPORT_QUERY,
    { planIds: [plan.id], protectionGroupIds: groupIds, format: request?.format ?? 'YAML' },
    { pause: request === undefined },
  );
  useEffect(() => {
    const exported = data?.exportConfiguration;
    if (!request || !exported || data === before.current || exported.format !== request.format || done.current === request.n) return;
    done.current = request.n;
    const type = exported.format === 'JSON' ? 'application/json' : 'application/yaml';
    const url = URL.createObjectURL(new Blob([exported.content], { type }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${plan.name.replace(/[^A-Za-z0-9._-]+/g, '-')}.${exported.format === 'JSON' ? 'json' : 'yaml'}`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setRequest(undefined);
  }, [data, request, plan.name]);
  return {
    start: (format) => {
      before.current = data;
      setRequest({ format, n: done.current + 1 });
    },
    error: request ? error : undefined,
    running: request !== undefined && !error,
  };
}

function PlanDetail(props: { plan: RecoveryPlan; requestedVersion: number | undefined; crumbs: { text: string; href: string }[] }): JSX.Element {
  const { plan } = props;
  const { may } = useSession();
  const follow = useFollow();
  const navigate = useNavigate();
  const notify = useNotify();
  const [executing, setExecuting] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<ConsoleError | undefined>(undefined);
  const [selectedWave, setSelectedWave] = useState<string | undefined>(undefined);
  const versions = useGraphQLQuery<PlanVersionsData, { id: string }>(PLAN_VERSIONS_QUERY, { id: plan.id });
  // Only the groups and servers this version names, not the whole inventory.
  const catalog = usePlanCatalog(
    plan.waves.flatMap((w) => w.protectionGroupIds),
    plan.waves.flatMap((w) => w.sourceServerIds),
  );
  const exporter = useExport(plan);
  const [remove, removing] = useGraphQLMutation<DeletePlanData, { id: string; expectedVersion: number }>(DELETE_PLAN_MUTATION);

  const groupById = new Map([...catalog.groups].flatMap(([id, g]) => (g ? [[id, g] as const] : [])));
  const hostnameOf = new Map([...catalog.servers].flatMap(([id, s]) => (s ? [[id, s.hostname] as const] : [])));
  const waveName = new Map(plan.waves.map((w) => [w.id, w.name]));
  const serversOf = (wave: Wave): string[] => [...new Set([...wave.protectionGroupIds.flatMap((g) => groupById.get(g)?.sourceServerIds ?? []), ...wave.sourceServerIds])];
  const allVersions = versions.data?.recoveryPlanVersions ?? [];
  const latest = allVersions.filter((v) => !v.deleted).map((v) => v.version).pop();
  const isLatest = latest === undefined || latest === plan.version;

  const onDelete = async (): Promise<void> => {
    setDeleteError(undefined);
    const result = await remove({ id: plan.id, expectedVersion: plan.version });
    if (result.error) {
      setDeleteError(result.error);
      return;
    }
    notify({ type: 'success', content: `Recovery plan ${plan.name} deleted; its versions stay readable for audit.` });
    void navigate('/plans');
  };

  const actions = (
    <SpaceBetween direction="horizontal" size="xs">
      <ButtonDropdown
        loading={exporter.running}
        items={[
          { id: 'YAML', text: 'YAML (plan and its groups)' },
          { id: 'JSON', text: 'JSON (plan and its groups)' },
        ]}
        onItemClick={({ detail }) => exporter.start(detail.id === 'JSON' ? 'JSON' : 'YAML')}
      >
        Export
      </ButtonDropdown>
      {may('plan:write') && isLatest && <Button onClick={() => setDeleting(true)}>Delete</Button>}
      {may('plan:write') && isLatest && (
        <Button href={`/plans/${encodeURIComponent(plan.id)}/edit`} onFollow={follow}>
          Edit
        </Button>
      )}
      {may('drill:run') && (
        <Button variant="primary" onClick={() => setExecuting(true)} data-testid="execute-plan">
          Execute
        </Button>
      )}
    </SpaceBetween>
  );

  return (
    <Page title={plan.name} description={plan.description ?? undefined} breadcrumbs={props.crumbs} actions={actions}>
      <SpaceBetween size="l">
        <ErrorAlert error={exporter.error} />
        <ErrorAlert error={catalog.error} onRetry={catalog.retry} />
        {!isLatest && (
          <Alert type="info" header={`Version ${plan.version} of ${latest ?? '?'}`} action={<Button href={`/plans/${encodeURIComponent(plan.id)}`} onFollow={follow}>Show the latest version</Button>}>
            This is an earlier version: it cannot be edited, and an execution runs the latest version unless told otherwise.
          </Alert>
        )}
        <Container header={<Header variant="h2">General</Header>}>
          <KeyValuePairs
            columns={4}
            items={[
              { label: 'Version', value: <span data-testid="plan-version">{`Version ${plan.version}`}</span> },
              { label: 'Written', value: `${formatAge(plan.createdAt)} by ${plan.createdBy}` },
              { label: 'Waves', value: String(plan.waves.length) },
              { label: 'RTO target', value: plan.settings.rtoTargetMinutes === null ? 'Not set' : `${plan.settings.rtoTargetMinutes} minutes` },
              { label: 'Changes in this version', value: plan.changeSummary.join('; ') || '-' },
            ]}
          />
        </Container>
        <Tabs
          ariaLabel="Recovery plan details"
          tabs={[
            {
              id: 'waves',
              label: `Waves (${plan.waves.length})`,
              content: (
                <SpaceBetween size="l">
                  <Container header={<Header variant="h3" description="Arrows point from a wave to the waves that wait for it.">Dependency graph</Header>}>
                    <PlanGraph
                      selectedKey={selectedWave}
                      onSelect={(key) => {
                        setSelectedWave(key);
                        document.getElementById(`plan-wave-${key}`)?.scrollIntoView({ behavior: 'smooth', block: 'start' });
                      }}
                      waves={plan.waves.map((w) => ({ key: w.id, name: w.name, dependsOn: w.dependsOn, launchOrder: w.launchOrder, serverCount: serversOf(w).length }))}
                    />
                  </Container>
                  {plan.waves.map((wave, index) => (
                    <WaveView key={wave.id} index={index} wave={wave} waveName={waveName} groupById={groupById} hostnameOf={hostnameOf} servers={serversOf(wave)} loaded={catalog.loaded} selected={selectedWave === wave.id} />
                  ))}
                </SpaceBetween>
              ),
            },
            {
              id: 'settings',
              label: 'Settings',
              content: (
                <Container header={<Header variant="h3">Plan settings</Header>}>
                  <KeyValuePairs
                    columns={3}
                    items={[
                      { label: 'RTO target', value: plan.settings.rtoTargetMinutes === null ? 'Not set' : `${plan.settings.rtoTargetMinutes} minutes` },
                      { label: 'Second approver for a RECOVERY', value: plan.settings.requireSecondApprover ? 'Required' : 'Not required' },
                      {
                        label: 'Drill network',
                        value: plan.settings.drill
                          ? plan.settings.drill.networkIsolation === 'CUSTOM_SUBNET'
                            ? `Subnet ${plan.settings.drill.subnetId ?? '?'}`
                            : "Lifeboat's isolated drill VPC"
                          : "Lifeboat's defaults",
                      },
                      { label: 'Drill security groups', value: plan.settings.drill?.securityGroupIds.join(', ') || '-' },
                      { label: 'Drill clean-up', value: plan.settings.drill?.autoCleanupAfterHours ? `After ${plan.settings.drill.autoCleanupAfterHours} hours` : 'Default' },
                      { label: 'Notification targets', value: plan.settings.notificationTargets.length === 0 ? 'None' : plan.settings.notificationTargets.map((t) => `${t.type}: ${t.address}`).join(', ') },
                    ]}
                  />
                </Container>
              ),
            },
            {
              id: 'versions',
              label: `Versions${allVersions.length ? ` (${allVersions.length})` : ''}`,
              content: <PlanVersions planId={plan.id} versions={allVersions} loading={versions.loading} error={versions.error} onRetry={versions.refetch} viewing={plan.version} />,
            },
          ]}
        />
      </SpaceBetween>
      {executing && <ExecuteDialog planId={plan.id} planName={plan.name} visible={executing} onDismiss={() => setExecuting(false)} />}
      <Modal
        visible={deleting}
        onDismiss={() => setDeleting(false)}
        header={`Delete ${plan.name}?`}
        closeAriaLabel="Close"
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setDeleting(false)}>
                Cancel
              </Button>
              <Button variant="primary" loading={removing.running} onClick={() => void onDelete()}>
                Delete
              </Button>
            </SpaceBetween>
          </Box>
        }
      >
        <SpaceBetween size="m">
          <Box>A final version marks the plan deleted: it leaves the list and cannot be executed; its versions and executions stay readable for audit.</Box>
          {deleteError?.code === 'CONFLICT' ? (
            <Alert type="error" header="Not deleted">
              {deleteError.message}
              <Box variant="p">Someone saved a newer version since this page was opened: reload it, check the change, and delete again if you still want to.</Box>
            </Alert>
          ) : (
            <ErrorAlert error={deleteError} />
          )}
        </SpaceBetween>
      </Modal>
    </Page>
  );
}

function stepLine(step: PlanStep): string {
  switch (step.type) {
    case 'WAIT':
      return `${step.name}: wait ${step.durationSeconds ?? '?'} s`;
    case 'APPROVAL':
      return `${step.name}: approval by ${step.approverRole ?? 'the default role'}${step.prompt ? ` ("${step.prompt}")` : ''}`;
    case 'SSM_DOCUMENT':
      return `${step.name}: SSM document ${step.documentName ?? '?'}${step.onFailure === 'CONTINUE' ? ', continues on failure' : ''}`;
    case 'LAMBDA':
      return `${step.name}: Lambda ${step.functionArn ?? '?'}${step.onFailure === 'CONTINUE' ? ', continues on failure' : ''}`;
    default:
      return `${step.name}: ${STEP_TYPE_LABELS[step.type as keyof typeof STEP_TYPE_LABELS] ?? step.type}`;
  }
}

function WaveView(props: {
  index: number;
  wave: Wave;
  waveName: ReadonlyMap<string, string>;
  groupById: ReadonlyMap<string, BuilderGroup>;
  hostnameOf: ReadonlyMap<string, string>;
  servers: readonly string[];
  /** The servers' hostnames are known (until then the list is not shown: no ids flash by). */
  loaded: boolean;
  selected: boolean;
}): JSX.Element {
  const { wave } = props;
  const follow = useFollow();
  const settings = new Map(wave.servers.map((s) => [s.sourceServerId, s]));
  const sequential = wave.launchOrder === 'SEQUENTIAL';
  const ordered = sequential ? [...props.servers].sort((a, b) => (settings.get(a)?.bootOrder ?? Number.MAX_SAFE_INTEGER) - (settings.get(b)?.bootOrder ?? Number.MAX_SAFE_INTEGER)) : [...props.servers];
  return (
    <div id={`plan-wave-${wave.id}`} style={props.selected ? { outline: '2px solid #0972d3', borderRadius: 16 } : undefined}>
      <Container
        header={
          <Header variant="h3" description={`${wave.dependsOn.length === 0 ? 'Starts first' : `After ${wave.dependsOn.map((d) => props.waveName.get(d) ?? d).join(', ')}`} · ${sequential ? 'sequential' : 'parallel'} · on failure: ${wave.errorPolicy === 'STOP' ? 'stop the plan' : 'continue'}`}>
            {`${props.index + 1}. ${wave.name}`}
          </Header>
        }
      >
        <ColumnLayout columns={3} variant="text-grid">
          <SpaceBetween size="xxs">
            <Box variant="awsui-key-label">Protection groups</Box>
            {wave.protectionGroupIds.length === 0 ? (
              <Box>-</Box>
            ) : (
              wave.protectionGroupIds.map((g) => (
                <div key={g}>
                  <Link href={`/protection-groups/${encodeURIComponent(g)}`} onFollow={follow}>
                    {props.groupById.get(g)?.name ?? g}
                  </Link>
                </div>
              ))
            )}
            {wave.sourceServerIds.length > 0 && <Box>{`Single servers: ${wave.sourceServerIds.map((s) => props.hostnameOf.get(s) ?? s).join(', ')}`}</Box>}
          </SpaceBetween>
          <SpaceBetween size="xxs">
            <Box variant="awsui-key-label">{sequential ? 'Boot order' : 'Servers'}</Box>
            {!props.loaded ? (
              <Spinner />
            ) : ordered.length === 0 ? (
              <Box>-</Box>
            ) : (
              <ol style={{ margin: 0, paddingInlineStart: 20 }} aria-label={`${sequential ? 'Boot order' : 'Servers'} of ${wave.name}`}>
                {ordered.map((id) => {
                  const s = settings.get(id);
                  return <li key={id}>{`${props.hostnameOf.get(id) ?? id}${s?.criticality === 'OPTIONAL' ? ' (optional)' : ''}${s?.delaySeconds ? `, ${s.delaySeconds} s after the previous` : ''}`}</li>;
                })}
              </ol>
            )}
          </SpaceBetween>
          <SpaceBetween size="xxs">
            <Box variant="awsui-key-label">Steps</Box>
            {wave.preSteps.length === 0 && wave.postSteps.length === 0 && <Box>-</Box>}
            {wave.preSteps.map((s) => (
              <Box key={s.id}>{`Before: ${stepLine(s)}`}</Box>
            ))}
            {wave.postSteps.map((s) => (
              <Box key={s.id}>{`After: ${stepLine(s)}`}</Box>
            ))}
          </SpaceBetween>
        </ColumnLayout>
      </Container>
    </div>
  );
}

