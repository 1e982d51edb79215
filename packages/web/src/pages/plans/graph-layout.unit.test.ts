import { describe, expect, it } from '@jest/globals';
import { DEFAULT_SIZES, describeGraph, layoutGraph, wavesInCycles } from './graph-layout.js';

describe('layoutGraph', () => {
  it('puts each wave in the layer of its dependency depth, keeping plan order within a layer', () => {
    // given the 3-tier plan plus a second wave after Database
    const waves = [
      { id: 'db', dependsOn: [] },
      { id: 'app', dependsOn: ['db'] },
      { id: 'web', dependsOn: ['app'] },
      { id: 'batch', dependsOn: ['db'] },
    ];
    // when it is laid out
    const layout = layoutGraph(waves);
    // then layers follow the longest chain, and rows the plan's order
    const at = Object.fromEntries(layout.nodes.map((n) => [n.id, [n.layer, n.row]]));
    expect(at).toEqual({ db: [0, 0], app: [1, 0], web: [2, 0], batch: [1, 1] });
    expect(layout.edges.map((e) => `${e.from}->${e.to}`)).toEqual(['db->app', 'app->web', 'db->batch']);
    expect(layout.edges.every((e) => !e.inCycle && e.points.x1 < e.points.x2)).toBe(true);
    expect(layout.width).toBe(DEFAULT_SIZES.padding * 2 + 3 * DEFAULT_SIZES.nodeWidth + 2 * DEFAULT_SIZES.columnGap);
  });

  it('uses the longest chain when a wave depends on waves of different depths', () => {
    const layout = layoutGraph([
      { id: 'a', dependsOn: [] },
      { id: 'b', dependsOn: ['a'] },
      { id: 'c', dependsOn: ['a', 'b'] },
    ]);
    expect(layout.nodes.find((n) => n.id === 'c')?.layer).toBe(2);
  });

  it('still lays out a plan whose waves depend on each other in a cycle, marking it', () => {
    // given a -> b -> c -> b (a cycle between b and c) and a wave depending on itself
    const waves = [
      { id: 'a', dependsOn: [] },
      { id: 'b', dependsOn: ['a', 'c'] },
      { id: 'c', dependsOn: ['b'] },
      { id: 'd', dependsOn: ['d'] },
    ];
    // when it is laid out
    const layout = layoutGraph(waves);
    // then it terminates, marks the cyclic waves and draws at least one backward arrow
    expect(wavesInCycles(waves)).toEqual(new Set(['b', 'c', 'd']));
    expect(layout.nodes.filter((n) => n.inCycle).map((n) => n.id)).toEqual(['b', 'c', 'd']);
    expect(layout.edges.some((e) => e.inCycle)).toBe(true);
    expect(layout.nodes.find((n) => n.id === 'b')?.layer).toBe(1);
  });

  it('ignores dependencies on waves that are not in the plan', () => {
    const layout = layoutGraph([{ id: 'a', dependsOn: ['gone'] }]);
    expect(layout.nodes).toHaveLength(1);
    expect(layout.edges).toEqual([]);
  });

  it('answers an empty drawing for no waves', () => {
    const layout = layoutGraph([]);
    expect(layout.nodes).toEqual([]);
    expect(layout.width).toBeGreaterThan(0);
  });
});

describe('describeGraph', () => {
  it('says which waves start first and what each waits for', () => {
    expect(
      describeGraph([
        { key: 'a', name: 'Database', dependsOn: [] },
        { key: 'b', name: 'App', dependsOn: ['a'] },
        { key: 'c', name: '', dependsOn: ['a', 'b'] },
      ]),
    ).toBe('Database starts first; App after Database; unnamed wave after Database and App');
  });
});
