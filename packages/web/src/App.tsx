/** The console: session first (sign-in until there is one), then the shell and its pages. */
import type { ReactNode } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { SessionProvider } from './auth/session.js';
import { BreadcrumbsProvider } from './layout/breadcrumbs.js';
import { NotificationsProvider } from './layout/notifications.js';
import { Shell } from './layout/Shell.js';
import { NotFoundPage } from './layout/NotFoundPage.js';
import { ROUTES } from './routes.js';

export function App(): ReactNode {
  return (
    <BrowserRouter>
      <NotificationsProvider>
        <SessionProvider>
          <BreadcrumbsProvider>
            <Routes>
              <Route element={<Shell />}>
                {ROUTES.map(({ path, Component }) => (
                  <Route key={path} path={path} element={<Component />} />
                ))}
                <Route path="*" element={<NotFoundPage />} />
              </Route>
            </Routes>
          </BreadcrumbsProvider>
        </SessionProvider>
      </NotificationsProvider>
    </BrowserRouter>
  );
}
