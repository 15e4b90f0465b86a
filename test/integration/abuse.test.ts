// Abuse of one node over real listeners: join-code guessing (rate-limited and logged, with the
// address), a message over the transport's limit (the connection is cut before any handler runs),
// and a participant reaching for another session's data over REST (every /api/sessions/:id/* route,
// listed from the route sources) and over sockets.
import { readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { TestClient, connectError, createSession, startTestServer, type TestServer } from '../helpers/live.ts';
import { MAX_MESSAGE_BYTES } from '../../server/protocol/messages.ts';

const servers: TestServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

interface LogLine {
  level: number;
  msg: string;
  ip?: string;
  code?: string;
  [k: string]: unknown;
}

/** A server whose pino output is kept, line by line, for the test to read. */
async function loggedServer(): Promise<{ srv: TestServer; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
  const srv = await startTestServer({ logger });
  servers.push(srv);
  return { srv, logs };
}

async function connect(srv: TestServer, auth: Parameters<typeof TestClient.connect>[1]): Promise<TestClient> {
  const c = await TestClient.connect(srv.url, auth);
  clients.push(c);
  return c;
}

async function rejectedTotal(srv: TestServer, code: string): Promise<number> {
  const text = await (await fetch(`${srv.url}/metrics`)).text();
  const m = new RegExp(`^firedrill_socket_messages_rejected_total\\{code="${code.replace('/', '\\/')}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

describe('join-code guessing', () => {
  it('is rate-limited per address after 10 wrong codes, and every refusal is logged with the address', async () => {
    const { srv, logs } = await loggedServer();
    const created = await createSession(srv.url, { scenario: 'friday-deploy', teams: ['blue'] });
    const codes: string[] = [];
    for (let i = 0; i < 14; i++) codes.push((await connectError(srv.url, { code: `GUESS${String(i).padStart(5, '0')}`, team: 'blue', name: 'mallory' })).code);
    expect(codes).toEqual([...Array(10).fill('auth/unknown-code'), ...Array(4).fill('auth/rate-limited')]);
    // while limited, even the right code is refused: otherwise the limit would not slow guessing
    expect((await connectError(srv.url, { code: created.joinCode, team: 'blue', name: 'mallory' })).code).toBe('auth/rate-limited');

    const unknown = logs.filter((l) => l.msg === 'join refused: unknown join code');
    const limited = logs.filter((l) => /rate limited/.test(l.msg) && /join/.test(l.msg));
    expect(unknown).toHaveLength(10);
    expect(limited).toHaveLength(5);
    for (const l of [...unknown, ...limited]) {
      expect(l.ip, JSON.stringify(l)).toMatch(/127\.0\.0\.1$/);
      expect(l.level).toBe(40); // warn
    }
    expect(limited[0].msg).toBe('join refused: rate limited (join-code guessing?)');
    // the log never holds a whole code: a guesser's list, or a right code, stays out of it
    for (const l of unknown) expect(l.code).toMatch(/^GUE…$/);
    expect(JSON.stringify(logs)).not.toContain(created.joinCode);
    // refusals are counted for /metrics too
    expect(await rejectedTotal(srv, 'auth/rate-limited')).toBe(5);
  });
});

describe('an oversize message', () => {
  it('past the transport limit (64 KiB) the socket is cut before any handler runs; the server and other sockets go on', async () => {
    const { srv } = await loggedServer();
    const created = await createSession(srv.url, { scenario: 'friday-deploy', teams: ['blue'], speed: 20 });
    const fac = await connect(srv, { token: created.facilitatorToken });
    expect(await fac.command('start')).toMatchObject({ ok: true });
    const bystander = await connect(srv, { code: created.joinCode, team: 'blue', name: 'Bystander' });
    const victim = await connect(srv, { code: created.joinCode, team: 'blue', name: 'Big' });

    // between the message limit and the transport's: refused by the gateway with a code, still connected
    const before = await rejectedTotal(srv, 'message/too-large');
    const medium = await victim.act({ action: 'status-update', audience: 'internal', text: 'x'.repeat(MAX_MESSAGE_BYTES + 100) });
    expect(medium).toMatchObject({ ok: false, error: { code: 'message/too-large' } });
    expect(await rejectedTotal(srv, 'message/too-large')).toBe(before + 1);
    expect(victim.disconnectReason).toBeNull();

    const host = (await srv.running.manager.get(created.id))!;
    await host.idle();
    const inputsBefore = (await srv.running.manager.store.listInputs(created.id)).length;
    // past the transport's limit: the connection is closed; nothing is answered, counted or applied
    victim.raw.emit('action', { key: 'oversize-0001', action: { action: 'status-update', audience: 'internal', text: 'y'.repeat(MAX_MESSAGE_BYTES * 4 + 1000) } });
    expect(await victim.waitForDisconnect()).toBe('transport close');
    expect(await rejectedTotal(srv, 'message/too-large')).toBe(before + 1);
    await host.idle();
    expect((await srv.running.manager.store.listInputs(created.id)).length).toBe(inputsBefore);

    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    expect(await bystander.act({ action: 'observe', service: 'orders' })).toMatchObject({ ok: true, result: { ok: true } });
    // and the same person can come back
    const back = await connect(srv, { token: (victim.welcome.you as { token: string }).token });
    expect(await back.act({ action: 'observe', service: 'payments' })).toMatchObject({ ok: true, result: { ok: true } });
  });
});

/** Every `/api/sessions/:id…` route with its method, read from the route sources. */
function sessionRoutes(): { method: string; path: string }[] {
  const dir = new URL('../../server/http/', import.meta.url);
  const files = [...readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => new URL(f, dir)), ...readdirSync(new URL('routes/', dir)).filter((f) => f.endsWith('.ts')).map((f) => new URL(`routes/${f}`, dir))];
  const out: { method: string; path: string }[] = [];
  for (const f of files) {
    for (const m of readFileSync(f, 'utf8').matchAll(/\bapp\.(get|post|patch|put|delete)\(\s*'(\/api\/sessions\/:id[^']*)'/g)) out.push({ method: m[1].toUpperCase(), path: m[2] });
  }
  return out;
}

describe('another session’s data', () => {
  it('over REST: every /api/sessions/:id/* route with the other session’s id and this participant’s (or facilitator’s) token is refused, and changes nothing', async () => {
    const { srv, logs } = await loggedServer();
    const a = await createSession(srv.url, { scenario: 'friday-deploy', teams: ['blue'] });
    const b = await createSession(srv.url, { scenario: 'expired-cert', teams: ['green'] });
    const pa = await connect(srv, { code: a.joinCode, team: 'blue', name: 'Ana' });
    const tokenA = (pa.welcome.you as { token: string }).token;
    const authB = { authorization: `Bearer ${b.facilitatorToken}`, 'content-type': 'application/json' };
    // B's facilitator records a lesson and an action item: the targets of the PATCH and DELETE routes
    const lesson = (await (await fetch(`${srv.url}/api/sessions/${b.id}/lessons`, { method: 'POST', headers: authB, body: JSON.stringify({ text: 'B secret lesson' }) })).json()) as { id: string };
    const item = (await (await fetch(`${srv.url}/api/sessions/${b.id}/action-items`, { method: 'POST', headers: authB, body: JSON.stringify({ title: 'B secret item', owner: 'green' }) })).json()) as { id: string };
    expect(lesson.id).toBeTruthy();
    expect(item.id).toBeTruthy();

    const routes = sessionRoutes();
    // the routes this test was written against are among them (new ones are covered as they come)
    for (const known of ['GET /api/sessions/:id', 'GET /api/sessions/:id/events', 'GET /api/sessions/:id/score', 'GET /api/sessions/:id/report', 'POST /api/sessions/:id/lessons', 'PATCH /api/sessions/:id/lessons/:lessonId', 'DELETE /api/sessions/:id/action-items/:itemId']) {
      expect(routes.map((r) => `${r.method} ${r.path}`)).toContain(known);
    }
    const bodyFor = (path: string, method: string) =>
      method === 'GET' || method === 'DELETE' ? undefined : path.includes('lessons') ? JSON.stringify({ text: 'overwritten by A' }) : path.includes('action-items') ? JSON.stringify(method === 'POST' ? { title: 'by A', owner: 'A' } : { status: 'dropped' }) : JSON.stringify({});
    const fill = (path: string, id: string) => path.replace(':id', id).replace(':lessonId', lesson.id).replace(':itemId', item.id);

    // Control: with A's own id, the same token gets past authentication (so a refusal below is about the session).
    const own = await fetch(`${srv.url}/api/sessions/${a.id}`, { headers: { authorization: `Bearer ${tokenA}` } });
    expect(own.status).toBe(200);

    const answers: { route: string; status: number; body: string }[] = [];
    for (const token of [tokenA, a.facilitatorToken]) {
      for (const { method, path } of routes) {
        const body = bodyFor(path, method);
        const res = await fetch(`${srv.url}${fill(path, b.id)}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body });
        answers.push({ route: `${method} ${path} (${token === tokenA ? 'participant' : 'facilitator'} of A)`, status: res.status, body: await res.text() });
      }
    }
    // A wrong token answers like a missing session; after 10 failed lookups the address is rate-limited.
    expect(answers.slice(0, 10).map((x) => [x.route, x.status])).toEqual(answers.slice(0, 10).map((x) => [x.route, 404]));
    for (const x of answers) {
      expect([401, 403, 404, 429], `${x.route} → ${x.status} ${x.body.slice(0, 200)}`).toContain(x.status);
      for (const secret of [b.id, b.joinCode, b.facilitatorToken, 'B secret', 'green']) expect(x.body, x.route).not.toContain(secret);
    }
    expect(answers.filter((x) => x.status === 404).length).toBeGreaterThanOrEqual(10);
    expect(logs.filter((l) => l.msg === 'REST refused: unknown token').length).toBeGreaterThanOrEqual(10);
    expect(logs.filter((l) => /too many failed token lookups/.test(l.msg)).length).toBe(answers.filter((x) => x.status === 429).length);

    // nothing of B changed (read from the store: this address is rate-limited now, even for B's token)
    expect((await fetch(`${srv.url}/api/sessions/${b.id}/lessons`, { headers: authB })).status).toBe(429);
    const store = srv.running.manager.store;
    expect((await store.listLessons(b.id)).map((l) => [l.id, l.text])).toEqual([[lesson.id, 'B secret lesson']]);
    expect((await store.listActionItems(b.id)).map((i) => [i.id, i.title, i.status])).toEqual([[item.id, 'B secret item', 'open']]);
    expect(await store.listLessons(a.id)).toEqual([]);
  });

  it('over sockets: a participant joined with A’s code reaches nothing of B — not its team, logs, view or events', async () => {
    const { srv } = await loggedServer();
    const a = await createSession(srv.url, { scenario: 'friday-deploy', teams: ['blue'], speed: 30 });
    const b = await createSession(srv.url, { scenario: 'friday-deploy', teams: ['green'], speed: 30 });
    const facA = await connect(srv, { token: a.facilitatorToken });
    const facB = await connect(srv, { token: b.facilitatorToken });
    expect(await facA.command('start')).toMatchObject({ ok: true });
    expect(await facB.command('start')).toMatchObject({ ok: true });
    await facB.command('message', { text: 'B only: the secret is in green', team: 'green' });
    const p = await connect(srv, { code: a.joinCode, team: 'blue', name: 'Ana' });
    const token = (p.welcome.you as { token: string }).token;

    // B's team through A's code, or a session named in the handshake: refused
    expect((await connectError(srv.url, { code: a.joinCode, team: 'green', name: 'Ana' })).code).toBe('auth/unknown-team');
    expect((await connectError(srv.url, { token, sessionId: b.id })).code).toBe('auth/missing');
    expect((await connectError(srv.url, { code: b.joinCode.slice(0, 9), team: 'green', name: 'x' })).code).toBe('auth/unknown-code');

    // B's team by name in messages
    expect(await p.request('logs', { service: 'orders', team: 'green' })).toMatchObject({ ok: false, error: { code: 'auth/forbidden' } });
    expect(await p.request('view', { team: 'green' })).toMatchObject({ ok: false, error: { code: 'auth/forbidden' } });
    expect(await p.request('logs', { service: 'orders', team: 'green', session: b.id })).toMatchObject({ ok: false, error: { code: 'message/invalid' } });
    // its own view and a replay from 0 hold A's events only
    const view = (await p.request('view', {})) as { ok: true; view: { team: string } };
    expect(view.view.team).toBe('blue');
    await facB.waitForEvent((e) => e.t >= 30, 'B at T+30 s', 20_000);
    await p.waitForEvent((e) => e.t >= 30, 'A at T+30 s', 20_000);
    const resumed = (await p.request('resume', { after: 0 })) as { ok: true; lastSeq: number };
    expect(resumed.ok).toBe(true);
    const storedA = new Set((await srv.running.manager.store.listEvents(a.id)).map((e) => JSON.stringify(e)));
    expect(p.events.length).toBeGreaterThan(0);
    for (const e of p.events) {
      expect(e.team === undefined || e.team === 'blue', JSON.stringify(e)).toBe(true);
      expect(storedA.has(JSON.stringify(e)), `an event not in A's log: ${JSON.stringify(e)}`).toBe(true);
    }
    expect(JSON.stringify(p.events)).not.toContain('secret is in green');
    expect(p.telemetry.every((f) => f.team === 'blue')).toBe(true);
  });
});
