/**
 * The DRS inventory across accounts and regions. Thousands of servers: the table asks one page at
 * a time from the gateway (cursor paging, filters and sort on the server), never the whole list,
 * and keeps the rows on screen live with the `inventoryChanged` subscription.
 *
 * A page holds up to 1,000 rows, 10,000 cells. Cloudscape's Table renders every row again whenever
 * one of its props changes, so its props change only with the rows: the Table is memoized, its
 * header, filters, pagination, preferences and empty state read the page's state from a context
 * (typing a search or turning a page re-renders them, not 1,000 rows), the cells are plain markup
 * (cells.tsx), and rows are keyed by position, not by id: the next page updates the rows in place
 * instead of unmounting 1,000 rows and mounting 1,000 new ones.
 */
import { createContext, memo, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import Button from '@cloudscape-design/components/button';
import CollectionPreferences from '@cloudscape-design/components/collection-preferences';
import type { CollectionPreferencesProps } from '@cloudscape-design/components/collection-preferences';
import type { NonCancelableCustomEvent } from '@cloudscape-design/components/interfaces';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import Select from '@cloudscape-design/components/select';
import type { SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import type { TableProps } from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import { useGraphQLQuery, useGraphQLSubscription } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { EmptyState } from '../../components/EmptyState.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { statusLabel } from '../../components/StatusBadge.js';
import { useNow } from '../../components/time.js';
import { useFollow } from '../../layout/links.js';
import { usePublishCrumbs } from '../../layout/breadcrumbs.js';
import { useDocumentTitle } from '../../layout/page.js';
import { NowContext, SERVER_COLUMN_IDS, serverColumns } from './cells.js';
import type { ServerListView, SourceServerFilterInput, SourceServerRow } from './query.js';
import { INVENTORY_CHANGED, REPLICATION_STATES, SERVER_FILTER_OPTIONS, SOURCE_SERVERS, filterOfView, isFiltered, paramsFromView, viewFromParams } from './query.js';

interface Preferences {
  pageSize: number;
  visibleContent: string[];
  wrapLines: boolean;
  stripedRows: boolean;
}

const PREFERENCES_KEY = 'lifeboat.servers.preferences';
const PAGE_SIZES = [50, 100, 250, 500, 1000];
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
      visibleContent: Array.isArray(stored.visibleContent) ? stored.visibleContent.filter((c) => SERVER_COLUMN_IDS.includes(c)) : DEFAULT_PREFERENCES.visibleContent,
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

/** What the table's header, filters, pagination, preferences and empty state show and do. */
interface TableChrome {
  view: ServerListView;
  changeView: (change: Partial<ServerListView>) => void;
  clearFilters: () => void;
  counter: string | undefined;
  refetch: () => void;
  error: ConsoleError | undefined;
  filterOptions: FilterOptions | undefined;
  currentPageIndex: number;
  pagesCount: number;
  openEnd: boolean;
  goToPage: (pageIndex: number) => void;
  preferences: Preferences;
  savePreferences: (detail: CollectionPreferencesProps.Preferences) => void;
}

const TableChromeContext = createContext<TableChrome | undefined>(undefined);

function useTableChrome(): TableChrome {
  const chrome = useContext(TableChromeContext);
  if (!chrome) throw new Error('The Source servers table chrome is used outside its page');
  return chrome;
}

const ANY: SelectProps.Option = { value: '', label: 'Any' };
const COLUMN_OPTIONS = serverColumns(() => undefined).map((c) => ({ id: c.id ?? '', label: String(c.header), editable: c.id !== 'hostname' }));

function selected(options: SelectProps.Option[], value: string | undefined): SelectProps.Option {
  return options.find((o) => o.value === (value ?? '')) ?? (value ? { value, label: value } : ANY);
}

function ServersHeader(): ReactNode {
  const { counter, refetch } = useTableChrome();
  return (
    <Header
      variant="awsui-h1-sticky"
      counter={counter}
      description="Servers replicating to AWS through Elastic Disaster Recovery, across every account and region"
      actions={<Button iconName="refresh" ariaLabel="Refresh source servers" onClick={refetch} />}
    >
      Source servers
    </Header>
  );
}

const STATE_OPTIONS: SelectProps.Option[] = [ANY, ...REPLICATION_STATES.map((s) => ({ value: s, label: statusLabel(s), description: s }))];
const READY_OPTIONS: SelectProps.Option[] = [ANY, { value: 'true', label: 'Ready' }, { value: 'false', label: 'Not ready' }];

function ServerFilters(): ReactNode {
  const { view, changeView, clearFilters, filterOptions } = useTableChrome();
  // The search box's text lives here: a key typed re-renders the filters, not the rows.
  const [searchText, setSearchText] = useState(view.search);
  // The search waits for a pause in typing: one request, not one per key.
  useEffect(() => {
    if (searchText === view.search) return undefined;
    const timer = setTimeout(() => changeView({ search: searchText }), 350);
    return () => clearTimeout(timer);
  }, [searchText, view.search, changeView]);
  useEffect(() => setSearchText(view.search), [view.search]);

  const accountOptions: SelectProps.Option[] = [ANY, ...(filterOptions?.targetAccounts ?? []).map((a) => ({ value: a.accountId, label: a.accountId }))];
  const regionOptions: SelectProps.Option[] = [ANY, ...[...new Set((filterOptions?.targetAccounts ?? []).flatMap((a) => a.regions))].sort().map((r) => ({ value: r, label: r }))];
  const groupOptions: SelectProps.Option[] = [
    ANY,
    { value: 'none', label: 'In no group' },
    ...(filterOptions?.protectionGroups.items ?? []).map((g) => ({ value: g.id, label: g.name, description: 'Members of this group' })),
  ];
  return (
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
      <div style={{ width: 190 }}><Select inlineLabelText="Readiness" selectedOption={selected(READY_OPTIONS, view.ready === undefined ? undefined : String(view.ready))} options={READY_OPTIONS} onChange={({ detail }) => changeView({ ready: detail.selectedOption.value === '' ? undefined : detail.selectedOption.value === 'true' })} /></div>
      <div style={{ width: 230 }}><Select inlineLabelText="Replication" selectedOption={selected(STATE_OPTIONS, view.replicationState)} options={STATE_OPTIONS} onChange={({ detail }) => changeView({ replicationState: detail.selectedOption.value || undefined })} /></div>
      <div style={{ width: 230 }}><Select inlineLabelText="Group" selectedOption={selected(groupOptions, view.group)} options={groupOptions} filteringType="auto" onChange={({ detail }) => changeView({ group: detail.selectedOption.value || undefined })} /></div>
      <div style={{ width: 190 }}><Select inlineLabelText="Account" selectedOption={selected(accountOptions, view.accountId)} options={accountOptions} onChange={({ detail }) => changeView({ accountId: detail.selectedOption.value || undefined })} /></div>
      <div style={{ width: 190 }}><Select inlineLabelText="Region" selectedOption={selected(regionOptions, view.region)} options={regionOptions} onChange={({ detail }) => changeView({ region: detail.selectedOption.value || undefined })} /></div>
      {isFiltered(view) && <Button onClick={clearFilters}>Clear filters</Button>}
    </SpaceBetween>
  );
}

function ServersPagination(): ReactNode {
  const { currentPageIndex, pagesCount, openEnd, goToPage } = useTableChrome();
  return (
    <Pagination
      currentPageIndex={currentPageIndex}
      pagesCount={pagesCount}
      openEnd={openEnd}
      onChange={({ detail }) => goToPage(detail.currentPageIndex - 1)}
      ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }}
    />
  );
}

function ServersPreferences(): ReactNode {
  const { preferences, savePreferences } = useTableChrome();
  return (
    <CollectionPreferences
      title="Preferences"
      confirmLabel="Confirm"
      cancelLabel="Cancel"
      preferences={preferences}
      onConfirm={({ detail }) => savePreferences(detail)}
      pageSizePreference={{ title: 'Servers per page', options: PAGE_SIZES.map((value) => ({ value, label: `${value} servers` })) }}
      wrapLinesPreference={{ label: 'Wrap lines', description: 'Show whole cell contents' }}
      stripedRowsPreference={{ label: 'Striped rows' }}
      visibleContentPreference={{ title: 'Columns', options: [{ label: 'Source server properties', options: COLUMN_OPTIONS }] }}
    />
  );
}

function ServersEmpty(): ReactNode {
  const { error, refetch, view, clearFilters } = useTableChrome();
  if (error) return <ErrorAlert error={error} onRetry={refetch} />;
  if (isFiltered(view)) return <EmptyState title="No matching source servers" subtitle="No server matches every filter." action={<Button onClick={clearFilters}>Clear filters</Button>} />;
  return <EmptyState title="No source servers" subtitle="The catalog lists no DRS source servers. Add an account and region in Settings, then sync." />;
}

// The Table's slots: the same elements on every render (they read the context).
const HEADER = <ServersHeader />;
const FILTERS = <ServerFilters />;
const PAGINATION = <ServersPagination />;
const PREFERENCES = <ServersPreferences />;
const EMPTY = <ServersEmpty />;
const SORTING_COLUMN = { sortingField: 'hostname' };
const ARIA_LABELS = { tableLabel: 'Source servers' };

/** Renders only when its props change (Table is a plain component: it would follow every render of the page). */
const ServersTable = memo(Table) as typeof Table;

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

  // Stable: the Table's onSortingChange and the filters keep their identity while the view changes.
  const latest = useRef({ view, setParams });
  latest.current = { view, setParams };
  const changeView = useCallback((change: Partial<ServerListView>) => latest.current.setParams(paramsFromView({ ...latest.current.view, ...change }), { replace: true }), []);
  const clearFilters = useCallback(
    () => latest.current.setParams(paramsFromView({ search: '', accountId: undefined, region: undefined, replicationState: undefined, ready: undefined, group: undefined, descending: latest.current.view.descending }), { replace: true }),
    [],
  );

  const filter = useMemo(() => filterOfView(view), [view]);
  const sort = useMemo((): SourceServersVariables['sort'] => ({ field: 'HOSTNAME', direction: view.descending ? 'DESC' : 'ASC' }), [view.descending]);
  const listKey = JSON.stringify([filter, sort, preferences.pageSize]);
  const [storedPaging, setPaging] = useState<Paging>({ key: listKey, cursors: [null], page: 0, ended: false });
  // Another filter, sort or page size starts again at page 1, and forgets the pages of the previous
  // one: back to it (sorting twice), the table starts at page 1 again, not where it was left.
  const firstPage: Paging = { key: listKey, cursors: [null], page: 0, ended: false };
  if (storedPaging.key !== listKey) setPaging(firstPage);
  const paging: Paging = storedPaging.key === listKey ? storedPaging : firstPage;

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

  const columns = useMemo(() => serverColumns(follow), [follow]);
  const columnDisplay = useMemo(() => SERVER_COLUMN_IDS.map((id) => ({ id, visible: preferences.visibleContent.includes(id) })), [preferences.visibleContent]);
  const onSortingChange = useCallback((event: NonCancelableCustomEvent<TableProps.SortingState<SourceServerRow>>) => changeView({ descending: event.detail.isDescending === true }), [changeView]);

  const savePreferences = useCallback((detail: CollectionPreferencesProps.Preferences) => {
    setPreferences((current) => {
      const next: Preferences = {
        pageSize: detail.pageSize ?? current.pageSize,
        visibleContent: [...(detail.visibleContent ?? current.visibleContent)],
        wrapLines: detail.wrapLines ?? current.wrapLines,
        stripedRows: detail.stripedRows ?? current.stripedRows,
      };
      localStorage.setItem(PREFERENCES_KEY, JSON.stringify(next));
      return next;
    });
  }, []);

  const pageCount = paging.cursors.length + (onLastKnownPage && nextCursor ? 1 : 0);
  const goToPage = (page: number) => {
    if (page < paging.cursors.length) setPaging({ ...paging, page, ended: lastPageSeen });
    else if (page === paging.cursors.length && onLastKnownPage && nextCursor) setPaging({ ...paging, cursors: [...paging.cursors, nextCursor], page });
  };
  const firstRow = paging.page * preferences.pageSize + 1;
  const counter = query.data ? (items.length === 0 ? '(0)' : `(${firstRow}-${firstRow + items.length - 1}${lastPageSeen && onLastKnownPage ? '' : ' of many'})`) : undefined;

  const chrome: TableChrome = {
    view,
    changeView,
    clearFilters,
    counter,
    refetch: query.refetch,
    error: query.error,
    filterOptions: options.data,
    currentPageIndex: paging.page + 1,
    pagesCount: pageCount,
    openEnd: !lastPageSeen,
    goToPage,
    preferences,
    savePreferences,
  };

  return (
    <SpaceBetween size="m">
      <TableChromeContext.Provider value={chrome}>
        <NowContext.Provider value={now}>
          <ServersTable
            data-testid="source-servers"
            variant="full-page"
            stickyHeader
            resizableColumns
            wrapLines={preferences.wrapLines}
            stripedRows={preferences.stripedRows}
            items={items}
            // No trackBy: rows are keyed by position, so a new page updates them in place.
            loading={query.loading}
            loadingText="Loading source servers"
            columnDefinitions={columns}
            columnDisplay={columnDisplay}
            sortingColumn={SORTING_COLUMN}
            sortingDescending={view.descending}
            onSortingChange={onSortingChange}
            ariaLabels={ARIA_LABELS}
            header={HEADER}
            filter={FILTERS}
            pagination={PAGINATION}
            preferences={PREFERENCES}
            empty={EMPTY}
          />
        </NowContext.Provider>
      </TableChromeContext.Provider>
      {query.error && items.length > 0 && <ErrorAlert error={query.error} onRetry={query.refetch} />}
    </SpaceBetween>
  );
}
