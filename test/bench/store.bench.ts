// Store benchmark: how many inputs and event batches per second the SQLite store commits.
// Run: npx tsx test/bench/store.bench.ts   (prints figures; recorded in docs/performance.md)
// Not a test: it asserts nothing and never runs in `npm test`.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../../server/store/sqlite.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import type { Store } from '../../server/store/store.ts';
import { act, miniWorkload, scenarioFor, startSession } from '../helpers/mini-workload.ts';

const INPUTS = Number(process.env.BENCH_INPUTS ?? 5000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 1000);
const BATCH = 20;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

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
const results = { appendInput: [] as number[], appendEvents: [] as number[], listEvents: [] as number[] };

try {
  for (let r = 0; r < REPEATS; r++) {
    const store = createSqliteStore({ path: join(dir, `bench-${r}.sqlite`) });
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
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`SQLite store (WAL, synchronous=NORMAL) on ${tmpdir()} — ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, median of ${REPEATS}`);
console.log(`  appendInput, one per transaction:      ${fmt(median(results.appendInput))} inputs/s`);
console.log(
  `  appendEvents, batches of ${BATCH}:           ${fmt(median(results.appendEvents))} batches/s = ${fmt(median(results.appendEvents) * BATCH)} events/s (avg event ${avgEventBytes} B of JSON)`,
);
console.log(`  listEvents, pages of 500:              ${fmt(median(results.listEvents))} events/s`);
