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

/** A lesson learned, recorded at the debrief. */
export interface LessonRecord {
  id: string;
  sessionId: string;
  text: string;
  /** Who said it, when someone wants it noted. */
  author?: string;
  /** Wall-clock milliseconds. */
  createdAt: number;
}

export type LessonPatch = { text?: string; author?: string | null };

export const ACTION_ITEM_STATUSES = ['open', 'in-progress', 'done', 'dropped'] as const;
export type ActionItemStatus = (typeof ACTION_ITEM_STATUSES)[number];

/** Work that came out of a game day, with an owner: the loop from lessons to done work. */
export interface ActionItemRecord {
  id: string;
  sessionId: string;
  title: string;
  owner: string;
  /** A calendar day, YYYY-MM-DD. */
  dueDate?: string;
  /** A ticket or a document (http or https). */
  link?: string;
  status: ActionItemStatus;
  /** Wall-clock milliseconds. */
  createdAt: number;
  updatedAt: number;
}

/** null clears dueDate or link; undefined and absent fields stay as they are. */
export type ActionItemPatch = {
  title?: string;
  owner?: string;
  dueDate?: string | null;
  link?: string | null;
  status?: ActionItemStatus;
};

export interface ActionItemQuery {
  statuses?: readonly ActionItemStatus[];
  /** YYYY-MM-DD, exclusive: only items with a due date before that day. */
  dueBefore?: string;
  limit?: number;
  offset?: number;
}

export function isActionItemStatus(value: unknown): value is ActionItemStatus {
  return typeof value === 'string' && (ACTION_ITEM_STATUSES as readonly string[]).includes(value);
}

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number);
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return d <= days;
}

/** The checks every adapter makes before it writes an action item (the same errors everywhere). */
export function checkActionItemFields(fields: { status?: unknown; dueDate?: unknown }): void {
  if (fields.status !== undefined && !isActionItemStatus(fields.status)) {
    throw new RangeError(`action item status must be one of ${ACTION_ITEM_STATUSES.join(', ')}, got ${JSON.stringify(fields.status)}`);
  }
  if (fields.dueDate !== undefined && fields.dueDate !== null && !isCalendarDate(fields.dueDate)) {
    throw new RangeError(`action item dueDate must be a calendar day YYYY-MM-DD, got ${JSON.stringify(fields.dueDate)}`);
  }
}

/** The checks of a query across sessions (the same errors everywhere). */
export function checkActionItemQuery(query: ActionItemQuery): void {
  for (const status of query.statuses ?? []) checkActionItemFields({ status });
  if (query.dueBefore !== undefined && !isCalendarDate(query.dueBefore)) {
    throw new RangeError(`dueBefore must be a calendar day YYYY-MM-DD, got ${JSON.stringify(query.dueBefore)}`);
  }
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

  // ── the debrief: lessons learned and action items, per session ─────────────────────────────
  // Ids are the caller's (unique per store); every method that names a session and an id finds
  // the record only within that session. Unknown session on add: rejects with `no session <id>`.

  /** Rejects a duplicate id (`lesson <id> already exists`) or an unknown session. */
  addLesson(lesson: LessonRecord): Promise<void>;
  /** Oldest first (createdAt, then the order they were added). */
  listLessons(sessionId: string): Promise<LessonRecord[]>;
  /** The updated lesson, or undefined when the session has no lesson with that id. */
  updateLesson(sessionId: string, id: string, patch: LessonPatch): Promise<LessonRecord | undefined>;
  /** True when it existed. */
  deleteLesson(sessionId: string, id: string): Promise<boolean>;

  /** Rejects a duplicate id, an unknown session, a status outside ACTION_ITEM_STATUSES or a malformed dueDate. */
  addActionItem(item: ActionItemRecord): Promise<void>;
  /** Oldest first (createdAt, then the order they were added). */
  listActionItems(sessionId: string): Promise<ActionItemRecord[]>;
  /** Sets the fields the patch names (null clears dueDate or link) and updatedAt; undefined when not found. */
  updateActionItem(sessionId: string, id: string, patch: ActionItemPatch, wallTime: number): Promise<ActionItemRecord | undefined>;
  deleteActionItem(sessionId: string, id: string): Promise<boolean>;
  /**
   * Action items of every session: soonest due first (no due date last), then oldest first.
   * `statuses` keeps those statuses only (empty or absent: all); `dueBefore` (YYYY-MM-DD,
   * exclusive) keeps items due before that day — the overdue ones when it is today.
   */
  listActionItemsAcrossSessions(options?: ActionItemQuery): Promise<ActionItemRecord[]>;

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
