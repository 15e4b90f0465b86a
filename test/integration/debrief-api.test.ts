// The debrief over REST: lessons learned and action items per session (the facilitator writes,
// participants read once the report is open to them), the operator's list across sessions with
// the overdue flag, and the after-action report listing what was recorded instead of blank rows.
// Auth follows http.test.ts: 401 without a token, the same 404 for a wrong token as for a missing
// session, 403 for a participant asking for more than their role gives.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/http/app.ts';
import { readLibrary } from '../../server/library/fs.ts';
import type { Library } from '../../server/engine/scenario/library.ts';
import { SessionManager } from '../../server/live/manager.ts';
import type { SessionHost } from '../../server/live/host.ts';
import { createMemoryStore } from '../../server/store/memory.ts';
import { createSqliteStore } from '../../server/store/sqlite.ts';
import type { Store } from '../../server/store/store.ts';

const LIBRARY_DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const ADMIN = 'admin-token-for-debrief-tests-0123456789';
/** 2023-11-14T22:13:20Z: "today" in UTC is 2023-11-14. */
const T0 = 1_700_000_000_000;
const TODAY = '2023-11-14';
const DAY = 86_400_000;

let library: Library;
beforeAll(async () => {
  library = await readLibrary(LIBRARY_DIR);
});

interface Harness {
  app: FastifyInstance;
  manager: SessionManager;
  clock: { now: () => number; advance: (ms: number) => void };
  close(): Promise<void>;
}

async function harness(options: { adminToken?: string | null; store?: Store } = {}): Promise<Harness> {
  let now = T0;
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const view = { scenario: (id: string) => library.scenarios.get(id)?.spec, workload: (id: string) => library.workloads.get(id), runbooks: () => [...library.runbooks.values()] };
  const manager = new SessionManager({ store: options.store ?? createMemoryStore(), library: view, now: clock.now });
  const app = await buildApp({
    manager,
    library,
    libraryDir: LIBRARY_DIR,
    logger: false,
    adminToken: options.adminToken === null ? undefined : (options.adminToken ?? ADMIN),
    now: clock.now,
  });
  return { app, manager, clock, close: () => app.close() };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** `from` sets the client address: wrong tokens count against it (10 failures, then 429). */
function call(h: Harness, method: Method, url: string, token?: string, body?: unknown, from?: string) {
  return h.app.inject({
    method,
    url,
    ...(from ? { remoteAddress: from } : {}),
    headers: { ...(token ? bearer(token) : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
}

async function create(h: Harness, body: object = { scenario: 'friday-deploy', seed: 7, teams: ['blue', 'red'] }) {
  const res = await call(h, 'POST', '/api/sessions', undefined, body);
  expect(res.statusCode).toBe(201);
  const created = res.json() as { id: string; joinCode: string; facilitatorToken: string };
  return { ...created, host: (await h.manager.get(created.id))! };
}

async function join(h: Harness, host: SessionHost, team: string, name: string) {
  const p = await h.manager.join(host, team, name, 'responder');
  if ('error' in p) throw new Error(p.error.message);
  return p;
}

async function runTo(h: Harness, host: SessionHost, seconds: number) {
  if (host.phase === 'lobby') expect((await host.command({ command: 'start' }, null)).result.ok).toBe(true);
  h.clock.advance(seconds * 1000 - host.session.t * 1000);
  await host.advance();
}

describe('who may read and write lessons and action items', () => {
  let h: Harness;
  let s: Awaited<ReturnType<typeof create>>;
  let blue: { token: string };
  let other: Awaited<ReturnType<typeof create>>;
  let eve: { token: string };
  let lessonId: string;
  let itemId: string;
  beforeAll(async () => {
    h = await harness();
    s = await create(h);
    blue = await join(h, s.host, 'blue', 'Ana');
    other = await create(h, { scenario: 'slow-leak', teams: ['blue'] });
    eve = await join(h, other.host, 'blue', 'Eve');
    await runTo(h, s.host, 40);
    const l = await call(h, 'POST', `/api/sessions/${s.id}/lessons`, s.facilitatorToken, { text: 'The deploy marker came first' });
    expect(l.statusCode).toBe(201);
    lessonId = l.json().id;
    const a = await call(h, 'POST', `/api/sessions/${s.id}/action-items`, s.facilitatorToken, { title: 'Alert on pool saturation', owner: 'Ana' });
    expect(a.statusCode).toBe(201);
    itemId = a.json().id;
  });
  afterAll(() => h.close());

  const routes = (id: string): [Method, string, unknown?][] => [
    ['GET', `/api/sessions/${id}/lessons`],
    ['POST', `/api/sessions/${id}/lessons`, { text: 'x' }],
    ['PATCH', `/api/sessions/${id}/lessons/${lessonId}`, { text: 'y' }],
    ['DELETE', `/api/sessions/${id}/lessons/${lessonId}`],
    ['GET', `/api/sessions/${id}/action-items`],
    ['POST', `/api/sessions/${id}/action-items`, { title: 't', owner: 'o' }],
    ['PATCH', `/api/sessions/${id}/action-items/${itemId}`, { status: 'done' }],
    ['DELETE', `/api/sessions/${id}/action-items/${itemId}`],
  ];

  it('without a token: 401 auth/missing on every route', async () => {
    for (const [method, url, body] of routes(s.id)) {
      const res = await call(h, method, url, undefined, body);
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json().code).toBe('auth/missing');
    }
  });

  it('checks the token before the body: 401/404/403 come before any 400', async () => {
    const junk = { text: '', teem: 'x' };
    const url = `/api/sessions/${s.id}/lessons`;
    expect((await call(h, 'POST', url, undefined, junk)).statusCode).toBe(401);
    expect((await call(h, 'POST', url, 'not-a-real-token-000000000000000', junk, '192.0.2.50')).statusCode).toBe(404);
    expect((await call(h, 'POST', url, blue.token, junk)).json().code).toBe('auth/forbidden');
    expect((await call(h, 'PATCH', `/api/sessions/${s.id}/action-items/${itemId}`, blue.token, { status: 'closed' })).json().code).toBe('auth/forbidden');
    expect((await call(h, 'POST', url, s.facilitatorToken, junk)).statusCode).toBe(400);
  });

  it('a wrong token, a participant or the facilitator of another session: the same 404 as a missing session', async () => {
    for (const [i, token] of ['not-a-real-token-000000000000000', eve.token, other.facilitatorToken].entries()) {
      for (const [method, url, body] of routes(s.id)) {
        const res = await call(h, method, url, token, body, `192.0.2.${i + 1}`);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
        expect(res.json()).toEqual({ code: 'session/not-found', message: 'no such session' });
      }
    }
    const missing = await call(h, 'GET', '/api/sessions/doesnotexist/lessons', 'not-a-real-token-000000000000000', undefined, '192.0.2.9');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('session/not-found');
    // Nothing changed.
    const lessons = (await call(h, 'GET', `/api/sessions/${s.id}/lessons`, s.facilitatorToken)).json().lessons;
    expect(lessons.map((l: { text: string }) => l.text)).toEqual(['The deploy marker came first']);
  });

  it('a participant never writes (403 auth/forbidden), and reads once the report is open to them', async () => {
    for (const [method, url, body] of routes(s.id).filter(([m]) => m !== 'GET')) {
      const res = await call(h, method, url, blue.token, body);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toEqual({ code: 'auth/forbidden', message: 'only the facilitator records lessons and action items; participants read them' });
    }
    // While the game runs and scores are hidden, lessons could spoil it: closed like the report.
    for (const path of ['lessons', 'action-items']) {
      const res = await call(h, 'GET', `/api/sessions/${s.id}/${path}`, blue.token);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('report/not-available');
    }
    await s.host.command({ command: 'reveal-scores' }, null);
    const lessons = await call(h, 'GET', `/api/sessions/${s.id}/lessons`, blue.token);
    expect(lessons.statusCode).toBe(200);
    expect(lessons.headers['cache-control']).toBe('no-store');
    expect(lessons.json()).toEqual((await call(h, 'GET', `/api/sessions/${s.id}/lessons`, s.facilitatorToken)).json());
    const items = await call(h, 'GET', `/api/sessions/${s.id}/action-items`, blue.token);
    expect(items.statusCode).toBe(200);
    expect(items.json().actionItems.map((a: { id: string }) => a.id)).toEqual([itemId]);
    // Still read-only.
    expect((await call(h, 'POST', `/api/sessions/${s.id}/lessons`, blue.token, { text: 'mine' })).statusCode).toBe(403);
  });

  it('after the end, participants read them without a reveal', async () => {
    const later = await create(h, { scenario: 'friday-deploy', teams: ['blue'] });
    const cy = await join(h, later.host, 'blue', 'Cy');
    await call(h, 'POST', `/api/sessions/${later.id}/lessons`, later.facilitatorToken, { text: 'Declare sooner' });
    expect((await call(h, 'GET', `/api/sessions/${later.id}/lessons`, cy.token)).statusCode).toBe(403);
    await runTo(h, later.host, 10);
    expect((await later.host.command({ command: 'end', reason: 'debrief time' }, null)).result.ok).toBe(true);
    const res = await call(h, 'GET', `/api/sessions/${later.id}/lessons`, cy.token);
    expect(res.statusCode).toBe(200);
    expect(res.json().lessons.map((l: { text: string }) => l.text)).toEqual(['Declare sooner']);
  });
});

describe('lessons', () => {
  let h: Harness;
  let s: Awaited<ReturnType<typeof create>>;
  let other: Awaited<ReturnType<typeof create>>;
  beforeAll(async () => {
    h = await harness();
    s = await create(h);
    other = await create(h, { scenario: 'slow-leak', teams: ['blue'] });
  });
  afterAll(() => h.close());

  const url = () => `/api/sessions/${s.id}/lessons`;

  it('records lessons (trimmed, author optional) and lists them oldest first', async () => {
    const first = await call(h, 'POST', url(), s.facilitatorToken, { text: '  We looked at the deploy marker last — «next time first»  ', author: ' Ana ' });
    expect(first.statusCode).toBe(201);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.json()).toEqual({ id: expect.stringMatching(/^[A-Za-z0-9_-]{12}$/), sessionId: s.id, text: 'We looked at the deploy marker last — «next time first»', author: 'Ana', createdAt: new Date(T0).toISOString() });
    h.clock.advance(1000);
    const second = await call(h, 'POST', url(), s.facilitatorToken, { text: 'Page the database team earlier' });
    expect(second.json()).not.toHaveProperty('author');
    const list = await call(h, 'GET', url(), s.facilitatorToken);
    expect(list.statusCode).toBe(200);
    expect(list.json().lessons).toEqual([first.json(), second.json()]);
    expect((await call(h, 'GET', `/api/sessions/${other.id}/lessons`, other.facilitatorToken)).json()).toEqual({ lessons: [] });
  });

  it('refuses empty, blank, too long and unknown fields with 400 request/invalid', async () => {
    const bad: unknown[] = [
      {},
      { text: '' },
      { text: '   \n\t ' },
      { text: 'x'.repeat(2001) },
      { text: 'ok', author: 'a'.repeat(81) },
      { text: 'ok', author: '' },
      { text: 'ok', teem: 'red' },
      { text: 42 },
    ];
    for (const body of bad) {
      const res = await call(h, 'POST', url(), s.facilitatorToken, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.json().code).toBe('request/invalid');
    }
    const unknown = await call(h, 'POST', url(), s.facilitatorToken, { text: 'ok', teem: 'red' });
    expect(unknown.json().details).toEqual([{ field: 'body/teem', message: 'unknown field "teem"' }]);
    const proto = await h.app.inject({ method: 'POST', url: url(), headers: { ...bearer(s.facilitatorToken), 'content-type': 'application/json' }, payload: '{"text":"x","__proto__":{"a":1}}' });
    expect(proto.statusCode).toBe(400);
    expect(proto.json().code).toBe('message/forbidden-key');
    const notJson = await h.app.inject({ method: 'POST', url: url(), headers: { ...bearer(s.facilitatorToken), 'content-type': 'text/plain' }, payload: 'a lesson' });
    expect(notJson.statusCode).toBe(415);
    // Exactly 2000 characters is fine.
    expect((await call(h, 'POST', url(), s.facilitatorToken, { text: 'y'.repeat(2000) })).statusCode).toBe(201);
  });

  it('edits the text and the author (null removes it); an empty patch is refused', async () => {
    const id = (await call(h, 'POST', url(), s.facilitatorToken, { text: 'draft', author: 'Bo' })).json().id;
    const edited = await call(h, 'PATCH', `${url()}/${id}`, s.facilitatorToken, { text: ' Roll back before you debug ' });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ id, text: 'Roll back before you debug', author: 'Bo' });
    const noAuthor = await call(h, 'PATCH', `${url()}/${id}`, s.facilitatorToken, { author: null });
    expect(noAuthor.json()).not.toHaveProperty('author');
    expect(noAuthor.json().text).toBe('Roll back before you debug');
    const empty = await call(h, 'PATCH', `${url()}/${id}`, s.facilitatorToken, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('request/invalid');
    const listed = (await call(h, 'GET', url(), s.facilitatorToken)).json().lessons;
    expect(listed.find((l: { id: string }) => l.id === id)).toEqual(noAuthor.json());
  });

  it('answers 404 lesson/not-found for an unknown lesson, or one of another session', async () => {
    const theirs = (await call(h, 'POST', `/api/sessions/${other.id}/lessons`, other.facilitatorToken, { text: 'theirs' })).json().id;
    for (const id of ['nope', theirs]) {
      const patch = await call(h, 'PATCH', `${url()}/${id}`, s.facilitatorToken, { text: 'hijacked' });
      expect(patch.statusCode).toBe(404);
      expect(patch.json()).toEqual({ code: 'lesson/not-found', message: `no lesson "${id}" in this game day` });
      const del = await call(h, 'DELETE', `${url()}/${id}`, s.facilitatorToken);
      expect(del.statusCode).toBe(404);
      expect(del.json().code).toBe('lesson/not-found');
    }
    expect((await call(h, 'GET', `/api/sessions/${other.id}/lessons`, other.facilitatorToken)).json().lessons[0].text).toBe('theirs');
    const badId = await call(h, 'PATCH', `${url()}/..%2Fx`, s.facilitatorToken, { text: 'x' });
    expect(badId.statusCode).toBe(400);
  });

  it('deletes a lesson: 204 with no body, then 404', async () => {
    const id = (await call(h, 'POST', url(), s.facilitatorToken, { text: 'to delete' })).json().id;
    const del = await call(h, 'DELETE', `${url()}/${id}`, s.facilitatorToken);
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expect((await call(h, 'DELETE', `${url()}/${id}`, s.facilitatorToken)).statusCode).toBe(404);
    expect((await call(h, 'GET', url(), s.facilitatorToken)).json().lessons.map((l: { id: string }) => l.id)).not.toContain(id);
  });
});

describe('action items', () => {
  let h: Harness;
  let s: Awaited<ReturnType<typeof create>>;
  beforeAll(async () => {
    h = await harness();
    s = await create(h);
  });
  afterAll(() => h.close());

  const url = () => `/api/sessions/${s.id}/action-items`;

  it('records an item with status open by default, and the overdue flag against today in UTC', async () => {
    const res = await call(h, 'POST', url(), s.facilitatorToken, { title: ' Alert on pool saturation ', owner: 'Ana', dueDate: '2023-11-13', link: 'https://tickets.example/OPS-12' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(String),
      sessionId: s.id,
      title: 'Alert on pool saturation',
      owner: 'Ana',
      dueDate: '2023-11-13',
      link: 'https://tickets.example/OPS-12',
      status: 'open',
      overdue: true,
      createdAt: new Date(T0).toISOString(),
      updatedAt: new Date(T0).toISOString(),
    });
    const dueToday = await call(h, 'POST', url(), s.facilitatorToken, { title: 'Rehearse a rollback', owner: 'Bo', dueDate: TODAY, status: 'in-progress' });
    expect(dueToday.json()).toMatchObject({ status: 'in-progress', overdue: false });
    const undated = await call(h, 'POST', url(), s.facilitatorToken, { title: 'Write the runbook', owner: 'Cy' });
    expect(undated.json()).toMatchObject({ status: 'open', overdue: false });
    expect(undated.json()).not.toHaveProperty('dueDate');
    expect(undated.json()).not.toHaveProperty('link');

    const list = (await call(h, 'GET', url(), s.facilitatorToken)).json();
    expect(list.today).toBe(TODAY);
    expect(list.actionItems.map((a: { title: string; overdue: boolean }) => [a.title, a.overdue])).toEqual([
      ['Alert on pool saturation', true],
      ['Rehearse a rollback', false],
      ['Write the runbook', false],
    ]);
    // A day later, the item due "today" is overdue too.
    h.clock.advance(DAY);
    const later = (await call(h, 'GET', url(), s.facilitatorToken)).json();
    expect(later.today).toBe('2023-11-15');
    expect(later.actionItems.map((a: { overdue: boolean }) => a.overdue)).toEqual([true, true, false]);
  });

  it('validates title, owner, due date, link and status', async () => {
    const ok = { title: 'Fix it', owner: 'Ana' };
    const bad: [object, string][] = [
      [{ owner: 'Ana' }, 'body'],
      [{ title: 'Fix it' }, 'body'],
      [{ ...ok, title: 't'.repeat(201) }, 'body/title'],
      [{ ...ok, title: '  ' }, 'body/title'],
      [{ ...ok, owner: 'o'.repeat(81) }, 'body/owner'],
      [{ ...ok, dueDate: '31/01/2026' }, 'body/dueDate'],
      [{ ...ok, dueDate: '2026-02-30' }, 'body/dueDate'],
      [{ ...ok, dueDate: '2026-01-31T10:00:00Z' }, 'body/dueDate'],
      [{ ...ok, link: 'ftp://files.example/x' }, 'body/link'],
      [{ ...ok, link: 'javascript:alert(1)' }, 'body/link'],
      [{ ...ok, link: 'https://' }, 'body/link'],
      [{ ...ok, link: 'https://exa mple.com' }, 'body/link'],
      [{ ...ok, link: `https://example.com/${'a'.repeat(481)}` }, 'body/link'],
      [{ ...ok, status: 'closed' }, 'body/status'],
    ];
    for (const [body, field] of bad) {
      const res = await call(h, 'POST', url(), s.facilitatorToken, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json().code).toBe('request/invalid');
      expect(res.json().details.map((d: { field: string }) => d.field), JSON.stringify(body).slice(0, 80)).toContain(field);
    }
    const leap = await call(h, 'POST', url(), s.facilitatorToken, { ...ok, dueDate: '2028-02-29', link: `HTTP://example.com/${'a'.repeat(480)}` });
    expect(leap.statusCode).toBe(201);
  });

  it('edits fields and the status; null removes the due date and the link; updatedAt moves', async () => {
    const made = (await call(h, 'POST', url(), s.facilitatorToken, { title: 'Tune the pool', owner: 'Ana', dueDate: '2023-11-01', link: 'http://wiki.example/pool' })).json();
    expect(made.overdue).toBe(true);
    h.clock.advance(5000);
    const done = await call(h, 'PATCH', `${url()}/${made.id}`, s.facilitatorToken, { status: 'done', owner: 'Bo' });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ status: 'done', owner: 'Bo', overdue: false, dueDate: '2023-11-01', createdAt: made.createdAt, updatedAt: new Date(h.clock.now()).toISOString() });
    const cleared = await call(h, 'PATCH', `${url()}/${made.id}`, s.facilitatorToken, { dueDate: null, link: null, status: 'in-progress' });
    expect(cleared.json()).not.toHaveProperty('dueDate');
    expect(cleared.json()).not.toHaveProperty('link');
    expect(cleared.json()).toMatchObject({ status: 'in-progress', overdue: false });
    for (const body of [{}, { status: 'closed' }, { dueDate: '2026-02-30' }, { link: 'mailto:x@example.com' }, { title: '' }, { id: 'x' }]) {
      const res = await call(h, 'PATCH', `${url()}/${made.id}`, s.facilitatorToken, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('request/invalid');
    }
    const unknown = await call(h, 'PATCH', `${url()}/nope`, s.facilitatorToken, { status: 'done' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ code: 'action-item/not-found', message: 'no action item "nope" in this game day' });
  });

  it('deletes an item: 204, then 404 action-item/not-found', async () => {
    const id = (await call(h, 'POST', url(), s.facilitatorToken, { title: 'Temporary', owner: 'Ana' })).json().id;
    expect((await call(h, 'DELETE', `${url()}/${id}`, s.facilitatorToken)).statusCode).toBe(204);
    const again = await call(h, 'DELETE', `${url()}/${id}`, s.facilitatorToken);
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('action-item/not-found');
  });
});

describe('the after-action report lists what was recorded', () => {
  let h: Harness;
  let s: Awaited<ReturnType<typeof create>>;
  beforeAll(async () => {
    h = await harness();
    s = await create(h, { scenario: 'friday-deploy', seed: 7, teams: ['blue'] });
    await runTo(h, s.host, 60);
  });
  afterAll(() => h.close());

  const report = async (format: string) => (await call(h, 'GET', `/api/sessions/${s.id}/report?format=${format}`, s.facilitatorToken)).body;

  it('has blank rows before anything is recorded', async () => {
    const json = JSON.parse(await report('json'));
    expect(json.lessons.every((l: { lesson: string }) => l.lesson === '')).toBe(true);
    expect(json.actionItems.every((a: { action: string }) => a.action === '')).toBe(true);
  });

  it('lists the recorded lessons and action items in JSON, Markdown and HTML, escaped', async () => {
    await call(h, 'POST', `/api/sessions/${s.id}/lessons`, s.facilitatorToken, { text: 'Check the deploy <b>marker</b> first', author: 'Ana' });
    await call(h, 'POST', `/api/sessions/${s.id}/lessons`, s.facilitatorToken, { text: 'Page the DB team earlier' });
    await call(h, 'POST', `/api/sessions/${s.id}/action-items`, s.facilitatorToken, { title: 'Alert on pool saturation', owner: 'Bo', dueDate: '2023-12-01', link: 'https://tickets.example/OPS-12' });
    const json = JSON.parse(await report('json'));
    expect(json.lessons).toEqual([{ lesson: 'Check the deploy <b>marker</b> first', author: 'Ana' }, { lesson: 'Page the DB team earlier' }]);
    // Lessons recorded, action items too: no blank rows left in either.
    expect(json.actionItems).toEqual([{ action: 'Alert on pool saturation', owner: 'Bo', due: '2023-12-01', status: 'open', link: 'https://tickets.example/OPS-12' }]);
    const md = await report('md');
    expect(md).toContain('| 1 | Check the deploy &lt;b>marker&lt;/b> first — _Ana_ |');
    expect(md).toContain('| 1 | [Alert on pool saturation](https://tickets.example/OPS-12) | Bo | 2023-12-01 | open |');
    const html = await report('html');
    expect(html).toContain('Check the deploy &lt;b&gt;marker&lt;/b&gt; first');
    expect(html).toContain('<a href="https://tickets.example/OPS-12" target="_blank" rel="noopener noreferrer">Alert on pool saturation</a>');
    expect(html).not.toContain('<b>marker</b>');
  });

  it('follows edits and deletions', async () => {
    const items = (await call(h, 'GET', `/api/sessions/${s.id}/action-items`, s.facilitatorToken)).json().actionItems;
    await call(h, 'PATCH', `/api/sessions/${s.id}/action-items/${items[0].id}`, s.facilitatorToken, { status: 'done' });
    const lessons = (await call(h, 'GET', `/api/sessions/${s.id}/lessons`, s.facilitatorToken)).json().lessons;
    await call(h, 'DELETE', `/api/sessions/${s.id}/lessons/${lessons[0].id}`, s.facilitatorToken);
    const json = JSON.parse(await report('json'));
    expect(json.lessons).toEqual([{ lesson: 'Page the DB team earlier' }]);
    expect(json.actionItems[0].status).toBe('done');
  });
});

describe('GET /api/action-items (operator, across sessions)', () => {
  let h: Harness;
  let a: Awaited<ReturnType<typeof create>>;
  let b: Awaited<ReturnType<typeof create>>;
  beforeAll(async () => {
    h = await harness();
    a = await create(h);
    b = await create(h, { scenario: 'slow-leak', teams: ['blue'] });
    const add = (s: typeof a, body: object) => call(h, 'POST', `/api/sessions/${s.id}/action-items`, s.facilitatorToken, body);
    await add(a, { title: 'A overdue', owner: 'Ana', dueDate: '2023-11-01' });
    await add(a, { title: 'A done late', owner: 'Ana', dueDate: '2023-10-01', status: 'done' });
    await add(b, { title: 'B overdue in progress', owner: 'Bo', dueDate: '2023-11-10', status: 'in-progress' });
    await add(b, { title: 'B future', owner: 'Bo', dueDate: '2024-01-15' });
    await add(a, { title: 'A undated', owner: 'Cy' });
    await add(b, { title: 'B dropped', owner: 'Cy', status: 'dropped' });
  });
  afterAll(() => h.close());

  const list = (query = '', token = ADMIN) => call(h, 'GET', `/api/action-items${query}`, token);
  const titles = (res: { json: () => { actionItems: { title: string }[] } }) => res.json().actionItems.map((i) => i.title);

  it('lists every item soonest due first, undated last, each with its session and the overdue flag', async () => {
    const res = await list();
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(titles(res)).toEqual(['A done late', 'A overdue', 'B overdue in progress', 'B future', 'A undated', 'B dropped']);
    const body = res.json();
    expect(body).toMatchObject({ today: TODAY, limit: 100, offset: 0 });
    expect(body.actionItems[1]).toMatchObject({
      title: 'A overdue',
      overdue: true,
      sessionId: a.id,
      session: { id: a.id, scenario: 'friday-deploy', title: expect.stringContaining('Friday deploy'), phase: 'lobby', endedAt: null },
    });
    expect(body.actionItems[0].overdue).toBe(false); // done
    // No tokens or join codes in it.
    expect(res.body).not.toContain(a.facilitatorToken);
    expect(res.body).not.toContain(a.joinCode);
  });

  it('filters by status and by overdue, and pages', async () => {
    expect(titles(await list('?status=open'))).toEqual(['A overdue', 'B future', 'A undated']);
    expect(titles(await list('?status=open,in-progress'))).toEqual(['A overdue', 'B overdue in progress', 'B future', 'A undated']);
    expect(titles(await list('?overdue=true'))).toEqual(['A overdue', 'B overdue in progress']);
    expect(titles(await list('?overdue=true&status=in-progress'))).toEqual(['B overdue in progress']);
    expect(titles(await list('?overdue=true&status=done'))).toEqual([]);
    expect(titles(await list('?limit=2&offset=1'))).toEqual(['A overdue', 'B overdue in progress']);
    h.clock.advance(90 * DAY);
    expect(titles(await list('?overdue=true'))).toEqual(['A overdue', 'B overdue in progress', 'B future']);
  });

  it('refuses an unknown status or a bad page with 400', async () => {
    const bad = await list('?status=open,late');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'request/invalid', details: [{ field: 'querystring/status', message: 'unknown status "late" (one of open, in-progress, done, dropped)' }] });
    for (const q of ['?status=', '?limit=0', '?limit=501', '?overdue=maybe', '?teem=1']) expect((await list(q)).statusCode, q).toBe(400);
  });

  it('needs the admin token: 401 without, 403 with a facilitator token; 404 when the server has none', async () => {
    const none = await call(h, 'GET', '/api/action-items');
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('auth/missing');
    const fac = await list('', a.facilitatorToken);
    expect(fac.statusCode).toBe(403);
    expect(fac.json().code).toBe('auth/not-admin');
    const bare = await harness({ adminToken: null });
    const res = await call(bare, 'GET', '/api/action-items', ADMIN);
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 'not-found', message: 'no route GET /api/action-items' });
    await bare.close();
  });
});

describe('over the SQLite store', () => {
  it('keeps lessons and action items across a restart of the server', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join: joinPath } = await import('node:path');
    const dir = mkdtempSync(joinPath(tmpdir(), 'firedrill-debrief-api-'));
    try {
      const path = joinPath(dir, 'firedrill.db');
      const first = await harness({ store: createSqliteStore({ path }) });
      const s = await create(first);
      await call(first, 'POST', `/api/sessions/${s.id}/lessons`, s.facilitatorToken, { text: 'Kept on disk ✓', author: 'Zoë' });
      await call(first, 'POST', `/api/sessions/${s.id}/action-items`, s.facilitatorToken, { title: 'Survive a restart', owner: 'Ana', dueDate: '2023-11-30', link: 'https://x.example/1' });
      await first.close();
      await first.manager.store.close();

      const second = await harness({ store: createSqliteStore({ path }) });
      const lessons = (await call(second, 'GET', `/api/sessions/${s.id}/lessons`, s.facilitatorToken)).json().lessons;
      expect(lessons).toEqual([{ id: expect.any(String), sessionId: s.id, text: 'Kept on disk ✓', author: 'Zoë', createdAt: new Date(T0).toISOString() }]);
      const items = (await call(second, 'GET', '/api/action-items?status=open', ADMIN)).json().actionItems;
      expect(items).toMatchObject([{ title: 'Survive a restart', owner: 'Ana', dueDate: '2023-11-30', link: 'https://x.example/1', overdue: false, session: { id: s.id } }]);
      await second.close();
      await second.manager.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
