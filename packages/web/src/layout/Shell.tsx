/**
 * The AWS-console frame around every page: top navigation (product, dark mode, user menu), side
 * navigation, breadcrumbs, flash notifications, and the page in AppLayout's content.
 */
import { Suspense, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { Outlet, useLocation } from 'react-router';
import AppLayout from '@cloudscape-design/components/app-layout';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import type { SideNavigationProps } from '@cloudscape-design/components/side-navigation';
import TopNavigation from '@cloudscape-design/components/top-navigation';
import Box from '@cloudscape-design/components/box';
import Spinner from '@cloudscape-design/components/spinner';
import { useSession } from '../auth/session.js';
import { SECTIONS, sectionOf } from '../routes.js';
import { useCrumbs } from './breadcrumbs.js';
import { useFollow } from './links.js';
import { Notifications } from './notifications.js';
import { useColorMode } from './theme.js';

const NAVIGATION_ITEMS: SideNavigationProps.Item[] = [
  ...SECTIONS.filter((s) => s.href !== '/settings').map((s): SideNavigationProps.Item => ({ type: 'link', text: s.text, href: s.href })),
  { type: 'divider' },
  { type: 'link', text: 'Settings', href: '/settings' },
];

function isWideScreen(): boolean {
  return window.matchMedia?.('(min-width: 1100px)').matches ?? true;
}

/** When the user last pressed a key or a pointer anywhere (capture phase, before any handler). */
function useLastUserInput(): { current: number } {
  const last = useRef(0);
  useEffect(() => {
    const record = () => {
      last.current = Date.now();
    };
    document.addEventListener('pointerdown', record, true);
    document.addEventListener('keydown', record, true);
    return () => {
      document.removeEventListener('pointerdown', record, true);
      document.removeEventListener('keydown', record, true);
    };
  }, []);
  return last;
}

export function PageLoading(): ReactNode {
  return (
    <Box textAlign="center" padding="xxl">
      <Spinner size="large" /> Loading…
    </Box>
  );
}

export function Shell(): ReactNode {
  const session = useSession();
  const follow = useFollow();
  const location = useLocation();
  const crumbs = useCrumbs();
  const colorMode = useColorMode();
  // Open on wide screens, closed on tablets and phones, where it would cover the page.
  const [navigationOpen, setNavigationOpen] = useState(isWideScreen);
  const lastUserInput = useLastUserInput();
  const onNavigationChange = (open: boolean) => {
    // AppLayout may close the navigation by itself while it has not measured its width yet (it
    // then thinks there is no room); on a wide screen only the user closes it.
    if (!open && isWideScreen() && Date.now() - lastUserInput.current > 1000) return;
    setNavigationOpen(open);
  };

  return (
    <>
      <div id="top-nav" style={{ position: 'sticky', top: 0, zIndex: 1002 }}>
        <TopNavigation
          identity={{ href: '/', title: 'Lifeboat', onFollow: follow }}
          utilities={[
            {
              type: 'button',
              text: colorMode.dark ? 'Light mode' : 'Dark mode',
              ariaLabel: colorMode.dark ? 'Switch to light mode' : 'Switch to dark mode',
              onClick: colorMode.toggle,
            },
            {
              type: 'menu-dropdown',
              text: session.username,
              description: session.roles.length > 0 ? `Roles: ${session.roles.join(', ')}` : 'No roles',
              iconName: 'user-profile',
              ariaLabel: `User menu of ${session.username}`,
              items: [
                { id: 'settings', text: 'Settings', href: '/settings' },
                { id: 'sign-out', text: 'Sign out' },
              ],
              onItemClick: ({ detail }) => {
                if (detail.id === 'sign-out') session.signOut();
              },
              onItemFollow: (event) => follow(event),
            },
          ]}
          i18nStrings={{ overflowMenuTriggerText: 'More', overflowMenuTitleText: 'All', searchIconAriaLabel: 'Search', searchDismissIconAriaLabel: 'Close search' }}
        />
      </div>
      <AppLayout
        headerSelector="#top-nav"
        navigationOpen={navigationOpen}
        onNavigationChange={({ detail }) => onNavigationChange(detail.open)}
        navigation={
          <SideNavigation header={{ text: 'Lifeboat', href: '/' }} activeHref={sectionOf(location.pathname)} items={NAVIGATION_ITEMS} onFollow={follow} />
        }
        breadcrumbs={crumbs.length > 0 ? <BreadcrumbGroup items={crumbs} onFollow={follow} ariaLabel="Breadcrumbs" /> : undefined}
        notifications={<Notifications />}
        toolsHide
        ariaLabels={{ navigation: 'Side navigation', navigationClose: 'Close side navigation', navigationToggle: 'Open side navigation', notifications: 'Notifications' }}
        content={
          <Suspense fallback={<PageLoading />}>
            <Outlet />
          </Suspense>
        }
      />
    </>
  );
}
