/**
 * Cursor paging over the API's `{ items nextCursor }` lists: page by page for the list pages
 * (Cloudscape Pagination with an open end while there is a next cursor), or every page for the
 * pickers that need the whole set (a group's account and region, the builder's groups).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useGraphQLQuery } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import type { Page } from './api.js';

export interface CursorPaging<TItem> {
  items: TItem[];
  loading: boolean;
  error: ConsoleError | undefined;
  refetch: () => void;
  /** 1-based, for Cloudscape Pagination. */
  currentPageIndex: number;
  pagesCount: number;
  openEnd: boolean;
  setPage: (pageIndex: number) => void;
}

/** One page at a time; the cursors seen so far let the user go back. A new filter starts again at page 1. */
export function useCursorPages<TItem, TData, TFilter>(
  query: string,
  filter: TFilter,
  pageSize: number,
  pick: (data: TData) => Page<TItem>,
): CursorPaging<TItem> {
  const filterKey = JSON.stringify(filter ?? null);
  const [state, setState] = useState<{ filterKey: string; cursors: (string | null)[]; page: number }>({ filterKey, cursors: [null], page: 0 });
  const current = state.filterKey === filterKey ? state : { filterKey, cursors: [null], page: 0 };
  const after = current.cursors[current.page] ?? null;
  const variables = useMemo(() => ({ first: pageSize, after, filter: JSON.parse(filterKey) as TFilter }), [pageSize, after, filterKey]);
  const { data, error, loading, refetch } = useGraphQLQuery<TData, typeof variables>(query, variables);
  const page = data ? pick(data) : undefined;
  const nextCursor = page?.nextCursor ?? null;

  // Only a new answer adds a cursor: right after a filter change the hook still holds the previous answer.
  const filterKeyRef = useRef(filterKey);
  filterKeyRef.current = filterKey;
  useEffect(() => {
    const key = filterKeyRef.current;
    setState((s) => {
      const base = s.filterKey === key ? s : { filterKey: key, cursors: [null], page: 0 };
      if (nextCursor === null || base.cursors.includes(nextCursor)) return base;
      if (base.cursors.length !== base.page + 1) return base;
      return { ...base, cursors: [...base.cursors, nextCursor] };
    });
  }, [nextCursor]);

  return {
    items: page?.items ?? [],
    loading,
    error,
    refetch,
    currentPageIndex: current.page + 1,
    pagesCount: current.cursors.length,
    openEnd: nextCursor !== null,
    setPage: (pageIndex: number) => setState({ ...current, page: Math.max(0, Math.min(pageIndex - 1, current.cursors.length - 1)) }),
  };
}

export interface AllPages<TItem> {
  items: TItem[];
  /** True until the first page has arrived. */
  loading: boolean;
  /** True once the last page has arrived. */
  complete: boolean;
  error: ConsoleError | undefined;
  refetch: () => void;
}

/**
 * Every page of a list, loaded one after the other (at most `maxPages`), items deduplicated by id.
 * Variables other than `after` restart it.
 */
export function useAllPages<TItem extends { id: string }, TData, TVariables extends object>(
  query: string,
  variables: TVariables,
  pick: (data: TData) => Page<TItem>,
  options: { pause?: boolean; maxPages?: number } = {},
): AllPages<TItem> {
  const key = JSON.stringify(variables);
  const maxPages = options.maxPages ?? 20;
  const [state, setState] = useState<{ key: string; items: Map<string, TItem>; cursors: string[]; done: boolean }>({ key, items: new Map(), cursors: [], done: false });
  const current = state.key === key ? state : { key, items: new Map<string, TItem>(), cursors: [], done: false };
  const after = current.cursors[current.cursors.length - 1] ?? null;
  const pageVariables = useMemo(() => ({ ...(JSON.parse(key) as TVariables), after }), [key, after]);
  const { data, error, loading, refetch } = useGraphQLQuery<TData, typeof pageVariables>(query, pageVariables, { pause: (options.pause ?? false) || current.done });
  const pickRef = useRef(pick);
  pickRef.current = pick;
  const keyRef = useRef(key);
  keyRef.current = key;

  // Runs for each new answer only: right after the variables change, the hook still holds the previous one.
  useEffect(() => {
    if (!data) return;
    const key = keyRef.current;
    const page = pickRef.current(data);
    setState((s) => {
      const base = s.key === key ? s : { key, items: new Map<string, TItem>(), cursors: [], done: false };
      const items = new Map(base.items);
      for (const item of page.items) items.set(item.id, item);
      const next = page.nextCursor;
      // The same page again (from the cache, then the network): new items, same place.
      if (next !== null && next === base.cursors[base.cursors.length - 1]) return { ...base, items };
      const done = next === null || base.cursors.includes(next) || base.cursors.length + 1 >= maxPages;
      return { key, items, cursors: done ? base.cursors : [...base.cursors, next], done };
    });
  }, [data, maxPages]);

  const items = useMemo(() => [...current.items.values()], [current.items]);
  const paused = options.pause ?? false;
  return { items, loading: (loading || !current.done) && current.items.size === 0 && !error && !paused, complete: current.done, error, refetch };
}
