/** Reads a fleet from a YAML or JSON file (I/O kept apart from the pure fleet model). */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { FleetError, parseFleet, type Fleet } from './fleet.js';

export async function loadFleetFile(path: string): Promise<Fleet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FleetError([`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  let value: unknown;
  try {
    value = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new FleetError([`cannot parse ${path}: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return parseFleet(value);
}
