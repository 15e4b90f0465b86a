// What the live side (server/live/manager.ts) and the socket gateway need from a cluster, and the
// shape of a session as a socket sees it — kept apart so that a single server imports nothing else.
import type { SessionEvent } from '../engine/session/events.ts';
import type { FacilitatorCommand } from '../engine/session/session.ts';
import type { ActionSpec } from '../engine/actions/schema.ts';
import type { SessionRecord } from '../store/store.ts';
import type { TelemetryFrame } from '../protocol/events.ts';
import type { HostListener, SessionHost, SubmitResult } from '../live/host.ts';

/** Reads that the owner answers for a socket on another node (logs, a team's view). */
export interface RemoteReads {
  logs(team: string, service: string, limit: number): Promise<object>;
  view(team: string): Promise<object>;
}

/**
 * A session as the gateway uses it: the SessionHost itself on a single server (and structurally
 * the same), or a SessionHandle in a cluster, which mirrors the owner's log and forwards inputs.
 */
export interface LiveSession {
  readonly id: string;
  readonly record: SessionRecord;
  readonly phase: string;
  readonly speed: number;
  readonly published: number;
  readonly session: { readonly t: number; readonly events: readonly SessionEvent[] };
  frame(team: string, full: boolean): TelemetryFrame | null;
  submitAction(team: string, action: ActionSpec, key: string | null): Promise<SubmitResult>;
  command(cmd: FacilitatorCommand, key: string | null): Promise<SubmitResult>;
  subscribe(listener: HostListener): () => void;
  /** Present on a handle: logs and views come from the owner. Absent: read `session` directly. */
  readonly remote?: RemoteReads;
  /**
   * Present on a handle: brings this node's copy of the log up to `seq` from the store. A client
   * that moves from a node whose copy was ahead (or from a dead owner) may have seen events this
   * copy has not published yet; they would reach it again live, after the replay.
   */
  reach?(seq: number): Promise<void>;
}

export interface ClusterHooks {
  /** Why this node may not change the session now (it does not hold a live lease), or null. */
  fence(sessionId: string): string | null;
  /** A session was just created on this node: take its lease. */
  created(host: SessionHost): Promise<void>;
  /** The session as this node's authority, when it can hold the lease; a read-only copy otherwise. */
  load(sessionId: string): Promise<SessionHost | undefined>;
  /** The handle a socket uses, whichever node owns the session. */
  open(sessionId: string): Promise<LiveSession | undefined>;
  /** Online participants of a session across every node, given this node's. */
  presence(sessionId: string, local: readonly string[]): Promise<Set<string>>;
  /** For /readyz: this node, Redis and the lease database as this node last saw them. */
  status(): { node: string; redis: 'ok' | 'unreachable'; database: 'ok' | 'unreachable'; sessionsOwned: number };
  /** A session was used here (its last socket left): its relay's idle time starts again. */
  touched(sessionId: string): void;
  /** The manager dropped an ended session from memory: the node lets go of its host and relay. */
  unloaded(sessionId: string): void;
  haltAll(reason: string): Promise<number>;
  releaseAll(): Promise<void>;
}
