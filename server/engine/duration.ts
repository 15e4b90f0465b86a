// Durations in files are seconds or strings with units; the engine works in seconds.

const UNIT: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** parseDuration('1h30m') === 5400; parseDuration(90) === 90. Returns NaN for junk. */
export function parseDuration(value: number | string | undefined, fallback = 0): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number') return value;
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(value)) return Number.NaN;
  let total = 0;
  for (const m of value.matchAll(PART)) total += Number(m[1]) * UNIT[m[2]];
  return total;
}

/** formatClock(250) === '4:10'; formatClock(3725) === '1:02:05'. Simulated time since T+0. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Rounds simulated time to milliseconds, so logs print the same bytes on every machine. */
export function roundTime(t: number): number {
  return Math.round(t * 1000) / 1000;
}
