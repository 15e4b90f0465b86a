// One tick of the workload: load flows down the dependency graph, latency and errors flow back up.
// The laws are in ../shared/WORKLOAD-MODEL.md: M/M/1 queueing, Little's law for pools, retries that
// multiply load, caches whose misses reach the origin, SLO burn.
import { applyFaultMods } from '../faults/effects.ts';
import type { DepRuntime, ServiceRuntime, World } from './world.ts';
import { leakJitter, pushBurn, pushLog, replicasInZone } from './world.ts';

export const DEFAULT_DAILY_SHAPE = [
  0.35, 0.3, 0.27, 0.25, 0.25, 0.28, 0.35, 0.5, 0.7, 0.85, 0.93, 0.97, 1.0, 0.98, 0.96, 0.97, 0.98, 0.95, 0.88, 0.8, 0.7, 0.6, 0.5, 0.42,
];

/** Traffic multiplier at simulated time t, interpolated between the hours of the daily shape. */
export function dailyShapeAt(world: World, t: number): number {
  const shape = world.spec.traffic.dailyShape ?? DEFAULT_DAILY_SHAPE;
  const hour = ((world.spec.traffic.startHour ?? 14) + t / 3600) % 24;
  const h0 = Math.floor(hour);
  const frac = hour - h0;
  return shape[h0] * (1 - frac) + shape[(h0 + 1) % 24] * frac;
}

/** Mean waiting time in an M/M/1 queue, in units of the service time: ρ/(1−ρ). */
export function queueingFactor(rho: number): number {
  if (rho <= 0) return 0;
  if (rho >= 0.995) return 199;
  return rho / (1 - rho);
}

/** How far a pool's demand moves towards Little's law each tick (see sendToDependencies). */
export const POOL_DAMPING = 0.3;

/** Kinds of service that a zone drain leaves alone. */
const STATEFUL = new Set(['database', 'cache', 'queue', 'external']);

/** Share of a timeout's worth of work that a service's request queue holds before it rejects. */
export const QUEUE_BOUND = 0.5;

/**
 * Fraction of requests slower than the timeout, for a latency distribution with median p50 and an
 * exponential tail fitted through p99. Continuous, so alerts do not flap on a cliff edge.
 */
export function fractionOver(timeoutMs: number, p50: number, p99: number): number {
  if (p50 >= timeoutMs) return Math.min(1, 1 - 0.5 * (timeoutMs / p50));
  const tail = Math.max(1, (p99 - p50) / 3.9);
  return 0.5 * Math.exp(-(timeoutMs - p50) / tail);
}

const OU_KEEP = 0.97;
const OU_STEP = Math.sqrt(1 - OU_KEEP * OU_KEEP);

export function tick(world: World): void {
  const { services, rng } = world;
  const dt = world.dt;
  const t = world.t;
  const noise = world.spec.traffic.noise ?? 0.03;
  applyFaultMods(world);

  // 1. State that does not depend on this tick's load: replicas, memory, disk, caches, noise.
  for (const s of services) {
    s.trafficNoise = s.trafficNoise * OU_KEEP + noise * OU_STEP * rng.normal();
    s.latencyNoise = s.latencyNoise * OU_KEEP + noise * 1.5 * OU_STEP * rng.normal();
    updateReplicas(world, s);
    updateMemory(world, s);
    updateDisk(world, s);
    if (s.spec.kind === 'cache') {
      const base = s.spec.cacheHitRatio ?? 0.9;
      if (s.mods.cacheDown || s.healthy === 0) s.cacheHit = 0;
      else s.cacheHit += (base - s.cacheHit) * Math.min(1, dt / (s.spec.cacheWarmSeconds ?? 300));
    }
    s.reconnectLoad *= Math.exp(-dt / 10);
    s.coldFactor = 1 + (s.coldFactor - 1) * Math.exp(-dt / 60);
    for (const [d, rate] of s.mods.poolLeakPerSec) {
      const dep = s.deps[d];
      dep.leaked = Math.min(dep.poolSize, dep.leaked + rate * dt);
    }
    s.load = 0;
  }

  // 2. Load, callers first.
  const shape = dailyShapeAt(world, t);
  for (const e of world.spec.traffic.entry) {
    const i = world.byId.get(e.service);
    if (i === undefined) continue;
    const s = services[i];
    s.load += e.rps * shape * Math.max(0.2, 1 + s.trafficNoise) * s.mods.trafficMult;
  }
  for (const i of world.topo) {
    const s = services[i];
    s.ownLoad = s.load;
    const offered = s.load + s.reconnectLoad;
    let accepted = offered * (1 - s.shedFraction);
    if (s.rateLimitRps !== null) accepted = Math.min(accepted, s.rateLimitRps);
    s.accepted = accepted;
    s.capacity = capacityOf(s);
    s.rho = s.capacity > 0 ? accepted / s.capacity : accepted > 0 ? 99 : 0;
    s.processed = Math.min(accepted, s.capacity);
    sendToDependencies(world, s);
  }

  // 3. Latency and errors, dependencies first.
  for (let k = world.topo.length - 1; k >= 0; k--) respond(world, services[world.topo[k]]);
}

function updateReplicas(world: World, s: ServiceRuntime): void {
  const t = world.t;
  let restarting = 0;
  if (s.outages.length) {
    s.outages = s.outages.filter((o) => o.until > t);
    for (const o of s.outages) if (o.from <= t) restarting += o.count;
  }
  // Draining a zone takes the stateless tiers' replicas there out of rotation. Stateful and outside
  // services (databases, caches, queues, third parties) are not drained — they fail over — and a
  // drain never takes a service's last replica.
  let drained = 0;
  if (world.drainedZones.size && !STATEFUL.has(s.spec.kind)) {
    for (const z of world.drainedZones) drained += replicasInZone(world, s, z);
    drained = Math.min(drained, Math.max(0, s.replicas - 1));
  }
  s.healthy = Math.max(0, s.replicas - s.crashed - restarting - drained);
}

function updateMemory(world: World, s: ServiceRuntime): void {
  const leak = s.mods.leakMbPerSec;
  const limit = s.spec.memoryLimitMb ?? 1024;
  const base = s.spec.memoryBaselineMb ?? 300;
  while (s.memoryMb.length < s.replicas) s.memoryMb.push(base);
  if (s.memoryMb.length > s.replicas) s.memoryMb.length = s.replicas;
  if (leak <= 0) return;
  const jitter = leakJitter(s);
  for (let r = 0; r < s.memoryMb.length; r++) {
    s.memoryMb[r] += leak * jitter[r % jitter.length] * world.dt;
    if (s.memoryMb[r] >= limit) {
      s.memoryMb[r] = base;
      s.outages.push({ from: world.t, until: world.t + (s.spec.startupSeconds ?? 30), count: 1, reason: 'oom' });
      pushLog(world, s, 'fatal', `OOMKilled: container ${s.id} exceeded memory limit ${limit}Mi (replica ${s.id}-${r})`);
    }
  }
}

function updateDisk(world: World, s: ServiceRuntime): void {
  if (s.mods.diskFillPctPerSec > 0) s.diskPct = Math.min(100, s.diskPct + s.mods.diskFillPctPerSec * world.dt);
  if (s.diskPct >= 100 && s.replicas > 0) {
    // A full volume crash-loops one replica at a time: each comes back, fails to write, dies again.
    const down = s.outages.filter((o) => o.reason === 'disk' && o.until > world.t).length;
    if (down < Math.ceil(s.replicas / 2)) {
      s.outages.push({ from: world.t, until: world.t + (s.spec.startupSeconds ?? 30), count: 1, reason: 'disk' });
    }
  }
}

function capacityOf(s: ServiceRuntime): number {
  const perReplica = s.spec.capacityPerReplica * (1 - s.mods.capacityLoss) / s.mods.slowQueryFactor;
  return perReplica * s.healthy;
}

function sendToDependencies(world: World, s: ServiceRuntime): void {
  const services = world.services;
  const retries = s.spec.retries ?? 0;
  for (let d = 0; d < s.deps.length; d++) {
    const dep = s.deps[d];
    const target = services[dep.target];
    if (dep.spec.flag && s.flags[dep.spec.flag] === false) {
      dep.sent = 0;
      dep.poolDemand = 0;
      continue;
    }
    let calls = s.processed * (dep.calls + (s.mods.extraCalls.get(d) ?? 0));
    if (dep.viaCache >= 0) calls *= 1 - services[dep.viaCache].cacheHit;
    if (target.spec.kind === 'database') calls *= s.coldFactor;
    // Retries at error rate e multiply the calls by 1 + e + e² + … + e^r.
    if (retries > 0 && dep.seenError > 0) {
      const e = Math.min(dep.seenError, 0.999);
      calls *= (1 - Math.pow(e, retries + 1)) / (1 - e);
    }
    if (s.mods.partitionZone !== null && s.replicas > 0) {
      calls *= 1 - replicasInZone(world, s, s.mods.partitionZone) / s.replicas;
    }
    if (target.mods.partitionFrom !== null && target.mods.partitionFrom.includes(s.id)) calls = 0;
    // A failed TLS handshake never becomes a request: the callee's traffic drops, its error rate does not rise.
    if (dep.spec.tls && target.mods.certExpired) calls = 0;
    if (dep.poolSize > 0) {
      // Little's law: connections in use = calls/s per replica × seconds each call holds one.
      const perReplica = calls / Math.max(1, s.healthy);
      const holdSeconds = Math.max(0.001, target.m.latency_p50_ms / 1000 / 0.69);
      // Damped: the hold time is last tick's latency of the target, which depends on what the pool
      // let through last tick. Followed at once, the loop flip-flops every tick between a dry pool
      // (idle database) and a full one (saturated database); damped, it settles where they balance.
      dep.poolDemand += POOL_DAMPING * (perReplica * holdSeconds + dep.leaked - dep.poolDemand);
      const free = dep.poolSize - dep.leaked;
      const wanted = dep.poolDemand - dep.leaked;
      if (wanted > free) calls *= Math.max(0, free) / wanted;
    } else {
      dep.poolDemand = 0;
    }
    dep.sent = calls;
    target.load += calls;
  }
}

function respond(world: World, s: ServiceRuntime): void {
  const services = world.services;
  const m = s.m;
  const mods = s.mods;
  const timeout = s.spec.timeoutMs ?? 5000;
  const dt = world.dt;

  // Connections held open at a database by its callers' pools.
  let refused = 0;
  if (s.spec.kind === 'database') {
    let open = 0;
    // A caller with two dependencies on this database (direct and on cache misses) is listed twice.
    for (const c of new Set(s.callers)) {
      const caller = services[c];
      for (const dep of caller.deps) if (dep.target === s.idx && dep.poolSize > 0) open += caller.replicas * dep.poolSize;
    }
    m.connections = open;
    const max = s.spec.maxConnections ?? Infinity;
    refused = open > max ? 1 - max / open : 0;
  } else {
    m.connections = 0;
  }
  s.refusedFraction = refused;

  // Own service time, queueing, and the backlog when the offered load is past capacity.
  const own = Math.max(0.1, s.spec.serviceTimeMs * (1 + s.latencyNoise) * mods.slowQueryFactor + mods.addLatencyMs);
  const rho = s.rho;
  // The request queue is bounded: it holds QUEUE_BOUND of a timeout's worth of work, so whatever it
  // admits is still answered in time, and it rejects the rest with 503; no request waits longer
  // than the bound. Bounded at the whole timeout, every admitted request would wait right up to the
  // timeout once the backlog is full, and half of them would time out on top of the rejected excess.
  const queueBoundMs = timeout * QUEUE_BOUND;
  const maxBacklog = s.capacity * (queueBoundMs / 1000);
  if (s.accepted > s.capacity) s.backlog = Math.min(maxBacklog, s.backlog + (s.accepted - s.capacity) * dt);
  else s.backlog = Math.max(0, s.backlog - (s.capacity - s.accepted) * dt);
  const backlogWait = s.capacity > 0 ? (s.backlog / s.capacity) * 1000 : 0;
  const wait = own * queueingFactor(Math.min(rho, 0.995));
  const queue50 = Math.min(queueBoundMs, wait * 0.69 + backlogWait);
  const queue99 = Math.min(queueBoundMs, wait * 4.6 + backlogWait);
  let overload = 0;
  if (s.healthy === 0) overload = 1;
  // Past capacity the backlog fills first; once it is full the excess 1 − 1/ρ is rejected.
  else if (s.accepted > s.capacity && s.backlog >= maxBacklog * 0.999) overload = (s.accepted - s.capacity) / s.accepted;

  // Dependencies: their latency adds up; their failures surface here unless absorbed.
  let dep50 = 0;
  let depTail = 0;
  let depFail = 0;
  let poolFail = 0;
  let poolWait = 0;
  let poolUtil = 0;
  let timeoutHang = 0;
  const retries = s.spec.retries ?? 0;
  // Replicas cut off in a partitioned zone fail every request that needs a dependency, however
  // often they retry; the calls they make never arrive (sendToDependencies).
  const zoneCut = mods.partitionZone !== null && s.replicas > 0 ? replicasInZone(world, s, mods.partitionZone) / s.replicas : 0;
  let needsDeps = 0;
  for (let d = 0; d < s.deps.length; d++) {
    const dep = s.deps[d];
    const target = services[dep.target];
    if (dep.spec.flag && s.flags[dep.spec.flag] === false) continue;
    let perRequest = dep.calls + (mods.extraCalls.get(d) ?? 0);
    if (dep.viaCache >= 0) perRequest *= 1 - services[dep.viaCache].cacheHit;
    if (perRequest <= 0) continue;
    // Per-call failure: the callee's own errors, TLS, refused connections, fail-over writes, partitions.
    let eps = target.m.error_rate;
    let hang = target.mods.outage === 2 ? target.mods.errorRate : 0;
    if (dep.spec.tls && target.mods.certExpired) eps = 1;
    if (target.refusedFraction > 0) eps = 1 - (1 - eps) * (1 - target.refusedFraction);
    if (target.failoverUntil > world.t) eps = 1 - (1 - eps) * (1 - (dep.spec.writes ?? 0.3));
    if (target.spec.kind === 'database' && target.diskPct >= 100) eps = 1 - (1 - eps) * (1 - (dep.spec.writes ?? 0.3));
    if (target.mods.partitionFrom !== null && target.mods.partitionFrom.includes(s.id)) { eps = 1; hang = 1; }
    hang = Math.max(hang, zoneCut);
    dep.seenError = eps;
    const afterRetries = retries > 0 ? Math.pow(eps, retries + 1) : eps;
    // Fewer than one call per request: only that share of requests makes the call at all
    // (a dependency called by 10% of requests fails 10% of them, not all of them).
    const callingShare = Math.min(perRequest, 1);
    const failHere = perRequest < 1 ? perRequest * afterRetries : 1 - Math.pow(1 - afterRetries, Math.min(perRequest, 3));
    if (!dep.spec.fallback) {
      depFail = 1 - (1 - depFail) * (1 - failHere);
      needsDeps = 1 - (1 - needsDeps) * (1 - callingShare);
    }
    // Latency: calls are sequential; the tail comes mostly from the slowest dependency.
    const targetTimeout = target.spec.timeoutMs ?? 5000;
    const tries = retries > 0 ? 1 + Math.min(retries, eps * retries) : 1;
    dep50 += perRequest * target.m.latency_p50_ms * tries + callingShare * hang * targetTimeout * 0.5;
    const tail = (target.m.latency_p99_ms - target.m.latency_p50_ms) * Math.sqrt(Math.min(perRequest, 9)) + (callingShare * hang > 0.01 ? targetTimeout : 0);
    if (tail > depTail) depTail = tail;
    timeoutHang = Math.max(timeoutHang, hang);
    if (dep.poolSize > 0) {
      const util = dep.poolDemand / dep.poolSize;
      if (util > poolUtil) poolUtil = util;
      if (util > 1) {
        // The share of calls that got no connection (sendToDependencies held them back).
        const free = Math.max(0, dep.poolSize - dep.leaked);
        const wanted = dep.poolDemand - dep.leaked;
        const f = wanted > free ? 1 - free / wanted : 0;
        poolFail = 1 - (1 - poolFail) * (1 - f);
        poolWait = Math.max(poolWait, dep.acquireTimeoutMs);
      }
    }
  }

  if (zoneCut > 0) depFail = 1 - (1 - depFail) * (1 - zoneCut * needsDeps);

  let p50 = own * 0.9 + queue50 + dep50 + poolFail * poolWait * 0.5;
  let p99 = own * 2.2 + queue99 + dep50 + depTail + (poolFail > 0.01 ? poolWait : 0);
  if (s.healthy === 0) { p50 = 1; p99 = 2; }
  const timedOut = s.healthy === 0 ? 0 : fractionOver(timeout, p50, p99);
  p50 = Math.min(p50, timeout);
  p99 = Math.min(p99, timeout);

  const inner = 1 - (1 - mods.errorRate) * (1 - overload) * (1 - poolFail) * (1 - depFail) * (1 - timedOut) * (1 - Math.max(0, (s.spec.baseErrorRate ?? 0.0001) * (1 + 4 * s.latencyNoise)));
  const offered = s.load + s.reconnectLoad;
  const errors = offered - s.accepted + s.accepted * inner;
  m.rps = offered;
  m.error_rate = offered > 0 ? Math.min(1, errors / offered) : mods.errorRate > 0 ? mods.errorRate : 0;
  m.latency_p50_ms = p50;
  m.latency_p99_ms = p99;
  m.saturation = Math.min(rho, 9.99);
  const loadFraction = s.capacity > 0 ? Math.min(1, s.accepted / s.capacity) : s.accepted > 0 ? 1 : 0;
  m.cpu = Math.min(1, 0.04 + mods.capacityLoss + (1 - mods.capacityLoss) * 0.96 * loadFraction);
  let mem = 0;
  for (const v of s.memoryMb) mem += v;
  m.memory_pct = s.memoryMb.length ? (mem / s.memoryMb.length / (s.spec.memoryLimitMb ?? 1024)) * 100 : 0;
  m.queue_depth = s.backlog + (s.accepted * Math.min(wait, queueBoundMs)) / 1000;
  m.healthy_replicas = s.healthy;
  m.pool_utilisation = Math.min(1, poolUtil);
  m.disk_pct = s.diskPct;
  m.cache_hit_ratio = s.spec.kind === 'cache' ? s.cacheHit : 0;
  s.poolFail = poolFail;
  s.depFail = depFail;
  s.timedOut = timedOut;
  s.overload = overload;
  s.hang = timeoutHang;

  if (s.sloObjective > 0) {
    const budget = 1 - s.sloObjective;
    const [short, long] = s.burn ? pushBurn(s.burn, m.error_rate) : [m.error_rate, m.error_rate];
    s.budgetBurned += (m.error_rate * dt) / (budget * s.sloWindow);
    m.burn_rate_5m = short / budget;
    m.burn_rate_1h = long / budget;
    m.error_budget_burned_pct = s.budgetBurned * 100;
  }
}

export type { DepRuntime };
