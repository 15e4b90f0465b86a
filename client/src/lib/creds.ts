// What the browser remembers about a game day, per tab (sessionStorage): the tokens that let it
// reconnect, the last event it saw, and the events themselves so a reload resumes without a gap.
import type { SessionEvent } from '../../../server/engine/session/events.ts';

export interface Creds {
  sessionId: string;
  facilitatorToken?: string;
  joinCode?: string;
  participant?: { token: string; name: string; team: string; role: string };
}

const PREFIX = 'firedrill.';

function read<T>(key: string): T | undefined {
  try {
    const raw = sessionStorage.getItem(PREFIX + key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, value: unknown): boolean {
  try {
    sessionStorage.setItem(PREFIX + key, JSON.stringify(value));
    return true;
  } catch {
    return false; // quota or privacy mode: a reload then replays from the start
  }
}

export function loadCreds(sessionId: string): Creds | undefined {
  return read<Creds>(`creds.${sessionId}`);
}

export function saveCreds(creds: Creds): void {
  const before = loadCreds(creds.sessionId) ?? { sessionId: creds.sessionId };
  write(`creds.${creds.sessionId}`, { ...before, ...creds });
}

/** Events seen by one identity (facilitator or participant) of a session, and the newest seq. */
export interface SavedLog {
  lastSeq: number;
  events: SessionEvent[];
}

export function loadLog(sessionId: string, kind: 'facilitator' | 'participant'): SavedLog {
  const log = read<SavedLog>(`log.${sessionId}.${kind}`);
  return log && Array.isArray(log.events) && typeof log.lastSeq === 'number' ? log : { lastSeq: 0, events: [] };
}

export function saveLog(sessionId: string, kind: 'facilitator' | 'participant', log: SavedLog): void {
  // If the events do not fit, forget the position too: a reload then replays from the start.
  if (!write(`log.${sessionId}.${kind}`, log)) write(`log.${sessionId}.${kind}`, { lastSeq: 0, events: [] });
}

export function clearLog(sessionId: string, kind: 'facilitator' | 'participant'): void {
  try {
    sessionStorage.removeItem(`${PREFIX}log.${sessionId}.${kind}`);
  } catch {
    /* nothing to clear */
  }
}

/** The last name/team/role typed on the join form, to prefill it next time. */
export function lastJoin(): { name?: string; team?: string; role?: string; code?: string } {
  try {
    return JSON.parse(localStorage.getItem(PREFIX + 'last-join') ?? '{}') as { name?: string; team?: string; role?: string };
  } catch {
    return {};
  }
}

export function rememberJoin(v: { name: string; team: string; role: string; code: string }): void {
  try {
    localStorage.setItem(PREFIX + 'last-join', JSON.stringify(v));
  } catch {
    /* optional */
  }
}
