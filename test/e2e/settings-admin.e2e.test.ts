/**
 * What an Admin changes in Settings, driven in Chromium against the local stack: an existing target
 * account gets another region and another role (seen in the table, kept after a reload, used by the
 * next sync), the demo plan is subscribed to a notification channel and unsubscribed again, and a
 * Viewer is promoted to Operator with a new password, signs in with it and may start a drill, and
 * once deleted can no longer sign in. Each change is also read back from the GraphQL API.
 *
 * The stack runs over the demo fleet plus a second account (LIFEBOAT_DRS_FLEET) whose roles the
 * account Lifeboat runs in may assume, with DRS initialized in us-east-1 and us-west-2 only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { demoFleet } from '@lifeboat/drs-simulator';
import type { Fleet } from '@lifeboat/drs-simulator';
import type { Browser, Locator, Page } from 'playwright-core';
import { eventually, graphql, login } from '../support/local-stack-process.js';
import { HOME_ACCOUNT_ID, writeFleetFile } from '../support/scenario-fleet.js';
import { ADMIN_PASSWORD, openBrowser, screenshot, signIn, startConsoleStack } from './support/console.js';
import type { RunningStack } from './support/console.js';

jest.setTimeout(120_000);

const DEMO_PLAN = 'Orders 3-tier';
const PARTNER_ACCOUNT = '210987654321';
const FIRST_ROLE = `arn:aws:iam::${PARTNER_ACCOUNT}:role/LifeboatDrsAccess`;
const SECOND_ROLE = `arn:aws:iam::${PARTNER_ACCOUNT}:role/LifeboatCatalog`;
const DR_TEAM_CHANNEL = 'DR team e-mail';
const ON_CALL_CHANNEL = 'Ops on-call e-mail';
const PROMOTED = 'promoted-e2e';
const INITIAL_PASSWORD = 'initial-e2e-password';
const NEW_PASSWORD = 'reset-by-admin-e2e-password';

/** The demo fleet, and a partner account with two assumable roles and servers in two regions. */
function fleetWithPartnerAccount(): Fleet {
  const demo = demoFleet();
  const trusted = [HOME_ACCOUNT_ID];
  return {
    accounts: [
      ...demo.accounts,
      {
        accountId: PARTNER_ACCOUNT,
        regions: ['us-east-1', 'us-west-2'],
        roles: [
          { roleName: 'LifeboatDrsAccess', trustedAccountIds: trusted },
          { roleName: 'LifeboatCatalog', trustedAccountIds: trusted },
        ],
      },
    ],
    servers: [
      ...demo.servers,
      { hostname: 'partner-app-1', os: 'LINUX', accountId: PARTNER_ACCOUNT, region: 'us-east-1', tags: { App: 'Partner', Tier: 'App' } },
      { hostname: 'partner-db-west-1', os: 'LINUX', accountId: PARTNER_ACCOUNT, region: 'us-west-2', tags: { App: 'Partner', Tier: 'Database' } },
    ],
  };
}

let stack: RunningStack | undefined;
let fleetDir = '';
let url = '';
let adminToken = '';
let browser: Browser | undefined;
let page: Page;
let planId = '';
const channelIds: Record<string, string> = {};

/** A GraphQL call that must succeed (as the Admin unless told otherwise). */
async function ok<T>(query: string, variables: Record<string, unknown> = {}, token = adminToken): Promise<T> {
  const result = await graphql<T>(url, token, query, variables);
  if (result.errors || !result.data) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** Waits until a control is enabled (its data may still be loading). */
async function enabled(control: Locator, what: string): Promise<void> {
  await eventually(async () => ((await control.isEnabled()) ? true : undefined), 15_000, `${what} enabled`);
}

/** Tries to sign in through the console in a browser context of its own (no session shared with the Admin's page). */
async function inFreshContext<T>(use: (fresh: Page) => Promise<T>): Promise<T> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const fresh = await context.newPage();
    fresh.setDefaultTimeout(20_000);
    return await use(fresh);
  } finally {
    await context.close();
  }
}

beforeAll(async () => {
  fleetDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-e2e-settings-'));
  const fleetFile = writeFleetFile(fleetDir, fleetWithPartnerAccount());
  ({ url, stack } = await startConsoleStack({ env: { LIFEBOAT_DRS_FLEET: fleetFile } }));
  adminToken = await login(url, 'admin', ADMIN_PASSWORD);

  // given what the flows change: a partner account, two channels and a Viewer, added through the API
  await ok(`mutation($input: AddTargetAccountInput!) { addTargetAccount(input: $input) { accountId } }`, { input: { accountId: PARTNER_ACCOUNT, regions: ['us-east-1'], roleArn: FIRST_ROLE } });
  for (const [name, address] of [
    [DR_TEAM_CHANNEL, 'dr-team@example.com'],
    [ON_CALL_CHANNEL, 'ops-on-call@example.com'],
  ] as const) {
    const created = await ok<{ createNotificationChannel: { id: string } }>(`mutation($input: CreateNotificationChannelInput!) { createNotificationChannel(input: $input) { id } }`, { input: { name, type: 'EMAIL', address } });
    channelIds[name] = created.createNotificationChannel.id;
  }
  await ok(`mutation($input: CreateUserInput!) { createUser(input: $input) { username } }`, { input: { username: PROMOTED, password: INITIAL_PASSWORD, roles: ['Viewer'] } });
  const plans = await ok<{ recoveryPlans: { items: { id: string; name: string }[] } }>(`query($search: String) { recoveryPlans(filter: { search: $search }) { items { id name } } }`, { search: DEMO_PLAN });
  planId = plans.recoveryPlans.items.find((p) => p.name === DEMO_PLAN)?.id ?? '';
  if (!planId) throw new Error(`the demo plan ${DEMO_PLAN} is missing`);

  browser = await openBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(20_000);
  await signIn(page, url, 'admin', ADMIN_PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (fleetDir) fs.rmSync(fleetDir, { recursive: true, force: true });
});

describe('Settings: accounts and regions', () => {
  it('edits an existing account: the table shows the new region and role, a reload keeps them, and a sync uses them', async () => {
    // given the partner account, listed with its one region and first role
    await page.goto(`${url}/settings?tab=accounts`);
    const accounts = page.getByTestId('target-accounts');
    const partnerRow = accounts.getByRole('row', { name: new RegExp(PARTNER_ACCOUNT) });
    await partnerRow.getByText(FIRST_ROLE).waitFor();
    expect(await partnerRow.innerText()).not.toContain('us-west-2');
    await screenshot(page, 'settings-admin-01-accounts-before');

    // when the Admin asks for a region where DRS is not initialized, the catalog refuses it at that region and nothing changes
    await page.getByRole('radio', { name: `Select account ${PARTNER_ACCOUNT}` }).check();
    await accounts.getByRole('button', { name: 'Edit', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Edit account ${PARTNER_ACCOUNT}` });
    expect(await dialog.getByLabel('Account id').isDisabled()).toBe(true);
    await dialog.getByLabel('Regions').fill('us-east-1, eu-west-1');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.getByText('DRS is not initialized in eu-west-1').waitFor();
    await screenshot(page, 'settings-admin-02-edit-account-refused');
    const unchanged = await ok<{ targetAccounts: { accountId: string; regions: string[]; roleArn: string | null }[] }>(`{ targetAccounts { accountId regions roleArn } }`);
    expect(unchanged.targetAccounts.find((a) => a.accountId === PARTNER_ACCOUNT)).toEqual({ accountId: PARTNER_ACCOUNT, regions: ['us-east-1'], roleArn: FIRST_ROLE });

    // when the Admin adds us-west-2 and switches to the second role
    await dialog.getByLabel('Regions').fill('us-east-1, us-west-2');
    await dialog.getByLabel('Role ARN').fill(SECOND_ROLE);
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });

    // then the table shows them
    await page.getByText(`Account ${PARTNER_ACCOUNT} saved.`).waitFor();
    await partnerRow.getByText(SECOND_ROLE).waitFor();
    await partnerRow.getByText('us-west-2').waitFor();
    expect(await partnerRow.innerText()).toContain('by admin');
    await screenshot(page, 'settings-admin-03-account-edited');

    // and a reload reads them back from the catalog
    await page.reload();
    await partnerRow.getByText(SECOND_ROLE).waitFor();
    await partnerRow.getByText('us-west-2').waitFor();
    expect(await partnerRow.innerText()).not.toContain(FIRST_ROLE);
    const saved = await ok<{ targetAccounts: { accountId: string; regions: string[]; roleArn: string | null; isDefault: boolean; updatedBy: string | null }[] }>(`{ targetAccounts { accountId regions roleArn isDefault updatedBy } }`);
    expect(saved.targetAccounts.find((a) => a.accountId === PARTNER_ACCOUNT)).toEqual({ accountId: PARTNER_ACCOUNT, regions: ['us-east-1', 'us-west-2'], roleArn: SECOND_ROLE, isDefault: false, updatedBy: 'admin' });

    // when the Admin syncs the account, the catalog assumes the new role in both regions and finds the server in us-west-2
    await page.getByRole('radio', { name: `Select account ${PARTNER_ACCOUNT}` }).check();
    await accounts.getByRole('button', { name: 'Sync account now' }).click();
    await page.getByText(`Synced account ${PARTNER_ACCOUNT}`).waitFor();
    await partnerRow.getByText('1 servers').first().waitFor();
    await screenshot(page, 'settings-admin-04-account-synced');
    const inventory = await ok<{ sourceServers: { items: { hostname: string; accountId: string; region: string }[] } }>(`{ sourceServers(first: 1000) { items { hostname accountId region } } }`);
    expect(inventory.sourceServers.items.filter((s) => s.accountId === PARTNER_ACCOUNT).map((s) => `${s.region}/${s.hostname}`).sort()).toEqual(['us-east-1/partner-app-1', 'us-west-2/partner-db-west-1']);
  });
});

describe('Settings: the account Lifeboat runs in', () => {
  it('is edited like any other: its first edit stores it, listed by default until then', async () => {
    // given the home account, listed by default and never stored
    const before = await ok<{ targetAccounts: { accountId: string; regions: string[]; isDefault: boolean; updatedBy: string | null }[] }>(`{ targetAccounts { accountId regions isDefault updatedBy } }`);
    const home = before.targetAccounts.find((a) => a.accountId === HOME_ACCOUNT_ID);
    expect(home).toMatchObject({ isDefault: true, updatedBy: null });
    await page.goto(`${url}/settings?tab=accounts`);
    const accounts = page.getByTestId('target-accounts');

    // when the Admin edits it and saves its regions
    await page.getByRole('radio', { name: `Select account ${HOME_ACCOUNT_ID}` }).check();
    await accounts.getByRole('button', { name: 'Edit', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Edit account ${HOME_ACCOUNT_ID}` });
    await dialog.getByLabel('Regions').fill((home?.regions ?? []).join(', '));
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'detached' });

    // then it is saved, by the Admin: configured now, no longer listed by default
    await page.getByText(`Account ${HOME_ACCOUNT_ID} saved.`).waitFor();
    const after = await ok<{ targetAccounts: { accountId: string; regions: string[]; isDefault: boolean; updatedBy: string | null }[] }>(`{ targetAccounts { accountId regions isDefault updatedBy } }`);
    expect(after.targetAccounts.find((a) => a.accountId === HOME_ACCOUNT_ID)).toEqual({ accountId: HOME_ACCOUNT_ID, regions: home?.regions, isDefault: false, updatedBy: 'admin' });
    await screenshot(page, 'settings-admin-14-home-account-saved');
  });
});

describe('Settings: notification subscriptions of a plan', () => {
  it('subscribes the demo plan to a channel for some events, lists it (also after a reload), and unsubscribes it', async () => {
    // given the demo plan, which no channel gets messages of
    await page.goto(`${url}/settings?tab=notifications`);
    const subscriptions = page.getByTestId('notification-subscriptions');
    await subscriptions.getByText(DEMO_PLAN).waitFor();
    await subscriptions.getByText('No channel gets this plan\u2019s events').waitFor();

    // when the Admin subscribes the on-call channel to failures and completions only
    await subscriptions.getByRole('button', { name: 'Subscribe a channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Plan subscription' });
    await dialog.getByRole('button', { name: /Channel/ }).click();
    await page.getByRole('option', { name: new RegExp(ON_CALL_CHANNEL) }).click();
    await dialog.getByRole('button', { name: /Events/ }).click();
    for (const kind of ['Started', 'Wave completed', 'Approval requested', 'Drill clean-up']) await dialog.getByRole('option', { name: kind, exact: true }).click();
    await dialog.getByRole('heading', { name: 'Plan subscription' }).click();
    await screenshot(page, 'settings-admin-05-subscribe-dialog');
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    // then it is listed with those events, and the notification service holds exactly that
    await page.getByText(`${ON_CALL_CHANNEL} subscribed.`).waitFor();
    const row = subscriptions.getByRole('row', { name: new RegExp(ON_CALL_CHANNEL) });
    await row.getByText('Failed, Completed').waitFor();
    await screenshot(page, 'settings-admin-06-subscription-listed');
    const stored = await ok<{ notificationSubscriptions: { planId: string; channelId: string; events: string[] }[] }>(`query($planId: ID) { notificationSubscriptions(planId: $planId) { planId channelId events } }`, { planId });
    expect(stored.notificationSubscriptions).toEqual([{ planId, channelId: channelIds[ON_CALL_CHANNEL], events: ['FAILED', 'COMPLETED'] }]);

    // and a reload lists it again
    await page.reload();
    await row.getByText('Failed, Completed').waitFor();
    expect(await subscriptions.getByRole('row', { name: new RegExp(DR_TEAM_CHANNEL) }).count()).toBe(0);

    // when the Admin unsubscribes it
    await subscriptions.getByRole('button', { name: `Unsubscribe ${ON_CALL_CHANNEL}` }).click();

    // then the plan has no subscription left, on the page and on the server
    await subscriptions.getByText('No channel gets this plan\u2019s events').waitFor();
    expect(await row.count()).toBe(0);
    await screenshot(page, 'settings-admin-07-subscription-removed');
    const left = await ok<{ notificationSubscriptions: unknown[] }>(`query($planId: ID) { notificationSubscriptions(planId: $planId) { planId channelId } }`, { planId });
    expect(left.notificationSubscriptions).toEqual([]);
  });
});

describe('Settings: users and roles', () => {
  it('promotes a Viewer to Operator with a new password: signed in with it, the user may start a drill', async () => {
    // given the Viewer, who is offered no Execute on the demo plan
    await inFreshContext(async (viewer) => {
      await signIn(viewer, url, PROMOTED, INITIAL_PASSWORD);
      await viewer.goto(`${url}/plans/${planId}`);
      await viewer.getByRole('heading', { level: 1, name: DEMO_PLAN }).waitFor();
      expect(await viewer.getByTestId('execute-plan').count()).toBe(0);
      await screenshot(viewer, 'settings-admin-08-plan-as-viewer');
    });

    // when the Admin makes the user an Operator (instead of a Viewer)
    await page.goto(`${url}/settings?tab=users`);
    const users = page.getByTestId('user-accounts');
    const userRow = users.getByRole('row', { name: new RegExp(PROMOTED) });
    await userRow.getByText('Viewer').waitFor();
    await page.getByRole('radio', { name: `Select user ${PROMOTED}` }).check();
    await users.getByRole('button', { name: 'Change roles' }).click();
    const rolesDialog = page.getByRole('dialog', { name: `Change the roles of ${PROMOTED}` });
    await rolesDialog.getByRole('button', { name: 'Remove role Viewer' }).click();
    await rolesDialog.getByRole('button', { name: /Roles/ }).click();
    await rolesDialog.getByRole('option', { name: /^Operator/ }).click();
    await rolesDialog.getByRole('heading', { name: `Change the roles of ${PROMOTED}` }).click();
    await screenshot(page, 'settings-admin-09-change-roles');
    await rolesDialog.getByRole('button', { name: 'Save roles' }).click();
    await rolesDialog.waitFor({ state: 'detached' });
    await page.getByText(`Roles of ${PROMOTED} saved; they apply from the next sign-in.`).waitFor();
    await eventually(async () => ((await userRow.innerText()).includes('Operator') ? true : undefined), 10_000, 'the row showing Operator');
    expect(await userRow.innerText()).not.toContain('Viewer');

    // and resets the password (a short one is refused at the field first)
    await users.getByRole('button', { name: 'Reset password' }).click();
    const passwordDialog = page.getByRole('dialog', { name: `Reset the password of ${PROMOTED}` });
    await passwordDialog.getByLabel('New password').fill('short');
    await passwordDialog.getByRole('button', { name: 'Reset password' }).click();
    await passwordDialog.getByText(/12/).first().waitFor();
    await passwordDialog.getByLabel('New password').fill(NEW_PASSWORD);
    await passwordDialog.getByRole('button', { name: 'Reset password' }).click();
    await passwordDialog.waitFor({ state: 'detached' });
    await page.getByText(`Password of ${PROMOTED} reset.`).waitFor();
    await screenshot(page, 'settings-admin-10-roles-and-password-changed');

    // then the directory holds the new role, the old password is refused and the new one is taken
    const directory = await ok<{ users: { username: string; roles: string[] }[] }>(`{ users { username roles } }`);
    expect(directory.users.find((u) => u.username === PROMOTED)?.roles).toEqual(['Operator']);
    await expect(login(url, PROMOTED, INITIAL_PASSWORD)).rejects.toThrow(/login failed/);
    const operatorToken = await login(url, PROMOTED, NEW_PASSWORD);
    expect((await ok<{ me: { username: string; roles: string[] } }>(`{ me { username roles } }`, {}, operatorToken)).me).toEqual({ username: PROMOTED, roles: ['Operator'] });

    // and, signed in afresh with the new password, the user is an Operator who may start a drill (not a recovery)
    await inFreshContext(async (operator) => {
      await operator.goto(url);
      await operator.getByLabel('User name').fill(PROMOTED);
      await operator.getByLabel('Password').fill(INITIAL_PASSWORD);
      await operator.getByRole('button', { name: 'Sign in' }).click();
      await operator.getByText('Invalid username or password', { exact: true }).waitFor();

      await signIn(operator, url, PROMOTED, NEW_PASSWORD);
      await operator.goto(`${url}/settings?tab=users`);
      await operator.getByText('Only an Admin can create users and change their roles.').waitFor();
      // "Your account" names the roles of the session's token
      await operator.getByText('Operator', { exact: true }).waitFor();

      await operator.goto(`${url}/plans/${planId}`);
      await operator.getByRole('heading', { level: 1, name: DEMO_PLAN }).waitFor();
      const execute = operator.getByRole('button', { name: 'Execute', exact: true });
      expect(await execute.isEnabled()).toBe(true);
      await execute.click();
      const dialog = operator.getByRole('dialog', { name: `Execute ${DEMO_PLAN}` });
      await dialog.getByText('Latest (version 1)').waitFor();
      await enabled(dialog.getByRole('button', { name: 'Start drill' }), 'Start drill');
      expect(await dialog.getByText('Recovery', { exact: true }).count()).toBe(0);
      await screenshot(operator, 'settings-admin-11-execute-as-operator');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
    });
  });

  it('deletes the user, who then cannot sign in', async () => {
    // given the promoted user in the table
    await page.goto(`${url}/settings?tab=users`);
    const users = page.getByTestId('user-accounts');
    await users.getByRole('row', { name: new RegExp(PROMOTED) }).waitFor();

    // when the Admin deletes them
    await page.getByRole('radio', { name: `Select user ${PROMOTED}` }).check();
    await users.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Delete user ${PROMOTED}` });
    await dialog.getByText(`${PROMOTED} will no longer be able to sign in.`).waitFor();
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    // then they leave the table and the directory
    await page.getByText(`User ${PROMOTED} deleted.`).waitFor();
    await users.getByRole('row', { name: new RegExp(PROMOTED) }).waitFor({ state: 'detached' });
    await screenshot(page, 'settings-admin-12-user-deleted');
    const directory = await ok<{ users: { username: string }[] }>(`{ users { username } }`);
    expect(directory.users.map((u) => u.username)).not.toContain(PROMOTED);

    // and signing in as them fails, in the console and at the login endpoint
    await inFreshContext(async (gone) => {
      await gone.goto(url);
      await gone.getByLabel('User name').fill(PROMOTED);
      await gone.getByLabel('Password').fill(NEW_PASSWORD);
      await gone.getByRole('button', { name: 'Sign in' }).click();
      await gone.getByText('Invalid username or password', { exact: true }).waitFor();
      expect(await gone.getByRole('button', { name: `User menu of ${PROMOTED}` }).count()).toBe(0);
      await screenshot(gone, 'settings-admin-13-deleted-user-refused');
    });
    await expect(login(url, PROMOTED, NEW_PASSWORD)).rejects.toThrow(/login failed/);
  });
});
