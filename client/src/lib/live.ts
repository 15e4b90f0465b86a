// One live connection to a game day over socket.io, as a facilitator or a participant.
// It keeps the event log (in order, never twice), the telemetry history per team, presence and
// the session's phase, and offers actions and commands with idempotency keys and retries.
//
// Reconnection: socket.io reconnects by itself; every attempt authenticates with the token from
// the welcome and the last sequence number seen, so the server replays exactly what was missed.
// If the server knows fewer events than we do (it lost some), we drop ours and replay from 0.
import { io, type Socket } from 'socket.io-client';
import type { ActionReply, Participant, ServerToClient, ClientToServer, TelemetryFrame, Welcome } from '../../../server/protocol/events.ts';
import { TELEMETRY_METRICS } from '../../../server/protocol/events.ts';
import type { ActionMessage, CommandMessage, HandshakeAuth } from '../../../server/protocol/messages.ts';
import type { ErrorBody } from '../../../server/protocol/errors.ts';
import type { SessionEvent, Phase } from '../../../server/engine/session/events.ts';
import type { TeamView } from '../../../server/engine/session/view.ts';
import type { LogLine } from '../../../server/engine/workload/world.ts';
import type { ActionSpec } from '../../../server/engine/actions/schema.ts';
import { newKey } from './keys.ts';
import { loadLog, saveCreds, saveLog, type Creds } from './creds.ts';

export type FiredrillSocket = Socket<ServerToClient, ClientToServer>;
export type Metric = (typeof TELEMETRY_METRICS)[number];
export const METRIC_INDEX = Object.fromEntries(TELEMETRY_METRICS.map((m, i) => [m, i])) as Record<Metric, number>;

export type Identity =
  | { kind: 'facilitator'; sessionId: string; token: string }
  | { kind: 'participant'; sessionId: string; token: string }
  | { kind: 'join'; code: string; team: string; name: string; role: string };

export type Status = 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface LiveSnapshot {
  status: Status;
  /** Why the connection failed or what the server last complained about. */
  error?: ErrorBody;
  welcome?: Welcome;
  phase: Phase | string;
  t: number;
  speed: number;
  scoresVisible: boolean;
  presence: Participant[];
  lastSeq: number;
  /** Bumped whenever `events` changes. */
  eventsRev: number;
  /** Bumped whenever telemetry arrives. */
  telemetryRev: number;
}

/** The outcome of an action or command, ready to show. */
export type Outcome = { ok: true; effect: string; duplicate: boolean; seq?: number | null; data?: Record<string, unknown>; completesAt?: number } | { ok: false; code: string; message: string };

const HISTORY = 900; // points per series: 15 minutes of simulated time at one tick a second

/** The telemetry of one team: a shared time axis and one array per service and metric. */
export class TeamSeries {
  readonly times: number[] = [];
  readonly series = new Map<string, (number | null)[][]>();
  readonly latest = new Map<string, number[]>();
  /**
   * The newest known state of each alert and the simulated time it was seen. Telemetry frames are
   * sent volatile and can be dropped with the transitions they carry, so alert events (reliable)
   * update this too, and a team view newer than an entry wins over it (see mergedAlerts).
   */
  readonly alerts = new Map<string, { state: 'inactive' | 'pending' | 'firing'; t: number }>();

  noteAlert(id: string, state: 'inactive' | 'pending' | 'firing', t: number): void {
    const known = this.alerts.get(id);
    if (!known || known.t <= t) this.alerts.set(id, { state, t });
  }

  push(frame: TelemetryFrame): void {
    for (const [id, state] of Object.entries(frame.alerts ?? {})) this.noteAlert(id, state, frame.t);
    // Before the first tick every metric is 0: not a measurement, so not a point on a chart.
    if (frame.t <= 0) return;
    for (const [id, values] of Object.entries(frame.services)) this.latest.set(id, values);
    const last = this.times.length - 1;
    const sameTick = last >= 0 && frame.t <= this.times[last];
    if (!sameTick) {
      this.times.push(frame.t);
      if (this.times.length > HISTORY) this.times.shift();
    }
    for (const [id, values] of this.latest) {
      let s = this.series.get(id);
      if (!s) {
        // A service seen for the first time: nothing before now.
        s = TELEMETRY_METRICS.map(() => new Array<number | null>(Math.max(0, this.times.length - 1)).fill(null));
        this.series.set(id, s);
      }
      for (let m = 0; m < TELEMETRY_METRICS.length; m++) {
        const arr = s[m];
        if (sameTick && arr.length === this.times.length) arr[arr.length - 1] = values[m] ?? null;
        else {
          arr.push(values[m] ?? null);
          while (arr.length > this.times.length) arr.shift();
        }
      }
    }
  }

  value(service: string, metric: Metric): number | undefined {
    return this.latest.get(service)?.[METRIC_INDEX[metric]];
  }
}

type Listener = () => void;

export class LiveSession {
  readonly socket: FiredrillSocket;
  identity: Identity;
  events: SessionEvent[] = [];
  readonly telemetry = new Map<string, TeamSeries>();
  private seqs = new Set<number>();
  private snapshot: LiveSnapshot;
  private listeners = new Set<Listener>();
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private notifyQueued = false;
  /** Resolves with the first welcome (or rejects with the handshake error). */
  readonly ready: Promise<Welcome>;

  constructor(identity: Identity) {
    this.identity = identity;
    let lastSeq = 0;
    if (identity.kind !== 'join') {
      const log = loadLog(identity.sessionId, identity.kind);
      this.events = log.events;
      for (const e of log.events) this.seqs.add(e.seq);
      lastSeq = log.lastSeq;
    }
    this.snapshot = { status: 'connecting', phase: 'lobby', t: 0, speed: 1, scoresVisible: false, presence: [], lastSeq, eventsRev: 0, telemetryRev: 0 };

    let settle: { resolve: (w: Welcome) => void; reject: (e: ErrorBody) => void } | undefined;
    this.ready = new Promise<Welcome>((resolve, reject) => (settle = { resolve, reject }));
    this.ready.catch(() => undefined);

    this.socket = io({
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      // Called on every attempt: after the first welcome, the token and the newest seq seen.
      auth: (cb) => cb(this.handshake()),
    });
    const s = this.socket;
    s.on('connect', () => this.set({ status: 'connected', error: undefined }));
    s.on('disconnect', (reason) => {
      this.set({ status: reason === 'io client disconnect' ? 'closed' : 'reconnecting' });
      // The server closed on us (not a network failure): socket.io will not retry on its own.
      if (reason === 'io server disconnect') setTimeout(() => s.connect(), 1000);
    });
    s.on('connect_error', (err: Error & { data?: ErrorBody }) => {
      if (err.data?.code) {
        // Refused by the server's handshake: retrying will not help (wrong code, unknown token…).
        this.set({ status: 'failed', error: err.data });
        settle?.reject(err.data);
      } else {
        this.set({ status: 'reconnecting', error: { code: 'network', message: `cannot reach the server (${err.message}); retrying` } });
      }
    });
    s.on('welcome', (w) => this.onWelcome(w, settle));
    s.on('event', (e) => this.onEvent(e));
    s.on('telemetry', (f) => this.onTelemetry(f));
    s.on('presence', (p) => this.set({ presence: p }));
    s.on('error', (e) => this.set({ error: e }));
    s.connect();
  }

  get sessionId(): string | undefined {
    return this.identity.kind === 'join' ? this.snapshot.welcome?.sessionId : this.identity.sessionId;
  }

  private handshake(): HandshakeAuth {
    const id = this.identity;
    if (id.kind === 'join') return { code: id.code, team: id.team, name: id.name, role: id.role as never, lastSeq: this.snapshot.lastSeq };
    return { token: id.token, lastSeq: this.snapshot.lastSeq };
  }

  private onWelcome(w: Welcome, settle?: { resolve: (w: Welcome) => void }): void {
    if (w.you.kind === 'participant') {
      const p = w.you.participant;
      this.identity = { kind: 'participant', sessionId: w.sessionId, token: w.you.token };
      saveCreds({ sessionId: w.sessionId, participant: { token: w.you.token, name: p.name, team: p.team, role: p.role } });
    }
    const resync = w.lastSeq < this.snapshot.lastSeq;
    if (resync) {
      // The server has fewer events than we saw (it lost some): ours may be wrong; start over.
      this.events = [];
      this.seqs.clear();
    }
    this.set({ welcome: w, phase: w.phase, t: Math.max(w.t, resync ? 0 : this.snapshot.t), speed: w.speed, scoresVisible: w.scoresVisible, lastSeq: resync ? 0 : this.snapshot.lastSeq, eventsRev: this.snapshot.eventsRev + 1 });
    if (resync) this.socket.emit('resume', { after: 0 }, () => undefined);
    settle?.resolve(w);
  }

  private onEvent(e: SessionEvent): void {
    if (this.seqs.has(e.seq)) return;
    this.seqs.add(e.seq);
    const last = this.events[this.events.length - 1];
    if (!last || last.seq < e.seq) this.events.push(e);
    else {
      const i = this.events.findIndex((x) => x.seq > e.seq);
      this.events.splice(i, 0, e);
    }
    const patch: Partial<LiveSnapshot> = { lastSeq: Math.max(this.snapshot.lastSeq, e.seq), eventsRev: this.snapshot.eventsRev + 1, t: Math.max(this.snapshot.t, e.t) };
    if (e.type === 'session.phase') patch.phase = e.phase;
    if (e.type === 'session.ended') patch.phase = 'ended';
    if (e.type === 'session.speed') patch.speed = e.speed;
    if (e.type === 'scores.revealed') patch.scoresVisible = true;
    if ((e.type === 'alert.firing' || e.type === 'alert.resolved' || e.type === 'alert.pending') && e.team) {
      this.seriesOf(e.team).noteAlert(e.alert, e.type === 'alert.firing' ? 'firing' : e.type === 'alert.pending' ? 'pending' : 'inactive', e.t);
    }
    this.set(patch);
    this.scheduleSave();
  }

  private seriesOf(team: string): TeamSeries {
    let series = this.telemetry.get(team);
    if (!series) this.telemetry.set(team, (series = new TeamSeries()));
    return series;
  }

  private onTelemetry(f: TelemetryFrame): void {
    this.seriesOf(f.team).push(f);
    this.set({ telemetryRev: this.snapshot.telemetryRev + 1, t: Math.max(this.snapshot.t, f.t) });
  }

  private scheduleSave(): void {
    if (this.saveTimer || this.identity.kind === 'join') return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      if (this.identity.kind !== 'join') saveLog(this.identity.sessionId, this.identity.kind, { lastSeq: this.snapshot.lastSeq, events: this.events });
    }, 2000);
  }

  // ── the React side: useSyncExternalStore(live.subscribe, live.getSnapshot) ────────────────
  subscribe = (fn: Listener): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getSnapshot = (): LiveSnapshot => this.snapshot;

  private set(patch: Partial<LiveSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    // Telemetry can arrive many times a second at high speed: one render per frame is enough.
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const fn of this.listeners) fn();
    });
  }

  // ── requests ──────────────────────────────────────────────────────────────────────────────
  /** A team action with a fresh idempotency key; a timed-out attempt is retried with the same key. */
  async act(action: ActionSpec): Promise<Outcome> {
    const message: ActionMessage = { key: newKey(), action };
    const reply = await this.withRetry((timeout) => this.socket.timeout(timeout).emitWithAck('action', message));
    if (!reply.ok) return { ok: false, code: reply.error.code, message: reply.error.message };
    const r = (reply as { ok: true } & ActionReply).result;
    if (!r.ok) return { ok: false, code: r.code, message: r.message };
    return { ok: true, effect: r.effect, duplicate: (reply as ActionReply).duplicate, seq: (reply as ActionReply).seq, ...(r.data ? { data: r.data } : {}), ...(r.completesAt !== undefined ? { completesAt: r.completesAt } : {}) };
  }

  /** A facilitator command with a fresh idempotency key. */
  async command(command: Omit<CommandMessage, 'key'>): Promise<Outcome> {
    const message: CommandMessage = { key: newKey(), ...command };
    const reply = await this.withRetry((timeout) => this.socket.timeout(timeout).emitWithAck('command', message));
    if (!reply.ok) return { ok: false, code: reply.error.code, message: reply.error.message };
    return { ok: true, effect: reply.effect, duplicate: reply.duplicate };
  }

  async view(team?: string): Promise<TeamView> {
    const reply = await this.withRetry((timeout) => this.socket.timeout(timeout).emitWithAck('view', team ? { team } : {}), 1);
    if (!reply.ok) throw reply.error;
    return reply.view;
  }

  async logs(service: string, team?: string, limit = 200): Promise<LogLine[]> {
    const reply = await this.withRetry((timeout) => this.socket.timeout(timeout).emitWithAck('logs', { service, limit, ...(team ? { team } : {}) }), 1);
    if (!reply.ok) throw reply.error;
    return reply.lines;
  }

  private async withRetry<R>(send: (timeout: number) => Promise<R>, attempts = 2): Promise<R | { ok: false; error: ErrorBody }> {
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        return await send(8000);
      } catch (e) {
        last = e; // a timeout: the same message (same key) is sent again
      }
    }
    const offline = !this.socket.connected;
    return { ok: false, error: { code: offline ? 'client/offline' : 'client/timeout', message: offline ? 'not connected to the server; it will be sent again when the connection is back — try again in a moment' : `no answer from the server (${(last as Error)?.message ?? 'timeout'})` } };
  }

  close(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    if (this.identity.kind !== 'join') saveLog(this.identity.sessionId, this.identity.kind, { lastSeq: this.snapshot.lastSeq, events: this.events });
    this.socket.disconnect();
    this.listeners.clear();
  }
}

// One connection per session and identity, kept across page changes within the tab.
const registry = new Map<string, LiveSession>();

export function liveFor(creds: Creds, kind: 'facilitator' | 'participant'): LiveSession | undefined {
  const key = `${creds.sessionId}:${kind}`;
  const existing = registry.get(key);
  if (existing && existing.getSnapshot().status !== 'failed') return existing;
  const token = kind === 'facilitator' ? creds.facilitatorToken : creds.participant?.token;
  if (!token) return undefined;
  const live = new LiveSession({ kind, sessionId: creds.sessionId, token });
  registry.set(key, live);
  return live;
}

/** Joins with a code; once welcomed, the connection is registered under its session id. */
export async function joinWithCode(code: string, team: string, name: string, role: string): Promise<{ live: LiveSession; welcome: Welcome }> {
  const live = new LiveSession({ kind: 'join', code, team, name, role });
  try {
    const welcome = await live.ready;
    const old = registry.get(`${welcome.sessionId}:participant`);
    if (old && old !== live) old.close();
    registry.set(`${welcome.sessionId}:participant`, live);
    return { live, welcome };
  } catch (e) {
    live.close();
    throw e;
  }
}

export function forget(sessionId: string, kind: 'facilitator' | 'participant'): void {
  const key = `${sessionId}:${kind}`;
  registry.get(key)?.close();
  registry.delete(key);
}
