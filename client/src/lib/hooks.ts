// React glue for a LiveSession: its snapshot, a team's view (refreshed on events and every few
// seconds), and the outcome of the last request, for showing results next to the control.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { TeamView } from '../../../server/engine/session/view.ts';
import type { LiveSession, LiveSnapshot, Outcome } from './live.ts';
import { errorText } from './format.ts';

const EMPTY: LiveSnapshot = { status: 'closed', phase: 'lobby', t: 0, speed: 1, scoresVisible: false, presence: [], lastSeq: 0, eventsRev: 0, telemetryRev: 0 };
const noop = () => () => undefined;

export function useLive(live: LiveSession | undefined): LiveSnapshot {
  return useSyncExternalStore(live ? live.subscribe : noop, live ? live.getSnapshot : () => EMPTY);
}

/** A team's view: fetched when connected, again shortly after new events, and every `everyMs`. */
export function useTeamView(live: LiveSession | undefined, team: string | undefined, everyMs = 4000): { view?: TeamView; refresh: () => void; error?: string } {
  const snap = useLive(live);
  const [view, setView] = useState<TeamView>();
  const [error, setError] = useState<string>();
  const inflight = useRef(false);
  const refresh = useCallback(() => {
    if (!live || snap.status !== 'connected' || inflight.current) return;
    inflight.current = true;
    live
      .view(team)
      .then((v) => {
        setView(v);
        setError(undefined);
      })
      .catch((e: unknown) => setError(errorText(e)))
      .finally(() => (inflight.current = false));
  }, [live, team, snap.status]);

  useEffect(() => {
    refresh();
    const id = setInterval(refresh, everyMs);
    return () => clearInterval(id);
  }, [refresh, everyMs]);

  // New events (an ack, an alert, a declaration) change the view: fetch it again soon after.
  useEffect(() => {
    const id = setTimeout(refresh, 250);
    return () => clearTimeout(id);
  }, [snap.eventsRev, refresh]);

  return { view, refresh, ...(error ? { error } : {}) };
}

/** Runs a request and keeps its outcome (and a busy flag) for display next to the control. */
export function useRequest(): { busy: boolean; outcome?: Outcome; run: (f: () => Promise<Outcome>) => Promise<Outcome>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const run = useCallback(async (f: () => Promise<Outcome>) => {
    setBusy(true);
    try {
      const o = await f();
      setOutcome(o);
      return o;
    } catch (e) {
      const o: Outcome = { ok: false, code: 'client/error', message: errorText(e) };
      setOutcome(o);
      return o;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, outcome, run, clear: useCallback(() => setOutcome(undefined), []) };
}
