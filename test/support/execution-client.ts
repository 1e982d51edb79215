import { eventually, graphql } from './local-stack-process.js';

/** Statuses after which an execution changes no more (unless retried). */
export const FINISHED_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'];

/**
 * The GraphQL calls scenario tests make about executions, as a signed-in client: `executionFields`
 * and `streamFields` are the selections each scenario needs.
 */
export function executionClient<TExecution extends { status: string }, TEvent>(options: {
  url: () => string;
  token: () => string;
  executionFields: string;
  streamFields: string;
  waitMs: number;
}) {
  const ok = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const result = await graphql<T>(options.url(), options.token(), query, variables);
    if (result.errors || !result.data) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
  const execution = async (id: string): Promise<TExecution> => {
    const { execution: found } = await ok<{ execution: TExecution | null }>(`query($id: ID!) { execution(id: $id) { ${options.executionFields} } }`, { id });
    if (!found) throw new Error(`no execution ${id}`);
    return found;
  };
  const until = (id: string, what: string, check: (e: TExecution) => boolean): Promise<TExecution> =>
    eventually(async () => {
      const e = await execution(id);
      return check(e) ? e : undefined;
    }, options.waitMs, `${what} of ${id}`);
  const stream = async (id: string): Promise<TEvent[]> =>
    (await ok<{ executionEvents: TEvent[] }>(`query($id: ID!) { executionEvents(id: $id) { ${options.streamFields} } }`, { id })).executionEvents;
  const drills: string[] = [];
  const startDrill = async (planId: string): Promise<TExecution> => {
    const started = (await ok<{ startExecution: TExecution & { id?: string } }>(`mutation($input: StartExecutionInput!) { startExecution(input: $input) { ${options.executionFields} } }`, { input: { planId, mode: 'DRILL' } })).startExecution;
    if (typeof started.id === 'string') drills.push(started.id);
    return started;
  };
  /**
   * Cleans up every drill this client started once it has finished (as an SRM test is cleaned up
   * before the plan is tested again: Lifeboat refuses a drill over servers whose drill instances
   * are still up). A drill that launched nothing has nothing to clean up.
   */
  const cleanUpDrills = async (): Promise<void> => {
    for (const id of drills.splice(0)) {
      await until(id, 'finished before its cleanup', (e) => FINISHED_STATUSES.includes(e.status));
      const result = await graphql<{ cleanupDrill: { id: string } }>(options.url(), options.token(), `mutation($id: ID!) { cleanupDrill(id: $id) { id } }`, { id });
      if (result.errors) {
        if (JSON.stringify(result.errors).includes('no recovery instance left to terminate')) continue;
        throw new Error(`cleanupDrill ${id} failed: ${JSON.stringify(result.errors)}`);
      }
      await eventually(async () => {
        const { execution: found } = await ok<{ execution: { cleanup: { status: string } | null } | null }>(`query($id: ID!) { execution(id: $id) { cleanup { status } } }`, { id });
        return found?.cleanup?.status === 'COMPLETED' ? true : undefined;
      }, options.waitMs, `cleanup of drill ${id}`);
    }
  };
  return { ok, execution, until, stream, startDrill, cleanUpDrills };
}

/** The id of a protection group by name. */
export function groupIdOf(groups: { id: string; name: string }[], name: string): string {
  const group = groups.find((g) => g.name === name);
  if (!group) throw new Error(`no group ${name}`);
  return group.id;
}
