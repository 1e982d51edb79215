/** Deleting a group, after confirmation; a CONFLICT (used by a plan, or changed meanwhile) is explained, nothing is deleted. */
import { useState } from 'react';
import type { JSX } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { useNavigate } from 'react-router';
import { useGraphQLMutation } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { useNotify } from '../../layout/notifications.js';
import { DELETE_GROUP_MUTATION } from './api.js';
import type { DeleteGroupData } from './api.js';

export function DeleteGroupModal(props: { group: { id: string; name: string; revision: number }; visible: boolean; onDismiss: () => void; usedBy: readonly string[] }): JSX.Element {
  const { group } = props;
  const navigate = useNavigate();
  const notify = useNotify();
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const [remove, { running }] = useGraphQLMutation<DeleteGroupData, { id: string; expectedRevision: number }>(DELETE_GROUP_MUTATION);

  const onDelete = async (): Promise<void> => {
    setError(undefined);
    const result = await remove({ id: group.id, expectedRevision: group.revision });
    if (result.error) {
      setError(result.error);
      return;
    }
    notify({ type: 'success', content: `Protection group ${group.name} deleted.` });
    props.onDismiss();
    void navigate('/protection-groups');
  };

  return (
    <Modal
      visible={props.visible}
      onDismiss={() => {
        setError(undefined);
        props.onDismiss();
      }}
      header={`Delete ${group.name}?`}
      closeAriaLabel="Close"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={props.onDismiss}>
              Cancel
            </Button>
            <Button variant="primary" loading={running} onClick={() => void onDelete()} data-testid="confirm-delete-group">
              Delete
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      <SpaceBetween size="m">
        <Box>
          The group and its launch and verification settings are deleted; its servers stay in DRS and become free for other groups.
        </Box>
        {props.usedBy.length > 0 && (
          <Alert type="warning" header="Used by recovery plans">
            {`The latest version of ${props.usedBy.join(', ')} recovers this group: Lifeboat refuses to delete it until those plans no longer use it.`}
          </Alert>
        )}
        {error?.code === 'CONFLICT' ? (
          <Alert type="error" header="Not deleted">
            {error.message}
            <Box variant="p">
              A group is not deleted while the latest version of a plan recovers it (edit those plans first), or when someone changed it since you
              opened it (reload the page and try again).
            </Box>
          </Alert>
        ) : (
          <ErrorAlert error={error} />
        )}
      </SpaceBetween>
    </Modal>
  );
}
