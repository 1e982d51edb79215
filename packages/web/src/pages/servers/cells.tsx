/**
 * The cells of the Source servers table. A page holds up to 1,000 rows, 10,000 cells, so each cell
 * is cheap: plain markup where it can be, a memo component of the row's values (a render of the
 * table with the same rows renders no cell again), and no per-cell lookup. Measured in Chromium,
 * what made a 1,000-row page take seconds was Cloudscape in the cells: StatusIndicator looks for
 * the theme with `document.querySelector` on every render (a scan of the whole page, per row), and
 * every Cloudscape component instance adds metadata and telemetry effects and an idle-time check
 * of the document's style sheets. The cells keep the two that carry meaning: the status icon and
 * the link to the protection group.
 */
import { createContext, memo, useContext } from 'react';
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Icon from '@cloudscape-design/components/icon';
import type { IconProps } from '@cloudscape-design/components/icon';
import Link from '@cloudscape-design/components/link';
import type { LinkProps } from '@cloudscape-design/components/link';
import type { StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import type { TableProps } from '@cloudscape-design/components/table';
import { statusIndicatorType, statusLabel } from '../../components/StatusBadge.js';
import { formatAge, formatTimestamp } from '../../components/time.js';
import type { SourceServerRow } from './query.js';
import { formatBytes } from './query.js';

/**
 * The time the ages are counted from. A context, not a prop of the columns: when it moves (every
 * 30 s) only the age cells render again, not the whole table.
 */
export const NowContext = createContext(Date.now());

type Follow = NonNullable<LinkProps['onFollow']>;

/** StatusIndicator's icon and colour for each of its types. */
const STATUS_ICONS: Record<StatusIndicatorProps.Type, { name: IconProps.Name; variant: IconProps.Variant }> = {
  success: { name: 'status-positive', variant: 'success' },
  error: { name: 'status-negative', variant: 'error' },
  warning: { name: 'status-warning', variant: 'warning' },
  info: { name: 'status-info', variant: 'info' },
  stopped: { name: 'status-stopped', variant: 'subtle' },
  pending: { name: 'status-pending', variant: 'subtle' },
  'in-progress': { name: 'status-in-progress', variant: 'subtle' },
  loading: { name: 'status-in-progress', variant: 'subtle' },
  'not-started': { name: 'status-not-started', variant: 'subtle' },
  log: { name: 'status-info', variant: 'subtle' },
};

function tagText(tags: SourceServerRow['tags']): string {
  return tags.map((t) => `${t.key}=${t.value}`).join(', ');
}

const Hostname = memo(function Hostname(props: { hostname: string; fqdn: string | null }): JSX.Element {
  return <strong title={props.fqdn ?? props.hostname}>{props.hostname}</strong>;
});

/** The replication state as the StatusBadge shows it (icon and words), without StatusIndicator. */
const Replication = memo(function Replication(props: { state: string }): JSX.Element {
  const icon = STATUS_ICONS[statusIndicatorType(props.state)];
  return (
    <span data-status={props.state}>
      <Icon name={icon.name} variant={icon.variant} /> <span>{statusLabel(props.state)}</span>
    </span>
  );
});

const Readiness = memo(function Readiness(props: { ready: boolean; reason: string | null }): JSX.Element {
  if (props.ready) return <>Ready</>;
  return (
    <Box color="text-status-error" display="inline">
      Not ready{props.reason ? `: ${props.reason}` : ''}
    </Box>
  );
});

const Group = memo(function Group(props: { id: string | undefined; name: string | null | undefined; follow: Follow }): JSX.Element {
  if (!props.id) return <>None</>;
  return (
    <Link href={`/protection-groups/${props.id}`} onFollow={props.follow}>
      {props.name ?? props.id}
    </Link>
  );
});

const LastSeen = memo(function LastSeen(props: { at: string }): JSX.Element {
  const now = useContext(NowContext);
  return <span title={formatTimestamp(props.at)}>{formatAge(props.at, now)}</span>;
});

const LastLaunch = memo(function LastLaunch(props: { launch: SourceServerRow['lastLaunch'] }): JSX.Element {
  const now = useContext(NowContext);
  const launch = props.launch;
  return <>{launch?.initiatedAt ? `${launch.type ?? ''} ${formatAge(launch.initiatedAt, now)} (${launch.result ?? launch.status ?? '?'})` : 'Never'}</>;
});

function lag(s: SourceServerRow): string {
  if (s.replication?.lagSeconds !== null && s.replication?.lagSeconds !== undefined) return `${s.replication.lagSeconds} s`;
  return s.replication?.lag ?? '-';
}

/** The table's columns; `follow` navigates inside the console (the same function on every render of the page). */
export function serverColumns(follow: Follow): TableProps.ColumnDefinition<SourceServerRow>[] {
  return [
    { id: 'hostname', header: 'Hostname', sortingField: 'hostname', isRowHeader: true, cell: (s) => <Hostname hostname={s.hostname} fqdn={s.fqdn} />, width: 200, minWidth: 140 },
    { id: 'replicationState', header: 'Replication', cell: (s) => <Replication state={s.replicationState} />, width: 200 },
    { id: 'ready', header: 'Ready for recovery', width: 220, cell: (s) => <Readiness ready={s.readyForRecovery} reason={s.notReadyReason} /> },
    { id: 'lag', header: 'Lag', width: 100, cell: lag },
    {
      id: 'storage',
      header: 'Replicated',
      cell: (s) => (s.replication?.totalStorageBytes ? `${formatBytes(s.replication.replicatedStorageBytes)} of ${formatBytes(s.replication.totalStorageBytes)}` : '-'),
    },
    { id: 'protectionGroup', header: 'Protection group', width: 180, cell: (s) => <Group id={s.protectionGroup?.id} name={s.protectionGroup?.name} follow={follow} /> },
    { id: 'accountId', header: 'Account', cell: (s) => s.accountId, width: 150 },
    { id: 'region', header: 'Region', cell: (s) => s.region, width: 130 },
    { id: 'os', header: 'OS', cell: (s) => <span title={s.osName ?? s.os}>{s.os}</span>, width: 110 },
    { id: 'tags', header: 'Tags', width: 300, cell: (s) => (s.tags.length === 0 ? '-' : <span title={tagText(s.tags)}>{tagText(s.tags)}</span>) },
    { id: 'lastLaunch', header: 'Last launch', cell: (s) => <LastLaunch launch={s.lastLaunch} /> },
    { id: 'recoveryInstanceId', header: 'Recovery instance', cell: (s) => s.recoveryInstanceId ?? '-' },
    { id: 'lastSeenAt', header: 'Last seen', width: 140, cell: (s) => <LastSeen at={s.lastSeenAt} /> },
    { id: 'id', header: 'Source server id', cell: (s) => s.id },
  ];
}

/** Every column's id, in the table's order. */
export const SERVER_COLUMN_IDS: string[] = serverColumns(() => undefined).map((c) => c.id ?? '');
