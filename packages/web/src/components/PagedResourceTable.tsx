/**
 * A list page's table of one resource (recovery plans, protection groups): searched by name on the
 * server, a page at a time with cursors, with its loading, error (Retry) and empty states.
 * The page keeps what differs: its columns, its empty state, and what it does with `refetch`.
 */
import { useState } from 'react';
import type { JSX, ReactNode } from 'react';
import Button from '@cloudscape-design/components/button';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import type { TableProps } from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import type { Page } from '../pages/protection-groups/api.js';
import { useDebouncedValue } from '../pages/protection-groups/form-support.js';
import { useCursorPages } from '../pages/protection-groups/paging.js';
import type { CursorPaging } from '../pages/protection-groups/paging.js';
import { EmptyState } from './EmptyState.js';
import { ErrorAlert } from './ErrorAlert.js';
import { counterText, nameFilter, noMatchTexts, searchLabel } from './pagedResource.js';
import type { ResourceNoun } from './pagedResource.js';

const PAGE_SIZE = 50;
/** Typing pauses this long before the server is asked: one query per word, not per key. */
const SEARCH_SETTLE_MS = 300;

/** A page of a resource list and the search that chose it. */
export interface PagedSearch<TItem> extends CursorPaging<TItem> {
  /** What the search box holds. */
  search: string;
  /** The trimmed search once typing has paused: the one the server answered. */
  settledSearch: string;
  setSearch: (text: string) => void;
}

/** The list behind a PagedResourceTable; a new search starts again at page 1. */
export function usePagedSearch<TItem, TData>(query: string, pick: (data: TData) => Page<TItem>): PagedSearch<TItem> {
  const [search, setSearch] = useState('');
  const settledSearch = useDebouncedValue(search.trim(), SEARCH_SETTLE_MS);
  const paging = useCursorPages<TItem, TData, { search?: string }>(query, nameFilter(settledSearch), PAGE_SIZE, pick);
  return { ...paging, search, settledSearch, setSearch };
}

export function PagedResourceTable<TItem extends { id: string }>(props: {
  list: PagedSearch<TItem>;
  testId: string;
  /** The table's accessible name, also said while it loads ("Recovery plans"). */
  label: string;
  /** The table's header, before the counter ("Plans"). */
  header: string;
  noun: ResourceNoun;
  /** What the table shows when there is nothing and nothing was searched (it depends on the user's role). */
  empty: ReactNode;
  columnDefinitions: TableProps.ColumnDefinition<TItem>[];
}): JSX.Element {
  const { list, noun } = props;
  const noMatch = noMatchTexts(noun, list.settledSearch);
  return (
    <SpaceBetween size="m">
      <ErrorAlert error={list.error} onRetry={list.refetch} />
      <Table<TItem>
        data-testid={props.testId}
        items={list.items}
        loading={list.loading}
        loadingText={`Loading ${props.label.toLowerCase()}`}
        trackBy="id"
        ariaLabels={{ tableLabel: props.label }}
        header={<Header counter={counterText(list.items.length, list.openEnd)}>{props.header}</Header>}
        filter={<TextFilter filteringText={list.search} filteringPlaceholder={searchLabel(noun)} filteringAriaLabel={searchLabel(noun)} onChange={({ detail }) => list.setSearch(detail.filteringText)} />}
        pagination={
          <Pagination
            currentPageIndex={list.currentPageIndex}
            pagesCount={list.pagesCount}
            openEnd={list.openEnd}
            onChange={({ detail }) => list.setPage(detail.currentPageIndex)}
            ariaLabels={{ nextPageLabel: 'Next page', previousPageLabel: 'Previous page', pageLabel: (n) => `Page ${n}` }}
          />
        }
        empty={list.settledSearch ? <EmptyState title={noMatch.title} subtitle={noMatch.subtitle} action={<Button onClick={() => list.setSearch('')}>Clear filter</Button>} /> : props.empty}
        columnDefinitions={props.columnDefinitions}
      />
    </SpaceBetween>
  );
}
