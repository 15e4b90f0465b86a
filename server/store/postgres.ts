// The PostgreSQL store, for scale-out: several firedrill nodes share one database
// (`DATABASE_URL=postgres://…`). Same interface, same contract suite and same errors as the SQLite
// store (server/store/sqlite.ts is the reference for semantics).
//
// - Every write is one statement or one transaction: a crash leaves all of it or none of it.
// - JSON is stored as TEXT, not JSONB: JSONB reorders object keys, and the engine iterates specs in
//   key order, so a session rebuilt from a JSONB copy could replay differently. TEXT keeps the
//   bytes the engine wrote (and the event log byte-identical).
// - Milliseconds are BIGINT and come back as JS numbers (this pool's int8 parser; they are far
//   below 2^53). Simulated time and speed are DOUBLE PRECISION, exact for every JS number.
// - Ties in "the order they were added" are broken by an identity column `ord` (SQLite's rowid).
// - The pool survives the database going away: idle clients that lose their connection are
//   dropped (never an uncaught 'error'), a query while the server is down rejects with
//   "the database is unreachable (PostgreSQL at host:port)", and the next query after it is back
//   opens a fresh connection by itself.
//
// `store.pool` is the store's pg.Pool, exposed for other server code that needs the same database
// (the cluster's session leases): its connections already have the store's search_path, so tables
// it creates land in the same schema. Do not call `pool.end()` on it — `store.close()` does that.
import pg from 'pg';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { ResultSummary, SessionEvent } from '../engine/session/events.ts';
import type { Input } from '../engine/session/session.ts';
import {
  checkActionItemFields,
  checkActionItemQuery,
  checkExerciseResults,
  checkOccurrenceFields,
  checkRiskFields,
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
import { LESSON_COLUMNS, ACTION_ITEM_COLUMNS, summaryOf, inputOf, eventOf, participantOf, lessonOf, actionItemOf, checkLimit, pageOf, type SummaryRow, type InputRow, type EventRow, type ParticipantRow, type LessonRow, type ActionItemRow } from './rows.ts';
import { RESULT_COLUMNS, RISK_COLUMNS, SCHEDULE_COLUMNS, OCCURRENCE_COLUMNS, resultOf, riskOf, scheduleOf, occurrenceOf, type ResultRow, type RiskRow, type ScheduleRow, type OccurrenceRow } from './rows.ts';

export interface PostgresStoreOptions {
  /** postgres://user[:password]@host[:port]/database[?…] */
  url: string;
  /** Keep every table in this schema (created when missing); default: the connection's search_path (usually public). */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** How long opening a connection may take before the call fails. Default 5000 ms. */
  connectionTimeoutMs?: number;
  /** How long the answer to one statement may take (client side: a network that drops packets
   * silently is noticed here). Default 30 000 ms; a batch of 5,000 events takes about a second. */
  queryTimeoutMs?: number;
  /** Wall clock for the store's own bookkeeping (when a migration was applied). Default Date.now. */
  now?: () => number;
  /** Told about errors of idle connections (the database restarting, a network cut); they are otherwise dropped silently. */
  onIdleError?: (err: Error) => void;
}

/** The PostgreSQL store, with the pool it runs on (see the header comment before using it). */
export interface PostgresStore extends Store {
  readonly kind: 'postgres';
  readonly pool: Pool;
  /** The schema its tables are in. */
  readonly schema: string;
  /** host:port/database, for messages and logs (no credentials). */
  readonly where: string;
}

/**
 * The schema, one migration per entry: version n is PG_MIGRATIONS[n - 1]. It mirrors sqlite.ts's
 * MIGRATIONS entry for entry (same version numbers for the same tables), in PostgreSQL dialect.
 * Append new entries; never edit or reorder one that has shipped.
 *
 * `null` is a version reserved for a feature still being written: it is skipped and NOT recorded,
 * so once its SQL is filled in, databases that skipped it apply it then. Versions are applied by
 * what is missing from schema_migrations (not just above its max), in order.
 */
export const PG_MIGRATIONS: readonly (string | null)[] = [
  `
  CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    ord               BIGINT GENERATED ALWAYS AS IDENTITY,
    scenario_id       TEXT NOT NULL,
    title             TEXT NOT NULL,
    scenario          TEXT NOT NULL,  -- JSON ScenarioSpec
    workload          TEXT NOT NULL,  -- JSON WorkloadSpec
    runbooks          TEXT NOT NULL,  -- JSON RunbookLike[]
    seed              TEXT NOT NULL,
    teams             TEXT NOT NULL,  -- JSON string[]
    join_code         TEXT NOT NULL,
    facilitator_token TEXT NOT NULL,
    speed             DOUBLE PRECISION NOT NULL,
    phase             TEXT NOT NULL,
    outcome           TEXT,
    scores_visible    BOOLEAN NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    ended_at          BIGINT
  );
  CREATE UNIQUE INDEX sessions_join_code ON sessions (join_code);
  CREATE UNIQUE INDEX sessions_facilitator_token ON sessions (facilitator_token);
  CREATE INDEX sessions_created_at ON sessions (created_at, ord);
  CREATE INDEX sessions_unfinished ON sessions (created_at, ord) WHERE ended_at IS NULL;

  CREATE TABLE inputs (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    key        TEXT,                  -- NULLs never collide in a UNIQUE constraint
    input      TEXT NOT NULL,         -- JSON Input
    wall_time  BIGINT NOT NULL,
    result     TEXT,                  -- JSON ResultSummary, NULL until applied
    CONSTRAINT inputs_pkey PRIMARY KEY (session_id, seq),
    CONSTRAINT inputs_session_key UNIQUE (session_id, key)
  );

  CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    type       TEXT NOT NULL,
    team       TEXT,
    t          DOUBLE PRECISION NOT NULL,
    body       TEXT NOT NULL,         -- JSON: the event without seq, t, team and type
    wall_time  BIGINT NOT NULL,
    CONSTRAINT events_pkey PRIMARY KEY (session_id, seq)
  );

  CREATE TABLE participants (
    id         TEXT PRIMARY KEY,
    ord        BIGINT GENERATED ALWAYS AS IDENTITY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token      TEXT NOT NULL CONSTRAINT participants_token UNIQUE,
    name       TEXT NOT NULL,
    team       TEXT NOT NULL,
    role       TEXT NOT NULL,
    joined_at  BIGINT NOT NULL
  );
  CREATE INDEX participants_session ON participants (session_id, joined_at, ord);
  `,
  // 2: the debrief's lessons learned and action items.
  `
  CREATE TABLE lessons (
    id         TEXT PRIMARY KEY,
    ord        BIGINT GENERATED ALWAYS AS IDENTITY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    author     TEXT,
    created_at BIGINT NOT NULL
  );
  CREATE INDEX lessons_session ON lessons (session_id, created_at, ord);

  CREATE TABLE action_items (
    id         TEXT PRIMARY KEY,
    ord        BIGINT GENERATED ALWAYS AS IDENTITY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    owner      TEXT NOT NULL,
    -- "C": YYYY-MM-DD compares as text in date order whatever the database's collation.
    due_date   TEXT COLLATE "C" CHECK (due_date IS NULL OR due_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    link       TEXT,
    status     TEXT NOT NULL CHECK (status IN ('open', 'in-progress', 'done', 'dropped')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE INDEX action_items_session ON action_items (session_id, created_at, ord);
  CREATE INDEX action_items_status_due ON action_items (status, due_date);
  `,
  // 3: scheduled game days: a schedule is a rule in a time zone; each of its game days is an
  // occurrence, allocated ahead and then opened as a session or recorded as missed.
  `
  CREATE TABLE schedules (
    id              TEXT PRIMARY KEY,
    ord             BIGINT GENERATED ALWAYS AS IDENTITY,
    token           TEXT NOT NULL CONSTRAINT schedules_token UNIQUE,
    title           TEXT NOT NULL,
    scenario_id     TEXT,
    tag             TEXT,
    start_local     TEXT NOT NULL,  -- YYYY-MM-DDTHH:MM in time_zone
    time_zone       TEXT NOT NULL,
    duration_min    INTEGER NOT NULL CHECK (duration_min > 0),
    teams           TEXT NOT NULL,  -- JSON string[]
    staffing        TEXT NOT NULL,  -- JSON { team: string[] }
    recurrence      TEXT,
    allow_repeats   BOOLEAN NOT NULL,
    speed           DOUBLE PRECISION NOT NULL,
    created_at      BIGINT NOT NULL,
    cancelled_at    BIGINT,
    CHECK (scenario_id IS NOT NULL OR tag IS NOT NULL)
  );
  CREATE INDEX schedules_created_at ON schedules (created_at, ord);

  CREATE TABLE schedule_occurrences (
    schedule_id       TEXT NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    n                 INTEGER NOT NULL CHECK (n >= 0),
    starts_at         BIGINT NOT NULL,
    scenario_id       TEXT NOT NULL,
    join_code         TEXT NOT NULL CONSTRAINT schedule_occurrences_join_code UNIQUE,
    facilitator_token TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('scheduled', 'opened', 'missed', 'cancelled')),
    session_id        TEXT,
    note              TEXT,
    readiness         TEXT NOT NULL,  -- JSON ReadinessItem[]
    updated_at        BIGINT NOT NULL,
    CONSTRAINT schedule_occurrences_pkey PRIMARY KEY (schedule_id, n)
  );
  CREATE INDEX schedule_occurrences_session ON schedule_occurrences (session_id);
  `,
  // 4: the pre-mortem risk register; the index answers "when was this scenario last rehearsed".
  `
  CREATE TABLE risks (
    id           TEXT PRIMARY KEY,
    ord          BIGINT GENERATED ALWAYS AS IDENTITY,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    likelihood   INTEGER NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
    impact       INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    detection    INTEGER NOT NULL CHECK (detection BETWEEN 1 AND 5),
    scenario_ids TEXT NOT NULL,  -- JSON string[]
    owner        TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
  );
  CREATE INDEX risks_created_at ON risks (created_at, ord);
  CREATE INDEX sessions_scenario_ended ON sessions (scenario_id, ended_at);
  `,
  // 5: game-day history: one result per team of every ended session.
  `
  CREATE TABLE exercise_results (
    session_id     TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    team           TEXT NOT NULL,
    scenario_id    TEXT NOT NULL,
    scenario_title TEXT NOT NULL,
    tags           TEXT NOT NULL,  -- JSON string[]
    kind           TEXT NOT NULL CHECK (kind IN ('game-day', 'practice')),
    participants   TEXT NOT NULL,  -- JSON {name, role}[]
    ended_at       BIGINT NOT NULL,
    summary        TEXT NOT NULL,  -- JSON ExerciseSummary
    CONSTRAINT exercise_results_pkey PRIMARY KEY (session_id, team)
  );
  CREATE INDEX exercise_results_team ON exercise_results (team, ended_at);
  CREATE INDEX exercise_results_ended ON exercise_results (ended_at);
  `,
];

/** The schema version this code writes. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** Error codes of PostgreSQL (SQLSTATE) the store tells apart. */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

/** `postgres://user:secret@host/db` → `postgres://user@host/db`: for logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return '(an unparsable database URL)';
  }
}

/** Whether a DATABASE_URL names PostgreSQL (postgres:// or postgresql://). */
export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url.trim());
}

/** host:port/database of a URL, for messages. */
function whereOf(url: string): { hostPort: string; database: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`DATABASE_URL is not a valid postgres:// URL: ${redactDatabaseUrl(url)}`);
  }
  if (!/^postgres(ql)?:$/i.test(u.protocol)) throw new Error(`DATABASE_URL must start with postgres:// or postgresql://, got ${u.protocol}//…`);
  const socketHost = u.searchParams.get('host');
  const host = u.hostname ? u.hostname.replace(/^\[|\]$/g, '') : (socketHost ?? 'localhost');
  const port = u.port || '5432';
  return { hostPort: `${host.includes(':') ? `[${host}]` : host}:${port}`, database: decodeURIComponent(u.pathname.replace(/^\//, '')) || '(default)' };
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The URL with `-c search_path=<schema>` added to its `options` (kept, not replaced: the URL's
 * own options win over the pool's config in pg, so the schema has to go into the URL).
 */
function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  const own = u.searchParams.get('options');
  u.searchParams.set('options', [own, `-c search_path=${schema}`].filter(Boolean).join(' '));
  return u.toString();
}

// ── rows ─────────────────────────────────────────────────────────────────────────────────────

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
  scores_visible: boolean;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}







const SESSION_COLUMNS =
  'id, scenario, workload, runbooks, seed, teams, join_code, facilitator_token, speed, phase, outcome, scores_visible, created_at, updated_at, ended_at';
const INPUT_COLUMNS = 'session_id, seq, key, input, wall_time, result';
const PARTICIPANT_COLUMNS = 'id, session_id, token, name, team, role, joined_at';

/** int8 (BIGINT, count(*)) as a JS number; refuses one that a number cannot hold exactly. */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`PostgreSQL returned the integer ${text}, beyond what a JS number holds exactly`);
  return n;
}

const INT8_OID = 20;
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

// ── the store ────────────────────────────────────────────────────────────────────────────────

export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { hostPort, database } = whereOf(options.url);
  const where = `${hostPort}/${database}`;
  const now = options.now ?? Date.now;
  const schema = options.schema;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new RangeError(`PostgreSQL schema name must be lower-case letters, digits and _ (not starting with a digit, at most 63), got ${JSON.stringify(schema)}`);
  }
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) throw new RangeError(`poolSize must be a positive integer, got ${poolSize}`);
  const connectionTimeoutMs = options.connectionTimeoutMs ?? 5000;

  const pool = new pg.Pool({
    connectionString: schema === undefined ? options.url : withSearchPath(options.url, schema),
    max: poolSize,
    connectionTimeoutMillis: connectionTimeoutMs,
    idleTimeoutMillis: 30_000,
    query_timeout: options.queryTimeoutMs ?? 30_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // Idle connections do not keep the process alive (a CLI that failed to start can exit).
    allowExitOnIdle: true,
    types: TYPES,
    application_name: 'firedrill',
  });
  // An idle client whose connection dies (the server restarting, a network cut) is removed from
  // the pool, which then emits 'error': without a listener that would crash the process.
  pool.on('error', (err) => options.onIdleError?.(err));

  /** Errors of the connection itself (not of a statement) become one clear message. */
  function translate(err: unknown): unknown {
    if (isConnectionError(err)) {
      return new Error(`the database is unreachable (PostgreSQL at ${hostPort}): ${messageOf(err)}`, { cause: err });
    }
    return err;
  }

  let closed = false;
  let ending: Promise<void> | undefined;
  function open(): void {
    if (closed) throw new Error(`PostgreSQL store ${where} is closed`);
  }

  async function query<R extends QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    open();
    try {
      return (await pool.query<R>(text, values)).rows;
    } catch (err) {
      throw translate(err);
    }
  }

  /** Runs fn in a transaction on one connection; rolls back when it throws. */
  async function transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    open();
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw translate(err);
    }
    // A checked-out client has no error listener of the pool's: a connection dying between two
    // statements must not become an uncaught 'error'. The next statement rejects anyway.
    let lost: Error | undefined;
    const onError = (err: Error) => (lost = err);
    client.on('error', onError);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr as Error;
      }
      throw translate(err);
    } finally {
      client.removeListener('error', onError);
      // A connection that failed or errored is destroyed rather than handed out again.
      client.release(lost ?? broken);
    }
  }

  try {
    await migrate(pool, { schema, where, now, translate });
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  const currentSchema = schema ?? (await pool.query<{ s: string }>('SELECT current_schema() AS s').catch(() => ({ rows: [{ s: 'public' }] }))).rows[0].s;

  /** The error for a batch that does not continue the log after `last` (or undefined when it does). */
  function continuityError(sessionId: string, events: readonly SessionEvent[], last: number): Error | undefined {
    for (let i = 0; i < events.length; i++) {
      if (events[i].seq !== last + 1 + i) {
        return new Error(`event seq ${events[i].seq} does not continue the log of session ${sessionId} (expected ${last + 1 + i})`);
      }
    }
    return undefined;
  }

  /** Inserts a batch of events in one statement (arrays unnested), whatever its size. */
  function insertEvents(client: PoolClient, sessionId: string, events: readonly SessionEvent[], wallTime: number) {
    const cols = eventColumns(events);
    return client.query(
      `INSERT INTO events (session_id, seq, type, team, t, body, wall_time)
       SELECT $1, x.seq, x.type, x.team, x.t, x.body, $7
       FROM unnest($2::int[], $3::text[], $4::text[], $5::float8[], $6::text[]) AS x(seq, type, team, t, body)`,
      [sessionId, cols.seq, cols.type, cols.team, cols.t, cols.body, wallTime],
    );
  }

  const db: Db = { query, transaction, open };

  const store: PostgresStore = {
    kind: 'postgres',
    pool,
    schema: currentSchema,
    where,

    async createSession(r) {
      try {
        await query(
          `INSERT INTO sessions (id, scenario_id, title, scenario, workload, runbooks, seed, teams, join_code, facilitator_token,
                                 speed, phase, outcome, scores_visible, created_at, updated_at, ended_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
          [
            r.id,
            r.scenario.id,
            r.scenario.title,
            JSON.stringify(r.scenario),
            JSON.stringify(r.workload),
            JSON.stringify(r.runbooks),
            r.seed,
            JSON.stringify(r.teams),
            r.joinCode,
            r.facilitatorToken,
            r.speed,
            r.phase,
            r.outcome,
            r.scoresVisible,
            r.createdAt,
            r.updatedAt,
            r.endedAt,
          ],
        );
      } catch (err) {
        const c = constraintOf(err, UNIQUE_VIOLATION);
        if (c === 'sessions_pkey') throw new Error(`session ${r.id} already exists`, { cause: err });
        if (c === 'sessions_join_code') throw new Error(`join code ${r.joinCode} is already in use`, { cause: err });
        // Tokens are secrets: never echoed in errors.
        if (c === 'sessions_facilitator_token') throw new Error('facilitator token is already in use', { cause: stripDetail(err) });
        throw err;
      }
    },

    async getSession(id) {
      return sessionOf((await query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1`, [id]))[0]);
    },

    async getSessionByJoinCode(code) {
      return sessionOf((await query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE join_code = $1`, [code]))[0]);
    },

    async getSessionByFacilitatorToken(token) {
      return sessionOf((await query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE facilitator_token = $1`, [token]))[0]);
    },

    async listSessions(opts = {}) {
      open();
      const { limit, offset } = pageOf(opts);
      // LIMIT NULL is PostgreSQL for "no limit".
      const rows = await query<SummaryRow>(
        `SELECT id, scenario_id, title, teams, phase, outcome, created_at, ended_at FROM sessions
         ORDER BY created_at DESC, ord DESC LIMIT $1 OFFSET $2`,
        [limit ?? null, offset],
      );
      return rows.map(summaryOf);
    },

    async listUnfinishedSessions() {
      const rows = await query<SessionRow>(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE ended_at IS NULL AND phase <> 'ended' ORDER BY created_at, ord`,
      );
      return rows.map((row) => sessionOf(row)!);
    },

    async updateSession(id, patch: SessionPatch, wallTime) {
      // One statement for every patch: a flag per column says whether the patch sets it, so that
      // null (outcome, endedAt) can be set explicitly while absent fields stay as they are.
      const rows = await query(
        `UPDATE sessions SET
           speed          = CASE WHEN $2::boolean THEN $3::float8 ELSE speed END,
           phase          = CASE WHEN $4::boolean THEN $5::text ELSE phase END,
           outcome        = CASE WHEN $6::boolean THEN $7::text ELSE outcome END,
           scores_visible = CASE WHEN $8::boolean THEN $9::boolean ELSE scores_visible END,
           ended_at       = CASE WHEN $10::boolean THEN $11::bigint ELSE ended_at END,
           updated_at     = $12
         WHERE id = $1 RETURNING 1`,
        [
          id,
          set(patch.speed),
          patch.speed ?? null,
          set(patch.phase),
          patch.phase ?? null,
          set(patch.outcome),
          patch.outcome ?? null,
          set(patch.scoresVisible),
          patch.scoresVisible ?? false,
          set(patch.endedAt),
          patch.endedAt ?? null,
          wallTime,
        ],
      );
      if (rows.length === 0) throw new Error(`no session ${id}`);
    },

    async appendInput(input) {
      open();
      checkSeq(input.seq);
      try {
        await query(`INSERT INTO inputs (${INPUT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`, [
          input.sessionId,
          input.seq,
          input.key,
          JSON.stringify(input.input),
          input.wallTime,
          input.result === null ? null : JSON.stringify(input.result),
        ]);
      } catch (err) {
        const c = constraintOf(err, UNIQUE_VIOLATION);
        if (c === 'inputs_session_key' && input.key !== null) throw new DuplicateKeyError(input.sessionId, input.key);
        if (c === 'inputs_pkey') throw new Error(`input seq ${input.seq} is already stored for session ${input.sessionId}`, { cause: err });
        if (codeOf(err) === FOREIGN_KEY_VIOLATION) throw new Error(`no session ${input.sessionId}`, { cause: err });
        throw err;
      }
    },

    async getInputByKey(sessionId, key) {
      return inputOf((await query<InputRow>(`SELECT ${INPUT_COLUMNS} FROM inputs WHERE session_id = $1 AND key = $2`, [sessionId, key]))[0]);
    },

    async setInputResult(sessionId, seq, result: ResultSummary) {
      open();
      if (!Number.isSafeInteger(seq) || seq < 1 || seq > INT4_MAX) throw new Error(`no input seq ${seq} in session ${sessionId}`);
      const rows = await query('UPDATE inputs SET result = $3 WHERE session_id = $1 AND seq = $2 RETURNING 1', [sessionId, seq, JSON.stringify(result)]);
      if (rows.length === 0) throw new Error(`no input seq ${seq} in session ${sessionId}`);
    },

    async listInputs(sessionId) {
      const rows = await query<InputRow>(`SELECT ${INPUT_COLUMNS} FROM inputs WHERE session_id = $1 ORDER BY seq`, [sessionId]);
      return rows.map((row) => inputOf(row)!);
    },

    async appendEvents(sessionId, events, wallTime, applied) {
      // No events: only the input's result (still one statement).
      if (events.length === 0) {
        if (applied) await store.setInputResult(sessionId, applied.seq, applied.result);
        return;
      }
      if (applied && (!Number.isSafeInteger(applied.seq) || applied.seq < 1 || applied.seq > INT4_MAX)) throw new Error(`no input seq ${applied.seq} in session ${sessionId}`);
      // One statement, so one commit: checks the session, reads the last seq and inserts the batch
      // only when it continues the log (the first seq is last + 1 and the batch has no gap of its
      // own) — and, with `applied`, records that input's result under the same condition.
      const contiguous = events.every((e, i) => e.seq === events[0].seq + i);
      const cols = eventColumns(events);
      let row: { found: boolean; there: boolean; last: number; inserted: number; updated: number };
      try {
        [row] = await query<{ found: boolean; there: boolean; last: number; inserted: number; updated: number }>(
          `WITH s AS (SELECT 1 FROM sessions WHERE id = $1),
                last AS (SELECT coalesce(max(seq), 0) AS m FROM events WHERE session_id = $1),
                inp AS (SELECT $9::int IS NULL OR EXISTS (SELECT 1 FROM inputs WHERE session_id = $1 AND seq = $9::int) AS there),
                ok AS (SELECT EXISTS (SELECT 1 FROM s) AND (SELECT there FROM inp) AND $8::int = (SELECT m FROM last) + 1 AS go),
                ins AS (
                  INSERT INTO events (session_id, seq, type, team, t, body, wall_time)
                  SELECT $1, x.seq, x.type, x.team, x.t, x.body, $7
                  FROM unnest($2::int[], $3::text[], $4::text[], $5::float8[], $6::text[]) AS x(seq, type, team, t, body)
                  WHERE (SELECT go FROM ok)
                  RETURNING 1),
                upd AS (
                  UPDATE inputs SET result = $10
                  WHERE session_id = $1 AND seq = $9::int AND $9::int IS NOT NULL AND (SELECT go FROM ok)
                  RETURNING 1)
           SELECT EXISTS (SELECT 1 FROM s) AS found, (SELECT there FROM inp) AS there, (SELECT m FROM last) AS last,
                  (SELECT count(*) FROM ins)::int AS inserted, (SELECT count(*) FROM upd)::int AS updated`,
          [sessionId, cols.seq, cols.type, cols.team, cols.t, cols.body, wallTime, contiguous ? events[0].seq : null, applied ? applied.seq : null, applied ? JSON.stringify(applied.result) : null],
        );
      } catch (err) {
        // Another writer appended between this statement's snapshot and its insert.
        if (constraintOf(err, UNIQUE_VIOLATION) === 'events_pkey') {
          const last = await store.lastEventSeq(sessionId);
          throw continuityError(sessionId, events, last) ?? new Error(`events of session ${sessionId} were appended concurrently; retry`, { cause: err });
        }
        throw err;
      }
      if (!row.found) throw new Error(`no session ${sessionId}`);
      if (!row.there) throw new Error(`no input seq ${applied!.seq} in session ${sessionId}`);
      if (row.inserted !== events.length) {
        throw continuityError(sessionId, events, row.last) ?? new Error(`events of session ${sessionId} were not stored (${row.inserted} of ${events.length})`);
      }
    },

    async replaceEvents(sessionId, events, wallTime) {
      open();
      const bad = continuityError(sessionId, events, 0);
      await transaction(async (client) => {
        // Locks the session's row against another replacement (NO KEY: inserts that reference the
        // session, which take KEY SHARE, are not held up).
        const found = (await client.query('SELECT 1 FROM sessions WHERE id = $1 FOR NO KEY UPDATE', [sessionId])).rowCount! > 0;
        if (!found) throw new Error(`no session ${sessionId}`);
        if (bad) throw bad;
        await client.query('DELETE FROM events WHERE session_id = $1', [sessionId]);
        if (events.length > 0) await insertEvents(client, sessionId, events, wallTime);
      });
    },

    async listEvents(sessionId, afterSeq = 0, limit) {
      open();
      checkLimit(limit);
      const after = seqBound(afterSeq);
      // A session's seqs are 1..n without gaps (appendEvents and replaceEvents see to it), so a page
      // is also a seq range: the upper bound keeps the scan to the page's rows whatever plan the
      // planner picks (with stale statistics it may fetch every later event and sort them).
      const rows = await query<EventRow>(
        `SELECT seq, type, team, t, body FROM events
         WHERE session_id = $1 AND seq > $2 AND ($3::int IS NULL OR seq <= $2 + $3::int)
         ORDER BY seq LIMIT $3`,
        [sessionId, after, limit === undefined ? null : Math.min(limit, INT4_MAX - after)],
      );
      return rows.map(eventOf);
    },

    async lastEventSeq(sessionId) {
      return (await query<{ m: number }>('SELECT coalesce(max(seq), 0) AS m FROM events WHERE session_id = $1', [sessionId]))[0].m;
    },

    async addParticipant(p) {
      try {
        await query(`INSERT INTO participants (${PARTICIPANT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
          p.id,
          p.sessionId,
          p.token,
          p.name,
          p.team,
          p.role,
          p.joinedAt,
        ]);
      } catch (err) {
        const c = constraintOf(err, UNIQUE_VIOLATION);
        if (c === 'participants_pkey') throw new Error(`participant ${p.id} already exists`, { cause: err });
        if (c === 'participants_token') throw new Error('participant token is already in use', { cause: stripDetail(err) });
        if (codeOf(err) === FOREIGN_KEY_VIOLATION) throw new Error(`no session ${p.sessionId}`, { cause: err });
        throw err;
      }
    },

    async getParticipantByToken(token) {
      const row = (await query<ParticipantRow>(`SELECT ${PARTICIPANT_COLUMNS} FROM participants WHERE token = $1`, [token]))[0];
      return row && participantOf(row);
    },

    async listParticipants(sessionId) {
      const rows = await query<ParticipantRow>(
        `SELECT ${PARTICIPANT_COLUMNS} FROM participants WHERE session_id = $1 ORDER BY joined_at, ord`,
        [sessionId],
      );
      return rows.map(participantOf);
    },

    async addLesson(lesson) {
      try {
        await query(`INSERT INTO lessons (${LESSON_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`, [
          lesson.id,
          lesson.sessionId,
          lesson.text,
          lesson.author ?? null,
          lesson.createdAt,
        ]);
      } catch (err) {
        if (constraintOf(err, UNIQUE_VIOLATION) === 'lessons_pkey') throw new Error(`lesson ${lesson.id} already exists`, { cause: err });
        if (codeOf(err) === FOREIGN_KEY_VIOLATION) throw new Error(`no session ${lesson.sessionId}`, { cause: err });
        throw err;
      }
    },

    async listLessons(sessionId) {
      const rows = await query<LessonRow>(`SELECT ${LESSON_COLUMNS} FROM lessons WHERE session_id = $1 ORDER BY created_at, ord`, [sessionId]);
      return rows.map(lessonOf);
    },

    async updateLesson(sessionId, id, patch) {
      const rows = await query<LessonRow>(
        `UPDATE lessons SET
           text   = CASE WHEN $3::boolean THEN $4::text ELSE text END,
           author = CASE WHEN $5::boolean THEN $6::text ELSE author END
         WHERE session_id = $1 AND id = $2 RETURNING ${LESSON_COLUMNS}`,
        [sessionId, id, set(patch.text), patch.text ?? null, set(patch.author), patch.author ?? null],
      );
      return rows.length === 0 ? undefined : lessonOf(rows[0]);
    },

    async deleteLesson(sessionId, id) {
      return (await query('DELETE FROM lessons WHERE session_id = $1 AND id = $2 RETURNING 1', [sessionId, id])).length > 0;
    },

    async addActionItem(item) {
      open();
      checkActionItemFields(item);
      try {
        await query(`INSERT INTO action_items (${ACTION_ITEM_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
          item.id,
          item.sessionId,
          item.title,
          item.owner,
          item.dueDate ?? null,
          item.link ?? null,
          item.status,
          item.createdAt,
          item.updatedAt,
        ]);
      } catch (err) {
        if (constraintOf(err, UNIQUE_VIOLATION) === 'action_items_pkey') throw new Error(`action item ${item.id} already exists`, { cause: err });
        if (codeOf(err) === FOREIGN_KEY_VIOLATION) throw new Error(`no session ${item.sessionId}`, { cause: err });
        throw err;
      }
    },

    async listActionItems(sessionId) {
      const rows = await query<ActionItemRow>(
        `SELECT ${ACTION_ITEM_COLUMNS} FROM action_items WHERE session_id = $1 ORDER BY created_at, ord`,
        [sessionId],
      );
      return rows.map(actionItemOf);
    },

    async updateActionItem(sessionId, id, patch, wallTime) {
      open();
      checkActionItemFields(patch);
      const rows = await query<ActionItemRow>(
        `UPDATE action_items SET
           title      = CASE WHEN $3::boolean THEN $4::text ELSE title END,
           owner      = CASE WHEN $5::boolean THEN $6::text ELSE owner END,
           due_date   = CASE WHEN $7::boolean THEN $8::text ELSE due_date END,
           link       = CASE WHEN $9::boolean THEN $10::text ELSE link END,
           status     = CASE WHEN $11::boolean THEN $12::text ELSE status END,
           updated_at = $13
         WHERE session_id = $1 AND id = $2 RETURNING ${ACTION_ITEM_COLUMNS}`,
        [
          sessionId,
          id,
          set(patch.title),
          patch.title ?? null,
          set(patch.owner),
          patch.owner ?? null,
          set(patch.dueDate),
          patch.dueDate ?? null,
          set(patch.link),
          patch.link ?? null,
          set(patch.status),
          patch.status ?? null,
          wallTime,
        ],
      );
      return rows.length === 0 ? undefined : actionItemOf(rows[0]);
    },

    async deleteActionItem(sessionId, id) {
      return (await query('DELETE FROM action_items WHERE session_id = $1 AND id = $2 RETURNING 1', [sessionId, id])).length > 0;
    },

    async listActionItemsAcrossSessions(opts = {}) {
      open();
      checkActionItemQuery(opts);
      const { limit, offset } = pageOf(opts);
      // Due dates are YYYY-MM-DD in a "C"-collated column, so text order is date order.
      const rows = await query<ActionItemRow>(
        `SELECT ${ACTION_ITEM_COLUMNS} FROM action_items
         WHERE ($1::text[] IS NULL OR status = ANY ($1::text[]))
           AND ($2::text IS NULL OR (due_date IS NOT NULL AND due_date < $2::text))
         ORDER BY due_date IS NULL, due_date, created_at, ord
         LIMIT $3 OFFSET $4`,
        [opts.statuses?.length ? [...opts.statuses] : null, opts.dueBefore ?? null, limit ?? null, offset],
      );
      return rows.map(actionItemOf);
    },

    ...pgHistory(db),
    ...pgRisks(db),
    ...pgSchedules(db),

    async ping() {
      if (closed) return false;
      try {
        // Bounded: connecting by connectionTimeoutMillis, the answer by query_timeout.
        const config = { text: 'SELECT 1 AS one', query_timeout: connectionTimeoutMs } as pg.QueryConfig;
        const { rows } = await pool.query<{ one: number }>(config);
        return rows[0]?.one === 1;
      } catch {
        return false;
      }
    },

    async close() {
      closed = true;
      ending ??= pool.end().catch(() => undefined);
      await ending;
    },
  };
  return store;
}

// ── the learning loop: history, risks, schedules (migrations 3–5) ──────────────────────────────
// One section per feature: the methods take the store's query/transaction helpers, so adding a
// feature is a migration above, a section here and one line in the store object.

interface Db {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T>;
  open(): void;
}

function pgHistory(db: Db): Pick<Store, 'saveExerciseResults' | 'listExerciseResults' | 'listSessionsMissingResults'> {
  return {
    async saveExerciseResults(sessionId, rows) {
      db.open();
      checkExerciseResults(sessionId, rows);
      await db.transaction(async (client) => {
        // The row lock serialises two saves of one session (the live hook and a backfill).
        const found = (await client.query('SELECT 1 FROM sessions WHERE id = $1 FOR NO KEY UPDATE', [sessionId])).rowCount! > 0;
        if (!found) throw new Error(`no session ${sessionId}`);
        await client.query('DELETE FROM exercise_results WHERE session_id = $1', [sessionId]);
        if (rows.length === 0) return;
        await client.query(
          `INSERT INTO exercise_results (${RESULT_COLUMNS})
           SELECT $1, x.team, x.scenario_id, x.scenario_title, x.tags, x.kind, x.participants, x.ended_at, x.summary
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[])
             AS x(team, scenario_id, scenario_title, tags, kind, participants, ended_at, summary)`,
          [
            sessionId,
            rows.map((r) => r.team),
            rows.map((r) => r.scenarioId),
            rows.map((r) => r.scenarioTitle),
            rows.map((r) => JSON.stringify(r.tags)),
            rows.map((r) => r.kind),
            rows.map((r) => JSON.stringify(r.participants)),
            rows.map((r) => r.endedAt),
            rows.map((r) => JSON.stringify(r.summary)),
          ],
        );
      });
    },

    async listExerciseResults(q = {}) {
      db.open();
      const { limit, offset } = pageOf(q);
      // NULL parameters mean "any"; `to` is exclusive. "C": the same order as SQLite's and the memory store's.
      const rows = await db.query<ResultRow>(
        `SELECT ${RESULT_COLUMNS} FROM exercise_results
         WHERE ($1::text IS NULL OR team = $1::text)
           AND ($2::text IS NULL OR kind = $2::text)
           AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM json_array_elements(participants::json) AS p WHERE p->>'name' = $3::text))
           AND ($4::float8 IS NULL OR ended_at >= $4::float8)
           AND ($5::float8 IS NULL OR ended_at < $5::float8)
         ORDER BY ended_at, session_id COLLATE "C", team COLLATE "C"
         LIMIT $6 OFFSET $7`,
        [q.team ?? null, q.kind ?? null, q.participant ?? null, q.from ?? null, q.to ?? null, limit ?? null, offset],
      );
      return rows.map(resultOf);
    },

    async listSessionsMissingResults(limit) {
      db.open();
      checkLimit(limit);
      const rows = await db.query<{ id: string }>(
        `SELECT id FROM sessions s
         WHERE phase = 'ended' AND NOT EXISTS (SELECT 1 FROM exercise_results r WHERE r.session_id = s.id)
         ORDER BY coalesce(ended_at, updated_at), ord LIMIT $1`,
        [limit ?? null],
      );
      return rows.map((r) => r.id);
    },
  };
}

function pgRisks(db: Db): Pick<Store, 'addRisk' | 'getRisk' | 'listRisks' | 'updateRisk' | 'deleteRisk' | 'lastEndedByScenario'> {
  return {
    async addRisk(risk) {
      db.open();
      checkRiskFields(risk);
      try {
        await db.query(`INSERT INTO risks (${RISK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
          risk.id,
          risk.title,
          risk.description,
          risk.likelihood,
          risk.impact,
          risk.detection,
          JSON.stringify(risk.scenarioIds),
          risk.owner ?? null,
          risk.createdAt,
          risk.updatedAt,
        ]);
      } catch (err) {
        if (constraintOf(err, UNIQUE_VIOLATION) === 'risks_pkey') throw new Error(`risk ${risk.id} already exists`, { cause: err });
        throw err;
      }
    },

    async getRisk(id) {
      const row = (await db.query<RiskRow>(`SELECT ${RISK_COLUMNS} FROM risks WHERE id = $1`, [id]))[0];
      return row && riskOf(row);
    },

    async listRisks() {
      return (await db.query<RiskRow>(`SELECT ${RISK_COLUMNS} FROM risks ORDER BY created_at, ord`)).map(riskOf);
    },

    async updateRisk(id, patch, wallTime) {
      db.open();
      checkRiskFields(patch);
      const rows = await db.query<RiskRow>(
        `UPDATE risks SET
           title        = CASE WHEN $2::boolean THEN $3::text ELSE title END,
           description  = CASE WHEN $4::boolean THEN $5::text ELSE description END,
           likelihood   = CASE WHEN $6::boolean THEN $7::int ELSE likelihood END,
           impact       = CASE WHEN $8::boolean THEN $9::int ELSE impact END,
           detection    = CASE WHEN $10::boolean THEN $11::int ELSE detection END,
           scenario_ids = CASE WHEN $12::boolean THEN $13::text ELSE scenario_ids END,
           owner        = CASE WHEN $14::boolean THEN $15::text ELSE owner END,
           updated_at   = $16
         WHERE id = $1 RETURNING ${RISK_COLUMNS}`,
        [
          id,
          set(patch.title),
          patch.title ?? null,
          set(patch.description),
          patch.description ?? null,
          set(patch.likelihood),
          patch.likelihood ?? null,
          set(patch.impact),
          patch.impact ?? null,
          set(patch.detection),
          patch.detection ?? null,
          set(patch.scenarioIds),
          patch.scenarioIds === undefined ? null : JSON.stringify(patch.scenarioIds),
          set(patch.owner),
          patch.owner ?? null,
          wallTime,
        ],
      );
      return rows.length === 0 ? undefined : riskOf(rows[0]);
    },

    async deleteRisk(id) {
      return (await db.query('DELETE FROM risks WHERE id = $1 RETURNING 1', [id])).length > 0;
    },

    async lastEndedByScenario(scenarioIds) {
      const rows = await db.query<{ scenario_id: string; ended_at: number }>(
        `SELECT scenario_id, max(ended_at) AS ended_at FROM sessions
         WHERE ended_at IS NOT NULL AND scenario_id = ANY ($1::text[])
         GROUP BY scenario_id`,
        [[...scenarioIds]],
      );
      const out: Record<string, number> = {};
      for (const row of rows) out[row.scenario_id] = row.ended_at;
      return out;
    },
  };
}

function pgSchedules(
  db: Db,
): Pick<
  Store,
  'createSchedule' | 'getSchedule' | 'getScheduleByToken' | 'listSchedules' | 'updateSchedule' | 'putOccurrence' | 'listOccurrences' | 'getOccurrenceByJoinCode' | 'getOccurrenceBySession'
> {
  const oneSchedule = async (where: string, value: string) => {
    const row = (await db.query<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE ${where} = $1`, [value]))[0];
    return row && scheduleOf(row);
  };
  return {
    async createSchedule(s) {
      try {
        await db.query(`INSERT INTO schedules (${SCHEDULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, [
          s.id,
          s.token,
          s.title,
          s.scenario,
          s.tag,
          s.start,
          s.timeZone,
          s.durationMinutes,
          JSON.stringify(s.teams),
          JSON.stringify(s.staffing),
          s.recurrence,
          s.allowRepeats,
          s.speed,
          s.createdAt,
          s.cancelledAt,
        ]);
      } catch (err) {
        const c = constraintOf(err, UNIQUE_VIOLATION);
        if (c === 'schedules_pkey') throw new Error(`schedule ${s.id} already exists`, { cause: err });
        // Tokens are secrets: never echoed in errors.
        if (c === 'schedules_token') throw new Error('schedule token is already in use', { cause: stripDetail(err) });
        throw err;
      }
    },

    getSchedule: (id) => oneSchedule('id', id),
    getScheduleByToken: (token) => oneSchedule('token', token),

    async listSchedules() {
      return (await db.query<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM schedules ORDER BY created_at, ord`)).map(scheduleOf);
    },

    async updateSchedule(id, patch) {
      const rows = await db.query<ScheduleRow>(
        `UPDATE schedules SET
           staffing     = CASE WHEN $2::boolean THEN $3::text ELSE staffing END,
           cancelled_at = CASE WHEN $4::boolean THEN $5::bigint ELSE cancelled_at END
         WHERE id = $1 RETURNING ${SCHEDULE_COLUMNS}`,
        [id, set(patch.staffing), patch.staffing === undefined ? null : JSON.stringify(patch.staffing), set(patch.cancelledAt), patch.cancelledAt ?? null],
      );
      return rows.length === 0 ? undefined : scheduleOf(rows[0]);
    },

    async putOccurrence(o) {
      db.open();
      checkOccurrenceFields(o);
      try {
        await db.query(
          `INSERT INTO schedule_occurrences (${OCCURRENCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (schedule_id, n) DO UPDATE SET
             starts_at = EXCLUDED.starts_at, scenario_id = EXCLUDED.scenario_id, join_code = EXCLUDED.join_code,
             facilitator_token = EXCLUDED.facilitator_token, status = EXCLUDED.status, session_id = EXCLUDED.session_id,
             note = EXCLUDED.note, readiness = EXCLUDED.readiness, updated_at = EXCLUDED.updated_at`,
          [o.scheduleId, o.n, o.startsAt, o.scenario, o.joinCode, o.facilitatorToken, o.status, o.sessionId, o.note, JSON.stringify(o.readiness), o.updatedAt],
        );
      } catch (err) {
        if (codeOf(err) === FOREIGN_KEY_VIOLATION) throw new Error(`no schedule ${o.scheduleId}`, { cause: err });
        if (constraintOf(err, UNIQUE_VIOLATION) === 'schedule_occurrences_join_code') throw new Error(`join code ${o.joinCode} is already in use`, { cause: err });
        throw err;
      }
    },

    async listOccurrences(scheduleId) {
      const rows = await db.query<OccurrenceRow>(`SELECT ${OCCURRENCE_COLUMNS} FROM schedule_occurrences WHERE schedule_id = $1 ORDER BY n`, [scheduleId]);
      return rows.map(occurrenceOf);
    },

    async getOccurrenceByJoinCode(code) {
      const row = (await db.query<OccurrenceRow>(`SELECT ${OCCURRENCE_COLUMNS} FROM schedule_occurrences WHERE join_code = $1`, [code]))[0];
      return row && occurrenceOf(row);
    },

    async getOccurrenceBySession(sessionId) {
      const row = (
        await db.query<OccurrenceRow>(
          `SELECT ${OCCURRENCE_COLUMNS} FROM schedule_occurrences WHERE session_id = $1 ORDER BY schedule_id COLLATE "C", n LIMIT 1`,
          [sessionId],
        )
      )[0];
      return row && occurrenceOf(row);
    },
  };
}

// ── migrations ───────────────────────────────────────────────────────────────────────────────

class SchemaError extends Error {
  override name = 'SchemaError';
}

/**
 * Brings the schema up to PG_SCHEMA_VERSION, one transaction per migration (a failed one leaves
 * the previous version intact). Each transaction holds an advisory lock named after the schema,
 * so nodes starting together apply every migration exactly once: the others wait, then see it
 * recorded. Refuses a database written by a newer firedrill: running old code on a newer schema
 * could silently drop what the new columns hold.
 */
async function migrate(
  pool: Pool,
  ctx: { schema: string | undefined; where: string; now: () => number; translate: (err: unknown) => unknown },
): Promise<void> {
  const label = ctx.schema === undefined ? `PostgreSQL database ${ctx.where}` : `PostgreSQL database ${ctx.where} (schema ${ctx.schema})`;
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw ctx.translate(err);
  }
  let failed: Error | undefined;
  const onError = (err: Error) => (failed = err);
  client.on('error', onError);

  /** BEGIN, take the lock, make sure the bookkeeping exists, and return the versions recorded. */
  async function begin(): Promise<Set<number>> {
    await client.query('BEGIN');
    // The lock's name: the schema (or the search_path's first), so different schemas migrate independently.
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('firedrill.migrate:' || coalesce($1::text, current_schema(), ''), 0))`, [
      ctx.schema ?? null,
    ]);
    if (ctx.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${ctx.schema}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const rows = (await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows;
    const applied = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    if (newest > PG_SCHEMA_VERSION) {
      throw new SchemaError(
        `${label} has schema version ${newest}, but this firedrill only knows versions up to ${PG_SCHEMA_VERSION}: ` +
          'it was written by a newer firedrill. Upgrade firedrill, or point it at another database.',
      );
    }
    const unknown = [...applied].find((v) => PG_MIGRATIONS[v - 1] === null);
    if (unknown !== undefined) {
      throw new SchemaError(
        `${label} has schema version ${unknown}, which this firedrill reserves but does not know yet: ` +
          'it was written by a newer firedrill. Upgrade firedrill, or point it at another database.',
      );
    }
    return applied;
  }

  let version = 0;
  try {
    // The first transaction only checks; then one transaction per missing migration, each
    // re-reading what is recorded under the lock (another node may have applied it meanwhile).
    const applied = await begin();
    await client.query('COMMIT');
    for (version = 1; version <= PG_SCHEMA_VERSION; version++) {
      const sql = PG_MIGRATIONS[version - 1];
      if (sql === null || applied.has(version)) continue;
      const now = await begin();
      if (!now.has(version)) {
        await client.query(sql);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version, ctx.now()]);
      }
      await client.query('COMMIT');
    }
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (failed ??= e));
    if (err instanceof SchemaError) throw err;
    const translated = ctx.translate(err);
    if (translated !== err) throw translated;
    throw new SchemaError(`${version ? `migration ${version}` : 'preparing the migrations'} of ${label} failed: ${messageOf(err)}`, { cause: err });
  } finally {
    client.removeListener('error', onError);
    client.release(failed);
  }
}

// ── rows ↔ records ───────────────────────────────────────────────────────────────────────────

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
    scoresVisible: row.scores_visible,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
  };
}



/** A batch as column arrays, for one INSERT … SELECT FROM unnest(…). */
function eventColumns(events: readonly SessionEvent[]) {
  const cols = { seq: [] as number[], type: [] as string[], team: [] as (string | null)[], t: [] as number[], body: [] as string[] };
  for (const e of events) {
    const { seq, t, team, type, ...body } = e as SessionEvent & Record<string, unknown>;
    cols.seq.push(seq);
    cols.type.push(type);
    cols.team.push((team as string | undefined) ?? null);
    cols.t.push(t);
    cols.body.push(JSON.stringify(body));
  }
  return cols;
}





// ── helpers ──────────────────────────────────────────────────────────────────────────────────

function set(value: unknown): boolean {
  return value !== undefined;
}

function codeOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** The constraint a statement violated, when it failed with that SQLSTATE. */
function constraintOf(err: unknown, code: string): string | undefined {
  return codeOf(err) === code ? (err as { constraint?: string }).constraint : undefined;
}

/** PostgreSQL's `detail` echoes the duplicate value: not in the cause of an error about a secret. */
function stripDetail(err: unknown): Error {
  return new Error(`${messageOf(err)} (detail withheld: it contains a secret)`);
}

/** Whether the error is about reaching the server, not about a statement. */
function isConnectionError(err: unknown): boolean {
  const code = codeOf(err);
  if (code !== undefined) {
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'].includes(code)) return true;
    // 08…: connection exceptions; 57P01–57P03: the server shutting down or starting up.
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  }
  const m = messageOf(err);
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection timeout|Query read timeout/i.test(m);
}

function messageOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return err.errors.map(messageOf).join('; ');
  if (err instanceof Error) return err.message || (err as NodeJS.ErrnoException).code || err.name;
  return String(err);
}

const INT4_MAX = 2 ** 31 - 1;

/** seq > after, for seqs 1, 2, 3…, as an INTEGER parameter: seq > 2.5 is seq > 2; below 0 and NaN are 0 (all). */
function seqBound(after: number): number {
  if (Number.isNaN(after)) return 0;
  return Math.min(INT4_MAX, Math.max(0, Math.floor(after)));
}

function checkSeq(seq: number): void {
  if (!Number.isInteger(seq) || seq < 1) throw new RangeError(`input seq must be a positive integer, got ${seq}`);
  if (seq > INT4_MAX) throw new RangeError(`input seq must be at most ${INT4_MAX} (an INTEGER column), got ${seq}`);
}


