import type { InventoryRecord, InventoryServer } from '../domain/inventory.js';
import { serverOf, supersedes } from '../domain/inventory.js';
import type { ServerLaunchCalls } from '../domain/launch-settings.js';
import type { Membership, ProtectionGroup } from '../domain/protection-group.js';
import type { InventoryStore, LaunchSettingsPort, OutboxEntry, PlanningStore, StoredPlanVersion, Write } from '../ports.js';
import { GroupGoneError, GroupInUseError, NameTakenError, ServersTakenError, StaleWriteError } from '../ports.js';

const copy = <T>(value: T): T => structuredClone(value);

interface State {
  groups: Map<string, { group: ProtectionGroup; planUses: number }>;
  memberships: Map<string, Membership>;
  names: Map<string, { name: string; ownerId: string }>;
  plans: Map<string, Map<number, StoredPlanVersion>>;
  outbox: OutboxEntry[];
}

/**
 * The in-memory twin of DynamoPlanningStore, with the same conditions: every write of a commit is
 * checked against the state before it, then all are applied, or none.
 */
export class InMemoryPlanningStore implements PlanningStore {
  private state: State = { groups: new Map(), memberships: new Map(), names: new Map(), plans: new Map(), outbox: [] };
  /** Called before each commit is checked (tests use it to change the state in between). */
  beforeCommit: (() => void) | undefined;

  /** Every outbox entry committed so far, oldest first. */
  get outbox(): readonly OutboxEntry[] {
    return this.state.outbox;
  }

  async listGroups(): Promise<ProtectionGroup[]> {
    return [...this.state.groups.values()].map(({ group }) => copy(group));
  }

  async getGroups(protectionGroupIds: readonly string[]): Promise<Map<string, ProtectionGroup>> {
    const found = new Map<string, ProtectionGroup>();
    for (const id of protectionGroupIds) {
      const entry = this.state.groups.get(id);
      if (entry) found.set(id, copy(entry.group));
    }
    return found;
  }

  async membershipsOf(sourceServerIds: readonly string[]): Promise<Membership[]> {
    return [...new Set(sourceServerIds)].flatMap((id) => {
      const membership = this.state.memberships.get(id);
      return membership ? [{ ...membership }] : [];
    });
  }

  async getPlanVersion(planId: string, version?: number): Promise<StoredPlanVersion | undefined> {
    const versions = this.state.plans.get(planId);
    if (!versions) return undefined;
    const number = version ?? Math.max(...versions.keys());
    const found = versions.get(number);
    return found ? copy(found) : undefined;
  }

  async planVersions(planId: string): Promise<StoredPlanVersion[]> {
    return [...(this.state.plans.get(planId)?.values() ?? [])].sort((a, b) => a.version - b.version).map(copy);
  }

  async latestPlanVersions(): Promise<StoredPlanVersion[]> {
    return [...this.state.plans.keys()].map((planId) => {
      const versions = this.state.plans.get(planId) as Map<number, StoredPlanVersion>;
      return copy(versions.get(Math.max(...versions.keys())) as StoredPlanVersion);
    });
  }

  /** How many latest plan versions use a group (for tests). */
  planUsesOf(protectionGroupId: string): number | undefined {
    return this.state.groups.get(protectionGroupId)?.planUses;
  }

  async commit(writes: readonly Write[]): Promise<void> {
    this.beforeCommit?.();
    const before = this.state;
    const next: State = copy(before);
    const taken: string[] = [];
    const owners: Membership[] = [];
    const failures: Error[] = [];
    for (const write of writes) {
      switch (write.type) {
        case 'createGroup':
          if (before.groups.has(write.group.protectionGroupId)) failures.push(new StaleWriteError(`Protection group ${write.group.protectionGroupId} exists already`));
          next.groups.set(write.group.protectionGroupId, { group: copy(write.group), planUses: next.groups.get(write.group.protectionGroupId)?.planUses ?? 0 });
          break;
        case 'updateGroup': {
          const current = before.groups.get(write.group.protectionGroupId);
          if (!current) failures.push(new GroupGoneError(write.group.protectionGroupId));
          else if (current.group.revision !== write.expectedRevision) failures.push(new StaleWriteError(`Protection group ${write.group.protectionGroupId} changed meanwhile (revision ${current.group.revision})`));
          next.groups.set(write.group.protectionGroupId, { group: copy(write.group), planUses: next.groups.get(write.group.protectionGroupId)?.planUses ?? 0 });
          break;
        }
        case 'deleteGroup': {
          const current = before.groups.get(write.protectionGroupId);
          if (!current) failures.push(new StaleWriteError(`Protection group ${write.protectionGroupId} no longer exists`));
          else if (current.planUses > 0) failures.push(new GroupInUseError(write.protectionGroupId));
          else if (current.group.revision !== write.expectedRevision) failures.push(new StaleWriteError(`Protection group ${write.protectionGroupId} changed meanwhile`));
          next.groups.delete(write.protectionGroupId);
          break;
        }
        case 'groupUse': {
          if (!before.groups.has(write.protectionGroupId) && !writes.some((w) => w.type === 'createGroup' && w.group.protectionGroupId === write.protectionGroupId)) failures.push(new GroupGoneError(write.protectionGroupId));
          const entry = next.groups.get(write.protectionGroupId);
          if (entry) entry.planUses += write.delta;
          break;
        }
        case 'claimServer': {
          const current = before.memberships.get(write.sourceServerId);
          if (current) {
            taken.push(write.sourceServerId);
            owners.push({ ...current });
          }
          next.memberships.set(write.sourceServerId, { sourceServerId: write.sourceServerId, protectionGroupId: write.protectionGroupId });
          break;
        }
        case 'releaseServer':
          if (before.memberships.get(write.sourceServerId)?.protectionGroupId !== write.protectionGroupId) failures.push(new StaleWriteError(`${write.sourceServerId} no longer belongs to protection group ${write.protectionGroupId}`));
          next.memberships.delete(write.sourceServerId);
          break;
        case 'claimName': {
          const current = before.names.get(write.key);
          if (current && current.ownerId !== write.ownerId) failures.push(new NameTakenError(write.key));
          next.names.set(write.key, { name: write.name, ownerId: write.ownerId });
          break;
        }
        case 'releaseName': {
          const current = before.names.get(write.key);
          if (current && current.ownerId !== write.ownerId) failures.push(new StaleWriteError(`The name ${write.key} changed owner meanwhile`));
          next.names.delete(write.key);
          break;
        }
        case 'putPlanVersion': {
          const versions = next.plans.get(write.version.planId) ?? new Map<number, StoredPlanVersion>();
          if (before.plans.get(write.version.planId)?.has(write.version.version)) failures.push(new StaleWriteError(`Version ${write.version.version} of recovery plan ${write.version.planId} was written meanwhile`));
          versions.set(write.version.version, copy(write.version));
          next.plans.set(write.version.planId, versions);
          break;
        }
        case 'outbox':
          next.outbox.push(copy(write.entry));
          break;
        default: {
          const unknown: never = write;
          throw new Error(`Unknown write ${JSON.stringify(unknown)}`);
        }
      }
    }
    if (taken.length > 0) throw new ServersTakenError(taken, owners);
    if (failures[0]) throw failures[0];
    this.state = next;
  }
}

/** The in-memory twin of DynamoInventoryStore. */
export class InMemoryInventoryStore implements InventoryStore {
  private readonly records = new Map<string, InventoryRecord>();

  async apply(record: InventoryRecord): Promise<boolean> {
    if (!supersedes(record, this.records.get(record.sourceServerId))) return false;
    this.records.set(record.sourceServerId, copy(record));
    return true;
  }

  /** Sets live servers directly (tests). */
  put(...servers: InventoryServer[]): void {
    for (const server of servers) this.records.set(server.sourceServerId, { removed: false, position: '', ...copy(server) });
  }

  async getMany(sourceServerIds: readonly string[]): Promise<Map<string, InventoryServer>> {
    const found = new Map<string, InventoryServer>();
    for (const id of sourceServerIds) {
      const server = serverOf(this.records.get(id));
      if (server) found.set(id, copy(server));
    }
    return found;
  }

  async listSite(accountId: string, region: string): Promise<InventoryServer[]> {
    return [...this.records.values()].flatMap((record) => {
      const server = serverOf(record);
      return server && server.accountId === accountId && server.region === region ? [copy(server)] : [];
    });
  }
}

/** Records the launch calls instead of making them. */
export class RecordingLaunchSettings implements LaunchSettingsPort {
  readonly calls: { accountId: string; region: string; calls: ServerLaunchCalls }[] = [];
  async apply(site: { accountId: string; region: string }, calls: ServerLaunchCalls): Promise<void> {
    this.calls.push({ ...site, calls: copy(calls) });
  }
}
