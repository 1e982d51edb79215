/**
 * Lays a plan's waves out as a layered graph: a wave's layer is its dependency depth (the longest
 * chain of waves it waits for), so every arrow goes left to right. Waves caught in a cycle (which
 * validation refuses) are put one layer after their deepest wave outside it, and their arrows are
 * marked, so a graph can be drawn at every step of editing.
 */
export interface GraphNodeInput {
  id: string;
  dependsOn: readonly string[];
}

export interface GraphNode {
  id: string;
  layer: number;
  /** Position within its layer, from the top. */
  row: number;
  x: number;
  y: number;
  inCycle: boolean;
}

export interface GraphEdge {
  /** The wave depended on (the arrow's tail). */
  from: string;
  /** The dependent wave (the arrow's head). */
  to: string;
  /** Part of a cycle (or pointing backwards): drawn differently. */
  inCycle: boolean;
  points: { x1: number; y1: number; x2: number; y2: number };
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

export interface LayoutSizes {
  nodeWidth: number;
  nodeHeight: number;
  columnGap: number;
  rowGap: number;
  padding: number;
}

export const DEFAULT_SIZES: LayoutSizes = { nodeWidth: 168, nodeHeight: 52, columnGap: 64, rowGap: 20, padding: 12 };

/** The waves that take part in a dependency cycle (Tarjan's strongly connected components, plus self-loops). */
export function wavesInCycles(nodes: readonly GraphNodeInput[]): Set<string> {
  const known = new Set(nodes.map((n) => n.id));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result = new Set<string>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  let counter = 0;

  const visit = (id: string): void => {
    index.set(id, counter);
    low.set(id, counter);
    counter += 1;
    stack.push(id);
    onStack.add(id);
    for (const next of byId.get(id)?.dependsOn ?? []) {
      if (!known.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(id, Math.min(low.get(id) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(id, Math.min(low.get(id) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(id) === index.get(id)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== id);
      const selfLoop = component.length === 1 && (byId.get(id)?.dependsOn ?? []).includes(id);
      if (component.length > 1 || selfLoop) component.forEach((m) => result.add(m));
    }
  };
  for (const node of nodes) if (!index.has(node.id)) visit(node.id);
  return result;
}

/** Layers by dependency depth; ties keep the waves' order in the plan. */
export function layoutGraph(nodes: readonly GraphNodeInput[], sizes: LayoutSizes = DEFAULT_SIZES): GraphLayout {
  const known = new Set(nodes.map((n) => n.id));
  const cyclic = wavesInCycles(nodes);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const layer = new Map<string, number>();

  // Depth ignores edges inside cycles, so it always terminates; a cyclic wave still sits after its other dependencies.
  const depth = (id: string, path: Set<string>): number => {
    const cached = layer.get(id);
    if (cached !== undefined) return cached;
    path.add(id);
    let deepest = -1;
    for (const dependency of byId.get(id)?.dependsOn ?? []) {
      if (!known.has(dependency) || path.has(dependency)) continue;
      if (cyclic.has(dependency) && cyclic.has(id)) continue;
      deepest = Math.max(deepest, depth(dependency, path));
    }
    path.delete(id);
    const value = deepest + 1;
    layer.set(id, value);
    return value;
  };
  nodes.forEach((n) => depth(n.id, new Set()));

  const rowsPerLayer = new Map<number, number>();
  const placed: GraphNode[] = nodes.map((n) => {
    const l = layer.get(n.id) ?? 0;
    const row = rowsPerLayer.get(l) ?? 0;
    rowsPerLayer.set(l, row + 1);
    return {
      id: n.id,
      layer: l,
      row,
      x: sizes.padding + l * (sizes.nodeWidth + sizes.columnGap),
      y: sizes.padding + row * (sizes.nodeHeight + sizes.rowGap),
      inCycle: cyclic.has(n.id),
    };
  });
  const position = new Map(placed.map((n) => [n.id, n]));
  const edges: GraphEdge[] = [];
  for (const n of nodes) {
    const head = position.get(n.id);
    for (const dependency of new Set(n.dependsOn)) {
      const tail = position.get(dependency);
      if (!tail || !head) continue;
      const forward = tail.layer < head.layer;
      edges.push({
        from: dependency,
        to: n.id,
        inCycle: !forward,
        points: forward
          ? { x1: tail.x + sizes.nodeWidth, y1: tail.y + sizes.nodeHeight / 2, x2: head.x, y2: head.y + sizes.nodeHeight / 2 }
          : // A backward (cyclic) arrow runs from the bottom of the tail to the bottom of the head.
            { x1: tail.x + sizes.nodeWidth / 2, y1: tail.y + sizes.nodeHeight, x2: head.x + sizes.nodeWidth / 2 + (tail.id === head.id ? 24 : 0), y2: head.y + sizes.nodeHeight },
      });
    }
  }
  const layers = placed.length === 0 ? 0 : Math.max(...placed.map((n) => n.layer)) + 1;
  const rows = Math.max(0, ...rowsPerLayer.values());
  return {
    nodes: placed,
    edges,
    width: Math.max(sizes.padding * 2 + layers * sizes.nodeWidth + Math.max(0, layers - 1) * sizes.columnGap, sizes.nodeWidth + sizes.padding * 2),
    height: Math.max(sizes.padding * 2 + rows * sizes.nodeHeight + Math.max(0, rows - 1) * sizes.rowGap, sizes.nodeHeight + sizes.padding * 2) + 24,
  };
}

/** "Database starts first; App after Database" as the graph's accessible description. */
export function describeGraph(waves: readonly { key: string; name: string; dependsOn: readonly string[] }[]): string {
  const nameOf = new Map(waves.map((w) => [w.key, w.name || 'unnamed wave']));
  return waves
    .map((w) => {
      const after = w.dependsOn.map((d) => nameOf.get(d)).filter((n): n is string => n !== undefined);
      return after.length === 0 ? `${nameOf.get(w.key)} starts first` : `${nameOf.get(w.key)} after ${after.join(' and ')}`;
    })
    .join('; ');
}
