// One test per remediation, the traps (an action fixes only the faults it really fixes), and the
// errors an action can get back — with figures on the mini workload.
import { describe, expect, it } from 'vitest';
import { REMEDIATIONS } from '../../server/engine/actions/schema.ts';
import { CONNECTION_COST, FAILOVER_WINDOW } from '../../server/engine/actions/remediation.ts';
import type { FaultSpec } from '../../server/engine/faults/schema.ts';
import type { Session } from '../../server/engine/session/session.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import { act, inject, LB_RPS, logsOf, startSession, svc, WORKER_RPS } from '../helpers/mini-workload.ts';

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

function withFault(fault: FaultSpec | null, until: number, opts: Parameters<typeof startSession>[1] = {}): Session {
  const s = startSession([], opts);
  s.advanceTo(60);
  if (fault) expect(inject(s, fault).result.ok).toBe(true);
  s.advanceTo(until);
  return s;
}

function eventsOf<T extends SessionEvent['type']>(s: Session, type: T): Extract<SessionEvent, { type: T }>[] {
  return s.events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);
}

function isActive(s: Session, id: string): boolean {
  const f = s.teams[0].world.faults.find((x) => x.spec.id === id);
  return f !== undefined && f.clearedAt === null && (f.endsAt === null || f.endsAt > s.t);
}

const BAD_DEPLOY: FaultSpec = { id: 'v150', kind: 'bad-deploy', service: 'api', version: 'v1.5.0', errorRate: 0.3, message: 'NullPointerException at OrderService.total' };

it('every remediation kind has a test below', () => {
  expect([...REMEDIATIONS].sort()).toEqual(
    ['drain-zone', 'failover', 'flush-cache', 'free-disk', 'kill-query', 'rate-limit', 'renew-cert', 'restart', 'restore-cache',
      'revert-config', 'rollback', 'scale-in', 'scale-out', 'shed-load', 'toggle-flag'],
  );
});

describe('restart', () => {
  it('rolling: a quarter of the replicas at a time (capacity ~75%), 4 batches × 20 s start-up', () => {
    const s = withFault(null, 100);
    const api = svc(s, 'api');
    const r = act(s, { action: 'restart', service: 'api' });
    expect(r.result.ok).toBe(true);
    expect(r.result.ok && r.result.data?.until).toBe(180);
    const healthy: number[] = [];
    const saturation: number[] = [];
    for (let t = 101; t <= 185; t++) {
      s.advanceTo(t);
      healthy.push(api.m.healthy_replicas);
      saturation.push(api.m.saturation);
    }
    // 12 replicas, batches of ceil(12 × 0.25) = 3 down for 20 s each, T+100 … T+180.
    expect(healthy.slice(0, 79).every((h) => h === 9)).toBe(true);
    expect(healthy.slice(80).every((h) => h === 12)).toBe(true);
    expect(rel(api.capacity, 12 * 80)).toBeLessThan(1e-9);
    const during = saturation.slice(5, 75).reduce((a, b) => a + b, 0) / 70;
    expect(rel(during, 0.5 / 0.75)).toBeLessThan(0.03);
    expect(logsOf(s, 'api')).toContain('restarting 12 replicas (rolling), version v1.4.0');
  });

  it('all at once: every replica down for the start-up time, api fails 100%', () => {
    const s = withFault(null, 100);
    act(s, { action: 'restart', service: 'api', rolling: false });
    s.advanceTo(110);
    expect(svc(s, 'api').m.healthy_replicas).toBe(0);
    expect(svc(s, 'lb').m.error_rate).toBeGreaterThan(0.99);
    s.advanceTo(121);
    expect(svc(s, 'api').m.healthy_replicas).toBe(12);
  });

  it('resets leaked memory to the baseline (it buys time against a leak, it does not clear it)', () => {
    const s = withFault({ id: 'leak', kind: 'memory-leak', service: 'api', mbPerMinute: 300 }, 120);
    const api = svc(s, 'api');
    // 5 MB/s × 60 s ≈ 300 MB on top of 400: ~68%.
    expect(api.m.memory_pct).toBeGreaterThan(64);
    act(s, { action: 'restart', service: 'api' });
    s.advanceTo(121);
    expect(Math.max(...api.memoryMb)).toBeLessThan(400 + 5 * 1.25 * 1.01);
    expect(isActive(s, 'leak')).toBe(true);
    s.advanceTo(181);
    expect(api.m.memory_pct).toBeGreaterThan(60);
  });

  it('reconnecting pools hit the database: 12 × 4 connections × 12 queries’ worth, and cold local caches double api’s queries', () => {
    const s = withFault(null, 100);
    const db = svc(s, 'db');
    const api = svc(s, 'api');
    const before = db.m.rps;
    act(s, { action: 'restart', service: 'api' });
    const storm = (12 * 4 * CONNECTION_COST) / 10;
    expect(db.reconnectLoad).toBeCloseTo(storm, 6);
    s.advanceTo(101);
    // Decays with a 10 s time constant; the cold factor with 60 s.
    expect(db.reconnectLoad).toBeCloseTo(storm * Math.exp(-1 / 10), 6);
    expect(api.coldFactor).toBeCloseTo(1 + Math.exp(-1 / 60), 6);
    expect(rel(api.deps[0].sent / api.processed, api.coldFactor)).toBeLessThan(1e-3);
    // db: ~(480 + 96)·1.98 + 20 + 52 ≈ 1 210 q/s, about twice its load before.
    expect(db.m.rps / before).toBeGreaterThan(1.9);
    expect(db.m.rps / before).toBeLessThan(2.2);
    s.advanceTo(400);
    expect(rel(db.m.rps, before)).toBeLessThan(0.05);
  });

  it('a bad version survives a restart: same version, same errors, the fault stays', () => {
    const s = withFault(BAD_DEPLOY, 120);
    const api = svc(s, 'api');
    expect(Math.abs(api.m.error_rate - 0.3)).toBeLessThan(0.005);
    const r = act(s, { action: 'restart', service: 'api' });
    expect(r.result.ok && r.result.effect).toContain('on v1.5.0');
    s.advanceTo(240);
    expect(api.version).toBe('v1.5.0');
    expect(Math.abs(api.m.error_rate - 0.3)).toBeLessThan(0.005);
    expect(isActive(s, 'v150')).toBe(true);
    expect(eventsOf(s, 'fault.cleared')).toHaveLength(0);
  });
});

describe('rollback', () => {
  it('clears a bad deploy only after rollbackSeconds (60 s), with deploy, action.completed and fault.cleared events', () => {
    const s = withFault(BAD_DEPLOY, 120);
    const api = svc(s, 'api');
    const r = act(s, { action: 'rollback', service: 'api' });
    expect(r.result).toMatchObject({ ok: true, completesAt: 180 });
    expect(act(s, { action: 'rollback', service: 'api' }).result).toMatchObject({ ok: false, code: 'action/in-progress' });
    s.advanceTo(179);
    expect(api.version).toBe('v1.5.0');
    expect(Math.abs(api.m.error_rate - 0.3)).toBeLessThan(0.005);
    expect(isActive(s, 'v150')).toBe(true);
    s.advanceTo(180);
    expect(api.version).toBe('v1.4.0');
    expect(api.m.error_rate).toBeLessThan(0.002);
    expect(eventsOf(s, 'deploy').at(-1)).toMatchObject({ t: 180, service: 'api', version: 'v1.4.0', previous: 'v1.5.0', reason: 'rollback' });
    expect(eventsOf(s, 'action.completed')).toEqual([expect.objectContaining({ t: 180, ref: r.seq, action: 'rollback', service: 'api' })]);
    expect(eventsOf(s, 'fault.cleared')).toEqual([expect.objectContaining({ t: 180, fault: 'v150', by: 'rollback', actionSeq: r.seq })]);
  });
});

describe('scale-out and scale-in', () => {
  it('scale-out: new lb replicas arrive after provisionSeconds (default 120 s), halving its utilisation', () => {
    const s = withFault(null, 60);
    const lb = svc(s, 'lb');
    expect(act(s, { action: 'scale-out', service: 'lb', count: 3 }).result).toMatchObject({ ok: true, completesAt: 180 });
    s.advanceTo(179);
    expect(lb.m.healthy_replicas).toBe(3);
    expect(rel(lb.m.saturation, LB_RPS / 3000)).toBeLessThan(0.03);
    s.advanceTo(180);
    expect(lb.m.healthy_replicas).toBe(6);
    expect(rel(lb.m.saturation, LB_RPS / 6000)).toBeLessThan(0.03);
    expect(eventsOf(s, 'action.completed')[0]).toMatchObject({ t: 180, action: 'scale-out', service: 'lb' });
  });

  it('scale-in: replicas go at once; 12 → 9 api replicas takes ρ from 0.5 to 0.67', () => {
    const s = withFault(null, 60);
    expect(act(s, { action: 'scale-in', service: 'api', count: 3 }).result).toMatchObject({ ok: true, effect: 'api scaled in from 12 to 9 replicas' });
    s.advanceTo(61);
    expect(svc(s, 'api').m.healthy_replicas).toBe(9);
    expect(rel(svc(s, 'api').m.saturation, 2 / 3)).toBeLessThan(0.03);
    // Never below one replica.
    act(s, { action: 'scale-in', service: 'api', count: 100 });
    expect(svc(s, 'api').replicas).toBe(1);
  });
});

describe('failover', () => {
  it('a write outage of failoverSeconds: 30% of calls write and fail (the worker, which does not retry, fails 30%)', () => {
    const s = withFault(null, 100);
    const r = act(s, { action: 'failover', service: 'db' });
    expect(r.result).toMatchObject({ ok: true, effect: 'db failing over: writes fail for 30s' });
    s.advanceTo(110);
    expect(Math.abs(svc(s, 'worker').m.error_rate - 0.3)).toBeLessThan(0.01);
    // api retries twice: 0.3³ per db call, on 1 + 2·0.1 calls per request.
    expect(svc(s, 'api').m.error_rate).toBeGreaterThan(0.02);
    expect(svc(s, 'api').m.error_rate).toBeLessThan(0.05);
    expect(logsOf(s, 'worker')).toContain('ERROR: cannot execute INSERT in a read-only transaction (db failing over)');
    s.advanceTo(131);
    expect(svc(s, 'worker').m.error_rate).toBeLessThan(0.002);
  });

  it('TRAP: a second fail-over within 10 minutes splits the brain: 25% of db requests fail for 30 minutes', () => {
    const s = withFault(null, 100);
    act(s, { action: 'failover', service: 'db' });
    s.advanceTo(100 + FAILOVER_WINDOW - 1);
    expect(svc(s, 'db').m.error_rate).toBeLessThan(0.002);
    const r = act(s, { action: 'failover', service: 'db' });
    expect(r.result).toMatchObject({ ok: true, data: { splitBrain: true } });
    const split = s.teams[0].world.faults.find((f) => f.source === 'failover-twice');
    expect(split?.spec).toMatchObject({ kind: 'error-rate', service: 'db', rate: 0.25, duration: 1800 });
    s.advanceTo(s.t + 60);
    expect(Math.abs(svc(s, 'db').m.error_rate - 0.25)).toBeLessThan(0.005);
    expect(Math.abs(svc(s, 'worker').m.error_rate - 0.25)).toBeLessThan(0.01);
    expect(logsOf(s, 'db').some((l) => l.startsWith('ERROR: duplicate key value violates unique constraint'))).toBe(true);
    s.advanceTo(699 + 1800 + 1);
    expect(svc(s, 'db').m.error_rate).toBeLessThan(0.002);
  });

  it('two fail-overs more than 10 minutes apart are fine', () => {
    const s = withFault(null, 100);
    act(s, { action: 'failover', service: 'db' });
    s.advanceTo(100 + FAILOVER_WINDOW);
    expect(act(s, { action: 'failover', service: 'db' }).result).not.toHaveProperty('data');
    expect(s.teams[0].world.faults).toHaveLength(0);
  });
});

describe('toggle-flag', () => {
  it('turning `payments` off stops api calling ext: a payments outage stops failing requests at once', () => {
    const s = withFault({ id: 'psp', kind: 'dependency-outage', service: 'ext' }, 120);
    expect(Math.abs(svc(s, 'api').m.error_rate - 0.1)).toBeLessThan(0.005);
    expect(act(s, { action: 'toggle-flag', service: 'api', flag: 'payments', enabled: false }).result).toMatchObject({ ok: true, effect: 'api flag payments turned off' });
    s.advanceTo(121);
    expect(svc(s, 'api').deps[3].sent).toBe(0);
    expect(svc(s, 'ext').m.rps).toBe(0);
    expect(svc(s, 'api').m.error_rate).toBeLessThan(0.002);
    // The outage itself is not cleared: the feature is degraded, the provider still down.
    expect(isActive(s, 'psp')).toBe(true);
  });

  it('an unknown flag is an error that lists the flags there are', () => {
    const s = withFault(null, 60);
    expect(act(s, { action: 'toggle-flag', service: 'api', flag: 'payment', enabled: false }).result).toEqual({
      ok: false, code: 'action/unknown-flag', message: 'api has no feature flag "payment" (flags: payments)',
    });
    expect(act(s, { action: 'toggle-flag', service: 'db', flag: 'x', enabled: false }).result).toMatchObject({ ok: false, code: 'action/unknown-flag', message: 'db has no feature flag "x"' });
  });
});

describe('caches', () => {
  it('TRAP flush-cache under load: hit ratio 0.9 → 0, the miss path to db ×10 and db load ×2.4, warming back over minutes', () => {
    const s = withFault(null, 120);
    const db = svc(s, 'db');
    const before = db.m.rps;
    const r = act(s, { action: 'flush-cache', service: 'cache' });
    expect(r.result).toMatchObject({ ok: true, data: { hitBefore: 0.9 } });
    s.advanceTo(121);
    // 480 direct + 960 × (1 − 1/120) misses + 20 from the worker.
    expect(rel(db.m.rps, LB_RPS + 2 * LB_RPS * (1 - 0.9 / 120) + WORKER_RPS)).toBeLessThan(0.03);
    expect(db.m.rps / before).toBeGreaterThan(2.3);
    s.advanceTo(120 + 120);
    expect(Math.abs(svc(s, 'cache').m.cache_hit_ratio - 0.9 * (1 - Math.pow(1 - 1 / 120, 120)))).toBeLessThan(0.005);
    expect(act(s, { action: 'flush-cache', service: 'db' }).result).toMatchObject({ ok: false, code: 'action/not-applicable' });
  });

  it('restore-cache clears a cache failure; the cache starts cold and warms (0.57 after one time constant)', () => {
    const s = withFault({ id: 'redis', kind: 'cache-failure', service: 'cache' }, 120);
    const r = act(s, { action: 'restore-cache', service: 'cache' });
    expect(r.result.ok).toBe(true);
    expect(eventsOf(s, 'fault.cleared')).toEqual([expect.objectContaining({ fault: 'redis', by: 'restore-cache', actionSeq: r.seq })]);
    s.advanceTo(240);
    expect(Math.abs(svc(s, 'cache').m.cache_hit_ratio - 0.9 * (1 - Math.pow(1 - 1 / 120, 120)))).toBeLessThan(0.005);
    expect(svc(s, 'db').m.rps).toBeLessThan(LB_RPS + 2 * LB_RPS * 0.5 + WORKER_RPS);
  });
});

describe('rate-limit and shed-load', () => {
  it('rate-limit lb at 300 rps under a ×1.5 surge: 300 accepted, the other 420 of 720 get 429; it clears the surge', () => {
    const s = withFault({ id: 'surge', kind: 'traffic-surge', service: 'lb', multiplier: 1.5 }, 120);
    const r = act(s, { action: 'rate-limit', service: 'lb', rps: 300 });
    expect(r.result).toMatchObject({ ok: true, effect: 'lb accepts at most 300 requests/s; the rest get 429' });
    expect(eventsOf(s, 'fault.cleared')).toEqual([expect.objectContaining({ fault: 'surge', by: 'rate-limit' })]);
    s.advanceTo(121);
    const lb = svc(s, 'lb');
    // The surge fault is cleared, so 480 rps arrive: 300 pass, 37.5% are refused.
    expect(lb.accepted).toBe(300);
    expect(Math.abs(lb.m.error_rate - (1 - 300 / lb.m.rps))).toBeLessThan(0.002);
    expect(rel(lb.m.error_rate, 1 - 300 / LB_RPS)).toBeLessThan(0.05);
    expect(rel(svc(s, 'api').m.rps, 300)).toBeLessThan(1e-9);
    act(s, { action: 'rate-limit', service: 'lb', rps: 0 });
    s.advanceTo(122);
    expect(lb.m.error_rate).toBeLessThan(0.002);
  });

  it('shed-load 25% at api: api rejects a quarter, its dependencies see three quarters', () => {
    const s = withFault(null, 120);
    expect(act(s, { action: 'shed-load', service: 'api', fraction: 0.25 }).result).toMatchObject({ ok: true, effect: 'api rejects 25% of requests' });
    s.advanceTo(121);
    const api = svc(s, 'api');
    expect(Math.abs(api.m.error_rate - 0.25)).toBeLessThan(0.002);
    expect(rel(api.deps[0].sent, 0.75 * api.m.rps)).toBeLessThan(1e-3);
  });
});

describe('drain-zone', () => {
  it('fixes a zone partition at the cost of a third of capacity: api 12 → 8 replicas, ρ 0.5 → 0.75, errors gone', () => {
    const s = withFault({ id: 'az-c', kind: 'network-partition', service: 'api', zone: 'c' }, 120);
    expect(svc(s, 'api').m.error_rate).toBeGreaterThan(0.3);
    const r = act(s, { action: 'drain-zone', zone: 'c' });
    expect(r.result).toMatchObject({ ok: true, effect: 'zone c drained: its replicas take no traffic' });
    expect(eventsOf(s, 'fault.cleared')).toEqual([expect.objectContaining({ fault: 'az-c', by: 'drain-zone' })]);
    s.advanceTo(150);
    const api = svc(s, 'api');
    expect(api.m.healthy_replicas).toBe(8);
    expect(rel(api.m.saturation, 0.75)).toBeLessThan(0.03);
    expect(api.m.error_rate).toBeLessThan(0.002);
    expect(svc(s, 'lb').m.healthy_replicas).toBe(2);
    // Stateful services (caches, databases) are not drained: they fail over instead.
    expect(svc(s, 'cache').m.healthy_replicas).toBe(3);
    expect(svc(s, 'db').m.healthy_replicas).toBe(1);
    act(s, { action: 'drain-zone', zone: 'c', undo: true });
    s.advanceTo(151);
    expect(api.m.healthy_replicas).toBe(12);
  });

  it('draining the wrong zone does not clear the partition; an unknown zone is an error', () => {
    const s = withFault({ id: 'az-c', kind: 'network-partition', service: 'api', zone: 'c' }, 120);
    act(s, { action: 'drain-zone', zone: 'b' });
    expect(isActive(s, 'az-c')).toBe(true);
    expect(act(s, { action: 'drain-zone', zone: 'z' }).result).toEqual({ ok: false, code: 'action/unknown-zone', message: 'unknown zone "z" (zones: a, b, c)' });
  });
});

describe('renew-cert', () => {
  it('takes 60 s: the x509 failures go on until the new certificate is deployed', () => {
    const s = withFault({ id: 'cert', kind: 'cert-expiry', service: 'ext' }, 120);
    const r = act(s, { action: 'renew-cert', service: 'ext' });
    expect(r.result).toMatchObject({ ok: true, completesAt: 180 });
    s.advanceTo(179);
    expect(Math.abs(svc(s, 'api').m.error_rate - 0.1)).toBeLessThan(0.005);
    s.advanceTo(180);
    expect(eventsOf(s, 'action.completed')).toEqual([expect.objectContaining({ t: 180, ref: r.seq, action: 'renew-cert', service: 'ext' })]);
    expect(eventsOf(s, 'fault.cleared')).toEqual([expect.objectContaining({ t: 180, fault: 'cert', by: 'renew-cert', actionSeq: r.seq })]);
    s.advanceTo(182);
    expect(svc(s, 'api').m.error_rate).toBeLessThan(0.002);
  });
});

describe('free-disk', () => {
  it('rotates logs: 90% → 35% and the fill stops (the fault is cleared)', () => {
    const s = withFault({ id: 'disk', kind: 'disk-full', service: 'db', pctPerMinute: 60 }, 90);
    expect(svc(s, 'db').m.disk_pct).toBeCloseTo(90, 6);
    expect(act(s, { action: 'free-disk', service: 'db' }).result).toMatchObject({ ok: true, effect: 'db disk 90% -> 35%' });
    expect(eventsOf(s, 'fault.cleared')).toEqual([expect.objectContaining({ fault: 'disk', by: 'free-disk' })]);
    s.advanceTo(300);
    expect(svc(s, 'db').m.disk_pct).toBe(35);
  });
});

describe('kill-query', () => {
  it('holds a flag-driven slow query off for 90 s, then it comes back; the flag is the fix', () => {
    const s = withFault({ id: 'sq', kind: 'slow-query', service: 'db', factor: 3, flag: { service: 'api', flag: 'payments' } }, 120);
    const db = svc(s, 'db');
    expect(db.mods.slowQueryFactor).toBe(3);
    expect(act(s, { action: 'kill-query', service: 'db' }).result).toMatchObject({ ok: true, effect: 'killed the long-running queries on db; they come back unless their cause is removed' });
    expect(isActive(s, 'sq')).toBe(true);
    s.advanceTo(121);
    expect(db.mods.slowQueryFactor).toBe(1);
    expect(db.m.latency_p50_ms).toBeLessThan(10);
    s.advanceTo(209);
    expect(db.mods.slowQueryFactor).toBe(1);
    s.advanceTo(210);
    expect(db.mods.slowQueryFactor).toBe(3);
    expect(act(s, { action: 'kill-query', service: 'api' }).result).toMatchObject({ ok: false, code: 'action/not-applicable' });
  });

  it('a slow query with no feature behind it (a runaway query) is cleared by killing it', () => {
    const s = withFault({ id: 'sq', kind: 'slow-query', service: 'db', factor: 3 }, 120);
    act(s, { action: 'kill-query', service: 'db' });
    expect(eventsOf(s, 'fault.cleared')).toEqual([expect.objectContaining({ fault: 'sq', by: 'kill-query' })]);
    s.advanceTo(400);
    expect(svc(s, 'db').mods.slowQueryFactor).toBe(1);
  });
});

describe('revert-config', () => {
  it('reverts a config push everywhere it went: lb, api and worker get their CPU back', () => {
    const s = withFault({ id: 'rules', kind: 'bad-config', service: 'lb', services: ['api', 'worker'], cpuFactor: 0.3, errorRate: 0.02 }, 120);
    expect(rel(svc(s, 'api').m.saturation, 0.5 / 0.7)).toBeLessThan(0.03);
    expect(act(s, { action: 'revert-config', service: 'lb' }).result).toMatchObject({ ok: true });
    expect(eventsOf(s, 'fault.cleared')).toEqual([expect.objectContaining({ fault: 'rules', by: 'revert-config' })]);
    s.advanceTo(121);
    expect(rel(svc(s, 'api').m.saturation, 0.5)).toBeLessThan(0.03);
    expect(svc(s, 'lb').m.error_rate).toBeLessThan(0.002);
  });
});

describe('traps: an action fixes only the faults it really fixes', () => {
  it('restarting the service with the expired certificate does not renew it', () => {
    const s = withFault({ id: 'cert', kind: 'cert-expiry', service: 'ext' }, 120);
    act(s, { action: 'restart', service: 'ext' });
    act(s, { action: 'restart', service: 'api' });
    s.advanceTo(300);
    expect(isActive(s, 'cert')).toBe(true);
    expect(Math.abs(svc(s, 'api').m.error_rate - 0.1)).toBeLessThan(0.005);
    act(s, { action: 'rollback', service: 'ext' });
    s.advanceTo(500);
    expect(isActive(s, 'cert')).toBe(true);
  });

  it('scaling out does not fix a bad config: new replicas take the same push, and errors stay', () => {
    const s = withFault({ id: 'rules', kind: 'bad-config', service: 'api', cpuFactor: 0.3, errorRate: 0.05 }, 120);
    act(s, { action: 'scale-out', service: 'api', count: 2 });
    s.advanceTo(300);
    expect(isActive(s, 'rules')).toBe(true);
    const api = svc(s, 'api');
    expect(api.replicas).toBe(14);
    expect(rel(api.capacity, 14 * 80 * 0.7)).toBeLessThan(1e-9);
    // …and the two new pools push db past max_connections: 66 > 60.
    expect(svc(s, 'db').m.connections).toBe(66);
    expect(api.m.error_rate).toBeGreaterThan(0.05);
  });

  it('restarting or scaling out an api running a bad version leaves it failing', () => {
    const s = withFault(BAD_DEPLOY, 120);
    act(s, { action: 'restart', service: 'api' });
    act(s, { action: 'scale-out', service: 'worker', count: 1 });
    s.advanceTo(400);
    expect(isActive(s, 'v150')).toBe(true);
    expect(Math.abs(svc(s, 'api').m.error_rate - 0.3)).toBeLessThan(0.01);
  });
});

describe('errors', () => {
  it('an unknown service, and an action that does not apply to the kind of service', () => {
    const s = withFault(null, 60);
    expect(act(s, { action: 'restart', service: 'nope' }).result).toEqual({ ok: false, code: 'action/unknown-service', message: 'unknown service "nope"' });
    expect(act(s, { action: 'failover', service: 'api' }).result).toEqual({ ok: false, code: 'action/not-applicable', message: 'failover applies to databases; api is a api' });
    expect(act(s, { action: 'restore-cache', service: 'db' }).result).toMatchObject({ ok: false, code: 'action/not-applicable' });
    // A refused action is still recorded, and changes nothing.
    expect(eventsOf(s, 'action').at(-1)).toMatchObject({ action: { action: 'restore-cache' }, result: { ok: false } });
  });

  it('players act only on their own teams’ services until the owning team is paged and its responder has joined', () => {
    const s = withFault(null, 60, { players: ['app'] });
    expect(act(s, { action: 'restart', service: 'api' }).result.ok).toBe(true);
    expect(act(s, { action: 'failover', service: 'db' }).result).toEqual({
      ok: false, code: 'action/no-access', message: 'db belongs to Data platform: page them first (you have no access to their services)',
    });
    const page = act(s, { action: 'page', oncall: 'data', reason: 'db needs a failover' });
    expect(page.result).toMatchObject({ ok: true, completesAt: 180 });
    s.advanceTo(179);
    expect(act(s, { action: 'failover', service: 'db' }).result).toEqual({
      ok: false, code: 'action/no-access', message: 'db belongs to Data platform; they were paged and have not joined yet',
    });
    s.advanceTo(180);
    expect(eventsOf(s, 'responder.joined')).toEqual([expect.objectContaining({ t: 180, oncall: 'data', name: 'Dana (primary)' })]);
    expect(act(s, { action: 'failover', service: 'db' }).result.ok).toBe(true);
    // drain-zone is not a service's: no owner to ask.
    expect(act(s, { action: 'drain-zone', zone: 'c' }).result.ok).toBe(true);
  });
});
