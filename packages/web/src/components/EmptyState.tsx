/** What a table or list shows when it has nothing: a title, a sentence, and maybe an action. */
import type { JSX, ReactNode } from 'react';
import Box from '@cloudscape-design/components/box';
import SpaceBetween from '@cloudscape-design/components/space-between';

export function EmptyState(props: { title: string; subtitle?: string; action?: ReactNode }): JSX.Element {
  return (
    <Box textAlign="center" color="inherit" padding={{ vertical: 's' }}>
      <SpaceBetween size="xxs">
        <Box variant="strong" color="inherit">
          {props.title}
        </Box>
        {props.subtitle && (
          <Box variant="p" color="inherit">
            {props.subtitle}
          </Box>
        )}
        {props.action}
      </SpaceBetween>
    </Box>
  );
}
