// Small formatters shared by the pages.

/** Simulated seconds as `T+m:ss` (or `T+h:mm:ss`). */
export function clock(t: number): string {
  const s = Math.max(0, Math.floor(t));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `T+${h}:${String(m).padStart(2, '0')}:${ss}` : `T+${m}:${ss}`;
}

export function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

export function ms(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(x >= 10_000 ? 0 : 1)} s` : `${Math.round(x)} ms`;
}

export function num(x: number): string {
  if (Math.abs(x) >= 10_000) return `${(x / 1000).toFixed(0)}k`;
  if (Math.abs(x) >= 1000) return `${(x / 1000).toFixed(1)}k`;
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

export function duration(seconds: number): string {
  const m = Math.round(seconds / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m} min`;
}

/** A human label for an ErrorBody-like value or an Error. */
export function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e) {
    const code = 'code' in e && typeof e.code === 'string' ? `${e.code}: ` : '';
    return `${code}${String(e.message)}`;
  }
  return String(e);
}
