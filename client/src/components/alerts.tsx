// The alert list, PagerDuty-style: firing first, then pending, each with Acknowledge.
import { useState } from 'react';
import type { AlertView } from '../../../server/engine/session/view.ts';
import type { LiveSession, TeamSeries } from '../lib/live.ts';
import { clock } from '../lib/format.ts';
import { toast } from './ui.tsx';

export type AlertState = AlertView['state'];

/**
 * The view's alerts, with states seen since the view was taken (telemetry frames and alert
 * events arrive between two views): whichever was seen at the later simulated time wins.
 */
export function mergedAlerts(alerts: AlertView[] | undefined, series: TeamSeries | undefined, viewT = 0): AlertView[] {
  return (alerts ?? []).map((a) => {
    const s = series?.alerts.get(a.id);
    if (!s || s.t <= viewT || s.state === a.state) return a;
    return { ...a, state: s.state, since: a.since ?? s.t, firedAt: s.state === 'firing' ? (a.firedAt ?? s.t) : null, acknowledgedAt: s.state === 'firing' ? a.acknowledgedAt : null };
  });
}

export function AlertList({ alerts, live, canAct, onSelectService, onOpenRunbook }: {
  alerts: AlertView[];
  live?: LiveSession;
  canAct: boolean;
  onSelectService: (id: string) => void;
  onOpenRunbook?: (id: string) => void;
}) {
  const [busy, setBusy] = useState<string>();
  const [acked, setAcked] = useState<Set<string>>(new Set());
  const active = alerts
    .filter((a) => a.state !== 'inactive')
    .sort((a, b) => (a.state === b.state ? (a.severity === b.severity ? (a.since ?? 0) - (b.since ?? 0) : a.severity === 'critical' ? -1 : 1) : a.state === 'firing' ? -1 : 1));
  if (!active.length) return <p className="empty">No alerts firing. All quiet.</p>;
  const ack = async (a: AlertView) => {
    if (!live) return;
    setBusy(a.id);
    const o = await live.act({ action: 'acknowledge', alert: a.id });
    setBusy(undefined);
    toast(`Acknowledge ${a.id}`, o);
    if (o.ok || (!o.ok && o.code === 'alert/already-acknowledged')) setAcked((s) => new Set(s).add(`${a.id}@${a.firedAt}`));
  };
  return (
    <ul className="alerts">
      {active.map((a) => {
        const isAcked = a.acknowledgedAt !== null || acked.has(`${a.id}@${a.firedAt}`);
        return (
          <li key={a.id} className={`alert ${a.state} sev-${a.severity} ${isAcked ? 'acked' : ''}`}>
            <div className="alert-main">
              <span className={`pill ${a.state}`}>{a.state === 'firing' ? (isAcked ? 'ACKED' : 'FIRING') : 'PENDING'}</span>
              <strong className="alert-id">{a.id}</strong>
              <span className={`sev sev-${a.severity}`}>{a.severity}</span>
            </div>
            <div className="alert-summary">{a.summary}</div>
            <div className="alert-meta">
              <button type="button" className="link" onClick={() => onSelectService(a.service)} aria-label={`Show ${a.service}`}>
                {a.service}
              </button>
              <span>→ {a.route}</span>
              {a.since !== null && <span>since {clock(a.since)}</span>}
              {a.acknowledgedAt !== null && <span>acked {clock(a.acknowledgedAt)}</span>}
              {a.runbook && onOpenRunbook && (
                <button type="button" className="link" onClick={() => onOpenRunbook(a.runbook!)}>
                  runbook: {a.runbook}
                </button>
              )}
              {a.state === 'firing' && !isAcked && canAct && (
                <button type="button" className="primary small" disabled={busy === a.id} onClick={() => ack(a)}>
                  {busy === a.id ? 'Acknowledging…' : 'Acknowledge'}
                </button>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
