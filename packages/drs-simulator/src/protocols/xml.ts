/**
 * The little XML the query protocols (EC2, STS) answer with: elements built as a tree and
 * rendered with escaping, plus the reading of form-encoded query parameters (`InstanceId.1`,
 * `Filter.1.Name`, `Filter.1.Value.1`, `Tags.member.1.Key`).
 */

export interface XmlElement {
  name: string;
  attributes?: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;
export type XmlChildInput = XmlNode | undefined | null | false | XmlChildInput[];

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function flatten(children: XmlChildInput[], out: XmlNode[]): XmlNode[] {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) flatten(child, out);
    else out.push(child);
  }
  return out;
}

/** An element; undefined, null and false children are left out, arrays are spliced in. */
export function el(name: string, ...children: XmlChildInput[]): XmlElement {
  return { name, children: flatten(children, []) };
}

/** An element with attributes (the root's xmlns). */
export function elAttrs(name: string, attributes: Record<string, string>, ...children: XmlChildInput[]): XmlElement {
  return { name, attributes, children: flatten(children, []) };
}

/** `<name>value</name>`, or nothing when the value is undefined. */
export function leaf(name: string, value: string | number | boolean | undefined): XmlElement | undefined {
  if (value === undefined) return undefined;
  return { name, children: [String(value)] };
}

/** A list the EC2 way: `<name><item>...</item>...</name>` (an empty list is `<name/>`). */
export function itemSet<T>(name: string, items: readonly T[], render: (item: T) => XmlChildInput[]): XmlElement {
  return el(name, items.map((item) => el('item', ...render(item))));
}

function render(node: XmlNode, out: string[]): void {
  if (typeof node === 'string') {
    out.push(escapeXml(node));
    return;
  }
  const attrs = Object.entries(node.attributes ?? {}).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  if (node.children.length === 0) {
    out.push(`<${node.name}${attrs}/>`);
    return;
  }
  out.push(`<${node.name}${attrs}>`);
  for (const child of node.children) render(child, out);
  out.push(`</${node.name}>`);
}

/** The document, with its XML declaration. */
export function renderXml(root: XmlElement): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  render(root, out);
  return out.join('');
}

// ------------------------------------------------------------------ query parameters

/** The parameters of a query-protocol request (form body and URL query string together). */
export class QueryParams {
  private readonly values = new Map<string, string>();

  constructor(...sources: URLSearchParams[]) {
    for (const source of sources) for (const [key, value] of source) if (!this.values.has(key)) this.values.set(key, value);
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** Every parameter, for the call log. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.values);
  }

  /** The indices N present under `prefix.N` (or `prefix.N.suffix`), in numeric order. */
  indices(prefix: string): number[] {
    const found = new Set<number>();
    const head = `${prefix}.`;
    for (const key of this.values.keys()) {
      if (!key.startsWith(head)) continue;
      const match = /^(\d+)(?:\.|$)/.exec(key.slice(head.length));
      if (match?.[1]) found.add(Number(match[1]));
    }
    return [...found].sort((a, b) => a - b);
  }

  /** `prefix.1`, `prefix.2`, ... as a list. */
  list(prefix: string): string[] {
    return this.indices(prefix).map((i) => this.values.get(`${prefix}.${i}`)).filter((v): v is string => v !== undefined);
  }

  /** EC2 filters: `Filter.N.Name` with `Filter.N.Value.M`. */
  filters(prefix = 'Filter'): { name: string; values: string[] }[] {
    return this.indices(prefix).map((i) => ({
      name: this.values.get(`${prefix}.${i}.Name`) ?? '',
      values: this.list(`${prefix}.${i}.Value`),
    }));
  }
}
