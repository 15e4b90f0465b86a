// What a scenario will do, in words: its timed steps on a time axis and its branches with their
// triggers and consequences. The scenario editor draws this while the author types; it reads the
// parsed spec only (nothing runs), so it is as cheap as validation.
import { formatClock, parseDuration } from '../../engine/duration.ts';
import { timedSteps, type Consequence } from '../../engine/scenario/compile.ts';
import type { Locate } from '../../engine/scenario/problems.ts';
import type { BranchSpec, ScenarioSpec } from '../../engine/scenario/schema.ts';
import type { MetricCondition } from '../../engine/schema-common.ts';
import type { Static } from 'typebox';

export interface PreviewFault {
  id: string;
  kind: string;
  service: string;
  rootCause: boolean;
}

export interface PreviewTimelineItem {
  at: number;
  kind: 'inject' | 'message' | 'event' | 'hint';
  text: string;
  source: string;
  line: number;
  fault?: PreviewFault;
}

export interface PreviewBranch {
  id: string;
  description: string | null;
  trigger: string;
  delay: number;
  /** When a time-based trigger (notMitigatedBy, notDone) fires at the earliest, delay included. */
  at: number | null;
  consequences: string[];
  trap: boolean;
  ends: boolean;
  line: number;
}

export interface PreviewStop {
  text: string;
  at: number | null;
  line: number;
}

export interface ScenarioPreview {
  duration: number;
  timeline: PreviewTimelineItem[];
  branches: PreviewBranch[];
  stops: PreviewStop[];
}

const at = (seconds: number) => `T+${formatClock(seconds)}`;

/** An action a branch matches, in the imperative: "restart orders", "page payments". */
type ActionLike = { action: string; service?: string; oncall?: string; flag?: string; runbook?: string; alert?: string; severity?: string };

const ACTION_PHRASES: Record<string, (m: ActionLike) => string> = {
  restart: (m) => `restart ${m.service ?? 'a service'}`,
  rollback: (m) => `roll back ${m.service ?? 'a service'}`,
  'scale-out': (m) => `scale out ${m.service ?? 'a service'}`,
  'scale-in': (m) => `scale in ${m.service ?? 'a service'}`,
  failover: (m) => `fail over ${m.service ?? 'a database'}`,
  'toggle-flag': (m) => `toggle ${m.flag ? `flag ${m.flag}` : 'a feature flag'}${m.service ? ` of ${m.service}` : ''}`,
  'flush-cache': (m) => `flush ${m.service ? `the cache ${m.service}` : 'a cache'}`,
  'restore-cache': (m) => `restore ${m.service ? `the cache ${m.service}` : 'a cache'}`,
  'rate-limit': (m) => `rate-limit ${m.service ?? 'a service'}`,
  'shed-load': (m) => `shed load on ${m.service ?? 'a service'}`,
  'drain-zone': (m) => `drain a zone${m.service ? ` of ${m.service}` : ''}`,
  'renew-cert': (m) => `renew the certificate of ${m.service ?? 'a service'}`,
  'free-disk': (m) => `free disk on ${m.service ?? 'a service'}`,
  'kill-query': (m) => `kill the slow query on ${m.service ?? 'a database'}`,
  'revert-config': (m) => `revert the config of ${m.service ?? 'a service'}`,
  observe: (m) => `look at ${m.service ?? 'a service'}`,
  acknowledge: (m) => `acknowledge ${m.alert ?? 'an alert'}`,
  declare: (m) => `declare an incident${m.severity ? ` as ${m.severity}` : ''}`,
  'set-severity': (m) => `set the severity${m.severity ? ` to ${m.severity}` : ''}`,
  'assign-role': () => 'assign a role',
  page: (m) => `page ${m.oncall ?? 'another team'}`,
  'open-runbook': (m) => `open ${m.runbook ? `runbook ${m.runbook}` : 'a runbook'}`,
  'run-step': (m) => `run a step of ${m.runbook ? `runbook ${m.runbook}` : 'a runbook'}`,
  'status-update': () => 'post a status update',
  hypothesis: () => 'write down a hypothesis',
  'mark-mitigated': () => 'mark the incident mitigated',
  resolve: () => 'resolve the incident',
};

/** "restart orders" → "restarts orders"; "flush the cache" → "flushes the cache". */
function thirdPerson(phrase: string): string {
  const [verb, ...rest] = phrase.split(' ');
  const s = /(sh|ch|s|x|z)$/.test(verb) ? `${verb}es` : `${verb}s`;
  return [s, ...rest].join(' ');
}

export function actionPhrase(m: ActionLike): string {
  return (ACTION_PHRASES[m.action] ?? ((x: ActionLike) => `do "${x.action}"${x.service ? ` on ${x.service}` : ''}`))(m);
}

export function conditionText(c: Static<typeof MetricCondition>): string {
  const held = parseDuration(c.for, 0);
  return `${c.service} ${c.metric} ${c.op} ${c.threshold}${held > 0 ? ` for ${formatClock(held)}` : ''}`;
}

/** A branch trigger in words, e.g. "when the team restarts orders while orders-v2-14 is active". */
export function triggerText(when: BranchSpec['when']): string {
  if (when.action) {
    const { while: during, ...m } = when.action;
    return `when the team ${thirdPerson(actionPhrase(m))}${during ? ` while ${during.faultActive} is active` : ''}`;
  }
  if (when.metric) return `when ${conditionText(when.metric)}`;
  if (when.notMitigatedBy !== undefined) return `if not mitigated by ${at(parseDuration(when.notMitigatedBy))}`;
  if (when.notDone) {
    const nd = when.notDone;
    const who = nd.oncall ? ` (${nd.oncall})` : '';
    return `if the team does not ${actionPhrase({ action: nd.action, service: nd.service, oncall: nd.oncall })}${nd.action === 'page' ? '' : who} by ${at(parseDuration(nd.by))}`;
  }
  if (when.after !== undefined) return `after branch ${when.after} fires`;
  return 'never (no trigger)';
}

export function consequenceText(c: Consequence): string {
  if (c.inject) return `inject ${c.inject.kind} on ${c.inject.service} (${c.inject.id})`;
  if (c.message !== undefined) return `message: ${c.message.trim()}`;
  if (c.trap !== undefined) return `trap: ${c.trap.trim()}`;
  if (c.hint !== undefined) return `release hint ${c.hint}`;
  if (c.end) return `end the run (${c.end.outcome}): ${c.end.reason}`;
  if (c.event) return `${c.event.kind} on ${c.event.service}: ${c.event.text}`;
  return 'nothing';
}

function earliest(b: BranchSpec): number | null {
  const w = b.when;
  const t = w.notMitigatedBy !== undefined ? parseDuration(w.notMitigatedBy) : w.notDone ? parseDuration(w.notDone.by) : null;
  return t === null ? null : t + parseDuration(b.delay, 0);
}

/** The preview of a scenario whose shape is valid; `locate` finds where each part is written. */
export function previewScenario(spec: ScenarioSpec, locate: Locate): ScenarioPreview {
  const roots = new Set(spec.rootCause.faults);
  const hints = new Map((spec.hints ?? []).map((h, i) => [h.id, { h, i }]));
  const timeline = timedSteps(spec).map((step): PreviewTimelineItem => {
    const then = step.then;
    const hint = then.hint !== undefined ? hints.get(then.hint) : undefined;
    const path = hint ? ['hints', hint.i] : ['timeline', Number(/\d+/.exec(step.source)?.[0] ?? 0)];
    const line = locate(path).line;
    if (then.inject) {
      const f = then.inject;
      return {
        at: step.at,
        kind: 'inject',
        text: `${f.kind} on ${f.service}${f.description ? ` — ${f.description.trim()}` : ''}`,
        source: step.source,
        line,
        fault: { id: f.id, kind: f.kind, service: f.service, rootCause: roots.has(f.id) },
      };
    }
    if (then.message !== undefined) return { at: step.at, kind: 'message', text: then.message.trim(), source: step.source, line };
    if (then.event) return { at: step.at, kind: 'event', text: `${then.event.kind} on ${then.event.service}: ${then.event.text}`, source: step.source, line };
    return { at: step.at, kind: 'hint', text: `${then.hint}: ${hint?.h.text.trim() ?? ''}`, source: step.source, line };
  });
  const branches = (spec.branches ?? []).map((b, i): PreviewBranch => ({
    id: b.id,
    description: b.description?.trim() ?? null,
    trigger: triggerText(b.when),
    delay: parseDuration(b.delay, 0),
    at: earliest(b),
    consequences: b.then.map(consequenceText),
    trap: b.then.some((c) => c.trap !== undefined),
    ends: b.then.some((c) => c.end !== undefined),
    line: locate(['branches', i]).line,
  }));
  const stops = (spec.stop ?? []).map((s, i): PreviewStop => ({
    text: `${s.outcome} ${s.when.at !== undefined ? `at ${at(parseDuration(s.when.at))}` : s.when.metric ? `when ${conditionText(s.when.metric)}` : ''}: ${s.reason}`,
    at: s.when.at !== undefined ? parseDuration(s.when.at) : null,
    line: locate(['stop', i]).line,
  }));
  return { duration: parseDuration(spec.duration), timeline, branches, stops };
}
