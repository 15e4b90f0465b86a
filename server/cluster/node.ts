// One node of a firedrill cluster (DATABASE_URL + REDIS_URL): several `firedrill serve` processes
// behind a load balancer, sharing sessions through PostgreSQL and Redis.
//
// - Ownership. Each session's engine runs on exactly one node, the holder of its lease in
//   PostgreSQL (lease.ts). The owner renews its leases every ttl/4 in one statement; a lease that
//   was not renewed for a whole ttl expires (PostgreSQL's clock), and any node's sweep takes it
//   over: it rebuilds the session by replaying its stored inputs and runs it on (a session whose
//   lease expired longer ago than the resume window comes back paused, as after a restart).
// - Fencing. A host asks `fence()` before persisting an input and before a clock step: a node
//   whose lease is gone, or whose renewal has not been confirmed within the lease's validity (the
//   database unreachable), applies nothing. The validity is measured on this node's monotonic
//   clock from the moment the renewal was sent, minus a margin, so it always ends before
//   PostgreSQL's expiry.
// - Forwarding. A socket on any node talks to a SessionHandle (handle.ts). Inputs and reads that
//   need the engine go to the owner as requests on the owner's Redis channel; the requester
//   retries (same idempotency key) through a change of owner until a deadline.
// - Relaying. The owner publishes each batch of events and each telemetry frame on the session's
//   Redis channel; every node's handle appends them to its copy of the log in seq order and
//   repairs any gap from the database.
import { performance } from 'node:perf_hooks';
import { hostname } from 'node:os';
import { createClient } from 'redis';
import { createAdapter } from '@socket.io/redis-adapter';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import type { SessionManager } from '../live/manager.ts';
import { FencedError, SessionHost } from '../live/host.ts';
import type { Store } from '../store/store.ts';
import { serviceLogs, teamView } from '../engine/session/view.ts';
import type { ActionSpec } from '../engine/actions/schema.ts';
import type { FacilitatorCommand } from '../engine/session/session.ts';
import { errorBody } from '../protocol/errors.ts';
import { LeaseStore, checkNodeId, isLeaseFenceError } from './lease.ts';
import { SessionHandle, stateOf, type FeedMessage } from './handle.ts';
import type { ClusterHooks, LiveSession } from './types.ts';

type Redis = ReturnType<typeof createClient>;

/** Host name, process id and a random suffix: unique enough, and readable in logs. */
export function defaultNodeId(): string {
  return `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 60)}-${process.pid}-${nanoid(4).replace(/[^A-Za-z0-9]/g, 'x')}`;
}

export interface ClusterOptions {
  manager: SessionManager;
  leases: LeaseStore;
  redisUrl: string;
  logger: Logger;
  /** This node's id (unique in the cluster). Default: hostname, pid and a random suffix. */
  nodeId?: string;
  /** Prefix of every Redis channel and key (several clusters, or tests, on one Redis). Default `firedrill`. */
  prefix?: string;
  /** How long a lease lasts without renewal. Default 5000 ms. */
  leaseTtlMs?: number;
  /** A lease that expired less than this long ago is taken over running; an older one comes back paused. Default 60 s. */
  resumeWindowMs?: number;
  /** How long a forwarded action may wait for an owner (through a failover) before failing. Default 15 s. */
  callTimeoutMs?: number;
  /** Milliseconds between two sweeps for expired leases. Default 1000 (with jitter). */
  sweepMs?: number;
}

export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}

type Reply = { k: 'res'; id: string; ok: true; value: unknown } | { k: 'res'; id: string; ok: false; notOwner?: boolean; error?: string };
type Request = { k: 'req'; id: string; from: string; sid: string; op: string; args: Record<string, unknown> };
type Broadcast = { k: 'halt'; reason: string; at: number; from: string; id?: string } | { k: 'release'; from: string };
/** A node's answer to a halt-all broadcast: how many sessions it halted. */
type Halted = { k: 'halted'; id: string; from: string; n: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ClusterNode implements ClusterHooks {
  readonly nodeId: string;
  readonly prefix: string;
  readonly leaseTtlMs: number;
  private readonly manager: SessionManager;
  private readonly store: Store;
  readonly leases: LeaseStore;
  private readonly log: Logger;
  private readonly resumeWindowMs: number;
  private readonly callTimeoutMs: number;
  private readonly sweepMs: number;
  private readonly margin: number;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly adapterPub: Redis;
  private readonly adapterSub: Redis;
  /** Sessions whose lease this node holds: until when (performance.now()) it may act on them. */
  private readonly owned = new Map<string, { validUntil: number }>();
  private readonly hosts = new Map<string, { host: SessionHost; off: () => void }>();
  private readonly handles = new Map<string, SessionHandle>();
  private readonly opening = new Map<string, Promise<SessionHandle | undefined>>();
  private readonly taking = new Map<string, Promise<boolean>>();
  private readonly replicas = new Map<string, { at: number; host: Promise<SessionHost | undefined> }>();
  /** When a socket last opened or left each relayed session, and when this node first saw it ended. */
  private readonly opened = new Map<string, number>();
  private readonly endedSince = new Map<string, number>();
  private readonly pending = new Map<string, (reply: Reply) => void>();
  private readonly haltCounts = new Map<string, (from: string, n: number) => void>();
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private redisUp = false;
  private dbUp = true;
  private closed = false;

  private constructor(options: ClusterOptions) {
    this.manager = options.manager;
    this.store = options.manager.store;
    this.leases = options.leases;
    this.log = options.logger;
    this.nodeId = checkNodeId(options.nodeId ?? defaultNodeId());
    this.prefix = options.prefix ?? 'firedrill';
    this.leaseTtlMs = options.leaseTtlMs ?? 5000;
    this.resumeWindowMs = options.resumeWindowMs ?? 60_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 15_000;
    this.sweepMs = options.sweepMs ?? 1000;
    this.margin = Math.max(250, this.leaseTtlMs / 10);
    const redisOptions = {
      url: options.redisUrl,
      // Nothing queues while Redis is away: the feed is repaired from the database, requests retry.
      disableOfflineQueue: true,
      socket: { connectTimeout: 3000, reconnectStrategy: (retries: number) => Math.min(100 * (retries + 1), 2000) },
    };
    this.pub = createClient(redisOptions);
    this.sub = this.pub.duplicate();
    this.adapterPub = createClient({ ...redisOptions, disableOfflineQueue: false });
    this.adapterSub = this.adapterPub.duplicate();
    for (const c of [this.pub, this.sub, this.adapterPub, this.adapterSub]) c.on('error', () => undefined); // reported by the status watch
  }

  /** Connects to Redis, creates the lease tables, and hooks into the manager. Loops start with `run()`. */
  static async start(options: ClusterOptions): Promise<ClusterNode> {
    const node = new ClusterNode(options);
    await options.leases.init();
    await Promise.all([node.pub.connect(), node.sub.connect(), node.adapterPub.connect(), node.adapterSub.connect()]);
    node.redisUp = true;
    await node.sub.subscribe(node.channel('n', node.nodeId), (m) => node.onNodeMessage(m));
    await node.sub.subscribe(node.channel('all'), (m) => node.onBroadcast(m));
    const halted = await options.leases.getState<{ reason: string; at: number }>('halted_all');
    if (halted) await options.manager.haltAllLocal(halted.reason, halted.at);
    options.manager.cluster = node;
    options.manager.metrics.gauge('firedrill_cluster_relays', 'Sessions whose log this node relays to its sockets (cluster).', () => node.handles.size);
    return node;
  }

  /** The socket.io adapter (classic pub/sub) on this node's Redis connections. */
  adapter(): ReturnType<typeof createAdapter> {
    return createAdapter(this.adapterPub, this.adapterSub, { key: `${this.prefix}#sio` });
  }

  /** Starts renewing, sweeping and watching; adopts unfinished sessions that have no lease yet. */
  run(): void {
    const every = (ms: number, fn: () => Promise<void>) => {
      let busy = false;
      const timer = setInterval(() => {
        if (busy || this.closed) return;
        busy = true;
        fn().catch((err) => this.log.error({ err }, 'cluster loop failed')).finally(() => (busy = false));
      }, ms);
      timer.unref?.();
      this.timers.push(timer);
    };
    every(this.leaseTtlMs / 4, () => this.renew());
    every(this.sweepMs + Math.floor(Math.random() * this.sweepMs * 0.3), () => this.sweep());
    every(500, () => this.watch());
    every(5000, () => this.syncHaltState());
    every(Math.min(60_000, Math.max(250, this.manager.endedTtlMs / 4)), async () => this.dropEndedRelays());
    void this.adoptOrphans().catch((err) => this.log.error({ err }, 'adopting sessions without a lease failed'));
  }

  status(): { node: string; redis: 'ok' | 'unreachable'; database: 'ok' | 'unreachable'; sessionsOwned: number } {
    return { node: this.nodeId, redis: this.redisUp ? 'ok' : 'unreachable', database: this.dbUp ? 'ok' : 'unreachable', sessionsOwned: this.owned.size };
  }

  private channel(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  // ── ownership ────────────────────────────────────────────────────────────────────────────

  fence(sessionId: string): string | null {
    const o = this.owned.get(sessionId);
    if (!o) return `node ${this.nodeId} does not hold the lease of this session`;
    if (performance.now() > o.validUntil) return `node ${this.nodeId} could not renew the lease of this session (database unreachable)`;
    return null;
  }

  async created(host: SessionHost): Promise<void> {
    const sent = performance.now();
    const grant = await this.leases.acquire(host.id, this.nodeId, this.leaseTtlMs);
    if (!grant) throw new ClusterError(`session ${host.id} was just created, yet another node holds its lease`);
    this.owned.set(host.id, { validUntil: sent + grant.validMs - this.margin });
    this.register(host);
  }

  /** Takes the lease of a session when it is free (or ours) and rebuilds it here. False when another node holds it. */
  takeOver(sessionId: string): Promise<boolean> {
    let p = this.taking.get(sessionId);
    if (!p) {
      p = this.doTakeOver(sessionId).finally(() => this.taking.delete(sessionId));
      this.taking.set(sessionId, p);
    }
    return p;
  }

  private async doTakeOver(sessionId: string): Promise<boolean> {
    if (this.closed) return false;
    const sent = performance.now();
    const grant = await this.leases.acquire(sessionId, this.nodeId, this.leaseTtlMs);
    if (!grant) return false;
    this.owned.set(sessionId, { validUntil: sent + grant.validMs - this.margin });
    if (this.hosts.has(sessionId)) return true;
    try {
      const record = await this.store.getSession(sessionId);
      if (!record) {
        this.owned.delete(sessionId);
        await this.leases.drop(sessionId, this.nodeId);
        return false;
      }
      // Taken over (or taken back) soon after its owner stopped: it runs on. A session that never had
      // a lease, or whose lease ran out long ago (the whole cluster was down), comes back paused.
      const continueRunning = grant.expiredForMs !== null && grant.expiredForMs < this.resumeWindowMs;
      const started = performance.now();
      const host = await this.manager.adopt(record, { continueRunning });
      this.register(host);
      if (grant.changedHands && grant.expiredForMs !== null) {
        this.log.warn({ session: sessionId, phase: host.phase, lastSeq: host.published, expiredForMs: Math.round(grant.expiredForMs), rebuildMs: Math.round(performance.now() - started), continueRunning }, 'took over a session whose owner stopped renewing its lease');
      }
      return true;
    } catch (err) {
      this.owned.delete(sessionId);
      this.manager.unload(sessionId);
      await this.leases.release(sessionId, this.nodeId).catch(() => undefined);
      throw err;
    }
  }

  /** A local host: publish its feed, follow it from the local handle, drop the lease once it ends. */
  private register(host: SessionHost): void {
    const old = this.hosts.get(host.id);
    old?.off();
    const feed = this.channel('s', host.id);
    const publish = (msg: FeedMessage) => {
      if (!this.redisUp) return;
      this.pub.publish(feed, JSON.stringify(msg)).catch(() => undefined);
    };
    const off = host.subscribe({
      events: (events) => publish({ k: 'ev', seq: host.published, st: stateOf(host), events }),
      telemetry: (frame) => publish({ k: 'tm', seq: host.published, st: stateOf(host), frame }),
    });
    this.hosts.set(host.id, { host, off });
    this.handles.get(host.id)?.attachLocal(host);
    // An ended session keeps its lease while its host is loaded here (for reads, and the commands
    // that still apply: revealing scores): one authority, whose events every node relays. The
    // lease goes when the manager drops the host (`unloaded`).
  }

  /** This node lost a session's lease: it stops applying anything to it at once. */
  private lose(sessionId: string, why: string): void {
    this.owned.delete(sessionId);
    const local = this.hosts.get(sessionId);
    if (local) {
      local.off();
      this.hosts.delete(sessionId);
      this.manager.unload(sessionId);
    }
    const handle = this.handles.get(sessionId);
    if (handle) {
      handle.detachLocal();
      void handle.resync();
    }
    this.log.warn({ session: sessionId, why }, 'lost the lease of a session: no longer running it here');
  }

  private async renew(): Promise<void> {
    const ids = [...this.owned.keys()];
    if (ids.length === 0) return void (await this.checkDb());
    const sent = performance.now();
    let valid: Map<string, number>;
    try {
      valid = await this.leases.renewAll(this.nodeId, ids, this.leaseTtlMs);
    } catch (err) {
      this.setDb(false, err);
      return;
    }
    const wasDown = !this.dbUp;
    this.setDb(true);
    if (wasDown) {
      // Writes may have failed halfway (committed, but the answer lost): rebuild every session run
      // here from what the database holds, and repair every relayed log.
      void this.rebuildAll();
    }
    for (const id of ids) {
      const o = this.owned.get(id);
      if (!o) continue;
      const ms = valid.get(id);
      if (ms === undefined) {
        this.lose(id, 'another node holds its lease now');
        continue;
      }
      const wasFenced = performance.now() > o.validUntil;
      o.validUntil = sent + ms - this.margin;
      if (wasFenced) {
        // The clock was held while the lease could not be confirmed: the game goes on from there.
        this.hosts.get(id)?.host.reanchor();
        this.log.info({ session: id }, 'lease renewed again: the session runs on');
      }
    }
  }

  private async rebuildAll(): Promise<void> {
    for (const id of [...this.hosts.keys()]) {
      await this.rebuild(id).catch((err) => this.log.error({ err, session: id }, 'rebuilding a session after the database came back failed'));
    }
  }

  /** Retires the local host (fenced first, then drained) and rebuilds the session from the store. */
  private async rebuild(sessionId: string): Promise<void> {
    const cur = this.hosts.get(sessionId);
    if (!cur) return;
    this.owned.delete(sessionId);
    cur.off();
    this.hosts.delete(sessionId);
    this.manager.unload(sessionId);
    this.handles.get(sessionId)?.detachLocal();
    await cur.host.idle().catch(() => undefined);
    const ok = await this.takeOver(sessionId);
    this.log.warn({ session: sessionId, rebuilt: ok }, ok ? 'rebuilt a session from the database after the outage' : 'another node took the session during the outage');
    if (!ok) void this.handles.get(sessionId)?.resync();
  }

  private async checkDb(): Promise<void> {
    const ok = await this.leases.ping();
    this.setDb(ok);
  }

  private setDb(up: boolean, err?: unknown): void {
    if (up === this.dbUp) return;
    this.dbUp = up;
    if (up) {
      this.log.warn({ node: this.nodeId }, 'PostgreSQL reachable again: leases renewed, sessions run on');
      for (const h of this.handles.values()) void h.resync();
    }
    else this.log.error({ node: this.nodeId, err: err instanceof Error ? err.message : err, sessions: this.owned.size }, `PostgreSQL unreachable: leases cannot be renewed; this node's sessions stop within ${this.leaseTtlMs / 1000} s until it is back`);
  }

  /** Takes over sessions whose lease expired (their owner died or left). */
  private async sweep(): Promise<void> {
    if (!this.dbUp) return;
    let expired: string[];
    try {
      expired = await this.leases.expired(20);
    } catch (err) {
      this.setDb(false, err);
      return;
    }
    // A few per sweep, so that the nodes of a cluster share the sessions of one that died.
    let taken = 0;
    for (const id of expired) {
      if (this.owned.has(id) || taken >= 5) continue;
      if (await this.takeOver(id).catch((err) => (this.log.error({ err, session: id }, 'taking over a session failed'), false))) taken++;
    }
  }

  /** Unfinished sessions that never had a lease (created before the cluster, or by a single node). */
  private async adoptOrphans(): Promise<void> {
    for (const record of await this.store.listUnfinishedSessions()) {
      if (this.closed) return;
      if (this.owned.has(record.id) || (await this.leases.get(record.id))) continue;
      await this.takeOver(record.id).catch((err) => this.log.error({ err, session: record.id }, 'adopting a session failed'));
    }
  }

  /** Redis up or down: logged once per change; on return every copy of a log is repaired. */
  private async watch(): Promise<void> {
    const up = this.pub.isReady && this.sub.isReady;
    if (up !== this.redisUp) {
      this.redisUp = up;
      if (up) {
        this.log.warn({ node: this.nodeId }, 'Redis reachable again: relaying and forwarding resume; repairing every relayed log from the database');
        for (const h of this.handles.values()) void h.resync();
        void this.syncHaltState().catch(() => undefined);
      } else {
        this.log.error({ node: this.nodeId }, 'Redis unreachable: participants on other nodes get no events from the sessions run here, and actions for sessions run elsewhere fail until it is back');
      }
    }
    if (up) await this.pub.set(this.channel('alive', this.nodeId), '1', { PX: this.leaseTtlMs * 2 }).catch(() => undefined);
  }

  // ── sockets: handles, forwarding ─────────────────────────────────────────────────────────────

  /**
   * Ended sessions whose relay no socket here has followed for the manager's TTL: the relay goes
   * (its copy of the log, its Redis subscription). A session this node runs goes with its host,
   * through the manager's sweep (`unloaded`).
   */
  private dropEndedRelays(): void {
    const now = Date.now();
    for (const [id, handle] of this.handles) {
      if (handle.phase !== 'ended') {
        this.endedSince.delete(id);
        continue;
      }
      if (!this.endedSince.has(id)) this.endedSince.set(id, now);
      if (handle.isLocal || this.manager.isInUse(id)) continue;
      if (now - Math.max(this.opened.get(id) ?? 0, this.endedSince.get(id)!) < this.manager.endedTtlMs) continue;
      this.dropRelay(id);
      this.manager.emitUnloaded(id);
    }
  }

  touched(sessionId: string): void {
    if (this.handles.has(sessionId)) this.opened.set(sessionId, Date.now());
  }

  unloaded(sessionId: string): void {
    const local = this.hosts.get(sessionId);
    if (local) {
      local.off();
      this.hosts.delete(sessionId);
    }
    this.dropRelay(sessionId);
    if (this.owned.delete(sessionId)) {
      void this.leases.drop(sessionId, this.nodeId).catch((err) => this.log.warn({ err, session: sessionId }, 'could not drop the lease of an ended session'));
    }
  }

  private dropRelay(sessionId: string): void {
    const handle = this.handles.get(sessionId);
    if (!handle) return;
    handle.detachLocal();
    this.handles.delete(sessionId);
    this.opened.delete(sessionId);
    this.endedSince.delete(sessionId);
    if (this.redisUp) this.sub.unsubscribe(this.channel('s', sessionId)).catch(() => undefined);
  }

  open(sessionId: string): Promise<LiveSession | undefined> {
    this.opened.set(sessionId, Date.now());
    // While a handle fills up, everyone waits for it: a welcome from a half-filled copy would be
    // correct (the rest follows in order) but would under-report lastSeq.
    let p = this.opening.get(sessionId);
    if (p) return p;
    const h = this.handles.get(sessionId);
    if (h) return Promise.resolve(h);
    p = this.openHandle(sessionId).finally(() => this.opening.delete(sessionId));
    this.opening.set(sessionId, p);
    return p;
  }

  private async openHandle(sessionId: string): Promise<SessionHandle | undefined> {
    const record = await this.store.getSession(sessionId);
    if (!record) return undefined;
    const handle = new SessionHandle(record, {
      listEvents: (id, after, limit) => this.store.listEvents(id, after, limit),
      call: (id, op, args) => this.call(id, op, args),
      onError: (err, where) => this.log.error({ err, where }, 'relay failed'),
    });
    // Subscribe before reading anything, so that no feed message falls between.
    await this.sub.subscribe(this.channel('s', sessionId), (m) => {
      if (handle.isLocal) return; // this node is the sender
      try {
        handle.onFeed(JSON.parse(m) as FeedMessage);
      } catch (err) {
        this.log.error({ err, session: sessionId }, 'unreadable feed message');
      }
    }).catch((err) => this.log.warn({ err: (err as Error).message, session: sessionId }, 'could not subscribe to a session feed (Redis down?): relying on the database'));
    this.handles.set(sessionId, handle);
    const local = this.hosts.get(sessionId);
    if (local) {
      handle.attachLocal(local.host);
      return handle;
    }
    let snapshot: Parameters<SessionHandle['init']>[0] = null;
    try {
      snapshot = await this.call(sessionId, 'snapshot', {});
    } catch (err) {
      this.log.warn({ err: (err as Error).message, session: sessionId }, 'no snapshot from the owner: starting from the stored log');
    }
    if (!handle.isLocal) await handle.init(snapshot);
    return handle;
  }

  /** Runs an operation on the session's owner: here when this node holds it, else over Redis; retried through a failover. */
  async call<T>(sessionId: string, op: string, args: Record<string, unknown>): Promise<T> {
    const deadline = performance.now() + this.callTimeoutMs;
    let attempt = 0;
    let last = 'no attempt';
    for (;;) {
      const local = this.hosts.get(sessionId);
      if (local && this.fence(sessionId) === null) {
        try {
          return (await this.execute(local.host, op, args)) as T;
        } catch (err) {
          if (!(err instanceof FencedError)) throw err;
          last = err.message;
        }
      }
      if (this.closed) throw new ClusterError('this node is shutting down');
      if (performance.now() > deadline) throw new ClusterError(`no node could run session ${sessionId} within ${this.callTimeoutMs / 1000} s (${last})`);
      if (attempt++ > 0) await sleep(Math.min(50 * attempt, 500));
      let lease;
      try {
        lease = await this.leases.get(sessionId);
      } catch (err) {
        last = `database unreachable: ${(err as Error).message}`;
        continue;
      }
      if (!lease || !lease.live || lease.owner === this.nodeId) {
        try {
          if (!(await this.takeOver(sessionId))) last = 'another node took the lease first';
        } catch (err) {
          last = `taking the session over failed: ${(err as Error).message}`;
        }
        continue;
      }
      const reply = await this.request(lease.owner, sessionId, op, args, Math.max(100, Math.min(5000, deadline - performance.now())));
      if (reply.ok) return reply.value as T;
      if (reply.error !== undefined && !reply.notOwner) throw new Error(`node ${lease.owner} failed: ${reply.error}`);
      last = reply.notOwner ? `node ${lease.owner} no longer runs it` : (reply.error ?? `node ${lease.owner} did not answer`);
    }
  }

  private async request(node: string, sid: string, op: string, args: Record<string, unknown>, timeoutMs: number): Promise<Reply | { ok: false; notOwner?: undefined; error?: undefined }> {
    if (!this.redisUp) return { ok: false };
    const id = nanoid(12);
    const msg: Request = { k: 'req', id, from: this.nodeId, sid, op, args };
    const answered = new Promise<Reply | { ok: false }>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false });
      }, timeoutMs);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(r);
      });
    });
    let receivers = 0;
    try {
      receivers = await this.pub.publish(this.channel('n', node), JSON.stringify(msg));
    } catch {
      receivers = 0;
    }
    if (receivers === 0) {
      // Nobody listens on that node's channel: it is gone (its lease will expire) or cut off.
      this.pending.get(id)?.({ k: 'res', id, ok: false });
    }
    return answered;
  }

  private onNodeMessage(raw: string): void {
    let msg: Request | Reply | Halted;
    try {
      msg = JSON.parse(raw) as Request | Reply | Halted;
    } catch {
      return;
    }
    if (msg.k === 'res') return this.pending.get(msg.id)?.(msg);
    if (msg.k === 'halted') return this.haltCounts.get(msg.id)?.(msg.from, msg.n);
    if (msg.k !== 'req') return;
    const req = msg;
    const answer = (r: { ok: true; value: unknown } | { ok: false; notOwner?: boolean; error?: string }) => {
      this.pub.publish(this.channel('n', req.from), JSON.stringify({ k: 'res', id: req.id, ...r })).catch(() => undefined);
    };
    const local = this.hosts.get(req.sid);
    if (!local || this.fence(req.sid) !== null) return answer({ ok: false, notOwner: true });
    this.execute(local.host, req.op, req.args).then(
      (value) => answer({ ok: true, value }),
      (err: unknown) => (err instanceof FencedError ? answer({ ok: false, notOwner: true }) : answer({ ok: false, error: (err as Error).message ?? String(err) })),
    );
  }

  /** An operation on a session this node runs; the database's lease fence counts as losing the lease. */
  private async execute(host: SessionHost, op: string, args: Record<string, unknown>): Promise<unknown> {
    this.manager.touch(host.id); // used, from whichever node: an ended session stays loaded meanwhile
    try {
      return await this.executeOp(host, op, args);
    } catch (err) {
      if (isLeaseFenceError(err)) throw new FencedError(host.id, 'the database refused the write: another node holds the lease');
      throw err;
    }
  }

  private async executeOp(host: SessionHost, op: string, args: Record<string, unknown>): Promise<unknown> {
    switch (op) {
      case 'action':
        return host.submitAction(args.team as string, args.action as ActionSpec, args.key as string | null);
      case 'command': {
        const out = await host.command(args.cmd as FacilitatorCommand, args.key as string | null);
        // Speed or score visibility may change without an event: tell every node.
        if (this.redisUp) this.pub.publish(this.channel('s', host.id), JSON.stringify({ k: 'st', seq: host.published, st: stateOf(host) } satisfies FeedMessage)).catch(() => undefined);
        return out;
      }
      case 'logs':
        return { ok: true, lines: serviceLogs(host.session, args.team as string, args.service as string, args.limit as number) };
      case 'view': {
        const view = teamView(host.session, args.team as string);
        return view ? { ok: true, view } : { ok: false, error: errorBody('auth/unknown-team') };
      }
      case 'snapshot':
        return { st: stateOf(host), seq: host.published, frames: host.record.teams.map((t) => host.frame(t, true)).filter((f) => f !== null) };
      default:
        throw new Error(`unknown cluster operation "${op}"`);
    }
  }

  // ── REST reads, presence, halt-all ────────────────────────────────────────────────────────────

  async load(sessionId: string): Promise<SessionHost | undefined> {
    const local = this.hosts.get(sessionId);
    if (local) return local.host;
    const lease = await this.leases.get(sessionId);
    if (!lease || !lease.live || lease.owner === this.nodeId) {
      if (await this.takeOver(sessionId)) return this.hosts.get(sessionId)?.host;
    }
    return this.replica(sessionId);
  }

  /** A read-only copy of a session another node runs, rebuilt from the store, kept for a second. */
  private replica(sessionId: string): Promise<SessionHost | undefined> {
    const now = performance.now();
    const cached = this.replicas.get(sessionId);
    if (cached && now - cached.at < 1000) return cached.host;
    for (const [id, r] of this.replicas) if (now - r.at >= 1000) this.replicas.delete(id);
    const host = (async () => {
      const record = await this.store.getSession(sessionId);
      if (!record) return undefined;
      const fence = () => 'a read-only copy: another node runs this session';
      return SessionHost.restore(record, { store: readOnly(this.store), now: Date.now, fence }, { continueRunning: true });
    })();
    this.replicas.set(sessionId, { at: now, host });
    host.catch(() => this.replicas.delete(sessionId));
    return host;
  }

  async presence(sessionId: string, here: readonly string[]): Promise<Set<string>> {
    const online = new Set(here);
    if (!this.redisUp || this.closed) return online;
    try {
      const key = this.channel('presence', sessionId);
      await this.pub.hSet(key, this.nodeId, JSON.stringify(here));
      await this.pub.pExpire(key, 24 * 3600 * 1000);
      const all = await this.pub.hGetAll(key);
      const nodes = Object.keys(all).filter((n) => n !== this.nodeId);
      const alive = nodes.length ? await this.pub.mGet(nodes.map((n) => this.channel('alive', n))) : [];
      nodes.forEach((n, i) => {
        if (alive[i] !== null) for (const id of JSON.parse(all[n]) as string[]) online.add(id);
      });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'presence across nodes unavailable');
    }
    return online;
  }

  /** Halts every session of the cluster; answers how many, counting what the other nodes report. */
  async haltAll(reason: string): Promise<number> {
    const at = Date.now();
    await this.leases.setState('halted_all', { reason, at });
    const id = nanoid(10);
    const others = this.redisUp ? this.countHalted(id) : Promise.resolve(0);
    if (this.redisUp) await this.pub.publish(this.channel('all'), JSON.stringify({ k: 'halt', reason, at, from: this.nodeId, id } satisfies Broadcast)).catch(() => undefined);
    const mine = await this.manager.haltAllLocal(reason, at);
    return mine + (await others);
  }

  /**
   * The sessions the other live nodes halted for the halt-all `id`, as they answer: until every
   * node alive in Redis has, or 3 s (a node that misses the broadcast still halts within 5 s,
   * from the database, uncounted).
   */
  private countHalted(id: string): Promise<number> {
    const got = new Map<string, number>();
    let expected: string[] | null = null;
    return new Promise<number>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.haltCounts.delete(id);
        resolve([...got.values()].reduce((a, b) => a + b, 0));
      };
      const timer = setTimeout(done, 3000);
      const check = () => {
        if (expected && expected.every((n) => got.has(n))) done();
      };
      // Registered before the broadcast goes out, so that no answer comes too early.
      this.haltCounts.set(id, (from, n) => {
        got.set(from, n);
        check();
      });
      const alive = this.channel('alive', '');
      this.pub.keys(`${alive}*`).then(
        (keys) => {
          expected = keys.map((k) => k.slice(alive.length)).filter((n) => n !== this.nodeId);
          check();
        },
        () => undefined, // unknown: wait for the timeout
      );
    });
  }

  async releaseAll(): Promise<void> {
    await this.leases.setState('halted_all', null);
    if (this.redisUp) await this.pub.publish(this.channel('all'), JSON.stringify({ k: 'release', from: this.nodeId } satisfies Broadcast)).catch(() => undefined);
  }

  private onBroadcast(raw: string): void {
    let msg: Broadcast;
    try {
      msg = JSON.parse(raw) as Broadcast;
    } catch {
      return;
    }
    if (msg.from === this.nodeId) return;
    if (msg.k === 'halt') {
      const { id, from } = msg;
      void this.manager.haltAllLocal(msg.reason, msg.at).then((n) => {
        this.log.warn({ halted: n, reason: msg.reason, from }, 'operator halt-all (from another node)');
        if (id) this.pub.publish(this.channel('n', from), JSON.stringify({ k: 'halted', id, from: this.nodeId, n } satisfies Halted)).catch(() => undefined);
      });
    }
    if (msg.k === 'release') this.manager.releaseAllLocal();
  }

  /** The halt-all as recorded in the database wins (a broadcast lost while Redis was away). */
  private async syncHaltState(): Promise<void> {
    if (!this.dbUp) return;
    const halted = await this.leases.getState<{ reason: string; at: number }>('halted_all');
    if (halted && (!this.manager.haltedAll || this.manager.haltedAll.at !== halted.at)) await this.manager.haltAllLocal(halted.reason, halted.at);
    else if (!halted && this.manager.haltedAll) this.manager.releaseAllLocal();
  }

  /** Leaving the cluster: release every lease now (others take the sessions over running), disconnect. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    const ids = [...this.owned.keys()];
    this.owned.clear();
    await Promise.all(ids.map((id) => this.leases.release(id, this.nodeId).catch(() => undefined)));
    for (const { off } of this.hosts.values()) off();
    await this.pub.del(this.channel('alive', this.nodeId)).catch(() => undefined);
    for (const c of [this.sub, this.pub, this.adapterSub, this.adapterPub]) await c.quit().catch(() => c.disconnect().catch(() => undefined));
    await this.leases.close();
  }
}

/** The store seen by a read-only copy: reads pass, writes do nothing. */
function readOnly(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      if (/^(get|list|last|ping)/.test(prop)) return (value as (...a: unknown[]) => unknown).bind(target);
      return async () => undefined;
    },
  });
}
