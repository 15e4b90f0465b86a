// A practice drill over the real server: created with `practice: true`, a participant asks for
// hints over the socket, the paged team's bot acknowledges, the drill ends, and "my practice"
// lists it with its score and the streak — proven by the participant token, not by a name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayHeadless, startTestServer, TestClient, type TestServer } from '../helpers/live.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

async function post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(srv.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

type Created = { id: string; joinCode: string; facilitatorToken: string };

describe('practice sessions over REST and socket.io', () => {
  it('plays a practice drill end to end and lists it in my practice with the streak', async () => {
    const created = await post<Created>('/api/sessions', { scenario: 'expired-cert', teams: ['practice'], speed: 60, seed: 42, practice: true });
    expect(created.status).toBe(201);
    const { id, joinCode, facilitatorToken } = created.body;
    const fac = await TestClient.connect(srv.url, { token: facilitatorToken });
    const me = await TestClient.connect(srv.url, { code: joinCode, team: 'practice', name: 'Alex', role: 'incident-commander' });
    // Practice mode is the session's first input, announced to everyone with the hints on offer.
    const practice = await me.waitForEvent((e) => e.type === 'session.practice', 'session.practice');
    expect(practice).toMatchObject({ seq: 1, hints: [{ id: 'hint-calm-callee', cost: 5 }, { id: 'hint-x509', cost: 10 }], askEvery: 240 });
    expect((await srv.running.manager.store.listInputs(id)).map((i) => i.input)).toEqual([{ kind: 'facilitator', at: 0, command: 'practice' }]);

    // Before the start, and for another team, a hint is refused; the player still cannot start.
    expect(await me.command('request-hint')).toMatchObject({ ok: false, error: { code: 'session/wrong-phase' } });
    expect(await me.command('start')).toMatchObject({ ok: false, error: { code: 'auth/forbidden' } });
    expect(await fac.command('start')).toMatchObject({ ok: true });
    expect(await me.command('request-hint', { team: 'other' })).toMatchObject({ ok: false, error: { code: 'auth/forbidden', message: 'you can only ask for hints for your own team' } });

    expect(await me.act({ action: 'declare', severity: 'SEV1', summary: 'checkout fails: orders cannot reach payments', services: ['payments'] })).toMatchObject({ ok: true });
    expect(await me.act({ action: 'page', oncall: 'commerce', reason: 'orders failing' })).toMatchObject({ ok: true, result: { ok: true } });
    expect(await me.command('request-hint')).toEqual({ ok: true, effect: 'hint hint-calm-callee (−5 points)', duplicate: false });
    const hint = await me.waitForEvent((e) => e.type === 'hint.released', 'the hint');
    expect(hint).toMatchObject({ team: 'practice', hint: 'hint-calm-callee', cost: 5, source: 'requested' });
    const ack = (await me.waitForEvent((e) => e.type === 'page.acknowledged', 'the bot acknowledging', 15_000)) as Extract<SessionEvent, { type: 'page.acknowledged' }>;
    const page = me.events.find((e) => e.type === 'page' && e.oncall === 'commerce')!;
    expect(ack).toMatchObject({ oncall: 'commerce', name: 'Ana Ribeiro (primary)' });
    // 76 s after the page (seed 42), landing on the first whole tick at or after it.
    expect(ack.t - page.t).toBeGreaterThanOrEqual(76);
    expect(ack.t - page.t).toBeLessThan(77);

    expect(await me.act({ action: 'renew-cert', service: 'payments' })).toMatchObject({ ok: true, result: { ok: true } });
    await me.waitForEvent((e) => e.type === 'fault.cleared' || e.type === 'action.completed', 'the renewal', 15_000);
    expect(await me.act({ action: 'status-update', audience: 'external', text: 'Condition: checkout failed for customers. Actions: we renewed the payments certificate. Next update: none needed.' })).toMatchObject({ ok: true });
    expect(await me.act({ action: 'resolve', summary: 'renewed the expired payments mTLS certificate' })).toMatchObject({ ok: true, result: { ok: true } });
    await me.waitForEvent((e) => e.type === 'session.ended', 'the end', 15_000);
    // A restart rebuilds the drill from its stored inputs: practice mode, the bots' words and the
    // hint come back identical (the replay ends with the last input, the resolve, which ends the drill).
    const store = srv.running.manager.store;
    const replayed = replayHeadless((await store.getSession(id))!, await store.listInputs(id));
    expect(replayed.practice).toBe(true);
    expect(JSON.stringify(replayed.events)).toBe(JSON.stringify(await store.listEvents(id)));

    const score = (await (await fetch(`${srv.url}/api/sessions/${id}/score`, { headers: { authorization: `Bearer ${facilitatorToken}` } })).json()) as { teams: { team: string; total: number; hints: { count: number; cost: number } }[] };
    const mine = score.teams.find((t) => t.team === 'practice')!;
    expect(mine.hints).toEqual({ count: 1, cost: 5 });

    const token = me.welcome.you.kind === 'participant' ? me.welcome.you.token : '';
    const stranger = 'x'.repeat(32);
    const today = new Date().toISOString().slice(0, 10);
    const history = await post<{ drills: { sessionId: string; name: string; total: number; hints: unknown; day: string; outcome: string }[]; streak: unknown; best: number; unknown: string[]; today: string }>(
      '/api/practice/history', { tokens: [token, stranger], name: 'Alex', today, utcOffsetMinutes: 0 },
    );
    expect(history.status).toBe(200);
    expect(history.body.drills).toEqual([expect.objectContaining({ sessionId: id, name: 'Alex', total: mine.total, hints: { count: 1, cost: 5 }, day: today, outcome: 'resolved' })]);
    expect(history.body.streak).toEqual({ current: 1, longest: 1 });
    expect(history.body.best).toBe(mine.total);
    expect(history.body.unknown).toEqual([stranger]);
    // Another name on the same browser sees nothing of Alex's; a name without the token sees nothing at all.
    expect((await post<{ drills: unknown[] }>('/api/practice/history', { tokens: [token], name: 'Sam' })).body.drills).toEqual([]);
    expect((await post<{ drills: unknown[] }>('/api/practice/history', { tokens: [stranger], name: 'Alex' })).body.drills).toEqual([]);
    expect((await post<{ code: string }>('/api/practice/history', { tokens: [] })).body.code).toBe('request/invalid');
    fac.close();
    me.close();
  }, 60_000);

  it('refuses hints on demand in a game day', async () => {
    const created = await post<Created>('/api/sessions', { scenario: 'expired-cert', teams: ['blue'], speed: 10 });
    const fac = await TestClient.connect(srv.url, { token: created.body.facilitatorToken });
    const blue = await TestClient.connect(srv.url, { code: created.body.joinCode, team: 'blue', name: 'Bo' });
    await fac.command('start');
    expect(await blue.command('request-hint')).toEqual({ ok: false, error: { code: 'hint/not-practice', message: 'hints on demand are for practice sessions; in a game day the facilitator releases hints' } });
    expect(blue.events.some((e) => e.type === 'session.practice')).toBe(false);
    fac.close();
    blue.close();
  });
});
