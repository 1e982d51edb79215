/**
 * The execution's stream as a timeline, newest first: time, event, actor and what it says,
 * filterable. The runbook holds the latest events of a long stream, not all of it: the header,
 * the filter and the footer say how many of the stream's events are shown, and the footer (the
 * older end) offers the events before the oldest shown.
 */
import { useEffect, useRef } from 'react';
import type { JSX } from 'react';
import { useCollection } from '@cloudscape-design/collection-hooks';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import type { ConsoleError } from '../../api/client.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { formatClock, formatTime } from './format.js';
import type { Execution, ExecutionEventRecord } from './model.js';
import { actorNames, describeEvent, eventsCoverage } from './model.js';

const PAGE_SIZE = 25;

interface TimelineRow {
  streamVersion: number;
  occurredAt: string;
  type: string;
  actor: string;
  summary: string;
}

/** Asking the events before the oldest shown: running, or failed with why. */
export interface EarlierEvents {
  loading: boolean;
  error: ConsoleError | undefined;
  onShow: () => void;
}

export function Timeline(props: {
  events: readonly ExecutionEventRecord[];
  execution: Execution | undefined;
  me: { userId: string | undefined; username: string };
  loading: boolean;
  earlier: EarlierEvents;
}): JSX.Element {
  const { earlier } = props;
  // Names come from the events held (the starter's from the stream's first event, deciders' from theirs).
  const names = actorNames(props.events, props.execution, props.me);
  const coverage = eventsCoverage(props.events, props.execution);
  const rows: TimelineRow[] = [...props.events]
    .sort((a, b) => b.streamVersion - a.streamVersion)
    .map((event) => ({
      streamVersion: event.streamVersion,
      occurredAt: event.occurredAt,
      type: event.type,
      actor: names.get(event.actor) ?? event.actor,
      summary: describeEvent(event, props.execution),
    }));
  const { items, collectionProps, filterProps, filteredItemsCount, paginationProps, actions } = useCollection(rows, {
    filtering: {
      fields: ['type', 'actor', 'summary'],
      empty: <Box textAlign="center" color="inherit">No event yet.</Box>,
      noMatch: <Box textAlign="center" color="inherit">{coverage.complete ? 'No event matches the filter.' : 'No event shown matches the filter: show earlier events to search them too.'}</Box>,
    },
    pagination: { pageSize: PAGE_SIZE },
  });

  // Earlier events land at the end of the newest-first list: once they arrive, turn to the page where they start.
  const rowsWhenAsked = useRef<number | undefined>(undefined);
  const filtering = filterProps.filteringText !== '';
  const { setCurrentPage } = actions;
  useEffect(() => {
    const asked = rowsWhenAsked.current;
    if (asked === undefined || rows.length <= asked) return;
    rowsWhenAsked.current = undefined;
    if (!filtering) setCurrentPage(Math.floor(asked / PAGE_SIZE) + 1);
  }, [rows.length, filtering, setCurrentPage]);

  const partial = !coverage.complete && rows.length > 0;
  const shown = partial ? `the latest ${rows.length} of the ${coverage.total} events` : `all ${rows.length} events`;
  return (
    <Table<TimelineRow>
      {...collectionProps}
      data-testid="timeline"
      variant="container"
      wrapLines
      loading={props.loading}
      loadingText="Loading the timeline"
      trackBy="streamVersion"
      items={items}
      header={
        <Header
          counter={partial ? `(${rows.length} of ${coverage.total})` : `(${rows.length})`}
          description={
            partial
              ? "The latest events of the execution's stream, newest first, as they happen; earlier ones on demand."
              : "Every event of the execution's stream, newest first, as it happens."
          }
        >
          Timeline
        </Header>
      }
      filter={
        <TextFilter
          {...filterProps}
          filteringPlaceholder={partial ? 'Find among the events shown' : 'Find events'}
          filteringAriaLabel="Filter events"
          countText={partial ? `${filteredItemsCount ?? rows.length} matches among the ${rows.length} events shown` : `${filteredItemsCount ?? rows.length} matches`}
        />
      }
      footer={
        rows.length > 0 ? (
          <SpaceBetween size="s">
            <Box color="text-body-secondary" data-testid="timeline-coverage" data-complete={String(!partial)}>
              Showing {shown}.
            </Box>
            {partial ? (
              <Button
                data-testid="show-earlier-events"
                loading={earlier.loading}
                onClick={() => {
                  rowsWhenAsked.current = rows.length;
                  earlier.onShow();
                }}
              >
                Show earlier events
              </Button>
            ) : null}
            <ErrorAlert error={earlier.error} onRetry={earlier.onShow} />
          </SpaceBetween>
        ) : undefined
      }
      pagination={<Pagination {...paginationProps} ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }} />}
      ariaLabels={{ tableLabel: 'Timeline' }}
      columnDefinitions={[
        { id: 'version', header: '#', cell: (row) => row.streamVersion, width: 64 },
        { id: 'time', header: 'Time', cell: (row) => <span title={formatTime(row.occurredAt)}>{formatClock(row.occurredAt)}</span> },
        { id: 'type', header: 'Event', cell: (row) => row.type },
        { id: 'actor', header: 'Actor', cell: (row) => row.actor },
        { id: 'summary', header: 'What happened', cell: (row) => row.summary },
      ]}
    />
  );
}
