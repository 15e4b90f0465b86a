// The readiness checklist kept with a scheduled game day (GET /api/sessions/:id/readiness), for
// the facilitator console: renders nothing for a game day that was not scheduled.
// Usage: <ReadinessPanel sessionId={id} token={creds.facilitatorToken} />
import { useEffect, useState } from 'react';
import { optional } from '../lib/api.ts';
import type { SessionReadiness } from '../lib/schedule-api.ts';
import { Panel } from './ui.tsx';

type Kept = Extract<SessionReadiness, { scheduled: true }>;

export function ReadinessPanel({ sessionId, token }: { sessionId: string; token?: string }) {
  const [kept, setKept] = useState<Kept>();
  useEffect(() => {
    if (!token) return;
    let live = true;
    optional<SessionReadiness>(`/api/sessions/${encodeURIComponent(sessionId)}/readiness`, token).then((k) => live && k?.scheduled && setKept(k), () => undefined);
    return () => {
      live = false;
    };
  }, [sessionId, token]);
  if (!kept) return null;
  const ok = kept.readiness.filter((i) => i.ok === true).length;
  return (
    <Panel title={<>Readiness {kept.ready ? <span className="good">✓ ready</span> : <span className="muted">({ok} of {kept.readiness.length})</span>}</>} className="readiness-panel">
      <ul className="kv">
        {kept.readiness.map((i) => (
          <li key={i.id} title={i.detail}>
            <span className={i.ok ? 'good' : i.ok === false ? 'bad' : 'muted'} aria-hidden="true">{i.ok ? '✓' : i.ok === false ? '✗' : '○'}</span> {i.label}
            {i.kind === 'manual' && i.by && <span className="muted"> — {i.by}</span>}
          </li>
        ))}
      </ul>
    </Panel>
  );
}
