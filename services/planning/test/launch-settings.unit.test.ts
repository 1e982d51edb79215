import { describe, expect, it } from '@jest/globals';
import type { PostLaunchActionView } from '@lifeboat/service-api';
import type { LaunchGroup, LaunchSyncTask } from '../src/domain/launch-settings.js';
import { effectiveSettings, launchActionName, launchCallsOf } from '../src/domain/launch-settings.js';
import { serverId } from './support/fixtures.js';

const action = (id: string, documentName: string, order = 100): PostLaunchActionView => ({ actionId: id, documentName, documentVersion: '$DEFAULT', parameters: [], optional: true, category: 'OTHER', description: '', order });
const a1 = action('00000000-0000-4000-8000-000000000001', 'Lifeboat-Check');
const a2 = action('00000000-0000-4000-8000-000000000002', 'Lifeboat-Warmup', 101);

const group: LaunchGroup = {
  protectionGroupId: 'pg-1',
  sourceServerIds: [serverId(1), serverId(2)],
  launchDefaults: { subnetId: 'subnet-0123456789abcdef0', copyTags: true, launchDisposition: 'STARTED' },
  serverLaunchOverrides: [{ sourceServerId: serverId(2), instanceType: 'r5.large', subnetId: 'subnet-00000000000000001' }],
  postLaunchActions: [a1],
};
const task = (servers: number[], actionIds: string[] = []): LaunchSyncTask => ({ protectionGroupId: 'pg-1', accountId: '123456789012', region: 'us-east-1', sourceServerIds: servers.map(serverId), actionIds });

describe('what DRS is told for each server of a launch-settings task', () => {
  it('gives a member the group’s defaults overridden by its own settings, and the group’s actions', () => {
    expect(launchCallsOf(task([1, 2]), group)).toEqual([
      {
        sourceServerId: serverId(1),
        configuration: { copyTags: true, launchDisposition: 'STARTED', postLaunchEnabled: true },
        template: { subnetId: 'subnet-0123456789abcdef0' },
        putActions: [a1],
        deleteActionIds: [],
      },
      {
        sourceServerId: serverId(2),
        // An instance type in the launch template holds only if DRS does not right-size.
        configuration: { copyTags: true, launchDisposition: 'STARTED', targetInstanceTypeRightSizingMethod: 'NONE', postLaunchEnabled: true },
        template: { subnetId: 'subnet-00000000000000001', instanceType: 'r5.large' },
        putActions: [a1],
        deleteActionIds: [],
      },
    ]);
  });

  it('removes from members the actions the group no longer has', () => {
    const [call] = launchCallsOf(task([1], [a1.actionId, a2.actionId]), group);
    expect(call?.deleteActionIds).toEqual([a2.actionId]);
  });

  it('removes every action of the group from a server that left it, and leaves its launch configuration', () => {
    expect(launchCallsOf(task([3], [a2.actionId]), group)).toEqual([{ sourceServerId: serverId(3), putActions: [], deleteActionIds: [a2.actionId, a1.actionId] }]);
  });

  it('removes the actions of a deleted group', () => {
    expect(launchCallsOf(task([1, 2], [a1.actionId]), undefined)).toEqual([
      { sourceServerId: serverId(1), putActions: [], deleteActionIds: [a1.actionId] },
      { sourceServerId: serverId(2), putActions: [], deleteActionIds: [a1.actionId] },
    ]);
  });

  it('asks nothing of DRS for a group without settings or actions', () => {
    expect(launchCallsOf(task([1]), { ...group, launchDefaults: {}, serverLaunchOverrides: [], postLaunchActions: [] })).toEqual([]);
  });

  it('merges settings and makes DRS action names from document names', () => {
    expect(effectiveSettings({ copyTags: true, copyPrivateIp: false }, [{ sourceServerId: serverId(1), copyPrivateIp: true }], serverId(1))).toEqual({ copyTags: true, copyPrivateIp: true });
    expect(launchActionName('arn:aws:ssm:us-east-1:123456789012:document/My-Doc')).toBe('arn-aws-ssm-us-east-1-123456789012-document/My-Doc');
    expect(launchActionName('-odd')).toBe('A-odd');
  });
});
