/**
 * The groups and servers a recovery plan names, for the builder and the plan's page: loaded by id
 * as the plan names them, never the whole inventory (it can hold 4,000 servers and hundreds of
 * groups). Groups come from `protectionGroup(id)`, their members' hostnames from
 * `sourceServers(filter: { protectionGroupId })` (one page per group: a group holds at most 95
 * servers), and any server still unknown (a single server, a step target, a member the catalog has
 * not yet linked to its group) from `sourceServer(id)`; several ids share a document. What the
 * pickers' searches answer is kept too, so a group picked from a search is known at once.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Client } from 'urql';
import { useClient } from 'urql';
import { toConsoleError } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { GROUPS_PER_MEMBERS_DOCUMENT, IDS_PER_DOCUMENT, groupsByIdDocument, membersOfGroupsDocument, serversByIdDocument } from './api.js';
import type { BuilderGroup, BuilderServer, GroupsByIdData, MembersOfGroupsData, ServersByIdData } from './api.js';

export interface PlanCatalog {
  /** Groups by id; null: no such group (deleted). */
  groups: ReadonlyMap<string, BuilderGroup | null>;
  /** Servers by id; null: the catalog does not know it. */
  servers: ReadonlyMap<string, BuilderServer | null>;
  /** Every group the plan names is loaded (its members are known). */
  groupsLoaded: boolean;
  /** Every server the plan names is loaded too. */
  loaded: boolean;
  error: ConsoleError | undefined;
  /** Asks again what failed. */
  retry: () => void;
  /** Keeps groups and servers a search answered. */
  remember: (found: { groups?: readonly BuilderGroup[]; servers?: readonly BuilderServer[] }) => void;
}

/** Lookups asked again before an error is shown. */
const AUTOMATIC_RETRIES = 2;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** A lookup the API refused or could not answer. */
class LookupFailed extends Error {
  constructor(readonly consoleError: ConsoleError) {
    super(consoleError.message);
  }
}

function consoleErrorOf(failure: unknown): ConsoleError {
  return failure instanceof LookupFailed ? failure.consoleError : { code: 'NETWORK', message: failure instanceof Error ? failure.message : String(failure) };
}

/** Answers `data`, or throws LookupFailed. */
async function ask<TData>(client: Client, document: string, variables: Record<string, string>): Promise<TData> {
  const result = await client.query<TData>(document, variables, { requestPolicy: 'network-only' }).toPromise();
  if (result.error) throw new LookupFailed(toConsoleError(result.error));
  if (!result.data) throw new LookupFailed({ code: 'INTERNAL', message: 'No answer' });
  return result.data;
}

function aliasVariables(prefix: string, ids: readonly string[]): Record<string, string> {
  return Object.fromEntries(ids.map((id, i) => [`${prefix}${i}`, id]));
}

async function loadGroups(client: Client, ids: readonly string[]): Promise<Map<string, BuilderGroup | null>> {
  const found = new Map<string, BuilderGroup | null>();
  await Promise.all(
    chunks(ids, IDS_PER_DOCUMENT).map(async (chunk) => {
      const data = await ask<GroupsByIdData>(client, groupsByIdDocument(chunk.length), aliasVariables('g', chunk));
      chunk.forEach((id, i) => found.set(id, data[`g${i}`] ?? null));
    }),
  );
  return found;
}

/** The servers of `ids`: through the groups holding them first (one page per group), then one by one. */
async function loadServers(client: Client, ids: readonly string[], groupIds: readonly string[]): Promise<Map<string, BuilderServer | null>> {
  const found = new Map<string, BuilderServer | null>();
  await Promise.all(
    chunks(groupIds, GROUPS_PER_MEMBERS_DOCUMENT).map(async (chunk) => {
      const data = await ask<MembersOfGroupsData>(client, membersOfGroupsDocument(chunk.length), aliasVariables('g', chunk));
      chunk.forEach((_, i) => data[`g${i}`]?.items.forEach((server) => found.set(server.id, server)));
    }),
  );
  const rest = ids.filter((id) => !found.has(id));
  await Promise.all(
    chunks(rest, IDS_PER_DOCUMENT).map(async (chunk) => {
      const data = await ask<ServersByIdData>(client, serversByIdDocument(chunk.length), aliasVariables('s', chunk));
      chunk.forEach((id, i) => found.set(id, data[`s${i}`] ?? null));
    }),
  );
  return found;
}

/**
 * Loads the groups `groupIds` and the servers they hold, plus `serverIds`, as they appear (an
 * edit that adds a group loads only that group and its servers). Each id is asked once.
 */
export function usePlanCatalog(groupIds: readonly string[], serverIds: readonly string[]): PlanCatalog {
  const client = useClient();
  const [groups, setGroups] = useState<ReadonlyMap<string, BuilderGroup | null>>(new Map());
  const [servers, setServers] = useState<ReadonlyMap<string, BuilderServer | null>>(new Map());
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const [generation, setGeneration] = useState(0);
  const asked = useRef(new Set<string>());
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  // A lookup that fails (the gateway busy or restarting) is asked again twice, after 0.5 s and 1 s,
  // before the error is shown with its Retry: otherwise the builder keeps blank hostnames.
  const failures = useRef(0);
  const failed = useCallback((failure: unknown) => {
    if (!mounted.current) return;
    if (failures.current < AUTOMATIC_RETRIES) {
      const delay = 500 * 2 ** failures.current++;
      setTimeout(() => {
        if (mounted.current) setGeneration((g) => g + 1);
      }, delay);
      return;
    }
    failures.current = 0;
    setError(consoleErrorOf(failure));
  }, []);

  const groupKey = [...new Set(groupIds)].sort().join(',');
  const wantedGroups = useMemo(() => (groupKey ? groupKey.split(',') : []), [groupKey]);
  const missingGroups = wantedGroups.filter((id) => !groups.has(id));
  const missingGroupKey = missingGroups.join(',');

  const wantedServerKey = [...new Set([...wantedGroups.flatMap((id) => groups.get(id)?.sourceServerIds ?? []), ...serverIds])].sort().join(',');
  const wantedServers = useMemo(() => (wantedServerKey ? wantedServerKey.split(',') : []), [wantedServerKey]);
  const missingServers = wantedServers.filter((id) => !servers.has(id));
  const missingServerKey = missingServers.join(',');

  useEffect(() => {
    const ids = missingGroupKey ? missingGroupKey.split(',').filter((id) => !asked.current.has(`g:${id}`)) : [];
    if (ids.length === 0) return;
    ids.forEach((id) => asked.current.add(`g:${id}`));
    loadGroups(client, ids).then(
      (found) => {
        failures.current = 0;
        if (mounted.current) setGroups((current) => new Map([...current, ...found]));
      },
      (failure: unknown) => {
        ids.forEach((id) => asked.current.delete(`g:${id}`));
        failed(failure);
      },
    );
  }, [client, missingGroupKey, generation]);

  useEffect(() => {
    const ids = missingServerKey ? missingServerKey.split(',').filter((id) => !asked.current.has(`s:${id}`)) : [];
    if (ids.length === 0) return;
    ids.forEach((id) => asked.current.add(`s:${id}`));
    const wanted = new Set(ids);
    // Only the groups that hold a missing server are asked for their members.
    const holding = [...groups.entries()].filter(([, group]) => group?.sourceServerIds.some((id) => wanted.has(id))).map(([id]) => id);
    loadServers(client, ids, holding).then(
      (found) => {
        failures.current = 0;
        if (mounted.current) setServers((current) => new Map([...current, ...found]));
      },
      (failure: unknown) => {
        ids.forEach((id) => asked.current.delete(`s:${id}`));
        failed(failure);
      },
    );
    // `groups` is read for the members only: a group loaded since changes missingServerKey anyway.
  }, [client, missingServerKey, generation]);

  const retry = useCallback(() => {
    setError(undefined);
    setGeneration((g) => g + 1);
  }, []);

  const remember = useCallback((found: { groups?: readonly BuilderGroup[]; servers?: readonly BuilderServer[] }) => {
    const foundGroups = found.groups ?? [];
    const foundServers = found.servers ?? [];
    if (foundGroups.length > 0) setGroups((current) => new Map([...current, ...foundGroups.map((g) => [g.id, g] as const)]));
    if (foundServers.length > 0) setServers((current) => new Map([...current, ...foundServers.map((s) => [s.id, s] as const)]));
  }, []);

  return { groups, servers, groupsLoaded: missingGroups.length === 0, loaded: missingGroups.length === 0 && missingServers.length === 0, error, retry, remember };
}
