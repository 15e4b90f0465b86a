// The programme of game days (/programme): the game days to come, each at its time in the
// viewer's zone and the schedule's; a form to schedule one (once or recurring, a scenario or a
// pick from a tag); and, for the schedules this browser created, their join links, the .ics
// invitation, the readiness checklist and the console once the lobby is open.
import { useCallback, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { listScenarios, type Scenario } from '../lib/api.ts';
import { saveCreds } from '../lib/creds.ts';
import { errorText } from '../lib/format.ts';
import { Link, navigate } from '../lib/router.tsx';
import {
  cancelSchedule, checkReadiness, createSchedule, downloadIcs, getSchedule, listSchedules, rememberSchedule, scheduleTokens, tickReadiness, viewerZone, when,
  type OccurrenceView, type ScheduleSummary, type ScheduleView,
} from '../lib/schedule-api.ts';
import './programme.css';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

/** Recurrence choices that fit a date: "weekly on Tuesday", "first Tuesday monthly", … */
export function recurrenceChoices(date: string): { value: string; label: string }[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return [];
  const [y, mo, d] = m.slice(1).map(Number);
  const weekday = WEEKDAYS[new Date(Date.UTC(y, mo - 1, d)).getUTCDay()];
  const nth = ORDINALS[Math.floor((d - 1) / 7)];
  const last = d + 7 > new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return [
    { value: `weekly on ${weekday}`, label: `Weekly on ${weekday}` },
    { value: `every 2 weeks on ${weekday}`, label: `Every 2 weeks on ${weekday}` },
    { value: `${nth} ${weekday} monthly`, label: `Monthly on the ${nth} ${weekday}` },
    ...(last ? [{ value: `last ${weekday} monthly`, label: `Monthly on the last ${weekday}` }] : []),
    { value: `monthly on day ${d}`, label: `Monthly on day ${d}` },
  ];
}

/** "blue: Ana, Bo; red: Cy" → { blue: ['Ana', 'Bo'], red: ['Cy'] }. */
export function parseStaffing(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const part of text.split(';')) {
    const [team, people = ''] = part.split(':');
    if (!team.trim()) continue;
    out[team.trim()] = people.split(',').map((p) => p.trim()).filter(Boolean);
  }
  return out;
}

function zones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];
  }
}

export function ProgrammePage() {
  const [scenarios, setScenarios] = useState<Scenario[]>();
  const [programme, setProgramme] = useState<ScheduleSummary[]>();
  const [mine, setMine] = useState<Record<string, ScheduleView>>({});
  const [selected, setSelected] = useState<string>();
  const [error, setError] = useState<string>();

  const refresh = useCallback(async () => {
    try {
      const list = await listSchedules();
      setProgramme(list);
      const tokens = scheduleTokens();
      const views = await Promise.all(list.filter((s) => tokens[s.id]).map((s) => getSchedule(s.id, tokens[s.id]).catch(() => undefined)));
      setMine(Object.fromEntries(views.filter((v): v is ScheduleView => !!v).map((v) => [v.id, v])));
    } catch (e) {
      setError(errorText(e));
    }
  }, []);

  useEffect(() => {
    listScenarios().then(setScenarios, (e: unknown) => setError(errorText(e)));
    void refresh();
    const timer = setInterval(() => void refresh(), 30_000);
    return () => clearInterval(timer);
  }, [refresh]);

  const created = (view: ScheduleView, token: string) => {
    rememberSchedule(view.id, token);
    setSelected(view.id);
    void refresh();
  };

  const open = selected ? mine[selected] : undefined;
  return (
    <div className="app programme">
      <header className="topbar">
        <Link to="/" className="brand" aria-label="firedrill home"><span className="logo" aria-hidden="true" />firedrill</Link>
        <div className="topbar-title"><h1 className="page-title">Programme of game days</h1></div>
        <div className="topbar-right muted small-text">your time zone: {viewerZone()}</div>
      </header>
      {error && <p className="result err" role="alert">✗ {error}</p>}
      <main className="programme-grid">
        <section className="panel" aria-labelledby="upcoming-h">
          <div className="panel-head"><h2 id="upcoming-h">Upcoming game days</h2></div>
          <div className="panel-body programme-list">
            {!programme && <p className="muted">Loading…</p>}
            {programme && !programme.length && <p className="empty">Nothing scheduled yet: schedule the first game day with the form.</p>}
            <ul>
              {programme?.map((s) => (
                <UpcomingRow key={s.id} s={s} view={mine[s.id]} selected={s.id === selected} onSelect={() => setSelected(s.id === selected ? undefined : s.id)} />
              ))}
            </ul>
          </div>
        </section>
        <div className="programme-side">
          {open ? <ScheduleDetail key={open.id} view={open} onChange={refresh} onClose={() => setSelected(undefined)} /> : <ScheduleForm scenarios={scenarios} onCreated={created} />}
        </div>
      </main>
    </div>
  );
}

function UpcomingRow({ s, view, selected, onSelect }: { s: ScheduleSummary; view?: ScheduleView; selected: boolean; onSelect: () => void }) {
  const mine = viewerZone();
  const next = view?.occurrences.find((o) => o.n === s.next?.n);
  return (
    <li className={`upcoming${selected ? ' selected' : ''}`}>
      <div className="upcoming-main">
        <strong>{s.title}</strong>
        {s.next ? (
          <p className="times">
            <time dateTime={s.next.startsAt}>{when(s.next.startsAt, mine)}</time> <span className="muted">your time</span>
            {mine !== s.timeZone && (
              <>
                {' · '}
                <span>{when(s.next.startsAt, s.timeZone)}</span> <span className="muted">{s.timeZone}</span>
              </>
            )}
          </p>
        ) : <p className="muted">no game day left</p>}
        <p className="muted small-text">
          {s.recurrence ? `repeats ${s.recurrence}` : 'once'} · {s.durationMinutes} min · teams {s.teams.join(', ')}
          {s.next?.status === 'opened' && <span className="pill pill-open">open now</span>}
          {next && <span className={`pill ${next.ready ? 'pill-ready' : ''}`}>{next.ready ? 'ready' : `${next.readiness.filter((i) => i.ok === true).length}/${next.readiness.length} ready`}</span>}
        </p>
      </div>
      {view && <button type="button" className="small" aria-expanded={selected} onClick={onSelect}>{selected ? 'Close' : 'Manage'}</button>}
    </li>
  );
}

function ScheduleForm({ scenarios, onCreated }: { scenarios?: Scenario[]; onCreated: (v: ScheduleView, token: string) => void }) {
  const tomorrow = new Date(Date.now() + 86_400_000);
  const [mode, setMode] = useState<'scenario' | 'tag'>('scenario');
  const [scenario, setScenario] = useState('');
  const [tag, setTag] = useState('');
  const [title, setTitle] = useState('');
  const [date, setDate] = useState(`${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`);
  const [time, setTime] = useState('10:00');
  const [zone, setZone] = useState(viewerZone());
  const [minutes, setMinutes] = useState(90);
  const [teams, setTeams] = useState('blue, red');
  const [staffing, setStaffing] = useState('');
  const [repeat, setRepeat] = useState('');
  const [custom, setCustom] = useState('');
  const [allowRepeats, setAllowRepeats] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [token, setToken] = useState<string>();
  const id = useId();
  const tags = useMemo(() => [...new Set((scenarios ?? []).flatMap((s) => s.tags))].sort(), [scenarios]);
  const pick = scenarios?.find((s) => s.id === scenario) ?? scenarios?.find((s) => !s.tags.includes('solo')) ?? scenarios?.[0];
  const pickTag = tag || tags.find((t) => t === 'two-teams') || tags[0] || '';
  const choices = recurrenceChoices(date);
  const allZones = useMemo(zones, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const names = teams.split(',').map((t) => t.trim()).filter(Boolean);
      const recurrence = repeat === 'custom' ? custom.trim() : repeat;
      const staff = parseStaffing(staffing);
      const r = await createSchedule({
        ...(title.trim() ? { title: title.trim() } : {}),
        ...(mode === 'scenario' ? { scenario: pick?.id } : { tag: pickTag }),
        start: `${date}T${time}`,
        timeZone: zone.trim(),
        durationMinutes: minutes,
        teams: names,
        ...(Object.keys(staff).length ? { staffing: staff } : {}),
        ...(recurrence ? { recurrence } : {}),
        ...(mode === 'tag' && recurrence ? { allowRepeats } : {}),
      });
      setToken(r.token);
      onCreated(r.schedule, r.token);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <div className="panel-head"><h2 id={`${id}-h`}>Schedule a game day</h2></div>
      <form className="panel-body stack schedule-form" onSubmit={submit}>
        <fieldset className="row mode">
          <legend className="sr-only">What to play</legend>
          <label className="inline"><input type="radio" name={`${id}-mode`} checked={mode === 'scenario'} onChange={() => setMode('scenario')} /> One scenario</label>
          <label className="inline"><input type="radio" name={`${id}-mode`} checked={mode === 'tag'} onChange={() => setMode('tag')} /> A random pick from a tag</label>
        </fieldset>
        {mode === 'scenario' ? (
          <label>
            Scenario
            <select value={pick?.id ?? ''} onChange={(e) => setScenario(e.target.value)} disabled={!scenarios}>
              {scenarios?.map((s) => <option key={s.id} value={s.id}>{s.title}</option>)}
            </select>
          </label>
        ) : (
          <label>
            Tag
            <select value={pickTag} onChange={(e) => setTag(e.target.value)}>
              {tags.map((t) => <option key={t} value={t}>#{t} ({scenarios?.filter((s) => s.tags.includes(t)).length} scenarios)</option>)}
            </select>
          </label>
        )}
        <label>
          Title (optional)
          <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={120} placeholder={mode === 'scenario' ? pick?.title : `Game day: #${pickTag}`} />
        </label>
        <div className="row">
          <label>Date<input type="date" required value={date} onChange={(e) => setDate(e.target.value)} /></label>
          <label>Time<input type="time" required value={time} onChange={(e) => setTime(e.target.value)} /></label>
          <label className="grow">
            Time zone
            <input required list={`${id}-zones`} value={zone} onChange={(e) => setZone(e.target.value)} />
            <datalist id={`${id}-zones`}>{allZones.map((z) => <option key={z} value={z} />)}</datalist>
          </label>
          <label>Minutes<input type="number" min={5} max={1440} required value={minutes} onChange={(e) => setMinutes(Number(e.target.value))} className="minutes" /></label>
        </div>
        <label>
          Teams (comma-separated)
          <input value={teams} onChange={(e) => setTeams(e.target.value)} required />
        </label>
        <label>
          Staffing (optional)
          <input value={staffing} onChange={(e) => setStaffing(e.target.value)} placeholder="blue: Ana, Bo; red: Cy" />
        </label>
        <div className="row">
          <label className="grow">
            Repeats
            <select value={repeat} onChange={(e) => setRepeat(e.target.value)}>
              <option value="">Does not repeat</option>
              {choices.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
              <option value="custom">Custom…</option>
            </select>
          </label>
          {repeat === 'custom' && (
            <label className="grow">Rule<input value={custom} onChange={(e) => setCustom(e.target.value)} placeholder="first Tuesday monthly" required /></label>
          )}
        </div>
        {mode === 'tag' && repeat && (
          <label className="inline"><input type="checkbox" checked={allowRepeats} onChange={(e) => setAllowRepeats(e.target.checked)} /> Allow repeats (by default each game day picks a scenario the teams have not played)</label>
        )}
        <button type="submit" className="primary" disabled={busy || !scenarios}>{busy ? 'Scheduling…' : 'Schedule game day'}</button>
        {error && <p className="result err" role="alert">✗ {error}</p>}
        {token && <p className="result ok">✓ Scheduled. This browser keeps its key; elsewhere, open it with the token <code>{token}</code>.</p>}
      </form>
    </section>
  );
}

function ScheduleDetail({ view, onChange, onClose }: { view: ScheduleView; onChange: () => void; onClose: () => void }) {
  const token = scheduleTokens()[view.id];
  const next = [...view.occurrences].reverse().find((o) => o.status === 'opened') ?? view.occurrences.find((o) => o.status === 'scheduled') ?? view.occurrences[view.occurrences.length - 1];
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);
  const past = view.occurrences.filter((o) => o !== next);
  const openConsole = (o: OccurrenceView) => {
    saveCreds({ sessionId: o.sessionId!, facilitatorToken: o.facilitatorToken, joinCode: o.joinCode });
    navigate(`/facilitate/${o.sessionId}`);
  };
  const cancel = async () => {
    if (!confirm(`Cancel “${view.title}”? Its next game day will not open.`)) return;
    try {
      await cancelSchedule(view.id, token);
      onClose();
      onChange();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section className="panel schedule-detail" aria-labelledby="detail-h">
      <div className="panel-head">
        <h2 id="detail-h">{view.title}</h2>
        <div className="panel-actions">
          <button type="button" className="small" onClick={() => downloadIcs(view.id, token, view.title).catch((e: unknown) => setError(errorText(e)))}>Download .ics</button>
          <button type="button" className="small" onClick={onClose}>Close</button>
        </div>
      </div>
      <div className="panel-body stack">
        <p className="muted small-text">
          {view.recurrence ? `Repeats ${view.recurrence}` : 'Once'} · {view.durationMinutes} min · {view.scenario ? `scenario ${view.scenario}` : `a pick from #${view.tag}${view.allowRepeats ? ' (repeats allowed)' : ''}`} · teams {view.teams.map((t) => `${t} (${view.staffing[t]?.join(', ') || 'nobody yet'})`).join(', ')}
        </p>
        {next && (
          <div className="card next-game-day">
            <h3>
              Game day #{next.n + 1}: {when(next.startsAt, viewerZone())} <span className="muted small-text">your time</span>
              <span className={`pill status-${next.status}`}>{next.status}</span>
            </h3>
            <p className="small-text">
              {view.timeZone}: {next.local.replace('T', ' ')} · scenario <strong>{next.scenario.title}</strong>
            </p>
            <p className="join-line">
              Join code <code className="code">{next.joinCode}</code>
              <button type="button" className="small" onClick={() => navigator.clipboard?.writeText(next.joinLink).then(() => setCopied(true), () => undefined)}>{copied ? 'Copied' : 'Copy join link'}</button>
              {next.status === 'opened' && next.sessionId && <button type="button" className="small primary" onClick={() => openConsole(next)}>Open console</button>}
            </p>
            {next.note && <p className="muted small-text">{next.note}</p>}
            <Checklist view={view} occurrence={next} token={token} onChange={onChange} />
          </div>
        )}
        {past.length > 0 && (
          <details>
            <summary>Other game days of this schedule ({past.length})</summary>
            <ul className="past">
              {past.map((o) => (
                <li key={o.n}>
                  #{o.n + 1} {when(o.startsAt, viewerZone())} — {o.scenario.title} — <span className={`pill status-${o.status}`}>{o.status}</span>
                  {o.note && <span className="muted small-text"> {o.note}</span>}
                  {o.sessionId && <> <Link to={`/debrief/${o.sessionId}`} onClick={() => saveCreds({ sessionId: o.sessionId!, facilitatorToken: o.facilitatorToken, joinCode: o.joinCode })}>debrief</Link></>}
                </li>
              ))}
            </ul>
          </details>
        )}
        {!view.cancelledAt && <p><button type="button" className="small warn" onClick={cancel}>Cancel this schedule</button></p>}
        {error && <p className="result err" role="alert">✗ {error}</p>}
      </div>
    </section>
  );
}

function Checklist({ view, occurrence, token, onChange }: { view: ScheduleView; occurrence: OccurrenceView; token: string; onChange: () => void }) {
  const [items, setItems] = useState(occurrence.readiness);
  const [by, setBy] = useState(() => localStorage.getItem('firedrill.checklist-name') ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => setItems(occurrence.readiness), [occurrence]);
  const check = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setItems((await checkReadiness(view.id, occurrence.n, token)).readiness);
      onChange();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const tick = async (item: string, done: boolean) => {
    if (!by.trim()) return setError('write your name first: a tick records who and when');
    setError(undefined);
    localStorage.setItem('firedrill.checklist-name', by.trim());
    try {
      setItems((await tickReadiness(view.id, occurrence.n, item, done, by.trim(), token)).readiness);
      onChange();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const ready = items.every((i) => i.ok === true);
  return (
    <div className="checklist">
      <div className="checklist-head">
        <h4>Readiness checklist {ready ? <span className="good">✓ ready</span> : <span className="muted">({items.filter((i) => i.ok === true).length} of {items.length})</span>}</h4>
        <button type="button" className="small" onClick={check} disabled={busy || occurrence.status !== 'scheduled'}>{busy ? 'Checking… (the bots play it)' : 'Check now'}</button>
        <label className="inline by">Your name <input value={by} onChange={(e) => setBy(e.target.value)} maxLength={80} /></label>
      </div>
      <ul>
        {items.map((i) => (
          <li key={i.id} className={`item ok-${String(i.ok)}`}>
            <span className="mark" aria-hidden="true">{i.ok === true ? '✓' : i.ok === false ? '✗' : '○'}</span>
            <div>
              {i.kind === 'manual' ? (
                <label className="inline">
                  <input type="checkbox" checked={i.ok === true} onChange={(e) => tick(i.id, e.target.checked)} /> {i.label}
                </label>
              ) : (
                <span>{i.label} <span className="muted small-text">(automatic)</span></span>
              )}
              {i.kind === 'manual' && i.ok && i.by && <span className="muted small-text"> — ticked by {i.by}{i.at ? `, ${when(i.at, viewerZone())}` : ''}</span>}
              {i.detail && <p className="muted small-text detail">{i.detail}</p>}
            </div>
          </li>
        ))}
      </ul>
      {error && <p className="result err" role="alert">✗ {error}</p>}
    </div>
  );
}
