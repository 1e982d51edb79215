/**
 * STS over the query protocol (`Action=AssumeRole&Version=2011-06-15`), answering XML in the
 * 2011-06-15 namespace and errors as `<ErrorResponse><Error><Type>Sender</Type><Code>...`.
 * AssumeRole and GetCallerIdentity; the accounts and trust come from the AccountDirectory.
 */
import type { AccountDirectory, CallerIdentity } from '../accounts.js';
import { ProtocolError } from './common.js';
import { el, elAttrs, leaf, renderXml, type QueryParams, type XmlElement } from './xml.js';

export const STS_API_VERSION = '2011-06-15';
export const STS_NAMESPACE = `https://sts.amazonaws.com/doc/${STS_API_VERSION}/`;
export const STS_ACTIONS = ['AssumeRole', 'GetCallerIdentity'] as const;

export interface StsCall {
  identity: CallerIdentity;
  action: string;
  params: QueryParams;
  requestId: string;
}

export interface StsOutcome {
  body: string;
  /** AssumeRole: the account and principal the new credentials act as. */
  assumed?: { accountId: string; arn: string; accessKeyId: string };
}

const validation = (message: string) => new ProtocolError('ValidationError', message, 400);

function required(params: QueryParams, name: string, member: string): string {
  const value = params.get(name);
  if (value === undefined) throw validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

function optionalInteger(params: QueryParams, name: string, member: string): number | undefined {
  const raw = params.get(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n)) throw validation(`1 validation error detected: Value '${raw}' at '${member}' failed to satisfy constraint: Member must be an integer`);
  return n;
}

function response(action: string, requestId: string, result: XmlElement): string {
  return renderXml(elAttrs(`${action}Response`, { xmlns: STS_NAMESPACE }, result, el('ResponseMetadata', leaf('RequestId', requestId))));
}

/** Runs an STS action; throws ProtocolError with STS's codes. `denied` is the AssumeRole-denial fault for a role ARN. */
export function handleSts(accounts: AccountDirectory, call: StsCall, denied: (roleArn: string) => boolean): StsOutcome {
  const { params, identity } = call;
  switch (call.action) {
    case 'GetCallerIdentity':
      return {
        body: response(call.action, call.requestId, el('GetCallerIdentityResult',
          leaf('Arn', identity.arn), leaf('UserId', identity.userId), leaf('Account', identity.accountId))),
      };
    case 'AssumeRole': {
      const roleArn = required(params, 'RoleArn', 'roleArn');
      const roleSessionName = required(params, 'RoleSessionName', 'roleSessionName');
      const durationSeconds = optionalInteger(params, 'DurationSeconds', 'durationSeconds');
      const externalId = params.get('ExternalId');
      const sourceIdentity = params.get('SourceIdentity');
      const policy = params.get('Policy');
      const tags = params.indices('Tags.member').length;
      if (tags > 50) throw validation(`1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50`);
      if (policy !== undefined) {
        try {
          JSON.parse(policy);
        } catch {
          throw new ProtocolError('MalformedPolicyDocument', 'The policy is not in the valid JSON format.', 400);
        }
      }
      const deniedByFault = denied(roleArn);
      const result = accounts.assumeRole(identity, {
        roleArn,
        roleSessionName,
        ...(durationSeconds !== undefined ? { durationSeconds } : {}),
        ...(externalId !== undefined ? { externalId } : {}),
        ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
      }, deniedByFault);
      if (!result.ok) {
        const error = new ProtocolError(result.code, result.message, result.code === 'AccessDenied' ? 403 : 400);
        if (deniedByFault && result.code === 'AccessDenied') error.injected = 'assumeRoleDenied';
        throw error;
      }
      const c = result.credentials;
      const packed = policy !== undefined || tags > 0 ? Math.min(99, 1 + Math.ceil(((policy?.length ?? 0) + tags * 40) / 20)) : undefined;
      return {
        body: response(call.action, call.requestId, el('AssumeRoleResult',
          leaf('SourceIdentity', result.sourceIdentity),
          el('AssumedRoleUser', leaf('Arn', result.assumedRoleUser.arn), leaf('AssumedRoleId', result.assumedRoleUser.assumedRoleId)),
          el('Credentials',
            leaf('AccessKeyId', c.accessKeyId),
            leaf('SecretAccessKey', c.secretAccessKey),
            leaf('SessionToken', c.sessionToken),
            leaf('Expiration', c.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'))),
          leaf('PackedPolicySize', packed))),
        assumed: { accountId: result.assumedRoleUser.arn.split(':')[4] ?? '', arn: result.assumedRoleUser.arn, accessKeyId: c.accessKeyId },
      };
    }
    default:
      throw new ProtocolError('InvalidAction', `Could not find operation ${call.action} for version ${STS_API_VERSION}`, 400);
  }
}

/** STS's error document. */
export function stsErrorXml(error: ProtocolError, requestId: string): string {
  return renderXml(elAttrs('ErrorResponse', { xmlns: STS_NAMESPACE },
    el('Error', leaf('Type', error.fault), leaf('Code', error.code), leaf('Message', error.message)),
    leaf('RequestId', requestId)));
}
