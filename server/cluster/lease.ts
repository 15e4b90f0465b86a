// Session leases in PostgreSQL: which node runs each session's engine, until when.
//
// One row per session: the owner node's id, an expiry computed from PostgreSQL's own clock (so no
// node's clock matters), and an epoch that grows each time the lease changes hands. Acquiring and
// renewing are the same single conditional upsert: it succeeds when there is no row, when the row
// is ours, or when it has expired. The answer carries how long the lease is valid for, measured
// by PostgreSQL, which the owner turns into a deadline on its own monotonic clock.
//
// The same module keeps the cluster-wide operator state (the halt-all) in `cluster_state`.
import pg from 'pg';

export interface LeaseGrant {
  sessionId: string;
  owner: string;
  epoch: number;
  /** Milliseconds the lease stays valid from the moment PostgreSQL answered. */
  validMs: number;
  /** How long the lease had been expired before this grant (0 when it was live or ours, null when new). */
  expiredForMs: number | null;
  /** The lease was someone else's (or nobody's) before: the session must be rebuilt here. */
  changedHands: boolean;
}

export interface LeaseRow {
  sessionId: string;
  owner: string;
  epoch: number;
  live: boolean;
  /** Milliseconds until expiry (negative: expired that long ago). */
  remainingMs: number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** What the database says when a node without the lease tries to write a session's inputs or events. */
export const LEASE_FENCE_MESSAGE = 'this node does not hold the lease of the session';

/** True for the database's refusal of a write by a node that lost a session's lease. */
export function isLeaseFenceError(err: unknown): boolean {
  for (let e = err as { code?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 'FD001' || (typeof e.message === 'string' && e.message.includes(LEASE_FENCE_MESSAGE))) return true;
  }
  return false;
}

/** A node id as it may appear in a connection's startup options. */
export function checkNodeId(id: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(id)) throw new Error(`node id "${id}" must be 1–100 characters of A–Z a–z 0–9 _ . -`);
  return id;
}

/** The PostgreSQL URL with this node's id in every connection's settings (for the lease fence trigger). */
export function withNodeSetting(url: string, nodeId: string): string {
  const u = new URL(url);
  const own = u.searchParams.get('options');
  u.searchParams.set('options', [own, `-c firedrill.node=${checkNodeId(nodeId)}`].filter(Boolean).join(' '));
  return u.toString();
}

export class LeaseStore {
  readonly pool: pg.Pool;
  private readonly ownPool: boolean;
  private readonly table: string;
  private readonly stateTable: string;
  readonly schema: string;

  constructor(options: { pool?: pg.Pool; url?: string; schema?: string }) {
    if (!options.pool && !options.url) throw new Error('LeaseStore needs a pg Pool or a PostgreSQL URL');
    this.schema = options.schema ?? 'public';
    if (!IDENT.test(this.schema)) throw new Error(`PostgreSQL schema name "${this.schema}" must be a lower-case identifier`);
    this.ownPool = !options.pool;
    this.pool = options.pool ?? new pg.Pool({ connectionString: options.url, max: 4, connectionTimeoutMillis: 3000 });
    if (this.ownPool) this.pool.on('error', () => undefined); // an idle client dropped by the server: the next query reconnects
    this.table = `"${this.schema}".session_leases`;
    this.stateTable = `"${this.schema}".cluster_state`;
  }

  /** Creates the tables once, under an advisory lock so that nodes starting together do not race. */
  async init(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('firedrill:session_leases'))");
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        session_id TEXT PRIMARY KEY,
        owner      TEXT NOT NULL,
        epoch      BIGINT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
      )`);
      await client.query(`CREATE INDEX IF NOT EXISTS session_leases_expires_at ON ${this.table} (expires_at)`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.stateTable} (key TEXT PRIMARY KEY, value JSONB NOT NULL)`);
      // The hard fence: an input or event row for a session whose lease another node holds (or
      // that ran out) is refused by the database itself, whatever a stalled node believes. A
      // connection says which node it serves with `-c firedrill.node=<id>` (serve.ts adds it);
      // connections without it (tools, a single server) are not fenced.
      await client.query(`CREATE OR REPLACE FUNCTION "${this.schema}".firedrill_lease_fence() RETURNS trigger LANGUAGE plpgsql AS $fence$
        DECLARE
          me TEXT := current_setting('firedrill.node', true);
          l RECORD;
        BEGIN
          IF me IS NULL OR me = '' THEN RETURN NEW; END IF;
          SELECT owner, expires_at INTO l FROM ${this.table} WHERE session_id = NEW.session_id;
          IF FOUND AND (l.owner <> me OR l.expires_at <= now()) THEN
            RAISE EXCEPTION '${LEASE_FENCE_MESSAGE} (session %, node %, lease held by %)', NEW.session_id, me, l.owner USING ERRCODE = 'FD001';
          END IF;
          RETURN NEW;
        END
      $fence$`);
      for (const t of ['inputs', 'events']) {
        const { rows } = await client.query<{ r: string | null }>('SELECT to_regclass($1) AS r', [`"${this.schema}".${t}`]);
        if (rows[0].r) await client.query(`CREATE OR REPLACE TRIGGER ${t}_lease_fence BEFORE INSERT ON "${this.schema}".${t} FOR EACH ROW EXECUTE FUNCTION "${this.schema}".firedrill_lease_fence()`);
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * Takes or renews the lease of a session for `ttlMs`: one statement, which succeeds only when the
   * lease is free, ours, or expired. Null when another node holds a live lease.
   */
  async acquire(sessionId: string, node: string, ttlMs: number): Promise<LeaseGrant | null> {
    const { rows } = await this.pool.query<{ owner: string; epoch: string; valid_ms: number; expired_ms: number | null; changed: boolean }>(
      `WITH prev AS (SELECT owner, expires_at FROM ${this.table} WHERE session_id = $1)
       INSERT INTO ${this.table} AS l (session_id, owner, epoch, expires_at)
       VALUES ($1, $2, 1, now() + make_interval(secs => $3::double precision / 1000))
       ON CONFLICT (session_id) DO UPDATE
         SET owner = EXCLUDED.owner,
             expires_at = EXCLUDED.expires_at,
             epoch = CASE WHEN l.owner = EXCLUDED.owner THEN l.epoch ELSE l.epoch + 1 END
         WHERE l.owner = EXCLUDED.owner OR l.expires_at <= now()
       RETURNING l.owner, l.epoch,
         (extract(epoch FROM l.expires_at - now()) * 1000)::double precision AS valid_ms,
         (SELECT (extract(epoch FROM now() - p.expires_at) * 1000)::double precision FROM prev p) AS expired_ms,
         NOT EXISTS (SELECT 1 FROM prev p WHERE p.owner = $2) AS changed`,
      [sessionId, node, ttlMs],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      sessionId,
      owner: r.owner,
      epoch: Number(r.epoch),
      validMs: r.valid_ms,
      expiredForMs: r.expired_ms === null ? null : Math.max(0, r.expired_ms),
      changedHands: r.changed,
    };
  }

  /**
   * Renews every lease this node holds in one statement. Returns the sessions still ours with how
   * long each stays valid; a session missing from the answer was taken by another node.
   */
  async renewAll(node: string, sessionIds: readonly string[], ttlMs: number): Promise<Map<string, number>> {
    if (sessionIds.length === 0) return new Map();
    const { rows } = await this.pool.query<{ session_id: string; valid_ms: number }>(
      `UPDATE ${this.table} SET expires_at = now() + make_interval(secs => $3::double precision / 1000)
       WHERE owner = $1 AND session_id = ANY($2::text[])
       RETURNING session_id, (extract(epoch FROM expires_at - now()) * 1000)::double precision AS valid_ms`,
      [node, sessionIds, ttlMs],
    );
    return new Map(rows.map((r) => [r.session_id, r.valid_ms]));
  }

  /** The lease of a session as PostgreSQL sees it now, or undefined when it has none. */
  async get(sessionId: string): Promise<LeaseRow | undefined> {
    const { rows } = await this.pool.query<{ owner: string; epoch: string; remaining_ms: number }>(
      `SELECT owner, epoch, (extract(epoch FROM expires_at - now()) * 1000)::double precision AS remaining_ms FROM ${this.table} WHERE session_id = $1`,
      [sessionId],
    );
    const r = rows[0];
    return r && { sessionId, owner: r.owner, epoch: Number(r.epoch), live: r.remaining_ms > 0, remainingMs: r.remaining_ms };
  }

  /** Sessions whose lease expired (their owner died or let go), oldest expiry first. */
  async expired(limit = 20): Promise<string[]> {
    const { rows } = await this.pool.query<{ session_id: string }>(
      // Ids starting with `~` are node roles (the scheduler's `~scheduler`), not sessions.
      `SELECT session_id FROM ${this.table} WHERE expires_at <= now() AND session_id NOT LIKE '~%' ORDER BY expires_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.session_id);
  }

  /** Lets go of a lease now (graceful shutdown): another node may take it at once. */
  async release(sessionId: string, node: string): Promise<boolean> {
    const r = await this.pool.query(`UPDATE ${this.table} SET expires_at = now() - interval '1 millisecond' WHERE session_id = $1 AND owner = $2`, [sessionId, node]);
    return (r.rowCount ?? 0) > 0;
  }

  /** Forgets the lease of a finished session: nobody needs to run it any more. */
  async drop(sessionId: string, node: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE session_id = $1 AND owner = $2`, [sessionId, node]);
  }

  async getState<T>(key: string): Promise<T | null> {
    const { rows } = await this.pool.query<{ value: T }>(`SELECT value FROM ${this.stateTable} WHERE key = $1`, [key]);
    return rows[0]?.value ?? null;
  }

  async setState(key: string, value: unknown): Promise<void> {
    if (value === null) await this.pool.query(`DELETE FROM ${this.stateTable} WHERE key = $1`, [key]);
    else await this.pool.query(`INSERT INTO ${this.stateTable} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [key, JSON.stringify(value)]);
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.ownPool) await this.pool.end();
  }
}
