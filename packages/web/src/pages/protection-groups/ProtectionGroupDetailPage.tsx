/** One protection group: members with their replication state, launch and verification settings, and the plans that use it. */
import { useState } from 'react';
import type { JSX } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import Table from '@cloudscape-design/components/table';
import Tabs from '@cloudscape-design/components/tabs';
import { useParams } from 'react-router';
import { useGraphQLQuery } from '../../api/client.js';
import { useSession } from '../../auth/session.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { formatAge, formatTimestamp } from '../../components/time.js';
import { useFollow } from '../../layout/links.js';
import { Page } from '../../layout/page.js';
import { PLANS_USING_GROUP_QUERY, PROTECTION_GROUP_QUERY, SOURCE_SERVERS_QUERY, selectorLabel } from './api.js';
import type { PickerServer, PlansUsingGroupData, PostLaunchAction, ProtectionGroup, ProtectionGroupData, ServerLaunchOverride, SourceServersData } from './api.js';
import { DeleteGroupModal } from './DeleteGroupModal.js';
import { useAllPages } from './paging.js';
import { LaunchSettingsView, VerificationView, launchSummary } from './SettingsViews.js';

const GROUPS_CRUMB = { text: 'Protection groups', href: '/protection-groups' };

export default function ProtectionGroupDetailPage(): JSX.Element {
  const { id = '' } = useParams();
  const { data, error, loading, refetch } = useGraphQLQuery<ProtectionGroupData, { id: string }>(PROTECTION_GROUP_QUERY, { id });
  const group = data?.protectionGroup;

  if (loading) {
    return (
      <Page title="Protection group" breadcrumbs={[GROUPS_CRUMB, { text: id, href: `/protection-groups/${id}` }]}>
        <Box textAlign="center" padding="l">
          <Spinner size="large" /> Loading the protection group
        </Box>
      </Page>
    );
  }
  if (error || !group) {
    return (
      <Page title="Protection group" breadcrumbs={[GROUPS_CRUMB, { text: id, href: `/protection-groups/${id}` }]}>
        {error ? <ErrorAlert error={error} onRetry={refetch} /> : <Alert type="error" header="Not found">{`There is no protection group ${id}. It may have been deleted.`}</Alert>}
      </Page>
    );
  }
  return <GroupDetail group={group} />;
}

function GroupDetail(props: { group: ProtectionGroup }): JSX.Element {
  const { group } = props;
  const { may } = useSession();
  const follow = useFollow();
  const [deleting, setDeleting] = useState(false);
  const plans = useGraphQLQuery<PlansUsingGroupData, { filter: { protectionGroupId: string } }>(PLANS_USING_GROUP_QUERY, { filter: { protectionGroupId: group.id } });
  const members = useAllPages<PickerServer, SourceServersData, { first: number; filter: { protectionGroupId: string } }>(
    SOURCE_SERVERS_QUERY,
    { first: 500, filter: { protectionGroupId: group.id } },
    (d) => d.sourceServers,
  );
  const explicit = new Set(group.explicitSourceServerIds);
  const known = new Set(members.items.map((s) => s.id));
  // Members the inventory no longer lists still show, by id.
  const memberRows: PickerServer[] = [
    ...members.items,
    ...(members.complete ? group.sourceServerIds.filter((sid) => !known.has(sid)).map((sid) => missingServer(sid)) : []),
  ];
  const usedBy = plans.data?.recoveryPlans.items ?? [];
  const hostnameOf = new Map(members.items.map((s) => [s.id, s.hostname]));

  const actions = may('plan:write') ? (
    <SpaceBetween direction="horizontal" size="xs">
      <Button onClick={() => setDeleting(true)}>Delete</Button>
      <Button variant="primary" href={`/protection-groups/${encodeURIComponent(group.id)}/edit`} onFollow={follow}>
        Edit
      </Button>
    </SpaceBetween>
  ) : undefined;

  return (
    <Page
      title={group.name}
      description={`${group.sourceServerIds.length} member${group.sourceServerIds.length === 1 ? '' : 's'} in ${group.accountId} / ${group.region}`}
      breadcrumbs={[GROUPS_CRUMB, { text: group.name, href: `/protection-groups/${group.id}` }]}
      actions={actions}
    >
      <SpaceBetween size="l">
        {group.conflicts.length > 0 && (
          <Alert type="warning" header="Some matching servers are held by other groups">
            <ul>
              {group.conflicts.map((c) => (
                <li key={c.sourceServerId}>
                  {`${c.sourceServerId} matches this group's selectors but belongs to `}
                  <Link href={`/protection-groups/${encodeURIComponent(c.protectionGroupId)}`} onFollow={follow}>
                    {c.protectionGroupName ?? c.protectionGroupId}
                  </Link>
                </li>
              ))}
            </ul>
          </Alert>
        )}
        <Container header={<Header variant="h2">General</Header>}>
          <KeyValuePairs
            columns={4}
            items={[
              { label: 'Id', value: group.id },
              { label: 'Account / region', value: `${group.accountId} / ${group.region}` },
              { label: 'Members', value: String(group.sourceServerIds.length) },
              { label: 'Revision', value: String(group.revision) },
              { label: 'Tag selectors', value: group.tagSelectors.length === 0 ? 'None (explicit servers only)' : group.tagSelectors.map((s) => selectorLabel(s)).join(' or ') },
              { label: 'Created', value: `${formatTimestamp(group.createdAt)} by ${group.createdBy}` },
              { label: 'Last changed', value: group.updatedAt ? `${formatAge(group.updatedAt)} by ${group.updatedBy ?? 'unknown'}` : 'Never' },
            ]}
          />
        </Container>
        <Tabs
          ariaLabel="Protection group details"
          tabs={[
            {
              id: 'members',
              label: `Members (${group.sourceServerIds.length})`,
              content: (
                <SpaceBetween size="s">
                  <ErrorAlert error={members.error} onRetry={members.refetch} />
                  <Table<PickerServer>
                    data-testid="group-members-table"
                    items={memberRows}
                    loading={members.loading}
                    loadingText="Loading members"
                    trackBy="id"
                    ariaLabels={{ tableLabel: 'Members' }}
                    header={<Header counter={`(${memberRows.length})`}>Members</Header>}
                    empty={<EmptyState title="No members" subtitle="Neither explicit servers nor the tag selectors give this group any server now." />}
                    columnDefinitions={[
                      { id: 'hostname', header: 'Hostname', isRowHeader: true, cell: (s) => s.hostname || s.id },
                      { id: 'id', header: 'Source server', cell: (s) => s.id },
                      { id: 'os', header: 'OS', cell: (s) => s.os || '-' },
                      { id: 'replication', header: 'Replication', cell: (s) => (s.replicationState ? <StatusBadge status={s.replicationState} /> : <Box color="text-status-inactive">Not in the inventory</Box>) },
                      { id: 'ready', header: 'Ready for recovery', cell: (s) => (s.readyForRecovery ? 'Yes' : s.notReadyReason ?? 'No') },
                      { id: 'how', header: 'Member by', cell: (s) => (explicit.has(s.id) ? 'Explicit' : 'Tags') },
                    ]}
                  />
                </SpaceBetween>
              ),
            },
            {
              id: 'launch',
              label: 'Launch settings',
              content: (
                <SpaceBetween size="l">
                  <Container header={<Header variant="h3">Launch defaults</Header>}>
                    <LaunchSettingsView settings={group.launchDefaults} ariaLabel="Launch defaults" />
                  </Container>
                  <Table<ServerLaunchOverride>
                    items={group.serverLaunchOverrides}
                    ariaLabels={{ tableLabel: 'Per-server overrides' }}
                    header={<Header variant="h3" counter={`(${group.serverLaunchOverrides.length})`}>Per-server overrides</Header>}
                    empty={<EmptyState title="No overrides" subtitle="Every member launches with the defaults." />}
                    columnDefinitions={[
                      { id: 'server', header: 'Server', cell: (o) => hostnameOf.get(o.sourceServerId) ?? o.sourceServerId },
                      { id: 'settings', header: 'Settings', cell: (o) => launchSummary(o) },
                    ]}
                  />
                  <Table<PostLaunchAction>
                    items={group.postLaunchActions}
                    ariaLabels={{ tableLabel: 'Post-launch actions' }}
                    header={<Header variant="h3" counter={`(${group.postLaunchActions.length})`} description="SSM documents DRS runs on each recovered member.">Post-launch actions</Header>}
                    empty={<EmptyState title="No post-launch actions" />}
                    columnDefinitions={[
                      { id: 'order', header: 'Order', cell: (a) => a.order },
                      { id: 'document', header: 'SSM document', cell: (a) => `${a.documentName} (${a.documentVersion})` },
                      { id: 'category', header: 'Category', cell: (a) => a.category },
                      { id: 'optional', header: 'Failure fails the launch', cell: (a) => (a.optional ? 'No' : 'Yes') },
                      { id: 'description', header: 'Description', cell: (a) => a.description || '-' },
                    ]}
                  />
                </SpaceBetween>
              ),
            },
            {
              id: 'verification',
              label: 'Verification',
              content: (
                <SpaceBetween size="l">
                  <Container header={<Header variant="h3" description="How recovered members are proved healthy.">Verification settings</Header>}>
                    <VerificationView settings={group.verification} />
                  </Container>
                  {group.serverVerificationOverrides.length > 0 && (
                    <Container header={<Header variant="h3">Per-server verification overrides</Header>}>
                      <SpaceBetween size="m">
                        {group.serverVerificationOverrides.map((o) => (
                          <SpaceBetween size="xs" key={o.sourceServerId}>
                            <Box variant="h4">{hostnameOf.get(o.sourceServerId) ?? o.sourceServerId}</Box>
                            <VerificationView settings={o} />
                          </SpaceBetween>
                        ))}
                      </SpaceBetween>
                    </Container>
                  )}
                </SpaceBetween>
              ),
            },
            {
              id: 'used-by',
              label: `Where used${plans.data ? ` (${usedBy.length})` : ''}`,
              content: (
                <SpaceBetween size="s">
                  <ErrorAlert error={plans.error} onRetry={plans.refetch} />
                  <Table
                    items={usedBy}
                    loading={plans.loading}
                    loadingText="Loading plans"
                    ariaLabels={{ tableLabel: 'Recovery plans using this group' }}
                    header={<Header description="Plans whose latest version recovers this group.">Recovery plans</Header>}
                    empty={<EmptyState title="Not used" subtitle="No recovery plan recovers this group." />}
                    columnDefinitions={[
                      {
                        id: 'name',
                        header: 'Plan',
                        cell: (p) => (
                          <Link href={`/plans/${encodeURIComponent(p.id)}`} onFollow={follow}>
                            {p.name}
                          </Link>
                        ),
                      },
                      { id: 'version', header: 'Version', cell: (p) => p.version },
                      { id: 'updated', header: 'Last changed', cell: (p) => formatAge(p.createdAt) },
                    ]}
                  />
                </SpaceBetween>
              ),
            },
          ]}
        />
      </SpaceBetween>
      <DeleteGroupModal group={group} visible={deleting} onDismiss={() => setDeleting(false)} usedBy={usedBy.map((p) => p.name)} />
    </Page>
  );
}

function missingServer(id: string): PickerServer {
  return { id, hostname: '', os: '', tags: [], replicationState: '', readyForRecovery: false, notReadyReason: 'not in the inventory', protectionGroup: null };
}
