import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-scenario-'));
}

export interface RunningStack {
  url: string;
  port: number;
  dataDir: string;
  output: () => string;
  drsUrl: string;
  stop: () => Promise<void>;
  /** Kills the process without letting it shut down (a crash). */
  kill: () => Promise<void>;
}

/**
 * Starts the local stack exactly as `npm start` does (same entry point, same environment
 * variables), in a child process, and waits for the line that prints its URL.
 */
export async function startStackProcess(options: { dataDir?: string; port?: number; adminPassword?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunningStack> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? tempDataDir();
  // LIFEBOAT_STACK_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, profiles the stack: Node
  // refuses --cpu-prof in NODE_OPTIONS, and tsx's CLI would start the stack in a process of its own.
  const nodeArgs = (process.env.LIFEBOAT_STACK_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const entry = nodeArgs.length > 0 ? [...nodeArgs, '--import', 'tsx'] : [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs')];
  const child: ChildProcess = spawn(process.execPath, [...entry, path.join(ROOT, 'packages/local/src/main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      LIFEBOAT_PORT: String(port),
      LIFEBOAT_DATA_DIR: dataDir,
      LIFEBOAT_DRS_TIME_SCALE: '0.002',
      ...(options.adminPassword ? { LIFEBOAT_ADMIN_PASSWORD: options.adminPassword } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  while (!/Lifeboat is running at/.test(output)) {
    if (child.exitCode !== null) throw new Error(`The local stack exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The local stack did not start in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const drsUrl = /DRS simulator\s+(http:\/\/\S+)/.exec(output)?.[1] ?? '';
  return {
    url: `http://localhost:${port}`,
    port,
    dataDir,
    drsUrl,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      // tsx runs the stack in a child process of its own and cannot relay SIGKILL: kill the whole tree.
      if (child.exitCode === null && child.pid) for (const pid of descendantPids(child.pid)) killQuietly(pid);
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The ids of a process's descendants (from `ps`), children before grandchildren. */
export function descendantPids(pid: number): number[] {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((row): row is [number, number] => row.length === 2 && row.every(Number.isInteger));
  const found: number[] = [];
  for (let i = -1; i < found.length; i++) {
    const parent = i < 0 ? pid : found[i];
    for (const [child, ppid] of rows) if (ppid === parent) found.push(child);
  }
  return found;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export async function login(url: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { idToken: string }).idToken;
}

export interface GraphQLResult<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

export async function graphql<T>(url: string, token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResult<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResult<T>;
}

/** Polls until `check` returns a value, or fails with the last value seen. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await check().catch((error: unknown) => {
      last = error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${timeoutMs} ms (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
