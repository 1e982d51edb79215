/** Read-only views of a group's launch and verification settings ("DRS default" where unset). */
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import type { ConnectivityProbe, HealthCheckDocument, LaunchSettings, VerificationSettings } from './api.js';

const unset = (label = 'Default'): JSX.Element => <Box color="text-status-inactive">{label}</Box>;
const yesNo = (value: boolean | null, fallback: string): JSX.Element | string => (value === null ? unset(fallback) : value ? 'Yes' : 'No');

export function LaunchSettingsView(props: { settings: LaunchSettings; ariaLabel: string }): JSX.Element {
  const s = props.settings;
  const keep = 'Kept as DRS has it';
  return (
    <KeyValuePairs
      ariaLabel={props.ariaLabel}
      columns={3}
      items={[
        { label: 'Subnet', value: s.subnetId ?? unset(keep) },
        { label: 'Security groups', value: s.securityGroupIds?.join(', ') ?? unset(keep) },
        { label: 'Instance type', value: s.instanceType ?? unset(keep) },
        { label: 'Right-sizing', value: s.rightSizing ?? unset(keep) },
        { label: 'Copy private IP', value: yesNo(s.copyPrivateIp, keep) },
        { label: 'Copy tags', value: yesNo(s.copyTags, keep) },
        { label: 'State after launch', value: s.launchDisposition ?? unset(keep) },
      ]}
    />
  );
}

/** One line per set launch setting, for override tables. */
export function launchSummary(s: LaunchSettings): string {
  const parts = [
    s.subnetId && `subnet ${s.subnetId}`,
    s.securityGroupIds && `security groups ${s.securityGroupIds.join(', ')}`,
    s.instanceType && `type ${s.instanceType}`,
    s.rightSizing && `right-sizing ${s.rightSizing}`,
    s.copyPrivateIp !== null && `copy private IP ${s.copyPrivateIp ? 'on' : 'off'}`,
    s.copyTags !== null && `copy tags ${s.copyTags ? 'on' : 'off'}`,
    s.launchDisposition && `launch ${s.launchDisposition}`,
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  return parts.length > 0 ? parts.join('; ') : 'no change';
}

export function HealthChecksTable(props: { checks: readonly HealthCheckDocument[]; title: string }): JSX.Element {
  return (
    <Table<HealthCheckDocument>
      variant="embedded"
      ariaLabels={{ tableLabel: props.title }}
      header={<Box variant="h4">{props.title}</Box>}
      items={props.checks}
      empty={<Box color="text-status-inactive">No health-check documents</Box>}
      columnDefinitions={[
        { id: 'name', header: 'Name', cell: (h) => h.name ?? h.documentName },
        { id: 'document', header: 'SSM document', cell: (h) => h.documentName },
        { id: 'parameters', header: 'Parameters', cell: (h) => (h.parameters === null || h.parameters === undefined ? '-' : <code>{JSON.stringify(h.parameters)}</code>) },
        { id: 'timeout', header: 'Timeout', cell: (h) => `${h.timeoutSeconds ?? 600} s` },
      ]}
    />
  );
}

export function probeLabel(p: ConnectivityProbe): string {
  if (p.type === 'TCP') return `TCP ${p.port}`;
  return `${p.https ? 'HTTPS' : 'HTTP'} ${p.port}${p.path ?? '/'}${p.expectStatus ? ` expects ${p.expectStatus}` : ''}`;
}

export function ProbesTable(props: { probes: readonly ConnectivityProbe[]; title: string }): JSX.Element {
  return (
    <Table<ConnectivityProbe>
      variant="embedded"
      ariaLabels={{ tableLabel: props.title }}
      header={<Box variant="h4">{props.title}</Box>}
      items={props.probes}
      empty={<Box color="text-status-inactive">No connectivity probes</Box>}
      columnDefinitions={[
        { id: 'name', header: 'Name', cell: (p) => p.name ?? probeLabel(p) },
        { id: 'probe', header: 'Probe', cell: (p) => probeLabel(p) },
        { id: 'timeout', header: 'Timeout', cell: (p) => (p.timeoutSeconds === null ? 'Default' : `${p.timeoutSeconds} s`) },
      ]}
    />
  );
}

export function VerificationView(props: { settings: VerificationSettings }): JSX.Element {
  const v = props.settings;
  return (
    <SpaceBetween size="l">
      <KeyValuePairs
        ariaLabel="Verification settings"
        columns={4}
        items={[
          { label: 'EC2 running and status checks within', value: v.instanceTimeoutSeconds === null ? unset('900 s (default)') : `${v.instanceTimeoutSeconds} s` },
          { label: 'Wait for the SSM agent', value: yesNo(v.requireSsmAgent, 'Yes (default)') },
          { label: 'SSM agent online within', value: v.ssmAgentTimeoutSeconds === null ? unset('600 s (default)') : `${v.ssmAgentTimeoutSeconds} s` },
          { label: 'Check post-launch action results', value: yesNo(v.checkPostLaunchActions, 'Yes (default)') },
        ]}
      />
      <HealthChecksTable checks={v.healthChecks ?? []} title="Health-check documents" />
      <ProbesTable probes={v.probes ?? []} title="Connectivity probes" />
    </SpaceBetween>
  );
}
