/** Protection groups, a page at a time, searchable by name. */
import { useState } from 'react';
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import Pagination from '@cloudscape-design/components/pagination';
import SpaceBetween from '@cloudscape-design/components/space-between';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import Table from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import { useNavigate } from 'react-router';
import { useSession } from '../../auth/session.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatAge } from '../../components/time.js';
import { useFollow } from '../../layout/links.js';
import { Page } from '../../layout/page.js';
import { PROTECTION_GROUPS_QUERY, selectorLabel } from './api.js';
import type { ProtectionGroupSummary, ProtectionGroupsData } from './api.js';
import { useDebouncedValue } from './form-support.js';
import { useCursorPages } from './paging.js';

const PAGE_SIZE = 50;

export default function ProtectionGroupsPage(): JSX.Element {
  const { may } = useSession();
  const follow = useFollow();
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const settledSearch = useDebouncedValue(search.trim(), 300);
  const filter = settledSearch === '' ? {} : { search: settledSearch };
  const paging = useCursorPages<ProtectionGroupSummary, ProtectionGroupsData, typeof filter>(PROTECTION_GROUPS_QUERY, filter, PAGE_SIZE, (d) => d.protectionGroups);
  const canWrite = may('plan:write');
  const createButton = canWrite ? (
    <Button variant="primary" href="/protection-groups/new" onFollow={follow}>
      Create protection group
    </Button>
  ) : undefined;

  return (
    <Page
      title="Protection groups"
      description="Servers of one account and region that recover together. A server belongs to at most one group."
      breadcrumbs={[{ text: 'Protection groups', href: '/protection-groups' }]}
      actions={createButton}
    >
      <SpaceBetween size="m">
        <ErrorAlert error={paging.error} onRetry={paging.refetch} />
        <Table<ProtectionGroupSummary>
          data-testid="protection-groups-table"
          items={paging.items}
          loading={paging.loading}
          loadingText="Loading protection groups"
          trackBy="id"
          ariaLabels={{ tableLabel: 'Protection groups' }}
          header={
            <Header counter={paging.openEnd ? `(${paging.items.length}+)` : `(${paging.items.length})`}>
              Groups
            </Header>
          }
          filter={
            <TextFilter
              filteringText={search}
              filteringPlaceholder="Find groups by name"
              filteringAriaLabel="Find groups by name"
              onChange={({ detail }) => setSearch(detail.filteringText)}
            />
          }
          pagination={
            <Pagination
              currentPageIndex={paging.currentPageIndex}
              pagesCount={paging.pagesCount}
              openEnd={paging.openEnd}
              onChange={({ detail }) => paging.setPage(detail.currentPageIndex)}
              ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }}
            />
          }
          empty={
            settledSearch ? (
              <EmptyState title="No matching groups" subtitle={`No group name contains "${settledSearch}".`} action={<Button onClick={() => setSearch('')}>Clear filter</Button>} />
            ) : (
              <EmptyState
                title="No protection groups"
                subtitle={canWrite ? 'Group the servers that recover together, then use the groups in recovery plans.' : 'Nobody has created a protection group yet.'}
                action={canWrite ? <Button onClick={() => void navigate('/protection-groups/new')}>Create protection group</Button> : undefined}
              />
            )
          }
          columnDefinitions={[
            {
              id: 'name',
              header: 'Name',
              isRowHeader: true,
              cell: (g) => (
                <Link href={`/protection-groups/${encodeURIComponent(g.id)}`} onFollow={follow}>
                  {g.name}
                </Link>
              ),
            },
            { id: 'site', header: 'Account / region', cell: (g) => `${g.accountId} / ${g.region}` },
            { id: 'members', header: 'Members', cell: (g) => g.sourceServerIds.length },
            {
              id: 'selection',
              header: 'Tag selectors',
              cell: (g) =>
                g.tagSelectors.length === 0 ? (
                  <Box color="text-status-inactive">Explicit servers only</Box>
                ) : (
                  g.tagSelectors.map((s) => selectorLabel(s)).join(' or ')
                ),
            },
            {
              id: 'conflicts',
              header: 'Conflicts',
              cell: (g) =>
                g.conflicts.length === 0 ? (
                  <StatusIndicator type="success">None</StatusIndicator>
                ) : (
                  <StatusIndicator type="warning">{`${g.conflicts.length} held by another group`}</StatusIndicator>
                ),
            },
            { id: 'revision', header: 'Revision', cell: (g) => g.revision },
            { id: 'updated', header: 'Last changed', cell: (g) => formatAge(g.updatedAt ?? g.createdAt) },
          ]}
        />
      </SpaceBetween>
    </Page>
  );
}
