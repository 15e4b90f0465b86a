// The store contract over PostgreSQL, plus what only a server database can show: versioned
// migrations (also when several nodes start at once), refusing a newer schema, and living through
// the database going away and coming back.
//
// Needs a PostgreSQL server: FIREDRILL_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test.
// Every test works in a fresh schema, dropped after it. The outage tests never touch the real
// server: the store talks to it through a TCP relay of this file, and it is the relay that goes down.
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createPostgresStore, isPostgresUrl, PG_MIGRATIONS, PG_SCHEMA_VERSION, redactDatabaseUrl, type PostgresStore } from '../../server/store/postgres.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import { realEvents, sessionRecord, storeContract } from './store-contract.ts';
import pino from 'pino';
import { createSession, startTestServer } from '../helpers/live.ts';

const URL_SET = process.env.FIREDRILL_TEST_PG_URL;
const PG_URL = URL_SET ?? 'postgres://postgres@127.0.0.1:5432/test';
const target = new URL(PG_URL);
const PG_HOST = target.hostname || '127.0.0.1';
const PG_PORT = Number(target.port || 5432);

const admin = new pg.Pool({ connectionString: PG_URL, max: 2, connectionTimeoutMillis: 3000 });
admin.on('error', () => undefined);
const available = await admin.query('SELECT 1').then(
  () => true,
  (err: Error) => {
    // Asked for explicitly: a missing server is a failure. Otherwise say why the tests are skipped.
    if (URL_SET) throw new Error(`FIREDRILL_TEST_PG_URL=${redactDatabaseUrl(PG_URL)} is unreachable: ${err.message}`);
    console.warn(`PostgreSQL store tests skipped: ${redactDatabaseUrl(PG_URL)} is unreachable (${err.message}); set FIREDRILL_TEST_PG_URL`);
    return false;
  },
);

const prefix = `fd_test_${process.pid}_${Date.now().toString(36)}`;
let n = 0;
const pending: string[] = [];
function freshSchema(): string {
  const schema = `${prefix}_${++n}`;
  pending.push(schema);
  return schema;
}
async function dropSchemas(): Promise<void> {
  for (const schema of pending.splice(0)) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}
afterEach(dropSchemas);
afterAll(async () => {
  await dropSchemas();
  await admin.end();
});

const migrationVersions = PG_MIGRATIONS.flatMap((sql, i) => (sql === null ? [] : [i + 1]));

/** A TCP relay to the real server that can be taken down (refusing), made silent, and brought back. */
class Relay {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  mode: 'forward' | 'silent' = 'forward';
  /** Drops every byte both ways on the connections already open (a network that loses packets). */
  frozen = false;
  port = 0;

  async start(port = 0): Promise<void> {
    const server = createServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => undefined);
      if (this.mode === 'silent') return; // accepts, never answers
      const upstream = connect(PG_PORT, PG_HOST);
      this.sockets.add(upstream);
      upstream.on('close', () => {
        this.sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.on('data', (d: Buffer) => void (this.frozen || upstream.write(d)));
      upstream.on('data', (d: Buffer) => void (this.frozen || client.write(d)));
    });
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => done());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /** Closes the port and cuts every connection, as a server going down would. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    this.frozen = false;
    if (server) await new Promise<void>((done) => server.close(() => done()));
  }

  url(): string {
    const u = new URL(PG_URL);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }
}

async function freePort(): Promise<number> {
  const relay = new Relay();
  await relay.start();
  const port = relay.port;
  await relay.stop();
  return port;
}

async function rows<T>(sql: string, values: unknown[] = []): Promise<T[]> {
  return (await admin.query(sql, values)).rows as T[];
}

if (available) {
  storeContract('postgres', () => createPostgresStore({ url: PG_URL, schema: freshSchema(), poolSize: 4 }));
}

describe.runIf(available)('PostgreSQL store', () => {
  const open: PostgresStore[] = [];
  async function make(options: Partial<Parameters<typeof createPostgresStore>[0]> = {}): Promise<PostgresStore> {
    const store = await createPostgresStore({ url: PG_URL, poolSize: 4, ...options });
    open.push(store);
    return store;
  }
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  it('records each migration once, in its schema, and does not re-apply them on reopen', async () => {
    const schema = freshSchema();
    expect(PG_SCHEMA_VERSION).toBe(PG_MIGRATIONS.length);
    expect(migrationVersions.slice(0, 2)).toStrictEqual([1, 2]);
    const first = await make({ schema, now: () => 1111 });
    expect(first.kind).toBe('postgres');
    expect(first.schema).toBe(schema);
    await first.close();
    const applied = migrationVersions.map((version) => ({ version, applied_at: 1111 }));
    expect(await rows(`SELECT version, applied_at::float8 AS applied_at FROM ${schema}.schema_migrations ORDER BY version`)).toStrictEqual(applied);
    const tables = (await rows<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema])).map((r) => r.table_name);
    for (const t of ['action_items', 'events', 'inputs', 'lessons', 'participants', 'schema_migrations', 'sessions']) expect(tables).toContain(t);
    // Nothing leaked into public.
    expect(await rows("SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'sessions' AND false")).toStrictEqual([]);

    // Had migration 1 run again, CREATE TABLE sessions would fail and applied_at would change.
    const again = await make({ schema, now: () => 2222 });
    await again.createSession(sessionRecord(1));
    expect((await again.getSession('s-1'))?.seed).toBe('seed-1');
    expect(await rows(`SELECT version, applied_at::float8 AS applied_at FROM ${schema}.schema_migrations ORDER BY version`)).toStrictEqual(applied);
  });

  it('migrates a fresh schema once when several stores start on it at the same moment', async () => {
    const schema = freshSchema();
    const stores = await Promise.all([1, 2, 3, 4].map((i) => make({ schema, now: () => 5000 + i, poolSize: 2 })));
    const recorded = await rows<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
    expect(recorded.map((r) => r.version)).toStrictEqual(migrationVersions);
    const sessionsTables = await rows('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, 'sessions']);
    expect(sessionsTables.length).toBe(1);
    // They share one database: what one writes, the others read.
    await stores[0].createSession(sessionRecord(1));
    await stores[1].appendEvents('s-1', realEvents().slice(0, 5), 1);
    expect(await stores[3].lastEventSeq('s-1')).toBe(5);
    expect(await stores[2].listEvents('s-1')).toStrictEqual(realEvents().slice(0, 5));
  });

  it('refuses a schema written by a newer version, with a clear error, and leaves it alone', async () => {
    const schema = freshSchema();
    const store = await make({ schema });
    await store.createSession(sessionRecord(1));
    await store.close();
    await admin.query(`INSERT INTO ${schema}.schema_migrations (version, applied_at) VALUES ($1, 3333)`, [PG_SCHEMA_VERSION + 1]);
    const where = `${PG_HOST}:${PG_PORT}/${target.pathname.slice(1)}`;
    await expect(createPostgresStore({ url: PG_URL, schema })).rejects.toThrow(
      `PostgreSQL database ${where} (schema ${schema}) has schema version ${PG_SCHEMA_VERSION + 1}, but this firedrill only knows versions up to ${PG_SCHEMA_VERSION}: ` +
        'it was written by a newer firedrill. Upgrade firedrill, or point it at another database.',
    );
    expect(await rows(`SELECT count(*)::int AS n FROM ${schema}.sessions`)).toStrictEqual([{ n: 1 }]);
    expect(await rows(`SELECT max(version) AS v FROM ${schema}.schema_migrations`)).toStrictEqual([{ v: PG_SCHEMA_VERSION + 1 }]);
  });

  it('keeps 5,000 events of one batch exact, byte for byte, and pages through them', async () => {
    const store = await make({ schema: freshSchema() });
    await store.createSession(sessionRecord(1));
    const pool = realEvents();
    const events = Array.from({ length: 5000 }, (_, i) => ({ ...pool[i % pool.length], seq: i + 1, t: i / 7 }) as SessionEvent);
    await store.appendEvents('s-1', events, 1_700_000_000_000);
    expect(await store.lastEventSeq('s-1')).toBe(5000);
    const listed = await store.listEvents('s-1');
    expect(listed.length).toBe(5000);
    expect(JSON.stringify(listed)).toBe(JSON.stringify(events));
    expect(await store.listEvents('s-1', 4990, 5)).toStrictEqual(events.slice(4990, 4995));
    expect(listed[4999].t).toBe(4999 / 7);
    // Bounds that are not INTEGERs still mean what they say.
    expect((await store.listEvents('s-1', 2.5, 2)).map((e) => e.seq)).toStrictEqual([3, 4]);
    expect(await store.listEvents('s-1', 2 ** 40)).toStrictEqual([]);
    expect((await store.listEvents('s-1', -3, 1)).map((e) => e.seq)).toStrictEqual([1]);
    // A second big batch continues the log; one that does not is refused whole.
    const more = events.map((e) => ({ ...e, seq: e.seq + 5000 }));
    await store.appendEvents('s-1', more, 2);
    await expect(store.appendEvents('s-1', more, 3)).rejects.toThrow('event seq 5001 does not continue the log of session s-1 (expected 10001)');
    expect(await store.lastEventSeq('s-1')).toBe(10_000);
    // Replacing it with a big log is one transaction too.
    await store.replaceEvents('s-1', events.slice(0, 4321), 4);
    expect(await store.lastEventSeq('s-1')).toBe(4321);
    expect(await store.listEvents('s-1', 4320)).toStrictEqual([events[4320]]);
  });

  it('lets exactly one of two nodes append the same seqs; the other is told where the log is', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([make({ schema }), make({ schema })]);
    await a.createSession(sessionRecord(1));
    const batch = realEvents();
    const outcomes = await Promise.allSettled([a.appendEvents('s-1', batch, 1), b.appendEvents('s-1', batch, 2)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBe(1);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as Error).message).toBe('event seq 1 does not continue the log of session s-1 (expected 21)');
    expect(await a.listEvents('s-1')).toStrictEqual(batch);
  });

  it('fails fast with the host and port when nothing listens there', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(createPostgresStore({ url: `postgres://postgres:s3cret@127.0.0.1:${port}/test`, connectionTimeoutMs: 2000 })).rejects.toThrow(
      `the database is unreachable (PostgreSQL at 127.0.0.1:${port})`,
    );
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('times out connecting to a server that never answers, naming it', async () => {
    const relay = new Relay();
    relay.mode = 'silent';
    await relay.start();
    const started = Date.now();
    const err = await createPostgresStore({ url: relay.url(), connectionTimeoutMs: 800 }).then(
      () => undefined,
      (e: Error) => e,
    );
    const took = Date.now() - started;
    await relay.stop();
    expect(err?.message).toMatch(new RegExp(`^the database is unreachable \\(PostgreSQL at 127\\.0\\.0\\.1:${relay.port}\\): .*timeout`));
    expect(took).toBeGreaterThanOrEqual(700);
    expect(took).toBeLessThan(2500);
  });

  it('lives through the database going away: ping false, clear errors, then works again by itself', async () => {
    const relay = new Relay();
    await relay.start();
    const idleErrors: Error[] = [];
    const store = await make({ url: relay.url(), schema: freshSchema(), connectionTimeoutMs: 1000, queryTimeoutMs: 1000, onIdleError: (e) => idleErrors.push(e) });
    await store.createSession(sessionRecord(1));
    const unreachable = `the database is unreachable (PostgreSQL at 127.0.0.1:${relay.port})`;

    // The network drops everything on open connections: a statement gives up after queryTimeoutMs.
    relay.frozen = true;
    let started = Date.now();
    await expect(store.getSession('s-1')).rejects.toThrow(`${unreachable}: Query read timeout`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(2500);
    relay.frozen = false;

    // Several connections in the pool, idle when the server goes.
    await Promise.all([1, 2, 3].map(() => store.getSession('s-1')));
    expect(store.pool.totalCount).toBeGreaterThanOrEqual(2);

    await relay.stop();
    await new Promise((r) => setTimeout(r, 100));
    // The idle connections died without an uncaught error (vitest would fail the run on one).
    expect(idleErrors.length).toBeGreaterThanOrEqual(1);
    started = Date.now();
    expect(await store.ping()).toBe(false);
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(store.getSession('s-1')).rejects.toThrow(unreachable);
    await expect(store.appendEvents('s-1', realEvents().slice(0, 2), 1)).rejects.toThrow(unreachable);
    await expect(store.replaceEvents('s-1', realEvents().slice(0, 2), 1)).rejects.toThrow(unreachable);

    // A server that accepts but never answers: ping is false within the connection timeout.
    relay.mode = 'silent';
    await relay.start(relay.port);
    started = Date.now();
    expect(await store.ping()).toBe(false);
    expect(Date.now() - started).toBeLessThan(2500);
    await relay.stop();

    // Back: the pool opens fresh connections by itself.
    relay.mode = 'forward';
    await relay.start(relay.port);
    expect(await store.ping()).toBe(true);
    expect((await store.getSession('s-1'))?.joinCode).toBe('JOIN1');
    await store.appendEvents('s-1', realEvents().slice(0, 3), 2);
    expect(await store.lastEventSeq('s-1')).toBe(3);
    await store.close();
    await relay.stop();
  });

  it('loses the connection in the middle of a transaction without leaving half of it', async () => {
    const relay = new Relay();
    await relay.start();
    const schema = freshSchema();
    const store = await make({ url: relay.url(), schema, connectionTimeoutMs: 1000 });
    await store.createSession(sessionRecord(1));
    const events = realEvents();
    await store.appendEvents('s-1', events, 1);
    // Another transaction holds seq 3000 (uncommitted), so the replacement deletes the old log and
    // then waits inside its INSERT: that is where the connection is cut.
    const blocker = await admin.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`INSERT INTO ${schema}.events (session_id, seq, type, t, body, wall_time) VALUES ('s-1', 3000, 'message', 0, '{}', 0)`);
      const blockerPid = (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const big = Array.from({ length: 3000 }, (_, i) => ({ ...events[i % 20], seq: i + 1 }) as SessionEvent);
      const replacing = store.replaceEvents('s-1', big, 2).then(
        () => undefined,
        (e: Error) => e,
      );
      const blocked = async () => (await rows<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))', [blockerPid])).map((r) => r.pid);
      let waiting: number[] = [];
      for (let i = 0; i < 100 && waiting.length === 0; i++) {
        waiting = await blocked();
        if (waiting.length === 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(waiting.length).toBe(1);
      await relay.stop();
      expect((await replacing)?.message).toMatch(new RegExp(`^the database is unreachable \\(PostgreSQL at 127\\.0\\.0\\.1:${relay.port}\\)`));
      await blocker.query('ROLLBACK');
      // The server finds its client gone once the INSERT goes through, and rolls back.
      for (let i = 0; i < 100 && (await blocked()).length + (await rows('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [waiting[0]])).length > 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      blocker.release();
    }
    await relay.start(relay.port);
    expect(await store.listEvents('s-1')).toStrictEqual(events);
    await store.close();
    await relay.stop();
  });

  it('shares its pool, on its schema, and keeps the URL\u2019s own connection options', async () => {
    const schema = freshSchema();
    const url = new URL(PG_URL);
    url.searchParams.set('options', '-c statement_timeout=12345');
    const store = await make({ url: url.toString(), schema });
    // The pool other server code borrows (the cluster's leases) is on the same schema and settings.
    const { rows: got } = await store.pool.query<{ schema: string; timeout: string }>("SELECT current_schema() AS schema, current_setting('statement_timeout') AS timeout");
    expect(got).toStrictEqual([{ schema, timeout: '12345ms' }]);
    await store.createSession(sessionRecord(1));
    expect(await rows(`SELECT id FROM ${schema}.sessions`)).toStrictEqual([{ id: 's-1' }]);
    // BIGINT comes back as a number on this pool.
    expect((await store.pool.query('SELECT created_at FROM sessions')).rows).toStrictEqual([{ created_at: sessionRecord(1).createdAt }]);
  });

  it('is what `firedrill serve` uses when DATABASE_URL is a postgres:// URL, and logs it without the password', async () => {
    const schema = freshSchema();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(PG_URL);
    url.password = 'not-logged';
    url.searchParams.set('options', `-c search_path=${schema}`);
    const lines: string[] = [];
    const srv = await startTestServer({ databaseUrl: url.toString(), logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }) });
    try {
      const created = await createSession(srv.url, { scenario: 'friday-deploy', teams: ['blue'] });
      expect(await rows(`SELECT id, scenario_id FROM ${schema}.sessions`)).toStrictEqual([{ id: created.id, scenario_id: 'friday-deploy' }]);
      const ready = await (await fetch(`${srv.url}/readyz`)).json();
      expect(ready).toMatchObject({ ready: true, store: 'ok' });
    } finally {
      await srv.close();
    }
    const chosen = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'store: PostgreSQL');
    expect(chosen).toMatchObject({ store: 'postgres' });
    expect(chosen.database).toContain(`${PG_HOST}:${PG_PORT}`);
    expect(lines.join('\n')).not.toContain('not-logged');
  });

  it('checks its options and hides passwords in logs', async () => {
    await expect(createPostgresStore({ url: PG_URL, schema: 'Robert"; DROP TABLE x' })).rejects.toThrow(
      'PostgreSQL schema name must be lower-case letters, digits and _ (not starting with a digit, at most 63), got "Robert\\"; DROP TABLE x"',
    );
    await expect(createPostgresStore({ url: 'mysql://x@y/z' })).rejects.toThrow('DATABASE_URL must start with postgres:// or postgresql://, got mysql://…');
    expect(redactDatabaseUrl('postgres://ana:s3cret@db.example:6543/firedrill?sslmode=require')).toBe('postgres://ana@db.example:6543/firedrill?sslmode=require');
    expect(isPostgresUrl('postgresql://db/x')).toBe(true);
    expect(isPostgresUrl('POSTGRES://db/x')).toBe(true);
    expect(isPostgresUrl('sqlite:///tmp/x')).toBe(false);
    expect(isPostgresUrl(undefined)).toBe(false);
  });
});
