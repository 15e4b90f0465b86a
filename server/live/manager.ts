// All live sessions of one server: creating them, finding them by join code or token, driving
// their clocks, bringing them back after a restart, and the operator's halt-all lever.
import { customAlphabet, nanoid } from 'nanoid';
import type { ScenarioSpec } from '../engine/scenario/schema.ts';
import type { WorkloadSpec } from '../engine/workload/schema.ts';
import type { RunbookLike } from '../engine/session/team.ts';
import type { ParticipantRecord, SessionRecord, Store } from '../store/store.ts';
import { SessionHost } from './host.ts';
import { Metrics } from './metrics.ts';
import type { ClusterHooks, LiveSession } from '../cluster/types.ts';

/** Join codes: 10 characters from 31 that do not look alike (no 0/O, 1/I/L): about 50 bits. */
export const newJoinCode = customAlphabet('ABCDEFGHJKMNPQRSTUVWXYZ23456789', 10);

/** Sessions moved per slice of a clock step (see `SessionManager.step`). */
const STEP_SLICE = 8;

export interface LibraryView {
  scenario(id: string): ScenarioSpec | undefined;
  workload(id: string): WorkloadSpec | undefined;
  runbooks(): RunbookLike[];
}

export interface ManagerOptions {
  store: Store;
  library: LibraryView;
  now?: () => number;
  metrics?: Metrics;
  /** Milliseconds between two clock steps of every running session. Default 100. */
  stepMs?: number;
  /**
   * An ended session that no socket follows and nothing has asked for in this long is dropped from
   * memory; a later request rebuilds it from the store. Default 10 minutes.
   */
  endedTtlMs?: number;
  onError?: (err: unknown, where: string) => void;
}

export interface CreateSessionRequest {
  /** A scenario of the library by id, or a validated scenario object (uploaded). */
  scenario: string | ScenarioSpec;
  seed?: string | number;
  teams?: string[];
  speed?: number;
}

export interface Created {
  id: string;
  joinCode: string;
  facilitatorToken: string;
}

export type Failure = { error: { code: string; message: string; details?: unknown } };

export class SessionManager {
  readonly store: Store;
  readonly metrics: Metrics;
  private readonly library: LibraryView;
  private readonly now: () => number;
  private readonly hosts = new Map<string, SessionHost>();
  private readonly loading = new Map<string, Promise<SessionHost | undefined>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private sweeper: ReturnType<typeof setInterval> | null = null;
  private readonly stepMs: number;
  readonly endedTtlMs: number;
  /** When each loaded session was last asked for (manager time). */
  private readonly lastUsed = new Map<string, number>();
  private readonly unloadListeners = new Set<(id: string) => void>();
  /** Whether a socket follows the session (set by the gateway): such a session stays loaded. */
  isInUse: (id: string) => boolean = () => false;
  private readonly onError?: (err: unknown, where: string) => void;
  /** The operator's emergency stop: every session halted, no start or resume until released. */
  haltedAll: { reason: string; at: number } | null = null;
  /** Set once shutdown begins: no new sessions, no new sockets. */
  closing = false;
  /** Several nodes (server/cluster/): set when this node is one of a cluster; absent on a single server. */
  cluster?: ClusterHooks;

  constructor(options: ManagerOptions) {
    this.store = options.store;
    this.library = options.library;
    this.now = options.now ?? Date.now;
    this.metrics = options.metrics ?? new Metrics();
    this.stepMs = options.stepMs ?? 100;
    this.endedTtlMs = options.endedTtlMs ?? 10 * 60_000;
    if (!Number.isFinite(this.endedTtlMs) || this.endedTtlMs < 0) throw new Error(`FIREDRILL_ENDED_SESSION_TTL_MS (endedTtlMs) must be a number of milliseconds, 0 or more (got ${String(options.endedTtlMs)})`);
    this.onError = options.onError;
    this.metrics.gauge('firedrill_sessions_running', 'Sessions whose clock is running.', () => [...this.hosts.values()].filter((h) => h.phase === 'running').length);
    this.metrics.gauge('firedrill_sessions_loaded', 'Sessions held in memory.', () => this.hosts.size);
  }

  private deps(id?: string) {
    const cluster = this.cluster;
    const fence = cluster && id !== undefined ? () => cluster.fence(id) : undefined;
    return { store: this.store, now: this.now, metrics: this.metrics, onError: this.onError, fence };
  }

  private stepping: Promise<void> | null = null;

  /**
   * One step of the clock: every running session moves to now. The sessions go in slices of
   * STEP_SLICE with a turn of the event loop between slices, so that the sockets' messages (an
   * action waiting for its acknowledgement) are read between them instead of behind the whole
   * step: with hundreds of sessions a step is tens of milliseconds of engine ticks and telemetry.
   * A step still running when the next is due makes that one skip (simulated time comes from the
   * wall clock, so nothing drifts; the next step covers the gap).
   */
  private async step(): Promise<void> {
    let n = 0;
    for (const host of [...this.hosts.values()]) {
      if (this.closing) return;
      // A failed step (the store unreachable) is reported by the host's queue; it must not become
      // an unhandled rejection, which would end the process.
      // Between slices a host may have been unloaded (its lease lost) or replaced: only the
      // current one moves.
      if (host.phase === 'running' && this.hosts.get(host.id) === host) host.advance().catch(() => undefined);
      if (++n % STEP_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Starts the clock that moves every running session forward. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (!this.stepping) this.stepping = this.step().finally(() => (this.stepping = null));
    }, this.stepMs);
    this.timer.unref?.();
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, Math.max(250, this.endedTtlMs / 4)));
    this.sweeper.unref?.();
  }

  /**
   * Drops ended sessions from memory once no socket follows them and nothing has used them (asked
   * for them, ended, lost its last socket) for `endedTtlMs`: a server that runs game days for
   * months would otherwise keep every one it ever ran (~1 MiB each, and every clock step walks
   * them). Reports, scores and the log stay in
   * the store; asking for the session again rebuilds it. In a cluster the node then drops its
   * relay of the session too (ClusterHooks.unloaded), and drops on its own the relays of ended
   * sessions other nodes ran. Returns how many were dropped.
   */
  sweep(): number {
    const now = this.now();
    let dropped = 0;
    for (const [id, host] of this.hosts) {
      if (host.phase !== 'ended' || this.isInUse(id)) continue;
      const used = Math.max(this.lastUsed.get(id) ?? 0, host.record.endedAt ?? 0);
      if (now - used < this.endedTtlMs) continue;
      this.hosts.delete(id);
      this.lastUsed.delete(id);
      dropped++;
      this.cluster?.unloaded(id);
      this.emitUnloaded(id);
    }
    return dropped;
  }

  /** Tells the listeners that a session left this server's memory (the cluster's relays too). */
  emitUnloaded(id: string): void {
    for (const listener of this.unloadListeners) listener(id);
  }

  /** Marks a loaded session as used now (the gateway, when its last socket leaves). */
  touch(id: string): void {
    if (this.hosts.has(id)) this.lastUsed.set(id, this.now());
    this.cluster?.touched(id);
  }

  /** Called with each session dropped from memory by `sweep` (the gateway lets go of it). */
  onUnload(listener: (id: string) => void): () => void {
    this.unloadListeners.add(listener);
    return () => this.unloadListeners.delete(listener);
  }

  async createSession(req: CreateSessionRequest): Promise<Created | Failure> {
    if (this.closing) return { error: { code: 'server/shutting-down', message: 'the server is shutting down' } };
    const scenario = typeof req.scenario === 'string' ? this.library.scenario(req.scenario) : req.scenario;
    if (!scenario) return { error: { code: 'scenario/not-found', message: `no scenario "${String(req.scenario)}"` } };
    const workload = this.library.workload(scenario.workload);
    if (!workload) return { error: { code: 'scenario/invalid', message: `the scenario's workload "${scenario.workload}" is not in the library` } };
    const teams = req.teams && req.teams.length ? req.teams : ['team-1'];
    if (new Set(teams).size !== teams.length) return { error: { code: 'request/invalid', message: 'team names must be unique' } };
    const record: SessionRecord = {
      id: nanoid(12),
      scenario,
      workload,
      runbooks: this.library.runbooks(),
      seed: String(req.seed ?? Math.floor(this.now() % 1_000_000)),
      teams,
      joinCode: newJoinCode(),
      facilitatorToken: nanoid(32),
      speed: req.speed ?? 1,
      phase: 'lobby',
      outcome: null,
      scoresVisible: false,
      createdAt: this.now(),
      updatedAt: this.now(),
      endedAt: null,
    };
    const host = await SessionHost.create(record, this.deps(record.id));
    host.haltedAll = this.haltedAll !== null;
    this.hosts.set(record.id, host);
    this.lastUsed.set(record.id, this.now());
    await this.cluster?.created(host);
    return { id: record.id, joinCode: record.joinCode, facilitatorToken: record.facilitatorToken };
  }

  /**
   * A stored record with the library's own scenario, workload and runbooks in place of the parsed
   * copies wherever they are the same (compared as JSON): sessions rebuilt from the store then
   * share them, and the scenario's compiled machine, with every other session of the scenario
   * (~200 KiB each otherwise). A record whose scenario has changed in the library since keeps
   * its own copy: it replays with what it ran.
   */
  private shared(record: SessionRecord): SessionRecord {
    const same = <T>(mine: T, theirs: T | undefined): T => (theirs !== undefined && JSON.stringify(theirs) === JSON.stringify(mine) ? theirs : mine);
    const runbooks = new Map(this.library.runbooks().map((r) => [r.id, r]));
    return {
      ...record,
      scenario: same(record.scenario, this.library.scenario(record.scenario.id)),
      workload: same(record.workload, this.library.workload(record.workload.id)),
      runbooks: record.runbooks.map((r) => same(r, runbooks.get(r.id))),
    };
  }

  /** The live host of a session, loading (and rebuilding) it from the store when needed. */
  async get(id: string): Promise<SessionHost | undefined> {
    const loaded = this.hosts.get(id);
    if (loaded) {
      this.lastUsed.set(id, this.now());
      return loaded;
    }
    // In a cluster only the node holding the session's lease may rebuild it as its authority.
    if (this.cluster) return this.cluster.load(id);
    // Two clients asking at once must share one rebuild: two hosts of one session would be two
    // authorities writing the same event seqs, and only one of them wired to the sockets.
    let loading = this.loading.get(id);
    if (!loading) {
      loading = (async () => {
        const record = await this.store.getSession(id);
        if (!record) return undefined;
        const host = await SessionHost.restore(this.shared(record), this.deps(id));
        host.haltedAll = this.haltedAll !== null;
        this.hosts.set(id, host);
        this.lastUsed.set(id, this.now());
        return host;
      })().finally(() => this.loading.delete(id));
      this.loading.set(id, loading);
    }
    return loading;
  }

  /**
   * What a socket talks to: the host itself on a single server; in a cluster, a handle that follows
   * whichever node owns the session (server/cluster/handle.ts).
   */
  async open(id: string): Promise<LiveSession | undefined> {
    return this.cluster ? this.cluster.open(id) : this.get(id);
  }

  /** Cluster: this node took the session's lease; rebuild it here (running on, or paused after a long gap). */
  async adopt(record: SessionRecord, options: { continueRunning: boolean }): Promise<SessionHost> {
    const existing = this.hosts.get(record.id);
    if (existing) return existing;
    const host = await SessionHost.restore(this.shared(record), this.deps(record.id), options);
    host.haltedAll = this.haltedAll !== null;
    this.hosts.set(record.id, host);
    this.lastUsed.set(record.id, this.now());
    return host;
  }

  /** Cluster: this node lost the session's lease; forget its host (it must not apply anything more). */
  unload(id: string): SessionHost | undefined {
    const host = this.hosts.get(id);
    this.hosts.delete(id);
    this.lastUsed.delete(id);
    return host;
  }

  loaded(): SessionHost[] {
    return [...this.hosts.values()];
  }

  async byJoinCode(code: string): Promise<LiveSession | undefined> {
    const record = await this.store.getSessionByJoinCode(code.trim().toUpperCase());
    return record ? this.open(record.id) : undefined;
  }

  async byFacilitatorToken(token: string): Promise<LiveSession | undefined> {
    const record = await this.store.getSessionByFacilitatorToken(token);
    return record ? this.open(record.id) : undefined;
  }

  /** A participant joining a session's team; returns their record with a token to reconnect with. */
  async join(host: Pick<LiveSession, 'id' | 'record'>, team: string, name: string, role: string): Promise<ParticipantRecord | Failure> {
    if (!host.record.teams.includes(team)) return { error: { code: 'auth/unknown-team', message: `no team "${team}" in this game day (teams: ${host.record.teams.join(', ')})` } };
    const p: ParticipantRecord = { id: nanoid(10), sessionId: host.id, token: nanoid(32), name: name.trim(), team, role, joinedAt: this.now() };
    await this.store.addParticipant(p);
    return p;
  }

  /** Rebuilds every unfinished session after a restart; running ones come back paused. */
  async recover(): Promise<number> {
    // In a cluster, sessions are adopted through their leases (server/cluster/node.ts), not all here.
    if (this.cluster) return 0;
    const records = await this.store.listUnfinishedSessions();
    for (const record of records) {
      if (this.hosts.has(record.id)) continue;
      try {
        const host = await SessionHost.restore(this.shared(record), this.deps(record.id));
        host.haltedAll = this.haltedAll !== null;
        this.hosts.set(record.id, host);
        this.lastUsed.set(record.id, this.now());
      } catch (err) {
        this.onError?.(err, `recovering session ${record.id}`);
      }
    }
    return records.length;
  }

  /** The operator's lever: halts every session at once and refuses starts until released. */
  async haltAll(reason: string): Promise<number> {
    // In a cluster the halt is recorded in the database and every node halts its own sessions.
    if (this.cluster) return this.cluster.haltAll(reason);
    return this.haltAllLocal(reason);
  }

  /** Halts the sessions this node runs (on every node of a cluster, through the cluster). */
  async haltAllLocal(reason: string, at = this.now()): Promise<number> {
    this.haltedAll = { reason, at };
    let halted = 0;
    await Promise.all(
      [...this.hosts.values()].map(async (host) => {
        host.haltedAll = true;
        // Sessions still in the lobby inject nothing: they stay there, unable to start until release.
        if (host.phase !== 'running' && host.phase !== 'paused') return;
        // In a cluster a host may have just lost its lease: the node that took it halts it.
        const r = await host.command({ command: 'halt', reason: `operator halt-all: ${reason}` }, null).catch((err: unknown) => (this.onError?.(err, `halting session ${host.id}`), null));
        if (r?.result.ok) halted++;
      }),
    );
    return halted;
  }

  releaseAll(): void {
    if (this.cluster) void this.cluster.releaseAll();
    this.releaseAllLocal();
  }

  releaseAllLocal(): void {
    this.haltedAll = null;
    for (const host of this.hosts.values()) host.haltedAll = false;
  }

  /** Stops the clock, pauses running sessions (recorded), and waits for queued work. */
  async shutdown(reason = 'the server is shutting down'): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    if (this.sweeper) clearInterval(this.sweeper);
    this.timer = null;
    this.sweeper = null;
    await this.stepping;
    // A node leaving a cluster hands its sessions over running (its leases are released by the
    // cluster after this): another node goes on with them at once.
    const handOver = this.cluster !== undefined;
    await Promise.all(
      [...this.hosts.values()].map(async (host) => {
        if (host.phase === 'running' && !handOver) await host.command({ command: 'pause', reason }, null);
        await host.idle();
      }),
    );
  }
}
