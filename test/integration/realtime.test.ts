// The live server over real sockets: a Fastify listener with socket.io on a free port, SQLite in a
// temporary directory, and socket.io clients playing facilitator and participants. Simulated time
// runs at ×20–×60 so a whole friday-deploy game day takes a few seconds of wall time.
import { afterEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VISIBLE_EVENTS } from '../../server/engine/session/view.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import type { TeamView } from '../../server/engine/session/view.ts';
import { runResult } from '../../server/engine/session/result.ts';
import { leaderboard } from '../../server/engine/scoring/index.ts';
import { MAX_MESSAGE_BYTES } from '../../server/protocol/messages.ts';
import {
  TestClient,
  connectError,
  createSession,
  isStrictlyIncreasing,
  key,
  replayHeadless,
  sleep,
  startTestServer,
  type Created,
  type TestServer,
} from '../helpers/live.ts';

const HIDDEN = ['fault.injected', 'fault.cleared', 'trap.sprung', 'branch.fired', 'metrics', 'impact.started', 'team.mitigated'];

const servers: TestServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(options);
  servers.push(s);
  return s;
}

async function connect(srv: TestServer, auth: Parameters<typeof TestClient.connect>[1], headers?: Record<string, string>): Promise<TestClient> {
  const c = await TestClient.connect(srv.url, auth, { headers });
  clients.push(c);
  return c;
}

/** A session with a connected facilitator and one participant per team. */
async function gameDay(srv: TestServer, teams: string[], speed: number, seed = 7) {
  const created = await createSession(srv.url, { scenario: 'friday-deploy', teams, seed, speed });
  const fac = await connect(srv, { token: created.facilitatorToken });
  const players: Record<string, TestClient> = {};
  for (const [i, team] of teams.entries()) {
    players[team] = await connect(srv, { code: created.joinCode, team, name: `player-${i + 1}`, role: 'incident-commander' });
  }
  return { created, fac, players, host: (await srv.running.manager.get(created.id))! };
}

/** What a participant of `team` may see of a log: its own and session-wide events of visible types. */
function visibleTo(team: string) {
  return (e: SessionEvent) => (e.team === undefined || e.team === team) && VISIBLE_EVENTS.has(e.type);
}

function expectParticipantInvariants(p: TestClient, team: string) {
  for (const e of p.events) {
    expect(e.team === undefined || e.team === team, `event ${e.seq} (${e.type}) of team ${e.team} reached ${team}`).toBe(true);
    expect(HIDDEN, `hidden event ${e.seq} (${e.type}) reached ${team}`).not.toContain(e.type);
    expect(VISIBLE_EVENTS.has(e.type)).toBe(true);
  }
  expect(isStrictlyIncreasing(p.events.map((e) => e.seq))).toBe(true);
  expect(p.telemetry.length).toBeGreaterThan(0);
  expect(p.telemetry.every((f) => f.team === team)).toBe(true);
}

describe('a two-team game day from lobby to report', () => {
  it('plays friday-deploy for blue and red at ×60: alerts, actions, rollback, resolve, scores', async () => {
    const srv = await server();
    const { created, fac, players, host } = await gameDay(srv, ['blue', 'red'], 60);
    expect(fac.welcome).toMatchObject({ sessionId: created.id, phase: 'lobby', teams: ['blue', 'red'], you: { kind: 'facilitator' } });
    expect(players.blue.welcome.you).toMatchObject({ kind: 'participant', participant: { team: 'blue', name: 'player-1' } });

    const started = await fac.command('start');
    expect(started).toMatchObject({ ok: true, effect: 'started', duplicate: false });

    async function play(team: string) {
      const p = players[team];
      const firing = await p.waitForEvent((e) => e.type === 'alert.firing', `an alert firing for ${team}`, 20_000);
      expect(firing.team).toBe(team);
      const alert = (firing as Extract<SessionEvent, { type: 'alert.firing' }>).alert;
      const ack = await p.act({ action: 'acknowledge', alert });
      expect(ack).toMatchObject({ ok: true, result: { ok: true, effect: `acknowledged ${alert}` }, duplicate: false });
      expect(await p.act({ action: 'declare', severity: 'SEV2', summary: 'checkout failing', services: ['orders'] })).toMatchObject({ ok: true, result: { ok: true } });
      const step = await p.act({ action: 'run-step', runbook: 'orders-latency', step: 1 });
      expect(step).toMatchObject({ ok: true, result: { ok: true } });
      const rollback = await p.act({ action: 'rollback', service: 'orders' });
      if (!rollback.ok) throw new Error(rollback.error.message);
      expect(rollback.result.ok).toBe(true);
      expect(rollback.result.completesAt).toBeGreaterThan(firing.t);
      await p.waitForEvent((e) => e.type === 'action.completed' && e.ref === rollback.seq, `${team}'s rollback to complete`, 20_000);
      const resolved = await p.act({ action: 'resolve', summary: 'orders v2.14 rolled back' });
      expect(resolved).toMatchObject({ ok: true, result: { ok: true, data: { premature: false } } });
      await p.waitForEvent((e) => e.type === 'team.ended' && e.team === team, `${team} to end`);
    }
    await Promise.all([play('blue'), play('red')]);

    const ended = await fac.waitForEvent((e) => e.type === 'session.ended', 'session.ended');
    expect(ended).toMatchObject({ outcome: 'resolved' });
    for (const p of Object.values(players)) await p.waitForEvent((e) => e.type === 'session.ended', 'session.ended for a participant');
    await host.idle();

    // Every client saw its events in order, once; participants only theirs, never hidden ones.
    const stored = await srv.running.manager.store.listEvents(created.id);
    expect(fac.events.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
    expect(fac.events.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
    expect(JSON.stringify(fac.events)).toBe(JSON.stringify(stored));
    for (const team of ['blue', 'red']) {
      const p = players[team];
      expectParticipantInvariants(p, team);
      expect(p.events).toEqual(stored.filter(visibleTo(team)));
    }
    expect(stored.some((e) => e.type === 'fault.injected' && e.team === 'red')).toBe(true);

    const record = (await srv.running.manager.store.getSession(created.id))!;
    expect(record).toMatchObject({ phase: 'ended', outcome: 'resolved' });
    expect(record.endedAt).not.toBeNull();

    // Scores: the live session's, the stored log's and a headless replay of the stored inputs agree.
    const live = runResult(host.session);
    expect(live.outcome).toBe('resolved');
    expect(live.teams.map((t) => t.outcome)).toEqual(['resolved', 'resolved']);
    const fromLog = leaderboard(stored, record.scenario, record.teams, new Map(record.runbooks.map((r) => [r.id, r])));
    expect(fromLog.scores).toEqual(live.teams.map((t) => t.score));
    const headless = replayHeadless(record, await srv.running.manager.store.listInputs(created.id));
    expect(JSON.stringify(headless.events)).toBe(JSON.stringify(stored));
    expect(runResult(headless).teams.map((t) => t.score)).toEqual(live.teams.map((t) => t.score));
    for (const s of fromLog.scores) expect(s.total).toBeGreaterThan(0);

    // The facilitator asks for the scores and the report over REST (when those routes are there).
    const auth = { authorization: `Bearer ${created.facilitatorToken}` };
    const score = await fetch(`${srv.url}/api/sessions/${created.id}/score`, { headers: auth });
    if (score.status !== 404) {
      expect(score.status).toBe(200);
      const body = (await score.json()) as { final: boolean; teams: unknown[] };
      expect(body.final).toBe(true);
      expect(body.teams).toEqual(JSON.parse(JSON.stringify(live.teams.map((t) => t.score))));
      const report = await fetch(`${srv.url}/api/sessions/${created.id}/report?format=md`, { headers: auth });
      expect(report.status).toBe(200);
      expect(await report.text()).toContain(record.scenario.title);
    }
  }, 60_000);
});

describe('halt', () => {
  it('reaches every client within a second, stops injections, refuses actions, and only resume leaves it', async () => {
    const srv = await server();
    const { created, fac, players, host } = await gameDay(srv, ['blue', 'red'], 20);
    await fac.command('start');
    await fac.waitForTime(4); // friday-deploy injects orders v2.14 at T+30s
    const everyone = [fac, players.blue, players.red];

    const sentAt = performance.now();
    const halt = await fac.command('halt', { reason: 'drill gone wrong' });
    expect(halt).toMatchObject({ ok: true, effect: 'halted' });
    for (const c of everyone) {
      const i = await c.waitFor(() => { const i = c.events.findIndex((e) => e.type === 'session.phase' && e.phase === 'halted'); return i >= 0 ? i : undefined; }, 'the halted phase', 2000);
      expect(c.arrivedAt[i] - sentAt).toBeLessThan(1000);
    }
    const haltedEvent = fac.events.find((e) => e.type === 'session.phase' && e.phase === 'halted')!;
    expect(haltedEvent.t).toBeLessThan(30);
    expect(haltedEvent).toMatchObject({ reason: 'drill gone wrong' });

    // While halted: actions refused (not queued to apply later), no second record of the halt,
    // no start or pause, and simulated time frozen.
    const refused = await players.blue.act({ action: 'assign-role', role: 'ops-lead', person: 'Late Larry' });
    expect(refused).toMatchObject({ ok: true, seq: null, result: { ok: false, code: 'session/not-running' } });
    expect(await fac.command('halt')).toMatchObject({ ok: true, effect: 'already halted' });
    expect(await fac.command('start')).toMatchObject({ ok: false, error: { code: 'session/wrong-phase' } });
    expect(await fac.command('pause')).toMatchObject({ ok: false, error: { code: 'session/wrong-phase' } });
    expect(await fac.command('inject', { fault: { id: 'extra', kind: 'latency', service: 'orders', ms: 500 } })).toMatchObject({ ok: false });
    const view1 = await fac.request<{ view: TeamView }>('view', { team: 'blue' });
    await sleep(2000); // 40 simulated seconds at ×20, were the clock running: past the T+30s injection
    const view2 = await fac.request<{ view: TeamView }>('view', { team: 'blue' });
    if (!view1.ok || !view2.ok) throw new Error('view refused');
    expect(view2.view.t).toBe(view1.view.t);
    expect(view2.view.phase).toBe('halted');
    expect(fac.events.filter((e) => e.type === 'fault.injected')).toEqual([]);
    expect(host.phase).toBe('halted');
    let stored = await srv.running.manager.store.listEvents(created.id);
    expect(stored.filter((e) => e.type === 'session.phase' && e.phase === 'halted')).toHaveLength(1);
    expect(stored.filter((e) => e.type === 'fault.injected')).toEqual([]);

    // Resume: the clock runs again, the scenario's injection comes, the refused action never lands.
    expect(await fac.command('resume')).toMatchObject({ ok: true, effect: 'resumed' });
    for (const c of everyone) await c.waitForEvent((e) => e.type === 'session.phase' && e.phase === 'running' && e.seq > haltedEvent.seq, 'running again', 3000);
    const injected = await fac.waitForEvent((e) => e.type === 'fault.injected', 'the T+30s injection after resuming', 5000);
    expect(injected.t).toBe(30);
    expect(injected.seq).toBeGreaterThan(haltedEvent.seq);

    // A second halt with faults active clears them at once (facilitators see it, participants do not).
    await fac.waitForTime(35);
    const sent2 = performance.now();
    const from = fac.events.length;
    expect(await fac.command('halt')).toMatchObject({ ok: true, effect: 'halted' });
    const cleared = await fac.waitFor(() => { const c = fac.events.slice(from).filter((e) => e.type === 'fault.cleared'); return c.length === 2 ? c : undefined; }, 'both teams\u2019 faults cleared by the halt', 2000);
    expect(cleared.map((e) => [e.team, e.type === 'fault.cleared' && e.by])).toEqual([['blue', 'halt'], ['red', 'halt']]);
    for (const c of everyone) {
      const i = await c.waitFor(() => { const i = c.events.findLastIndex((e) => e.type === 'session.phase' && e.phase === 'halted'); return i >= 0 && c.events[i].seq > injected.seq ? i : undefined; }, 'the second halt', 2000);
      expect(c.arrivedAt[i] - sent2).toBeLessThan(1000);
    }
    await host.idle();
    stored = await srv.running.manager.store.listEvents(created.id);
    expect(stored.filter((e) => e.type === 'action')).toEqual([]);
    for (const team of ['blue', 'red']) expectParticipantInvariants(players[team], team);
  });

  it('operator halt-all halts every running session and refuses starts and resumes until released', async () => {
    const srv = await server();
    const a = await gameDay(srv, ['blue'], 20);
    const bCreated = await createSession(srv.url, { scenario: 'expired-cert', speed: 20 });
    const bFac = await connect(srv, { token: bCreated.facilitatorToken });
    await a.fac.command('start');
    await a.fac.waitForTime(2);

    const sentAt = performance.now();
    expect(await srv.running.manager.haltAll('the drill leaked into production')).toBe(1);
    for (const c of [a.fac, a.players.blue]) {
      const i = await c.waitFor(() => { const i = c.events.findIndex((e) => e.type === 'session.phase' && e.phase === 'halted'); return i >= 0 ? i : undefined; }, 'halt-all', 2000);
      expect(c.arrivedAt[i] - sentAt).toBeLessThan(1000);
      expect(c.events[i]).toMatchObject({ reason: 'operator halt-all: the drill leaked into production' });
    }
    expect(bFac.events.filter((e) => e.type === 'session.phase')).toEqual([]);
    expect(await bFac.command('start')).toMatchObject({ ok: false, error: { code: 'server/halted-all' } });
    expect(await a.fac.command('resume')).toMatchObject({ ok: false, error: { code: 'server/halted-all' } });
    // A session created during the halt-all cannot start either.
    const c = await createSession(srv.url, { scenario: 'friday-deploy', speed: 20 });
    const cFac = await connect(srv, { token: c.facilitatorToken });
    expect(await cFac.command('start')).toMatchObject({ ok: false, error: { code: 'server/halted-all' } });
    expect(await srv.running.manager.haltAll('again')).toBe(0);

    srv.running.manager.releaseAll();
    expect(await bFac.command('start')).toMatchObject({ ok: true, effect: 'started' });
    expect(await a.fac.command('resume')).toMatchObject({ ok: true, effect: 'resumed' });
    await a.players.blue.waitForEvent((e) => e.type === 'session.phase' && e.phase === 'running', 'running after release', 3000);
  });
});

describe('pause and resume', () => {
  it('freezes simulated time while paused (telemetry and view) and runs it again after', async () => {
    const srv = await server();
    const { created, fac, players } = await gameDay(srv, ['blue'], 60);
    await fac.command('start');
    await players.blue.waitForTime(20);
    expect(await fac.command('pause', { reason: 'coffee' })).toMatchObject({ ok: true, effect: 'paused' });
    const paused = await players.blue.waitForEvent((e) => e.type === 'session.phase' && e.phase === 'paused', 'paused');
    expect(paused).toMatchObject({ reason: 'coffee' });
    const framesAtPause = players.blue.telemetry.length;
    const v1 = await players.blue.request<{ view: TeamView }>('view', {});
    if (!v1.ok) throw new Error(v1.error.message);
    expect(v1.view.phase).toBe('paused');
    expect(v1.view.t).toBe(paused.t);

    await sleep(1000); // a simulated minute at ×60, were the clock running
    const v2 = await players.blue.request<{ view: TeamView }>('view', {});
    if (!v2.ok) throw new Error(v2.error.message);
    expect(v2.view.t).toBe(paused.t);
    const late = players.blue.telemetry.slice(framesAtPause);
    expect(late.every((f) => f.t <= paused.t)).toBe(true);
    // Someone joining during the pause sees it.
    const late2 = await connect(srv, { token: created.facilitatorToken });
    expect(late2.welcome).toMatchObject({ phase: 'paused', t: paused.t });
    expect(Math.max(...late2.telemetry.map((f) => f.t))).toBe(paused.t);

    expect(await fac.command('resume')).toMatchObject({ ok: true, effect: 'resumed' });
    const frame = await players.blue.waitForTime(paused.t + 10, 5000);
    expect(frame.t).toBeGreaterThan(paused.t);
    const v3 = await players.blue.request<{ view: TeamView }>('view', {});
    if (!v3.ok) throw new Error(v3.error.message);
    expect(v3.view.t).toBeGreaterThan(paused.t);
    expect(v3.view.phase).toBe('running');
  });
});

describe('unauthorised and malformed input', () => {
  it('refuses what a role may not do', async () => {
    const srv = await server();
    const { fac, players } = await gameDay(srv, ['blue', 'red'], 20);
    const blue = players.blue;
    expect(await blue.command('start')).toMatchObject({ ok: false, error: { code: 'auth/forbidden' } });
    expect(await blue.request('logs', { service: 'orders', team: 'red' })).toMatchObject({ ok: false, error: { code: 'auth/forbidden' } });
    expect(await blue.request('view', { team: 'red' })).toMatchObject({ ok: false, error: { code: 'auth/forbidden' } });
    expect(await blue.request('logs', { service: 'orders', team: 'blue' })).toMatchObject({ ok: true });
    expect(await blue.request('view', {})).toMatchObject({ ok: true, view: { team: 'blue' } });
    expect(await fac.act({ action: 'observe', service: 'orders' })).toMatchObject({ ok: false, error: { code: 'auth/forbidden' } });
    expect(await fac.request('view', { team: 'red' })).toMatchObject({ ok: true, view: { team: 'red' } });
    expect(await fac.request('view', { team: 'green' })).toMatchObject({ ok: false, error: { code: 'auth/unknown-team' } });
    // Without an acknowledgement callback, the refusal comes as an `error` event.
    blue.raw.emit('command', { key: key(), command: 'start' });
    const err = await blue.waitFor(() => blue.errors.find((e) => e.code === 'auth/forbidden'), 'an error event');
    expect(err.message).toMatch(/facilitator/);
    expect(fac.welcome.phase).toBe('lobby');
    expect((await srv.running.manager.get(fac.welcome.sessionId))!.phase).toBe('lobby');
  });

  it('refuses garbage with a named error and keeps the server up and the session unharmed', async () => {
    const srv = await server();
    const { created, fac, players, host } = await gameDay(srv, ['blue', 'red'], 20);
    await fac.command('start');
    await fac.waitForTime(3);
    await fac.command('pause');
    await host.idle();
    const store = srv.running.manager.store;
    const eventsBefore = JSON.stringify(await store.listEvents(created.id));
    const inputsBefore = (await store.listInputs(created.id)).length;
    const blue = players.blue;

    const protoKey = JSON.parse(`{"key":"${key()}","action":{"action":"observe","service":"orders"},"__proto__":{"polluted":true}}`);
    const nestedProto = JSON.parse(`{"key":"${key()}","action":{"action":"observe","service":"orders","__proto__":{"polluted":true}}}`);
    const ctor = JSON.parse(`{"key":"${key()}","action":{"action":"hypothesis","text":"x","constructor":{"prototype":{"polluted":true}}}}`);
    let junk: unknown = { leaf: true };
    for (let i = 0; i < 200; i++) junk = { a: [junk, i, 'x'] };
    const garbage: [string, unknown][] = [
      ['a number', 42],
      ['a string', 'observe orders'],
      ['null', null],
      ['an array', [{ key: key(), action: { action: 'observe', service: 'orders' } }]],
      ['an empty object', {}],
      ['no key', { action: { action: 'observe', service: 'orders' } }],
      ['no action', { key: key() }],
      ['a numeric key', { key: 12345678, action: { action: 'observe', service: 'orders' } }],
      ['a short key', { key: 'abc', action: { action: 'observe', service: 'orders' } }],
      ['a key with spaces', { key: 'not a valid key!', action: { action: 'observe', service: 'orders' } }],
      ['an unknown action', { key: key(), action: { action: 'delete-production' } }],
      ['a wrong field type', { key: key(), action: { action: 'scale-out', service: 'orders', count: 'many' } }],
      ['an out-of-range field', { key: key(), action: { action: 'scale-out', service: 'orders', count: 1e9 } }],
      ['an extra field', { key: key(), action: { action: 'observe', service: 'orders' }, admin: true }],
      ['nested junk', { key: key(), action: { action: 'observe', service: 'orders', junk } }],
    ];
    for (const [what, payload] of garbage) {
      const reply = await blue.request('action', payload);
      expect(reply, what).toMatchObject({ ok: false, error: { code: 'message/invalid' } });
    }
    for (const [what, payload] of [['__proto__ at the top', protoKey], ['__proto__ nested', nestedProto], ['constructor.prototype', ctor]] as const) {
      const reply = await players.red.request('action', payload);
      expect(reply, what).toMatchObject({ ok: false, error: { code: 'message/forbidden-key' } });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await fac.request('command', { key: key(), command: 'self-destruct' })).toMatchObject({ ok: false, error: { code: 'message/invalid' } });
    expect(await fac.request('command', { key: key(), command: 'set-speed', speed: 1e6 })).toMatchObject({ ok: false, error: { code: 'message/invalid' } });
    expect(await fac.request('command', { key: key(), command: 'set-speed' })).toMatchObject({ ok: false, error: { code: 'message/invalid' } });
    expect(await fac.request('command', { key: key(), command: 'message', team: 'green', text: 'hi' })).toMatchObject({ ok: false, error: { code: 'message/invalid' } });
    expect(await fac.request('logs', { service: 42 })).toMatchObject({ ok: false, error: { code: 'message/invalid' } });
    expect(await fac.request('logs', { service: 'orders', limit: -1 })).toMatchObject({ ok: false, error: { code: 'message/invalid' } });
    expect(await fac.request('resume', { after: -5 })).toMatchObject({ ok: false, error: { code: 'message/invalid' } });
    expect(await fac.request('resume', { after: 'all' })).toMatchObject({ ok: false, error: { code: 'message/invalid' } });

    // A message with no payload at all still gets its acknowledgement.
    const noPayload = (await fac.raw.timeout(3000).emitWithAck('view')) as { ok: boolean; error?: { code: string } };
    expect(noPayload).toMatchObject({ ok: false, error: { code: 'message/invalid' } });
    // More arguments than one message: refused, still acknowledged.
    const extraArgs = (await fac.raw.timeout(3000).emitWithAck('view', {}, 'and more')) as { ok: boolean; error?: { code: string } };
    expect(extraArgs).toMatchObject({ ok: false, error: { code: 'message/invalid' } });
    // Without an acknowledgement callback: an `error` event names the problem.
    fac.raw.emit('logs', [1, 2, 3]);
    await fac.waitFor(() => fac.errors.find((e) => e.code === 'message/invalid'), 'an error event for a message without ack');

    // 100 KB: the transport cuts the connection; nothing reaches the session.
    const big = await connect(srv, { token: created.facilitatorToken });
    big.raw.emit('command', { key: key(), command: 'message', text: 'x'.repeat(100 * 1024) });
    const reason = await big.waitForDisconnect(5000);
    expect(reason).toMatch(/transport/);
    expect(100 * 1024).toBeGreaterThan(MAX_MESSAGE_BYTES);

    // The server is up, every other client still connected, and the session unharmed.
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    expect(blue.socket.connected && players.red.socket.connected && fac.socket.connected).toBe(true);
    await host.idle();
    expect(JSON.stringify(await store.listEvents(created.id))).toBe(eventsBefore);
    expect((await store.listInputs(created.id)).length).toBe(inputsBefore);
    expect(await fac.command('resume')).toMatchObject({ ok: true });
    const ack = await blue.act({ action: 'assign-role', role: 'scribe', person: 'Sam' });
    expect(ack).toMatchObject({ ok: true, result: { ok: true } });
  });

  it('answers a duplicate idempotency key with the first result and no second event', async () => {
    const srv = await server();
    const { created, fac, players, host } = await gameDay(srv, ['blue'], 20);
    await fac.command('start');
    const k = key();
    const first = await players.blue.act({ action: 'assign-role', role: 'incident-commander', person: 'Ana' }, k);
    const again = await players.blue.act({ action: 'assign-role', role: 'incident-commander', person: 'Ana' }, k);
    // Even with a different body, the key wins: the first result, nothing applied.
    const third = await players.blue.act({ action: 'assign-role', role: 'scribe', person: 'Mallory' }, k);
    if (!first.ok || !again.ok || !third.ok) throw new Error('refused');
    expect(first.duplicate).toBe(false);
    expect(first.seq).toBeGreaterThan(0);
    expect(again).toEqual({ ok: true, seq: null, result: first.result, duplicate: true });
    expect(third).toEqual({ ok: true, seq: null, result: first.result, duplicate: true });
    const ck = key();
    expect(await fac.command('message', { text: 'hello' }, ck)).toMatchObject({ ok: true, duplicate: false });
    expect(await fac.command('message', { text: 'hello' }, ck)).toMatchObject({ ok: true, duplicate: true });
    await host.idle();
    const events = await srv.running.manager.store.listEvents(created.id);
    expect(events.filter((e) => e.type === 'action')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'message' && e.source === 'facilitator')).toHaveLength(1);
    expect(players.blue.events.filter((e) => e.type === 'action')).toHaveLength(1);
  });

  it('rate-limits a burst of 50 messages without dropping an acknowledgement or applying a refused one', async () => {
    const srv = await server();
    const { created, fac, players, host } = await gameDay(srv, ['blue'], 20);
    await fac.command('start');
    await host.idle();
    const before = (await srv.running.manager.store.listInputs(created.id)).length;
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) => players.blue.act({ action: 'hypothesis', text: `guess ${i}` })),
    );
    const accepted = replies.filter((r) => r.ok);
    const limited = replies.filter((r) => !r.ok);
    expect(replies).toHaveLength(50);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expect(accepted.length).toBeGreaterThanOrEqual(30);
    for (const r of limited) expect(r).toMatchObject({ ok: false, error: { code: 'message/rate-limited' } });
    await host.idle();
    const inputs = await srv.running.manager.store.listInputs(created.id);
    expect(inputs.length - before).toBe(accepted.length);
    expect(players.blue.socket.connected).toBe(true);
    // The bucket refills: a second later the same socket is heard again.
    await sleep(1100);
    expect(await players.blue.request('view', {})).toMatchObject({ ok: true });
  });

  it('refuses bad handshakes: unknown code, team or token, missing auth, forbidden keys', async () => {
    const srv = await server();
    const created = await createSession(srv.url, { scenario: 'friday-deploy', teams: ['blue'] });
    expect(await connectError(srv.url, { code: 'ZZZZZZZZZZ', team: 'blue', name: 'Eve' })).toMatchObject({ code: 'auth/unknown-code' });
    expect(await connectError(srv.url, { code: created.joinCode, team: 'green', name: 'Eve' })).toMatchObject({ code: 'auth/unknown-team' });
    expect(await connectError(srv.url, { token: 'x'.repeat(32) })).toMatchObject({ code: 'auth/invalid-token' });
    expect(await connectError(srv.url, {})).toMatchObject({ code: 'auth/missing' });
    expect(await connectError(srv.url, { code: created.joinCode, team: 'blue' })).toMatchObject({ code: 'auth/missing' });
    expect(await connectError(srv.url, JSON.parse(`{"token":"${created.facilitatorToken}","__proto__":{"x":1}}`))).toMatchObject({ code: 'message/forbidden-key' });
    // A join code is case-insensitive and trimmed.
    const ok = await connect(srv, { code: ` ${created.joinCode.toLowerCase()} `, team: 'blue', name: 'Ana' });
    expect(ok.welcome.you.kind).toBe('participant');
  });

  it('rate-limits join-code guessing from one IP, but not a room full of people joining', async () => {
    const srv = await server();
    const created = await createSession(srv.url, { scenario: 'friday-deploy', teams: ['blue', 'red'] });
    // A whole office behind one NAT address joins: nobody is turned away.
    for (let i = 0; i < 14; i++) await connect(srv, { code: created.joinCode, team: i % 2 ? 'red' : 'blue', name: `person ${i}` });
    const codes: string[] = [];
    for (let i = 0; i < 11; i++) codes.push((await connectError(srv.url, { code: `WRONG${String(i).padStart(5, '0')}`, team: 'blue', name: 'Eve' })).code);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill('auth/unknown-code'));
    expect(codes[10]).toBe('auth/rate-limited');
    // While limited, even the right code is refused: guessing must not confirm a hit.
    expect(await connectError(srv.url, { code: created.joinCode, team: 'blue', name: 'Eve' })).toMatchObject({ code: 'auth/rate-limited' });
    // Tokens are not join codes: a facilitator reconnecting is not locked out.
    const fac = await connect(srv, { token: created.facilitatorToken });
    expect(fac.welcome.you.kind).toBe('facilitator');
  });

  it('refuses a foreign Origin and accepts a same-host origin or none', async () => {
    const srv = await server();
    const created = await createSession(srv.url, { scenario: 'friday-deploy' });
    const auth = { token: created.facilitatorToken };
    const refused = await connectError(srv.url, auth, { headers: { origin: 'https://evil.example' } });
    expect(refused.code).toBe('transport');
    const same = await connect(srv, auth, { origin: `http://127.0.0.1:${srv.port}` });
    expect(same.welcome.you.kind).toBe('facilitator');
    const none = await connect(srv, auth);
    expect(none.welcome.you.kind).toBe('facilitator');

    const open = await server({ allowedOrigins: ['https://console.example'] });
    const c2 = await createSession(open.url, { scenario: 'friday-deploy' });
    const listed = await connect(open, { token: c2.facilitatorToken }, { origin: 'https://console.example' });
    expect(listed.welcome.you.kind).toBe('facilitator');
    expect((await connectError(open.url, { token: c2.facilitatorToken }, { headers: { origin: 'https://console.example.evil' } })).code).toBe('transport');
  });
});

describe('reconnection', () => {
  async function setup() {
    const srv = await server();
    const g = await gameDay(srv, ['blue', 'red'], 60);
    await g.fac.command('start');
    await g.players.blue.waitForEvent((e) => e.type === 'deploy', 'the v2.14 deploy');
    return { srv, ...g };
  }

  /** Events the facilitator sends to blue while it is away: visible ones, whatever the simulation does. */
  async function whileAway(fac: TestClient, n: number, tag: string) {
    for (let i = 0; i < n; i++) expect(await fac.command('message', { team: 'blue', text: `${tag} ${i}` })).toMatchObject({ ok: true });
  }

  it('replays every missed event after lastSeq from the handshake: no gap, no duplicate', async () => {
    const { srv, created, fac, players, host } = await setup();
    const blue = players.blue;
    const token = blue.welcome.you.kind === 'participant' ? blue.welcome.you.token : '';
    const had = [...blue.events];
    blue.close();
    await whileAway(fac, 3, 'while you were away');
    await fac.waitForTime(had[had.length - 1].t + 60); // a simulated minute goes by: alerts, pages…
    await host.idle();
    const missed = (await srv.running.manager.store.listEvents(created.id, had[had.length - 1].seq)).filter(visibleTo('blue'));
    expect(missed.filter((e) => e.type === 'message').length).toBeGreaterThanOrEqual(3);

    const back = await connect(srv, { token, lastSeq: had[had.length - 1].seq });
    expect(back.welcome.you).toMatchObject({ kind: 'participant', participant: { team: 'blue' } });
    await back.waitFor(() => back.events.length >= missed.length || undefined, 'the replay');
    expect(back.events.slice(0, missed.length)).toEqual(missed);
    await whileAway(fac, 1, 'welcome back');
    await back.waitForEvent((e) => e.type === 'message' && e.text === 'welcome back 0', 'a live event after the replay');
    await host.idle();
    const all = [...had, ...back.events];
    expect(isStrictlyIncreasing(all.map((e) => e.seq))).toBe(true);
    const log = (await srv.running.manager.store.listEvents(created.id)).filter(visibleTo('blue')).filter((e) => e.seq <= back.lastSeq);
    expect(all).toEqual(log);
    expectParticipantInvariants(back, 'blue');
  });

  it('replays missed events on a `resume` message, once, with live events in between', async () => {
    const { srv, created, fac, players, host } = await setup();
    const blue = players.blue;
    const token = blue.welcome.you.kind === 'participant' ? blue.welcome.you.token : '';
    const had = [...blue.events];
    blue.close();
    await whileAway(fac, 3, 'missed');
    await host.idle();
    // A lastSeq beyond the log asks for no replay on connecting: the client will ask itself.
    const back = await connect(srv, { token, lastSeq: Number.MAX_SAFE_INTEGER });
    const head = back.welcome.lastSeq;
    expect(back.events.filter((e) => e.seq <= head)).toEqual([]);
    // Live events arrive before the client gets round to asking.
    await whileAway(fac, 2, 'live');
    await back.waitForEvent((e) => e.type === 'message' && e.text === 'live 1', 'live events');
    const r = await back.request<{ replayed: number; lastSeq: number }>('resume', { after: had[had.length - 1].seq });
    if (!r.ok) throw new Error(r.error.message);
    await host.idle();
    const missed = (await srv.running.manager.store.listEvents(created.id, had[had.length - 1].seq)).filter(visibleTo('blue')).filter((e) => e.seq <= head);
    expect(r.replayed).toBe(missed.length);
    expect(missed.filter((e) => e.type === 'message').map((e) => e.type === 'message' && e.text)).toEqual(['missed 0', 'missed 1', 'missed 2']);
    const replayed = back.events.filter((e) => e.seq <= head);
    expect(replayed).toEqual(missed);
    // Asking again sends nothing twice.
    const again = await back.request<{ replayed: number }>('resume', { after: had[had.length - 1].seq });
    expect(again).toMatchObject({ ok: true, replayed: 0 });
    const seqs = [...had, ...back.events].map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    const all = [...had, ...back.events].sort((a, b) => a.seq - b.seq);
    const log = (await srv.running.manager.store.listEvents(created.id)).filter(visibleTo('blue')).filter((e) => e.seq <= back.lastSeq);
    expect(all).toEqual(log);
  });

  it('after a restart, two clients loading an ended session at once share one authority', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firedrill-it-'));
    try {
      const before = await startTestServer({ dataDir: dir });
      const created = await createSession(before.url, { scenario: 'friday-deploy', speed: 60 });
      const fac = await TestClient.connect(before.url, { token: created.facilitatorToken });
      await fac.command('start');
      expect(await fac.command('end', { reason: 'enough' })).toMatchObject({ ok: true });
      await fac.waitForEvent((e) => e.type === 'session.ended', 'the end');
      fac.close();
      await before.close();

      const srv = await server({ dataDir: dir });
      // Ended sessions are not recovered at start: the first to ask loads it, and askers at once share it.
      const [h1, h2] = await Promise.all([srv.running.manager.get(created.id), srv.running.manager.get(created.id)]);
      expect(h1).toBe(h2);
      const [a, b] = await Promise.all([connect(srv, { token: created.facilitatorToken }), connect(srv, { token: created.facilitatorToken })]);
      expect(a.welcome.phase).toBe('ended');
      expect(await a.command('reveal-scores')).toMatchObject({ ok: true });
      expect(await b.command('reveal-scores')).toMatchObject({ ok: true });
      for (const c of [a, b]) {
        const revealed = await c.waitFor(() => { const r = c.events.filter((e) => e.type === 'scores.revealed'); return r.length === 2 ? r : undefined; }, 'both reveals', 3000);
        expect(revealed[1].seq).toBe(revealed[0].seq + 1);
      }
      const stored = await srv.running.manager.store.listEvents(created.id);
      expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i + 1));
      expect(stored.filter((e) => e.type === 'scores.revealed')).toHaveLength(2);
      await srv.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a facilitator reconnecting with lastSeq 0 gets the whole log', async () => {
    const { srv, created, fac, host } = await setup();
    await host.idle();
    const again = await connect(srv, { token: created.facilitatorToken, lastSeq: 0 });
    const stored = await srv.running.manager.store.listEvents(created.id);
    await again.waitFor(() => again.events.length >= stored.length || undefined, 'the whole log');
    expect(again.events.slice(0, stored.length)).toEqual(stored);
    expect(isStrictlyIncreasing(again.events.map((e) => e.seq))).toBe(true);
    expect(fac.socket.connected).toBe(true);
  });
});
