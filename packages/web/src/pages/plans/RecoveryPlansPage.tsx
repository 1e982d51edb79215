/** Recovery plans (their latest versions), a page at a time, searchable by name; create, import. */
import { useState } from 'react';
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ButtonDropdown from '@cloudscape-design/components/button-dropdown';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useNavigate } from 'react-router';
import { useSession } from '../../auth/session.js';
import { EmptyState } from '../../components/EmptyState.js';
import { PagedResourceTable, usePagedSearch } from '../../components/PagedResourceTable.js';
import { formatAge } from '../../components/time.js';
import { useFollow } from '../../layout/links.js';
import { Page } from '../../layout/page.js';
import { RECOVERY_PLANS_QUERY } from './api.js';
import type { PlanSummary, RecoveryPlansData } from './api.js';
import { ImportConfigurationModal } from './ImportConfigurationModal.js';
import { SrmImportModal } from './SrmImportModal.js';

export default function RecoveryPlansPage(): JSX.Element {
  const { may } = useSession();
  const follow = useFollow();
  const navigate = useNavigate();
  const [importing, setImporting] = useState<'configuration' | 'srm' | undefined>(undefined);
  const plans = usePagedSearch<PlanSummary, RecoveryPlansData>(RECOVERY_PLANS_QUERY, (d) => d.recoveryPlans);
  const canWrite = may('plan:write');

  const actions = canWrite ? (
    <SpaceBetween direction="horizontal" size="xs">
      <ButtonDropdown
        items={[
          { id: 'configuration', text: 'Configuration documents (YAML or JSON)' },
          { id: 'srm', text: 'SRM priorities' },
        ]}
        onItemClick={({ detail }) => setImporting(detail.id === 'srm' ? 'srm' : 'configuration')}
      >
        Import
      </ButtonDropdown>
      <Button variant="primary" href="/plans/new" onFollow={follow}>
        Create plan
      </Button>
    </SpaceBetween>
  ) : undefined;

  return (
    <Page title="Recovery plans" description="Waves of protection groups, recovered in dependency order. Every save is a new, immutable version." breadcrumbs={[{ text: 'Recovery plans', href: '/plans' }]} actions={actions}>
      <PagedResourceTable<PlanSummary>
        list={plans}
        testId="recovery-plans-table"
        label="Recovery plans"
        header="Plans"
        noun={{ one: 'plan', many: 'plans' }}
        empty={
          <EmptyState
            title="No recovery plans"
            subtitle={canWrite ? 'Build a plan of waves over your protection groups, or import one.' : 'Nobody has created a recovery plan yet.'}
            action={canWrite ? <Button onClick={() => void navigate('/plans/new')}>Create plan</Button> : undefined}
          />
        }
        columnDefinitions={[
          {
            id: 'name',
            header: 'Name',
            isRowHeader: true,
            cell: (p) => (
              <Link href={`/plans/${encodeURIComponent(p.id)}`} onFollow={follow}>
                {p.name}
              </Link>
            ),
          },
          { id: 'description', header: 'Description', cell: (p) => p.description ?? <Box color="text-status-inactive">-</Box> },
          { id: 'version', header: 'Version', cell: (p) => p.version },
          { id: 'waves', header: 'Waves', cell: (p) => p.waves.length },
          { id: 'groups', header: 'Protection groups', cell: (p) => new Set(p.waves.flatMap((w) => w.protectionGroupIds)).size },
          { id: 'rto', header: 'RTO target', cell: (p) => (p.settings.rtoTargetMinutes === null ? '-' : `${p.settings.rtoTargetMinutes} min`) },
          { id: 'updated', header: 'Last updated', cell: (p) => `${formatAge(p.createdAt)} by ${p.createdBy}` },
        ]}
      />
      <ImportConfigurationModal visible={importing === 'configuration'} onDismiss={() => setImporting(undefined)} onImported={plans.refetch} />
      {importing === 'srm' && <SrmImportModal visible onDismiss={() => setImporting(undefined)} />}
    </Page>
  );
}
