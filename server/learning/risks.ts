// The pre-mortem risk register's arithmetic: how urgent a risk is, and whether the team has
// rehearsed it lately. Pure: the caller passes "now" and what the store knows.
//
// Priority = likelihood × impact × (6 − detection), each scored 1–5, so 1…125. Detection is
// inverted because a failure the team is sure to notice at once hurts less than one it would
// not notice at all (the "detectability" factor of an FMEA risk priority number, on 1–5 scales).

export const SCALES = {
  likelihood: ['rare: less than once in ten years', 'unlikely: once in a few years', 'possible: about once a year', 'likely: a few times a year', 'almost certain: monthly or more'],
  impact: ['negligible: nobody notices', 'minor: a few users, a workaround exists', 'moderate: a feature down for many users', 'major: a core journey down, SLO burned', 'severe: outage, data loss or money lost'],
  detection: ['would not notice until customers tell us', 'maybe, from a dashboard someone happens to watch', 'an alert exists but is noisy or slow', 'a reliable alert within minutes', 'alerted at once, with the cause in the alert'],
} as const;

export type Band = 'high' | 'medium' | 'low';

/** Priorities at or above these are high / medium; below, low. */
export const BANDS = { high: 48, medium: 18 } as const;

/** Days after which a rehearsal counts as stale, unless the caller says otherwise. */
export const DEFAULT_STALE_AFTER_DAYS = 90;
/** How many risks count as "the top risks". */
export const DEFAULT_TOP = 5;

const DAY_MS = 86_400_000;

export interface RiskScores {
  likelihood: number;
  impact: number;
  detection: number;
}

export function priority(r: RiskScores): number {
  return r.likelihood * r.impact * (6 - r.detection);
}

export function band(p: number): Band {
  return p >= BANDS.high ? 'high' : p >= BANDS.medium ? 'medium' : 'low';
}

export type RehearsalStatus = 'never' | 'stale' | 'recent';

export interface Rehearsal {
  status: RehearsalStatus;
  /** The last end of a session of a linked scenario (ms), or null. */
  lastAt: number | null;
  /** Which linked scenario that was. */
  scenarioId: string | null;
  /** Whole days since lastAt, or null. */
  daysAgo: number | null;
}

/**
 * When a risk was last rehearsed: the latest end among the sessions of its linked scenarios.
 * Never, when no linked scenario has an ended session; stale, when that was more than
 * `staleAfterDays` whole days ago.
 */
export function rehearsal(scenarioIds: readonly string[], lastEnded: Readonly<Record<string, number>>, now: number, staleAfterDays = DEFAULT_STALE_AFTER_DAYS): Rehearsal {
  let lastAt: number | null = null;
  let scenarioId: string | null = null;
  for (const id of scenarioIds) {
    const at = lastEnded[id];
    if (at !== undefined && (lastAt === null || at > lastAt)) {
      lastAt = at;
      scenarioId = id;
    }
  }
  if (lastAt === null) return { status: 'never', lastAt: null, scenarioId: null, daysAgo: null };
  const daysAgo = Math.max(0, Math.floor((now - lastAt) / DAY_MS));
  return { status: daysAgo > staleAfterDays ? 'stale' : 'recent', lastAt, scenarioId, daysAgo };
}

export interface RankedRisk<R> {
  risk: R;
  priority: number;
  band: Band;
  rehearsal: Rehearsal;
  /** 1 = the most urgent. */
  rank: number;
  /** Among the top `top` and never or not lately rehearsed: what to rehearse next. */
  needsRehearsal: boolean;
}

/**
 * The register in order of urgency: priority, then impact, then likelihood (highest first), then
 * the order given (oldest first). The top `top` that were never rehearsed or not for
 * `staleAfterDays` are flagged.
 */
export function rankRisks<R extends RiskScores & { scenarioIds: readonly string[] }>(
  risks: readonly R[],
  lastEnded: Readonly<Record<string, number>>,
  now: number,
  options: { staleAfterDays?: number; top?: number } = {},
): RankedRisk<R>[] {
  const top = options.top ?? DEFAULT_TOP;
  return risks
    .map((risk, i) => ({ risk, i, priority: priority(risk) }))
    .sort((a, b) => b.priority - a.priority || b.risk.impact - a.risk.impact || b.risk.likelihood - a.risk.likelihood || a.i - b.i)
    .map(({ risk, priority: p }, index) => {
      const r = rehearsal(risk.scenarioIds, lastEnded, now, options.staleAfterDays);
      return { risk, priority: p, band: band(p), rehearsal: r, rank: index + 1, needsRehearsal: index < top && r.status !== 'recent' };
    });
}

/** Cells of the likelihood × impact heat map: how many risks sit in each (likelihood, impact). */
export function heatMap(risks: readonly RiskScores[]): number[][] {
  const grid = Array.from({ length: 5 }, () => Array.from({ length: 5 }, () => 0));
  for (const r of risks) grid[r.likelihood - 1][r.impact - 1]++;
  return grid;
}
