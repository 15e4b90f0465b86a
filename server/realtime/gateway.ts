// The socket.io gateway: who may connect (Origin allow-list, tokens, join codes with a rate limit),
// what they receive (their team's events in order, telemetry, presence) and what they may send
// (validated, size-checked, rate-limited, authorised messages with idempotency keys).
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import type { Logger } from 'pino';
import type { SessionEvent } from '../engine/session/events.ts';
import { VISIBLE_EVENTS, serviceLogs, teamView } from '../engine/session/view.ts';
import { parseDuration } from '../engine/duration.ts';
import { ActionMessage, CommandMessage, HandshakeAuth, LogsRequest, MAX_MESSAGE_BYTES, ResumeRequest, ViewRequest, hasForbiddenKey } from '../protocol/messages.ts';
import type { ClientToServer, Participant, ServerToClient, Welcome } from '../protocol/events.ts';
import { errorBody, type ErrorCode } from '../protocol/errors.ts';
import type { SessionManager } from '../live/manager.ts';
import type { LiveSession } from '../cluster/types.ts';
import type { SessionHost } from '../live/host.ts';
import type { FacilitatorCommand } from '../engine/session/session.ts';
import { RateLimiter } from './rate-limit.ts';

export type FiredrillServer = Server<ClientToServer, ServerToClient, Record<string, never>, SocketData>;
type FiredrillSocket = Socket<ClientToServer, ServerToClient, Record<string, never>, SocketData>;

export interface SocketData {
  host: LiveSession;
  kind: 'facilitator' | 'participant';
  participant?: Participant & { token: string };
  lastSeq: number;
}

export interface GatewayOptions {
  manager: SessionManager;
  logger: Logger;
  /** Origins allowed to open a socket; '*' allows any; an empty list allows only same-host pages. */
  allowedOrigins: string[];
  now?: () => number;
}

/** socket.io's `cors` option does not refuse a foreign Origin; `allowRequest` does. */
export function originAllowed(req: IncomingMessage, allowed: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser (bots, CLI): tokens still apply
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

const validators = new Map<TSchema, ReturnType<typeof Compile>>();
function check(schema: TSchema, value: unknown): boolean {
  let v = validators.get(schema);
  if (!v) {
    v = Compile(schema);
    validators.set(schema, v);
  }
  return v.Check(value);
}

/** The events a client may send (`ClientToServer`). */
const CLIENT_EVENTS: ReadonlySet<string> = new Set<keyof ClientToServer>(['action', 'command', 'logs', 'view', 'resume']);

/** How long a connecting client waits for this node's copy of the log to reach what it has seen. */
const REACH_TIMEOUT_MS = 5000;

function rooms(host: { id: string }) {
  return { all: `s:${host.id}`, facilitators: `s:${host.id}:f`, team: (t: string) => `s:${host.id}:t:${t}` };
}

export function attachGateway(io: FiredrillServer, options: GatewayOptions): { close(): void } {
  const { manager, logger } = options;
  const now = options.now ?? Date.now;
  // 10 failed attempts, then one every 6 s, per IP. A join takes a token before the lookup (so that
  // parallel guesses cannot all pass) and gives it back when the code was right: a room full of
  // people behind one NAT address joining at once is not guessing.
  const joinLimiter = new RateLimiter(10, 10 / 60, now);
  const messageLimiter = new RateLimiter(40, 20, now); // bursts of 40, 20 a second, per socket
  const wired = new Map<string, () => void>();
  const connected = new Map<string, Map<string, number>>(); // session → participant id → sockets
  const following = new Map<string, number>(); // session → this node's sockets on it (any kind)
  // A session a socket follows stays in memory; one the manager drops is let go of here too.
  manager.isInUse = (id) => (following.get(id) ?? 0) > 0;
  const offUnload = manager.onUnload((id) => {
    wired.get(id)?.();
    wired.delete(id);
    if (!connected.get(id)?.size) connected.delete(id);
  });

  /** One listener per host fans its events and telemetry out to rooms. */
  function wire(host: LiveSession): void {
    if (wired.has(host.id)) return;
    const r = rooms(host);
    // This node's sockets only: in a cluster every node relays the log from its own copy of it, in
    // seq order (server/cluster/handle.ts), so nothing goes through the adapter twice.
    const local = io.local;
    const off = host.subscribe({
      events(events: SessionEvent[]) {
        for (const e of events) {
          const visible = VISIBLE_EVENTS.has(e.type);
          if (e.team !== undefined) {
            local.to(r.facilitators).emit('event', e);
            if (visible) local.to(r.team(e.team)).emit('event', e);
          } else if (visible) {
            local.to(r.all).emit('event', e);
          } else {
            local.to(r.facilitators).emit('event', e);
          }
        }
      },
      telemetry(frame) {
        // Participants get one frame per tick, volatile: superseded every tick, never buffered.
        // Facilitators get every team's frame in the same tick; volatile would drop all but the
        // first of those back-to-back writes, so theirs are sent reliably (they are few).
        // Facilitators never join team rooms, so no `except` (it builds an exclusion set per frame).
        local.to(r.team(frame.team)).volatile.emit('telemetry', frame);
        local.to(r.facilitators).emit('telemetry', frame);
        manager.metrics.framesSent.inc();
      },
    });
    wired.set(host.id, off);
  }

  io.use(async (socket, next) => {
    if (manager.closing) {
      const err = new Error('server/shutting-down') as Error & { data?: unknown };
      err.data = errorBody('server/shutting-down');
      return next(err);
    }
    const ip = socket.handshake.address;
    const fail = (code: ErrorCode, message?: string) => {
      manager.metrics.rejected.inc({ code });
      const err = new Error(message ?? code) as Error & { data?: unknown };
      err.data = errorBody(code, message);
      next(err);
    };
    // A client that comes from another node may have seen events that this node's copy of the
    // log has not reached yet (in a cluster); the copy catches up from the store first, or those
    // events would come again live after the replay. Bounded: a slow store delays, never blocks.
    const admit = async () => {
      const { host, lastSeq } = socket.data;
      if (host.reach && lastSeq > host.published) {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, REACH_TIMEOUT_MS, 'late')));
        const done = await Promise.race([host.reach(lastSeq).then(() => 'ok' as const), late]);
        clearTimeout(timer);
        if (done === 'late' || lastSeq > host.published) logger.warn({ session: host.id, lastSeq, published: host.published }, 'a client has seen events this node\u2019s copy of the log does not have yet');
      }
      next();
    };
    try {
      const auth = socket.handshake.auth as unknown;
      if (hasForbiddenKey(auth)) return fail('message/forbidden-key');
      if (!check(HandshakeAuth, auth)) return fail('auth/missing');
      const a = auth as HandshakeAuth;
      if ('token' in a) {
        const participant = await manager.store.getParticipantByToken(a.token);
        if (participant) {
          const host = await manager.open(participant.sessionId);
          if (!host) return fail('session/not-found');
          socket.data = { host, kind: 'participant', participant: { id: participant.id, name: participant.name, team: participant.team, role: participant.role, connected: true, token: participant.token }, lastSeq: a.lastSeq ?? 0 };
          return admit();
        }
        const host = await manager.byFacilitatorToken(a.token);
        if (!host) {
          if (!joinLimiter.take(ip)) return fail('auth/rate-limited');
          logger.warn({ ip }, 'socket refused: unknown token');
          return fail('auth/invalid-token');
        }
        socket.data = { host, kind: 'facilitator', lastSeq: a.lastSeq ?? 0 };
        return admit();
      }
      if (!joinLimiter.take(ip)) {
        logger.warn({ ip }, 'join refused: rate limited (join-code guessing?)');
        return fail('auth/rate-limited');
      }
      const host = await manager.byJoinCode(a.code);
      if (!host) {
        logger.warn({ ip, code: a.code.slice(0, 3) + '…' }, 'join refused: unknown join code');
        return fail('auth/unknown-code');
      }
      joinLimiter.refund(ip);
      if (host.phase === 'ended') return fail('session/ended', 'this game day has ended; its report is available from the facilitator');
      const joined = await manager.join(host, a.team, a.name, a.role ?? 'responder');
      if ('error' in joined) return fail(joined.error.code as ErrorCode, joined.error.message);
      socket.data = { host, kind: 'participant', participant: { id: joined.id, name: joined.name, team: joined.team, role: joined.role, connected: true, token: joined.token }, lastSeq: a.lastSeq ?? 0 };
      await admit();
    } catch (err) {
      logger.error({ err }, 'socket handshake failed');
      fail('internal');
    }
  });

  io.on('connection', (socket: FiredrillSocket) => {
    const { host, kind, participant } = socket.data;
    following.set(host.id, (following.get(host.id) ?? 0) + 1);
    wire(host);
    const r = rooms(host);
    const isFacilitator = kind === 'facilitator';
    const visibleTo = (e: SessionEvent) => isFacilitator || ((e.team === undefined || e.team === participant!.team) && VISIBLE_EVENTS.has(e.type));

    // Welcome, the events missed since lastSeq, then the rooms — all in one synchronous block, so
    // no broadcast can fall between the replay and the subscription: no gap, no duplicate.
    const s = host.record.scenario;
    const welcome: Welcome = {
      sessionId: host.id,
      you: isFacilitator ? { kind: 'facilitator' } : { kind: 'participant', participant: strip(participant!), token: participant!.token },
      scenario: { id: s.id, title: s.title, summary: s.summary, briefing: s.briefing, difficulty: s.difficulty, duration: parseDuration(s.duration), objectives: s.objectives, workload: s.workload },
      teams: host.record.teams,
      phase: host.phase,
      t: host.session.t,
      speed: host.speed,
      lastSeq: host.published,
      scoresVisible: host.record.scoresVisible,
    };
    socket.emit('welcome', welcome);
    const after = Math.min(socket.data.lastSeq, host.published);
    for (const e of host.session.events.slice(after, host.published)) if (visibleTo(e)) socket.emit('event', e);
    // Every event after `covered` has been or will be delivered on this socket (replayed above, then
    // live through the rooms): a `resume` replays only what lies at or below it, so nothing twice.
    let covered = after;
    void socket.join(r.all);
    if (isFacilitator) void socket.join(r.facilitators);
    else void socket.join(r.team(participant!.team));
    // The current picture at once, so a new screen does not wait for changes.
    for (const team of isFacilitator ? host.record.teams : [participant!.team]) {
      const frame = host.frame(team, true);
      if (frame) socket.emit('telemetry', frame);
    }
    if (participant) {
      const m = connected.get(host.id) ?? new Map<string, number>();
      m.set(participant.id, (m.get(participant.id) ?? 0) + 1);
      connected.set(host.id, m);
    }
    void presence(host);

    /** Validates and authorises one message, then runs it; the ack is called exactly once. */
    function on<M>(event: keyof ClientToServer, schema: TSchema, handler: (m: M, ack: (reply: object) => void) => Promise<void> | void) {
      socket.on(event, async (...args: unknown[]) => {
        // The acknowledgement, when there is one, is the last argument: a message sent with no
        // payload (`emit('view', ack)`) still gets its answer.
        const ack = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
        const message = args[0];
        const reply = typeof ack === 'function' ? (ack as (r: object) => void) : (r: object) => {
          if ('ok' in r && r.ok === false) socket.emit('error', (r as unknown as { error: ReturnType<typeof errorBody> }).error);
        };
        const refuse = (code: ErrorCode, message?: string, details?: unknown) => {
          manager.metrics.rejected.inc({ code });
          reply({ ok: false, error: errorBody(code, message, details) });
        };
        try {
          if (!messageLimiter.take(socket.id)) return refuse('message/rate-limited');
          if (args.length !== 1) return refuse('message/invalid', `${event} takes exactly one message object (got ${args.length} arguments)`);
          let size = 0;
          try {
            size = JSON.stringify(message ?? null).length;
          } catch {
            return refuse('message/invalid', 'the message is not JSON');
          }
          if (size > MAX_MESSAGE_BYTES) return refuse('message/too-large', `message of ${size} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
          if (hasForbiddenKey(message)) return refuse('message/forbidden-key');
          if (!check(schema, message)) return refuse('message/invalid', `malformed ${event} message`);
          await handler(message as M, reply);
        } catch (err) {
          logger.error({ err, event, session: host.id }, 'socket message failed');
          refuse('internal');
        }
      });
    }

    on<ActionMessage>('action', ActionMessage, async (m, ack) => {
      if (isFacilitator) return ack({ ok: false, error: errorBody('auth/forbidden', 'facilitators do not act for a team; join as a participant') });
      const action = participant!.name && !m.action.actor ? { ...m.action, actor: participant!.name } : m.action;
      const out = await host.submitAction(participant!.team, action, `${participant!.id}:${m.key}`);
      ack({ ok: true, seq: out.seq, result: out.result, duplicate: out.duplicate });
    });

    on<CommandMessage>('command', CommandMessage, async (m, ack) => {
      // A practising participant may ask for a hint for their own team; every other command is the facilitator's.
      if (!isFacilitator && m.command !== 'request-hint') return ack({ ok: false, error: errorBody('auth/forbidden', 'only the facilitator can do that') });
      if (!isFacilitator && m.team !== undefined && m.team !== participant!.team) return ack({ ok: false, error: errorBody('auth/forbidden', 'you can only ask for hints for your own team') });
      const cmd = toCommand(isFacilitator ? m : { ...m, team: participant!.team }, host);
      if ('error' in cmd) return ack({ ok: false, error: errorBody('message/invalid', cmd.error) });
      const out = await host.command(cmd, isFacilitator ? `f:${m.key}` : `${participant!.id}:${m.key}`);
      if (out.result.ok) ack({ ok: true, effect: out.result.effect, duplicate: out.duplicate });
      else ack({ ok: false, error: { code: out.result.code, message: out.result.message } });
    });

    on<LogsRequest>('logs', LogsRequest, async (m, ack) => {
      const team = isFacilitator ? (m.team ?? host.record.teams[0]) : participant!.team;
      if (!isFacilitator && m.team !== undefined && m.team !== team) return ack({ ok: false, error: errorBody('auth/forbidden', 'you can only read your own team\u2019s logs') });
      // In a cluster, the node that runs the session answers (through the session's handle).
      if (host.remote) return ack(await host.remote.logs(team, m.service, m.limit ?? 100));
      ack({ ok: true, lines: serviceLogs((host as SessionHost).session, team, m.service, m.limit ?? 100) });
    });

    on<ViewRequest>('view', ViewRequest, async (m, ack) => {
      const team = isFacilitator ? (m.team ?? host.record.teams[0]) : participant!.team;
      if (!isFacilitator && m.team !== undefined && m.team !== team) return ack({ ok: false, error: errorBody('auth/forbidden', 'you can only see your own team') });
      if (host.remote) return ack(await host.remote.view(team));
      const view = teamView((host as SessionHost).session, team);
      if (!view) return ack({ ok: false, error: errorBody('auth/unknown-team') });
      ack({ ok: true, view: isFacilitator ? view : { ...view, feed: view.feed } });
    });

    on<ResumeRequest>('resume', ResumeRequest, (m, ack) => {
      // Missed events after `after`, in order, up to where this socket's own delivery begins; later
      // ones have arrived or will arrive live through the rooms.
      const from = Math.min(m.after, host.published);
      const to = Math.min(covered, host.published);
      let replayed = 0;
      for (const e of host.session.events.slice(from, Math.max(from, to))) {
        if (visibleTo(e)) {
          socket.emit('event', e);
          replayed++;
        }
      }
      covered = Math.min(covered, from);
      ack({ ok: true, replayed, lastSeq: host.published });
    });

    // An event the protocol does not have is refused like a malformed message (and counts against
    // the rate limit like one): socket.io would drop it, leaving a client that asked for an
    // acknowledgement waiting for ever.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && CLIENT_EVENTS.has(event)) return;
      const last = args[args.length - 1];
      const code: ErrorCode = messageLimiter.take(socket.id) ? 'message/invalid' : 'message/rate-limited';
      manager.metrics.rejected.inc({ code });
      const body = errorBody(code, code === 'message/invalid' ? `unknown event ${JSON.stringify(String(event).slice(0, 40))} (the events are ${[...CLIENT_EVENTS].join(', ')})` : undefined);
      if (typeof last === 'function') (last as (r: object) => void)({ ok: false, error: body });
      else socket.emit('error', body);
    });

    socket.on('disconnect', () => {
      const left = (following.get(host.id) ?? 1) - 1;
      if (left > 0) following.set(host.id, left);
      else {
        following.delete(host.id);
        manager.touch(host.id);
      }
      if (participant) {
        const m = connected.get(host.id);
        const n = (m?.get(participant.id) ?? 1) - 1;
        if (m) n > 0 ? m.set(participant.id, n) : m.delete(participant.id);
      }
      void presence(host);
    });
  });

  // In a cluster two nodes may compute at once, each before the other wrote its list, and the later
  // broadcast would miss someone: a second pass a second later, when every list is written, settles
  // it (debounced per session; only while Redis is up — nothing to settle, and nothing to queue, in
  // an outage).
  const settling = new Map<string, ReturnType<typeof setTimeout>>();
  function settle(host: LiveSession): void {
    const cluster = manager.cluster;
    if (!cluster || settling.has(host.id) || cluster.status().redis !== 'ok') return;
    const t = setTimeout(() => {
      settling.delete(host.id);
      if (!manager.closing && cluster.status().redis === 'ok') void presenceOnce(host);
    }, 1000);
    t.unref?.();
    settling.set(host.id, t);
  }

  async function presence(host: LiveSession): Promise<void> {
    settle(host);
    await presenceOnce(host);
  }

  async function presenceOnce(host: LiveSession): Promise<void> {
    try {
      const people = await manager.store.listParticipants(host.id);
      const here = connected.get(host.id) ?? new Map<string, number>();
      // In a cluster, who is online anywhere (every node's sockets); the adapter carries the list to all.
      const online = manager.cluster ? await manager.cluster.presence(host.id, [...here.keys()]) : new Set(here.keys());
      const list: Participant[] = people.map((p) => ({ id: p.id, name: p.name, team: p.team, role: p.role, connected: online.has(p.id) }));
      io.to(rooms(host).all).emit('presence', list);
    } catch (err) {
      logger.error({ err }, 'presence failed');
    }
  }

  return {
    close() {
      offUnload();
      manager.isInUse = () => false;
      for (const t of settling.values()) clearTimeout(t);
      settling.clear();
      for (const off of wired.values()) off();
      wired.clear();
    },
  };
}

function strip(p: Participant & { token?: string }): Participant {
  return { id: p.id, name: p.name, team: p.team, role: p.role, connected: true };
}

/** A facilitator's message as an engine command; the fields each command needs are checked here. */
export function toCommand(m: CommandMessage, host: Pick<LiveSession, 'record'>): FacilitatorCommand | { error: string } {
  if (m.team !== undefined && !host.record.teams.includes(m.team)) return { error: `no team "${m.team}" (teams: ${host.record.teams.join(', ')})` };
  switch (m.command) {
    case 'start':
    case 'resume':
    case 'reveal-scores':
      return { command: m.command };
    case 'pause':
      return { command: 'pause', ...(m.reason ? { reason: m.reason } : {}) };
    case 'halt':
    case 'end':
      return { command: m.command, ...(m.reason ? { reason: m.reason } : {}) };
    case 'set-speed':
      return m.speed === undefined ? { error: 'set-speed needs `speed`' } : { command: 'set-speed', speed: m.speed };
    case 'release-hint':
      return m.hint === undefined ? { error: 'release-hint needs `hint`' } : { command: 'release-hint', hint: m.hint, ...(m.team ? { team: m.team } : {}) };
    case 'message':
      return m.text === undefined ? { error: 'message needs `text`' } : { command: 'message', text: m.text, ...(m.team ? { team: m.team } : {}) };
    case 'inject':
      return m.fault === undefined ? { error: 'inject needs `fault`' } : { command: 'inject', fault: m.fault, ...(m.team ? { team: m.team } : {}) };
    case 'request-hint':
      return m.team === undefined ? { error: 'request-hint needs `team`' } : { command: 'request-hint', team: m.team };
  }
}
