/** Two executions side by side: status, duration, each wave's duration and failures, the servers that failed. */
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import Table from '@cloudscape-design/components/table';
import { useGraphQLQuery } from '../../api/client.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useFollow } from '../../layout/links.js';
import { COMPARE_QUERY } from './documents.js';
import type { CompareData, CompareVariables } from './documents.js';
import { formatTime } from './format.js';
import type { RunFacts, WaveComparison } from './model.js';
import { compareWaves, formatDuration, runFacts } from './model.js';

function durationText(ms: number | undefined): string {
  return ms === undefined ? 'Not finished' : formatDuration(ms);
}

function RunColumn(props: { title: string; facts: RunFacts }): JSX.Element {
  const follow = useFollow();
  const { facts } = props;
  return (
    <SpaceBetween size="s">
      <Box variant="h3">
        {props.title}:{' '}
        <Link href={`/executions/${facts.id}`} onFollow={follow}>
          {facts.id}
        </Link>
      </Box>
      <KeyValuePairs
        columns={2}
        items={[
          { label: 'Plan', value: facts.label },
          { label: 'Mode', value: facts.mode === 'DRILL' ? 'Drill' : 'Recovery' },
          { label: 'Status', value: <StatusBadge status={facts.status} /> },
          { label: 'Started', value: formatTime(facts.startedAt) },
          { label: 'Duration', value: durationText(facts.durationMs) },
          { label: 'Retries', value: String(facts.retries) },
          { label: 'Servers failed', value: facts.failedHostnames.length === 0 ? 'None' : facts.failedHostnames.join(', ') },
        ]}
      />
    </SpaceBetween>
  );
}

function waveCell(side: WaveComparison['a']): JSX.Element {
  if (side.status === 'NOT_RUN') return <Box color="text-status-inactive">Not in this run</Box>;
  return (
    <SpaceBetween direction="horizontal" size="xs">
      <StatusBadge status={side.status} />
      <span>{side.durationMs === undefined ? '-' : formatDuration(side.durationMs)}</span>
      {side.failed > 0 ? <Box color="text-status-error">{side.failed} failed</Box> : null}
    </SpaceBetween>
  );
}

export function CompareRuns(props: { ids: [string, string]; onClose: () => void }): JSX.Element {
  const query = useGraphQLQuery<CompareData, CompareVariables>(COMPARE_QUERY, { a: props.ids[0], b: props.ids[1] });
  const a = query.data?.a ?? undefined;
  const b = query.data?.b ?? undefined;
  const header = (
    <Header variant="h2" description="Two runs side by side: how long each took, wave by wave, and what failed." actions={<Button onClick={props.onClose}>Close comparison</Button>}>
      Compare runs
    </Header>
  );
  if (query.loading) {
    return (
      <Container header={header}>
        <Spinner /> Loading both runs…
      </Container>
    );
  }
  if (!a || !b) {
    return (
      <Container header={header}>
        {query.error ? <ErrorAlert error={query.error} onRetry={query.refetch} /> : <Box>One of the runs no longer exists.</Box>}
      </Container>
    );
  }
  const factsA = runFacts(a);
  const factsB = runFacts(b);
  const delta = factsA.durationMs !== undefined && factsB.durationMs !== undefined ? factsB.durationMs - factsA.durationMs : undefined;
  return (
    <Container header={header} data-testid="compare-runs">
      <SpaceBetween size="l">
        <ColumnLayout columns={2} variant="text-grid">
          <RunColumn title="Run A" facts={factsA} />
          <RunColumn title="Run B" facts={factsB} />
        </ColumnLayout>
        {delta !== undefined ? (
          <Box>
            Run B took {formatDuration(Math.abs(delta))} {delta > 0 ? 'longer' : delta < 0 ? 'less' : 'the same'} than run A.
          </Box>
        ) : null}
        <Table<WaveComparison>
          variant="embedded"
          header={<Box variant="h3">Waves</Box>}
          ariaLabels={{ tableLabel: 'Waves compared' }}
          trackBy="name"
          items={compareWaves(a, b)}
          columnDefinitions={[
            { id: 'name', header: 'Wave', cell: (row) => row.name },
            { id: 'a', header: 'Run A', cell: (row) => waveCell(row.a) },
            { id: 'b', header: 'Run B', cell: (row) => waveCell(row.b) },
          ]}
        />
      </SpaceBetween>
    </Container>
  );
}
