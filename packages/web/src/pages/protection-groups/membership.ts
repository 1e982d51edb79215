/** Where a server stands for the group being edited, and the part of a definition the live preview sends. */
import type { PickerServer, Tag } from './api.js';

export type Availability = { kind: 'available' } | { kind: 'this-group' } | { kind: 'assigned'; groupId: string; groupName: string } | { kind: 'not-ready'; reason: string };

/** Where a server stands for the group being edited (`groupId`: the group itself, when editing). */
export function availabilityOf(server: PickerServer, groupId: string | undefined): Availability {
  if (server.protectionGroup && server.protectionGroup.id !== groupId) {
    return { kind: 'assigned', groupId: server.protectionGroup.id, groupName: server.protectionGroup.name ?? server.protectionGroup.id };
  }
  if (!server.readyForRecovery) return { kind: 'not-ready', reason: server.notReadyReason ?? server.replicationState };
  if (server.protectionGroup) return { kind: 'this-group' };
  return { kind: 'available' };
}

export interface PreviewDefinition {
  id?: string;
  accountId: string;
  region: string;
  sourceServerIds: string[];
  tagSelectors: { tags: Tag[] }[];
}

/** Only complete tag rows count while a selector is being typed. */
export function previewInput(definition: PreviewDefinition): PreviewDefinition {
  const tagSelectors = definition.tagSelectors
    .map((s) => ({ tags: s.tags.map((t) => ({ key: t.key.trim(), value: t.value })).filter((t) => t.key !== '' && t.value !== '') }))
    .filter((s) => s.tags.length > 0);
  return { ...(definition.id ? { id: definition.id } : {}), accountId: definition.accountId, region: definition.region, sourceServerIds: definition.sourceServerIds, tagSelectors };
}
