import { describe, expect, it } from '@jest/globals';
import type { PickerServer } from './api.js';
import { availabilityOf, previewInput } from './membership.js';

const server = (patch: Partial<PickerServer>): PickerServer => ({
  id: 's-00000000000000001',
  hostname: 'fileserver-1',
  os: 'WINDOWS',
  tags: [],
  replicationState: 'CONTINUOUS',
  readyForRecovery: true,
  notReadyReason: null,
  protectionGroup: null,
  ...patch,
});

describe('availabilityOf', () => {
  it('tells a free server, a member of the group being edited, one held by another group, and one not ready apart', () => {
    expect(availabilityOf(server({}), undefined)).toEqual({ kind: 'available' });
    expect(availabilityOf(server({ protectionGroup: { id: 'pg-1', name: 'Web' } }), 'pg-1')).toEqual({ kind: 'this-group' });
    expect(availabilityOf(server({ protectionGroup: { id: 'pg-1', name: 'Web' } }), undefined)).toEqual({ kind: 'assigned', groupId: 'pg-1', groupName: 'Web' });
    expect(availabilityOf(server({ protectionGroup: { id: 'pg-1', name: null } }), 'pg-2')).toEqual({ kind: 'assigned', groupId: 'pg-1', groupName: 'pg-1' });
    expect(availabilityOf(server({ readyForRecovery: false, replicationState: 'STALLED', notReadyReason: 'replication stalled' }), undefined)).toEqual({ kind: 'not-ready', reason: 'replication stalled' });
  });

  it('says a server held by another group is assigned even when it is not ready: it cannot be chosen either way', () => {
    expect(availabilityOf(server({ readyForRecovery: false, protectionGroup: { id: 'pg-1', name: 'ERP' } }), undefined).kind).toBe('assigned');
  });
});

describe('previewInput', () => {
  it('sends only the complete tag rows of a selector being typed, and drops empty selectors', () => {
    expect(
      previewInput({
        accountId: '123456789012',
        region: 'us-east-1',
        sourceServerIds: [],
        tagSelectors: [{ tags: [{ key: ' App ', value: 'Monitoring' }, { key: 'Tier', value: '' }] }, { tags: [{ key: '', value: 'x' }] }],
      }),
    ).toEqual({ accountId: '123456789012', region: 'us-east-1', sourceServerIds: [], tagSelectors: [{ tags: [{ key: 'App', value: 'Monitoring' }] }] });
  });
});
