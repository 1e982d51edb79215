/**
 * What the definition being edited would hold now: previewProtectionGroup, asked again shortly
 * after each change of the account, region, explicit servers or tag selectors.
 */
import type { JSX } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Header from '@cloudscape-design/components/header';
import Table from '@cloudscape-design/components/table';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useGraphQLQuery } from '../../api/client.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { PREVIEW_QUERY } from './api.js';
import type { PreviewData, ProtectionGroupPreview } from './api.js';
import { previewInput } from './membership.js';
import type { PreviewDefinition } from './membership.js';
import { useDebouncedValue } from './form-support.js';

export function GroupPreview(props: { definition: PreviewDefinition }): JSX.Element {
  const settled = useDebouncedValue(previewInput(props.definition), 400);
  const nothing = settled.accountId === '' || settled.region === '' || (settled.sourceServerIds.length === 0 && settled.tagSelectors.length === 0);
  const { data, error, loading, refetch } = useGraphQLQuery<PreviewData, { input: PreviewDefinition }>(PREVIEW_QUERY, { input: settled }, { pause: nothing });
  const preview: ProtectionGroupPreview | undefined = nothing ? undefined : data?.previewProtectionGroup;

  return (
    <SpaceBetween size="s">
      <ErrorAlert error={nothing ? undefined : error} onRetry={refetch} />
      {preview && preview.conflicts.length > 0 && (
        <Alert type="warning" header={`${preview.conflicts.length} server${preview.conflicts.length === 1 ? '' : 's'} held by another group`} data-testid="preview-conflicts">
          <ul>
            {preview.conflicts.map((c) => (
              <li key={c.sourceServerId}>{`${c.sourceServerId} is in ${c.protectionGroupName ?? c.protectionGroupId}: a server is in at most one group.`}</li>
            ))}
          </ul>
        </Alert>
      )}
      <Table
        data-testid="group-preview"
        variant="container"
        items={preview?.servers ?? []}
        loading={!nothing && loading}
        loadingText="Resolving members"
        trackBy="sourceServerId"
        ariaLabels={{ tableLabel: 'Members preview' }}
        header={
          <Header variant="h2" counter={preview ? `(${preview.servers.length})` : undefined} description="The servers this definition would hold now, updated as you edit.">
            Members preview
          </Header>
        }
        empty={
          nothing ? (
            <EmptyState title="Nothing to preview" subtitle="Select servers or add a tag selector to see the members." />
          ) : (
            <EmptyState title="No members" subtitle="No server of this account and region is selected or matches the selectors." />
          )
        }
        columnDefinitions={[
          { id: 'hostname', header: 'Hostname', isRowHeader: true, cell: (s) => s.hostname || <Box color="text-status-inactive">{s.sourceServerId}</Box> },
          { id: 'replication', header: 'Replication', cell: (s) => <StatusBadge status={s.replicationState} /> },
          { id: 'matched', header: 'Matched by', cell: (s) => (s.matchedBy === 'EXPLICIT' ? 'Explicit' : 'Tags') },
          { id: 'id', header: 'Source server', cell: (s) => s.sourceServerId },
        ]}
      />
    </SpaceBetween>
  );
}
