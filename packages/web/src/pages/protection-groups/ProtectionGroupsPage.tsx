/** Protection groups, a page at a time, searchable by name. */
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Link from '@cloudscape-design/components/link';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { useNavigate } from 'react-router';
import { useSession } from '../../auth/session.js';
import { EmptyState } from '../../components/EmptyState.js';
import { PagedResourceTable, usePagedSearch } from '../../components/PagedResourceTable.js';
import { formatAge } from '../../components/time.js';
import { useFollow } from '../../layout/links.js';
import { Page } from '../../layout/page.js';
import { PROTECTION_GROUPS_QUERY, selectorLabel } from './api.js';
import type { ProtectionGroupSummary, ProtectionGroupsData } from './api.js';

export default function ProtectionGroupsPage(): JSX.Element {
  const { may } = useSession();
  const follow = useFollow();
  const navigate = useNavigate();
  const groups = usePagedSearch<ProtectionGroupSummary, ProtectionGroupsData>(PROTECTION_GROUPS_QUERY, (d) => d.protectionGroups);
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
      <PagedResourceTable<ProtectionGroupSummary>
        list={groups}
        testId="protection-groups-table"
        label="Protection groups"
        header="Groups"
        noun={{ one: 'group', many: 'groups' }}
        empty={
          <EmptyState
            title="No protection groups"
            subtitle={canWrite ? 'Group the servers that recover together, then use the groups in recovery plans.' : 'Nobody has created a protection group yet.'}
            action={canWrite ? <Button onClick={() => void navigate('/protection-groups/new')}>Create protection group</Button> : undefined}
          />
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
            cell: (g) => (g.tagSelectors.length === 0 ? <Box color="text-status-inactive">Explicit servers only</Box> : g.tagSelectors.map((s) => selectorLabel(s)).join(' or ')),
          },
          {
            id: 'conflicts',
            header: 'Conflicts',
            cell: (g) =>
              g.conflicts.length === 0 ? <StatusIndicator type="success">None</StatusIndicator> : <StatusIndicator type="warning">{`${g.conflicts.length} held by another group`}</StatusIndicator>,
          },
          { id: 'revision', header: 'Revision', cell: (g) => g.revision },
          { id: 'updated', header: 'Last changed', cell: (g) => formatAge(g.updatedAt ?? g.createdAt) },
        ]}
      />
    </Page>
  );
}
