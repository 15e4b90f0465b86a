// The runtime state of one team's copy of the workload: what the simulation mutates each tick.
import { fromState, type Rng } from '../random.ts';
import type { FaultSpec } from '../faults/schema.ts';
import type { AlertRuleSpec, DependencySpec, ServiceSpec, WorkloadSpec } from './schema.ts';
import { parseDuration } from '../duration.ts';
import { Interner, LogRing } from './log-ring.ts';

export interface ServiceMetrics {
  rps: number;
  error_rate: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  saturation: number;
  cpu: number;
  memory_pct: number;
  queue_depth: number;
  healthy_replicas: number;
  pool_utilisation: number;
  connections: number;
  disk_pct: number;
  cache_hit_ratio: number;
  burn_rate_5m: number;
  burn_rate_1h: number;
  error_budget_burned_pct: number;
}

export function emptyMetrics(): ServiceMetrics {
  return {
    rps: 0, error_rate: 0, latency_p50_ms: 0, latency_p99_ms: 0, saturation: 0, cpu: 0, memory_pct: 0,
    queue_depth: 0, healthy_replicas: 0, pool_utilisation: 0, connections: 0, disk_pct: 0, cache_hit_ratio: 0,
    burn_rate_5m: 0, burn_rate_1h: 0, error_budget_burned_pct: 0,
  };
}

/** What active faults do to one service this tick; recomputed from scratch every tick. */
export interface Mods {
  addLatencyMs: number;
  capacityLoss: number;
  errorRate: number;
  errorMessage: string | null;
  leakMbPerSec: number;
  trafficMult: number;
  cacheDown: boolean;
  certExpired: boolean;
  diskFillPctPerSec: number;
  outage: 0 | 1 | 2;
  partitionZone: string | null;
  partitionFrom: string[] | null;
  slowQueryFactor: number;
  /** How much slower the slow query itself runs (the blended factor above is over all queries). */
  slowQueryPeak: number;
  slowQuery: string | null;
  /** Why capacity is lost, for the logs: a config push or plain CPU contention. */
  capacityCause: 'config' | 'cpu' | null;
  crashLoop: boolean;
  surgeSource: string | null;
  extraCalls: Map<number, number>;
  poolLeakPerSec: Map<number, number>;
}

export function emptyMods(): Mods {
  return {
    addLatencyMs: 0, capacityLoss: 0, errorRate: 0, errorMessage: null, leakMbPerSec: 0, trafficMult: 1,
    cacheDown: false, certExpired: false, diskFillPctPerSec: 0, outage: 0, partitionZone: null, partitionFrom: null,
    slowQueryFactor: 1, slowQueryPeak: 1, slowQuery: null, capacityCause: null, crashLoop: false, surgeSource: null, extraCalls: new Map(), poolLeakPerSec: new Map(),
  };
}

export function resetMods(m: Mods): void {
  m.addLatencyMs = 0; m.capacityLoss = 0; m.errorRate = 0; m.errorMessage = null; m.leakMbPerSec = 0; m.trafficMult = 1;
  m.cacheDown = false; m.certExpired = false; m.diskFillPctPerSec = 0; m.outage = 0; m.partitionZone = null; m.partitionFrom = null;
  m.slowQueryFactor = 1; m.slowQueryPeak = 1; m.slowQuery = null; m.capacityCause = null; m.crashLoop = false; m.surgeSource = null; m.extraCalls.clear(); m.poolLeakPerSec.clear();
}

export interface DepRuntime {
  spec: DependencySpec;
  target: number;
  calls: number;
  /** Index of the cache whose misses reach this dependency, or -1. */
  viaCache: number;
  poolSize: number;
  acquireTimeoutMs: number;
  /** Failure fraction this caller saw per call last tick: drives retries (one tick of lag, as in life). */
  seenError: number;
  /** Calls per second sent this tick (after retries, pool admission and partition). */
  sent: number;
  /** Pool demand per caller replica this tick (Little's law: calls/s × seconds held). */
  poolDemand: number;
  /** Connections leaked per replica (pool-exhaustion fault), cleared by a restart. */
  leaked: number;
}

export interface Outage {
  from: number;
  until: number;
  count: number;
  reason: 'restart' | 'oom' | 'crash-loop' | 'disk';
}

export interface ServiceRuntime {
  id: string;
  idx: number;
  spec: ServiceSpec;
  deps: DepRuntime[];
  callers: number[];
  replicas: number;
  crashed: number;
  outages: Outage[];
  version: string;
  versions: string[];
  flags: Record<string, boolean>;
  rateLimitRps: number | null;
  shedFraction: number;
  /** Current cache hit ratio (caches). */
  cacheHit: number;
  memoryMb: number[];
  /**
   * Per replica, how fast a leak grows there (200 factors, made on the first leak: most runs never
   * leak, and 200 numbers per service were a third of a team's workload state).
   */
  leakJitter: number[] | null;
  /** The random state the factors are drawn from, so that they are the same whenever made. */
  leakState: [number, number, number, number];
  diskPct: number;
  backlog: number;
  trafficNoise: number;
  latencyNoise: number;
  failoverUntil: number;
  lastFailoverAt: number;
  /** Extra requests-per-second of work from reconnecting pools; decays each tick. */
  reconnectLoad: number;
  /** Multiplier on calls to databases while local caches are cold after a restart; decays to 1. */
  coldFactor: number;
  certRenewedAt: number;
  // per tick
  load: number;
  ownLoad: number;
  accepted: number;
  processed: number;
  rho: number;
  capacity: number;
  healthy: number;
  mods: Mods;
  m: ServiceMetrics;
  /** Why requests fail this tick, as fractions: used by logs and by bots that read them. */
  refusedFraction: number;
  poolFail: number;
  depFail: number;
  timedOut: number;
  overload: number;
  hang: number;
  /** EWMA error ratios for burn-rate windows and the cumulative bad-request fraction of the SLO window. */
  /** Sliding windows of per-tick error ratios for the burn-rate metrics (SLO services only). */
  burn: BurnWindows | null;
  budgetBurned: number;
  sloObjective: number;
  sloWindow: number;
}

export interface ActiveFault {
  spec: FaultSpec;
  onset: number;
  rampSeconds: number;
  endsAt: number | null;
  clearedAt: number | null;
  /** kill-query holds a slow query off until this time; the cause brings it back. */
  suppressedUntil: number;
  source: string;
  service: number;
  /** Extra services a bad config reaches. */
  targets: number[];
}

export type AlertState = 'inactive' | 'pending' | 'firing';

export interface AlertRuntime {
  rule: AlertRuleSpec;
  service: number;
  forSeconds: number;
  state: AlertState;
  since: number;
  firedAt: number;
  acknowledgedAt: number | null;
  escalationLevel: number;
  value: number;
}

export interface LogLine {
  t: number;
  service: string;
  level: 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  message: string;
}

export interface Scheduled {
  at: number;
  kind: 'rollback' | 'provision' | 'renew-cert' | 'responder';
  service: number;
  count?: number;
  team?: string;
  id: number;
  actionSeq: number;
}

/** A team's copy of the workload. */
export interface World {
  spec: WorkloadSpec;
  zones: string[];
  services: ServiceRuntime[];
  byId: Map<string, number>;
  /** Callers before callees. */
  topo: number[];
  alerts: AlertRuntime[];
  faults: ActiveFault[];
  scheduled: Scheduled[];
  drainedZones: Set<string>;
  /** Per service (by index): the recent log lines, oldest first. */
  logs: LogRing[];
  audit: LogLine[];
  rng: Rng;
  t: number;
  dt: number;
  nextScheduledId: number;
}

export const LOG_RING = 300;

/**
 * The error ratio over the last 5 minutes (a ring buffer of ticks) and the last hour (a ring of 61
 * one-minute sums: an hour of ticks would cost 28 KiB per SLO per team; the oldest minute is
 * counted for the share of it still inside the hour, so the mean moves smoothly).
 */
export interface BurnWindows {
  short: Float64Array;
  shortSum: number;
  /** Sum of error ratios per minute; `minute` is the one being filled. */
  minutes: Float64Array;
  minute: number;
  /** Ticks in a minute, and how many of the current minute have passed. */
  perMinute: number;
  filled: number;
  /** Sum of the 60 full minutes before the current one (the oldest only partly inside the hour). */
  fullSum: number;
  i: number;
}

export function burnWindows(dt: number): BurnWindows {
  return {
    short: new Float64Array(Math.max(1, Math.round(300 / dt))),
    shortSum: 0,
    minutes: new Float64Array(61),
    minute: 0,
    perMinute: Math.max(1, Math.round(60 / dt)),
    filled: 0,
    fullSum: 0,
    i: 0,
  };
}

/** Adds this tick's error ratio and returns the mean over each window (time before T+0 counts as error-free). */
export function pushBurn(w: BurnWindows, errorRatio: number): [number, number] {
  const s = w.i % w.short.length;
  w.shortSum += errorRatio - w.short[s];
  w.short[s] = errorRatio;
  w.i++;
  const m = w.minutes;
  if (w.filled === w.perMinute) {
    // The current minute is complete: it joins the full ones, the oldest leaves, a new one starts.
    const next = (w.minute + 1) % m.length;
    w.fullSum += m[w.minute] - m[next];
    w.minute = next;
    m[next] = 0;
    w.filled = 0;
  }
  m[w.minute] += errorRatio;
  w.filled++;
  const oldest = m[(w.minute + 1) % m.length];
  const inside = w.fullSum - oldest + oldest * (1 - w.filled / w.perMinute) + m[w.minute];
  return [Math.max(0, w.shortSum) / w.short.length, Math.max(0, inside) / ((m.length - 1) * w.perMinute)];
}

export function createWorld(spec: WorkloadSpec, extraAlerts: AlertRuleSpec[], rng: Rng, dt = 1): World {
  const byId = new Map<string, number>();
  spec.services.forEach((s, i) => byId.set(s.id, i));
  const services: ServiceRuntime[] = spec.services.map((s, idx) => {
    const replicas = s.replicas;
    const jitterRng = rng.fork('leak:' + s.id);
    // Replicas started at different times hold different amounts of memory, so a leak does not
    // OOM-kill them all in the same minute.
    const base = s.memoryBaselineMb ?? 300;
    const headroom = Math.max(0, (s.memoryLimitMb ?? 1024) - base);
    return {
      id: s.id,
      idx,
      spec: s,
      deps: [],
      callers: [],
      replicas,
      crashed: 0,
      outages: [],
      version: s.version ?? 'v1.0.0',
      versions: [s.previousVersion ?? previousOf(s.version ?? 'v1.0.0'), s.version ?? 'v1.0.0'],
      flags: { ...(s.flags ?? {}) },
      rateLimitRps: null,
      shedFraction: 0,
      cacheHit: s.kind === 'cache' ? (s.cacheHitRatio ?? 0.9) : 0,
      memoryMb: Array.from({ length: replicas }, () => base + headroom * 0.3 * jitterRng.next()),
      leakJitter: null,
      leakState: jitterRng.state(),
      diskPct: s.diskUsedPct ?? 40,
      backlog: 0,
      trafficNoise: 0,
      latencyNoise: 0,
      failoverUntil: -1,
      lastFailoverAt: -Infinity,
      reconnectLoad: 0,
      coldFactor: 1,
      certRenewedAt: -1,
      load: 0, ownLoad: 0, accepted: 0, processed: 0, rho: 0, capacity: 0, healthy: replicas,
      mods: emptyMods(),
      m: emptyMetrics(),
      refusedFraction: 0, poolFail: 0, depFail: 0, timedOut: 0, overload: 0, hang: 0,
      burn: null, budgetBurned: 0, sloObjective: 0, sloWindow: 30 * 86400,
    };
  });
  for (const svc of services) {
    for (const d of svc.spec.dependencies ?? []) {
      const target = byId.get(d.service);
      if (target === undefined) continue;
      svc.deps.push({
        spec: d,
        target,
        calls: d.callsPerRequest ?? 1,
        viaCache: d.onCacheMissOf ? (byId.get(d.onCacheMissOf) ?? -1) : -1,
        poolSize: d.pool?.size ?? 0,
        acquireTimeoutMs: d.pool?.acquireTimeoutMs ?? 5000,
        seenError: 0,
        sent: 0,
        poolDemand: 0,
        leaked: 0,
      });
      services[target].callers.push(svc.idx);
    }
  }
  for (const slo of spec.slos ?? []) {
    const i = byId.get(slo.service);
    if (i === undefined) continue;
    services[i].sloObjective = slo.objective;
    services[i].sloWindow = parseDuration(slo.window, 30 * 86400);
    services[i].burn = burnWindows(dt);
  }
  const alerts: AlertRuntime[] = [...(spec.alerts ?? []), ...extraAlerts].flatMap((rule) => {
    const service = byId.get(rule.service);
    if (service === undefined) return [];
    return [{ rule, service, forSeconds: parseDuration(rule.for, 0), state: 'inactive' as AlertState, since: 0, firedAt: 0, acknowledgedAt: null, escalationLevel: 0, value: 0 }];
  });
  return {
    spec,
    zones: spec.zones ?? ['a', 'b', 'c'],
    services,
    byId,
    topo: topologicalOrder(services),
    alerts,
    faults: [],
    scheduled: [],
    drainedZones: new Set(),
    logs: ringsFor(services),
    audit: [],
    rng,
    t: 0,
    dt,
    nextScheduledId: 1,
  };
}

function previousOf(version: string): string {
  const m = /^(.*?)(\d+)$/.exec(version);
  if (!m) return version + '-prev';
  const n = Number(m[2]);
  return n > 0 ? m[1] + String(n - 1) : version + '-prev';
}

/** Kahn's algorithm; services in a cycle (rejected by validation) keep their file order at the end. */
export function topologicalOrder(services: ServiceRuntime[]): number[] {
  const indegree = services.map(() => 0);
  for (const s of services) for (const d of s.deps) indegree[d.target]++;
  const queue = services.filter((s) => indegree[s.idx] === 0).map((s) => s.idx);
  const order: number[] = [];
  while (queue.length) {
    const i = queue.shift() as number;
    order.push(i);
    for (const d of services[i].deps) if (--indegree[d.target] === 0) queue.push(d.target);
  }
  for (const s of services) if (!order.includes(s.idx)) order.push(s.idx);
  return order;
}

/** Replicas of a service placed in a zone: spread evenly, the first zones get the remainder. */
export function replicasInZone(world: World, svc: ServiceRuntime, zone: string, replicas = svc.replicas): number {
  const z = world.zones.indexOf(zone);
  if (z < 0) return 0;
  const n = world.zones.length;
  return Math.floor(replicas / n) + (z < replicas % n ? 1 : 0);
}

/** A service's leak factors per replica (see `ServiceRuntime.leakJitter`), made once. */
export function leakJitter(svc: ServiceRuntime): number[] {
  if (!svc.leakJitter) {
    const rng = fromState(svc.leakState);
    svc.leakJitter = Array.from({ length: 200 }, () => 0.75 + 0.5 * rng.next());
  }
  return svc.leakJitter;
}

export function pushLog(world: World, svc: ServiceRuntime, level: LogLine['level'], message: string): void {
    world.logs[svc.idx].push(world.t, level, message);
}

function ringsFor(services: readonly ServiceRuntime[]): LogRing[] {
  const interner = new Interner();
  return services.map((s) => new LogRing(s.id, LOG_RING, interner));
}

export function pushAudit(world: World, service: string, message: string): void {
  world.audit.push({ t: world.t, service, level: 'info', message });
  if (world.audit.length > LOG_RING) world.audit.splice(0, world.audit.length - LOG_RING);
}
