// The start page: join a game day with a code, start one as facilitator, or practise alone.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { createSession, listScenarios, type Scenario } from '../lib/api.ts';
import { joinWithCode } from '../lib/live.ts';
import { lastJoin, rememberJoin, saveCreds } from '../lib/creds.ts';
import { Link, navigate, useLocation } from '../lib/router.tsx';
import { duration, errorText } from '../lib/format.ts';
import { JOIN_ROLES } from '../lib/catalog.ts';
import { OpeningNotice } from '../components/opening-notice.tsx';
import { OperatorHome } from '../components/operator-home.tsx';
import { loadPractice, rememberDrill, setPracticeName } from '../lib/practice.ts';
import { MyPracticeSummary } from '../components/practice-home.tsx';

const SPEEDS = [0.5, 1, 2, 5, 10, 30];

export function HomePage() {
  const [scenarios, setScenarios] = useState<Scenario[]>();
  const [loadError, setLoadError] = useState<string>();
  useEffect(() => {
    listScenarios().then(setScenarios, (e: unknown) => setLoadError(errorText(e)));
  }, []);
  return (
    <div className="app home">
      <header className="hero">
        <h1><span className="logo" aria-hidden="true" />firedrill</h1>
        <p>Game days and incident-response drills: a simulated production system breaks, your team responds, everyone learns.</p>
      </header>
      {loadError && <p className="result err" role="alert">✗ Could not load the scenario library: {loadError}</p>}
      <main className="home-grid">
        <JoinCard />
        <FacilitateCard scenarios={scenarios} />
        <SoloCard scenarios={scenarios} />
      </main>
      <div className="home-operator"><OperatorHome /></div>
      <footer className="home-foot">
        <Link to="/editor">Write a scenario</Link> · <Link to="/programme">Programme of game days</Link> · <Link to="/risks">Risk register</Link> · <Link to="/history">History and trends</Link> · <a href="/docs">REST API (OpenAPI)</a>
      </footer>
    </div>
  );
}

function JoinCard() {
  const { query } = useLocation();
  const prev = lastJoin();
  const [code, setCode] = useState(query.get('code') ?? '');
  const [name, setName] = useState(prev.name ?? '');
  const [team, setTeam] = useState(query.get('team') ?? prev.team ?? '');
  const [role, setRole] = useState<string>(prev.role ?? 'responder');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const id = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const c = code.trim();
      const { welcome } = await joinWithCode(c, team.trim(), name.trim(), role);
      rememberJoin({ name: name.trim(), team: team.trim(), role, code: c });
      saveCreds({ sessionId: welcome.sessionId, joinCode: c });
      navigate(`/team/${welcome.sessionId}`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card big-card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Join a game day</h2>
      <p className="muted">Your facilitator gives you a code and a team.</p>
      <form onSubmit={submit} className="stack">
        <OpeningNotice code={query.get('code')} onCode={setCode} />
        <label>
          Join code
          <input required autoComplete="off" className="code-input" value={code} onChange={(e) => setCode(e.target.value)} minLength={4} maxLength={32} placeholder="from your facilitator" />
        </label>
        <label>
          Your name
          <input required maxLength={80} value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" />
        </label>
        <label>
          Team
          <input required maxLength={64} value={team} onChange={(e) => setTeam(e.target.value)} placeholder="blue" />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            {Object.entries(JOIN_ROLES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select>
        </label>
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Joining…' : 'Join'}</button>
        {error && <p className="result err" role="alert">✗ {error}</p>}
      </form>
    </section>
  );
}

function FacilitateCard({ scenarios }: { scenarios?: Scenario[] }) {
  const [scenario, setScenario] = useState('');
  const [teams, setTeams] = useState('blue, red');
  const [speed, setSpeed] = useState(1);
  const [seed, setSeed] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const id = useId();
  const pick = scenarios?.find((s) => s.id === scenario) ?? scenarios?.find((s) => !s.tags.includes('solo')) ?? scenarios?.[0];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!pick) return;
    setBusy(true);
    setError(undefined);
    try {
      const names = teams.split(',').map((t) => t.trim()).filter(Boolean);
      const seedValue = seed.trim() === '' ? undefined : /^\d+$/.test(seed.trim()) ? Number(seed.trim()) : seed.trim();
      const created = await createSession({ scenario: pick.id, teams: names.length ? names : undefined, speed, ...(seedValue !== undefined ? { seed: seedValue } : {}) });
      saveCreds({ sessionId: created.id, facilitatorToken: created.facilitatorToken, joinCode: created.joinCode });
      navigate(`/facilitate/${created.id}`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card big-card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Run a game day</h2>
      <p className="muted">As facilitator: pick a scenario, name the teams, share the code.</p>
      <form onSubmit={submit} className="stack">
        <label>
          Scenario
          <select value={pick?.id ?? ''} onChange={(e) => setScenario(e.target.value)} disabled={!scenarios}>
            {!scenarios && <option>Loading…</option>}
            {scenarios?.map((s) => <option key={s.id} value={s.id}>{s.title} — {s.difficulty}, {duration(s.duration)}</option>)}
          </select>
        </label>
        {pick && (
          <div className="scenario-card">
            <p>{pick.summary}</p>
            <p className="muted small-text">workload {pick.workload} · {pick.services} services · {pick.tags.map((t) => `#${t}`).join(' ')}</p>
          </div>
        )}
        <label>
          Teams (comma-separated)
          <input value={teams} onChange={(e) => setTeams(e.target.value)} pattern="^[A-Za-z0-9][A-Za-z0-9 _.,\-]*$" />
        </label>
        <div className="row">
          <label>
            Speed
            <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
              {SPEEDS.map((s) => <option key={s} value={s}>×{s}{s === 1 ? ' (real time)' : ''}</option>)}
            </select>
          </label>
          <label className="grow">
            Seed (optional)
            <input value={seed} onChange={(e) => setSeed(e.target.value)} placeholder="random" maxLength={40} />
          </label>
        </div>
        <button type="submit" className="primary" disabled={busy || !pick}>{busy ? 'Creating…' : 'Create game day'}</button>
        {error && <p className="result err" role="alert">✗ {error}</p>}
      </form>
      <p className="muted small-text">Or <Link to="/editor">write a scenario</Link>: a pre-mortem as code, checked as you type and dry-run by bots.</p>
      <p className="muted small-text">Or <Link to="/programme">schedule one</Link> for a later date, once or recurring, with an invitation and a readiness checklist.</p>
    </section>
  );
}

function SoloCard({ scenarios }: { scenarios?: Scenario[] }) {
  const solo = scenarios?.filter((s) => s.tags.includes('solo')) ?? [];
  const [name, setName] = useState(loadPractice().name || (lastJoin().name ?? ''));
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const id = useId();
  const start = async (s: Scenario) => {
    setBusy(s.id);
    setError(undefined);
    try {
      const team = 'practice';
      // Practice mode: bots answer pages and ask for updates, hints on demand (docs/participant-guide.md).
      const created = await createSession({ scenario: s.id, teams: [team], speed: 1, practice: true });
      saveCreds({ sessionId: created.id, facilitatorToken: created.facilitatorToken, joinCode: created.joinCode });
      const me = name.trim() || 'me';
      const { welcome } = await joinWithCode(created.joinCode, team, me, 'incident-commander');
      if (welcome.you.kind === 'participant') rememberDrill({ sessionId: welcome.sessionId, token: welcome.you.token, name: me, team, scenario: s.id, at: Date.now() });
      navigate(`/team/${welcome.sessionId}`);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <section className="card big-card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Practise alone</h2>
      <p className="muted">A short drill in real time: bots answer your pages and ask for updates, hints come on demand (at a price). You start and pause it yourself.</p>
      <label>
        Your name
        <input
          maxLength={80}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setPracticeName(e.target.value);
          }}
          placeholder="me"
        />
      </label>
      <MyPracticeSummary name={name} />
      <ul className="solo-list">
        {!scenarios && <li className="muted">Loading…</li>}
        {scenarios && !solo.length && <li className="muted">No practice scenarios (tagged solo) in the library.</li>}
        {solo.map((s) => (
          <li key={s.id}>
            <div>
              <strong>{s.title}</strong>
              <p className="muted small-text">{s.summary}</p>
            </div>
            <button type="button" className="primary" disabled={!!busy} onClick={() => start(s)}>
              {busy === s.id ? 'Starting…' : 'Start practice'}
            </button>
          </li>
        ))}
      </ul>
      {error && <p className="result err" role="alert">✗ {error}</p>}
    </section>
  );
}
