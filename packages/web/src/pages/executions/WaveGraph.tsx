/**
 * The waves of an execution as a graph: one node per wave coloured by its status, an arrow per
 * dependsOn, columns by dependency depth (layoutWaves). Plain SVG: no graph library is installed,
 * and a plan has a handful of waves. Colours are mid-tones readable on light and dark backgrounds;
 * text uses the page's colour so Cloudscape's dark mode applies.
 */
import type { JSX, KeyboardEvent } from 'react';
import { statusLabel } from '../../components/StatusBadge.js';
import type { ExecutionStatus, ExecutionWave } from './model.js';
import { WAVE_NODE, layoutWaves } from './model.js';

const STATUS_COLOURS: Record<string, string> = {
  PENDING: '#8d99a8',
  RUNNING: '#2e8ae6',
  COMPLETED: '#29ad32',
  FAILED: '#e0443b',
  SKIPPED: '#8d99a8',
  CANCELLED: '#8d99a8',
  STOPPED: '#8d99a8',
};

export function WaveGraph(props: { waves: readonly ExecutionWave[]; executionStatus: ExecutionStatus; onSelect?: (waveId: string) => void }): JSX.Element {
  const layout = layoutWaves(props.waves, props.executionStatus);
  const { width: w, height: h } = WAVE_NODE;
  const summary = layout.nodes.map((node) => `${node.name}: ${statusLabel(node.status)}`).join('; ');
  return (
    <div style={{ overflowX: 'auto' }}>
      <svg
        role="group"
        aria-label={`Waves by dependency: ${summary}`}
        data-testid="wave-graph"
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        style={{ color: 'inherit', fontFamily: 'inherit', display: 'block' }}
      >
        <defs>
          <marker id="wave-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor" />
          </marker>
        </defs>
        {layout.edges.map((edge) => (
          <path key={`${edge.from}->${edge.to}`} d={edge.path} fill="none" stroke="currentColor" strokeOpacity={0.55} strokeWidth={1.5} markerEnd="url(#wave-arrow)" />
        ))}
        {layout.nodes.map((node) => {
          const key = node.status;
          const colour = STATUS_COLOURS[key] ?? '#8d99a8';
          const label = statusLabel(node.status);
          const dashed = key === 'SKIPPED' || key === 'CANCELLED' || key === 'STOPPED';
          return (
            <g
              key={node.id}
              data-testid={`wave-node-${node.name}`}
              data-status={key}
              transform={`translate(${node.x}, ${node.y})`}
              style={{ cursor: props.onSelect ? 'pointer' : 'default' }}
              {...(props.onSelect
                ? {
                    role: 'button',
                    tabIndex: 0,
                    'aria-label': `Wave ${node.name}: ${label}. Show its steps`,
                    onClick: () => props.onSelect?.(node.id),
                    onKeyDown: (event: KeyboardEvent<SVGGElement>) => {
                      if (event.key === 'Enter' || event.key === ' ') {
                        event.preventDefault();
                        props.onSelect?.(node.id);
                      }
                    },
                  }
                : {})}
            >
              <title>{`${node.name}: ${label}`}</title>
              <rect width={w} height={h} rx={8} fill={colour} fillOpacity={0.16} stroke={colour} strokeWidth={2} strokeDasharray={dashed ? '6 4' : undefined} />
              <rect width={6} height={h} rx={3} fill={colour} />
              <text x={16} y={23} fill="currentColor" fontSize={14} fontWeight={700}>
                {truncate(node.name, 18)}
              </text>
              <text x={16} y={42} fill="currentColor" fontSize={12}>
                {label}
              </text>
              {node.status === 'RUNNING' && (
                <circle cx={w - 14} cy={14} r={5} fill={colour}>
                  <animate attributeName="opacity" values="1;0.2;1" dur="1.4s" repeatCount="indefinite" />
                </circle>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}
