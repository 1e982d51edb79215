/**
 * A real RECOVERY and a retry of failed servers in the console, in Chromium against the local stack:
 * - an admin starts a RECOVERY of a plan that asks for a second approver from its Execute dialog
 *   (Start stays refused until the plan's name is typed exactly), a RecoveryManager approves it
 *   inline in the runbook from a browser of their own, and the admin watches it complete live;
 * - a drill of the demo plan whose App wave loses a server to a launch failure injected in the DRS
 *   simulator ends FAILED; once the fault is gone, "Retry failed servers" launches that server
 *   again and the drill completes, live.
 * Each flow checks through the GraphQL API that the execution ended as the page shows it.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ADMIN_PASSWORD, ARTIFACTS_DIR, openBrowser, screenshot, signIn, startConsoleStack } from './support/console.js';
import type { RunningStack } from './support/console.js';
import { clearFaults, patchFaults } from '../support/drs-audit.js';
import { graphql, login } from '../support/local-stack-process.js';

jest.setTimeout(120_000);

/** The DRS simulator's time scale, as every local stack of the tests runs it (startStackProcess's default): launches take a fraction of a second. */
const DRS_TIME_SCALE = '0.002';
const DEMO_PLAN = 'Orders 3-tier';
const RECOVERY_PLAN = 'E2E Orders recovery';
const APPROVER = 'rm-approver-e2e';
const APPROVER_PASSWORD = 'rm-approver-e2e-password';
/** The demo server whose drill launch is made to fail (a CRITICAL member of the App wave). */
const FAILING_HOST = 'orders-app-2';

let stack: RunningStack | undefined;
let url = '';
let token = '';
let browser: Browser | undefined;
let page: Page;
const contexts: BrowserContext[] = [];

interface ServerView {
  hostname: string;
  status: string;
  attempts: number;
}
interface WaveView {
  name: string;
  status: string;
  servers: ServerView[];
}
interface ExecutionView {
  id: string;
  mode: string;
  status: string;
  retries: number;
  startedBy: string;
  waves: WaveView[];
  approvals: { kind: string; status: string; decidedBy: string | null; comment: string | null }[];
}

const EXECUTION_QUERY = `query($id: ID!) { execution(id: $id) {
  id mode status retries startedBy
  waves { name status servers { hostname status attempts } }
  approvals { kind status decidedBy comment }
} }`;

async function ok<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await graphql<T>(url, token, query, variables);
  if (result.errors || !result.data) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

async function executionOf(id: string): Promise<ExecutionView> {
  const { execution } = await ok<{ execution: ExecutionView | null }>(EXECUTION_QUERY, { id });
  if (!execution) throw new Error(`no execution ${id}`);
  return execution;
}

async function planIdOf(name: string): Promise<string> {
  const { recoveryPlans } = await ok<{ recoveryPlans: { items: { id: string; name: string }[] } }>(`query($search: String) { recoveryPlans(filter: { search: $search }) { items { id name } } }`, { search: name });
  const plan = recoveryPlans.items.find((p) => p.name === name);
  if (!plan) throw new Error(`no plan ${name}`);
  return plan.id;
}

/** Waits until an element with this test id shows this status on `on` (pushed to the page: the test never reloads it). */
async function statusOf(on: Page | Locator, testId: string, status: string, timeout = 30_000): Promise<void> {
  await on.locator(`[data-testid="${testId}"][data-status="${status}"]`).first().waitFor({ state: 'attached', timeout });
}

/** What the runbook shows of each wave and of each of its servers (status badges read from the page). */
async function shownWaves(on: Page, names: readonly string[]): Promise<{ name: string; status: string | null; servers: Record<string, string> }[]> {
  const shown = [];
  for (const name of names) {
    const wave = on.getByTestId(`wave-${name}`);
    const servers: Record<string, string> = {};
    for (const row of await on.getByTestId(`servers-${name}`).locator('tbody tr').all()) {
      // The server cell reads "<hostname>" then "<source server id> · attempt n" below it.
      const hostname = (await row.locator('td').nth(0).innerText()).split('\n')[0]?.trim() ?? '';
      servers[hostname] = (await row.locator('td').nth(1).innerText()).trim();
    }
    shown.push({ name, status: await wave.getAttribute('data-status'), servers });
  }
  return shown;
}

/** The same, from the API, with the badge's words (LAUNCH_FAILED -> "Launch failed"). */
function apiWaves(execution: ExecutionView): { name: string; status: string; servers: Record<string, string> }[] {
  const label = (status: string) => {
    const words = status.toLowerCase().replace(/_/g, ' ');
    return words.charAt(0).toUpperCase() + words.slice(1);
  };
  return execution.waves.map((w) => ({ name: w.name, status: w.status, servers: Object.fromEntries(w.servers.map((s) => [s.hostname, label(s.status)])) }));
}

beforeAll(async () => {
  const started = await startConsoleStack({ env: { LIFEBOAT_DRS_TIME_SCALE: DRS_TIME_SCALE } });
  stack = started.stack;
  url = started.url;
  token = await login(url, 'admin', ADMIN_PASSWORD);
  browser = await openBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(20_000);
  await signIn(page, url, 'admin', ADMIN_PASSWORD);
});

afterAll(async () => {
  if (stack) await clearFaults(stack.drsUrl).catch(() => undefined);
  for (const context of contexts) await context.close();
  await browser?.close();
  await stack?.stop();
});

describe('a real recovery with a second approver', () => {
  it('refuses to start until the plan name is typed, waits for a second RecoveryManager, and completes live', async () => {
    // given a RecoveryManager who is not the admin, and a plan over the demo's groups that asks for a second approver
    const created = await ok<{ createUser: { username: string; roles: string[] } }>(`mutation($input: CreateUserInput!) { createUser(input: $input) { username roles } }`, {
      input: { username: APPROVER, password: APPROVER_PASSWORD, roles: ['RecoveryManager'] },
    });
    expect(created.createUser).toEqual({ username: APPROVER, roles: ['RecoveryManager'] });
    const { protectionGroups } = await ok<{ protectionGroups: { items: { id: string; name: string }[] } }>(`{ protectionGroups { items { id name } } }`);
    const group = (name: string) => protectionGroups.items.find((g) => g.name === name)?.id;
    const plan = await ok<{ createRecoveryPlan: { id: string; settings: { requireSecondApprover: boolean } } }>(
      `mutation($input: CreateRecoveryPlanInput!) { createRecoveryPlan(input: $input) { id settings { requireSecondApprover } } }`,
      {
        input: {
          name: RECOVERY_PLAN,
          waves: [
            { name: 'Database', protectionGroupIds: [group('Database')] },
            { name: 'App', dependsOn: ['Database'], protectionGroupIds: [group('App')] },
          ],
          settings: { requireSecondApprover: true },
        },
      },
    );
    expect(plan.createRecoveryPlan.settings.requireSecondApprover).toBe(true);
    const planId = plan.createRecoveryPlan.id;

    // when the admin opens its Execute dialog and chooses Recovery
    await page.goto(`${url}/plans/${planId}`);
    await page.getByRole('button', { name: 'Execute', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Execute ${RECOVERY_PLAN}` });
    await dialog.getByText('Latest (version 1)').waitFor();
    await dialog.getByText('Recovery', { exact: true }).click();
    // then it warns of a real recovery that a second person must approve
    await dialog.getByText('This is a real recovery').waitFor();
    await dialog.getByText(/This plan requires a second approver: after you start, a different person with the RecoveryManager or Admin role must approve/).waitFor();
    // and Start is refused until the plan's name is typed exactly
    const startRecovery = dialog.getByRole('button', { name: 'Start recovery' });
    expect(await startRecovery.isDisabled()).toBe(true);
    await startRecovery.click({ force: true });
    await dialog.getByLabel('Confirmation').fill(RECOVERY_PLAN.toLowerCase());
    await dialog.getByText('Does not match the plan name').waitFor();
    expect(await startRecovery.isDisabled()).toBe(true);
    await startRecovery.click({ force: true });
    expect(new URL(page.url()).pathname).toBe(`/plans/${planId}`);
    const none = await ok<{ executions: { items: unknown[] } }>(`query($planId: ID) { executions(filter: { planId: $planId }) { items { id } } }`, { planId });
    expect(none.executions.items).toEqual([]);
    await dialog.getByLabel('Confirmation').fill(RECOVERY_PLAN);
    expect(await startRecovery.isEnabled()).toBe(true);
    expect(await dialog.getByText('Does not match the plan name').count()).toBe(0);
    // (the viewport only: a full-page shot would leave the modal's backdrop short)
    await fs.mkdir(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'recovery-and-retry-01-execute-recovery.png') });

    // when the admin starts it
    await startRecovery.click();
    await page.waitForURL(/\/executions\/[^/]+$/);
    const executionId = new URL(page.url()).pathname.split('/').pop() ?? '';
    // then the runbook waits for a second approver, whom the admin may not be, and launches nothing
    await page.getByRole('heading', { name: RECOVERY_PLAN, level: 1 }).waitFor();
    const adminApproval = page.locator('[data-testid^="approval-"]').filter({ hasText: 'A second person must approve this recovery' });
    await adminApproval.waitFor();
    await adminApproval.getByText('you may not approve your own request').waitFor();
    expect(await adminApproval.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await statusOf(page, 'execution-status', 'RUNNING');
    await statusOf(page, 'wave-Database', 'PENDING');
    await statusOf(page, 'wave-App', 'PENDING');
    expect(await page.getByTestId('servers-Database').getByText(/^drsjob-/).count()).toBe(0);
    await page.getByText('Waiting for a second approver before any launch').waitFor();
    await screenshot(page, 'recovery-and-retry-02-recovery-awaiting-second-approver');

    // when the RecoveryManager, signed in in a browser of their own, approves it inline in the runbook
    const approverContext = await (browser as Browser).newContext({ viewport: { width: 1440, height: 1000 } });
    contexts.push(approverContext);
    const approverPage = await approverContext.newPage();
    approverPage.setDefaultTimeout(20_000);
    await signIn(approverPage, url, APPROVER, APPROVER_PASSWORD);
    await approverPage.goto(`${url}/executions/${executionId}`);
    await approverPage.getByRole('heading', { name: RECOVERY_PLAN, level: 1 }).waitFor();
    const approval = approverPage.locator('[data-testid^="approval-"]').filter({ hasText: 'A second person must approve this recovery' });
    await approval.getByText(/started a RECOVERY of E2E Orders recovery v1/).waitFor();
    await approval.getByLabel('Comment').fill('Second pair of eyes: go');
    await screenshot(approverPage, 'recovery-and-retry-03-second-approver');
    await approval.getByRole('button', { name: 'Approve' }).click();

    // then the admin's runbook, never reloaded, shows the approval granted and the recovery complete, wave by wave
    await adminApproval.waitFor({ state: 'detached' });
    await page.getByTestId('approvals').getByText('Granted').waitFor();
    await page.getByTestId('approvals').getByText('Second pair of eyes: go').waitFor();
    await page.getByTestId('approvals').getByText(new RegExp(`^${APPROVER},`)).waitFor();
    await statusOf(page, 'execution-status', 'COMPLETED');
    for (const wave of ['Database', 'App']) {
      await statusOf(page, `wave-node-${wave}`, 'COMPLETED', 5_000);
      await statusOf(page, `wave-${wave}`, 'COMPLETED', 5_000);
    }
    await page.getByTestId('servers-App').getByText(/^i-[0-9a-f]{17}$/).first().waitFor();
    await page.getByTestId('timeline').getByText(`Approved by ${APPROVER}: Second pair of eyes: go`).waitFor();
    await page.getByTestId('timeline').getByText('Execution completed in').waitFor();
    // (a recovery is not cleaned up: its instances are production now)
    expect(await page.getByTestId('drill-cleanup').count()).toBe(0);
    await screenshot(page, 'recovery-and-retry-04-recovery-completed');
    // and the approver's page shows it completed too
    await statusOf(approverPage, 'execution-status', 'COMPLETED');

    // and the API agrees with what the page shows
    const done = await executionOf(executionId);
    expect(done).toMatchObject({ mode: 'RECOVERY', status: 'COMPLETED', retries: 0, startedBy: 'admin' });
    expect(done.approvals).toEqual([{ kind: 'SECOND_APPROVER', status: 'GRANTED', decidedBy: APPROVER, comment: 'Second pair of eyes: go' }]);
    const shown = await shownWaves(page, ['Database', 'App']);
    expect(shown).toEqual(apiWaves(done));
    expect(done.waves.flatMap((w) => w.servers.map((s) => s.status))).toEqual(['VERIFIED', 'VERIFIED', 'VERIFIED', 'VERIFIED']);
  });
});

describe('retrying failed servers', () => {
  it('relaunches a server whose launch failed and the drill completes, live', async () => {
    if (!stack) throw new Error('no local stack');
    // given DRS fails every launch of one App server of the demo plan
    await patchFaults(stack.drsUrl, { launchFailures: [{ hostnames: [FAILING_HOST] }] });
    const started = await ok<{ startExecution: { id: string } }>(`mutation($input: StartExecutionInput!) { startExecution(input: $input) { id } }`, {
      input: { planId: await planIdOf(DEMO_PLAN), mode: 'DRILL' },
    });
    const executionId = started.startExecution.id;

    // when its drill runs, the runbook shows the App wave fail on that server and the drill stop before Web
    await page.goto(`${url}/executions/${executionId}`);
    await page.getByRole('heading', { name: DEMO_PLAN, level: 1 }).waitFor();
    await statusOf(page, 'execution-status', 'FAILED');
    await statusOf(page, 'wave-Database', 'COMPLETED', 5_000);
    await statusOf(page, 'wave-App', 'FAILED', 5_000);
    await statusOf(page, 'wave-Web', 'PENDING', 5_000);
    const appServers = page.getByTestId('servers-App');
    const failingRow = appServers.locator('tbody tr').filter({ hasText: FAILING_HOST });
    await failingRow.getByText('Launch failed', { exact: true }).waitFor();
    await page.getByTestId('wave-App').getByText(/^Failed: /).waitFor();
    // (the timeline pages its events 25 at a time, newest first: its filter finds the failure)
    const timeline = page.getByTestId('timeline');
    await timeline.getByLabel('Filter events').fill(`Launch of ${FAILING_HOST}`);
    await timeline.getByText(new RegExp(`^Launch of ${FAILING_HOST} \\(s-[0-9a-zA-Z]{17}\\) failed`)).waitFor();
    await timeline.getByLabel('Filter events').fill('');
    const failed = await executionOf(executionId);
    expect(failed.status).toBe('FAILED');
    expect(await shownWaves(page, ['Database', 'App', 'Web'])).toEqual(apiWaves(failed));
    await screenshot(page, 'recovery-and-retry-05-drill-failed');

    // and once DRS launches it again, the admin retries the failed servers from the runbook
    await clearFaults(stack.drsUrl);
    await page.getByRole('button', { name: 'Retry failed servers' }).click();
    const dialog = page.getByRole('dialog', { name: 'Retry failed servers' });
    const table = dialog.getByRole('table', { name: 'Failed servers' });
    await table.getByText(FAILING_HOST).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(1);
    expect(await dialog.getByRole('checkbox', { name: `Retry ${FAILING_HOST}` }).isChecked()).toBe(true);
    await fs.mkdir(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'recovery-and-retry-06-retry-dialog.png') });
    await dialog.getByRole('button', { name: 'Retry 1 server' }).click();

    // then that server is launched again, its wave and the next one run, and the drill completes, without a reload
    await dialog.waitFor({ state: 'detached' });
    await statusOf(page, 'execution-status', 'COMPLETED');
    for (const wave of ['Database', 'App', 'Web']) {
      await statusOf(page, `wave-node-${wave}`, 'COMPLETED', 5_000);
      await statusOf(page, `wave-${wave}`, 'COMPLETED', 5_000);
    }
    await failingRow.getByText('Verified', { exact: true }).waitFor();
    await failingRow.getByText(/attempt 2/).waitFor();
    await page.getByTestId('execution-overview').getByText('Completed after 1 retry').waitFor();
    await timeline.getByText('Execution completed in').waitFor();
    await timeline.getByLabel('Filter events').fill('Retry');
    await timeline.getByText('Retry 1: 1 failed server(s) launched again').waitFor();
    await timeline.getByLabel('Filter events').fill('');
    expect(await page.getByRole('button', { name: 'Retry failed servers' }).count()).toBe(0);
    await screenshot(page, 'recovery-and-retry-07-retried-completed');

    // and the API agrees with what the page shows
    const done = await executionOf(executionId);
    expect(done).toMatchObject({ mode: 'DRILL', status: 'COMPLETED', retries: 1 });
    expect(await shownWaves(page, ['Database', 'App', 'Web'])).toEqual(apiWaves(done));
    const attempts = Object.fromEntries(done.waves.flatMap((w) => w.servers.map((s) => [s.hostname, [s.status, s.attempts]])));
    expect(attempts[FAILING_HOST]).toEqual(['VERIFIED', 2]);
    expect(Object.values(attempts).every(([status]) => status === 'VERIFIED')).toBe(true);

    // and the drill is cleaned up, so that its servers are free again
    await page.getByRole('button', { name: 'Clean up' }).click();
    await statusOf(page, 'cleanup-status', 'COMPLETED');
  });
});
