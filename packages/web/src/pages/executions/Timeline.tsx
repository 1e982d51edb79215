/** The execution's stream as a timeline, newest first: time, event, actor and what it says, filterable. */
import type { JSX } from 'react';
import { useCollection } from '@cloudscape-design/collection-hooks';
import Box from '@cloudscape-design/components/box';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import Table from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import { formatClock, formatTime } from './format.js';
import type { Execution, ExecutionEventRecord } from './model.js';
import { actorNames, describeEvent } from './model.js';

interface TimelineRow {
  streamVersion: number;
  occurredAt: string;
  type: string;
  actor: string;
  summary: string;
}

export function Timeline(props: { events: readonly ExecutionEventRecord[]; execution: Execution | undefined; me: { userId: string | undefined; username: string }; loading: boolean }): JSX.Element {
  const names = actorNames(props.events, props.execution, props.me);
  const rows: TimelineRow[] = [...props.events]
    .sort((a, b) => b.streamVersion - a.streamVersion)
    .map((event) => ({
      streamVersion: event.streamVersion,
      occurredAt: event.occurredAt,
      type: event.type,
      actor: names.get(event.actor) ?? event.actor,
      summary: describeEvent(event, props.execution),
    }));
  const { items, collectionProps, filterProps, filteredItemsCount, paginationProps } = useCollection(rows, {
    filtering: {
      fields: ['type', 'actor', 'summary'],
      empty: <Box textAlign="center" color="inherit">No event yet.</Box>,
      noMatch: <Box textAlign="center" color="inherit">No event matches the filter.</Box>,
    },
    pagination: { pageSize: 25 },
  });
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
        <Header counter={`(${rows.length})`} description="Every event of the execution's stream, newest first, as it happens.">
          Timeline
        </Header>
      }
      filter={
        <TextFilter
          {...filterProps}
          filteringPlaceholder="Find events"
          filteringAriaLabel="Filter events"
          countText={`${filteredItemsCount ?? rows.length} matches`}
        />
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
