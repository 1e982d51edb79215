/**
 * Imports configuration documents (as exported: `apiVersion: lifeboat/v1`, YAML or JSON), pasted
 * or uploaded: a dry run first shows what each document would do, then Import applies them all
 * in one transaction (or nothing).
 */
import { useState } from 'react';
import type { JSX } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FileUpload from '@cloudscape-design/components/file-upload';
import FormField from '@cloudscape-design/components/form-field';
import Modal from '@cloudscape-design/components/modal';
import Select from '@cloudscape-design/components/select';
import type { SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Textarea from '@cloudscape-design/components/textarea';
import { useGraphQLMutation } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { useNotify } from '../../layout/notifications.js';
import { IMPORT_CONFIGURATION_MUTATION } from './api.js';
import type { DocumentFormat, ImportConfigurationData } from './api.js';
import { ValidationPanel } from './ValidationPanel.js';

type Result = ImportConfigurationData['importConfiguration'];

const FORMATS: SelectProps.Option[] = [
  { value: '', label: 'Detect' },
  { value: 'YAML', label: 'YAML' },
  { value: 'JSON', label: 'JSON' },
];

const ACTION_LABELS: Record<Result['documents'][number]['action'], string> = { CREATE: 'Create', UPDATE: 'Update (new version)', UNCHANGED: 'Unchanged' };

export function ImportConfigurationModal(props: { visible: boolean; onDismiss: () => void; onImported: () => void }): JSX.Element {
  const notify = useNotify();
  const [content, setContent] = useState('');
  const [format, setFormat] = useState<'' | DocumentFormat>('');
  const [files, setFiles] = useState<File[]>([]);
  const [fileError, setFileError] = useState<string | undefined>(undefined);
  const [checked, setChecked] = useState<{ content: string; format: string; result: Result } | undefined>(undefined);
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const [run, { running }] = useGraphQLMutation<ImportConfigurationData, { input: { content: string; format?: DocumentFormat; dryRun: boolean } }>(IMPORT_CONFIGURATION_MUTATION);
  const upToDate = checked !== undefined && checked.content === content && checked.format === format;

  const close = (): void => {
    setChecked(undefined);
    setError(undefined);
    props.onDismiss();
  };

  const submit = async (dryRun: boolean): Promise<void> => {
    setError(undefined);
    const result = await run({ input: { content, ...(format ? { format } : {}), dryRun } });
    if (result.error || !result.data) {
      setError(result.error ?? { code: 'INTERNAL', message: 'No answer' });
      if (dryRun) setChecked(undefined);
      return;
    }
    const answer = result.data.importConfiguration;
    if (dryRun) {
      setChecked({ content, format, result: answer });
      return;
    }
    const changed = answer.documents.filter((d) => d.action !== 'UNCHANGED').length;
    notify({ type: 'success', content: `Imported ${answer.documents.length} document${answer.documents.length === 1 ? '' : 's'} (${changed} changed).` });
    setContent('');
    setFiles([]);
    props.onImported();
    close();
  };

  const readFile = async (file: File | undefined): Promise<void> => {
    setFileError(undefined);
    if (!file) return;
    if (file.size > 1_000_000) {
      setFileError('The file is larger than 1 MB.');
      return;
    }
    const text = await file.text();
    setContent(text);
    if (/\.json$/i.test(file.name)) setFormat('JSON');
    else if (/\.ya?ml$/i.test(file.name)) setFormat('YAML');
  };

  return (
    <Modal
      visible={props.visible}
      onDismiss={close}
      size="large"
      header="Import configuration"
      closeAriaLabel="Close"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={close}>
              Cancel
            </Button>
            <Button onClick={() => void submit(true)} loading={running && !upToDate} disabled={content.trim() === ''}>
              Check (dry run)
            </Button>
            <Button variant="primary" onClick={() => void submit(false)} loading={running && upToDate} disabled={!upToDate}>
              Import
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <Box>Protection groups and recovery plans as exported by Lifeboat. Groups are matched by name, then plans; everything is imported in one transaction, or nothing.</Box>
        <FormField label="Upload a file" errorText={fileError}>
          <FileUpload
            value={files}
            accept=".yaml,.yml,.json,application/json,text/yaml"
            onChange={({ detail }) => {
              setFiles(detail.value);
              void readFile(detail.value[0]);
            }}
            i18nStrings={{
              uploadButtonText: () => 'Choose file',
              dropzoneText: () => 'Drop a file to upload',
              removeFileAriaLabel: (i) => `Remove file ${i + 1}`,
              errorIconAriaLabel: 'Error',
            }}
            constraintText="YAML or JSON, up to 1 MB"
          />
        </FormField>
        <FormField label="Or paste the documents" stretch>
          <Textarea value={content} rows={12} spellcheck={false} placeholder={'apiVersion: lifeboat/v1\nkind: RecoveryPlan\n…'} onChange={({ detail }) => setContent(detail.value)} />
        </FormField>
        <FormField label="Format">
          <Select selectedOption={FORMATS.find((f) => f.value === format) ?? null} options={FORMATS} onChange={({ detail }) => setFormat((detail.selectedOption.value ?? '') as '' | DocumentFormat)} />
        </FormField>
        <ErrorAlert error={error} />
        {checked && (
          <SpaceBetween size="s">
            {!upToDate && <Alert type="info">The documents changed since the check: check them again before importing.</Alert>}
            <Table
              items={checked.result.documents}
              ariaLabels={{ tableLabel: 'What the import does' }}
              header={<Box variant="h3">What the import does</Box>}
              empty="No documents"
              columnDefinitions={[
                { id: 'kind', header: 'Kind', cell: (d) => (d.kind === 'ProtectionGroup' ? 'Protection group' : 'Recovery plan') },
                { id: 'name', header: 'Name', cell: (d) => d.name },
                { id: 'action', header: 'Action', cell: (d) => ACTION_LABELS[d.action] },
              ]}
            />
            {checked.result.findings.length > 0 && (
              <ValidationPanel findings={checked.result.findings} checking={false} error={undefined} onRetry={() => undefined} waveNames={[]} onSelect={() => undefined} />
            )}
          </SpaceBetween>
        )}
      </SpaceBetween>
    </Modal>
  );
}
