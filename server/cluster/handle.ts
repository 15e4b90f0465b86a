// A session as the sockets of one cluster node see it, whichever node owns it.
//
// The handle keeps this node's copy of the session's event log, in seq order with no gap: from the
// local SessionHost when this node owns the session, otherwise from the owner's feed over Redis.
// A feed message that skips seqs (Redis dropped messages, or was down) is repaired from the event
// log in the database before anything later is handed on — events are stored before they are
// published, so the store always has them. The gateway then works exactly as on a single server:
// welcome, replay from the copy, join the rooms, all in one synchronous block.
//
// Inputs (actions, commands) and reads that need the engine (logs, views) go to the owner through
// the node (ClusterNode.call), which retries through a change of owner.
import type { SessionEvent } from '../engine/session/events.ts';
import type { FacilitatorCommand } from '../engine/session/session.ts';
import type { ActionSpec } from '../engine/actions/schema.ts';
import type { SessionRecord } from '../store/store.ts';
import type { TelemetryFrame } from '../protocol/events.ts';
import type { HostListener, SessionHost, SubmitResult } from '../live/host.ts';
import type { LiveSession, RemoteReads } from './types.ts';

/** What the owner says about a session besides its events. */
export interface SessionState {
  phase: string;
  t: number;
  speed: number;
  scoresVisible: boolean;
  outcome: string | null;
}

/** One message of a session's feed (owner → every node), JSON over Redis. */
export type FeedMessage =
  | { k: 'ev'; seq: number; st: SessionState; events: SessionEvent[] }
  | { k: 'tm'; seq: number; st: SessionState; frame: TelemetryFrame }
  | { k: 'st'; seq: number; st: SessionState };

export interface HandleBackend {
  /** Events of the session with seq > after (at most `limit`), from the shared store. */
  listEvents(sessionId: string, after: number, limit?: number): Promise<SessionEvent[]>;
  /** Runs an operation on the session's owner (maybe this node), retrying through a failover. */
  call<T>(sessionId: string, op: string, args: Record<string, unknown>): Promise<T>;
  onError(err: unknown, where: string): void;
}

type FrameState = { services: Map<string, number[]>; alerts: Map<string, 'inactive' | 'pending' | 'firing'>; t: number };

export function stateOf(host: SessionHost): SessionState {
  return { phase: host.phase, t: host.session.t, speed: host.speed, scoresVisible: host.record.scoresVisible, outcome: host.session.outcome };
}

export class SessionHandle implements LiveSession {
  readonly id: string;
  private rec: SessionRecord;
  private st: SessionState;
  readonly events: SessionEvent[] = [];
  published = 0;
  private local: SessionHost | null = null;
  private offLocal: (() => void) | null = null;
  private readonly listeners = new Set<HostListener>();
  private readonly frames = new Map<string, FrameState>();
  /** Feed messages and repairs are applied one after the other, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  readonly remote: RemoteReads;

  constructor(record: SessionRecord, private readonly backend: HandleBackend) {
    this.id = record.id;
    this.rec = record;
    this.st = { phase: record.phase, t: 0, speed: record.speed, scoresVisible: record.scoresVisible, outcome: record.outcome };
    this.remote = {
      logs: (team, service, limit) => backend.call(this.id, 'logs', { team, service, limit }),
      view: (team) => backend.call(this.id, 'view', { team }),
    };
  }

  get record(): SessionRecord {
    return this.local ? this.local.record : this.rec;
  }
  get phase(): string {
    return this.local ? this.local.phase : this.st.phase;
  }
  get speed(): number {
    return this.local ? this.local.speed : this.st.speed;
  }
  get t(): number {
    return this.local ? this.local.session.t : this.st.t;
  }
  /** The gateway reads `session.t` and `session.events`. */
  get session(): { readonly t: number; readonly events: readonly SessionEvent[] } {
    return this;
  }
  get isLocal(): boolean {
    return this.local !== null;
  }

  subscribe(listener: HostListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  submitAction(team: string, action: ActionSpec, key: string | null): Promise<SubmitResult> {
    return this.backend.call(this.id, 'action', { team, action, key });
  }

  command(cmd: FacilitatorCommand, key: string | null): Promise<SubmitResult> {
    return this.backend.call(this.id, 'command', { cmd, key });
  }

  /** A full frame from the local engine, or from this node's merged copy of the owner's frames. */
  frame(team: string, full: boolean): TelemetryFrame | null {
    if (this.local) return full ? this.local.frame(team, true) : null;
    const f = this.frames.get(team);
    if (!f || !full) return null;
    return { team, t: f.t, services: Object.fromEntries(f.services), ...(f.alerts.size ? { alerts: Object.fromEntries(f.alerts) } : {}) };
  }

  /** This node now owns the session: follow its host directly (catching up first, synchronously). */
  attachLocal(host: SessionHost): void {
    this.detachLocal();
    this.local = host;
    this.append(host.session.events.slice(this.published, host.published));
    this.offLocal = host.subscribe({
      events: (events) => this.append(events),
      telemetry: (frame) => {
        for (const l of this.listeners) l.telemetry?.(frame);
      },
    });
  }

  /** This node lost the session: from now on the feed (and the store) bring the events. */
  detachLocal(): void {
    if (!this.local) return;
    this.st = stateOf(this.local);
    this.rec = this.local.record;
    this.offLocal?.();
    this.offLocal = null;
    this.local = null;
  }

  /** First fill from the owner's snapshot (state and full frames) and the stored log. */
  init(snapshot: { st: SessionState; seq: number; frames: TelemetryFrame[] } | null): Promise<void> {
    return this.enqueue(async () => {
      if (snapshot) {
        this.setState(snapshot.st);
        for (const f of snapshot.frames) this.mergeFrame(f);
      }
      await this.catchUp(snapshot?.seq ?? Number.MAX_SAFE_INTEGER);
    });
  }

  /** A message of the owner's feed. Ignored while this node owns the session (it is the sender). */
  onFeed(msg: FeedMessage): void {
    if (this.local) return;
    if (msg.k === 'tm') {
      this.setState(msg.st);
      this.mergeFrame(msg.frame);
      for (const l of this.listeners) l.telemetry?.(msg.frame);
    }
    void this.enqueue(async () => {
      if (this.local) return;
      if (msg.k === 'ev' && msg.events.length) {
        const first = msg.events[0].seq;
        if (first > this.published + 1) await this.catchUp(first - 1);
        this.append(msg.events);
      }
      if (msg.seq > this.published) await this.catchUp(msg.seq);
      if (msg.k !== 'tm') this.setState(msg.st);
    });
  }

  /** This copy up to `seq` (a moving client has seen that far), from the store; the feed brings the rest. */
  reach(seq: number): Promise<void> {
    if (this.local || seq <= this.published) return Promise.resolve();
    return this.enqueue(async () => {
      if (!this.local) await this.catchUp(seq);
    });
  }

  /** After Redis came back: whatever the feed lost is in the store. */
  resync(): Promise<void> {
    return this.enqueue(async () => {
      if (!this.local) await this.catchUp(Number.MAX_SAFE_INTEGER);
    });
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(task);
    this.chain = run.catch((err) => this.backend.onError(err, `relaying session ${this.id}`));
    return this.chain;
  }

  /** Reads the stored events after this copy's end, up to `upTo`. */
  private async catchUp(upTo: number): Promise<void> {
    while (this.published < upTo) {
      const missing = await this.backend.listEvents(this.id, this.published, Math.min(1000, upTo - this.published));
      if (missing.length === 0) return;
      const before = this.published;
      this.append(missing);
      if (this.published === before) return;
    }
  }

  /** Appends the events that continue this copy (earlier ones are already here), then hands them on. */
  private append(events: readonly SessionEvent[]): void {
    let fresh: SessionEvent[] | null = null;
    for (const e of events) {
      if (e.seq !== this.published + 1) continue;
      this.events.push(e);
      this.published = e.seq;
      if (e.t > this.st.t) this.st.t = e.t;
      (fresh ??= []).push(e);
    }
    if (fresh) for (const l of this.listeners) l.events?.(fresh);
  }

  private setState(st: SessionState): void {
    const t = Math.max(this.st.t, st.t);
    this.st = { ...st, t };
    this.rec = { ...this.rec, phase: st.phase, speed: st.speed, scoresVisible: st.scoresVisible, outcome: st.outcome };
  }

  private mergeFrame(frame: TelemetryFrame): void {
    let f = this.frames.get(frame.team);
    if (!f) this.frames.set(frame.team, (f = { services: new Map(), alerts: new Map(), t: 0 }));
    for (const [id, values] of Object.entries(frame.services)) f.services.set(id, values);
    for (const [id, state] of Object.entries(frame.alerts ?? {})) f.alerts.set(id, state);
    f.t = Math.max(f.t, frame.t);
    if (frame.t > this.st.t) this.st.t = frame.t;
  }
}
