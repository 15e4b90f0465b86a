// The learning loop, pure part: what is kept of one team's run when a session ends, how runs are
// classified (game day or practice), how times aggregate into MTTA/MTTD/MTTM/MTTR, and the
// practice streak. No I/O and no clock: everything comes in as arguments (docs/scoring.md,
// "Across game days: MTTA, MTTD, MTTM, MTTR").
import { DIMENSIONS, scoreTeam, type Dimension, type RunbookIndex, type ScoreMetrics } from '../engine/scoring/score.ts';
import type { SessionEvent } from '../engine/session/events.ts';
import type { ScenarioSpec } from '../engine/scenario/schema.ts';
import type { ExerciseKind, ExerciseResultRecord } from '../store/store.ts';

/** What the history keeps of one team's run: the store's `summary` column. */
export interface ExerciseSummary {
  /** How the team's run ended (`team.ended`), or null when the log has no end for it. */
  outcome: 'resolved' | 'unresolved' | 'halted' | null;
  total: number;
  dimensions: Record<Dimension, number>;
  weights: Record<Dimension, number>;
  metrics: ScoreMetrics;
  hints: { count: number; cost: number };
  trapsSprung: number;
  /** Simulated seconds from T+0 to the team's end. */
  simulatedSeconds: number;
}

/** The tag that marks a scenario written for one person practising alone. */
export const PRACTICE_TAG = 'solo';

/**
 * A practice drill is a session whose scenario is tagged `solo`, or that exactly one person
 * joined (whatever the scenario); everything else is a game day. A session nobody joined (played
 * over REST by bots or scripts) is a game day: no person practised.
 */
export function exerciseKind(tags: readonly string[], participantsInSession: number): ExerciseKind {
  return tags.includes(PRACTICE_TAG) || participantsInSession === 1 ? 'practice' : 'game-day';
}

/** Scores one team's run and keeps what the history needs. */
export function summariseTeam(events: readonly SessionEvent[], scenario: ScenarioSpec, team: string, runbooks?: RunbookIndex): ExerciseSummary {
  const score = scoreTeam(events, scenario, team, runbooks);
  const ended = events.find((e): e is Extract<SessionEvent, { type: 'team.ended' }> => e.type === 'team.ended' && e.team === team);
  const own = events.filter((e) => e.team === team);
  const dimensions = {} as Record<Dimension, number>;
  const weights = {} as Record<Dimension, number>;
  for (const d of DIMENSIONS) {
    dimensions[d] = score.dimensions[d].score;
    weights[d] = score.dimensions[d].weight;
  }
  return {
    outcome: ended?.outcome ?? null,
    total: score.total,
    dimensions,
    weights,
    metrics: { ...score.metrics },
    hints: { ...score.hints },
    trapsSprung: score.trapsSprung,
    simulatedSeconds: ended?.t ?? own[own.length - 1]?.t ?? 0,
  };
}

export interface SessionFacts {
  id: string;
  scenario: ScenarioSpec;
  teams: readonly string[];
  endedAt: number;
  participants: readonly { name: string; role: string; team: string }[];
  runbooks?: RunbookIndex;
}

/** One history row per team of an ended session. */
export function resultsOfSession(s: SessionFacts, events: readonly SessionEvent[]): ExerciseResultRecord[] {
  const tags = [...(s.scenario.tags ?? [])];
  const kind = exerciseKind(tags, new Set(s.participants.map((p) => p.name)).size);
  return s.teams.map((team) => {
    const seen = new Set<string>();
    const participants: { name: string; role: string }[] = [];
    for (const p of s.participants) {
      if (p.team !== team || seen.has(p.name)) continue;
      seen.add(p.name);
      participants.push({ name: p.name, role: p.role });
    }
    return {
      sessionId: s.id,
      team,
      scenarioId: s.scenario.id,
      scenarioTitle: s.scenario.title,
      tags,
      kind,
      participants,
      endedAt: s.endedAt,
      summary: summariseTeam(events, s.scenario, team, s.runbooks) as unknown as Record<string, unknown>,
    };
  });
}

/** A result's summary, typed. */
export function summaryOf(r: Pick<ExerciseResultRecord, 'summary'>): ExerciseSummary {
  return r.summary as unknown as ExerciseSummary;
}

export interface MeanOf {
  /** Arithmetic mean of the runs where the time exists, rounded to the second; null when none. */
  meanSeconds: number | null;
  /** How many runs had it (a team that never declared has no TTD for that run). */
  n: number;
}

export interface TimesSummary {
  exercises: number;
  mtta: MeanOf;
  mttd: MeanOf;
  mttm: MeanOf;
  mttr: MeanOf;
  /** Mean error budget burned over the runs that report one, 2 decimals; null when none did. */
  meanErrorBudgetBurnedPct: number | null;
  /** Hints received over all the runs, and their cost in points. */
  hintsUsed: number;
  hintCost: number;
  /** Mean total score, 1 decimal; null with no runs. */
  meanTotal: number | null;
}

function meanOf(values: readonly (number | null)[], digits = 0): MeanOf {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (!present.length) return { meanSeconds: null, n: 0 };
  const f = 10 ** digits;
  return { meanSeconds: Math.round((present.reduce((a, b) => a + b, 0) / present.length) * f) / f, n: present.length };
}

/**
 * MTTA, MTTD, MTTM, MTTR over a set of runs: each the mean of the per-run time (TTA, TTD, TTM,
 * TTR as scored, docs/scoring.md) over the runs where it happened, with the count of those runs.
 */
export function timesSummary(results: readonly Pick<ExerciseResultRecord, 'summary'>[]): TimesSummary {
  const s = results.map(summaryOf);
  const budget = meanOf(s.map((x) => x.metrics.errorBudgetBurnedPct), 2);
  const total = meanOf(s.map((x) => x.total), 1);
  return {
    exercises: s.length,
    mtta: meanOf(s.map((x) => x.metrics.ttaSeconds)),
    mttd: meanOf(s.map((x) => x.metrics.ttdSeconds)),
    mttm: meanOf(s.map((x) => x.metrics.ttmSeconds)),
    mttr: meanOf(s.map((x) => x.metrics.ttrSeconds)),
    meanErrorBudgetBurnedPct: budget.meanSeconds,
    hintsUsed: s.reduce((a, x) => a + x.hints.count, 0),
    hintCost: s.reduce((a, x) => a + x.hints.cost, 0),
    meanTotal: total.meanSeconds,
  };
}

const DAY_MS = 86_400_000;

/** YYYY-MM-DD of a real calendar day → days since 1970-01-01, or a RangeError naming the value. */
export function dayNumber(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) return ms / DAY_MS;
  }
  throw new RangeError(`not a calendar day YYYY-MM-DD: ${JSON.stringify(day)}`);
}

/** Wall-clock milliseconds → the UTC day, YYYY-MM-DD. */
export function utcDayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Days in a row with at least one practice. `days` are the days practised (YYYY-MM-DD, any order,
 * repeats allowed); days after `today` are ignored. `current` counts back from today, or from
 * yesterday when today has no practice yet (the streak is not broken until a whole day is missed);
 * `longest` is the longest run of consecutive days ever.
 */
export function practiceStreak(days: string[], today: string): { current: number; longest: number } {
  const t = dayNumber(today);
  const set = new Set(days.map(dayNumber).filter((d) => d <= t));
  const sorted = [...set].sort((a, b) => a - b);
  let longest = 0;
  let run = 0;
  for (let i = 0; i < sorted.length; i++) {
    run = i > 0 && sorted[i] === sorted[i - 1] + 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  let current = 0;
  let d = set.has(t) ? t : t - 1;
  while (set.has(d)) {
    current++;
    d--;
  }
  return { current, longest };
}
