/**
 * The Execute dialog of a recovery plan: DRILL or RECOVERY (RECOVERY only for recovery:run), the
 * plan version (latest by default), the waves to run, the recovery point in time, and for a
 * RECOVERY the typed confirmation of the plan's name (Start stays disabled until it matches) and
 * the second approver the plan may ask for. Start calls startExecution and opens the runbook.
 */
import { useEffect, useState } from 'react';
import type { JSX } from 'react';
import { useNavigate } from 'react-router';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import DatePicker from '@cloudscape-design/components/date-picker';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import Multiselect from '@cloudscape-design/components/multiselect';
import RadioGroup from '@cloudscape-design/components/radio-group';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import Tiles from '@cloudscape-design/components/tiles';
import TimeInput from '@cloudscape-design/components/time-input';
import { useGraphQLMutation, useGraphQLQuery } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { useSession } from '../../auth/session.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { useNotify } from '../../layout/notifications.js';
import { EXECUTE_PLAN_QUERY, GROUP_SERVERS_QUERY, START_EXECUTION } from './documents.js';
import type { ExecutePlanData, ExecutePlanVariables, GroupServersData, StartExecutionData, StartExecutionVariables } from './documents.js';
import { formatTime } from './format.js';
import type { ExecutionMode } from './model.js';
import { pointsInTimeOf, serversOfWaves, startProblems } from './start.js';
import type { PointInTimeChoice } from './start.js';

export interface ExecuteDialogProps {
  planId: string;
  planName: string;
  visible: boolean;
  onDismiss: () => void;
}

const LATEST = 'latest';

export function ExecuteDialog(props: ExecuteDialogProps): JSX.Element {
  const { planId, visible, onDismiss } = props;
  const session = useSession();
  const notify = useNotify();
  const navigate = useNavigate();
  const mayDrill = session.may('drill:run');
  const mayRecover = session.may('recovery:run');

  const [mode, setMode] = useState<ExecutionMode>('DRILL');
  const [version, setVersion] = useState<number | undefined>(undefined);
  const [waveIds, setWaveIds] = useState<string[] | undefined>(undefined);
  const [pointInTime, setPointInTime] = useState<PointInTimeChoice>({ type: 'LATEST', date: '', time: '', snapshots: {} });
  const [confirmation, setConfirmation] = useState('');
  const [error, setError] = useState<ConsoleError | undefined>(undefined);

  useEffect(() => {
    if (!visible) return;
    setMode(mayDrill || !mayRecover ? 'DRILL' : 'RECOVERY');
    setVersion(undefined);
    setWaveIds(undefined);
    setPointInTime({ type: 'LATEST', date: '', time: '', snapshots: {} });
    setConfirmation('');
    setError(undefined);
  }, [visible, mayDrill, mayRecover]);

  const query = useGraphQLQuery<ExecutePlanData, ExecutePlanVariables>(EXECUTE_PLAN_QUERY, version === undefined ? { id: planId } : { id: planId, version }, { pause: !visible });
  const [start, starting] = useGraphQLMutation<StartExecutionData, StartExecutionVariables>(START_EXECUTION);

  const plan = query.data?.recoveryPlan ?? undefined;
  const planName = plan?.name ?? props.planName;
  const versions = (query.data?.recoveryPlanVersions ?? []).filter((v) => !v.deleted).sort((a, b) => b.version - a.version);
  const latest = versions[0]?.version;
  const chosenWaves = plan ? plan.waves.filter((w) => waveIds === undefined || waveIds.includes(w.id)) : [];
  const groups = query.data?.protectionGroups.items ?? [];
  const servers = serversOfWaves(chosenWaves, groups);
  const problems = startProblems({ mode, confirmation, planName, pointInTime, waveCount: chosenWaves.length, now: Date.now() });
  const mayStart = mode === 'RECOVERY' ? mayRecover : mayDrill;
  const fieldProblem = (field: string) => error?.problems?.find((p) => p.field === field || p.field.startsWith(`${field}.`) || p.field.startsWith(`${field}[`))?.message;

  const onStart = async () => {
    if (!plan) return;
    setError(undefined);
    const points = pointsInTimeOf(pointInTime, servers);
    const options = {
      ...(waveIds !== undefined ? { waveIds } : {}),
      ...(points.length > 0 ? { pointsInTime: points } : {}),
    };
    const input: StartExecutionVariables['input'] = {
      planId,
      mode,
      ...(version !== undefined ? { planVersion: version } : {}),
      ...(mode === 'RECOVERY' ? { confirmation } : {}),
      ...(Object.keys(options).length > 0 ? { options } : {}),
    };
    const result = await start({ input });
    if (result.error) {
      setError(result.error);
      return;
    }
    const started = result.data?.startExecution;
    if (!started) return;
    notify({ type: 'success', header: `${mode === 'DRILL' ? 'Drill' : 'Recovery'} started`, content: `${planName}: execution ${started.id}` });
    onDismiss();
    void navigate(`/executions/${started.id}`);
  };

  const versionOptions = versions.map((v) => ({
    value: String(v.version),
    label: `Version ${v.version}${v.version === latest ? ' (latest)' : ''}`,
    description: `${formatTime(v.createdAt)} by ${v.createdBy}`,
    tags: v.changeSummary.slice(0, 3),
  }));
  const selectedVersion = version === undefined ? { value: LATEST, label: latest !== undefined ? `Latest (version ${latest})` : 'Latest' } : versionOptions.find((o) => o.value === String(version)) ?? null;
  const waveOptions = (plan?.waves ?? []).map((w) => ({ value: w.id, label: w.name, description: w.dependsOn.length > 0 ? `after ${w.dependsOn.map((d) => plan?.waves.find((x) => x.id === d)?.name ?? d).join(', ')}` : 'first' }));

  return (
    <Modal
      visible={visible}
      onDismiss={onDismiss}
      size="large"
      header={`Execute ${planName}`}
      closeAriaLabel="Close"
      data-testid="execute-dialog"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onDismiss}>
              Cancel
            </Button>
            <Button
              variant="primary"
              loading={starting.running}
              disabled={!plan || !mayStart || problems.length > 0}
              disabledReason={!mayStart ? 'Your roles may not start this' : problems[0]}
              onClick={() => void onStart()}
            >
              {mode === 'DRILL' ? 'Start drill' : 'Start recovery'}
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      {query.loading && !plan ? (
        <Box textAlign="center">
          <Spinner /> Loading the plan…
        </Box>
      ) : (
        <SpaceBetween size="l">
          <ErrorAlert error={query.error} onRetry={query.refetch} />
          {!mayDrill && !mayRecover ? (
            <Alert type="info" header="Your roles cannot start executions">
              Starting a drill needs the Operator, RecoveryManager or Admin role.
            </Alert>
          ) : null}
          <FormField label="Mode" stretch>
            <Tiles
              ariaLabel="Mode"
              value={mode}
              onChange={({ detail }) => setMode(detail.value === 'RECOVERY' ? 'RECOVERY' : 'DRILL')}
              items={[
                { value: 'DRILL', label: 'Drill', description: 'A rehearsal: drill instances in the drill network, production untouched; clean them up afterwards.', disabled: !mayDrill },
                ...(mayRecover ? [{ value: 'RECOVERY', label: 'Recovery', description: 'The real failover: recovery instances take over production.' }] : []),
              ]}
            />
          </FormField>
          {mode === 'RECOVERY' ? (
            <Alert type="warning" header="This is a real recovery">
              Recovery instances are launched for production.
              {plan?.settings.requireSecondApprover ? ' This plan requires a second approver: after you start, a different person with the RecoveryManager or Admin role must approve before any server launches.' : ''}
            </Alert>
          ) : null}
          <ColumnLayout columns={2}>
            <FormField label="Plan version" description="An execution always runs one immutable version.">
              <Select
                selectedOption={selectedVersion}
                onChange={({ detail }) => {
                  const value = detail.selectedOption.value;
                  setVersion(value === undefined || value === LATEST ? undefined : Number(value));
                  setWaveIds(undefined);
                  setPointInTime((current) => ({ ...current, snapshots: {} }));
                }}
                options={[{ value: LATEST, label: latest !== undefined ? `Latest (version ${latest})` : 'Latest' }, ...versionOptions]}
                ariaLabel="Plan version"
              />
            </FormField>
            <FormField label="Waves" description="All of them unless you choose; a chosen wave still waits for the chosen waves it depends on." errorText={fieldProblem('options.waveIds')}>
              <Multiselect
                selectedOptions={waveOptions.filter((o) => waveIds === undefined || waveIds.includes(o.value))}
                onChange={({ detail }) => {
                  const chosen = detail.selectedOptions.map((o) => o.value).filter((v): v is string => v !== undefined);
                  setWaveIds(chosen.length === waveOptions.length ? undefined : chosen);
                }}
                options={waveOptions}
                placeholder="Choose waves"
                ariaLabel="Waves"
                tokenLimit={4}
              />
            </FormField>
          </ColumnLayout>
          <FormField label="Point in time" description={`The recovery snapshot each of the ${servers.length} servers launches from.`} errorText={fieldProblem('options.pointsInTime')} stretch>
            <RadioGroup
              ariaLabel="Point in time"
              value={pointInTime.type}
              onChange={({ detail }) => setPointInTime((current) => ({ ...current, type: detail.value === 'LATEST_BEFORE' ? 'LATEST_BEFORE' : detail.value === 'SNAPSHOT' ? 'SNAPSHOT' : 'LATEST' }))}
              items={[
                { value: 'LATEST', label: 'Latest snapshot', description: 'Every server launches from its most recent snapshot.' },
                { value: 'LATEST_BEFORE', label: 'Latest snapshot before a time', description: 'For example, the last snapshot before a ransomware attack began.' },
                { value: 'SNAPSHOT', label: 'Specific snapshots', description: 'Name a snapshot per server; the others launch from their latest.' },
              ]}
            />
          </FormField>
          {pointInTime.type === 'LATEST_BEFORE' ? (
            <ColumnLayout columns={2}>
              <FormField label="Date (UTC)">
                <DatePicker
                  value={pointInTime.date}
                  onChange={({ detail }) => setPointInTime((current) => ({ ...current, date: detail.value }))}
                  placeholder="YYYY/MM/DD"
                  openCalendarAriaLabel={(selected) => `Choose the date${selected ? `, ${selected}` : ''}`}
                  isDateEnabled={(date) => date.getTime() <= Date.now()}
                  ariaLabel="Date (UTC)"
                />
              </FormField>
              <FormField label="Time (UTC)">
                <TimeInput value={pointInTime.time} onChange={({ detail }) => setPointInTime((current) => ({ ...current, time: detail.value }))} format="hh:mm:ss" placeholder="hh:mm:ss" ariaLabel="Time (UTC)" />
              </FormField>
            </ColumnLayout>
          ) : null}
          {pointInTime.type === 'SNAPSHOT' && plan ? (
            <SpaceBetween size="s">
              {chosenWaves.flatMap((wave) =>
                wave.protectionGroupIds.map((groupId) => (
                  <GroupSnapshots
                    key={`${wave.id}:${groupId}`}
                    waveName={wave.name}
                    groupId={groupId}
                    groupName={groups.find((g) => g.id === groupId)?.name ?? groupId}
                    snapshots={pointInTime.snapshots}
                    onChange={(serverId, snapshotId) => setPointInTime((current) => ({ ...current, snapshots: { ...current.snapshots, [serverId]: snapshotId } }))}
                  />
                )),
              )}
              {chosenWaves
                .filter((wave) => wave.sourceServerIds.length > 0)
                .map((wave) => (
                  <ExpandableSection key={`${wave.id}:single`} headerText={`${wave.name}: single servers`} defaultExpanded>
                    <SpaceBetween size="xs">
                      {wave.sourceServerIds.map((serverId) => (
                        <SnapshotInput key={serverId} serverId={serverId} label={serverId} value={pointInTime.snapshots[serverId] ?? ''} onChange={(value) => setPointInTime((current) => ({ ...current, snapshots: { ...current.snapshots, [serverId]: value } }))} />
                      ))}
                    </SpaceBetween>
                  </ExpandableSection>
                ))}
            </SpaceBetween>
          ) : null}
          {mode === 'RECOVERY' ? (
            <FormField
              label="Confirmation"
              description={`Type the plan's name, ${planName}, to confirm a real recovery.`}
              errorText={fieldProblem('confirmation') ?? (confirmation !== '' && confirmation !== planName ? 'Does not match the plan name' : undefined)}
            >
              <Input value={confirmation} onChange={({ detail }) => setConfirmation(detail.value)} placeholder={planName} autoComplete={false} spellcheck={false} />
            </FormField>
          ) : null}
          <ErrorAlert error={error} />
        </SpaceBetween>
      )}
    </Modal>
  );
}

function SnapshotInput(props: { serverId: string; label: string; description?: string; value: string; onChange: (value: string) => void }): JSX.Element {
  return (
    <FormField label={props.label} description={props.description}>
      <Input value={props.value} onChange={({ detail }) => props.onChange(detail.value.trim())} placeholder="Snapshot id (blank: latest)" />
    </FormField>
  );
}

/** The members of one protection group of a chosen wave, each with a snapshot id to launch from. */
function GroupSnapshots(props: { waveName: string; groupId: string; groupName: string; snapshots: Record<string, string>; onChange: (serverId: string, snapshotId: string) => void }): JSX.Element {
  const members = useGraphQLQuery<GroupServersData, { groupId: string }>(GROUP_SERVERS_QUERY, { groupId: props.groupId });
  const items = members.data?.sourceServers.items ?? [];
  return (
    <ExpandableSection headerText={`${props.waveName}: ${props.groupName}`} headerCounter={`(${items.length})`} variant="default" defaultExpanded>
      {members.loading ? (
        <Spinner />
      ) : members.error ? (
        <ErrorAlert error={members.error} onRetry={members.refetch} />
      ) : (
        <SpaceBetween size="xs">
          {items.map((server) => (
            <SnapshotInput key={server.id} serverId={server.id} label={server.hostname || server.id} description={server.id} value={props.snapshots[server.id] ?? ''} onChange={(value) => props.onChange(server.id, value)} />
          ))}
        </SpaceBetween>
      )}
    </ExpandableSection>
  );
}
