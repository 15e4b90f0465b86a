// Alert rules evaluated each tick like Prometheus: true → pending; true for `for` → firing;
// false → resolved (from firing) or back to inactive (from pending).
import type { AlertRuleSpec } from './schema.ts';
import type { AlertRuntime, ServiceMetrics, World } from './world.ts';

export interface AlertTransition {
  alert: AlertRuntime;
  to: 'pending' | 'firing' | 'resolved';
}

export function compare(value: number, op: AlertRuleSpec['op'], threshold: number): boolean {
  switch (op) {
    case '>': return value > threshold;
    case '>=': return value >= threshold;
    case '<': return value < threshold;
    case '<=': return value <= threshold;
    case '==': return value === threshold;
  }
}

export function ruleHolds(rule: AlertRuleSpec, m: ServiceMetrics): boolean {
  if (!compare(m[rule.metric], rule.op, rule.threshold)) return false;
  for (const c of rule.and ?? []) if (!compare(m[c.metric], c.op, c.threshold)) return false;
  return true;
}

/** Steps every alert's state machine to world.t and returns the transitions, in rule order. */
export function evaluateAlerts(world: World): AlertTransition[] {
  const out: AlertTransition[] = [];
  const t = world.t;
  for (const a of world.alerts) {
    const m = world.services[a.service].m;
    a.value = m[a.rule.metric];
    const holds = ruleHolds(a.rule, m);
    if (holds) {
      if (a.state === 'inactive') {
        a.state = 'pending';
        a.since = t;
        out.push({ alert: a, to: 'pending' });
      }
      if (a.state === 'pending' && t - a.since >= a.forSeconds) {
        a.state = 'firing';
        a.firedAt = t;
        a.acknowledgedAt = null;
        a.escalationLevel = 0;
        out.push({ alert: a, to: 'firing' });
      }
    } else if (a.state === 'firing') {
      a.state = 'inactive';
      out.push({ alert: a, to: 'resolved' });
    } else if (a.state === 'pending') {
      a.state = 'inactive';
    }
  }
  return out;
}
