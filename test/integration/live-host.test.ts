// The session host: inputs persisted before they are applied, duplicates refused, and a session
// rebuilt from its stored inputs equal to the one that ran.
import { beforeAll, describe, expect, it } from 'vitest';
import { readLibrary } from '../../server/library/fs.ts';
import type { Library } from '../../server/engine/scenario/library.ts';
import { SessionManager, type LibraryView } from '../../server/live/manager.ts';
import { createMemoryStore } from '../../server/store/memory.ts';

let lib: Library;
let view: LibraryView;
beforeAll(async () => {
  lib = await readLibrary(new URL('../../scenarios/', import.meta.url).pathname);
  view = { scenario: (id) => lib.scenarios.get(id)?.spec, workload: (id) => lib.workloads.get(id), runbooks: () => [...lib.runbooks.values()] };
});

function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('SessionHost', () => {
  it('maps wall time to simulated time at the session speed, and pauses', async () => {
    const clock = fakeClock();
    const m = new SessionManager({ store: createMemoryStore(), library: view, now: clock.now });
    const c = await m.createSession({ scenario: 'friday-deploy', seed: 1, teams: ['blue', 'red'], speed: 10 });
    if ('error' in c) throw new Error(c.error.message);
    const host = (await m.get(c.id))!;
    expect(host.phase).toBe('lobby');
    expect((await host.command({ command: 'start' }, 'start-key-1')).result.ok).toBe(true);
    clock.advance(6_000); // 6 s of wall time at ×10 = 60 simulated seconds
    await host.advance();
    expect(host.session.t).toBe(60);
    await host.command({ command: 'pause' }, 'pause-key-1');
    clock.advance(60_000);
    await host.advance();
    expect(host.session.t).toBe(60);
    await host.command({ command: 'resume' }, 'resume-key-1');
    clock.advance(1_000);
    await host.advance();
    expect(host.session.t).toBe(70);
  });

  it('applies an action once per idempotency key and persists it before the events', async () => {
    const clock = fakeClock();
    const store = createMemoryStore();
    const m = new SessionManager({ store, library: view, now: clock.now });
    const c = await m.createSession({ scenario: 'friday-deploy', seed: 1, teams: ['blue'] });
    if ('error' in c) throw new Error(c.error.message);
    const host = (await m.get(c.id))!;
    await host.command({ command: 'start' }, 'start-key-1');
    clock.advance(30_000);
    const first = await host.submitAction('blue', { action: 'assign-role', role: 'incident-commander', person: 'Ana' }, 'action-key-1');
    const again = await host.submitAction('blue', { action: 'assign-role', role: 'incident-commander', person: 'Ana' }, 'action-key-1');
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(again.result).toEqual(first.result);
    const inputs = await store.listInputs(c.id);
    expect(inputs.map((i) => [i.seq, i.key, i.input.at])).toEqual([[1, 'start-key-1', 0], [2, 'action-key-1', 30]]);
    const events = await store.listEvents(c.id);
    expect(events.filter((e) => e.type === 'action')).toHaveLength(1);
    expect(events.map((e) => e.seq)).toEqual(host.session.events.map((e) => e.seq));
  });

  it('rebuilds a session from its inputs: the same events as before the crash, then paused where they stop', async () => {
    const clock = fakeClock();
    const store = createMemoryStore();
    const m = new SessionManager({ store, library: view, now: clock.now });
    const c = await m.createSession({ scenario: 'friday-deploy', seed: 5, teams: ['blue'] });
    if ('error' in c) throw new Error(c.error.message);
    const host = (await m.get(c.id))!;
    await host.command({ command: 'start' }, 'start-key-1');
    const script: [number, object][] = [
      [40_000, { action: 'assign-role', role: 'incident-commander', person: 'Ana' }],
      [190_000, { action: 'observe', service: 'orders' }],
      [240_000, { action: 'acknowledge', alert: 'OrdersLatencyHigh' }],
      [300_000, { action: 'rollback', service: 'orders' }],
    ];
    let k = 0;
    for (const [at, action] of script) {
      clock.advance(at - (clock.now() - 1_700_000_000_000));
      await host.advance();
      await host.submitAction('blue', action as never, `key-${++k}-xxxxxx`);
    }
    const lastInputT = host.session.t;
    clock.advance(20_000);
    await host.advance();
    // Clock steps after the last input were persisted and published too: clients hold their seqs.
    const before = [...host.session.events];
    expect(before[before.length - 1].t).toBeGreaterThan(lastInputT);

    // A new manager on the same store: the server restarted.
    const m2 = new SessionManager({ store, library: view, now: clock.now });
    expect(await m2.recover()).toBe(1);
    const back = (await m2.get(c.id))!;
    expect(back.phase).toBe('paused');
    expect(back.session.t).toBe(before[before.length - 1].t);
    const replayed = back.session.events.filter((e) => e.type !== 'session.phase' || e.phase !== 'paused');
    expect(JSON.stringify(replayed.slice(0, before.length))).toBe(JSON.stringify(before));
    const stored = await store.listEvents(c.id);
    expect(stored.length).toBe(back.session.events.length);
  });

  it('halt-all halts every running session and refuses starts until released', async () => {
    const clock = fakeClock();
    const m = new SessionManager({ store: createMemoryStore(), library: view, now: clock.now });
    const a = await m.createSession({ scenario: 'friday-deploy', seed: 1 });
    const b = await m.createSession({ scenario: 'expired-cert', seed: 1 });
    if ('error' in a || 'error' in b) throw new Error('create failed');
    const ha = (await m.get(a.id))!;
    const hb = (await m.get(b.id))!;
    await ha.command({ command: 'start' }, 'start-a-key');
    expect(await m.haltAll('drill gone wrong')).toBe(1);
    expect(ha.phase).toBe('halted');
    expect((await hb.command({ command: 'start' }, 'start-b-key')).result).toMatchObject({ ok: false, code: 'server/halted-all' });
    m.releaseAll();
    expect((await hb.command({ command: 'start' }, 'start-b-key2')).result.ok).toBe(true);
  });
});
