// The workload's services and dependencies, left (callers) to right (callees), coloured by health.
// Each node is a keyboard-focusable button; selecting one shows its charts, logs and actions.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Health } from '../lib/health.ts';

export interface MapService {
  id: string;
  name: string;
  kind: string;
  dependencies: string[];
}

export interface NodeState {
  level: Health;
  reasons: string[];
  firing: number;
  line?: string;
}

const W = 128;
const H = 40;
const GAP_X = 30;
const GAP_Y = 10;
const PAD = 6;

interface Layout {
  nodes: Map<string, { x: number; y: number }>;
  width: number;
  height: number;
}

/** Longest-path layering from the entry points, then barycentre ordering within each column. */
export function layout(services: MapService[]): Layout {
  const ids = new Set(services.map((s) => s.id));
  const callers = new Map<string, string[]>(services.map((s) => [s.id, []]));
  for (const s of services) for (const d of s.dependencies) if (ids.has(d)) callers.get(d)!.push(s.id);
  const depth = new Map<string, number>();
  // Kahn's order over the dependency graph; a cycle (should not happen) falls back to depth 0.
  const indeg = new Map(services.map((s) => [s.id, callers.get(s.id)!.length]));
  const queue = services.filter((s) => indeg.get(s.id) === 0).map((s) => s.id);
  for (const id of queue) depth.set(id, 0);
  const byId = new Map(services.map((s) => [s.id, s]));
  while (queue.length) {
    const id = queue.shift()!;
    for (const d of byId.get(id)!.dependencies) {
      if (!ids.has(d)) continue;
      depth.set(d, Math.max(depth.get(d) ?? 0, depth.get(id)! + 1));
      indeg.set(d, indeg.get(d)! - 1);
      if (indeg.get(d) === 0) queue.push(d);
    }
  }
  for (const s of services) if (!depth.has(s.id)) depth.set(s.id, 0);
  const columns: string[][] = [];
  for (const s of services) (columns[depth.get(s.id)!] ??= []).push(s.id);
  const row = new Map<string, number>();
  columns.forEach((col, c) => {
    if (c > 0) {
      const bary = (id: string) => {
        const cs = callers.get(id)!.filter((x) => row.has(x));
        return cs.length ? cs.reduce((a, x) => a + row.get(x)!, 0) / cs.length : Number.MAX_SAFE_INTEGER;
      };
      col.sort((a, b) => bary(a) - bary(b));
    }
    col.forEach((id, r) => row.set(id, r));
  });
  const rows = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  const height = rows * (H + GAP_Y) - GAP_Y + PAD * 2;
  const nodes = new Map<string, { x: number; y: number }>();
  columns.forEach((col, c) => {
    const offset = ((rows - col.length) * (H + GAP_Y)) / 2;
    col.forEach((id, r) => nodes.set(id, { x: PAD + c * (W + GAP_X), y: PAD + offset + r * (H + GAP_Y) }));
  });
  return { nodes, width: columns.length * (W + GAP_X) - GAP_X + PAD * 2, height };
}

export function ServiceMap({ services, state, selected, onSelect, label = 'Service map', minScale = 0.8, maxScale = 1.25 }: {
  services: MapService[];
  maxScale?: number;
  /** How far the map may shrink to fit its box before it scrolls instead. */
  minScale?: number;
  state: (id: string) => NodeState;
  selected?: string;
  onSelect: (id: string) => void;
  label?: string;
}) {
  const l = useMemo(() => layout(services), [services]);
  const box = useRef<HTMLDivElement>(null);
  const [avail, setAvail] = useState(800);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setAvail(el.clientWidth));
    ro.observe(el);
    setAvail(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  // Shrink to fit the width, but never so far that labels become unreadable: then scroll.
  const scale = Math.max(minScale, Math.min(maxScale, (avail - 4) / l.width));
  const key = (e: KeyboardEvent, id: string) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(id);
    }
  };
  const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  return (
    <div className="service-map" ref={box}>
      <svg role="group" aria-label={label} width={l.width * scale} height={l.height * scale} viewBox={`0 0 ${l.width} ${l.height}`}>
        <defs>
          <marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M0,0 L8,4 L0,8 z" className="edge-arrow" />
          </marker>
        </defs>
        {services.flatMap((s) =>
          s.dependencies.map((d) => {
            const a = l.nodes.get(s.id);
            const b = l.nodes.get(d);
            if (!a || !b) return null;
            const x1 = a.x + W;
            const y1 = a.y + H / 2;
            const x2 = b.x;
            const y2 = b.y + H / 2;
            const mx = (x1 + x2) / 2;
            const hot = state(d).level === 'bad';
            const sel = selected === s.id || selected === d;
            return <path key={`${s.id}>${d}`} d={`M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2 - 1},${y2}`} className={`edge ${hot ? 'hot' : ''} ${sel ? 'sel' : ''}`} markerEnd="url(#arrow)" />;
          }),
        )}
        {services.map((s) => {
          const p = l.nodes.get(s.id)!;
          const st = state(s.id);
          const isSel = selected === s.id;
          // The reasons, then the alert count once (health() lists each firing alert as a reason too).
          const why = st.level === 'unknown' ? 'no data yet' : st.level === 'ok' ? 'healthy' : st.reasons.filter((r) => r !== 'alert firing').join(', ');
          const desc = `${s.id} (${s.kind}): ${[why, st.firing ? `${st.firing} alert${st.firing > 1 ? 's' : ''} firing` : ''].filter(Boolean).join(', ')}`;
          return (
            <g
              key={s.id}
              transform={`translate(${p.x},${p.y})`}
              className={`node ${st.level} ${isSel ? 'selected' : ''}`}
              role="button"
              tabIndex={0}
              aria-pressed={isSel}
              aria-label={desc}
              onClick={() => onSelect(s.id)}
              onKeyDown={(e) => key(e, s.id)}
            >
              <title>{`${s.name}\n${desc}`}</title>
              <rect width={W} height={H} rx={5} />
              <text x={8} y={16} className="node-name">{truncate(s.id, 17)}</text>
              <text x={8} y={31} className="node-line">{truncate(st.line ?? s.kind, 22)}</text>
              {st.firing > 0 && (
                <g transform={`translate(${W - 14},${-4})`}>
                  <circle r={8} cx={6} cy={8} className="badge" />
                  <text x={6} y={11.5} textAnchor="middle" className="badge-text">{st.firing}</text>
                </g>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
