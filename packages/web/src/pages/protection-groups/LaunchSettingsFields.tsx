/** Launch settings fields (LaunchSettingsInput): empty fields keep what DRS has. */
import type { JSX } from 'react';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import type { SelectProps } from '@cloudscape-design/components/select';
import type { LaunchForm } from './group-form.js';
import { errorTextAt } from './form-support.js';
import type { FieldProblem, OptionalBoolean } from './form-support.js';

const KEEP: SelectProps.Option = { value: '', label: 'Keep as DRS has it' };

function choice<T extends string>(value: T | '', options: readonly SelectProps.Option[]): SelectProps.Option {
  return options.find((o) => o.value === value) ?? KEEP;
}

const BOOLEAN_OPTIONS: SelectProps.Option[] = [KEEP, { value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }];
const DISPOSITION_OPTIONS: SelectProps.Option[] = [KEEP, { value: 'STARTED', label: 'Started' }, { value: 'STOPPED', label: 'Stopped' }];
const RIGHT_SIZING_OPTIONS: SelectProps.Option[] = [
  KEEP,
  { value: 'NONE', label: 'None (use the instance type)' },
  { value: 'BASIC', label: 'Basic (from the source server)' },
  { value: 'IN_AWS', label: 'In AWS (from use in AWS)' },
];

/** `path`: where these settings are in the input (`launchDefaults`, `serverLaunchOverrides[2]`), for server problems. */
export function LaunchSettingsFields(props: { value: LaunchForm; onChange: (value: LaunchForm) => void; path: string; problems: readonly FieldProblem[]; disabled?: boolean; label: string }): JSX.Element {
  const { value, path, problems } = props;
  const set = (patch: Partial<LaunchForm>): void => props.onChange({ ...value, ...patch });
  const at = (field: string): string | undefined => errorTextAt(problems, `${path}.${field}`);
  return (
    <ColumnLayout columns={3}>
      <FormField label="Subnet" errorText={at('subnetId')} constraintText="subnet-…">
        <Input value={value.subnetId} disabled={props.disabled} ariaLabel={`${props.label} subnet`} placeholder="Keep as DRS has it" onChange={({ detail }) => set({ subnetId: detail.value })} />
      </FormField>
      <FormField label="Security groups" errorText={at('securityGroupIds')} constraintText="sg-… separated by commas">
        <Input value={value.securityGroupIds} disabled={props.disabled} ariaLabel={`${props.label} security groups`} placeholder="Keep as DRS has it" onChange={({ detail }) => set({ securityGroupIds: detail.value })} />
      </FormField>
      <FormField label="Instance type" errorText={at('instanceType')} constraintText="Needs right-sizing None">
        <Input value={value.instanceType} disabled={props.disabled} ariaLabel={`${props.label} instance type`} placeholder="m5.large" onChange={({ detail }) => set({ instanceType: detail.value })} />
      </FormField>
      <FormField label="Right-sizing" errorText={at('rightSizing')}>
        <Select
          selectedOption={choice(value.rightSizing, RIGHT_SIZING_OPTIONS)}
          options={RIGHT_SIZING_OPTIONS}
          disabled={props.disabled}
          ariaLabel={`${props.label} right-sizing`}
          onChange={({ detail }) => set({ rightSizing: (detail.selectedOption.value ?? '') as LaunchForm['rightSizing'] })}
        />
      </FormField>
      <FormField label="Copy private IP" errorText={at('copyPrivateIp')}>
        <Select
          selectedOption={choice(value.copyPrivateIp, BOOLEAN_OPTIONS)}
          options={BOOLEAN_OPTIONS}
          disabled={props.disabled}
          ariaLabel={`${props.label} copy private IP`}
          onChange={({ detail }) => set({ copyPrivateIp: (detail.selectedOption.value ?? '') as OptionalBoolean })}
        />
      </FormField>
      <FormField label="Copy tags" errorText={at('copyTags')}>
        <Select
          selectedOption={choice(value.copyTags, BOOLEAN_OPTIONS)}
          options={BOOLEAN_OPTIONS}
          disabled={props.disabled}
          ariaLabel={`${props.label} copy tags`}
          onChange={({ detail }) => set({ copyTags: (detail.selectedOption.value ?? '') as OptionalBoolean })}
        />
      </FormField>
      <FormField label="State after launch" errorText={at('launchDisposition')}>
        <Select
          selectedOption={choice(value.launchDisposition, DISPOSITION_OPTIONS)}
          options={DISPOSITION_OPTIONS}
          disabled={props.disabled}
          ariaLabel={`${props.label} state after launch`}
          onChange={({ detail }) => set({ launchDisposition: (detail.selectedOption.value ?? '') as LaunchForm['launchDisposition'] })}
        />
      </FormField>
    </ColumnLayout>
  );
}
