/** The runbook's confirmations: cancel (reason, and for a drill whether to terminate its instances) and retry failed servers. */
import { useEffect, useState } from 'react';
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Checkbox from '@cloudscape-design/components/checkbox';
import FormField from '@cloudscape-design/components/form-field';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Table from '@cloudscape-design/components/table';
import Textarea from '@cloudscape-design/components/textarea';
import type { ConsoleError } from '../../api/client.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import type { Execution, ExecutionServer } from './model.js';
import { failedServers } from './model.js';

export function CancelModal(props: {
  execution: Execution;
  visible: boolean;
  running: boolean;
  error: ConsoleError | undefined;
  onDismiss: () => void;
  onConfirm: (choice: { reason: string; terminateInstances: boolean }) => void;
}): JSX.Element {
  const [reason, setReason] = useState('');
  const [terminate, setTerminate] = useState(true);
  useEffect(() => {
    if (props.visible) {
      setReason('');
      setTerminate(true);
    }
  }, [props.visible]);
  const drill = props.execution.mode === 'DRILL';
  return (
    <Modal
      visible={props.visible}
      onDismiss={props.onDismiss}
      header={`Cancel this ${drill ? 'drill' : 'recovery'}?`}
      closeAriaLabel="Close"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={props.onDismiss}>
              Keep running
            </Button>
            <Button variant="primary" loading={props.running} onClick={() => props.onConfirm({ reason: reason.trim(), terminateInstances: drill && terminate })}>
              Cancel execution
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <Box variant="p">Nothing new launches; the execution ends cancelled once the launches in flight finish.</Box>
        <FormField label="Reason" description="Recorded in the execution's history (optional).">
          <Textarea value={reason} onChange={({ detail }) => setReason(detail.value)} rows={2} />
        </FormField>
        {drill ? (
          <Checkbox checked={terminate} onChange={({ detail }) => setTerminate(detail.checked)} description="Once nothing is in flight, the drill's recovery instances are terminated (the drill is cleaned up).">
            Terminate recovery instances
          </Checkbox>
        ) : null}
        <ErrorAlert error={props.error} />
      </SpaceBetween>
    </Modal>
  );
}

export function RetryModal(props: {
  execution: Execution;
  visible: boolean;
  running: boolean;
  error: ConsoleError | undefined;
  onDismiss: () => void;
  onConfirm: (sourceServerIds: string[]) => void;
}): JSX.Element {
  const failed = failedServers(props.execution);
  const [selected, setSelected] = useState<ExecutionServer[]>(failed);
  useEffect(() => {
    if (props.visible) setSelected(failedServers(props.execution));
    // Only when opened: a live update must not undo the user's choice.
  }, [props.visible]);
  return (
    <Modal
      visible={props.visible}
      onDismiss={props.onDismiss}
      header="Retry failed servers"
      closeAriaLabel="Close"
      size="large"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={props.onDismiss}>
              Close
            </Button>
            <Button variant="primary" loading={props.running} disabled={selected.length === 0} onClick={() => props.onConfirm(selected.map((s) => s.sourceServerId))}>
              Retry {selected.length} server{selected.length === 1 ? '' : 's'}
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <Box variant="p">The chosen servers are launched again; their waves, and the waves skipped because of them, run again.</Box>
        <Table<ExecutionServer>
          variant="embedded"
          selectionType="multi"
          selectedItems={selected}
          onSelectionChange={({ detail }) => setSelected(detail.selectedItems)}
          trackBy="sourceServerId"
          items={failed}
          ariaLabels={{
            tableLabel: 'Failed servers',
            selectionGroupLabel: 'Servers to retry',
            allItemsSelectionLabel: () => 'Select all failed servers',
            itemSelectionLabel: (_, server) => `Retry ${server.hostname || server.sourceServerId}`,
          }}
          columnDefinitions={[
            { id: 'hostname', header: 'Server', cell: (s) => s.hostname || s.sourceServerId },
            { id: 'wave', header: 'Wave', cell: (s) => props.execution.waves.find((w) => w.servers.includes(s))?.name ?? '-' },
            { id: 'status', header: 'Status', cell: (s) => <StatusBadge status={s.status} /> },
            { id: 'attempts', header: 'Attempts', cell: (s) => s.attempts },
          ]}
        />
        <ErrorAlert error={props.error} />
      </SpaceBetween>
    </Modal>
  );
}
