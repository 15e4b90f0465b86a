// The server side of test/bench/load.bench.ts (a child process, pinned to its own core).
// LOAD_SERVER_MODE=firedrill: the real server (startServer) on a loopback port, with measuring hooks
// that change no behaviour: the wall time at which each telemetry frame is computed
// (SessionHost.prototype.frame), time in the engine (Session.prototype.advanceTo), CPU, event-loop
// delay, heap after GC. LOAD_SERVER_MODE=ws: the plain `ws` baseline — N clients, one frame of a
// given size to each per second, spread over ten 100 ms slots like the session driver's steps.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session as InspectorSession } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import pino from 'pino';
import { serve, wallMs } from './ipc.ts';

// The histogram records whole timer intervals: the delay is the value minus the resolution.
const ELD_RESOLUTION_MS = 10;
const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
eld.enable();

function heap() {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers, at: wallMs() };
}

// LOAD_PROFILE_FILE: a CPU profile of the measured window only (inspector, 1 ms sampling).
const profileFile = process.env.LOAD_PROFILE_FILE;
const inspector = profileFile ? new InspectorSession() : null;

let window = { cpu: process.cpuUsage(), at: wallMs() };
async function windowBegin() {
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.setSamplingInterval', { interval: 1000 });
    await inspector.post('Profiler.start');
  }
  eld.reset();
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
  return {
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

if (process.env.LOAD_SERVER_MODE === 'ws') {
  const clients: WebSocket[] = [];
  let frame = '';
  let tick = 0;
  let sent = 0;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    clients.push(ws);
    ws.on('close', () => clients.splice(clients.indexOf(ws), 1));
  });
  const timer = setInterval(() => {
    if (!frame) return;
    const slot = tick++ % 10;
    for (let i = slot; i < clients.length; i += 10) {
      clients[i].send(frame);
      sent++;
    }
  }, 100);
  await new Promise<void>((r) => wss.once('listening', r));
  serve({
    port: () => (wss.address() as { port: number }).port,
    heap,
    frame(a: { text: string }) {
      frame = a.text;
      return { bytes: Buffer.byteLength(frame) };
    },
    windowBegin() {
      sent = 0;
      return windowBegin();
    },
    windowEnd: async () => ({ ...(await windowFigures()), sent }),
    async close() {
      clearInterval(timer);
      for (const c of clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      setTimeout(() => process.exit(0), 50);
      return {};
    },
  });
} else {
  const { startServer } = await import('../../../server/serve.ts');
  const { SessionHost } = await import('../../../server/live/host.ts');
  const { Session } = await import('../../../server/engine/session/session.ts');
  const { createMemoryStore } = await import('../../../server/store/memory.ts');
  const { createSqliteStore } = await import('../../../server/store/sqlite.ts');

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
      if (f) computed.set(`${this.id}|${team}|${f.t}`, wallMs());
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

  const storeKind = process.env.LOAD_STORE === 'memory' ? 'memory' : 'sqlite';
  const dataDir = mkdtempSync(join(tmpdir(), 'firedrill-load-'));
  const store = storeKind === 'memory' ? createMemoryStore() : await createSqliteStore({ path: join(dataDir, 'firedrill.db') });
  const running = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    libraryDir: fileURLToPath(new URL('../../../scenarios/', import.meta.url)),
    allowedOrigins: [],
    store,
    logger: pino({ level: process.env.LOAD_LOG_LEVEL ?? 'error' }),
  });
  let framesSent0 = 0;
  const framesSent = () => Number(/firedrill_telemetry_frames_total (\d+)/.exec(running.manager.metrics.render())?.[1] ?? 0);

  serve({
    port: () => Number(new URL(running.url).port),
    store: () => storeKind,
    heap,
    async windowBegin() {
      computed.clear();
      engineNs = 0n;
      frameNs = 0n;
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
        teamFrames: framesSent() - framesSent0,
        sockets,
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
