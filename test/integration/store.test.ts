// The store contract over every adapter that needs no outside service, plus what only a file
// database can show: durability across reopen and kill -9, WAL mode, versioned migrations.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../server/store/memory.ts';
import { createSqliteStore, MIGRATIONS, SCHEMA_VERSION } from '../../server/store/sqlite.ts';
import type { StoredInput } from '../../server/store/store.ts';
import { realEvents, sessionRecord, storeContract } from './store-contract.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRITER = fileURLToPath(new URL('../fixtures/store-writer.ts', import.meta.url));

storeContract('memory', () => createMemoryStore());

{
  const dir = mkdtempSync(join(tmpdir(), 'firedrill-store-contract-'));
  let n = 0;
  storeContract(
    'sqlite',
    () => createSqliteStore({ path: join(dir, `contract-${++n}.sqlite`) }),
    async () => rmSync(dir, { recursive: true, force: true }),
  );
}

describe('SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'firedrill-store-sqlite-'));
  let n = 0;
  const freshPath = (name = 'db') => join(dir, `${name}-${++n}.sqlite`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function raw(path: string) {
    return new Database(path, { fileMustExist: true });
  }

  it('keeps sessions, inputs, events and participants across close and reopen', async () => {
    const path = freshPath();
    const record = sessionRecord(1);
    const input: StoredInput = {
      sessionId: 's-1',
      seq: 1,
      key: 'k',
      input: { kind: 'action', at: 12.5, team: 'red', action: { action: 'restart', service: 'api', rolling: true } },
      wallTime: 1_700_000_000_123,
      result: null,
    };
    const events = realEvents();
    const participant = { id: 'p-1', sessionId: 's-1', token: 'tok', name: 'Ana', team: 'red', role: 'incident-commander', joinedAt: 5 };

    const first = createSqliteStore({ path });
    await first.createSession(record);
    await first.appendInput(input);
    await first.setInputResult('s-1', 1, { ok: true, effect: 'api restarting' });
    await first.appendEvents('s-1', events, 1);
    await first.addParticipant(participant);
    await first.updateSession('s-1', { phase: 'running' }, 1_700_000_000_500);
    await first.close();

    const second = createSqliteStore({ path });
    expect(await second.getSession('s-1')).toStrictEqual({ ...record, phase: 'running', updatedAt: 1_700_000_000_500 });
    expect(await second.listUnfinishedSessions()).toStrictEqual([{ ...record, phase: 'running', updatedAt: 1_700_000_000_500 }]);
    expect(await second.listInputs('s-1')).toStrictEqual([{ ...input, result: { ok: true, effect: 'api restarting' } }]);
    expect(await second.listEvents('s-1')).toStrictEqual(events);
    expect(await second.lastEventSeq('s-1')).toBe(20);
    expect(await second.getParticipantByToken('tok')).toStrictEqual(participant);
    await second.close();
  });

  it('sees writes of another store open on the same file', async () => {
    const path = freshPath();
    const a = createSqliteStore({ path });
    const b = createSqliteStore({ path });
    await a.createSession(sessionRecord(1));
    await a.appendEvents('s-1', realEvents().slice(0, 2), 1);
    expect(await b.lastEventSeq('s-1')).toBe(2);
    await expect(b.appendEvents('s-1', realEvents().slice(0, 2), 1)).rejects.toThrow('event seq 1 does not continue the log of session s-1 (expected 3)');
    await a.close();
    await b.close();
  });

  it('commits the appends of one turn of the event loop together, each failing alone', async () => {
    const path = freshPath();
    const store = createSqliteStore({ path });
    for (const n of [1, 2, 3]) await store.createSession(sessionRecord(n));
    await store.appendInput({ sessionId: 's-1', seq: 1, key: 'taken', input: { kind: 'action', at: 1, team: 'red', action: { action: 'observe', service: 'api' } }, wallTime: 1, result: null });
    const reader = raw(path);
    const count = () => reader.prepare('SELECT (SELECT count(*) FROM inputs) + (SELECT count(*) FROM events)').pluck().get() as number;
    const input = (sessionId: string, seq: number, key: string): StoredInput => ({ sessionId, seq, key, input: { kind: 'action', at: 2, team: 'red', action: { action: 'observe', service: 'api' } }, wallTime: 2, result: null });
    // Issued in the same turn, not awaited one by one: four appends for three sessions, one of
    // them a duplicate key, one an event batch that does not continue its log.
    const outcomes = Promise.allSettled([
      store.appendInput(input('s-2', 1, 'a')),
      store.appendInput(input('s-1', 2, 'taken')),
      store.appendEvents('s-3', realEvents().slice(0, 3), 2),
      store.appendEvents('s-2', realEvents().slice(5, 6), 2),
      store.appendInput(input('s-3', 1, 'b')),
    ]);
    expect(count()).toBe(1); // nothing is written before the turn ends
    const settled = await outcomes;
    expect(settled.map((s) => s.status)).toStrictEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(((settled[1] as PromiseRejectedResult).reason as Error).name).toBe('DuplicateKeyError');
    expect(((settled[3] as PromiseRejectedResult).reason as Error).message).toContain('event seq 6 does not continue the log of session s-2 (expected 1)');
    expect(count()).toBe(1 + 1 + 3 + 1); // the three that succeeded, and nothing of the two that failed
    expect(await store.listInputs('s-1')).toHaveLength(1);
    reader.close();
    await store.close();
  });

  it('commits appends still queued when it is closed', async () => {
    const path = freshPath();
    const store = createSqliteStore({ path });
    await store.createSession(sessionRecord(1));
    const pending = store.appendEvents('s-1', realEvents().slice(0, 4), 1);
    await store.close();
    await pending;
    const again = createSqliteStore({ path });
    expect(await again.lastEventSeq('s-1')).toBe(4);
    await again.close();
  });

  it('checkpoints the write-ahead log on a thread of its own once it is busy', async () => {
    const path = freshPath();
    const store = createSqliteStore({ path });
    await store.createSession(sessionRecord(1));
    const events = realEvents();
    const inDbFile = () => {
      // The database file alone, without its -wal: what checkpoints have copied into it.
      const copy = `${path}.copy`;
      writeFileSync(copy, readFileSync(path));
      const db = new Database(copy, { readonly: true });
      const n = (db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'events'").pluck().get() as number) ? (db.prepare('SELECT count(*) FROM events').pluck().get() as number) : 0;
      db.close();
      rmSync(copy);
      return n;
    };
    // 80 group commits of one event each: far below the 1,000 pages at which SQLite would
    // checkpoint inside a commit, past the 64 after which the store starts its checkpoint thread.
    for (let i = 0; i < 80; i++) await store.appendEvents('s-1', [{ ...events[i % events.length], seq: i + 1 }], i);
    const deadline = Date.now() + 5000;
    while (inDbFile() < 80 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(inDbFile()).toBe(80);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false); // the last connection to close checkpointed and removed it
  });

  it('runs in WAL mode', async () => {
    const path = freshPath();
    const store = createSqliteStore({ path });
    const db = raw(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await store.close();
  });

  it('creates the directory of its file when missing', async () => {
    const path = join(dir, 'nested', 'deeper', 'store.sqlite');
    const store = createSqliteStore({ path });
    await store.createSession(sessionRecord(1));
    await store.close();
    expect(existsSync(path)).toBe(true);
  });

  it('works in memory', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    expect(store.kind).toBe('sqlite');
    expect(await store.ping()).toBe(true);
    await store.createSession(sessionRecord(1));
    expect((await store.getSession('s-1'))?.id).toBe('s-1');
    await store.close();
    expect(await store.ping()).toBe(false);
  });

  it('records each migration once and does not re-apply them on reopen', async () => {
    const path = freshPath();
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
    await createSqliteStore({ path, now: () => 1111 }).close();
    const db = raw(path);
    const applied = MIGRATIONS.map((_, i) => ({ version: i + 1, applied_at: 1111 }));
    expect(db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all()).toStrictEqual(applied);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    // Later migrations add their own tables; these are the first two's.
    for (const t of ['action_items', 'events', 'inputs', 'lessons', 'participants', 'schema_migrations', 'sessions']) expect(tables).toContain(t);
    db.close();

    // Had migration 1 run again, CREATE TABLE sessions would fail and applied_at would change.
    const again = createSqliteStore({ path, now: () => 2222 });
    await again.createSession(sessionRecord(1));
    await again.close();
    const after = raw(path);
    expect(after.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all()).toStrictEqual(applied);
    after.close();
  });

  it('upgrades a version-1 database to the debrief tables, keeping its sessions', async () => {
    const path = freshPath('v1');
    // A database as firedrill wrote it before migration 2 existed.
    const v1 = new Database(path);
    v1.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    v1.exec(MIGRATIONS[0]);
    v1.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (1, 1000)').run();
    const r = sessionRecord(1);
    v1.prepare(
      `INSERT INTO sessions (id, scenario_id, title, scenario, workload, runbooks, seed, teams, join_code, facilitator_token, speed, phase, outcome, scores_visible, created_at, updated_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(r.id, r.scenario.id, r.scenario.title, JSON.stringify(r.scenario), JSON.stringify(r.workload), JSON.stringify(r.runbooks), r.seed, JSON.stringify(r.teams), r.joinCode, r.facilitatorToken, r.speed, r.phase, r.outcome, 0, r.createdAt, r.updatedAt, r.endedAt);
    v1.close();

    const store = createSqliteStore({ path, now: () => 2000 });
    expect(await store.getSession('s-1')).toStrictEqual(r);
    await store.addLesson({ id: 'l-1', sessionId: 's-1', text: 'Watch the deploy markers', createdAt: 5 });
    await store.addActionItem({ id: 'a-1', sessionId: 's-1', title: 'Alert on pool saturation', owner: 'Ana', dueDate: '2026-01-31', status: 'open', createdAt: 6, updatedAt: 6 });
    await store.close();
    const db = raw(path);
    expect(db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all()).toStrictEqual(
      MIGRATIONS.map((_, i) => ({ version: i + 1, applied_at: i === 0 ? 1000 : 2000 })),
    );
    expect(db.prepare('SELECT count(*) FROM lessons').pluck().get()).toBe(1);
    // The CHECK constraints back the store's own validation.
    expect(() => db.prepare("UPDATE action_items SET status = 'maybe'").run()).toThrow(/CHECK constraint failed/);
    expect(() => db.prepare("UPDATE action_items SET due_date = 'soon'").run()).toThrow(/CHECK constraint failed/);
    db.close();
  });

  it('refuses a database written by a newer version, with a clear error, and leaves it alone', async () => {
    const path = freshPath();
    const store = createSqliteStore({ path });
    await store.createSession(sessionRecord(1));
    await store.close();
    const db = raw(path);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(SCHEMA_VERSION + 1, 3333);
    db.close();

    expect(() => createSqliteStore({ path })).toThrow(
      `SQLite database ${path} has schema version ${SCHEMA_VERSION + 1}, but this firedrill only knows versions up to ${SCHEMA_VERSION}: ` +
        'it was written by a newer firedrill. Upgrade firedrill, or point it at another database file.',
    );
    const check = raw(path);
    expect(check.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(1);
    expect(check.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(SCHEMA_VERSION + 1);
    check.close();
  });

  it('refuses a file that is not a SQLite database, naming it', () => {
    const path = freshPath('garbage');
    writeFileSync(path, 'this is not a database, just some text that is long enough to have a header '.repeat(20));
    expect(() => createSqliteStore({ path })).toThrow(`cannot open SQLite database ${path}: file is not a database`);
    expect(readFileSync(path, 'utf8').startsWith('this is not a database')).toBe(true);
  });

  it('loses no committed input or event when its process is killed with SIGKILL', async () => {
    const path = freshPath('kill');
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, path], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
    // Kill it once it has reported at least 300 commits (well into the loop).
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`writer reported too little in 20 s; stdout: ${stdout.slice(-200)} stderr: ${stderr}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if ((stdout.match(/^\d+$/gm) ?? []).length >= 300) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          done();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        fail(new Error(`writer exited early; stderr: ${stderr}`));
      });
    });
    expect(await exited).toStrictEqual({ code: null, signal: 'SIGKILL' });

    // Only complete lines count: a seq is reported once its newline is out.
    const reported = stdout
      .split('\n')
      .slice(0, -1)
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
    const lastReported = reported[reported.length - 1];
    expect(reported).toStrictEqual(Array.from({ length: lastReported }, (_, i) => i + 1));
    expect(lastReported).toBeGreaterThanOrEqual(300);

    const store = createSqliteStore({ path });
    const inputs = await store.listInputs('kill-9');
    const events = await store.listEvents('kill-9');
    // No gaps, everything reported is there, and at most the one step in flight went further.
    expect(inputs.map((i) => i.seq)).toStrictEqual(Array.from({ length: inputs.length }, (_, i) => i + 1));
    expect(events.map((e) => e.seq)).toStrictEqual(Array.from({ length: events.length }, (_, i) => i + 1));
    expect(inputs.length).toBeGreaterThanOrEqual(lastReported);
    expect(inputs.length).toBeLessThanOrEqual(lastReported + 1);
    expect(events.length).toBeGreaterThanOrEqual(lastReported);
    expect(events.length).toBeLessThanOrEqual(inputs.length);
    expect(inputs[lastReported - 1]).toStrictEqual({
      sessionId: 'kill-9',
      seq: lastReported,
      key: `key-${lastReported}`,
      input: { kind: 'action', at: lastReported / 4, team: 'red', action: { action: 'hypothesis', text: `hypothesis #${lastReported} — ✓` } },
      wallTime: 1_700_000_000_000 + lastReported,
      result: null,
    });
    expect(events[lastReported - 1]).toStrictEqual({ seq: lastReported, t: lastReported / 4, team: 'red', type: 'message', text: `event #${lastReported}`, source: 'writer' });
    // The file is healthy after recovery and takes new writes where the log stopped.
    const next = events.length + 1;
    await store.appendEvents('kill-9', [{ seq: next, t: 0, type: 'message', text: 'after', source: 'test' }], 1);
    expect(await store.lastEventSeq('kill-9')).toBe(next);
    await store.close();
    const db = raw(path);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
