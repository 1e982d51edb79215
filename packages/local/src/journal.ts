import fs from 'node:fs';

/**
 * The entries of a JSON-lines journal, oldest first ([] when there is none). A line that does not
 * parse is the torn last line of a crash mid-write: what it began never happened, so it is skipped.
 */
export function readJournal<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  const entries: T[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as T);
    } catch {
      // torn last line
    }
  }
  return entries;
}
