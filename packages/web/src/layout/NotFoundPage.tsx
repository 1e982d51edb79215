import type { ReactNode } from 'react';
import Box from '@cloudscape-design/components/box';
import Link from '@cloudscape-design/components/link';
import { Page } from './page.js';
import { useFollow } from './links.js';

export function NotFoundPage(): ReactNode {
  const follow = useFollow();
  return (
    <Page title="Page not found" breadcrumbs={[{ text: 'Lifeboat', href: '/' }]}>
      <Box>
        Nothing lives at this address.{' '}
        <Link href="/" onFollow={follow}>
          Go to the dashboard
        </Link>
        .
      </Box>
    </Page>
  );
}
