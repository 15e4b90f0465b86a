// Trends across game days on a fixture of three teams over three months: each team's baseline
// (median of its first three game days), its monthly medians, the organisation's monthly median
// across teams, and coverage of the failure-mode categories.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAILURE_MODE_CATEGORIES, coverage, median, orgMedians, periodOf, teamTrends, teamsOf } from '../../server/learning/trends.ts';
import { readLibrary } from '../../server/library/fs.ts';
import type { ExerciseKind, ExerciseResultRecord } from '../../server/store/store.ts';

let n = 0;
function game(team: string, day: string, total: number, opts: { detection?: number; kind?: ExerciseKind; tags?: string[] } = {}): ExerciseResultRecord {
  return {
    sessionId: `s${String(++n).padStart(2, '0')}`,
    team,
    scenarioId: 'friday-deploy',
    scenarioTitle: 'Friday deploy',
    tags: opts.tags ?? ['bad-deploy', 'connection-pool'],
    kind: opts.kind ?? 'game-day',
    participants: [{ name: `${team}-lead`, role: 'incident-commander' }],
    endedAt: Date.parse(`${day}T14:00:00Z`),
    summary: {
      outcome: 'resolved', total,
      dimensions: { detection: opts.detection ?? total, escalation: 10, runbook: 20, mitigation: 30, communication: 40 },
      weights: { detection: 20, escalation: 20, runbook: 15, mitigation: 30, communication: 15 },
      metrics: { ttaSeconds: 60, ttdSeconds: 300, ttmSeconds: 600, ttrSeconds: 700, errorBudgetBurnedPct: 1 },
      hints: { count: 0, cost: 0 }, trapsSprung: 0, simulatedSeconds: 900,
    },
  };
}

const results: ExerciseResultRecord[] = [
  game('blue', '2026-09-05', 40, { detection: 50 }),
  game('red', '2026-09-10', 30),
  game('blue', '2026-09-20', 60, { detection: 70, tags: ['cache', 'thundering-herd'] }),
  game('red', '2026-10-01', 99, { kind: 'practice', tags: ['solo', 'certificate', 'tls'] }),
  game('blue', '2026-10-10', 50, { detection: 100 }),
  game('green', '2026-10-20', 20),
  game('green', '2026-10-25', 40),
  game('blue', '2026-11-02', 80, { detection: 85 }),
  game('red', '2026-11-15', 70),
  game('blue', '2026-11-20', 90, { detection: 95 }),
  game('green', '2026-11-25', 100),
];
const library = [
  { id: 'friday-deploy', tags: ['bad-deploy', 'connection-pool'] },
  { id: 'expired-cert', tags: ['solo', 'certificate', 'tls'] },
  { id: 'cache-stampede', tags: ['cache', 'thundering-herd'] },
];

describe('median and periods', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(periodOf(Date.parse('2026-11-30T23:59:59Z'))).toBe('2026-11');
    expect(periodOf(Date.parse('2026-12-01T00:00:00Z'))).toBe('2026-12');
  });
});

describe('teamTrends', () => {
  const blue = teamTrends(results, 'blue', library);

  it('measures a team against the median of its first three game days', () => {
    expect(blue.gameDays).toBe(5);
    expect(blue.practice).toBe(0);
    expect(blue.dimensions.total.points.map((p) => [p.day, p.value])).toEqual([['2026-09-05', 40], ['2026-09-20', 60], ['2026-10-10', 50], ['2026-11-02', 80], ['2026-11-20', 90]]);
    expect(blue.dimensions.total).toMatchObject({ baseline: 50, baselineRuns: 3, latest: 90, change: 40 });
    expect(blue.dimensions.detection).toMatchObject({ baseline: 70, baselineRuns: 3, latest: 95, change: 25 });
    expect(blue.dimensions.escalation).toMatchObject({ baseline: 10, latest: 10, change: 0 });
  });

  it('gives the team\u2019s monthly medians and the organisation\u2019s, which leaves practice out', () => {
    expect(blue.periods).toEqual(['2026-09', '2026-10', '2026-11']);
    expect(blue.dimensions.total.byPeriod).toEqual([{ period: '2026-09', value: 50 }, { period: '2026-10', value: 50 }, { period: '2026-11', value: 85 }]);
    // September: blue 50, red 30 → 40. October: blue 50, green median(20, 40) = 30 → 40 (red only practised).
    // November: blue median(80, 90) = 85, red 70, green 100 → 85.
    expect(blue.dimensions.total.orgMedian).toEqual([{ period: '2026-09', value: 40 }, { period: '2026-10', value: 40 }, { period: '2026-11', value: 85 }]);
    // Detection: September blue median(50, 70) = 60, red 30 → 45; October blue 100, green 30 → 65;
    // November blue median(85, 95) = 90, red 70, green 100 → 90.
    expect(orgMedians(results, 'detection')).toEqual([{ period: '2026-09', value: 45 }, { period: '2026-10', value: 65 }, { period: '2026-11', value: 90 }]);
  });

  it('takes the baseline from what a team has until it has played three game days', () => {
    const red = teamTrends(results, 'red', library);
    expect(red.gameDays).toBe(2);
    expect(red.practice).toBe(1);
    expect(red.dimensions.total).toMatchObject({ baseline: 50, baselineRuns: 2, latest: 70, change: 20 });
    expect(teamTrends(results, 'nobody').dimensions.total).toMatchObject({ points: [], baseline: null, baselineRuns: 0, latest: null, change: null });
  });

  it('counts coverage from game days and practice, and names what was never practised', () => {
    const red = teamTrends(results, 'red', library);
    const row = (t: typeof red, id: string) => t.coverage.find((c) => c.id === id)!;
    expect(row(red, 'certificate-expiry')).toEqual({ id: 'certificate-expiry', label: 'Certificate expiry', runs: 1, lastDay: '2026-10-01', scenarios: ['expired-cert'] });
    expect(row(red, 'bad-deploy')).toMatchObject({ runs: 2, lastDay: '2026-11-15', scenarios: ['friday-deploy'] });
    expect(row(blue, 'bad-deploy')).toMatchObject({ runs: 4, lastDay: '2026-11-20' });
    expect(row(blue, 'cache-failure')).toMatchObject({ runs: 1, lastDay: '2026-09-20', scenarios: ['cache-stampede'] });
    expect(row(blue, 'dns-routing')).toEqual({ id: 'dns-routing', label: 'DNS or routing withdrawal', runs: 0, lastDay: null, scenarios: [] });
    expect(blue.neverPractised).toHaveLength(FAILURE_MODE_CATEGORIES.length - 3);
    expect(blue.neverPractised).not.toContain('connection-pool');
    expect(red.neverPractised).toHaveLength(FAILURE_MODE_CATEGORIES.length - 3);
    expect(red.neverPractised).toContain('cache-failure');
  });

  it('summarises the team\u2019s times and lists teams', () => {
    expect(blue.times).toMatchObject({ exercises: 5, mttm: { meanSeconds: 600, n: 5 }, meanTotal: 64 });
    expect(teamsOf(results)).toEqual(['blue', 'green', 'red']);
  });
});

describe('the failure-mode table', () => {
  it('has the 18 categories of FAILURE-MODES.md, each id once', () => {
    expect(FAILURE_MODE_CATEGORIES).toHaveLength(18);
    expect(new Set(FAILURE_MODE_CATEGORIES.map((c) => c.id)).size).toBe(18);
  });

  it('files every shipped scenario under at least one category', async () => {
    const lib = await readLibrary(fileURLToPath(new URL('../../scenarios/', import.meta.url)));
    const scenarios = [...lib.scenarios.values()].map((s) => ({ id: s.spec.id, tags: s.spec.tags ?? [] }));
    expect(scenarios.length).toBeGreaterThanOrEqual(13);
    const covered = new Set(coverage([], scenarios).flatMap((c) => c.scenarios));
    expect(scenarios.map((s) => s.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});
