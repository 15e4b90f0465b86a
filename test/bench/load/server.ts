// The server side of test/bench/load.bench.ts (a child process, pinned to its own core).
// LOAD_SERVER_MODE=firedrill: the real server (startServer) on a loopback port, with measuring hooks
// that change no behaviour: the wall time at which each telemetry frame is computed
// (SessionHost.prototype.frame), time in the engine (Session.prototype.advanceTo), synchronous time
// per store method; and, in both modes, CPU (per thread), event-loop delay, stalls, GC pauses and
// heap after GC. LOAD_SERVER_MODE=ws: the plain `ws` baseline — N clients, one frame of a
// given size to each per second, spread over ten 100 ms slots like the session driver's steps.
// LOAD_SERVER_MODE=sio: the same fan-out through bare socket.io (the transport firedrill must use):
// clients in rooms of ten, one volatile `telemetry` emit per room per second, the same slots, no
// engine, no store, no handlers — the floor socket.io itself sets for firedrill's figures.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session as InspectorSession } from 'node:inspector/promises';
import { setPriority, tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, constants as perf, monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import pino from 'pino';
import { serve, wallMs } from './ipc.ts';

// The histogram records whole timer intervals: the delay is the value minus the resolution.
const ELD_RESOLUTION_MS = 10;
const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
eld.enable();

// LOAD_HEAP_SNAPSHOTS=dir: a heap snapshot at every heap() call (slow; for finding what a
// participant costs, e.g. with a diff by constructor between the lobby and joined snapshots).
let snapshots = 0;
function heap(label?: string) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  if (process.env.LOAD_HEAP_SNAPSHOTS) writeHeapSnapshot(join(process.env.LOAD_HEAP_SNAPSHOTS, `${++snapshots}-${label ?? 'heap'}.heapsnapshot`));
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers, at: wallMs() };
}

// Garbage-collection pauses in the window, by kind.
let gcStats = { minorMs: 0, minorN: 0, majorMs: 0, majorN: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === perf.NODE_PERFORMANCE_GC_MINOR) {
      gcStats.minorMs += e.duration;
      gcStats.minorN++;
    } else {
      gcStats.majorMs += e.duration;
      gcStats.majorN++;
    }
    gcStats.maxMs = Math.max(gcStats.maxMs, e.duration);
    slot.gcMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

// Stalls: a 5 ms timer that fires more than 50 ms late marks one (wall time, lateness), with the
// server's CPU in that stretch — so stalls can be told apart from the process not being scheduled.
let stalls: { at: number; lateMs: number; cpuMs: number; mainCpuMs: number; ioWaitMs: number; simT?: number }[] = [];
/** The main thread's CPU and block-I/O wait (delayacct) in ms, from /proc/thread-self/stat. */
function mainThread(): { cpu: number; io: number } {
  try {
    const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return { cpu: (Number(f[11]) + Number(f[12])) * 10, io: Number(f[39]) * 10 };
  } catch {
    return { cpu: NaN, io: NaN };
  }
}
// A 100 ms timeline of the window (LOAD_TRACE): CPU, GC, frames, store calls and events per slot.
const timeline: { at: number; cpuMs: number; gcMs: number; frames: number; store: number; events: number }[] = [];
let slot = { gcMs: 0, frames: 0, store: 0, events: 0 };
if (process.env.LOAD_TRACE) {
  let c0 = process.cpuUsage();
  setInterval(() => {
    const c = process.cpuUsage(c0);
    c0 = process.cpuUsage();
    timeline.push({ at: wallMs(), cpuMs: (c.user + c.system) / 1000, ...slot });
    slot = { gcMs: 0, frames: 0, store: 0, events: 0 };
  }, 100).unref();
}

/** Simulated time of the first session (set in firedrill mode), to place stalls in the scenario. */
let simClock: () => number | undefined = () => undefined;
{
  let last = performance.now();
  // The CPU readings before a stall are refreshed every 50 ms, not on every tick (they cost a syscall
  // and a /proc read each).
  let lastCpu = process.cpuUsage();
  let lastMain = mainThread();
  let lastRead = last;
  setInterval(() => {
    const now = performance.now();
    const late = now - last - 5;
    if (late > 50) {
      const cpu = process.cpuUsage(lastCpu);
      const main = mainThread();
      stalls.push({ at: wallMs(), lateMs: late, cpuMs: (cpu.user + cpu.system) / 1000, mainCpuMs: main.cpu - lastMain.cpu, ioWaitMs: main.io - lastMain.io, simT: simClock() });
    }
    last = now;
    if (late > 50 || now - lastRead >= 50) {
      lastCpu = process.cpuUsage();
      lastMain = mainThread();
      lastRead = now;
    }
  }, 5).unref();
}

// LOAD_PROFILE_FILE: a CPU profile of the measured window only (inspector, 1 ms sampling).
const profileFile = process.env.LOAD_PROFILE_FILE;
const inspector = profileFile ? new InspectorSession() : null;

/** CPU jiffies per thread name (Linux): the main thread against V8's GC workers and libuv's pool. */
function threadTimes(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const comm = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const f = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ');
      const name = tid === String(process.pid) ? 'main' : comm;
      out.set(name, (out.get(name) ?? 0) + Number(f[11]) + Number(f[12]));
    }
  } catch {
    // not Linux
  }
  return out;
}
let threads0 = threadTimes();

let window = { cpu: process.cpuUsage(), at: wallMs() };
async function windowBegin() {
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 1000 });
    await inspector.post('Profiler.start');
  }
  eld.reset();
  gcStats = { minorMs: 0, minorN: 0, majorMs: 0, majorN: 0, maxMs: 0 };
  stalls = [];
  timeline.length = 0;
  threads0 = threadTimes();
  window = { cpu: process.cpuUsage(), at: wallMs() };
  return { at: window.at };
}
async function windowFigures() {
  const cpu = process.cpuUsage(window.cpu);
  const endAt = wallMs();
  if (inspector) {
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync(profileFile!, JSON.stringify(profile));
    inspector.disconnect();
  }
  const threads: Record<string, number> = {};
  for (const [name, j] of threadTimes()) threads[name] = ((j - (threads0.get(name) ?? 0)) * 10) / ((endAt - window.at) / 100); // % of a core
  return {
    timeline: timeline.slice(),
    threads,
    gc: { ...gcStats },
    stalls,
    endAt,
    wallMs: endAt - window.at,
    cpuUs: cpu.user + cpu.system,
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    eldP50Ms: Math.max(0, eld.percentile(50) / 1e6 - ELD_RESOLUTION_MS),
    eldP99Ms: Math.max(0, eld.percentile(99) / 1e6 - ELD_RESOLUTION_MS),
    eldMaxMs: Math.max(0, eld.max / 1e6 - ELD_RESOLUTION_MS),
  };
}

/** Both baselines: one frame to each target per second over ten 100 ms slots, like the session driver. */
function serveBaseline(b: { port(): number; targets(): number; setFrame(text: string): void; send(i: number): void; close(): Promise<void> }): void {
  let ready = false;
  let tick = 0;
  let sent = 0;
  const timer = setInterval(() => {
    if (!ready) return;
    const slot = tick++ % 10;
    for (let i = slot; i < b.targets(); i += 10) {
      b.send(i);
      sent++;
    }
  }, 100);
  serve({
    port: b.port,
    heap,
    frame(a: { text: string }) {
      b.setFrame(a.text);
      ready = true;
      return { bytes: Buffer.byteLength(a.text) };
    },
    windowBegin() {
      sent = 0;
      return windowBegin();
    },
    windowEnd: async () => ({ ...(await windowFigures()), sent }),
    async close() {
      clearInterval(timer);
      await b.close();
      setTimeout(() => process.exit(0), 50);
      return {};
    },
  });
}

if (process.env.LOAD_SERVER_MODE === 'sio') {
  const { createServer } = await import('node:http');
  const { Server } = await import('socket.io');
  const http = createServer();
  // The options firedrill's server uses (server/serve.ts).
  const io = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 * 4 });
  const rooms: string[] = [];
  io.on('connection', (socket) => {
    const room = `r${Number((socket.handshake.auth as { room?: number }).room ?? 0)}`;
    void socket.join(room);
    if (!rooms.includes(room)) rooms.push(room);
  });
  let frame: object = {};
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  serveBaseline({
    port: () => (http.address() as { port: number }).port,
    targets: () => rooms.length,
    setFrame: (text) => (frame = JSON.parse(text) as object),
    send: (i) => io.to(rooms[i]).volatile.emit('telemetry', frame),
    close: async () => {
      io.disconnectSockets(true);
      await new Promise<void>((r) => io.close(() => r()));
    },
  });
} else if (process.env.LOAD_SERVER_MODE === 'ws') {
  const clients: WebSocket[] = [];
  let frame = '';
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    clients.push(ws);
    ws.on('close', () => clients.splice(clients.indexOf(ws), 1));
  });
  await new Promise<void>((r) => wss.once('listening', r));
  serveBaseline({
    port: () => (wss.address() as { port: number }).port,
    targets: () => clients.length,
    setFrame: (text) => (frame = text),
    send: (i) => clients[i].send(frame),
    close: async () => {
      for (const c of clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  });
} else {
  const { startServer } = await import('../../../server/serve.ts');
  const { SessionHost } = await import('../../../server/live/host.ts');
  const { Session } = await import('../../../server/engine/session/session.ts');
  const { createMemoryStore } = await import('../../../server/store/memory.ts');
  const { createSqliteStore } = await import('../../../server/store/sqlite.ts');

  let storeStats = { calls: 0, ms: 0, commits: 0, commitAppends: 0, slow: [] as { name: string; ms: number; at: number }[], byName: {} as Record<string, { calls: number; ms: number }> };
  // Hook 1: when each telemetry frame is computed (the side channel for the lag).
  let recording = false;
  const computed = new Map<string, number>();
  let frameNs = 0n;
  const frame = SessionHost.prototype.frame;
  SessionHost.prototype.frame = function (this: { id: string }, team: string, full: boolean) {
    const t0 = process.hrtime.bigint();
    const f = frame.call(this as never, team, full);
    if (recording && !full) {
      frameNs += process.hrtime.bigint() - t0;
      if (f) {
        computed.set(`${this.id}|${team}|${f.t}`, wallMs());
        slot.frames++;
      }
    }
    return f;
  };
  // Hook 2: time spent simulating.
  let engineNs = 0n;
  const advanceTo = Session.prototype.advanceTo;
  Session.prototype.advanceTo = function (this: InstanceType<typeof Session>, target: number) {
    const t0 = process.hrtime.bigint();
    advanceTo.call(this, target);
    if (recording) engineNs += process.hrtime.bigint() - t0;
  };

  // Hook 2b: time spent sending telemetry (every `….volatile.emit('telemetry', …)` and the
  // facilitators' copy): socket.io's encoding, the adapter's fan-out, engine.io and ws down to the
  // writev — the part of the work that the plain ws baseline does alone.
  let fanoutNs = 0n;
  {
    const { createRequire } = await import('node:module');
    const { dirname, join: joinPath } = await import('node:path');
    const require = createRequire(import.meta.url);
    const { BroadcastOperator } = require(joinPath(dirname(require.resolve('socket.io')), 'broadcast-operator.js')) as { BroadcastOperator: { prototype: { emit(ev: string, ...args: unknown[]): boolean } } };
    const emit = BroadcastOperator.prototype.emit;
    BroadcastOperator.prototype.emit = function (this: unknown, ev: string, ...args: unknown[]) {
      if (ev !== 'telemetry' || !recording) return emit.call(this, ev, ...args);
      const t0 = process.hrtime.bigint();
      const out = emit.call(this, ev, ...args);
      fanoutNs += process.hrtime.bigint() - t0;
      return out;
    };
  }

  const storeKind = process.env.LOAD_STORE === 'memory' ? 'memory' : 'sqlite';
  const dataDir = mkdtempSync(join(tmpdir(), 'firedrill-load-'));
  // Hook 3a: SQLite commits its appends in groups at the end of a turn of the event loop, outside
  // the calls timed below: each group commit is timed here.
  const onCommit = (appends: number, ms: number) => {
    if (!recording) return;
    storeStats.commits++;
    storeStats.commitAppends += appends;
    storeStats.ms += ms;
    if (ms > 20) storeStats.slow.push({ name: `commit of ${appends}`, ms: Math.round(ms), at: wallMs() });
  };
  const store = storeKind === 'memory' ? createMemoryStore() : await createSqliteStore({ path: join(dataDir, 'firedrill.db'), onCommit });
  // Hook 3: slow store calls (better-sqlite3 is synchronous: a slow commit or checkpoint blocks the loop).
  for (const [name, fn] of Object.entries(store)) {
    if (typeof fn !== 'function') continue;
    (store as unknown as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
      const t0 = performance.now();
      const out = (fn as (...a: unknown[]) => unknown).apply(this, args);
      const ms = performance.now() - t0; // the synchronous part, which is all of it for SQLite
      slot.store++;
      if (name === 'appendEvents') slot.events += (args[1] as unknown[]).length;
      if (recording) {
        storeStats.calls++;
        storeStats.ms += ms;
        const m = (storeStats.byName[name] ??= { calls: 0, ms: 0 });
        m.calls++;
        m.ms += ms;
        if (ms > 20) storeStats.slow.push({ name, ms: Math.round(ms), at: wallMs() });
      }
      return out;
    };
  }
  const running = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    libraryDir: fileURLToPath(new URL('../../../scenarios/', import.meta.url)),
    allowedOrigins: [],
    store,
    logger: pino({ level: process.env.LOAD_LOG_LEVEL ?? 'error' }),
  });
  // LOAD_HELPERS_CORE=n (diagnostic): move every thread but the main one (V8's GC and compiler
  // workers, libuv's pool) to core n, to see what the event loop does when it has core 0 alone.
  if (process.env.LOAD_HELPERS_CORE) {
    for (const tid of readdirSync('/proc/self/task')) {
      if (tid !== String(process.pid)) spawnSync('taskset', ['-p', '-c', process.env.LOAD_HELPERS_CORE, tid], { stdio: 'ignore' });
    }
  }
  // LOAD_HELPERS_NICE=n (diagnostic): give every thread but the main one that niceness, so that on
  // a shared core V8's concurrent GC work runs when the event loop does not need the core.
  if (process.env.LOAD_HELPERS_NICE) {
    for (const tid of readdirSync('/proc/self/task')) {
      if (tid !== String(process.pid)) setPriority(Number(tid), Number(process.env.LOAD_HELPERS_NICE));
    }
  }
  simClock = () => running.manager.loaded()[0]?.session.t;
  let framesSent0 = 0;
  const framesSent = () => Number(/firedrill_telemetry_frames_total (\d+)/.exec(running.manager.metrics.render())?.[1] ?? 0);

  serve({
    port: () => Number(new URL(running.url).port),
    store: () => storeKind,
    heap,
    async windowBegin() {
      computed.clear();
      storeStats = { calls: 0, ms: 0, commits: 0, commitAppends: 0, slow: [], byName: {} };
      engineNs = 0n;
      frameNs = 0n;
      fanoutNs = 0n;
      recording = true;
      framesSent0 = framesSent();
      return await windowBegin();
    },
    async windowEnd() {
      recording = false;
      const figures = await windowFigures();
      const sockets = running.io.of('/').sockets.size;
      return {
        ...figures,
        engineMs: Number(engineNs) / 1e6,
        frameMs: Number(frameNs) / 1e6,
        fanoutMs: Number(fanoutNs) / 1e6,
        teamFrames: framesSent() - framesSent0,
        sockets,
        store: storeStats,
        eventsPerSession: running.manager.loaded().reduce((n, h) => n + h.session.events.length, 0) / Math.max(1, running.manager.loaded().length),
        computed: [...computed.entries()],
      };
    },
    async close() {
      await running.close('benchmark over');
      rmSync(dataDir, { recursive: true, force: true });
      // Exit after the reply is out (--cpu-prof writes its profile at exit).
      setTimeout(() => process.exit(0), 50);
      return {};
    },
  });
}
