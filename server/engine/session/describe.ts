// One line of plain text per event, for the CLI's summary and the report's timeline.
import { formatClock } from '../duration.ts';
import type { SessionEvent } from './events.ts';

export interface DescribedEvent {
  clock: string;
  label: string;
  text: string;
}

function actionText(a: Record<string, unknown>): string {
  const { action, actor, ...rest } = a;
  const params = Object.entries(rest)
    .map(([k, v]) => (typeof v === 'string' && v.length > 60 ? `${k}="${v.slice(0, 57)}…"` : `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`))
    .join(' ');
  return `${action}${params ? ' ' + params : ''}${actor ? ` (by ${actor})` : ''}`;
}

/** describeEvent({type: 'deploy', service: 'orders', previous: 'v1', version: 'v2', …}) → {label: 'deploy', text: 'orders v1 → v2'} */
export function describeEvent(e: SessionEvent): DescribedEvent | null {
  const clock = 'T+' + formatClock(e.t);
  const d = (label: string, text: string): DescribedEvent => ({ clock, label, text });
  switch (e.type) {
    case 'session.phase': return d('session', `phase ${e.phase}${e.reason ? ` — ${e.reason}` : ''}`);
    case 'session.ended': return d('session', `ended: ${e.outcome} (${e.reason})`);
    case 'session.speed': return d('session', `speed ×${e.speed}`);
    case 'scores.revealed': return d('session', 'scores revealed');
    case 'team.ended': return d('team', `finished: ${e.outcome} (${e.reason})`);
    case 'fault.injected': return d('fault', `${e.fault}: ${e.kind} on ${e.service}${e.description ? ` — ${e.description}` : ''}`);
    case 'fault.cleared': return d('fault', `${e.fault} cleared by ${e.by}`);
    case 'fault.expired': return d('fault', `${e.fault} ran its course`);
    case 'deploy': return d('deploy', `${e.service} ${e.previous} → ${e.version} (${e.reason})`);
    case 'audit': return d('audit', `${e.service}: ${e.text}`);
    case 'alert.pending': return null;
    case 'alert.firing': return d('ALERT', `${e.alert} firing on ${e.service} (${e.severity}) — ${e.summary} [${e.value}]`);
    case 'alert.resolved': return d('alert', `${e.alert} resolved`);
    case 'page': return d('page', `${e.name} (${e.oncall}) paged — ${e.reason}`);
    case 'action': {
      const via = e.via ? ` [runbook ${e.via.runbook} step ${e.via.step}]` : '';
      return d('action', `${actionText(e.action as unknown as Record<string, unknown>)}${via} → ${e.result.ok ? e.result.effect : `refused: ${e.result.message}`}`);
    }
    case 'action.completed': return d('done', e.effect);
    case 'responder.joined': return d('page', `${e.name} (${e.oncall}) joined`);
    case 'branch.fired': return d('branch', e.branch);
    case 'trap.sprung': return d('TRAP', e.text);
    case 'hint.released': return d('hint', `${e.text} (−${e.cost} points)`);
    case 'message': return d('message', e.text);
    case 'impact.started': return d('impact', 'customers are seeing errors');
    case 'impact.ended': return d('impact', 'customer impact ended');
    case 'team.mitigated': return d('mitigated', 'root cause cleared and customers served again');
    case 'team.resolved': return d('resolved', 'incident resolved');
    case 'metrics': return null;
    case 'slo.report': return e.slos.length ? d('slo', e.slos.map((s) => `${s.id}: ${s.burnedPct.toFixed(2)}% of the error budget burned`).join('; ')) : null;
    case 'session.practice': return d('session', `practice mode: bots play the other roles; ${e.hints.length} hint${e.hints.length === 1 ? '' : 's'} on demand`);
    case 'page.acknowledged': return d('page', `${e.name} (${e.oncall}) acknowledged: ${e.text}`);
    case 'comms.requested': return d('message', `${e.by} asks for a status update: ${e.text}`);
    case 'comms.answered': return d('message', `${e.by}: ${e.text} (answered after ${formatClock(e.after)})`);
  }
}
