// The log viewer: one service's recent lines, refreshed every few seconds while it is open.
import { useEffect, useRef, useState } from 'react';
import type { LogLine } from '../../../server/engine/workload/world.ts';
import type { LiveSession } from '../lib/live.ts';
import { clock, errorText } from '../lib/format.ts';

const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;

export function Logs({ live, services, service, onService, team, everyMs = 3000 }: {
  live?: LiveSession;
  services: string[];
  service: string;
  onService: (id: string) => void;
  team?: string;
  everyMs?: number;
}) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [error, setError] = useState<string>();
  const [minLevel, setMinLevel] = useState<(typeof LEVELS)[number]>('info');
  const [filter, setFilter] = useState('');
  const [paused, setPaused] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    if (!live) return;
    let stop = false;
    const load = () => {
      if (paused) return;
      live
        .logs(service, team)
        .then((l) => {
          if (stop) return;
          setLines(l);
          setError(undefined);
        })
        .catch((e: unknown) => !stop && setError(errorText(e)));
    };
    load();
    const id = setInterval(load, everyMs);
    return () => {
      stop = true;
      clearInterval(id);
    };
  }, [live, service, team, everyMs, paused]);

  // Follow the newest line unless the reader scrolled up.
  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  const min = LEVELS.indexOf(minLevel);
  const needle = filter.trim().toLowerCase();
  const shown = lines.filter((l) => LEVELS.indexOf(l.level) >= min && (!needle || l.message.toLowerCase().includes(needle)));

  return (
    <div className="logs">
      <div className="row logs-controls">
        <label>
          Service
          <select value={service} onChange={(e) => onService(e.target.value)}>
            {services.map((s) => <option key={s}>{s}</option>)}
          </select>
        </label>
        <label>
          Level
          <select value={minLevel} onChange={(e) => setMinLevel(e.target.value as (typeof LEVELS)[number])}>
            {LEVELS.map((l) => <option key={l} value={l}>{l} and above</option>)}
          </select>
        </label>
        <label className="grow">
          Filter
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="timeout, x509, pool…" />
        </label>
        <button type="button" onClick={() => setPaused((p) => !p)} aria-pressed={paused}>{paused ? 'Follow' : 'Pause'}</button>
      </div>
      {error && <p className="result err" role="status">✗ {error}</p>}
      <div
        className="log-lines"
        ref={box}
        tabIndex={0}
        role="log"
        aria-label={`Logs of ${service}`}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        {shown.length === 0 && <p className="empty">{lines.length ? 'No line matches.' : 'No log lines yet.'}</p>}
        {shown.map((l, i) => (
          <div key={`${l.t}-${i}`} className={`log ${l.level}`}>
            <time>{clock(l.t)}</time>
            <span className="lvl">{l.level.toUpperCase()}</span>
            <span className="msg">{l.message}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
