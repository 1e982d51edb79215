/** Verification settings fields (VerificationSettingsInput): timeouts, SSM agent, health-check documents, probes. */
import type { JSX } from 'react';
import AttributeEditor from '@cloudscape-design/components/attribute-editor';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import type { SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import type { HealthCheckForm, ProbeForm, VerificationForm } from './group-form.js';
import { errorTextAt } from './form-support.js';
import type { FieldProblem, OptionalBoolean } from './form-support.js';

function booleanOptions(defaultLabel: string): SelectProps.Option[] {
  return [
    { value: '', label: defaultLabel },
    { value: 'true', label: 'Yes' },
    { value: 'false', label: 'No' },
  ];
}

function BooleanSelect(props: { value: OptionalBoolean; defaultLabel: string; ariaLabel: string; disabled?: boolean; onChange: (value: OptionalBoolean) => void }): JSX.Element {
  const options = booleanOptions(props.defaultLabel);
  return (
    <Select
      selectedOption={options.find((o) => o.value === props.value) ?? options[0] ?? null}
      options={options}
      disabled={props.disabled}
      ariaLabel={props.ariaLabel}
      onChange={({ detail }) => props.onChange((detail.selectedOption.value ?? '') as OptionalBoolean)}
    />
  );
}

const PROBE_TYPES: SelectProps.Option[] = [
  { value: 'TCP', label: 'TCP' },
  { value: 'HTTP', label: 'HTTP' },
];

export function VerificationFields(props: { value: VerificationForm; onChange: (value: VerificationForm) => void; problems: readonly FieldProblem[]; disabled?: boolean }): JSX.Element {
  const { value, problems, disabled } = props;
  const set = (patch: Partial<VerificationForm>): void => props.onChange({ ...value, ...patch });
  const at = (field: string): string | undefined => errorTextAt(problems, `verification.${field}`);
  const setCheck = (row: number, patch: Partial<HealthCheckForm>): void => set({ healthChecks: value.healthChecks.map((h, i) => (i === row ? { ...h, ...patch } : h)) });
  const setProbe = (row: number, patch: Partial<ProbeForm>): void => set({ probes: value.probes.map((p, i) => (i === row ? { ...p, ...patch } : p)) });

  return (
    <SpaceBetween size="l">
      <ColumnLayout columns={4}>
        <FormField label="EC2 running within (s)" errorText={at('instanceTimeoutSeconds')} constraintText="1-7200; 900 by default">
          <Input value={value.instanceTimeoutSeconds} inputMode="numeric" disabled={disabled} placeholder="900" onChange={({ detail }) => set({ instanceTimeoutSeconds: detail.value })} />
        </FormField>
        <FormField label="Wait for the SSM agent" errorText={at('requireSsmAgent')} constraintText="No skips the agent and the documents">
          <BooleanSelect value={value.requireSsmAgent} defaultLabel="Yes (default)" ariaLabel="Wait for the SSM agent" disabled={disabled} onChange={(v) => set({ requireSsmAgent: v })} />
        </FormField>
        <FormField label="SSM agent online within (s)" errorText={at('ssmAgentTimeoutSeconds')} constraintText="1-7200; 600 by default">
          <Input value={value.ssmAgentTimeoutSeconds} inputMode="numeric" disabled={disabled} placeholder="600" onChange={({ detail }) => set({ ssmAgentTimeoutSeconds: detail.value })} />
        </FormField>
        <FormField label="Check post-launch actions" errorText={at('checkPostLaunchActions')}>
          <BooleanSelect value={value.checkPostLaunchActions} defaultLabel="Yes (default)" ariaLabel="Check post-launch action results" disabled={disabled} onChange={(v) => set({ checkPostLaunchActions: v })} />
        </FormField>
      </ColumnLayout>
      <FormField label="Health-check documents" description="SSM documents run on each recovered member (at most 10)." errorText={errorTextAt(problems.filter((p) => p.field === 'verification.healthChecks'), 'verification.healthChecks')}>
        <AttributeEditor<HealthCheckForm>
          items={value.healthChecks}
          addButtonText="Add health-check document"
          disableAddButton={disabled || value.healthChecks.length >= 10}
          removeButtonText="Remove"
          empty="No health-check documents."
          onAddButtonClick={() => set({ healthChecks: [...value.healthChecks, { name: '', documentName: '', parameters: '', timeoutSeconds: '' }] })}
          onRemoveButtonClick={({ detail }) => set({ healthChecks: value.healthChecks.filter((_, i) => i !== detail.itemIndex) })}
          definition={[
            { label: 'SSM document', control: (h, i) => <Input value={h.documentName} disabled={disabled} ariaLabel={`Health check ${i + 1} SSM document`} placeholder="AWS-RunShellScript" onChange={({ detail }) => setCheck(i, { documentName: detail.value })} />, errorText: (_h, i) => errorTextAt(problems, `verification.healthChecks[${i}].documentName`) },
            { label: 'Name', control: (h, i) => <Input value={h.name} disabled={disabled} ariaLabel={`Health check ${i + 1} name`} placeholder="The document name" onChange={({ detail }) => setCheck(i, { name: detail.value })} />, errorText: (_h, i) => errorTextAt(problems, `verification.healthChecks[${i}].name`) },
            { label: 'Parameters (JSON)', control: (h, i) => <Input value={h.parameters} disabled={disabled} ariaLabel={`Health check ${i + 1} parameters`} placeholder='{"commands": ["systemctl is-active app"]}' onChange={({ detail }) => setCheck(i, { parameters: detail.value })} />, errorText: (_h, i) => errorTextAt(problems, `verification.healthChecks[${i}].parameters`) },
            { label: 'Timeout (s)', control: (h, i) => <Input value={h.timeoutSeconds} inputMode="numeric" disabled={disabled} ariaLabel={`Health check ${i + 1} timeout`} placeholder="600" onChange={({ detail }) => setCheck(i, { timeoutSeconds: detail.value })} />, errorText: (_h, i) => errorTextAt(problems, `verification.healthChecks[${i}].timeoutSeconds`) },
          ]}
        />
      </FormField>
      <FormField label="Connectivity probes" description="From Lifeboat to each recovered member's private IP (at most 10)." errorText={errorTextAt(problems.filter((p) => p.field === 'verification.probes'), 'verification.probes')}>
        <AttributeEditor<ProbeForm>
          items={value.probes}
          addButtonText="Add probe"
          disableAddButton={disabled || value.probes.length >= 10}
          removeButtonText="Remove"
          empty="No connectivity probes."
          onAddButtonClick={() => set({ probes: [...value.probes, { type: 'TCP', name: '', port: '', path: '', https: '', expectStatus: '', timeoutSeconds: '' }] })}
          onRemoveButtonClick={({ detail }) => set({ probes: value.probes.filter((_, i) => i !== detail.itemIndex) })}
          // Seven fields: Cloudscape needs a layout beyond six (what to probe, then how).
          gridLayout={[
            { breakpoint: 's', rows: [[1, 1, 2], [1, 1, 2, 1]] },
            { rows: [[1, 1], [1], [1, 1], [1, 1]] },
          ]}
          definition={[
            {
              label: 'Type',
              control: (p, i) => (
                <Select
                  selectedOption={PROBE_TYPES.find((o) => o.value === p.type) ?? null}
                  options={PROBE_TYPES}
                  disabled={disabled}
                  ariaLabel={`Probe ${i + 1} type`}
                  onChange={({ detail }) => setProbe(i, { type: detail.selectedOption.value === 'HTTP' ? 'HTTP' : 'TCP' })}
                />
              ),
            },
            { label: 'Port', control: (p, i) => <Input value={p.port} inputMode="numeric" disabled={disabled} ariaLabel={`Probe ${i + 1} port`} placeholder="443" onChange={({ detail }) => setProbe(i, { port: detail.value })} />, errorText: (_p, i) => errorTextAt(problems, `verification.probes[${i}].port`) },
            { label: 'Path (HTTP)', control: (p, i) => <Input value={p.path} disabled={disabled || p.type !== 'HTTP'} ariaLabel={`Probe ${i + 1} path`} placeholder="/health" onChange={({ detail }) => setProbe(i, { path: detail.value })} />, errorText: (_p, i) => errorTextAt(problems, `verification.probes[${i}].path`) },
            {
              label: 'HTTPS',
              control: (p, i) => <BooleanSelect value={p.https} defaultLabel="Default" ariaLabel={`Probe ${i + 1} HTTPS`} disabled={disabled || p.type !== 'HTTP'} onChange={(v) => setProbe(i, { https: v })} />,
            },
            { label: 'Expected status', control: (p, i) => <Input value={p.expectStatus} inputMode="numeric" disabled={disabled || p.type !== 'HTTP'} ariaLabel={`Probe ${i + 1} expected status`} placeholder="200" onChange={({ detail }) => setProbe(i, { expectStatus: detail.value })} />, errorText: (_p, i) => errorTextAt(problems, `verification.probes[${i}].expectStatus`) },
            { label: 'Name', control: (p, i) => <Input value={p.name} disabled={disabled} ariaLabel={`Probe ${i + 1} name`} onChange={({ detail }) => setProbe(i, { name: detail.value })} />, errorText: (_p, i) => errorTextAt(problems, `verification.probes[${i}].name`) },
            { label: 'Timeout (s)', control: (p, i) => <Input value={p.timeoutSeconds} inputMode="numeric" disabled={disabled} ariaLabel={`Probe ${i + 1} timeout`} onChange={({ detail }) => setProbe(i, { timeoutSeconds: detail.value })} />, errorText: (_p, i) => errorTextAt(problems, `verification.probes[${i}].timeoutSeconds`) },
          ]}
        />
      </FormField>
    </SpaceBetween>
  );
}
