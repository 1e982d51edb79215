/**
 * The console's only door to the API: urql over `/graphql` (HTTP) and graphql-ws (subscriptions),
 * with the session's ID token on both, errors mapped to one `ConsoleError` shape, and an
 * UNAUTHENTICATED answer anywhere sending the user back to sign in.
 */
import { createElement, createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { Client, Provider, cacheExchange, fetchExchange, subscriptionExchange, useClient, useMutation, useQuery } from 'urql';
import type { CombinedError, OperationResult } from 'urql';
import { createClient as createWebSocketClient } from 'graphql-ws';
import type { Client as WebSocketClient } from 'graphql-ws';

/** An error as the console shows it: the API's `extensions.code`, its message and, for BAD_USER_INPUT, the field problems. */
export interface ConsoleError {
  code: string;
  message: string;
  field?: string;
  problems?: { field: string; message: string }[];
}

/** Plain concatenation: the tag only lets editors highlight GraphQL documents. */
export function gql(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((text, part, index) => text + part + (values[index] ?? ''), '');
}

/** Where the API answers; both default to the console's own origin. */
export interface ApiEndpoints {
  graphqlUrl: string;
  webSocketUrl: string;
}

export function sameOriginEndpoints(location: Location = window.location): ApiEndpoints {
  const webSocketScheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return { graphqlUrl: `${location.origin}/graphql`, webSocketUrl: `${webSocketScheme}//${location.host}/graphql` };
}

interface ApiContextValue {
  onUnauthenticated: () => void;
}

const ApiContext = createContext<ApiContextValue>({ onUnauthenticated: () => undefined });

function isProblemList(value: unknown): value is { field: string; message: string }[] {
  return (
    Array.isArray(value) &&
    value.every((p: unknown) => typeof p === 'object' && p !== null && typeof (p as { field?: unknown }).field === 'string' && typeof (p as { message?: unknown }).message === 'string')
  );
}

/** Maps urql's CombinedError (GraphQL errors, HTTP status, network failure) to a ConsoleError. */
export function toConsoleError(error: CombinedError): ConsoleError {
  const first = error.graphQLErrors[0];
  if (first) {
    const extensions = first.extensions as Record<string, unknown>;
    const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL';
    const mapped: ConsoleError = { code, message: first.message };
    if (typeof extensions.field === 'string') mapped.field = extensions.field;
    if (isProblemList(extensions.problems)) mapped.problems = extensions.problems;
    return mapped;
  }
  const status = (error.response as { status?: number } | undefined)?.status;
  if (status === 401) return { code: 'UNAUTHENTICATED', message: 'Your session has ended: sign in again.' };
  if (status === 403) return { code: 'FORBIDDEN', message: 'You are not allowed to do this.' };
  return { code: 'NETWORK', message: error.networkError?.message ?? error.message };
}

/** Close codes of graphql-ws meaning the token was refused (4401 unauthorized, 4403 forbidden). */
const REFUSED_TOKEN_CLOSE_CODES = new Set([4401, 4403]);

function createApiClient(endpoints: ApiEndpoints, token: string, onUnauthenticated: () => void): { client: Client; webSocket: WebSocketClient } {
  const authorization = `Bearer ${token}`;
  const webSocket = createWebSocketClient({
    url: endpoints.webSocketUrl,
    connectionParams: () => ({ authorization }),
    lazy: true,
    // Pages come and go: the socket outlives a navigation instead of closing and reopening. A page's
    // subscriptions end just before the next page's begin (urql starts them a tick later), so without
    // the delay each navigation would close the socket and open another (connection_init and token
    // check again; on AWS a $connect invocation and a connection record) for nothing. It is not what
    // kept subscriptions alive: see ConsoleApiProvider.
    lazyCloseTimeout: 10_000,
    // Keep the runbook live across network blips and gateway restarts; a refused token ends the session instead.
    retryAttempts: Number.MAX_SAFE_INTEGER,
    shouldRetry: (closeEvent) => {
      const code = (closeEvent as { code?: number } | undefined)?.code;
      if (code !== undefined && REFUSED_TOKEN_CLOSE_CODES.has(code)) {
        onUnauthenticated();
        return false;
      }
      return true;
    },
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries)));
    },
  });
  const client = new Client({
    url: endpoints.graphqlUrl,
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: webSocket.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
    fetchOptions: () => ({ headers: { authorization } }),
    // POST always: the gateway's CSRF prevention refuses a simple GET.
    preferGetMethod: false,
    // Pages want fresh answers when they are opened again; the cache only avoids flashes.
    requestPolicy: 'cache-and-network',
  });
  return { client, webSocket };
}

/**
 * Provides the API client of one signed-in session (nothing is rendered until it exists).
 *
 * The clients are made by the effect that disposes them. They used to be made in render (useMemo)
 * and disposed in an effect's cleanup, and React may run a cleanup while the memoized value lives
 * on: StrictMode does it once after mounting, in development. The graphql-ws client was then
 * disposed from the start yet still used, and a disposed client never reconnects: the first time a
 * page subscribed while the previous page's socket was closing (the lazy close after its last
 * subscription), graphql-ws completed its subscriptions instead of opening a new socket, silently,
 * and that page stayed without live updates. Seen in a development build with lazyCloseTimeout 0:
 * dashboard -> runbook sent no subscribe for the runbook at all. The 10 s lazy close hid it.
 */
export function ConsoleApiProvider(props: { token: string; endpoints: ApiEndpoints; onUnauthenticated: () => void; children: ReactNode }): ReactNode {
  const { token, endpoints, onUnauthenticated } = props;
  const onUnauthenticatedRef = useRef(onUnauthenticated);
  onUnauthenticatedRef.current = onUnauthenticated;
  const [api, setApi] = useState<{ client: Client; webSocket: WebSocketClient } | undefined>(undefined);
  useEffect(() => {
    const created = createApiClient(endpoints, token, () => onUnauthenticatedRef.current());
    setApi(created);
    return () => void created.webSocket.dispose();
  }, [endpoints, token]);
  const contextValue = useMemo<ApiContextValue>(() => ({ onUnauthenticated: () => onUnauthenticatedRef.current() }), []);
  if (!api) return null;
  return createElement(ApiContext.Provider, { value: contextValue }, createElement(Provider, { value: api.client }, props.children));
}

/** The error of a result, mapped, after sending an unauthenticated user back to sign in. */
function useResultError(error: CombinedError | undefined): ConsoleError | undefined {
  const { onUnauthenticated } = useContext(ApiContext);
  const mapped = useMemo(() => (error ? toConsoleError(error) : undefined), [error]);
  useEffect(() => {
    if (mapped?.code === 'UNAUTHENTICATED') onUnauthenticated();
  }, [mapped, onUnauthenticated]);
  return mapped;
}

/** Runs a query (again when its variables change); `refetch` asks the network. */
export function useGraphQLQuery<TData, TVariables extends object = Record<string, never>>(
  query: string,
  variables?: TVariables,
  options?: { pause?: boolean },
): { data: TData | undefined; error: ConsoleError | undefined; loading: boolean; refetch: () => void } {
  const [result, reexecute] = useQuery<TData>({ query, variables: (variables ?? {}) as Record<string, unknown>, pause: options?.pause ?? false });
  const error = useResultError(result.error);
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  return { data: result.data, error, loading: result.fetching && result.data === undefined, refetch };
}

/** A mutation to run on demand; the promise answers the data or the mapped error (it never rejects). */
export function useGraphQLMutation<TData, TVariables extends object = Record<string, never>>(
  mutation: string,
): [run: (variables: TVariables) => Promise<{ data?: TData; error?: ConsoleError }>, state: { running: boolean }] {
  const [state, execute] = useMutation<TData>(mutation);
  const { onUnauthenticated } = useContext(ApiContext);
  const run = useCallback(
    async (variables: TVariables): Promise<{ data?: TData; error?: ConsoleError }> => {
      const result: OperationResult<TData> = await execute(variables as Record<string, unknown>, { requestPolicy: 'network-only' });
      if (result.error) {
        const error = toConsoleError(result.error);
        if (error.code === 'UNAUTHENTICATED') onUnauthenticated();
        return { error };
      }
      return result.data === undefined ? {} : { data: result.data };
    },
    [execute, onUnauthenticated],
  );
  return [run, { running: state.fetching }];
}

/** Subscribes while mounted (and not paused), calling `onData` with each payload; resubscribes when the variables change. */
export function useGraphQLSubscription<TData, TVariables extends object = Record<string, never>>(
  subscription: string,
  variables: TVariables,
  onData: (data: TData) => void,
  options?: { pause?: boolean },
): { error: ConsoleError | undefined } {
  const client = useClient();
  const { onUnauthenticated } = useContext(ApiContext);
  const onDataRef = useRef(onData);
  onDataRef.current = onData;
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const variablesKey = JSON.stringify(variables);
  const paused = options?.pause ?? false;
  useEffect(() => {
    if (paused) return undefined;
    setError(undefined);
    const parsedVariables = JSON.parse(variablesKey) as Record<string, unknown>;
    const { unsubscribe } = client.subscription<TData>(subscription, parsedVariables).subscribe((result) => {
      if (result.error) {
        const mapped = toConsoleError(result.error);
        if (mapped.code === 'UNAUTHENTICATED') onUnauthenticated();
        setError(mapped);
        return;
      }
      if (result.data !== undefined) onDataRef.current(result.data);
    });
    return unsubscribe;
  }, [client, subscription, variablesKey, paused, onUnauthenticated]);
  return { error };
}
