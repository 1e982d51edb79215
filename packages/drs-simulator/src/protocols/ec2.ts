/**
 * EC2 over its query protocol (`Action=DescribeInstances&Version=2016-11-15`, XML answers in the
 * 2016-11-15 namespace, errors as `<Response><Errors><Error><Code>`), for the instances DRS
 * launched: DescribeInstances and DescribeInstanceStatus.
 */
import type { CallerIdentity } from '../accounts.js';
import {
  ProtocolError, decodePageToken, encodePageToken, globMatch, pageOf,
} from './common.js';
import type { InstanceCatalog, InstanceView, StatusCheck } from './instances.js';
import { el, elAttrs, itemSet, leaf, renderXml, type QueryParams, type XmlChildInput, type XmlElement } from './xml.js';

export const EC2_API_VERSION = '2016-11-15';
export const EC2_NAMESPACE = `http://ec2.amazonaws.com/doc/${EC2_API_VERSION}/`;
export const EC2_ACTIONS = ['DescribeInstances', 'DescribeInstanceStatus'] as const;

export interface Ec2Call {
  identity: CallerIdentity;
  region: string;
  action: string;
  params: QueryParams;
  requestId: string;
}

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const MAX_RESULTS = { min: 5, max: 1000 };

const invalidValue = (message: string) => new ProtocolError('InvalidParameterValue', message, 400);

type FilterValues = (view: InstanceView) => string[];

const INSTANCE_FILTERS: Readonly<Record<string, FilterValues>> = {
  'instance-id': (v) => [v.instanceId],
  'instance-state-name': (v) => [v.stateName],
  'instance-state-code': (v) => [String(v.stateCode)],
  'instance-type': (v) => [v.instanceType],
  'private-ip-address': (v) => (v.stateName === 'terminated' ? [] : [v.privateIpAddress]),
  'private-dns-name': (v) => (v.stateName === 'terminated' ? [] : [v.privateDnsName]),
  'availability-zone': (v) => [v.availabilityZone],
  'vpc-id': (v) => (v.stateName === 'terminated' ? [] : [v.vpcId]),
  'subnet-id': (v) => (v.stateName === 'terminated' ? [] : [v.subnetId]),
  'image-id': (v) => [v.imageId],
  'reservation-id': (v) => [v.reservationId],
  'owner-id': (v) => [v.accountId],
  platform: (v) => (v.platform === 'Windows' ? ['windows'] : []),
  'platform-details': (v) => [v.platform === 'Windows' ? 'Windows' : 'Linux/UNIX'],
  'network-interface.network-interface-id': (v) => (v.stateName === 'terminated' ? [] : [v.networkInterfaceId]),
  'tag-key': (v) => Object.keys(v.tags),
  'tag-value': (v) => Object.values(v.tags),
};

const reachability = (check: StatusCheck): string => (check === 'ok' ? 'passed' : check === 'initializing' ? 'initializing' : 'not-applicable');

const STATUS_FILTERS: Readonly<Record<string, FilterValues>> = {
  'instance-id': (v) => [v.instanceId],
  'availability-zone': (v) => [v.availabilityZone],
  'instance-state-name': (v) => [v.stateName],
  'instance-state-code': (v) => [String(v.stateCode)],
  'instance-status.status': (v) => [v.statusCheck],
  'instance-status.reachability': (v) => [reachability(v.statusCheck)],
  'system-status.status': (v) => [v.statusCheck],
  'system-status.reachability': (v) => [reachability(v.statusCheck)],
  'event.code': () => [],
  'event.description': () => [],
};

function tagFilter(name: string): FilterValues | undefined {
  if (!name.startsWith('tag:') || name.length <= 4) return undefined;
  const key = name.slice(4);
  return (v) => (key in v.tags ? [v.tags[key] ?? ''] : []);
}

interface ReadFilter {
  name: string;
  values: string[];
  read: FilterValues;
}

function readFilters(params: QueryParams, known: Readonly<Record<string, FilterValues>>, tags: boolean): ReadFilter[] {
  return params.filters().map(({ name, values }) => {
    const read = known[name] ?? (tags ? tagFilter(name) : undefined);
    if (!name || !read) throw invalidValue(`The filter '${name}' is invalid`);
    if (values.length === 0) throw invalidValue(`The filter '${name}' requires a value`);
    return { name, values, read };
  });
}

function readInstanceIds(params: QueryParams): string[] {
  const ids = params.list('InstanceId');
  const malformed = ids.find((id) => !INSTANCE_ID.test(id));
  if (malformed !== undefined) throw new ProtocolError('InvalidInstanceID.Malformed', `Invalid id: "${malformed}"`, 400);
  return ids;
}

function readMaxResults(params: QueryParams, ids: string[]): number | undefined {
  const raw = params.get('MaxResults');
  if (raw === undefined) return undefined;
  if (ids.length > 0) throw new ProtocolError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults', 400);
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < MAX_RESULTS.min || n > MAX_RESULTS.max) {
    throw invalidValue(`Value ( ${raw} ) for parameter maxResults is invalid. Expecting a value between ${MAX_RESULTS.min} and ${MAX_RESULTS.max}.`);
  }
  return n;
}

function readBoolean(params: QueryParams, name: string): boolean {
  const raw = params.get(name);
  if (raw === undefined) return false;
  if (raw !== 'true' && raw !== 'false') throw invalidValue(`Value (${raw}) for parameter ${name} is invalid. Expecting a boolean.`);
  return raw === 'true';
}

function checkDryRun(params: QueryParams): void {
  if (readBoolean(params, 'DryRun')) throw new ProtocolError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
}

function missing(ids: string[], found: ReadonlySet<string>): void {
  const absent = ids.filter((id) => !found.has(id));
  if (absent.length === 0) return;
  const list = absent.map((id) => `'${id}'`).join(', ');
  throw new ProtocolError('InvalidInstanceID.NotFound', absent.length === 1 ? `The instance ID ${list} does not exist` : `The instance IDs ${list} do not exist`, 400);
}

function select(views: InstanceView[], ids: string[], filters: ReadFilter[]): InstanceView[] {
  const wanted = ids.length > 0 ? new Set(ids) : undefined;
  return views
    .filter((v) => !wanted || wanted.has(v.instanceId))
    .filter((v) => filters.every((f) => {
      const actual = f.read(v);
      return f.values.some((pattern) => actual.some((value) => globMatch(pattern, value)));
    }));
}

function page<T>(call: Ec2Call, items: T[], maxResults: number | undefined, query: unknown): { items: T[]; nextToken?: string } {
  const scope = `ec2:${call.action}|${call.identity.accountId}|${call.region}`;
  const token = call.params.get('NextToken');
  let offset = 0;
  if (token) {
    const decoded = decodePageToken(token, scope, query);
    if (decoded === undefined) throw invalidValue(`Invalid value '${token}' for NextToken`);
    offset = decoded;
  }
  if (maxResults === undefined && !token) return { items };
  const result = pageOf(items, offset, maxResults ?? MAX_RESULTS.max);
  return { items: result.items, ...(result.nextOffset !== undefined ? { nextToken: encodePageToken(result.nextOffset, scope, query) } : {}) };
}

const iso = (ms: number) => new Date(ms).toISOString();

function stateXml(v: InstanceView): XmlElement {
  return el('instanceState', leaf('code', v.stateCode), leaf('name', v.stateName));
}

function instanceXml(v: InstanceView, seed: string): XmlChildInput[] {
  const live = v.stateName !== 'terminated';
  const windows = v.platform === 'Windows';
  const launch = iso(v.launchTimeMs);
  const group = itemSet('groupSet', live ? [seed] : [], (sg) => [leaf('groupId', sg), leaf('groupName', 'default')]);
  const stopped = v.stateName === 'stopped' || v.stateName === 'stopping' || v.stateName === 'terminated' || v.stateName === 'shutting-down';
  const rootDevice = windows ? '/dev/sda1' : '/dev/xvda';
  return [
    leaf('instanceId', v.instanceId),
    leaf('imageId', v.imageId),
    stateXml(v),
    leaf('privateDnsName', live ? v.privateDnsName : ''),
    leaf('dnsName', ''),
    leaf('reason', stopped ? 'User initiated' : ''),
    leaf('amiLaunchIndex', 0),
    el('productCodes'),
    leaf('instanceType', v.instanceType),
    leaf('launchTime', launch),
    el('placement', leaf('availabilityZone', v.availabilityZone), leaf('groupName', ''), leaf('tenancy', 'default')),
    windows && leaf('platform', 'windows'),
    el('monitoring', leaf('state', 'disabled')),
    live && leaf('subnetId', v.subnetId),
    live && leaf('vpcId', v.vpcId),
    live && leaf('privateIpAddress', v.privateIpAddress),
    leaf('sourceDestCheck', true),
    group,
    stopped && el('stateReason', leaf('code', 'Client.UserInitiatedShutdown'), leaf('message', 'Client.UserInitiatedShutdown: User initiated shutdown')),
    leaf('architecture', 'x86_64'),
    leaf('rootDeviceType', 'ebs'),
    leaf('rootDeviceName', rootDevice),
    itemSet('blockDeviceMapping', live ? [rootDevice] : [], (device) => [
      leaf('deviceName', device),
      el('ebs', leaf('volumeId', `vol-${v.imageId.slice(4)}`), leaf('status', 'attached'), leaf('attachTime', launch), leaf('deleteOnTermination', true)),
    ]),
    leaf('virtualizationType', 'hvm'),
    leaf('clientToken', ''),
    itemSet('tagSet', Object.entries(v.tags), ([key, value]) => [leaf('key', key), leaf('value', value)]),
    leaf('hypervisor', 'xen'),
    itemSet('networkInterfaceSet', live ? [v] : [], (n) => [
      leaf('networkInterfaceId', n.networkInterfaceId),
      leaf('subnetId', n.subnetId),
      leaf('vpcId', n.vpcId),
      leaf('description', ''),
      leaf('ownerId', n.accountId),
      leaf('status', 'in-use'),
      leaf('macAddress', n.macAddress),
      leaf('privateIpAddress', n.privateIpAddress),
      leaf('privateDnsName', n.privateDnsName),
      leaf('sourceDestCheck', true),
      group,
      el('attachment', leaf('attachmentId', `eni-attach-${n.networkInterfaceId.slice(4)}`), leaf('deviceIndex', 0), leaf('status', 'attached'), leaf('attachTime', launch), leaf('deleteOnTermination', true), leaf('networkCardIndex', 0)),
      itemSet('privateIpAddressesSet', [n], (p) => [leaf('privateIpAddress', p.privateIpAddress), leaf('privateDnsName', p.privateDnsName), leaf('primary', true)]),
      el('ipv6AddressesSet'),
      leaf('interfaceType', 'interface'),
    ]),
    leaf('ebsOptimized', false),
    leaf('enaSupport', true),
    el('cpuOptions', leaf('coreCount', v.coreCount), leaf('threadsPerCore', 2)),
    el('capacityReservationSpecification', leaf('capacityReservationPreference', 'open')),
    el('hibernationOptions', leaf('configured', false)),
    el('metadataOptions', leaf('state', 'applied'), leaf('httpTokens', 'required'), leaf('httpPutResponseHopLimit', 2), leaf('httpEndpoint', 'enabled'), leaf('httpProtocolIpv6', 'disabled'), leaf('instanceMetadataTags', 'disabled')),
    el('enclaveOptions', leaf('enabled', false)),
    leaf('platformDetails', windows ? 'Windows' : 'Linux/UNIX'),
    leaf('usageOperation', windows ? 'RunInstances:0002' : 'RunInstances'),
    leaf('usageOperationUpdateTime', launch),
    el('privateDnsNameOptions', leaf('hostnameType', 'ip-name'), leaf('enableResourceNameDnsARecord', false), leaf('enableResourceNameDnsAAAARecord', false)),
    el('maintenanceOptions', leaf('autoRecovery', 'default')),
    leaf('currentInstanceBootMode', windows ? 'legacy-bios' : 'uefi'),
  ];
}

function summaryXml(name: string, check: StatusCheck): XmlElement {
  if (check === 'not-applicable') return el(name, leaf('status', 'not-applicable'));
  return el(name, leaf('status', check), itemSet('details', ['reachability'], (n) => [leaf('name', n), leaf('status', reachability(check))]));
}

function response(action: string, requestId: string, ...children: (XmlElement | undefined)[]): string {
  return renderXml(elAttrs(`${action}Response`, { xmlns: EC2_NAMESPACE }, leaf('requestId', requestId), ...children));
}

/** Runs an EC2 action; throws ProtocolError with EC2's codes. Returns the XML body. */
export function handleEc2(catalog: InstanceCatalog, call: Ec2Call): string {
  const { params, identity, region } = call;
  switch (call.action) {
    case 'DescribeInstances': {
      const ids = readInstanceIds(params);
      const maxResults = readMaxResults(params, ids);
      const filters = readFilters(params, INSTANCE_FILTERS, true);
      checkDryRun(params);
      const all = catalog.list(identity.accountId, region, ids);
      missing(ids, new Set(all.map((v) => v.instanceId)));
      const selected = select(all, ids, filters);
      const result = page(call, selected, maxResults, { ids, filters: params.filters() });
      const sg = `sg-${selected[0]?.vpcId.slice(4) ?? '0'}`;
      return response(call.action, call.requestId,
        itemSet('reservationSet', result.items, (v) => [
          leaf('reservationId', v.reservationId),
          leaf('ownerId', v.accountId),
          itemSet('groupSet', [], () => []),
          itemSet('instancesSet', [v], (i) => instanceXml(i, sg)),
        ]),
        leaf('nextToken', result.nextToken));
    }
    case 'DescribeInstanceStatus': {
      const ids = readInstanceIds(params);
      const maxResults = readMaxResults(params, ids);
      const filters = readFilters(params, STATUS_FILTERS, false);
      const includeAll = readBoolean(params, 'IncludeAllInstances');
      checkDryRun(params);
      const all = catalog.list(identity.accountId, region, ids);
      missing(ids, new Set(all.map((v) => v.instanceId)));
      const selected = select(all.filter((v) => includeAll || v.stateName === 'running'), ids, filters);
      const result = page(call, selected, maxResults, { ids, filters: params.filters(), includeAll });
      return response(call.action, call.requestId,
        itemSet('instanceStatusSet', result.items, (v) => {
          const check = v.statusCheck;
          return [
            leaf('instanceId', v.instanceId),
            leaf('availabilityZone', v.availabilityZone),
            el('eventsSet'),
            stateXml(v),
            summaryXml('systemStatus', check),
            summaryXml('instanceStatus', check),
            summaryXml('attachedEbsStatus', check),
          ];
        }),
        leaf('nextToken', result.nextToken));
    }
    default:
      throw new ProtocolError('InvalidAction', `The action ${call.action} is not valid for this web service.`, 400);
  }
}

/** EC2's error document. */
export function ec2ErrorXml(error: ProtocolError, requestId: string): string {
  return renderXml(el('Response',
    el('Errors', el('Error', leaf('Code', error.code), leaf('Message', error.message))),
    leaf('RequestID', requestId)));
}
