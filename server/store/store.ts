// Persistence behind one interface. SQLite (better-sqlite3, WAL) is the default; an in-memory
// store serves tests; PostgreSQL comes with scale-out. One contract suite runs over all of them
// (test/integration/store-contract.ts).
//
// The event log is append-only and inputs are persisted BEFORE they are applied: a session is
// rebuilt after a crash by replaying its inputs on a simulated clock (see server/live/).
import type { Input } from '../engine/session/session.ts';
import type { ResultSummary, SessionEvent } from '../engine/session/events.ts';
import type { ScenarioSpec } from '../engine/scenario/schema.ts';
import type { WorkloadSpec } from '../engine/workload/schema.ts';
import type { RunbookLike } from '../engine/session/team.ts';

/** Everything needed to rebuild a session exactly: the specs as they were when it was created. */
export interface SessionRecord {
  id: string;
  scenario: ScenarioSpec;
  workload: WorkloadSpec;
  runbooks: RunbookLike[];
  seed: string;
  teams: string[];
  joinCode: string;
  facilitatorToken: string;
  /** Simulated seconds per wall second. */
  speed: number;
  phase: string;
  outcome: string | null;
  scoresVisible: boolean;
  /** Wall-clock milliseconds (Date.now()) — the store's own bookkeeping, never fed to the engine. */
  createdAt: number;
  updatedAt: number;
  endedAt: number | null;
}

export type SessionPatch = Partial<Pick<SessionRecord, 'speed' | 'phase' | 'outcome' | 'scoresVisible' | 'endedAt'>>;

export interface SessionSummary {
  id: string;
  scenarioId: string;
  title: string;
  teams: string[];
  phase: string;
  outcome: string | null;
  createdAt: number;
  endedAt: number | null;
}

export interface StoredInput {
  sessionId: string;
  /** 1, 2, 3… per session, in the order the inputs were applied. */
  seq: number;
  /** The client's idempotency key, when it gave one; unique per session. */
  key: string | null;
  input: Input;
  wallTime: number;
  /** Filled in after the input is applied (a crash in between leaves it null; replay recomputes it). */
  result: ResultSummary | null;
}

export interface ParticipantRecord {
  id: string;
  sessionId: string;
  token: string;
  name: string;
  team: string;
  role: string;
  joinedAt: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'memory' | 'postgres';
  createSession(record: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  getSessionByJoinCode(code: string): Promise<SessionRecord | undefined>;
  getSessionByFacilitatorToken(token: string): Promise<SessionRecord | undefined>;
  /** Newest first. */
  listSessions(options?: { limit?: number; offset?: number }): Promise<SessionSummary[]>;
  /** Sessions not ended: the ones to bring back after a restart. */
  listUnfinishedSessions(): Promise<SessionRecord[]>;
  updateSession(id: string, patch: SessionPatch, wallTime: number): Promise<void>;

  /** Appends an input; rejects with DuplicateKeyError when (sessionId, key) exists. */
  appendInput(input: StoredInput): Promise<void>;
  getInputByKey(sessionId: string, key: string): Promise<StoredInput | undefined>;
  setInputResult(sessionId: string, seq: number, result: ResultSummary): Promise<void>;
  listInputs(sessionId: string): Promise<StoredInput[]>;

  /** Appends events (their seq continues the session's log). */
  appendEvents(sessionId: string, events: readonly SessionEvent[], wallTime: number): Promise<void>;
  /** Replaces the whole log of a session (after a rebuild by replay, which yields the same events). */
  replaceEvents(sessionId: string, events: readonly SessionEvent[], wallTime: number): Promise<void>;
  /** Events with seq > afterSeq, in order, at most `limit`. */
  listEvents(sessionId: string, afterSeq?: number, limit?: number): Promise<SessionEvent[]>;
  lastEventSeq(sessionId: string): Promise<number>;

  addParticipant(p: ParticipantRecord): Promise<void>;
  getParticipantByToken(token: string): Promise<ParticipantRecord | undefined>;
  listParticipants(sessionId: string): Promise<ParticipantRecord[]>;

  /** Liveness of the backing store, for /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export class DuplicateKeyError extends Error {
  constructor(readonly sessionId: string, readonly key: string) {
    super(`input key ${key} already used in session ${sessionId}`);
    this.name = 'DuplicateKeyError';
  }
}
