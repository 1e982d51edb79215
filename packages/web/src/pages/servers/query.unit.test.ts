import { describe, expect, it } from '@jest/globals';
import { filterOfView, formatBytes, isFiltered, paramsFromView, viewFromParams } from './query.js';

describe('the Source servers view in the URL', () => {
  it('reads every filter and the sort from the query string', () => {
    // given the dashboard's link to the stalled servers of one group, newest hostnames first
    const view = viewFromParams(new URLSearchParams('search=%20erp%20&account=123456789012&region=us-east-1&replicationState=STALLED&ready=false&group=g-1&sort=desc'));
    // then the view and the gateway's filter say the same
    expect(view).toEqual({ search: ' erp ', accountId: '123456789012', region: 'us-east-1', replicationState: 'STALLED', ready: false, group: 'g-1', descending: true });
    expect(filterOfView(view)).toEqual({ search: 'erp', accountId: '123456789012', region: 'us-east-1', replicationState: 'STALLED', ready: false, protectionGroupId: 'g-1' });
  });

  it('asks for the servers in no group with `unassigned`', () => {
    expect(filterOfView(viewFromParams(new URLSearchParams('group=none')))).toEqual({ unassigned: true });
  });

  it('leaves out what is not set, and ignores blank and unknown values', () => {
    const view = viewFromParams(new URLSearchParams('search=%20%20&ready=maybe&account='));
    expect(filterOfView(view)).toEqual({});
    expect(isFiltered(view)).toBe(false);
    expect(view.descending).toBe(false);
  });

  it('writes back what it read', () => {
    const query = 'search=erp&account=123456789012&region=us-east-1&replicationState=STALLED&ready=true&group=none&sort=desc';
    expect(paramsFromView(viewFromParams(new URLSearchParams(query))).toString()).toBe(query);
    expect(paramsFromView(viewFromParams(new URLSearchParams(''))).toString()).toBe('');
  });
});

describe('formatBytes', () => {
  it('uses binary units with one decimal below ten', () => {
    expect(formatBytes(null)).toBe('-');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(20 * 1024 ** 3)).toBe('20 GiB');
  });
});
