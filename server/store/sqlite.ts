// The default store: one SQLite file (better-sqlite3) in WAL mode.
//
// better-sqlite3 is synchronous; every method is still async so that callers are written for the
// PostgreSQL store, which implements the same interface. Each write is one statement or one
// transaction, so a crash (even kill -9) leaves either all of it or none of it. With WAL and
// `synchronous = NORMAL` a committed transaction survives the process dying; only a power cut or
// an OS crash can lose the last few, and never corrupts the file.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { ResultSummary, SessionEvent } from '../engine/session/events.ts';
import type { Input } from '../engine/session/session.ts';
import {
  checkActionItemFields,
  checkActionItemQuery,
  checkRiskFields,
  checkExerciseResults,
  DuplicateKeyError,
  type ActionItemRecord,
  type AppliedInput,
  type ActionItemStatus,
  type ExerciseResultRecord,
  type LessonRecord,
  type ParticipantRecord,
  type SessionPatch,
  type SessionRecord,
  type SessionSummary,
  type Store,
  type StoredInput,
} from './store.ts';
import { checkOccurrenceFields, type Store as StoreOf } from './store.ts';
import { LESSON_COLUMNS, ACTION_ITEM_COLUMNS, summaryOf, inputOf, eventOf, participantOf, lessonOf, actionItemOf, checkLimit, pageOf, type SummaryRow, type InputRow, type EventRow, type ParticipantRow, type LessonRow, type ActionItemRow } from './rows.ts';
import { RESULT_COLUMNS, RISK_COLUMNS, SCHEDULE_COLUMNS, OCCURRENCE_COLUMNS, resultOf, riskOf, scheduleOf, occurrenceOf, type ResultRow, type RiskRow, type ScheduleRow, type OccurrenceRow } from './rows.ts';

export interface SqliteStoreOptions {
  /** A file path (its directory is created when missing) or ':memory:'. */
  path: string;
  /** Milliseconds a writer waits for another process's lock before failing. Default 5000. */
  busyTimeoutMs?: number;
  /** Wall clock for the store's own bookkeeping (when a migration was applied). Default Date.now. */
  now?: () => number;
  /** Told of every group commit of appends (see `grouped`): how many, and the synchronous time. */
  onCommit?: (appends: number, ms: number) => void;
  /**
   * Checkpoint the write-ahead log on a worker thread (server/store/checkpointer.mjs) instead of
   * inside commits, once the store has committed CHECKPOINTER_AFTER groups. Default true for a
   * file; always off in memory.
   */
  checkpointInWorker?: boolean;
}

/** Group commits before a store starts its checkpoint thread (short-lived stores never do). */
const CHECKPOINTER_AFTER = 64;
/** How often the checkpoint thread runs a PASSIVE checkpoint. */
const CHECKPOINT_INTERVAL_MS = 1000;

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
  // 3: scheduled game days (server/learning/): a schedule is a rule in a time zone; each of its
  // game days is an occurrence, allocated ahead (join code, facilitator token, scenario) and then
  // opened as a session or recorded as missed. Readiness is the JSON checklist kept with it.
  `
  CREATE TABLE schedules (
    id              TEXT PRIMARY KEY,
    token           TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    scenario_id     TEXT,
    tag             TEXT,
    start_local     TEXT NOT NULL,  -- YYYY-MM-DDTHH:MM in time_zone
    time_zone       TEXT NOT NULL,
    duration_min    INTEGER NOT NULL CHECK (duration_min > 0),
    teams           TEXT NOT NULL,  -- JSON string[]
    staffing        TEXT NOT NULL,  -- JSON { team: string[] }
    recurrence      TEXT,
    allow_repeats   INTEGER NOT NULL CHECK (allow_repeats IN (0, 1)),
    speed           REAL NOT NULL,
    created_at      INTEGER NOT NULL,
    cancelled_at    INTEGER,
    CHECK (scenario_id IS NOT NULL OR tag IS NOT NULL)
  );
  CREATE INDEX schedules_created_at ON schedules (created_at);

  CREATE TABLE schedule_occurrences (
    schedule_id       TEXT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    n                 INTEGER NOT NULL CHECK (n >= 0),
    starts_at         INTEGER NOT NULL,
    scenario_id       TEXT NOT NULL,
    join_code         TEXT NOT NULL UNIQUE,
    facilitator_token TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('scheduled', 'opened', 'missed', 'cancelled')),
    session_id        TEXT,
    note              TEXT,
    readiness         TEXT NOT NULL,  -- JSON ReadinessItem[]
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (schedule_id, n)
  ) WITHOUT ROWID;
  CREATE INDEX schedule_occurrences_session ON schedule_occurrences (session_id);
  `,
  // 4: the pre-mortem risk register. Scores are 1–5; scenario_ids is a JSON array of library ids.
  // The index answers "when was this scenario last rehearsed" (latest ended_at per scenario).
  `
  CREATE TABLE risks (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    likelihood   INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    impact       INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    detection    INTEGER NOT NULL CHECK (detection BETWEEN 1 AND 5),
    scenario_ids TEXT NOT NULL,  -- JSON string[]
    owner        TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
  );
  CREATE INDEX risks_created_at ON risks (created_at);
  CREATE INDEX sessions_scenario_ended ON sessions (scenario_id, ended_at);
  `,
  // 5: game-day history — one result per team of every ended session (server/learning/): listed
  // per team over time, per participant (solo practice), and backfilled for sessions that ended
  // before it existed. Participants and tags are JSON arrays; the summary is the JSON ExerciseSummary.
  `
  CREATE TABLE exercise_results (
    session_id     TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    team           TEXT NOT NULL,
    scenario_id    TEXT NOT NULL,
    scenario_title TEXT NOT NULL,
    tags           TEXT NOT NULL,  -- JSON string[]
    kind           TEXT NOT NULL CHECK (kind IN ('game-day', 'practice')),
    participants   TEXT NOT NULL,  -- JSON {name, role}[]
    ended_at       INTEGER NOT NULL,
    summary        TEXT NOT NULL,  -- JSON ExerciseSummary
    PRIMARY KEY (session_id, team)
  ) WITHOUT ROWID;
  CREATE INDEX exercise_results_team ON exercise_results (team, ended_at);
  CREATE INDEX exercise_results_ended ON exercise_results (ended_at);
  `,
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
    insertRisk: db.prepare(
      `INSERT INTO risks (id, title, description, likelihood, impact, detection, scenario_ids, owner, created_at, updated_at)
       VALUES (@id, @title, @description, @likelihood, @impact, @detection, @scenarioIds, @owner, @createdAt, @updatedAt)`,
    ),
    riskById: db.prepare(`SELECT ${RISK_COLUMNS} FROM risks WHERE id = ?`),
    listRisks: db.prepare(`SELECT ${RISK_COLUMNS} FROM risks ORDER BY created_at, rowid`),
    updateRisk: db.prepare(
      `UPDATE risks SET
         title        = CASE WHEN @setTitle THEN @title ELSE title END,
         description  = CASE WHEN @setDescription THEN @description ELSE description END,
         likelihood   = CASE WHEN @setLikelihood THEN @likelihood ELSE likelihood END,
         impact       = CASE WHEN @setImpact THEN @impact ELSE impact END,
         detection    = CASE WHEN @setDetection THEN @detection ELSE detection END,
         scenario_ids = CASE WHEN @setScenarioIds THEN @scenarioIds ELSE scenario_ids END,
         owner        = CASE WHEN @setOwner THEN @owner ELSE owner END,
         updated_at   = @updatedAt
       WHERE id = @id`,
    ),
    deleteRisk: db.prepare('DELETE FROM risks WHERE id = ?'),
    lastEndedByScenario: db.prepare(
      `SELECT scenario_id, max(ended_at) AS ended_at FROM sessions
       WHERE ended_at IS NOT NULL AND scenario_id IN (SELECT value FROM json_each(?))
       GROUP BY scenario_id`,
    ),
    deleteResults: db.prepare('DELETE FROM exercise_results WHERE session_id = ?'),
    insertResult: db.prepare(
      `INSERT INTO exercise_results (session_id, team, scenario_id, scenario_title, tags, kind, participants, ended_at, summary)
       VALUES (@sessionId, @team, @scenarioId, @scenarioTitle, @tags, @kind, @participants, @endedAt, @summary)`,
    ),
    // NULL parameters mean "any"; `to` is exclusive.
    listResults: db.prepare(
      `SELECT ${RESULT_COLUMNS} FROM exercise_results
       WHERE (@team IS NULL OR team = @team)
         AND (@kind IS NULL OR kind = @kind)
         AND (@participant IS NULL OR EXISTS (SELECT 1 FROM json_each(participants) WHERE json_extract(value, '$.name') = @participant))
         AND (@from IS NULL OR ended_at >= @from)
         AND (@to IS NULL OR ended_at < @to)
       ORDER BY ended_at, session_id, team
       LIMIT @limit OFFSET @offset`,
    ),
    sessionsMissingResults: db.prepare(
      `SELECT id FROM sessions s
       WHERE phase = 'ended' AND NOT EXISTS (SELECT 1 FROM exercise_results r WHERE r.session_id = s.id)
       ORDER BY coalesce(ended_at, updated_at), rowid LIMIT ?`,
    ).pluck(),
  };

  let closed = false;
  function open(): void {
    if (closed) throw new Error(`SQLite store ${path} is closed`);
  }

  // Group commit. The appends of a live game day (an input before it is applied; events and the
  // input's result after) are queued and committed together once the code running now and the
  // promise callbacks it set off are done (process.nextTick, queued from the first append): every
  // session that wrote in that run (a clock step's slice of sessions, the messages of one socket
  // read) shares one transaction and one WAL commit, without waiting for the event loop's next
  // phase (setImmediate cost each action two turns of a busy loop in its round trip). Each append runs in a savepoint of its own, so one that fails (a duplicate
  // idempotency key, a missing session) fails alone; a failed commit fails them all. The promise of
  // an append settles only after the commit, so "persisted before applied" holds as before. Under
  // load the groups grow by themselves, which is when a commit per append would cost most.
  type Job = { run: () => void; resolve: () => void; reject: (err: unknown) => void; error?: unknown };
  let queued: Job[] = [];
  let scheduled = false;
  const inSavepoint = db.transaction((run: () => void) => run());
  const commitGroupTx = db.transaction((jobs: Job[]) => {
    for (const job of jobs) {
      try {
        inSavepoint(job.run);
      } catch (err) {
        // An error that ended the whole transaction (SQLite rolls back by itself on some I/O and
        // memory errors) fails the group: what ran before it in the group is gone too.
        if (!db.inTransaction) throw err;
        job.error = err;
      }
    }
  });
  function commitGroup(): void {
    scheduled = false;
    const jobs = queued;
    queued = [];
    if (!jobs.length) return;
    const t0 = performance.now();
    try {
      commitGroupTx.immediate(jobs);
    } catch (err) {
      for (const job of jobs) job.reject(job.error ?? err);
      return;
    } finally {
      options.onCommit?.(jobs.length, performance.now() - t0);
    }
    if (++groupCommits === CHECKPOINTER_AFTER && !inMemory && options.checkpointInWorker !== false) startCheckpointer();
    for (const job of jobs) {
      if (job.error !== undefined) job.reject(job.error);
      else job.resolve();
    }
  }
  // The checkpoint thread. Until it says it is ready, and again if it fails or exits, SQLite's own
  // automatic checkpoint (every 1,000 pages, inside a commit) stays on: nothing depends on it.
  let groupCommits = 0;
  let checkpointer: Worker | null = null;
  function startCheckpointer(): void {
    const worker = new Worker(new URL('./checkpointer.mjs', import.meta.url), { workerData: { path: resolve(path), intervalMs: CHECKPOINT_INTERVAL_MS } });
    worker.unref();
    checkpointer = worker;
    const fallBack = () => {
      if (checkpointer !== worker) return;
      checkpointer = null;
      if (!closed) db.pragma('wal_autocheckpoint = 1000');
    };
    worker.on('message', (m: { ready?: boolean }) => {
      if (m.ready && checkpointer === worker && !closed) db.pragma('wal_autocheckpoint = 0');
    });
    worker.once('error', fallBack);
    worker.once('exit', fallBack);
  }
  async function stopCheckpointer(): Promise<void> {
    const worker = checkpointer;
    if (!worker) return;
    checkpointer = null;
    const exited = new Promise<void>((done) => worker.once('exit', () => done()));
    worker.postMessage('close');
    await Promise.race([exited, new Promise<void>((done) => setTimeout(done, 5000).unref())]);
    await worker.terminate();
  }

  function grouped(run: () => void): Promise<void> {
    open();
    return new Promise<void>((resolve, reject) => {
      queued.push({ run, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        process.nextTick(commitGroup);
      }
    });
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
  const appendEventsTx = db.transaction((sessionId: string, events: readonly SessionEvent[], wallTime: number, applied?: AppliedInput) => {
    requireSession(sessionId);
    insertEvents(sessionId, events, wallTime, q.lastEventSeq.get(sessionId) as number);
    if (applied) {
      const info = q.setInputResult.run(JSON.stringify(applied.result), sessionId, applied.seq);
      if (info.changes === 0) throw new Error(`no input seq ${applied.seq} in session ${sessionId}`);
    }
  });
  const saveResultsTx = db.transaction((sessionId: string, rows: readonly ExerciseResultRecord[]) => {
    requireSession(sessionId);
    q.deleteResults.run(sessionId);
    for (const r of rows) {
      q.insertResult.run({
        sessionId,
        team: r.team,
        scenarioId: r.scenarioId,
        scenarioTitle: r.scenarioTitle,
        tags: JSON.stringify(r.tags),
        kind: r.kind,
        participants: JSON.stringify(r.participants),
        endedAt: r.endedAt,
        summary: JSON.stringify(r.summary),
      });
    }
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
      checkSeq(input.seq);
      const row = {
        sessionId: input.sessionId,
        seq: input.seq,
        key: input.key,
        input: JSON.stringify(input.input),
        wallTime: input.wallTime,
        result: input.result === null ? null : JSON.stringify(input.result),
      };
      return grouped(() => {
        try {
          q.insertInput.run(row);
        } catch (err) {
          const m = messageOf(err);
          if (m.includes('inputs.key') && input.key !== null) throw new DuplicateKeyError(input.sessionId, input.key);
          if (m.includes('inputs.seq')) throw new Error(`input seq ${input.seq} is already stored for session ${input.sessionId}`, { cause: err });
          if (m.includes('FOREIGN KEY')) throw new Error(`no session ${input.sessionId}`, { cause: err });
          throw err;
        }
      });
    },

    async getInputByKey(sessionId, key) {
      open();
      return inputOf(q.inputByKey.get(sessionId, key) as InputRow | undefined);
    },

    async setInputResult(sessionId, seq, result: ResultSummary) {
      return grouped(() => {
        const info = q.setInputResult.run(JSON.stringify(result), sessionId, seq);
        if (info.changes === 0) throw new Error(`no input seq ${seq} in session ${sessionId}`);
      });
    },

    async listInputs(sessionId) {
      open();
      return (q.listInputs.all(sessionId) as InputRow[]).map((row) => inputOf(row)!);
    },

    async appendEvents(sessionId, events, wallTime, applied) {
      return grouped(() => appendEventsTx(sessionId, events, wallTime, applied));
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

    async saveExerciseResults(sessionId, rows) {
      open();
      checkExerciseResults(sessionId, rows);
      saveResultsTx.immediate(sessionId, rows);
    },

    async listExerciseResults(query = {}) {
      open();
      const { limit, offset } = pageOf(query);
      const rows = q.listResults.all({
        team: query.team ?? null,
        kind: query.kind ?? null,
        participant: query.participant ?? null,
        from: query.from ?? null,
        to: query.to ?? null,
        limit: limit ?? -1,
        offset,
      }) as ResultRow[];
      return rows.map(resultOf);
    },

    async listSessionsMissingResults(limit) {
      open();
      checkLimit(limit);
      return q.sessionsMissingResults.all(limit ?? -1) as string[];
    },

    async addRisk(risk) {
      open();
      checkRiskFields(risk);
      try {
        q.insertRisk.run({
          id: risk.id,
          title: risk.title,
          description: risk.description,
          likelihood: risk.likelihood,
          impact: risk.impact,
          detection: risk.detection,
          scenarioIds: JSON.stringify(risk.scenarioIds),
          owner: risk.owner ?? null,
          createdAt: risk.createdAt,
          updatedAt: risk.updatedAt,
        });
      } catch (err) {
        if (messageOf(err).includes('risks.id')) throw new Error(`risk ${risk.id} already exists`, { cause: err });
        throw err;
      }
    },

    async getRisk(id) {
      open();
      const row = q.riskById.get(id) as RiskRow | undefined;
      return row && riskOf(row);
    },

    async listRisks() {
      open();
      return (q.listRisks.all() as RiskRow[]).map(riskOf);
    },

    async updateRisk(id, patch, wallTime) {
      open();
      checkRiskFields(patch);
      const info = q.updateRisk.run({
        id,
        setTitle: flag(patch.title),
        title: patch.title ?? null,
        setDescription: flag(patch.description),
        description: patch.description ?? null,
        setLikelihood: flag(patch.likelihood),
        likelihood: patch.likelihood ?? null,
        setImpact: flag(patch.impact),
        impact: patch.impact ?? null,
        setDetection: flag(patch.detection),
        detection: patch.detection ?? null,
        setScenarioIds: flag(patch.scenarioIds),
        scenarioIds: patch.scenarioIds === undefined ? null : JSON.stringify(patch.scenarioIds),
        setOwner: flag(patch.owner),
        owner: patch.owner ?? null,
        updatedAt: wallTime,
      });
      if (info.changes === 0) return undefined;
      return riskOf(q.riskById.get(id) as RiskRow);
    },

    async deleteRisk(id) {
      open();
      return q.deleteRisk.run(id).changes > 0;
    },

    async lastEndedByScenario(scenarioIds) {
      open();
      const out: Record<string, number> = {};
      for (const row of q.lastEndedByScenario.all(JSON.stringify([...scenarioIds])) as { scenario_id: string; ended_at: number }[]) out[row.scenario_id] = row.ended_at;
      return out;
    },

    ...sqliteSchedules(db, open),

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
      // Appends already queued are committed, not lost.
      commitGroup();
      closed = true;
      // The checkpoint thread's connection closes first, so that this one, the last, checkpoints
      // the whole log into the database file and removes it.
      await stopCheckpointer();
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



function eventParams(sessionId: string, e: SessionEvent, wallTime: number) {
  const { seq, t, team, type, ...body } = e as SessionEvent & Record<string, unknown>;
  return { sessionId, seq, type, team: team ?? null, t, body: JSON.stringify(body), wallTime };
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



type ScheduleMethods = Pick<
  StoreOf,
  'createSchedule' | 'getSchedule' | 'getScheduleByToken' | 'listSchedules' | 'updateSchedule' | 'putOccurrence' | 'listOccurrences' | 'getOccurrenceByJoinCode' | 'getOccurrenceBySession'
>;

/** Scheduled game days and their occurrences (migration 3). */
function sqliteSchedules(db: Database.Database, open: () => void): ScheduleMethods {
  const q = {
    insert: db.prepare(
      `INSERT INTO schedules (${SCHEDULE_COLUMNS})
       VALUES (@id, @token, @title, @scenario, @tag, @start, @timeZone, @durationMinutes, @teams, @staffing, @recurrence, @allowRepeats, @speed, @createdAt, @cancelledAt)`,
    ),
    byId: db.prepare(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE id = ?`),
    byToken: db.prepare(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE token = ?`),
    list: db.prepare(`SELECT ${SCHEDULE_COLUMNS} FROM schedules ORDER BY created_at, rowid`),
    update: db.prepare(
      `UPDATE schedules SET
         staffing     = CASE WHEN @setStaffing THEN @staffing ELSE staffing END,
         cancelled_at = CASE WHEN @setCancelledAt THEN @cancelledAt ELSE cancelled_at END
       WHERE id = @id`,
    ),
    putOccurrence: db.prepare(
      `INSERT INTO schedule_occurrences (${OCCURRENCE_COLUMNS})
       VALUES (@scheduleId, @n, @startsAt, @scenario, @joinCode, @facilitatorToken, @status, @sessionId, @note, @readiness, @updatedAt)
       ON CONFLICT (schedule_id, n) DO UPDATE SET
         starts_at = excluded.starts_at, scenario_id = excluded.scenario_id, join_code = excluded.join_code,
         facilitator_token = excluded.facilitator_token, status = excluded.status, session_id = excluded.session_id,
         note = excluded.note, readiness = excluded.readiness, updated_at = excluded.updated_at`,
    ),
    listOccurrences: db.prepare(`SELECT ${OCCURRENCE_COLUMNS} FROM schedule_occurrences WHERE schedule_id = ? ORDER BY n`),
    occurrenceByCode: db.prepare(`SELECT ${OCCURRENCE_COLUMNS} FROM schedule_occurrences WHERE join_code = ?`),
    occurrenceBySession: db.prepare(`SELECT ${OCCURRENCE_COLUMNS} FROM schedule_occurrences WHERE session_id = ? ORDER BY schedule_id, n LIMIT 1`),
  };
  // The shared converters take a row; a lookup that finds none stays undefined.
  const scheduleOrNone = (row: ScheduleRow | undefined) => row && scheduleOf(row);
  const occurrenceOrNone = (row: OccurrenceRow | undefined) => row && occurrenceOf(row);
  return {
    async createSchedule(s) {
      open();
      try {
        q.insert.run({
          id: s.id,
          token: s.token,
          title: s.title,
          scenario: s.scenario,
          tag: s.tag,
          start: s.start,
          timeZone: s.timeZone,
          durationMinutes: s.durationMinutes,
          teams: JSON.stringify(s.teams),
          staffing: JSON.stringify(s.staffing),
          recurrence: s.recurrence,
          allowRepeats: s.allowRepeats ? 1 : 0,
          speed: s.speed,
          createdAt: s.createdAt,
          cancelledAt: s.cancelledAt,
        });
      } catch (err) {
        const m = messageOf(err);
        if (m.includes('schedules.id')) throw new Error(`schedule ${s.id} already exists`, { cause: err });
        // Tokens are secrets: never echoed in errors.
        if (m.includes('schedules.token')) throw new Error('schedule token is already in use', { cause: err });
        throw err;
      }
    },
    async getSchedule(id) {
      open();
      return scheduleOrNone(q.byId.get(id) as ScheduleRow | undefined);
    },
    async getScheduleByToken(token) {
      open();
      return scheduleOrNone(q.byToken.get(token) as ScheduleRow | undefined);
    },
    async listSchedules() {
      open();
      return (q.list.all() as ScheduleRow[]).map(scheduleOf);
    },
    async updateSchedule(id, patch) {
      open();
      const info = q.update.run({
        id,
        setStaffing: flag(patch.staffing),
        staffing: patch.staffing === undefined ? null : JSON.stringify(patch.staffing),
        setCancelledAt: flag(patch.cancelledAt),
        cancelledAt: patch.cancelledAt ?? null,
      });
      if (info.changes === 0) return undefined;
      return scheduleOf(q.byId.get(id) as ScheduleRow);
    },
    async putOccurrence(o) {
      open();
      checkOccurrenceFields(o);
      try {
        q.putOccurrence.run({
          scheduleId: o.scheduleId,
          n: o.n,
          startsAt: o.startsAt,
          scenario: o.scenario,
          joinCode: o.joinCode,
          facilitatorToken: o.facilitatorToken,
          status: o.status,
          sessionId: o.sessionId,
          note: o.note,
          readiness: JSON.stringify(o.readiness),
          updatedAt: o.updatedAt,
        });
      } catch (err) {
        const m = messageOf(err);
        if (m.includes('FOREIGN KEY')) throw new Error(`no schedule ${o.scheduleId}`, { cause: err });
        if (m.includes('schedule_occurrences.join_code')) throw new Error(`join code ${o.joinCode} is already in use`, { cause: err });
        throw err;
      }
    },
    async listOccurrences(scheduleId) {
      open();
      return (q.listOccurrences.all(scheduleId) as OccurrenceRow[]).map(occurrenceOf);
    },
    async getOccurrenceByJoinCode(code) {
      open();
      return occurrenceOrNone(q.occurrenceByCode.get(code) as OccurrenceRow | undefined);
    },
    async getOccurrenceBySession(sessionId) {
      open();
      return occurrenceOrNone(q.occurrenceBySession.get(sessionId) as OccurrenceRow | undefined);
    },
  };
}
