// A service's health from its latest telemetry, for the service map's colours.
import type { Metric } from './live.ts';

export type Health = 'ok' | 'warn' | 'bad' | 'unknown';

/** `v(metric)` is the service's newest value of a metric, undefined when nothing is known yet. */
export function health(v: (m: Metric) => number | undefined, firing: { severity: string }[] = []): { level: Health; reasons: string[] } {
  const err = v('error_rate');
  if (err === undefined) return { level: firing.length ? 'bad' : 'unknown', reasons: firing.length ? ['alert firing'] : [] };
  const p99 = v('latency_p99_ms') ?? 0;
  const sat = v('saturation') ?? 0;
  const reasons: string[] = [];
  let level: Health = 'ok';
  const raise = (to: Health, why: string) => {
    reasons.push(why);
    if (to === 'bad' || level === 'ok') level = to;
  };
  if (err >= 0.05) raise('bad', `errors ${(err * 100).toFixed(1)}%`);
  else if (err >= 0.01) raise('warn', `errors ${(err * 100).toFixed(1)}%`);
  if (p99 >= 2000) raise('bad', `p99 ${Math.round(p99)} ms`);
  else if (p99 >= 800) raise('warn', `p99 ${Math.round(p99)} ms`);
  if (sat >= 0.95) raise('bad', `saturation ${Math.round(sat * 100)}%`);
  else if (sat >= 0.8) raise('warn', `saturation ${Math.round(sat * 100)}%`);
  for (const a of firing) raise(a.severity === 'critical' ? 'bad' : 'warn', 'alert firing');
  return { level, reasons };
}
