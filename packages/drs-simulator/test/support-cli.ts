/** Runs `npm run sim` (src/cli.ts) as a child process, for the CLI tests. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(process.cwd());
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const cli = join(root, 'packages', 'drs-simulator', 'src', 'cli.ts');
const children: ChildProcessWithoutNullStreams[] = [];

export function runCli(args: string[]) {
  const child = spawn(process.execPath, [tsx, cli, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const exitCode = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // A CLI that does not exit fails this test in seconds (and is killed), never hangs the suite.
  const exited = (timeoutMs = 15_000): Promise<number | null> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the CLI did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
    });
    return Promise.race([exitCode, timeout]).finally(() => clearTimeout(timer));
  };
  const waitFor = async (what: string, test: (out: string) => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!test(stdout)) {
      if (child.exitCode !== null) throw new Error(`the CLI exited (${child.exitCode}) before ${what}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout: ${stdout}; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, exited, waitFor, out: () => stdout, err: () => stderr };
}


/** Kills every CLI still running (call from afterAll). */
export function killClis(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
