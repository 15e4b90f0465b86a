// The timeline preview of the scenario editor: a time axis from T+0 to the scenario's duration
// with one lane per kind of step (faults, messages, audit events, hints, branch deadlines). Each
// marker is a button: its label says what happens, clicking it selects the line in the editor.
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { BranchItem, TimelineItem } from '../lib/editor-api.ts';
import { clock } from '../lib/format.ts';

type LaneId = TimelineItem['kind'] | 'deadline';

const LANES: { id: LaneId; label: string }[] = [
  { id: 'inject', label: 'Faults' },
  { id: 'message', label: 'Messages' },
  { id: 'event', label: 'Events' },
  { id: 'hint', label: 'Hints' },
  { id: 'deadline', label: 'Deadlines' },
];

const ROW = 18;
const LABEL_PX = 6.6;

interface Marker {
  key: string;
  at: number;
  lane: LaneId;
  label: string;
  full: string;
  line: number;
  root?: boolean;
  trap?: boolean;
}

function shortLabel(item: TimelineItem): string {
  if (item.kind === 'inject' && item.fault) return `${item.fault.id}`;
  if (item.kind === 'hint' || item.kind === 'event') return item.text.split(':')[0];
  return item.text.length > 30 ? item.text.slice(0, 29) + '…' : item.text;
}

/** A tick every 30 s … 2 h, whichever gives at most 12 ticks. */
function tickStep(duration: number): number {
  for (const s of [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400]) if (duration / s <= 12) return s;
  return Math.ceil(duration / 12 / 3600) * 3600;
}

function tickLabel(t: number): string {
  if (t === 0) return 'T+0';
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

export function TimelinePreview({ duration, items, branches, stale, onJump }: {
  duration: number;
  items: TimelineItem[];
  branches: BranchItem[];
  stale: boolean;
  onJump: (line: number) => void;
}) {
  const track = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  useLayoutEffect(() => {
    const el = track.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);

  const markers = useMemo<Marker[]>(() => [
    ...items.map((i) => ({ key: i.source, at: i.at, lane: i.kind, label: shortLabel(i), full: i.text, line: i.line, root: i.fault?.rootCause })),
    ...branches.filter((b) => b.at !== null).map((b) => ({ key: `branch:${b.id}`, at: b.at!, lane: 'deadline' as const, label: b.id, full: `${b.trigger}: ${b.consequences.join('; ')}`, line: b.line, trap: b.trap })),
  ], [items, branches]);

  // Place each label on the first row of its lane where it does not overlap the previous one.
  const placed = useMemo(() => {
    const out = new Map<string, { x: number; row: number; flip: boolean }>();
    const rows = new Map<LaneId, number>();
    for (const lane of LANES) {
      const ends: number[] = [];
      for (const m of markers.filter((x) => x.lane === lane.id).sort((a, b) => a.at - b.at)) {
        const x = Math.min(1, Math.max(0, m.at / Math.max(1, duration))) * width;
        const w = 14 + Math.min(m.label.length, 30) * LABEL_PX;
        const flip = x + w > width;
        const left = flip ? x - w : x;
        let row = ends.findIndex((end) => left >= end + 6);
        if (row < 0) row = ends.length < 3 ? ends.length : ends.indexOf(Math.min(...ends));
        ends[row] = flip ? x : x + w;
        out.set(m.key, { x, row, flip });
      }
      rows.set(lane.id, Math.max(1, ends.length));
    }
    return { out, rows };
  }, [markers, duration, width]);

  const step = tickStep(duration);
  const ticks: number[] = [];
  for (let t = 0; t < duration - step * 0.4; t += step) ticks.push(t);
  const lanes = LANES.filter((l) => l.id !== 'deadline' || markers.some((m) => m.lane === 'deadline'));

  return (
    <div className={`tl${stale ? ' stale' : ''}`}>
      {lanes.map((lane) => {
        const mine = markers.filter((m) => m.lane === lane.id);
        return (
          <div key={lane.id} className={`tl-lane lane-${lane.id}`} role="group" aria-label={`${lane.label}: ${mine.length}`}>
            <span className="tl-lane-label" aria-hidden="true">{lane.label}</span>
            <div className="tl-track" ref={lane.id === 'inject' ? track : undefined} style={{ height: (placed.rows.get(lane.id) ?? 1) * ROW }}>
              {!mine.length && <span className="tl-none">none</span>}
              {mine.map((m) => {
                const p = placed.out.get(m.key);
                if (!p) return null;
                return (
                  <button
                    key={m.key}
                    type="button"
                    className={`tl-marker${p.flip ? ' flip' : ''}${m.root ? ' root' : ''}${m.trap ? ' trap' : ''}`}
                    style={{ left: p.x, top: p.row * ROW }}
                    title={`${clock(m.at)} — ${m.full} (line ${m.line})`}
                    aria-label={`${clock(m.at)} ${lane.label}: ${m.full}. Line ${m.line}.`}
                    onClick={() => onJump(m.line)}
                  >
                    <span className="tl-dot" aria-hidden="true" />
                    <span className="tl-label">{m.root ? '★ ' : ''}{m.label}</span>
                  </button>
                );
              })}
            </div>
          </div>
        );
      })}
      <div className="tl-axis" aria-hidden="true">
        <span className="tl-lane-label" />
        <div className="tl-ticks">
          {ticks.map((t) => (
            <span key={t} className="tl-tick" style={{ left: `${(t / Math.max(1, duration)) * 100}%` }}>{tickLabel(t)}</span>
          ))}
          <span className="tl-tick end" style={{ left: '100%' }}>{tickLabel(duration)}</span>
        </div>
      </div>
    </div>
  );
}
