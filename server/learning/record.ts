// Keeping results: when a session ends the live host records one row per team (recordSession);
// sessions that ended before the history existed, or whose recording failed, are filled in on the
// first read of the history (backfill). Both compute the same rows from the same event log, and
// saving replaces a session's rows, so running either twice changes nothing.
import { Session } from '../engine/session/session.ts';
import type { SessionEvent } from '../engine/session/events.ts';
import type { ExerciseResultRecord, SessionRecord, Store } from '../store/store.ts';
import { resultsOfSession } from './results.ts';

/** When a session ended, for the history: its recorded end, else its last update. */
function endedAtOf(record: SessionRecord): number {
  return record.endedAt ?? record.updatedAt;
}

/** Computes and saves the results of an ended session from its event log. */
export async function recordSession(store: Store, record: SessionRecord, events: readonly SessionEvent[], endedAt = endedAtOf(record)): Promise<ExerciseResultRecord[]> {
  const participants = await store.listParticipants(record.id);
  const rows = resultsOfSession(
    { id: record.id, scenario: record.scenario, teams: record.teams, endedAt, participants, runbooks: new Map(record.runbooks.map((r) => [r.id, r])) },
    events,
  );
  await store.saveExerciseResults(record.id, rows);
  return rows;
}

/**
 * The full log of an ended session: the stored one when it holds the end; otherwise rebuilt by
 * replaying the stored inputs on a simulated clock, as SessionHost.restore does (same scenario,
 * seed and inputs give the same events), then running the clock to the last stored event.
 */
export async function endedLog(store: Store, record: SessionRecord): Promise<SessionEvent[]> {
  const stored = await store.listEvents(record.id);
  if (stored.some((e) => e.type === 'session.ended')) return stored;
  const session = new Session({ scenario: record.scenario, workload: record.workload, runbooks: new Map(record.runbooks.map((r) => [r.id, r])), seed: record.seed, teams: record.teams });
  for (const { input } of await store.listInputs(record.id)) {
    if (input.kind !== 'facilitator' || input.command !== 'start') session.advanceTo(input.at);
    session.apply(input);
  }
  const last = stored[stored.length - 1];
  if (session.phase === 'running' && last) session.advanceTo(last.t);
  return [...session.events];
}

/**
 * Records the sessions that ended without results (at most `limit` per call, oldest first).
 * A session that cannot be scored is reported through `onError` and skipped; the next read tries
 * again. Returns how many sessions were recorded.
 */
export async function backfill(store: Store, options: { limit?: number; onError?: (err: unknown, where: string) => void } = {}): Promise<number> {
  let done = 0;
  for (const id of await store.listSessionsMissingResults(options.limit ?? 200)) {
    try {
      const record = await store.getSession(id);
      if (!record) continue;
      await recordSession(store, record, await endedLog(store, record));
      done++;
    } catch (err) {
      options.onError?.(err, `recording the history of session ${id}`);
    }
  }
  return done;
}
