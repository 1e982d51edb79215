/**
 * What every browser test needs: the local stack serving the built console (one per test file),
 * Chromium through playwright-core, signing in, and screenshots kept as artifacts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { ROOT, startStackProcess } from '../../support/local-stack-process.js';
import type { RunningStack } from '../../support/local-stack-process.js';

export type { RunningStack };

export const ADMIN_PASSWORD = 'e2e-admin-password';

/** Where screenshots go: $LIFEBOAT_E2E_ARTIFACTS, else test/e2e/artifacts (git-ignored). */
export const ARTIFACTS_DIR = path.resolve(process.env.LIFEBOAT_E2E_ARTIFACTS ?? path.join(ROOT, 'test/e2e/artifacts'));

/** Builds packages/web/dist when it is older than its sources (once per run: the e2e project's globalSetup). */
export function ensureConsoleBuilt(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'packages/web/scripts/ensure-built.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

/**
 * The local stack, started as `npm start` does, with the demo seeded, serving its own copy of the
 * built console: a rebuild meanwhile (another test file, an engineer's edit) replaces dist's hashed
 * chunks, and a page of this stack must still load the ones its index.html names.
 */
export async function startConsoleStack(options: { env?: Record<string, string> } = {}): Promise<{ url: string; stack: RunningStack }> {
  const dist = path.join(ROOT, 'packages/web/dist');
  if (!fs.existsSync(path.join(dist, 'index.html'))) ensureConsoleBuilt();
  const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-e2e-console-'));
  fs.cpSync(dist, webDir, { recursive: true });
  const stack = await startStackProcess({ adminPassword: ADMIN_PASSWORD, env: { LIFEBOAT_WEB_DIR: webDir, ...options.env } });
  return {
    url: stack.url,
    stack: {
      ...stack,
      stop: async () => {
        await stack.stop();
        fs.rmSync(webDir, { recursive: true, force: true });
      },
    },
  };
}

export const CHROMIUM_PATH = process.env.LIFEBOAT_CHROMIUM ?? '/usr/bin/chromium';

export async function openBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** Signs in through the console's sign-in page and waits for the shell (the user menu names the user). */
export async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: `User menu of ${username}` }).waitFor({ timeout: 15_000 });
}

/** Signs out through the user menu and waits for the sign-in page. */
export async function signOut(page: Page, username: string): Promise<void> {
  await page.getByRole('button', { name: `User menu of ${username}` }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByLabel('User name').waitFor();
}

/** Saves a full-page PNG as an artifact of the run; answers its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^a-zA-Z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
