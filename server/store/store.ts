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

/** An input's result, recorded together with the events its application produced. */
export interface AppliedInput {
  seq: number;
  result: ResultSummary;
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

/** What kind of exercise a result is: a facilitated game day, or a practice drill (docs/facilitator-guide.md). */
export type ExerciseKind = 'game-day' | 'practice';

/** One team's result in one ended session: a row of the game-day history (store migration 5). */
export interface ExerciseResultRecord {
  sessionId: string;
  team: string;
  scenarioId: string;
  scenarioTitle: string;
  /** The scenario's tags when it was played (coverage of failure modes is read from them). */
  tags: string[];
  kind: ExerciseKind;
  /** Who played on this team, in the order they joined (one entry per name). */
  participants: { name: string; role: string }[];
  /** Wall-clock milliseconds when the session ended. */
  endedAt: number;
  /** The team's scores, times and hints (server/learning/results.ts, ExerciseSummary). */
  summary: Record<string, unknown>;
}

export interface ExerciseResultQuery {
  team?: string;
  /** Only results whose participants include this name (exact match). */
  participant?: string;
  kind?: ExerciseKind;
  /** Wall-clock milliseconds: endedAt >= from. */
  from?: number;
  /** Wall-clock milliseconds: endedAt < to. */
  to?: number;
  limit?: number;
  offset?: number;
}

export const EXERCISE_KINDS: readonly ExerciseKind[] = ['game-day', 'practice'];

/** The checks every adapter makes before it writes results (the same errors everywhere). */
export function checkExerciseResults(sessionId: string, results: readonly ExerciseResultRecord[]): void {
  const teams = new Set<string>();
  for (const r of results) {
    if (r.sessionId !== sessionId) throw new RangeError(`result of session ${r.sessionId} saved under session ${sessionId}`);
    if (!EXERCISE_KINDS.includes(r.kind)) throw new RangeError(`exercise kind must be one of ${EXERCISE_KINDS.join(', ')}, got ${JSON.stringify(r.kind)}`);
    if (!Number.isFinite(r.endedAt)) throw new RangeError(`result endedAt must be wall-clock milliseconds, got ${JSON.stringify(r.endedAt)}`);
    if (teams.has(r.team)) throw new RangeError(`two results for team ${r.team} of session ${sessionId}`);
    teams.add(r.team);
  }
}

/** One entry of the pre-mortem risk register: a way the workload could fail, scored 1–5 three ways. */
export interface RiskRecord {
  id: string;
  title: string;
  description: string;
  /** 1 (rare) … 5 (almost certain), within a year. */
  likelihood: number;
  /** 1 (negligible) … 5 (severe). */
  impact: number;
  /** How sure the team is that it would detect it: 1 (would not notice) … 5 (alerted at once). */
  detection: number;
  /** Library scenarios that rehearse it. */
  scenarioIds: string[];
  owner?: string;
  /** Wall-clock milliseconds. */
  createdAt: number;
  updatedAt: number;
}

/** null clears owner; undefined and absent fields stay as they are. */
export type RiskPatch = {
  title?: string;
  description?: string;
  likelihood?: number;
  impact?: number;
  detection?: number;
  scenarioIds?: string[];
  owner?: string | null;
};

/** The checks every adapter makes before it writes a risk (the same errors everywhere). */
export function checkRiskFields(fields: { likelihood?: unknown; impact?: unknown; detection?: unknown; scenarioIds?: unknown }): void {
  for (const key of ['likelihood', 'impact', 'detection'] as const) {
    const v = fields[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 5)) {
      throw new RangeError(`risk ${key} must be a whole number from 1 to 5, got ${JSON.stringify(v)}`);
    }
  }
  const ids = fields.scenarioIds;
  if (ids !== undefined && !(Array.isArray(ids) && ids.every((x) => typeof x === 'string'))) {
    throw new RangeError(`risk scenarioIds must be a list of scenario ids, got ${JSON.stringify(ids)}`);
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
  /**
   * Appends events (their seq continues the session's log). With `applied`, also records that
   * input's result in the same transaction — both or neither, one commit per action.
   */
  appendEvents(sessionId: string, events: readonly SessionEvent[], wallTime: number, applied?: AppliedInput): Promise<void>;
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

  // ── history: one result per team of every ended session (server/learning/) ─────────────────
  /**
   * Replaces every result of a session with these (idempotent: recording an end twice, or a
   * late backfill racing the live hook, leaves one row per team). Every row must name
   * `sessionId`; rejects an unknown session (`no session <id>`).
   */
  saveExerciseResults(sessionId: string, results: readonly ExerciseResultRecord[]): Promise<void>;
  /** Oldest first (endedAt, then session id, then team). */
  listExerciseResults(query?: ExerciseResultQuery): Promise<ExerciseResultRecord[]>;
  /** Ids of ended sessions (phase `ended`) with no result recorded yet, oldest first: the backfill's work. */
  listSessionsMissingResults(limit?: number): Promise<string[]>;

  // ── the pre-mortem risk register (one per server) ──────────────────────────────────────────

  /** Rejects a duplicate id (`risk <id> already exists`) or scores outside 1–5. */
  addRisk(risk: RiskRecord): Promise<void>;
  getRisk(id: string): Promise<RiskRecord | undefined>;
  /** Oldest first (createdAt, then the order they were added). */
  listRisks(): Promise<RiskRecord[]>;
  /** Sets the fields the patch names (null clears owner) and updatedAt; undefined when not found. */
  updateRisk(id: string, patch: RiskPatch, wallTime: number): Promise<RiskRecord | undefined>;
  deleteRisk(id: string): Promise<boolean>;
  /**
   * When each of these scenarios was last rehearsed: the latest `endedAt` of its sessions that
   * ended. Scenarios never played (or never ended) are absent.
   */
  lastEndedByScenario(scenarioIds: readonly string[]): Promise<Record<string, number>>;

  // ── scheduled game days and their occurrences (server/learning/scheduler.ts) ──────────────
  /** Rejects a duplicate id (`schedule <id> already exists`) or token. */
  createSchedule(schedule: ScheduleRecord): Promise<void>;
  getSchedule(id: string): Promise<ScheduleRecord | undefined>;
  getScheduleByToken(token: string): Promise<ScheduleRecord | undefined>;
  /** Oldest first (createdAt, then the order they were created), cancelled ones included. */
  listSchedules(): Promise<ScheduleRecord[]>;
  /** Sets staffing and/or cancelledAt; the updated schedule, or undefined when not found. */
  updateSchedule(id: string, patch: SchedulePatch): Promise<ScheduleRecord | undefined>;
  /**
   * Inserts or replaces occurrence (scheduleId, n). Rejects an unknown schedule (`no schedule <id>`),
   * a status outside OCCURRENCE_STATUSES, or a join code another occurrence holds.
   */
  putOccurrence(occurrence: OccurrenceRecord): Promise<void>;
  /** By n. */
  listOccurrences(scheduleId: string): Promise<OccurrenceRecord[]>;
  getOccurrenceByJoinCode(code: string): Promise<OccurrenceRecord | undefined>;
  getOccurrenceBySession(sessionId: string): Promise<OccurrenceRecord | undefined>;

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

// ── scheduled game days (store migration 3; server/learning/) ───────────────────────────────────

/** A game day on the calendar, once or recurring. Its occurrences are OccurrenceRecords. */
export interface ScheduleRecord {
  id: string;
  /** The facilitator's key to the schedule (REST `Authorization: Bearer`); unique, never echoed in errors. */
  token: string;
  title: string;
  /** A scenario of the library, or null when each occurrence picks one with `tag`. */
  scenario: string | null;
  /** Pick each occurrence's scenario among those with this tag (rotation), when `scenario` is null. */
  tag: string | null;
  /** The first game day, local time in `timeZone`: `YYYY-MM-DDTHH:MM`. */
  start: string;
  /** An IANA zone, e.g. `Europe/London`. */
  timeZone: string;
  durationMinutes: number;
  teams: string[];
  /** Who is assigned to each team ahead of the day (the readiness checklist's "roles staffed"). */
  staffing: Record<string, string[]>;
  /** The rule in canonical words (`first Tuesday monthly`), or null for a single game day. */
  recurrence: string | null;
  /** Rotation may pick a scenario the teams already played. */
  allowRepeats: boolean;
  speed: number;
  /** Wall-clock milliseconds. */
  createdAt: number;
  cancelledAt: number | null;
}

export type SchedulePatch = { staffing?: Record<string, string[]>; cancelledAt?: number | null };

export const OCCURRENCE_STATUSES = ['scheduled', 'opened', 'missed', 'cancelled'] as const;
export type OccurrenceStatus = (typeof OCCURRENCE_STATUSES)[number];

/** One item of a readiness checklist: checked automatically, or ticked by someone. */
export interface ReadinessItem {
  id: string;
  label: string;
  kind: 'automatic' | 'manual';
  /** null: not checked yet (automatic) or not ticked (manual). */
  ok: boolean | null;
  detail?: string;
  /** Manual items: who ticked it, and when (wall-clock ms). Automatic: when it was checked. */
  by?: string;
  at?: number;
}

/** One game day of a schedule: allocated ahead (join code, facilitator token, scenario), then opened or missed. */
export interface OccurrenceRecord {
  scheduleId: string;
  /** 0, 1, 2… in calendar order. */
  n: number;
  /** Wall-clock milliseconds when the lobby opens. */
  startsAt: number;
  scenario: string;
  /** Unique among occurrences; the session opened for it gets this code. */
  joinCode: string;
  facilitatorToken: string;
  status: OccurrenceStatus;
  /** The session opened for it (status `opened`). */
  sessionId: string | null;
  /** Why it was missed or not opened, in words. */
  note: string | null;
  readiness: ReadinessItem[];
  updatedAt: number;
}

export function checkOccurrenceFields(o: { status?: unknown; n?: unknown }): void {
  if (o.status !== undefined && !(OCCURRENCE_STATUSES as readonly unknown[]).includes(o.status)) {
    throw new RangeError(`occurrence status must be one of ${OCCURRENCE_STATUSES.join(', ')}, got ${JSON.stringify(o.status)}`);
  }
  if (o.n !== undefined && !(Number.isInteger(o.n) && (o.n as number) >= 0)) throw new RangeError(`occurrence n must be a non-negative integer, got ${JSON.stringify(o.n)}`);
}
