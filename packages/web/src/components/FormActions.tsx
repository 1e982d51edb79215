/** A form's action row: Cancel, then the primary action, busy while it runs. */
import type { JSX } from 'react';
import Button from '@cloudscape-design/components/button';
import SpaceBetween from '@cloudscape-design/components/space-between';

export function FormActions(props: {
  submitLabel: string;
  submitting: boolean;
  onCancel: () => void;
  /** Runs the action on click; without it the button submits the `<form>` around it. */
  onSubmit?: () => void;
  submitTestId?: string;
}): JSX.Element {
  return (
    <SpaceBetween direction="horizontal" size="xs">
      {/* Cancel never submits, whichever form it sits in. */}
      <Button formAction="none" variant="link" onClick={props.onCancel}>
        Cancel
      </Button>
      <Button variant="primary" formAction="submit" loading={props.submitting} data-testid={props.submitTestId} onClick={props.onSubmit}>
        {props.submitLabel}
      </Button>
    </SpaceBetween>
  );
}
