// A client that moves to a cluster node whose copy of the session's log is behind what the client
// has already seen (its old node died, or relayed faster) must not get those events a second time
// when the copy catches up. In-process: the owner is a plain SessionManager; the "other node" is a
// second manager whose cluster hooks hand sockets a SessionHandle (server/cluster/handle.ts) fed by
// the test, over the same store — the way a real node's handle is fed by Redis and PostgreSQL.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Server } from 'socket.io';
import pino from 'pino';
import { readLibrary } from '../../server/library/fs.ts';
import { SessionManager, type LibraryView } from '../../server/live/manager.ts';
import { createMemoryStore } from '../../server/store/memory.ts';
import { SessionHandle, stateOf } from '../../server/cluster/handle.ts';
import type { ClusterHooks } from '../../server/cluster/types.ts';
import { attachGateway, type FiredrillServer } from '../../server/realtime/gateway.ts';
import type { SessionHost } from '../../server/live/host.ts';
import { TestClient, isStrictlyIncreasing } from '../helpers/live.ts';

let view: LibraryView;
beforeAll(async () => {
  const lib = await readLibrary(new URL('../../scenarios/', import.meta.url).pathname);
  view = { scenario: (id) => lib.scenarios.get(id)?.spec, workload: (id) => lib.workloads.get(id), runbooks: () => [...lib.runbooks.values()] };
});

const closers: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

/** An owner with a running session that has `events` stored, and a second node whose copy stops at `copyUpTo`. */
async function setUp(copyUpTo: number) {
  let now = 1_700_000_000_000;
  const store = createMemoryStore();
  const owner = new SessionManager({ store, library: view, now: () => now });
  const created = await owner.createSession({ scenario: 'friday-deploy', seed: 5, teams: ['blue'], speed: 10 });
  if ('error' in created) throw new Error(created.error.message);
  const host = (await owner.get(created.id))!;
  expect((await host.command({ command: 'start' }, 'start-1')).result.ok).toBe(true);
  now += 30_000; // 300 simulated seconds: the deploy, its alerts, the first symptoms
  await host.advance();
  const stored = await store.listEvents(created.id);

  const handle = new SessionHandle((await store.getSession(created.id))!, {
    listEvents: (id, after, limit) => store.listEvents(id, after, limit),
    call: () => Promise.reject(new Error('not used here')),
    onError: (err) => {
      throw err;
    },
  });
  await handle.init({ st: stateOf(host), seq: copyUpTo, frames: [] });
  const hooks: ClusterHooks = {
    fence: () => null,
    created: async () => undefined,
    load: async () => undefined,
    open: async (id) => (id === handle.id ? handle : undefined),
    presence: async (_id, local) => new Set(local),
    status: () => ({ node: 'n2', redis: 'ok', database: 'ok', sessionsOwned: 0 }),
    touched: () => undefined,
    unloaded: () => undefined,
    haltAll: async () => 0,
    releaseAll: async () => undefined,
  };
  const front = new SessionManager({ store, library: view, now: () => now });
  front.cluster = hooks;

  const http: HttpServer = createServer();
  const io: FiredrillServer = new Server(http, { serveClient: false });
  const gateway = attachGateway(io, { manager: front, logger: pino({ level: 'silent' }), allowedOrigins: ['*'] });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  closers.push(async () => {
    gateway.close();
    await new Promise<void>((resolve) => io.close(() => resolve()));
  });
  /** What the owner's feed brings next: everything it has published, as one message. */
  const feed = (h: SessionHost) => handle.onFeed({ k: 'ev', seq: h.published, st: stateOf(h), events: h.session.events.slice() });
  return { created, host, stored, handle, url, feed, advance: async (ms: number) => ((now += ms), await host.advance()) };
}

describe('a client that has seen more than this node\u2019s copy of the log', () => {
  it('gets what comes after its lastSeq once, not the events it already had when the copy catches up', async () => {
    const { created, host, stored, handle, url, feed, advance } = await setUp(3);
    expect(stored.length).toBeGreaterThan(12);
    expect(handle.published).toBe(3);
    const seen = stored.length - 4; // it had these from the node that died

    const fac = await TestClient.connect(url, { token: created.facilitatorToken, lastSeq: seen });
    closers.push(() => void fac.socket.close());
    // The copy reached what the client had seen before the welcome: nothing older comes live later.
    expect(fac.welcome.lastSeq).toBeGreaterThanOrEqual(seen);
    feed(host); // the relay of the owner's events that were on their way
    await advance(10_000);
    feed(host);
    const last = host.published;
    expect(last).toBeGreaterThan(stored.length);
    await fac.waitFor(() => fac.events.at(-1)?.seq === last || undefined, `event ${last}`, 5000);

    const seqs = fac.events.map((e) => e.seq);
    expect(isStrictlyIncreasing(seqs)).toBe(true);
    expect(seqs[0]).toBe(seen + 1);
    expect(seqs).toEqual(Array.from({ length: last - seen }, (_, i) => seen + 1 + i));
  });

  it('is replayed from the copy as usual when the copy is ahead of it', async () => {
    const { created, stored, handle, url } = await setUp(Number.MAX_SAFE_INTEGER);
    expect(handle.published).toBe(stored.length);
    const fac = await TestClient.connect(url, { token: created.facilitatorToken, lastSeq: 5 });
    closers.push(() => void fac.socket.close());
    await fac.waitFor(() => fac.events.length === stored.length - 5 || undefined, 'the replay', 5000);
    expect(fac.events.map((e) => e.seq)).toEqual(stored.slice(5).map((e) => e.seq));
  });
});
