/**
 * Makes a plan of SRM priorities: protection groups in priorities 1 to 5 become the waves
 * "Priority n", each after the previous one. A dry run shows the waves and findings; Create saves.
 */
import { useState } from 'react';
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Modal from '@cloudscape-design/components/modal';
import Multiselect from '@cloudscape-design/components/multiselect';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import { useNavigate } from 'react-router';
import { useGraphQLMutation } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { useNotify } from '../../layout/notifications.js';
import { useAllPages } from '../protection-groups/paging.js';
import { errorTextAt } from '../protection-groups/form-support.js';
import { BUILDER_GROUPS_QUERY, IMPORT_SRM_MUTATION } from './api.js';
import type { BuilderGroup, BuilderGroupsData, ImportSrmData } from './api.js';
import { ValidationPanel } from './ValidationPanel.js';

const PRIORITIES = [1, 2, 3, 4, 5] as const;

interface SrmInput {
  name: string;
  priorities: { priority: number; protectionGroupIds: string[] }[];
  dryRun: boolean;
}

export function SrmImportModal(props: { visible: boolean; onDismiss: () => void }): JSX.Element {
  const navigate = useNavigate();
  const notify = useNotify();
  const groups = useAllPages<BuilderGroup, BuilderGroupsData, Record<string, never>>(BUILDER_GROUPS_QUERY, {}, (d) => d.protectionGroups, { pause: !props.visible });
  const [name, setName] = useState('');
  const [byPriority, setByPriority] = useState<Record<number, string[]>>({});
  const [preview, setPreview] = useState<{ key: string; result: ImportSrmData['importSrmPriorities'] } | undefined>(undefined);
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const [run, { running }] = useGraphQLMutation<ImportSrmData, { input: SrmInput }>(IMPORT_SRM_MUTATION);
  const options = groups.items.map((g) => ({ value: g.id, label: g.name, description: `${g.sourceServerIds.length} servers` }));
  const priorities = PRIORITIES.map((priority) => ({ priority, protectionGroupIds: byPriority[priority] ?? [] })).filter((p) => p.protectionGroupIds.length > 0);
  const key = JSON.stringify({ name, priorities });
  const upToDate = preview?.key === key;
  const problems = error?.problems ?? [];
  // Problems name the priorities as sent: only the used ones, in order.
  const priorityError = (priority: number): string | undefined => {
    const sent = priorities.findIndex((p) => p.priority === priority);
    return sent < 0 ? undefined : errorTextAt(problems, `priorities[${sent}]`);
  };

  const submit = async (dryRun: boolean): Promise<void> => {
    setError(undefined);
    const result = await run({ input: { name: name.trim(), priorities, dryRun } });
    if (result.error || !result.data) {
      setError(result.error ?? { code: 'INTERNAL', message: 'No answer' });
      return;
    }
    const answer = result.data.importSrmPriorities;
    if (dryRun || !answer.plan) {
      setPreview({ key, result: answer });
      return;
    }
    notify({ type: 'success', content: `Plan ${name.trim()} created from SRM priorities.` });
    props.onDismiss();
    void navigate(`/plans/${encodeURIComponent(answer.plan.id)}`);
  };

  return (
    <Modal
      visible={props.visible}
      onDismiss={props.onDismiss}
      size="large"
      header="Import SRM priorities"
      closeAriaLabel="Close"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={props.onDismiss}>
              Cancel
            </Button>
            <Button onClick={() => void submit(true)} loading={running && !upToDate} disabled={priorities.length === 0}>
              Check (dry run)
            </Button>
            <Button variant="primary" onClick={() => void submit(false)} loading={running && upToDate} disabled={!upToDate}>
              Create plan
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <Box>As in VMware SRM: priority 1 recovers first; each used priority becomes a wave that starts after the previous one, its servers in parallel.</Box>
        <FormField label="Plan name" errorText={errorTextAt(problems, 'name')}>
          <Input value={name} onChange={({ detail }) => setName(detail.value)} placeholder="Orders (from SRM)" />
        </FormField>
        <ColumnLayout columns={2}>
          {PRIORITIES.map((priority) => (
            <FormField key={priority} label={`Priority ${priority}`} errorText={priorityError(priority)}>
              <Multiselect
                selectedOptions={options.filter((o) => (byPriority[priority] ?? []).includes(o.value))}
                options={options}
                filteringType="auto"
                statusType={groups.loading ? 'loading' : 'finished'}
                loadingText="Loading protection groups"
                placeholder="No groups"
                ariaLabel={`Priority ${priority} protection groups`}
                onChange={({ detail }) => setByPriority({ ...byPriority, [priority]: detail.selectedOptions.map((o) => o.value ?? '').filter((v) => v !== '') })}
              />
            </FormField>
          ))}
        </ColumnLayout>
        <ErrorAlert error={error ?? groups.error} />
        {preview && (
          <SpaceBetween size="s">
            <Table
              items={preview.result.definition.waves}
              ariaLabels={{ tableLabel: 'Waves of the plan' }}
              header={<Box variant="h3">Waves of the plan</Box>}
              columnDefinitions={[
                { id: 'name', header: 'Wave', cell: (w) => w.name },
                { id: 'after', header: 'After', cell: (w) => w.dependsOn.join(', ') || 'Starts first' },
                { id: 'groups', header: 'Protection groups', cell: (w) => w.protectionGroupIds.map((id) => groups.items.find((g) => g.id === id)?.name ?? id).join(', ') },
              ]}
            />
            {preview.result.findings.length > 0 && <ValidationPanel findings={preview.result.findings} checking={false} error={undefined} onRetry={() => undefined} waveNames={[]} onSelect={() => undefined} />}
          </SpaceBetween>
        )}
      </SpaceBetween>
    </Modal>
  );
}
