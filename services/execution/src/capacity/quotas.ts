/**
 * The DRS launch quotas of one account and region (Service Quotas, service code `drs`). Lifeboat
 * keeps every execution within them, so DRS never has to refuse a launch for quota.
 */
export interface DrsLaunchQuotas {
  /** Max source servers in a single job (L-B827C881). */
  serversPerJob: number;
  /** Concurrent jobs in progress (L-D88FAC3A). */
  concurrentJobs: number;
  /** Max source servers in all active jobs (L-05AFA8C6). */
  serversInActiveJobs: number;
}

export const DEFAULT_DRS_LAUNCH_QUOTAS: Readonly<DrsLaunchQuotas> = { serversPerJob: 100, concurrentJobs: 20, serversInActiveJobs: 500 };

/**
 * The quotas from configuration (EXECUTION_DRS_QUOTAS, JSON): an account whose quotas were raised,
 * or a simulator with lowered ones. Absent or empty: DRS's defaults.
 */
export function parseLaunchQuotas(json: string | undefined): DrsLaunchQuotas {
  if (!json || !json.trim()) return { ...DEFAULT_DRS_LAUNCH_QUOTAS };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(`EXECUTION_DRS_QUOTAS is not JSON: ${json}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('EXECUTION_DRS_QUOTAS must be a JSON object');
  const quotas = { ...DEFAULT_DRS_LAUNCH_QUOTAS };
  for (const [key, value] of Object.entries(parsed)) {
    if (!(key in quotas)) throw new Error(`EXECUTION_DRS_QUOTAS: unknown quota ${key} (known: ${Object.keys(quotas).join(', ')})`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Error(`EXECUTION_DRS_QUOTAS: ${key} must be a positive integer`);
    quotas[key as keyof DrsLaunchQuotas] = value;
  }
  if (quotas.serversPerJob > quotas.serversInActiveJobs) throw new Error('EXECUTION_DRS_QUOTAS: serversPerJob cannot exceed serversInActiveJobs');
  return quotas;
}
