import { parse, type Tags, type ScalarTag, type CollectionTag } from 'yaml';

/** CloudFormation short-form tags (`!Ref X`) parsed into their long form (`{ Ref: X }`). */
const INTRINSICS = ['Ref', 'GetAtt', 'Sub', 'ImportValue', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'Base64', 'Cidr', 'GetAZs', 'Condition'] as const;

function longName(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

function cloudFormationTags(): Tags {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const name of INTRINSICS) {
    const key = longName(name);
    tags.push({
      tag: `!${name}`,
      resolve: (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value }),
    } as ScalarTag);
    for (const collection of ['seq', 'map'] as const) {
      tags.push({
        tag: `!${name}`,
        collection,
        resolve: (value: { toJSON(): unknown }) => ({ [key]: value.toJSON() }),
      } as unknown as CollectionTag);
    }
  }
  return tags;
}

/** Parses a serverless.yml (or CloudFormation YAML) into plain data. */
export function parseServerlessYaml(text: string): Record<string, unknown> {
  return parse(text, { customTags: cloudFormationTags(), merge: true }) as Record<string, unknown>;
}
