/**
 * A pending approval, inline in the runbook: its prompt and, for a user the service would let
 * decide (an approver role, not excluded), a comment with Approve and Reject; for anyone else,
 * who may decide. The mutation answers the execution, which the runbook takes at once.
 */
import { useState } from 'react';
import type { JSX } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import FormField from '@cloudscape-design/components/form-field';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { useGraphQLMutation } from '../../api/client.js';
import type { ConsoleError } from '../../api/client.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import { useNotify } from '../../layout/notifications.js';
import { APPROVE_STEP, REJECT_STEP } from './documents.js';
import type { DecideVariables } from './documents.js';
import type { Approval, Execution } from './model.js';
import { approvalDecision } from './model.js';
import { formatTime } from './format.js';

export function ApprovalDecision(props: {
  executionId: string;
  approval: Approval;
  user: { userId: string | undefined; roles: readonly string[] };
  onUpdated: (execution: Execution) => void;
}): JSX.Element {
  const { approval, executionId, onUpdated } = props;
  const notify = useNotify();
  const [comment, setComment] = useState('');
  const [error, setError] = useState<ConsoleError | undefined>(undefined);
  const [approve, approving] = useGraphQLMutation<{ approveStep: Execution }, DecideVariables>(APPROVE_STEP);
  const [reject, rejecting] = useGraphQLMutation<{ rejectStep: Execution }, DecideVariables>(REJECT_STEP);
  const decision = approvalDecision(approval, props.user);
  const busy = approving.running || rejecting.running;

  const decide = async (granted: boolean): Promise<void> => {
    setError(undefined);
    const variables: DecideVariables = { executionId, approvalId: approval.id, ...(comment.trim() ? { comment: comment.trim() } : {}) };
    const result = granted
      ? await approve(variables).then((r) => ({ error: r.error, execution: r.data?.approveStep }))
      : await reject(variables).then((r) => ({ error: r.error, execution: r.data?.rejectStep }));
    if (result.error) {
      setError(result.error);
      return;
    }
    if (result.execution) onUpdated(result.execution);
    notify({ type: granted ? 'success' : 'info', content: `${granted ? 'Approved' : 'Rejected'}: ${approval.prompt}` });
    setComment('');
  };

  const header = approval.kind === 'SECOND_APPROVER' ? 'A second person must approve this recovery' : 'Approval needed';
  return (
    <div data-testid={`approval-${approval.id}`}>
      <Alert type="warning" header={header}>
        <SpaceBetween size="s">
          <Box variant="p">{approval.prompt}</Box>
          <Box variant="small">
            Requested {formatTime(approval.requestedAt)}
            {approval.expiresAt ? `, times out ${formatTime(approval.expiresAt)}` : ''}. May decide: {approval.approverRoles.join(', ') || 'nobody'}.
          </Box>
          {decision.mayDecide ? (
            <SpaceBetween size="s">
              <FormField label="Comment" description="Recorded with your decision (optional).">
                <Textarea value={comment} onChange={({ detail }) => setComment(detail.value)} rows={2} disabled={busy} />
              </FormField>
              <SpaceBetween direction="horizontal" size="xs">
                <Button variant="primary" loading={approving.running} disabled={busy} onClick={() => void decide(true)}>
                  Approve
                </Button>
                <Button loading={rejecting.running} disabled={busy} onClick={() => void decide(false)}>
                  Reject
                </Button>
              </SpaceBetween>
            </SpaceBetween>
          ) : (
            <Box variant="p" color="text-status-inactive">
              {decision.why}
            </Box>
          )}
          <ErrorAlert error={error} />
        </SpaceBetween>
      </Alert>
    </div>
  );
}
