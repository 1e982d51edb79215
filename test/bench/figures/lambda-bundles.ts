/**
 * Figure 7 of issue 9, Lambda bundles: the zipped size of every function as `serverless package`
 * builds it (osls with serverless-esbuild, offline), for every services/<name>/serverless.yml.
 * Target: each at most 1 MB, small enough for sub-second cold starts (ARCHITECTURE §6).
 *
 * Each service is packaged to a folder of its own under the OS's temporary folder (`--package`),
 * whose serverless-state.json names each function's artifact: its own zip when the service is
 * packaged individually, else the service's one zip that all its functions share.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext, BenchFigure, BenchRow } from '../support/bench.js';

const FIGURE = '7 lambda bundles';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** node_modules/.bin/serverless points at it (the osls fork). */
const SERVERLESS_CLI = path.join(ROOT, 'node_modules/osls/bin/serverless.js');
const STAGE = 'bench';
const MAX_KB = 1024;
const PACKAGE_TIMEOUT_MS = 180_000;
/** Smoke: one service, still packaged for real. */
const SMOKE_SERVICES = ['gateway'];

interface PackagedFunction {
  service: string;
  name: string;
  zipBytes: number;
  files: number;
  unzippedBytes: number;
  /** Functions sharing this zip (1 when packaged individually). */
  sharedBy: number;
}

/** What the figure reads of .serverless/serverless-state.json. */
interface ServerlessState {
  package?: { artifact?: string };
  service?: { functions?: Record<string, { package?: { artifact?: string } }> };
}

/** The services with a serverless.yml, by folder name. */
function servicesWithServerlessYml(): string[] {
  const dir = path.join(ROOT, 'services');
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'serverless.yml')))
    .map((entry) => entry.name)
    .sort();
}

/** `serverless package --stage bench --package <out>` in the service's folder; throws with its output when it fails. */
function packageService(service: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [SERVERLESS_CLI, 'package', '--stage', STAGE, '--package', out],
      {
        cwd: path.join(ROOT, 'services', service),
        timeout: PACKAGE_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', FORCE_COLOR: '0' },
      },
      (error, stdout, stderr) => {
        if (!error) return resolve();
        const output = `${stdout}\n${stderr}`.trim();
        reject(new Error(`serverless package of services/${service} failed${error.killed ? ` (timed out after ${PACKAGE_TIMEOUT_MS} ms)` : ` (exit ${String(error.code)})`}:\n${output}`));
      },
    );
  });
}

/** Files and their uncompressed bytes, from the zip's central directory. */
function zipContents(file: string): { files: number; unzippedBytes: number } {
  const zip = fs.readFileSync(file);
  // The end-of-central-directory record is in the last 22 bytes plus at most a 64 KB comment.
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) !== 0x06054b50) continue;
    const files = zip.readUInt16LE(at + 10);
    let entry = zip.readUInt32LE(at + 16);
    let unzippedBytes = 0;
    for (let i = 0; i < files; i++) {
      if (zip.readUInt32LE(entry) !== 0x02014b50) throw new Error(`${file}: central directory entry ${i} is corrupt`);
      unzippedBytes += zip.readUInt32LE(entry + 24);
      entry += 46 + zip.readUInt16LE(entry + 28) + zip.readUInt16LE(entry + 30) + zip.readUInt16LE(entry + 32);
    }
    return { files, unzippedBytes };
  }
  throw new Error(`${file} is not a zip file`);
}

/** Each function of a packaged service and the zip it deploys. */
function functionsOf(service: string, out: string): PackagedFunction[] {
  const stateFile = path.join(out, 'serverless-state.json');
  if (!fs.existsSync(stateFile)) throw new Error(`serverless package of services/${service} wrote no serverless-state.json in ${out}`);
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as ServerlessState;
  const functions = Object.entries(state.service?.functions ?? {});
  if (functions.length === 0) throw new Error(`services/${service}/serverless.yml packaged no function`);
  // Artifacts are named relative to the service folder (.serverless/<name>.zip); --package put them in `out`.
  const artifactOf = (fn: { package?: { artifact?: string } }) => fn.package?.artifact ?? state.package?.artifact;
  const sharing = new Map<string, number>();
  for (const [, fn] of functions) {
    const artifact = artifactOf(fn);
    if (artifact) sharing.set(path.basename(artifact), (sharing.get(path.basename(artifact)) ?? 0) + 1);
  }
  return functions.map(([name, fn]) => {
    const artifact = artifactOf(fn);
    if (!artifact) throw new Error(`services/${service}: function ${name} has no artifact in serverless-state.json`);
    const file = path.join(out, path.basename(artifact));
    if (!fs.existsSync(file)) throw new Error(`services/${service}: the artifact of ${name}, ${path.basename(artifact)}, is not in ${out}`);
    return { service, name, zipBytes: fs.statSync(file).size, ...zipContents(file), sharedBy: sharing.get(path.basename(artifact)) ?? 1 };
  });
}

const kb = (bytes: number): number => Number((bytes / 1024).toFixed(1));

export const lambdaBundlesFigure: BenchFigure = {
  id: 'lambda-bundles',
  title: 'Lambda bundles: zipped size of every function (serverless package)',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const services = context.smoke ? SMOKE_SERVICES : servicesWithServerlessYml();
    if (services.length === 0) throw new Error('no services/*/serverless.yml to package');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-bench-bundles-'));
    try {
      const packaged = new Map<string, PackagedFunction[]>();
      const queue = [...services];
      // One packaging per core: each is mostly esbuild's and the framework's CPU.
      const worker = async (): Promise<void> => {
        for (let service = queue.shift(); service; service = queue.shift()) {
          const out = path.join(root, service);
          context.log(`lambda-bundles: serverless package services/${service}`);
          await packageService(service, out);
          packaged.set(service, functionsOf(service, out));
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(context.cores, services.length)) }, worker));

      const functions = services.flatMap((service) => packaged.get(service) ?? []);
      const rows: BenchRow[] = functions.map((fn) => ({
        figure: FIGURE,
        metric: `${fn.service}/${fn.name}`,
        value: kb(fn.zipBytes),
        unit: 'KB',
        target: { op: '<=', value: MAX_KB },
        ...(fn.sharedBy > 1 ? { note: `the service's one package, shared by its ${fn.sharedBy} functions (not packaged individually)` } : {}),
      }));
      const largest = functions.reduce((a, b) => (b.zipBytes > a.zipBytes ? b : a));
      const over = functions.filter((fn) => fn.zipBytes > MAX_KB * 1024).length;
      rows.push({
        figure: FIGURE,
        metric: `largest: ${largest.service}/${largest.name}`,
        value: kb(largest.zipBytes),
        unit: 'KB',
        target: { op: '<=', value: MAX_KB },
        note: `${largest.files} file${largest.files === 1 ? '' : 's'}, ${kb(largest.unzippedBytes).toLocaleString('en-US')} KB unzipped; ${functions.length} functions of ${services.length} service${services.length === 1 ? '' : 's'}, ${over} over ${MAX_KB.toLocaleString('en-US')} KB`,
      });
      return rows;
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  },
};
