// The after-action report, from real runs of a shipped scenario: the timeline and charts match
// the event log, went-well / to-improve partition the findings, the HTML is self-contained and
// escapes user input, the Markdown has the right totals, two teams are compared.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLibrary } from '../../server/library/fs.ts';
import type { Library } from '../../server/engine/scenario/library.ts';
import { Session, type Input } from '../../server/engine/session/session.ts';
import { parseResponses } from '../../server/engine/session/responses.ts';
import { runResult, type RunResult } from '../../server/engine/session/result.ts';
import { SAMPLED_METRICS, type SessionEvent } from '../../server/engine/session/events.ts';
import { formatClock } from '../../server/engine/duration.ts';
import { DIMENSIONS } from '../../server/engine/scoring/index.ts';
import { buildReport, renderHtml, renderJson, renderMarkdown, esc, lineChart, niceStep, miniMarkdown, type Report } from '../../server/engine/report/index.ts';
import { parseReportOption, writeReport } from '../../server/cli/report-options.ts';

const LIBRARY = new URL('../../scenarios/', import.meta.url).pathname;
let lib: Library;

function responses(file: string, teams: string[]): Input[] {
  const path = `${LIBRARY}examples/${file}`;
  const parsed = parseResponses(readFileSync(path, 'utf8'), path, teams);
  expect(parsed.problems).toEqual([]);
  return parsed.inputs;
}

function run(id: string, teams: string[], inputs: Input[], seed = 1): RunResult {
  const { spec } = lib.scenarios.get(id)!;
  const session = new Session({ scenario: spec, workload: lib.workloads.get(spec.workload)!, runbooks: lib.runbooks, seed, teams });
  session.run([...inputs].sort((a, b) => a.at - b.at));
  return runResult(session);
}

const scenario = (id: string) => lib.scenarios.get(id)!.spec;
const XSS = '<script>alert(1)</script>';

let single: RunResult;
let singleReport: Report;
let duo: RunResult;
let duoReport: Report;

beforeAll(async () => {
  lib = await readLibrary(LIBRARY);
  expect(lib.problems).toEqual([]);
  single = run('friday-deploy', ['team-1'], responses('friday-deploy.responses.yaml', ['team-1']));
  singleReport = buildReport(single, scenario('friday-deploy'));
  duo = run('friday-deploy', ['blue', 'red'], [
    ...responses('friday-deploy.responses.yaml', ['blue']),
    ...responses('friday-deploy.red-team.responses.yaml', ['red']),
    { kind: 'action', at: 700, team: 'red', action: { action: 'status-update', audience: 'internal', text: `checkout ${XSS} & "quotes" — see https://status.example.com` } },
  ]);
  duoReport = buildReport(duo, scenario('friday-deploy'));
});

const first = <T extends SessionEvent['type']>(events: SessionEvent[], type: T, team: string, extra: (e: Extract<SessionEvent, { type: T }>) => boolean = () => true) =>
  events.find((e): e is Extract<SessionEvent, { type: T }> => e.type === type && e.team === team && extra(e as Extract<SessionEvent, { type: T }>));

describe('buildReport on friday-deploy (seed 1, the example responses)', () => {
  it('describes the scenario and the outcome', () => {
    const s = singleReport.scenario;
    expect(s.id).toBe('friday-deploy');
    expect(s.title).toBe(scenario('friday-deploy').title);
    expect(s.difficulty).toBe('medium');
    expect(s.objectives.length).toBe(4);
    expect(s.rootCause.faults).toEqual(['orders-v2-14']);
    expect(singleReport.debriefNotes).toContain('What good looked like');
    expect(singleReport.run.outcome).toBe('resolved');
    expect(singleReport.run.simulatedSeconds).toBe(single.simulatedSeconds);
    expect(singleReport.comparison).toBeNull();
  });

  it('puts the injection, the first alert firing and the mitigation on the timeline at their exact times', () => {
    const tl = singleReport.teams[0].timeline;
    const injected = first(single.events, 'fault.injected', 'team-1')!;
    const firing = first(single.events, 'alert.firing', 'team-1')!;
    const mitigated = first(single.events, 'team.mitigated', 'team-1')!;
    expect(injected.t).toBe(30);
    const inj = tl.find((e) => e.kind === 'injection')!;
    expect(inj).toMatchObject({ seq: injected.seq, t: injected.t, clock: 'T+0:30', team: 'team-1', visible: false });
    expect(inj.text).toContain('orders-v2-14');
    const alert = tl.find((e) => e.kind === 'alert')!;
    expect(alert).toMatchObject({ seq: firing.seq, t: firing.t, team: 'team-1' });
    expect(alert.text).toContain(firing.alert);
    const mit = tl.find((e) => e.kind === 'mitigated')!;
    expect(mit).toMatchObject({ seq: mitigated.seq, t: mitigated.t });
    expect(mit.t).toBe(single.teams[0].mitigatedAt);
    // in event-log order, without samples
    expect(tl.map((e) => e.seq)).toEqual([...tl.map((e) => e.seq)].sort((a, b) => a - b));
    const samples = new Set(single.events.filter((e) => e.type === 'metrics' || e.type === 'alert.pending').map((e) => e.seq));
    expect(tl.some((e) => samples.has(e.seq))).toBe(false);
  });

  it('keeps actions with their actors and results, and status updates in full', () => {
    const tl = singleReport.teams[0].timeline;
    const rollback = tl.find((e) => e.kind === 'remediation' && e.text.includes('rolling back orders'))!;
    expect(rollback.clock).toBe('T+7:30');
    expect(rollback.text).toContain('runbook orders-latency, step 2');
    const updates = tl.filter((e) => e.kind === 'status-update');
    expect(updates.length).toBe(4);
    expect(updates[0]).toMatchObject({ actor: 'Chloé', label: 'internal update', t: 400 });
    expect(updates[0].text).toContain('Next update 17:00.'); // not truncated
    expect(tl.find((e) => e.kind === 'deploy')!.text).toContain('v2.13 → v2.14');
    expect(tl.find((e) => e.kind === 'resolved')!.t).toBe(single.teams[0].resolvedAt);
  });

  it('charts one point per metrics event for each service, with markers', () => {
    const samples = single.events.filter((e): e is Extract<SessionEvent, { type: 'metrics' }> => e.type === 'metrics' && e.team === 'team-1');
    const charts = singleReport.teams[0].charts;
    const p99 = charts.panels.find((p) => p.metric === 'latency_p99_ms')!;
    expect(p99.series[0].service).toBe('orders'); // the root cause's service first
    const orders = p99.series[0].points;
    expect(orders.length).toBe(samples.length);
    const i = SAMPLED_METRICS.indexOf('latency_p99_ms');
    expect(orders.map(([t]) => t)).toEqual(samples.map((e) => e.t));
    expect(orders.map(([, v]) => v)).toEqual(samples.map((e) => e.services.orders[i]));
    const errors = charts.panels.find((p) => p.metric === 'error_rate')!.series.find((s) => s.service === 'orders')!;
    expect(errors.points.map(([, v]) => v)).toEqual(samples.map((e) => Math.round(e.services.orders[SAMPLED_METRICS.indexOf('error_rate')] * 100 * 1000) / 1000));
    expect(charts.panels.map((p) => p.metric)).toEqual(expect.arrayContaining(['latency_p99_ms', 'error_rate', 'cpu', 'error_budget_burned_pct']));
    const kinds = charts.markers.map((m) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(['injection', 'deploy', 'alert', 'remediation', 'mitigated']));
    expect(charts.markers.find((m) => m.kind === 'injection')!.t).toBe(30);
    expect(charts.markers.find((m) => m.kind === 'remediation')!.t).toBe(450);
    expect(charts.markers.map((m) => m.n)).toEqual(charts.markers.map((_, i) => i + 1));
    expect(charts.to).toBeGreaterThanOrEqual(samples[samples.length - 1].t);
  });

  it('reports the score, the dimensions and the metrics of the run', () => {
    const t = singleReport.teams[0];
    expect(t.score.total).toBe(single.score.total);
    expect(t.score.dimensions.map((d) => d.id)).toEqual([...DIMENSIONS]);
    for (const d of t.score.dimensions) expect(d.score).toBe(single.score.dimensions[d.id].score);
    const m = Object.fromEntries(t.metrics.map((x) => [x.id, x]));
    expect(m.tta.value).toBe(single.score.metrics.ttaSeconds);
    expect(m.ttm.text).toBe('10:19');
    expect(m.budget.text).toBe(`${single.score.metrics.errorBudgetBurnedPct!.toFixed(2)}%`);
  });

  it('splits the findings into went well, to improve and neutral, biggest first', () => {
    for (const team of duoReport.teams) {
      const all = [...team.score.dimensions.flatMap((d) => d.findings), ...team.score.hints.findings];
      const parts = [...team.wentWell, ...team.toImprove, ...team.neutral];
      expect(parts.length).toBe(all.length);
      expect(new Set(parts).size).toBe(all.length);
      for (const f of all) expect(parts).toContain(f);
      for (const f of team.wentWell) expect(f.points >= 0.75 * f.max && f.points > 0).toBe(true);
      for (const f of team.toImprove) expect(f.lost).toBeGreaterThan(0);
      const lost = team.toImprove.map((f) => f.lostOfTotal);
      expect(lost).toEqual([...lost].sort((a, b) => b - a));
    }
    const blue = duoReport.teams.find((t) => t.id === 'blue')!;
    expect(blue.toImprove.length).toBeLessThanOrEqual(2);
    expect(blue.wentWell.length).toBeGreaterThan(15);
    const red = duoReport.teams.find((t) => t.id === 'red')!;
    const reasons = red.toImprove.map((f) => f.text).join('\n');
    expect(reasons).toContain('Trap at T+6:00: Restarted orders while v2.14 was live');
    expect(reasons).toContain('Never opened the orders-latency runbook');
    expect(reasons).toMatch(/Hint at T\+12:00/);
    expect(red.toImprove.find((f) => f.text.startsWith('Trap at T+6:00'))).toMatchObject({ points: -15, max: 0, lost: 15 });
    expect(red.toImprove.every((f) => !/: [+−]\d+$/.test(f.text))).toBe(true);
    // the harm-free allowance that two traps ate is neither a success nor a loss
    expect(red.neutral.map((f) => f.text)).toContain('Starting allowance for harm-free remediation');
  });

  it('leaves lessons learned and action items blank to fill in', () => {
    expect(singleReport.lessons.length).toBeGreaterThan(0);
    expect(singleReport.lessons.every((l) => l.lesson === '')).toBe(true);
    expect(singleReport.actionItems.every((a) => a.action === '' && a.owner === '' && a.due === '')).toBe(true);
  });

  it('lists the lessons and action items recorded at the debrief instead of blank rows, in every format', () => {
    const recorded = {
      lessons: [{ text: `Look at deploy markers first ${XSS}`, author: 'Ana' }, { text: 'Page | database earlier' }],
      actionItems: [
        { title: 'Alert on pool saturation [P1]', owner: 'Bo', dueDate: '2026-03-01', link: 'https://tickets.example/OPS-12?a=(1)', status: 'in-progress' },
        { title: 'Rehearse rollback', owner: 'Cy', status: 'open', link: 'javascript:alert(1)' },
      ],
    };
    const r = buildReport(single, scenario('friday-deploy'), recorded);
    expect(r.lessons).toEqual([{ lesson: `Look at deploy markers first ${XSS}`, author: 'Ana' }, { lesson: 'Page | database earlier' }]);
    expect(r.actionItems).toEqual([
      { action: 'Alert on pool saturation [P1]', owner: 'Bo', due: '2026-03-01', status: 'in-progress', link: 'https://tickets.example/OPS-12?a=(1)' },
      { action: 'Rehearse rollback', owner: 'Cy', due: '', status: 'open', link: 'javascript:alert(1)' },
    ]);
    // Only the debrief part changes; an empty list still gets blank rows.
    expect({ ...r, lessons: [], actionItems: [] }).toEqual({ ...singleReport, lessons: [], actionItems: [] });
    expect(buildReport(single, scenario('friday-deploy'), { lessons: [], actionItems: recorded.actionItems }).lessons).toEqual(singleReport.lessons);

    const html = renderHtml(r);
    expect(html).toContain('Look at deploy markers first &lt;script&gt;alert(1)&lt;/script&gt; <span class="meta">— Ana</span>');
    expect(html).toContain('<a href="https://tickets.example/OPS-12?a=(1)" target="_blank" rel="noopener noreferrer">Alert on pool saturation [P1]</a>');
    expect(html).toContain('<span class="status status-in-progress">in-progress</span>');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<td>Rehearse rollback</td>');
    expect(html.match(/<script\b/g)!.length).toBe(1);

    const md = renderMarkdown(r);
    expect(md).toContain('| 1 | Look at deploy markers first &lt;script>alert(1)&lt;/script> — _Ana_ |');
    expect(md).toContain('| 2 | Page \\| database earlier |');
    expect(md).toContain('| 1 | [Alert on pool saturation \\[P1\\]](https://tickets.example/OPS-12?a=%281%29) | Bo | 2026-03-01 | in-progress |');
    expect(md).toContain('| 2 | Rehearse rollback | Cy |   | open |');
    expect(JSON.parse(renderJson(r)).actionItems[0].link).toBe('https://tickets.example/OPS-12?a=(1)');
  });

  it('is deterministic and survives JSON', () => {
    const again = buildReport(run('friday-deploy', ['team-1'], responses('friday-deploy.responses.yaml', ['team-1'])), scenario('friday-deploy'));
    expect(renderJson(again)).toBe(renderJson(singleReport));
    expect(JSON.parse(renderJson(singleReport))).toEqual(singleReport);
    expect(renderHtml(again)).toBe(renderHtml(singleReport));
  });
});

describe('two teams', () => {
  it('compares them, best first', () => {
    const cmp = duoReport.comparison!;
    expect(cmp.teams).toEqual(['blue', 'red']);
    const total = cmp.rows.find((r) => r.id === 'total')!;
    expect(total.values).toEqual([duo.teams[0].score.total, duo.teams[1].score.total]);
    expect(total.best).toEqual([0]);
    expect(cmp.rows.find((r) => r.id === 'traps')!.values).toEqual([0, 2]);
    expect(cmp.rows.find((r) => r.id === 'ttm')!.best).toEqual([0]);
    expect(duoReport.teams.map((t) => t.rank)).toEqual([1, 2]);
    expect(duoReport.leaderboard.map((r) => r.team)).toEqual(['blue', 'red']);
  });

  it('keeps each team to its own timeline and charts', () => {
    const [blue, red] = duoReport.teams;
    expect(blue.timeline.every((e) => e.team === 'blue' || e.team === null)).toBe(true);
    expect(red.timeline.filter((e) => e.kind === 'trap').map((e) => e.clock)).toEqual(['T+6:00', 'T+9:00']);
    expect(blue.timeline.some((e) => e.kind === 'trap')).toBe(false);
    expect(red.charts.markers.filter((m) => m.kind === 'trap').length).toBe(2);
    const redSamples = duo.events.filter((e) => e.type === 'metrics' && e.team === 'red').length;
    expect(red.charts.panels[0].series[0].points.length).toBe(redSamples);
  });

  it('renders a comparison in Markdown and HTML', () => {
    const md = renderMarkdown(duoReport);
    expect(md).toContain('## Comparison');
    expect(md).toMatch(/\| Total score \| \*\*\d+\*\* \| \d+ \|/);
    expect(md).toContain('## Team blue');
    expect(md).toContain('## Team red');
    const html = renderHtml(duoReport);
    expect(html).toContain('<table class="compare">');
    expect(html).toContain('id="team-blue"');
    expect(html).toContain('id="team-red"');
  });
});

describe('renderMarkdown', () => {
  it('has the score table with the right totals', () => {
    const md = renderMarkdown(singleReport);
    const t = single.score;
    expect(md).toContain('| Dimension | Score | Weight | Biggest loss |');
    for (const d of DIMENSIONS) expect(md).toMatch(new RegExp(`\\| ${singleReport.teams[0].score.dimensions.find((x) => x.id === d)!.label} \\| ${t.dimensions[d].score} \\| ${t.dimensions[d].weight} \\|`));
    expect(md).toContain(`| **Total** | **${t.total}** |`);
    expect(md).toContain('| Time to acknowledge (TTA) | Time to declare (TTD) | Time to mitigate (TTM) |');
    expect(md).toContain(`| ${formatClock(t.metrics.ttaSeconds!)} | ${formatClock(t.metrics.ttdSeconds!)} | ${formatClock(t.metrics.ttmSeconds!)} |`);
    expect(md).toContain('| T+0:30 | fault _(hidden)_ |');
    expect(md).toContain('## Lessons learned');
    expect(md).toContain('| # | Action | Owner | Due | Status |');
    expect(md).toMatch(/\| 1 \|   \|   \|   \|   \|/);
  });

  it('escapes table cells and raw HTML', () => {
    const md = renderMarkdown(duoReport);
    expect(md).not.toContain(XSS);
    expect(md).toContain('&lt;script>alert(1)&lt;/script>');
  });
});

describe('renderHtml', () => {
  it('is one self-contained page: no external script, stylesheet, font or image', () => {
    for (const html of [renderHtml(singleReport), renderHtml(duoReport)]) {
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
      expect(html).not.toMatch(/<link\b/i);
      expect(html).not.toMatch(/\s(src|href|xlink:href|action|poster|srcset)\s*=\s*["']?\s*(https?:)?\/\//i);
      expect(html).not.toMatch(/url\(\s*["']?\s*(https?:)?\/\//i);
      expect(html).not.toMatch(/@import/i);
      expect(html).not.toMatch(/<(img|iframe|object|embed)\b/i);
      expect(html).toContain('<svg class="chart"');
    }
  });

  it('escapes a <script> in a status update and keeps links in text as text', () => {
    const html = renderHtml(duoReport);
    expect(html).not.toContain(XSS);
    expect(html).toContain('checkout &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; — see https://status.example.com');
    // the only script is the inline one that opens <details> before printing
    expect(html.match(/<script\b/g)!.length).toBe(1);
  });

  it('has the header, score rows with findings, metrics, charts with markers, takeaways, timeline, notes and blank tables', () => {
    const html = renderHtml(singleReport);
    const t = singleReport.teams[0];
    expect(html).toContain(`>${t.score.total}</text>`);
    expect(html).toContain('outcome-resolved');
    expect((html.match(/<details class="dim">/g) ?? []).length).toBe(5);
    expect(html).toContain('Acknowledged OrdersLatencyHigh at T+3:50');
    expect(html).toContain('Time to mitigate');
    expect((html.match(/<svg class="chart"/g) ?? []).length).toBe(t.charts.panels.length);
    expect(html).toContain('class="marker"');
    expect(html).toContain('T+6:00</text>');
    expect(html).toContain('What went well');
    expect(html).toContain('What to improve');
    expect(html).toContain('<table class="timeline">');
    expect(html).toContain('<strong>What good looked like.</strong>');
    expect(html).toContain('Lessons learned');
    expect(html).toContain('Action items');
  });

  it('escapes scenario texts too', () => {
    const spec = { ...scenario('friday-deploy'), title: 'Orders <b>down</b>', debrief: '**Bold** <img src=x onerror=alert(1)>\n\n- a `<i>` item' };
    const html = renderHtml(buildReport(single, spec));
    expect(html).not.toContain('<b>down</b>');
    expect(html).toContain('Orders &lt;b&gt;down&lt;/b&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain('<strong>Bold</strong> &lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<li>a <code>&lt;i&gt;</code> item</li>');
  });
});

describe('chart helpers', () => {
  it('pick nice steps and draw every point', () => {
    expect(niceStep(6000, 4)).toBe(2000);
    expect(niceStep(0.9, 4)).toBe(0.25);
    const svg = lineChart({ from: 0, to: 600, unit: 'ms', title: 't', series: [{ label: 'a', color: '#000', points: [[0, 1], [300, 5], [600, 2]] }] });
    expect(svg.match(/L/g)!.length).toBe(2);
    expect(svg).toContain('T+10:00');
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(miniMarkdown('a *b* c')).toBe('<p>a <em>b</em> c</p>');
  });
});

describe('writeReport (the CLI side)', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, out, err };
  };

  it('checks --report and --out', () => {
    expect(parseReportOption(undefined, undefined)).toEqual({ format: undefined });
    expect(parseReportOption('html', 'x.html')).toEqual({ format: 'html' });
    expect(parseReportOption('pdf', undefined)).toEqual({ error: '--report must be one of md, html, json, got "pdf"' });
    expect(parseReportOption(undefined, 'x.html')).toEqual({ error: '--out needs --report md|html|json' });
  });

  it('writes to stdout without --out, and to a file with it', async () => {
    const a = io();
    expect(await writeReport(single, scenario('friday-deploy'), 'md', undefined, a.io)).toBe(0);
    expect(a.out.join('')).toBe(renderMarkdown(singleReport));
    const { mkdtempSync, readFileSync: read } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/firedrill-report-`);
    const b = io();
    expect(await writeReport(single, scenario('friday-deploy'), 'json', `${dir}/sub/r.json`, b.io)).toBe(0);
    expect(JSON.parse(read(`${dir}/sub/r.json`, 'utf8')).teams[0].score.total).toBe(single.score.total);
    expect(b.err.join('')).toContain('wrote the json report');
    const c = io();
    expect(await writeReport(single, scenario('friday-deploy'), 'html', `${dir}/sub/r.json/nope.html`, c.io)).toBe(1);
    expect(c.err.join('')).toMatch(/cannot write --out .*nope\.html/);
  });
});
