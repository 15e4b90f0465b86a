// /practice — "my practice": the drills this browser played under the player's name, their scores
// and the streak of days with at least one drill. No account: the name and the drills' participant
// tokens live in localStorage (lib/practice.ts); the tokens prove the drills are the player's.
import { useEffect, useState } from 'react';
import type { PracticeHistory } from '../../../server/protocol/practice.ts';
import { loadPractice, practiceHistory, setPracticeName } from '../lib/practice.ts';
import { saveCreds } from '../lib/creds.ts';
import { Link, navigate } from '../lib/router.tsx';
import { errorText } from '../lib/format.ts';
import '../components/practice.css';

/** The streak and history of the player, loaded for `name` (all of this browser's when empty). */
export function usePracticeHistory(name: string): { history?: PracticeHistory; error?: string; loading: boolean } {
  const [state, setState] = useState<{ history?: PracticeHistory; error?: string; loading: boolean }>({ loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      practiceHistory(name.trim()).then(
        (history) => live && setState({ history, loading: false }),
        (e: unknown) => live && setState({ error: errorText(e), loading: false }),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [name]);
  return state;
}

function minSec(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function streakText(days: number): string {
  return `${days} day${days === 1 ? '' : 's'}`;
}

export function PracticePage() {
  const [name, setName] = useState(loadPractice().name);
  const { history, error, loading } = usePracticeHistory(name);
  const drills = history?.drills ?? [];
  const openDebrief = (sessionId: string) => {
    // The debrief reads the report with the drill's participant token, kept per tab.
    const ref = loadPractice().drills.find((d) => d.sessionId === sessionId);
    if (ref) saveCreds({ sessionId, participant: { token: ref.token, name: ref.name, team: ref.team, role: 'incident-commander' } });
    navigate(`/debrief/${sessionId}`);
  };
  return (
    <div className="app">
      <main className="practice-page">
        <header>
          <p><Link to="/">← firedrill</Link></p>
          <h1>My practice</h1>
          <p className="muted">
            Solo drills played in this browser under your name. There is no account: your name and a key for each drill are kept in this
            browser (clearing its data forgets them), and only this browser can read them back.
          </p>
        </header>
        <label className="inline">
          Your name{' '}
          <input
            value={name}
            maxLength={80}
            placeholder="everyone in this browser"
            onChange={(e) => {
              setName(e.target.value);
              setPracticeName(e.target.value);
            }}
          />
        </label>
        {error && <p className="result err" role="alert">✗ Could not load your practice: {error}</p>}
        <section className="practice-stats" aria-label="Streak">
          <div className="stat"><span className="muted">Current streak</span><strong data-testid="streak-current">{streakText(history?.streak.current ?? 0)}</strong></div>
          <div className="stat"><span className="muted">Longest streak</span><strong data-testid="streak-longest">{streakText(history?.streak.longest ?? 0)}</strong></div>
          <div className="stat"><span className="muted">Drills</span><strong>{drills.length}</strong></div>
          <div className="stat"><span className="muted">Best score</span><strong>{history?.best ?? '—'}</strong></div>
        </section>
        <section className="card">
          <h2>Past drills</h2>
          {loading && !history && <p className="muted">Loading…</p>}
          {history && drills.length === 0 && (
            <p className="muted">No finished drill yet{name.trim() ? ` for ${name.trim()}` : ''}. <Link to="/">Pick one on the start page</Link>: a drill takes about ten minutes.</p>
          )}
          {drills.length > 0 && (
            <table className="practice-table">
              <thead>
                <tr><th>Day</th><th>Drill</th><th>Outcome</th><th className="num">Score</th><th className="num">Hints</th><th className="num">Mitigated in</th><th /></tr>
              </thead>
              <tbody>
                {drills.map((d) => (
                  <tr key={d.sessionId}>
                    <td>{d.day}</td>
                    <td>{d.scenarioTitle}{name.trim() ? '' : <span className="muted"> · {d.name}</span>}</td>
                    <td>{d.outcome ?? '—'}</td>
                    <td className="num"><strong>{d.total}</strong>/100</td>
                    <td className="num">{d.hints.count ? `${d.hints.count} (−${d.hints.cost})` : '0'}</td>
                    <td className="num">{d.ttmSeconds === null ? '—' : minSec(d.ttmSeconds)}</td>
                    <td><button type="button" className="small" onClick={() => openDebrief(d.sessionId)}>Debrief</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </main>
    </div>
  );
}
