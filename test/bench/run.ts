/**
 * `npm run bench`: how close Lifeboat gets to what DRS allows, measured against the local stack
 * and the DRS simulator (issue 9). Prints one table and writes the same figures as JSON.
 *
 *   npm run bench                        every figure at full size (under 10 minutes on 2 cores)
 *   npm run bench -- --smoke             tiny sizes: checks every figure works (npm test runs it)
 *   npm run bench -- --only a,b          some figures (ids: see FIGURES)
 *   npm run bench -- --json <file>       where the JSON goes (default test/bench/results.json, git-ignored)
 *   npm run bench -- --time-scale <s>    the DRS simulator's clock scale (default 0.01: a 5-minute launch takes 3 s)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PartialFigureError, formatTable, machine, targetMet } from './support/bench.js';
import type { BenchContext, BenchFigure, BenchRow } from './support/bench.js';
import { waveTransitionFigure } from './figures/wave-transition.js';
import { quotaSaturationFigure } from './figures/quota-saturation.js';
import { graphqlLatencyFigure } from './figures/graphql-latency.js';
import { subscriptionLatencyFigure } from './figures/subscription-latency.js';
import { eventStoreFigure } from './figures/event-store.js';
import { lambdaBundlesFigure } from './figures/lambda-bundles.js';

/** In the order of issue 9 (figure 3, DRS calls per launched server, comes from the quota-saturation runs). */
export const FIGURES: readonly BenchFigure[] = [waveTransitionFigure, quotaSaturationFigure, graphqlLatencyFigure, subscriptionLatencyFigure, eventStoreFigure, lambdaBundlesFigure];

interface Options {
  smoke: boolean;
  only?: string[];
  jsonFile: string;
  drsTimeScale: number;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { smoke: false, jsonFile: path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json'), drsTimeScale: 0.01 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--smoke') options.smoke = true;
    else if (arg === '--only') options.only = value().split(',').map((id) => id.trim());
    else if (arg === '--json') options.jsonFile = path.resolve(value());
    else if (arg === '--time-scale') options.drsTimeScale = Number(value());
    else throw new Error(`unknown option ${arg}`);
  }
  const unknown = (options.only ?? []).filter((id) => !FIGURES.some((f) => f.id === id));
  if (unknown.length > 0) throw new Error(`unknown figure ${unknown.join(', ')} (figures: ${FIGURES.map((f) => f.id).join(', ')})`);
  if (!(options.drsTimeScale > 0)) throw new Error('--time-scale must be a positive number');
  return options;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const host = machine();
  const context: BenchContext = { smoke: options.smoke, cores: host.cores, drsTimeScale: options.drsTimeScale, log: (line) => process.stderr.write(`[bench] ${line}\n`) };
  const figures = FIGURES.filter((f) => !options.only || options.only.includes(f.id));
  const started = Date.now();
  const rows: BenchRow[] = [];
  const runs: { id: string; title: string; seconds: number; error?: string }[] = [];
  for (const figure of figures) {
    const figureStarted = Date.now();
    context.log(`${figure.title}…`);
    try {
      rows.push(...(await figure.run(context)));
      runs.push({ id: figure.id, title: figure.title, seconds: (Date.now() - figureStarted) / 1000 });
    } catch (error) {
      if (error instanceof PartialFigureError) rows.push(...error.rows);
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      context.log(`${figure.id} failed: ${message}`);
      runs.push({ id: figure.id, title: figure.title, seconds: (Date.now() - figureStarted) / 1000, error: message });
    }
  }
  const wallClockSeconds = (Date.now() - started) / 1000;
  const header =
    `Lifeboat bench${options.smoke ? ' (smoke: tiny sizes, figures not meaningful)' : ''}: ${host.cores} cores (${host.cpu}), Node ${host.node}, ` +
    `DRS simulator clock scale ${options.drsTimeScale} (a 5-minute launch takes ${(300 * options.drsTimeScale).toFixed(1)} s)`;
  process.stdout.write(`\n${header}\n\n${formatTable(rows)}\n\n`);
  for (const run of runs) process.stdout.write(`${run.id.padEnd(22)} ${run.seconds.toFixed(1).padStart(7)} s${run.error ? `  FAILED: ${run.error.split('\n')[0]}` : ''}\n`);
  const document = {
    machine: host,
    drsTimeScale: options.drsTimeScale,
    smoke: options.smoke,
    wallClockSeconds,
    figures: runs,
    rows: rows.map((row) => ({ ...row, met: targetMet(row) ?? null })),
  };
  fs.mkdirSync(path.dirname(options.jsonFile), { recursive: true });
  fs.writeFileSync(options.jsonFile, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`\nJSON: ${options.jsonFile} (the whole run took ${wallClockSeconds.toFixed(1)} s)\n`);
  // A missed target is a figure to report, not a failure; a figure that could not run is.
  if (runs.some((run) => run.error)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
