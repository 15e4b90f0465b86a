// Load benchmark of the live server (issue "Live game days"): bot participants over real sockets on
// loopback, sessions of 2 teams × 10, telemetry at 1 Hz (speed 1), an action per bot every ~10 s.
// Run:   npx tsx test/bench/load.bench.ts
//        LOAD_LEVELS=100,1000 npx tsx test/bench/load.bench.ts
// Prints figures (recorded in docs/performance.md, "Live server: load"); asserts nothing; never runs
// in `npm test`. Stops by itself (100, 1,000 and 4,000 take about 5 minutes on a quiet machine,
// longer when it waits for quiet; a hard limit of 20 minutes ends it).
//
// Three processes: this one only orchestrates; the server (test/bench/load/server.ts) runs pinned to
// core 0 and the load generator (test/bench/load/generator.ts, a lean socket.io client over `ws`)
// pinned to core 1 (`taskset`; without it they run unpinned and a warning says so). Loopback only.
// Each level gets a fresh server. Then, in the same run, a plain `ws` server sends a frame of the
// same size to as many clients at 1 Hz: the baseline for CPU per delivered frame; and a bare
// socket.io server does the same fan-out through rooms of ten (no engine, no store): the floor that
// the transport firedrill must use sets, in CPU per frame and heap per client. The firedrill server
// also reports the time spent inside its telemetry emits (socket.io encoding to the writev): the
// part of its work that the ws baseline does alone.
//
// Method (also in docs/performance.md):
// - action round trip: generator time from sending `42<id>["action",…]` to its `43<id>` ack;
// - telemetry lag: a hook in the server process (wrapping SessionHost.prototype.frame, no
//   behaviour change) records the wall time at which each frame (session, team, t) is computed;
//   the generator records the wall time each copy arrives; lag = arrival − computed (same machine,
//   same clock: performance.timeOrigin + performance.now() in both). Frames are computed by the
//   100 ms session driver, so a frame leaves up to 100 ms after its simulated second began: that
//   step is by design and not part of the lag;
// - CPU per delivered frame: process.cpuUsage() of the server over the window ÷ telemetry frames
//   that reached the generator's sockets in the window (everything the server did: engine, actions,
//   events, telemetry);
// - event-loop delay: perf_hooks.monitorEventLoopDelay (10 ms resolution) in the server, window only;
//   its histogram holds whole timer intervals, so the resolution is subtracted;
// - heap per participant: server heapUsed after two forced GCs (--expose-gc) after the warm-up
//   minus heapUsed of the same fresh server before any session, ÷ participants (the sessions' event
//   logs grow after that: reported per session-minute);
// - also printed: server stalls (a 5 ms timer > 50 ms late) with what other processes took of core 0
//   meanwhile, GC pauses, synchronous store time per method, CPU per thread, how the frames spread
//   over the driver's 100 ms steps, the generator's own CPU and loop delay (it must not be the
//   bottleneck), and the machine's CPU pressure (PSI): figures from a busy machine are not figures.
//
// Environment (all optional):
//   LOAD_LEVELS=100,1000,4000   participants per level (sessions of LOAD_TEAMS × LOAD_TEAM_SIZE)
//   LOAD_WINDOW_S=45            measured window per level (after LOAD_WARMUP_S=5 of running)
//   LOAD_WS_WINDOW_S=20         window of each baseline: plain ws, then the same fan-out through bare
//                               socket.io (LOAD_SIO_BASELINE=0 skips that one); LOAD_BASELINE=0 skips both
//   LOAD_SCENARIO=friday-deploy LOAD_TEAMS=2 LOAD_TEAM_SIZE=10 LOAD_ACTION_PERIOD_S=10 (0 = no actions)
//   LOAD_START_SPREAD_S=1       session starts spread over this long (0 = all in the same instant)
//   LOAD_FACILITATORS=leave     or `stay`: each session's facilitator stays and gets every team's frames
//   LOAD_STORE=sqlite           or `memory`
//   LOAD_NICE=-10               niceness of server and generator when permitted (0 = off); it only
//                               helps against processes of the same cgroup
//   LOAD_QUIET_WAIT_S=60        wait up to this long before each window for the machine to be quiet
//   LOAD_PROFILE=dir            the server writes a CPU profile of each window there (adds overhead)
//   LOAD_TRACE=1                print every server stall, slow store call and the busiest 100 ms slots
//   LOAD_HELPERS_CORE=1         diagnostic: move the server's non-main threads (V8 GC/compiler workers,
//                               libuv pool) to that core, leaving core 0 to the event loop
//   LOAD_SERVER_ARGS='--flag …'  extra Node flags for the firedrill server (e.g. V8 GC tuning)
//   LOAD_HEAP_SNAPSHOTS=dir     diagnostic: a heap snapshot at each heap measurement (slow)
//   LOAD_JSON=file              raw figures as JSON
// File descriptors: each process needs one per socket; Node raises its soft limit to the hard one at
// start, so `ulimit -Hn` must exceed the largest level by a margin (checked below; raise it with
// `ulimit -Hn` as root or in limits.conf).
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { busyPct, canNice, cpuPressureUs, cpuTimes, fork, hasTaskset, sleep, type Child } from './load/ipc.ts';

const env = process.env;
const LEVELS = (env.LOAD_LEVELS ?? '100,1000,4000').split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
const WINDOW_S = Number(env.LOAD_WINDOW_S ?? 45);
const WARMUP_S = Number(env.LOAD_WARMUP_S ?? 5);
const WS_WINDOW_S = Number(env.LOAD_WS_WINDOW_S ?? 20);
const SCENARIO = env.LOAD_SCENARIO ?? 'friday-deploy';
const TEAMS = Array.from({ length: Number(env.LOAD_TEAMS ?? 2) }, (_, i) => ['red', 'blue', 'green', 'gold', 'teal', 'plum'][i] ?? `team-${i + 1}`);
const TEAM_SIZE = Number(env.LOAD_TEAM_SIZE ?? 10);
const PER_SESSION = TEAMS.length * TEAM_SIZE;
const ACTION_PERIOD_MS = Number(env.LOAD_ACTION_PERIOD_S ?? 10) * 1000;
const FACILITATORS_STAY = env.LOAD_FACILITATORS === 'stay';
const START_SPREAD_MS = Number(env.LOAD_START_SPREAD_S ?? 1) * 1000;
const BASELINE = env.LOAD_BASELINE !== '0';
const SIO_BASELINE = env.LOAD_SIO_BASELINE !== '0';
const SERVER_ARGS = (env.LOAD_SERVER_ARGS ?? '').split(/\s+/).filter(Boolean);
const PROFILE_DIR = env.LOAD_PROFILE ? resolve(env.LOAD_PROFILE) : null;
// Other work on a shared machine disturbs tail latencies less when ours runs at a higher priority.
const NICE = Number(env.LOAD_NICE ?? -10);
const QUIET_WAIT_S = Number(env.LOAD_QUIET_WAIT_S ?? 60);
const HARD_LIMIT_MS = 20 * 60_000;

const GOALS = { rttP99Ms: 50, cpuRatio: 1.6, heapKiB: 12, participants: 4000 };

const deadline = setTimeout(() => {
  console.error(`load bench: over ${HARD_LIMIT_MS / 60_000} min, giving up`);
  for (const c of children) c.proc.kill('SIGKILL');
  process.exit(2);
}, HARD_LIMIT_MS);
deadline.unref();
const children = new Set<Child>();

function start(script: string, core: number, extraEnv: Record<string, string>, nodeArgs: string[] = []): Child {
  const c = fork(script, { core, nice: NICE, nodeArgs, env: { ...env, ...extraEnv } });
  children.add(c);
  c.proc.on('exit', () => children.delete(c));
  return c;
}

const kib = (bytes: number) => bytes / 1024;
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

/**
 * The machine may be shared (tests, browsers): before a window, wait up to LOAD_QUIET_WAIT_S for the
 * cores to be nearly idle apart from our own processes, judged by /proc/stat over 1 s against the
 * CPU our children used (passed in). Returns the wait and the busy figures seen last.
 */
async function quiet(): Promise<{ waitedS: number; busy: number[] }> {
  const t0 = Date.now();
  let busy: number[] = [];
  let calm = 0;
  for (;;) {
    const a = cpuTimes();
    const own0 = ownCpu();
    const psi0 = cpuPressureUs();
    await sleep(1000);
    const own = (ownCpu() - own0) / 10; // % of one core, all our processes
    const psi = (cpuPressureUs() - psi0) / 10_000; // % of the second some task waited for a CPU
    busy = busyPct(a, cpuTimes());
    const others = busy.reduce((x, y) => x + y, 0) - own;
    calm = others < 25 && !(psi > 20) ? calm + 1 : 0;
    if (!busy.length || calm >= 3 || Date.now() - t0 > QUIET_WAIT_S * 1000) break;
  }
  return { waitedS: (Date.now() - t0) / 1000 - 3, busy };
}

/**
 * Every 100 ms: how much of `core` went to processes other than `pid` (from /proc/stat and
 * /proc/<pid>/stat), to tell a stall of the server from the server not getting its core.
 */
function sampleCore(core: number, pid: number): { stop(): { at: number; foreignPct: number }[] } {
  const out: { at: number; foreignPct: number }[] = [];
  const read = () => {
    const c = cpuTimes()?.[core];
    let own = 0;
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      own = Number(f[11]) + Number(f[12]);
    } catch {
      // gone
    }
    return c ? { busy: c.busy, total: c.total, own } : null;
  };
  let prev = read();
  const timer = setInterval(() => {
    const cur = read();
    if (prev && cur && cur.total > prev.total) out.push({ at: Date.now(), foreignPct: (100 * (cur.busy - prev.busy - (cur.own - prev.own))) / (cur.total - prev.total) });
    prev = cur;
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return out;
    },
  };
}

/** Server stalls (a timer > 50 ms late) against what other processes took of core 0 meanwhile. */
function explainStalls(stalls: { at: number; lateMs: number; cpuMs: number; mainCpuMs: number; ioWaitMs: number; simT?: number }[], samples: { at: number; foreignPct: number }[]) {
  let totalMs = 0;
  let takenMs = 0;
  const lines: string[] = [];
  for (const st of stalls) {
    const from = st.at - st.lateMs;
    const inside = samples.filter((x) => x.at >= from - 50 && x.at <= st.at + 100);
    const foreign = inside.length ? inside.reduce((n, x) => n + x.foreignPct, 0) / inside.length : NaN;
    totalMs += st.lateMs;
    if (foreign >= 50) takenMs += st.lateMs;
    lines.push(`stall ${st.lateMs.toFixed(0)} ms at ${new Date(st.at).toISOString().slice(11, 23)} (simulated t ${st.simT ?? '?'} s of the first session): server used ${st.cpuMs.toFixed(0)} ms CPU in it (main thread ${st.mainCpuMs} ms${st.ioWaitMs > 0 ? `, blocked on disk I/O ${st.ioWaitMs} ms` : ''}); other processes ${Number.isFinite(foreign) ? foreign.toFixed(0) : '?'} % of core 0`);
  }
  return { count: stalls.length, totalMs, takenMs, lines };
}

/** CPU milliseconds used so far by this process and its children (Linux /proc). */
function ownCpu(): number {
  let ms = 0;
  for (const pid of [process.pid, ...[...children].map((c) => c.proc.pid)]) {
    try {
      // taskset execs node, so the child's pid is node's.
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ms += ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, at USER_HZ = 100
    } catch {
      // gone
    }
  }
  return ms;
}

interface LevelResult {
  participants: number;
  sessions: number;
  [k: string]: unknown;
}

async function firedrillLevel(participants: number): Promise<LevelResult> {
  const sessions = Math.max(1, Math.round(participants / PER_SESSION));
  const n = sessions * PER_SESSION;
  const profile: Record<string, string> = PROFILE_DIR ? { LOAD_PROFILE_FILE: `${PROFILE_DIR}/server-${n}.cpuprofile` } : {};
  const server = start('./server.ts', 0, { LOAD_SERVER_MODE: 'firedrill', ...profile }, SERVER_ARGS);
  const gen = start('./generator.ts', 1, {});
  try {
    const port = await server.call<number>('port');
    const store = await server.call<string>('store');
    const h0 = await server.call('heap', 'empty');
    const setup = await gen.call('setup', { port, sessions, teams: TEAMS, scenario: SCENARIO, speed: 1 });
    const h1 = await server.call('heap', 'sessions');
    const joined = await gen.call('join', { teams: TEAMS, perTeam: TEAM_SIZE, concurrency: 50 }, 300_000);
    if (joined.failed) console.error(`  ${joined.failed} joins failed, e.g. ${joined.failures.join(' | ')}`);
    const h2 = await server.call('heap', 'joined');
    const started = await gen.call('start', { stay: FACILITATORS_STAY, actionPeriodMs: ACTION_PERIOD_MS, spreadMs: START_SPREAD_MS });
    await sleep(WARMUP_S * 1000);
    const hW = await server.call('heap', 'running');
    await sleep(1000);
    const quietness = await quiet();
    // The generator's window opens first, so every copy of a frame the server computes in its
    // window is seen arriving.
    await gen.call('windowBegin');
    await server.call('windowBegin');
    const cpu0 = cpuTimes();
    const psi0 = cpuPressureUs();
    const sampler = sampleCore(0, server.proc.pid!);
    await sleep(WINDOW_S * 1000);
    const coreSamples = sampler.stop();
    const psiPct = (cpuPressureUs() - psi0) / (WINDOW_S * 10_000);
    const cpu1 = cpuTimes();
    const g = await gen.call('windowEnd');
    const s = await server.call('windowEnd');
    const lag = await gen.call('lag', { computed: s.computed, windowEnd: s.endAt, facilitatorsStay: FACILITATORS_STAY });
    const h3 = await server.call('heap');
    await gen.call('close');
    await server.call('close');
    const seconds = g.wallMs / 1000;
    const cpuPerFrameUs = s.cpuUs / g.telemetry;
    const busy = busyPct(cpu0, cpu1);
    const stallReport = explainStalls(s.stalls, coreSamples);
    // How evenly the frames' computation spreads over the ten 100 ms driver steps of a second.
    const slots = new Array<number>(10).fill(0);
    for (const [, at] of s.computed as [string, number][]) slots[Math.floor((at % 1000) / 100)]++;
    if (env.LOAD_TRACE) {
      for (const line of stallReport.lines) console.log(`  ${line}`);
      for (const c of s.store.slow as { name: string; ms: number; at: number }[]) console.log(`  slow store call ${c.name} ${c.ms} ms at ${new Date(c.at).toISOString().slice(11, 23)}`);
      type Slot = { at: number; cpuMs: number; gcMs: number; frames: number; store: number; events: number };
      const tl = s.timeline as Slot[];
      const avg = (k: keyof Slot) => tl.reduce((n, x) => n + x[k], 0) / Math.max(1, tl.length);
      console.log(`  100 ms slots: average cpu ${avg('cpuMs').toFixed(1)} ms, gc ${avg('gcMs').toFixed(1)} ms, frames ${avg('frames').toFixed(1)}, store calls ${avg('store').toFixed(1)}, events stored ${avg('events').toFixed(1)}`);
      for (const x of [...tl].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, 12))
        console.log(`  busy slot at ${new Date(x.at).toISOString().slice(11, 23)}: cpu ${x.cpuMs.toFixed(0)} ms, gc ${x.gcMs.toFixed(0)} ms, frames ${x.frames}, store calls ${x.store}, events stored ${x.events}`);
    }
    return {
      cpuPressurePct: psiPct,
      threads: s.threads,
      busiestSlotPct: (100 * Math.max(...slots)) / Math.max(1, slots.reduce((a, b) => a + b, 0)),
      storeCallsPerS: s.store.calls / seconds,
      storePct: (s.store.ms / s.wallMs) * 100,
      storeCommitsPerS: s.store.commits / seconds,
      appendsPerCommit: s.store.commitAppends / Math.max(1, s.store.commits),
      storeByName: Object.fromEntries(Object.entries(s.store.byName as Record<string, { calls: number; ms: number }>).map(([k, v]) => [k, { perS: v.calls / seconds, usEach: (v.ms * 1000) / v.calls }])),
      storeSlow: s.store.slow.length,
      storeSlowMs: s.store.slow.reduce((n: number, x: { ms: number }) => n + x.ms, 0),
      storeSlowMax: Math.max(0, ...s.store.slow.map((x: { ms: number }) => x.ms)),
      stalls: stallReport.count,
      stallMs: stallReport.totalMs,
      stallMsWhileCoreTaken: stallReport.takenMs,
      waitedForQuietS: quietness.waitedS,
      busyBeforePct: quietness.busy,
      // CPU used on each core during the window by processes other than ours (other work on the machine).
      foreignCore0Pct: busy.length ? busy[0] - (s.cpuUs / 1000 / s.wallMs) * 100 : NaN,
      foreignCore1Pct: busy.length > 1 ? busy[1] - (g.cpuUs / 1000 / g.wallMs) * 100 : NaN,
      participants: n,
      sessions,
      store,
      joined: joined.joined,
      joinFailures: joined.failed,
      rampS: joined.rampMs / 1000,
      joinP99Ms: joined.join.p99,
      setupMs: setup,
      startMs: started.startMs,
      windowS: seconds,
      actions: g.rtt.n,
      actionsPerS: g.rtt.n / seconds,
      acksRefused: g.acksRefused,
      refusals: g.refusals,
      unanswered: g.unanswered,
      rttP50Ms: g.rtt.p50,
      rttP99Ms: g.rtt.p99,
      rttMaxMs: g.rtt.max,
      lagP50Ms: lag.lag.p50,
      lagP99Ms: lag.lag.p99,
      lagMaxMs: lag.lag.max,
      framesExpected: lag.expected,
      framesReceivedOfExpected: lag.received,
      framesPerS: g.telemetry / seconds,
      frameBytes: g.frameBytesAvg,
      eventsPerS: g.events / seconds,
      otherPerS: g.otherMessages / seconds,
      serverCpuPct: (s.cpuUs / 1000 / s.wallMs) * 100,
      serverUserPct: (s.cpuUserUs / 1000 / s.wallMs) * 100,
      serverSystemPct: (s.cpuSystemUs / 1000 / s.wallMs) * 100,
      engineCpuPct: (s.engineMs / s.wallMs) * 100,
      frameBuildPct: (s.frameMs / s.wallMs) * 100,
      cpuPerFrameUs,
      fanoutPerFrameUs: (s.fanoutMs * 1000) / g.telemetry,
      cpuPerMessageUs: s.cpuUs / (g.telemetry + g.events + g.otherMessages + g.rtt.n),
      eldP50Ms: s.eldP50Ms,
      eldP99Ms: s.eldP99Ms,
      eldMaxMs: s.eldMaxMs,
      gcPct: ((s.gc.minorMs + s.gc.majorMs) / s.wallMs) * 100,
      gcMajorN: s.gc.majorN,
      gcMajorMs: s.gc.majorMs,
      gcMinorN: s.gc.minorN,
      gcMaxMs: s.gc.maxMs,
      eventsPerSession: s.eventsPerSession,
      heapBaseMiB: h0.heapUsed / 2 ** 20,
      heapEndMiB: h3.heapUsed / 2 ** 20,
      // At a fixed point (after the warm-up), so waiting for quiet does not inflate it; the log grows on.
      heapPerParticipantKiB: kib(hW.heapUsed - h0.heapUsed) / n,
      heapEndPerParticipantKiB: kib(h3.heapUsed - h0.heapUsed) / n,
      runningS: (h3.at - hW.at) / 1000 + WARMUP_S,
      heapJoinPerParticipantKiB: kib(h2.heapUsed - h1.heapUsed) / n,
      heapSessionsLobbyPerSessionKiB: kib(h1.heapUsed - h0.heapUsed) / sessions,
      heapStartPerSessionKiB: kib(hW.heapUsed - h2.heapUsed) / sessions,
      heapGrowthPerSessionPerMinKiB: (kib(h3.heapUsed - hW.heapUsed) / sessions / (h3.at - hW.at)) * 60_000,
      rssEndMiB: h3.rss / 2 ** 20,
      generatorCpuPct: (g.cpuUs / 1000 / g.wallMs) * 100,
      generatorEldP99Ms: g.eldP99Ms,
      sampleFrame: g.sampleFrame as string,
    };
  } finally {
    await gen.exit();
    await server.exit();
  }
}

async function wsLevel(clients: number, frameText: string, frameBytes: number, mode: 'ws' | 'sio' = 'ws'): Promise<Record<string, number>> {
  const server = start('./server.ts', 0, { LOAD_SERVER_MODE: mode });
  const gen = start('./generator.ts', 1, {});
  try {
    const port = await server.call<number>('port');
    // The same size as firedrill's average telemetry message: its sample frame, trimmed or padded.
    // socket.io gets the sample frame as an object (it encodes it per broadcast, as for firedrill),
    // padded to the same length on the wire as firedrill's average frame.
    let text: string;
    if (mode === 'sio') {
      // The sample is often a full frame (every service), larger than the average: services are
      // dropped until it fits, then a pad field makes up the rest.
      const frame = (JSON.parse(frameText.slice(2)) as [string, { services: Record<string, unknown> }])[1]; // `42["telemetry",{…}]`
      const wire = (f: object) => Buffer.byteLength(`42["telemetry",${JSON.stringify(f)}]`);
      const services = { ...frame.services };
      for (const id of Object.keys(services).reverse()) {
        if (wire({ ...frame, services, pad: '' }) <= frameBytes) break;
        delete services[id];
      }
      const pad = Math.max(0, Math.round(frameBytes) - wire({ ...frame, services, pad: '' }));
      text = JSON.stringify({ ...frame, services, pad: ' '.repeat(pad) });
    } else {
      text = frameText.slice(0, Math.round(frameBytes));
      if (text.length < frameBytes) text += ' '.repeat(Math.round(frameBytes) - text.length);
    }
    await server.call('frame', { text });
    const h0 = await server.call('heap');
    const ramp = await gen.call(mode === 'sio' ? 'bare' : 'plain', { port, clients, concurrency: 50 }, 300_000);
    await sleep(2000);
    const quietness = await quiet();
    await gen.call('windowBegin');
    await server.call('windowBegin');
    await sleep(WS_WINDOW_S * 1000);
    const g = await gen.call('windowEnd');
    const s = await server.call('windowEnd');
    const h1 = await server.call('heap');
    await gen.call('close');
    await server.call('close');
    return {
      clients: ramp.connected,
      rampS: ramp.rampMs / 1000,
      framesPerS: g.telemetry / (g.wallMs / 1000),
      frameBytes: g.telemetry ? g.telemetryBytes / g.telemetry : 0,
      serverCpuPct: (s.cpuUs / 1000 / s.wallMs) * 100,
      cpuPerFrameUs: s.cpuUs / g.telemetry,
      eldP99Ms: s.eldP99Ms,
      waitedForQuietS: quietness.waitedS,
      heapPerClientKiB: kib(h1.heapUsed - h0.heapUsed) / clients,
      generatorCpuPct: (g.cpuUs / 1000 / g.wallMs) * 100,
    };
  } finally {
    await gen.exit();
    await server.exit();
  }
}

function table(r: LevelResult, ws: Record<string, number> | null, sio: Record<string, number> | null = null): string {
  const n = r.participants;
  const x = r as unknown as Record<string, number>;
  const ratio = ws ? x.cpuPerFrameUs / ws.cpuPerFrameUs : NaN;
  const rows: [string, string, string][] = [
    ['participants (sessions × 20)', `${int(n)} (${r.sessions} × ${PER_SESSION}), joined ${int(x.joined)}${x.joinFailures ? `, ${x.joinFailures} failed` : ''}`, n >= GOALS.participants ? `${int(GOALS.participants)} on one process` : ''],
    ['ramp-up (joins, 50 in flight)', `${f1(x.rampS)} s, join p99 ${f1(x.joinP99Ms)} ms`, ''],
    ['action round trip p50 / p99 (max)', `${f1(x.rttP50Ms)} / ${f1(x.rttP99Ms)} ms (${f1(x.rttMaxMs)})`, `p99 ≤ ${GOALS.rttP99Ms} ms: ${mark(x.rttP99Ms <= GOALS.rttP99Ms)}`],
    ['actions measured (per s); refused; unanswered', `${int(x.actions)} (${f1(x.actionsPerS)}/s); ${int(x.acksRefused)}; ${int(x.unanswered)}`, ''],
    ['telemetry lag p50 / p99 (max)', `${f1(x.lagP50Ms)} / ${f1(x.lagP99Ms)} ms (${f1(x.lagMaxMs)})`, ''],
    ['telemetry frames delivered', `${int(x.framesPerS)}/s, ${int(x.frameBytes)} B avg; ${int(x.framesReceivedOfExpected)} of ${int(x.framesExpected)} copies of computed frames arrived (${f1(100 - (100 * x.framesReceivedOfExpected) / x.framesExpected)} % dropped)`, `${int(n)}/s`],
    ['other messages delivered', `events ${int(x.eventsPerS)}/s, presence etc. ${int(x.otherPerS)}/s`, ''],
    ['frames computed in the busiest 100 ms slot of the second', `${f1(x.busiestSlotPct)} % (10 % = evenly spread)`, ''],
    ['server CPU (of one core)', `${f1(x.serverCpuPct)} % (user ${f1(x.serverUserPct)}, sys ${f1(x.serverSystemPct)}); engine ${f1(x.engineCpuPct)} %, frame building ${f2(x.frameBuildPct)} %`, ''],
    ['server CPU per delivered frame', `${f1(x.cpuPerFrameUs)} µs (per message of any kind ${f1(x.cpuPerMessageUs)} µs)`, ''],
    ['  of which sending telemetry (socket.io emit to the wire)', `${f1(x.fanoutPerFrameUs)} µs per delivered frame${ws ? ` = ${f2(x.fanoutPerFrameUs / ws.cpuPerFrameUs)}× ws` : ''}`, ''],
    ['plain ws baseline, same run', ws ? `${f1(ws.cpuPerFrameUs)} µs per frame (${int(ws.framesPerS)} frames/s of ${int(ws.frameBytes)} B, CPU ${f1(ws.serverCpuPct)} %, heap ${f2(ws.heapPerClientKiB)} KiB/client)` : 'skipped', ''],
    ['ratio firedrill / ws', f2(ratio), `≤ ${GOALS.cpuRatio}: ${ws ? mark(ratio <= GOALS.cpuRatio) : '–'}`],
    ['bare socket.io baseline, same run', sio ? `${f1(sio.cpuPerFrameUs)} µs per frame (${int(sio.framesPerS)} frames/s of ${int(sio.frameBytes)} B, CPU ${f1(sio.serverCpuPct)} %, heap ${f2(sio.heapPerClientKiB)} KiB/client)` : 'skipped', ''],
    ['ratio bare socket.io / ws; firedrill / bare socket.io', sio && ws ? `${f2(sio.cpuPerFrameUs / ws.cpuPerFrameUs)}; ${f2(x.cpuPerFrameUs / sio.cpuPerFrameUs)}` : '–', 'the transport\u2019s own floor'],
    ['server event-loop delay p50 / p99 (max)', `${f1(x.eldP50Ms)} / ${f1(x.eldP99Ms)} ms (${f1(x.eldMaxMs)})${ws ? `; ws baseline p99 ${f1(ws.eldP99Ms)} ms` : ''}`, ''],
    ['server stalls (a timer > 50 ms late)', `${int(x.stalls)}, ${int(x.stallMs)} ms in all; ${int(x.stallMsWhileCoreTaken)} ms of it while other processes held ≥ 50 % of core 0`, ''],
    ['store calls (synchronous time, group commits included)', `${int(x.storeCallsPerS)}/s in ${int(x.storeCommitsPerS)} group commits/s (${f2(x.appendsPerCommit)} appends each), ${f1(x.storePct)} % of wall time; ${int(x.storeSlow)} over 20 ms (${int(x.storeSlowMs)} ms in all, longest ${int(x.storeSlowMax)} ms)`, ''],
    ['  by method: calls/s × µs each', Object.entries(x.storeByName as unknown as Record<string, { perS: number; usEach: number }>).sort((a, b) => b[1].perS * b[1].usEach - a[1].perS * a[1].usEach).map(([k, v]) => `${k} ${int(v.perS)} × ${int(v.usEach)}`).join(', '), ''],
    ['server CPU by thread (% of a core)', Object.entries(x.threads as unknown as Record<string, number>).filter(([, v]) => v >= 0.05).map(([k, v]) => `${k} ${f1(v)}`).join(', '), ''],
    ['server GC pauses (window)', `${f1(x.gcPct)} % of wall time; ${int(x.gcMinorN)} minor, ${int(x.gcMajorN)} major/incremental (${int(x.gcMajorMs)} ms); longest ${f1(x.gcMaxMs)} ms`, ''],
    ['heap per participant (after the warm-up − empty server)', `${f2(x.heapPerParticipantKiB)} KiB (at the end, after ${int(x.runningS)} s running: ${f2(x.heapEndPerParticipantKiB)} KiB)`, `≤ ${GOALS.heapKiB} KiB: ${mark(x.heapPerParticipantKiB <= GOALS.heapKiB)}`],
    ['  of which: joined sockets (lobby)', `${f2(x.heapJoinPerParticipantKiB)} KiB per participant`, ''],
    ['  sessions: created / started and warmed up / growth', `${int(x.heapSessionsLobbyPerSessionKiB)} KiB / +${int(x.heapStartPerSessionKiB)} KiB per session; then +${int(x.heapGrowthPerSessionPerMinKiB)} KiB per session-minute (event log)`, ''],
    ['server heap at end (baseline), RSS', `${f1(x.heapEndMiB)} MiB (${f1(x.heapBaseMiB)}), RSS ${f1(x.rssEndMiB)} MiB; event log ${int(x.eventsPerSession)} events per session`, ''],
    ['generator (core 1): CPU, event-loop p99', `${f1(x.generatorCpuPct)} %, ${f1(x.generatorEldP99Ms)} ms`, 'headroom check'],
    ['other processes on core 0 / core 1 (window)', `${f1(Math.max(0, x.foreignCore0Pct))} % / ${f1(Math.max(0, x.foreignCore1Pct))} %; CPU pressure (PSI some) ${f1(x.cpuPressurePct)} %${x.waitedForQuietS > 0.5 ? ` (waited ${f1(x.waitedForQuietS)} s for quiet)` : ''}`, 'noise check'],
  ];
  return ['| measure | value | goal |', '| --- | --- | --- |', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

// ---------------------------------------------------------------------------------------------------
const limit = Number(spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim());
const biggest = Math.max(...LEVELS);
if (Number.isFinite(limit) && limit < biggest + 1024) {
  console.error(`load bench: the hard limit on open files is ${limit}; ${biggest} participants need ${biggest + 1024}. Raise it (ulimit -Hn / limits.conf) or lower LOAD_LEVELS.`);
  process.exit(1);
}
if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
const pinned = hasTaskset();
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`firedrill load bench — ${new Date().toISOString().slice(0, 10)}, ${machine}`);
console.log(
  `levels ${LEVELS.join(', ')}; scenario ${SCENARIO}, ${TEAMS.length} teams × ${TEAM_SIZE}, speed 1 (1 Hz telemetry), an action per bot every ~${ACTION_PERIOD_MS / 1000} s; ` +
    `warm-up ${WARMUP_S} s, window ${WINDOW_S} s (ws baseline ${WS_WINDOW_S} s); facilitators ${FACILITATORS_STAY ? 'stay' : 'leave after start'}; store ${env.LOAD_STORE === 'memory' ? 'memory' : 'sqlite'}`,
);
console.log(
  (pinned ? 'server pinned to core 0, generator to core 1 (taskset)' : 'WARNING: taskset unavailable: server and generator are NOT pinned (figures are noisier)') +
    (canNice(NICE) ? `, both at nice ${NICE}` : NICE !== 0 ? `; nice ${NICE} not permitted, running at normal priority` : ''),
);
if (SERVER_ARGS.length) console.log(`server Node flags: ${SERVER_ARGS.join(' ')}`);
console.log(`goals: ${GOALS.participants} participants on one process; action round trip p99 ≤ ${GOALS.rttP99Ms} ms; CPU per delivered frame ≤ ${GOALS.cpuRatio}× plain ws; heap ≤ ${GOALS.heapKiB} KiB per participant\n`);

const results: { firedrill: LevelResult; ws: Record<string, number> | null; sio: Record<string, number> | null }[] = [];
for (const level of LEVELS) {
  const t0 = Date.now();
  console.log(`## ${int(level)} participants`);
  let r: LevelResult;
  try {
    r = await firedrillLevel(level);
  } catch (err) {
    // A server that cannot keep up (or a machine too busy to measure on) fails the level, not the run.
    console.log(`level ${level} failed: ${(err as Error).message}\n`);
    for (const c of children) c.proc.kill('SIGKILL');
    continue;
  }
  const ws = BASELINE ? await wsLevel(r.participants, r.sampleFrame as string, r.frameBytes as number) : null;
  const sio = BASELINE && SIO_BASELINE ? await wsLevel(r.participants, r.sampleFrame as string, r.frameBytes as number, 'sio') : null;
  delete (r as Record<string, unknown>).sampleFrame;
  results.push({ firedrill: r, ws, sio });
  console.log(table(r, ws, sio));
  if (Object.keys(r.refusals as object).length) console.log(`refused actions by code: ${JSON.stringify(r.refusals)}`);
  console.log(`(level took ${f1((Date.now() - t0) / 1000)} s)\n`);
}
if (results.length > 1) {
  console.log('## Summary');
  console.log('| participants | RTT p50 / p99 ms | lag p99 ms | CPU % | µs/frame (ws) | ratio | ELD p99 ms | heap KiB/participant | other load c0/c1 % |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { firedrill: r, ws } of results) {
    const x = r as unknown as Record<string, number>;
    console.log(`| ${int(x.participants)} | ${f1(x.rttP50Ms)} / ${f1(x.rttP99Ms)} | ${f1(x.lagP99Ms)} | ${f1(x.serverCpuPct)} | ${f1(x.cpuPerFrameUs)} (${ws ? f1(ws.cpuPerFrameUs) : '–'}) | ${ws ? f2(x.cpuPerFrameUs / ws.cpuPerFrameUs) : '–'} | ${f1(x.eldP99Ms)} | ${f2(x.heapPerParticipantKiB)} | ${f1(Math.max(0, x.foreignCore0Pct))} / ${f1(Math.max(0, x.foreignCore1Pct))} |`);
  }
  const [a, b] = [results[results.length - 2].firedrill, results[results.length - 1].firedrill] as unknown as Record<string, number>[];
  const marginal = (b.heapPerParticipantKiB * b.participants - a.heapPerParticipantKiB * a.participants) / (b.participants - a.participants);
  console.log(`\nmarginal heap after the warm-up between the two largest levels: ${f2(marginal)} KiB per participant (fixed costs cancel out)\n`);
}
if (env.LOAD_JSON) writeFileSync(env.LOAD_JSON, JSON.stringify({ date: new Date().toISOString(), machine, pinned, results }, null, 2));
if (PROFILE_DIR) console.log(`server CPU profiles in ${PROFILE_DIR}`);
clearTimeout(deadline);
