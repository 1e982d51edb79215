/**
 * The console over the demo fleet: the dashboard counts the inventory's readiness, and the Source
 * servers table lists the demo's servers with their states, finds legacy-erp-1 (STALLED) by search
 * and by "not ready", and sorts by hostname both ways, all through the gateway's paging.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { graphql, login } from '../support/local-stack-process.js';
import { ADMIN_PASSWORD, openBrowser, screenshot, signIn, startConsoleStack } from './support/console.js';
import type { RunningStack } from './support/console.js';

jest.setTimeout(90_000);

const DEMO_HOSTNAMES = ['fileserver-1', 'legacy-erp-1', 'monitoring-1', 'orders-app-1', 'orders-app-2', 'orders-db-1', 'orders-db-2', 'orders-web-1', 'orders-web-2'];

/** The hostnames in the table's rows, top to bottom (read in one go: the rows change under live updates). */
async function listedHostnames(page: Page): Promise<string[]> {
  const cells = await page.getByTestId('source-servers').locator('tbody tr > :first-child').allInnerTexts();
  return cells.map((text) => text.trim()).filter((text) => text !== '');
}

/** Waits until the table lists exactly these hostnames, in this order. */
async function untilListed(page: Page, expected: string[], timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = await listedHostnames(page);
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`The table lists ${JSON.stringify(last)}, not ${JSON.stringify(expected)}`);
}

describe('dashboard and source servers', () => {
  let stack: RunningStack;
  let url: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ url, stack } = await startConsoleStack());
    browser = await openBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signIn(page, url, 'admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('counts the demo fleet by readiness on the dashboard', async () => {
    const readiness = page.getByTestId('readiness');
    await readiness.getByText('Source servers', { exact: true }).waitFor();
    await readiness.getByTestId('replication-STALLED').waitFor();
    expect(await readiness.getByTestId('replication-STALLED').innerText()).toMatch(/Stalled\s*1/);
    expect(await readiness.getByTestId('replication-CONTINUOUS').innerText()).toMatch(/Healthy \(continuous\)\s*8/);
    await page.getByTestId('plan-drills').getByRole('link', { name: 'Orders 3-tier' }).waitFor();
    await screenshot(page, 'dashboard-and-servers-01-dashboard');
  });

  it('lists the servers with their replication states, sorted by hostname', async () => {
    await page.getByRole('link', { name: 'Source servers', exact: true }).first().click();
    await untilListed(page, DEMO_HOSTNAMES);
    const stalled = page.getByRole('row', { name: /legacy-erp-1/ });
    expect(await stalled.innerText()).toContain('Stalled');
    expect(await page.getByRole('row', { name: /orders-db-1/ }).innerText()).toContain('Healthy');
    expect(await page.getByRole('row', { name: /orders-db-1/ }).getByRole('link', { name: 'Database' }).count()).toBe(1);
    await screenshot(page, 'dashboard-and-servers-02-servers');

    await page.getByTestId('source-servers').getByRole('columnheader', { name: /Hostname/ }).click({ force: true });
    await untilListed(page, [...DEMO_HOSTNAMES].reverse());
    expect(page.url()).toContain('sort=desc');
    await page.getByTestId('source-servers').getByRole('columnheader', { name: /Hostname/ }).click({ force: true });
    await untilListed(page, DEMO_HOSTNAMES);
  });

  it('finds legacy-erp-1 by search', async () => {
    await page.getByRole('searchbox', { name: 'Find servers by hostname' }).fill('ERP');
    await untilListed(page, ['legacy-erp-1']);
    expect(page.url()).toContain('search=ERP');
    await screenshot(page, 'dashboard-and-servers-03-search');
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await untilListed(page, DEMO_HOSTNAMES);
  });

  it('finds legacy-erp-1 among the servers that are not ready', async () => {
    await page.getByRole('button', { name: /Readiness/ }).click();
    await page.getByRole('option', { name: 'Not ready' }).click();
    await untilListed(page, ['legacy-erp-1']);
    expect(await page.getByRole('row', { name: /legacy-erp-1/ }).innerText()).toMatch(/Not ready/);
    await screenshot(page, 'dashboard-and-servers-04-not-ready');

    // The dashboard links to the same view.
    await page.goto(`${url}/servers?replicationState=STALLED`);
    await untilListed(page, ['legacy-erp-1']);
    await page.goto(`${url}/servers?group=none`);
    await untilListed(page, ['fileserver-1', 'legacy-erp-1', 'monitoring-1']);
  });

  it('follows a replication stall on screen, live', async () => {
    await page.goto(`${url}/servers?search=monitoring`);
    await untilListed(page, ['monitoring-1']);
    expect(await page.getByRole('row', { name: /monitoring-1/ }).innerText()).toContain('Healthy');
    // when DRS reports monitoring-1's replication stalled
    const fault = await fetch(`${stack.drsUrl}/_simulator/faults?merge=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ replicationStalls: [{ hostnames: ['monitoring-1'] }] }),
    });
    expect(fault.status).toBe(200);
    // then the row shows it without a reload
    await page.getByRole('row', { name: /monitoring-1/ }).getByText('Stalled', { exact: true }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-and-servers-05-live-stall');
  });

  it('shows a drill running, then its result against the plan, live', async () => {
    await page.getByRole('link', { name: 'Dashboard', exact: true }).first().click();
    await page.getByTestId('plan-drills').getByText('Never drilled').waitFor();
    // given a drill started elsewhere (another user, the API)
    const token = await login(url, 'admin', ADMIN_PASSWORD);
    const plans = await graphql<{ recoveryPlans: { items: { id: string; name: string }[] } }>(url, token, '{ recoveryPlans { items { id name } } }');
    const planId = plans.data?.recoveryPlans.items.find((p) => p.name === 'Orders 3-tier')?.id;
    const started = await graphql<{ startExecution: { id: string } }>(url, token, 'mutation($p: ID!) { startExecution(input: { planId: $p, mode: DRILL }) { id } }', { p: planId });
    expect(started.errors).toBeUndefined();
    // then the dashboard shows it running without a reload, and its result once it ends
    await page.getByTestId('running-executions').getByRole('link', { name: 'Orders 3-tier' }).waitFor();
    await screenshot(page, 'dashboard-and-servers-06-drill-running');
    await page.getByTestId('plan-drills').getByRole('link', { name: /Last drill of Orders 3-tier: COMPLETED/ }).waitFor({ timeout: 60_000 });
    await page.getByTestId('running-executions').getByText('Nothing is running').waitFor();
    await screenshot(page, 'dashboard-and-servers-07-drill-completed');
  });
});
