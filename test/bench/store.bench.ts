// Store benchmark: how many inputs and event batches per second the SQLite (or PostgreSQL) store commits.
// Run: npx tsx test/bench/store.bench.ts   (prints figures; recorded in docs/performance.md)
// PostgreSQL: BENCH_STORE=postgres npx tsx test/bench/store.bench.ts — against BENCH_PG_URL
// (default postgres://postgres@127.0.0.1:5432/test), in a scratch schema dropped afterwards.
// Not a test: it asserts nothing and never runs in `npm test`.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createSqliteStore } from '../../server/store/sqlite.ts';
import { createPostgresStore, redactDatabaseUrl } from '../../server/store/postgres.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import type { Store } from '../../server/store/store.ts';
import { act, miniWorkload, scenarioFor, startSession } from '../helpers/mini-workload.ts';

const INPUTS = Number(process.env.BENCH_INPUTS ?? 5000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 1000);
const BATCH = 20;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const KIND = process.env.BENCH_STORE ?? 'sqlite';
if (KIND !== 'sqlite' && KIND !== 'postgres') throw new Error(`BENCH_STORE must be sqlite or postgres, got ${KIND}`);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PG_SCHEMA = `fd_bench_${process.pid}`;

async function openStore(r: number): Promise<Store> {
  if (KIND === 'postgres') return createPostgresStore({ url: PG_URL, schema: `${PG_SCHEMA}_${r}` });
  return createSqliteStore({ path: join(dir, `bench-${r}.sqlite`) });
}

/** Real engine events to write: metrics samples, alerts, actions, pages, in the mix a session makes. */
function eventPool(): SessionEvent[] {
  const s = startSession([{ id: 'slow-db', kind: 'latency', service: 'db', ms: 400 }], { seed: 'bench' });
  for (let t = 30; t <= 1800; t += 30) {
    s.advanceTo(t);
    act(s, { action: 'hypothesis', text: `maybe the database — check #${t}` });
  }
  return s.events;
}

async function newSession(store: Store, id: string): Promise<void> {
  await store.createSession({
    id,
    scenario: scenarioFor([{ id: 'slow-db', kind: 'latency', service: 'db', ms: 400 }]),
    workload: miniWorkload(),
    runbooks: [],
    seed: 'bench',
    teams: ['red'],
    joinCode: `J-${id}`,
    facilitatorToken: `F-${id}`,
    speed: 1,
    phase: 'running',
    outcome: null,
    scoresVisible: false,
    createdAt: 0,
    updatedAt: 0,
    endedAt: null,
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const pool = eventPool();
const avgEventBytes = Math.round(pool.reduce((n, e) => n + JSON.stringify(e).length, 0) / pool.length);
const dir = mkdtempSync(join(tmpdir(), 'firedrill-store-bench-'));
const results = { appendInput: [] as number[], appendInputConcurrent: [] as number[], appendEvents: [] as number[], listEvents: [] as number[] };
/** Sessions writing at once in the concurrent measure (a busy server: each session's queue is sequential). */
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 16);

try {
  for (let r = 0; r < REPEATS; r++) {
    const store = await openStore(r);
    await newSession(store, 'inputs');
    await newSession(store, 'events');

    let t0 = performance.now();
    for (let seq = 1; seq <= INPUTS; seq++) {
      await store.appendInput({
        sessionId: 'inputs',
        seq,
        key: `key-${seq}`,
        input: { kind: 'action', at: seq / 2, team: 'red', action: { action: 'restart', service: 'api', rolling: true } },
        wallTime: seq,
        result: null,
      });
    }
    results.appendInput.push(INPUTS / ((performance.now() - t0) / 1000));

    for (let c = 0; c < CONCURRENT; c++) await newSession(store, `concurrent-${c}`);
    const perSession = Math.ceil(INPUTS / CONCURRENT);
    t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT }, async (_, c) => {
        for (let seq = 1; seq <= perSession; seq++) {
          await store.appendInput({
            sessionId: `concurrent-${c}`,
            seq,
            key: `key-${seq}`,
            input: { kind: 'action', at: seq / 2, team: 'red', action: { action: 'restart', service: 'api', rolling: true } },
            wallTime: seq,
            result: null,
          });
        }
      }),
    );
    results.appendInputConcurrent.push((perSession * CONCURRENT) / ((performance.now() - t0) / 1000));

    let seq = 0;
    t0 = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      const batch = Array.from({ length: BATCH }, () => ({ ...pool[seq % pool.length], seq: ++seq }) as SessionEvent);
      await store.appendEvents('events', batch, b);
    }
    results.appendEvents.push(BATCHES / ((performance.now() - t0) / 1000));

    t0 = performance.now();
    let read = 0;
    for (let after = 0; after < seq; after += 500) read += (await store.listEvents('events', after, 500)).length;
    results.listEvents.push(read / ((performance.now() - t0) / 1000));
    await store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (KIND === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    for (let r = 0; r < REPEATS; r++) await admin.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA}_${r} CASCADE`);
    await admin.end();
  }
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const where = KIND === 'postgres' ? `PostgreSQL store at ${redactDatabaseUrl(PG_URL)} (default settings, same machine)` : `SQLite store (WAL, synchronous=NORMAL) on ${tmpdir()}`;
console.log(`${where} — ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, median of ${REPEATS}`);
console.log(`  appendInput, one per transaction:      ${fmt(median(results.appendInput))} inputs/s`);
console.log(`  appendInput, ${CONCURRENT} sessions at once:     ${fmt(median(results.appendInputConcurrent))} inputs/s`);
console.log(
  `  appendEvents, batches of ${BATCH}:           ${fmt(median(results.appendEvents))} batches/s = ${fmt(median(results.appendEvents) * BATCH)} events/s (avg event ${avgEventBytes} B of JSON)`,
);
console.log(`  listEvents, pages of 500:              ${fmt(median(results.listEvents))} events/s`);
