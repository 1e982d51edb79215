/**
 * A plan's waves as an SVG graph, layered by dependency depth, an arrow per dependency. Each wave
 * is a focusable button (Enter or Space selects it); waves with errors are outlined in red, waves
 * in a cycle drawn dashed. Colours come from the text colour, so dark mode works as is.
 */
import type { JSX, KeyboardEvent } from 'react';
import Box from '@cloudscape-design/components/box';
import { DEFAULT_SIZES, describeGraph, layoutGraph } from './graph-layout.js';

export interface PlanGraphWave {
  key: string;
  name: string;
  dependsOn: readonly string[];
  launchOrder: 'PARALLEL' | 'SEQUENTIAL';
  serverCount: number;
  hasError?: boolean;
}

const BLUE = '#0972d3';
const RED = '#d91515';

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function PlanGraph(props: { waves: readonly PlanGraphWave[]; selectedKey?: string; onSelect?: (key: string) => void; label?: string }): JSX.Element {
  const { waves, onSelect } = props;
  if (waves.length === 0) return <Box color="text-status-inactive">No waves yet.</Box>;
  const sizes = DEFAULT_SIZES;
  const layout = layoutGraph(waves.map((w) => ({ id: w.key, dependsOn: w.dependsOn })), sizes);
  const byKey = new Map(waves.map((w) => [w.key, w]));
  const select = (key: string) => (event: KeyboardEvent<SVGGElement>) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect?.(key);
    }
  };

  return (
    <div style={{ overflowX: 'auto' }} data-testid="plan-graph">
      <svg
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        // Shrinks to the container (a tablet, a narrow column); wide plans keep a readable minimum and scroll.
        style={{ maxWidth: '100%', minWidth: Math.min(layout.width, 480), height: 'auto', display: 'block' }}
        role="group"
        aria-label={props.label ?? 'Wave dependency graph'}
      >
        <desc>{describeGraph(waves)}</desc>
        <defs>
          <marker id="plan-graph-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor" />
          </marker>
          <marker id="plan-graph-arrow-cycle" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill={RED} />
          </marker>
        </defs>
        {layout.edges.map((edge) => {
          const { x1, y1, x2, y2 } = edge.points;
          const path = edge.inCycle
            ? `M ${x1} ${y1} C ${x1} ${y1 + 28}, ${x2} ${y2 + 28}, ${x2} ${y2 + 2}`
            : `M ${x1} ${y1} C ${(x1 + x2) / 2} ${y1}, ${(x1 + x2) / 2} ${y2}, ${x2 - 2} ${y2}`;
          return (
            <path
              key={`${edge.from}->${edge.to}`}
              d={path}
              fill="none"
              stroke={edge.inCycle ? RED : 'currentColor'}
              strokeOpacity={edge.inCycle ? 1 : 0.6}
              strokeWidth={1.5}
              strokeDasharray={edge.inCycle ? '5 4' : undefined}
              markerEnd={`url(#${edge.inCycle ? 'plan-graph-arrow-cycle' : 'plan-graph-arrow'})`}
              data-edge={`${byKey.get(edge.from)?.name ?? edge.from} -> ${byKey.get(edge.to)?.name ?? edge.to}`}
            />
          );
        })}
        {layout.nodes.map((node) => {
          const wave = byKey.get(node.id);
          if (!wave) return null;
          const selected = props.selectedKey === node.id;
          const stroke = wave.hasError || node.inCycle ? RED : BLUE;
          const name = wave.name.trim() || 'Unnamed wave';
          return (
            <g
              key={node.id}
              transform={`translate(${node.x}, ${node.y})`}
              role={onSelect ? 'button' : undefined}
              tabIndex={onSelect ? 0 : undefined}
              aria-label={`${name}: ${wave.serverCount} server${wave.serverCount === 1 ? '' : 's'}, ${wave.launchOrder.toLowerCase()}${wave.hasError ? ', has errors' : ''}`}
              onClick={onSelect ? () => onSelect(node.id) : undefined}
              onKeyDown={onSelect ? select(node.id) : undefined}
              style={{ cursor: onSelect ? 'pointer' : 'default' }}
              data-wave={name}
            >
              <rect
                width={sizes.nodeWidth}
                height={sizes.nodeHeight}
                rx={8}
                fill={BLUE}
                fillOpacity={selected ? 0.22 : 0.1}
                stroke={stroke}
                strokeWidth={selected || wave.hasError ? 2.5 : 1.5}
                strokeDasharray={node.inCycle ? '6 3' : undefined}
              />
              <text x={12} y={21} fill="currentColor" fontSize={14} fontWeight={700}>
                {truncate(name, 20)}
              </text>
              <text x={12} y={40} fill="currentColor" fillOpacity={0.75} fontSize={12}>
                {`${wave.serverCount} server${wave.serverCount === 1 ? '' : 's'} · ${wave.launchOrder === 'SEQUENTIAL' ? 'sequential' : 'parallel'}`}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
