/**
 * Execution history (`/executions`): every drill and recovery, newest first, paged by the server
 * (`executions(first, after, filter)`: plan, mode, statuses, started between), kept live by the
 * `executions(filter)` subscription, with two runs selected compared side by side.
 */
import { useEffect, useMemo, useState } from 'react';
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import DateRangePicker from '@cloudscape-design/components/date-range-picker';
import type { DateRangePickerProps } from '@cloudscape-design/components/date-range-picker';
import Header from '@cloudscape-design/components/header';
import Link from '@cloudscape-design/components/link';
import Multiselect from '@cloudscape-design/components/multiselect';
import Pagination from '@cloudscape-design/components/pagination';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useGraphQLQuery, useGraphQLSubscription } from '../../api/client.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { useFollow } from '../../layout/links.js';
import { Page } from '../../layout/page.js';
import { CompareRuns } from './CompareRuns.js';
import { EXECUTIONS_QUERY, EXECUTIONS_SUBSCRIPTION, PLAN_NAMES_QUERY } from './documents.js';
import type { ExecutionFilterInput, ExecutionsData, ExecutionsPushedData, ExecutionsSubscriptionVariables, ExecutionsVariables, PlanNamesData } from './documents.js';
import { formatTime } from './format.js';
import type { ExecutionMode, ExecutionStatus, ExecutionSummary } from './model.js';
import { formatDuration, spanMs } from './model.js';
import { rangeBounds } from './history.js';

const PAGE_SIZE = 20;
const ANY = 'any';
const STATUSES: ExecutionStatus[] = ['RUNNING', 'PAUSED', 'CANCELLING', 'COMPLETED', 'FAILED', 'CANCELLED'];

const RELATIVE_OPTIONS: DateRangePickerProps.RelativeOption[] = [
  { key: 'last-hour', amount: 1, unit: 'hour', type: 'relative' },
  { key: 'last-day', amount: 1, unit: 'day', type: 'relative' },
  { key: 'last-week', amount: 1, unit: 'week', type: 'relative' },
  { key: 'last-month', amount: 1, unit: 'month', type: 'relative' },
];

const RANGE_STRINGS: DateRangePickerProps.I18nStrings = {
  ariaLabel: 'Started between',
  relativeModeTitle: 'Relative range',
  absoluteModeTitle: 'Absolute range',
  relativeRangeSelectionHeading: 'Choose a range',
  cancelButtonLabel: 'Cancel',
  clearButtonLabel: 'Clear and dismiss',
  applyButtonLabel: 'Apply',
  customRelativeRangeOptionLabel: 'Custom range',
  customRelativeRangeOptionDescription: 'Set a custom range in the past',
  customRelativeRangeDurationLabel: 'Duration',
  customRelativeRangeDurationPlaceholder: 'Enter duration',
  customRelativeRangeUnitLabel: 'Unit of time',
  formatRelativeRange: (value) => `Last ${value.amount} ${value.unit}${value.amount === 1 ? '' : 's'}`,
  formatUnit: (unit, value) => (value === 1 ? unit : `${unit}s`),
  startDateLabel: 'Start date',
  startTimeLabel: 'Start time',
  endDateLabel: 'End date',
  endTimeLabel: 'End time',
  dateTimeConstraintText: 'For a date, use YYYY/MM/DD. For time, use 24 hr format.',
  modeSelectionLabel: 'Date range mode',
  errorIconAriaLabel: 'Error',
  todayAriaLabel: 'Today',
  nextMonthAriaLabel: 'Next month',
  previousMonthAriaLabel: 'Previous month',
};

export default function ExecutionHistoryPage(): JSX.Element {
  const follow = useFollow();
  const [planId, setPlanId] = useState<string | undefined>(undefined);
  const [mode, setMode] = useState<ExecutionMode | undefined>(undefined);
  const [statuses, setStatuses] = useState<ExecutionStatus[]>([]);
  const [range, setRange] = useState<DateRangePickerProps.Value | null>(null);
  // Absolute bounds of the range, fixed when it is chosen (a relative range would move every render).
  const [bounds, setBounds] = useState<{ startedAfter?: string; startedBefore?: string }>({});
  const filter = useMemo<ExecutionFilterInput>(
    () => ({
      ...(planId ? { planId } : {}),
      ...(mode ? { mode } : {}),
      ...(statuses.length > 0 ? { statuses } : {}),
      ...bounds,
    }),
    [planId, mode, statuses, bounds],
  );
  const filterKey = JSON.stringify(filter);

  // Page i is asked with afters[i - 1]; the last known page's nextCursor says whether there are more.
  const [afters, setAfters] = useState<string[]>([]);
  const [pageIndex, setPageIndex] = useState(0);
  const [lastNext, setLastNext] = useState<string | null>(null);
  const [pushed, setPushed] = useState<Map<string, ExecutionSummary>>(new Map());
  const [selected, setSelected] = useState<ExecutionSummary[]>([]);
  const [comparing, setComparing] = useState<[string, string] | undefined>(undefined);

  useEffect(() => {
    setAfters([]);
    setPageIndex(0);
    setLastNext(null);
    setPushed(new Map());
    setSelected([]);
  }, [filterKey]);

  const after = pageIndex === 0 ? undefined : afters[pageIndex - 1];
  const variables: ExecutionsVariables = { first: PAGE_SIZE, ...(after ? { after } : {}), ...(Object.keys(filter).length > 0 ? { filter } : {}) };
  const query = useGraphQLQuery<ExecutionsData, ExecutionsVariables>(EXECUTIONS_QUERY, variables);
  const plans = useGraphQLQuery<PlanNamesData>(PLAN_NAMES_QUERY);

  const page = query.data?.executions;
  useEffect(() => {
    if (!page) return;
    if (pageIndex === afters.length) setLastNext(page.nextCursor);
    // The page as answered now is newer than what was pushed before it.
    setPushed((current) => {
      if (!page.items.some((item) => current.has(item.id))) return current;
      const next = new Map(current);
      for (const item of page.items) next.delete(item.id);
      return next;
    });
  }, [page, pageIndex, afters.length]);

  const subscriptionVariables: ExecutionsSubscriptionVariables = Object.keys(filter).length > 0 ? { filter } : {};
  const live = useGraphQLSubscription<ExecutionsPushedData, ExecutionsSubscriptionVariables>(EXECUTIONS_SUBSCRIPTION, subscriptionVariables, (data) =>
    setPushed((current) => new Map(current).set(data.executions.id, data.executions)),
  );

  const pageItems = (page?.items ?? []).map((item) => pushed.get(item.id) ?? item);
  const known = new Set(pageItems.map((item) => item.id));
  // New executions appear on the first page only (later pages would shift under the reader).
  const arrivals = pageIndex === 0 ? [...pushed.values()].filter((item) => !known.has(item.id)).sort((a, b) => b.startedAt.localeCompare(a.startedAt)) : [];
  const items = [...arrivals, ...pageItems];

  const planOptions = [{ value: ANY, label: 'Any plan' }, ...(plans.data?.recoveryPlans.items ?? []).map((p) => ({ value: p.id, label: p.name }))];
  const statusOptions = STATUSES.map((s) => ({ value: s, label: s.charAt(0) + s.slice(1).toLowerCase() }));
  const modeOptions = [
    { value: ANY, label: 'Any mode' },
    { value: 'DRILL', label: 'Drills' },
    { value: 'RECOVERY', label: 'Recoveries' },
  ];
  const filtered = Object.keys(filter).length > 0;
  const clearFilters = () => {
    setPlanId(undefined);
    setMode(undefined);
    setStatuses([]);
    setRange(null);
    setBounds({});
  };

  return (
    <Page title="Executions" description="Every drill and recovery, newest first, updated live." breadcrumbs={[{ text: 'Lifeboat', href: '/' }, { text: 'Executions', href: '/executions' }]}>
      <SpaceBetween size="l">
        {live.error ? <ErrorAlert error={live.error} /> : null}
        <ErrorAlert error={query.error} onRetry={query.refetch} />
        <Table<ExecutionSummary>
          data-testid="execution-history"
          variant="container"
          loading={query.loading}
          loadingText="Loading executions"
          items={items}
          trackBy="id"
          selectionType="multi"
          selectedItems={selected}
          onSelectionChange={({ detail }) => setSelected(detail.selectedItems.slice(-2))}
          isItemDisabled={(item) => selected.length >= 2 && !selected.some((s) => s.id === item.id)}
          ariaLabels={{
            tableLabel: 'Executions',
            selectionGroupLabel: 'Runs to compare',
            allItemsSelectionLabel: () => 'Select runs',
            itemSelectionLabel: (_, item) => `Compare ${item.planName} ${item.id}`,
          }}
          wrapLines
          header={
            <Header
              variant="h2"
              counter={page ? `(${items.length}${lastNext ? '+' : ''})` : undefined}
              description="Select two runs to compare them."
              actions={
                <SpaceBetween direction="horizontal" size="xs">
                  <Button iconName="refresh" ariaLabel="Refresh executions" onClick={query.refetch} />
                  <Button
                    disabled={selected.length !== 2}
                    disabledReason="Select two runs"
                    onClick={() => {
                      const [a, b] = [...selected].sort((x, y) => x.startedAt.localeCompare(y.startedAt));
                      if (a && b) setComparing([a.id, b.id]);
                    }}
                  >
                    Compare runs
                  </Button>
                </SpaceBetween>
              }
            >
              Runs
            </Header>
          }
          filter={
            <SpaceBetween direction="horizontal" size="xs">
              <Select
                selectedOption={planOptions.find((o) => o.value === (planId ?? ANY)) ?? null}
                onChange={({ detail }) => setPlanId(detail.selectedOption.value === ANY ? undefined : detail.selectedOption.value)}
                options={planOptions}
                filteringType="auto"
                ariaLabel="Plan"
                statusType={plans.loading ? 'loading' : 'finished'}
                loadingText="Loading plans"
              />
              <Select
                selectedOption={modeOptions.find((o) => o.value === (mode ?? ANY)) ?? null}
                onChange={({ detail }) => setMode(detail.selectedOption.value === 'DRILL' || detail.selectedOption.value === 'RECOVERY' ? detail.selectedOption.value : undefined)}
                options={modeOptions}
                ariaLabel="Mode"
              />
              <Multiselect
                selectedOptions={statusOptions.filter((o) => statuses.includes(o.value))}
                onChange={({ detail }) => setStatuses(STATUSES.filter((s) => detail.selectedOptions.some((o) => o.value === s)))}
                options={statusOptions}
                placeholder="Any status"
                ariaLabel="Statuses"
                hideTokens
              />
              <DateRangePicker
                value={range}
                onChange={({ detail }) => {
                  setRange(detail.value);
                  setBounds(rangeBounds(detail.value, Date.now()));
                }}
                relativeOptions={RELATIVE_OPTIONS}
                isValidRange={(value) => {
                  if (value?.type === 'absolute' && Date.parse(value.startDate) > Date.parse(value.endDate)) return { valid: false, errorMessage: 'The start must be before the end.' };
                  return { valid: true };
                }}
                i18nStrings={RANGE_STRINGS}
                placeholder="Started between"
                ariaLabel="Started between"
              />
              {filtered ? <Button onClick={clearFilters}>Clear filters</Button> : null}
            </SpaceBetween>
          }
          pagination={
            <Pagination
              currentPageIndex={pageIndex + 1}
              pagesCount={afters.length + 1}
              openEnd={lastNext !== null}
              disabled={query.loading}
              onChange={({ detail }) => {
                const target = detail.currentPageIndex - 1;
                if (target <= afters.length) setPageIndex(target);
                else if (target === afters.length + 1 && lastNext) {
                  setAfters([...afters, lastNext]);
                  setLastNext(null);
                  setPageIndex(target);
                }
              }}
              ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}`, paginationLabel: 'Execution pages' }}
            />
          }
          empty={
            <Box textAlign="center" color="inherit" padding="l">
              {filtered ? (
                <SpaceBetween size="s">
                  <b>No execution matches the filters</b>
                  <Button onClick={clearFilters}>Clear filters</Button>
                </SpaceBetween>
              ) : (
                <SpaceBetween size="s">
                  <b>No executions yet</b>
                  <Box color="inherit">
                    Start a drill from a{' '}
                    <Link href="/plans" onFollow={follow}>
                      recovery plan
                    </Link>
                    .
                  </Box>
                </SpaceBetween>
              )}
            </Box>
          }
          columnDefinitions={[
            {
              id: 'plan',
              header: 'Plan',
              cell: (item) => (
                <SpaceBetween size="xxxs">
                  <Link href={`/executions/${item.id}`} onFollow={follow} ariaLabel={`Open the runbook of ${item.planName} ${item.id}`}>
                    {item.planName}
                  </Link>
                  <Box variant="small">
                    Version {item.planVersion} · <span>{item.id}</span>
                  </Box>
                </SpaceBetween>
              ),
            },
            { id: 'mode', header: 'Mode', cell: (item) => (item.mode === 'DRILL' ? 'Drill' : 'Recovery') },
            { id: 'status', header: 'Status', minWidth: 140, cell: (item) => <span data-testid={`history-status-${item.id}`}><StatusBadge status={item.status} /></span> },
            { id: 'started', header: 'Started', cell: (item) => formatTime(item.startedAt) },
            {
              id: 'duration',
              header: 'Duration',
              cell: (item) => {
                const ms = spanMs(item.startedAt, item.completedAt);
                return ms === undefined ? 'In progress' : formatDuration(ms);
              },
            },
            {
              id: 'waves',
              header: 'Waves',
              cell: (item) => {
                const failed = item.waves.filter((w) => w.status === 'FAILED').length;
                return `${item.waves.filter((w) => w.status === 'COMPLETED').length}/${item.waves.length} completed${failed > 0 ? `, ${failed} failed` : ''}`;
              },
            },
            { id: 'startedBy', header: 'Started by', cell: (item) => item.startedBy },
            { id: 'reason', header: 'Failure', cell: (item) => item.failureReason ?? '-' },
          ]}
        />
        {comparing ? <CompareRuns key={comparing.join(':')} ids={comparing} onClose={() => setComparing(undefined)} /> : null}
      </SpaceBetween>
    </Page>
  );
}
