import type { Context, ScheduledEvent } from 'aws-lambda';
import type { SyncResult } from '../inventory-sync.js';
import { runSync } from '../config.js';

/** The scheduled full sync of DRS source servers (serverless.yml: `schedule: rate(5 minutes)`). */
export const handler = async (_event: ScheduledEvent, _context?: Context): Promise<SyncResult> => {
  const result = await runSync({ type: 'system', id: 'lifeboat-catalog-sync', name: 'scheduled DRS sync' });
  const failed = result.targets.filter((t) => t.status === 'FAILED');
  // A failed account or region is recorded as its sync status and logged; the others went on.
  console.info(JSON.stringify({ level: failed.length > 0 ? 'WARN' : 'INFO', message: 'DRS sync done', discovered: result.discovered, changed: result.changed, removed: result.removed, targets: result.targets.length, failed }));
  return result;
};
