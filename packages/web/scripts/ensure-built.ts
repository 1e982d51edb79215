/**
 * Builds the console (vite build into packages/web/dist) unless dist is newer than every source
 * file, so that `npm start` on a fresh clone serves the React console and a second start costs
 * nothing. `--always` builds anyway (npm test). Quiet: only Vite's warnings and one line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const INPUTS = ['src', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];

function newestMtime(entry: string): number {
  if (!fs.existsSync(entry)) return 0;
  const stat = fs.statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

/** Whether dist is missing or older than any input of the build. */
export function consoleBuildIsStale(webDir: string = WEB_DIR): boolean {
  const built = path.join(webDir, 'dist', 'index.html');
  if (!fs.existsSync(built)) return true;
  const builtAt = fs.statSync(built).mtimeMs;
  return INPUTS.some((input) => newestMtime(path.join(webDir, input)) > builtAt);
}

export async function buildConsole(webDir: string = WEB_DIR): Promise<void> {
  const { build } = await import('vite');
  await build({ root: webDir, logLevel: 'warn', configFile: path.join(webDir, 'vite.config.ts') });
}

async function main(): Promise<void> {
  const always = process.argv.includes('--always');
  if (!always && !consoleBuildIsStale()) return;
  const started = Date.now();
  await buildConsole();
  process.stdout.write(`[lifeboat] built the console into packages/web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`[lifeboat] could not build the console: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
