/**
 * The Source servers page over 4,000 servers (DRS's source servers quota of one account and
 * region), as an Admin: 100 servers a page, paged through, found by hostname and by readiness,
 * sorted both ways, then 1,000 servers a page, all four pages of the inventory. The fleet is
 * app-0001 ... web-1000 (four tiers of 1,000), extended into the home account from staging accounts
 * (scenario-fleet.ts); every hundredth server of each tier has stalled.
 *
 * The test asserts what the table lists, never how fast. It measures each step anyway, in the
 * browser (from the click to the rows on screen, the GraphQL answer within it, and the main
 * thread's CPU time) and writes the figures to test/e2e/artifacts/large-inventory.json.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, CDPSession, Page } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, graphql, login } from '../support/local-stack-process.js';
import { numberedServers, scenarioFleet, writeFleetFile } from '../support/scenario-fleet.js';
import { ADMIN_PASSWORD, ARTIFACTS_DIR, openBrowser, screenshot, signIn, startConsoleStack } from './support/console.js';
import type { RunningStack } from './support/console.js';

// A step waits for the catalog's answer: the stack is also digesting 4,000 new servers meanwhile.
jest.setTimeout(240_000);

const TIERS = ['app', 'cache', 'db', 'web'] as const;
const PER_TIER = 1000;
const SERVERS = TIERS.length * PER_TIER;
/** `app-0001`, ... */
const hostname = (tier: string, n: number): string => `${tier}-${String(n).padStart(4, '0')}`;
/** Every hostname in the catalog's order (by hostname). */
const ALL = TIERS.flatMap((tier) => Array.from({ length: PER_TIER }, (_, i) => hostname(tier, i + 1)));
/** app-0100, app-0200, ... web-1000: stalled, so not ready for recovery. */
const STALLED = ALL.filter((h) => h.endsWith('00'));

interface StepFigures {
  step: string;
  rows: number;
  /** From the click (or key) to the expected rows on screen. */
  totalMs: number;
  /** When the last GraphQL answer within it arrived, from the click. */
  responseMs: number | null;
  /** CPU time of the page's main thread during the step (what the other processes on the machine do not inflate). */
  mainThreadCpuMs: number;
}

describe('the Source servers page over 4,000 servers', () => {
  let stack: RunningStack | undefined;
  let url = '';
  let browser: Browser | undefined;
  let page: Page;
  let cdp: CDPSession;
  let fleetDir = '';
  const figures: StepFigures[] = [];
  const started = Date.now();
  let setupMs = 0;

  beforeAll(async () => {
    const fleet = scenarioFleet({ extended: TIERS.flatMap((tier) => numberedServers(tier, PER_TIER, { Tier: tier })) });
    // The staging server and its extension both stall (an extension replicates through its staging server).
    fleet.servers = fleet.servers.map((s) => (STALLED.includes(s.hostname) ? { ...s, replicationState: 'STALLED' } : s));
    fleetDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-e2e-fleet-'));
    ({ url, stack } = await startConsoleStack({ env: { LIFEBOAT_DEMO: '0', LIFEBOAT_DRS_FLEET: writeFleetFile(fleetDir, fleet) } }));
    const token = await login(url, 'admin', ADMIN_PASSWORD);
    // The sync of 4,000 servers may outlast the gateway's wait for it: then its result is read back.
    await graphql(url, token, 'mutation { syncSourceServers { targets { status } } }');
    await eventually(
      async () => {
        const answer = await graphql<{ targetAccounts: { sync: { status: string; serverCount: number | null }[] }[] }>(url, token, '{ targetAccounts { sync { status serverCount } } }');
        const synced = answer.data?.targetAccounts.flatMap((a) => a.sync).find((s) => s.status === 'SUCCEEDED' && s.serverCount === SERVERS);
        return synced ? true : undefined;
      },
      300_000,
      `the catalog listing ${SERVERS} servers`,
    );
    setupMs = Date.now() - started;
    browser = await openBrowser();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(60_000);
    // When the user acted: the start of each measured step. (Browser code is text here: the tests' TypeScript has no DOM.)
    await page.addInitScript(`{
      const mark = () => { window.lifeboatInputAt = performance.now(); };
      document.addEventListener('click', mark, true);
      document.addEventListener('keydown', mark, true);
    }`);
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await signIn(page, url, 'admin', ADMIN_PASSWORD);
  }, 420_000);

  afterAll(async () => {
    if (figures.length > 0) {
      fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
      const report = { measuredAt: new Date().toISOString(), servers: SERVERS, cpus: os.cpus().length, loadAverage: os.loadavg(), stackStartAndSyncMs: setupMs, steps: figures };
      fs.writeFileSync(path.join(ARTIFACTS_DIR, 'large-inventory.json'), `${JSON.stringify(report, null, 2)}\n`);
    }
    await browser?.close();
    await stack?.stop();
    if (fleetDir) fs.rmSync(fleetDir, { recursive: true, force: true });
  });

  async function mainThreadCpuMs(): Promise<number> {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return (metrics.find((m) => m.name === 'ThreadTime')?.value ?? 0) * 1000;
  }

  /** The hostnames the table lists, top to bottom. */
  async function listed(): Promise<string[]> {
    return page.getByTestId('source-servers').locator('tbody tr > :first-child').allInnerTexts().then((cells) => cells.map((c) => c.trim()));
  }

  /**
   * Does `action` and waits until the table lists `expected` (its first, its last and how many; then
   * every hostname is compared); records the step's figures.
   */
  async function step(name: string, action: () => Promise<void>, expected: readonly string[]): Promise<void> {
    const cpuBefore = await mainThreadCpuMs();
    await action();
    const [first, last, count] = [JSON.stringify(expected[0]), JSON.stringify(expected[expected.length - 1]), expected.length];
    const [shownAt, inputAt] = await page
      .waitForFunction(
        `(() => {
          const rows = document.querySelector('[data-testid="source-servers"] tbody')?.rows;
          const text = (row) => row?.cells[0]?.textContent?.trim();
          if (!rows || rows.length !== ${count} || text(rows[0]) !== ${first} || text(rows[${count - 1}]) !== ${last}) return false;
          return [performance.now(), window.lifeboatInputAt ?? 0];
        })()`,
        undefined,
        { polling: 'raf', timeout: 120_000 },
      )
      .then((handle) => handle.jsonValue() as Promise<[number, number]>)
      .catch(async (error: unknown) => {
        await screenshot(page, `large-inventory-failed-${name}`);
        throw error;
      });
    const cpuAfter = await mainThreadCpuMs();
    const responseEnd = (await page.evaluate(
      `performance.getEntriesByType('resource')
        .filter((e) => e.name.endsWith('/graphql') && e.startTime >= ${inputAt} && e.responseEnd <= ${shownAt})
        .reduce((latest, e) => Math.max(latest ?? 0, e.responseEnd - ${inputAt}), null)`,
    )) as number | null;
    figures.push({ step: name, rows: expected.length, totalMs: Math.round(shownAt - inputAt), responseMs: responseEnd === null ? null : Math.round(responseEnd), mainThreadCpuMs: Math.round(cpuAfter - cpuBefore) });
    expect(await listed()).toEqual(expected);
  }

  const counter = (): Promise<string> => page.getByTestId('source-servers').getByRole('heading', { level: 1 }).first().innerText();

  /**
   * Sorts by hostname from the keyboard. Cloudscape draws a sticky copy of the header over the real
   * one (hidden, but the one with the roles): a click at the real one's place lands on whatever
   * covers it once the page has scrolled.
   */
  async function toggleHostnameSort(): Promise<void> {
    await page.getByTestId('source-servers').getByRole('columnheader', { name: /Hostname/ }).locator('[role=button]').focus();
    await page.keyboard.press('Enter');
  }

  /**
   * Links looked up within a small part of the page (a lookup by role across the page scans 1,000
   * rows), and not in the side navigation: AppLayout may fold it away when the wide table renders
   * again right after a key or a click (the shell lets it within a second of the user's input).
   */
  const toDashboard = (): Promise<void> => page.locator('#top-nav').getByRole('link', { name: 'Lifeboat' }).click();
  const toServersFromDashboard = (): Promise<void> => page.getByTestId('readiness').locator('a[href="/servers"]').click();

  /** Types into the search box key by key (the step starts at the last key; the page waits for a pause in typing). */
  async function typeSearch(text: string): Promise<void> {
    const search = page.getByRole('searchbox', { name: 'Find servers by hostname' });
    await search.click();
    await search.pressSequentially(text);
  }

  it('lists the servers 100 a page, sorted by hostname, and pages through them', async () => {
    await page.getByTestId('readiness').locator('a[href="/servers"]').waitFor();
    await step('open Source servers (100 a page)', toServersFromDashboard, ALL.slice(0, 100));
    expect(await counter()).toContain('(1-100 of many)');
    await step('next page (100)', () => page.getByRole('button', { name: 'Next page' }).click(), ALL.slice(100, 200));
    expect(await counter()).toContain('(101-200 of many)');
    await step('next page (100)', () => page.getByRole('button', { name: 'Next page' }).click(), ALL.slice(200, 300));
    await step('previous page (100)', () => page.getByRole('button', { name: 'Previous page' }).click(), ALL.slice(100, 200));
    await step('page 1 (100)', () => page.getByRole('button', { name: 'Page 1', exact: true }).click(), ALL.slice(0, 100));
    await screenshot(page, 'large-inventory-01-100-a-page');
  });

  it('finds servers by hostname and those not ready for recovery', async () => {
    await step('search "db-03"', () => typeSearch('db-03'), ALL.filter((h) => h.startsWith('db-03')));
    expect(page.url()).toContain('search=db-03');
    await step('clear the search', () => page.getByRole('button', { name: 'Clear filters' }).first().click(), ALL.slice(0, 100));

    await page.getByRole('button', { name: /Readiness/ }).click();
    await step('readiness: not ready', () => page.getByRole('option', { name: 'Not ready' }).click(), STALLED);
    expect(await page.getByRole('row', { name: /web-1000/ }).innerText()).toMatch(/Stalled[\s\S]*Not ready/);
    expect(await counter()).toContain(`(1-${STALLED.length})`);
    await screenshot(page, 'large-inventory-02-not-ready');
    await step('clear the filters', () => page.getByRole('button', { name: 'Clear filters' }).first().click(), ALL.slice(0, 100));
  });

  it('sorts by hostname both ways', async () => {
    await step('sort descending (100)', toggleHostnameSort, [...ALL].reverse().slice(0, 100));
    expect(page.url()).toContain('sort=desc');
    await step('sort ascending (100)', toggleHostnameSort, ALL.slice(0, 100));
  });

  it('shows 1,000 servers a page: the whole inventory in four pages, both ways', async () => {
    await page.getByRole('button', { name: 'Preferences' }).click();
    const preferences = page.getByRole('dialog', { name: 'Preferences' });
    await preferences.getByRole('radio', { name: '1000 servers' }).check();
    await step('1,000 a page', () => preferences.getByRole('button', { name: 'Confirm' }).click(), ALL.slice(0, 1000));
    expect(await counter()).toContain('(1-1000 of many)');
    await screenshot(page, 'large-inventory-03-1000-a-page');
    for (let n = 1; n < TIERS.length; n++) {
      await step('next page (1,000)', () => page.getByRole('button', { name: 'Next page' }).click(), ALL.slice(n * 1000, (n + 1) * 1000));
    }
    // The last page: the inventory ends there.
    expect(await counter()).toContain('(3001-4000)');
    expect(await counter()).not.toContain('of many');
    await step('previous page (1,000)', () => page.getByRole('button', { name: 'Previous page' }).click(), ALL.slice(2000, 3000));

    await step('sort descending (1,000)', toggleHostnameSort, [...ALL].reverse().slice(0, 1000));
    await step('sort ascending (1,000)', toggleHostnameSort, ALL.slice(0, 1000));
    await step('search "web" (1,000)', () => typeSearch('web'), ALL.filter((h) => h.startsWith('web')));

    // Away and back: the page opens again at 1,000 a page (a preference), on the first page.
    await toDashboard();
    await page.getByTestId('readiness').locator('a[href="/servers"]').waitFor();
    await step('open Source servers (1,000 a page)', toServersFromDashboard, ALL.slice(0, 1000));
  });
});
