/**
 * What every bench figure shares: the row it reports, the context it runs in, percentiles and the
 * printed table. A figure measures; it never asserts on a timing (the smoke test only checks that
 * each figure produced its rows).
 */
import os from 'node:os';

/** A target a figure is read against: the value must be at most (or at least) this. */
export interface BenchTarget {
  op: '<=' | '>=';
  value: number;
}

/** One printed line of the table, and one entry of the JSON. */
export interface BenchRow {
  /** The figure's number and name in issue 9, e.g. "1 wave-transition latency". */
  figure: string;
  metric: string;
  value: number;
  unit: string;
  target?: BenchTarget;
  /** What the value is made of or what limits it, briefly. */
  note?: string;
  /** The DRS simulator's clock scale the figure ran at, when the simulator's clock matters to it. */
  clockScale?: number;
}

export interface BenchContext {
  /** Tiny sizes: checks that the figure works, in seconds. */
  smoke: boolean;
  cores: number;
  /** The DRS simulator's clock scale the stacks of this run use (a 5-minute launch takes 300 s × scale). */
  drsTimeScale: number;
  /** Progress lines (stderr), so that a long run shows where it is. */
  log(line: string): void;
}

export interface BenchFigure {
  /** Short id for --only, e.g. "wave-transition". */
  id: string;
  title: string;
  run(context: BenchContext): Promise<BenchRow[]>;
}

/** A figure that measured some of its rows before it failed: the rows are printed, the run fails. */
export class PartialFigureError extends Error {
  override readonly name = 'PartialFigureError';
  constructor(message: string, readonly rows: readonly BenchRow[]) {
    super(message);
  }
}

/** The nearest-rank percentile of ascending values (NaN when there are none). */
export function percentile(ascending: readonly number[], p: number): number {
  if (ascending.length === 0) return Number.NaN;
  const index = Math.min(ascending.length - 1, Math.max(0, Math.ceil((p / 100) * ascending.length) - 1));
  return ascending[index] ?? Number.NaN;
}

/** p50, p95 and p99 (and the count) of samples, in their unit. */
export function distribution(samples: readonly number[]): { count: number; p50: number; p95: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

export function targetMet(row: BenchRow): boolean | undefined {
  if (!row.target || !Number.isFinite(row.value)) return undefined;
  return row.target.op === '<=' ? row.value <= row.target.value : row.value >= row.target.value;
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The table as printed: figure, metric, value with its unit, target, whether it is met. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = [
    ['figure', 'metric', 'value', 'target', 'met', 'DRS clock'],
    ...rows.map((row) => {
      const met = targetMet(row);
      return [
        row.figure,
        row.metric,
        `${formatValue(row.value)} ${row.unit}`.trim(),
        row.target ? `${row.target.op} ${formatValue(row.target.value)} ${row.unit}`.trim() : '',
        met === undefined ? '' : met ? 'yes' : 'NO',
        row.clockScale === undefined ? '' : `x${row.clockScale}`,
      ];
    }),
  ];
  const widths = cells[0]?.map((_, column) => Math.max(...cells.map((line) => line[column]?.length ?? 0))) ?? [];
  const lines = cells.map((line) => line.map((cell, column) => (column === 2 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  const notes = rows.filter((row) => row.note).map((row) => `  ${row.figure} / ${row.metric}: ${row.note}`);
  return [...lines, ...(notes.length > 0 ? ['', 'notes:', ...notes] : [])].join('\n');
}

export function machine(): { cores: number; cpu: string; memoryGb: number; node: string; platform: string } {
  const cpus = os.cpus();
  return { cores: cpus.length, cpu: cpus[0]?.model ?? 'unknown', memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}` };
}
