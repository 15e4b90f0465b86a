// The default store: one SQLite file (better-sqlite3) in WAL mode.
//
// better-sqlite3 is synchronous; every method is still async so that callers are written for the
// PostgreSQL store, which implements the same interface. Each write is one statement or one
// transaction, so a crash (even kill -9) leaves either all of it or none of it. With WAL and
// `synchronous = NORMAL` a committed transaction survives the process dying; only a power cut or
// an OS crash can lose the last few, and never corrupts the file.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { ResultSummary, SessionEvent } from '../engine/session/events.ts';
import type { Input } from '../engine/session/session.ts';
import {
  checkActionItemFields,
  checkActionItemQuery,
  DuplicateKeyError,
  type ActionItemRecord,
  type ActionItemStatus,
  type LessonRecord,
  type ParticipantRecord,
  type SessionPatch,
  type SessionRecord,
  type SessionSummary,
  type Store,
  type StoredInput,
} from './store.ts';

export interface SqliteStoreOptions {
  /** A file path (its directory is created when missing) or ':memory:'. */
  path: string;
  /** Milliseconds a writer waits for another process's lock before failing. Default 5000. */
  busyTimeoutMs?: number;
  /** Wall clock for the store's own bookkeeping (when a migration was applied). Default Date.now. */
  now?: () => number;
}

/**
 * The schema, one migration per entry: version n is MIGRATIONS[n - 1]. Append new entries; never
 * edit or reorder one that has shipped, since databases in the field record which ones they ran.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    scenario_id       TEXT NOT NULL,
    title             TEXT NOT NULL,
    scenario          TEXT NOT NULL,  -- JSON ScenarioSpec
    workload          TEXT NOT NULL,  -- JSON WorkloadSpec
    runbooks          TEXT NOT NULL,  -- JSON RunbookLike[]
    seed              TEXT NOT NULL,
    teams             TEXT NOT NULL,  -- JSON string[]
    join_code         TEXT NOT NULL,
    facilitator_token TEXT NOT NULL,
    speed             REAL NOT NULL,
    phase             TEXT NOT NULL,
    outcome           TEXT,
    scores_visible    INTEGER NOT NULL CHECK (scores_visible IN (0, 1)),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    ended_at          INTEGER
  );
  CREATE UNIQUE INDEX sessions_join_code ON sessions (join_code);
  CREATE UNIQUE INDEX sessions_facilitator_token ON sessions (facilitator_token);
  CREATE INDEX sessions_created_at ON sessions (created_at);

  CREATE TABLE inputs (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    key        TEXT,                  -- NULLs never collide in a UNIQUE constraint
    input      TEXT NOT NULL,         -- JSON Input
    wall_time  INTEGER NOT NULL,
    result     TEXT,                  -- JSON ResultSummary, NULL until applied
    PRIMARY KEY (session_id, seq),
    UNIQUE (session_id, key)
  ) WITHOUT ROWID;

  CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    type       TEXT NOT NULL,
    team       TEXT,
    t          REAL NOT NULL,
    body       TEXT NOT NULL,         -- JSON: the event without seq, t, team and type
    wall_time  INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE participants (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    team       TEXT NOT NULL,
    role       TEXT NOT NULL,
    joined_at  INTEGER NOT NULL
  );
  CREATE INDEX participants_session ON participants (session_id, joined_at);
  `,
  // 2: the debrief's lessons learned and action items. Listed per session in the order they were
  // recorded (created_at, rowid); action items also across sessions by status and due date.
  `
  CREATE TABLE lessons (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    author     TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX lessons_session ON lessons (session_id, created_at);

  CREATE TABLE action_items (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    owner      TEXT NOT NULL,
    due_date   TEXT CHECK (due_date IS NULL OR due_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    link       TEXT,
    status     TEXT NOT NULL CHECK (status IN ('open', 'in-progress', 'done', 'dropped')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX action_items_session ON action_items (session_id, created_at);
  CREATE INDEX action_items_status_due ON action_items (status, due_date);
  `,
  // 3: scheduled game days and readiness checklists (reserved: being written).
  `-- reserved: schedules`,
  // 4: the pre-mortem risk register (reserved: being written).
  `-- reserved: risks`,
  // 5: game-day history — results kept per session and team, solo practice (reserved: being written).
  `-- reserved: history`,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

interface SessionRow {
  id: string;
  scenario: string;
  workload: string;
  runbooks: string;
  seed: string;
  teams: string;
  join_code: string;
  facilitator_token: string;
  speed: number;
  phase: string;
  outcome: string | null;
  scores_visible: number;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}

interface SummaryRow {
  id: string;
  scenario_id: string;
  title: string;
  teams: string;
  phase: string;
  outcome: string | null;
  created_at: number;
  ended_at: number | null;
}

interface InputRow {
  session_id: string;
  seq: number;
  key: string | null;
  input: string;
  wall_time: number;
  result: string | null;
}

interface EventRow {
  seq: number;
  type: string;
  team: string | null;
  t: number;
  body: string;
}

interface ParticipantRow {
  id: string;
  session_id: string;
  token: string;
  name: string;
  team: string;
  role: string;
  joined_at: number;
}

interface LessonRow {
  id: string;
  session_id: string;
  text: string;
  author: string | null;
  created_at: number;
}

interface ActionItemRow {
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

const LESSON_COLUMNS = 'id, session_id, text, author, created_at';
const ACTION_ITEM_COLUMNS = 'id, session_id, title, owner, due_date, link, status, created_at, updated_at';

const SESSION_COLUMNS =
  'id, scenario, workload, runbooks, seed, teams, join_code, facilitator_token, speed, phase, outcome, scores_visible, created_at, updated_at, ended_at';

export function createSqliteStore(options: SqliteStoreOptions): Store {
  const { path } = options;
  const now = options.now ?? Date.now;
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });

  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new Error(`cannot open SQLite database ${path}: ${messageOf(err)}`, { cause: err });
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path, now);
  } catch (err) {
    db.close();
    if (err instanceof SchemaError) throw err;
    throw new Error(`cannot open SQLite database ${path}: ${messageOf(err)}`, { cause: err });
  }

  const q = {
    insertSession: db.prepare(
      `INSERT INTO sessions (id, scenario_id, title, scenario, workload, runbooks, seed, teams, join_code, facilitator_token,
                             speed, phase, outcome, scores_visible, created_at, updated_at, ended_at)
       VALUES (@id, @scenarioId, @title, @scenario, @workload, @runbooks, @seed, @teams, @joinCode, @facilitatorToken,
               @speed, @phase, @outcome, @scoresVisible, @createdAt, @updatedAt, @endedAt)`,
    ),
    sessionById: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ?`),
    sessionByJoinCode: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE join_code = ?`),
    sessionByFacilitatorToken: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE facilitator_token = ?`),
    sessionExists: db.prepare('SELECT 1 FROM sessions WHERE id = ?').pluck(),
    listSessions: db.prepare(
      `SELECT id, scenario_id, title, teams, phase, outcome, created_at, ended_at FROM sessions
       ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
    ),
    listUnfinished: db.prepare(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE ended_at IS NULL AND phase <> 'ended' ORDER BY created_at, rowid`,
    ),
    // One statement for every patch: a flag per column says whether the patch sets it, so that
    // null (outcome, endedAt) can be set explicitly while absent fields stay as they are.
    updateSession: db.prepare(
      `UPDATE sessions SET
         speed          = CASE WHEN @setSpeed THEN @speed ELSE speed END,
         phase          = CASE WHEN @setPhase THEN @phase ELSE phase END,
         outcome        = CASE WHEN @setOutcome THEN @outcome ELSE outcome END,
         scores_visible = CASE WHEN @setScoresVisible THEN @scoresVisible ELSE scores_visible END,
         ended_at       = CASE WHEN @setEndedAt THEN @endedAt ELSE ended_at END,
         updated_at     = @updatedAt
       WHERE id = @id`,
    ),
    insertInput: db.prepare(
      'INSERT INTO inputs (session_id, seq, key, input, wall_time, result) VALUES (@sessionId, @seq, @key, @input, @wallTime, @result)',
    ),
    inputByKey: db.prepare('SELECT session_id, seq, key, input, wall_time, result FROM inputs WHERE session_id = ? AND key = ?'),
    setInputResult: db.prepare('UPDATE inputs SET result = ? WHERE session_id = ? AND seq = ?'),
    listInputs: db.prepare('SELECT session_id, seq, key, input, wall_time, result FROM inputs WHERE session_id = ? ORDER BY seq'),
    insertEvent: db.prepare(
      'INSERT INTO events (session_id, seq, type, team, t, body, wall_time) VALUES (@sessionId, @seq, @type, @team, @t, @body, @wallTime)',
    ),
    deleteEvents: db.prepare('DELETE FROM events WHERE session_id = ?'),
    listEvents: db.prepare('SELECT seq, type, team, t, body FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    lastEventSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM events WHERE session_id = ?').pluck(),
    insertParticipant: db.prepare(
      `INSERT INTO participants (id, session_id, token, name, team, role, joined_at)
       VALUES (@id, @sessionId, @token, @name, @team, @role, @joinedAt)`,
    ),
    participantByToken: db.prepare('SELECT id, session_id, token, name, team, role, joined_at FROM participants WHERE token = ?'),
    listParticipants: db.prepare(
      'SELECT id, session_id, token, name, team, role, joined_at FROM participants WHERE session_id = ? ORDER BY joined_at, rowid',
    ),
    insertLesson: db.prepare('INSERT INTO lessons (id, session_id, text, author, created_at) VALUES (@id, @sessionId, @text, @author, @createdAt)'),
    lessonById: db.prepare(`SELECT ${LESSON_COLUMNS} FROM lessons WHERE session_id = ? AND id = ?`),
    listLessons: db.prepare(`SELECT ${LESSON_COLUMNS} FROM lessons WHERE session_id = ? ORDER BY created_at, rowid`),
    updateLesson: db.prepare(
      `UPDATE lessons SET
         text   = CASE WHEN @setText THEN @text ELSE text END,
         author = CASE WHEN @setAuthor THEN @author ELSE author END
       WHERE session_id = @sessionId AND id = @id`,
    ),
    deleteLesson: db.prepare('DELETE FROM lessons WHERE session_id = ? AND id = ?'),
    insertActionItem: db.prepare(
      `INSERT INTO action_items (id, session_id, title, owner, due_date, link, status, created_at, updated_at)
       VALUES (@id, @sessionId, @title, @owner, @dueDate, @link, @status, @createdAt, @updatedAt)`,
    ),
    actionItemById: db.prepare(`SELECT ${ACTION_ITEM_COLUMNS} FROM action_items WHERE session_id = ? AND id = ?`),
    listActionItems: db.prepare(`SELECT ${ACTION_ITEM_COLUMNS} FROM action_items WHERE session_id = ? ORDER BY created_at, rowid`),
    updateActionItem: db.prepare(
      `UPDATE action_items SET
         title      = CASE WHEN @setTitle THEN @title ELSE title END,
         owner      = CASE WHEN @setOwner THEN @owner ELSE owner END,
         due_date   = CASE WHEN @setDueDate THEN @dueDate ELSE due_date END,
         link       = CASE WHEN @setLink THEN @link ELSE link END,
         status     = CASE WHEN @setStatus THEN @status ELSE status END,
         updated_at = @updatedAt
       WHERE session_id = @sessionId AND id = @id`,
    ),
    deleteActionItem: db.prepare('DELETE FROM action_items WHERE session_id = ? AND id = ?'),
    // A JSON array of statuses (NULL: any) and an exclusive due-before day (NULL: any). Due dates
    // are YYYY-MM-DD, so text order is date order.
    listActionItemsAcross: db.prepare(
      `SELECT ${ACTION_ITEM_COLUMNS} FROM action_items
       WHERE (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
         AND (@dueBefore IS NULL OR (due_date IS NOT NULL AND due_date < @dueBefore))
       ORDER BY due_date IS NULL, due_date, created_at, rowid
       LIMIT @limit OFFSET @offset`,
    ),
    ping: db.prepare('SELECT 1').pluck(),
  };

  let closed = false;
  function open(): void {
    if (closed) throw new Error(`SQLite store ${path} is closed`);
  }

  function requireSession(id: string): void {
    if (q.sessionExists.get(id) === undefined) throw new Error(`no session ${id}`);
  }

  function insertEvents(sessionId: string, events: readonly SessionEvent[], wallTime: number, last: number): void {
    events.forEach((e, i) => {
      if (e.seq !== last + 1 + i) {
        throw new Error(`event seq ${e.seq} does not continue the log of session ${sessionId} (expected ${last + 1 + i})`);
      }
      q.insertEvent.run(eventParams(sessionId, e, wallTime));
    });
  }

  // IMMEDIATE: take the write lock before reading the last seq, so that another process cannot
  // append between the read and the insert.
  const appendEventsTx = db.transaction((sessionId: string, events: readonly SessionEvent[], wallTime: number) => {
    requireSession(sessionId);
    insertEvents(sessionId, events, wallTime, q.lastEventSeq.get(sessionId) as number);
  });
  const replaceEventsTx = db.transaction((sessionId: string, events: readonly SessionEvent[], wallTime: number) => {
    requireSession(sessionId);
    q.deleteEvents.run(sessionId);
    insertEvents(sessionId, events, wallTime, 0);
  });

  return {
    kind: 'sqlite',

    async createSession(r) {
      open();
      try {
        q.insertSession.run({
          id: r.id,
          scenarioId: r.scenario.id,
          title: r.scenario.title,
          scenario: JSON.stringify(r.scenario),
          workload: JSON.stringify(r.workload),
          runbooks: JSON.stringify(r.runbooks),
          seed: r.seed,
          teams: JSON.stringify(r.teams),
          joinCode: r.joinCode,
          facilitatorToken: r.facilitatorToken,
          speed: r.speed,
          phase: r.phase,
          outcome: r.outcome,
          scoresVisible: r.scoresVisible ? 1 : 0,
          createdAt: r.createdAt,
          updatedAt: r.updatedAt,
          endedAt: r.endedAt,
        });
      } catch (err) {
        const m = messageOf(err);
        if (m.includes('sessions.id')) throw new Error(`session ${r.id} already exists`, { cause: err });
        if (m.includes('sessions.join_code')) throw new Error(`join code ${r.joinCode} is already in use`, { cause: err });
        // Tokens are secrets: never echoed in errors.
        if (m.includes('sessions.facilitator_token')) throw new Error('facilitator token is already in use', { cause: err });
        throw err;
      }
    },

    async getSession(id) {
      open();
      return sessionOf(q.sessionById.get(id) as SessionRow | undefined);
    },

    async getSessionByJoinCode(code) {
      open();
      return sessionOf(q.sessionByJoinCode.get(code) as SessionRow | undefined);
    },

    async getSessionByFacilitatorToken(token) {
      open();
      return sessionOf(q.sessionByFacilitatorToken.get(token) as SessionRow | undefined);
    },

    async listSessions(options = {}) {
      open();
      const { limit, offset } = pageOf(options);
      // LIMIT -1 is SQLite for "no limit".
      return (q.listSessions.all(limit ?? -1, offset) as SummaryRow[]).map(summaryOf);
    },

    async listUnfinishedSessions() {
      open();
      return (q.listUnfinished.all() as SessionRow[]).map((row) => sessionOf(row)!);
    },

    async updateSession(id, patch: SessionPatch, wallTime) {
      open();
      const info = q.updateSession.run({
        id,
        setSpeed: flag(patch.speed),
        speed: patch.speed ?? null,
        setPhase: flag(patch.phase),
        phase: patch.phase ?? null,
        setOutcome: flag(patch.outcome),
        outcome: patch.outcome ?? null,
        setScoresVisible: flag(patch.scoresVisible),
        scoresVisible: patch.scoresVisible ? 1 : 0,
        setEndedAt: flag(patch.endedAt),
        endedAt: patch.endedAt ?? null,
        updatedAt: wallTime,
      });
      if (info.changes === 0) throw new Error(`no session ${id}`);
    },

    async appendInput(input) {
      open();
      checkSeq(input.seq);
      try {
        q.insertInput.run({
          sessionId: input.sessionId,
          seq: input.seq,
          key: input.key,
          input: JSON.stringify(input.input),
          wallTime: input.wallTime,
          result: input.result === null ? null : JSON.stringify(input.result),
        });
      } catch (err) {
        const m = messageOf(err);
        if (m.includes('inputs.key') && input.key !== null) throw new DuplicateKeyError(input.sessionId, input.key);
        if (m.includes('inputs.seq')) throw new Error(`input seq ${input.seq} is already stored for session ${input.sessionId}`, { cause: err });
        if (m.includes('FOREIGN KEY')) throw new Error(`no session ${input.sessionId}`, { cause: err });
        throw err;
      }
    },

    async getInputByKey(sessionId, key) {
      open();
      return inputOf(q.inputByKey.get(sessionId, key) as InputRow | undefined);
    },

    async setInputResult(sessionId, seq, result: ResultSummary) {
      open();
      const info = q.setInputResult.run(JSON.stringify(result), sessionId, seq);
      if (info.changes === 0) throw new Error(`no input seq ${seq} in session ${sessionId}`);
    },

    async listInputs(sessionId) {
      open();
      return (q.listInputs.all(sessionId) as InputRow[]).map((row) => inputOf(row)!);
    },

    async appendEvents(sessionId, events, wallTime) {
      open();
      appendEventsTx.immediate(sessionId, events, wallTime);
    },

    async replaceEvents(sessionId, events, wallTime) {
      open();
      replaceEventsTx.immediate(sessionId, events, wallTime);
    },

    async listEvents(sessionId, afterSeq = 0, limit) {
      open();
      checkLimit(limit);
      return (q.listEvents.all(sessionId, afterSeq, limit ?? -1) as EventRow[]).map(eventOf);
    },

    async lastEventSeq(sessionId) {
      open();
      return q.lastEventSeq.get(sessionId) as number;
    },

    async addParticipant(p) {
      open();
      try {
        q.insertParticipant.run({ id: p.id, sessionId: p.sessionId, token: p.token, name: p.name, team: p.team, role: p.role, joinedAt: p.joinedAt });
      } catch (err) {
        const m = messageOf(err);
        if (m.includes('participants.id')) throw new Error(`participant ${p.id} already exists`, { cause: err });
        if (m.includes('participants.token')) throw new Error('participant token is already in use', { cause: err });
        if (m.includes('FOREIGN KEY')) throw new Error(`no session ${p.sessionId}`, { cause: err });
        throw err;
      }
    },

    async getParticipantByToken(token) {
      open();
      const row = q.participantByToken.get(token) as ParticipantRow | undefined;
      return row && participantOf(row);
    },

    async listParticipants(sessionId) {
      open();
      return (q.listParticipants.all(sessionId) as ParticipantRow[]).map(participantOf);
    },

    async addLesson(lesson) {
      open();
      try {
        q.insertLesson.run({ id: lesson.id, sessionId: lesson.sessionId, text: lesson.text, author: lesson.author ?? null, createdAt: lesson.createdAt });
      } catch (err) {
        const m = messageOf(err);
        if (m.includes('lessons.id')) throw new Error(`lesson ${lesson.id} already exists`, { cause: err });
        if (m.includes('FOREIGN KEY')) throw new Error(`no session ${lesson.sessionId}`, { cause: err });
        throw err;
      }
    },

    async listLessons(sessionId) {
      open();
      return (q.listLessons.all(sessionId) as LessonRow[]).map(lessonOf);
    },

    async updateLesson(sessionId, id, patch) {
      open();
      const info = q.updateLesson.run({
        sessionId,
        id,
        setText: flag(patch.text),
        text: patch.text ?? null,
        setAuthor: flag(patch.author),
        author: patch.author ?? null,
      });
      if (info.changes === 0) return undefined;
      return lessonOf(q.lessonById.get(sessionId, id) as LessonRow);
    },

    async deleteLesson(sessionId, id) {
      open();
      return q.deleteLesson.run(sessionId, id).changes > 0;
    },

    async addActionItem(item) {
      open();
      checkActionItemFields(item);
      try {
        q.insertActionItem.run({
          id: item.id,
          sessionId: item.sessionId,
          title: item.title,
          owner: item.owner,
          dueDate: item.dueDate ?? null,
          link: item.link ?? null,
          status: item.status,
          createdAt: item.createdAt,
          updatedAt: item.updatedAt,
        });
      } catch (err) {
        const m = messageOf(err);
        if (m.includes('action_items.id')) throw new Error(`action item ${item.id} already exists`, { cause: err });
        if (m.includes('FOREIGN KEY')) throw new Error(`no session ${item.sessionId}`, { cause: err });
        throw err;
      }
    },

    async listActionItems(sessionId) {
      open();
      return (q.listActionItems.all(sessionId) as ActionItemRow[]).map(actionItemOf);
    },

    async updateActionItem(sessionId, id, patch, wallTime) {
      open();
      checkActionItemFields(patch);
      const info = q.updateActionItem.run({
        sessionId,
        id,
        setTitle: flag(patch.title),
        title: patch.title ?? null,
        setOwner: flag(patch.owner),
        owner: patch.owner ?? null,
        setDueDate: flag(patch.dueDate),
        dueDate: patch.dueDate ?? null,
        setLink: flag(patch.link),
        link: patch.link ?? null,
        setStatus: flag(patch.status),
        status: patch.status ?? null,
        updatedAt: wallTime,
      });
      if (info.changes === 0) return undefined;
      return actionItemOf(q.actionItemById.get(sessionId, id) as ActionItemRow);
    },

    async deleteActionItem(sessionId, id) {
      open();
      return q.deleteActionItem.run(sessionId, id).changes > 0;
    },

    async listActionItemsAcrossSessions(options = {}) {
      open();
      checkActionItemQuery(options);
      const { limit, offset } = pageOf(options);
      const rows = q.listActionItemsAcross.all({
        statuses: options.statuses?.length ? JSON.stringify(options.statuses) : null,
        dueBefore: options.dueBefore ?? null,
        limit: limit ?? -1,
        offset,
      }) as ActionItemRow[];
      return rows.map(actionItemOf);
    },

    async ping() {
      if (closed) return false;
      try {
        return q.ping.get() === 1;
      } catch {
        return false;
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      try {
        // Lets SQLite refresh the query planner's statistics where they are stale; cheap.
        db.pragma('optimize');
      } finally {
        db.close();
      }
    },
  };
}

class SchemaError extends Error {
  override name = 'SchemaError';
}

/**
 * Brings the database up to SCHEMA_VERSION, one transaction per migration so that a failed one
 * leaves the previous version intact. Refuses a database written by a newer firedrill: running
 * old code on a newer schema could silently drop what the new columns hold.
 */
function migrate(db: Database.Database, path: string, now: () => number): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const current = db.prepare('SELECT coalesce(max(version), 0) FROM schema_migrations').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  const found = current.get() as number;
  if (found > SCHEMA_VERSION) {
    throw new SchemaError(
      `SQLite database ${path} has schema version ${found}, but this firedrill only knows versions up to ${SCHEMA_VERSION}: ` +
        'it was written by a newer firedrill. Upgrade firedrill, or point it at another database file.',
    );
  }
  for (let version = found + 1; version <= SCHEMA_VERSION; version++) {
    const apply = db.transaction(() => {
      // Another process may have applied it while we waited for the write lock.
      if ((current.get() as number) >= version) return;
      db.exec(MIGRATIONS[version - 1]);
      record.run(version, now());
    });
    try {
      apply.immediate();
    } catch (err) {
      throw new SchemaError(`migration ${version} of SQLite database ${path} failed: ${messageOf(err)}`, { cause: err });
    }
  }
}

function sessionOf(row: SessionRow | undefined): SessionRecord | undefined {
  if (row === undefined) return undefined;
  return {
    id: row.id,
    scenario: JSON.parse(row.scenario),
    workload: JSON.parse(row.workload),
    runbooks: JSON.parse(row.runbooks),
    seed: row.seed,
    teams: JSON.parse(row.teams),
    joinCode: row.join_code,
    facilitatorToken: row.facilitator_token,
    speed: row.speed,
    phase: row.phase,
    outcome: row.outcome,
    scoresVisible: row.scores_visible === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
  };
}

function summaryOf(row: SummaryRow): SessionSummary {
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

function inputOf(row: InputRow | undefined): StoredInput | undefined {
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

function eventParams(sessionId: string, e: SessionEvent, wallTime: number) {
  const { seq, t, team, type, ...body } = e as SessionEvent & Record<string, unknown>;
  return { sessionId, seq, type, team: team ?? null, t, body: JSON.stringify(body), wallTime };
}

/** Rebuilds the event with its keys in the engine's order (seq, t, team, type, …) so that the
 * JSON of a stored log is byte-identical to the engine's. */
function eventOf(row: EventRow): SessionEvent {
  return { seq: row.seq, t: row.t, ...(row.team !== null ? { team: row.team } : {}), type: row.type, ...JSON.parse(row.body) } as SessionEvent;
}

function participantOf(row: ParticipantRow): ParticipantRecord {
  return { id: row.id, sessionId: row.session_id, token: row.token, name: row.name, team: row.team, role: row.role, joinedAt: row.joined_at };
}

function lessonOf(row: LessonRow): LessonRecord {
  return { id: row.id, sessionId: row.session_id, text: row.text, ...(row.author !== null ? { author: row.author } : {}), createdAt: row.created_at };
}

/** Keys in the order the memory store keeps them (the order callers write them). */
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

function flag(value: unknown): number {
  return value === undefined ? 0 : 1;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function checkSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 1) throw new RangeError(`input seq must be a positive integer, got ${seq}`);
}

function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
}

function pageOf(options: { limit?: number; offset?: number }): { limit: number | undefined; offset: number } {
  checkLimit(options.limit);
  const offset = options.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
  return { limit: options.limit, offset };
}
