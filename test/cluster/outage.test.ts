// Two nodes through outages of their own: a throwaway redis-server that the test kills and starts
// again on the same port, and a TCP proxy in front of PostgreSQL that the test cuts and restores
// (the shared Redis and PostgreSQL are never touched). The nodes say so in /readyz and in their
// logs, recover by themselves, and lose no acknowledged action.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../../server/store/postgres.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import { createSession, isStrictlyIncreasing, replayHeadless } from '../helpers/live.ts';
import { CuttableProxy, PG_URL, Roamer, ThrowawayRedis, freshSchema, readyz, startNode, stopNode, uniquePrefix, until, visibleTo, type NodeProcess } from './helpers.ts';

let redis: ThrowawayRedis;
let proxy: CuttableProxy;
let schema: Awaited<ReturnType<typeof freshSchema>>;
let store: PostgresStore;
let A: NodeProcess;
let B: NodeProcess;
const roamers: Roamer[] = [];

beforeAll(async () => {
  redis = await ThrowawayRedis.start();
  const pgUrl = new URL(PG_URL);
  proxy = await CuttableProxy.start({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
  schema = await freshSchema();
  const common = { schema: schema.name, prefix: uniquePrefix(), databaseUrl: proxy.url(), redisUrl: redis.url, leaseTtlMs: 3000, callTimeoutMs: 8000 };
  A = await startNode({ id: 'A', ...common });
  B = await startNode({ id: 'B', ...common });
  store = await createPostgresStore({ url: PG_URL, schema: schema.name });
}, 400_000);

afterAll(async () => {
  for (const r of roamers) r.close();
  proxy?.restore();
  await Promise.all([A, B].filter(Boolean).map((n) => stopNode(n, 'SIGKILL')));
  await redis?.kill();
  await proxy?.close();
  await store?.close();
  await schema?.drop();
}, 60_000);

async function join(url: string, auth: Parameters<typeof Roamer.connect>[1]): Promise<Roamer> {
  const r = await Roamer.connect(url, auth);
  roamers.push(r);
  return r;
}

type Acked = { key: string; seq: number };

/** Acts and records the action when (and only when) it was acknowledged. */
async function act(r: Roamer, action: Parameters<Roamer['act']>[0], key: string, acked: Acked[], timeoutMs = 30_000): Promise<boolean> {
  let reply;
  try {
    reply = await r.act(action, key, timeoutMs);
  } catch {
    return false; // no acknowledgement at all
  }
  if (!reply.ok) return false;
  if (!reply.duplicate) acked.push({ key, seq: reply.seq! });
  return true;
}

async function expectNothingLost(sessionId: string, acked: Acked[], clients: [Roamer, string | null][]): Promise<SessionEvent[]> {
  const record = (await store.getSession(sessionId))!;
  const inputs = await store.listInputs(sessionId);
  const stored = await store.listEvents(sessionId);
  const headless = replayHeadless(record, inputs);
  expect(JSON.stringify(stored)).toBe(JSON.stringify(headless.events));
  for (const a of acked) {
    expect(inputs.filter((i) => i.key?.endsWith(`:${a.key}`)), `acknowledged ${a.key}`).toHaveLength(1);
    expect(stored[a.seq - 1]).toMatchObject({ type: 'action', seq: a.seq });
  }
  for (const [r, team] of clients) {
    expect(isStrictlyIncreasing(r.events.map((e) => e.seq))).toBe(true);
    expect(JSON.stringify(r.events)).toBe(JSON.stringify(team === null ? stored : stored.filter(visibleTo(team))));
  }
  return stored;
}

describe('outages', () => {
  it('Redis down: both nodes say so; the owner\u2019s own clients play on; the other node catches up when Redis is back', async () => {
    const created = await createSession(A.url, { scenario: 'friday-deploy', teams: ['blue'], seed: 5, speed: 20 });
    const fac = await join(A.url, { token: created.facilitatorToken });
    const pa = await join(A.url, { code: created.joinCode, team: 'blue', name: 'ana' });
    const pb = await join(B.url, { code: created.joinCode, team: 'blue', name: 'bo' });
    const acked: Acked[] = [];
    expect(await fac.client.command('start', {}, 'start-redis-test')).toMatchObject({ ok: true });
    await pb.client.waitForTime(5, 20_000);
    expect(await act(pb, { action: 'declare', severity: 'SEV2', summary: 'before the outage', services: ['orders'] }, 'pb-before-redis', acked)).toBe(true);

    await redis.kill();
    for (const n of [A, B]) {
      const r = await until(async () => {
        const r = await readyz(n.url);
        return r.status === 503 && r.body.redis === 'unreachable' ? r : undefined;
      }, `${n.id}'s /readyz to report Redis unreachable`, 20_000);
      expect(r.body).toMatchObject({ ready: false, store: 'ok', redis: 'unreachable' });
      await until(() => n.output().includes('Redis unreachable'), `${n.id} to log that Redis is unreachable`, 10_000);
    }
    // The owner's own participant is not affected: acknowledged, hence stored.
    expect(await act(pa, { action: 'hypothesis', text: 'during the Redis outage' }, 'pa-during-redis', acked)).toBe(true);
    const during = acked[acked.length - 1].seq;
    // A participant of the other node may be refused (its node cannot reach the owner); only an acknowledged action counts.
    await act(pb, { action: 'observe', service: 'orders', view: 'logs' }, 'pb-during-redis', acked, 10_000);

    await redis.start();
    for (const n of [A, B]) {
      await until(async () => (await readyz(n.url)).status === 200 || undefined, `${n.id} ready again`, 30_000);
      await until(() => n.output().includes('Redis reachable again'), `${n.id} to log that Redis is back`, 10_000);
    }
    // What B's participant missed arrives, from the database, in order.
    await pb.client.waitForEvent((e) => e.seq === during, 'the action taken during the outage, on B', 20_000);
    const tNow = Math.max(...pb.client.telemetry.map((f) => f.t));
    await pb.client.waitFor(() => pb.client.telemetry.some((f) => f.t > tNow + 5) || undefined, 'live telemetry on B again', 20_000);
    expect(await act(pb, { action: 'set-severity', severity: 'SEV1' }, 'pb-after-redis', acked)).toBe(true);

    expect(await fac.client.command('end', {}, 'end-redis-test')).toMatchObject({ ok: true });
    for (const r of [fac, pa, pb]) await r.client.waitForEvent((e) => e.type === 'session.ended', 'session.ended', 20_000);
    await expectNothingLost(created.id, acked, [[fac, null], [pa, 'blue'], [pb, 'blue']]);
  }, 180_000);

  it('PostgreSQL down: both nodes say so; nothing is applied without it; they recover by themselves and lose no acknowledged action', async () => {
    const created = await createSession(B.url, { scenario: 'friday-deploy', teams: ['blue'], seed: 6, speed: 20 });
    const fac = await join(A.url, { token: created.facilitatorToken });
    const pa = await join(A.url, { code: created.joinCode, team: 'blue', name: 'ana' });
    const pb = await join(B.url, { code: created.joinCode, team: 'blue', name: 'bo' });
    const acked: Acked[] = [];
    expect(await fac.client.command('start', {}, 'start-pg-test')).toMatchObject({ ok: true });
    await pa.client.waitForTime(5, 20_000);
    expect(await act(pa, { action: 'declare', severity: 'SEV2', summary: 'before the outage', services: ['orders'] }, 'pa-before-pg', acked)).toBe(true);
    expect(await act(pb, { action: 'hypothesis', text: 'before the outage' }, 'pb-before-pg', acked)).toBe(true);

    proxy.cut();
    for (const n of [A, B]) {
      const r = await until(async () => {
        const r = await readyz(n.url);
        return r.status === 503 && r.body.store === 'unreachable' ? r : undefined;
      }, `${n.id}'s /readyz to report the database unreachable`, 20_000);
      expect(r.body).toMatchObject({ ready: false, store: 'unreachable', redis: 'ok' });
    }
    await until(() => B.output().includes('PostgreSQL unreachable'), 'the owner to log that PostgreSQL is unreachable', 15_000).catch((err) => {
      throw new Error(`${(err as Error).message}; its log ends with:\n${B.output().slice(-3000)}`);
    });
    // Inputs during the outage cannot be persisted, so they are not acknowledged as applied.
    const duringA = act(pa, { action: 'observe', service: 'orders', view: 'logs' }, 'pa-during-pg', acked, 15_000);
    const duringB = act(pb, { action: 'observe', service: 'payments', view: 'logs' }, 'pb-during-pg', acked, 15_000);
    // The owner's clock stops with its lease: telemetry freezes instead of running ahead unsaved.
    await new Promise((r) => setTimeout(r, 4000));
    const frozen = Math.max(...pb.client.telemetry.map((f) => f.t));
    await new Promise((r) => setTimeout(r, 2000));
    expect(Math.max(...pb.client.telemetry.map((f) => f.t))).toBe(frozen);

    proxy.restore();
    await Promise.all([duringA, duringB]);
    for (const n of [A, B]) {
      await until(async () => (await readyz(n.url)).status === 200 || undefined, `${n.id} ready again`, 30_000);
    }
    await until(() => B.output().includes('PostgreSQL reachable again') || A.output().includes('took over a session'), 'a node to log the recovery', 15_000);
    // The game runs on by itself.
    await pb.client.waitFor(() => pb.client.telemetry.some((f) => f.t > frozen + 10) || undefined, 'telemetry moving again', 30_000);
    expect(await act(pa, { action: 'set-severity', severity: 'SEV1' }, 'pa-after-pg', acked)).toBe(true);
    expect(await act(pb, { action: 'status-update', audience: 'internal', text: 'database back' }, 'pb-after-pg', acked)).toBe(true);

    expect(await fac.client.command('end', {}, 'end-pg-test')).toMatchObject({ ok: true });
    for (const r of [fac, pa, pb]) await r.client.waitForEvent((e) => e.type === 'session.ended', 'session.ended', 20_000);
    await expectNothingLost(created.id, acked, [[fac, null], [pa, 'blue'], [pb, 'blue']]);
  }, 180_000);
});
