// The learning loop end to end: sessions played through the live manager are recorded when they
// end (one row per team), a session whose recording failed is filled in on the first read, and
// the history, its CSV, the trends and the evidence report answer with the figures of those runs.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/http/app.ts';
import { readLibrary } from '../../server/library/fs.ts';
import type { Library } from '../../server/engine/scenario/library.ts';
import { SessionManager } from '../../server/live/manager.ts';
import type { SessionHost } from '../../server/live/host.ts';
import { createMemoryStore } from '../../server/store/memory.ts';
import type { Store } from '../../server/store/store.ts';
import { endedLog } from '../../server/learning/record.ts';
import type { HistoryPage, TrendsResponse } from '../../server/protocol/history.ts';

const LIBRARY_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const ADMIN = 'admin-token-for-history-tests-0123456789';
/** 2023-11-14T22:13:20Z. */
const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

let library: Library;
beforeAll(async () => {
  library = await readLibrary(LIBRARY_DIR);
});

interface Harness {
  app: FastifyInstance;
  manager: SessionManager;
  store: Store;
  clock: { now: () => number; advance: (ms: number) => void };
  errors: string[];
}

/** A memory store whose saves of results can be made to fail (a recording lost at the end). */
function flakyStore(): Store & { failSaves: boolean } {
  const inner = createMemoryStore();
  const flaky = Object.create(inner) as Store & { failSaves: boolean };
  flaky.failSaves = false;
  flaky.saveExerciseResults = async (id, rows) => {
    if (flaky.failSaves) throw new Error('disk full');
    return inner.saveExerciseResults(id, rows);
  };
  return flaky;
}

async function harness(adminToken: string | null = ADMIN, store: Store = createMemoryStore()): Promise<Harness> {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const errors: string[] = [];
  const view = { scenario: (id: string) => library.scenarios.get(id)?.spec, workload: (id: string) => library.workloads.get(id), runbooks: () => [...library.runbooks.values()] };
  const manager = new SessionManager({ store, library: view, now: clock.now, onError: (err, where) => errors.push(`${where}: ${(err as Error).message}`) });
  const app = await buildApp({ manager, library, libraryDir: LIBRARY_DIR, logger: false, adminToken: adminToken ?? undefined, now: clock.now });
  return { app, manager, store, clock, errors };
}

const get = (h: Harness, url: string, token: string | null = ADMIN) => h.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

async function create(h: Harness, scenario: string, teams: string[]) {
  const res = await h.app.inject({ method: 'POST', url: '/api/sessions', payload: { scenario, seed: 7, teams } });
  expect(res.statusCode).toBe(201);
  const created = res.json() as { id: string; facilitatorToken: string };
  return { ...created, host: (await h.manager.get(created.id))! };
}

async function join(h: Harness, host: SessionHost, team: string, name: string, role: string) {
  const p = await h.manager.join(host, team, name, role);
  if ('error' in p) throw new Error(p.error.message);
}

/** Runs the session's clock to `seconds` of simulated time (speed 1: wall time moves as much). */
async function runTo(h: Harness, host: SessionHost, seconds: number) {
  if (host.phase === 'lobby') expect((await host.command({ command: 'start' }, null)).result.ok).toBe(true);
  h.clock.advance(seconds * 1000 - host.session.t * 1000);
  await host.advance();
}

async function end(host: SessionHost) {
  expect((await host.command({ command: 'end', reason: 'debrief time' }, null)).result.ok).toBe(true);
  await host.idle();
}

describe('history of played sessions', () => {
  let h: Harness;
  let store: ReturnType<typeof flakyStore>;
  let gameDay: Awaited<ReturnType<typeof create>>;
  let drill: Awaited<ReturnType<typeof create>>;
  let lost: Awaited<ReturnType<typeof create>>;
  const gameDayEnd = T0 + 300_000;
  const drillEnd = T0 + 3 * DAY + 300_000 + 200_000;

  beforeAll(async () => {
    store = flakyStore();
    h = await harness(ADMIN, store);
    // A game day on 2023-11-14: blue (Ana, Ben) declares at T+2:00, 1:30 after the bad deploy at
    // T+0:30; red (Dan) does nothing. Ended by the facilitator at T+5:00.
    gameDay = await create(h, 'friday-deploy', ['blue', 'red']);
    await join(h, gameDay.host, 'blue', 'Ana', 'incident-commander');
    await join(h, gameDay.host, 'blue', 'Ben', 'responder');
    await join(h, gameDay.host, 'red', 'Dan', 'responder');
    await runTo(h, gameDay.host, 120);
    expect((await gameDay.host.submitAction('blue', { action: 'declare', severity: 'SEV2', summary: 'orders is slow, checkout failing', services: ['orders'], actor: 'Ana' }, null)).result.ok).toBe(true);
    await runTo(h, gameDay.host, 300);
    await end(gameDay.host);
    const item = await h.app.inject({
      method: 'POST', url: `/api/sessions/${gameDay.id}/action-items`, headers: { authorization: `Bearer ${gameDay.facilitatorToken}` },
      payload: { title: 'Check recent deploys first', owner: 'Ana', dueDate: '2023-11-20', status: 'in-progress' },
    });
    expect(item.statusCode).toBe(201);
    // Three days later, a practice drill: Cy alone on the solo scenario expired-cert, ended at T+3:20.
    h.clock.advance(3 * DAY);
    drill = await create(h, 'expired-cert', ['practice']);
    await join(h, drill.host, 'practice', 'Cy', 'incident-commander');
    await runTo(h, drill.host, 200);
    await end(drill.host);
    // The same day, a session whose recording at the end fails: the first read fills it in.
    store.failSaves = true;
    lost = await create(h, 'friday-deploy', ['green']);
    await runTo(h, lost.host, 60);
    await end(lost.host);
    store.failSaves = false;
  });
  afterAll(() => h.app.close());

  it('records each team when the session ends; a failed recording is reported and left for the backfill', async () => {
    expect(h.errors).toEqual([`recording the history of session ${lost.id}: disk full`]);
    expect((await store.listExerciseResults()).map((r) => [r.sessionId, r.team, r.kind, r.endedAt])).toEqual([
      [gameDay.id, 'blue', 'game-day', gameDayEnd],
      [gameDay.id, 'red', 'game-day', gameDayEnd],
      [drill.id, 'practice', 'practice', drillEnd],
    ]);
    expect(await store.listSessionsMissingResults()).toEqual([lost.id]);
  });

  it('lists every result for the operator, with people, times and the scores of the game', async () => {
    const res = await get(h, '/api/history');
    expect(res.statusCode).toBe(200);
    const page = res.json() as HistoryPage;
    // The read filled in the lost session.
    expect(await store.listSessionsMissingResults()).toEqual([]);
    expect(page.teams).toEqual(['blue', 'green', 'practice', 'red']);
    expect(page.results.map((r) => [r.team, r.kind, r.scenarioId, r.endedAt, r.participants.map((p) => `${p.name}/${p.role}`)])).toEqual([
      ['blue', 'game-day', 'friday-deploy', '2023-11-14T22:18:20.000Z', ['Ana/incident-commander', 'Ben/responder']],
      ['red', 'game-day', 'friday-deploy', '2023-11-14T22:18:20.000Z', ['Dan/responder']],
      ['practice', 'practice', 'expired-cert', '2023-11-17T22:21:40.000Z', ['Cy/incident-commander']],
      ['green', 'game-day', 'friday-deploy', '2023-11-17T22:22:40.000Z', []],
    ]);
    const blue = page.results[0];
    expect(blue.metrics.ttdSeconds).toBe(90);
    expect(blue.outcome).toBe('unresolved');
    expect(page.results[1].metrics).toMatchObject({ ttdSeconds: null, ttmSeconds: null, ttrSeconds: null });
    // The same scores as the game day's own scoreboard.
    const score = (await h.app.inject({ method: 'GET', url: `/api/sessions/${gameDay.id}/score`, headers: { authorization: `Bearer ${gameDay.facilitatorToken}` } })).json() as {
      teams: { team: string; total: number; dimensions: Record<string, { score: number }> }[];
    };
    for (const r of page.results.slice(0, 2)) {
      const s = score.teams.find((t) => t.team === r.team)!;
      expect(r.total).toBe(s.total);
      expect(r.dimensions).toEqual(Object.fromEntries(Object.entries(s.dimensions).map(([d, v]) => [d, v.score])));
    }
    expect(page.summary).toMatchObject({ exercises: 4, mttd: { meanSeconds: 90, n: 1 } });
  });

  it('filters by team, person, kind and days (inclusive)', async () => {
    const teams = async (q: string) => ((await get(h, `/api/history?${q}`)).json() as HistoryPage).results.map((r) => r.team);
    expect(await teams('team=blue')).toEqual(['blue']);
    expect(await teams('participant=Cy')).toEqual(['practice']);
    expect(await teams('kind=practice')).toEqual(['practice']);
    expect(await teams('to=2023-11-14')).toEqual(['blue', 'red']);
    expect(await teams('from=2023-11-15&to=2023-11-17')).toEqual(['practice', 'green']);
    expect(await teams('from=2023-11-18')).toEqual([]);
    const bad = await get(h, '/api/history?from=2023-02-30');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'request/invalid', message: 'querystring/from: "2023-02-30" is not a calendar day (YYYY-MM-DD)' });
    expect((await get(h, '/api/history?from=2023-11-18&to=2023-11-01')).json()).toMatchObject({ message: 'querystring/from: 2023-11-18 is after to (2023-11-01)' });
  });

  it('exports CSV with the same figures', async () => {
    const res = await get(h, '/api/history?format=csv&team=blue');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers['content-disposition']).toBe('attachment; filename="firedrill-history-blue.csv"');
    const [header, line, last, ...rest] = res.body.split('\r\n');
    expect(rest).toEqual([]);
    expect(last).toBe('');
    expect(header.split(',').slice(0, 9)).toEqual(['ended_at', 'team', 'kind', 'scenario_id', 'scenario_title', 'tags', 'participants', 'outcome', 'total']);
    const json = ((await get(h, '/api/history?team=blue')).json() as HistoryPage).results[0];
    const cells = line.split(',');
    expect(cells.slice(0, 3)).toEqual(['2023-11-14T22:18:20.000Z', 'blue', 'game-day']);
    expect(cells[6]).toBe('Ana (incident-commander); Ben (responder)');
    expect(Number(cells[8])).toBe(json.total);
    expect(cells[15]).toBe('90'); // ttd_s
    expect(cells[cells.length - 1]).toBe(gameDay.id);
  });

  it('gives trends against the baseline and the organisation, and the gaps in coverage', async () => {
    const res = await get(h, '/api/history/trends?team=blue');
    expect(res.statusCode).toBe(200);
    const t = res.json() as TrendsResponse;
    const blue = ((await get(h, '/api/history?team=blue')).json() as HistoryPage).results[0];
    const red = ((await get(h, '/api/history?team=red')).json() as HistoryPage).results[0];
    const green = ((await get(h, '/api/history?team=green')).json() as HistoryPage).results[0];
    expect(t).toMatchObject({ team: 'blue', gameDays: 1, practice: 0, periods: ['2023-11'] });
    expect(t.dimensions.total).toMatchObject({ baseline: blue.total, baselineRuns: 1, latest: blue.total, change: 0 });
    // November: blue, red and green each played one game day; the practice drill does not count.
    expect(t.dimensions.total.orgMedian).toEqual([{ period: '2023-11', value: [blue.total, red.total, green.total].sort((a, b) => a - b)[1] }]);
    expect(t.coverage.find((c) => c.id === 'bad-deploy')).toMatchObject({ runs: 1, lastDay: '2023-11-14', scenarios: expect.arrayContaining(['friday-deploy', 'slow-leak']) });
    expect(t.neverPractised).toContain('certificate-expiry');
    expect(t.neverPractised).not.toContain('connection-pool');
    const practice = (await get(h, '/api/history/trends?team=practice')).json() as TrendsResponse;
    expect(practice).toMatchObject({ gameDays: 0, practice: 1 });
    expect(practice.coverage.find((c) => c.id === 'certificate-expiry')).toMatchObject({ runs: 1, lastDay: '2023-11-17', scenarios: ['expired-cert'] });
    const none = await get(h, '/api/history/trends?team=purple');
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toBe('no recorded game day or drill for team "purple" (teams with results: blue, green, practice, red)');
  });

  it('writes the evidence report: who, what, when, how it went, and the action items with their status', async () => {
    const md = await get(h, '/api/evidence?format=md&from=2023-11-01&to=2023-11-30&download=true');
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(md.headers['content-disposition']).toBe('attachment; filename="firedrill-evidence-2023-11-01-2023-11-30.md"');
    const text = md.body;
    expect(text).toContain('Period: 2023-11-01 to 2023-11-30. Generated 2023-11-17T22:22:40.000Z.');
    expect(text).toContain('**4** exercise results (3 game days, 1 practice drill) by **4** teams, **4** people taking part; **1** action item raised, 0 done.');
    expect(text).toContain('## Team blue\n\nPeople: Ana, Ben.');
    expect(text).toContain('| Check recent deploys first | Ana | 2023-11-20 | in-progress | friday-deploy, 2023-11-14 |');
    expect(text).toContain('| 2023-11-17 | practice drill | ');
    const html = await get(h, '/api/evidence?team=blue');
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.body).toContain('<h2>Team blue</h2>');
    expect(html.body).not.toContain('Team red');
    expect(html.body).toContain('<td>Check recent deploys first</td><td>Ana</td><td>2023-11-20</td><td>in-progress</td>');
  });

  it('rebuilds the log of an ended session from its inputs when the stored log lacks the end', async () => {
    const record = (await store.getSession(gameDay.id))!;
    const full = await store.listEvents(gameDay.id);
    const cut = full.findIndex((e) => e.type === 'session.ended');
    await store.replaceEvents(gameDay.id, full.slice(0, cut - 3), T0);
    expect(await endedLog(store, record)).toEqual(full);
    await store.replaceEvents(gameDay.id, full, T0);
  });
});

describe('who may read the history', () => {
  it('is the operator\u2019s: 401 without a token, 403 with a facilitator\u2019s, 404 when the server has no admin token', async () => {
    const h = await harness();
    const s = await create(h, 'friday-deploy', ['blue']);
    for (const url of ['/api/history', '/api/history/trends?team=blue', '/api/evidence']) {
      expect((await get(h, url, null)).json()).toMatchObject({ code: 'auth/missing' });
      expect((await get(h, url, s.facilitatorToken)).statusCode).toBe(403);
    }
    await h.app.close();
    const open = await harness(null);
    expect((await get(open, '/api/history', 'anything')).statusCode).toBe(404);
    await open.app.close();
  });
});
