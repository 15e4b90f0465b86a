// Engine benchmark: how fast the deterministic engine runs scenarios on a simulated clock.
// Run: npm run bench   (prints figures; recorded in docs/performance.md)
// Not a test: it asserts nothing and never runs in `npm test`.
import { cpus } from 'node:os';
import { readLibrary } from '../../server/library/fs.ts';
import { Session } from '../../server/engine/session/session.ts';
import type { ScenarioSpec } from '../../server/engine/scenario/schema.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const lib = await readLibrary(new URL('../../scenarios/', import.meta.url).pathname);
if (lib.problems.length) {
  console.error(`library has ${lib.problems.length} problems; run firedrill validate`);
  process.exit(1);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function runOnce(scenario: ScenarioSpec, seconds: number, teams = 1): { wallMs: number; simulated: number } {
  const workload = lib.workloads.get(scenario.workload)!;
  // Stretch the scenario so the run lasts `seconds` of simulated time whatever its own duration;
  // its stop conditions are dropped so that no run ends early.
  const spec = { ...scenario, duration: Math.max(seconds, 1), stop: [] };
  const session = new Session({ scenario: spec, workload, runbooks: lib.runbooks, seed: 1, teams: Array.from({ length: teams }, (_, i) => `t${i + 1}`) });
  const t0 = performance.now();
  session.start();
  session.advanceTo(seconds);
  const wallMs = performance.now() - t0;
  return { wallMs, simulated: session.t };
}

console.log(`firedrill engine benchmark — node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, ${REPEATS} repeats (median)`);
console.log('');
console.log('scenario                   services  sim-seconds  wall-ms  sim-s per wall-s  µs per service-tick');
const rows: { id: string; services: number; wall: number }[] = [];
for (const { spec } of [...lib.scenarios.values()].sort((a, b) => a.spec.id.localeCompare(b.spec.id))) {
  const services = lib.workloads.get(spec.workload)!.services.length;
  runOnce(spec, 300); // warm up the JIT
  const walls = Array.from({ length: REPEATS }, () => runOnce(spec, 3600).wallMs);
  const wall = median(walls);
  rows.push({ id: spec.id, services, wall });
  console.log(
    `${spec.id.padEnd(26)} ${String(services).padStart(8)}  ${'3600'.padStart(11)}  ${wall.toFixed(0).padStart(7)}  ${(3600 / (wall / 1000)).toFixed(0).padStart(16)}  ${((wall * 1000) / (3600 * services)).toFixed(2).padStart(19)}`,
  );
}
const largest = rows.reduce((a, b) => (b.services > a.services ? b : a));
console.log('');
console.log(`largest shipped scenario: ${largest.id} (${largest.services} services): one simulated hour in ${(largest.wall / 1000).toFixed(3)} s on one core (goal < 0.5 s)`);
for (const teams of [4]) {
  const spec = lib.scenarios.get(largest.id)!.spec;
  const wall = median(Array.from({ length: 3 }, () => runOnce(spec, 3600, teams).wallMs));
  console.log(`${largest.id} with ${teams} teams: one simulated hour in ${(wall / 1000).toFixed(3)} s (${(wall / teams / 1000).toFixed(3)} s per team)`);
}

// Heap held by sessions as a game day goes on (needs --expose-gc, which `npm run bench` passes):
// 50 sessions of friday-deploy with two teams each, nobody acting, measured after a full GC.
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.log('\nsession heap: skipped (run with node --expose-gc, as `npm run bench` does)');
} else {
  const N = 50;
  const spec = lib.scenarios.get('friday-deploy')!.spec;
  const long = { ...spec, duration: 3600, stop: [] };
  gc();
  const base = process.memoryUsage().heapUsed;
  const sessions = Array.from({ length: N }, (_, i) => new Session({ scenario: long, workload: lib.workloads.get(spec.workload)!, runbooks: lib.runbooks, seed: i + 1, teams: ['blue', 'red'] }));
  for (const s of sessions) s.start();
  console.log('');
  console.log(`session heap: ${N} sessions of friday-deploy, 2 teams each, no actions (KiB per session, after a full GC)`);
  console.log('simulated minute  heap per session  log lines per team  events');
  for (const minute of [0, 5, 15, 30, 60]) {
    for (const s of sessions) s.advanceTo(minute * 60);
    gc();
    const kib = (process.memoryUsage().heapUsed - base) / N / 1024;
    const lines = sessions[0].teams[0].world.logs.reduce((a, r) => a + r.length, 0);
    console.log(`${String(minute).padStart(16)}  ${kib.toFixed(0).padStart(16)}  ${String(lines).padStart(18)}  ${String(sessions[0].events.length).padStart(6)}`);
  }
}
