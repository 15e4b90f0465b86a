// What the SQL stores (SQLite and PostgreSQL) share: the rows they read back, identical in both,
// and how a row becomes a record. Each store keeps what differs (sessions' flags, BIGINTs, JSON
// columns of the later tables) in its own file.
import type { ResultSummary, SessionEvent } from '../engine/session/events.ts';
import type { Input } from '../engine/session/session.ts';
import type { ActionItemRecord, ActionItemStatus, LessonRecord, ParticipantRecord, SessionSummary, StoredInput } from './store.ts';

export interface SummaryRow {
  id: string;
  scenario_id: string;
  title: string;
  teams: string;
  phase: string;
  outcome: string | null;
  created_at: number;
  ended_at: number | null;
}

export interface InputRow {
  session_id: string;
  seq: number;
  key: string | null;
  input: string;
  wall_time: number;
  result: string | null;
}

export interface EventRow {
  seq: number;
  type: string;
  team: string | null;
  t: number;
  body: string;
}

export interface ParticipantRow {
  id: string;
  session_id: string;
  token: string;
  name: string;
  team: string;
  role: string;
  joined_at: number;
}

export interface LessonRow {
  id: string;
  session_id: string;
  text: string;
  author: string | null;
  created_at: number;
}

export interface ActionItemRow {
  id: string;
  session_id: string;
  title: string;
  owner: string;
  due_date: string | null;
  link: string | null;
  status: string;
  created_at: number;
  updated_at: number;
}

export const LESSON_COLUMNS = 'id, session_id, text, author, created_at';
export const ACTION_ITEM_COLUMNS = 'id, session_id, title, owner, due_date, link, status, created_at, updated_at';

export function summaryOf(row: SummaryRow): SessionSummary {
  return {
    id: row.id,
    scenarioId: row.scenario_id,
    title: row.title,
    teams: JSON.parse(row.teams),
    phase: row.phase,
    outcome: row.outcome,
    createdAt: row.created_at,
    endedAt: row.ended_at,
  };
}

export function inputOf(row: InputRow | undefined): StoredInput | undefined {
  if (row === undefined) return undefined;
  return {
    sessionId: row.session_id,
    seq: row.seq,
    key: row.key,
    input: JSON.parse(row.input) as Input,
    wallTime: row.wall_time,
    result: row.result === null ? null : (JSON.parse(row.result) as ResultSummary),
  };
}

export /** Rebuilds the event with its keys in the engine's order (seq, t, team, type, …) so that the
 * JSON of a stored log is byte-identical to the engine's. */
function eventOf(row: EventRow): SessionEvent {
  return { seq: row.seq, t: row.t, ...(row.team !== null ? { team: row.team } : {}), type: row.type, ...JSON.parse(row.body) } as SessionEvent;
}

export function participantOf(row: ParticipantRow): ParticipantRecord {
  return { id: row.id, sessionId: row.session_id, token: row.token, name: row.name, team: row.team, role: row.role, joinedAt: row.joined_at };
}

export function lessonOf(row: LessonRow): LessonRecord {
  return { id: row.id, sessionId: row.session_id, text: row.text, ...(row.author !== null ? { author: row.author } : {}), createdAt: row.created_at };
}

export /** Keys in the order the memory store keeps them (the order callers write them). */
function actionItemOf(row: ActionItemRow): ActionItemRecord {
  return {
    id: row.id,
    sessionId: row.session_id,
    title: row.title,
    owner: row.owner,
    ...(row.due_date !== null ? { dueDate: row.due_date } : {}),
    ...(row.link !== null ? { link: row.link } : {}),
    status: row.status as ActionItemStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
}

export function pageOf(options: { limit?: number; offset?: number }): { limit: number | undefined; offset: number } {
  checkLimit(options.limit);
  const offset = options.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
  return { limit: options.limit, offset };
}
