/**
 * Builds a recovery plan, or its next version: plan settings, waves (groups, dependencies, launch
 * and boot order, steps, error policy), the dependency graph drawn as the waves change, and a
 * validation panel that asks validateRecoveryPlan shortly after each change. Saving writes a new
 * immutable version; a stale version (someone saved meanwhile) is a CONFLICT, explained.
 */
import { useCallback, useState } from 'react';
import type { JSX } from 'react';
import Alert from '@cloudscape-design/components/alert';
import AttributeEditor from '@cloudscape-design/components/attribute-editor';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Grid from '@cloudscape-design/components/grid';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import type { SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import Textarea from '@cloudscape-design/components/textarea';
import Toggle from '@cloudscape-design/components/toggle';
import { useNavigate, useParams } from 'react-router';
import { useGraphQLMutation, useGraphQLQuery } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { useSession } from '../../auth/session.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { FormActions } from '../../components/FormActions.js';
import { useNotify } from '../../layout/notifications.js';
import { Page } from '../../layout/page.js';
import { errorTextAt, useDebouncedValue } from '../protection-groups/form-support.js';
import type { FieldProblem } from '../protection-groups/form-support.js';
import type { InputObject } from '../protection-groups/group-form.js';
import { CREATE_PLAN_MUTATION, RECOVERY_PLAN_QUERY, UPDATE_PLAN_MUTATION, VALIDATE_PLAN_QUERY } from './api.js';
import type { CreatePlanData, DrillNetworkIsolation, NotificationTargetType, PlanFinding, RecoveryPlan, RecoveryPlanData, UpdatePlanData, ValidatePlanData } from './api.js';
import { usePlanCatalog } from './plan-catalog.js';
import { emptyPlanForm, emptyWave, planFormOf, serversInOrder, toPlanInput, waveIndexOf } from './plan-form.js';
import type { PlanForm, WaveForm } from './plan-form.js';
import { PlanGraph } from './PlanGraph.js';
import { ValidationPanel } from './ValidationPanel.js';
import { WaveEditor } from './WaveEditor.js';

const PLANS_CRUMB = { text: 'Recovery plans', href: '/plans' };

export default function RecoveryPlanBuilderPage(): JSX.Element {
  const { id } = useParams();
  const { may } = useSession();
  const existing = useGraphQLQuery<RecoveryPlanData, { id: string }>(RECOVERY_PLAN_QUERY, { id: id ?? '' }, { pause: id === undefined });
  const plan = existing.data?.recoveryPlan;
  const title = id ? `Edit ${plan?.name ?? 'recovery plan'}` : 'Create recovery plan';
  const crumbs = id ? [PLANS_CRUMB, { text: plan?.name ?? id, href: `/plans/${id}` }, { text: 'Edit', href: `/plans/${id}/edit` }] : [PLANS_CRUMB, { text: 'Create', href: '/plans/new' }];

  if (!may('plan:write')) {
    return (
      <Page title={title} breadcrumbs={crumbs}>
        <Alert type="info" header="Read only">
          Creating and changing recovery plans needs the PlanAuthor or Admin role.
        </Alert>
      </Page>
    );
  }
  if (existing.error) {
    return (
      <Page title={title} breadcrumbs={crumbs}>
        <ErrorAlert error={existing.error} onRetry={existing.refetch} />
      </Page>
    );
  }
  if (id !== undefined && existing.loading) return <LoadingPlan title={title} crumbs={crumbs} />;
  if (id !== undefined && !plan) {
    return (
      <Page title={title} breadcrumbs={crumbs}>
        <Alert type="error" header="Not found">{`There is no recovery plan ${id}.`}</Alert>
      </Page>
    );
  }
  return (
    <PlanBuilder
      key={plan ? `${plan.id}@${plan.version}` : 'new'}
      title={title}
      crumbs={crumbs}
      plan={plan ?? undefined}
      onReloadPlan={existing.refetch}
    />
  );
}

function LoadingPlan(props: { title: string; crumbs: { text: string; href: string }[] }): JSX.Element {
  return (
    <Page title={props.title} breadcrumbs={props.crumbs}>
      <Box textAlign="center" padding="l">
        <Spinner size="large" /> Loading the plan and the protection groups
      </Box>
    </Page>
  );
}

const NOTIFICATION_TYPES: SelectProps.Option[] = [
  { value: 'EMAIL', label: 'E-mail' },
  { value: 'SNS_TOPIC', label: 'SNS topic' },
  { value: 'WEBHOOK', label: 'Webhook' },
];
const ISOLATION_OPTIONS: SelectProps.Option[] = [
  { value: 'ISOLATED_VPC', label: "Lifeboat's isolated drill VPC" },
  { value: 'CUSTOM_SUBNET', label: 'A subnet of mine' },
];

function PlanBuilder(props: { title: string; crumbs: { text: string; href: string }[]; plan: RecoveryPlan | undefined; onReloadPlan: () => void }): JSX.Element {
  const { plan } = props;
  const navigate = useNavigate();
  const notify = useNotify();
  const [form, setForm] = useState<PlanForm>(() => (plan ? planFormOf(plan) : emptyPlanForm()));
  const [selectedWave, setSelectedWave] = useState<string | undefined>(undefined);
  const [saveError, setSaveError] = useState<ConsoleError | undefined>(undefined);
  const [saveProblems, setSaveProblems] = useState<FieldProblem[]>([]);
  const [create, creating] = useGraphQLMutation<CreatePlanData, { input: InputObject }>(CREATE_PLAN_MUTATION);
  const [update, updating] = useGraphQLMutation<UpdatePlanData, { input: InputObject }>(UPDATE_PLAN_MUTATION);
  const saving = creating.running || updating.running;

  // Only the groups and servers the plan names, loaded as the waves name them.
  const catalog = usePlanCatalog(
    form.waves.flatMap((w) => w.protectionGroupIds),
    form.waves.flatMap((w) => [...w.sourceServerIds, ...[...w.preSteps, ...w.postSteps].flatMap((step) => step.targetServerIds)]),
  );
  const membersOf = useCallback((groupId: string): readonly string[] => catalog.groups.get(groupId)?.sourceServerIds ?? [], [catalog.groups]);

  const { input, problems: localProblems } = toPlanInput(form, membersOf);
  const planInput = plan ? { ...input, id: plan.id } : input;
  // Boot orders need the members of every group: nothing is validated before they are known.
  const validateInput = useDebouncedValue(catalog.groupsLoaded ? planInput : null, 500);
  const validation = useGraphQLQuery<ValidatePlanData, { input: InputObject }>(VALIDATE_PLAN_QUERY, { input: validateInput ?? {} }, { pause: validateInput === null });
  const checking = JSON.stringify(planInput) !== JSON.stringify(validateInput) || (validation.loading && !validation.data);
  const findings: PlanFinding[] = [
    ...localProblems.map((p) => ({ severity: 'ERROR' as const, code: 'INVALID', field: p.field, message: p.message })),
    ...(validation.data?.validateRecoveryPlan.findings ?? []),
  ];
  // Field errors: validation errors, and what the last save was refused for.
  const fieldProblems: FieldProblem[] = [...findings.filter((f) => f.severity === 'ERROR'), ...saveProblems];
  const errorAt = (path: string): string | undefined => errorTextAt(fieldProblems, path);
  const wavesWithErrors = new Set(fieldProblems.map((p) => waveIndexOf(p.field)).filter((i): i is number => i !== undefined));

  // An edit makes the last save's field problems out of date (the validation panel stays live).
  const edit = (change: (f: PlanForm) => PlanForm): void => {
    setForm(change);
    setSaveProblems([]);
  };
  const set = (patch: Partial<PlanForm>): void => edit((f) => ({ ...f, ...patch }));
  const setWave = (index: number, wave: WaveForm): void => edit((f) => ({ ...f, waves: f.waves.map((w, i) => (i === index ? wave : w)) }));
  const removeWave = (index: number): void =>
    edit((f) => {
      const removed = f.waves[index]?.key;
      return { ...f, waves: f.waves.filter((_, i) => i !== index).map((w) => ({ ...w, dependsOn: w.dependsOn.filter((d) => d !== removed) })) };
    });
  // A new wave follows the last one, the common case for tiers.
  const addWave = (): void => {
    const last = form.waves[form.waves.length - 1];
    const wave = emptyWave(`Wave ${form.waves.length + 1}`, last ? [last.key] : []);
    edit((f) => ({ ...f, waves: [...f.waves, wave] }));
    setSelectedWave(wave.key);
  };

  const focusWave = (key: string): void => {
    setSelectedWave(key);
    const target = document.getElementById(`wave-${key}`);
    target?.scrollIntoView({ behavior: 'smooth', block: 'start' });
    document.getElementById(`wave-${key}-name`)?.focus({ preventScroll: true });
  };
  const focusFinding = (finding: PlanFinding): void => {
    const index = waveIndexOf(finding.field);
    const wave = index === undefined ? undefined : form.waves[index];
    if (wave) {
      focusWave(wave.key);
      return;
    }
    const control = finding.field.startsWith('settings') ? 'plan-rto' : finding.field.startsWith('description') ? 'plan-description' : 'plan-name';
    document.getElementById(control)?.focus();
  };

  const save = async (): Promise<void> => {
    setSaveError(undefined);
    if (localProblems.length > 0) {
      setSaveError({ code: 'BAD_USER_INPUT', message: 'Fix the problems listed under Validation first.', problems: localProblems });
      return;
    }
    const result = plan
      ? await update({ input: { ...input, id: plan.id, expectedVersion: plan.version } }).then((r) => ({ error: r.error, saved: r.data?.updateRecoveryPlan }))
      : await create({ input }).then((r) => ({ error: r.error, saved: r.data?.createRecoveryPlan }));
    if (result.error) {
      setSaveProblems(result.error.problems ?? (result.error.field ? [{ field: result.error.field, message: result.error.message }] : []));
      setSaveError(result.error);
      return;
    }
    setSaveProblems([]);
    if (result.saved) {
      const warnings = result.saved.findings.filter((f) => f.severity === 'WARNING').length;
      notify({ type: 'success', header: `${result.saved.name} saved as version ${result.saved.version}`, content: warnings > 0 ? `${warnings} warning${warnings === 1 ? '' : 's'}: see the plan's validation.` : 'No warnings.' });
      void navigate(`/plans/${encodeURIComponent(result.saved.id)}`);
    }
  };

  const graphWaves = form.waves.map((w, i) => ({
    key: w.key,
    name: w.name,
    dependsOn: w.dependsOn,
    launchOrder: w.launchOrder,
    serverCount: serversInOrder(w, membersOf).length,
    hasError: wavesWithErrors.has(i),
  }));

  if (!catalog.groupsLoaded) {
    if (catalog.error) {
      return (
        <Page title={props.title} breadcrumbs={props.crumbs}>
          <ErrorAlert error={catalog.error} onRetry={catalog.retry} />
        </Page>
      );
    }
    return <LoadingPlan title={props.title} crumbs={props.crumbs} />;
  }

  return (
    <Page title={props.title} breadcrumbs={props.crumbs} description={plan ? `Saving writes version ${plan.version + 1}; version ${plan.version} stays as it is.` : 'Waves recover in dependency order; a wave starts when every wave it depends on has completed.'}>
      <Form
        actions={
          <FormActions
            submitLabel={plan ? 'Save new version' : 'Create plan'}
            submitting={saving}
            submitTestId="save-plan"
            onSubmit={() => void save()}
            onCancel={() => void navigate(plan ? `/plans/${encodeURIComponent(plan.id)}` : '/plans')}
          />
        }
      >
        <SpaceBetween size="l">
          {saveError?.code === 'CONFLICT' ? (
            <Alert
              type="error"
              header="Not saved: the plan changed meanwhile"
              action={
                <Button
                  onClick={() => {
                    setSaveError(undefined);
                    props.onReloadPlan();
                  }}
                >
                  Load the latest version
                </Button>
              }
            >
              {saveError.message}
              <Box variant="p">{`Someone saved a newer version of this plan after you opened version ${plan?.version ?? ''}. Load the latest version and make your change again (loading discards the edits on this page).`}</Box>
            </Alert>
          ) : (
            <ErrorAlert error={saveError} />
          )}
          <ErrorAlert error={catalog.error} onRetry={catalog.retry} />
          <Container header={<Header variant="h2">Plan</Header>}>
            <SpaceBetween size="l">
              <ColumnLayout columns={2}>
                <FormField label="Name" controlId="plan-name" description="Unique among the plans, whatever the case." errorText={errorAt('name')}>
                  <Input value={form.name} placeholder="Orders 3-tier" onChange={({ detail }) => set({ name: detail.value })} />
                </FormField>
                <FormField label="RTO target (minutes)" controlId="plan-rto" errorText={errorAt('settings.rtoTargetMinutes')} constraintText="1 to 10080">
                  <Input value={form.rtoTargetMinutes} inputMode="numeric" placeholder="60" onChange={({ detail }) => set({ rtoTargetMinutes: detail.value })} />
                </FormField>
              </ColumnLayout>
              <FormField label="Description" controlId="plan-description" errorText={errorAt('description')} stretch>
                <Textarea value={form.description} rows={2} placeholder="What the plan recovers, and when to run it" onChange={({ detail }) => set({ description: detail.value })} />
              </FormField>
              <Toggle checked={form.requireSecondApprover} onChange={({ detail }) => set({ requireSecondApprover: detail.checked })}>
                A RECOVERY needs the approval of a second person
              </Toggle>
              <ExpandableSection headerText="Drill settings" variant="footer" defaultExpanded={form.drillEnabled}>
                <SpaceBetween size="m">
                  <Toggle checked={form.drillEnabled} onChange={({ detail }) => set({ drillEnabled: detail.checked })}>
                    Set how drills run (otherwise Lifeboat's defaults)
                  </Toggle>
                  {form.drillEnabled && (
                    <ColumnLayout columns={2}>
                      <FormField label="Network" errorText={errorAt('settings.drill.networkIsolation')}>
                        <Select
                          selectedOption={ISOLATION_OPTIONS.find((o) => o.value === form.drillNetworkIsolation) ?? null}
                          options={ISOLATION_OPTIONS}
                          onChange={({ detail }) => set({ drillNetworkIsolation: (detail.selectedOption.value ?? 'ISOLATED_VPC') as DrillNetworkIsolation })}
                        />
                      </FormField>
                      <FormField label="Subnet" errorText={errorAt('settings.drill.subnetId')}>
                        <Input value={form.drillSubnetId} disabled={form.drillNetworkIsolation !== 'CUSTOM_SUBNET'} placeholder="subnet-…" onChange={({ detail }) => set({ drillSubnetId: detail.value })} />
                      </FormField>
                      <FormField label="Security groups" errorText={errorAt('settings.drill.securityGroupIds')} constraintText="sg-… separated by commas">
                        <Input value={form.drillSecurityGroupIds} onChange={({ detail }) => set({ drillSecurityGroupIds: detail.value })} />
                      </FormField>
                      <FormField label="Clean up after (hours)" errorText={errorAt('settings.drill.autoCleanupAfterHours')} constraintText="1 to 168">
                        <Input value={form.drillAutoCleanupAfterHours} inputMode="numeric" onChange={({ detail }) => set({ drillAutoCleanupAfterHours: detail.value })} />
                      </FormField>
                    </ColumnLayout>
                  )}
                </SpaceBetween>
              </ExpandableSection>
              <ExpandableSection headerText={`Notification targets (${form.notificationTargets.length})`} variant="footer">
                <AttributeEditor
                  items={form.notificationTargets}
                  addButtonText="Add notification target"
                  removeButtonText="Remove"
                  empty="No notification targets."
                  onAddButtonClick={() => set({ notificationTargets: [...form.notificationTargets, { type: 'EMAIL', address: '' }] })}
                  onRemoveButtonClick={({ detail }) => set({ notificationTargets: form.notificationTargets.filter((_, i) => i !== detail.itemIndex) })}
                  definition={[
                    {
                      label: 'Type',
                      control: (t, i) => (
                        <Select
                          selectedOption={NOTIFICATION_TYPES.find((o) => o.value === t.type) ?? null}
                          options={NOTIFICATION_TYPES}
                          ariaLabel={`Notification target ${i + 1} type`}
                          onChange={({ detail }) => set({ notificationTargets: form.notificationTargets.map((n, j) => (j === i ? { ...n, type: (detail.selectedOption.value ?? 'EMAIL') as NotificationTargetType } : n)) })}
                        />
                      ),
                    },
                    {
                      label: 'Address',
                      control: (t, i) => (
                        <Input
                          value={t.address}
                          ariaLabel={`Notification target ${i + 1} address`}
                          placeholder="Topic ARN, e-mail address or https URL"
                          onChange={({ detail }) => set({ notificationTargets: form.notificationTargets.map((n, j) => (j === i ? { ...n, address: detail.value } : n)) })}
                        />
                      ),
                      errorText: (_t, i) => errorAt(`settings.notificationTargets[${i}]`),
                    },
                  ]}
                />
              </ExpandableSection>
            </SpaceBetween>
          </Container>
          <Grid gridDefinition={[{ colspan: { default: 12, m: 7 } }, { colspan: { default: 12, m: 5 } }]}>
            <Container header={<Header variant="h2" description="Arrows point from a wave to the waves that wait for it. Select a wave to edit it.">Dependency graph</Header>}>
              <PlanGraph waves={graphWaves} selectedKey={selectedWave} onSelect={focusWave} />
            </Container>
            <Container header={<Header variant="h2" description="Checked as you edit; errors prevent saving.">Validation</Header>} data-testid="validation-panel">
              <ValidationPanel findings={findings} checking={checking} error={validation.error} onRetry={validation.refetch} waveNames={form.waves.map((w) => w.name)} onSelect={focusFinding} />
            </Container>
          </Grid>
          <SpaceBetween size="m">
            <Header
              variant="h2"
              counter={`(${form.waves.length})`}
              actions={
                <Button iconName="add-plus" onClick={addWave}>
                  Add wave
                </Button>
              }
            >
              Waves
            </Header>
            {form.waves.map((wave, index) => (
              <WaveEditor
                key={wave.key}
                index={index}
                wave={wave}
                waves={form.waves}
                catalog={catalog}
                membersOf={membersOf}
                onChange={(w) => setWave(index, w)}
                onRemove={() => removeWave(index)}
                errorAt={errorAt}
                highlighted={selectedWave === wave.key}
              />
            ))}
          </SpaceBetween>
        </SpaceBetween>
      </Form>
    </Page>
  );
}
