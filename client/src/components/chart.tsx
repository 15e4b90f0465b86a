// A uPlot time-series chart of one service's metrics, redrawn on every telemetry frame, with
// vertical markers for deploys, alerts and actions.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Metric, TeamSeries } from '../lib/live.ts';
import { METRIC_INDEX } from '../lib/live.ts';
import { clock } from '../lib/format.ts';

export interface SeriesDef {
  metric: Metric;
  label: string;
  color: string;
  /** Display transform, e.g. fraction → percent. */
  scale?: number;
}

export interface Marker {
  t: number;
  kind: 'deploy' | 'alert' | 'resolved' | 'action' | 'fault';
  label: string;
}

const MARKER_COLOURS: Record<Marker['kind'], string> = {
  deploy: '#5b9cff',
  alert: '#ff5c5c',
  resolved: '#3ecf8e',
  action: '#c08bff',
  fault: '#ffb347',
};

function markersPlugin(get: () => Marker[]): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          const { left, top, width, height } = u.bbox;
          const [min, max] = [u.scales.x.min ?? 0, u.scales.x.max ?? 0];
          ctx.save();
          ctx.font = `${Math.round(10 * devicePixelRatio)}px system-ui, sans-serif`;
          ctx.textBaseline = 'top';
          ctx.textAlign = 'left'; // uPlot leaves 'center' from its axis labels; the rows below assume left
          // Two rows of labels; a label that fits in neither is left out (the line stays).
          const rowEnds = [-Infinity, -Infinity];
          const pad = 6 * devicePixelRatio;
          for (const m of get()) {
            if (m.t < min || m.t > max) continue;
            const x = Math.round(u.valToPos(m.t, 'x', true));
            if (x < left || x > left + width) continue;
            ctx.strokeStyle = MARKER_COLOURS[m.kind];
            ctx.lineWidth = devicePixelRatio * (m.kind === 'deploy' ? 2 : 1.25);
            ctx.setLineDash(m.kind === 'deploy' ? [] : [4 * devicePixelRatio, 3 * devicePixelRatio]);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + height);
            ctx.stroke();
            const label = m.label.length > 18 ? `${m.label.slice(0, 17)}…` : m.label;
            const w = ctx.measureText(label).width;
            const lx = Math.min(x + 3 * devicePixelRatio, left + width - w);
            const row = rowEnds.findIndex((end) => lx > end + pad);
            if (row >= 0) {
              ctx.fillStyle = MARKER_COLOURS[m.kind];
              ctx.fillText(label, lx, top + (2 + row * 12) * devicePixelRatio);
              rowEnds[row] = lx + w;
            }
          }
          ctx.restore();
        },
      ],
    },
  };
}

export function Chart({ title, series, data, service, markers, rev, unit, height = 120 }: {
  title: string;
  series: SeriesDef[];
  data: TeamSeries | undefined;
  service: string;
  markers: Marker[];
  rev: number;
  unit: (v: number) => string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const markersRef = useRef(markers);
  markersRef.current = markers;

  const build = (): uPlot.AlignedData => {
    const times = data?.times ?? [];
    const s = data?.series.get(service);
    return [
      times,
      ...series.map((d) => {
        const arr = s?.[METRIC_INDEX[d.metric]] ?? [];
        const k = d.scale ?? 1;
        return k === 1 ? arr : arr.map((v) => (v === null ? null : v * k));
      }),
    ] as uPlot.AlignedData;
  };

  // (Re)create the plot when the service or the series change.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      pxAlign: false,
      cursor: { y: false, points: { size: 5 } },
      legend: { show: true, live: true },
      scales: { x: { time: false }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      axes: [
        { stroke: '#9aa4b2', grid: { stroke: '#2a3140', width: 1 }, ticks: { stroke: '#2a3140' }, values: (_u, vals) => vals.map((v) => clock(v)), size: 28, font: '11px system-ui, sans-serif' },
        { stroke: '#9aa4b2', grid: { stroke: '#2a3140', width: 1 }, ticks: { stroke: '#2a3140' }, values: (_u, vals) => vals.map((v) => unit(v)), size: 56, font: '11px system-ui, sans-serif' },
      ],
      series: [
        { label: 'time', value: (_u, v) => (v == null ? '–' : clock(v)) },
        ...series.map((d) => ({ label: d.label, stroke: d.color, width: 1.75, fill: `${d.color}22`, spanGaps: false, value: (_u: uPlot, v: number | null) => (v == null ? '–' : unit(v)) })),
      ],
      plugins: [markersPlugin(() => markersRef.current)],
    };
    const u = new uPlot(opts, build(), el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [service, series.map((s) => s.metric).join(','), height]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(build());
    // While the pointer is not on the chart, the legend shows the newest values.
    if (u.cursor.left == null || u.cursor.left < 0) u.setLegend({ idx: Math.max(0, (data?.times.length ?? 1) - 1) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rev, markers.length]);

  const latest = series.map((d) => {
    const v = data?.value(service, d.metric);
    return `${d.label} ${v === undefined ? 'no data' : unit(v * (d.scale ?? 1))}`;
  });
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart-canvas" role="img" aria-label={`${title} of ${service}: ${latest.join(', ')}`} />
    </figure>
  );
}
