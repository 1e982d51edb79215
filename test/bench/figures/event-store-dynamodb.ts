/**
 * The event-store figure's DynamoDB: the project's local DynamoDB (dynalite behind the proxy that
 * adds transactions and streams, as `npm start` runs it) with exactly the tables of the execution
 * service's serverless.yml, in a process of its own, as DynamoDB is a service apart from the
 * Lambda that calls it: the figure's process runs only the store's own code (hashing, gzip,
 * JSON, the SDK). `startBenchDynamoDb()` starts it; this file is also that process's entry.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SERVERLESS_YML = path.join(ROOT, 'services/execution/serverless.yml');
const STAGE = 'bench';
/** Generous: the figure decides its drills (one core, seconds) while this process starts. */
const READY_TIMEOUT_MS = 120_000;

export interface BenchDynamoDb {
  endpoint: string;
  /** Table names by logical id (ExecutionEventsTable, ExecutionSnapshotsTable, ...). */
  tables: Record<string, string>;
  stop(): Promise<void>;
}

/** What the process prints on its first stdout line once its tables exist. */
interface ReadyLine {
  endpoint: string;
  tables: Record<string, string>;
}

/** Starts the DynamoDB process and waits for its tables; stop() ends it. */
export async function startBenchDynamoDb(): Promise<BenchDynamoDb> {
  // tsx as a loader, not its CLI: one process, which stop() (or a kill) ends for sure.
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the DynamoDB process was not ready within ${READY_TIMEOUT_MS} ms: ${stderr}`)), READY_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as ReadyLine);
      } catch {
        reject(new Error(`the DynamoDB process answered ${line}: ${stderr}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the DynamoDB process exited (${String(code)}) before it was ready: ${stderr}`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    endpoint: ready.endpoint,
    tables: ready.tables,
    async stop() {
      if (child.exitCode !== null) return;
      // Closing its stdin asks it to stop.
      child.stdin.end();
      const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killed);
    },
  };
}

/** The process: starts the tables, prints where they are, stops when its stdin closes. */
async function serve(): Promise<void> {
  const { startServiceDynamoDb } = await import('@lifeboat/testing');
  const db = await startServiceDynamoDb(SERVERLESS_YML, { stage: STAGE });
  const line: ReadyLine = { endpoint: db.endpoint, tables: db.tables };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  const stop = () => {
    void db.stop().finally(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  serve().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
