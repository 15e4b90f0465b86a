// The REST API, route by route: status codes, bodies, content types, who may read what, how bad
// input is refused, and the operator's levers. Most tests drive a session on an injected clock
// through `app.inject`; the ones about the network (413 on a stream, halt-all reaching a socket,
// readiness during shutdown) use real listeners on port 0.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { io as ioClient, type Socket } from 'socket.io-client';
import { buildApp } from '../../server/http/app.ts';
import { readLibrary } from '../../server/library/fs.ts';
import { loadLibrary, type Library } from '../../server/engine/scenario/library.ts';
import { SessionManager, type LibraryView } from '../../server/live/manager.ts';
import type { SessionHost } from '../../server/live/host.ts';
import { createMemoryStore } from '../../server/store/memory.ts';
import { defaultServeOptions, startServer, type Running } from '../../server/serve.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import type { Welcome } from '../../server/protocol/events.ts';

const LIBRARY_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const ADMIN = 'admin-token-for-http-tests-0123456789';
const T0 = 1_700_000_000_000;

let library: Library;
beforeAll(async () => {
  library = await readLibrary(LIBRARY_DIR);
});

function viewOf(lib: Library): LibraryView {
  return { scenario: (id) => lib.scenarios.get(id)?.spec, workload: (id) => lib.workloads.get(id), runbooks: () => [...lib.runbooks.values()] };
}

interface Harness {
  app: FastifyInstance;
  manager: SessionManager;
  clock: { now: () => number; advance: (ms: number) => void };
  close(): Promise<void>;
}

/** An app on an injected clock: simulated time moves only when a test moves it. */
async function harness(options: { adminToken?: string | null; lib?: Library } = {}): Promise<Harness> {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const lib = options.lib ?? library;
  const manager = new SessionManager({ store: createMemoryStore(), library: viewOf(lib), now: clock.now });
  const app = await buildApp({
    manager,
    library: lib,
    libraryDir: LIBRARY_DIR,
    logger: false,
    adminToken: options.adminToken === null ? undefined : (options.adminToken ?? ADMIN),
    now: clock.now,
  });
  return { app, manager, clock, close: () => app.close() };
}

const json = (body: unknown, headers: Record<string, string> = {}) => ({ headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function create(h: Harness, body: object = { scenario: 'friday-deploy', seed: 7, teams: ['blue', 'red'] }) {
  const res = await h.app.inject({ method: 'POST', url: '/api/sessions', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  expect(res.statusCode).toBe(201);
  const created = res.json() as { id: string; joinCode: string; facilitatorToken: string };
  return { ...created, host: (await h.manager.get(created.id))! };
}

/** Starts the session and runs it to `seconds` of simulated time on the injected clock. */
async function runTo(h: Harness, host: SessionHost, seconds: number) {
  if (host.phase === 'lobby') expect((await host.command({ command: 'start' }, null)).result.ok).toBe(true);
  h.clock.advance(seconds * 1000 - host.session.t * 1000);
  await host.advance();
}

describe('scenarios and workloads', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('GET /api/scenarios lists the library, sorted by id, with duration in seconds', async () => {
    const res = await h.app.inject('/api/scenarios');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const { scenarios } = res.json();
    const ids = scenarios.map((s: { id: string }) => s.id);
    expect(ids).toEqual([...library.scenarios.keys()].sort());
    expect(ids).toEqual(expect.arrayContaining(['cache-stampede', 'config-push', 'expired-cert', 'friday-deploy', 'payments-provider-outage', 'slow-leak']));
    expect(scenarios.find((s: { id: string }) => s.id === 'friday-deploy')).toMatchObject({ duration: 2400, workload: 'shop', services: 14, difficulty: 'medium' });
  });

  it('GET /api/scenarios/:id shows the briefing but not the answer without a facilitator or admin token', async () => {
    const res = await h.app.inject('/api/scenarios/friday-deploy');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.access).toBe('public');
    expect(body.spec).toBeUndefined();
    expect(body.scenario).toMatchObject({ id: 'friday-deploy', duration: 2400, players: ['commerce'], hints: 2, workload: { id: 'shop', services: 14 } });
    expect(body.scenario.briefing).toContain('Friday, 16:40');
    // Neither the injected fault, nor the root cause, nor the traps leak.
    expect(res.body).not.toContain('orders-v2-14');
    expect(res.body).not.toContain('rootCause');
    expect(res.body).not.toContain('N+1 query (one extra query per order line). postgres-main gets busy, orders\u2019');
    expect(res.body).not.toContain('branches');
  });

  it('GET /api/scenarios/:id gives the whole spec to the admin and to a facilitator of that scenario only', async () => {
    const admin = await h.app.inject({ url: '/api/scenarios/friday-deploy', headers: bearer(ADMIN) });
    expect(admin.json().access).toBe('full');
    expect(admin.json().spec.rootCause.faults).toEqual(['orders-v2-14']);

    const friday = await create(h);
    const asFacilitator = await h.app.inject({ url: '/api/scenarios/friday-deploy', headers: bearer(friday.facilitatorToken) });
    expect(asFacilitator.json().access).toBe('full');
    expect(asFacilitator.json().spec.timeline[0].at).toBe('30s');
    const otherScenario = await h.app.inject({ url: '/api/scenarios/slow-leak', headers: bearer(friday.facilitatorToken) });
    expect(otherScenario.json().access).toBe('public');
  });

  it('GET /api/scenarios/:id answers 404 for an unknown scenario and 400 for a malformed id', async () => {
    const missing = await h.app.inject('/api/scenarios/no-such-thing');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'scenario/not-found', message: 'no scenario "no-such-thing"' });
    const bad = await h.app.inject('/api/scenarios/%2E%2E%2Fetc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('request/invalid');
  });

  it('GET /api/workloads/:id draws the service map: 14 services of shop with their dependencies and owners', async () => {
    const res = await h.app.inject('/api/workloads/shop');
    expect(res.statusCode).toBe(200);
    const w = res.json();
    expect(w.services).toHaveLength(14);
    const orders = w.services.find((s: { id: string }) => s.id === 'orders');
    expect(orders.team).toBe('commerce');
    expect(orders.dependencies.map((d: { service: string }) => d.service)).toContain('postgres-main');
    expect(w.teams.map((t: { id: string }) => t.id)).toContain('commerce');
    expect(w.zones).toEqual(['a', 'b', 'c']);
    const missing = await h.app.inject('/api/workloads/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('workload/not-found');
  });
});

describe('POST /api/scenarios/validate', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());
  const friday = () => readFileSync(new URL('../../scenarios/friday-deploy.scenario.yaml', import.meta.url), 'utf8');
  const validate = (body: object) => h.app.inject({ method: 'POST', url: '/api/scenarios/validate', ...json(body) });

  it('accepts a good scenario, resolving its workload and runbooks from the library', async () => {
    const res = await validate({ text: friday(), filename: 'friday-deploy.scenario.yaml' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, kind: 'scenario', id: 'friday-deploy', problems: [] });
  });

  it('names the file, line, column, field and code of a broken one', async () => {
    const lines = friday().split('\n');
    expect(lines[40]).toBe('      service: orders');
    lines[40] = '      service: ordrs';
    const res = await validate({ text: lines.join('\n'), filename: 'my.scenario.yaml' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.ok).toBe(false);
    expect(body.problems).toContainEqual({
      file: 'my.scenario.yaml',
      line: 41,
      column: 7,
      field: 'timeline[0].inject.service',
      code: 'ref/unknown-service',
      message: expect.stringContaining('unknown service "ordrs" (did you mean "orders"?)'),
    });
  });

  it('tells workloads and runbooks apart by name or by content', async () => {
    const workload = readFileSync(new URL('../../scenarios/workloads/shop.workload.yaml', import.meta.url), 'utf8');
    const runbook = readFileSync(new URL('../../scenarios/runbooks/orders-latency.md', import.meta.url), 'utf8');
    expect((await validate({ text: workload })).json()).toEqual({ ok: true, kind: 'workload', id: 'shop', problems: [] });
    expect((await validate({ text: runbook })).json()).toEqual({ ok: true, kind: 'runbook', id: 'orders-latency', problems: [] });
    const unknownField = await validate({ text: workload.replace('\nservices:', '\nservics: []\nservices:'), filename: 'shop.workload.yaml' });
    expect(unknownField.json().problems.map((p: { code: string; field: string }) => [p.code, p.field])).toContainEqual(['schema/unknown-field', 'servics']);
  });

  it('answers an alias bomb in under a second with yaml/alias-limit', async () => {
    const bomb = readFileSync(new URL('../fixtures/invalid/yaml-alias-limit.scenario.yaml', import.meta.url), 'utf8');
    const started = performance.now();
    const res = await validate({ text: bomb, filename: 'bomb.scenario.yaml' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(res.statusCode).toBe(200);
    expect(res.json().problems).toEqual([{ file: 'bomb.scenario.yaml', line: 1, column: 1, field: '', code: 'yaml/alias-limit', message: 'too many alias expansions (over 50); refused as an entity-expansion attack' }]);
  });

  it('refuses a text over 1 MiB as limits/too-large, and junk as a problem, quickly', async () => {
    const started = performance.now();
    const big = await validate({ text: 'a: "' + 'x'.repeat(1_500_000) + '"\n' });
    expect(big.statusCode).toBe(200);
    expect(big.json().problems.map((p: { code: string }) => p.code)).toEqual(['limits/too-large']);
    const junk = await validate({ text: '\u0000\u0001{{{[[[:::---\n\t\u00ff: !!binary ]]]', filename: 'junk.scenario.yaml' });
    expect(junk.statusCode).toBe(200);
    expect(junk.json().ok).toBe(false);
    expect(junk.json().problems[0].code).toMatch(/^yaml\//);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('refuses unknown fields and unsafe file names', async () => {
    const extra = await validate({ text: 'x: 1', mode: 'strict' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().code).toBe('request/invalid');
    const path = await validate({ text: 'x: 1', filename: '../../etc/passwd' });
    expect(path.statusCode).toBe(400);
    expect(path.json().details[0].field).toBe('body/filename');
  });
});

describe('request validation', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());
  const post = (payload: string, contentType = 'application/json') => h.app.inject({ method: 'POST', url: '/api/sessions', headers: { 'content-type': contentType }, payload });

  it('POST /api/sessions creates a game day: 201 with id, join code and facilitator token', async () => {
    const res = await post(JSON.stringify({ scenario: 'friday-deploy', teams: ['blue'], speed: 2 }));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['facilitatorToken', 'id', 'joinCode']);
    expect(body.joinCode).toMatch(/^[A-HJ-NP-Z2-9]{10}$/);
    expect(body.facilitatorToken).toHaveLength(32);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers bad JSON, unknown fields and wrong types with 400 request/invalid', async () => {
    const broken = await post('{"scenario":');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('request/invalid');
    expect(broken.json().message).toMatch(/^the body is not valid JSON/);
    const unknown = await post(JSON.stringify({ scenario: 'friday-deploy', teem: ['x'] }));
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toEqual({ code: 'request/invalid', message: 'body/teem: unknown field "teem"', details: [{ field: 'body/teem', message: 'unknown field "teem"' }] });
    const wrongType = await post(JSON.stringify({ scenario: 'friday-deploy', speed: '2' }));
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json()).toEqual({ code: 'request/invalid', message: 'body/speed: must be number', details: [{ field: 'body/speed', message: 'must be number' }] });
  });

  it('refuses __proto__ and constructor keys at any depth with 400 message/forbidden-key', async () => {
    for (const payload of ['{"scenario":"friday-deploy","__proto__":{"admin":true}}', '{"scenario":"friday-deploy","teams":[{"constructor":{"prototype":{"x":1}}}]}']) {
      const res = await post(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ code: 'message/forbidden-key', message: 'keys named __proto__, constructor or prototype are refused' });
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses bodies that are not JSON with 415, and unknown scenarios with 404', async () => {
    const text = await post('scenario=friday-deploy', 'application/x-www-form-urlencoded');
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe('request/unsupported-media-type');
    const missing = await post(JSON.stringify({ scenario: 'nope' }));
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'scenario/not-found', message: 'no scenario "nope"' });
  });

  it('refuses a body over 2 MiB with 413 message/too-large', async () => {
    const res = await post(JSON.stringify({ scenario: 'x'.repeat(3 * 1024 * 1024) }));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ code: 'message/too-large', message: 'the body is over the limit of 2097152 bytes' });
  });

  it('answers unknown routes with 404 not-found', async () => {
    const res = await h.app.inject('/api/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 'not-found', message: 'no route GET /api/nothing-here' });
  });
});

describe('a session over REST: state, events, scores, report', () => {
  let h: Harness;
  let s: Awaited<ReturnType<typeof create>>;
  let blue: { token: string; id: string };
  let red: { token: string };
  beforeAll(async () => {
    h = await harness();
    s = await create(h);
    const b = await h.manager.join(s.host, 'blue', 'Ana', 'incident-commander');
    const r = await h.manager.join(s.host, 'red', 'Bo', 'responder');
    if ('error' in b || 'error' in r) throw new Error('join failed');
    blue = b;
    red = r;
    await runTo(h, s.host, 40); // orders v2.14 is injected at 30 s
    await s.host.command({ command: 'message', text: 'Only for red: check the dashboards', team: 'red' }, null);
    await s.host.submitAction('blue', { action: 'declare', severity: 'SEV2', summary: 'checkout slow' }, 'declare-key-1');
  });
  afterAll(() => h.close());

  const get = (url: string, token?: string, headers: Record<string, string> = {}) => h.app.inject({ url, headers: { ...(token ? bearer(token) : {}), ...headers } });

  it('without a token: 401 auth/missing', async () => {
    for (const path of ['', '/events', '/score', '/report']) {
      const res = await get(`/api/sessions/${s.id}${path}`);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('auth/missing');
    }
  });

  it('a wrong token answers the same 404 whether the session exists or not', async () => {
    const existing = await get(`/api/sessions/${s.id}`, 'not-a-real-token-000000000000000');
    const missing = await get('/api/sessions/doesnotexist', 'not-a-real-token-000000000000000');
    expect(existing.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(existing.body).toBe(missing.body);
    expect(existing.json()).toEqual({ code: 'session/not-found', message: 'no such session' });
  });

  it('a participant of another session cannot read this one (same 404)', async () => {
    const other = await create(h, { scenario: 'slow-leak', teams: ['blue'] });
    const p = await h.manager.join(other.host, 'blue', 'Eve', 'responder');
    if ('error' in p) throw new Error('join failed');
    const res = await get(`/api/sessions/${s.id}/events`, p.token);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('session/not-found');
    const facilitatorOfOther = await get(`/api/sessions/${s.id}`, other.facilitatorToken);
    expect(facilitatorOfOther.statusCode).toBe(404);
  });

  it('GET /api/sessions/:id: the facilitator sees every team, the join code and live scores', async () => {
    const res = await get(`/api/sessions/${s.id}`, s.facilitatorToken);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const st = res.json();
    expect(st).toMatchObject({ id: s.id, you: { role: 'facilitator' }, joinCode: s.joinCode, phase: 'running', t: 40, speed: 1, scoresVisible: false, haltedAll: false, endedAt: null });
    expect(st.scenario).toEqual({ id: 'friday-deploy', title: 'Friday deploy — orders v2.14 exhausts its connection pool', difficulty: 'medium', duration: 2400, workload: 'shop' });
    expect(st.teams.map((t: { id: string }) => t.id)).toEqual(['blue', 'red']);
    expect(st.teams[0].participants).toEqual([{ id: blue.id, name: 'Ana', role: 'incident-commander', joinedAt: new Date(T0).toISOString() }]);
    expect(st.teams[0].score.rank).toBeGreaterThanOrEqual(1);
    expect(st.lastSeq).toBe(s.host.published);
    expect(res.body).not.toContain(s.facilitatorToken);
  });

  it('GET /api/sessions/:id: a participant sees their own team only, and no scores before they are revealed', async () => {
    const st = (await get(`/api/sessions/${s.id}`, blue.token)).json();
    expect(st.you).toEqual({ role: 'participant', id: blue.id, name: 'Ana', team: 'blue', teamRole: 'incident-commander' });
    expect(st.joinCode).toBeUndefined();
    expect(st.teams).toEqual([
      { id: 'blue', participants: [{ id: blue.id, name: 'Ana', role: 'incident-commander', joinedAt: new Date(T0).toISOString() }], mitigatedAt: null, ended: null },
      { id: 'red' },
    ]);
  });

  it('GET /events: the facilitator gets the whole log, a participant only what their team saw', async () => {
    const all = (await get(`/api/sessions/${s.id}/events?limit=5000`, s.facilitatorToken)).json();
    expect(all.events).toHaveLength(s.host.published);
    expect(all.events.filter((e: SessionEvent) => e.type === 'fault.injected').map((e: SessionEvent) => [e.team, e.t])).toEqual([['blue', 30], ['red', 30]]);
    expect(all).toMatchObject({ lastSeq: s.host.published, next: s.host.published, more: false });

    const mine = (await get(`/api/sessions/${s.id}/events?limit=5000`, blue.token)).json();
    const types = new Set(mine.events.map((e: SessionEvent) => e.type));
    expect(types.has('fault.injected')).toBe(false);
    expect(types.has('metrics')).toBe(false);
    expect(mine.events.every((e: SessionEvent) => e.team === undefined || e.team === 'blue')).toBe(true);
    expect(mine.events.some((e: SessionEvent) => e.type === 'action' && e.team === 'blue')).toBe(true);
    expect(JSON.stringify(mine.events)).not.toContain('Only for red');
    const theirs = (await get(`/api/sessions/${s.id}/events`, red.token)).json();
    expect(theirs.events.filter((e: SessionEvent) => e.type === 'message').map((e: { text?: string }) => e.text)).toEqual(['Only for red: check the dashboards']);
  });

  it('GET /events: a participant cannot ask for another team; the facilitator can filter by team', async () => {
    const res = await get(`/api/sessions/${s.id}/events?team=red`, blue.token);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ code: 'auth/forbidden', message: 'you can only read your own team\u2019s events' });
    const red = (await get(`/api/sessions/${s.id}/events?team=red&limit=5000`, s.facilitatorToken)).json();
    expect(red.events.every((e: SessionEvent) => e.team === undefined || e.team === 'red')).toBe(true);
    const unknown = await get(`/api/sessions/${s.id}/events?team=green`, s.facilitatorToken);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('auth/unknown-team');
  });

  it('GET /events pages with after/limit, and speaks NDJSON on request', async () => {
    const page = (await get(`/api/sessions/${s.id}/events?after=2&limit=3`, s.facilitatorToken)).json();
    expect(page.events.map((e: SessionEvent) => e.seq)).toEqual([3, 4, 5]);
    expect(page).toMatchObject({ next: 5, more: true });
    const nd = await get(`/api/sessions/${s.id}/events?after=2&limit=3`, s.facilitatorToken, { accept: 'application/x-ndjson' });
    expect(nd.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(nd.headers['x-firedrill-more']).toBe('true');
    const lines = nd.body.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(page.events);
    const bad = await get(`/api/sessions/${s.id}/events?limit=0`, s.facilitatorToken);
    expect(bad.statusCode).toBe(400);
  });

  it('scores and the report stay closed to participants until revealed; the facilitator has them all along', async () => {
    const hidden = await get(`/api/sessions/${s.id}/score`, blue.token);
    expect(hidden.statusCode).toBe(403);
    expect(hidden.json().code).toBe('scores/hidden');
    const report = await get(`/api/sessions/${s.id}/report`, blue.token);
    expect(report.statusCode).toBe(403);
    expect(report.json().code).toBe('report/not-available');

    const score = (await get(`/api/sessions/${s.id}/score`, s.facilitatorToken)).json();
    expect(score).toMatchObject({ visible: false, final: false });
    expect(score.teams.map((t: { team: string }) => t.team)).toEqual(['blue', 'red']);
    expect(score.leaderboard).toHaveLength(2);

    await s.host.command({ command: 'reveal-scores' }, null);
    const open = (await get(`/api/sessions/${s.id}/score`, blue.token)).json();
    expect(open.visible).toBe(true);
    expect(open.teams.map((t: { team: string }) => t.team)).toEqual(['blue']);
    expect(open.leaderboard.map((r: { team: string }) => r.team).sort()).toEqual(['blue', 'red']);
    const st = (await get(`/api/sessions/${s.id}`, blue.token)).json();
    expect(st.teams[1]).toEqual({ id: 'red', score: { total: open.leaderboard.find((r: { team: string }) => r.team === 'red').total, rank: expect.any(Number) } });
  });

  it('GET /report in Markdown, HTML (as a download) and JSON with the right content types', async () => {
    const md = await get(`/api/sessions/${s.id}/report?format=md`, s.facilitatorToken);
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(md.body).toMatch(/^# After-action review: Friday deploy/);
    expect(md.headers['content-disposition']).toBeUndefined();

    const html = await get(`/api/sessions/${s.id}/report?format=html&download=1`, s.facilitatorToken);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['content-disposition']).toBe(`attachment; filename="firedrill-friday-deploy-${s.id}.html"`);
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.body).toMatch(/^<!doctype html>/i);

    const js = await get(`/api/sessions/${s.id}/report?format=json`, s.facilitatorToken);
    expect(js.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(js.json()).toMatchObject({ version: 1, scenario: { id: 'friday-deploy' }, run: { teams: ['blue', 'red'] } });

    const bad = await get(`/api/sessions/${s.id}/report?format=pdf`, s.facilitatorToken);
    expect(bad.statusCode).toBe(400);
  });

  it('after the end, participants read the report', async () => {
    const later = await create(h, { scenario: 'friday-deploy', teams: ['blue'] });
    const p = await h.manager.join(later.host, 'blue', 'Cy', 'responder');
    if ('error' in p) throw new Error('join failed');
    await runTo(h, later.host, 10);
    expect((await later.host.command({ command: 'end', reason: 'debrief time' }, null)).result.ok).toBe(true);
    const res = await get(`/api/sessions/${later.id}/report?format=md`, p.token);
    expect(res.statusCode).toBe(200);
    const st = (await get(`/api/sessions/${later.id}`, p.token)).json();
    expect(st).toMatchObject({ phase: 'ended', outcome: 'unresolved', scoresVisible: true, endedAt: new Date(h.clock.now()).toISOString() });
  });
});

describe('GET /api/sessions (operator) and the admin routes', () => {
  it('lists sessions for the admin token only, without tokens or join codes', async () => {
    const h = await harness();
    const s = await create(h);
    const none = await h.app.inject('/api/sessions');
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('auth/missing');
    const wrong = await h.app.inject({ url: '/api/sessions', headers: bearer(s.facilitatorToken) });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('auth/not-admin');
    const res = await h.app.inject({ url: '/api/sessions?limit=10', headers: bearer(ADMIN) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      sessions: [{ id: s.id, scenario: 'friday-deploy', title: 'Friday deploy — orders v2.14 exhausts its connection pool', teams: ['blue', 'red'], phase: 'lobby', outcome: null, createdAt: new Date(T0).toISOString(), endedAt: null }],
      limit: 10,
      offset: 0,
    });
    expect(res.body).not.toContain(s.joinCode);
    expect(res.body).not.toContain(s.facilitatorToken);
    await h.close();
  });

  it('without an admin token configured, the operator routes answer 404 like unknown routes', async () => {
    const h = await harness({ adminToken: null });
    for (const [method, url] of [['GET', '/api/sessions'], ['GET', '/api/admin/status'], ['POST', '/api/admin/halt-all'], ['POST', '/api/admin/release']] as const) {
      const res = await h.app.inject({ method, url, headers: bearer(ADMIN) });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ code: 'not-found', message: `no route ${method} ${url}` });
    }
    await h.close();
  });

  it('admin routes: 401 without a token, 403 with a wrong one, before the body is even read', async () => {
    const h = await harness();
    const none = await h.app.inject({ method: 'POST', url: '/api/admin/halt-all', ...json({ reason: 'x' }) });
    expect(none.statusCode).toBe(401);
    const wrong = await h.app.inject({ method: 'POST', url: '/api/admin/halt-all', headers: { ...bearer('wrong-admin-token'), 'content-type': 'application/json' }, payload: '{not json' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('auth/not-admin');
    const badBody = await h.app.inject({ method: 'POST', url: '/api/admin/halt-all', ...json({ reason: '' }, bearer(ADMIN)) });
    expect(badBody.statusCode).toBe(400);
    const status = await h.app.inject({ url: '/api/admin/status', headers: bearer(ADMIN) });
    expect(status.json()).toEqual({ haltedAll: null, shuttingDown: false, store: 'memory', uptimeSeconds: 0, sessions: { loaded: 0, byPhase: {} } });
    await h.close();
  });

  it('rate-limits failed token lookups per address: after 10, even a right token waits (429), and it is counted', async () => {
    const h = await harness();
    const s = await create(h);
    for (let i = 0; i < 10; i++) {
      const res = await h.app.inject({ url: `/api/sessions/${s.id}`, headers: bearer(`guess-${i}-000000000000000000`) });
      expect(res.statusCode).toBe(404);
    }
    const blocked = await h.app.inject({ url: `/api/sessions/${s.id}`, headers: bearer(s.facilitatorToken) });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('auth/rate-limited');
    const otherAddress = await h.app.inject({ url: `/api/sessions/${s.id}`, headers: bearer(s.facilitatorToken), remoteAddress: '10.0.0.2' });
    expect(otherAddress.statusCode).toBe(200);
    h.clock.advance(6_000); // one more attempt every 6 s
    expect((await h.app.inject({ url: `/api/sessions/${s.id}`, headers: bearer(s.facilitatorToken) })).statusCode).toBe(200);
    const metrics = (await h.app.inject('/metrics')).body;
    expect(metrics).toContain('firedrill_http_auth_failures_total{kind="session-token"} 10');
    expect(metrics).toContain('firedrill_http_requests_total{method="GET",route="/api/sessions/:id",status="429"} 1');
    await h.close();
  });
});

describe('server errors', () => {
  it('a 500 says only `internal`: the cause goes to the log, never to the client', async () => {
    const store = createMemoryStore();
    store.listSessions = async () => {
      throw new Error('connection to postgres://admin:s3cret@db failed');
    };
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    const manager = new SessionManager({ store, library: viewOf(library) });
    const app = await buildApp({ manager, library, libraryDir: LIBRARY_DIR, logger, adminToken: ADMIN });
    const res = await app.inject({ url: '/api/sessions', headers: bearer(ADMIN) });
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe('{"code":"internal","message":"internal error"}');
    expect(lines.join('')).toContain('s3cret');
    await app.close();
  });
});

describe('real listeners', () => {
  let running: Running;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    running = await startServer({
      ...defaultServeOptions(LIBRARY_DIR),
      // The API's own home page, not the web client's (test/integration/static.test.ts has those).
      clientDir: undefined,
      port: 0,
      host: '127.0.0.1',
      store: createMemoryStore(),
      logger: pino({ level: 'silent' }),
      adminToken: ADMIN,
      allowedOrigins: [],
      stepMs: 20,
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await running.close();
  });

  const api = (path: string, init: RequestInit = {}) => fetch(running.url + path, init);
  // Response bodies in these tests are read as the loosely typed JSON they are.
  const body = async (res: Response | Promise<Response>): Promise<any> => (await res).json();
  const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    api(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  function join(code: string, team: string, name: string): Promise<{ socket: Socket; welcome: Welcome; events: SessionEvent[] }> {
    const socket = ioClient(running.url, { auth: { code, team, name }, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    const events: SessionEvent[] = [];
    socket.on('event', (e: SessionEvent) => events.push(e));
    return new Promise((resolve, reject) => {
      socket.once('welcome', (welcome: Welcome) => resolve({ socket, welcome, events }));
      socket.once('connect_error', reject);
    });
  }

  async function until<T>(what: string, f: () => T | undefined | false, ms = 5000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = f();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('a participant who joined over socket.io reads their session over REST with the welcome token', async () => {
    const created = await body(postJson('/api/sessions', { scenario: 'expired-cert', teams: ['blue', 'red'] }));
    const { welcome } = await join(created.joinCode, 'blue', 'Ana');
    expect(welcome.you.kind).toBe('participant');
    const token = welcome.you.kind === 'participant' ? welcome.you.token : '';
    const res = await api(`/api/sessions/${created.id}`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const st = await body(res);
    expect(st.you).toMatchObject({ role: 'participant', name: 'Ana', team: 'blue' });
    expect(st.teams[0].participants.map((p: { name: string }) => p.name)).toEqual(['Ana']);
  });

  it('halt-all over REST halts a running session: its faults clear at once and participants see it', async () => {
    const created = await body(postJson('/api/sessions', { scenario: 'friday-deploy', teams: ['blue'], speed: 60 }));
    const waiting = await body(postJson('/api/sessions', { scenario: 'slow-leak', teams: ['blue'] }));
    const { events } = await join(created.joinCode, 'blue', 'Ana');
    const host = (await running.manager.get(created.id))!;
    expect((await host.command({ command: 'start' }, null)).result.ok).toBe(true);
    await until('the fault to be injected', () => host.session.events.some((e) => e.type === 'fault.injected'));

    const started = Date.now();
    const res = await postJson('/api/admin/halt-all', { reason: 'production incident: stop the drill' }, bearer(ADMIN));
    expect(res.status).toBe(200);
    const halted = await body(res);
    expect(halted.halted).toBe(1);
    expect(halted.haltedAll.reason).toBe('production incident: stop the drill');
    expect(host.phase).toBe('halted');
    const tHalt = host.session.t;
    expect(host.session.events.filter((e) => e.type === 'fault.cleared').map((e) => [e.t, (e as { by: string }).by])).toEqual([[tHalt, 'halt']]);
    const phase = await until('the participant to see the halt', () => events.find((e) => e.type === 'session.phase' && e.phase === 'halted'));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(phase).toMatchObject({ reason: 'operator halt-all: production incident: stop the drill' });

    // Nothing starts while the halt holds; the status says so; release lets it start.
    const lobby = (await running.manager.get(waiting.id))!;
    expect((await lobby.command({ command: 'start' }, null)).result).toMatchObject({ ok: false, code: 'server/halted-all' });
    const status = await body(api('/api/admin/status', { headers: bearer(ADMIN) }));
    expect(status.haltedAll.reason).toBe('production incident: stop the drill');
    expect(status.sessions.byPhase.halted).toBe(1);
    const ready = await body(api('/readyz'));
    expect(ready.haltedAll.reason).toBe('production incident: stop the drill');
    const released = await body(api('/api/admin/release', { method: 'POST', headers: bearer(ADMIN) }));
    expect(released).toEqual({ released: true });
    expect((await lobby.command({ command: 'start' }, null)).result.ok).toBe(true);
  });

  it('cuts off a 10 MB upload with 413 before reading it all', async () => {
    const started = Date.now();
    const res = await postJson('/api/scenarios/validate', { text: 'x'.repeat(10 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect((await body(res)).code).toBe('message/too-large');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('GET / is a self-contained page: the scenarios, /docs, curl and socket.io, nothing external', async () => {
    const res = await api('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain('Friday deploy — orders v2.14 exhausts its connection pool');
    expect(html).toContain('<a href="/docs">');
    expect(html).toContain(`curl -s -X POST ${running.url}/api/sessions`);
    expect(html).toContain('io(&#39;' + running.url + '&#39;');
    expect(html).not.toMatch(/<script|src=|https?:\/\/(?!127\.0\.0\.1)/);
  });

  it('/metrics has the engine, socket and HTTP counters', async () => {
    const text = await (await api('/metrics')).text();
    expect((await api('/metrics')).headers.get('content-type')).toBe('text/plain; version=0.0.4');
    for (const name of ['firedrill_ticks_total', 'firedrill_actions_total', 'firedrill_event_log_writes_total', 'firedrill_telemetry_frames_total', 'firedrill_socket_messages_rejected_total', 'firedrill_action_latency_seconds_bucket', 'firedrill_sessions_running', 'firedrill_http_requests_total']) {
      expect(text).toContain(`# TYPE ${name.replace(/_bucket$/, '')} `);
    }
    expect(text).toMatch(/^firedrill_actions_total\{kind="halt",ok="true"\} 1$/m);
    expect(text).toMatch(/^firedrill_http_requests_total\{method="POST",route="\/api\/admin\/halt-all",status="200"\} 1$/m);
    expect(Number(/^firedrill_ticks_total (\d+)$/m.exec(text)![1])).toBeGreaterThanOrEqual(30);
  });

  it('the OpenAPI document at /docs/json lists every route with its tag', async () => {
    const doc = await body(api('/docs/json'));
    const routes = Object.entries(doc.paths as Record<string, Record<string, { tags: string[] }>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      [
        'GET /api/scenarios', 'GET /api/scenarios/{id}', 'GET /api/workloads/{id}', 'GET /api/runbooks/{id}', 'POST /api/scenarios/validate',
        'POST /api/scenarios/preview', 'POST /api/scenarios/dry-run', 'GET /api/scenarios/{id}/source',
        'POST /api/sessions', 'GET /api/sessions', 'GET /api/sessions/{id}', 'GET /api/sessions/{id}/events', 'GET /api/sessions/{id}/score', 'GET /api/sessions/{id}/report',
        'POST /api/admin/halt-all', 'POST /api/admin/release', 'GET /api/admin/status',
        'GET /api/sessions/{id}/lessons', 'POST /api/sessions/{id}/lessons', 'PATCH /api/sessions/{id}/lessons/{lessonId}', 'DELETE /api/sessions/{id}/lessons/{lessonId}',
        'GET /api/sessions/{id}/action-items', 'POST /api/sessions/{id}/action-items', 'PATCH /api/sessions/{id}/action-items/{itemId}', 'DELETE /api/sessions/{id}/action-items/{itemId}',
        'GET /api/action-items',
        'GET /api/history', 'GET /api/history/trends', 'GET /api/evidence',
        'POST /api/practice/history',
        'POST /api/schedules', 'GET /api/schedules', 'GET /api/schedules/{id}', 'DELETE /api/schedules/{id}', 'PUT /api/schedules/{id}/staffing', 'GET /api/schedules/{id}/calendar.ics',
        'GET /api/schedules/{id}/occurrences/{n}/readiness', 'PUT /api/schedules/{id}/occurrences/{n}/readiness/{item}', 'GET /api/join/{code}', 'GET /api/sessions/{id}/readiness',
        'GET /api/risks', 'GET /api/risks/{riskId}', 'POST /api/risks', 'PATCH /api/risks/{riskId}', 'DELETE /api/risks/{riskId}', 'GET /api/scenarios/{id}/export',
      ].sort(),
    );
    for (const ops of Object.values(doc.paths as Record<string, Record<string, { tags?: string[]; summary?: string }>>)) {
      for (const op of Object.values(ops)) {
        expect(op.tags?.length).toBeGreaterThan(0);
        expect(op.summary).toBeTruthy();
      }
    }
    expect(Object.keys(doc.paths['/api/sessions/{id}/report'].get.responses['200'].content).sort()).toEqual(['application/json', 'text/html', 'text/markdown']);
  });

  it('/readyz answers 503 while the server shuts down, and new sessions are refused', async () => {
    expect((await api('/readyz')).status).toBe(200);
    running.app.firedrill.shuttingDown = true;
    try {
      const res = await api('/readyz');
      expect(res.status).toBe(503);
      expect(await body(res)).toMatchObject({ ready: false, store: 'ok', shuttingDown: true });
      const create = await postJson('/api/sessions', { scenario: 'friday-deploy' });
      expect(create.status).toBe(503);
      expect((await body(create)).code).toBe('server/shutting-down');
    } finally {
      running.app.firedrill.shuttingDown = false;
    }
  });
});

describe('shutdown', () => {
  it('close() marks the app as shutting down before it stops listening', async () => {
    const running = await startServer({ ...defaultServeOptions(LIBRARY_DIR), port: 0, host: '127.0.0.1', store: createMemoryStore(), logger: pino({ level: 'silent' }) });
    const closing = running.close();
    expect(running.app.firedrill.shuttingDown).toBe(true);
    await closing;
  });
});

describe('GET / escapes what it shows', () => {
  it('a scenario title with markup comes out as text', async () => {
    const files = [
      { path: 'scenarios/workloads/shop.workload.yaml', text: readFileSync(new URL('../../scenarios/workloads/shop.workload.yaml', import.meta.url), 'utf8') },
      ...['orders-latency', 'db-connection-pool', 'postgres-saturation', 'payments-provider', 'edge-errors', 'cache-stampede'].map((id) => ({
        path: `scenarios/runbooks/${id}.md`,
        text: readFileSync(new URL(`../../scenarios/runbooks/${id}.md`, import.meta.url), 'utf8'),
      })),
      {
        path: 'scenarios/friday-deploy.scenario.yaml',
        text: readFileSync(new URL('../../scenarios/friday-deploy.scenario.yaml', import.meta.url), 'utf8').replace(/^title: .*$/m, 'title: "<img src=x onerror=alert(1)> & \'friends\'"'),
      },
    ];
    const lib = loadLibrary(files);
    expect([...lib.scenarios.keys()]).toEqual(['friday-deploy']);
    const h = await harness({ lib });
    const res = await h.app.inject({ url: '/', headers: { host: 'evil"><script>alert(1)</script>' } });
    expect(res.body).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &#39;friends&#39;');
    expect(res.body).not.toContain('<img');
    expect(res.body).not.toContain('<script');
    expect(res.body).toContain('http://localhost:3000/api/sessions');
    await h.close();
  });
});
