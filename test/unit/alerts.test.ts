// The alert state machine (inactive → pending → firing → resolved, like Prometheus rules), first on
// a bare world with metrics set by hand, then in a session: events, pages, acknowledgement, escalation.
import { describe, expect, it } from 'vitest';
import { createRng } from '../../server/engine/random.ts';
import { createWorld, type World } from '../../server/engine/workload/world.ts';
import { evaluateAlerts } from '../../server/engine/workload/alerts.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import type { Session } from '../../server/engine/session/session.ts';
import { act, inject, miniWorkload, startSession, svc } from '../helpers/mini-workload.ts';

function world(): World {
  return createWorld(miniWorkload(), [], createRng(1), 1);
}

/** Sets `metric` of a service and evaluates the rules at time t. */
function at(w: World, t: number, service: string, values: Partial<World['services'][number]['m']>) {
  w.t = t;
  Object.assign(w.services[w.byId.get(service)!].m, values);
  return evaluateAlerts(w).map((x) => `${x.alert.rule.id}:${x.to}`);
}

function alertEvents(s: Session, alert: string): { type: string; t: number }[] {
  return s.events
    .filter((e): e is Extract<SessionEvent, { type: 'alert.pending' | 'alert.firing' | 'alert.resolved' }> => e.type.startsWith('alert.') && 'alert' in e && e.alert === alert)
    .map((e) => ({ type: e.type, t: e.t }));
}

function pages(s: Session) {
  return s.events.filter((e): e is Extract<SessionEvent, { type: 'page' }> => e.type === 'page').map((e) => ({ t: e.t, oncall: e.oncall, level: e.level, name: e.name, reason: e.reason }));
}

describe('alert rules on a world, metrics set by hand', () => {
  it('inactive → pending → firing after `for` (60 s) → resolved, one transition each', () => {
    const w = world();
    const rule = w.alerts.find((a) => a.rule.id === 'ApiErrors')!;
    expect(rule.forSeconds).toBe(60);
    expect(rule.state).toBe('inactive');
    expect(at(w, 10, 'api', { error_rate: 0.08 })).toEqual(['ApiErrors:pending']);
    expect(rule).toMatchObject({ state: 'pending', since: 10, value: 0.08 });
    expect(at(w, 40, 'api', { error_rate: 0.2 })).toEqual([]);
    expect(at(w, 69, 'api', { error_rate: 0.2 })).toEqual([]);
    expect(at(w, 70, 'api', { error_rate: 0.2 })).toEqual(['ApiErrors:firing']);
    expect(rule).toMatchObject({ state: 'firing', firedAt: 70, acknowledgedAt: null, escalationLevel: 0 });
    expect(at(w, 100, 'api', { error_rate: 0.3 })).toEqual([]);
    expect(at(w, 101, 'api', { error_rate: 0.01 })).toEqual(['ApiErrors:resolved']);
    expect(rule.state).toBe('inactive');
    expect(at(w, 102, 'api', { error_rate: 0.01 })).toEqual([]);
  });

  it('pending → inactive without ever firing emits nothing; the `for` clock restarts next time', () => {
    const w = world();
    expect(at(w, 0, 'api', { error_rate: 0.1 })).toEqual(['ApiErrors:pending']);
    expect(at(w, 59, 'api', { error_rate: 0.04 })).toEqual([]);
    expect(w.alerts.find((a) => a.rule.id === 'ApiErrors')!.state).toBe('inactive');
    expect(at(w, 60, 'api', { error_rate: 0.1 })).toEqual(['ApiErrors:pending']);
    expect(at(w, 119, 'api', { error_rate: 0.1 })).toEqual([]);
    expect(at(w, 120, 'api', { error_rate: 0.1 })).toEqual(['ApiErrors:firing']);
  });

  it('the threshold is strict for `>`: exactly 5% does not hold', () => {
    const w = world();
    expect(at(w, 0, 'api', { error_rate: 0.05 })).toEqual([]);
    expect(at(w, 1, 'api', { error_rate: 0.0500001 })).toEqual(['ApiErrors:pending']);
  });

  it('`and`: a multi-window burn-rate rule needs both windows; with no `for` it goes pending and firing in one step', () => {
    const w = world();
    expect(at(w, 0, 'lb', { burn_rate_5m: 20, burn_rate_1h: 3 })).toEqual([]);
    expect(at(w, 1, 'lb', { burn_rate_5m: 3, burn_rate_1h: 20 })).toEqual([]);
    expect(at(w, 2, 'lb', { burn_rate_5m: 20, burn_rate_1h: 14.5 })).toEqual(['EdgeFastBurn:pending', 'EdgeFastBurn:firing']);
    expect(at(w, 3, 'lb', { burn_rate_5m: 14, burn_rate_1h: 14.5 })).toEqual(['EdgeFastBurn:resolved']);
  });

  it('rules are evaluated in order and each on its own service', () => {
    const w = world();
    w.services[w.byId.get('db')!].m.latency_p99_ms = 500;
    expect(at(w, 0, 'api', { error_rate: 0.5 })).toEqual(['ApiErrors:pending', 'DbSlow:pending']);
    expect(at(w, 30, 'api', { error_rate: 0.5 })).toEqual(['DbSlow:firing']);
  });
});

describe('alerts in a session', () => {
  it('events alert.pending / alert.firing / alert.resolved with the right t, and a page to the routed team on firing', () => {
    const s = startSession();
    s.advanceTo(60);
    inject(s, { id: 'bug', kind: 'error-rate', service: 'api', rate: 0.2, duration: '3m' });
    s.advanceTo(300);
    // The fault acts from the tick after injection (T+61); `for: 1m` → firing at T+121; it ends at T+240.
    expect(alertEvents(s, 'ApiErrors')).toEqual([
      { type: 'alert.pending', t: 61 },
      { type: 'alert.firing', t: 121 },
      { type: 'alert.resolved', t: 240 },
    ]);
    const firing = s.events.find((e) => e.type === 'alert.firing');
    expect(firing).toMatchObject({ alert: 'ApiErrors', service: 'api', severity: 'critical', route: 'app', summary: 'api error rate above 5% for 1 minute' });
    expect((firing as { value: number }).value).toBeCloseTo(0.2, 2);
    expect(pages(s)).toEqual([{ t: 121, oncall: 'app', level: 0, name: 'Ana (primary)', reason: 'ApiErrors' }]);
  });

  it('a short blip goes pending and back without firing: no firing, no resolved, no page', () => {
    const s = startSession();
    s.advanceTo(60);
    inject(s, { id: 'blip', kind: 'error-rate', service: 'api', rate: 0.2, duration: '30s' });
    s.advanceTo(300);
    expect(alertEvents(s, 'ApiErrors')).toEqual([{ type: 'alert.pending', t: 61 }]);
    expect(pages(s)).toEqual([]);
  });

  it('an unacknowledged critical alert escalates: level 1 after 5 min, level 2 after 15 min (from firing)', () => {
    const s = startSession();
    s.advanceTo(60);
    inject(s, { id: 'bug', kind: 'error-rate', service: 'api', rate: 0.2 });
    s.advanceTo(1200);
    expect(pages(s)).toEqual([
      { t: 121, oncall: 'app', level: 0, name: 'Ana (primary)', reason: 'ApiErrors' },
      { t: 421, oncall: 'app', level: 1, name: 'Ben (secondary)', reason: 'ApiErrors not acknowledged' },
      { t: 1021, oncall: 'app', level: 2, name: 'Cleo (manager)', reason: 'ApiErrors not acknowledged' },
    ]);
  });

  it('acknowledging stops the escalation; acknowledging is checked', () => {
    const s = startSession();
    s.advanceTo(60);
    expect(act(s, { action: 'acknowledge', alert: 'ApiErrors' }).result).toEqual({ ok: false, code: 'alert/not-firing', message: 'ApiErrors is not firing' });
    expect(act(s, { action: 'acknowledge', alert: 'Nope' }).result).toEqual({ ok: false, code: 'alert/unknown', message: 'unknown alert "Nope"' });
    inject(s, { id: 'bug', kind: 'error-rate', service: 'api', rate: 0.2 });
    s.advanceTo(200);
    expect(act(s, { action: 'acknowledge', alert: 'ApiErrors' }).result).toEqual({ ok: true, effect: 'acknowledged ApiErrors' });
    expect(s.teams[0].world.alerts.find((a) => a.rule.id === 'ApiErrors')!.acknowledgedAt).toBe(200);
    expect(act(s, { action: 'acknowledge', alert: 'ApiErrors' }).result).toMatchObject({ ok: false, code: 'alert/already-acknowledged' });
    s.advanceTo(1200);
    expect(pages(s).map((p) => p.level)).toEqual([0]);
  });

  it('a warning fires but pages nobody', () => {
    const s = startSession();
    s.advanceTo(60);
    inject(s, { id: 'db-slow', kind: 'latency', service: 'db', ms: 100 });
    s.advanceTo(200);
    expect(alertEvents(s, 'DbSlow')).toEqual([{ type: 'alert.pending', t: 61 }, { type: 'alert.firing', t: 91 }]);
    expect(pages(s).filter((p) => p.reason.startsWith('DbSlow'))).toEqual([]);
  });

  it('the multi-window burn-rate rule fires when the slower 1 h window also passes 14.4× (≈ 17 min at 50% errors)', () => {
    const s = startSession();
    s.advanceTo(60);
    inject(s, { id: 'edge', kind: 'error-rate', service: 'lb', rate: 0.5 });
    const lb = svc(s, 'lb');
    // Each window is a sliding mean: after n s at error ratio e, burn = e·min(n, W)/W/(1 − 0.99).
    let n5 = 0;
    let n1h = 0;
    for (let n = 1; n < 4000; n++) {
      if (!n5 && (0.5 * Math.min(n, 300)) / 300 / 0.01 > 14.4) n5 = n;
      if (!n1h && (0.5 * Math.min(n, 3600)) / 3600 / 0.01 > 14.4) n1h = n;
    }
    expect(n5).toBe(87);
    expect(n1h).toBe(1037);
    s.advanceTo(60 + n5 + 5);
    expect(lb.m.burn_rate_5m).toBeGreaterThan(14.4);
    expect(alertEvents(s, 'EdgeFastBurn')).toEqual([]);
    s.advanceTo(60 + 1300);
    const events = alertEvents(s, 'EdgeFastBurn');
    expect(events.map((e) => e.type)).toEqual(['alert.pending', 'alert.firing']);
    expect(events[0].t).toBe(events[1].t);
    expect(Math.abs(events[1].t - (60 + n1h))).toBeLessThanOrEqual(5);
  });
});
