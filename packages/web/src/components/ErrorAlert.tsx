/** An API error as an Alert: a header per code, the message, every field problem, and Retry when it may help. */
import type { JSX } from 'react';
import Alert from '@cloudscape-design/components/alert';
import Button from '@cloudscape-design/components/button';
import type { ConsoleError } from '../api/client.js';

const HEADERS: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended',
  FORBIDDEN: 'Not allowed',
  BAD_USER_INPUT: 'Check the input',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Changed meanwhile',
  QUOTA_EXCEEDED: 'Quota exceeded',
  NETWORK: 'Lifeboat cannot be reached',
  INTERNAL: 'Something went wrong',
};

export function errorHeader(code: string): string {
  return HEADERS[code] ?? 'Something went wrong';
}

export function ErrorAlert(props: { error: ConsoleError | undefined; onRetry?: () => void }): JSX.Element | null {
  const { error, onRetry } = props;
  if (!error) return null;
  const problems = error.problems ?? [];
  return (
    <Alert
      type="error"
      header={errorHeader(error.code)}
      action={onRetry ? <Button onClick={onRetry}>Retry</Button> : undefined}
      data-testid="error-alert"
    >
      {error.message}
      {problems.length > 0 && (
        <ul aria-label="Problems">
          {problems.map((problem) => (
            <li key={`${problem.field}:${problem.message}`}>
              {problem.field ? <code>{problem.field}</code> : null}
              {problem.field ? ': ' : null}
              {problem.message}
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}
