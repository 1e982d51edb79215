/**
 * The executions console in Chromium against the local stack: an admin runs a drill of the demo
 * plan from its Execute dialog and watches it complete live in the runbook, cleans it up, approves a step of a drill,
 * cancels a drill with "terminate instances" and sees its cleanup complete, and compares runs in
 * the history. Each drill is cleaned up before the next (Lifeboat refuses a drill over servers
 * whose drill instances are still up). Screenshots of each page go to the artifacts.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ADMIN_PASSWORD, ARTIFACTS_DIR, openBrowser, screenshot, signIn, startConsoleStack } from './support/console.js';
import type { RunningStack } from './support/console.js';
import { graphql, login } from '../support/local-stack-process.js';

jest.setTimeout(90_000);

const DEMO_PLAN = 'Orders 3-tier';
const APPROVAL_PLAN = 'E2E approval drill';
const APPROVAL_PROMPT = 'App team ready to take traffic?';

let stack: RunningStack | undefined;
let url = '';
let token = '';
let browser: Browser | undefined;
let page: Page;
const ran: Record<'demo' | 'approved' | 'cancelled', string> = { demo: '', approved: '', cancelled: '' };

async function ok<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await graphql<T>(url, token, query, variables);
  if (result.errors || !result.data) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

async function startDrill(planId: string): Promise<string> {
  const data = await ok<{ startExecution: { id: string } }>(`mutation($input: StartExecutionInput!) { startExecution(input: $input) { id } }`, { input: { planId, mode: 'DRILL' } });
  return data.startExecution.id;
}

/** Waits until an element with this test id shows this status (pushed to the page: the test never reloads it). */
async function statusOf(testId: string, status: string, timeout = 30_000): Promise<void> {
  await page.locator(`[data-testid="${testId}"][data-status="${status}"]`).first().waitFor({ state: 'attached', timeout });
}

async function planIdOf(name: string): Promise<string> {
  const { recoveryPlans } = await ok<{ recoveryPlans: { items: { id: string; name: string }[] } }>(`query($search: String) { recoveryPlans(filter: { search: $search }) { items { id name } } }`, { search: name });
  const plan = recoveryPlans.items.find((p) => p.name === name);
  if (!plan) throw new Error(`no plan ${name}`);
  return plan.id;
}

beforeAll(async () => {
  const started = await startConsoleStack();
  stack = started.stack;
  url = started.url;
  token = await login(url, 'admin', ADMIN_PASSWORD);
  browser = await openBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(20_000);
  await signIn(page, url, 'admin', ADMIN_PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the drill runbook', () => {
  it('runs a drill of the demo plan and shows it complete live, wave by wave, then cleans it up', async () => {
    const planId = await planIdOf(DEMO_PLAN);
    // given the plan's page and its Execute dialog
    await page.goto(`${url}/plans/${planId}`);
    await page.getByRole('button', { name: 'Execute', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Execute ${DEMO_PLAN}` });
    await dialog.getByText('Latest (version 1)').waitFor();
    // (a RECOVERY waits for the plan's name typed exactly)
    await dialog.getByText('Recovery', { exact: true }).click();
    const startRecovery = dialog.getByRole('button', { name: 'Start recovery' });
    expect(await startRecovery.isDisabled()).toBe(true);
    await dialog.getByLabel('Confirmation').fill('orders 3-tier');
    expect(await startRecovery.isDisabled()).toBe(true);
    await dialog.getByLabel('Confirmation').fill(DEMO_PLAN);
    expect(await startRecovery.isEnabled()).toBe(true);
    await dialog.getByText('Drill', { exact: true }).click();
    // (the viewport only: a full-page shot would leave the modal's backdrop short)
    await fs.mkdir(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'execute-dialog.png') });
    // when the admin starts a drill from it
    await dialog.getByRole('button', { name: 'Start drill' }).click();
    await page.waitForURL(/\/executions\/[^/]+$/);
    ran.demo = new URL(page.url()).pathname.split('/').pop() ?? '';
    // then the runbook shows it running, then every wave completed, without being reloaded
    await page.getByRole('heading', { name: DEMO_PLAN, level: 1 }).waitFor();
    await page.getByTestId('wave-graph').waitFor();
    const firstSeen = await page.getByTestId('execution-status').getAttribute('data-status');
    await screenshot(page, 'runbook-running');
    await statusOf('execution-status', 'COMPLETED');
    for (const wave of ['Database', 'App', 'Web']) {
      await statusOf(`wave-node-${wave}`, 'COMPLETED', 5_000);
      await statusOf(`wave-${wave}`, 'COMPLETED', 5_000);
    }
    expect(firstSeen).toBe('RUNNING');
    // and the servers show their DRS job and recovery instance, the timeline the whole stream
    const database = page.getByTestId('servers-Database');
    await database.getByText(/^drsjob-/).first().waitFor();
    await database.getByText(/^i-[0-9a-f]{17}$/).first().waitFor();
    const timeline = page.getByTestId('timeline');
    await timeline.getByText('Execution completed in').waitFor();
    // (the runbook asks the latest 200 events: this drill has fewer, so all of them, from its start, and nothing earlier to show)
    const coverage = timeline.getByTestId('timeline-coverage');
    expect(await coverage.getAttribute('data-complete')).toBe('true');
    const shown = Number((/^Showing all (\d+) events\.$/.exec((await coverage.innerText()).trim()) ?? [])[1]);
    expect(shown).toBeGreaterThan(10);
    expect(shown).toBeLessThan(200);
    expect(await timeline.getByRole('button', { name: 'Show earlier events' }).count()).toBe(0);
    await timeline.getByLabel('Filter events').fill('ExecutionStarted');
    await timeline.getByRole('cell', { name: 'ExecutionStarted', exact: true }).waitFor();
    await timeline.getByLabel('Filter events').fill('');
    await screenshot(page, 'runbook-completed');

    // when the admin cleans the finished drill up
    await page.getByRole('button', { name: 'Clean up' }).click();
    // then the cleanup completes, live, and nothing is left to clean up
    await statusOf('cleanup-status', 'COMPLETED');
    expect(await page.getByRole('button', { name: 'Clean up' }).isDisabled()).toBe(true);
  });

  it('waits for an approval step, takes the decision inline and goes on', async () => {
    // given a plan whose App wave asks for an approval first, over the demo's groups
    const { protectionGroups } = await ok<{ protectionGroups: { items: { id: string; name: string }[] } }>(`{ protectionGroups { items { id name } } }`);
    const group = (name: string) => protectionGroups.items.find((g) => g.name === name)?.id;
    const created = await ok<{ createRecoveryPlan: { id: string } }>(
      `mutation($input: CreateRecoveryPlanInput!) { createRecoveryPlan(input: $input) { id } }`,
      {
        input: {
          name: APPROVAL_PLAN,
          waves: [
            { name: 'Database', protectionGroupIds: [group('Database')] },
            { name: 'App', dependsOn: ['Database'], protectionGroupIds: [group('App')], preSteps: [{ type: 'APPROVAL', name: 'App sign-off', prompt: APPROVAL_PROMPT }] },
          ],
        },
      },
    );
    ran.approved = await startDrill(created.createRecoveryPlan.id);
    // when its runbook shows the approval pending
    await page.goto(`${url}/executions/${ran.approved}`);
    await page.getByRole('heading', { name: APPROVAL_PLAN, level: 1 }).waitFor();
    const approval = page.locator('[data-testid^="approval-"]').filter({ hasText: APPROVAL_PROMPT });
    await approval.waitFor();
    await statusOf('wave-node-Database', 'COMPLETED');
    await statusOf('wave-node-App', 'RUNNING');
    await screenshot(page, 'runbook-approval-pending');
    // and the admin approves it with a comment
    await approval.getByLabel('Comment').fill('Checked with the App team');
    await approval.getByRole('button', { name: 'Approve' }).click();
    // then the drill goes on and completes, and the approval is recorded as granted
    await statusOf('execution-status', 'COMPLETED');
    await statusOf('wave-node-App', 'COMPLETED', 5_000);
    const approvals = page.getByTestId('approvals');
    await approvals.getByText('Granted').waitFor();
    await approvals.getByText('Checked with the App team').waitFor();
    expect(await page.locator('[data-testid^="approval-"]').count()).toBe(0);

    // and once cleaned up, the next drill may run
    await page.getByRole('button', { name: 'Clean up' }).click();
    await statusOf('cleanup-status', 'COMPLETED');
  });

  it('cancels a running drill with "terminate recovery instances" and sees its cleanup complete', async () => {
    // given a drill of the approval plan held at its approval step, its Database servers launched
    ran.cancelled = await startDrill(await planIdOf(APPROVAL_PLAN));
    await page.goto(`${url}/executions/${ran.cancelled}`);
    await page.locator('[data-testid^="approval-"]').waitFor();
    await statusOf('wave-Database', 'COMPLETED');
    // (pause and resume come and go with the state)
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await statusOf('execution-status', 'PAUSED');
    await page.getByRole('button', { name: 'Resume' }).click();
    await statusOf('execution-status', 'RUNNING');
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    // when the admin cancels it, keeping "Terminate recovery instances" checked
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this drill?' });
    await dialog.getByLabel('Reason').fill('Drill window closed');
    const terminate = dialog.getByRole('checkbox', { name: /Terminate recovery instances/ });
    expect(await terminate.isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel execution' }).click();
    // then it ends cancelled, the approval is withdrawn and the cleanup (started by the cancel) completes
    await statusOf('execution-status', 'CANCELLED');
    await statusOf('cleanup-status', 'COMPLETED');
    await page.getByTestId('drill-cleanup').getByText('Cancel with terminate instances').waitFor();
    await page.getByTestId('approvals').getByText('Withdrawn').waitFor();
    await page.getByTestId('timeline').getByText('Cancel requested, recovery instances to be terminated: Drill window closed').waitFor();
    await screenshot(page, 'runbook-cancelled');
  });

  it('lists the runs newest first in the history and compares two side by side', async () => {
    // given the history page
    await page.goto(`${url}/executions`);
    const history = page.getByTestId('execution-history');
    for (const id of [ran.demo, ran.approved, ran.cancelled]) await history.getByText(id).waitFor();
    const rows = await history.locator('tbody tr').allInnerTexts();
    const order = [ran.cancelled, ran.approved, ran.demo].map((id) => rows.findIndex((row) => row.includes(id)));
    expect(order).toEqual([0, 1, 2]);
    // when the completed and the cancelled approval drills are selected and compared
    await history.getByRole('checkbox', { name: `Compare ${APPROVAL_PLAN} ${ran.approved}` }).click();
    await history.getByRole('checkbox', { name: `Compare ${APPROVAL_PLAN} ${ran.cancelled}` }).click();
    await page.getByRole('button', { name: 'Compare runs' }).click();
    // then both runs are shown side by side, wave by wave
    const compare = page.getByTestId('compare-runs');
    await compare.getByText(ran.approved).waitFor();
    await compare.getByText(ran.cancelled).waitFor();
    await compare.getByRole('table', { name: 'Waves compared' }).getByText('App').waitFor();
    await screenshot(page, 'execution-history');
    // and filtering by mode and status narrows the list on the server
    await page.getByRole('button', { name: 'Statuses' }).click();
    await page.getByRole('option', { name: 'Cancelled' }).click();
    await page.keyboard.press('Escape');
    await history.getByText(ran.demo).waitFor({ state: 'detached' });
    await history.getByText(ran.cancelled).waitFor();
    expect(await history.getByText(ran.approved).count()).toBe(0);
  });

  it('shows the latest 200 events of a longer stream and the earlier ones on demand', async () => {
    // given a drill held at its approval step, paused and resumed until its stream is over 200 events long
    const id = await startDrill(await planIdOf(APPROVAL_PLAN));
    await page.goto(`${url}/executions/${id}`);
    await page.locator('[data-testid^="approval-"]').waitFor();
    for (let i = 0; i < 110; i++) {
      await ok(`mutation($id: ID!) { pauseExecution(id: $id) { id } }`, { id });
      await ok(`mutation($id: ID!) { resumeExecution(id: $id) { id } }`, { id });
    }
    const { execution } = await ok<{ execution: { version: number } }>(`query($id: ID!) { execution(id: $id) { version } }`, { id });
    expect(execution.version).toBeGreaterThan(220);
    // when its runbook is opened afresh
    await page.goto(`${url}/executions/${id}`);
    const timeline = page.getByTestId('timeline');
    const coverage = timeline.getByTestId('timeline-coverage');
    // then the timeline holds the latest 200 events and says so, with the earlier ones a click away
    await coverage.getByText(`Showing the latest 200 of the ${execution.version} events.`).waitFor();
    expect(await coverage.getAttribute('data-complete')).toBe('false');
    await timeline.getByText(`(200 of ${execution.version})`).waitFor();
    await screenshot(page, 'runbook-latest-events');
    // and "Show earlier events" prepends the rest, from version 1, and goes away
    await timeline.getByRole('button', { name: 'Show earlier events' }).click();
    await coverage.getByText(`Showing all ${execution.version} events.`).waitFor();
    expect(await timeline.getByRole('button', { name: 'Show earlier events' }).count()).toBe(0);
    await timeline.getByLabel('Filter events').fill('ExecutionStarted');
    await timeline.getByRole('cell', { name: 'ExecutionStarted', exact: true }).waitFor();
    await screenshot(page, 'runbook-earlier-events');
    await timeline.getByLabel('Filter events').fill('');
    // (the drill's instances are terminated, as every drill of this suite's is)
    await ok(`mutation($id: ID!) { cancelExecution(id: $id, terminateInstances: true) { id } }`, { id });
  });
});
