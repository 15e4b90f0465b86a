// Teams side by side (GET /api/sessions/:id/score): total and rank, each scoring dimension, the
// response times (TTA/TTD/TTM/TTR), error budget burned, traps sprung and hints used. The best
// value of each row is marked. A participant gets their own team's breakdown and the others'
// totals only (what the server gives them).
import type { Dimension, TeamScore } from '../../../server/engine/scoring/score.ts';
import type { ReactNode } from 'react';
import type { Scores } from '../lib/api.ts';

/** Every dimension of the engine (a type error here when the engine adds or renames one). */
const DIMENSION_LABELS: Record<Dimension, string> = {
  detection: 'Detection',
  escalation: 'Escalation & command',
  runbook: 'Runbook use',
  mitigation: 'Mitigation',
  communication: 'Communication',
};
const DIMENSIONS = Object.keys(DIMENSION_LABELS) as Dimension[];

type Better = 'higher' | 'lower';

interface Row {
  key: string;
  label: ReactNode;
  /** One value per column; null: not known (or not for you to see). */
  values: (number | null)[];
  text: (v: number) => string;
  better: Better;
  /** Values the row shows but does not compare (a dimension that does not count). */
  noBest?: boolean;
  className?: string;
}

/** Seconds as m:ss (h:mm:ss past an hour). */
export function span(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function bestOf(row: Row): Set<number> {
  const known = row.values.map((v, i) => [v, i] as const).filter((x): x is readonly [number, number] => x[0] !== null);
  if (row.noBest || known.length < 2) return new Set();
  const target = row.better === 'higher' ? Math.max(...known.map(([v]) => v)) : Math.min(...known.map(([v]) => v));
  const best = known.filter(([v]) => v === target).map(([, i]) => i);
  // All equal: nobody is best.
  return best.length === known.length ? new Set() : new Set(best);
}

export function TeamComparison({ scores, ownTeam }: { scores: Scores; ownTeam?: string }) {
  const board = [...scores.leaderboard].sort((a, b) => a.rank - b.rank);
  const detail = new Map((scores.teams as unknown as TeamScore[]).map((t) => [t.team, t]));
  const teams = board.map((r) => r.team);
  const of = <T,>(pick: (t: TeamScore) => T | null) => teams.map((id) => {
    const t = detail.get(id);
    return t ? pick(t) : null;
  });
  const anyDetail = detail.size > 0;
  const weights = anyDetail ? [...detail.values()][0].dimensions : undefined;

  const rows: Row[] = [
    { key: 'total', label: 'Total score', values: board.map((r) => r.total), text: (v) => `${Math.round(v)}`, better: 'higher', className: 'total' },
    ...DIMENSIONS.map((d): Row => {
      const weight = weights?.[d]?.weight;
      return {
        key: d,
        label: (
          <>
            {DIMENSION_LABELS[d]} <span className="muted">{weight === undefined ? '' : weight > 0 ? `· ${weight}%` : '· not counted'}</span>
          </>
        ),
        values: of((t) => t.dimensions[d]?.score ?? null),
        text: (v) => `${Math.round(v)}`,
        better: 'higher',
        noBest: weight === 0,
        className: weight === 0 ? 'uncounted' : undefined,
      };
    }),
    { key: 'tta', label: <abbr title="Time to acknowledge: from an expected alert firing to its acknowledgement">TTA</abbr>, values: of((t) => t.metrics.ttaSeconds), text: span, better: 'lower', className: 'first-metric' },
    { key: 'ttd', label: <abbr title="Time to detect: from onset to the incident declaration">TTD</abbr>, values: of((t) => t.metrics.ttdSeconds), text: span, better: 'lower' },
    { key: 'ttm', label: <abbr title="Time to mitigate: from onset to the cause gone and customers served again">TTM</abbr>, values: of((t) => t.metrics.ttmSeconds), text: span, better: 'lower' },
    { key: 'ttr', label: <abbr title="Time to resolve: from onset to the accepted resolve">TTR</abbr>, values: of((t) => t.metrics.ttrSeconds), text: span, better: 'lower' },
    { key: 'budget', label: 'Error budget burned', values: of((t) => t.metrics.errorBudgetBurnedPct), text: (v) => `${v.toFixed(1)}%`, better: 'lower' },
    { key: 'traps', label: 'Traps sprung', values: of((t) => t.trapsSprung), text: (v) => `${v}`, better: 'lower' },
    { key: 'hints', label: 'Hints used', values: of((t) => t.hints.count), text: (v) => `${v}`, better: 'lower' },
  ];
  const hintCost = of((t) => t.hints.cost);

  return (
    <div className="comparison">
      <table className="compare-table">
        <caption className="sr-only">Teams side by side{scores.final ? '' : ' (so far)'}; the best value of each row is marked</caption>
        <thead>
          <tr>
            <th scope="col"><span className="sr-only">Measure</span></th>
            {board.map((r) => (
              <th scope="col" key={r.team} className={r.team === ownTeam ? 'own' : undefined}>
                <span className="rank">#{r.rank}</span> {r.team}
                {r.team === ownTeam && <span className="muted small-text"> (you)</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const best = bestOf(row);
            return (
              <tr key={row.key} className={row.className}>
                <th scope="row">{row.label}</th>
                {row.values.map((v, i) => (
                  <td key={teams[i]} className={best.has(i) ? 'best' : undefined}>
                    {v === null ? <span className="muted" title={detail.has(teams[i]) ? 'did not happen' : 'not shown to you'}>—</span> : row.text(v)}
                    {row.key === 'hints' && v !== null && (hintCost[i] ?? 0) > 0 && <span className="muted small-text"> (−{hintCost[i]})</span>}
                    {best.has(i) && <span className="sr-only"> (best)</span>}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small-text">
        {scores.final ? 'Final scores.' : 'Scores so far: the game day has not ended.'} Green: best on that row. Times run from the onset of the root-cause fault (TTA from the alert); “—” means it did not happen
        {detail.size < teams.length ? ', or that the facilitator alone sees that team\u2019s breakdown' : ''}. The findings behind each score are in the report.
      </p>
    </div>
  );
}
