// The after-action report as data: what the Markdown, HTML and JSON renderers draw. A pure
// function of a run's result (event log + scores) and its scenario — no clock, no I/O — so a
// report rebuilt from a stored log is the same report, byte for byte.
import { formatClock } from '../duration.ts';
import { REMEDIATIONS, type ActionSpec } from '../actions/schema.ts';
import { DIMENSIONS, type Dimension, type Finding, type TeamScore } from '../scoring/index.ts';
import { SAMPLED_METRICS, type Outcome, type SessionEvent } from '../session/events.ts';
import { describeEvent } from '../session/describe.ts';
import { VISIBLE_EVENTS } from '../session/view.ts';
import type { RunResult, TeamResult } from '../session/result.ts';
import type { ScenarioSpec } from '../scenario/schema.ts';

export const REPORT_VERSION = 1;

/** How many blank rows the lessons and action-item tables get, to be filled in at the debrief. */
export const BLANK_ROWS = 3;

/** A finding earns a place under "what went well" when it kept at least this share of its points. */
export const WENT_WELL_SHARE = 0.75;

export const DIMENSION_LABELS: Record<Dimension, string> = {
  detection: 'Detection',
  escalation: 'Escalation & command',
  runbook: 'Runbook use',
  mitigation: 'Mitigation',
  communication: 'Communication',
};

export type TimelineKind =
  | 'phase' | 'injection' | 'fault' | 'deploy' | 'change' | 'alert' | 'alert-resolved' | 'page' | 'responder'
  | 'action' | 'remediation' | 'status-update' | 'hypothesis' | 'message' | 'hint' | 'trap' | 'impact'
  | 'mitigated' | 'resolved' | 'slo' | 'ended';

export interface TimelineEntry {
  seq: number;
  /** Simulated seconds since T+0, exactly as in the event log. */
  t: number;
  /** `T+m:ss`. */
  clock: string;
  kind: TimelineKind;
  /** A short tag for the kind, e.g. `ALERT`, `action`, `status`. */
  label: string;
  text: string;
  /** The team the event belongs to; null for session-wide events. */
  team: string | null;
  actor: string | null;
  /** False for an action the engine refused; true otherwise. */
  ok: boolean;
  /** Whether responders saw it as it happened (injections, branches and traps stay hidden until the debrief). */
  visible: boolean;
  /** A critical alert or a trap: drawn louder. */
  severity: 'critical' | 'warning' | null;
}

export type MarkerKind = 'injection' | 'deploy' | 'alert' | 'remediation' | 'trap' | 'hint' | 'mitigated' | 'resolved';
export const MARKER_KINDS: readonly MarkerKind[] = ['injection', 'deploy', 'alert', 'remediation', 'trap', 'hint', 'mitigated', 'resolved'];
export const MARKER_LABELS: Record<MarkerKind, string> = {
  injection: 'fault injected',
  deploy: 'deploy',
  alert: 'alert fired',
  remediation: 'remediation',
  trap: 'trap sprung',
  hint: 'hint',
  mitigated: 'mitigated',
  resolved: 'resolved',
};

export interface ChartMarker {
  /** 1-based, in time order; the charts and the marker list share the numbers. */
  n: number;
  t: number;
  clock: string;
  kind: MarkerKind;
  label: string;
}

export interface ChartSeries {
  service: string;
  /** [simulated seconds, value in the panel's unit], one point per `metrics` event. */
  points: [number, number][];
}

export type ChartUnit = 'ms' | '%' | 'rps';

export interface ChartPanel {
  id: string;
  /** The metric in SAMPLED_METRICS. */
  metric: (typeof SAMPLED_METRICS)[number];
  title: string;
  unit: ChartUnit;
  series: ChartSeries[];
}

export interface TeamCharts {
  /** Time range of the x axis, simulated seconds. */
  from: number;
  to: number;
  panels: ChartPanel[];
  markers: ChartMarker[];
}

export interface ReportFinding {
  dimension: Dimension | 'hints';
  t: number | null;
  clock: string | null;
  points: number;
  /** The most the rule behind the finding can give (0 for penalties). */
  max: number;
  /** max − points: what the team left on the table. */
  lost: number;
  /** What the finding added to the total score (its points × the dimension's share of the weights). */
  earnedOfTotal: number;
  /** What it cost the total score: lost × the dimension's share (a hint costs its points in full). */
  lostOfTotal: number;
  /** The reason, without the trailing points. */
  text: string;
}

export interface ReportDimension {
  id: Dimension;
  label: string;
  score: number;
  weight: number;
  /** False when the weight is 0 (e.g. no runbook expected). */
  counted: boolean;
  findings: ReportFinding[];
}

export interface MetricFigure {
  id: 'tta' | 'ttd' | 'ttm' | 'ttr' | 'budget';
  short: string;
  label: string;
  value: number | null;
  /** `m:ss` for durations, `0.38%` for the budget, `—` when it never happened. */
  text: string;
  help: string;
}

export interface TeamReport {
  id: string;
  rank: number;
  outcome: Outcome | null;
  reason: string | null;
  mitigatedAt: number | null;
  resolvedAt: number | null;
  endedAt: number | null;
  score: {
    total: number;
    dimensions: ReportDimension[];
    hints: { count: number; cost: number; findings: ReportFinding[] };
    trapsSprung: number;
  };
  metrics: MetricFigure[];
  timeline: TimelineEntry[];
  charts: TeamCharts;
  /** Findings that kept most of their points, biggest contribution to the total first. */
  wentWell: ReportFinding[];
  /** Findings that lost points, biggest cost to the total first. */
  toImprove: ReportFinding[];
  /** Findings that are neither: not counted, or bookkeeping (an allowance that traps then ate). */
  neutral: ReportFinding[];
}

export interface ComparisonRow {
  id: string;
  label: string;
  /** One value per team, in `Comparison.teams` order. */
  values: (number | null)[];
  texts: string[];
  /** Indexes of the best teams on this row (none when all equal or nothing to compare). */
  best: number[];
}

export interface Comparison {
  /** Team ids, best first. */
  teams: string[];
  rows: ComparisonRow[];
}

export interface LessonRow {
  lesson: string;
  /** Who said it, when recorded. */
  author?: string;
}

export interface ActionItemRow {
  action: string;
  owner: string;
  /** YYYY-MM-DD, or '' */
  due: string;
  status: string;
  /** A ticket or document (http/https), when recorded. */
  link?: string;
}

/**
 * Lessons and action items recorded at the debrief (server/store keeps them per session). The
 * report lists them in the order given; a list that is empty or absent gets BLANK_ROWS blank rows.
 */
export interface RecordedDebrief {
  lessons?: readonly { text: string; author?: string }[];
  actionItems?: readonly { title: string; owner: string; dueDate?: string; link?: string; status: string }[];
  /** A scheduled game day's readiness checklist as it stood (times already formatted by the caller). */
  readiness?: readonly ReadinessRow[];
}

/** One check of a scheduled game day's readiness checklist. */
export interface ReadinessRow {
  label: string;
  kind: 'automatic' | 'manual';
  /** null: not checked (automatic) or not ticked (manual). */
  ok: boolean | null;
  detail?: string;
  /** Who ticked it (manual checks). */
  by?: string;
  /** When it was checked or ticked, as the caller wrote it (`2026-06-10 09:00 UTC`). */
  at?: string;
}

export interface Report {
  version: typeof REPORT_VERSION;
  scenario: {
    id: string;
    title: string;
    summary: string;
    difficulty: string;
    workload: string;
    objectives: string[];
    rootCause: { summary: string; faults: string[] };
    debrief: string | null;
  };
  run: {
    seed: number | string;
    outcome: Outcome | null;
    simulatedSeconds: number;
    /** `T+m:ss` of the last simulated second. */
    clock: string;
    teams: string[];
  };
  teams: TeamReport[];
  leaderboard: { rank: number; team: string; total: number; ttmSeconds: number | null }[];
  /** Side by side when the run had several teams; null otherwise. */
  comparison: Comparison | null;
  /** The scenario's debrief notes (Markdown), or null. */
  debriefNotes: string | null;
  /** The readiness checklist of a scheduled game day; null for one started by hand. */
  readiness: ReadinessRow[] | null;
  /** Recorded at the debrief; blank rows to fill in when none were. */
  lessons: LessonRow[];
  actionItems: ActionItemRow[];
}

const clockOf = (t: number) => 'T+' + formatClock(t);
const isRemediation = (kind: string) => (REMEDIATIONS as readonly string[]).includes(kind);

/** Builds the after-action report of a run, with the lessons and action items recorded so far. */
export function buildReport(result: RunResult, scenario: ScenarioSpec, recorded: RecordedDebrief = {}): Report {
  const ranks = new Map(result.leaderboard.map((r) => [r.team, r.rank]));
  const teams = result.teams.map((t) => teamReport(result, scenario, t, ranks.get(t.id) ?? 1));
  const ordered = [...teams].sort((a, b) => a.rank - b.rank || result.teams.findIndex((t) => t.id === a.id) - result.teams.findIndex((t) => t.id === b.id));
  return {
    version: REPORT_VERSION,
    scenario: {
      id: scenario.id,
      title: scenario.title,
      summary: scenario.summary,
      difficulty: scenario.difficulty,
      workload: scenario.workload,
      objectives: [...scenario.objectives],
      rootCause: { summary: scenario.rootCause.summary, faults: [...scenario.rootCause.faults] },
      debrief: scenario.debrief ?? null,
    },
    run: {
      seed: result.seed,
      outcome: result.outcome,
      simulatedSeconds: result.simulatedSeconds,
      clock: clockOf(result.simulatedSeconds),
      teams: result.teams.map((t) => t.id),
    },
    teams,
    leaderboard: result.leaderboard.map((r) => ({ ...r })),
    comparison: teams.length > 1 ? comparison(ordered) : null,
    debriefNotes: scenario.debrief ?? null,
    readiness: recorded.readiness ? recorded.readiness.map((r) => ({ ...r })) : null,
    lessons: recorded.lessons?.length
      ? recorded.lessons.map((l) => ({ lesson: l.text, ...(l.author ? { author: l.author } : {}) }))
      : Array.from({ length: BLANK_ROWS }, () => ({ lesson: '' })),
    actionItems: recorded.actionItems?.length
      ? recorded.actionItems.map((a) => ({ action: a.title, owner: a.owner, due: a.dueDate ?? '', status: a.status, ...(a.link ? { link: a.link } : {}) }))
      : Array.from({ length: BLANK_ROWS }, () => ({ action: '', owner: '', due: '', status: '' })),
  };
}

/** An http(s) URL that is safe to put in a link; anything else (javascript:, data:, junk) is not linked. */
export function safeLink(url: string | undefined): string | undefined {
  return url !== undefined && /^https?:\/\/[^\s"'<>`]+$/i.test(url) ? url : undefined;
}

function teamReport(result: RunResult, scenario: ScenarioSpec, team: TeamResult, rank: number): TeamReport {
  const events = result.events.filter((e) => e.team === team.id || e.team === undefined);
  const score = team.score;
  const weightSum = DIMENSIONS.reduce((a, d) => a + score.dimensions[d].weight, 0);
  const shareOf = (f: Finding) => (f.dimension === 'hints' ? 100 : weightSum > 0 ? (100 * score.dimensions[f.dimension].weight) / weightSum : 0);
  const findingOf = (f: Finding) => reportFinding(f, scenario, shareOf(f));
  const dimensions: ReportDimension[] = DIMENSIONS.map((d) => ({
    id: d,
    label: DIMENSION_LABELS[d],
    score: score.dimensions[d].score,
    weight: score.dimensions[d].weight,
    counted: score.dimensions[d].weight > 0,
    findings: score.dimensions[d].findings.map(findingOf),
  }));
  const hintFindings = score.findings.filter((f) => f.dimension === 'hints').map(findingOf);
  const { wentWell, toImprove, neutral } = partitionFindings(dimensions, hintFindings);
  const end = team.endedAt ?? result.simulatedSeconds;
  return {
    id: team.id,
    rank,
    outcome: team.outcome,
    reason: team.reason,
    mitigatedAt: team.mitigatedAt,
    resolvedAt: team.resolvedAt,
    endedAt: team.endedAt,
    score: { total: score.total, dimensions, hints: { ...score.hints, findings: hintFindings }, trapsSprung: score.trapsSprung },
    metrics: metricFigures(score),
    timeline: timeline(events),
    charts: charts(events, scenario, end),
    wentWell,
    toImprove,
    neutral,
  };
}

// ── findings ───────────────────────────────────────────────────────────────────────────────────

/**
 * The most each scoring rule can give, recognised from the finding's text (docs/scoring.md).
 * A finding that carries its own `max` wins; an unknown rule counts what it earned as its max.
 */
const MAX_RULES: [Dimension | 'hints', RegExp, number | ((s: ScenarioSpec) => number)][] = [
  ['detection', /^No alert fired; the team spotted|^No alert fired and no incident|^Acknowledged |and was never acknowledged/, 50],
  ['detection', /^Declared at |^Never declared/, 35],
  ['detection', /^Investigated |^Never looked at /, 15],
  ['escalation', /^Severity |^No incident declared, so no severity/, 35],
  ['escalation', /named incident commander|^Incident commander named late|^No incident commander named/, 15],
  ['escalation', /^No other team needed paging|^The team never engaged/, 30],
  ['escalation', /^Paged \d+ teams that had no part|, which had no part in this/, 0],
  ['escalation', /^Paged \S+ (at|late)|^Never paged /, (s) => Math.round(30 / Math.max(1, s.expectations.escalation.page?.length ?? 1))],
  ['escalation', /^Tasks handed to named people|^No ops or comms lead/, 10],
  ['escalation', /coordinat/, 10],
  ['runbook', /^No runbook expected/, 100],
  ['runbook', /^Never opened the |^Opened /, 30],
  ['runbook', /^Ran \d+ of \d+ expected steps|^Ran no step/, 50],
  ['runbook', /^Ran the steps out of order|^Repeated steps/, 0],
  ['runbook', /ad-hoc remediation|^No remediation at all/, 20],
  ['mitigation', /^Mitigated at |^Never mitigated|^The fault never began/, 50],
  ['mitigation', /while the cause was still active/, 0],
  ['mitigation', /^Resolved at |^Never resolved/, 10],
  ['mitigation', /error budget burned|^Customers saw errors/, 20],
  ['mitigation', /^Starting allowance|^No trap sprung|^No remediation attempted/, 20],
  ['mitigation', /^Trap at |remediations? refused/, 0],
  ['communication', /^First status update|^No status update was posted/, 40],
  ['communication', /cadence/, 20],
  ['communication', /closing update|written summary|^No summary at resolution/, 15],
  ['communication', /\(CAN\)|CAN form/, 25],
  ['communication', /no external update/, 0],
  ['hints', /./, 0],
];

/** Removes the trailing `: +15` / `: −8` that scoring appends to every finding. */
export function findingReason(text: string): string {
  return text.replace(/:\s*[+−-]\d+(\.\d+)?$/, '');
}

export function findingMax(f: Finding, scenario: ScenarioSpec): number {
  const own = (f as Finding & { max?: unknown }).max;
  if (typeof own === 'number') return own;
  const text = findingReason(f.text);
  for (const [dim, re, max] of MAX_RULES) {
    if (dim === f.dimension && re.test(text)) return Math.max(f.points, typeof max === 'function' ? max(scenario) : max);
  }
  return Math.max(0, f.points);
}

/** `share` is the dimension's share of the total in percent (a hint: 100, its cost comes off the total). */
function reportFinding(f: Finding, scenario: ScenarioSpec, share: number): ReportFinding {
  const max = findingMax(f, scenario);
  const lost = max - f.points;
  return {
    dimension: f.dimension,
    t: f.t,
    clock: f.t === null ? null : clockOf(f.t),
    points: f.points,
    max,
    lost,
    earnedOfTotal: round1((Math.max(0, f.points) * share) / 100),
    lostOfTotal: round1((lost * share) / 100),
    text: findingReason(f.text),
  };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Went well: counted findings that kept most of their points. To improve: findings that lost
 * points. Neutral: findings of dimensions that do not count, findings worth nothing either way,
 * and a harm-free allowance that traps or refused actions then ate into.
 */
export function partitionFindings(dimensions: ReportDimension[], hints: ReportFinding[]): { wentWell: ReportFinding[]; toImprove: ReportFinding[]; neutral: ReportFinding[] } {
  const wentWell: ReportFinding[] = [];
  const toImprove: ReportFinding[] = [];
  const neutral: ReportFinding[] = [];
  for (const d of dimensions) {
    const penalised = d.findings.some((f) => f.max === 0 && f.points < 0);
    for (const f of d.findings) {
      if (!d.counted) neutral.push(f);
      else if (d.id === 'mitigation' && /^Starting allowance/.test(f.text) && penalised) neutral.push(f);
      else if (f.points > 0 && f.points >= WENT_WELL_SHARE * f.max) wentWell.push(f);
      else if (f.lost > 0) toImprove.push(f);
      else neutral.push(f);
    }
  }
  for (const h of hints) (h.lost > 0 ? toImprove : neutral).push(h);
  const byTime = (a: ReportFinding, b: ReportFinding) => (a.t ?? Infinity) - (b.t ?? Infinity);
  wentWell.sort((a, b) => b.earnedOfTotal - a.earnedOfTotal || b.points - a.points || byTime(a, b));
  toImprove.sort((a, b) => b.lostOfTotal - a.lostOfTotal || b.lost - a.lost || byTime(a, b));
  return { wentWell, toImprove, neutral };
}

function metricFigures(score: TeamScore): MetricFigure[] {
  const m = score.metrics;
  const span = (v: number | null) => (v === null ? '—' : formatClock(v));
  return [
    { id: 'tta', short: 'TTA', label: 'Time to acknowledge', value: m.ttaSeconds, text: span(m.ttaSeconds), help: 'from the first relevant alert firing to its acknowledgement' },
    { id: 'ttd', short: 'TTD', label: 'Time to declare', value: m.ttdSeconds, text: span(m.ttdSeconds), help: 'from the onset of the root-cause fault to the incident declaration' },
    { id: 'ttm', short: 'TTM', label: 'Time to mitigate', value: m.ttmSeconds, text: span(m.ttmSeconds), help: 'from onset until the cause was cleared and customers were served again' },
    { id: 'ttr', short: 'TTR', label: 'Time to resolve', value: m.ttrSeconds, text: span(m.ttrSeconds), help: 'from onset until the incident was resolved' },
    { id: 'budget', short: 'Budget', label: 'Error budget burned', value: m.errorBudgetBurnedPct, text: m.errorBudgetBurnedPct === null ? '—' : `${m.errorBudgetBurnedPct.toFixed(2)}%`, help: 'share of the monthly SLO error budget this incident used' },
  ];
}

// ── timeline ───────────────────────────────────────────────────────────────────────────────────

type ActionEvent = Extract<SessionEvent, { type: 'action' }>;

function targetOf(a: ActionSpec): string {
  if ('service' in a) return ` ${a.service}`;
  if ('zone' in a) return ` zone ${a.zone}`;
  return '';
}

function actionEntry(e: ActionEvent): { kind: TimelineKind; label: string; text: string } {
  const a = e.action;
  const r = e.result;
  const via = e.via ? ` (runbook ${e.via.runbook}, step ${e.via.step})` : '';
  if (!r.ok) return { kind: isRemediation(a.action) ? 'remediation' : 'action', label: a.action, text: `${a.action}${targetOf(a)}${via} — refused: ${r.message}` };
  switch (a.action) {
    case 'status-update': return { kind: 'status-update', label: `${a.audience} update`, text: a.text };
    case 'hypothesis': return { kind: 'hypothesis', label: 'hypothesis', text: a.text };
    case 'resolve': return { kind: 'action', label: 'resolve', text: a.summary ? `resolved the incident: ${a.summary}` : 'resolved the incident' };
    case 'run-step': {
      const check = typeof r.data?.check === 'string' ? ` — ${r.data.check}` : '';
      return { kind: 'action', label: 'runbook', text: `${a.runbook} ${r.effect}${check}` };
    }
    case 'declare': return { kind: 'action', label: 'declare', text: `declared ${a.severity}: ${a.summary}${a.services?.length ? ` (services: ${a.services.join(', ')})` : ''}` };
    default: return { kind: isRemediation(a.action) ? 'remediation' : 'action', label: a.action, text: `${r.effect}${via}` };
  }
}

/** The event types the report's timeline leaves out: samples, pending alerts and branch bookkeeping. */
const SKIPPED = new Set<SessionEvent['type']>(['metrics', 'alert.pending', 'branch.fired']);

/** One team's merged timeline: injections, changes, alerts, pages, actions, hints, traps, outcome. */
export function timeline(events: readonly SessionEvent[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const e of events) {
    if (SKIPPED.has(e.type)) continue;
    const d = describeEvent(e);
    if (!d) continue;
    let kind: TimelineKind;
    let label = d.label;
    let text = d.text;
    let actor: string | null = null;
    let ok = true;
    let severity: TimelineEntry['severity'] = null;
    switch (e.type) {
      case 'session.phase': kind = 'phase'; label = 'phase'; break;
      case 'session.ended': case 'team.ended': kind = 'ended'; label = 'ended'; break;
      case 'fault.injected': kind = 'injection'; label = 'fault'; text = `${e.fault} injected: ${e.kind} on ${e.service}${e.description ? ` — ${e.description}` : ''}`; break;
      case 'fault.cleared': case 'fault.expired': kind = 'fault'; label = 'fault'; break;
      case 'deploy': kind = 'deploy'; break;
      case 'audit': kind = 'change'; label = e.kind === 'deploy' ? 'deploy' : e.kind; text = e.text.startsWith(`${e.service}:`) ? e.text : `${e.service}: ${e.text}`; break;
      case 'alert.firing': kind = 'alert'; label = 'ALERT'; severity = e.severity === 'critical' ? 'critical' : 'warning'; text = `${e.alert} firing on ${e.service} (${e.severity}, routes to ${e.route}) — ${e.summary}`; break;
      case 'alert.resolved': kind = 'alert-resolved'; label = 'alert resolved'; text = `${e.alert} resolved`; break;
      case 'page': kind = 'page'; break;
      case 'responder.joined': kind = 'responder'; label = 'joined'; break;
      case 'action': {
        const a = actionEntry(e);
        kind = a.kind; label = a.label; text = a.text;
        actor = e.actor ?? e.action.actor ?? null;
        ok = e.result.ok;
        break;
      }
      case 'action.completed': kind = 'remediation'; label = 'done'; break;
      case 'trap.sprung': kind = 'trap'; label = 'TRAP'; severity = 'critical'; break;
      case 'hint.released': kind = 'hint'; break;
      case 'message': case 'comms.requested': case 'comms.answered': kind = 'message'; break;
      case 'page.acknowledged': kind = 'responder'; label = 'acknowledged'; break;
      case 'impact.started': case 'impact.ended': kind = 'impact'; break;
      case 'team.mitigated': kind = 'mitigated'; break;
      case 'team.resolved': kind = 'resolved'; break;
      case 'slo.report': kind = 'slo'; label = 'SLO'; break;
      default: continue;
    }
    out.push({ seq: e.seq, t: e.t, clock: d.clock, kind, label, text, team: e.team ?? null, actor, ok, visible: VISIBLE_EVENTS.has(e.type), severity });
  }
  return out;
}

// ── charts ─────────────────────────────────────────────────────────────────────────────────────

const PANELS: { metric: ChartPanel['metric']; title: string; unit: ChartUnit; scale: number; onlyNonZero?: boolean }[] = [
  { metric: 'latency_p99_ms', title: 'p99 latency', unit: 'ms', scale: 1 },
  { metric: 'error_rate', title: 'Error rate', unit: '%', scale: 100 },
  { metric: 'cpu', title: 'CPU', unit: '%', scale: 100 },
  { metric: 'saturation', title: 'Saturation', unit: '%', scale: 100 },
  { metric: 'error_budget_burned_pct', title: 'Error budget burned', unit: '%', scale: 1, onlyNonZero: true },
  { metric: 'rps', title: 'Traffic', unit: 'rps', scale: 1 },
];

/** At most this many services per panel, the root cause's first. */
export const MAX_SERIES = 5;

/** The services to chart: those sampled in the log, the root cause's and the expected ones first. */
function chartServices(events: readonly SessionEvent[], scenario: ScenarioSpec): string[] {
  const sampled: string[] = [];
  for (const e of events) if (e.type === 'metrics') for (const id of Object.keys(e.services)) if (!sampled.includes(id)) sampled.push(id);
  const roots = new Set(scenario.rootCause.faults);
  const rootServices = scenario.timeline.filter((x) => x.inject && roots.has(x.inject.id)).map((x) => x.inject!.service);
  const rank = (id: string) => {
    const r = rootServices.indexOf(id);
    if (r >= 0) return r;
    const d = scenario.expectations.detection.services.indexOf(id);
    if (d >= 0) return 100 + d;
    return 1000 + sampled.indexOf(id);
  };
  return [...sampled].sort((a, b) => rank(a) - rank(b)).slice(0, MAX_SERIES);
}

function markerOf(e: SessionEvent): Omit<ChartMarker, 'n' | 'clock'> | null {
  switch (e.type) {
    case 'fault.injected': return { t: e.t, kind: 'injection', label: `${e.fault}: ${e.kind} on ${e.service}` };
    case 'deploy': return { t: e.t, kind: 'deploy', label: `${e.service} ${e.previous} → ${e.version} (${e.reason})` };
    case 'alert.firing': return { t: e.t, kind: 'alert', label: `${e.alert} (${e.severity})` };
    case 'action': return e.result.ok && isRemediation(e.action.action) ? { t: e.t, kind: 'remediation', label: `${e.action.action}${targetOf(e.action)}${e.via ? ` (runbook ${e.via.runbook} step ${e.via.step})` : ''}` } : null;
    case 'trap.sprung': return { t: e.t, kind: 'trap', label: e.text.length > 80 ? e.text.slice(0, 77) + '…' : e.text };
    case 'hint.released': return { t: e.t, kind: 'hint', label: `hint (−${e.cost})` };
    case 'team.mitigated': return { t: e.t, kind: 'mitigated', label: 'mitigated' };
    case 'team.resolved': return { t: e.t, kind: 'resolved', label: 'resolved' };
    default: return null;
  }
}

/** Chart data from the `metrics` samples of one team's events, with markers for what happened. */
export function charts(events: readonly SessionEvent[], scenario: ScenarioSpec, end: number): TeamCharts {
  const samples = events.filter((e): e is Extract<SessionEvent, { type: 'metrics' }> => e.type === 'metrics');
  const services = chartServices(samples, scenario);
  const panels: ChartPanel[] = [];
  for (const p of PANELS) {
    const index = SAMPLED_METRICS.indexOf(p.metric);
    let series: ChartSeries[] = services.map((service) => ({
      service,
      points: samples.filter((e) => e.services[service] !== undefined).map((e): [number, number] => [e.t, round(e.services[service][index] * p.scale)]),
    }));
    if (p.onlyNonZero) series = series.filter((s) => s.points.some(([, v]) => v > 0));
    if (series.length === 0 || series.every((s) => s.points.length === 0)) continue;
    panels.push({ id: p.metric, metric: p.metric, title: p.title, unit: p.unit, series });
  }
  const markers: ChartMarker[] = [];
  for (const e of events) {
    const m = markerOf(e);
    if (m) markers.push({ n: markers.length + 1, clock: clockOf(m.t), ...m });
  }
  const last = samples.length ? samples[samples.length - 1].t : 0;
  return { from: 0, to: Math.max(end, last, 1), panels, markers };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

// ── comparison ─────────────────────────────────────────────────────────────────────────────────

function comparison(teams: TeamReport[]): Comparison {
  const rows: ComparisonRow[] = [];
  const add = (id: string, label: string, values: (number | null)[], texts: string[], better: 'high' | 'low') => {
    const present = values.filter((v): v is number => v !== null);
    let best: number[] = [];
    if (present.length > 0) {
      const target = better === 'high' ? Math.max(...present) : Math.min(...present);
      const distinct = new Set(present).size > 1 || present.length < values.length;
      if (distinct) best = values.flatMap((v, i) => (v === target ? [i] : []));
    }
    rows.push({ id, label, values, texts, best });
  };
  add('rank', 'Rank', teams.map((t) => t.rank), teams.map((t) => String(t.rank)), 'low');
  add('total', 'Total score', teams.map((t) => t.score.total), teams.map((t) => `${t.score.total}`), 'high');
  for (const d of DIMENSIONS) {
    const dims = teams.map((t) => t.score.dimensions.find((x) => x.id === d)!);
    add(d, DIMENSION_LABELS[d], dims.map((x) => x.score), dims.map((x) => (x.counted ? `${x.score}` : `${x.score} (not counted)`)), 'high');
  }
  for (const id of ['tta', 'ttd', 'ttm', 'ttr', 'budget'] as const) {
    const figs = teams.map((t) => t.metrics.find((m) => m.id === id)!);
    add(id, `${figs[0].label} (${figs[0].short})`, figs.map((f) => f.value), figs.map((f) => f.text), 'low');
  }
  add('traps', 'Traps sprung', teams.map((t) => t.score.trapsSprung), teams.map((t) => String(t.score.trapsSprung)), 'low');
  add('hints', 'Hints (points)', teams.map((t) => t.score.hints.cost), teams.map((t) => (t.score.hints.count ? `${t.score.hints.count} (−${t.score.hints.cost})` : '0')), 'low');
  add('outcome', 'Outcome', teams.map(() => null), teams.map((t) => t.outcome ?? 'running'), 'high');
  return { teams: teams.map((t) => t.id), rows };
}
