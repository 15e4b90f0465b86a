// "My practice": who the player is (their display name) and which practice drills this browser
// played (their participant tokens), both in localStorage — there are no accounts. The tokens prove
// to the server that the drills are the player's (POST /api/practice/history).
import type { PracticeHistory } from '../../../server/protocol/practice.ts';
import type { SessionEvent } from '../../../server/engine/session/events.ts';
import { request } from './api.ts';

const KEY = 'firedrill.practice';
/** At most this many drills are remembered (the route takes 200 tokens). */
const KEEP = 200;

export interface PracticeDrillRef {
  sessionId: string;
  token: string;
  name: string;
  team: string;
  scenario: string;
  /** Wall-clock milliseconds when the drill was started. */
  at: number;
}

export interface PracticeIdentity {
  name: string;
  drills: PracticeDrillRef[];
}

export function loadPractice(): PracticeIdentity {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<PracticeIdentity>;
    return { name: typeof v.name === 'string' ? v.name : '', drills: Array.isArray(v.drills) ? v.drills.filter((d) => d && typeof d.token === 'string') : [] };
  } catch {
    return { name: '', drills: [] };
  }
}

function savePractice(p: PracticeIdentity): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(p));
  } catch {
    /* private mode: the history then lasts as long as the page */
  }
}

/** The display name the player practises under (also prefilled next time). */
export function setPracticeName(name: string): void {
  savePractice({ ...loadPractice(), name: name.trim() });
}

/** Remembers a drill this browser played, newest first. */
export function rememberDrill(d: PracticeDrillRef): void {
  const p = loadPractice();
  savePractice({ name: d.name, drills: [d, ...p.drills.filter((x) => x.sessionId !== d.sessionId)].slice(0, KEEP) });
}

/** Forgets tokens the server does not know (a wiped server). */
export function forgetTokens(tokens: string[]): void {
  if (!tokens.length) return;
  const gone = new Set(tokens);
  const p = loadPractice();
  savePractice({ ...p, drills: p.drills.filter((d) => !gone.has(d.token)) });
}

/** The player's local calendar day, YYYY-MM-DD. */
export function localDay(d = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** My ended practice drills and streak, for `name` (all names of this browser when empty). */
export async function practiceHistory(name: string): Promise<PracticeHistory> {
  const p = loadPractice();
  const drills = name ? p.drills.filter((d) => d.name === name) : p.drills;
  const today = localDay();
  if (!drills.length) return { drills: [], streak: { current: 0, longest: 0 }, today, best: null, unknown: [] };
  const out = await request<PracticeHistory>('/api/practice/history', {
    method: 'POST',
    body: JSON.stringify({ tokens: drills.map((d) => d.token), ...(name ? { name } : {}), today, utcOffsetMinutes: -new Date().getTimezoneOffset() }),
  });
  forgetTokens(out.unknown);
  return out;
}

/** What a practice session offers, from its `session.practice` event (undefined in a game day). */
export function practiceOf(events: readonly SessionEvent[]): Extract<SessionEvent, { type: 'session.practice' }> | undefined {
  return events.find((e): e is Extract<SessionEvent, { type: 'session.practice' }> => e.type === 'session.practice');
}
