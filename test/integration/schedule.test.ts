// Scheduled game days against a real server with SQLite: REST create, list, .ics, readiness; and
// restarts — a server stopped before the start time, started again on the same data directory,
// opens the lobby at the start time by itself (time driven by an injected clock and timer), while
// game days whose window closed during the downtime are recorded as missed.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLocal, localAt } from '../../server/learning/schedule.ts';
import { LEADER_CHECK_MS, MAX_TIMER_MS } from '../../server/learning/scheduler.ts';
import { startTestServer, TestClient, type TestServer } from '../helpers/live.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const servers: TestServer[] = [];
const dirs: string[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A clock and a timer the test moves by hand: `fire()` runs what is due at the current time. */
function fakeTime(start: number) {
  const t = {
    now: start,
    timers: [] as { due: number; fn: () => void; ms: number; cleared: boolean }[],
    options: {
      now: () => t.now,
      setTimeout: (fn: () => void, ms: number) => {
        const timer = { due: t.now + ms, fn, ms, cleared: false };
        t.timers.push(timer);
        return timer;
      },
      clearTimeout: (h: unknown) => {
        (h as { cleared: boolean }).cleared = true;
      },
      // The real bots' dry run is exercised in the readiness test; elsewhere it is not asked for.
    },
    pending() {
      return t.timers.filter((x) => !x.cleared);
    },
    /** Moves the clock and fires the timers due by then, once. */
    advance(ms: number) {
      t.now += ms;
      for (const x of t.pending()) {
        if (x.due <= t.now) {
          x.cleared = true;
          x.fn();
        }
      }
    },
  };
  return t;
}

async function serve(dataDir: string, time: ReturnType<typeof fakeTime>): Promise<TestServer> {
  const s = await startTestServer({ dataDir, scheduler: time.options });
  servers.push(s);
  return s;
}

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'firedrill-schedule-'));
  dirs.push(d);
  return d;
}

/** Local `YYYY-MM-DDTHH:MM` in a zone for an instant, rounded down to the minute. */
const localOf = (ms: number, zone: string) => formatLocal(localAt(ms, zone));

/** Scenario ids of the library with a tag. */
async function tagged(srv: TestServer, tag: string): Promise<string[]> {
  const { scenarios } = (await srv.running.app.inject('/api/scenarios')).json() as { scenarios: { id: string; tags: string[] }[] };
  return scenarios.filter((s) => s.tags.includes(tag)).map((s) => s.id).sort();
}

async function json(srv: TestServer, method: string, url: string, body?: unknown, token?: string) {
  const res = await srv.running.app.inject({
    method: method as 'GET',
    url,
    ...(body !== undefined ? { payload: body as object } : {}),
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.statusCode, body: res.headers['content-type']?.toString().includes('json') ? res.json() : res.body, headers: res.headers };
}

describe('scheduled game days over REST', () => {
  it('creates a recurring schedule, lists it without secrets, answers its .ics and the join page', async () => {
    const t0 = Math.floor(Date.now() / MIN) * MIN;
    const time = fakeTime(t0);
    const srv = await serve(tmp(), time);
    const start = localOf(t0 + 3 * 24 * HOUR, 'America/New_York');
    const created = await json(srv, 'POST', '/api/schedules', {
      title: 'Checkout, payments; the monthly drill',
      tag: 'two-teams',
      start,
      timeZone: 'America/New_York',
      durationMinutes: 90,
      teams: ['blue', 'red'],
      staffing: { blue: ['Ana'] },
      recurrence: 'every 2 weeks on thursday',
    });
    expect(created.status).toBe(201);
    const { token, schedule } = created.body;
    expect(schedule).toMatchObject({ recurrence: 'every 2 weeks on Thursday', rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TH', timeZone: 'America/New_York', staffing: { blue: ['Ana'], red: [] } });
    expect(schedule.occurrences).toHaveLength(1);
    const first = schedule.occurrences[0];
    // The first Thursday on or after the start day, at the start's local time.
    expect(localAt(Date.parse(first.startsAt), 'America/New_York').hour).toBe(Number(start.slice(11, 13)));
    const [y, m, d] = first.local.slice(0, 10).split('-').map(Number);
    expect(new Date(Date.UTC(y, m - 1, d)).getUTCDay()).toBe(4);
    expect(first.local.slice(11)).toBe(start.slice(11));
    expect(await tagged(srv, 'two-teams')).toContain(first.scenario.id);
    expect(first).toMatchObject({ n: 0, status: 'scheduled', sessionId: null, joinLink: `http://localhost:80/?code=${first.joinCode}` });
    // The timer waits for it (capped below 2^31 ms).
    expect(time.pending()).toHaveLength(1);
    expect(time.pending()[0].ms).toBe(Date.parse(first.startsAt) - t0);
    expect(time.pending()[0].ms).toBeLessThan(MAX_TIMER_MS);

    // The programme: anyone, no scenario, join code or token.
    const list = await json(srv, 'GET', '/api/schedules');
    expect(list.body.schedules).toEqual([
      { id: schedule.id, title: 'Checkout, payments; the monthly drill', timeZone: 'America/New_York', durationMinutes: 90, teams: ['blue', 'red'], recurrence: 'every 2 weeks on Thursday', next: { n: 0, startsAt: first.startsAt, local: first.local, status: 'scheduled' } },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(first.joinCode);

    // The schedule itself needs its token; a wrong one answers like a missing schedule.
    expect((await json(srv, 'GET', `/api/schedules/${schedule.id}`)).status).toBe(401);
    expect((await json(srv, 'GET', `/api/schedules/${schedule.id}`, undefined, 'wrong-token')).body.code).toBe('schedule/not-found');
    expect((await json(srv, 'GET', `/api/schedules/${schedule.id}`, undefined, token)).body.occurrences[0].joinCode).toBe(first.joinCode);

    // The invitation.
    const ics = await json(srv, 'GET', `/api/schedules/${schedule.id}/calendar.ics`, undefined, token);
    expect(ics.status).toBe(200);
    expect(ics.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const text = ics.body as string;
    const unfolded = text.replace(/\r\n /g, '');
    expect(unfolded).toContain(`\r\nUID:${schedule.id}@localhost\r\n`);
    expect(unfolded).toContain(`\r\nDTSTART;TZID=America/New_York:${first.local.replace(/[-:]/g, '')}00\r\n`);
    expect(unfolded).toContain('\r\nDURATION:PT1H30M\r\n');
    expect(unfolded).toContain('\r\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH\r\n');
    expect(unfolded).toContain('\r\nSUMMARY:Checkout\\, payments\\; the monthly drill\r\n');
    expect(unfolded).toContain(`Join: http://localhost:80/?code=${first.joinCode}`);
    expect(unfolded).toContain('BEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n');
    expect(text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);

    // Before the opening, the join page says when it opens; joining over the socket is refused.
    const info = await json(srv, 'GET', `/api/join/${first.joinCode.toLowerCase()}`);
    expect(info.body).toEqual({ state: 'scheduled', title: 'Checkout, payments; the monthly drill', teams: ['blue', 'red'], opensAt: first.startsAt, local: first.local, timeZone: 'America/New_York', durationMinutes: 90, current: null });
    expect((await json(srv, 'GET', '/api/join/NOSUCHCODE')).body.code).toBe('auth/unknown-code');
    // A game day created directly is open from the start: the join page has nothing to wait for.
    const direct = (await json(srv, 'POST', '/api/sessions', { scenario: 'friday-deploy', teams: ['blue'] })).body;
    expect((await json(srv, 'GET', `/api/join/${direct.joinCode}`)).body).toMatchObject({ state: 'opened', teams: ['blue'], durationMinutes: 40, current: null });
  });

  it('refuses what cannot be scheduled, naming the problem', async () => {
    const time = fakeTime(Date.UTC(2026, 5, 1, 12));
    const srv = await serve(tmp(), time);
    const base = { scenario: 'friday-deploy', start: '2026-06-10T10:00', timeZone: 'Europe/London', durationMinutes: 60, teams: ['blue'] };
    const err = async (body: object) => (await json(srv, 'POST', '/api/schedules', body)).body;
    expect(await err({ ...base, timeZone: 'Europe/Atlantis' })).toMatchObject({ code: 'request/invalid', message: expect.stringContaining('unknown time zone "Europe/Atlantis"') });
    expect(await err({ ...base, recurrence: 'now and then' })).toMatchObject({ code: 'request/invalid', message: expect.stringContaining('cannot read the recurrence "now and then"') });
    expect(await err({ ...base, scenario: 'nope' })).toMatchObject({ code: 'scenario/not-found', message: 'no scenario "nope" in the library' });
    expect(await err({ ...base, scenario: undefined, tag: 'no-such-tag' })).toMatchObject({ code: 'scenario/not-found', message: 'no scenario of the library has the tag "no-such-tag"' });
    expect(await err({ ...base, tag: 'trap' })).toMatchObject({ code: 'request/invalid', message: expect.stringContaining('either `scenario`') });
    expect(await err({ ...base, start: '2026-05-01T10:00' })).toMatchObject({ code: 'request/invalid', message: 'the game day at 2026-05-01T10:00 Europe/London is over already: schedule it in the future' });
    expect(await err({ ...base, staffing: { green: ['Zoë'] } })).toMatchObject({ message: 'staffing names teams that are not in the game day: green (teams: blue)' });
    expect((await json(srv, 'GET', '/api/schedules')).body.schedules).toEqual([]);
  });

  // The dry run goes to the editor's worker thread: its first job starts the worker (slow on a busy machine).
  it('keeps a readiness checklist: automatic checks (validator, bots dry run, staffing, runbooks) and manual ticks with who and when', { timeout: 120_000 }, async () => {
    const t0 = Date.UTC(2026, 5, 1, 12);
    const time = fakeTime(t0);
    const srv = await serve(tmp(), time);
    const { token, schedule } = (await json(srv, 'POST', '/api/schedules', { scenario: 'friday-deploy', start: '2026-06-10T10:00', timeZone: 'Europe/London', durationMinutes: 60, teams: ['blue', 'red'], staffing: { blue: ['Ana'] } })).body;
    const url = `/api/schedules/${schedule.id}/occurrences/0/readiness`;
    const r1 = (await json(srv, 'GET', url, undefined, token)).body;
    type Item = { id: string; ok: boolean | null; detail?: string; by?: string; at?: string };
    const byId = (o: { readiness: Item[] }) => Object.fromEntries(o.readiness.map((i) => [i.id, i])) as Record<string, Item>;
    expect(byId(r1)['scenario-validated']).toMatchObject({ ok: true, detail: 'scenarios/friday-deploy.scenario.yaml: no problems' });
    // The real bots: perfect resolves and scores ≥ 90, idle scores ≤ 20.
    const dry = byId(r1)['dry-run'];
    expect(dry.ok).toBe(true);
    const [, perfect, idle] = /^perfect (\d+) \(resolved\), idle (\d+)$/.exec(dry.detail!)!.map(Number);
    expect(perfect).toBeGreaterThanOrEqual(90);
    expect(idle).toBeLessThanOrEqual(20);
    expect(byId(r1)['roles-staffed']).toMatchObject({ ok: false, detail: 'nobody assigned to red' });
    expect(byId(r1)['runbooks-linked'].ok).toBe(true);
    expect(byId(r1)['runbooks-linked'].detail).toMatch(/orders/);
    expect(byId(r1)['stop-conditions']).toMatchObject({ ok: null });
    expect(r1.ready).toBe(false);

    expect((await json(srv, 'PUT', `/api/schedules/${schedule.id}/staffing`, { staffing: { red: ['Bo', ' '] } }, token)).body.staffing).toEqual({ blue: ['Ana'], red: ['Bo'] });
    time.now = t0 + 5 * MIN;
    const tick = await json(srv, 'PUT', `${url}/observers-briefed`, { done: true, by: 'Zoë' }, token);
    expect(byId(tick.body)['observers-briefed']).toMatchObject({ ok: true, by: 'Zoë', at: new Date(t0 + 5 * MIN).toISOString() });
    await json(srv, 'PUT', `${url}/stop-conditions`, { done: true, by: 'Ana' }, token);
    expect((await json(srv, 'PUT', `${url}/dry-run`, { done: true, by: 'Ana' }, token)).body).toMatchObject({ code: 'request/invalid', message: expect.stringContaining('"dry-run" is not a manual item') });
    const r2 = (await json(srv, 'GET', url, undefined, token)).body;
    expect(byId(r2)['roles-staffed']).toMatchObject({ ok: true, detail: 'blue: Ana; red: Bo' });
    expect(r2.ready).toBe(true);
    // Unticking clears who and when.
    const untick = (await json(srv, 'PUT', `${url}/observers-briefed`, { done: false, by: 'Zoë' }, token)).body;
    expect(byId(untick)['observers-briefed']).toEqual({ id: 'observers-briefed', label: 'Observers briefed', kind: 'manual', ok: null });
    await json(srv, 'PUT', `${url}/observers-briefed`, { done: true, by: 'Cy' }, token);

    // At the start time the lobby opens and the checklist stays with the session.
    time.advance(Date.UTC(2026, 5, 10, 9) - time.now); // 10:00 BST
    await srv.running.scheduler.idle();
    const view = (await json(srv, 'GET', `/api/schedules/${schedule.id}`, undefined, token)).body;
    const occ = view.occurrences[0];
    expect(occ).toMatchObject({ status: 'opened', ready: true });
    const kept = (await json(srv, 'GET', `/api/sessions/${occ.sessionId}/readiness`, undefined, occ.facilitatorToken)).body;
    expect(kept).toMatchObject({ scheduled: true, schedule: { id: schedule.id }, n: 0, ready: true });
    // A game day created directly has no checklist: said plainly, not as an error.
    const direct = (await json(srv, 'POST', '/api/sessions', { scenario: 'friday-deploy', teams: ['blue'] })).body;
    expect((await json(srv, 'GET', `/api/sessions/${direct.id}/readiness`, undefined, direct.facilitatorToken))).toMatchObject({ status: 200, body: { scheduled: false } });
    expect(byId(kept)['observers-briefed']).toMatchObject({ ok: true, by: 'Cy' });
    expect(byId(kept)['dry-run'].detail).toBe(dry.detail);

    // The after-action report shows the checklist as it stood; a game day created directly has none.
    const passed = kept.readiness.filter((i: Item) => i.ok === true).length;
    expect(passed).toBeGreaterThanOrEqual(5);
    const md = (await json(srv, 'GET', `/api/sessions/${occ.sessionId}/report?format=md`, undefined, occ.facilitatorToken)).body as string;
    expect(md).toContain('## Readiness');
    expect(md).toContain(`${passed} of ${kept.readiness.length} checks passed before the game day.`);
    expect(md).toContain(`| Observers briefed | ✓ passed | ticked by Cy · ${byId(kept)['observers-briefed'].at!.slice(0, 16).replace('T', ' ')} UTC |`);
    expect(md).toContain(`| Dry run by bots: perfect scores at least 90, idle at most 20 | ✓ passed | ${dry.detail}`);
    const html = (await json(srv, 'GET', `/api/sessions/${occ.sessionId}/report?format=html`, undefined, occ.facilitatorToken)).body as string;
    expect(html).toContain('<a href="#readiness">Readiness</a>');
    expect(html).toContain('<td>Observers briefed</td><td><span class="status status-done">✓ passed</span></td><td>ticked by Cy · ');
    const asJson = (await json(srv, 'GET', `/api/sessions/${occ.sessionId}/report?format=json`, undefined, occ.facilitatorToken)).body;
    expect(asJson.readiness).toHaveLength(kept.readiness.length);
    expect(asJson.readiness.find((r: { label: string }) => r.label === 'Observers briefed')).toMatchObject({ kind: 'manual', ok: true, by: 'Cy' });
    const directMd = (await json(srv, 'GET', `/api/sessions/${direct.id}/report?format=md`, undefined, direct.facilitatorToken)).body as string;
    expect(directMd).not.toContain('## Readiness');
    expect((await json(srv, 'GET', `/api/sessions/${direct.id}/report?format=json`, undefined, direct.facilitatorToken)).body.readiness).toBeNull();
  });
});

describe('scenario rotation against the store', () => {
  it('a recurring tagged schedule picks a scenario its teams have not played, until all are played, then the oldest', async () => {
    // Near the real clock: the session created directly below is stamped by the manager's real clock.
    const t0 = Math.floor(Date.now() / MIN) * MIN;
    const time = fakeTime(t0);
    const srv = await serve(tmp(), time);
    const first = t0 + 24 * HOUR;
    const weekday = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][new Date(first).getUTCDay()];
    // blue already played friday-deploy (a game day created directly).
    const direct = await json(srv, 'POST', '/api/sessions', { scenario: 'friday-deploy', teams: ['blue', 'green'] });
    expect(direct.status).toBe(201);
    const { token, schedule } = (await json(srv, 'POST', '/api/schedules', { tag: 'two-teams', start: localOf(first, 'UTC'), timeZone: 'UTC', durationMinutes: 60, teams: ['blue', 'red'], recurrence: `weekly on ${weekday}` })).body;
    const candidates = await tagged(srv, 'two-teams');
    expect(candidates.length).toBeGreaterThanOrEqual(3);
    expect(candidates).toContain('friday-deploy');
    const picks: string[] = [];
    for (let week = 0; week <= candidates.length; week++) {
      time.advance(first + week * 7 * 24 * HOUR - time.now);
      await srv.running.scheduler.idle();
      const occ = (await json(srv, 'GET', `/api/schedules/${schedule.id}`, undefined, token)).body.occurrences;
      expect(occ[week].status).toBe('opened');
      picks.push(occ[week].scenario.id);
    }
    // Those not played first (in some order), then friday-deploy (every one has been played: blue
    // played it longest ago), then the one the schedule played first.
    const n = candidates.length;
    expect(new Set(picks.slice(0, n - 1))).toEqual(new Set(candidates.filter((c) => c !== 'friday-deploy')));
    expect(picks[n - 1]).toBe('friday-deploy');
    expect(picks[n]).toBe(picks[0]);
  });
});

describe('several nodes: only the scheduler leader opens lobbies', () => {
  it('two servers on one database: the follower opens nothing, and takes over within LEADER_CHECK_MS when it becomes leader', async () => {
    const dir = tmp();
    const t0 = Math.floor(Date.now() / MIN) * MIN;
    const startsAt = t0 + HOUR;
    const lead = { a: false, b: false };
    const ta = fakeTime(t0);
    const tb = fakeTime(t0);
    const a = await startTestServer({ dataDir: dir, scheduler: { ...ta.options, leader: async () => lead.a } });
    servers.push(a);
    const b = await startTestServer({ dataDir: dir, scheduler: { ...tb.options, leader: async () => lead.b } });
    servers.push(b);
    const { token, schedule } = (await json(a, 'POST', '/api/schedules', { scenario: 'friday-deploy', start: localOf(startsAt, 'UTC'), timeZone: 'UTC', durationMinutes: 60, teams: ['blue'] })).body;
    // Not leaders: each checks again at least every LEADER_CHECK_MS instead of sleeping until the start.
    await b.running.scheduler.reconcile();
    expect(Math.max(...tb.pending().map((x) => x.ms))).toBe(LEADER_CHECK_MS);

    // The start passes while nobody leads: nothing opens.
    for (const t of [ta, tb]) t.advance(HOUR);
    await a.running.scheduler.idle();
    await b.running.scheduler.idle();
    const status = async () => (await json(a, 'GET', `/api/schedules/${schedule.id}`, undefined, token)).body.occurrences[0];
    expect((await status()).status).toBe('scheduled');

    // b becomes leader (a's lease ran out, say): b opens it on its next check, once.
    lead.b = true;
    tb.advance(LEADER_CHECK_MS);
    await b.running.scheduler.idle();
    const opened = await status();
    expect(opened.status).toBe('opened');
    expect(b.running.manager.loaded().map((h) => h.id)).toContain(opened.sessionId);
    expect(a.running.manager.loaded().map((h) => h.id)).not.toContain(opened.sessionId);
    ta.advance(LEADER_CHECK_MS);
    await a.running.scheduler.idle();
    expect((await status()).sessionId).toBe(opened.sessionId);
  });
});

describe('scheduled game days across restarts (SQLite)', () => {
  it('a server restarted before the start time opens the lobby at the start time by itself', async () => {
    const dir = tmp();
    const t0 = Math.floor(Date.now() / MIN) * MIN;
    const startsAt = t0 + 2 * HOUR;
    const zone = 'Asia/Kolkata';
    const first = fakeTime(t0);
    const a = await serve(dir, first);
    const { token, schedule } = (await json(a, 'POST', '/api/schedules', { scenario: 'friday-deploy', start: localOf(startsAt, zone), timeZone: zone, durationMinutes: 60, teams: ['blue', 'red'] })).body;
    const occ = schedule.occurrences[0];
    expect(Date.parse(occ.startsAt)).toBe(startsAt);
    await a.close();

    // Back 30 minutes later, before the start: nothing opens at boot; one timer waits for the start.
    const second = fakeTime(t0 + 30 * MIN);
    const b = await serve(dir, second);
    expect(b.running.scheduler.wakeAt).toBe(startsAt);
    expect(second.pending().map((x) => x.ms)).toEqual([90 * MIN]);
    expect((await json(b, 'GET', `/api/join/${occ.joinCode}`)).body).toMatchObject({ state: 'scheduled', local: localOf(startsAt, zone) });
    expect((await b.running.app.inject({ method: 'GET', url: '/api/sessions', headers: { authorization: 'Bearer admin-token-for-tests-0123456789' } })).json().sessions).toEqual([]);

    second.advance(89 * MIN); // one minute early: nothing
    await b.running.scheduler.idle();
    expect((await json(b, 'GET', `/api/schedules/${schedule.id}`, undefined, token)).body.occurrences[0].status).toBe('scheduled');
    second.advance(MIN);
    await b.running.scheduler.idle();
    const opened = (await json(b, 'GET', `/api/schedules/${schedule.id}`, undefined, token)).body.occurrences[0];
    expect(opened).toMatchObject({ status: 'opened', joinCode: occ.joinCode, facilitatorToken: occ.facilitatorToken });
    expect((await json(b, 'GET', `/api/join/${occ.joinCode}`)).body.state).toBe('opened');

    // The lobby is live: the facilitator's token reads it, a participant joins with the code allocated two hours earlier.
    const state = (await json(b, 'GET', `/api/sessions/${opened.sessionId}`, undefined, occ.facilitatorToken)).body;
    expect(state).toMatchObject({ id: opened.sessionId, phase: 'lobby', joinCode: occ.joinCode, scenario: { id: 'friday-deploy' } });
    expect(state.teams.map((x: { id: string }) => x.id)).toEqual(['blue', 'red']);
    const blue = await TestClient.connect(b.url, { code: occ.joinCode, team: 'blue', name: 'Ana', role: 'incident-commander' });
    clients.push(blue);
    expect(blue.welcome.sessionId).toBe(opened.sessionId);
    // A single game day: nothing left to wait for.
    expect(b.running.scheduler.wakeAt).toBeNull();
  });

  it('at boot, opens a game day still within its window and records older ones as missed; a long wait is taken in steps below 2^31 ms', async () => {
    const dir = tmp();
    const t0 = Date.UTC(2026, 0, 5, 9); // Monday 5 January 2026, 09:00Z
    const a = await serve(dir, fakeTime(t0));
    const weekly = (await json(a, 'POST', '/api/schedules', { scenario: 'friday-deploy', start: '2026-01-06T10:00', timeZone: 'Europe/London', durationMinutes: 120, teams: ['blue'], recurrence: 'weekly on Tuesday' })).body;
    const once = (await json(a, 'POST', '/api/schedules', { scenario: 'slow-query', start: '2026-01-20T09:00', timeZone: 'Europe/London', durationMinutes: 60, teams: ['red'] })).body;
    const far = (await json(a, 'POST', '/api/schedules', { scenario: 'slow-query', start: '2026-12-01T09:00', timeZone: 'Europe/London', durationMinutes: 60, teams: ['green'] })).body;
    await a.close();

    // Down for two weeks: back on Tuesday 20 January at 11:00Z. The weekly game days of 6 and 13
    // January are missed; the one of 20 January (10:00–12:00) is still within its window; the
    // single game day of 09:00–10:00 that day closed an hour ago.
    const time = fakeTime(Date.UTC(2026, 0, 20, 11));
    const b = await serve(dir, time);
    const occ = async (s: { token: string; schedule: { id: string } }) => (await json(b, 'GET', `/api/schedules/${s.schedule.id}`, undefined, s.token)).body.occurrences;
    const w = await occ(weekly);
    expect(w.map((o: { n: number; status: string; local: string }) => [o.n, o.status, o.local])).toEqual([
      [0, 'missed', '2026-01-06T10:00'],
      [1, 'missed', '2026-01-13T10:00'],
      [2, 'opened', '2026-01-20T10:00'],
      [3, 'scheduled', '2026-01-27T10:00'],
    ]);
    expect(w[0].note).toBe('the server was not running between its start (2026-01-06T10:00:00.000Z) and the end of its window (2026-01-06T12:00:00.000Z)');
    expect((await json(b, 'GET', `/api/sessions/${w[2].sessionId}`, undefined, w[2].facilitatorToken)).body.phase).toBe('lobby');
    const o = await occ(once);
    expect(o.map((x: { status: string }) => x.status)).toEqual(['missed']);
    // An older weekly code points to the game day open now.
    expect((await json(b, 'GET', `/api/join/${w[0].joinCode}`)).body).toMatchObject({ state: 'missed', current: { joinCode: w[2].joinCode, state: 'opened' } });

    // Next: 27 January (a week); December's game day is more than 2^31 ms away, but the soonest wins.
    expect(b.running.scheduler.wakeAt).toBe(Date.UTC(2026, 0, 27, 10));
    await json(b, 'DELETE', `/api/schedules/${weekly.schedule.id}`, undefined, weekly.token);
    await b.running.scheduler.idle();
    expect((await occ(weekly))[3].status).toBe('cancelled');
    // Only the far one is left: the timer takes the wait in steps of 2^30 ms and re-arms.
    const farStart = (await occ(far))[0].startsAt;
    expect(b.running.scheduler.wakeAt).toBe(Date.parse(farStart));
    const step = time.pending();
    expect(step).toHaveLength(1);
    expect(step[0].ms).toBe(2 ** 30);
    time.advance(2 ** 30);
    await b.running.scheduler.idle();
    expect(time.pending().map((x) => x.ms)).toEqual([Math.min(2 ** 30, Date.parse(farStart) - time.now)]);
    expect((await occ(far))[0].status).toBe('scheduled');
  });
});
