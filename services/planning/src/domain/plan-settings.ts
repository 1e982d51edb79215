import type { DrillNetworkIsolation, FieldProblem, NotificationTarget, RecoveryPlanSettings } from '@lifeboat/service-api';
import { isRecord, optionalBoolean, optionalEnum, optionalInteger, optionalList, optionalString } from './checks.js';

/** Plan-level settings: RTO target, drill settings, notification targets, second approver. */

export const DRILL_NETWORK_ISOLATIONS: readonly DrillNetworkIsolation[] = ['ISOLATED_VPC', 'CUSTOM_SUBNET'];
export const NOTIFICATION_TYPES: readonly NotificationTarget['type'][] = ['SNS_TOPIC', 'EMAIL', 'WEBHOOK'];
export const MAX_NOTIFICATION_TARGETS = 20;

const SUBNET_ID = /^subnet-[0-9a-fA-F]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-fA-F]{8,17}$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
const ADDRESS_RULES: Record<NotificationTarget['type'], { pattern: RegExp; what: string }> = {
  SNS_TOPIC: { pattern: SNS_TOPIC_ARN, what: 'an SNS topic ARN' },
  EMAIL: { pattern: EMAIL, what: 'an e-mail address' },
  WEBHOOK: { pattern: /^https:\/\/[^\s]{3,2000}$/, what: 'an https URL' },
};

const KEYS = ['rtoTargetMinutes', 'drill', 'notificationTargets', 'requireSecondApprover'];

export function parsePlanSettings(value: unknown, problems: FieldProblem[]): RecoveryPlanSettings {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problems.push({ field: 'settings', message: 'must be an object' });
    return {};
  }
  for (const key of Object.keys(value)) if (!KEYS.includes(key)) problems.push({ field: `settings.${key}`, message: `is not a plan setting (${KEYS.join(', ')})` });
  const settings: RecoveryPlanSettings = {};
  const rto = optionalInteger(value.rtoTargetMinutes, 'settings.rtoTargetMinutes', problems, 1, 10_080);
  if (rto !== undefined) settings.rtoTargetMinutes = rto;

  if (value.drill !== undefined) {
    const drill = value.drill;
    if (!isRecord(drill)) problems.push({ field: 'settings.drill', message: 'must be an object with networkIsolation' });
    else {
      const isolation = optionalEnum(drill.networkIsolation, 'settings.drill.networkIsolation', problems, DRILL_NETWORK_ISOLATIONS);
      if (drill.networkIsolation === undefined) problems.push({ field: 'settings.drill.networkIsolation', message: `is required (${DRILL_NETWORK_ISOLATIONS.join(', ')})` });
      const subnetId = optionalString(drill.subnetId, 'settings.drill.subnetId', problems, { pattern: SUBNET_ID, what: 'a subnet id (subnet-…)' });
      if (isolation === 'CUSTOM_SUBNET' && drill.subnetId === undefined) problems.push({ field: 'settings.drill.subnetId', message: 'is required with CUSTOM_SUBNET' });
      if (isolation === 'ISOLATED_VPC' && drill.subnetId !== undefined) problems.push({ field: 'settings.drill.subnetId', message: "is Lifeboat's drill VPC with ISOLATED_VPC: leave it out, or choose CUSTOM_SUBNET" });
      const securityGroupIds: string[] = [];
      optionalList(drill.securityGroupIds, 'settings.drill.securityGroupIds', problems, 16, 'security groups').forEach((id, i) => {
        const valid = optionalString(id, `settings.drill.securityGroupIds[${i}]`, problems, { pattern: SECURITY_GROUP_ID, what: 'a security group id (sg-…)' });
        if (valid !== undefined && !securityGroupIds.includes(valid)) securityGroupIds.push(valid);
      });
      const ttl = optionalInteger(drill.autoCleanupAfterHours, 'settings.drill.autoCleanupAfterHours', problems, 1, 168);
      if (isolation !== undefined) {
        settings.drill = {
          networkIsolation: isolation,
          ...(subnetId !== undefined ? { subnetId } : {}),
          ...(securityGroupIds.length > 0 ? { securityGroupIds } : {}),
          ...(ttl !== undefined ? { autoCleanupAfterHours: ttl } : {}),
        };
      }
    }
  }

  if (value.notificationTargets !== undefined) {
    const targets: NotificationTarget[] = [];
    optionalList(value.notificationTargets, 'settings.notificationTargets', problems, MAX_NOTIFICATION_TARGETS, 'targets').forEach((item, i) => {
      const at = `settings.notificationTargets[${i}]`;
      if (!isRecord(item)) {
        problems.push({ field: at, message: 'must be an object with type and address' });
        return;
      }
      const type = optionalEnum(item.type, `${at}.type`, problems, NOTIFICATION_TYPES);
      if (item.type === undefined) problems.push({ field: `${at}.type`, message: `is required (${NOTIFICATION_TYPES.join(', ')})` });
      if (type === undefined) return;
      const address = typeof item.address === 'string' && ADDRESS_RULES[type].pattern.test(item.address) ? item.address : undefined;
      if (address === undefined) problems.push({ field: `${at}.address`, message: `must be ${ADDRESS_RULES[type].what}` });
      else if (targets.some((t) => t.type === type && t.address === address)) problems.push({ field: at, message: `${address} is listed twice` });
      else targets.push({ type, address });
    });
    settings.notificationTargets = targets;
  }

  const second = optionalBoolean(value.requireSecondApprover, 'settings.requireSecondApprover', problems);
  if (second !== undefined) settings.requireSecondApprover = second;
  return settings;
}
