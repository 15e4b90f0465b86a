// Trends across game days, pure: per team and per score dimension, against the team's own
// baseline and the organisation's median, and which failure modes a team has never practised.
// Definitions (docs/facilitator-guide.md, "History, trends, exports and evidence"):
//
// - Trends count game days only (kind `game-day`); practice drills count for coverage.
// - A team's **baseline** is the median of its first three game days (by end time); with fewer
//   than three, the median of those it has (`baselineRuns` says how many).
// - **Periods** are UTC calendar months (YYYY-MM). A team's value in a period is the median of its
//   game days that month; the **organisation's median** in a period is the median, across the
//   teams that played that month, of their values.
// - **Coverage**: a run covers the failure-mode categories of ../shared/FAILURE-MODES.md whose
//   tags its scenario carries (FAILURE_MODE_CATEGORIES below).
import { DIMENSIONS, type Dimension } from '../engine/scoring/score.ts';
import type { ExerciseResultRecord } from '../store/store.ts';
import { summaryOf, timesSummary, utcDayOf, type TimesSummary } from './results.ts';

export const TREND_KEYS = [...DIMENSIONS, 'total'] as const;
export type TrendKey = Dimension | 'total';

/** The categories of ../shared/FAILURE-MODES.md and the scenario tags that mean a run practised one. */
export const FAILURE_MODE_CATEGORIES: readonly { id: string; label: string; tags: readonly string[] }[] = [
  { id: 'bad-deploy', label: 'Bad deploy', tags: ['bad-deploy'] },
  { id: 'bad-config', label: 'Bad config or rule push', tags: ['bad-config', 'config-push'] },
  { id: 'memory-leak', label: 'Memory leak', tags: ['memory-leak'] },
  { id: 'slow-query', label: 'Database slow query or lock', tags: ['slow-query', 'lock'] },
  { id: 'connection-pool', label: 'Connection-pool exhaustion', tags: ['connection-pool'] },
  { id: 'cache-failure', label: 'Cache failure and thundering herd', tags: ['cache', 'thundering-herd'] },
  { id: 'dependency-outage', label: 'Dependency or third-party outage', tags: ['dependency-outage', 'third-party'] },
  { id: 'retry-storm', label: 'Retry storm or cascading failure', tags: ['retry-storm', 'cascade'] },
  { id: 'capacity-removed', label: 'Capacity removed by an operator command', tags: ['operator-error', 'drain'] },
  { id: 'network-partition', label: 'Network partition or failover split brain', tags: ['network-partition', 'split-brain', 'failover'] },
  { id: 'dns-routing', label: 'DNS or routing withdrawal', tags: ['dns', 'routing'] },
  { id: 'certificate-expiry', label: 'Certificate expiry', tags: ['certificate', 'tls'] },
  { id: 'disk-full', label: 'Disk full', tags: ['disk-full'] },
  { id: 'traffic-surge', label: 'Traffic surge', tags: ['traffic-surge'] },
  { id: 'clock-bug', label: 'Clock or time bug', tags: ['clock', 'time-bug', 'leap-second'] },
  { id: 'bad-content-push', label: 'Bad content or data push to every host', tags: ['content-push'] },
  { id: 'big-bang-change', label: 'Big-bang change that cannot be reversed', tags: ['big-bang', 'migration'] },
  { id: 'destructive-script', label: 'Destructive maintenance script', tags: ['destructive-script', 'data-loss'] },
];

/** The median; the mean of the two middle values for an even count; null for none. */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Wall-clock milliseconds → its UTC month, YYYY-MM. */
export function periodOf(ms: number): string {
  return utcDayOf(ms).slice(0, 7);
}

function valueOf(r: ExerciseResultRecord, key: TrendKey): number {
  const s = summaryOf(r);
  return key === 'total' ? s.total : s.dimensions[key];
}

export interface TrendPoint {
  sessionId: string;
  scenarioId: string;
  endedAt: number;
  day: string;
  value: number;
}

export interface PeriodValue {
  period: string;
  value: number;
}

export interface DimensionTrend {
  /** Each game day, oldest first. */
  points: TrendPoint[];
  baseline: number | null;
  /** How many game days the baseline is the median of (3 once the team has played three). */
  baselineRuns: number;
  latest: number | null;
  /** latest − baseline. */
  change: number | null;
  /** The team's median per month it played. */
  byPeriod: PeriodValue[];
  /** The organisation's median per month anyone played (across teams). */
  orgMedian: PeriodValue[];
}

export interface CoverageRow {
  id: string;
  label: string;
  /** Runs (game days and practice) of this team that covered it. */
  runs: number;
  /** The last day it was practised, or null. */
  lastDay: string | null;
  /** Library scenarios that would cover it. */
  scenarios: string[];
}

export interface TeamTrends {
  team: string;
  gameDays: number;
  practice: number;
  /** Every month anyone played a game day, oldest first: the x axis of the charts. */
  periods: string[];
  dimensions: Record<TrendKey, DimensionTrend>;
  coverage: CoverageRow[];
  /** Ids of the categories this team never practised. */
  neverPractised: string[];
  times: TimesSummary;
}

/** The organisation's median of `key` per month, from every team's game days. */
export function orgMedians(results: readonly ExerciseResultRecord[], key: TrendKey): PeriodValue[] {
  const byPeriod = new Map<string, Map<string, number[]>>();
  for (const r of results) {
    if (r.kind !== 'game-day') continue;
    const p = periodOf(r.endedAt);
    const teams = byPeriod.get(p) ?? new Map<string, number[]>();
    byPeriod.set(p, teams);
    const values = teams.get(r.team) ?? [];
    teams.set(r.team, values);
    values.push(valueOf(r, key));
  }
  return [...byPeriod.keys()].sort().map((period) => ({
    period,
    value: median([...byPeriod.get(period)!.values()].map((v) => median(v)!))!,
  }));
}

/** Coverage of the failure-mode categories by a set of runs. */
export function coverage(results: readonly ExerciseResultRecord[], library: readonly { id: string; tags: readonly string[] }[] = []): CoverageRow[] {
  return FAILURE_MODE_CATEGORIES.map((c) => {
    const covers = (tags: readonly string[]) => tags.some((t) => c.tags.includes(t));
    const runs = results.filter((r) => covers(r.tags));
    const last = runs.reduce<number | null>((a, r) => (a === null || r.endedAt > a ? r.endedAt : a), null);
    return { id: c.id, label: c.label, runs: runs.length, lastDay: last === null ? null : utcDayOf(last), scenarios: library.filter((s) => covers(s.tags)).map((s) => s.id).sort() };
  });
}

const byTime = (a: ExerciseResultRecord, b: ExerciseResultRecord) => a.endedAt - b.endedAt || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0);

/**
 * A team's trends. `results` are every team's (the organisation's median needs them all);
 * `library` lists the scenarios available, to say which would cover a gap.
 */
export function teamTrends(results: readonly ExerciseResultRecord[], team: string, library: readonly { id: string; tags: readonly string[] }[] = []): TeamTrends {
  const own = results.filter((r) => r.team === team).sort(byTime);
  const games = own.filter((r) => r.kind === 'game-day');
  const periods = [...new Set(results.filter((r) => r.kind === 'game-day').map((r) => periodOf(r.endedAt)))].sort();
  const dimensions = {} as Record<TrendKey, DimensionTrend>;
  for (const key of TREND_KEYS) {
    const points = games.map((r) => ({ sessionId: r.sessionId, scenarioId: r.scenarioId, endedAt: r.endedAt, day: utcDayOf(r.endedAt), value: valueOf(r, key) }));
    const first = points.slice(0, 3).map((p) => p.value);
    const baseline = median(first);
    const latest = points.length ? points[points.length - 1].value : null;
    const perPeriod = new Map<string, number[]>();
    for (const r of games) {
      const p = periodOf(r.endedAt);
      perPeriod.set(p, [...(perPeriod.get(p) ?? []), valueOf(r, key)]);
    }
    dimensions[key] = {
      points,
      baseline,
      baselineRuns: first.length,
      latest,
      change: latest === null || baseline === null ? null : latest - baseline,
      byPeriod: [...perPeriod.keys()].sort().map((period) => ({ period, value: median(perPeriod.get(period)!)! })),
      orgMedian: orgMedians(results, key),
    };
  }
  const cov = coverage(own, library);
  return {
    team,
    gameDays: games.length,
    practice: own.length - games.length,
    periods,
    dimensions,
    coverage: cov,
    neverPractised: cov.filter((c) => c.runs === 0).map((c) => c.id),
    times: timesSummary(own),
  };
}

/** Every team that has a result, sorted. */
export function teamsOf(results: readonly ExerciseResultRecord[]): string[] {
  return [...new Set(results.map((r) => r.team))].sort();
}
