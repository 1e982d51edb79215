/** Shared by the persistence tests: temporary state files and "crash images" of them. */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new temporary folder (removed by `removeTempDirs`). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'drs-sim-state-'));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * What a SIGKILL leaves on disk at this instant: a copy of the state file and its journal in a
 * new folder (the running simulator keeps writing the originals). Returns the copy's state file.
 */
export function crashImage(stateFile: string): string {
  const target = join(tempDir(), 'state.json');
  copyFileSync(stateFile, target);
  if (existsSync(`${stateFile}.journal`)) copyFileSync(`${stateFile}.journal`, `${target}.journal`);
  return target;
}
