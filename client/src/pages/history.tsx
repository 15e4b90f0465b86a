// History and trends: every team's past game days and practice drills, a team's scores per
// dimension over time against its own baseline and the organisation's median, the failure modes it
// has and has not practised, and the exports (CSV, JSON, evidence report). The operator's page:
// every route behind it takes the admin token (docs/facilitator-guide.md).
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { errorText } from '../lib/format.ts';
import { ApiError } from '../lib/api.ts';
import { Panel } from '../components/ui.tsx';
import {
  fetchFile, getHistory, getTrends, historyQuery, loadAdminToken, saveAdminToken, saveBlob,
  type History, type HistoryFilter, type HistoryRow, type Trends,
} from '../lib/history-api.ts';
import './history.css';

const DIMENSIONS = ['detection', 'escalation', 'runbook', 'mitigation', 'communication'] as const;
const CHARTS: { key: keyof Trends['dimensions']; label: string }[] = [
  { key: 'total', label: 'Total' },
  ...DIMENSIONS.map((d) => ({ key: d, label: d[0].toUpperCase() + d.slice(1) })),
];
const KIND_LABELS = { 'game-day': 'Game day', practice: 'Practice' } as const;

/** Seconds as m:ss (h:mm:ss past an hour), or an en dash. */
function span(s: number | null | undefined): string {
  if (s === null || s === undefined) return '–';
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const ss = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function HistoryPage() {
  const { query } = useLocation();
  const [token, setToken] = useState(loadAdminToken);
  const team = query.get('team') ?? '';
  const [filter, setFilter] = useState<Omit<HistoryFilter, 'team'>>({ from: query.get('from') ?? undefined, to: query.get('to') ?? undefined });
  const [history, setHistory] = useState<History>();
  const [trends, setTrends] = useState<Trends>();
  const [error, setError] = useState<string>();
  const [authError, setAuthError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!token) return;
    let live = true;
    setBusy(true);
    setError(undefined);
    Promise.all([getHistory(token, { ...filter, team: team || undefined }), team ? getTrends(token, team) : Promise.resolve(undefined)])
      .then(([h, t]) => {
        if (!live) return;
        setHistory(h);
        setTrends(t);
        setAuthError(undefined);
      })
      .catch((e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && (e.status === 401 || e.status === 403 || (e.status === 404 && e.code === 'not-found' && !team))) {
          setAuthError(e.status === 404 ? 'this server has no admin token set (FIREDRILL_ADMIN_TOKEN): the history is not served' : errorText(e));
          setToken('');
          saveAdminToken('');
        } else setError(errorText(e));
      })
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [token, team, filter.from, filter.to, filter.kind]);

  const pickTeam = (next: string) => {
    const q = historyQuery({ team: next || undefined, from: filter.from, to: filter.to });
    navigate(`/history${q}`, true);
  };

  return (
    <div className="app history">
      <header className="topbar">
        <div className="topbar-title">
          <Link to="/" className="brand"><span className="logo" aria-hidden="true" />firedrill</Link>
          <h1 className="page-title">History and trends</h1>
        </div>
        {token && history && <Downloads token={token} filter={{ ...filter, team: team || undefined }} />}
      </header>
      <main className="history-main">
        {!token ? (
          <TokenForm error={authError} onToken={(t) => { saveAdminToken(t); setToken(t); }} />
        ) : (
          <>
            <Filters teams={history?.teams ?? []} team={team} filter={filter} busy={busy} onTeam={pickTeam} onFilter={setFilter} onForget={() => { saveAdminToken(''); setToken(''); }} />
            {error && <p className="result err" role="alert">✗ {error}</p>}
            {history && <Summary history={history} team={team} />}
            {trends && <TrendCharts trends={trends} />}
            {trends && <Coverage trends={trends} />}
            {history && <ResultsTable rows={history.results} />}
          </>
        )}
      </main>
    </div>
  );
}

function TokenForm({ error, onToken }: { error?: string; onToken: (t: string) => void }) {
  const [value, setValue] = useState('');
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) onToken(value.trim());
  };
  return (
    <form className="card token-form" onSubmit={submit} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Operator access</h2>
      <p className="muted">Who played what, and how well, is the operator&rsquo;s to read: enter the server&rsquo;s admin token (<code>FIREDRILL_ADMIN_TOKEN</code>). This tab remembers it until you close it.</p>
      <label>
        Admin token
        <input type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} required maxLength={256} />
      </label>
      <button type="submit" className="primary">Show the history</button>
      {error && <p className="result err" role="alert">✗ {error}</p>}
    </form>
  );
}

function Filters({ teams, team, filter, busy, onTeam, onFilter, onForget }: {
  teams: string[];
  team: string;
  filter: Omit<HistoryFilter, 'team'>;
  busy: boolean;
  onTeam: (t: string) => void;
  onFilter: (f: Omit<HistoryFilter, 'team'>) => void;
  onForget: () => void;
}) {
  const id = useId();
  return (
    <form className="history-filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
      <div className="field">
        <label htmlFor={`${id}-team`}>Team</label>
        <select id={`${id}-team`} value={team} onChange={(e) => onTeam(e.target.value)}>
          <option value="">All teams</option>
          {teams.map((t) => <option key={t} value={t}>{t}</option>)}
          {team && !teams.includes(team) && <option value={team}>{team}</option>}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="date" value={filter.from ?? ''} onChange={(e) => onFilter({ ...filter, from: e.target.value || undefined })} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="date" value={filter.to ?? ''} onChange={(e) => onFilter({ ...filter, to: e.target.value || undefined })} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select id={`${id}-kind`} value={filter.kind ?? ''} onChange={(e) => onFilter({ ...filter, kind: (e.target.value || undefined) as HistoryFilter['kind'] })}>
          <option value="">Game days and drills</option>
          <option value="game-day">Game days</option>
          <option value="practice">Practice drills</option>
        </select>
      </div>
      <span className="muted small-text" aria-live="polite">{busy ? 'Loading…' : ''}</span>
      <button type="button" className="link-button" onClick={onForget}>Forget the token</button>
    </form>
  );
}

function Downloads({ token, filter }: { token: string; filter: HistoryFilter }) {
  const [error, setError] = useState<string>();
  const base = ['firedrill', filter.team, filter.from, filter.to].filter(Boolean).join('-');
  /** Saves the file as `name`, or (null) shows it in a new tab opened at once, inside the click: a tab opened after the fetch would meet the popup blocker. */
  const get = async (path: string, name: string | null) => {
    setError(undefined);
    const tab = name ? null : window.open('', '_blank');
    try {
      const blob = await fetchFile(path, token);
      if (name) saveBlob(blob, name);
      else if (tab) tab.location.href = URL.createObjectURL(blob);
      else saveBlob(blob, 'firedrill-evidence.html');
    } catch (e) {
      tab?.close();
      setError(errorText(e));
    }
  };
  const evidence = historyQuery({ team: filter.team, from: filter.from, to: filter.to });
  return (
    <div className="downloads" role="group" aria-label="Exports">
      <button type="button" onClick={() => get(`/api/history${historyQuery(filter, { format: 'csv' })}`, `${base}-history.csv`)}>CSV</button>
      <button type="button" onClick={() => get(`/api/history${historyQuery(filter)}`, `${base}-history.json`)}>JSON</button>
      <button type="button" onClick={() => get(`/api/evidence${evidence}`, null)}>Evidence report</button>
      <button type="button" onClick={() => get(`/api/evidence${historyQuery({ team: filter.team, from: filter.from, to: filter.to }, { format: 'md' })}`, `${base}-evidence.md`)}>Evidence (Markdown)</button>
      {error && <span className="result err" role="alert">✗ {error}</span>}
    </div>
  );
}

function Summary({ history, team }: { history: History; team: string }) {
  const s = history.summary;
  const games = history.results.filter((r) => r.kind === 'game-day').length;
  const stat = (label: string, value: string, title?: string) => (
    <div className="stat" title={title}>
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
    </div>
  );
  const mean = (m: { meanSeconds: number | null; n: number }) => (m.meanSeconds === null ? '–' : span(m.meanSeconds));
  return (
    <Panel title={team ? `Team ${team}` : 'Every team'}>
      <div className="history-stats">
        {stat('game days', String(games))}
        {stat('practice drills', String(s.exercises - games))}
        {stat('mean score', s.meanTotal === null ? '–' : String(s.meanTotal))}
        {stat('MTTA', mean(s.mtta), `mean time to acknowledge, over ${s.mtta.n} runs`)}
        {stat('MTTD', mean(s.mttd), `mean time to declare, over ${s.mttd.n} runs`)}
        {stat('MTTM', mean(s.mttm), `mean time to mitigate, over ${s.mttm.n} runs`)}
        {stat('MTTR', mean(s.mttr), `mean time to resolve, over ${s.mttr.n} runs`)}
        {stat('budget burned', s.meanErrorBudgetBurnedPct === null ? '–' : `${s.meanErrorBudgetBurnedPct.toFixed(2)}%`, 'mean share of the error budget burned per run')}
        {stat('hints used', String(s.hintsUsed))}
      </div>
    </Panel>
  );
}

const MID_MONTH = (period: string) => Date.UTC(Number(period.slice(0, 4)), Number(period.slice(5, 7)) - 1, 15) / 1000;

function TrendChart({ label, trend }: { label: string; trend: Trends['dimensions']['total'] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const team = new Map(trend.points.map((p) => [p.endedAt / 1000, p.value]));
    const org = new Map(trend.orgMedian.map((p) => [MID_MONTH(p.period), p.value]));
    const xs = [...new Set([...team.keys(), ...org.keys()])].sort((a, b) => a - b);
    const data: uPlot.AlignedData = [xs, xs.map((x) => team.get(x) ?? null), xs.map(() => trend.baseline), xs.map((x) => org.get(x) ?? null)];
    const axis = { stroke: '#9aa4b2', grid: { stroke: '#2a3140', width: 1 }, ticks: { stroke: '#2a3140' }, font: '11px system-ui, sans-serif' };
    const u = new uPlot(
      {
        width: Math.max(220, el.clientWidth),
        height: 170,
        cursor: { y: false },
        legend: { show: true },
        scales: {
          x: { time: true, range: (_u, min, max) => (min === max ? [min - 20 * 86400, max + 20 * 86400] : [min - 2 * 86400, max + 2 * 86400]) },
          y: { range: [0, 100] },
        },
        axes: [{ ...axis, size: 28 }, { ...axis, size: 34 }],
        series: [
          {},
          { label: 'team', stroke: '#5b9cff', width: 2, spanGaps: true, points: { show: true, size: 6 } },
          { label: 'baseline', stroke: '#ffb347', width: 1.25, dash: [6, 4], points: { show: false } },
          { label: 'org median', stroke: '#3ecf8e', width: 1.5, dash: [2, 3], spanGaps: true, points: { show: true, size: 4 } },
        ],
      },
      data,
      el,
    );
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(220, el.clientWidth), height: 170 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
    };
  }, [trend]);
  const change = trend.change === null ? '' : `${trend.change > 0 ? '+' : ''}${trend.change} vs baseline`;
  return (
    <figure className="chart trend-chart">
      <figcaption>
        <strong>{label}</strong>
        <span className="muted small-text">
          {trend.latest === null ? 'no game day yet' : `latest ${trend.latest}, baseline ${trend.baseline}${trend.baselineRuns < 3 ? ` (of ${trend.baselineRuns})` : ''}`} {change && <span className={trend.change! > 0 ? 'good' : trend.change! < 0 ? 'bad' : 'muted'}>{change}</span>}
        </span>
      </figcaption>
      <div
        ref={box}
        className="chart-canvas"
        role="img"
        aria-label={`${label}: ${trend.points.map((p) => `${p.day} ${p.value}`).join(', ') || 'no game days'}; baseline ${trend.baseline ?? 'none'}; organisation median ${trend.orgMedian.map((p) => `${p.period} ${p.value}`).join(', ')}`}
      />
    </figure>
  );
}

function TrendCharts({ trends }: { trends: Trends }) {
  return (
    <Panel title={<>Trends across game days <span className="muted small-text">{trends.gameDays} game days; baseline = median of the first three; org median per month across teams</span></>}>
      {trends.gameDays === 0 ? (
        <p className="muted">No game day yet for {trends.team} — only practice drills, which count for coverage below but not for trends.</p>
      ) : (
        <div className="trend-grid">
          {CHARTS.map((c) => <TrendChart key={c.key} label={c.label} trend={trends.dimensions[c.key]} />)}
        </div>
      )}
    </Panel>
  );
}

function Coverage({ trends }: { trends: Trends }) {
  const done = trends.coverage.filter((c) => c.runs > 0);
  const gaps = trends.coverage.filter((c) => c.runs === 0);
  return (
    <Panel title={<>Failure modes <span className="muted small-text">{done.length} of {trends.coverage.length} practised</span></>}>
      <div className="coverage">
        <div>
          <h3>Practised</h3>
          <ul className="coverage-list">
            {!done.length && <li className="muted">None yet.</li>}
            {done.map((c) => (
              <li key={c.id} className="covered"><span>{c.label}</span> <span className="muted small-text">{c.runs}× · last {c.lastDay}</span></li>
            ))}
          </ul>
        </div>
        <div>
          <h3>Never practised</h3>
          <ul className="coverage-list">
            {gaps.map((c) => (
              <li key={c.id} className="gap">
                <span>{c.label}</span>{' '}
                <span className="muted small-text">{c.scenarios.length ? `try ${c.scenarios.join(', ')}` : 'no scenario in the library yet'}</span>
              </li>
            ))}
          </ul>
        </div>
      </div>
    </Panel>
  );
}

function ResultsTable({ rows }: { rows: HistoryRow[] }) {
  const newest = [...rows].reverse();
  return (
    <Panel title={<>Past game days and drills <span className="muted small-text">{rows.length} results, newest first</span></>}>
      {!rows.length ? (
        <p className="muted">Nothing recorded for these filters yet. Results are kept when a game day or drill ends.</p>
      ) : (
        <div className="table-wrap">
          <table className="history-table">
            <thead>
              <tr>
                <th>Date</th><th>Team</th><th>Kind</th><th>Scenario</th><th>People</th><th>Outcome</th><th>Score</th>
                {DIMENSIONS.map((d) => <th key={d} title={d}>{d.slice(0, 4)}.</th>)}
                <th title="time to acknowledge">TTA</th><th title="time to declare">TTD</th><th title="time to mitigate">TTM</th><th title="time to resolve">TTR</th><th>Budget</th><th>Hints</th><th />
              </tr>
            </thead>
            <tbody>
              {newest.map((r) => (
                <tr key={`${r.sessionId}/${r.team}`}>
                  <td>{r.endedAt.slice(0, 10)}</td>
                  <td>{r.team}</td>
                  <td><span className={`kind kind-${r.kind}`}>{KIND_LABELS[r.kind]}</span></td>
                  <td title={r.scenarioId}>{r.scenarioTitle}</td>
                  <td>{r.participants.map((p) => p.name).join(', ') || <span className="muted">–</span>}</td>
                  <td>{r.outcome ?? '–'}</td>
                  <td className="num"><strong>{r.total}</strong></td>
                  {DIMENSIONS.map((d) => <td key={d} className="num">{r.dimensions[d]}</td>)}
                  <td className="num">{span(r.metrics.ttaSeconds)}</td>
                  <td className="num">{span(r.metrics.ttdSeconds)}</td>
                  <td className="num">{span(r.metrics.ttmSeconds)}</td>
                  <td className="num">{span(r.metrics.ttrSeconds)}</td>
                  <td className="num">{r.metrics.errorBudgetBurnedPct === null ? '–' : `${r.metrics.errorBudgetBurnedPct.toFixed(2)}%`}</td>
                  <td className="num">{r.hints.count}</td>
                  <td><Link to={`/debrief/${r.sessionId}`}>debrief</Link></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
