/** A plan's versions, oldest first, and what changed between any two of them (recoveryPlanDiff). */
import { useState } from 'react';
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import Table from '@cloudscape-design/components/table';
import { useGraphQLQuery } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatTimestamp } from '../../components/time.js';
import { useFollow } from '../../layout/links.js';
import { PLAN_DIFF_QUERY } from './api.js';
import type { PlanDiffData, PlanVersionSummary } from './api.js';

function ChangeList(props: { title: string; lines: readonly string[] }): JSX.Element | null {
  if (props.lines.length === 0) return null;
  return (
    <SpaceBetween size="xxs">
      <Box variant="h4">{props.title}</Box>
      <ul style={{ margin: 0 }}>
        {props.lines.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    </SpaceBetween>
  );
}

export function PlanDiffView(props: { planId: string; fromVersion: number; toVersion: number }): JSX.Element {
  const { data, error, loading, refetch } = useGraphQLQuery<PlanDiffData, { id: string; fromVersion: number; toVersion: number }>(PLAN_DIFF_QUERY, { id: props.planId, fromVersion: props.fromVersion, toVersion: props.toVersion });
  if (loading) {
    return (
      <Box>
        <Spinner /> Comparing versions
      </Box>
    );
  }
  if (error) return <ErrorAlert error={error} onRetry={refetch} />;
  const diff = data?.recoveryPlanDiff;
  if (!diff) return <Box color="text-status-inactive">No comparison.</Box>;
  const nothing = diff.summary.length === 0 && diff.planChanges.length === 0 && diff.waves.added.length === 0 && diff.waves.removed.length === 0 && diff.waves.changed.length === 0;
  return (
    <SpaceBetween size="m" data-testid="plan-diff">
      {nothing && <Box>{`Versions ${diff.fromVersion} and ${diff.toVersion} define the same plan.`}</Box>}
      <ChangeList title="Summary" lines={diff.summary} />
      <ColumnLayout columns={2}>
        <ChangeList title="Waves added" lines={diff.waves.added} />
        <ChangeList title="Waves removed" lines={diff.waves.removed} />
      </ColumnLayout>
      {diff.waves.changed.map((w) => (
        <ChangeList key={w.waveId} title={`Wave ${w.name}`} lines={w.changes} />
      ))}
      <ChangeList title="Plan settings" lines={diff.planChanges} />
    </SpaceBetween>
  );
}

export function PlanVersions(props: { planId: string; versions: readonly PlanVersionSummary[]; loading: boolean; error: ConsoleError | undefined; onRetry: () => void; viewing: number }): JSX.Element {
  const { versions } = props;
  const follow = useFollow();
  const numbers = versions.map((v) => v.version);
  const last = numbers[numbers.length - 1];
  const [from, setFrom] = useState<number | undefined>(undefined);
  const [to, setTo] = useState<number | undefined>(undefined);
  const toVersion = to ?? last;
  const fromVersion = from ?? (toVersion !== undefined ? numbers.filter((n) => n < toVersion).pop() : undefined);
  const options = versions.map((v) => ({ value: String(v.version), label: `Version ${v.version}`, description: `${formatTimestamp(v.createdAt)} by ${v.createdBy}${v.deleted ? ' (deleted)' : ''}` }));

  return (
    <SpaceBetween size="l">
      <ErrorAlert error={props.error} onRetry={props.onRetry} />
      <Table<PlanVersionSummary>
        data-testid="plan-versions"
        items={[...versions].reverse()}
        loading={props.loading}
        loadingText="Loading versions"
        trackBy={(v) => String(v.version)}
        ariaLabels={{ tableLabel: 'Versions' }}
        header={<Header counter={`(${versions.length})`} description="Every save wrote an immutable version; executions run one version.">Versions</Header>}
        columnDefinitions={[
          {
            id: 'version',
            header: 'Version',
            cell: (v) =>
              v.version === props.viewing ? (
                <Box variant="strong">{`${v.version} (shown)`}</Box>
              ) : (
                <Link href={`/plans/${encodeURIComponent(props.planId)}?version=${v.version}`} onFollow={follow} ariaLabel={`Show version ${v.version}`}>
                  {String(v.version)}
                </Link>
              ),
          },
          { id: 'created', header: 'Written', cell: (v) => `${formatTimestamp(v.createdAt)} by ${v.createdBy}` },
          { id: 'changes', header: 'Changes', cell: (v) => (v.deleted ? 'Deleted the plan' : v.changeSummary.join('; ') || '-') },
        ]}
      />
      <Container header={<Header variant="h3" description="What changed between two versions.">Compare versions</Header>}>
        {versions.length < 2 || fromVersion === undefined || toVersion === undefined ? (
          <Box color="text-status-inactive">There is one version only: nothing to compare yet.</Box>
        ) : (
          <SpaceBetween size="m">
            <ColumnLayout columns={2}>
              <FormField label="From">
                <Select selectedOption={options.find((o) => o.value === String(fromVersion)) ?? null} options={options} ariaLabel="Compare from version" onChange={({ detail }) => setFrom(Number(detail.selectedOption.value))} />
              </FormField>
              <FormField label="To">
                <Select selectedOption={options.find((o) => o.value === String(toVersion)) ?? null} options={options} ariaLabel="Compare to version" onChange={({ detail }) => setTo(Number(detail.selectedOption.value))} />
              </FormField>
            </ColumnLayout>
            {fromVersion >= toVersion ? (
              <Box color="text-status-error">Choose an earlier version in From than in To.</Box>
            ) : (
              <PlanDiffView planId={props.planId} fromVersion={fromVersion} toVersion={toVersion} />
            )}
          </SpaceBetween>
        )}
      </Container>
    </SpaceBetween>
  );
}
