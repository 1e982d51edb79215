import { drsLaunchSettings, log, planningStore } from '../config.js';
import { applyLaunchTasks } from '../launch-sync.js';
import type { OutboxStreamEvent } from '../outbox/outbox.js';
import { launchTasksOf } from '../outbox/outbox.js';

/**
 * lifeboat-planning-<stage>-launchSettings: the second consumer of the outbox stream. Applies the
 * launch settings and post-launch actions of protection groups in DRS for the servers whose group
 * or settings changed. Transient errors fail the batch (retried, then sent to the DLQ).
 */
export const handler = async (event: OutboxStreamEvent): Promise<void> => {
  const tasks = launchTasksOf(event);
  if (tasks.length === 0) return;
  const result = await applyLaunchTasks({ store: planningStore(), launch: drsLaunchSettings(), log }, tasks);
  log('info', 'applied launch settings', { tasks: tasks.length, ...result });
};
