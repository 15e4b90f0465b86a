// One contract for every Store adapter (memory, SQLite, later PostgreSQL): the same suite runs
// over each, so an adapter that passes can replace another without the callers noticing.
//
// Usage: storeContract('sqlite', () => createSqliteStore({ path }), async () => rmSync(dir)).
// `make` is called before every test and must return an empty store; the store is closed after it.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DuplicateKeyError,
  type ActionItemRecord,
  type ExerciseResultRecord,
  type LessonRecord,
  type ParticipantRecord,
  type RiskRecord,
  type SessionRecord,
  type Store,
  type StoredInput,
} from '../../server/store/store.ts';
import type { OccurrenceRecord, ScheduleRecord } from '../../server/store/store.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import type { RunbookLike } from '../../server/engine/session/team.ts';
import { act, miniWorkload, scenarioFor, startSession } from '../helpers/mini-workload.ts';

const RUNBOOKS: RunbookLike[] = [
  {
    id: 'db-latency',
    title: 'Database latency',
    services: ['db'],
    steps: [
      { n: 1, title: 'Check p99 latency', directive: { type: 'check', what: 'metric', service: 'db', metric: 'latency_p99_ms' } },
      { n: 2, title: 'Kill long queries', directive: { type: 'run', action: { action: 'kill-query', service: 'db' } } },
      { n: 3, title: 'Tell the channel' },
    ],
  },
];

/** A full session record; `n` makes its id, join code and token unique. */
export function sessionRecord(n: number, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: `s-${n}`,
    scenario: { ...scenarioFor([{ id: 'slow-db', kind: 'latency', service: 'db', ms: 400 }]), title: `Slow database #${n} — «prod»` },
    workload: miniWorkload(),
    runbooks: RUNBOOKS,
    seed: `seed-${n}`,
    teams: ['red', 'blue'],
    joinCode: `JOIN${n}`,
    facilitatorToken: `fac-token-${n}`,
    speed: 1,
    phase: 'lobby',
    outcome: null,
    scoresVisible: false,
    createdAt: 1_700_000_000_000 + n * 1000,
    updatedAt: 1_700_000_000_000 + n * 1000,
    endedAt: null,
    ...overrides,
  };
}

/**
 * A real event log from the engine: phase changes without a team, injected faults, metrics samples
 * (arrays of non-integral numbers), actions with nested payloads and results, unicode text — and
 * one last hand-made event at t = 123.456.
 */
export function realEvents(): SessionEvent[] {
  const s = startSession([{ id: 'slow-db', kind: 'latency', service: 'db', ms: 400 }], { seed: 'store-contract' });
  s.advanceTo(30);
  act(s, { action: 'declare', severity: 'SEV2', summary: 'Checkout slow — 数据库 latency 🔥', services: ['api', 'db'] });
  act(s, { action: 'status-update', audience: 'external', text: 'Wir untersuchen erhöhte Latenz. «ça va» \u2028 "quoted" \\ back' });
  act(s, { action: 'toggle-flag', service: 'api', flag: 'payments', enabled: false });
  s.advanceTo(95);
  s.apply({ kind: 'facilitator', at: s.t, command: 'message', text: 'look at db — ✓', team: 'team-1' });
  const events = [...s.events];
  events.push({ seq: events.length + 1, t: 123.456, team: 'team-1', type: 'message', text: 'Ωmega ✓ 🚒', source: 'facilitator' });
  return events;
}

function inputs(sessionId: string): StoredInput[] {
  return [
    {
      sessionId,
      seq: 1,
      key: 'k-1',
      input: { kind: 'facilitator', at: 0, command: 'start' },
      wallTime: 1_700_000_100_000,
      result: { ok: true, effect: 'started' },
    },
    {
      sessionId,
      seq: 2,
      key: 'k-2',
      input: { kind: 'action', at: 42.125, team: 'red', action: { action: 'declare', severity: 'SEV1', summary: 'Panne générale — 全部 ⚠', services: ['api', 'db'] } },
      wallTime: 1_700_000_100_250,
      result: null,
    },
    {
      sessionId,
      seq: 3,
      key: null,
      input: { kind: 'facilitator', at: 60, command: 'inject', fault: { id: 'leak', kind: 'memory-leak', service: 'api', mbPerMinute: 12.5 }, team: 'blue' },
      wallTime: 1_700_000_100_500,
      result: { ok: false, code: 'session/not-running', message: 'the session is paused; actions are not accepted' },
    },
  ];
}

function participant(n: number, sessionId: string, joinedAt: number): ParticipantRecord {
  return { id: `p-${n}`, sessionId, token: `part-token-${n}`, name: `Zoë ${n}`, team: n % 2 ? 'red' : 'blue', role: 'responder', joinedAt };
}

function lesson(n: number, sessionId: string, createdAt: number, overrides: Partial<LessonRecord> = {}): LessonRecord {
  return { id: `l-${n}`, sessionId, text: `Lesson ${n}: the deploy marker was on the chart — «look left» ✓`, createdAt, ...overrides };
}

function actionItem(n: number, sessionId: string, createdAt: number, overrides: Partial<ActionItemRecord> = {}): ActionItemRecord {
  return { id: `a-${n}`, sessionId, title: `Action ${n}: alert on pool saturation`, owner: `Zoë ${n}`, status: 'open', createdAt, updatedAt: createdAt, ...overrides };
}

export function storeContract(name: string, make: () => Promise<Store> | Store, cleanup?: () => Promise<void>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });
    if (cleanup) afterAll(cleanup);

    describe('sessions', () => {
      it('gets a created session back by id, join code and facilitator token', async () => {
        const record = sessionRecord(1);
        await store.createSession(record);
        await store.createSession(sessionRecord(2));
        expect(await store.getSession('s-1')).toStrictEqual(record);
        expect(await store.getSessionByJoinCode('JOIN1')).toStrictEqual(record);
        expect(await store.getSessionByFacilitatorToken('fac-token-1')).toStrictEqual(record);
        expect((await store.getSession('s-2'))?.joinCode).toBe('JOIN2');
      });

      it('returns undefined for unknown ids, codes and tokens', async () => {
        await store.createSession(sessionRecord(1));
        expect(await store.getSession('s-9')).toBeUndefined();
        expect(await store.getSessionByJoinCode('JOIN9')).toBeUndefined();
        expect(await store.getSessionByJoinCode('join1')).toBeUndefined();
        expect(await store.getSessionByFacilitatorToken('fac-token-9')).toBeUndefined();
      });

      it('rejects a duplicate id, join code or facilitator token and keeps the first session', async () => {
        const first = sessionRecord(1);
        await store.createSession(first);
        await expect(store.createSession(sessionRecord(1, { joinCode: 'OTHER', facilitatorToken: 'other' }))).rejects.toThrow('session s-1 already exists');
        await expect(store.createSession(sessionRecord(2, { joinCode: 'JOIN1' }))).rejects.toThrow('join code JOIN1 is already in use');
        const dupToken = store.createSession(sessionRecord(3, { facilitatorToken: 'fac-token-1' }));
        await expect(dupToken).rejects.toThrow('facilitator token is already in use');
        // The token is a secret: the error must not echo it.
        await expect(dupToken).rejects.not.toThrow('fac-token-1');
        expect(await store.getSession('s-1')).toStrictEqual(first);
        expect(await store.getSession('s-2')).toBeUndefined();
        expect(await store.getSession('s-3')).toBeUndefined();
        expect((await store.listSessions()).map((s) => s.id)).toStrictEqual(['s-1']);
      });

      it('lists summaries newest first, later-created first on equal times, with limit and offset', async () => {
        await store.createSession(sessionRecord(1, { createdAt: 1000 }));
        await store.createSession(sessionRecord(2, { createdAt: 3000 }));
        await store.createSession(sessionRecord(3, { createdAt: 2000 }));
        await store.createSession(sessionRecord(4, { createdAt: 4000 }));
        await store.createSession(sessionRecord(5, { createdAt: 4000, phase: 'ended', outcome: 'resolved', endedAt: 9000 }));
        const ids = async (o?: { limit?: number; offset?: number }) => (await store.listSessions(o)).map((s) => s.id);
        expect(await ids()).toStrictEqual(['s-5', 's-4', 's-2', 's-3', 's-1']);
        expect(await ids({ limit: 2 })).toStrictEqual(['s-5', 's-4']);
        expect(await ids({ limit: 2, offset: 2 })).toStrictEqual(['s-2', 's-3']);
        expect(await ids({ offset: 3 })).toStrictEqual(['s-3', 's-1']);
        expect(await ids({ offset: 5 })).toStrictEqual([]);
        expect(await ids({ limit: 0 })).toStrictEqual([]);
        expect((await store.listSessions({ limit: 1 }))[0]).toStrictEqual({
          id: 's-5',
          scenarioId: 'test-scenario',
          title: 'Slow database #5 — «prod»',
          teams: ['red', 'blue'],
          phase: 'ended',
          outcome: 'resolved',
          createdAt: 4000,
          endedAt: 9000,
        });
      });

      it('lists nothing when empty and rejects a malformed page', async () => {
        expect(await store.listSessions()).toStrictEqual([]);
        await expect(store.listSessions({ limit: -1 })).rejects.toThrow('limit must be a non-negative integer, got -1');
        await expect(store.listSessions({ offset: 1.5 })).rejects.toThrow('offset must be a non-negative integer, got 1.5');
      });

      it('lists unfinished sessions oldest first, without ended ones', async () => {
        const lobby = sessionRecord(1, { createdAt: 3000 });
        const running = sessionRecord(2, { createdAt: 1000, phase: 'running', speed: 4 });
        const paused = sessionRecord(3, { createdAt: 2000, phase: 'paused' });
        await store.createSession(lobby);
        await store.createSession(running);
        await store.createSession(sessionRecord(4, { createdAt: 500, phase: 'ended', outcome: 'resolved', endedAt: 5000 }));
        await store.createSession(paused);
        expect(await store.listUnfinishedSessions()).toStrictEqual([running, paused, lobby]);
        await store.updateSession('s-3', { phase: 'ended', outcome: 'halted', endedAt: 6000 }, 6000);
        expect((await store.listUnfinishedSessions()).map((s) => s.id)).toStrictEqual(['s-2', 's-1']);
      });

      it('updates only the fields a patch names, and always updatedAt', async () => {
        const record = sessionRecord(1);
        await store.createSession(record);
        await store.updateSession('s-1', { phase: 'running' }, 1_800_000_000_001);
        expect(await store.getSession('s-1')).toStrictEqual({ ...record, phase: 'running', updatedAt: 1_800_000_000_001 });

        await store.updateSession('s-1', { speed: 2.5, scoresVisible: true, outcome: 'resolved', endedAt: 1_800_000_000_900, phase: 'ended' }, 1_800_000_000_900);
        const ended = { ...record, phase: 'ended', speed: 2.5, scoresVisible: true, outcome: 'resolved', endedAt: 1_800_000_000_900, updatedAt: 1_800_000_000_900 };
        expect(await store.getSession('s-1')).toStrictEqual(ended);

        // null is a value (set it); undefined and absent fields are left alone.
        await store.updateSession('s-1', { outcome: null, endedAt: undefined, scoresVisible: false }, 1_800_000_001_000);
        expect(await store.getSession('s-1')).toStrictEqual({ ...ended, outcome: null, scoresVisible: false, updatedAt: 1_800_000_001_000 });

        await store.updateSession('s-1', {}, 1_800_000_002_000);
        expect(await store.getSession('s-1')).toStrictEqual({ ...ended, outcome: null, scoresVisible: false, updatedAt: 1_800_000_002_000 });
      });

      it('rejects an update of an unknown session', async () => {
        await expect(store.updateSession('nope', { phase: 'running' }, 1)).rejects.toThrow('no session nope');
      });
    });

    describe('inputs', () => {
      beforeEach(async () => {
        await store.createSession(sessionRecord(1));
        await store.createSession(sessionRecord(2));
      });

      it('appends inputs and lists them exactly, in seq order', async () => {
        const [a, b, c] = inputs('s-1');
        await store.appendInput(a);
        await store.appendInput(c);
        await store.appendInput(b);
        expect(await store.listInputs('s-1')).toStrictEqual([a, b, c]);
        expect((await store.listInputs('s-1')).map((i) => i.seq)).toStrictEqual([1, 2, 3]);
      });

      it('lists no inputs for a session without any, or an unknown session', async () => {
        expect(await store.listInputs('s-1')).toStrictEqual([]);
        expect(await store.listInputs('nope')).toStrictEqual([]);
      });

      it('rejects a duplicate key with DuplicateKeyError and stores nothing', async () => {
        const [a, b] = inputs('s-1');
        await store.appendInput(a);
        const dup: StoredInput = { ...b, key: 'k-1' };
        const err = await store.appendInput(dup).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(DuplicateKeyError);
        expect(err).toMatchObject({ name: 'DuplicateKeyError', sessionId: 's-1', key: 'k-1', message: 'input key k-1 already used in session s-1' });
        expect(await store.listInputs('s-1')).toStrictEqual([a]);
        expect(await store.getInputByKey('s-1', 'k-1')).toStrictEqual(a);
        // The seq it would have taken is still free.
        await store.appendInput(b);
        expect(await store.listInputs('s-1')).toStrictEqual([a, b]);
      });

      it('allows the same key in another session', async () => {
        const [a] = inputs('s-1');
        const [a2] = inputs('s-2');
        await store.appendInput(a);
        await store.appendInput(a2);
        expect(await store.getInputByKey('s-1', 'k-1')).toStrictEqual(a);
        expect(await store.getInputByKey('s-2', 'k-1')).toStrictEqual(a2);
      });

      it('never treats null keys as colliding', async () => {
        const base = inputs('s-1')[2];
        const nulls = [1, 2, 3].map((seq) => ({ ...base, seq, key: null }));
        for (const i of nulls) await store.appendInput(i);
        expect(await store.listInputs('s-1')).toStrictEqual(nulls);
      });

      it('rejects a seq already taken, a malformed seq and an unknown session', async () => {
        const [a, b] = inputs('s-1');
        await store.appendInput(a);
        await expect(store.appendInput({ ...b, seq: 1 })).rejects.toThrow('input seq 1 is already stored for session s-1');
        await expect(store.appendInput({ ...b, seq: 0 })).rejects.toThrow('input seq must be a positive integer, got 0');
        await expect(store.appendInput({ ...b, seq: 2.5 })).rejects.toThrow('input seq must be a positive integer, got 2.5');
        await expect(store.appendInput({ ...b, sessionId: 'nope' })).rejects.toThrow('no session nope');
        expect(await store.listInputs('s-1')).toStrictEqual([a]);
        expect(await store.listInputs('nope')).toStrictEqual([]);
      });

      it('finds an input by its key within its session only', async () => {
        const [a, b, c] = inputs('s-1');
        for (const i of [a, b, c]) await store.appendInput(i);
        expect(await store.getInputByKey('s-1', 'k-2')).toStrictEqual(b);
        expect(await store.getInputByKey('s-1', 'k-9')).toBeUndefined();
        expect(await store.getInputByKey('s-2', 'k-2')).toBeUndefined();
      });

      it('sets an input\u2019s result after it is applied', async () => {
        const [a, b] = inputs('s-1');
        await store.appendInput(a);
        await store.appendInput(b);
        const result = { ok: true as const, effect: 'incident declared: SEV1', completesAt: 102.5, data: { nested: { list: [1, 2.75, 'x'], flag: false } } };
        await store.setInputResult('s-1', 2, result);
        expect(await store.listInputs('s-1')).toStrictEqual([a, { ...b, result }]);
        expect(await store.getInputByKey('s-1', 'k-2')).toStrictEqual({ ...b, result });
        // Overwriting is allowed: replay recomputes results.
        await store.setInputResult('s-1', 1, { ok: false, code: 'x/y', message: 'nope' });
        expect((await store.listInputs('s-1'))[0].result).toStrictEqual({ ok: false, code: 'x/y', message: 'nope' });
      });

      it('rejects a result for an input that does not exist', async () => {
        await store.appendInput(inputs('s-1')[0]);
        await expect(store.setInputResult('s-1', 7, { ok: true, effect: 'x' })).rejects.toThrow('no input seq 7 in session s-1');
        await expect(store.setInputResult('s-2', 1, { ok: true, effect: 'x' })).rejects.toThrow('no input seq 1 in session s-2');
      });
    });

    describe('events', () => {
      beforeEach(async () => {
        await store.createSession(sessionRecord(1));
        await store.createSession(sessionRecord(2));
      });

      it('appends batches and lists exactly the same events, byte for byte', async () => {
        const events = realEvents();
        expect(events.length).toBe(20);
        await store.appendEvents('s-1', events.slice(0, 7), 1_700_000_000_001);
        await store.appendEvents('s-1', events.slice(7, 8), 1_700_000_000_002);
        await store.appendEvents('s-1', events.slice(8), 1_700_000_000_003);
        const listed = await store.listEvents('s-1');
        expect(listed).toStrictEqual(events);
        expect(JSON.stringify(listed)).toBe(JSON.stringify(events));
        expect(listed.map((e) => e.seq)).toStrictEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      });

      it('keeps nested action payloads, unicode text and numbers exact', async () => {
        const events = realEvents();
        await store.appendEvents('s-1', events, 1);
        const listed = await store.listEvents('s-1');
        const declare = listed.find((e) => e.type === 'action' && e.action.action === 'declare');
        expect(declare).toStrictEqual({
          seq: 9,
          t: 30,
          team: 'team-1',
          type: 'action',
          action: { action: 'declare', severity: 'SEV2', summary: 'Checkout slow — 数据库 latency 🔥', services: ['api', 'db'] },
          result: { ok: true, effect: 'incident declared: SEV2 — Checkout slow — 数据库 latency 🔥' },
        });
        const update = listed.find((e) => e.type === 'action' && e.action.action === 'status-update');
        expect(update?.type === 'action' && update.action.action === 'status-update' && update.action.text).toBe(
          'Wir untersuchen erhöhte Latenz. «ça va» \u2028 "quoted" \\ back',
        );
        expect(listed[19]).toStrictEqual({ seq: 20, t: 123.456, team: 'team-1', type: 'message', text: 'Ωmega ✓ 🚒', source: 'facilitator' });
        expect(listed[19].t).toBe(123.456);
        // The first event is a phase change and has no team: the property stays absent.
        expect(listed[0]).toStrictEqual({ seq: 1, t: 0, type: 'session.phase', phase: 'running' });
        expect('team' in listed[0]).toBe(false);
        const metrics = listed.filter((e) => e.type === 'metrics');
        expect(metrics).toStrictEqual(events.filter((e) => e.type === 'metrics'));
        expect(metrics.length).toBe(7);
      });

      it('keeps awkward numbers exact', async () => {
        const services = { api: [0.1 + 0.2, 1e-7, 2 ** 53 - 1, -0.5, 123.456, 1 / 3] };
        await store.appendEvents('s-1', [{ seq: 1, t: 123.456, type: 'metrics', services }], 1);
        const [e] = await store.listEvents('s-1');
        expect(e).toStrictEqual({ seq: 1, t: 123.456, type: 'metrics', services });
        expect(e.type === 'metrics' && e.services.api).toStrictEqual([0.30000000000000004, 1e-7, 9007199254740991, -0.5, 123.456, 0.3333333333333333]);
      });

      it('lists events after a seq, at most limit of them', async () => {
        const events = realEvents();
        await store.appendEvents('s-1', events, 1);
        expect((await store.listEvents('s-1', 5, 3)).map((e) => e.seq)).toStrictEqual([6, 7, 8]);
        expect(await store.listEvents('s-1', 5, 3)).toStrictEqual(events.slice(5, 8));
        expect((await store.listEvents('s-1', 17)).map((e) => e.seq)).toStrictEqual([18, 19, 20]);
        expect((await store.listEvents('s-1', 0, 2)).map((e) => e.seq)).toStrictEqual([1, 2]);
        expect(await store.listEvents('s-1', 20)).toStrictEqual([]);
        expect(await store.listEvents('s-1', 99)).toStrictEqual([]);
        expect(await store.listEvents('s-1', 3, 0)).toStrictEqual([]);
        expect(await store.listEvents('s-2')).toStrictEqual([]);
        expect(await store.listEvents('nope')).toStrictEqual([]);
        await expect(store.listEvents('s-1', 0, -2)).rejects.toThrow('limit must be a non-negative integer, got -2');
      });

      it('with an applied input, records its result with the events: both or neither', async () => {
        const events = realEvents();
        const [first] = inputs('s-1');
        await store.appendInput({ ...first, result: null });
        const result = { ok: true, effect: 'started — «both» 🚒' } as const;
        await store.appendEvents('s-1', events.slice(0, 4), 1, { seq: 1, result });
        expect((await store.listInputs('s-1'))[0].result).toStrictEqual(result);
        expect(await store.lastEventSeq('s-1')).toBe(4);

        // An input that is not there: no events either.
        await expect(store.appendEvents('s-1', events.slice(4, 6), 2, { seq: 9, result })).rejects.toThrow('no input seq 9 in session s-1');
        expect(await store.lastEventSeq('s-1')).toBe(4);
        // Events that do not continue the log: the result stays unrecorded.
        await store.appendInput({ ...inputs('s-1')[1], result: null });
        await expect(store.appendEvents('s-1', events.slice(6, 8), 3, { seq: 2, result })).rejects.toThrow(/does not continue the log/);
        expect((await store.listInputs('s-1'))[1].result).toBeNull();
        // No events: only the result.
        await store.appendEvents('s-1', [], 4, { seq: 2, result: { ok: false, code: 'x/y', message: 'nope' } });
        expect((await store.listInputs('s-1'))[1].result).toStrictEqual({ ok: false, code: 'x/y', message: 'nope' });
        expect(await store.lastEventSeq('s-1')).toBe(4);
      });

      it('reports the last seq, 0 when there are no events', async () => {
        expect(await store.lastEventSeq('s-1')).toBe(0);
        expect(await store.lastEventSeq('nope')).toBe(0);
        const events = realEvents();
        await store.appendEvents('s-1', events.slice(0, 4), 1);
        expect(await store.lastEventSeq('s-1')).toBe(4);
        await store.appendEvents('s-1', events.slice(4), 2);
        expect(await store.lastEventSeq('s-1')).toBe(20);
        expect(await store.lastEventSeq('s-2')).toBe(0);
      });

      it('rejects a batch that does not continue the log and stores none of it', async () => {
        const events = realEvents();
        await store.appendEvents('s-1', events.slice(0, 3), 1);
        // seq 4 is right, seq 6 skips 5: the whole batch is refused.
        await expect(store.appendEvents('s-1', [events[3], events[5]], 2)).rejects.toThrow('event seq 6 does not continue the log of session s-1 (expected 5)');
        await expect(store.appendEvents('s-1', events.slice(2, 5), 2)).rejects.toThrow('event seq 3 does not continue the log of session s-1 (expected 4)');
        expect(await store.listEvents('s-1')).toStrictEqual(events.slice(0, 3));
        expect(await store.lastEventSeq('s-1')).toBe(3);
      });

      it('rejects events for an unknown session and accepts an empty batch', async () => {
        await expect(store.appendEvents('nope', realEvents().slice(0, 1), 1)).rejects.toThrow('no session nope');
        await store.appendEvents('s-1', [], 1);
        expect(await store.lastEventSeq('s-1')).toBe(0);
      });

      it('replaces the whole log of a session', async () => {
        const events = realEvents();
        await store.appendEvents('s-1', events, 1);
        await store.appendEvents('s-2', events.slice(0, 5), 1);
        const rebuilt = events.slice(0, 12).map((e) => (e.type === 'message' ? { ...e, text: 'rebuilt' } : e));
        rebuilt[11] = { seq: 12, t: 96.5, team: 'team-1', type: 'message', text: 'rebuilt ✓', source: 'replay' };
        await store.replaceEvents('s-1', rebuilt, 2);
        expect(await store.listEvents('s-1')).toStrictEqual(rebuilt);
        expect(await store.lastEventSeq('s-1')).toBe(12);
        // The log continues from the replaced one.
        await store.appendEvents('s-1', [{ ...events[12], seq: 13 }], 3);
        expect(await store.lastEventSeq('s-1')).toBe(13);
        expect(await store.listEvents('s-2')).toStrictEqual(events.slice(0, 5));
        await store.replaceEvents('s-2', [], 4);
        expect(await store.listEvents('s-2')).toStrictEqual([]);
        expect(await store.lastEventSeq('s-2')).toBe(0);
      });

      it('rejects a replacement that does not start at seq 1 and keeps the old log', async () => {
        const events = realEvents();
        await store.appendEvents('s-1', events, 1);
        await expect(store.replaceEvents('s-1', events.slice(1), 2)).rejects.toThrow('event seq 2 does not continue the log of session s-1 (expected 1)');
        await expect(store.replaceEvents('nope', events, 2)).rejects.toThrow('no session nope');
        expect(await store.listEvents('s-1')).toStrictEqual(events);
      });
    });

    describe('participants', () => {
      beforeEach(async () => {
        await store.createSession(sessionRecord(1));
        await store.createSession(sessionRecord(2));
      });

      it('adds participants and finds them by token and by session, in joining order', async () => {
        const p1 = participant(1, 's-1', 5000);
        const p2 = participant(2, 's-1', 4000);
        const p3 = participant(3, 's-2', 4500);
        const p4 = participant(4, 's-1', 5000);
        for (const p of [p1, p2, p3, p4]) await store.addParticipant(p);
        expect(await store.listParticipants('s-1')).toStrictEqual([p2, p1, p4]);
        expect(await store.listParticipants('s-2')).toStrictEqual([p3]);
        expect(await store.listParticipants('nope')).toStrictEqual([]);
        expect(await store.getParticipantByToken('part-token-3')).toStrictEqual(p3);
        expect(await store.getParticipantByToken('part-token-9')).toBeUndefined();
      });

      it('rejects a duplicate id or token and a participant of an unknown session', async () => {
        const p1 = participant(1, 's-1', 5000);
        await store.addParticipant(p1);
        await expect(store.addParticipant({ ...participant(2, 's-1', 1), id: 'p-1' })).rejects.toThrow('participant p-1 already exists');
        const dupToken = store.addParticipant({ ...participant(3, 's-1', 1), token: 'part-token-1' });
        await expect(dupToken).rejects.toThrow('participant token is already in use');
        await expect(dupToken).rejects.not.toThrow('part-token-1');
        await expect(store.addParticipant(participant(4, 'nope', 1))).rejects.toThrow('no session nope');
        expect(await store.listParticipants('s-1')).toStrictEqual([p1]);
        expect(await store.getParticipantByToken('part-token-1')).toStrictEqual(p1);
      });
    });

    describe('isolation between sessions', () => {
      it('never shows one session\u2019s inputs, events or participants in another', async () => {
        await store.createSession(sessionRecord(1));
        await store.createSession(sessionRecord(2));
        const events = realEvents();
        const in1 = inputs('s-1');
        const in2 = inputs('s-2').slice(0, 2).map((i) => ({ ...i, key: `other-${i.seq}`, wallTime: i.wallTime + 7 }));
        for (const i of in1) await store.appendInput(i);
        for (const i of in2) await store.appendInput(i);
        await store.appendEvents('s-1', events, 1);
        await store.appendEvents('s-2', events.slice(0, 3), 2);
        await store.addParticipant(participant(1, 's-1', 1));
        await store.addParticipant(participant(2, 's-2', 1));
        expect(await store.listInputs('s-1')).toStrictEqual(in1);
        expect(await store.listInputs('s-2')).toStrictEqual(in2);
        expect(await store.getInputByKey('s-2', 'k-1')).toBeUndefined();
        expect(await store.getInputByKey('s-1', 'other-1')).toBeUndefined();
        await store.setInputResult('s-2', 2, { ok: true, effect: 'only s-2' });
        expect((await store.listInputs('s-1'))[1].result).toBeNull();
        expect(await store.listEvents('s-1')).toStrictEqual(events);
        expect(await store.listEvents('s-2')).toStrictEqual(events.slice(0, 3));
        expect(await store.lastEventSeq('s-1')).toBe(20);
        expect(await store.lastEventSeq('s-2')).toBe(3);
        await store.replaceEvents('s-2', events.slice(0, 1), 3);
        expect(await store.listEvents('s-1')).toStrictEqual(events);
        expect((await store.listParticipants('s-1')).map((p) => p.id)).toStrictEqual(['p-1']);
        expect((await store.listParticipants('s-2')).map((p) => p.id)).toStrictEqual(['p-2']);
        await store.updateSession('s-2', { phase: 'running' }, 9);
        expect((await store.getSession('s-1'))?.phase).toBe('lobby');
      });

      it('never shows one session\u2019s lessons or action items in another, nor lets it change them', async () => {
        await store.createSession(sessionRecord(1));
        await store.createSession(sessionRecord(2));
        const l1 = lesson(1, 's-1', 1);
        const l2 = lesson(2, 's-2', 1);
        const a1 = actionItem(1, 's-1', 1);
        const a2 = actionItem(2, 's-2', 1);
        for (const l of [l1, l2]) await store.addLesson(l);
        for (const a of [a1, a2]) await store.addActionItem(a);
        expect(await store.listLessons('s-1')).toStrictEqual([l1]);
        expect(await store.listLessons('s-2')).toStrictEqual([l2]);
        expect(await store.listActionItems('s-1')).toStrictEqual([a1]);
        expect(await store.listActionItems('s-2')).toStrictEqual([a2]);
        expect(await store.updateLesson('s-2', 'l-1', { text: 'x' })).toBeUndefined();
        expect(await store.deleteLesson('s-2', 'l-1')).toBe(false);
        expect(await store.updateActionItem('s-2', 'a-1', { status: 'done' }, 2)).toBeUndefined();
        expect(await store.deleteActionItem('s-2', 'a-1')).toBe(false);
        await store.updateActionItem('s-2', 'a-2', { status: 'done' }, 2);
        await store.deleteLesson('s-2', 'l-2');
        expect(await store.listLessons('s-1')).toStrictEqual([l1]);
        expect(await store.listActionItems('s-1')).toStrictEqual([a1]);
        expect((await store.listActionItemsAcrossSessions()).map((a) => [a.id, a.status])).toStrictEqual([['a-1', 'open'], ['a-2', 'done']]);
      });
    });

    describe('lessons', () => {
      beforeEach(async () => {
        await store.createSession(sessionRecord(1));
        await store.createSession(sessionRecord(2));
      });

      it('adds lessons and lists a session\u2019s oldest first, in adding order on equal times', async () => {
        const l1 = lesson(1, 's-1', 3000, { author: 'Ana' });
        const l2 = lesson(2, 's-1', 1000);
        const l3 = lesson(3, 's-1', 3000);
        const other = lesson(4, 's-2', 500);
        for (const l of [l1, l2, other, l3]) await store.addLesson(l);
        const listed = await store.listLessons('s-1');
        expect(listed).toStrictEqual([l2, l1, l3]);
        // No author: the property is absent, not null or undefined.
        expect('author' in listed[0]).toBe(false);
        expect(await store.listLessons('s-2')).toStrictEqual([other]);
      });

      it('lists no lessons for a session without any, or an unknown session', async () => {
        expect(await store.listLessons('s-1')).toStrictEqual([]);
        expect(await store.listLessons('nope')).toStrictEqual([]);
      });

      it('rejects a duplicate id and a lesson of an unknown session, keeping the first', async () => {
        const l1 = lesson(1, 's-1', 1000);
        await store.addLesson(l1);
        await expect(store.addLesson(lesson(1, 's-2', 2000, { text: 'other' }))).rejects.toThrow('lesson l-1 already exists');
        await expect(store.addLesson(lesson(2, 'nope', 2000))).rejects.toThrow('no session nope');
        expect(await store.listLessons('s-1')).toStrictEqual([l1]);
        expect(await store.listLessons('s-2')).toStrictEqual([]);
      });

      it('updates the text and sets or clears the author, within its session only', async () => {
        const l1 = lesson(1, 's-1', 1000);
        await store.addLesson(l1);
        const edited = { ...l1, text: 'Page the database team earlier', author: 'Bo' };
        expect(await store.updateLesson('s-1', 'l-1', { text: 'Page the database team earlier', author: 'Bo' })).toStrictEqual(edited);
        expect(await store.listLessons('s-1')).toStrictEqual([edited]);
        // Absent fields stay; null clears the author.
        expect(await store.updateLesson('s-1', 'l-1', {})).toStrictEqual(edited);
        const cleared = await store.updateLesson('s-1', 'l-1', { author: null });
        expect(cleared).toStrictEqual({ ...l1, text: 'Page the database team earlier' });
        expect('author' in cleared!).toBe(false);
        // Another session cannot reach it; an unknown id is undefined.
        expect(await store.updateLesson('s-2', 'l-1', { text: 'hijacked' })).toBeUndefined();
        expect(await store.updateLesson('s-1', 'l-9', { text: 'x' })).toBeUndefined();
        expect((await store.listLessons('s-1'))[0].text).toBe('Page the database team earlier');
      });

      it('deletes a lesson of its own session once', async () => {
        await store.addLesson(lesson(1, 's-1', 1000));
        await store.addLesson(lesson(2, 's-1', 2000));
        expect(await store.deleteLesson('s-2', 'l-1')).toBe(false);
        expect(await store.deleteLesson('s-1', 'l-1')).toBe(true);
        expect(await store.deleteLesson('s-1', 'l-1')).toBe(false);
        expect(await store.deleteLesson('s-1', 'nope')).toBe(false);
        expect((await store.listLessons('s-1')).map((l) => l.id)).toStrictEqual(['l-2']);
        // The id is free again.
        await store.addLesson(lesson(1, 's-2', 3000));
        expect((await store.listLessons('s-2')).map((l) => l.id)).toStrictEqual(['l-1']);
      });
    });

    describe('action items', () => {
      beforeEach(async () => {
        await store.createSession(sessionRecord(1));
        await store.createSession(sessionRecord(2));
        await store.createSession(sessionRecord(3));
      });

      it('adds action items and lists a session\u2019s oldest first, in adding order on equal times', async () => {
        const a1 = actionItem(1, 's-1', 3000, { dueDate: '2026-03-01', link: 'https://tickets.example/OPS-12?x=1&y=«2»' });
        const a2 = actionItem(2, 's-1', 1000, { status: 'in-progress' });
        const a3 = actionItem(3, 's-1', 3000, { status: 'done' });
        const other = actionItem(4, 's-2', 100, { status: 'dropped' });
        for (const a of [a1, a2, other, a3]) await store.addActionItem(a);
        const listed = await store.listActionItems('s-1');
        expect(listed).toStrictEqual([a2, a1, a3]);
        expect('dueDate' in listed[0] || 'link' in listed[0]).toBe(false);
        expect(await store.listActionItems('s-2')).toStrictEqual([other]);
        expect(await store.listActionItems('s-3')).toStrictEqual([]);
        expect(await store.listActionItems('nope')).toStrictEqual([]);
      });

      it('accepts only the four statuses and real calendar days, and stores nothing else', async () => {
        for (const status of ['maybe', 'OPEN', '', 'in_progress']) {
          await expect(store.addActionItem(actionItem(1, 's-1', 1, { status: status as never }))).rejects.toThrow(
            `action item status must be one of open, in-progress, done, dropped, got ${JSON.stringify(status)}`,
          );
        }
        for (const dueDate of ['2026-02-30', '2026-13-01', '31/01/2026', '2026-1-5', '2026-01-31T00:00:00Z']) {
          await expect(store.addActionItem(actionItem(1, 's-1', 1, { dueDate }))).rejects.toThrow(
            `action item dueDate must be a calendar day YYYY-MM-DD, got ${JSON.stringify(dueDate)}`,
          );
        }
        // 29 February exists in leap years only.
        await store.addActionItem(actionItem(1, 's-1', 1, { dueDate: '2028-02-29' }));
        await expect(store.addActionItem(actionItem(2, 's-1', 1, { dueDate: '2027-02-29' }))).rejects.toThrow('dueDate must be a calendar day');
        expect((await store.listActionItems('s-1')).map((a) => a.id)).toStrictEqual(['a-1']);
      });

      it('rejects a duplicate id and an item of an unknown session, keeping the first', async () => {
        const a1 = actionItem(1, 's-1', 1000);
        await store.addActionItem(a1);
        await expect(store.addActionItem(actionItem(1, 's-2', 2000))).rejects.toThrow('action item a-1 already exists');
        await expect(store.addActionItem(actionItem(2, 'nope', 2000))).rejects.toThrow('no session nope');
        expect(await store.listActionItems('s-1')).toStrictEqual([a1]);
        expect(await store.listActionItems('s-2')).toStrictEqual([]);
      });

      it('updates the fields a patch names and updatedAt; null clears the due date and the link', async () => {
        const a1 = actionItem(1, 's-1', 1000, { dueDate: '2026-03-01', link: 'https://tickets.example/OPS-12' });
        await store.addActionItem(a1);
        const moved = { ...a1, status: 'in-progress' as const, owner: 'Bo', updatedAt: 5000 };
        expect(await store.updateActionItem('s-1', 'a-1', { status: 'in-progress', owner: 'Bo' }, 5000)).toStrictEqual(moved);
        expect(await store.listActionItems('s-1')).toStrictEqual([moved]);

        const cleared = await store.updateActionItem('s-1', 'a-1', { dueDate: null, link: null, title: 'Alert on saturation', status: 'done' }, 6000);
        const { dueDate: _d, link: _l, ...rest } = moved;
        expect(cleared).toStrictEqual({ ...rest, title: 'Alert on saturation', status: 'done', updatedAt: 6000 });
        expect('dueDate' in cleared! || 'link' in cleared!).toBe(false);

        const again = await store.updateActionItem('s-1', 'a-1', { dueDate: '2026-04-30', link: 'http://wiki.example/x', title: undefined }, 7000);
        expect(again).toMatchObject({ title: 'Alert on saturation', dueDate: '2026-04-30', link: 'http://wiki.example/x', status: 'done', createdAt: 1000, updatedAt: 7000 });
        // An empty patch still records the time.
        expect((await store.updateActionItem('s-1', 'a-1', {}, 8000))?.updatedAt).toBe(8000);
      });

      it('refuses a patch with a bad status or due date and leaves the item as it was', async () => {
        const a1 = actionItem(1, 's-1', 1000);
        await store.addActionItem(a1);
        await expect(store.updateActionItem('s-1', 'a-1', { status: 'closed' as never }, 2)).rejects.toThrow('action item status must be one of open, in-progress, done, dropped, got "closed"');
        await expect(store.updateActionItem('s-1', 'a-1', { dueDate: 'tomorrow' }, 2)).rejects.toThrow('action item dueDate must be a calendar day YYYY-MM-DD, got "tomorrow"');
        expect(await store.listActionItems('s-1')).toStrictEqual([a1]);
      });

      it('finds an item to update or delete within its own session only', async () => {
        const a1 = actionItem(1, 's-1', 1000);
        await store.addActionItem(a1);
        expect(await store.updateActionItem('s-2', 'a-1', { status: 'dropped' }, 2)).toBeUndefined();
        expect(await store.updateActionItem('s-1', 'a-9', { status: 'dropped' }, 2)).toBeUndefined();
        expect(await store.deleteActionItem('s-2', 'a-1')).toBe(false);
        expect(await store.listActionItems('s-1')).toStrictEqual([a1]);
        expect(await store.deleteActionItem('s-1', 'a-1')).toBe(true);
        expect(await store.deleteActionItem('s-1', 'a-1')).toBe(false);
        expect(await store.listActionItems('s-1')).toStrictEqual([]);
      });

      it('lists items across sessions soonest due first, undated last, filtered by status and due day', async () => {
        const items = [
          actionItem(1, 's-1', 1000, { dueDate: '2026-03-01' }),
          actionItem(2, 's-2', 900, { dueDate: '2026-01-15', status: 'in-progress' }),
          actionItem(3, 's-1', 800),
          actionItem(4, 's-3', 700, { dueDate: '2026-03-01', status: 'done' }),
          actionItem(5, 's-2', 1000, { dueDate: '2025-12-31', status: 'dropped' }),
          actionItem(6, 's-3', 600),
          actionItem(7, 's-2', 1000, { dueDate: '2026-03-01' }),
        ];
        for (const a of items) await store.addActionItem(a);
        const ids = async (o?: Parameters<Store['listActionItemsAcrossSessions']>[0]) => (await store.listActionItemsAcrossSessions(o)).map((a) => a.id);
        // Same due day: older first, then adding order (a-1 and a-7 were both created at 1000).
        expect(await ids()).toStrictEqual(['a-5', 'a-2', 'a-4', 'a-1', 'a-7', 'a-6', 'a-3']);
        expect(await ids({ statuses: [] })).toStrictEqual(await ids());
        expect(await ids({ statuses: ['open'] })).toStrictEqual(['a-1', 'a-7', 'a-6', 'a-3']);
        expect(await ids({ statuses: ['open', 'in-progress'] })).toStrictEqual(['a-2', 'a-1', 'a-7', 'a-6', 'a-3']);
        expect(await ids({ statuses: ['done', 'dropped'] })).toStrictEqual(['a-5', 'a-4']);
        // Overdue on 2026-03-01: due before that day and still open or in progress.
        expect(await ids({ statuses: ['open', 'in-progress'], dueBefore: '2026-03-01' })).toStrictEqual(['a-2']);
        expect(await ids({ statuses: ['open', 'in-progress'], dueBefore: '2026-03-02' })).toStrictEqual(['a-2', 'a-1', 'a-7']);
        expect(await ids({ dueBefore: '2026-01-01' })).toStrictEqual(['a-5']);
        expect(await ids({ limit: 2, offset: 1 })).toStrictEqual(['a-2', 'a-4']);
        expect(await ids({ statuses: ['open'], offset: 3 })).toStrictEqual(['a-3']);
        expect(await ids({ limit: 0 })).toStrictEqual([]);
        expect((await store.listActionItemsAcrossSessions({ statuses: ['in-progress'] }))[0]).toStrictEqual(items[1]);
      });

      it('rejects a malformed query across sessions', async () => {
        await expect(store.listActionItemsAcrossSessions({ statuses: ['open', 'late' as never] })).rejects.toThrow('action item status must be one of open, in-progress, done, dropped, got "late"');
        await expect(store.listActionItemsAcrossSessions({ dueBefore: '2026-02-30' })).rejects.toThrow('dueBefore must be a calendar day YYYY-MM-DD, got "2026-02-30"');
        await expect(store.listActionItemsAcrossSessions({ limit: -1 })).rejects.toThrow('limit must be a non-negative integer, got -1');
        await expect(store.listActionItemsAcrossSessions({ offset: 0.5 })).rejects.toThrow('offset must be a non-negative integer, got 0.5');
      });
    });

    describe('stored objects are copies', () => {
      it('ignores changes to objects passed in after the call', async () => {
        const record = sessionRecord(1);
        await store.createSession(record);
        const expected = sessionRecord(1);
        record.teams.push('green');
        record.scenario.title = 'mutated';
        record.phase = 'ended';
        expect(await store.getSession('s-1')).toStrictEqual(expected);

        const input = inputs('s-1')[1];
        await store.appendInput(input);
        (input.input as { at: number }).at = 999;
        input.key = 'mutated';
        expect(await store.listInputs('s-1')).toStrictEqual([inputs('s-1')[1]]);

        const events = realEvents();
        await store.appendEvents('s-1', events, 1);
        const declare = events.find((e) => e.type === 'action')!;
        if (declare.type === 'action' && declare.action.action === 'declare') declare.action.summary = 'mutated';
        events.length = 0;
        expect(await store.listEvents('s-1')).toStrictEqual(realEvents());

        const p = participant(1, 's-1', 1);
        await store.addParticipant(p);
        p.name = 'mutated';
        expect(await store.getParticipantByToken('part-token-1')).toStrictEqual(participant(1, 's-1', 1));

        const l = lesson(1, 's-1', 1);
        await store.addLesson(l);
        l.text = 'mutated';
        expect(await store.listLessons('s-1')).toStrictEqual([lesson(1, 's-1', 1)]);
        const a = actionItem(1, 's-1', 1);
        await store.addActionItem(a);
        a.status = 'done';
        expect(await store.listActionItems('s-1')).toStrictEqual([actionItem(1, 's-1', 1)]);
      });

      it('ignores changes to returned objects', async () => {
        await store.createSession(sessionRecord(1));
        const got = (await store.getSession('s-1'))!;
        got.teams.push('green');
        got.workload.services.length = 0;
        (await store.getSessionByJoinCode('JOIN1'))!.runbooks[0].steps.length = 0;
        (await store.listSessions())[0].teams.push('green');
        (await store.listUnfinishedSessions())[0].scenario.title = 'mutated';
        expect(await store.getSession('s-1')).toStrictEqual(sessionRecord(1));

        const [a] = inputs('s-1');
        await store.appendInput(a);
        (await store.listInputs('s-1'))[0].key = 'mutated';
        (await store.getInputByKey('s-1', 'k-1'))!.input.at = 999;
        expect(await store.listInputs('s-1')).toStrictEqual([inputs('s-1')[0]]);

        await store.appendEvents('s-1', realEvents(), 1);
        const listed = await store.listEvents('s-1');
        listed[0].t = 999;
        listed.length = 0;
        expect(await store.listEvents('s-1')).toStrictEqual(realEvents());

        await store.addParticipant(participant(1, 's-1', 1));
        (await store.listParticipants('s-1'))[0].name = 'mutated';
        (await store.getParticipantByToken('part-token-1'))!.team = 'mutated';
        expect(await store.listParticipants('s-1')).toStrictEqual([participant(1, 's-1', 1)]);

        await store.addLesson(lesson(1, 's-1', 1));
        (await store.listLessons('s-1'))[0].text = 'mutated';
        (await store.updateLesson('s-1', 'l-1', {}))!.text = 'mutated';
        expect(await store.listLessons('s-1')).toStrictEqual([lesson(1, 's-1', 1)]);
        await store.addActionItem(actionItem(1, 's-1', 1));
        (await store.listActionItems('s-1'))[0].owner = 'mutated';
        (await store.listActionItemsAcrossSessions())[0].title = 'mutated';
        (await store.updateActionItem('s-1', 'a-1', {}, 1))!.status = 'done';
        expect(await store.listActionItems('s-1')).toStrictEqual([actionItem(1, 's-1', 1)]);
      });
    });

    describe('risk register', () => {
      const risk = (n: number, createdAt: number, overrides: Partial<RiskRecord> = {}): RiskRecord => ({
        id: `r-${n}`,
        title: `Risk ${n}: the primary database fills its disk — «WAL»`,
        description: 'An abandoned replication slot keeps every WAL segment.',
        likelihood: 3,
        impact: 5,
        detection: 2,
        scenarioIds: ['disk-full'],
        createdAt,
        updatedAt: createdAt,
        ...overrides,
      });

      it('adds, gets, lists oldest first, updates and deletes risks', async () => {
        await store.addRisk(risk(2, 20));
        await store.addRisk(risk(1, 10, { owner: 'Ana', scenarioIds: [] }));
        await store.addRisk(risk(3, 20, { likelihood: 1 }));
        expect((await store.listRisks()).map((r) => r.id)).toStrictEqual(['r-1', 'r-2', 'r-3']);
        expect(await store.getRisk('r-1')).toStrictEqual(risk(1, 10, { owner: 'Ana', scenarioIds: [] }));
        expect(await store.getRisk('r-9')).toBeUndefined();

        const updated = await store.updateRisk('r-2', { impact: 4, detection: 5, scenarioIds: ['disk-full', 'slow-query'], owner: 'Bo' }, 99);
        expect(updated).toStrictEqual(risk(2, 20, { impact: 4, detection: 5, scenarioIds: ['disk-full', 'slow-query'], owner: 'Bo', updatedAt: 99 }));
        expect(await store.getRisk('r-2')).toStrictEqual(updated);
        const cleared = await store.updateRisk('r-2', { owner: null, title: 'Renamed' }, 100);
        expect(cleared).toStrictEqual(risk(2, 20, { title: 'Renamed', impact: 4, detection: 5, scenarioIds: ['disk-full', 'slow-query'], updatedAt: 100 }));
        expect(await store.updateRisk('r-9', { impact: 1 }, 1)).toBeUndefined();

        expect(await store.deleteRisk('r-1')).toBe(true);
        expect(await store.deleteRisk('r-1')).toBe(false);
        expect((await store.listRisks()).map((r) => r.id)).toStrictEqual(['r-2', 'r-3']);
      });

      it('rejects duplicates and scores outside 1–5, naming the field', async () => {
        await store.addRisk(risk(1, 1));
        await expect(store.addRisk(risk(1, 2))).rejects.toThrow('risk r-1 already exists');
        await expect(store.addRisk(risk(2, 2, { likelihood: 6 }))).rejects.toThrow('risk likelihood must be a whole number from 1 to 5, got 6');
        await expect(store.addRisk(risk(2, 2, { impact: 0 }))).rejects.toThrow('risk impact must be a whole number from 1 to 5, got 0');
        await expect(store.updateRisk('r-1', { detection: 2.5 }, 3)).rejects.toThrow('risk detection must be a whole number from 1 to 5, got 2.5');
        expect(await store.getRisk('r-1')).toStrictEqual(risk(1, 1));
        expect((await store.listRisks()).length).toBe(1);
      });

      it('answers the latest end of each scenario\'s ended sessions', async () => {
        const scenarioOf = (n: number, id: string) => ({ ...sessionRecord(n).scenario, id });
        await store.createSession(sessionRecord(1, { scenario: scenarioOf(1, 'disk-full'), phase: 'ended', endedAt: 5_000 }));
        await store.createSession(sessionRecord(2, { scenario: scenarioOf(2, 'disk-full'), phase: 'ended', endedAt: 9_000 }));
        await store.createSession(sessionRecord(3, { scenario: scenarioOf(3, 'disk-full') }));
        await store.createSession(sessionRecord(4, { scenario: scenarioOf(4, 'slow-query'), phase: 'ended', endedAt: 7_000 }));
        await store.createSession(sessionRecord(5, { scenario: scenarioOf(5, 'friday-deploy') }));
        await store.updateSession('s-5', { phase: 'ended', endedAt: 12_000 }, 12_000);
        expect(await store.lastEndedByScenario(['disk-full', 'slow-query', 'friday-deploy', 'never-played'])).toStrictEqual({ 'disk-full': 9_000, 'slow-query': 7_000, 'friday-deploy': 12_000 });
        expect(await store.lastEndedByScenario(['slow-query'])).toStrictEqual({ 'slow-query': 7_000 });
        expect(await store.lastEndedByScenario([])).toStrictEqual({});
      });

      it('keeps copies: changing a passed or returned risk changes nothing stored', async () => {
        const r = risk(1, 1);
        await store.addRisk(r);
        r.scenarioIds.push('mutated');
        (await store.listRisks())[0].scenarioIds.push('mutated');
        (await store.getRisk('r-1'))!.title = 'mutated';
        expect(await store.getRisk('r-1')).toStrictEqual(risk(1, 1));
      });
    });

    describe('schedules and occurrences', () => {
      const schedule = (n: number, overrides: Partial<ScheduleRecord> = {}): ScheduleRecord => ({
        id: `sch-${n}`,
        token: `sch-token-${n}`,
        title: `Game day #${n} — «ops» ✓`,
        scenario: n % 2 ? 'friday-deploy' : null,
        tag: n % 2 ? null : 'two-teams',
        start: '2026-03-29T01:30',
        timeZone: 'Europe/London',
        durationMinutes: 90,
        teams: ['blue', 'red'],
        staffing: { blue: ['Ana'], red: [] },
        recurrence: n % 2 ? null : 'first Tuesday monthly',
        allowRepeats: n === 3,
        speed: 1.5,
        createdAt: 1_700_000_000_000 + (n % 3) * 1000,
        cancelledAt: null,
        ...overrides,
      });
      const occurrence = (scheduleId: string, n: number, overrides: Partial<OccurrenceRecord> = {}): OccurrenceRecord => ({
        scheduleId,
        n,
        startsAt: 1_800_000_000_000 + n * 86_400_000,
        scenario: 'friday-deploy',
        joinCode: `${scheduleId}-CODE-${n}`.toUpperCase(),
        facilitatorToken: `${scheduleId}-fac-${n}`,
        status: 'scheduled',
        sessionId: null,
        note: null,
        readiness: [
          { id: 'dry-run', label: 'Dry run', kind: 'automatic', ok: true, detail: 'perfect 96, idle 4', at: 5 },
          { id: 'observers-briefed', label: 'Observers briefed', kind: 'manual', ok: null },
        ],
        updatedAt: 7,
        ...overrides,
      });

      it('keeps a schedule exactly and finds it by id and token; lists oldest first with creation order on ties', async () => {
        await store.createSchedule(schedule(1));
        await store.createSchedule(schedule(2));
        await store.createSchedule(schedule(4)); // createdAt ties with schedule 1
        expect(await store.getSchedule('sch-2')).toStrictEqual(schedule(2));
        expect(await store.getScheduleByToken('sch-token-1')).toStrictEqual(schedule(1));
        expect(await store.getSchedule('nope')).toBeUndefined();
        expect(await store.getScheduleByToken('nope')).toBeUndefined();
        expect((await store.listSchedules()).map((s) => s.id)).toEqual(['sch-1', 'sch-4', 'sch-2']);
      });

      it('refuses a duplicate id or token without echoing the token', async () => {
        await store.createSchedule(schedule(1));
        await expect(store.createSchedule(schedule(1, { token: 'other' }))).rejects.toThrow('schedule sch-1 already exists');
        const err = await store.createSchedule(schedule(2, { token: 'sch-token-1' })).catch((e: Error) => e);
        expect((err as Error).message).toBe('schedule token is already in use');
      });

      it('updates staffing and cancellation only, and answers undefined for an unknown schedule', async () => {
        await store.createSchedule(schedule(1));
        expect(await store.updateSchedule('sch-1', { staffing: { blue: ['Ana', 'Bo'], red: ['Cy'] } })).toStrictEqual(schedule(1, { staffing: { blue: ['Ana', 'Bo'], red: ['Cy'] } }));
        expect(await store.updateSchedule('sch-1', { cancelledAt: 99 })).toStrictEqual(schedule(1, { staffing: { blue: ['Ana', 'Bo'], red: ['Cy'] }, cancelledAt: 99 }));
        expect((await store.updateSchedule('sch-1', {}))!.cancelledAt).toBe(99);
        expect(await store.updateSchedule('nope', { cancelledAt: 1 })).toBeUndefined();
      });

      it('inserts and replaces occurrences by (schedule, n), lists them by n, finds them by join code and session', async () => {
        await store.createSchedule(schedule(1));
        await store.createSchedule(schedule(2));
        await store.putOccurrence(occurrence('sch-1', 2));
        await store.putOccurrence(occurrence('sch-1', 0));
        await store.putOccurrence(occurrence('sch-2', 0));
        const opened = occurrence('sch-1', 0, { status: 'opened', sessionId: 's-9', readiness: [{ id: 'observers-briefed', label: 'Observers briefed', kind: 'manual', ok: true, by: 'Zoë', at: 8 }], updatedAt: 9 });
        await store.putOccurrence(opened);
        expect(await store.listOccurrences('sch-1')).toStrictEqual([opened, occurrence('sch-1', 2)]);
        expect(await store.listOccurrences('sch-2')).toStrictEqual([occurrence('sch-2', 0)]);
        expect(await store.listOccurrences('nope')).toStrictEqual([]);
        expect(await store.getOccurrenceByJoinCode('SCH-1-CODE-2')).toStrictEqual(occurrence('sch-1', 2));
        expect(await store.getOccurrenceBySession('s-9')).toStrictEqual(opened);
        expect(await store.getOccurrenceByJoinCode('nope')).toBeUndefined();
        expect(await store.getOccurrenceBySession('nope')).toBeUndefined();
      });

      it('refuses an occurrence of an unknown schedule, a bad status, or a join code another occurrence holds', async () => {
        await store.createSchedule(schedule(1));
        await expect(store.putOccurrence(occurrence('nope', 0))).rejects.toThrow('no schedule nope');
        await expect(store.putOccurrence(occurrence('sch-1', 0, { status: 'late' as never }))).rejects.toThrow(/occurrence status must be one of scheduled, opened, missed, cancelled/);
        await store.putOccurrence(occurrence('sch-1', 0));
        await expect(store.putOccurrence(occurrence('sch-1', 1, { joinCode: 'SCH-1-CODE-0' }))).rejects.toThrow('join code SCH-1-CODE-0 is already in use');
        // Replacing an occurrence with its own code is fine.
        await store.putOccurrence(occurrence('sch-1', 0, { status: 'missed', note: 'the server was down' }));
        expect((await store.listOccurrences('sch-1')).map((o) => [o.n, o.status, o.note])).toEqual([[0, 'missed', 'the server was down']]);
      });

      it('hands out copies', async () => {
        await store.createSchedule(schedule(1));
        await store.putOccurrence(occurrence('sch-1', 0));
        (await store.getSchedule('sch-1'))!.teams.push('green');
        (await store.listOccurrences('sch-1'))[0].readiness[0].ok = false;
        expect(await store.getSchedule('sch-1')).toStrictEqual(schedule(1));
        expect(await store.listOccurrences('sch-1')).toStrictEqual([occurrence('sch-1', 0)]);
      });
    });

    describe('history: exercise results', () => {
      const result = (sessionId: string, team: string, endedAt: number, overrides: Partial<ExerciseResultRecord> = {}): ExerciseResultRecord => ({
        sessionId,
        team,
        scenarioId: 'slow-db',
        scenarioTitle: 'Slow database — «prod»',
        tags: ['slow-query', 'database'],
        kind: 'game-day',
        participants: [{ name: 'Zoë', role: 'incident-commander' }, { name: 'Bo', role: 'responder' }],
        endedAt,
        summary: { outcome: 'resolved', total: 88, dimensions: { detection: 100, escalation: 65 }, metrics: { ttaSeconds: 29.5, ttdSeconds: null }, hints: { count: 1, cost: 5 } },
        ...overrides,
      });

      it('keeps results exactly and lists them oldest first, then by session and team', async () => {
        await store.createSession(sessionRecord(1, { phase: 'ended', endedAt: 3000 }));
        await store.createSession(sessionRecord(2, { phase: 'ended', endedAt: 2000 }));
        const a = [result('s-1', 'red', 3000), result('s-1', 'blue', 3000, { participants: [] })];
        const b = [result('s-2', 'red', 2000, { kind: 'practice', participants: [{ name: 'Bo', role: 'responder' }] })];
        await store.saveExerciseResults('s-1', a);
        await store.saveExerciseResults('s-2', b);
        expect(await store.listExerciseResults()).toStrictEqual([b[0], a[1], a[0]]);
      });

      it('filters by team, participant, kind and a [from, to) window, and pages', async () => {
        for (const n of [1, 2, 3]) await store.createSession(sessionRecord(n, { phase: 'ended', endedAt: n * 1000 }));
        await store.saveExerciseResults('s-1', [result('s-1', 'red', 1000), result('s-1', 'blue', 1000, { participants: [{ name: 'Ana', role: 'scribe' }] })]);
        await store.saveExerciseResults('s-2', [result('s-2', 'red', 2000, { kind: 'practice', participants: [{ name: 'Ana', role: 'incident-commander' }] })]);
        await store.saveExerciseResults('s-3', [result('s-3', 'red', 3000)]);
        const ids = (rows: ExerciseResultRecord[]) => rows.map((r) => `${r.sessionId}/${r.team}`);
        expect(ids(await store.listExerciseResults({ team: 'red' }))).toEqual(['s-1/red', 's-2/red', 's-3/red']);
        expect(ids(await store.listExerciseResults({ participant: 'Ana' }))).toEqual(['s-1/blue', 's-2/red']);
        expect(ids(await store.listExerciseResults({ participant: 'Ana', kind: 'practice' }))).toEqual(['s-2/red']);
        expect(ids(await store.listExerciseResults({ kind: 'game-day' }))).toEqual(['s-1/blue', 's-1/red', 's-3/red']);
        expect(ids(await store.listExerciseResults({ from: 2000, to: 3000 }))).toEqual(['s-2/red']);
        expect(ids(await store.listExerciseResults({ from: 1001 }))).toEqual(['s-2/red', 's-3/red']);
        expect(ids(await store.listExerciseResults({ limit: 2, offset: 1 }))).toEqual(['s-1/red', 's-2/red']);
        expect(await store.listExerciseResults({ participant: 'Nobody' })).toStrictEqual([]);
      });

      it('replaces a session\u2019s results when saved again', async () => {
        await store.createSession(sessionRecord(1, { phase: 'ended', endedAt: 1000 }));
        await store.saveExerciseResults('s-1', [result('s-1', 'red', 1000), result('s-1', 'blue', 1000)]);
        const again = result('s-1', 'red', 1000, { summary: { total: 12 } });
        await store.saveExerciseResults('s-1', [again]);
        expect(await store.listExerciseResults()).toStrictEqual([again]);
      });

      it('lists ended sessions without results, oldest end first', async () => {
        await store.createSession(sessionRecord(1, { phase: 'ended', endedAt: 5000 }));
        await store.createSession(sessionRecord(2, { phase: 'running' }));
        await store.createSession(sessionRecord(3, { phase: 'ended', endedAt: 4000 }));
        await store.createSession(sessionRecord(4, { phase: 'ended', endedAt: 6000 }));
        expect(await store.listSessionsMissingResults()).toEqual(['s-3', 's-1', 's-4']);
        expect(await store.listSessionsMissingResults(1)).toEqual(['s-3']);
        await store.saveExerciseResults('s-3', [result('s-3', 'red', 4000)]);
        expect(await store.listSessionsMissingResults()).toEqual(['s-1', 's-4']);
      });

      it('refuses an unknown session, a row of another session, a bad kind or a team twice', async () => {
        await store.createSession(sessionRecord(1, { phase: 'ended', endedAt: 1000 }));
        await expect(store.saveExerciseResults('s-9', [result('s-9', 'red', 1)])).rejects.toThrow('no session s-9');
        await expect(store.saveExerciseResults('s-1', [result('s-2', 'red', 1)])).rejects.toThrow('result of session s-2 saved under session s-1');
        await expect(store.saveExerciseResults('s-1', [result('s-1', 'red', 1, { kind: 'drill' as never })])).rejects.toThrow('exercise kind must be one of game-day, practice, got "drill"');
        await expect(store.saveExerciseResults('s-1', [result('s-1', 'red', 1), result('s-1', 'red', 2)])).rejects.toThrow('two results for team red of session s-1');
        expect(await store.listExerciseResults()).toStrictEqual([]);
      });

      it('hands out copies', async () => {
        await store.createSession(sessionRecord(1, { phase: 'ended', endedAt: 1000 }));
        const rows = [result('s-1', 'red', 1000)];
        await store.saveExerciseResults('s-1', rows);
        rows[0].participants.push({ name: 'Mallory', role: 'responder' });
        (await store.listExerciseResults())[0].tags.push('x');
        expect(await store.listExerciseResults()).toStrictEqual([result('s-1', 'red', 1000)]);
      });
    });

    describe('lifecycle', () => {
      it('answers ping while open; after close ping is false and calls reject', async () => {
        expect(await store.ping()).toBe(true);
        await store.close();
        expect(await store.ping()).toBe(false);
        await expect(store.getSession('s-1')).rejects.toThrow(/closed/);
        await expect(store.createSession(sessionRecord(1))).rejects.toThrow(/closed/);
        await expect(store.listLessons('s-1')).rejects.toThrow(/closed/);
        await expect(store.addActionItem(actionItem(1, 's-1', 1))).rejects.toThrow(/closed/);
        await expect(store.listActionItemsAcrossSessions()).rejects.toThrow(/closed/);
        // Closing twice is harmless (afterEach closes again).
        await store.close();
      });
    });
  });
}
