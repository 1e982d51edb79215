/**
 * Options of a Cloudscape Multiselect asked from the API (`filteringType="manual"`): the first page
 * when it opens, the matching page after a pause in typing, the next page when the list is
 * scrolled to its end. The inventory is too large to list in a picker.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import type { MultiselectProps } from '@cloudscape-design/components/multiselect';
import type { NonCancelableCustomEvent } from '@cloudscape-design/components/interfaces';
import { toConsoleError } from '../../api/client.js';
import type { Page } from '../protection-groups/api.js';
import type { SearchVariables } from './api.js';

const TYPING_PAUSE_MS = 250;

export interface SearchOptions<TItem> {
  items: TItem[];
  /** The Multiselect's statusType, errorText and onLoadItems. */
  statusType: 'pending' | 'loading' | 'finished' | 'error';
  errorText: string | undefined;
  onLoadItems: (event: NonCancelableCustomEvent<MultiselectProps.LoadItemsDetail>) => void;
}

interface SearchState<TItem> {
  text: string;
  items: TItem[];
  /** The `after` of the next page (null: none); the page asked last, for a retry. */
  nextCursor: string | null;
  lastAfter: string | null;
  status: SearchOptions<TItem>['statusType'];
  errorText: string | undefined;
}

export function useSearchOptions<TItem, TData>(query: string, pick: (data: TData) => Page<TItem>, onFound: (items: TItem[]) => void): SearchOptions<TItem> {
  const client = useClient();
  const [state, setState] = useState<SearchState<TItem>>({ text: '', items: [], nextCursor: null, lastAfter: null, status: 'pending', errorText: undefined });
  const stateRef = useRef(state);
  stateRef.current = state;
  const latest = useRef({ pick, onFound });
  latest.current = { pick, onFound };
  // Only the answer to the last request counts (typing sends several).
  const request = useRef(0);
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(typing.current), []);

  const load = useCallback(
    (text: string, after: string | null) => {
      const id = ++request.current;
      setState((s) => ({ ...s, text, lastAfter: after, status: 'loading', errorText: undefined, items: after === null ? [] : s.items }));
      const variables: SearchVariables = { ...(text.trim() ? { search: text.trim() } : {}), ...(after ? { after } : {}) };
      void client
        .query<TData>(query, variables, { requestPolicy: 'network-only' })
        .toPromise()
        .then((result) => {
          if (id !== request.current) return;
          if (result.error || !result.data) {
            const message = result.error ? toConsoleError(result.error).message : 'No answer';
            setState((s) => ({ ...s, status: 'error', errorText: message }));
            return;
          }
          const page = latest.current.pick(result.data);
          latest.current.onFound(page.items);
          setState((s) => ({ ...s, items: after === null ? page.items : [...s.items, ...page.items], nextCursor: page.nextCursor, status: page.nextCursor ? 'pending' : 'finished' }));
        });
    },
    [client, query],
  );

  const onLoadItems = useCallback(
    ({ detail }: NonCancelableCustomEvent<MultiselectProps.LoadItemsDetail>) => {
      clearTimeout(typing.current);
      const current = stateRef.current;
      if (detail.samePage) load(current.text, current.lastAfter);
      else if (!detail.firstPage && current.nextCursor) load(current.text, current.nextCursor);
      else if (detail.firstPage && detail.filteringText !== current.text) typing.current = setTimeout(() => load(detail.filteringText, null), TYPING_PAUSE_MS);
      else if (detail.firstPage) load(detail.filteringText, null);
    },
    [load],
  );

  return { items: state.items, statusType: state.status, errorText: state.errorText, onLoadItems };
}
