/**
 * The EC2 instances behind DRS recovery instances, as the EC2 and SSM endpoints render them. The
 * facts (state, type, IP, launch time, tags, status checks, the SSM agent) are the DRS core's
 * (`DrsSimulator.ec2Instances`); this adapter adds what only the wire needs (reservation and
 * network-interface ids, MAC address, core count), derived from the seed.
 */
import type { FleetSsmScript } from '../fleet.js';
import type { TagsMap } from '../model.js';
import { SeededRandom } from '../random.js';
import type { DrsSimulator, Ec2InstanceFacts } from '../simulator.js';

export type Ec2StateName = Ec2InstanceFacts['state']['name'];
export type StatusCheck = Ec2InstanceFacts['statusChecks'];
export type PingStatus = 'Online' | 'ConnectionLost';

/** Tags DRS puts on the EC2 instances it launches. */
export const DRS_MANAGED_TAG = 'AWSElasticDisasterRecoveryManaged';
export const DRS_SOURCE_SERVER_TAG = 'AWSElasticDisasterRecoverySourceServerID';

export interface AgentView {
  pingStatus: PingStatus;
  /** Real ms of the last ping (when the agent is online). */
  lastPingMs?: number;
}

export interface InstanceView {
  instanceId: string;
  accountId: string;
  region: string;
  availabilityZone: string;
  stateName: Ec2StateName;
  stateCode: number;
  instanceType: string;
  privateIpAddress: string;
  privateDnsName: string;
  macAddress: string;
  /** Real ms. */
  launchTimeMs: number;
  tags: TagsMap;
  platform: 'Linux' | 'Windows';
  osFullString: string;
  hostname: string;
  sourceServerID: string;
  jobID: string;
  isDrill: boolean;
  subnetId: string;
  vpcId: string;
  imageId: string;
  reservationId: string;
  networkInterfaceId: string;
  coreCount: number;
  statusCheck: StatusCheck;
  /** The SSM agent, once it has registered (Online, or ConnectionLost after it was online). */
  agent?: AgentView;
  ssm: FleetSsmScript;
}

function hex(seed: number, label: string, length: number): string {
  return SeededRandom.derive(seed, label).hex(length);
}

export class InstanceCatalog {
  constructor(private readonly simulator: DrsSimulator) {}

  /** The EC2 instances DRS launched in an account and region (terminated ones included), in launch order; only `instanceIds` when given. */
  list(accountId: string, region: string, instanceIds?: readonly string[]): InstanceView[] {
    const seed = this.simulator.seed;
    const filter = { accountId, region, ...(instanceIds && instanceIds.length > 0 ? { ec2InstanceIDs: new Set(instanceIds) } : {}) };
    const listed = new Map(this.simulator.recoveryInstances(filter).map((r) => [r.ec2InstanceID, r]));
    return this.simulator.ec2Instances(filter).map((facts): InstanceView => {
      const id = facts.instanceId;
      const props = listed.get(id)?.recoveryInstanceProperties;
      const nic = props?.networkInterfaces?.find((n) => n.isPrimary) ?? props?.networkInterfaces?.[0];
      const lastPing = facts.ssm.lastPingDateTime ? Date.parse(facts.ssm.lastPingDateTime) : undefined;
      return {
        instanceId: id,
        accountId: facts.accountId,
        region: facts.region,
        availabilityZone: facts.availabilityZone,
        stateName: facts.state.name,
        stateCode: facts.state.code,
        instanceType: facts.instanceType,
        privateIpAddress: facts.privateIpAddress,
        privateDnsName: facts.privateDnsName,
        macAddress: nic?.macAddress ?? ['0e', ...Array.from({ length: 5 }, (_, i) => hex(seed, `mac:${id}:${i}`, 2))].join(':'),
        launchTimeMs: Date.parse(facts.launchTime),
        tags: facts.tags,
        platform: facts.os === 'WINDOWS' ? 'Windows' : 'Linux',
        osFullString: facts.osFullString ?? '',
        hostname: facts.hostname ?? id,
        sourceServerID: facts.sourceServerID,
        jobID: facts.jobID,
        isDrill: facts.isDrill,
        subnetId: facts.subnetId,
        vpcId: facts.vpcId,
        imageId: facts.imageId,
        reservationId: `r-${hex(seed, `reservation:${id}`, 17)}`,
        networkInterfaceId: `eni-${hex(seed, `eni:${id}`, 17)}`,
        coreCount: props?.cpus?.[0]?.cores ?? 2,
        statusCheck: facts.statusChecks,
        ...(facts.ssm.pingStatus ? { agent: { pingStatus: facts.ssm.pingStatus, ...(lastPing !== undefined && Number.isFinite(lastPing) ? { lastPingMs: lastPing } : {}) } } : {}),
        ssm: facts.ssm.script,
      };
    });
  }
}
