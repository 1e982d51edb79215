/**
 * Signing in and roles in the console: a wrong password is refused with a message, the Admin
 * signs in to the dashboard and creates a Viewer in Settings, and the Viewer, once signed in, is
 * shown none of what a Viewer may not do (and the gateway refuses it anyway).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { graphql, login } from '../support/local-stack-process.js';
import { ADMIN_PASSWORD, openBrowser, screenshot, signIn, signOut, startConsoleStack } from './support/console.js';
import type { RunningStack } from './support/console.js';

jest.setTimeout(90_000);

const VIEWER = 'viewer-e2e';
const VIEWER_PASSWORD = 'viewer-e2e-password';

/** Whether a page of W2/W3 is still the placeholder (then its assertions are skipped). */
async function isPlaceholder(page: Page): Promise<boolean> {
  await page.getByRole('heading', { level: 1 }).or(page.getByText('Not built yet')).first().waitFor();
  return (await page.getByText('Not built yet').count()) > 0;
}

describe('signing in and roles', () => {
  let stack: RunningStack;
  let url: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ url, stack } = await startConsoleStack());
    browser = await openBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('refuses a wrong password with a message', async () => {
    await page.goto(url);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Invalid username or password', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'User menu of admin' }).count()).toBe(0);
    await screenshot(page, 'login-and-roles-01-sign-in-refused');
  });

  it('signs the Admin in to the dashboard', async () => {
    await signIn(page, url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByTestId('readiness').getByText('In no protection group', { exact: true }).waitFor();
    // An Admin approves: the inbox of pending approvals is shown.
    await page.getByTestId('pending-approvals').waitFor();
    await screenshot(page, 'login-and-roles-02-dashboard-admin');
  });

  it('lets the Admin create a Viewer in Settings', async () => {
    await page.getByRole('link', { name: 'Settings', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByTestId('target-accounts').getByText('123456789012').waitFor();
    await screenshot(page, 'login-and-roles-03-settings-accounts');

    // Bad input is refused by the catalog and shown at each field; nothing is added.
    await page.getByRole('button', { name: 'Add account' }).click();
    const addAccount = page.getByRole('dialog', { name: 'Add account' });
    await addAccount.getByLabel('Account id').fill('12345');
    await addAccount.getByLabel('Regions').fill('us-east-1, mars-1');
    await addAccount.getByRole('button', { name: 'Add account' }).click();
    await addAccount.getByText('must be a 12-digit AWS account id').waitFor();
    await screenshot(page, 'login-and-roles-03b-add-account-refused');
    await addAccount.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByTestId('target-accounts').locator('tbody tr').count()).toBe(1);

    // A notification channel: created, tested, deleted.
    await page.getByRole('tab', { name: 'Notification channels' }).click();
    await page.getByRole('button', { name: 'Create channel' }).click();
    const createChannel = page.getByRole('dialog', { name: 'Create notification channel' });
    await createChannel.getByLabel('Name').fill('DR team hook');
    await createChannel.getByRole('button', { name: /Type/ }).click();
    await page.getByRole('option', { name: /Signed webhook/ }).click();
    await createChannel.getByLabel('Webhook URL').fill('http://localhost:9/lifeboat');
    await createChannel.getByLabel('Signing secret').fill('a-secret-of-24-characters');
    await createChannel.getByRole('button', { name: 'Create channel' }).click();
    await createChannel.waitFor({ state: 'detached' });
    await page.getByRole('radio', { name: 'Select channel DR team hook' }).check();
    await page.getByRole('button', { name: 'Send test message' }).click();
    await page.getByText('Test message queued to DR team hook').waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete channel DR team hook' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Channel DR team hook deleted.').waitFor();

    await page.getByRole('tab', { name: 'Users and roles' }).click();
    await page.getByTestId('user-accounts').getByText('admin', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Create user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create user' });
    await dialog.getByLabel('User name').fill(VIEWER);
    await dialog.getByLabel('Initial password').fill('short');
    await dialog.getByRole('button', { name: 'Create user' }).click();
    // The gateway's validation is shown at the field, and nothing is created.
    await dialog.getByText(/12/).first().waitFor();
    await dialog.getByLabel('Initial password').fill(VIEWER_PASSWORD);
    await dialog.getByRole('button', { name: 'Create user' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByTestId('user-accounts').getByRole('row', { name: new RegExp(VIEWER) });
    await row.waitFor();
    expect(await row.innerText()).toContain('Viewer');
    await screenshot(page, 'login-and-roles-04-settings-users');
    await signOut(page, 'admin');
  });

  it('shows the Viewer nothing a Viewer may not do', async () => {
    await signIn(page, url, VIEWER, VIEWER_PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByTestId('readiness').getByText('In no protection group', { exact: true }).waitFor();
    expect(await page.getByTestId('pending-approvals').count()).toBe(0);
    await screenshot(page, 'login-and-roles-05-dashboard-viewer');

    await page.goto(`${url}/settings`);
    await page.getByTestId('target-accounts').getByText('123456789012').waitFor();
    expect(await page.getByRole('button', { name: 'Add account' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Sync/ }).count()).toBe(0);
    await page.getByText('Only an Admin can add, change or remove accounts.').waitFor();
    await page.getByRole('tab', { name: 'Users and roles' }).click();
    await page.getByText('Only an Admin can create users and change their roles.').waitFor();
    expect(await page.getByRole('button', { name: 'Create user' }).count()).toBe(0);
    expect(await page.getByTestId('user-accounts').count()).toBe(0);
    await page.getByRole('button', { name: 'Change password' }).waitFor();
    await screenshot(page, 'login-and-roles-06-settings-viewer');

    await page.goto(`${url}/protection-groups`);
    if (!(await isPlaceholder(page))) {
      await page.getByRole('link', { name: 'Database' }).first().waitFor();
      expect(await page.getByRole('button', { name: 'Create protection group' }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Create protection group' }).count()).toBe(0);
    }

    await page.goto(`${url}/plans`);
    if (!(await isPlaceholder(page))) {
      await page.getByRole('link', { name: 'Orders 3-tier' }).first().click();
      await page.getByRole('heading', { level: 1, name: 'Orders 3-tier' }).waitFor();
      expect(await page.getByRole('button', { name: 'Execute' }).count()).toBe(0);
      expect(await page.getByTestId('execute-plan').count()).toBe(0);
      await screenshot(page, 'login-and-roles-07-plan-viewer');
    }

    // Hidden is a courtesy: the gateway refuses the Viewer anyway.
    const token = await login(url, VIEWER, VIEWER_PASSWORD);
    const refused = await graphql(url, token, 'mutation { addTargetAccount(input: { accountId: "111122223333", regions: ["us-east-1"], roleArn: "arn:aws:iam::111122223333:role/x" }) { accountId } }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const users = await graphql(url, token, '{ users { username } }');
    expect(users.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('sends a user whose token the gateway refuses back to sign in', async () => {
    // given a session whose token is not one the identity provider signed (as after a key change)
    await page.evaluate(`sessionStorage.setItem('lifeboat.session', JSON.stringify({ idToken: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', expiresAt: Date.now() + 3600000, username: '${VIEWER}', roles: ['Admin'] }))`);
    // when the console asks the gateway anything
    await page.goto(`${url}/servers`);
    // then it is back at the sign-in page, saying why
    await page.getByText('Your session has ended: sign in again.').waitFor();
    await page.getByLabel('User name').waitFor();
    expect(await page.evaluate(`sessionStorage.getItem('lifeboat.session')`)).toBeNull();
  });
});

