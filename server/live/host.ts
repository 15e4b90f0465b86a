// The one authority for a live session: every change goes through here, queued, in order.
// An input is persisted BEFORE it is applied; the engine then applies it at the simulated time it
// was stamped with; new events are appended to the store and only then published. After a crash
// the session is rebuilt by replaying its stored inputs on a simulated clock (XState does not
// resume `after` timers from a snapshot, statelyai/xstate#5331, and the engine needs none).
import { Session, type FacilitatorCommand, type Input } from '../engine/session/session.ts';
import type { ResultSummary, SessionEvent } from '../engine/session/events.ts';
import { roundTime } from '../engine/duration.ts';
import type { ActionSpec } from '../engine/actions/schema.ts';
import type { AppliedInput, SessionRecord, Store } from '../store/store.ts';
import { DuplicateKeyError } from '../store/store.ts';
import { TELEMETRY_DEAD_BAND, TELEMETRY_METRICS, TELEMETRY_REFRESH_S, type TelemetryFrame } from '../protocol/events.ts';
import type { Metrics } from './metrics.ts';
import { recordSession } from '../learning/record.ts';

export interface HostDeps {
  store: Store;
  /** Wall-clock milliseconds; injected so tests can drive time. */
  now: () => number;
  metrics?: Metrics;
  onError?: (err: unknown, where: string) => void;
  /**
   * Several nodes (server/cluster/): why this node may not change the session now (it does not hold
   * the session's lease), or null when it may. Checked before an input is persisted and before a
   * clock step; a refused input throws FencedError.
   */
  fence?: () => string | null;
}

/** This node lost the right to run the session (its lease): the input was not persisted. */
export class FencedError extends Error {
  constructor(readonly sessionId: string, reason: string) {
    super(`session ${sessionId}: ${reason}`);
    this.name = 'FencedError';
  }
}

export interface SubmitResult {
  seq: number | null;
  result: ResultSummary;
  duplicate: boolean;
}

export type HostListener = {
  /** New events, in order, after they were persisted. */
  events?: (events: SessionEvent[]) => void;
  /** Telemetry for a team after simulated time moved. */
  telemetry?: (frame: TelemetryFrame) => void;
};

const EPS = 1e-6;

export class SessionHost {
  readonly id: string;
  record: SessionRecord;
  readonly session: Session;
  private readonly deps: HostDeps;
  private queue: Promise<unknown> = Promise.resolve();
  /** Wall time and simulated time at the last anchor: simulated time runs from there at `speed`. */
  private anchor = { wall: 0, sim: 0 };
  /** Events with seq ≤ published have been persisted and handed to listeners. */
  published = 0;
  private inputSeq = 0;
  private listeners = new Set<HostListener>();
  private lastFrames = new Map<string, Map<string, number[]>>();
  private lastAlerts = new Map<string, Map<string, string>>();
  private lastTelemetryT = -1;
  /** While set, simulated time does not follow the wall clock (a session being restored). */
  private clockHeld = false;
  /** Set while an operator's halt-all holds: no start or resume. */
  haltedAll = false;

  private constructor(record: SessionRecord, deps: HostDeps) {
    this.id = record.id;
    this.record = record;
    this.deps = deps;
    this.session = new Session({
      scenario: record.scenario,
      workload: record.workload,
      runbooks: new Map(record.runbooks.map((r) => [r.id, r])),
      seed: record.seed,
      teams: record.teams,
    });
  }

  /** A new session: persisted, in the lobby. */
  static async create(record: SessionRecord, deps: HostDeps): Promise<SessionHost> {
    await deps.store.createSession(record);
    const host = new SessionHost(record, deps);
    await host.flush();
    return host;
  }

  /**
   * Rebuilds a session from its stored inputs. A session that was running comes back paused at the
   * simulated time of its last persisted event (at or after its last input), its event log identical
   * to the one before the crash.
   */
  static async restore(record: SessionRecord, deps: HostDeps, options: { continueRunning?: boolean } = {}): Promise<SessionHost> {
    const host = new SessionHost(record, deps);
    const inputs = await deps.store.listInputs(record.id);
    for (const stored of inputs) {
      host.replay(stored.input);
      host.inputSeq = stored.seq;
      if (stored.result === null) {
        // Crashed between persisting and recording the result: record what the replay produced.
        const last = host.lastResult;
        if (last) await deps.store.setInputResult(record.id, stored.seq, last);
      }
    }
    // Clock steps after the last input produced events that were stored and published before the
    // crash; clients hold their seqs. Replaying the clock up to the last of them (the same ticks give
    // the same events) keeps every seq meaning the same event, instead of rewinding to the last
    // input and handing out those seqs again for different events.
    const storedSeq = await deps.store.lastEventSeq(record.id);
    if (host.session.phase === 'running' && storedSeq > host.session.events.length) {
      const [last] = await deps.store.listEvents(record.id, storedSeq - 1, 1);
      if (last) host.session.advanceTo(last.t);
    }
    if (storedSeq > 0) {
      const stored = await deps.store.listEvents(record.id);
      if (JSON.stringify(stored) !== JSON.stringify(host.session.events.slice(0, stored.length))) {
        deps.onError?.(new Error(`session ${record.id}: replaying its inputs did not reproduce its stored event log (the engine changed?); the replay replaces it`), `restoring session ${record.id}`);
      }
    }
    await deps.store.replaceEvents(record.id, host.session.events, deps.now());
    host.published = host.session.events.length;
    if (host.session.phase === 'running' && options.continueRunning) {
      // Another node of a cluster died and this one took the session over: it goes on from where the
      // stored log stops (the outage costs simulated time nothing; nothing is recorded).
      host.reanchor();
    } else if (host.session.phase === 'running') {
      // No wall time has passed for this session since the crash: pause exactly where the replay stopped.
      host.clockHeld = true;
      await host.command({ command: 'pause', reason: 'the server restarted: resume when everyone is back' }, null);
      host.clockHeld = false;
    }
    // Crashed after an end (or another change of phase) was applied but before the record said so.
    else if (host.session.phase !== host.record.phase) await host.persistPhase();
    return host;
  }

  private lastResult: ResultSummary | null = null;

  private replay(input: Input): void {
    if (input.kind !== 'facilitator' || input.command !== 'start') this.session.advanceTo(input.at);
    this.lastResult = this.session.apply(input).result;
  }

  subscribe(listener: HostListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get phase(): string {
    return this.session.phase;
  }

  get speed(): number {
    return this.record.speed;
  }

  /** Simulated time now, from the wall clock, the anchor and the speed (capped at the scenario's end). */
  simNow(): number {
    if (this.session.phase !== 'running' || this.clockHeld) return this.session.t;
    const elapsed = ((this.deps.now() - this.anchor.wall) / 1000) * this.record.speed;
    return Math.min(this.session.duration, Math.max(this.session.t, this.anchor.sim + elapsed));
  }

  /** Runs `task` after everything queued before it; errors are reported, never left unhandled. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch((err) => this.deps.onError?.(err, `session ${this.id}`));
    return run;
  }

  /** Moves simulated time to now (called by the manager's driver every ~100 ms). */
  advance(): Promise<void> {
    // One clock step queued at a time: with a slow store, steps must not pile up behind each other.
    if (this.advancing) return this.advancing;
    this.advancing = this.enqueue(async () => {
      if (this.session.phase !== 'running' || this.deps.fence?.()) return;
      const before = this.session.t;
      this.session.advanceTo(roundTime(this.simNow()));
      const ticks = Math.floor(this.session.t) - Math.floor(before);
      if (ticks > 0) this.deps.metrics?.ticks.inc({}, ticks * this.session.teams.length);
      await this.flush();
      // advanceTo may have ended the run (time ran out, a stop condition).
      if ((this.session.phase as string) === 'ended') await this.persistEnd();
    }).finally(() => {
      this.advancing = null;
    });
    return this.advancing;
  }

  private advancing: Promise<void> | null = null;

  /** A team's action. `key` makes a retried delivery return the first result instead of acting twice. */
  submitAction(team: string, action: ActionSpec, key: string | null): Promise<SubmitResult> {
    const started = this.deps.now();
    return this.enqueue(async () => {
      const out = await this.applyInput((at) => ({ kind: 'action', at, team, action }), key);
      this.deps.metrics?.actionLatency.observe((this.deps.now() - started) / 1000);
      this.deps.metrics?.actions.inc({ kind: 'action', ok: String(out.result.ok) });
      return out;
    });
  }

  /** A facilitator command, through the same queue. */
  command(cmd: FacilitatorCommand, key: string | null): Promise<SubmitResult> {
    return this.enqueue(async () => {
      if (this.haltedAll && (cmd.command === 'start' || cmd.command === 'resume')) {
        return { seq: null, result: { ok: false, code: 'server/halted-all', message: 'the operator halted every game day; nothing starts until released' }, duplicate: false };
      }
      const out = await this.applyInput((at) => ({ kind: 'facilitator', at, ...cmd }) as Input, key);
      if (out.result.ok) {
        if (cmd.command === 'start' || cmd.command === 'resume') this.anchor = { wall: this.deps.now(), sim: this.session.t };
        if (cmd.command === 'set-speed') {
          this.anchor = { wall: this.deps.now(), sim: this.session.t };
          this.record = { ...this.record, speed: cmd.speed };
          await this.deps.store.updateSession(this.id, { speed: cmd.speed }, this.deps.now());
        }
        if (cmd.command === 'reveal-scores') {
          this.record = { ...this.record, scoresVisible: true };
          await this.deps.store.updateSession(this.id, { scoresVisible: true }, this.deps.now());
        }
      }
      this.deps.metrics?.actions.inc({ kind: cmd.command, ok: String(out.result.ok) });
      return out;
    });
  }

  /** Brings the engine to now, stamps the input, persists it, applies it, persists and publishes events. */
  private async applyInput(make: (at: number) => Input, key: string | null): Promise<SubmitResult> {
    const fenced = this.deps.fence?.();
    if (fenced) throw new FencedError(this.id, fenced);
    // No lookup of the key first: the store's unique (session, key) reports a duplicate on insert,
    // which saves a query on every action (duplicates are rare: a client's retry).
    if (this.session.phase === 'running') this.session.advanceTo(roundTime(this.simNow()));
    const input = make(roundTime(this.session.t));
    const seq = this.inputSeq + 1;
    try {
      await this.deps.store.appendInput({ sessionId: this.id, seq, key, input, wallTime: this.deps.now(), result: null });
    } catch (err) {
      if (err instanceof DuplicateKeyError) {
        const seen = await this.deps.store.getInputByKey(this.id, key!);
        return { seq: null, result: seen?.result ?? { ok: false, code: 'action/pending', message: 'still being applied' }, duplicate: true };
      }
      throw err;
    }
    this.inputSeq = seq;
    const applied = this.session.apply(input);
    // The result and the events it produced go to the store in one transaction (one commit).
    await this.flush({ seq, result: applied.result });
    if (this.session.phase !== this.record.phase) await this.persistPhase();
    return { seq: applied.seq, result: applied.result, duplicate: false };
  }

  private async persistPhase(): Promise<void> {
    const phase = this.session.phase;
    const endedAt = phase === 'ended' ? (this.record.endedAt ?? this.deps.now()) : this.record.endedAt;
    this.record = { ...this.record, phase, outcome: this.session.outcome, endedAt };
    await this.deps.store.updateSession(this.id, { phase, outcome: this.session.outcome, ...(phase === 'ended' ? { endedAt } : {}) }, this.deps.now());
    // The history keeps one result per team (server/learning/). A failure here must not undo the
    // end: it is reported, and the next read of the history fills the gap (backfill).
    if (phase === 'ended') await recordSession(this.deps.store, this.record, this.session.events, endedAt!).catch((err) => this.deps.onError?.(err, `recording the history of session ${this.id}`));
  }

  private async persistEnd(): Promise<void> {
    if (this.record.phase !== 'ended') await this.persistPhase();
  }

  /** Hands fresh telemetry to listeners, then persists events not yet stored and hands them over. */
  private async flush(applied?: AppliedInput): Promise<void> {
    // Telemetry first: it is sent volatile, and a volatile packet is dropped while the socket is
    // still writing the previous one — frames sent right behind events were lost (4–7 % of them).
    if (Math.floor(this.session.t) !== this.lastTelemetryT) {
      this.lastTelemetryT = Math.floor(this.session.t);
      if ([...this.listeners].some((l) => l.telemetry)) {
        for (const team of this.session.teams) {
          const frame = this.frame(team.id, false);
          if (frame) for (const l of this.listeners) l.telemetry?.(frame);
        }
      }
    }
    const all = this.session.events;
    if (all.length > this.published) {
      const fresh = all.slice(this.published);
      await this.deps.store.appendEvents(this.id, fresh, this.deps.now(), applied);
      this.deps.metrics?.eventWrites.inc({}, fresh.length);
      this.published = all.length;
      for (const l of this.listeners) l.events?.(fresh);
      if (this.session.phase !== this.record.phase) await this.persistPhase();
    } else if (applied) {
      await this.deps.store.setInputResult(this.id, applied.seq, applied.result);
    }
  }

  /**
   * Telemetry for a team: every service with a metric that moved past its dead band since the last
   * frame sent (every service when `full`, and on every TELEMETRY_REFRESH_S-th simulated second),
   * and alerts whose state changed.
   */
  frame(teamId: string, full: boolean): TelemetryFrame | null {
    const team = this.session.team(teamId);
    if (!team) return null;
    const prev = this.lastFrames.get(teamId) ?? new Map<string, number[]>();
    const prevAlerts = this.lastAlerts.get(teamId) ?? new Map<string, string>();
    const services: Record<string, number[]> = {};
    let changed = false;
    const refresh = full || Math.floor(this.session.t) % TELEMETRY_REFRESH_S === 0;
    for (const s of team.world.services) {
      const values = TELEMETRY_METRICS.map((k) => round(s.m[k]));
      const before = prev.get(s.id);
      if (refresh || !before || values.some((v, i) => moved(v, before[i], i))) {
        services[s.id] = values;
        prev.set(s.id, values);
        changed = true;
      }
    }
    const alerts: Record<string, 'inactive' | 'pending' | 'firing'> = {};
    let alertsChanged = false;
    for (const a of team.world.alerts) {
      if (full || prevAlerts.get(a.rule.id) !== a.state) {
        alerts[a.rule.id] = a.state;
        prevAlerts.set(a.rule.id, a.state);
        alertsChanged = true;
      }
    }
    if (!full) {
      this.lastFrames.set(teamId, prev);
      this.lastAlerts.set(teamId, prevAlerts);
    }
    if (!changed && !alertsChanged && !full) return null;
    return { team: teamId, t: roundTime(this.session.t), services, ...(alertsChanged ? { alerts } : {}) };
  }

  /** Simulated time goes on from now where it stands (after the clock was held by a fence). */
  reanchor(): void {
    this.anchor = { wall: this.deps.now(), sim: this.session.t };
  }

  /** Waits until everything queued so far has been applied (tests, shutdown). */
  async idle(): Promise<void> {
    await this.enqueue(async () => undefined);
  }
}

/** True when a metric moved past its dead band (TELEMETRY_DEAD_BAND) since the value last sent. */
function moved(now: number, sent: number, i: number): boolean {
  const d = Math.abs(now - sent);
  if (d <= EPS) return false;
  const band = TELEMETRY_DEAD_BAND[i];
  return d > band.abs && d > band.rel * Math.abs(sent);
}

/** Three significant decimals are plenty for charts and keep frames small. */
function round(x: number): number {
  if (!Number.isFinite(x)) return 0;
  const a = Math.abs(x);
  if (a >= 100) return Math.round(x);
  if (a >= 1) return Math.round(x * 100) / 100;
  return Math.round(x * 10000) / 10000;
}
