// The facilitator console: the join code, who joined, the clock controls (halt is the big red
// one), injections, hints, broadcasts, and every team's progress side by side.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { TeamView } from '../../../server/engine/session/view.ts';
import type { FaultSpec, FaultKind } from '../../../server/engine/faults/schema.ts';
import type { CommandName } from '../../../server/protocol/messages.ts';
import { loadCreds } from '../lib/creds.ts';
import { liveFor, type LiveSession } from '../lib/live.ts';
import { useLive, useRequest } from '../lib/hooks.ts';
import { getScenario, getScores, getSession, hintsOf, type ScenarioInfo, type Scores, type SessionInfo } from '../lib/api.ts';
import { clock, errorText } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import { COMMAND_LABELS, FAULT_FIELDS } from '../lib/catalog.ts';
import { TopBar, PhaseBanner, haltReasonOf } from '../components/chrome.tsx';
import { ServiceMap } from '../components/service-map.tsx';
import { Timeline } from '../components/timeline.tsx';
import { ConfirmDialog, CopyButton, Panel, Result, Tabs, Toasts, toast } from '../components/ui.tsx';
import { nodeStates } from './team.tsx';
import { mergedAlerts } from '../components/alerts.tsx';
import { ReadinessPanel } from '../components/readiness-panel.tsx';

const SPEEDS = [0.25, 0.5, 1, 2, 5, 10, 30, 60];

export function FacilitatorPage({ id }: { id: string }) {
  const creds = loadCreds(id);
  const live = useMemo(() => (creds?.facilitatorToken ? liveFor(creds, 'facilitator') : undefined), [id]);
  if (!creds || !live) {
    return (
      <main className="narrow">
        <h1>This tab does not hold the facilitator's token for this game day</h1>
        <p>The facilitator console opens in the tab that created the game day. Participants join from the start page with the join code.</p>
        <p><Link to="/" className="button primary">Go to the start page</Link></p>
      </main>
    );
  }
  return <FacilitatorConsole id={id} live={live} token={creds.facilitatorToken!} joinCode={creds.joinCode} />;
}

/** Every team's view, polled (the facilitator's socket receives all teams' telemetry and events). */
function useTeamViews(live: LiveSession, teams: string[], rev: number, connected: boolean): Map<string, TeamView> {
  const [views, setViews] = useState(new Map<string, TeamView>());
  useEffect(() => {
    if (!connected || !teams.length) return;
    let stop = false;
    const load = () =>
      Promise.all(teams.map((t) => live.view(t).then((v) => [t, v] as const, () => null))).then((rows) => {
        if (!stop) setViews(new Map(rows.filter((r): r is readonly [string, TeamView] => r !== null)));
      });
    const first = setTimeout(load, 200);
    const every = setInterval(load, 3000);
    return () => {
      stop = true;
      clearTimeout(first);
      clearInterval(every);
    };
  }, [live, teams.join(','), connected, rev]);
  return views;
}

function FacilitatorConsole({ id, live, token, joinCode }: { id: string; live: LiveSession; token: string; joinCode?: string }) {
  const snap = useLive(live);
  const w = snap.welcome;
  const teams = w?.teams ?? [];
  // Team views change with events; refetch on every tenth event as well as on the timer.
  const views = useTeamViews(live, teams, Math.floor(snap.eventsRev / 10), snap.status === 'connected');
  const [info, setInfo] = useState<SessionInfo>();
  useEffect(() => {
    getSession(id, token).then(setInfo, () => undefined);
  }, [id, token]);
  const [scenario, setScenario] = useState<ScenarioInfo>();
  useEffect(() => {
    if (w?.scenario.id) getScenario(w.scenario.id, token).then(setScenario, () => undefined);
  }, [w?.scenario.id, token]);
  const [scores, setScores] = useState<Scores>();
  const [scoresError, setScoresError] = useState<string>();
  const loadScores = () =>
    getScores(id, token).then(
      (s) => {
        setScores(s);
        setScoresError(s ? undefined : 'scores are not available from this server');
      },
      (e: unknown) => setScoresError(errorText(e)),
    );
  useEffect(() => {
    if (snap.phase === 'lobby') return;
    void loadScores();
    const every = setInterval(loadScores, 10_000);
    return () => clearInterval(every);
    // Reloaded on every phase change too: when the game day ends, the final scores show at once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [snap.phase, id]);

  const code = joinCode ?? info?.joinCode;
  const joinUrl = code ? `${location.origin}/?code=${encodeURIComponent(code)}` : '';

  return (
    <div className="app facilitator">
      <TopBar snap={snap} title={<><strong>{w?.scenario.title ?? 'Connecting…'}</strong> <span className="muted">facilitator</span></>}>
        <a href="/editor" target="_blank" rel="noopener" className="button small" title="Opens the scenario editor in a new tab">Write a scenario</a>
        <Link to={`/debrief/${id}`} className="button small">Debrief</Link>
      </TopBar>
      <PhaseBanner snap={snap} debrief={`/debrief/${id}`} haltReason={snap.phase === 'halted' ? haltReasonOf(live.events) : undefined} lobbyText="Share the join code; start when every team has joined." />
      <main className="fac-grid">
        <Panel title="Join code" className="join-panel">
          <div className="join-code" aria-label={`join code ${code ?? 'unknown'}`}>{code ?? '—'}</div>
          <div className="row">
            {code && <CopyButton text={code} label="Copy code" />}
            {joinUrl && <CopyButton text={joinUrl} label="Copy join link" />}
          </div>
          <p className="muted small-text">Participants open <strong>{location.host}</strong>, choose “Join a game day”, and enter the code, their name and their team ({teams.join(', ') || '…'}).</p>
        </Panel>

        <Panel title="Controls" className="controls-panel">
          <Controls live={live} phase={snap.phase} speed={snap.speed} />
        </Panel>

        <Panel title={`Who joined (${snap.presence.length})`} className="presence-panel">
          {teams.map((t) => {
            const people = snap.presence.filter((p) => p.team === t);
            return (
              <div key={t} className="presence-team">
                <h3>{t} <span className="muted">({people.filter((p) => p.connected).length} online)</span></h3>
                {people.length ? (
                  <ul className="people">
                    {people.map((p) => (
                      <li key={p.id} className={p.connected ? 'online' : 'offline'}>
                        <span className="dot" aria-hidden="true" /> {p.name} <span className="muted">{p.role}</span>
                        <span className="sr-only">{p.connected ? 'online' : 'offline'}</span>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="empty">Nobody yet.</p>
                )}
              </div>
            );
          })}
        </Panel>

        {(snap.phase === 'lobby' || snap.phase === 'briefing') && <ReadinessPanel sessionId={id} token={token} />}

        <section className="teams-row" aria-label="Teams side by side">
          {teams.map((t) => (
            <TeamCard key={t} team={t} view={views.get(t)} live={live} rev={snap.telemetryRev} total={scores?.leaderboard.find((r) => r.team === t)?.total} scoresVisible={snap.scoresVisible} />
          ))}
        </section>

        <section className="panel fac-tools">
          <Tabs
            label="Facilitator tools"
            tabs={[
              { id: 'inject', label: 'Inject a fault', content: () => <InjectForm live={live} teams={teams} services={views.get(teams[0])?.services.map((s) => s.id) ?? []} /> },
              { id: 'hints', label: 'Hints', content: () => <HintsForm live={live} teams={teams} hints={hintsOf(scenario)} /> },
              { id: 'broadcast', label: 'Broadcast', content: () => <BroadcastForm live={live} teams={teams} /> },
              { id: 'timeline', label: 'Full timeline', content: () => <Timeline events={live.events} hide={['metrics']} /> },
              {
                id: 'scores',
                label: 'Scores',
                content: () => (
                  <div>
                    <p className="muted">Live scores from the event log so far{snap.scoresVisible ? ' (revealed to the teams)' : ' (teams do not see them until you reveal them)'}.</p>
                    <button type="button" onClick={() => void loadScores()}>Refresh scores</button>
                    {scoresError && <p className="result err">✗ {scoresError}</p>}
                    {scores && (
                      <table className="scores">
                        <thead><tr><th scope="col">Rank</th><th scope="col">Team</th><th scope="col">Total</th><th scope="col">Time to mitigate</th></tr></thead>
                        <tbody>
                          {scores.leaderboard.map((r) => (
                            <tr key={r.team}><td>{r.rank}</td><th scope="row">{r.team}</th><td><strong>{r.total}</strong></td><td>{r.ttmSeconds != null ? clock(r.ttmSeconds).slice(2) : '—'}</td></tr>
                          ))}
                        </tbody>
                      </table>
                    )}
                  </div>
                ),
              },
            ]}
          />
        </section>
      </main>
      <Toasts />
    </div>
  );
}

function Controls({ live, phase, speed }: { live: LiveSession; phase: string; speed: number }) {
  const req = useRequest();
  const [newSpeed, setNewSpeed] = useState(speed);
  const [confirm, setConfirm] = useState<'halt' | 'end'>();
  const [reason, setReason] = useState('');
  useEffect(() => setNewSpeed(speed), [speed]);
  const send = (command: CommandName, extra: { speed?: number; reason?: string } = {}) =>
    req.run(async () => {
      const o = await live.command({ command, ...extra });
      toast(COMMAND_LABELS[command], o);
      return o;
    });
  const over = phase === 'ended' || phase === 'halted';
  return (
    <div className="controls">
      <div className="row">
        {(phase === 'lobby' || phase === 'briefing') && <button type="button" className="primary" disabled={req.busy} onClick={() => send('start')}>▶ Start</button>}
        {phase === 'running' && <button type="button" disabled={req.busy} onClick={() => send('pause')}>❚❚ Pause</button>}
        {phase === 'paused' && <button type="button" className="primary" disabled={req.busy} onClick={() => send('resume')}>▶ Resume</button>}
        <label className="inline">
          Speed
          <select value={newSpeed} onChange={(e) => setNewSpeed(Number(e.target.value))}>
            {SPEEDS.map((s) => <option key={s} value={s}>×{s}</option>)}
          </select>
        </label>
        <button type="button" disabled={req.busy || over || newSpeed === speed} onClick={() => send('set-speed', { speed: newSpeed })}>Set speed</button>
        <button type="button" disabled={req.busy} onClick={() => send('reveal-scores')}>Reveal scores</button>
        <button type="button" disabled={req.busy || over} onClick={() => setConfirm('end')}>End…</button>
      </div>
      <button type="button" className="halt" disabled={req.busy || phase === 'halted' || phase === 'ended'} onClick={() => setConfirm('halt')}>
        ■ HALT
        <span className="halt-sub">stop every injection now</span>
      </button>
      <Result outcome={req.outcome} />
      <ConfirmDialog
        open={!!confirm}
        title={confirm === 'halt' ? 'Halt the game day now?' : 'End the game day?'}
        confirmLabel={confirm === 'halt' ? 'HALT' : 'End it'}
        onCancel={() => setConfirm(undefined)}
        onConfirm={() => {
          const c = confirm!;
          setConfirm(undefined);
          void send(c, reason.trim() ? { reason: reason.trim() } : {});
          setReason('');
        }}
      >
        <p>
          {confirm === 'halt'
            ? 'Every injected fault is cleared at once, the clock stops and teams see a HALTED banner. It cannot be resumed.'
            : 'The game day ends now; teams that have not resolved are scored as they are.'}
        </p>
        <label>
          Reason (shown to the teams)
          <input value={reason} maxLength={300} onChange={(e) => setReason(e.target.value)} placeholder={confirm === 'halt' ? 'real incident in progress' : 'time is up'} />
        </label>
      </ConfirmDialog>
    </div>
  );
}

function TeamCard({ team, view, live, rev, total, scoresVisible }: { team: string; view?: TeamView; live: LiveSession; rev: number; total?: number; scoresVisible: boolean }) {
  const series = live.telemetry.get(team);
  const alerts = mergedAlerts(view?.alerts, series, view?.t);
  const firing = alerts.filter((a) => a.state === 'firing');
  const unacked = firing.filter((a) => a.acknowledgedAt === null);
  const inc = view?.incident;
  const ended = live.events.find((e) => e.type === 'team.ended' && e.team === team);
  const state = nodeStates(view ? { t: view.t, services: view.services, alerts } : undefined, series);
  const [selected, setSelected] = useState<string>();
  void rev;
  return (
    <article className="team-card panel" aria-label={`Team ${team}`}>
      <header className="panel-head">
        <h2>{team}</h2>
        <span className={`pill ${ended ? 'ok' : firing.length ? 'firing' : 'muted'}`}>
          {ended && ended.type === 'team.ended' ? `finished: ${ended.outcome}` : inc?.resolvedAt != null ? 'resolved' : inc?.mitigatedClaimAt != null ? 'mitigated' : inc?.declaredAt != null ? 'responding' : firing.length ? 'alerts firing' : 'quiet'}
        </span>
        {total !== undefined && <span className="score" title={scoresVisible ? 'live score, revealed to the teams' : 'live score, hidden from the teams'}>{Math.round(total)}<small>/100</small></span>}
      </header>
      <dl className="stats">
        <div><dt>Alerts firing</dt><dd className={firing.length ? 'bad' : ''}>{firing.length}{unacked.length ? ` (${unacked.length} unacked)` : ''}</dd></div>
        <div><dt>Incident</dt><dd>{inc?.declaredAt != null ? `${inc.severity} at ${clock(inc.declaredAt)}` : '—'}</dd></div>
        <div><dt>Mitigated</dt><dd className={inc?.mitigatedClaimAt != null ? 'good' : ''}>{inc?.mitigatedClaimAt != null ? clock(inc.mitigatedClaimAt) : '—'}</dd></div>
        <div><dt>Resolved</dt><dd className={inc?.resolvedAt != null ? 'good' : ''}>{inc?.resolvedAt != null ? clock(inc.resolvedAt) : '—'}</dd></div>
        <div><dt>Updates</dt><dd>{inc?.updates.length ?? 0}</dd></div>
        <div><dt>Paged</dt><dd>{inc?.paged.map((p) => p.oncall).join(', ') || '—'}</dd></div>
      </dl>
      {view && <ServiceMap label={`Service map of team ${team}`} services={view.services} state={state} selected={selected} onSelect={setSelected} minScale={0.5} maxScale={0.9} />}
    </article>
  );
}

function InjectForm({ live, teams, services }: { live: LiveSession; teams: string[]; services: string[] }) {
  const req = useRequest();
  const kinds = Object.keys(FAULT_FIELDS) as FaultKind[];
  const [kind, setKind] = useState<FaultKind>('latency');
  const [service, setService] = useState('');
  const [team, setTeam] = useState('');
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [description, setDescription] = useState('');
  const [durationText, setDurationText] = useState('');
  const svc = service || services[0] || '';
  const fields = FAULT_FIELDS[kind];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const fault: Record<string, unknown> = { kind, id: `facilitator-${kind}-${Date.now().toString(36)}`, service: svc };
    for (const f of fields) {
      const v = values[f.name] ?? f.default;
      if (v === undefined || v === '') continue;
      if (f.type === 'number') fault[f.name] = Number(v);
      else if (f.type === 'boolean') fault[f.name] = Boolean(v);
      else if (f.type === 'list') fault[f.name] = String(v).split(',').map((x) => x.trim()).filter(Boolean);
      else fault[f.name] = String(v);
    }
    if (description.trim()) fault.description = description.trim();
    if (durationText.trim()) fault.duration = /^\d+$/.test(durationText.trim()) ? Number(durationText.trim()) : durationText.trim();
    void req.run(async () => {
      const o = await live.command({ command: 'inject', fault: fault as FaultSpec, ...(team ? { team } : {}) });
      toast(`Inject ${kind} on ${svc}`, o);
      return o;
    });
  };
  return (
    <form className="stack inject" onSubmit={submit}>
      <div className="row">
        <label>
          Fault
          <select value={kind} onChange={(e) => { setKind(e.target.value as FaultKind); setValues({}); }}>
            {kinds.map((k) => <option key={k}>{k}</option>)}
          </select>
        </label>
        <label>
          Service
          <select value={svc} onChange={(e) => setService(e.target.value)}>
            {services.map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Team
          <select value={team} onChange={(e) => setTeam(e.target.value)}>
            <option value="">every team</option>
            {teams.map((t) => <option key={t}>{t}</option>)}
          </select>
        </label>
        <label>
          Duration
          <input value={durationText} onChange={(e) => setDurationText(e.target.value)} placeholder="until fixed (e.g. 5m)" size={14} />
        </label>
      </div>
      {fields.length > 0 && (
        <div className="row">
          {fields.map((f) => (
            <label key={f.name} className={f.type === 'boolean' ? 'inline' : ''}>
              {f.type === 'boolean' ? (
                <><input type="checkbox" checked={Boolean(values[f.name] ?? f.default ?? false)} onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.checked }))} /> {f.label}</>
              ) : (
                <>
                  {f.label}
                  <input
                    type={f.type === 'number' ? 'number' : 'text'}
                    step="any"
                    required={f.required}
                    value={String(values[f.name] ?? f.default ?? '')}
                    onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
                  />
                </>
              )}
            </label>
          ))}
        </div>
      )}
      <label>
        Description (for the report)
        <input value={description} maxLength={500} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <button type="submit" className="warn" disabled={req.busy || !svc}>Inject</button>
      <Result outcome={req.outcome} />
    </form>
  );
}

function HintsForm({ live, teams, hints }: { live: LiveSession; teams: string[]; hints: { id: string; text: string; cost?: number }[] }) {
  const req = useRequest();
  const [hint, setHint] = useState('');
  const [team, setTeam] = useState('');
  const pick = hint || hints[0]?.id || '';
  const released = live.events.filter((e) => e.type === 'hint.released');
  return (
    <form className="stack" onSubmit={(e) => {
      e.preventDefault();
      void req.run(async () => {
        const o = await live.command({ command: 'release-hint', hint: pick, ...(team ? { team } : {}) });
        toast(`Release hint ${pick}`, o);
        return o;
      });
    }}>
      <div className="row">
        <label className="grow">
          Hint
          {hints.length ? (
            <select value={pick} onChange={(e) => setHint(e.target.value)}>
              {hints.map((h) => <option key={h.id} value={h.id}>{h.id}{h.cost !== undefined ? ` (−${h.cost})` : ''}{h.text ? ` — ${h.text.slice(0, 80)}` : ''}</option>)}
            </select>
          ) : (
            <input required value={hint} onChange={(e) => setHint(e.target.value)} placeholder="hint id from the scenario" />
          )}
        </label>
        <label>
          Team
          <select value={team} onChange={(e) => setTeam(e.target.value)}>
            <option value="">every team</option>
            {teams.map((t) => <option key={t}>{t}</option>)}
          </select>
        </label>
        <button type="submit" disabled={req.busy || !pick}>Release hint</button>
      </div>
      <p className="muted small-text">A hint costs the team the points the scenario sets.</p>
      <Result outcome={req.outcome} />
      {released.length > 0 && (
        <ul className="updates">{released.map((e) => e.type === 'hint.released' && <li key={e.seq}><time>{clock(e.t)}</time> <span className="team-tag">{e.team ?? 'all'}</span> {e.hint}: {e.text}</li>)}</ul>
      )}
    </form>
  );
}

function BroadcastForm({ live, teams }: { live: LiveSession; teams: string[] }) {
  const req = useRequest();
  const [text, setText] = useState('');
  const [team, setTeam] = useState('');
  return (
    <form className="stack" onSubmit={(e) => {
      e.preventDefault();
      void req.run(async () => {
        const o = await live.command({ command: 'message', text: text.trim(), ...(team ? { team } : {}) });
        toast('Broadcast', o);
        if (o.ok) setText('');
        return o;
      });
    }}>
      <label>
        Message
        <textarea required rows={3} maxLength={1000} value={text} onChange={(e) => setText(e.target.value)} placeholder="Customer support: checkout is failing for some users — any news?" />
      </label>
      <div className="row">
        <label>
          To
          <select value={team} onChange={(e) => setTeam(e.target.value)}>
            <option value="">every team</option>
            {teams.map((t) => <option key={t}>{t}</option>)}
          </select>
        </label>
        <button type="submit" className="primary" disabled={req.busy || !text.trim()}>Send</button>
      </div>
      <Result outcome={req.outcome} />
    </form>
  );
}
