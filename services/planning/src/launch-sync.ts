import type { LaunchSyncTask } from './domain/launch-settings.js';
import { launchCallsOf } from './domain/launch-settings.js';
import type { LaunchSettingsPort, PlanningStore } from './ports.js';

/**
 * Errors that retrying cannot mend: the server or its launch template is gone, or DRS refuses the
 * settings. The server is skipped (and logged) so that the other servers of the batch go on.
 */
const PERMANENT = new Set([
  'ResourceNotFoundException',
  'ValidationException',
  'UninitializedAccountException',
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateId.Malformed',
  'InvalidLaunchTemplateId.VersionNotFound',
  'InvalidSubnetID.NotFound',
  'InvalidGroup.NotFound',
  'InvalidParameterValue',
  'LaunchTemplateNotFound',
]);

export function isPermanentLaunchError(error: unknown): boolean {
  return error instanceof Error && (PERMANENT.has(error.name) || PERMANENT.has((error as { Code?: string }).Code ?? ''));
}

export interface LaunchSyncDeps {
  store: Pick<PlanningStore, 'getGroups'>;
  launch: LaunchSettingsPort;
  log: (level: 'info' | 'warn', message: string, detail: Record<string, unknown>) => void;
}

/**
 * Brings each server of the tasks in line with its group as the group is now (DRS launch
 * configuration, EC2 launch template, post-launch actions). Calls are idempotent, so a retried
 * batch does no harm. Throws on a transient error (the batch is retried); skips, and logs, a
 * server whose error is permanent.
 */
export async function applyLaunchTasks(deps: LaunchSyncDeps, tasks: readonly LaunchSyncTask[]): Promise<{ applied: number; skipped: { sourceServerId: string; error: string }[] }> {
  const groups = await deps.store.getGroups([...new Set(tasks.map((t) => t.protectionGroupId))]);
  let applied = 0;
  const skipped: { sourceServerId: string; error: string }[] = [];
  for (const task of tasks) {
    for (const calls of launchCallsOf(task, groups.get(task.protectionGroupId))) {
      try {
        await deps.launch.apply({ accountId: task.accountId, region: task.region }, calls);
        applied++;
      } catch (error) {
        if (!isPermanentLaunchError(error)) throw error;
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        skipped.push({ sourceServerId: calls.sourceServerId, error: message });
        deps.log('warn', 'launch settings not applied', { protectionGroupId: task.protectionGroupId, accountId: task.accountId, region: task.region, sourceServerId: calls.sourceServerId, error: message });
      }
    }
  }
  return { applied, skipped };
}
