/** Every page's frame: a Cloudscape ContentLayout with an h1 Header; breadcrumbs go to the shell. */
import { useEffect } from 'react';
import type { JSX, ReactNode } from 'react';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import { usePublishCrumbs } from './breadcrumbs.js';

/** `<page> - Lifeboat` in the browser's tab and history. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} - Lifeboat`;
  }, [title]);
}

export function Page(props: { title: string; description?: string; actions?: ReactNode; breadcrumbs: { text: string; href: string }[]; children: ReactNode }): JSX.Element {
  usePublishCrumbs(props.breadcrumbs);
  useDocumentTitle(props.title);
  return (
    <ContentLayout
      header={
        <Header variant="h1" description={props.description} actions={props.actions}>
          {props.title}
        </Header>
      }
    >
      {props.children}
    </ContentLayout>
  );
}
