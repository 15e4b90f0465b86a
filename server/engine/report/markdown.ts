// The after-action review as Markdown: for a wiki page, a pull request or a postmortem doc.
// Charts become sparklines; every table cell is escaped, since scenario and action texts are
// user input.
import { formatClock } from '../duration.ts';
import { MARKER_LABELS, safeLink, type ChartPanel, type Report, type ReportFinding, type TeamReport } from './report.ts';

/** Text safe inside a Markdown table cell: no pipes, no line breaks, no raw HTML. */
export function mdCell(text: string): string {
  return mdText(text).replace(/\|/g, '\\|').replace(/\s*\r?\n\s*/g, ' ');
}

/** Text safe in a Markdown paragraph or list item: raw HTML is shown, not rendered. */
export function mdText(text: string): string {
  return text.replace(/</g, '&lt;');
}

/** A table cell linking `text` to an http(s) URL (brackets and parentheses escaped), or the plain cell. */
function mdLink(text: string, url: string | undefined): string {
  const href = safeLink(url);
  const cell = mdCell(text);
  if (!href || cell === '') return cell;
  return `[${cell.replace(/([[\]])/g, '\\$1')}](${href.replace(/[()|]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())})`;
}

function table(head: string[], rows: string[][], align?: ('l' | 'r' | 'c')[]): string {
  const sep = head.map((_, i) => (align?.[i] === 'r' ? '---:' : align?.[i] === 'c' ? ':---:' : '---'));
  return [head, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

const BARS = '▁▂▃▄▅▆▇█';

/** A Unicode sparkline of the points, `width` characters (the maximum of each bucket). */
export function sparkline(points: [number, number][], from: number, to: number, width = 40, max?: number): string {
  if (points.length === 0) return '';
  const top = max ?? Math.max(...points.map(([, v]) => v));
  const buckets: (number | null)[] = Array.from({ length: width }, () => null);
  const span = Math.max(1e-9, to - from);
  for (const [t, v] of points) {
    const i = Math.min(width - 1, Math.max(0, Math.floor(((t - from) / span) * width)));
    buckets[i] = buckets[i] === null ? v : Math.max(buckets[i]!, v);
  }
  let last = points[0][1];
  return buckets
    .map((v) => {
      if (v !== null) last = v;
      const x = v ?? last;
      return top > 0 ? BARS[Math.min(BARS.length - 1, Math.max(0, Math.round((x / top) * (BARS.length - 1))))] : BARS[0];
    })
    .join('');
}

export function formatValue(v: number, unit: ChartPanel['unit']): string {
  if (unit === 'ms') return v >= 1000 ? `${(v / 1000).toFixed(v >= 10000 ? 0 : 1)} s` : `${Math.round(v)} ms`;
  if (unit === '%') return v === 0 ? '0%' : v < 1 ? `${v.toFixed(2)}%` : v < 10 ? `${v.toFixed(1)}%` : `${Math.round(v)}%`;
  return `${Math.round(v)} rps`;
}

const sign = (n: number) => (n >= 0 ? `+${n}` : `−${Math.abs(n)}`);
const dimName = (report: Report, f: ReportFinding) => (f.dimension === 'hints' ? 'hints' : report.teams[0].score.dimensions.find((d) => d.id === f.dimension)?.label ?? f.dimension);

function teamSection(report: Report, team: TeamReport, multi: boolean): string {
  const out: string[] = [];
  const h = multi ? '###' : '##';
  if (multi) out.push(`## Team ${mdText(team.id)} — ${team.score.total}/100, ${team.outcome ?? 'running'} (rank ${team.rank})`, '');

  out.push(`${h} Score`, '');
  const rows = team.score.dimensions.map((d) => [
    d.label,
    `${d.score}`,
    d.counted ? `${d.weight}` : '0 (not counted)',
    mdCell(d.findings.filter((f) => f.lost > 0).sort((a, b) => b.lost - a.lost)[0]?.text ?? 'every point earned'),
  ]);
  if (team.score.hints.count) rows.push(['Hints', `−${team.score.hints.cost}`, '—', `${team.score.hints.count} hint${team.score.hints.count > 1 ? 's' : ''} released`]);
  rows.push(['**Total**', `**${team.score.total}**`, '', team.reason ? mdCell(`${team.outcome ?? 'running'}: ${team.reason}`) : '']);
  out.push(table(['Dimension', 'Score', 'Weight', 'Biggest loss'], rows, ['l', 'r', 'r', 'l']), '');

  out.push(`${h} Metrics`, '');
  out.push(table(team.metrics.map((m) => `${m.label} (${m.short})`), [team.metrics.map((m) => m.text)], team.metrics.map(() => 'r')), '');

  const inDim = (f: ReportFinding) => (f.max > 0 ? `${f.points} of ${f.max}` : sign(f.points));
  const pts = (n: number) => +n.toFixed(1);
  out.push(`${h} What went well`, '', '_Biggest share of the total score first._', '');
  if (team.wentWell.length === 0) out.push('_Nothing earned most of its points._');
  team.wentWell.forEach((f, i) => out.push(`${i + 1}. ${mdText(f.text)} — **+${pts(f.earnedOfTotal)}** of the total (${inDim(f)} in ${dimName(report, f).toLowerCase()})`));
  out.push('', `${h} What to improve`, '', '_Biggest loss to the total score first._', '');
  const partial = team.wentWell.filter((f) => f.lost > 0).sort((a, b) => b.lostOfTotal - a.lostOfTotal);
  const improve = team.toImprove.length ? team.toImprove : partial;
  if (team.toImprove.length === 0) out.push(partial.length ? 'No finding lost more than a quarter of its points. What was still left on the table:\n' : '_No points lost._');
  improve.forEach((f, i) => out.push(`${i + 1}. ${mdText(f.text)} — **−${pts(f.lostOfTotal)}** of the total (${inDim(f)} in ${dimName(report, f).toLowerCase()})`));
  out.push('');

  out.push(`${h} Findings by dimension`, '');
  for (const d of team.score.dimensions) {
    out.push(`**${d.label} — ${d.score}/100**${d.counted ? ` (weight ${d.weight})` : ' (not counted)'}`, '');
    for (const f of d.findings) out.push(`- \`${sign(f.points).padStart(4)}\`${f.max > 0 ? `/${f.max}` : ''} ${f.clock ? `${f.clock} · ` : ''}${mdText(f.text)}`);
    out.push('');
  }
  if (team.score.hints.findings.length) {
    out.push(`**Hints — −${team.score.hints.cost}**`, '');
    for (const f of team.score.hints.findings) out.push(`- \`${sign(f.points).padStart(4)}\` ${f.clock ? `${f.clock} · ` : ''}${mdText(f.text)}`);
    out.push('');
  }

  const c = team.charts;
  if (c.panels.length) {
    out.push(`${h} Signals`, '');
    out.push(`Sampled every 15 s from T+${formatClock(c.from)} to T+${formatClock(c.to)}; each bar is the highest value in its slice of time, each row from 0 to its own peak (0–100% for CPU and saturation). The HTML report draws them as charts with markers.`, '');
    const srows: string[][] = [];
    for (const p of c.panels) {
      // each row from 0 to its own peak (the shape over time), utilisation from 0 to 100%
      const utilisation = p.metric === 'cpu' || p.metric === 'saturation';
      for (const s of p.series) {
        const top = utilisation ? Math.max(100, ...s.points.map(([, v]) => v)) : undefined;
        const peak = s.points.reduce((a, b) => (b[1] > a[1] ? b : a), s.points[0]);
        const peakText = !peak ? '—' : peak[1] > 0 ? `${formatValue(peak[1], p.unit)} at T+${formatClock(peak[0])}` : `flat at ${formatValue(0, p.unit)}`;
        srows.push([p.title, mdCell(s.service), `\`${sparkline(s.points, c.from, c.to, 40, top)}\``, peakText]);
      }
    }
    out.push(table(['Signal', 'Service', `T+${formatClock(c.from)} → T+${formatClock(c.to)}`, 'Peak'], srows), '');
    if (c.markers.length) {
      out.push('Markers:', '');
      out.push(table(['#', 'Time', 'Marker', 'What'], c.markers.map((m) => [`${m.n}`, m.clock, MARKER_LABELS[m.kind], mdCell(m.label)]), ['r', 'r', 'l', 'l']), '');
    }
  }

  out.push(`${h} Timeline`, '');
  out.push(
    table(
      ['Time', 'Kind', 'Event', 'By'],
      team.timeline.map((e) => [e.clock, e.visible ? e.label : `${e.label} _(hidden)_`, mdCell(e.ok ? e.text : `✗ ${e.text}`), e.actor ? mdCell(e.actor) : '']),
      ['r', 'l', 'l', 'l'],
    ),
    '',
    '_(hidden)_: responders did not see it at the time; it is revealed at the debrief.',
    '',
  );
  return out.join('\n');
}

/** The after-action review in Markdown. */
export function renderMarkdown(report: Report): string {
  const s = report.scenario;
  const multi = report.teams.length > 1;
  const out: string[] = [];
  out.push(`# After-action review: ${mdText(s.title)}`, '');
  out.push(`> ${mdText(s.summary).replace(/\n/g, '\n> ')}`, '');
  out.push(
    table(
      ['Scenario', 'Workload', 'Difficulty', 'Seed', 'Simulated', 'Outcome', 'Teams'],
      [[mdCell(s.id), mdCell(s.workload), s.difficulty, mdCell(String(report.run.seed)), report.run.clock, report.run.outcome ?? 'running', mdCell(report.run.teams.join(', '))]],
    ),
    '',
  );

  if (multi && report.comparison) {
    out.push('## Comparison', '');
    const cmp = report.comparison;
    out.push(
      table(
        ['', ...cmp.teams.map(mdCell)],
        cmp.rows.map((r) => [r.label, ...r.texts.map((t, i) => (r.best.includes(i) ? `**${mdCell(t)}**` : mdCell(t)))]),
        ['l', ...cmp.teams.map(() => 'r' as const)],
      ),
      '',
      '**Bold**: best on that row.',
      '',
    );
  } else {
    const t = report.teams[0];
    out.push(`**Score ${t.score.total}/100** — ${t.outcome ?? 'running'}${t.reason ? ` (${mdText(t.reason)})` : ''}.`, '');
  }

  out.push('## Root cause', '', mdText(s.rootCause.summary), '', `Root-cause fault${s.rootCause.faults.length > 1 ? 's' : ''}: ${s.rootCause.faults.map((f) => `\`${f}\``).join(', ')}.`, '');
  out.push('## Objectives', '', ...s.objectives.map((o) => `- ${mdText(o)}`), '');

  for (const team of report.teams) out.push(teamSection(report, team, multi));

  if (report.readiness) {
    const ready = report.readiness.filter((r) => r.ok === true).length;
    out.push('## Readiness', '', `${ready} of ${report.readiness.length} checks passed before the game day.`, '');
    out.push(table(['Check', 'Result', 'Detail'], report.readiness.map((r) => [mdCell(r.label), readinessResult(r), mdCell([r.detail, r.by ? `ticked by ${r.by}` : '', r.at ?? ''].filter(Boolean).join(' · ')) || ' '])), '');
  }

  if (report.debriefNotes) out.push('## Debrief notes', '', mdText(report.debriefNotes.trim()), '');

  out.push('## Lessons learned', '');
  out.push(table(['#', 'Lesson'], report.lessons.map((l, i) => [`${i + 1}`, (mdCell(l.lesson) + (l.author ? ` — _${mdCell(l.author)}_` : '')) || ' '])), '');
  out.push('## Action items', '');
  out.push(table(['#', 'Action', 'Owner', 'Due', 'Status'], report.actionItems.map((a, i) => [`${i + 1}`, mdLink(a.action, a.link) || ' ', mdCell(a.owner) || ' ', mdCell(a.due) || ' ', mdCell(a.status) || ' '])), '');
  out.push('---', '', `_Generated by firedrill from the event log of seed ${mdText(String(report.run.seed))}; the same scenario, seed and inputs give the same report._`, '');
  return out.join('\n');
}

/** ✓ passed, ✗ failed, or why there is no answer yet. */
function readinessResult(r: { ok: boolean | null; kind: 'automatic' | 'manual' }): string {
  if (r.ok === true) return '✓ passed';
  if (r.ok === false) return '✗ failed';
  return r.kind === 'manual' ? 'not ticked' : 'not checked';
}
