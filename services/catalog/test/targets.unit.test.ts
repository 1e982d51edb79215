import { describe, expect, it } from '@jest/globals';
import { parseTargetInput, parseTargetUpdate, syncTargetsOf } from '../src/domain/targets.js';

const HOME = { accountId: '123456789012', region: 'us-east-1' };
const SPOKE = '210987654321';
const ROLE = `arn:aws:iam::${SPOKE}:role/dr/LifeboatCatalog`;

describe('target accounts', () => {
  it('syncs the account Lifeboat runs in by default, then every region of every configured account', () => {
    expect(syncTargetsOf([], HOME)).toEqual([HOME]);
    expect(syncTargetsOf([{ accountId: SPOKE, regions: ['eu-west-1', 'us-west-2'], roleArn: ROLE, externalId: 'x-1' }], HOME)).toEqual([
      HOME,
      { accountId: SPOKE, region: 'eu-west-1', roleArn: ROLE, externalId: 'x-1' },
      { accountId: SPOKE, region: 'us-west-2', roleArn: ROLE, externalId: 'x-1' },
    ]);
  });

  it('lets an Admin configure the account Lifeboat runs in (its regions, no role needed), replacing the default', () => {
    const parsed = parseTargetInput({ accountId: HOME.accountId, regions: ['us-east-1', 'us-west-2'] }, HOME);
    expect(parsed).toEqual({ ok: true, target: { accountId: HOME.accountId, regions: ['us-east-1', 'us-west-2'] } });
    expect(parsed.ok && syncTargetsOf([parsed.target], HOME)).toEqual([HOME, { accountId: HOME.accountId, region: 'us-west-2' }]);
  });

  it('refuses a role of another account, an external id without a role, and unknown fields', () => {
    const parsed = parseTargetInput({ accountId: SPOKE, regions: ['eu-west-1'], roleArn: 'arn:aws:iam::111122223333:role/X', colour: 'red' }, HOME);
    expect(!parsed.ok && parsed.problems).toEqual([
      { field: 'colour', message: 'is not a field of a target account' },
      { field: 'roleArn', message: `must be a role of account ${SPOKE}` },
    ]);
    const noRole = parseTargetInput({ accountId: HOME.accountId, regions: ['us-east-1'], externalId: 'x-1' }, HOME);
    expect(!noRole.ok && noRole.problems.map((p) => p.field)).toEqual(['externalId']);
    expect(parseTargetInput(null, HOME)).toMatchObject({ ok: false });
    expect(parseTargetInput({ accountId: SPOKE, regions: [], roleArn: ROLE }, HOME)).toMatchObject({ ok: false, problems: [{ field: 'regions' }] });
  });

  it('updates only the given fields; externalId null removes it', () => {
    const current = { accountId: SPOKE, regions: ['eu-west-1'], roleArn: ROLE, externalId: 'x-1' };
    expect(parseTargetUpdate({ accountId: SPOKE, regions: ['eu-west-1', 'eu-central-1'] }, current, HOME)).toEqual({ ok: true, target: { ...current, regions: ['eu-west-1', 'eu-central-1'] } });
    expect(parseTargetUpdate({ accountId: SPOKE, externalId: null }, current, HOME)).toEqual({ ok: true, target: { accountId: SPOKE, regions: ['eu-west-1'], roleArn: ROLE } });
    expect(parseTargetUpdate({ accountId: SPOKE, roleArn: '' }, current, HOME)).toMatchObject({ ok: false, problems: [{ field: 'roleArn' }, { field: 'externalId' }] });
  });
});
