/** DRS resource ids and ARNs, drawn from seeded streams. */
import { SeededRandom } from './random.js';

export const sourceServerArn = (region: string, accountId: string, id: string) => `arn:aws:drs:${region}:${accountId}:source-server/${id}`;
export const jobArn = (region: string, accountId: string, id: string) => `arn:aws:drs:${region}:${accountId}:job/${id}`;
export const recoveryInstanceArn = (region: string, accountId: string, id: string) => `arn:aws:drs:${region}:${accountId}:recovery-instance/${id}`;

export type DrsResourceType = 'source-server' | 'job' | 'recovery-instance';

export interface ParsedArn {
  region: string;
  accountId: string;
  resourceType: string;
  resourceId: string;
}

const DRS_ARN = /^arn:aws[a-z-]*:drs:([a-z0-9-]+):([0-9]{12}):([a-z-]+)\/(.+)$/;

export function parseDrsArn(arn: string): ParsedArn | undefined {
  const m = DRS_ARN.exec(arn);
  if (!m || !m[1] || !m[2] || !m[3] || !m[4]) return undefined;
  return { region: m[1], accountId: m[2], resourceType: m[3], resourceId: m[4] };
}

/** Draws unique ids with a prefix and 17 hex characters (s-, drsjob-, i-). */
export class IdStream {
  private random: SeededRandom;

  constructor(seed: number, label: string, private readonly prefix: string) {
    this.random = SeededRandom.derive(seed, label);
  }

  /** The stream's position (persisted state). */
  get position(): number {
    return this.random.position;
  }

  /** Continues from a persisted position: no id drawn before it is drawn again. */
  restore(position: number): void {
    this.random = SeededRandom.at(position);
  }

  next(taken: (id: string) => boolean): string {
    for (;;) {
      const id = `${this.prefix}${this.random.hex(17)}`;
      if (!taken(id)) return id;
    }
  }
}
