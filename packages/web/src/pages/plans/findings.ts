/** Validation findings as the builder lists them: errors first, each named after the wave or field at fault. */
import type { PlanFinding } from './api.js';

const SEVERITY_ORDER = { ERROR: 0, WARNING: 1, INFO: 2 } as const;

export function sortFindings(findings: readonly PlanFinding[]): PlanFinding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

/** `Wave "App" · dependsOn[0]` for `waves[1].dependsOn[0]`, "Plan name" for `name`, the path otherwise. */
export function whereLabel(field: string, waveNames: readonly string[]): string {
  const wave = /^waves\[(\d+)\](.*)$/.exec(field);
  if (wave) {
    const name = waveNames[Number(wave[1])];
    const rest = (wave[2] ?? '').replace(/^\./, '');
    return `Wave ${name?.trim() ? `"${name.trim()}"` : Number(wave[1]) + 1}${rest ? ` · ${rest}` : ''}`;
  }
  if (field === '') return 'Plan';
  if (field === 'name') return 'Plan name';
  return field;
}
