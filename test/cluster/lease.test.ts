// Session leases against a real PostgreSQL (a fresh schema, dropped afterwards): one owner at a
// time, expiry by PostgreSQL's clock, renewal, release, and the database's own fence refusing
// inputs and events written by a node that does not hold the lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { LeaseStore, isLeaseFenceError, withNodeSetting } from '../../server/cluster/lease.ts';
import { PG_URL, freshSchema } from './helpers.ts';

let schema: Awaited<ReturnType<typeof freshSchema>>;
let leases: LeaseStore;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  schema = await freshSchema();
  // The store's tables the fence guards, reduced to what the trigger reads.
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`CREATE SCHEMA "${schema.name}"; CREATE TABLE "${schema.name}".inputs (session_id TEXT NOT NULL, seq INTEGER NOT NULL); CREATE TABLE "${schema.name}".events (session_id TEXT NOT NULL, seq INTEGER NOT NULL)`);
  await c.end();
  leases = new LeaseStore({ url: PG_URL, schema: schema.name });
  await leases.init();
  await leases.init(); // twice: idempotent
});

afterAll(async () => {
  for (const p of pools) await p.end();
  await leases?.close();
  await schema?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('session leases', () => {
  it('grants a free lease, refuses it to others while live, renews it for its owner', async () => {
    const a = await leases.acquire('s1', 'node-a', 2000);
    expect(a).toMatchObject({ owner: 'node-a', epoch: 1, expiredForMs: null, changedHands: true });
    expect(a!.validMs).toBeGreaterThan(1500);
    expect(a!.validMs).toBeLessThanOrEqual(2000);
    expect(await leases.acquire('s1', 'node-b', 2000)).toBeNull();
    const renewed = await leases.acquire('s1', 'node-a', 2000);
    expect(renewed).toMatchObject({ owner: 'node-a', epoch: 1, expiredForMs: 0, changedHands: false });
    expect(await leases.get('s1')).toMatchObject({ owner: 'node-a', live: true, epoch: 1 });
  });

  it('lets another node take an expired lease, with a new epoch and how long it had been expired', async () => {
    await leases.acquire('s2', 'node-a', 300);
    await sleep(700);
    expect(await leases.expired()).toContain('s2');
    const b = await leases.acquire('s2', 'node-b', 2000);
    expect(b).toMatchObject({ owner: 'node-b', epoch: 2, changedHands: true });
    expect(b!.expiredForMs).toBeGreaterThan(250);
    expect(b!.expiredForMs).toBeLessThan(5000);
    // The old owner's renewal finds nothing: it lost the session.
    expect([...(await leases.renewAll('node-a', ['s2'], 2000)).keys()]).toEqual([]);
    expect([...(await leases.renewAll('node-b', ['s2'], 2000)).keys()]).toEqual(['s2']);
  });

  it('gives a contested lease to exactly one of ten nodes', async () => {
    const grants = await Promise.all(Array.from({ length: 10 }, (_, i) => leases.acquire('s3', `node-${i}`, 5000)));
    const winners = grants.filter((g) => g !== null);
    expect(winners).toHaveLength(1);
    expect((await leases.get('s3'))!.owner).toBe(winners[0]!.owner);
  });

  it('release lets another node in at once; drop forgets the lease', async () => {
    await leases.acquire('s4', 'node-a', 60_000);
    expect(await leases.release('s4', 'node-b')).toBe(false); // not its lease
    expect(await leases.acquire('s4', 'node-b', 2000)).toBeNull();
    expect(await leases.release('s4', 'node-a')).toBe(true);
    expect(await leases.acquire('s4', 'node-b', 2000)).toMatchObject({ owner: 'node-b', epoch: 2 });
    await leases.drop('s4', 'node-b');
    expect(await leases.get('s4')).toBeUndefined();
  });

  it('keeps the cluster-wide halt-all state', async () => {
    expect(await leases.getState('halted_all')).toBeNull();
    await leases.setState('halted_all', { reason: 'real incident', at: 1234 });
    expect(await leases.getState('halted_all')).toEqual({ reason: 'real incident', at: 1234 });
    await leases.setState('halted_all', null);
    expect(await leases.getState('halted_all')).toBeNull();
  });

  it('the database refuses inputs and events of a session from a node without its live lease', async () => {
    const pool = (node: string) => {
      const p = new pg.Pool({ connectionString: withNodeSetting(PG_URL, node), max: 1 });
      pools.push(p);
      return p;
    };
    const a = pool('node-a');
    const b = pool('node-b');
    await leases.acquire('s5', 'node-a', 800);
    await a.query(`INSERT INTO "${schema.name}".inputs VALUES ('s5', 1)`);
    const refused = await b.query(`INSERT INTO "${schema.name}".inputs VALUES ('s5', 2)`).then(() => null, (err: unknown) => err);
    expect(isLeaseFenceError(refused)).toBe(true);
    expect((refused as Error).message).toContain('lease held by node-a');
    await expect(b.query(`INSERT INTO "${schema.name}".events VALUES ('s5', 1)`)).rejects.toThrow(/does not hold the lease/);
    // Once the lease runs out, not even its last owner may write.
    await sleep(1200);
    await expect(a.query(`INSERT INTO "${schema.name}".inputs VALUES ('s5', 3)`)).rejects.toThrow(/does not hold the lease/);
    // A session without a lease, and a connection that serves no node, are not fenced.
    await b.query(`INSERT INTO "${schema.name}".inputs VALUES ('no-lease', 1)`);
    const plain = new pg.Pool({ connectionString: PG_URL, max: 1 });
    pools.push(plain);
    await plain.query(`INSERT INTO "${schema.name}".inputs VALUES ('s5', 4)`);
    const { rows } = await plain.query<{ seq: number }>(`SELECT seq FROM "${schema.name}".inputs WHERE session_id = 's5' ORDER BY seq`);
    expect(rows.map((r) => r.seq)).toEqual([1, 4]);
  });
});
