/** Settings: accounts and regions, notification channels, users and roles (the tab is in the URL: ?tab=). */
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import Tabs from '@cloudscape-design/components/tabs';
import { Page } from '../../layout/page.js';
import { AccountsTab } from './AccountsTab.js';
import { NotificationsTab } from './NotificationsTab.js';
import { UsersTab } from './UsersTab.js';

const TAB_IDS = ['accounts', 'notifications', 'users'] as const;

export default function SettingsPage(): ReactNode {
  const [params, setParams] = useSearchParams();
  const requested = params.get('tab');
  const activeTabId = TAB_IDS.find((id) => id === requested) ?? 'accounts';
  return (
    <Page
      title="Settings"
      description="Where Lifeboat looks for source servers, where it sends messages, and who may do what"
      breadcrumbs={[
        { text: 'Lifeboat', href: '/' },
        { text: 'Settings', href: '/settings' },
      ]}
    >
      <Tabs
        activeTabId={activeTabId}
        onChange={({ detail }) => setParams({ tab: detail.activeTabId }, { replace: true })}
        ariaLabel="Settings"
        tabs={[
          { id: 'accounts', label: 'Accounts and regions', content: <AccountsTab /> },
          { id: 'notifications', label: 'Notification channels', content: <NotificationsTab /> },
          { id: 'users', label: 'Users and roles', content: <UsersTab /> },
        ]}
      />
    </Page>
  );
}
