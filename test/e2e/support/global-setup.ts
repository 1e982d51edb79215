/**
 * Once per jest run of the e2e project: the console is built (skipped when dist is up to date).
 * Jest loads this file on its own (not as a test module): it imports only Node's built-ins.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function globalSetup(_globalConfig: unknown, projectConfig: { rootDir: string }): void {
  const root = projectConfig.rootDir;
  execFileSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'packages/web/scripts/ensure-built.ts')], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    // Jest sets NODE_ENV=test, which would make Vite bundle React's development build.
    env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'production' },
  });
}
