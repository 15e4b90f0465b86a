// The after-action review as one self-contained HTML file: inline CSS, inline SVG charts drawn
// here, no external script, font, image or stylesheet — it opens offline, mails as an
// attachment and prints. Every text that comes from a scenario or an action is escaped.
import { formatClock } from '../duration.ts';
import { formatValue } from './markdown.ts';
import {
  MARKER_KINDS, MARKER_LABELS, safeLink,
  type ChartMarker, type ChartPanel, type ChartUnit, type MarkerKind, type Report, type ReportFinding, type TeamReport, type TimelineEntry, type TimelineKind,
} from './report.ts';

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(text: string | number): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// ── palette ────────────────────────────────────────────────────────────────────────────────────

export const SERIES_COLORS = ['#3274d9', '#ff9830', '#56a64b', '#a352cc', '#00a3a3', '#8c6d31'];

export const MARKER_COLORS: Record<MarkerKind, string> = {
  injection: '#c4162a',
  deploy: '#1f60c4',
  alert: '#e0a800',
  remediation: '#5a6170',
  trap: '#d63384',
  hint: '#9a6700',
  mitigated: '#1a7f37',
  resolved: '#0b6e4f',
};

/** Which marker's colour a cluster of overlapping markers takes: the most telling first. */
const MARKER_PRIORITY: MarkerKind[] = ['trap', 'injection', 'mitigated', 'resolved', 'remediation', 'deploy', 'hint', 'alert'];

const KIND_STYLE: Record<TimelineKind, string> = {
  phase: 'k-muted', ended: 'k-muted', slo: 'k-muted', change: 'k-muted', 'alert-resolved': 'k-ok', fault: 'k-muted',
  injection: 'k-fault', trap: 'k-trap', deploy: 'k-deploy', alert: 'k-alert', page: 'k-page', responder: 'k-page',
  action: 'k-action', remediation: 'k-remed', 'status-update': 'k-comms', hypothesis: 'k-action', message: 'k-msg',
  hint: 'k-hint', impact: 'k-alert', mitigated: 'k-ok', resolved: 'k-ok',
};

// ── small SVG charts ───────────────────────────────────────────────────────────────────────────

/** A "nice" step (1, 2, 2.5 or 5 × 10ⁿ) that splits `range` into about `count` parts. */
export function niceStep(range: number, count: number): number {
  if (!(range > 0)) return 1;
  const raw = range / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
}

const TIME_STEPS = [15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200];

export function timeStep(range: number, maxTicks: number): number {
  return TIME_STEPS.find((s) => range / s <= maxTicks) ?? Math.ceil(range / maxTicks / 3600) * 3600;
}

function axisValue(v: number, unit: ChartUnit, step: number): string {
  if (unit === 'ms') return v >= 1000 && step >= 500 ? `${+(v / 1000).toFixed(1)} s` : `${+v.toFixed(0)} ms`;
  if (unit === '%') return `${+v.toFixed(step < 0.1 ? 2 : step < 1 ? 1 : 0)}%`;
  return v >= 1000 && step >= 100 ? `${+(v / 1000).toFixed(2)}k` : `${+v.toFixed(step < 1 ? 1 : 0)}`;
}

export interface LineSeries {
  label: string;
  color: string;
  points: [number, number][];
}

export interface ChartOptions {
  width?: number;
  height?: number;
  from: number;
  to: number;
  unit: ChartUnit;
  series: LineSeries[];
  markers?: ChartMarker[];
  /** Accessible title. */
  title: string;
}

const f1 = (v: number) => (Math.round(v * 10) / 10).toString();

/** An SVG line chart: time on x (T+m:ss), gridlines, y labels in the unit, vertical markers with numbered flags. */
export function lineChart(o: ChartOptions): string {
  const W = o.width ?? 600;
  const H = o.height ?? 250;
  const markers = o.markers ?? [];
  const flagRows = markers.length ? 2 : 0;
  const ml = 58;
  const mr = 14;
  const mt = 10 + flagRows * 16;
  const mb = 34;
  const pw = W - ml - mr;
  const ph = H - mt - mb;
  const span = Math.max(1, o.to - o.from);
  const x = (t: number) => ml + ((t - o.from) / span) * pw;
  let top = 0;
  for (const s of o.series) for (const [, v] of s.points) if (v > top) top = v;
  if (top <= 0) top = o.unit === '%' ? 1 : 1;
  const yStep = niceStep(top, 4);
  const yMax = Math.ceil((top * 1.05) / yStep) * yStep;
  const y = (v: number) => mt + ph - (v / yMax) * ph;
  const parts: string[] = [];
  parts.push(`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(o.title)}" preserveAspectRatio="xMidYMid meet">`);
  parts.push(`<title>${esc(o.title)}</title>`);
  // grid and y axis
  for (let v = 0; v <= yMax + yStep / 1000; v += yStep) {
    const yy = f1(y(v));
    parts.push(`<line class="grid" x1="${ml}" x2="${W - mr}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="tick" x="${ml - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${esc(axisValue(v, o.unit, yStep))}</text>`);
  }
  // x axis
  const tStep = timeStep(span, Math.max(3, Math.floor(pw / 62)));
  for (let t = Math.ceil(o.from / tStep) * tStep; t <= o.to + 1e-9; t += tStep) {
    const xx = f1(x(t));
    parts.push(`<line class="grid grid-v" x1="${xx}" x2="${xx}" y1="${mt}" y2="${mt + ph}"/>`);
    parts.push(`<text class="tick" x="${xx}" y="${mt + ph + 15}" text-anchor="middle">T+${formatClock(t)}</text>`);
  }
  parts.push(`<line class="axis" x1="${ml}" x2="${W - mr}" y1="${mt + ph}" y2="${mt + ph}"/>`);
  parts.push(`<text class="axis-label" x="${ml + pw / 2}" y="${H - 3}" text-anchor="middle">simulated time (T+m:ss)</text>`);
  // markers: one dashed line each, numbered flags clustered where they would overlap
  const clusters: { x: number; items: ChartMarker[] }[] = [];
  for (const m of [...markers].sort((a, b) => a.t - b.t || a.n - b.n)) {
    if (m.t < o.from || m.t > o.to) continue;
    const mx = x(m.t);
    const last = clusters[clusters.length - 1];
    if (last && mx - last.x < 14) last.items.push(m);
    else clusters.push({ x: mx, items: [m] });
    parts.push(`<line class="marker" x1="${f1(mx)}" x2="${f1(mx)}" y1="${mt}" y2="${mt + ph}" stroke="${MARKER_COLORS[m.kind]}"><title>${esc(`#${m.n} ${m.clock} ${MARKER_LABELS[m.kind]}: ${m.label}`)}</title></line>`);
  }
  const rowEnd = Array.from({ length: flagRows }, () => -Infinity);
  for (const c of clusters) {
    const first = c.items[0].n;
    const last = c.items[c.items.length - 1].n;
    const label = first === last ? `${first}` : `${first}–${last}`;
    const w = 6 * label.length + 8;
    let left = Math.min(Math.max(c.x - w / 2, ml - 4), W - mr - w + 4);
    let row = rowEnd.findIndex((end) => end + 2 <= left);
    if (row < 0) {
      row = rowEnd.indexOf(Math.min(...rowEnd));
      left = Math.max(left, Math.min(rowEnd[row] + 2, W - mr - w + 4));
    }
    rowEnd[row] = left + w;
    const kind = MARKER_PRIORITY.find((k) => c.items.some((i) => i.kind === k)) ?? c.items[0].kind;
    const fy = 4 + (flagRows - 1 - row) * 16;
    const tip = c.items.map((m) => `#${m.n} ${m.clock} ${MARKER_LABELS[m.kind]}: ${m.label}`).join('\n');
    parts.push(
      `<g class="flag"><title>${esc(tip)}</title>` +
        `<line x1="${f1(c.x)}" x2="${f1(c.x)}" y1="${fy + 13}" y2="${mt}" stroke="${MARKER_COLORS[kind]}" stroke-width="1"/>` +
        `<rect x="${f1(left)}" y="${fy}" width="${w}" height="13" rx="3" fill="${MARKER_COLORS[kind]}"/>` +
        `<text x="${f1(left + w / 2)}" y="${fy + 10}" text-anchor="middle">${esc(label)}</text></g>`,
    );
  }
  // series
  for (const s of o.series) {
    if (s.points.length === 0) continue;
    const d = s.points.map(([t, v], i) => `${i ? 'L' : 'M'}${f1(x(t))},${f1(y(Math.min(v, yMax)))}`).join('');
    parts.push(`<path class="line" d="${d}" stroke="${s.color}"><title>${esc(s.label)}</title></path>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

// ── pieces ─────────────────────────────────────────────────────────────────────────────────────

const tone = (score: number) => (score >= 80 ? 'good' : score >= 50 ? 'fair' : 'poor');
const signed = (n: number) => (n >= 0 ? `+${n}` : `−${Math.abs(n)}`);

function ring(score: number, size: number, label: string): string {
  const r = size / 2 - 6;
  const c = 2 * Math.PI * r;
  const filled = (Math.max(0, Math.min(100, score)) / 100) * c;
  return (
    `<svg class="ring ring-${tone(score)}" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="${esc(label)}">` +
    `<circle cx="${size / 2}" cy="${size / 2}" r="${f1(r)}" class="ring-bg"/>` +
    `<circle cx="${size / 2}" cy="${size / 2}" r="${f1(r)}" class="ring-fg" stroke-dasharray="${f1(filled)} ${f1(c)}" transform="rotate(-90 ${size / 2} ${size / 2})"/>` +
    `<text x="50%" y="50%" text-anchor="middle" dominant-baseline="central" class="ring-text" style="font-size:${Math.round(size * 0.3)}px">${score}</text></svg>`
  );
}

function outcomeBadge(outcome: string | null): string {
  const o = outcome ?? 'running';
  return `<span class="badge outcome-${esc(o)}">${esc(o)}</span>`;
}

/** The debrief notes are Markdown: paragraphs, `- ` lists, **bold**, *emphasis*, `code`. Escaped first. */
export function miniMarkdown(text: string): string {
  const inline = (s: string) =>
    esc(s)
      .replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>')
      .replace(/`([^`]+)`/g, '<code>$1</code>')
      .replace(/(^|[^*\w])\*([^*\s][^*]*?)\*(?!\w)/g, '$1<em>$2</em>');
  const out: string[] = [];
  for (const block of text.trim().split(/\n\s*\n/)) {
    const lines = block.split('\n');
    const listStart = lines.findIndex((l) => /^\s*[-*] /.test(l));
    if (listStart >= 0) {
      const lead = lines.slice(0, listStart).join(' ').trim();
      if (lead) out.push(`<p>${inline(lead)}</p>`);
      const items: string[] = [];
      for (const l of lines.slice(listStart)) {
        if (/^\s*[-*] /.test(l)) items.push(l.replace(/^\s*[-*] /, ''));
        else if (items.length) items[items.length - 1] += ' ' + l.trim();
      }
      out.push(`<ul>${items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`);
    } else {
      out.push(`<p>${inline(lines.map((l) => l.trim()).join(' '))}</p>`);
    }
  }
  return out.join('\n');
}

function findingRow(f: ReportFinding): string {
  const cls = f.points < 0 || (f.max > 0 && f.points < f.max * 0.5) ? 'pts-bad' : f.points < f.max ? 'pts-fair' : 'pts-good';
  return (
    `<tr><td class="pts ${cls}">${signed(f.points)}${f.max > 0 ? `<span class="of">/${f.max}</span>` : ''}</td>` +
    `<td class="when">${f.clock ? esc(f.clock) : ''}</td><td>${esc(f.text)}</td></tr>`
  );
}

function dimensionCards(team: TeamReport): string {
  const rows = team.score.dimensions.map((d) => {
    const worst = d.findings.filter((f) => f.lost > 0).sort((a, b) => b.lost - a.lost)[0];
    const headline = !d.counted ? 'not counted in this scenario' : worst ? worst.text : 'every point earned';
    return (
      `<details class="dim"><summary>` +
      `<span class="dim-name">${esc(d.label)}</span>` +
      `<span class="bar"><span class="bar-fill fill-${tone(d.score)}" style="width:${d.score}%"></span></span>` +
      `<span class="dim-score score-${tone(d.score)}">${d.score}</span>` +
      `<span class="dim-weight">${d.counted ? `weight ${d.weight}` : 'not counted'}</span>` +
      `<span class="dim-head">${esc(headline)}</span>` +
      `<span class="dim-more">${d.findings.length} finding${d.findings.length === 1 ? '' : 's'}</span>` +
      `</summary><table class="findings">${d.findings.map(findingRow).join('')}</table></details>`
    );
  });
  if (team.score.hints.count) {
    rows.push(
      `<details class="dim"><summary><span class="dim-name">Hints</span><span class="bar"></span>` +
        `<span class="dim-score score-poor">−${team.score.hints.cost}</span><span class="dim-weight">off the total</span>` +
        `<span class="dim-head">${team.score.hints.count} hint${team.score.hints.count > 1 ? 's' : ''} released</span>` +
        `<span class="dim-more">${team.score.hints.count} finding${team.score.hints.count > 1 ? 's' : ''}</span></summary>` +
        `<table class="findings">${team.score.hints.findings.map(findingRow).join('')}</table></details>`,
    );
  }
  return `<div class="dims">${rows.join('')}</div>`;
}

function metricTiles(team: TeamReport): string {
  return `<div class="tiles">${team.metrics
    .map((m) => `<div class="tile"><div class="tile-label">${esc(m.label)} <abbr>${esc(m.short)}</abbr></div><div class="tile-value">${esc(m.text)}</div><div class="tile-help">${esc(m.help)}</div></div>`)
    .join('')}</div>`;
}

function legendItems(items: { color: string; label: string; dashed?: boolean }[]): string {
  return `<div class="legend">${items
    .map((i) => `<span class="legend-item"><span class="swatch${i.dashed ? ' swatch-dash' : ''}" style="${i.dashed ? `border-color:${i.color}` : `background:${i.color}`}"></span>${esc(i.label)}</span>`)
    .join('')}</div>`;
}

function panelHtml(p: ChartPanel, team: TeamReport, colors: Map<string, string>): string {
  const c = team.charts;
  const series = p.series.map((s) => ({ label: s.service, color: colors.get(s.service) ?? SERIES_COLORS[0], points: s.points }));
  const svg = lineChart({ from: c.from, to: c.to, unit: p.unit, series, markers: c.markers, title: `${p.title} (${p.unit}) — team ${team.id}` });
  const legend = legendItems(
    p.series.map((s) => {
      const peak = s.points.reduce((a, b) => (b[1] > a[1] ? b : a), s.points[0] ?? [0, 0]);
      const text = peak[1] > 0 ? `peak ${formatValue(peak[1], p.unit)} at T+${formatClock(peak[0])}` : `flat at ${formatValue(0, p.unit)}`;
      return { color: colors.get(s.service) ?? SERIES_COLORS[0], label: `${s.service} · ${text}` };
    }),
  );
  return `<figure class="panel"><figcaption>${esc(p.title)} <span class="unit">${esc(p.unit)}</span></figcaption>${svg}${legend}</figure>`;
}

function chartsHtml(team: TeamReport): string {
  const c = team.charts;
  if (!c.panels.length) return '<p class="muted">No metric samples in the event log.</p>';
  const colors = new Map<string, string>();
  for (const p of c.panels) for (const s of p.series) if (!colors.has(s.service)) colors.set(s.service, SERIES_COLORS[colors.size % SERIES_COLORS.length]);
  const used = MARKER_KINDS.filter((k) => c.markers.some((m) => m.kind === k));
  const markerLegend = used.length ? `<div class="marker-legend"><span class="legend-title">Markers</span>${legendItems(used.map((k) => ({ color: MARKER_COLORS[k], label: MARKER_LABELS[k], dashed: true })))}</div>` : '';
  const list = c.markers.length
    ? `<details class="markers" open><summary>Marker list (${c.markers.length})</summary><ol class="marker-list">${c.markers
        .map((m) => `<li value="${m.n}"><span class="dot" style="background:${MARKER_COLORS[m.kind]}"></span><span class="when">${esc(m.clock)}</span> <span class="mk">${esc(MARKER_LABELS[m.kind])}</span> ${esc(m.label)}</li>`)
        .join('')}</ol></details>`
    : '';
  return `${markerLegend}<div class="panels">${c.panels.map((p) => panelHtml(p, team, colors)).join('')}</div>${list}`;
}

function timelineHtml(entries: TimelineEntry[]): string {
  const rows = entries.map((e) => {
    const cls = [KIND_STYLE[e.kind], e.ok ? '' : 'refused', e.severity === 'critical' ? 'critical' : ''].filter(Boolean).join(' ');
    const quote = e.kind === 'status-update' || e.kind === 'hypothesis' || e.kind === 'message';
    return (
      `<tr class="${cls}"><td class="when">${esc(e.clock)}</td>` +
      `<td><span class="kind">${esc(e.label)}</span>${e.visible ? '' : '<span class="hidden-tag" title="responders did not see this at the time">hidden</span>'}</td>` +
      `<td class="${quote ? 'quote' : ''}">${e.ok ? '' : '<strong>refused</strong> '}${esc(e.text)}</td>` +
      `<td class="who">${e.actor ? esc(e.actor) : ''}</td></tr>`
    );
  });
  return (
    `<table class="timeline"><thead><tr><th>Time</th><th>Kind</th><th>Event</th><th>By</th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
    `<p class="note"><span class="hidden-tag">hidden</span> responders did not see it at the time (fault injections, traps); it is revealed at the debrief.</p>`
  );
}

/** How many takeaways show before the rest fold into "n more". */
const TAKEAWAYS_SHOWN = 8;

/** Points of the total score, e.g. `+15`, `−7.5`. */
const totalPoints = (n: number, sign: '+' | '−') => `${sign}${+n.toFixed(1)}`;

function takeawayList(items: ReportFinding[], good: boolean): string {
  const li = (f: ReportFinding) =>
    `<li><span class="chip ${good ? 'chip-good' : 'chip-bad'}">${good ? totalPoints(f.earnedOfTotal, '+') : totalPoints(f.lostOfTotal, '−')}</span>` +
    `<div><div>${esc(f.text)}</div><div class="meta">${esc(f.dimension)}${f.clock ? ` · ${esc(f.clock)}` : ''} · ${f.max > 0 ? `${f.points} of ${f.max}` : signed(f.points)} in the dimension</div></div></li>`;
  const shown = items.slice(0, TAKEAWAYS_SHOWN).map(li).join('');
  const rest = items.slice(TAKEAWAYS_SHOWN);
  return `<ul class="take">${shown}</ul>${rest.length ? `<details class="more"><summary>${rest.length} more</summary><ul class="take">${rest.map(li).join('')}</ul></details>` : ''}`;
}

function takeaways(team: TeamReport): string {
  const partial = team.wentWell.filter((f) => f.lost > 0).sort((a, b) => b.lostOfTotal - a.lostOfTotal);
  const improve = team.toImprove.length
    ? takeawayList(team.toImprove, false)
    : partial.length
      ? `<p class="muted">No finding lost more than a quarter of its points. What was still left on the table:</p>${takeawayList(partial, false)}`
      : '<p class="muted">No points lost.</p>';
  return (
    `<div class="two">` +
    `<div class="card well"><h3>What went well <span class="muted small">— points of the total score</span></h3>${team.wentWell.length ? takeawayList(team.wentWell, true) : '<p class="muted">Nothing earned most of its points.</p>'}</div>` +
    `<div class="card improve"><h3>What to improve <span class="muted small">— points of the total score lost</span></h3>${improve}</div>` +
    `</div>`
  );
}

function teamSection(team: TeamReport, multi: boolean): string {
  const head = multi
    ? `<div class="team-head">${ring(team.score.total, 64, `team ${team.id} total ${team.score.total}`)}<div><h2>Team ${esc(team.id)}</h2><div class="meta">rank ${team.rank} · ${outcomeBadge(team.outcome)}${team.reason ? ` ${esc(team.reason)}` : ''}</div></div></div>`
    : '';
  return (
    `<section class="team" id="team-${esc(team.id)}">${head}` +
    `<h3 class="sec">Score by dimension <span class="muted small">— open a row for its findings</span></h3>${dimensionCards(team)}` +
    `<h3 class="sec">Key times</h3>${metricTiles(team)}` +
    `<h3 class="sec">What the system did</h3>${chartsHtml(team)}` +
    `<h3 class="sec">Takeaways</h3>${takeaways(team)}` +
    `<h3 class="sec">Timeline</h3>${timelineHtml(team.timeline)}` +
    `</section>`
  );
}

function comparisonHtml(report: Report): string {
  const cmp = report.comparison!;
  const head = `<tr><th></th>${cmp.teams.map((t) => `<th><a href="#team-${esc(t)}">${esc(t)}</a></th>`).join('')}</tr>`;
  const body = cmp.rows
    .map((r) => {
      const isScore = r.id === 'total' || ['detection', 'escalation', 'runbook', 'mitigation', 'communication'].includes(r.id);
      return `<tr${r.id === 'total' ? ' class="total"' : ''}><th>${esc(r.label)}</th>${r.texts
        .map((t, i) => {
          const v = r.values[i];
          const bar = isScore && v !== null ? `<span class="mini"><span class="mini-fill fill-${tone(v)}" style="width:${v}%"></span></span>` : '';
          return `<td class="${r.best.includes(i) ? 'best' : ''}">${bar}${r.id === 'outcome' ? outcomeBadge(t) : esc(t)}</td>`;
        })
        .join('')}</tr>`;
    })
    .join('');
  // the root-cause service's p99 and the error budget, one line per team
  const compareCharts: string[] = [];
  const first = report.teams[0];
  for (const metric of ['latency_p99_ms', 'error_budget_burned_pct'] as const) {
    const panel = first.charts.panels.find((p) => p.metric === metric);
    const service = panel?.series[0]?.service;
    if (!panel || !service) continue;
    const series = report.teams.map((t, i) => ({
      label: `team ${t.id}`,
      color: SERIES_COLORS[i % SERIES_COLORS.length],
      points: t.charts.panels.find((p) => p.metric === metric)?.series.find((s) => s.service === service)?.points ?? [],
    }));
    const to = Math.max(...report.teams.map((t) => t.charts.to));
    const injections = first.charts.markers.filter((m) => m.kind === 'injection').map((m, i) => ({ ...m, n: i + 1 }));
    compareCharts.push(
      `<figure class="panel"><figcaption>${esc(panel.title)} of ${esc(service)}, by team <span class="unit">${esc(panel.unit)}</span></figcaption>` +
        lineChart({ from: 0, to, unit: panel.unit, series, markers: injections, title: `${panel.title} of ${service} by team` }) +
        legendItems([...series.map((s) => ({ color: s.color, label: s.label })), ...(injections.length ? [{ color: MARKER_COLORS.injection, label: 'fault injected', dashed: true }] : [])]) +
        `</figure>`,
    );
  }
  return (
    `<section class="card"><h2>Comparison</h2><table class="compare">${head}${body}</table><p class="note">Highlighted: best on that row.</p>` +
    (compareCharts.length ? `<div class="panels">${compareCharts.join('')}</div>` : '') +
    `</section>`
  );
}

/** The recorded rows (`cells` already escaped HTML), or blank numbered rows when nothing was recorded. */
function notesTable(head: string[], rows: string[][], widths: string[]): string {
  if (rows.every((cells) => cells.every((c) => c === ''))) return blankTable(head, rows.length, widths);
  const cols = widths.map((w) => `<col style="width:${w}">`).join('');
  const body = rows.map((cells, i) => `<tr><td class="num">${i + 1}</td>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table class="blank filled"><colgroup>${cols}</colgroup><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

function blankTable(head: string[], rows: number, widths: string[]): string {
  const cols = widths.map((w) => `<col style="width:${w}">`).join('');
  const body = Array.from({ length: rows }, (_, i) => `<tr><td class="num">${i + 1}</td>${head.slice(1).map(() => '<td></td>').join('')}</tr>`).join('');
  return `<table class="blank"><colgroup>${cols}</colgroup><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

// ── the page ───────────────────────────────────────────────────────────────────────────────────

const CSS = `
:root{--bg:#f4f5f7;--card:#fff;--line:#e3e6ea;--text:#1f2328;--muted:#5f6b7a;--accent:#3274d9;--good:#1a7f37;--fair:#b7791f;--poor:#cf222e}
*{box-sizing:border-box}
html{color-scheme:light}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.wrap{max-width:1200px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;line-height:1.25;margin:4px 0 8px}
h2{font-size:19px;margin:0 0 12px}
h3{font-size:15px;margin:0 0 10px}
h3.sec{margin:26px 0 10px;font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
p{margin:0 0 10px}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef0f3;padding:1px 4px;border-radius:3px}
.muted{color:var(--muted)}.small{font-size:12px;text-transform:none;letter-spacing:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:18px 20px;margin:0 0 16px}
header.top{display:flex;gap:24px;align-items:center;justify-content:space-between;background:var(--card);border:1px solid var(--line);border-top:4px solid var(--accent);border-radius:8px;padding:20px 24px;margin-bottom:16px}
.eyebrow{font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted)}
.facts{display:flex;flex-wrap:wrap;gap:6px 16px;color:var(--muted);font-size:13px;margin-top:6px}
.facts b{color:var(--text);font-weight:600}
.score-box{display:flex;gap:18px;align-items:center;flex-shrink:0}
.score-caption{text-align:center;font-size:12px;color:var(--muted)}
.teams-mini{display:flex;gap:16px}
.badge{display:inline-block;padding:1px 10px;border-radius:999px;font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.04em}
.outcome-resolved{background:#dafbe1;color:#116329}.outcome-unresolved,.outcome-running{background:#fff8c5;color:#7d4e00}.outcome-halted{background:#ffebe9;color:#a40e26}
.ring-bg{fill:none;stroke:#e9ecef;stroke-width:7}.ring-fg{fill:none;stroke-width:7;stroke-linecap:round}
.ring-good .ring-fg{stroke:var(--good)}.ring-fair .ring-fg{stroke:var(--fair)}.ring-poor .ring-fg{stroke:var(--poor)}
.ring-text{font-weight:700;fill:var(--text)}
.summary{display:grid;grid-template-columns:1.2fr 1fr;gap:16px}
.rootcause{border-left:4px solid var(--poor);background:#fff7f7;padding:10px 14px;border-radius:4px}
.objectives{margin:0;padding-left:20px}
.team{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:18px 20px 22px;margin:0 0 16px}
.team>h3.sec:first-child{margin-top:2px}
.team-head{display:flex;gap:14px;align-items:center;margin-bottom:4px}.team-head h2{margin:0}
.dims{border:1px solid var(--line);border-radius:6px;overflow:hidden}
details.dim{border-top:1px solid var(--line)}details.dim:first-child{border-top:0}
details.dim summary{display:grid;grid-template-columns:200px 130px 44px 82px 1fr auto;gap:12px;align-items:center;padding:10px 14px;cursor:pointer;list-style:none}
details.dim summary::-webkit-details-marker{display:none}
details.dim summary:hover{background:#f8f9fb}
details.dim[open] summary{background:#f6f8fa;border-bottom:1px solid var(--line)}
.dim-name{font-weight:600}.dim-name::before{content:"▸";display:inline-block;width:16px;color:var(--muted)}
details[open] .dim-name::before{content:"▾"}
.dim-score{font-size:20px;font-weight:700;text-align:right}.dim-weight{font-size:12px;color:var(--muted)}
.dim-head{font-size:13px;color:var(--muted);overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.dim-more{font-size:12px;color:var(--accent)}
.score-good{color:var(--good)}.score-fair{color:var(--fair)}.score-poor{color:var(--poor)}
.bar,.mini{display:block;height:8px;background:#eef0f3;border-radius:4px;overflow:hidden}
.mini{display:inline-block;width:60px;height:6px;margin-right:8px;vertical-align:middle}
.bar-fill,.mini-fill{display:block;height:100%}
.fill-good{background:var(--good)}.fill-fair{background:#e3a008}.fill-poor{background:var(--poor)}
table{border-collapse:collapse;width:100%}
table.findings td{padding:6px 14px;border-top:1px solid #f0f2f4;vertical-align:top}
table.findings tr:first-child td{border-top:0}
td.pts{width:76px;font-weight:700;font-variant-numeric:tabular-nums;white-space:nowrap}
.pts .of{font-weight:400;color:var(--muted)}
.pts-good{color:var(--good)}.pts-fair{color:var(--fair)}.pts-bad{color:var(--poor)}
td.when,span.when{width:70px;color:var(--muted);font-variant-numeric:tabular-nums;white-space:nowrap}
.tiles{display:grid;grid-template-columns:repeat(5,1fr);gap:12px}
.tile{border:1px solid var(--line);border-radius:6px;padding:12px 14px}
.tile-label{font-size:12px;color:var(--muted)}.tile-label abbr{text-decoration:none;font-weight:600;color:var(--text);margin-left:4px}
.tile-value{font-size:24px;font-weight:700;font-variant-numeric:tabular-nums;margin:2px 0}
.tile-help{font-size:11.5px;color:var(--muted);line-height:1.35}
.panels{display:grid;grid-template-columns:1fr 1fr;gap:14px}
figure.panel{margin:0;border:1px solid var(--line);border-radius:6px;padding:10px 12px 8px;break-inside:avoid}
figcaption{font-weight:600;font-size:13px;margin-bottom:2px}.unit{font-weight:400;color:var(--muted);font-size:12px;margin-left:4px}
svg.chart{width:100%;height:auto;display:block}
svg.chart .grid{stroke:#eceef1;stroke-width:1}svg.chart .grid-v{stroke:#f3f4f6}
svg.chart .axis{stroke:#c9ced6;stroke-width:1}
svg.chart .tick{font-size:10.5px;fill:#6b7280;font-variant-numeric:tabular-nums}
svg.chart .axis-label{font-size:10.5px;fill:#8b95a3}
svg.chart .line{fill:none;stroke-width:1.8;stroke-linejoin:round;stroke-linecap:round}
svg.chart .marker{stroke-width:1.2;stroke-dasharray:4 3;opacity:.75}
svg.chart .flag text{font-size:9.5px;font-weight:700;fill:#fff}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:#3d4653;margin-top:4px}
.legend-item{display:inline-flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:14px;height:3px;border-radius:2px}
.swatch-dash{height:12px;width:0;border-left:2px dashed;border-radius:0;margin:0 6px}
.marker-legend{display:flex;gap:12px;align-items:center;margin:0 0 10px;font-size:12px}
.legend-title{font-weight:600;color:var(--muted);text-transform:uppercase;font-size:11px;letter-spacing:.06em}
.marker-legend .legend{margin:0}
details.markers{margin-top:12px;font-size:12.5px}
details.markers summary{cursor:pointer;color:var(--muted);font-weight:600}
ol.marker-list{columns:2;column-gap:28px;margin:8px 0 0;padding-left:30px}
ol.marker-list li{break-inside:avoid;padding:1px 0}
.dot{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px}
.mk{font-weight:600}
.two{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.two .card{margin:0}
.well{border-top:3px solid var(--good)}.improve{border-top:3px solid var(--poor)}
ul.take{list-style:none;margin:0;padding:0}
ul.take li{display:flex;gap:10px;padding:7px 0;border-top:1px solid #f0f2f4}ul.take li:first-child{border-top:0}
.chip{flex:0 0 52px;text-align:center;font-weight:700;font-size:12px;border-radius:4px;padding:2px 0;height:22px;font-variant-numeric:tabular-nums}
.chip-good{background:#dafbe1;color:#116329}.chip-bad{background:#ffebe9;color:#a40e26}
.meta{font-size:12px;color:var(--muted)}
details.more summary{cursor:pointer;color:var(--accent);font-size:12.5px;padding:6px 0 0 62px}
table.timeline{font-size:13px}
table.timeline th{text-align:left;font-size:12px;color:var(--muted);font-weight:600;padding:6px 8px;border-bottom:2px solid var(--line)}
table.timeline td{padding:5px 8px;border-bottom:1px solid #f0f2f4;vertical-align:top}
table.timeline td:nth-child(2){width:150px;white-space:nowrap}
td.who{width:80px;color:var(--muted)}
td.quote{font-style:italic}
.kind{display:inline-block;font-size:11px;font-weight:600;padding:0 7px;border-radius:3px;background:#eef0f3;color:#3d4653}
.hidden-tag{display:inline-block;font-size:10px;margin-left:5px;padding:0 5px;border:1px dashed #a0a8b4;border-radius:3px;color:var(--muted)}
.k-fault .kind{background:#ffe3e6;color:#a40e26}.k-trap .kind{background:#d63384;color:#fff}.k-trap td{background:#fff5fa}
.k-deploy .kind{background:#dde9fb;color:#1f4f99}.k-alert .kind{background:#fff1c2;color:#7d4e00}.critical.k-alert .kind{background:#ffd8a8;color:#8a3b00}
.k-page .kind{background:#ece4fb;color:#5a32a3}.k-action .kind{background:#e7f0fd;color:#1f4f99}.k-remed .kind{background:#3d4653;color:#fff}
.k-comms .kind{background:#def5f3;color:#0b5e57}.k-msg .kind{background:#f1f1f1;color:#3d4653}.k-hint .kind{background:#fdf0d5;color:#7a4a00}
.k-ok .kind{background:#dafbe1;color:#116329}.k-muted td{color:#6b7280}
tr.refused td{background:#fff8f8}
.note{font-size:12px;color:var(--muted);margin-top:6px}
table.compare th,table.compare td{padding:7px 12px;border-bottom:1px solid #f0f2f4;text-align:right;font-variant-numeric:tabular-nums}
table.compare th:first-child{text-align:left;font-weight:500;color:#3d4653}
table.compare thead th,table.compare tr:first-child th{font-weight:700}
table.compare td.best{background:#eefbf1;font-weight:700;color:#116329}
table.compare tr.total td,table.compare tr.total th{font-size:16px;font-weight:700}
table.compare a{color:inherit}
.notes p,.notes li{max-width:900px}
.notes ul{margin:0 0 10px;padding-left:22px}
table.blank th{text-align:left;font-size:12px;color:var(--muted);padding:6px 10px;border-bottom:2px solid var(--line)}
table.blank td{height:38px;border-bottom:1px solid var(--line);border-right:1px dashed #eceef1;padding:6px 10px}
table.blank td:last-child{border-right:0}
td.num{color:var(--muted);text-align:right}
table.filled td{height:auto;vertical-align:top;white-space:pre-wrap;overflow-wrap:anywhere}
table.filled td.num{white-space:nowrap}
.status{display:inline-block;font-size:11px;font-weight:600;padding:0 7px;border-radius:3px;background:#eef0f3;color:#3d4653}
.status-open{background:#fff1c2;color:#7d4e00}.status-in-progress{background:#dde9fb;color:#1f4f99}.status-done{background:#dafbe1;color:#116329}.status-dropped{background:#f1f1f1;color:#6b7280;text-decoration:line-through}
nav.toc{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:13px;margin:-4px 0 16px}
nav.toc a{color:var(--accent);text-decoration:none}
footer{font-size:12px;color:var(--muted);text-align:center;margin-top:24px}
@media (max-width:900px){.summary,.two,.panels{grid-template-columns:1fr}.tiles{grid-template-columns:repeat(2,1fr)}details.dim summary{grid-template-columns:1fr 60px auto}.bar,.dim-head,.dim-more{display:none}}
@media print{body{background:#fff;font-size:12px}.wrap{max-width:none;padding:0}.card,.team,header.top{border-color:#ccc;break-inside:auto}
figure.panel,.tile,details.dim,ul.take li,tr{break-inside:avoid}.team{break-before:page}nav.toc{display:none}details.dim summary{cursor:default}}
`;

/** Opens every collapsed section before printing, so the paper copy has all findings. Inline, no network. */
const PRINT_SCRIPT = `<script>addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true})})</script>`;

/** The after-action review as one self-contained HTML page. */
export function renderHtml(report: Report): string {
  const s = report.scenario;
  const multi = report.teams.length > 1;
  const one = report.teams[0];
  const scoreBox = multi
    ? `<div class="teams-mini">${[...report.teams].sort((a, b) => a.rank - b.rank).map((t) => `<div class="score-caption">${ring(t.score.total, 72, `team ${t.id} total ${t.score.total}`)}<div><a href="#team-${esc(t.id)}">${esc(t.id)}</a> · #${t.rank}</div></div>`).join('')}</div>`
    : `<div class="score-caption">${ring(one.score.total, 96, `total score ${one.score.total} of 100`)}<div>total score / 100</div></div>`;
  const outcome = multi ? report.run.outcome : one.outcome;
  const header =
    `<header class="top"><div><div class="eyebrow">After-action review · firedrill</div>` +
    `<h1>${esc(s.title)}</h1>` +
    `<div>${outcomeBadge(outcome)} <span class="muted">${multi ? `${report.teams.length} teams` : esc(one.reason ?? '')} · ended at ${esc(report.run.clock)}</span></div>` +
    `<div class="facts"><span>scenario <b>${esc(s.id)}</b></span><span>workload <b>${esc(s.workload)}</b></span><span>difficulty <b>${esc(s.difficulty)}</b></span><span>seed <b>${esc(String(report.run.seed))}</b></span><span>simulated <b>${esc(report.run.clock)}</b></span></div>` +
    `</div><div class="score-box">${scoreBox}</div></header>`;
  const toc = `<nav class="toc">${multi ? '<a href="#comparison">Comparison</a>' : ''}${report.teams.map((t) => `<a href="#team-${esc(t.id)}">${multi ? `Team ${esc(t.id)}` : 'Score &amp; timeline'}</a>`).join('')}${report.readiness ? '<a href="#readiness">Readiness</a>' : ''}<a href="#debrief">Debrief notes</a><a href="#lessons">Lessons &amp; action items</a></nav>`;
  const summary =
    `<section class="card summary"><div><h2>What happened</h2><p>${esc(s.summary)}</p>` +
    `<div class="rootcause"><strong>Root cause.</strong> ${esc(s.rootCause.summary)}</div></div>` +
    `<div><h2>Objectives</h2><ul class="objectives">${s.objectives.map((o) => `<li>${esc(o)}</li>`).join('')}</ul></div></section>`;
  const compare = multi && report.comparison ? `<div id="comparison">${comparisonHtml(report)}</div>` : '';
  const teams = report.teams.map((t) => teamSection(t, multi)).join('');
  const readiness = report.readiness
    ? `<section class="card" id="readiness"><h2>Readiness</h2><p>${report.readiness.filter((r) => r.ok === true).length} of ${report.readiness.length} checks passed before the game day.</p>` +
      `<table class="blank filled"><colgroup><col style="width:auto"><col style="width:130px"><col style="width:40%"></colgroup><thead><tr><th>Check</th><th>Result</th><th>Detail</th></tr></thead><tbody>` +
      report.readiness
        .map((r) => {
          const result = r.ok === true ? '<span class="status status-done">✓ passed</span>' : r.ok === false ? '<span class="status status-open">✗ failed</span>' : `<span class="meta">${r.kind === 'manual' ? 'not ticked' : 'not checked'}</span>`;
          const detail = [r.detail, r.by ? `ticked by ${r.by}` : '', r.at ?? ''].filter(Boolean).map((d) => esc(d!)).join(' · ');
          return `<tr><td>${esc(r.label)}</td><td>${result}</td><td>${detail}</td></tr>`;
        })
        .join('') +
      `</tbody></table></section>`
    : '';
  const debrief = `<section class="card notes" id="debrief"><h2>Debrief notes</h2>${report.debriefNotes ? miniMarkdown(report.debriefNotes) : '<p class="muted">This scenario has no debrief notes.</p>'}</section>`;
  const lessons =
    `<section class="card" id="lessons"><h2>Lessons learned</h2>${notesTable(['#', 'Lesson'], report.lessons.map((l) => [l.lesson === '' ? '' : `${esc(l.lesson)}${l.author ? ` <span class="meta">— ${esc(l.author)}</span>` : ''}`]), ['40px', 'auto'])}` +
    `<h2 style="margin-top:22px">Action items</h2>${notesTable(
      ['#', 'Action', 'Owner', 'Due', 'Status'],
      report.actionItems.map((a) => {
        const link = safeLink(a.link);
        return [link ? `<a href="${esc(link)}" target="_blank" rel="noopener noreferrer">${esc(a.action)}</a>` : esc(a.action), esc(a.owner), esc(a.due), a.status === '' ? '' : `<span class="status status-${esc(a.status)}">${esc(a.status)}</span>`];
      }),
      ['40px', 'auto', '160px', '120px', '120px'],
    )}</section>`;
  const footer = `<footer>Generated by firedrill from the event log (seed ${esc(String(report.run.seed))}). The same scenario, seed and inputs give the same report.</footer>`;
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(`After-action review — ${s.title}`)}</title><style>${CSS}</style></head>\n` +
    `<body><div class="wrap">${header}${toc}${summary}${compare}${teams}${readiness}${debrief}${lessons}${footer}</div>${PRINT_SCRIPT}</body></html>\n`
  );
}
