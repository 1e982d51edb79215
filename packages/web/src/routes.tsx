/** The console's pages by path. Pages load on first visit (each its own chunk), so the first paint stays small. */
import { lazy } from 'react';
import type { ComponentType, LazyExoticComponent } from 'react';

export interface ConsoleRoute {
  path: string;
  Component: LazyExoticComponent<ComponentType>;
}

const DashboardPage = lazy(() => import('./pages/dashboard/DashboardPage.js'));
const SourceServersPage = lazy(() => import('./pages/servers/SourceServersPage.js'));
const SettingsPage = lazy(() => import('./pages/settings/SettingsPage.js'));
const ProtectionGroupsPage = lazy(() => import('./pages/protection-groups/ProtectionGroupsPage.js'));
const ProtectionGroupEditorPage = lazy(() => import('./pages/protection-groups/ProtectionGroupEditorPage.js'));
const ProtectionGroupDetailPage = lazy(() => import('./pages/protection-groups/ProtectionGroupDetailPage.js'));
const RecoveryPlansPage = lazy(() => import('./pages/plans/RecoveryPlansPage.js'));
const RecoveryPlanBuilderPage = lazy(() => import('./pages/plans/RecoveryPlanBuilderPage.js'));
const RecoveryPlanDetailPage = lazy(() => import('./pages/plans/RecoveryPlanDetailPage.js'));
const ExecutionHistoryPage = lazy(() => import('./pages/executions/ExecutionHistoryPage.js'));
const ExecutionPage = lazy(() => import('./pages/executions/ExecutionPage.js'));

export const ROUTES: ConsoleRoute[] = [
  { path: '/', Component: DashboardPage },
  { path: '/servers', Component: SourceServersPage },
  { path: '/settings', Component: SettingsPage },
  { path: '/protection-groups', Component: ProtectionGroupsPage },
  { path: '/protection-groups/new', Component: ProtectionGroupEditorPage },
  { path: '/protection-groups/:id/edit', Component: ProtectionGroupEditorPage },
  { path: '/protection-groups/:id', Component: ProtectionGroupDetailPage },
  { path: '/plans', Component: RecoveryPlansPage },
  { path: '/plans/new', Component: RecoveryPlanBuilderPage },
  { path: '/plans/:id/edit', Component: RecoveryPlanBuilderPage },
  { path: '/plans/:id', Component: RecoveryPlanDetailPage },
  { path: '/executions', Component: ExecutionHistoryPage },
  { path: '/executions/:id', Component: ExecutionPage },
];

/** The side navigation's sections; a page is under the section whose href is the longest prefix of its path. */
export const SECTIONS = [
  { text: 'Dashboard', href: '/' },
  { text: 'Source servers', href: '/servers' },
  { text: 'Protection groups', href: '/protection-groups' },
  { text: 'Recovery plans', href: '/plans' },
  { text: 'Executions', href: '/executions' },
  { text: 'Settings', href: '/settings' },
] as const;

export function sectionOf(pathname: string): string {
  let best = '/';
  for (const section of SECTIONS) {
    if (section.href !== '/' && (pathname === section.href || pathname.startsWith(`${section.href}/`)) && section.href.length > best.length) best = section.href;
  }
  return best;
}
