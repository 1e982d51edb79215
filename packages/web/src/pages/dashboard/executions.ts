/**
 * The executions the dashboard shows: the running ones, and the last drill of each plan, both kept
 * live by the `executions` subscription (unfiltered: a finished execution no longer matches a
 * "running" filter, and the dashboard must see it finish).
 */
import { useCallback, useEffect, useState } from 'react';
import { useClient } from 'urql';
import { gql, toConsoleError, useGraphQLQuery, useGraphQLSubscription } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';

export const EXECUTION_SUMMARY_FIELDS = `
  id
  planId
  planName
  planVersion
  mode
  status
  startedAt
  completedAt
  startedBy
  failureReason
`;

export interface ExecutionSummary {
  id: string;
  planId: string;
  planName: string;
  planVersion: number;
  mode: 'DRILL' | 'RECOVERY';
  status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'PAUSED' | 'CANCELLING' | 'CANCELLED';
  startedAt: string;
  completedAt: string | null;
  startedBy: string;
  failureReason: string | null;
}

export const ACTIVE_STATUSES = ['RUNNING', 'PAUSED', 'CANCELLING'] as const;

export function isActive(execution: ExecutionSummary): boolean {
  return (ACTIVE_STATUSES as readonly string[]).includes(execution.status);
}

const RUNNING_EXECUTIONS = gql`
  query DashboardRunningExecutions {
    executions(first: 100, filter: { statuses: [RUNNING, PAUSED, CANCELLING] }) {
      items { ${EXECUTION_SUMMARY_FIELDS} }
      nextCursor
    }
  }
`;

const EXECUTIONS_CHANGED = gql`
  subscription DashboardExecutions {
    executions { ${EXECUTION_SUMMARY_FIELDS} }
  }
`;

/** A document may hold at most 15 aliases (the gateway's limit): the last drills are asked 14 plans at a time. */
const PLANS_PER_DOCUMENT = 14;

function lastDrillsDocument(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$p${i}: ID!`).join(', ');
  const fields = Array.from({ length: count }, (_, i) => `p${i}: executions(first: 1, filter: { planId: $p${i}, mode: DRILL }) { items { ${EXECUTION_SUMMARY_FIELDS} } }`).join('\n');
  return `query DashboardLastDrills(${variables}) {\n${fields}\n}`;
}

export interface DashboardExecutions {
  running: ExecutionSummary[];
  /** Plan id -> its last drill (absent: never drilled). */
  lastDrills: Map<string, ExecutionSummary>;
  lastDrillsLoading: boolean;
  error: ConsoleError | undefined;
  refetch: () => void;
}

export function useDashboardExecutions(planIds: string[] | undefined): DashboardExecutions {
  const client = useClient();
  const runningQuery = useGraphQLQuery<{ executions: { items: ExecutionSummary[] } }>(RUNNING_EXECUTIONS);
  const [running, setRunning] = useState<ExecutionSummary[]>([]);
  const [lastDrills, setLastDrills] = useState<Map<string, ExecutionSummary>>(new Map());
  const [lastDrillsLoading, setLastDrillsLoading] = useState(true);
  const [drillError, setDrillError] = useState<ConsoleError | undefined>(undefined);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    if (runningQuery.data) setRunning(runningQuery.data.executions.items);
  }, [runningQuery.data]);

  const planKey = planIds?.join(',');
  useEffect(() => {
    if (planKey === undefined) return undefined;
    const ids = planKey ? planKey.split(',') : [];
    let cancelled = false;
    setLastDrillsLoading(true);
    void (async () => {
      const found = new Map<string, ExecutionSummary>();
      for (let start = 0; start < ids.length; start += PLANS_PER_DOCUMENT) {
        const chunk = ids.slice(start, start + PLANS_PER_DOCUMENT);
        const variables = Object.fromEntries(chunk.map((id, i) => [`p${i}`, id]));
        const result = await client.query<Record<string, { items: ExecutionSummary[] }>>(lastDrillsDocument(chunk.length), variables, { requestPolicy: 'network-only' }).toPromise();
        if (cancelled) return;
        if (result.error || !result.data) {
          setDrillError(result.error ? toConsoleError(result.error) : { code: 'INTERNAL', message: 'No answer' });
          setLastDrillsLoading(false);
          return;
        }
        chunk.forEach((id, i) => {
          const last = result.data?.[`p${i}`]?.items[0];
          if (last) found.set(id, last);
        });
      }
      setDrillError(undefined);
      setLastDrills(found);
      setLastDrillsLoading(false);
    })();
    return () => {
      cancelled = true;
    };
  }, [client, planKey, generation]);

  const onExecution = useCallback((data: { executions: ExecutionSummary }) => {
    const execution = data.executions;
    setRunning((current) => {
      const others = current.filter((e) => e.id !== execution.id);
      return isActive(execution) ? [execution, ...others].sort((a, b) => b.startedAt.localeCompare(a.startedAt)) : others;
    });
    if (execution.mode === 'DRILL') {
      setLastDrills((current) => {
        const previous = current.get(execution.planId);
        if (previous && previous.id !== execution.id && previous.startedAt > execution.startedAt) return current;
        const next = new Map(current);
        next.set(execution.planId, execution);
        return next;
      });
    }
  }, []);
  const subscription = useGraphQLSubscription(EXECUTIONS_CHANGED, {}, onExecution);

  const refetchRunning = runningQuery.refetch;
  const refetch = useCallback(() => {
    refetchRunning();
    setGeneration((g) => g + 1);
  }, [refetchRunning]);

  return { running, lastDrills, lastDrillsLoading, error: runningQuery.error ?? drillError ?? subscription.error, refetch };
}
