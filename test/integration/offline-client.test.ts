// A participant whose client is offline for a whole real minute while the game day runs on at ×1:
// the scenario's deploy lands, the facilitator messages the teams, a teammate and the other team
// act. On return (the same socket.io client reconnecting with its token and lastSeq, as the
// protocol says) it must receive every event it missed, in order, with no gap and no duplicate:
// exactly the events of the store's log that a participant of its team may see.
import { afterAll, describe, expect, it } from 'vitest';
import { VISIBLE_EVENTS } from '../../server/engine/session/view.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import { TestClient, createSession, isStrictlyIncreasing, sleep, startTestServer, type TestServer } from '../helpers/live.ts';

const OFFLINE_MS = 60_000;

let srv: TestServer | undefined;
const clients: TestClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  await srv?.close();
});

const visibleTo = (team: string) => (e: SessionEvent) => (e.team === undefined || e.team === team) && VISIBLE_EVENTS.has(e.type);

describe('a client offline for 60 s', () => {
  it('gets every missed event on return, in order, without a gap or a duplicate', async () => {
    srv = await startTestServer();
    const created = await createSession(srv.url, { scenario: 'friday-deploy', teams: ['blue', 'red'], speed: 1, seed: 11 });
    const connect = async (auth: Parameters<typeof TestClient.connect>[1]) => {
      const c = await TestClient.connect(srv!.url, auth);
      clients.push(c);
      return c;
    };
    const fac = await connect({ token: created.facilitatorToken });
    const ana = await connect({ code: created.joinCode, team: 'blue', name: 'Ana', role: 'incident-commander' });
    const bo = await connect({ code: created.joinCode, team: 'blue', name: 'Bo' });
    const rex = await connect({ code: created.joinCode, team: 'red', name: 'Rex' });
    const token = (ana.welcome.you as { token: string }).token;

    expect(await fac.command('start')).toMatchObject({ ok: true });
    await ana.waitForEvent((e) => e.type === 'session.phase' && e.phase === 'running', 'the start');
    expect(await ana.act({ action: 'observe', service: 'orders' })).toMatchObject({ ok: true, result: { ok: true } });
    await ana.waitForEvent((e) => e.type === 'action' && e.actor === 'Ana', 'her own action');

    // Offline: the client goes away (its last seq is what it will send on return).
    const seenBefore = ana.events.length;
    const lastSeqBefore = ana.lastSeq;
    ana.socket.disconnect();
    const wentOffline = performance.now();

    // Meanwhile, at ×1: the deploy at T+30 (the scenario), messages, a teammate, the other team.
    const meanwhile = (async () => {
      await sleep(5_000);
      expect(await fac.command('message', { text: 'Support: customers report slow checkout' })).toMatchObject({ ok: true });
      expect(await bo.act({ action: 'declare', severity: 'SEV3', summary: 'checkout slow', services: ['orders'] })).toMatchObject({ ok: true, result: { ok: true } });
      expect(await rex.act({ action: 'observe', service: 'payments' })).toMatchObject({ ok: true, result: { ok: true } });
      await sleep(20_000);
      expect(await bo.act({ action: 'status-update', audience: 'internal', text: 'Condition: checkout slow. Actions: looking at orders. Needs: none' })).toMatchObject({ ok: true });
      expect(await fac.command('message', { text: 'Only for red', team: 'red' })).toMatchObject({ ok: true });
      expect(await rex.act({ action: 'declare', severity: 'SEV2', summary: 'red sees it too' })).toMatchObject({ ok: true });
      await sleep(15_000);
      expect(await bo.act({ action: 'hypothesis', text: 'the v2.14 deploy' })).toMatchObject({ ok: true });
      expect(await fac.command('message', { text: 'Everyone: next update in 10 minutes', team: 'blue' })).toMatchObject({ ok: true });
    })();
    await meanwhile;
    await sleep(Math.max(0, OFFLINE_MS - (performance.now() - wentOffline)));
    expect(ana.events.length, 'nothing arrives while offline').toBe(seenBefore);

    // What happened while she was away, from the store.
    const host = (await srv.running.manager.get(created.id))!;
    await host.idle();
    const missedInStore = (await srv.running.manager.store.listEvents(created.id)).filter((e) => e.seq > lastSeqBefore);
    expect(missedInStore.some((e) => e.type === 'deploy' && e.team === 'blue' && e.t === 30), 'the scenario deploy at T+30 happened meanwhile').toBe(true);
    expect(missedInStore.some((e) => e.type === 'action' && e.team === 'red'), 'the other team acted meanwhile').toBe(true);
    expect(missedInStore.filter(visibleTo('blue')).length).toBeGreaterThanOrEqual(6);

    // Back: the same client reconnects as herself, with the last seq she holds.
    ana.socket.auth = { token, lastSeq: ana.lastSeq };
    ana.socket.connect();
    await ana.waitFor(() => ana.welcomes.length === 2 || undefined, 'the second welcome');
    expect(ana.welcomes[1].you).toMatchObject({ kind: 'participant', participant: { name: 'Ana', team: 'blue' } });
    const offlineMs = performance.now() - wentOffline;

    // Stop the clock so the log holds still, and wait for the pause to reach her.
    expect(await fac.command('pause', { reason: 'check' })).toMatchObject({ ok: true });
    await ana.waitForEvent((e) => e.type === 'session.phase' && e.phase === 'paused', 'the pause');
    await host.idle();
    const stored = await srv.running.manager.store.listEvents(created.id);

    const expected = stored.filter(visibleTo('blue'));
    expect(isStrictlyIncreasing(ana.events.map((e) => e.seq)), 'no duplicate, in order').toBe(true);
    expect(ana.events.map((e) => e.seq)).toEqual(expected.map((e) => e.seq));
    expect(JSON.stringify(ana.events)).toBe(JSON.stringify(expected));
    const replayed = ana.events.slice(seenBefore).filter((e) => e.seq <= ana.welcomes[1].lastSeq);
    expect(replayed.map((e) => e.seq)).toEqual(missedInStore.filter(visibleTo('blue')).filter((e) => e.seq <= ana.welcomes[1].lastSeq).map((e) => e.seq));
    expect(replayed.some((e) => e.type === 'message' && e.text === 'Support: customers report slow checkout')).toBe(true);
    expect(ana.events.some((e) => e.type === 'message' && e.text === 'Only for red')).toBe(false);
    expect(ana.events.some((e) => e.team === 'red')).toBe(false);
    console.log(`offline for ${(offlineMs / 1000).toFixed(1)} s: ${replayed.length} missed events replayed on return (${missedInStore.length} in the log meanwhile, all teams)`);
  }, 100_000);
});
