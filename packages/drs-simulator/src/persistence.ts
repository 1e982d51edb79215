/**
 * The simulator's state on disk: a snapshot plus an append-only journal, so that a restarted
 * process (after a crash or a SIGKILL included) continues where the last one stopped.
 *
 * - `<file>` is a snapshot: every record, written to `<file>.tmp`, fsynced, renamed over `<file>`
 *   (and the directory fsynced). It carries a generation number.
 * - `<file>.journal` holds one JSON line per save: the records changed since the previous save
 *   (`r`) and the ones removed (`d`), tagged with the snapshot's generation (`g`). A save appends
 *   one line, so its cost follows what changed, not the size of the state. A durable save (what a
 *   caller is told about) also fsyncs it; the others (progress, event bookkeeping) are only
 *   written: they survive a killed process, and the next fsync covers them too.
 * - Compaction writes a new snapshot (next generation) and truncates the journal: when the journal
 *   outgrows `compactBytes`, after a restore (which also drops a torn last line) and after a reset.
 *   A crash between the rename and the truncation is harmless: lines of an older generation are
 *   ignored.
 *
 * The state is a set of records (key → JSON value) contributed by parts: the DRS core (`core/...`)
 * and the HTTP edge (`edge/...`). Each part knows which of its records changed; the store only
 * writes them. Records of a part not registered yet (the edge is created after the core) are kept
 * as they were loaded until it registers, so a snapshot in between loses nothing.
 */
import fs from 'node:fs';
import path from 'node:path';

export const STATE_FORMAT = 'lifeboat-drs-simulator-state';
export const STATE_VERSION = 1;
/** The files hold issued (simulated) session credentials: readable by their owner only. */
const FILE_MODE = 0o600;

/** What a part changed since its last save. */
export interface StateChanges {
  upserts: [string, unknown][];
  deletes: string[];
}

/** A contributor of records (keys without the part's prefix). */
export interface StatePart {
  /** Every record, in the order they must be restored (for a snapshot). Marks them all saved. */
  all(): Iterable<[string, unknown]>;
  /** The records changed since the last call of `all` or `changes`; marks them saved. */
  changes(): StateChanges;
}

export interface StateStoreOptions {
  /** Compacts once the journal exceeds this many bytes. Default 8 MiB. */
  compactBytes?: number;
  /** Delay of the debounced saves (`saveSoon`). Default 50 ms. */
  debounceMs?: number;
  /** fsync durable saves and snapshots (default true). Without it a save survives a crash of the process, not of the machine. */
  fsync?: boolean;
  /** Where failed writes are reported (the simulator keeps running on its memory). Default: stderr. */
  onError?: (error: Error) => void;
}

interface SnapshotFile {
  format: string;
  version: number;
  generation: number;
  savedAt: string;
  records: Record<string, unknown>;
}

interface JournalLine {
  g: number;
  r?: Record<string, unknown>;
  d?: string[];
}

export class StateFileError extends Error {
  constructor(readonly file: string, message: string) {
    super(`DRS simulator state ${file}: ${message} (delete the file to start over from the fleet)`);
    this.name = 'StateFileError';
  }
}

/** Timings of the last operations, for measurements. */
export interface StateStoreStats {
  loads: number;
  saves: number;
  /** Time spent in saves and compactions so far. */
  totalMs: number;
  /** Bytes appended to the journal so far. */
  totalBytes: number;
  compactions: number;
  lastSaveMs: number;
  lastSaveBytes: number;
  lastCompactionMs: number;
  lastCompactionBytes: number;
  lastLoadMs: number;
}

export class StateStore {
  readonly journalFile: string;
  readonly stats: StateStoreStats = { loads: 0, saves: 0, totalMs: 0, totalBytes: 0, compactions: 0, lastSaveMs: 0, lastSaveBytes: 0, lastCompactionMs: 0, lastCompactionBytes: 0, lastLoadMs: 0 };
  private readonly parts = new Map<string, StatePart>();
  private orphans = new Map<string, unknown>();
  private generation = 0;
  private fd: number | undefined;
  private journalBytes = 0;
  private compactionDue = true;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private failing = false;
  private readonly compactBytes: number;
  private readonly debounceMs: number;
  private readonly fsync: boolean;
  private readonly onError: (error: Error) => void;

  constructor(readonly file: string, options: StateStoreOptions = {}) {
    this.journalFile = `${file}.journal`;
    this.compactBytes = options.compactBytes ?? 8 * 1024 * 1024;
    this.debounceMs = options.debounceMs ?? 50;
    this.fsync = options.fsync ?? true;
    this.onError = options.onError ?? ((error) => process.stderr.write(`[drs-simulator] could not save its state: ${error.message}\n`));
  }

  /**
   * The records of the snapshot with the journal applied, in order; undefined when there is no
   * snapshot yet. Throws StateFileError when the snapshot cannot be read.
   */
  load(): Map<string, unknown> | undefined {
    const started = performance.now();
    if (!fs.existsSync(this.file)) {
      // A journal without its snapshot (the snapshot was deleted to start over) must not apply to the new one.
      fs.rmSync(this.journalFile, { force: true });
      return undefined;
    }
    let snapshot: SnapshotFile;
    try {
      snapshot = JSON.parse(fs.readFileSync(this.file, 'utf8')) as SnapshotFile;
    } catch (error) {
      throw new StateFileError(this.file, `not readable JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (snapshot.format !== STATE_FORMAT || typeof snapshot.records !== 'object' || snapshot.records === null) {
      throw new StateFileError(this.file, `not a simulator state (format ${String(snapshot.format)})`);
    }
    if (snapshot.version !== STATE_VERSION) throw new StateFileError(this.file, `version ${snapshot.version}, this simulator reads version ${STATE_VERSION}`);
    this.generation = snapshot.generation;
    const records = new Map<string, unknown>(Object.entries(snapshot.records));
    if (fs.existsSync(this.journalFile)) {
      for (const text of fs.readFileSync(this.journalFile, 'utf8').split('\n')) {
        if (!text.trim()) continue;
        let line: JournalLine;
        try {
          line = JSON.parse(text) as JournalLine;
        } catch {
          continue; // the torn last line of a crash
        }
        if (line.g !== this.generation) continue; // written before the snapshot replaced it
        for (const [key, value] of Object.entries(line.r ?? {})) records.set(key, value);
        for (const key of line.d ?? []) records.delete(key);
      }
    }
    this.orphans = new Map(records);
    this.compactionDue = true;
    this.stats.loads++;
    this.stats.lastLoadMs = performance.now() - started;
    return records;
  }

  /** Adds a part (a later one with the same prefix replaces it); returns its loaded records (keys without the prefix). */
  register(prefix: string, part: StatePart): Map<string, unknown> {
    this.parts.set(prefix, part);
    const mine = new Map<string, unknown>();
    const head = `${prefix}/`;
    for (const [key, value] of this.orphans) {
      if (key.startsWith(head)) {
        mine.set(key.slice(head.length), value);
        this.orphans.delete(key);
      }
    }
    return mine;
  }

  /** The next save writes a full snapshot. */
  requestCompaction(): void {
    this.compactionDue = true;
  }

  /**
   * Writes what changed now, synchronously; `durable` (the default) also fsyncs: call it before
   * acknowledging a change. A non-durable save is written but not fsynced (it survives a killed
   * process; the next durable save or snapshot makes it durable too).
   */
  save(durable = true): void {
    if (this.closed) return;
    this.clearTimer();
    try {
      if (this.compactionDue || this.failing) {
        this.compact();
        return;
      }
      const started = performance.now();
      const upserts: Record<string, unknown> = {};
      const deletes: string[] = [];
      let changed = false;
      for (const [prefix, part] of this.parts) {
        const changes = part.changes();
        for (const [key, value] of changes.upserts) {
          upserts[`${prefix}/${key}`] = value;
          changed = true;
        }
        for (const key of changes.deletes) {
          deletes.push(`${prefix}/${key}`);
          changed = true;
        }
      }
      if (!changed) return;
      const line = `${JSON.stringify({ g: this.generation, r: upserts, ...(deletes.length > 0 ? { d: deletes } : {}) })}\n`;
      this.fd ??= fs.openSync(this.journalFile, 'a', FILE_MODE);
      fs.writeSync(this.fd, line);
      if (this.fsync && durable) fs.fsyncSync(this.fd);
      this.journalBytes += Buffer.byteLength(line);
      this.stats.saves++;
      this.stats.lastSaveMs = performance.now() - started;
      this.stats.lastSaveBytes = line.length;
      this.stats.totalMs += this.stats.lastSaveMs;
      this.stats.totalBytes += line.length;
      if (this.journalBytes > this.compactBytes) this.compact();
    } catch (error) {
      this.fail(error);
    }
  }

  /** Saves within `debounceMs` (for changes that a restart can safely redo). */
  saveSoon(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save(false);
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Writes a snapshot of every record and empties the journal. */
  compact(): void {
    if (this.closed) return;
    this.clearTimer();
    const started = performance.now();
    try {
      const records: Record<string, unknown> = {};
      for (const [key, value] of this.orphans) records[key] = value;
      for (const [prefix, part] of this.parts) {
        for (const [key, value] of part.all()) records[`${prefix}/${key}`] = value;
      }
      const generation = this.generation + 1;
      const text = JSON.stringify({ format: STATE_FORMAT, version: STATE_VERSION, generation, savedAt: new Date().toISOString(), records } satisfies SnapshotFile);
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      const out = fs.openSync(tmp, 'w', FILE_MODE);
      try {
        fs.writeSync(out, text);
        if (this.fsync) fs.fsyncSync(out);
      } finally {
        fs.closeSync(out);
      }
      fs.renameSync(tmp, this.file);
      if (this.fsync) syncDirectory(path.dirname(this.file));
      this.generation = generation;
      this.fd ??= fs.openSync(this.journalFile, 'a', FILE_MODE);
      fs.ftruncateSync(this.fd, 0);
      if (this.fsync) fs.fsyncSync(this.fd);
      this.journalBytes = 0;
      this.compactionDue = false;
      this.failing = false;
      this.stats.compactions++;
      this.stats.lastCompactionMs = performance.now() - started;
      this.stats.totalMs += this.stats.lastCompactionMs;
      this.stats.lastCompactionBytes = text.length;
    } catch (error) {
      this.fail(error);
    }
  }

  /** Stops saving (a pending debounced save is dropped: save first to keep it). */
  close(): void {
    this.clearTimer();
    this.closed = true;
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A failed write: the parts already forgot what changed, so the next save rewrites everything. */
  private fail(error: unknown): void {
    this.failing = true;
    this.onError(error instanceof Error ? error : new Error(String(error)));
  }
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // not supported on every platform
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
