// The in-memory store: for tests and for `firedrill demo --no-persist`-style runs. It follows the
// same contract as the SQLite store (test/integration/store-contract.ts), including its errors.
//
// Everything is copied through JSON on the way in and out, not with structuredClone: that is
// what the durable stores do to the data (undefined properties vanish, key order is kept), so a
// caller that works against this store works against them too, and nobody can mutate stored data
// through a reference they passed in or got back.
import type { ResultSummary, SessionEvent } from '../engine/session/events.ts';
import {
  checkActionItemFields,
  checkActionItemQuery,
  checkExerciseResults,
  checkRiskFields,
  DuplicateKeyError,
  type RiskRecord,
  type ActionItemRecord,
  type ExerciseResultRecord,
  type LessonRecord,
  type ParticipantRecord,
  type SessionPatch,
  type SessionRecord,
  type SessionSummary,
  type Store,
  type StoredInput,
} from './store.ts';
import { checkOccurrenceFields, type OccurrenceRecord, type ScheduleRecord, type Store as StoreOf } from './store.ts';

interface SessionSlot {
  record: SessionRecord;
  /** Insertion order: breaks ties between sessions created in the same millisecond. */
  order: number;
  inputs: StoredInput[];
  inputBySeq: Map<number, StoredInput>;
  inputByKey: Map<string, StoredInput>;
  events: SessionEvent[];
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function createMemoryStore(): Store {
  const sessions = new Map<string, SessionSlot>();
  const byJoinCode = new Map<string, string>();
  const byFacilitatorToken = new Map<string, string>();
  const participants = new Map<string, ParticipantRecord>();
  const participantByToken = new Map<string, ParticipantRecord>();
  // Lessons and action items by id, each with its insertion order (ties on createdAt).
  const lessons = new Map<string, { record: LessonRecord; order: number }>();
  const actionItems = new Map<string, { record: ActionItemRecord; order: number }>();
  const risks = new Map<string, { record: RiskRecord; order: number }>();
  // History: results by session, then by team.
  const results = new Map<string, ExerciseResultRecord[]>();
  let nextOrder = 1;
  let closed = false;

  function open(): void {
    if (closed) throw new Error('memory store is closed');
  }

  function slot(id: string): SessionSlot {
    const s = sessions.get(id);
    if (s === undefined) throw new Error(`no session ${id}`);
    return s;
  }

  function checkEventSeqs(sessionId: string, events: readonly SessionEvent[], last: number): void {
    events.forEach((e, i) => {
      if (e.seq !== last + 1 + i) {
        throw new Error(`event seq ${e.seq} does not continue the log of session ${sessionId} (expected ${last + 1 + i})`);
      }
    });
  }

  return {
    kind: 'memory',

    async createSession(record) {
      open();
      if (sessions.has(record.id)) throw new Error(`session ${record.id} already exists`);
      if (byJoinCode.has(record.joinCode)) throw new Error(`join code ${record.joinCode} is already in use`);
      // Tokens are secrets: never echoed in errors.
      if (byFacilitatorToken.has(record.facilitatorToken)) throw new Error('facilitator token is already in use');
      sessions.set(record.id, { record: copy(record), order: nextOrder++, inputs: [], inputBySeq: new Map(), inputByKey: new Map(), events: [] });
      byJoinCode.set(record.joinCode, record.id);
      byFacilitatorToken.set(record.facilitatorToken, record.id);
    },

    async getSession(id) {
      open();
      const s = sessions.get(id);
      return s && copy(s.record);
    },

    async getSessionByJoinCode(code) {
      open();
      const id = byJoinCode.get(code);
      return id === undefined ? undefined : copy(slot(id).record);
    },

    async getSessionByFacilitatorToken(token) {
      open();
      const id = byFacilitatorToken.get(token);
      return id === undefined ? undefined : copy(slot(id).record);
    },

    async listSessions(options = {}) {
      open();
      const { limit, offset } = pageOf(options);
      const newestFirst = [...sessions.values()].sort((a, b) => b.record.createdAt - a.record.createdAt || b.order - a.order);
      return newestFirst.slice(offset, limit === undefined ? undefined : offset + limit).map((s) => summaryOf(s.record));
    },

    async listUnfinishedSessions() {
      open();
      return [...sessions.values()]
        .filter((s) => isUnfinished(s.record))
        .sort((a, b) => a.record.createdAt - b.record.createdAt || a.order - b.order)
        .map((s) => copy(s.record));
    },

    async updateSession(id, patch, wallTime) {
      open();
      const s = slot(id);
      const changes: SessionPatch = {};
      for (const [k, v] of Object.entries(patch) as [keyof SessionPatch, unknown][]) {
        if (v !== undefined) (changes as Record<string, unknown>)[k] = v;
      }
      s.record = { ...s.record, ...copy(changes), updatedAt: wallTime };
    },

    async appendInput(input) {
      open();
      const s = slot(input.sessionId);
      checkSeq(input.seq);
      if (input.key !== null && s.inputByKey.has(input.key)) throw new DuplicateKeyError(input.sessionId, input.key);
      if (s.inputBySeq.has(input.seq)) throw new Error(`input seq ${input.seq} is already stored for session ${input.sessionId}`);
      const stored = copy(input);
      // Inputs nearly always arrive in seq order; keep the list sorted without re-sorting it.
      let at = s.inputs.length;
      while (at > 0 && s.inputs[at - 1].seq > stored.seq) at--;
      s.inputs.splice(at, 0, stored);
      s.inputBySeq.set(stored.seq, stored);
      if (stored.key !== null) s.inputByKey.set(stored.key, stored);
    },

    async getInputByKey(sessionId, key) {
      open();
      const found = sessions.get(sessionId)?.inputByKey.get(key);
      return found && copy(found);
    },

    async setInputResult(sessionId, seq, result: ResultSummary) {
      open();
      const found = sessions.get(sessionId)?.inputBySeq.get(seq);
      if (found === undefined) throw new Error(`no input seq ${seq} in session ${sessionId}`);
      found.result = copy(result);
    },

    async listInputs(sessionId) {
      open();
      return copy(sessions.get(sessionId)?.inputs ?? []);
    },

    async appendEvents(sessionId, events, _wallTime, applied) {
      open();
      const s = slot(sessionId);
      checkEventSeqs(sessionId, events, s.events.length);
      const input = applied && sessions.get(sessionId)?.inputBySeq.get(applied.seq);
      if (applied && input === undefined) throw new Error(`no input seq ${applied.seq} in session ${sessionId}`);
      s.events.push(...copy(events));
      if (applied && input) input.result = copy(applied.result);
    },

    async replaceEvents(sessionId, events) {
      open();
      const s = slot(sessionId);
      checkEventSeqs(sessionId, events, 0);
      s.events = copy([...events]);
    },

    async listEvents(sessionId, afterSeq = 0, limit) {
      open();
      checkLimit(limit);
      const events = sessions.get(sessionId)?.events ?? [];
      // Seqs are 1..n, so the event with seq k sits at index k - 1.
      const from = Math.max(0, Math.floor(afterSeq));
      return copy(events.slice(from, limit === undefined ? undefined : from + limit));
    },

    async lastEventSeq(sessionId) {
      open();
      return sessions.get(sessionId)?.events.length ?? 0;
    },

    async addParticipant(p) {
      open();
      slot(p.sessionId);
      if (participants.has(p.id)) throw new Error(`participant ${p.id} already exists`);
      if (participantByToken.has(p.token)) throw new Error('participant token is already in use');
      const stored = copy(p);
      participants.set(stored.id, stored);
      participantByToken.set(stored.token, stored);
    },

    async getParticipantByToken(token) {
      open();
      const p = participantByToken.get(token);
      return p && copy(p);
    },

    async listParticipants(sessionId) {
      open();
      // A stable sort keeps insertion order among participants who joined in the same millisecond.
      return copy([...participants.values()].filter((p) => p.sessionId === sessionId).sort((a, b) => a.joinedAt - b.joinedAt));
    },

    async addLesson(lesson) {
      open();
      slot(lesson.sessionId);
      if (lessons.has(lesson.id)) throw new Error(`lesson ${lesson.id} already exists`);
      lessons.set(lesson.id, { record: copy(lesson), order: nextOrder++ });
    },

    async listLessons(sessionId) {
      open();
      return [...lessons.values()]
        .filter((l) => l.record.sessionId === sessionId)
        .sort((a, b) => a.record.createdAt - b.record.createdAt || a.order - b.order)
        .map((l) => copy(l.record));
    },

    async updateLesson(sessionId, id, patch) {
      open();
      const found = lessons.get(id);
      if (found === undefined || found.record.sessionId !== sessionId) return undefined;
      const next: LessonRecord = { ...found.record };
      if (patch.text !== undefined) next.text = patch.text;
      if (patch.author === null) delete next.author;
      else if (patch.author !== undefined) next.author = patch.author;
      found.record = copy(next);
      return copy(found.record);
    },

    async deleteLesson(sessionId, id) {
      open();
      const found = lessons.get(id);
      if (found === undefined || found.record.sessionId !== sessionId) return false;
      return lessons.delete(id);
    },

    async addActionItem(item) {
      open();
      checkActionItemFields(item);
      slot(item.sessionId);
      if (actionItems.has(item.id)) throw new Error(`action item ${item.id} already exists`);
      actionItems.set(item.id, { record: copy(item), order: nextOrder++ });
    },

    async listActionItems(sessionId) {
      open();
      return [...actionItems.values()]
        .filter((a) => a.record.sessionId === sessionId)
        .sort((a, b) => a.record.createdAt - b.record.createdAt || a.order - b.order)
        .map((a) => copy(a.record));
    },

    async updateActionItem(sessionId, id, patch, wallTime) {
      open();
      checkActionItemFields(patch);
      const found = actionItems.get(id);
      if (found === undefined || found.record.sessionId !== sessionId) return undefined;
      const next: ActionItemRecord = { ...found.record, updatedAt: wallTime };
      if (patch.title !== undefined) next.title = patch.title;
      if (patch.owner !== undefined) next.owner = patch.owner;
      if (patch.status !== undefined) next.status = patch.status;
      for (const key of ['dueDate', 'link'] as const) {
        if (patch[key] === null) delete next[key];
        else if (patch[key] !== undefined) next[key] = patch[key];
      }
      found.record = copy(next);
      return copy(found.record);
    },

    async deleteActionItem(sessionId, id) {
      open();
      const found = actionItems.get(id);
      if (found === undefined || found.record.sessionId !== sessionId) return false;
      return actionItems.delete(id);
    },

    async listActionItemsAcrossSessions(options = {}) {
      open();
      checkActionItemQuery(options);
      const { limit, offset } = pageOf(options);
      const statuses = options.statuses?.length ? new Set<string>(options.statuses) : undefined;
      const { dueBefore } = options;
      // Soonest due first, undated last; then oldest first. YYYY-MM-DD strings sort as dates.
      const byDue = (a: ActionItemRecord, b: ActionItemRecord) =>
        a.dueDate === b.dueDate ? 0 : a.dueDate === undefined ? 1 : b.dueDate === undefined ? -1 : a.dueDate < b.dueDate ? -1 : 1;
      return [...actionItems.values()]
        .filter(({ record: a }) => (statuses === undefined || statuses.has(a.status)) && (dueBefore === undefined || (a.dueDate !== undefined && a.dueDate < dueBefore)))
        .sort((a, b) => byDue(a.record, b.record) || a.record.createdAt - b.record.createdAt || a.order - b.order)
        .slice(offset, limit === undefined ? undefined : offset + limit)
        .map((a) => copy(a.record));
    },

    async saveExerciseResults(sessionId, rows) {
      open();
      checkExerciseResults(sessionId, rows);
      slot(sessionId);
      results.set(sessionId, copy([...rows]));
    },

    async listExerciseResults(query = {}) {
      open();
      const { limit, offset } = pageOf(query);
      return [...results.values()]
        .flat()
        .filter(
          (r) =>
            (query.team === undefined || r.team === query.team) &&
            (query.kind === undefined || r.kind === query.kind) &&
            (query.participant === undefined || r.participants.some((p) => p.name === query.participant)) &&
            (query.from === undefined || r.endedAt >= query.from) &&
            (query.to === undefined || r.endedAt < query.to),
        )
        .sort((a, b) => a.endedAt - b.endedAt || cmp(a.sessionId, b.sessionId) || cmp(a.team, b.team))
        .slice(offset, limit === undefined ? undefined : offset + limit)
        .map((r) => copy(r));
    },

    async listSessionsMissingResults(limit) {
      open();
      checkLimit(limit);
      return [...sessions.values()]
        .filter((s) => s.record.phase === 'ended' && !results.get(s.record.id)?.length)
        .sort((a, b) => (a.record.endedAt ?? a.record.updatedAt) - (b.record.endedAt ?? b.record.updatedAt) || a.order - b.order)
        .slice(0, limit)
        .map((s) => s.record.id);
    },

    async addRisk(risk) {
      open();
      checkRiskFields(risk);
      if (risks.has(risk.id)) throw new Error(`risk ${risk.id} already exists`);
      risks.set(risk.id, { record: copy(risk), order: nextOrder++ });
    },

    async getRisk(id) {
      open();
      const found = risks.get(id);
      return found && copy(found.record);
    },

    async listRisks() {
      open();
      return [...risks.values()].sort((a, b) => a.record.createdAt - b.record.createdAt || a.order - b.order).map((r) => copy(r.record));
    },

    async updateRisk(id, patch, wallTime) {
      open();
      checkRiskFields(patch);
      const found = risks.get(id);
      if (found === undefined) return undefined;
      const next: RiskRecord = { ...found.record, updatedAt: wallTime };
      for (const key of ['title', 'description', 'likelihood', 'impact', 'detection', 'scenarioIds'] as const) {
        if (patch[key] !== undefined) (next as unknown as Record<string, unknown>)[key] = patch[key];
      }
      if (patch.owner === null) delete next.owner;
      else if (patch.owner !== undefined) next.owner = patch.owner;
      found.record = copy(next);
      return copy(found.record);
    },

    async deleteRisk(id) {
      open();
      return risks.delete(id);
    },

    async lastEndedByScenario(scenarioIds) {
      open();
      const wanted = new Set(scenarioIds);
      const out: Record<string, number> = {};
      for (const { record } of sessions.values()) {
        const id = record.scenario.id;
        if (!wanted.has(id) || record.endedAt === null) continue;
        if (out[id] === undefined || record.endedAt > out[id]) out[id] = record.endedAt;
      }
      return out;
    },

    ...memorySchedules(open),

    async ping() {
      return !closed;
    },

    async close() {
      closed = true;
    },
  };
}

// The SQLite store states the same rules in SQL (ORDER BY, WHERE, LIMIT/OFFSET); the contract
// suite keeps the two in step.

/** Code-unit order, as SQLite compares TEXT (BINARY collation), not localeCompare. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function summaryOf(r: SessionRecord): SessionSummary {
  return {
    id: r.id,
    scenarioId: r.scenario.id,
    title: r.scenario.title,
    teams: [...r.teams],
    phase: r.phase,
    outcome: r.outcome,
    createdAt: r.createdAt,
    endedAt: r.endedAt,
  };
}

function isUnfinished(r: SessionRecord): boolean {
  return r.endedAt === null && r.phase !== 'ended';
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

type ScheduleMethods = Pick<
  StoreOf,
  'createSchedule' | 'getSchedule' | 'getScheduleByToken' | 'listSchedules' | 'updateSchedule' | 'putOccurrence' | 'listOccurrences' | 'getOccurrenceByJoinCode' | 'getOccurrenceBySession'
>;

/** Scheduled game days and their occurrences (the SQLite store: migration 3). */
function memorySchedules(open: () => void): ScheduleMethods {
  const schedules = new Map<string, ScheduleRecord>();
  const scheduleByToken = new Map<string, string>();
  // Occurrences by schedule, then by n.
  const occurrences = new Map<string, Map<number, OccurrenceRecord>>();
  const find = (pred: (o: OccurrenceRecord) => boolean) => {
    for (const byN of occurrences.values()) for (const o of byN.values()) if (pred(o)) return copy(o);
    return undefined;
  };
  return {
    async createSchedule(s) {
      open();
      if (schedules.has(s.id)) throw new Error(`schedule ${s.id} already exists`);
      if (scheduleByToken.has(s.token)) throw new Error('schedule token is already in use');
      schedules.set(s.id, copy(s));
      scheduleByToken.set(s.token, s.id);
      occurrences.set(s.id, new Map());
    },
    async getSchedule(id) {
      open();
      const s = schedules.get(id);
      return s && copy(s);
    },
    async getScheduleByToken(token) {
      open();
      const id = scheduleByToken.get(token);
      return id === undefined ? undefined : copy(schedules.get(id)!);
    },
    async listSchedules() {
      open();
      // Map order is creation order: a stable sort by createdAt keeps it for ties.
      return [...schedules.values()].sort((a, b) => a.createdAt - b.createdAt).map(copy);
    },
    async updateSchedule(id, patch) {
      open();
      const s = schedules.get(id);
      if (!s) return undefined;
      if (patch.staffing !== undefined) s.staffing = copy(patch.staffing);
      if (patch.cancelledAt !== undefined) s.cancelledAt = patch.cancelledAt;
      return copy(s);
    },
    async putOccurrence(o) {
      open();
      checkOccurrenceFields(o);
      const byN = occurrences.get(o.scheduleId);
      if (!byN) throw new Error(`no schedule ${o.scheduleId}`);
      const holder = find((x) => x.joinCode === o.joinCode && !(x.scheduleId === o.scheduleId && x.n === o.n));
      if (holder) throw new Error(`join code ${o.joinCode} is already in use`);
      byN.set(o.n, copy(o));
    },
    async listOccurrences(scheduleId) {
      open();
      return [...(occurrences.get(scheduleId)?.values() ?? [])].sort((a, b) => a.n - b.n).map(copy);
    },
    async getOccurrenceByJoinCode(code) {
      open();
      return find((o) => o.joinCode === code);
    },
    async getOccurrenceBySession(sessionId) {
      open();
      return find((o) => o.sessionId === sessionId);
    },
  };
}
