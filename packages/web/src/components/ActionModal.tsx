import type { JSX, ReactNode } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';

/** A dialog asking for one action: its body, then Cancel and the primary action (busy while it runs). */
export function ActionModal(props: {
  header: string;
  actionLabel: string;
  running: boolean;
  actionDisabled?: boolean;
  onAction: () => void;
  onDismiss: () => void;
  children: ReactNode;
}): JSX.Element {
  return (
    <Modal
      visible
      onDismiss={props.onDismiss}
      header={props.header}
      closeAriaLabel="Close"
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={props.onDismiss}>
              Cancel
            </Button>
            <Button variant="primary" loading={props.running} disabled={props.actionDisabled ?? false} onClick={props.onAction}>
              {props.actionLabel}
            </Button>
          </SpaceBetween>
        </Box>
      }
    >
      {props.children}
    </Modal>
  );
}
