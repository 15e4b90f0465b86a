// What the SQL stores (SQLite and PostgreSQL) share: the rows they read back, identical in both,
// and how a row becomes a record. Each store keeps what differs (sessions' flags, BIGINTs) in its
// own file; where a shared row differs (a boolean SQLite returns as 0/1), its field is the union.
import type { ResultSummary, SessionEvent } from '../engine/session/events.ts';
import type { Input } from '../engine/session/session.ts';
import type {
  ActionItemRecord,
  ActionItemStatus,
  ExerciseKind,
  ExerciseResultRecord,
  LessonRecord,
  OccurrenceRecord,
  OccurrenceStatus,
  ParticipantRecord,
  RiskRecord,
  ScheduleRecord,
  SessionSummary,
  StoredInput,
} from './store.ts';

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

export interface ResultRow {
  session_id: string;
  team: string;
  scenario_id: string;
  scenario_title: string;
  tags: string;
  kind: string;
  participants: string;
  ended_at: number;
  summary: string;
}

export interface RiskRow {
  id: string;
  title: string;
  description: string;
  likelihood: number;
  impact: number;
  detection: number;
  scenario_ids: string;
  owner: string | null;
  created_at: number;
  updated_at: number;
}

export interface ScheduleRow {
  id: string;
  token: string;
  title: string;
  scenario_id: string | null;
  tag: string | null;
  start_local: string;
  time_zone: string;
  duration_min: number;
  teams: string;
  staffing: string;
  recurrence: string | null;
  /** SQLite: 0 or 1; PostgreSQL: a boolean. */
  allow_repeats: number | boolean;
  speed: number;
  created_at: number;
  cancelled_at: number | null;
}

export interface OccurrenceRow {
  schedule_id: string;
  n: number;
  starts_at: number;
  scenario_id: string;
  join_code: string;
  facilitator_token: string;
  status: string;
  session_id: string | null;
  note: string | null;
  readiness: string;
  updated_at: number;
}

export const LESSON_COLUMNS = 'id, session_id, text, author, created_at';
export const ACTION_ITEM_COLUMNS = 'id, session_id, title, owner, due_date, link, status, created_at, updated_at';
export const RESULT_COLUMNS = 'session_id, team, scenario_id, scenario_title, tags, kind, participants, ended_at, summary';
export const RISK_COLUMNS = 'id, title, description, likelihood, impact, detection, scenario_ids, owner, created_at, updated_at';
export const SCHEDULE_COLUMNS =
  'id, token, title, scenario_id, tag, start_local, time_zone, duration_min, teams, staffing, recurrence, allow_repeats, speed, created_at, cancelled_at';
export const OCCURRENCE_COLUMNS = 'schedule_id, n, starts_at, scenario_id, join_code, facilitator_token, status, session_id, note, readiness, updated_at';

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

/** Keys in the order callers write them (ExerciseResultRecord's order). */
export function resultOf(row: ResultRow): ExerciseResultRecord {
  return {
    sessionId: row.session_id,
    team: row.team,
    scenarioId: row.scenario_id,
    scenarioTitle: row.scenario_title,
    tags: JSON.parse(row.tags),
    kind: row.kind as ExerciseKind,
    participants: JSON.parse(row.participants),
    endedAt: row.ended_at,
    summary: JSON.parse(row.summary),
  };
}

export function riskOf(row: RiskRow): RiskRecord {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    likelihood: row.likelihood,
    impact: row.impact,
    detection: row.detection,
    scenarioIds: JSON.parse(row.scenario_ids) as string[],
    ...(row.owner !== null ? { owner: row.owner } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function scheduleOf(row: ScheduleRow): ScheduleRecord {
  return {
    id: row.id,
    token: row.token,
    title: row.title,
    scenario: row.scenario_id,
    tag: row.tag,
    start: row.start_local,
    timeZone: row.time_zone,
    durationMinutes: row.duration_min,
    teams: JSON.parse(row.teams),
    staffing: JSON.parse(row.staffing),
    recurrence: row.recurrence,
    allowRepeats: row.allow_repeats === true || row.allow_repeats === 1,
    speed: row.speed,
    createdAt: row.created_at,
    cancelledAt: row.cancelled_at,
  };
}

export function occurrenceOf(row: OccurrenceRow): OccurrenceRecord {
  return {
    scheduleId: row.schedule_id,
    n: row.n,
    startsAt: row.starts_at,
    scenario: row.scenario_id,
    joinCode: row.join_code,
    facilitatorToken: row.facilitator_token,
    status: row.status as OccurrenceStatus,
    sessionId: row.session_id,
    note: row.note,
    readiness: JSON.parse(row.readiness),
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
