/**
 * Steps before or after a wave (PlanStepInput): a WAIT, an APPROVAL, an SSM document or a Lambda
 * hook, each with the fields of its type only.
 */
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ButtonDropdown from '@cloudscape-design/components/button-dropdown';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Multiselect from '@cloudscape-design/components/multiselect';
import Select from '@cloudscape-design/components/select';
import type { SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import type { RoleName, StepFailureAction, StepType } from './api.js';
import { emptyStep, moveItem } from './plan-form.js';
import type { StepForm } from './plan-form.js';

export const STEP_TYPE_LABELS: Record<StepType, string> = {
  WAIT: 'Wait',
  APPROVAL: 'Manual approval',
  SSM_DOCUMENT: 'SSM document',
  LAMBDA: 'Lambda function',
};

const ROLE_OPTIONS: SelectProps.Option[] = [
  { value: '', label: 'Default', description: 'An Operator for a drill, a RecoveryManager for a recovery' },
  { value: 'Operator', label: 'Operator' },
  { value: 'PlanAuthor', label: 'PlanAuthor' },
  { value: 'RecoveryManager', label: 'RecoveryManager' },
  { value: 'Admin', label: 'Admin' },
];

const FAILURE_OPTIONS: SelectProps.Option[] = [
  { value: '', label: 'Fail the wave (default)' },
  { value: 'FAIL', label: 'Fail the wave' },
  { value: 'CONTINUE', label: 'Continue' },
];

export function StepsEditor(props: {
  /** "Pre-steps of Database", for labels. */
  label: string;
  /** Where the steps are in the input (`waves[0].preSteps`), for problems. */
  path: string;
  steps: readonly StepForm[];
  onChange: (steps: StepForm[]) => void;
  servers: readonly { id: string; hostname: string }[];
  errorAt: (path: string) => string | undefined;
}): JSX.Element {
  const { steps, path, errorAt } = props;
  const set = (index: number, patch: Partial<StepForm>): void => props.onChange(steps.map((s, i) => (i === index ? { ...s, ...patch } : s)));
  const serverOptions = props.servers.map((s) => ({ value: s.id, label: s.hostname || s.id, description: s.hostname ? s.id : undefined }));

  return (
    <SpaceBetween size="s">
      {steps.length === 0 && <Box color="text-status-inactive">None.</Box>}
      {steps.map((step, index) => {
        const at = `${path}[${index}]`;
        const field = (name: string): string | undefined => errorAt(`${at}.${name}`);
        const stepLabel = `${props.label} ${index + 1}`;
        return (
          <ExpandableSection
            key={step.key}
            variant="container"
            defaultExpanded
            headerText={`${index + 1}. ${STEP_TYPE_LABELS[step.type]}${step.name ? `: ${step.name}` : ''}`}
            headerDescription={errorAt(at) ? 'Has problems' : undefined}
            headerActions={
              <SpaceBetween direction="horizontal" size="xxs">
                <Button variant="icon" iconName="angle-up" ariaLabel={`Move ${stepLabel} up`} disabled={index === 0} onClick={() => props.onChange(moveItem(steps, index, index - 1))} />
                <Button variant="icon" iconName="angle-down" ariaLabel={`Move ${stepLabel} down`} disabled={index === steps.length - 1} onClick={() => props.onChange(moveItem(steps, index, index + 1))} />
                <Button variant="icon" iconName="remove" ariaLabel={`Remove ${stepLabel}`} onClick={() => props.onChange(steps.filter((_, i) => i !== index))} />
              </SpaceBetween>
            }
          >
            <ColumnLayout columns={2}>
              <FormField label="Name" errorText={field('name')} constraintText="A default from its kind when empty">
                <Input value={step.name} ariaLabel={`${stepLabel} name`} onChange={({ detail }) => set(index, { name: detail.value })} />
              </FormField>
              {step.type === 'WAIT' && (
                <FormField label="Duration (s)" errorText={field('durationSeconds')} constraintText="1 to 86400">
                  <Input value={step.durationSeconds} inputMode="numeric" ariaLabel={`${stepLabel} duration in seconds`} onChange={({ detail }) => set(index, { durationSeconds: detail.value })} />
                </FormField>
              )}
              {step.type === 'APPROVAL' && (
                <>
                  <FormField label="Prompt" errorText={field('prompt')}>
                    <Input value={step.prompt} ariaLabel={`${stepLabel} prompt`} onChange={({ detail }) => set(index, { prompt: detail.value })} />
                  </FormField>
                  <FormField label="Approver role" errorText={field('approverRole')}>
                    <Select
                      selectedOption={ROLE_OPTIONS.find((o) => o.value === step.approverRole) ?? null}
                      options={ROLE_OPTIONS}
                      ariaLabel={`${stepLabel} approver role`}
                      onChange={({ detail }) => set(index, { approverRole: (detail.selectedOption.value ?? '') as '' | RoleName })}
                    />
                  </FormField>
                  <FormField label="Timeout (s)" errorText={field('timeoutSeconds')} constraintText="86400 by default">
                    <Input value={step.timeoutSeconds} inputMode="numeric" ariaLabel={`${stepLabel} timeout in seconds`} onChange={({ detail }) => set(index, { timeoutSeconds: detail.value })} />
                  </FormField>
                  <FormField label="On timeout" errorText={field('onTimeout')}>
                    <Select
                      selectedOption={FAILURE_OPTIONS.find((o) => o.value === step.onTimeout) ?? null}
                      options={FAILURE_OPTIONS}
                      ariaLabel={`${stepLabel} on timeout`}
                      onChange={({ detail }) => set(index, { onTimeout: (detail.selectedOption.value ?? '') as '' | StepFailureAction })}
                    />
                  </FormField>
                </>
              )}
              {step.type === 'SSM_DOCUMENT' && (
                <>
                  <FormField label="SSM document" errorText={field('documentName')}>
                    <Input value={step.documentName} ariaLabel={`${stepLabel} SSM document`} placeholder="AWS-RunShellScript" onChange={({ detail }) => set(index, { documentName: detail.value })} />
                  </FormField>
                  <FormField label="Document version" errorText={field('documentVersion')}>
                    <Input value={step.documentVersion} ariaLabel={`${stepLabel} document version`} placeholder="$DEFAULT" onChange={({ detail }) => set(index, { documentVersion: detail.value })} />
                  </FormField>
                  <FormField label="Target servers" errorText={field('targetServerIds')} constraintText="Before a wave: servers of the waves it depends on; after: empty means the wave's servers">
                    <Multiselect
                      selectedOptions={step.targetServerIds.map((id) => serverOptions.find((o) => o.value === id) ?? { value: id, label: id })}
                      options={serverOptions}
                      filteringType="auto"
                      placeholder="Choose servers"
                      ariaLabel={`${stepLabel} target servers`}
                      onChange={({ detail }) => set(index, { targetServerIds: detail.selectedOptions.map((o) => o.value ?? '').filter((v) => v !== '') })}
                    />
                  </FormField>
                  <FormField label="Parameters (JSON)" errorText={field('parameters')} constraintText='An object of parameter name to a list of values: {"commands": ["..."]}'>
                    <Textarea value={step.parameters} rows={3} ariaLabel={`${stepLabel} parameters`} onChange={({ detail }) => set(index, { parameters: detail.value })} />
                  </FormField>
                </>
              )}
              {step.type === 'LAMBDA' && (
                <>
                  <FormField label="Function ARN" errorText={field('functionArn')}>
                    <Input value={step.functionArn} ariaLabel={`${stepLabel} function ARN`} placeholder="arn:aws:lambda:…" onChange={({ detail }) => set(index, { functionArn: detail.value })} />
                  </FormField>
                  <FormField label="Payload (JSON)" errorText={field('payload')} constraintText="A JSON object">
                    <Textarea value={step.payload} rows={3} ariaLabel={`${stepLabel} payload`} onChange={({ detail }) => set(index, { payload: detail.value })} />
                  </FormField>
                </>
              )}
              {(step.type === 'SSM_DOCUMENT' || step.type === 'LAMBDA') && (
                <>
                  <FormField label="Timeout (s)" errorText={field('timeoutSeconds')} constraintText={step.type === 'LAMBDA' ? '300 by default' : '3600 by default'}>
                    <Input value={step.timeoutSeconds} inputMode="numeric" ariaLabel={`${stepLabel} timeout in seconds`} onChange={({ detail }) => set(index, { timeoutSeconds: detail.value })} />
                  </FormField>
                  <FormField label="On failure" errorText={field('onFailure')}>
                    <Select
                      selectedOption={FAILURE_OPTIONS.find((o) => o.value === step.onFailure) ?? null}
                      options={FAILURE_OPTIONS}
                      ariaLabel={`${stepLabel} on failure`}
                      onChange={({ detail }) => set(index, { onFailure: (detail.selectedOption.value ?? '') as '' | StepFailureAction })}
                    />
                  </FormField>
                </>
              )}
            </ColumnLayout>
            {errorAt(at) && !['name', 'durationSeconds', 'prompt', 'approverRole', 'timeoutSeconds', 'onTimeout', 'documentName', 'documentVersion', 'targetServerIds', 'parameters', 'functionArn', 'payload', 'onFailure'].some((f) => field(f)) && (
              <Box color="text-status-error">{errorAt(at)}</Box>
            )}
          </ExpandableSection>
        );
      })}
      <ButtonDropdown
        ariaLabel={`Add a step to ${props.label}`}
        items={(Object.keys(STEP_TYPE_LABELS) as StepType[]).map((type) => ({ id: type, text: STEP_TYPE_LABELS[type] }))}
        onItemClick={({ detail }) => props.onChange([...steps, emptyStep(detail.id as StepType)])}
      >
        Add step
      </ButtonDropdown>
    </SpaceBetween>
  );
}
