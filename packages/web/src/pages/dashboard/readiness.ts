/**
 * Replication readiness of the whole inventory: the catalog answers no counts, so the dashboard
 * walks `sourceServers` in pages of 1,000 asking three small fields, one page after the other,
 * and counts. Inventory changes recount, at most every RECOUNT_MS.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { gql, toConsoleError, useGraphQLSubscription } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import type { Readiness, ReadinessItem } from './readiness-count.js';
import { countReadiness } from './readiness-count.js';

const READINESS_PAGE = gql`
  query DashboardReadiness($after: String) {
    sourceServers(first: 1000, after: $after) {
      items {
        replicationState
        readyForRecovery
        protectionGroup {
          id
        }
      }
      nextCursor
    }
  }
`;

const INVENTORY_CHANGED = gql`
  subscription DashboardInventory {
    inventoryChanged {
      kind
      sourceServerId
    }
  }
`;

interface ReadinessPage {
  sourceServers: { items: ReadinessItem[]; nextCursor: string | null };
}

/** Stops counting beyond this many pages (100,000 servers): the dashboard is no export. */
const MAX_PAGES = 100;
const RECOUNT_MS = 10_000;

export function useReadiness(): { readiness: Readiness | undefined; error: ConsoleError | undefined; loading: boolean; refresh: () => void } {
  const client = useClient();
  const [readiness, setReadiness] = useState<Readiness | undefined>(undefined);
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const lastCount = useRef(0);
  const pendingRecount = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    void (async () => {
      const items: ReadinessPage['sourceServers']['items'] = [];
      let after: string | null = null;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result = await client.query<ReadinessPage>(READINESS_PAGE, { after }, { requestPolicy: 'network-only' }).toPromise();
        if (cancelled) return;
        if (result.error || !result.data) {
          setError(result.error ? toConsoleError(result.error) : { code: 'INTERNAL', message: 'No answer' });
          setLoading(false);
          return;
        }
        items.push(...result.data.sourceServers.items);
        after = result.data.sourceServers.nextCursor;
        if (!after) break;
      }
      lastCount.current = Date.now();
      setError(undefined);
      setReadiness(countReadiness(items));
      setLoading(false);
    })();
    return () => {
      cancelled = true;
    };
  }, [client, generation]);

  useEffect(() => () => clearTimeout(pendingRecount.current), []);

  const refresh = useCallback(() => setGeneration((g) => g + 1), []);
  const onInventoryChange = useCallback(() => {
    if (pendingRecount.current) return;
    const wait = Math.max(0, lastCount.current + RECOUNT_MS - Date.now());
    pendingRecount.current = setTimeout(() => {
      pendingRecount.current = undefined;
      setGeneration((g) => g + 1);
    }, wait);
  }, []);
  useGraphQLSubscription<unknown>(INVENTORY_CHANGED, {}, onInventoryChange);

  return { readiness, error, loading: loading && readiness === undefined, refresh };
}
