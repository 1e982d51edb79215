/**
 * The servers of the group's account and region, each Available, In this group, Assigned (to
 * which group: not selectable, a server is in at most one group) or Not ready (why: selectable,
 * it will not recover until it replicates again). Filtered, sorted and paged in the browser,
 * which copes with thousands of rows.
 */
import { useState } from 'react';
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import SegmentedControl from '@cloudscape-design/components/segmented-control';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import { useCollection } from '@cloudscape-design/collection-hooks';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { SOURCE_SERVERS_QUERY } from './api.js';
import type { PickerServer, SourceServersData, SourceServersVariables } from './api.js';
import { availabilityOf } from './membership.js';
import type { Availability } from './membership.js';
import { useAllPages } from './paging.js';
import type { AllPages } from './paging.js';

export function AvailabilityBadge(props: { availability: Availability }): JSX.Element {
  const a = props.availability;
  switch (a.kind) {
    case 'available':
      return <StatusIndicator type="success">Available</StatusIndicator>;
    case 'this-group':
      return <StatusIndicator type="info">In this group</StatusIndicator>;
    case 'assigned':
      return <StatusIndicator type="stopped">{`Assigned to ${a.groupName}`}</StatusIndicator>;
    case 'not-ready':
      return <StatusIndicator type="warning">{`Not ready: ${a.reason}`}</StatusIndicator>;
    default: {
      const unknown: never = a;
      return <>{String(unknown)}</>;
    }
  }
}

type Show = 'all' | 'selectable' | 'selected';

/** The servers of an account and region, every page (the picker and the tag suggestions share them). */
export function useSiteServers(accountId: string, region: string): AllPages<PickerServer> {
  return useAllPages<PickerServer, SourceServersData, SourceServersVariables>(
    SOURCE_SERVERS_QUERY,
    { first: 1000, filter: { accountId, region } },
    (d) => d.sourceServers,
    { pause: accountId === '' || region === '' },
  );
}

export function ServerPicker(props: {
  servers: AllPages<PickerServer>;
  /** No account and region chosen yet. */
  noSite: boolean;
  groupId: string | undefined;
  selectedIds: readonly string[];
  onChange: (ids: string[]) => void;
  disabled?: boolean;
  errorText?: string;
}): JSX.Element {
  const { servers, groupId, selectedIds } = props;
  const [show, setShow] = useState<Show>('all');
  const paused = props.noSite;
  const selected = new Set(selectedIds);
  const shown = servers.items.filter((s) => {
    if (show === 'selected') return selected.has(s.id);
    if (show === 'selectable') return availabilityOf(s, groupId).kind !== 'assigned';
    return true;
  });
  const { items, actions, collectionProps, filterProps, paginationProps, filteredItemsCount } = useCollection(shown, {
    filtering: {
      filteringFunction: (s, text) => {
        const needle = text.trim().toLowerCase();
        if (needle === '') return true;
        return [s.hostname, s.id, s.os, s.replicationState, s.protectionGroup?.name ?? '', ...s.tags.map((t) => `${t.key}=${t.value}`)].some((v) => v.toLowerCase().includes(needle));
      },
    },
    sorting: { defaultState: { sortingColumn: { sortingField: 'hostname' } } },
    pagination: { pageSize: 25 },
  });
  const selectedItems = servers.items.filter((s) => selected.has(s.id));

  return (
    <SpaceBetween size="xs">
      <ErrorAlert error={servers.error} onRetry={servers.refetch} />
      <Table<PickerServer>
        {...collectionProps}
        data-testid="server-picker"
        variant="container"
        selectionType="multi"
        trackBy="id"
        items={items}
        selectedItems={selectedItems}
        isItemDisabled={(s) => props.disabled === true || availabilityOf(s, groupId).kind === 'assigned'}
        onSelectionChange={({ detail }) => {
          // Keep selected servers the table does not show now (filtered out, other pages).
          const visible = new Set(items.map((s) => s.id));
          const kept = selectedIds.filter((id) => !visible.has(id));
          props.onChange([...kept, ...detail.selectedItems.map((s) => s.id).filter((id) => !kept.includes(id))]);
        }}
        loading={servers.loading}
        loadingText="Loading the servers of this account and region"
        ariaLabels={{
          tableLabel: 'Servers of the account and region',
          selectionGroupLabel: 'Server selection',
          allItemsSelectionLabel: () => 'Select every server shown',
          itemSelectionLabel: (_state, s) => `Select ${s.hostname}`,
        }}
        header={
          <Header
            variant="h2"
            counter={`(${selected.size} selected of ${servers.items.length}${servers.complete ? '' : '+'})`}
            description="Members chosen by hand. Servers assigned to another group cannot be chosen: a server is in at most one group."
            actions={
              <SegmentedControl
                label="Show"
                selectedId={show}
                onChange={({ detail }) => setShow(detail.selectedId as Show)}
                options={[
                  { id: 'all', text: 'All' },
                  { id: 'selectable', text: 'Selectable' },
                  { id: 'selected', text: 'Selected' },
                ]}
              />
            }
          >
            Servers
          </Header>
        }
        filter={<TextFilter {...filterProps} filteringPlaceholder="Find by hostname, id, tag or group" filteringAriaLabel="Find servers" countText={`${filteredItemsCount ?? 0} matches`} />}
        pagination={<Pagination {...paginationProps} ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }} />}
        empty={
          paused ? (
            <EmptyState title="Choose an account and region" subtitle="A group holds servers of one account and region." />
          ) : filterProps.filteringText ? (
            <EmptyState title="No matching servers" action={<Button onClick={() => actions.setFiltering('')}>Clear filter</Button>} />
          ) : (
            <EmptyState title="No servers" subtitle="DRS lists no source server in this account and region (sync the inventory on the Source servers page)." />
          )
        }
        columnDefinitions={[
          { id: 'hostname', header: 'Hostname', sortingField: 'hostname', isRowHeader: true, cell: (s) => s.hostname },
          { id: 'availability', header: 'Availability', cell: (s) => <AvailabilityBadge availability={availabilityOf(s, groupId)} /> },
          { id: 'replication', header: 'Replication', sortingField: 'replicationState', cell: (s) => <StatusBadge status={s.replicationState} /> },
          { id: 'os', header: 'OS', sortingField: 'os', cell: (s) => s.os },
          { id: 'tags', header: 'Tags', cell: (s) => (s.tags.length === 0 ? '-' : s.tags.map((t) => `${t.key}=${t.value}`).join(', ')) },
          { id: 'id', header: 'Source server', cell: (s) => s.id },
        ]}
      />
      {props.errorText && (
        <Box color="text-status-error">
          {props.errorText}
        </Box>
      )}
    </SpaceBetween>
  );
}
