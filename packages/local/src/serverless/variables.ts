/** What `${...}` variables resolve against locally. */
export interface VariableContext {
  stage: string;
  region: string;
  accountId: string;
  options: Record<string, string>;
  env: Record<string, string | undefined>;
}

const INNERMOST = /\$\{([^${}]+)\}/;

/**
 * Resolves the Serverless Framework variables Lifeboat uses (`self:`, `sls:stage`, `opt:`, `env:`,
 * `aws:region`, `aws:accountId`, quoted literals and `, fallback` lists) throughout a config.
 * CloudFormation's own `${AWS::Region}` inside `Fn::Sub` is left alone.
 */
export function resolveVariables(config: Record<string, unknown>, context: VariableContext): Record<string, unknown> {
  const resolving = new Set<string>();

  const lookupSelf = (path: string): unknown => {
    if (resolving.has(path)) throw new Error(`Circular variable \${self:${path}}`);
    resolving.add(path);
    let node: unknown = config;
    for (const part of path.split('.')) {
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    }
    const value = resolveNode(node);
    resolving.delete(path);
    return value;
  };

  const source = (expression: string): unknown => {
    const text = expression.trim();
    const quoted = /^(['"])(.*)\1$/.exec(text);
    if (quoted) return quoted[2];
    if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
    if (text === 'true' || text === 'false') return text === 'true';
    const colon = text.indexOf(':');
    if (colon < 0) throw new Error(`Unsupported variable \${${text}}`);
    const kind = text.slice(0, colon);
    const name = text.slice(colon + 1);
    switch (kind) {
      case 'self':
        return lookupSelf(name);
      case 'sls':
        if (name === 'stage') return context.stage;
        if (name === 'instanceId') return 'local';
        break;
      case 'opt':
        if (name === 'stage') return context.options.stage ?? undefined;
        if (name === 'region') return context.options.region ?? undefined;
        return context.options[name];
      case 'env':
        return context.env[name];
      case 'param': {
        // Stage params of the config (`params.<stage>`, then `params.default`).
        const params = (config.params ?? {}) as Record<string, Record<string, unknown> | undefined>;
        return resolveNode(params[context.stage]?.[name] ?? params.default?.[name]);
      }
      case 'aws':
        if (name === 'region') return context.region;
        if (name === 'accountId') return context.accountId;
        if (name === 'partition') return 'aws';
        break;
    }
    throw new Error(`Unsupported variable \${${text}}`);
  };

  const evaluate = (inner: string): unknown => {
    // `${a, b, 'c'}`: the first candidate that resolves to a defined value.
    let empty = false;
    for (const candidate of splitTopLevel(inner)) {
      const value = source(candidate);
      if (value !== undefined && value !== null && value !== '') return value;
      if (value === '') empty = true;
    }
    // `${env:X, ''}`: an empty string is a value when nothing better resolves.
    return empty ? '' : undefined;
  };

  const isVariable = (inner: string): boolean => /^\s*[a-zA-Z]+:(?!:)/.test(inner);

  const resolveString = (text: string): unknown => {
    let current = text;
    let from = 0;
    for (let guard = 0; guard < 1000; guard++) {
      const match = INNERMOST.exec(current.slice(from));
      if (!match) return current;
      const at = from + match.index;
      const inner = match[1] ?? '';
      if (!isVariable(inner)) {
        // A CloudFormation Fn::Sub reference (${AWS::Region}, ${Resource.Attr}): leave it.
        from = at + match[0].length;
        continue;
      }
      const value = evaluate(inner);
      if (match[0] === current) return value;
      if (value !== undefined && typeof value === 'object') throw new Error(`\${${inner}} resolves to an object inside a string`);
      current = current.slice(0, at) + String(value ?? '') + current.slice(at + match[0].length);
      from = 0;
    }
    return current;
  };

  const resolveNode = (node: unknown): unknown => {
    if (typeof node === 'string') return resolveString(node);
    if (Array.isArray(node)) return node.map(resolveNode);
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([k, v]) => [k, resolveNode(v)]));
    }
    return node;
  };

  return resolveNode(config) as Record<string, unknown>;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}
