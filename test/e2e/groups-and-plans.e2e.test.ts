/**
 * Protection groups and recovery plans through the console, as an Admin over the demo fleet:
 * a group made with the server picker (fileserver-1 is in no group; the Orders servers are
 * assigned), a group made by a tag selector with its live preview, then a 3-tier plan built
 * wave by wave (a group a plan recovers is not deleted), whose validation panel shows an empty
 * wave as an error and then no problem, with a boot order changed by dragging and from the
 * keyboard, saved as version 1, edited into version 2 (with the diff of the two), and exported
 * and checked back in with a dry-run import.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Locator, Page } from 'playwright-core';
import fs from 'node:fs';
import { ADMIN_PASSWORD, openBrowser, screenshot, signIn, startConsoleStack } from './support/console.js';
import type { RunningStack } from './support/console.js';

jest.setTimeout(120_000);

/** Waits until the locator's text matches (text that a live query or subscription updates). */
async function untilText(locator: Locator, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.count()) > 0 ? await locator.first().innerText() : '';
    if (pattern.test(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Expected text matching ${pattern}, got: ${last}`);
}

/** A full-page screenshot from the top (the shell's sticky header otherwise lands mid-page). */
async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await screenshot(page, name);
}

/** Opens a Cloudscape multiselect by its accessible name and picks options, then closes it. */
async function pickOptions(page: Page, scope: Locator, label: string, options: string[]): Promise<void> {
  await scope.getByRole('button', { name: label }).click();
  for (const option of options) await page.getByRole('option', { name: new RegExp(`^${option}(\\s|$)`) }).click();
  await page.keyboard.press('Escape');
}

describe('protection groups and recovery plans', () => {
  let stack: RunningStack;
  let url: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ url, stack } = await startConsoleStack());
    browser = await openBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await signIn(page, url, 'admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists the demo protection groups', async () => {
    await page.goto(`${url}/protection-groups`);
    const table = page.getByTestId('protection-groups-table');
    for (const name of ['Database', 'App', 'Web']) await table.getByRole('link', { name, exact: true }).waitFor();
    expect(await table.getByRole('row', { name: /Database/ }).innerText()).toMatch(/123456789012 \/ us-east-1\s+2/);
    await shot(page, 'groups-and-plans-01-groups-list');
  });

  it('creates a group with the server picker, where assigned servers cannot be chosen', async () => {
    await page.getByRole('link', { name: 'Create protection group' }).click();
    const picker = page.getByTestId('server-picker');
    // The demo has one account and region: it is chosen, and its servers are listed with where they stand.
    await picker.getByRole('row', { name: /fileserver-1/ }).waitFor();
    expect(await picker.getByRole('row', { name: /fileserver-1/ }).innerText()).toContain('Available');
    expect(await picker.getByRole('row', { name: /orders-db-1/ }).innerText()).toContain('Assigned to Database');
    expect(await picker.getByRole('row', { name: /legacy-erp-1/ }).innerText()).toMatch(/Not ready/);
    expect(await picker.getByRole('checkbox', { name: 'Select orders-db-1' }).isDisabled()).toBe(true);

    await page.getByLabel('Name', { exact: true }).fill('File shares');
    await picker.getByRole('checkbox', { name: 'Select fileserver-1' }).check();
    const preview = page.getByTestId('group-preview');
    await untilText(preview, /fileserver-1[\s\S]*Explicit/);
    await page.getByTestId('save-group').click();

    await page.getByRole('heading', { name: 'File shares', level: 1 }).waitFor();
    await untilText(page.getByTestId('group-members-table'), /fileserver-1[\s\S]*Explicit/);
  });

  it('creates a group by a tag selector, previewing its members as the selector is typed', async () => {
    await page.goto(`${url}/protection-groups/new`);
    await page.getByTestId('server-picker').getByRole('row', { name: /monitoring-1/ }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Monitoring');
    await page.getByRole('button', { name: 'Add tag selector' }).click();
    const selector = page.getByTestId('tag-selector-0');
    await selector.getByRole('combobox', { name: 'Key' }).fill('App');
    await page.keyboard.press('Escape');
    await selector.getByRole('combobox', { name: 'Value' }).fill('Monitoring');
    await page.keyboard.press('Escape');

    const preview = page.getByTestId('group-preview');
    const members = await untilText(preview, /monitoring-1[\s\S]*Tags/);
    expect(members).not.toContain('fileserver-1');
    await shot(page, 'groups-and-plans-02-group-editor-preview');
    await page.getByTestId('save-group').click();

    await page.getByRole('heading', { name: 'Monitoring', level: 1 }).waitFor();
    await untilText(page.getByTestId('group-members-table'), /monitoring-1[\s\S]*Tags/);
  });

  it('refuses to delete a group a plan recovers, and says why', async () => {
    await page.goto(`${url}/protection-groups`);
    await page.getByTestId('protection-groups-table').getByRole('link', { name: 'Database', exact: true }).click();
    await page.getByRole('heading', { name: 'Database', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await untilText(dialog, /Orders 3-tier recovers this group/);
    await page.getByTestId('confirm-delete-group').click();
    await untilText(dialog, /Not deleted[\s\S]*Orders 3-tier/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Database', level: 1 }).waitFor();
  });

  it('builds a 3-tier plan whose validation shows an empty wave, then no problem, and saves it as version 1', async () => {
    await page.goto(`${url}/plans`);
    await page.getByTestId('recovery-plans-table').getByRole('link', { name: 'Orders 3-tier' }).waitFor();
    await page.getByRole('link', { name: 'Create plan' }).click();
    await page.locator('#plan-name').fill('Orders e2e');

    // Wave 1: Database.
    const database = page.getByTestId('wave-0');
    await database.getByLabel('Wave 1 name').fill('Database');
    await pickOptions(page, database, 'Database protection groups', ['Database']);

    // Wave 2: App, after Database, sequential, orders-app-2 booting first: dragged there, then moved with the keyboard.
    await page.getByRole('button', { name: 'Add wave' }).click();
    const app = page.getByTestId('wave-1');
    await app.getByLabel('Wave 2 name').fill('App');
    await pickOptions(page, app, 'App protection groups', ['App']);
    await app.getByRole('button', { name: 'Sequential' }).click();
    const bootOrder = app.getByTestId('boot-order');
    const order = (): Promise<(string | null)[]> => bootOrder.locator('li').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-server')));
    await bootOrder.locator('li[data-server="orders-app-2"]').waitFor();
    expect(await order()).toEqual(['orders-app-1', 'orders-app-2']);
    await bootOrder.locator('li[data-server="orders-app-2"]').dragTo(bootOrder.locator('li[data-server="orders-app-1"]'));
    expect(await order()).toEqual(['orders-app-2', 'orders-app-1']);
    await app.getByRole('button', { name: 'Move orders-app-2 down' }).click();
    expect(await order()).toEqual(['orders-app-1', 'orders-app-2']);
    // Focus follows the server that moved, so the keyboard can move it on.
    expect(await page.evaluate('document.activeElement && document.activeElement.getAttribute("aria-label")')).toBe('Move orders-app-2 up');
    await page.keyboard.press('Enter');
    expect(await order()).toEqual(['orders-app-2', 'orders-app-1']);

    // Wave 3: Web, after App, with no group yet: the validation panel says so.
    await page.getByRole('button', { name: 'Add wave' }).click();
    const web = page.getByTestId('wave-2');
    await web.getByLabel('Wave 3 name').fill('Web');
    const findings = page.getByTestId('validation-panel');
    await untilText(findings, /Wave "Web"[\s\S]*a wave needs at least one protection group or server/);
    expect(await page.getByTestId('validation-summary').innerText()).toMatch(/1 error/);
    await shot(page, 'groups-and-plans-03-plan-builder-invalid');

    // Selecting the group in the finding's wave fixes it.
    await findings.getByRole('link', { name: /Wave "Web"/ }).click();
    await pickOptions(page, web, 'Web protection groups', ['Web', 'Monitoring']);
    await untilText(page.getByTestId('validation-summary'), /can be saved/);
    expect(await page.getByTestId('validation-summary').innerText()).not.toMatch(/error/);

    // The graph draws the three tiers and their dependencies.
    const graph = page.getByTestId('plan-graph');
    expect(await graph.locator('[data-wave]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-wave')))).toEqual(['Database', 'App', 'Web']);
    expect(await graph.locator('[data-edge]').evaluateAll((edges) => edges.map((e) => e.getAttribute('data-edge')))).toEqual(['Database -> App', 'App -> Web']);
    await shot(page, 'groups-and-plans-04-plan-builder');

    await page.getByTestId('save-plan').click();
    await page.getByRole('heading', { name: 'Orders e2e', level: 1 }).waitFor();
    expect(await page.getByTestId('plan-version').innerText()).toBe('Version 1');
    expect(await page.getByRole('list', { name: 'Boot order of App' }).innerText()).toMatch(/orders-app-2[\s\S]*orders-app-1/);
    await shot(page, 'groups-and-plans-05-plan-detail');
  });

  it('saves an edit as version 2 and shows what changed between the versions', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.locator('#plan-rto').fill('45');
    await untilText(page.getByTestId('validation-summary'), /can be saved/);
    await page.getByTestId('save-plan').click();
    await untilText(page.getByTestId('plan-version'), /^Version 2$/);

    await page.getByRole('tab', { name: /Versions/ }).click();
    await untilText(page.getByTestId('plan-versions'), /2[\s\S]*1/);
    const diff = await untilText(page.getByTestId('plan-diff'), /rto/i);
    expect(diff).toMatch(/rtoTargetMinutes|RTO/);
    await shot(page, 'groups-and-plans-06-plan-versions');
  });

  it('exports the plan with its groups and checks the document back in with a dry run', async () => {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export' }).click();
    await page.getByRole('menuitem', { name: /^YAML/ }).click();
    const file = await (await download).path();
    const content = fs.readFileSync(file, 'utf8');
    expect(content).toContain('kind: RecoveryPlan');
    expect(content).toContain('Orders e2e');

    await page.goto(`${url}/plans`);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('menuitem', { name: /Configuration documents/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Or paste the documents' }).fill(content);
    await dialog.getByRole('button', { name: 'Check (dry run)' }).click();
    const result = await untilText(dialog.getByRole('table'), /Orders e2e[\s\S]*Unchanged/);
    expect(result).toMatch(/Monitoring\s+Unchanged/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
