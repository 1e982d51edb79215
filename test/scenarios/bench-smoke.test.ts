/**
 * `npm run bench -- --smoke`, as npm test runs it: every figure of the bench at tiny sizes, through
 * the local stacks it starts. Checks that each figure produced its rows with finite values and that
 * the table names the cores and the simulator's clock; never a timing (figures are read by people
 * from `npm run bench`, not asserted).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, jest } from '@jest/globals';
import { ROOT } from '../support/local-stack-process.js';

jest.setTimeout(300_000);

interface BenchDocument {
  machine: { cores: number };
  smoke: boolean;
  figures: { id: string; error?: string }[];
  rows: { figure: string; metric: string; value: number; unit: string; met: boolean | null }[];
}

describe('npm run bench -- --smoke', () => {
  it('runs every figure at tiny sizes and reports each with finite values, the cores and the clock scale', async () => {
    const jsonFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-bench-smoke-')), 'results.json');
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'test/bench/run.ts'), '--smoke', '--json', jsonFile], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const document = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as BenchDocument;

    expect(document.figures.filter((f) => f.error)).toEqual([]);
    expect(document.figures.map((f) => f.id)).toEqual(['wave-transition', 'quota-saturation', 'graphql-latency', 'subscription-latency', 'event-store', 'lambda-bundles']);
    const figuresReported = new Set(document.rows.map((r) => r.figure.split(' ')[0]));
    expect([...figuresReported].sort()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(document.rows.filter((r) => !Number.isFinite(r.value)).map((r) => `${r.figure} / ${r.metric}`)).toEqual([]);
    expect(document.smoke).toBe(true);
    expect(stdout).toContain(`${os.cpus().length} cores`);
    expect(stdout).toMatch(/DRS simulator clock scale [0-9.]+/);
    for (const row of document.rows) expect(stdout).toContain(row.metric);
  });
});
