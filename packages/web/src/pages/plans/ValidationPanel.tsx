/**
 * Every finding of the plan being built: validateRecoveryPlan, asked again shortly after each
 * change, plus what the builder itself found (not a number, not JSON). Clicking a finding takes
 * the user to the wave (or field) at fault.
 */
import type { JSX } from 'react';
import Box from '@cloudscape-design/components/box';
import Link from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import type { ConsoleError } from '../../api/client.js';
import { ErrorAlert } from '../../components/ErrorAlert.js';
import type { PlanFinding } from './api.js';
import { sortFindings, whereLabel } from './findings.js';

const INDICATOR = { ERROR: 'error', WARNING: 'warning', INFO: 'info' } as const;

export function ValidationPanel(props: {
  findings: readonly PlanFinding[];
  checking: boolean;
  error: ConsoleError | undefined;
  onRetry: () => void;
  waveNames: readonly string[];
  onSelect: (finding: PlanFinding) => void;
}): JSX.Element {
  const findings = sortFindings(props.findings);
  const errors = findings.filter((f) => f.severity === 'ERROR').length;
  const warnings = findings.filter((f) => f.severity === 'WARNING').length;

  return (
    <SpaceBetween size="s">
      <div aria-live="polite" data-testid="validation-summary">
        {props.checking ? (
          <Box color="text-status-inactive">
            <Spinner /> Checking the plan…
          </Box>
        ) : errors > 0 ? (
          <StatusIndicator type="error">{`${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}: the plan cannot be saved yet`}</StatusIndicator>
        ) : warnings > 0 ? (
          <StatusIndicator type="warning">{`No errors, ${warnings} warning${warnings === 1 ? '' : 's'}: the plan can be saved`}</StatusIndicator>
        ) : props.error ? null : (
          <StatusIndicator type="success">No problems: the plan can be saved</StatusIndicator>
        )}
      </div>
      <ErrorAlert error={props.error} onRetry={props.onRetry} />
      {findings.length > 0 && (
        <ul aria-label="Validation findings" data-testid="validation-findings" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {findings.map((finding, index) => (
            <li key={`${finding.code}:${finding.field}:${index}`} style={{ padding: '6px 0', borderBottom: '1px solid rgba(128, 128, 128, 0.3)' }}>
              <SpaceBetween size="xxs">
                <StatusIndicator type={INDICATOR[finding.severity]}>
                  <Link
                    variant="primary"
                    onFollow={(event) => {
                      event.preventDefault();
                      props.onSelect(finding);
                    }}
                    href="#"
                    ariaLabel={`${finding.severity.toLowerCase()} at ${whereLabel(finding.field, props.waveNames)}: ${finding.message}`}
                  >
                    {whereLabel(finding.field, props.waveNames)}
                  </Link>
                </StatusIndicator>
                <Box variant="small">{`${finding.message} (${finding.code})`}</Box>
              </SpaceBetween>
            </li>
          ))}
        </ul>
      )}
    </SpaceBetween>
  );
}
