/**
 * The DRS inventory across accounts and regions. Thousands of servers: the table asks one page at
 * a time from the gateway (cursor paging, filters and sort on the server), never the whole list,
 * and keeps the rows on screen live with the `inventoryChanged` subscription.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import CollectionPreferences from '@cloudscape-design/components/collection-preferences';
import type { CollectionPreferencesProps } from '@cloudscape-design/components/collection-preferences';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import Pagination from '@cloudscape-design/components/pagination';
import Select from '@cloudscape-design/components/select';
import type { SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import type { TableProps } from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import { useGraphQLQuery, useGraphQLSubscription } from '../../api/client.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { StatusBadge, statusLabel } from '../../components/StatusBadge.js';
import { formatAge, formatTimestamp, useNow } from '../../components/time.js';
import { useFollow } from '../../layout/links.js';
import { usePublishCrumbs } from '../../layout/breadcrumbs.js';
import { useDocumentTitle } from '../../layout/page.js';
import type { ServerListView, SourceServerFilterInput, SourceServerRow } from './query.js';
import { INVENTORY_CHANGED, REPLICATION_STATES, SERVER_FILTER_OPTIONS, SOURCE_SERVERS, filterOfView, formatBytes, isFiltered, paramsFromView, viewFromParams } from './query.js';

interface Preferences {
  pageSize: number;
  visibleContent: string[];
  wrapLines: boolean;
  stripedRows: boolean;
}

const PREFERENCES_KEY = 'lifeboat.servers.preferences';
const PAGE_SIZES = [50, 100, 250, 500, 1000];
const ALL_COLUMNS = ['hostname', 'replicationState', 'ready', 'lag', 'storage', 'protectionGroup', 'accountId', 'region', 'os', 'tags', 'lastLaunch', 'recoveryInstanceId', 'lastSeenAt', 'id'];
const DEFAULT_PREFERENCES: Preferences = {
  pageSize: 100,
  visibleContent: ['hostname', 'replicationState', 'ready', 'lag', 'protectionGroup', 'accountId', 'region', 'os', 'tags', 'lastSeenAt'],
  wrapLines: false,
  stripedRows: false,
};

function loadPreferences(): Preferences {
  try {
    const stored = JSON.parse(localStorage.getItem(PREFERENCES_KEY) ?? 'null') as Partial<Preferences> | null;
    if (!stored) return DEFAULT_PREFERENCES;
    return {
      pageSize: PAGE_SIZES.includes(stored.pageSize ?? 0) ? (stored.pageSize as number) : DEFAULT_PREFERENCES.pageSize,
      visibleContent: Array.isArray(stored.visibleContent) ? stored.visibleContent.filter((c) => ALL_COLUMNS.includes(c)) : DEFAULT_PREFERENCES.visibleContent,
      wrapLines: stored.wrapLines === true,
      stripedRows: stored.stripedRows === true,
    };
  } catch {
    return DEFAULT_PREFERENCES;
  }
}

interface Paging {
  key: string;
  /** cursors[i] is the `after` of page i (null for the first page). */
  cursors: (string | null)[];
  page: number;
  /** The last page was seen before (its nextCursor was null) and left. */
  ended: boolean;
}

interface SourceServersVariables {
  first: number;
  after: string | null;
  filter: SourceServerFilterInput;
  sort: { field: 'HOSTNAME'; direction: 'ASC' | 'DESC' };
}

interface FilterOptions {
  targetAccounts: { accountId: string; regions: string[] }[];
  protectionGroups: { items: { id: string; name: string }[] };
}

const ANY: SelectProps.Option = { value: '', label: 'Any' };

function selected(options: SelectProps.Option[], value: string | undefined): SelectProps.Option {
  return options.find((o) => o.value === (value ?? '')) ?? (value ? { value, label: value } : ANY);
}

function tagText(tags: SourceServerRow['tags']): string {
  return tags.map((t) => `${t.key}=${t.value}`).join(', ');
}

export default function SourceServersPage(): ReactNode {
  usePublishCrumbs([
    { text: 'Lifeboat', href: '/' },
    { text: 'Source servers', href: '/servers' },
  ]);
  useDocumentTitle('Source servers');
  const follow = useFollow();
  const now = useNow(30_000);
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => viewFromParams(params), [params]);
  const [preferences, setPreferences] = useState<Preferences>(loadPreferences);
  const [searchText, setSearchText] = useState(view.search);

  const changeView = useCallback((change: Partial<ServerListView>) => setParams(paramsFromView({ ...view, ...change }), { replace: true }), [setParams, view]);

  // The search waits for a pause in typing: one request, not one per key.
  useEffect(() => {
    if (searchText === view.search) return undefined;
    const timer = setTimeout(() => changeView({ search: searchText }), 350);
    return () => clearTimeout(timer);
  }, [searchText, view.search, changeView]);
  useEffect(() => setSearchText(view.search), [view.search]);

  const filter = useMemo(() => filterOfView(view), [view]);
  const sort = useMemo((): SourceServersVariables['sort'] => ({ field: 'HOSTNAME', direction: view.descending ? 'DESC' : 'ASC' }), [view.descending]);
  const listKey = JSON.stringify([filter, sort, preferences.pageSize]);
  const [storedPaging, setPaging] = useState<Paging>({ key: listKey, cursors: [null], page: 0, ended: false });
  const paging: Paging = storedPaging.key === listKey ? storedPaging : { key: listKey, cursors: [null], page: 0, ended: false };

  const query = useGraphQLQuery<{ sourceServers: { items: SourceServerRow[]; nextCursor: string | null } }, SourceServersVariables>(SOURCE_SERVERS, {
    first: preferences.pageSize,
    after: paging.cursors[paging.page] ?? null,
    filter,
    sort,
  });
  const options = useGraphQLQuery<FilterOptions>(SERVER_FILTER_OPTIONS);

  // The next page's cursor is read from the answer, not copied into state: a second render of
  // 1,000 rows per page would double the wait.
  const nextCursor = query.data?.sourceServers.nextCursor ?? null;
  const onLastKnownPage = paging.page === paging.cursors.length - 1;
  const lastPageSeen = paging.ended || (onLastKnownPage && query.data !== undefined && nextCursor === null);

  // Live: rows on screen follow the catalog's changes (removed ones are marked, not dropped, so the
  // page does not jump). A sync can push thousands of changes: only those of rows on screen are
  // kept, and they are applied at most once a second (one render of the page, not one per change).
  const [live, setLive] = useState<Map<string, SourceServerRow | null>>(new Map());
  // A new page starts from the catalog's answer (an unchanged empty map keeps the rows' identity: no second render of 1,000 rows).
  useEffect(() => setLive((current) => (current.size === 0 ? current : new Map())), [query.data]);
  const onScreen = useMemo(() => new Set((query.data?.sourceServers.items ?? []).map((row) => row.id)), [query.data]);
  const onScreenRef = useRef(onScreen);
  onScreenRef.current = onScreen;
  const pendingChanges = useRef(new Map<string, SourceServerRow | null>());
  const flushTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(flushTimer.current), []);
  const onInventory = useCallback((data: { inventoryChanged: { kind: string; sourceServerId: string; sourceServer: SourceServerRow | null } }) => {
    const change = data.inventoryChanged;
    if (!onScreenRef.current.has(change.sourceServerId)) return;
    pendingChanges.current.set(change.sourceServerId, change.kind === 'REMOVED' ? null : change.sourceServer);
    if (flushTimer.current) return;
    flushTimer.current = setTimeout(() => {
      flushTimer.current = undefined;
      const changes = pendingChanges.current;
      pendingChanges.current = new Map();
      setLive((current) => new Map([...current, ...[...changes].filter(([id]) => onScreenRef.current.has(id))]));
    }, 1000);
  }, []);
  useGraphQLSubscription(INVENTORY_CHANGED, {}, onInventory);

  const items = useMemo(
    () => (query.data?.sourceServers.items ?? []).map((row) => (live.has(row.id) ? (live.get(row.id) ?? { ...row, replicationState: 'REMOVED', readyForRecovery: false, notReadyReason: 'removed from DRS' }) : row)),
    [query.data, live],
  );

  const accountOptions: SelectProps.Option[] = [ANY, ...(options.data?.targetAccounts ?? []).map((a) => ({ value: a.accountId, label: a.accountId }))];
  const regionOptions: SelectProps.Option[] = [ANY, ...[...new Set((options.data?.targetAccounts ?? []).flatMap((a) => a.regions))].sort().map((r) => ({ value: r, label: r }))];
  const stateOptions: SelectProps.Option[] = [ANY, ...REPLICATION_STATES.map((s) => ({ value: s, label: statusLabel(s), description: s }))];
  const readyOptions: SelectProps.Option[] = [ANY, { value: 'true', label: 'Ready' }, { value: 'false', label: 'Not ready' }];
  const groupOptions: SelectProps.Option[] = [
    ANY,
    { value: 'none', label: 'In no group' },
    ...(options.data?.protectionGroups.items ?? []).map((g) => ({ value: g.id, label: g.name, description: 'Members of this group' })),
  ];

  // A page holds up to 1,000 rows: the columns keep their identity between renders.
  const columns = useMemo((): TableProps.ColumnDefinition<SourceServerRow>[] => [
    {
      id: 'hostname',
      header: 'Hostname',
      sortingField: 'hostname',
      isRowHeader: true,
      cell: (s) => (
        <span title={s.fqdn ?? s.hostname}>
          <Box variant="strong" display="inline">
            {s.hostname}
          </Box>
        </span>
      ),
      width: 200,
      minWidth: 140,
    },
    { id: 'replicationState', header: 'Replication', cell: (s) => <StatusBadge status={s.replicationState} />, width: 200 },
    {
      id: 'ready',
      header: 'Ready for recovery',
      width: 220,
      cell: (s) =>
        s.readyForRecovery ? (
          'Ready'
        ) : (
          <Box color="text-status-error" display="inline">
            Not ready{s.notReadyReason ? `: ${s.notReadyReason}` : ''}
          </Box>
        ),
    },
    { id: 'lag', header: 'Lag', width: 100, cell: (s) => (s.replication?.lagSeconds !== null && s.replication?.lagSeconds !== undefined ? `${s.replication.lagSeconds} s` : (s.replication?.lag ?? '-')) },
    {
      id: 'storage',
      header: 'Replicated',
      cell: (s) => (s.replication?.totalStorageBytes ? `${formatBytes(s.replication.replicatedStorageBytes)} of ${formatBytes(s.replication.totalStorageBytes)}` : '-'),
    },
    {
      id: 'protectionGroup',
      header: 'Protection group',
      width: 180,
      cell: (s) =>
        s.protectionGroup ? (
          <Link href={`/protection-groups/${s.protectionGroup.id}`} onFollow={follow}>
            {s.protectionGroup.name ?? s.protectionGroup.id}
          </Link>
        ) : (
          <Box color="text-body-secondary" display="inline">
            None
          </Box>
        ),
    },
    { id: 'accountId', header: 'Account', cell: (s) => s.accountId, width: 150 },
    { id: 'region', header: 'Region', cell: (s) => s.region, width: 130 },
    { id: 'os', header: 'OS', cell: (s) => <span title={s.osName ?? s.os}>{s.os}</span>, width: 110 },
    {
      id: 'tags',
      header: 'Tags',
      width: 300,
      cell: (s) =>
        s.tags.length === 0 ? '-' : <span title={tagText(s.tags)}>{tagText(s.tags)}</span>,
    },
    {
      id: 'lastLaunch',
      header: 'Last launch',
      cell: (s) => (s.lastLaunch?.initiatedAt ? `${s.lastLaunch.type ?? ''} ${formatAge(s.lastLaunch.initiatedAt, now)} (${s.lastLaunch.result ?? s.lastLaunch.status ?? '?'})` : 'Never'),
    },
    { id: 'recoveryInstanceId', header: 'Recovery instance', cell: (s) => s.recoveryInstanceId ?? '-' },
    { id: 'lastSeenAt', header: 'Last seen', width: 140, cell: (s) => <span title={formatTimestamp(s.lastSeenAt)}>{formatAge(s.lastSeenAt, now)}</span> },
    { id: 'id', header: 'Source server id', cell: (s) => s.id },
  ], [follow, now]);

  const savePreferences = (detail: CollectionPreferencesProps.Preferences) => {
    const next: Preferences = {
      pageSize: detail.pageSize ?? preferences.pageSize,
      visibleContent: [...(detail.visibleContent ?? preferences.visibleContent)],
      wrapLines: detail.wrapLines ?? preferences.wrapLines,
      stripedRows: detail.stripedRows ?? preferences.stripedRows,
    };
    localStorage.setItem(PREFERENCES_KEY, JSON.stringify(next));
    setPreferences(next);
  };

  const clearFilters = () => {
    setSearchText('');
    setParams(paramsFromView({ search: '', accountId: undefined, region: undefined, replicationState: undefined, ready: undefined, group: undefined, descending: view.descending }), { replace: true });
  };

  const pageCount = paging.cursors.length + (onLastKnownPage && nextCursor ? 1 : 0);
  const goToPage = (page: number) => {
    if (page < paging.cursors.length) setPaging({ ...paging, page, ended: lastPageSeen });
    else if (page === paging.cursors.length && onLastKnownPage && nextCursor) setPaging({ ...paging, cursors: [...paging.cursors, nextCursor], page });
  };
  const firstRow = paging.page * preferences.pageSize + 1;

  return (
    <SpaceBetween size="m">
      <Table
        data-testid="source-servers"
        variant="full-page"
        stickyHeader
        resizableColumns
        wrapLines={preferences.wrapLines}
        stripedRows={preferences.stripedRows}
        items={items}
        trackBy="id"
        loading={query.loading}
        loadingText="Loading source servers"
        columnDefinitions={columns}
        columnDisplay={ALL_COLUMNS.map((id) => ({ id, visible: preferences.visibleContent.includes(id) }))}
        sortingColumn={{ sortingField: 'hostname' }}
        sortingDescending={view.descending}
        onSortingChange={({ detail }) => changeView({ descending: detail.isDescending === true })}
        ariaLabels={{ tableLabel: 'Source servers' }}
        header={
          <Header
            variant="awsui-h1-sticky"
            counter={query.data ? (items.length === 0 ? '(0)' : `(${firstRow}-${firstRow + items.length - 1}${lastPageSeen && onLastKnownPage ? '' : ' of many'})`) : undefined}
            description="Servers replicating to AWS through Elastic Disaster Recovery, across every account and region"
            actions={<Button iconName="refresh" ariaLabel="Refresh source servers" onClick={query.refetch} />}
          >
            Source servers
          </Header>
        }
        filter={
          <SpaceBetween size="s" direction="horizontal" alignItems="end">
            <div style={{ minWidth: 240 }}>
              <TextFilter
                filteringText={searchText}
                filteringPlaceholder="Find servers by hostname"
                filteringAriaLabel="Find servers by hostname"
                filteringClearAriaLabel="Clear search"
                onChange={({ detail }) => setSearchText(detail.filteringText)}
              />
            </div>
            <div style={{ width: 190 }}><Select inlineLabelText="Readiness" selectedOption={selected(readyOptions, view.ready === undefined ? undefined : String(view.ready))} options={readyOptions} onChange={({ detail }) => changeView({ ready: detail.selectedOption.value === '' ? undefined : detail.selectedOption.value === 'true' })} /></div>
            <div style={{ width: 230 }}><Select inlineLabelText="Replication" selectedOption={selected(stateOptions, view.replicationState)} options={stateOptions} onChange={({ detail }) => changeView({ replicationState: detail.selectedOption.value || undefined })} /></div>
            <div style={{ width: 230 }}><Select inlineLabelText="Group" selectedOption={selected(groupOptions, view.group)} options={groupOptions} filteringType="auto" onChange={({ detail }) => changeView({ group: detail.selectedOption.value || undefined })} /></div>
            <div style={{ width: 190 }}><Select inlineLabelText="Account" selectedOption={selected(accountOptions, view.accountId)} options={accountOptions} onChange={({ detail }) => changeView({ accountId: detail.selectedOption.value || undefined })} /></div>
            <div style={{ width: 190 }}><Select inlineLabelText="Region" selectedOption={selected(regionOptions, view.region)} options={regionOptions} onChange={({ detail }) => changeView({ region: detail.selectedOption.value || undefined })} /></div>
            {isFiltered(view) && <Button onClick={clearFilters}>Clear filters</Button>}
          </SpaceBetween>
        }
        pagination={
          <Pagination
            currentPageIndex={paging.page + 1}
            pagesCount={pageCount}
            openEnd={!lastPageSeen}
            onChange={({ detail }) => goToPage(detail.currentPageIndex - 1)}
            ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }}
          />
        }
        preferences={
          <CollectionPreferences
            title="Preferences"
            confirmLabel="Confirm"
            cancelLabel="Cancel"
            preferences={preferences}
            onConfirm={({ detail }) => savePreferences(detail)}
            pageSizePreference={{ title: 'Servers per page', options: PAGE_SIZES.map((value) => ({ value, label: `${value} servers` })) }}
            wrapLinesPreference={{ label: 'Wrap lines', description: 'Show whole cell contents' }}
            stripedRowsPreference={{ label: 'Striped rows' }}
            visibleContentPreference={{
              title: 'Columns',
              options: [{ label: 'Source server properties', options: columns.map((c) => ({ id: c.id ?? '', label: String(c.header), editable: c.id !== 'hostname' })) }],
            }}
          />
        }
        empty={
          query.error ? (
            <ErrorAlert error={query.error} onRetry={query.refetch} />
          ) : isFiltered(view) ? (
            <EmptyState title="No matching source servers" subtitle="No server matches every filter." action={<Button onClick={clearFilters}>Clear filters</Button>} />
          ) : (
            <EmptyState title="No source servers" subtitle="The catalog lists no DRS source servers. Add an account and region in Settings, then sync." />
          )
        }
      />
      {query.error && items.length > 0 && <ErrorAlert error={query.error} onRetry={query.refetch} />}
    </SpaceBetween>
  );
}
