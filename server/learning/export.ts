// Exports of the history, pure: CSV (RFC 4180, safe to open in a spreadsheet), the JSON row shape,
// and the evidence report (Markdown and self-contained HTML) an auditor can keep as proof that
// incident response was trained and tested: who took part, in what, when, how it went, and what
// came out of it. (The scenario exports to Chaos Toolkit and AWS FIS are scenario-export.ts.)
import { formatClock } from '../engine/duration.ts';
import { DIMENSIONS } from '../engine/scoring/score.ts';
import type { ActionItemRecord, ExerciseResultRecord } from '../store/store.ts';
import { summaryOf, timesSummary, utcDayOf, type ExerciseSummary, type MeanOf } from './results.ts';

// ── CSV ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * One CSV field. Text that a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
 * `@`, a tab or a carriage return) gets a leading `'`; then a field holding a comma, a quote, CR
 * or LF is quoted with its quotes doubled (RFC 4180). Numbers go out as they are; null is empty.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Rows to CSV text: CRLF between records and after the last (RFC 4180). */
export function toCsv(rows: readonly (readonly (string | number | null)[])[]): string {
  return rows.map((r) => r.map(csvField).join(',') + '\r\n').join('');
}

export const CSV_COLUMNS = [
  'ended_at', 'team', 'kind', 'scenario_id', 'scenario_title', 'tags', 'participants', 'outcome', 'total',
  ...DIMENSIONS, 'tta_s', 'ttd_s', 'ttm_s', 'ttr_s', 'error_budget_burned_pct', 'hints_used', 'hint_cost', 'traps_sprung', 'session_id',
] as const;

const iso = (ms: number) => new Date(ms).toISOString();
const people = (r: ExerciseResultRecord) => r.participants.map((p) => `${p.name} (${p.role})`).join('; ');

/** The history as CSV, one row per team and session, with a header row. */
export function historyCsv(results: readonly ExerciseResultRecord[]): string {
  return toCsv([
    [...CSV_COLUMNS],
    ...results.map((r) => {
      const s = summaryOf(r);
      return [
        iso(r.endedAt), r.team, r.kind, r.scenarioId, r.scenarioTitle, r.tags.join(';'), people(r), s.outcome, s.total,
        ...DIMENSIONS.map((d) => s.dimensions[d]),
        s.metrics.ttaSeconds, s.metrics.ttdSeconds, s.metrics.ttmSeconds, s.metrics.ttrSeconds, s.metrics.errorBudgetBurnedPct,
        s.hints.count, s.hints.cost, s.trapsSprung, r.sessionId,
      ];
    }),
  ]);
}

/** A result as the JSON export and the API give it: endedAt as ISO 8601, the summary inlined. */
export function resultJson(r: ExerciseResultRecord) {
  const s: ExerciseSummary = summaryOf(r);
  return {
    sessionId: r.sessionId,
    team: r.team,
    kind: r.kind,
    scenarioId: r.scenarioId,
    scenarioTitle: r.scenarioTitle,
    tags: r.tags,
    participants: r.participants,
    endedAt: iso(r.endedAt),
    outcome: s.outcome,
    total: s.total,
    dimensions: s.dimensions,
    metrics: s.metrics,
    hints: s.hints,
    trapsSprung: s.trapsSprung,
  };
}

// ── the evidence report ──────────────────────────────────────────────────────────────────────────

export interface EvidenceInput {
  /** Wall-clock milliseconds: when the report was made (and "today" for overdue items). */
  generatedAt: number;
  /** The period asked for, YYYY-MM-DD (inclusive), or null for open-ended. */
  from: string | null;
  to: string | null;
  results: readonly ExerciseResultRecord[];
  /** Action items of the sessions in `results`. */
  actionItems: readonly ActionItemRecord[];
}

export interface EvidenceTeam {
  team: string;
  exercises: ExerciseResultRecord[];
  participants: string[];
  times: ReturnType<typeof timesSummary>;
  actionItems: (ActionItemRecord & { overdue: boolean })[];
}

export interface Evidence {
  generatedAt: string;
  from: string | null;
  to: string | null;
  totals: { exercises: number; gameDays: number; practice: number; teams: number; participants: number; actionItems: number; actionItemsDone: number };
  teams: EvidenceTeam[];
}

const PENDING = new Set(['open', 'in-progress']);

/** The report's content, grouped by team (sorted by name), each team's runs oldest first. */
export function buildEvidence(input: EvidenceInput): Evidence {
  const today = utcDayOf(input.generatedAt);
  const byTeam = new Map<string, ExerciseResultRecord[]>();
  for (const r of input.results) byTeam.set(r.team, [...(byTeam.get(r.team) ?? []), r]);
  const teams = [...byTeam.keys()].sort().map((team) => {
    const exercises = byTeam.get(team)!.sort((a, b) => a.endedAt - b.endedAt);
    const sessions = new Set(exercises.map((r) => r.sessionId));
    return {
      team,
      exercises,
      participants: [...new Set(exercises.flatMap((r) => r.participants.map((p) => p.name)))].sort(),
      times: timesSummary(exercises),
      actionItems: input.actionItems
        .filter((a) => sessions.has(a.sessionId))
        .map((a) => ({ ...a, overdue: a.dueDate !== undefined && a.dueDate < today && PENDING.has(a.status) })),
    };
  });
  const items = new Map(input.actionItems.filter((a) => input.results.some((r) => r.sessionId === a.sessionId)).map((a) => [a.id, a]));
  return {
    generatedAt: iso(input.generatedAt),
    from: input.from,
    to: input.to,
    totals: {
      exercises: input.results.length,
      gameDays: input.results.filter((r) => r.kind === 'game-day').length,
      practice: input.results.filter((r) => r.kind === 'practice').length,
      teams: teams.length,
      participants: new Set(input.results.flatMap((r) => r.participants.map((p) => p.name))).size,
      actionItems: items.size,
      actionItemsDone: [...items.values()].filter((a) => a.status === 'done').length,
    },
    teams,
  };
}

const time = (s: number | null) => (s === null ? '—' : formatClock(s));
const mean = (m: MeanOf) => (m.meanSeconds === null ? '—' : `${formatClock(m.meanSeconds)} (${m.n} run${m.n === 1 ? '' : 's'})`);
const period = (e: Evidence) => (e.from || e.to ? `${e.from ?? 'the beginning'} to ${e.to ?? e.generatedAt.slice(0, 10)}` : `everything recorded up to ${e.generatedAt.slice(0, 10)}`);
const KIND = { 'game-day': 'game day', practice: 'practice drill' } as const;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "4 exercise results (3 game days, 1 practice drill) by 2 teams, …", the leading numbers through `strong`. */
function totalsLine(e: Evidence, strong: (x: string) => string): string {
  const t = e.totals;
  const lead = (n: number, one: string, many?: string) => {
    const [count, ...words] = plural(n, one, many).split(' ');
    return `${strong(count)} ${words.join(' ')}`;
  };
  return (
    `${lead(t.exercises, 'exercise result')} (${plural(t.gameDays, 'game day')}, ${plural(t.practice, 'practice drill')}) by ${lead(t.teams, 'team')}, ` +
    `${lead(t.participants, 'person', 'people')} taking part; ${lead(t.actionItems, 'action item')} raised, ${t.actionItemsDone} done.`
  );
}

const EXERCISE_HEAD = ['Date (UTC)', 'Kind', 'Scenario', 'Who took part', 'Outcome', 'Score', ...DIMENSIONS.map((d) => d[0].toUpperCase() + d.slice(1)), 'TTA', 'TTD', 'TTM', 'TTR', 'Budget burned', 'Hints'];

function exerciseCells(r: ExerciseResultRecord): string[] {
  const s = summaryOf(r);
  return [
    utcDayOf(r.endedAt), KIND[r.kind], `${r.scenarioTitle} (${r.scenarioId})`, people(r) || 'nobody joined', s.outcome ?? '—', String(s.total),
    ...DIMENSIONS.map((d) => String(s.dimensions[d])),
    time(s.metrics.ttaSeconds), time(s.metrics.ttdSeconds), time(s.metrics.ttmSeconds), time(s.metrics.ttrSeconds),
    s.metrics.errorBudgetBurnedPct === null ? '—' : `${s.metrics.errorBudgetBurnedPct.toFixed(2)}%`, String(s.hints.count),
  ];
}

const ITEM_HEAD = ['Action item', 'Owner', 'Due', 'Status', 'Raised in'];

function itemCells(a: EvidenceTeam['actionItems'][number], t: EvidenceTeam): string[] {
  const r = t.exercises.find((x) => x.sessionId === a.sessionId);
  return [a.title, a.owner, a.dueDate ?? '—', a.status + (a.overdue ? ' (overdue)' : ''), r ? `${r.scenarioId}, ${utcDayOf(r.endedAt)}` : a.sessionId];
}

const INTRO =
  'This report lists the incident-response exercises run with firedrill: simulated incidents in which a team detects, ' +
  'escalates, mitigates and communicates as it would in production. For each exercise it records who took part, the ' +
  'scenario, the date, how the team scored and the action items raised at the debrief with their current status. ' +
  'Scores are computed from each exercise\u2019s recorded event log by the published rules (docs/scoring.md); ' +
  'TTA, TTD, TTM and TTR are the times to acknowledge, declare, mitigate and resolve, measured from the onset of the fault.';

const mdCell = (s: string) => s.replace(/\r?\n/g, ' ').replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
const mdRow = (cells: readonly string[]) => `| ${cells.map(mdCell).join(' | ')} |`;
const mdTable = (head: readonly string[], rows: readonly string[][]) => [mdRow(head), `| ${head.map(() => '---').join(' | ')} |`, ...rows.map(mdRow)].join('\n');

export function renderEvidenceMarkdown(e: Evidence): string {
  const out = ['# Incident-response exercises: evidence report', '', `Period: ${period(e)}. Generated ${e.generatedAt}.`, '', INTRO, '', totalsLine(e, (x) => `**${x}**`)];
  if (!e.teams.length) out.push('', 'No exercise ended in this period.');
  for (const t of e.teams) {
    out.push('', `## Team ${mdCell(t.team)}`, '', `People: ${t.participants.length ? t.participants.map(mdCell).join(', ') : 'none recorded'}.`, '');
    out.push(`Mean score ${t.times.meanTotal ?? '—'}; MTTA ${mean(t.times.mtta)}, MTTD ${mean(t.times.mttd)}, MTTM ${mean(t.times.mttm)}, MTTR ${mean(t.times.mttr)}; hints used ${t.times.hintsUsed}.`, '');
    out.push(mdTable(EXERCISE_HEAD, t.exercises.map(exerciseCells)));
    out.push('', '### Action items', '');
    out.push(t.actionItems.length ? mdTable(ITEM_HEAD, t.actionItems.map((a) => itemCells(a, t))) : 'None raised.');
  }
  return out.join('\n') + '\n';
}

/** Escapes text for HTML element content and quoted attribute values. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const htmlTable = (head: readonly string[], rows: readonly string[][]) =>
  `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:75rem;padding:0 1rem;color:#1d2330}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:2px solid #d0d5de}table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:12.5px}
th,td{border:1px solid #d0d5de;padding:.25rem .4rem;text-align:left;vertical-align:top}th{background:#f1f3f7}td:first-child{white-space:nowrap}.muted{color:#5a6170}
@media print{body{margin:0;max-width:none}h2{break-before:auto}tr{break-inside:avoid}}`;

export function renderEvidenceHtml(e: Evidence): string {
  const parts = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Incident-response exercises: evidence report</title>',
    `<style>${STYLE}</style></head><body>`,
    '<h1>Incident-response exercises: evidence report</h1>',
    `<p class="muted">Period: ${esc(period(e))}. Generated ${esc(e.generatedAt)}.</p>`,
    `<p>${esc(INTRO)}</p>`,
    `<p>${totalsLine(e, (x) => `<strong>${x}</strong>`)}</p>`,
  ];
  if (!e.teams.length) parts.push('<p>No exercise ended in this period.</p>');
  for (const t of e.teams) {
    parts.push(`<section><h2>Team ${esc(t.team)}</h2>`);
    parts.push(`<p>People: ${esc(t.participants.join(', ') || 'none recorded')}.</p>`);
    parts.push(`<p>Mean score ${esc(String(t.times.meanTotal ?? '—'))}; MTTA ${esc(mean(t.times.mtta))}, MTTD ${esc(mean(t.times.mttd))}, MTTM ${esc(mean(t.times.mttm))}, MTTR ${esc(mean(t.times.mttr))}; hints used ${t.times.hintsUsed}.</p>`);
    parts.push(htmlTable(EXERCISE_HEAD, t.exercises.map(exerciseCells)));
    parts.push('<h3>Action items</h3>', t.actionItems.length ? htmlTable(ITEM_HEAD, t.actionItems.map((a) => itemCells(a, t))) : '<p>None raised.</p>', '</section>');
  }
  parts.push('</body></html>');
  return parts.join('\n') + '\n';
}
