// The load generator of test/bench/load.bench.ts (a child process, pinned to its own core).
// Firedrill mode: creates sessions over REST, connects a facilitator per session and bot
// participants over real sockets (lean socket.io client, sio.ts), starts the sessions, and sends an
// action per bot every ~10 s. Plain mode: N bare `ws` clients for the baseline server.
// It measures on its side: action round trips, telemetry arrivals (for the lag), frames and bytes.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { SioClient, frameTime } from './sio.ts';
import { serve, summarise, wallMs } from './ipc.ts';

interface SessionInfo {
  id: string;
  joinCode: string;
  facilitatorToken: string;
  facilitator?: SioClient;
}

interface Bot {
  n: number;
  session: number;
  team: string;
  client: SioClient;
  services: string[];
  alerts: string[];
  sent: number;
  timer?: NodeJS.Timeout;
}

const sessions: SessionInfo[] = [];
const bots: Bot[] = [];
const plain: WebSocket[] = [];
const bareClients: SioClient[] = [];
let base = '';
let wsUrl = '';

// Counters, reset at the start of the measured window.
let windowOpen = false;
let stats = fresh();
function fresh() {
  return {
    telemetry: 0,
    telemetryBytes: 0,
    events: 0,
    eventBytes: 0,
    otherMessages: 0,
    acksOk: 0,
    acksRefused: 0,
    refusals: {} as Record<string, number>,
    actionsSent: 0,
    rtts: [] as number[],
    arrivals: new Map<string, number[]>(),
    startedAt: wallMs(),
    cpu: process.cpuUsage(),
  };
}
let sampleFrame = '';
const frameSizes = { n: 0, bytes: 0 };
// The histogram records whole timer intervals: the delay is the value minus the resolution.
const ELD_RESOLUTION_MS = 10;
const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
eld.enable();

let actionPeriodMs = 10_000;
let acting = false;

function rand(a: number, b: number): number {
  return a + Math.random() * (b - a);
}

function scheduleAction(bot: Bot, delay: number): void {
  bot.timer = setTimeout(() => act(bot), delay);
}

function act(bot: Bot): void {
  if (!acting || !bot.client.connected) return;
  bot.sent++;
  const key = `b${String(bot.n).padStart(6, '0')}-${String(bot.sent).padStart(6, '0')}`;
  const useAck = bot.sent % 2 === 0 && bot.alerts.length > 0;
  const action = useAck
    ? { action: 'acknowledge', alert: bot.alerts[bot.sent % bot.alerts.length] }
    : { action: 'observe', service: bot.services[bot.sent % Math.max(1, bot.services.length)] ?? 'web', view: 'metrics' };
  const sentAt = performance.now();
  const counted = windowOpen;
  if (counted) stats.actionsSent++;
  bot.client.emitWithAck('action', { key, action }, (reply: { ok: boolean; error?: { code: string } }) => {
    if (!counted || !windowOpen) return;
    stats.rtts.push(performance.now() - sentAt);
    if (reply.ok) stats.acksOk++;
    else {
      stats.acksRefused++;
      const code = reply.error?.code ?? 'unknown';
      stats.refusals[code] = (stats.refusals[code] ?? 0) + 1;
    }
  });
  scheduleAction(bot, rand(0.8, 1.2) * actionPeriodMs);
}

async function post(path: string, body: object): Promise<any> {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Runs `task` for 0..n-1 with at most `limit` in flight. */
async function pool(n: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

/** A distinct loopback source address per bot (127.1.x.y): join codes are rate-limited per IP. */
function sourceAddress(i: number): string {
  return `127.${1 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

function onTelemetry(bot: Bot | null, session: number, team: string, raw: Buffer): void {
  if (bot && bot.services.length === 0) {
    // The first frame after joining is full: learn the service and alert ids to act on.
    const f = JSON.parse(raw.toString('utf8', 2))[1] as { services: Record<string, unknown>; alerts?: Record<string, unknown> };
    bot.services = Object.keys(f.services);
    bot.alerts = Object.keys(f.alerts ?? {});
  }
  if (!windowOpen) return;
  stats.telemetry++;
  stats.telemetryBytes += raw.length;
  if (frameSizes.n < 5000) {
    frameSizes.n++;
    frameSizes.bytes += raw.length;
    if (!sampleFrame) sampleFrame = raw.toString('utf8');
  }
  const key = `${sessions[session].id}|${team}|${frameTime(raw)}`;
  const t = wallMs();
  const list = stats.arrivals.get(key);
  if (list) list.push(t);
  else stats.arrivals.set(key, [t]);
}

function onEvent(_name: string, raw: Buffer): void {
  if (!windowOpen) return;
  if (_name === 'event') {
    stats.events++;
    stats.eventBytes += raw.length;
  } else stats.otherMessages++;
}

serve({
  /** Creates the sessions and connects (and keeps) one facilitator per session. */
  async setup(a: { port: number; sessions: number; teams: string[]; scenario: string; speed: number }) {
    base = `http://127.0.0.1:${a.port}`;
    wsUrl = `ws://127.0.0.1:${a.port}/socket.io/?EIO=4&transport=websocket`;
    const t0 = performance.now();
    await pool(a.sessions, 8, async (i) => {
      const c = (await post('/api/sessions', { scenario: a.scenario, teams: a.teams, speed: a.speed, seed: `load-${i}` })) as SessionInfo;
      sessions[i] = { id: c.id, joinCode: c.joinCode, facilitatorToken: c.facilitatorToken };
    });
    const created = performance.now() - t0;
    await pool(a.sessions, 20, async (i) => {
      const s = sessions[i];
      // The facilitator receives every team's frames; they are counted only if it stays.
      s.facilitator = new SioClient(wsUrl, { token: s.facilitatorToken }, {}, '127.0.0.1');
      await s.facilitator.ready;
    });
    return { createMs: created, facilitatorsMs: performance.now() - t0 - created };
  },

  /** Connects `perTeam` bots to every team of every session (by join code, as a browser would). */
  async join(a: { teams: string[]; perTeam: number; concurrency: number }) {
    const t0 = performance.now();
    const plan: { session: number; team: string }[] = [];
    for (let s = 0; s < sessions.length; s++) for (const team of a.teams) for (let k = 0; k < a.perTeam; k++) plan.push({ session: s, team });
    const failures: string[] = [];
    const joinMs: number[] = [];
    await pool(plan.length, a.concurrency, async (i) => {
      const { session, team } = plan[i];
      const n = bots.length;
      const bot: Bot = { n, session, team, services: [], alerts: [], sent: 0, client: null as unknown as SioClient };
      const started = performance.now();
      bot.client = new SioClient(wsUrl, { code: sessions[session].joinCode, team, name: `bot-${n}` }, { telemetry: (raw) => onTelemetry(bot, session, team, raw), event: onEvent }, sourceAddress(i + 1));
      bots.push(bot);
      try {
        await bot.client.ready;
        joinMs.push(performance.now() - started);
      } catch (err) {
        failures.push((err as Error).message);
      }
    });
    return { rampMs: performance.now() - t0, joined: bots.filter((b) => b.client.connected).length, failures: failures.slice(0, 5), failed: failures.length, join: summarise(joinMs) };
  },

  /** The facilitators start their sessions; then they leave unless `stay`. Bots begin acting. */
  async start(a: { stay: boolean; actionPeriodMs: number; spreadMs: number }) {
    const t0 = performance.now();
    // Facilitators do not all click at the same instant: starts spread evenly over `spreadMs`, so
    // the sessions' simulated seconds do not all turn in the same 100 ms driver step.
    await Promise.all(
      sessions.map(
        (s, i) =>
          new Promise<void>((resolve, reject) =>
            setTimeout(
              () =>
                s.facilitator!.emitWithAck('command', { key: `start-${String(i).padStart(6, '0')}`, command: 'start' }, (r: { ok: boolean; error?: unknown }) =>
                  r.ok ? resolve() : reject(new Error(`start refused: ${JSON.stringify(r.error)}`)),
                ),
              (i / sessions.length) * a.spreadMs,
            ),
          ),
      ),
    );
    const startMs = performance.now() - t0;
    for (const s of sessions) {
      if (a.stay) {
        const idx = sessions.indexOf(s);
        // Count its frames like a participant's: one per team per second.
        s.facilitator!.handlers = { telemetry: (raw: Buffer) => onTelemetry(null, idx, teamOf(raw), raw), event: onEvent };
      } else s.facilitator!.close();
    }
    actionPeriodMs = a.actionPeriodMs;
    // A period of 0 turns actions off (telemetry-only fan-out).
    acting = a.actionPeriodMs > 0;
    for (const bot of bots) scheduleAction(bot, Math.random() * actionPeriodMs);
    return { startMs };
  },

  /** Plain `ws` clients for the baseline server. */
  /** The bare socket.io baseline: `clients` lean socket.io clients in rooms of ten. */
  async bare(a: { port: number; clients: number; concurrency: number }) {
    const t0 = performance.now();
    const url = `ws://127.0.0.1:${a.port}/socket.io/?EIO=4&transport=websocket`;
    await pool(a.clients, a.concurrency, async (i) => {
      const c = new SioClient(url, { room: Math.floor(i / 10) }, {
        telemetry: (raw) => {
          if (!windowOpen) return;
          stats.telemetry++;
          stats.telemetryBytes += raw.length;
        },
      }, sourceAddress(i + 1));
      await c.ready;
      bareClients.push(c);
    });
    return { rampMs: performance.now() - t0, connected: bareClients.length };
  },

  async plain(a: { port: number; clients: number; concurrency: number }) {
    const t0 = performance.now();
    await pool(a.clients, a.concurrency, async (i) => {
      const ws = new WebSocket(`ws://127.0.0.1:${a.port}/`, { perMessageDeflate: false, localAddress: sourceAddress(i + 1) });
      ws.on('message', (data: Buffer) => {
        if (!windowOpen) return;
        stats.telemetry++;
        stats.telemetryBytes += data.length;
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      plain.push(ws);
    });
    return { rampMs: performance.now() - t0, connected: plain.length };
  },

  windowBegin() {
    stats = fresh();
    eld.reset();
    windowOpen = true;
    return { at: wallMs() };
  },

  /** Closes the window and hands back the figures; arrival times stay for `lag`. */
  windowEnd() {
    windowOpen = false;
    const wall = wallMs() - stats.startedAt;
    const cpu = process.cpuUsage(stats.cpu);
    const rtt = summarise(stats.rtts);
    let connected = 0;
    let pending = 0;
    for (const b of bots) {
      if (b.client.connected) connected++;
      pending += b.client.pending;
    }
    return {
      wallMs: wall,
      telemetry: stats.telemetry,
      telemetryBytes: stats.telemetryBytes,
      events: stats.events,
      eventBytes: stats.eventBytes,
      otherMessages: stats.otherMessages,
      actionsSent: stats.actionsSent,
      acksOk: stats.acksOk,
      acksRefused: stats.acksRefused,
      refusals: stats.refusals,
      unanswered: pending,
      connected: bots.length ? connected : plain.filter((w) => w.readyState === WebSocket.OPEN).length,
      rtt,
      cpuUs: cpu.user + cpu.system,
      eldP99Ms: Math.max(0, eld.percentile(99) / 1e6 - ELD_RESOLUTION_MS),
      eldMaxMs: Math.max(0, eld.max / 1e6 - ELD_RESOLUTION_MS),
      frameBytesAvg: frameSizes.n ? frameSizes.bytes / frameSizes.n : 0,
      sampleFrame,
    };
  },

  /**
   * Telemetry lag: for every frame the server computed in the window (its wall time, from the
   * server's hook), the arrival times of its copies here. Also how many copies never arrived.
   */
  lag(a: { computed: [string, number][]; windowEnd: number; facilitatorsStay: boolean }) {
    const expectedPerFrame: Record<string, number> = {};
    for (const b of bots) {
      const k = `${sessions[b.session].id}|${b.team}`;
      expectedPerFrame[k] = (expectedPerFrame[k] ?? (a.facilitatorsStay ? 1 : 0)) + (b.client.connected ? 1 : 0);
    }
    const lags: number[] = [];
    let expected = 0;
    let received = 0;
    for (const [key, at] of a.computed) {
      const arrivals = stats.arrivals.get(key) ?? [];
      for (const t of arrivals) lags.push(t - at);
      // Frames computed in the last second may still have been in flight when the window closed.
      if (at < a.windowEnd - 1000) {
        expected += expectedPerFrame[key.slice(0, key.lastIndexOf('|'))] ?? 0;
        received += arrivals.length;
      }
    }
    return { lag: summarise(lags), expected, received };
  },

  async close() {
    acting = false;
    for (const b of bots) {
      clearTimeout(b.timer);
      b.client.close();
    }
    for (const s of sessions) s.facilitator?.close();
    for (const w of plain) w.close();
    for (const c of bareClients) c.close();
    return { closed: bots.length + plain.length + bareClients.length };
  },
});

function teamOf(raw: Buffer): string {
  const i = raw.indexOf('"team":"');
  return raw.toString('utf8', i + 8, raw.indexOf('"', i + 8));
}
