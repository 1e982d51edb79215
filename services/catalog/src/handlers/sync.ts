import type { Context, ScheduledEvent } from 'aws-lambda';
import type { SyncResult } from '../inventory-sync.js';
import { runSync } from '../config.js';

/** The scheduled full sync of DRS source servers (serverless.yml: `schedule: rate(5 minutes)`). */
export const handler = async (_event: ScheduledEvent, _context?: Context): Promise<SyncResult> => {
  const result = await runSync({ type: 'system', id: 'lifeboat-catalog-sync', name: 'scheduled DRS sync' });
  console.info(JSON.stringify({ level: 'INFO', message: 'DRS sync done', ...result }));
  return result;
};
