// One test (or more) per fault kind: what it does to the mini workload, with figures.
import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, type FaultSpec } from '../../server/engine/faults/schema.ts';
import { queueingFactor } from '../../server/engine/workload/propagation.ts';
import type { Session } from '../../server/engine/session/session.ts';
import { act, inject, LB_RPS, logsOf, miniWorkload, startSession, svc, WORKER_RPS } from '../helpers/mini-workload.ts';

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

/** A session with `fault` injected at T+60 by the facilitator, advanced to `until`. */
function withFault(fault: FaultSpec, until: number, opts: Parameters<typeof startSession>[1] = {}): Session {
  const s = startSession([], opts);
  s.advanceTo(60);
  expect(inject(s, fault).result.ok).toBe(true);
  s.advanceTo(until);
  return s;
}

/** The same seed with no fault, for a like-for-like comparison at the same tick. */
function baseline(until: number): Session {
  const s = startSession();
  s.advanceTo(until);
  return s;
}

it('every fault kind in the schema has a test below', () => {
  expect([...FAULT_KINDS].sort()).toEqual(
    ['bad-config', 'bad-deploy', 'cache-failure', 'cert-expiry', 'cpu-saturation', 'crash', 'dependency-outage', 'disk-full',
      'error-rate', 'latency', 'memory-leak', 'network-partition', 'pool-exhaustion', 'slow-query', 'traffic-surge'],
  );
});

describe('latency', () => {
  // api: S = 20 ms at ρ = 0.5, so +200 ms of own time adds 0.9·200 + 0.69·200·ρ/(1−ρ) = 318 ms to p50.
  const full = 0.9 * 200 + 0.69 * 200 * queueingFactor(0.5);

  it('+200 ms on api adds ~318 ms to its p50 and to the p50 of lb in front of it', () => {
    const s = withFault({ id: 'slow-api', kind: 'latency', service: 'api', ms: 200 }, 120);
    const b = baseline(120);
    expect(rel(svc(s, 'api').m.latency_p50_ms - svc(b, 'api').m.latency_p50_ms, full)).toBeLessThan(0.06);
    expect(rel(svc(s, 'lb').m.latency_p50_ms - svc(b, 'lb').m.latency_p50_ms, full)).toBeLessThan(0.06);
    expect(svc(s, 'api').m.error_rate).toBeLessThan(0.002);
  });

  it('ramps in: half the added latency at half the ramp', () => {
    const s = withFault({ id: 'slow-api', kind: 'latency', service: 'api', ms: 200, ramp: '2m' }, 120);
    const b = baseline(120);
    expect(rel(svc(s, 'api').m.latency_p50_ms - svc(b, 'api').m.latency_p50_ms, full / 2)).toBeLessThan(0.06);
    s.advanceTo(240);
    b.advanceTo(240);
    expect(rel(svc(s, 'api').m.latency_p50_ms - svc(b, 'api').m.latency_p50_ms, full)).toBeLessThan(0.06);
  });

  it('cpuBound: +10 ms of work on a 20 ms service leaves 20/30 of the capacity, ρ 0.5 → 0.75', () => {
    const s = withFault({ id: 'hot-api', kind: 'latency', service: 'api', ms: 10, cpuBound: true }, 120);
    expect(rel(svc(s, 'api').m.saturation, 0.75)).toBeLessThan(0.03);
  });
});

describe('error-rate', () => {
  it('20% of api requests fail, ramped over 100 s (10% at 50 s), and lb passes them on', () => {
    const s = withFault({ id: 'api-bug', kind: 'error-rate', service: 'api', rate: 0.2, ramp: 100, message: 'TypeError: cannot read properties of undefined (reading "sku")' }, 110);
    expect(Math.abs(svc(s, 'api').m.error_rate - 0.1)).toBeLessThan(0.005);
    s.advanceTo(200);
    expect(Math.abs(svc(s, 'api').m.error_rate - 0.2)).toBeLessThan(0.005);
    expect(Math.abs(svc(s, 'lb').m.error_rate - 0.2)).toBeLessThan(0.005);
    expect(logsOf(s, 'api')).toContain('TypeError: cannot read properties of undefined (reading "sku")');
  });

  it('a `duration` expires: fault.expired at onset + duration, then errors are back to baseline', () => {
    const s = withFault({ id: 'blip', kind: 'error-rate', service: 'api', rate: 0.3, duration: '2m' }, 179);
    expect(Math.abs(svc(s, 'api').m.error_rate - 0.3)).toBeLessThan(0.005);
    expect(s.events.some((e) => e.type === 'fault.expired')).toBe(false);
    s.advanceTo(180);
    const expired = s.events.filter((e) => e.type === 'fault.expired');
    expect(expired[0]).toMatchObject({ type: 'fault.expired', fault: 'blip', t: 180 });
    expect(svc(s, 'api').m.error_rate).toBeLessThan(0.002);
    s.advanceTo(240);
    expect(svc(s, 'api').m.error_rate).toBeLessThan(0.002);
    expect(svc(s, 'lb').m.error_rate).toBeLessThan(0.002);
  });

  it('fault.expired is logged once per fault', () => {
    const s = withFault({ id: 'blip', kind: 'error-rate', service: 'api', rate: 0.3, duration: '2m' }, 240);
    expect(s.events.filter((e) => e.type === 'fault.expired')).toHaveLength(1);
  });
});

describe('crash', () => {
  it('4 of 12 api replicas down: 8 healthy, ρ 0.5 → 0.75, no errors (the balancer routes around), crash-loop logs', () => {
    const s = withFault({ id: 'api-crash', kind: 'crash', service: 'api', replicas: 4, crashLoop: true, message: 'panic: assignment to entry in nil map' }, 150);
    const api = svc(s, 'api');
    expect(api.m.healthy_replicas).toBe(8);
    expect(rel(api.m.saturation, 0.75)).toBeLessThan(0.03);
    expect(api.m.error_rate).toBeLessThan(0.002);
    expect(logsOf(s, 'api')).toContain('Back-off restarting failed container api (CrashLoopBackOff)');
    expect(logsOf(s, 'api')).toContain('panic: assignment to entry in nil map');
  });

  it('every replica down: api and lb fail 100%', () => {
    const s = withFault({ id: 'api-crash', kind: 'crash', service: 'api', replicas: 12 }, 90);
    expect(svc(s, 'api').m.healthy_replicas).toBe(0);
    expect(svc(s, 'api').m.error_rate).toBe(1);
    expect(svc(s, 'lb').m.error_rate).toBeGreaterThan(0.99);
  });
});

describe('cpu-saturation', () => {
  it('a noisy neighbour taking 25% of api CPU: capacity 720, ρ 0.5 → 0.667, cpu ≈ 0.04 + 0.25 + 0.75·0.96·0.667 = 0.77', () => {
    const s = withFault({ id: 'neighbour', kind: 'cpu-saturation', service: 'api', factor: 0.25 }, 120);
    const api = svc(s, 'api');
    expect(rel(api.capacity, 12 * 80 * 0.75)).toBeLessThan(1e-9);
    expect(rel(api.m.saturation, 2 / 3)).toBeLessThan(0.03);
    expect(Math.abs(api.m.cpu - 0.77)).toBeLessThan(0.02);
  });
});

describe('memory-leak', () => {
  it('600 MB/min towards a 1 024 MB limit: ~78% after 30 s, OOM kills spread from ~35 s to ~83 s, replicas restart at baseline', () => {
    const s = withFault({ id: 'leak', kind: 'memory-leak', service: 'api', mbPerMinute: 600 }, 90);
    const api = svc(s, 'api');
    // Replicas start between 400 MB and 400 + 30% of the 624 MB headroom (mean ~494 MB), then leak
    // 10 MB/s × per-replica jitter (0.75–1.25, mean ~1): after 30 s, ~794 MB of 1 024 on average.
    expect(Math.abs(api.m.memory_pct - ((494 + 300) / 1024) * 100)).toBeLessThan(4);
    // The fastest replica needs at least (1024 − 587) / 12.5 ≈ 35 s to reach the limit.
    const killedBy = (t: number) => { s.advanceTo(t); return logsOf(s, 'api').filter((l) => l.startsWith('OOMKilled: container api exceeded memory limit 1024Mi')).length; };
    expect(killedBy(60 + 34)).toBe(0);
    // The slowest (from 400 MB at 7.5 MB/s) is killed by 624 / 7.5 ≈ 83 s; kills are spread out,
    // not all in the same minute-fraction: at 60 s after onset some, but not all, are dead.
    let minHealthy = 12;
    const spread = killedBy(60 + 60);
    expect(spread).toBeGreaterThan(0);
    expect(spread).toBeLessThan(12);
    while (s.t < 60 + 84) {
      s.advanceTo(s.t + 1);
      minHealthy = Math.min(minHealthy, api.m.healthy_replicas);
    }
    expect(killedBy(60 + 84)).toBe(12);
    expect(minHealthy).toBeLessThan(12);
    expect(minHealthy).toBeGreaterThan(0);
    // Each killed replica comes back after startupSeconds (20 s) at 400 MB — and starts leaking again.
    expect(Math.min(...api.memoryMb)).toBeLessThan(400 + 10 * 1.25 * 25);
    expect(logsOf(s, 'api').filter((l) => l.startsWith('OOMKilled')).length).toBeGreaterThanOrEqual(12);
  });
});

describe('dependency-outage', () => {
  it('mode errors: ext fails every call; api (10% of requests call ext) fails ~10%; two retries triple ext load', () => {
    const s = withFault({ id: 'psp-down', kind: 'dependency-outage', service: 'ext' }, 120);
    const api = svc(s, 'api');
    const ext = svc(s, 'ext');
    expect(ext.m.error_rate).toBe(1);
    expect(Math.abs(api.m.error_rate - 0.1)).toBeLessThan(0.005);
    expect(rel(ext.m.rps / (0.1 * api.processed), 3)).toBeLessThan(0.01);
    expect(logsOf(s, 'api')).toContain('call to ext returned 503 Service Unavailable (attempt 3/3)');
  });

  it('mode timeouts: the same 10% fail, and those calls hang for ext’s 5 s timeout (api p99 ≥ 5 s)', () => {
    const s = withFault({ id: 'psp-hang', kind: 'dependency-outage', service: 'ext', mode: 'timeouts' }, 120);
    const b = baseline(120);
    const api = svc(s, 'api');
    expect(Math.abs(api.m.error_rate - 0.1)).toBeLessThan(0.005);
    expect(api.m.latency_p99_ms).toBeGreaterThan(5000);
    expect(svc(b, 'api').m.latency_p99_ms).toBeLessThan(400);
    // p50 grows by (share of requests calling ext) × (half the timeout + two more tries of ext's
    // own ~137 ms): 0.1 × (2 500 + 2 × 137) ≈ 277 ms.
    expect(rel(api.m.latency_p50_ms - svc(b, 'api').m.latency_p50_ms, 0.1 * (2500 + 2 * svc(s, 'ext').m.latency_p50_ms))).toBeLessThan(0.05);
    expect(logsOf(s, 'api')).toContain('call to ext timed out after 5000ms (attempt 3/3)');
  });
});

describe('network-partition', () => {
  it('zone a of api (4 of 12 replicas) cut off: a third of api requests fail, db sees two thirds of api queries', () => {
    const b = baseline(120);
    const s = withFault({ id: 'az-a', kind: 'network-partition', service: 'api', zone: 'a' }, 120);
    const api = svc(s, 'api');
    expect(api.m.healthy_replicas).toBe(12);
    expect(api.m.error_rate).toBeGreaterThan(1 / 3);
    expect(api.m.error_rate).toBeLessThan(0.4);
    expect(rel(api.deps[0].sent, (2 / 3) * svc(b, 'api').deps[0].sent)).toBeLessThan(0.03);
    // Their calls hang until the dependencies' timeouts: p99 pinned at api's own 10 s timeout.
    expect(api.m.latency_p99_ms).toBe(10000);
    expect(logsOf(s, 'api')).toContain('zone a: dial tcp: i/o timeout reaching dependencies (db, cache, ext)');
  });

  it('`from: [worker]` on db cuts only the worker off: it fails every job, api is untouched, db loses 20 q/s', () => {
    const s = withFault({ id: 'cut', kind: 'network-partition', service: 'db', from: ['worker'] }, 120);
    expect(svc(s, 'worker').m.error_rate).toBeGreaterThan(0.99);
    expect(svc(s, 'worker').deps[0].sent).toBe(0);
    expect(svc(s, 'api').m.error_rate).toBeLessThan(0.002);
    // db now serves api alone: its direct queries and the cache misses, ~576 q/s instead of ~596.
    const api = svc(s, 'api');
    expect(rel(svc(s, 'db').m.rps, api.deps[0].sent + api.deps[2].sent)).toBeLessThan(1e-9);
    expect(rel(svc(s, 'db').m.rps, LB_RPS * 1.2)).toBeLessThan(0.03);
    expect(logsOf(s, 'worker')).toContain('dial tcp db.internal:443: i/o timeout');
    expect(logsOf(s, 'api').some((l) => l.includes('i/o timeout'))).toBe(false);
  });

  it('without zone or from, every caller is cut off', () => {
    const s = withFault({ id: 'cut', kind: 'network-partition', service: 'db' }, 120);
    expect(svc(s, 'worker').m.error_rate).toBeGreaterThan(0.99);
    expect(svc(s, 'api').m.error_rate).toBeGreaterThan(0.99);
    expect(svc(s, 'db').m.rps).toBeLessThan(1);
  });
});

describe('disk-full', () => {
  it('db at 60% filling 1%/min·60: 80% after 20 s, 100% at 40 s, then writes fail, it crash-loops, "no space left on device"', () => {
    const s = withFault({ id: 'disk', kind: 'disk-full', service: 'db', pctPerMinute: 60 }, 80);
    const db = svc(s, 'db');
    expect(db.m.disk_pct).toBeCloseTo(80, 6);
    s.advanceTo(99);
    expect(db.m.disk_pct).toBeCloseTo(99, 6);
    expect(svc(s, 'api').m.error_rate).toBeLessThan(0.002);
    s.advanceTo(100);
    expect(db.m.disk_pct).toBe(100);
    // The first tick at 100%: 30% of calls write and fail; after two retries 0.3³ = 2.7% of api requests.
    expect(Math.abs(svc(s, 'api').m.error_rate - 0.3 ** 3)).toBeLessThan(0.01);
    s.advanceTo(101);
    // Then the only replica crash-loops: down for its 60 s start-up, up for a tick, down again.
    expect(db.m.healthy_replicas).toBe(0);
    expect(db.m.error_rate).toBe(1);
    expect(svc(s, 'api').m.error_rate).toBeGreaterThan(0.99);
    let up = 0;
    for (let t = 102; t <= 250; t++) {
      s.advanceTo(t);
      if (db.m.healthy_replicas > 0) up++;
    }
    expect(up).toBeGreaterThan(0);
    expect(up).toBeLessThan(5);
    expect(logsOf(s, 'db')).toContain('write /var/lib/db/data: no space left on device');
  });
});

describe('cert-expiry', () => {
  it('ext’s certificate expires: every TLS call fails, the x509 error is in the CALLER’s logs, ext itself looks fine', () => {
    const s = withFault({ id: 'cert', kind: 'cert-expiry', service: 'ext' }, 120);
    const api = svc(s, 'api');
    expect(Math.abs(api.m.error_rate - 0.1)).toBeLessThan(0.005);
    expect(svc(s, 'ext').m.error_rate).toBeLessThan(0.001);
    const x509 = 'Post "https://ext.internal/": x509: certificate has expired or is not yet valid: current time is after 2026-11-27T00:00:00Z';
    expect(logsOf(s, 'api')).toContain(x509);
    expect(logsOf(s, 'ext').some((l) => l.includes('x509'))).toBe(false);
  });
});

describe('bad-deploy', () => {
  it('api v1.5.0 fails 30% and makes 2 extra db queries per request: a deploy event, db load 596 → ~1 556 q/s', () => {
    const s = withFault(
      { id: 'v150', kind: 'bad-deploy', service: 'api', version: 'v1.5.0', errorRate: 0.3, extraCalls: { service: 'db', callsPerRequest: 2 }, message: 'NullPointerException at OrderService.total(OrderService.java:88)' },
      120,
    );
    expect(s.events.find((e) => e.type === 'deploy')).toMatchObject({ type: 'deploy', service: 'api', version: 'v1.5.0', previous: 'v1.4.0', reason: 'release', t: 60 });
    expect(svc(s, 'api').version).toBe('v1.5.0');
    expect(Math.abs(svc(s, 'api').m.error_rate - 0.3)).toBeLessThan(0.005);
    const api = svc(s, 'api');
    expect(rel(api.deps[0].sent / api.processed, 3)).toBeLessThan(0.01);
    expect(rel(svc(s, 'db').m.rps, LB_RPS * 3 + LB_RPS * 0.2 + WORKER_RPS)).toBeLessThan(0.03);
    expect(logsOf(s, 'api')).toContain('NullPointerException at OrderService.total(OrderService.java:88)');
  });
});

describe('bad-config', () => {
  it('a rules push to lb, api and worker: each loses 30% of its CPU and fails 2%; an audit event shows the change', () => {
    const s = withFault({ id: 'rules', kind: 'bad-config', service: 'lb', services: ['api', 'worker'], cpuFactor: 0.3, errorRate: 0.02, change: 'waf rules push #4411 (regex for /checkout)' }, 120);
    expect(s.events.find((e) => e.type === 'audit')).toMatchObject({ service: 'lb', kind: 'config', text: 'waf rules push #4411 (regex for /checkout)', t: 60 });
    expect(rel(svc(s, 'api').m.saturation, 480 / (960 * 0.7))).toBeLessThan(0.03);
    expect(rel(svc(s, 'worker').m.saturation, 20 / (100 * 0.7))).toBeLessThan(0.03);
    expect(rel(svc(s, 'lb').m.saturation, 480 / (3000 * 0.7))).toBeLessThan(0.03);
    expect(Math.abs(svc(s, 'api').m.error_rate - 0.02)).toBeLessThan(0.002);
    expect(Math.abs(svc(s, 'worker').m.error_rate - 0.02)).toBeLessThan(0.002);
    // lb fails its own 2% and passes on api's: 1 − 0.98² = 3.96%.
    expect(Math.abs(svc(s, 'lb').m.error_rate - (1 - 0.98 * 0.98))).toBeLessThan(0.002);
    for (const id of ['lb', 'api', 'worker']) expect(svc(s, id).m.cpu).toBeGreaterThan(0.3);
    expect(svc(s, 'db').m.cpu).toBeLessThan(0.4);
  });
});

describe('traffic-surge', () => {
  it('×1.5 at lb ramped over 60 s: 600 rps at 30 s, 720 rps after; the top-clients log names the source', () => {
    const s = startSession();
    s.advanceTo(60);
    inject(s, { id: 'surge', kind: 'traffic-surge', service: 'lb', multiplier: 1.5, ramp: 60, source: 'AS64500 (scraper)' });
    const lb = svc(s, 'lb');
    s.advanceTo(90);
    expect(rel(lb.m.rps, LB_RPS * 1.25)).toBeLessThan(0.03);
    s.advanceTo(150);
    expect(rel(lb.m.rps, LB_RPS * 1.5)).toBeLessThan(0.03);
    expect(rel(svc(s, 'api').m.saturation, 0.75)).toBeLessThan(0.03);
    expect(logsOf(s, 'lb')).toContain('top clients: AS64500 (scraper) 33% of requests');
  });
});

describe('cache-failure', () => {
  it('hit ratio 0 and db takes every read: 480 + 960 + 20 = 1 460 q/s', () => {
    const s = withFault({ id: 'redis', kind: 'cache-failure', service: 'cache' }, 120);
    expect(svc(s, 'cache').m.cache_hit_ratio).toBe(0);
    expect(rel(svc(s, 'db').m.rps, LB_RPS + 2 * LB_RPS + WORKER_RPS)).toBeLessThan(0.03);
  });
});

describe('pool-exhaustion', () => {
  it('api leaks 1 connection/s per replica: its 4-connection pools run dry in ~4 s and every request fails', () => {
    const s = withFault({ id: 'leak', kind: 'pool-exhaustion', service: 'api', dependency: 'db', perMinute: 60 }, 62);
    const api = svc(s, 'api');
    expect(api.deps[0].leaked).toBeCloseTo(2, 6);
    expect(api.m.error_rate).toBeLessThan(0.01);
    s.advanceTo(75);
    expect(api.deps[0].leaked).toBe(4);
    expect(api.deps[0].sent).toBe(0);
    expect(api.m.pool_utilisation).toBe(1);
    expect(api.m.error_rate).toBeGreaterThan(0.99);
    // The database looks idle: only the cache misses and the worker reach it.
    expect(rel(svc(s, 'db').m.rps, LB_RPS * 0.2 + WORKER_RPS)).toBeLessThan(0.05);
    expect(logsOf(s, 'api').some((l) => l.startsWith('timeout acquiring connection from pool "db" (waited 3000 ms, active=4 idle=0'))).toBe(true);
  });
});

describe('slow-query', () => {
  it('half the queries 3× slower: db service time ×2, capacity ÷2, ρ 0.3 → 0.6, the statement in db logs', () => {
    const s = withFault({ id: 'sq', kind: 'slow-query', service: 'db', factor: 3, fraction: 0.5, query: 'SELECT * FROM orders WHERE note ILIKE $1' }, 120);
    const db = svc(s, 'db');
    const b = baseline(120);
    expect(rel(db.m.saturation, 2 * svc(b, 'db').m.saturation)).toBeLessThan(0.03);
    // p50 = 0.9·10 + 0.69·10·ρ/(1−ρ) at ρ ≈ 0.6.
    expect(rel(db.m.latency_p50_ms, 0.9 * 10 + 0.69 * 10 * queueingFactor(db.rho))).toBeLessThan(0.05);
    expect(logsOf(s, 'db').some((l) => /^duration: \d+\.\d{3} ms  statement: SELECT \* FROM orders WHERE note ILIKE \$1$/.test(l))).toBe(true);
  });

  it('flag variant: the query runs only while api’s `payments` flag is on; turning it off clears the fault', () => {
    const fault: FaultSpec = { id: 'sq', kind: 'slow-query', service: 'db', factor: 3, flag: { service: 'api', flag: 'payments' } };
    const off = withFault(fault, 120, { workload: miniWorkload({ services: { api: { flags: { payments: false } } } }) });
    expect(svc(off, 'db').mods.slowQueryFactor).toBe(1);
    expect(svc(off, 'db').m.saturation).toBeLessThan(0.32);

    const s = withFault(fault, 120);
    expect(svc(s, 'db').mods.slowQueryFactor).toBe(3);
    // Capacity ÷3: ρ would be 0.3 × 3 = 0.9, but queries now hold api's connections ~100 ms and
    // its 4-connection pools run dry, holding db back a little (~0.85) and failing ~6% at api.
    expect(svc(s, 'db').capacity).toBeCloseTo(2000 / 3, 6);
    expect(svc(s, 'db').m.saturation).toBeGreaterThan(0.8);
    expect(svc(s, 'db').m.saturation).toBeLessThan(0.9);
    expect(svc(s, 'api').m.pool_utilisation).toBe(1);
    const r = act(s, { action: 'toggle-flag', service: 'api', flag: 'payments', enabled: false });
    expect(r.result.ok).toBe(true);
    expect(s.events.find((e) => e.type === 'fault.cleared')).toMatchObject({ fault: 'sq', by: 'toggle-flag', actionSeq: r.seq });
    s.advanceTo(121);
    expect(svc(s, 'db').mods.slowQueryFactor).toBe(1);
    expect(svc(s, 'db').m.saturation).toBeLessThan(0.32);
  });
});
