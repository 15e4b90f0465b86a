// Ended sessions leave memory once nobody follows them: a server that runs game days for months
// must not keep every session it ever ran. Whatever is asked for later is rebuilt from the store,
// the same as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLibrary } from '../../server/library/fs.ts';
import { SessionManager, type LibraryView } from '../../server/live/manager.ts';
import { createMemoryStore } from '../../server/store/memory.ts';
import { TestClient, createSession, key, sleep, startTestServer, type TestServer } from '../helpers/live.ts';

let view: LibraryView;
beforeAll(async () => {
  const lib = await readLibrary(new URL('../../scenarios/', import.meta.url).pathname);
  view = { scenario: (id) => lib.scenarios.get(id)?.spec, workload: (id) => lib.workloads.get(id), runbooks: () => [...lib.runbooks.values()] };
});

async function playedAndEnded(m: SessionManager, clock: { now: number }) {
  const c = await m.createSession({ scenario: 'friday-deploy', seed: 3, teams: ['blue'], speed: 10 });
  if ('error' in c) throw new Error(c.error.message);
  const host = (await m.get(c.id))!;
  await host.command({ command: 'start' }, 'start');
  clock.now += 12_000; // 120 simulated seconds
  await host.advance();
  await host.submitAction('blue', { action: 'declare', severity: 'SEV2', summary: 'orders slow', services: ['orders'] }, 'declare');
  await host.command({ command: 'end', reason: 'drill over' }, 'end');
  await host.idle();
  return { id: c.id, host };
}

describe('SessionManager.sweep', () => {
  it('drops an ended session after the TTL since it was last asked for, and rebuilds the same one on demand', async () => {
    const clock = { now: 1_700_000_000_000 };
    const m = new SessionManager({ store: createMemoryStore(), library: view, now: () => clock.now, endedTtlMs: 60_000 });
    const dropped: string[] = [];
    m.onUnload((id) => dropped.push(id));
    const { id, host } = await playedAndEnded(m, clock);
    const running = await m.createSession({ scenario: 'friday-deploy', seed: 4, teams: ['red'], speed: 1 });
    if ('error' in running) throw new Error(running.error.message);
    await (await m.get(running.id))!.command({ command: 'start' }, 'start-2');
    expect(host.phase).toBe('ended');

    clock.now += 59_000;
    expect(m.sweep()).toBe(0);
    // Asking for it counts as a use: the TTL starts again.
    expect(await m.get(id)).toBe(host);
    clock.now += 59_000;
    expect(m.sweep()).toBe(0);
    clock.now += 2_000;
    expect(m.sweep()).toBe(1);
    expect(dropped).toEqual([id]);
    // The running session (and nothing else) is still loaded, however long it has run.
    expect(m.loaded().map((h) => h.id)).toEqual([running.id]);
    clock.now += 3_600_000;
    expect(m.sweep()).toBe(0);

    const again = (await m.get(id))!;
    expect(again).not.toBe(host);
    expect(again.phase).toBe('ended');
    expect(JSON.stringify(again.session.events)).toBe(JSON.stringify(host.session.events));
    expect(again.session.events.some((e) => e.type === 'action')).toBe(true);
    // Rebuilt from the store's copy of the record, it shares the library's scenario, workload
    // and runbooks again (as a created session does) instead of holding parsed copies.
    expect(host.record.scenario).toBe(view.scenario('friday-deploy'));
    expect(again.record.scenario).toBe(view.scenario('friday-deploy'));
    expect(again.record.workload).toBe(view.workload(again.record.scenario.workload));
    expect(again.record.runbooks.every((r, i) => r === view.runbooks()[i])).toBe(true);
    expect(again.record.runbooks.length).toBeGreaterThan(0);
  });

  it('keeps the stored copy of a scenario that has changed in the library since the session ran', async () => {
    const clock = { now: 1_700_000_000_000 };
    const store = createMemoryStore();
    const m = new SessionManager({ store, library: view, now: () => clock.now, endedTtlMs: 60_000 });
    const { id, host } = await playedAndEnded(m, clock);
    const edited = { ...view.scenario('friday-deploy')!, title: 'Friday deploy (edited after the game day)' };
    const later = new SessionManager({ store, library: { ...view, scenario: (sid) => (sid === 'friday-deploy' ? edited : view.scenario(sid)) }, now: () => clock.now });
    const again = (await later.get(id))!;
    expect(again.record.scenario).not.toBe(edited);
    expect(again.record.scenario.title).toBe(host.record.scenario.title);
    expect(JSON.stringify(again.session.events)).toBe(JSON.stringify(host.session.events));
  });

  it('keeps an ended session that a socket follows, whatever its age', async () => {
    const clock = { now: 1_700_000_000_000 };
    const m = new SessionManager({ store: createMemoryStore(), library: view, now: () => clock.now, endedTtlMs: 60_000 });
    const { id, host } = await playedAndEnded(m, clock);
    let followed = true;
    m.isInUse = (sid) => sid === id && followed;
    clock.now += 24 * 3_600_000;
    expect(m.sweep()).toBe(0);
    expect(m.loaded()).toContain(host);
    followed = false;
    expect(m.sweep()).toBe(1);
    expect(m.loaded()).not.toContain(host);
  });
});

describe('a live server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ endedSessionTtlMs: 300 });
  });
  afterAll(() => server?.close());

  it('lets go of an ended game day when its last socket leaves, and serves it whole to the next', async () => {
    const created = await createSession(server.url, { scenario: 'friday-deploy', teams: ['blue'], seed: 9, speed: 30 });
    const fac = await TestClient.connect(server.url, { token: created.facilitatorToken });
    const ana = await TestClient.connect(server.url, { code: created.joinCode, team: 'blue', name: 'ana' });
    expect(await fac.command('start', {}, key())).toMatchObject({ ok: true });
    await ana.waitForTime(30, 10_000);
    const acted = await ana.request<{ seq: number }>('action', { key: key(), action: { action: 'declare', severity: 'SEV2', summary: 'orders slow', services: ['orders'] } });
    expect(acted.ok).toBe(true);
    expect(await fac.command('end', { reason: 'done' }, key())).toMatchObject({ ok: true });
    await fac.waitForEvent((e) => e.type === 'session.ended', 'session.ended', 5000);
    const loaded = () => server.running.manager.loaded().some((h) => h.id === created.id);

    // Followed by two sockets: kept well past the TTL.
    await sleep(1200);
    expect(loaded()).toBe(true);
    fac.socket.close();
    await sleep(1200);
    expect(loaded()).toBe(true); // ana is still there
    ana.socket.close();
    const t0 = Date.now();
    while (loaded() && Date.now() - t0 < 5000) await sleep(50);
    expect(loaded()).toBe(false);

    // The report and the log come from the store; a new socket gets the whole log, and the game
    // day's last command (scores revealed) reaches it: the rebuilt session is wired to the rooms.
    const res = await fetch(`${server.url}/api/sessions/${created.id}/events`, { headers: { authorization: `Bearer ${created.facilitatorToken}` } });
    expect(res.status).toBe(200);
    const stored = (await res.json()) as { events: { seq: number }[] };
    const back = await TestClient.connect(server.url, { token: created.facilitatorToken });
    await back.waitFor(() => back.events.length >= stored.events.length || undefined, 'the replay', 5000);
    expect(back.events.map((e) => e.seq)).toEqual(stored.events.map((e) => e.seq));
    expect(await back.command('reveal-scores', {}, key())).toMatchObject({ ok: true });
    await back.waitForEvent((e) => e.type === 'scores.revealed', 'scores.revealed', 5000);
    back.socket.close();
  });
});
