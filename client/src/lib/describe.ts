// Events of the log in words, for timelines and chart markers.
import type { SessionEvent } from '../../../server/engine/session/events.ts';
import type { ActionSpec } from '../../../server/engine/actions/schema.ts';

export type Tone = 'info' | 'good' | 'bad' | 'warn' | 'muted' | 'hint';

export function describeAction(a: ActionSpec): string {
  switch (a.action) {
    case 'acknowledge':
      return `acknowledged ${a.alert}`;
    case 'declare':
      return `declared ${a.severity}: ${a.summary}${a.services?.length ? ` (${a.services.join(', ')})` : ''}`;
    case 'set-severity':
      return `set severity ${a.severity}`;
    case 'assign-role':
      return `${a.person} is ${a.role}`;
    case 'page':
      return `paged ${a.oncall}${a.reason ? ` — ${a.reason}` : ''}`;
    case 'open-runbook':
      return `opened runbook ${a.runbook}`;
    case 'run-step':
      return `ran step ${a.step} of ${a.runbook}`;
    case 'status-update':
      return `${a.audience} update: ${a.text}`;
    case 'hypothesis':
      return `hypothesis: ${a.text}`;
    case 'mark-mitigated':
      return 'marked the incident mitigated';
    case 'resolve':
      return `resolved the incident${a.summary ? `: ${a.summary}` : ''}`;
    case 'observe':
      return `looked at ${a.service} ${a.view ?? 'metrics'}`;
    case 'scale-out':
    case 'scale-in':
      return `${a.action} ${a.service} by ${a.count}`;
    case 'toggle-flag':
      return `turned flag ${a.flag} ${a.enabled ? 'on' : 'off'} on ${a.service}`;
    case 'rate-limit':
      return `rate-limited ${a.service} to ${a.rps} rps`;
    case 'shed-load':
      return `shed ${Math.round(a.fraction * 100)}% of load at ${a.service}`;
    case 'drain-zone':
      return `${a.undo ? 'undrained' : 'drained'} zone ${a.zone}`;
    default:
      return `${a.action} ${'service' in a ? a.service : ''}`.trim();
  }
}

/** One line for an event, and how it should look. */
export function describe(e: SessionEvent): { text: string; tone: Tone; who?: string } {
  switch (e.type) {
    case 'session.phase':
      return { text: `session ${e.phase}${e.reason ? ` — ${e.reason}` : ''}`, tone: e.phase === 'halted' ? 'bad' : 'muted' };
    case 'session.ended':
      return { text: `game day ended (${e.outcome}): ${e.reason}`, tone: 'info' };
    case 'session.speed':
      return { text: `speed ×${e.speed}`, tone: 'muted' };
    case 'scores.revealed':
      return { text: 'scores revealed', tone: 'info' };
    case 'team.ended':
      return { text: `team finished (${e.outcome}): ${e.reason}`, tone: e.outcome === 'resolved' ? 'good' : 'info' };
    case 'fault.injected':
      return { text: `fault injected: ${e.kind} on ${e.service}${e.description ? ` — ${e.description}` : ''} (${e.source})`, tone: 'bad' };
    case 'fault.cleared':
      return { text: `fault ${e.fault} cleared by ${e.by}`, tone: 'good' };
    case 'fault.expired':
      return { text: `fault ${e.fault} ran its course`, tone: 'muted' };
    case 'deploy':
      return { text: `deploy: ${e.service} ${e.previous} → ${e.version} (${e.reason})`, tone: 'info' };
    case 'audit':
      return { text: `${e.kind}: ${e.text}`, tone: 'muted' };
    case 'alert.pending':
      return { text: `pending: ${e.alert} — ${e.summary}`, tone: 'warn' };
    case 'alert.firing':
      return { text: `FIRING ${e.alert} (${e.severity}) — ${e.summary}`, tone: 'bad' };
    case 'alert.resolved':
      return { text: `resolved: ${e.alert}`, tone: 'good' };
    case 'page':
      return { text: `page → ${e.name} (${e.oncall}${e.level ? `, level ${e.level + 1}` : ''}): ${e.reason}`, tone: 'warn' };
    case 'action':
      return {
        text: `${describeAction(e.action)}${e.via ? ` (runbook ${e.via.runbook} step ${e.via.step})` : ''}${e.result.ok ? '' : ` — refused: ${e.result.message}`}`,
        tone: e.result.ok ? 'info' : 'warn',
        ...(e.actor ? { who: e.actor } : {}),
      };
    case 'action.completed':
      return { text: `${e.action} of ${e.service} completed: ${e.effect}`, tone: 'good' };
    case 'responder.joined':
      return { text: `${e.name} (${e.oncall}) joined the incident`, tone: 'info' };
    case 'branch.fired':
      return { text: `branch fired: ${e.branch}`, tone: 'muted' };
    case 'trap.sprung':
      return { text: `trap sprung (${e.branch}): ${e.text}`, tone: 'bad' };
    case 'hint.released':
      return { text: `hint (−${e.cost} points): ${e.text}`, tone: 'hint' };
    case 'message':
      // Scenario messages carry their branch or timeline entry as source: not for the players' eyes.
      return { text: e.text, tone: 'hint', ...(e.source === 'facilitator' ? { who: 'facilitator' } : {}) };
    case 'impact.started':
      return { text: 'customer impact started', tone: 'bad' };
    case 'impact.ended':
      return { text: 'customer impact ended', tone: 'good' };
    case 'metrics':
      return { text: 'metrics sample', tone: 'muted' };
    case 'slo.report':
      return { text: `SLO: ${e.slos.map((s) => `${s.id} ${s.burnedPct.toFixed(2)}% of budget burned`).join(', ')}`, tone: 'muted' };
    case 'team.mitigated':
      return { text: 'customer impact mitigated', tone: 'good' };
    case 'team.resolved':
      return { text: 'incident resolved', tone: 'good' };
    case 'session.practice':
      return { text: `practice drill: bots answer pages and ask for updates; ${e.hints.length} hint${e.hints.length === 1 ? '' : 's'} on demand`, tone: 'muted' };
    case 'page.acknowledged':
      return { text: e.text, tone: 'info', who: `${e.name} (${e.oncall})` };
    case 'comms.requested':
      return { text: e.text, tone: 'warn', who: e.by };
    case 'comms.answered':
      return { text: e.text, tone: 'good', who: e.by };
  }
}
