// Turns the active faults into per-service modifiers for this tick (world.services[i].mods).
import type { ActiveFault, World } from '../workload/world.ts';
import { resetMods } from '../workload/world.ts';
import { resolversOfSpec } from './resolvers.ts';
import type { ResolverRefSpec } from '../actions/schema.ts';

/** How far a fault has ramped in at time t: 0 before onset, 1 once the ramp is over, 0 once cleared. */
export function intensity(f: ActiveFault, t: number): number {
  if (f.clearedAt !== null && f.clearedAt <= t) return 0;
  if (f.endsAt !== null && f.endsAt <= t) return 0;
  if (t < f.onset || t < f.suppressedUntil) return 0;
  if (f.rampSeconds <= 0) return 1;
  return Math.min(1, (t - f.onset) / f.rampSeconds);
}

export function isActive(f: ActiveFault, t: number): boolean {
  return f.clearedAt === null && (f.endsAt === null || f.endsAt > t) && t >= f.onset;
}

/** Crashed replicas per service from crash faults, applied separately because it changes capacity. */
export function applyFaultMods(world: World): void {
  const t = world.t;
  for (const s of world.services) {
    resetMods(s.mods);
    s.crashed = 0;
  }
  for (const f of world.faults) {
    const k = intensity(f, t);
    if (k <= 0) continue;
    const s = world.services[f.service];
    const m = s.mods;
    const spec = f.spec;
    switch (spec.kind) {
      case 'latency': {
        m.addLatencyMs += spec.ms * k;
        if (spec.cpuBound) m.capacityLoss = 1 - (1 - m.capacityLoss) * (s.spec.serviceTimeMs / (s.spec.serviceTimeMs + spec.ms * k));
        break;
      }
      case 'error-rate':
        m.errorRate = 1 - (1 - m.errorRate) * (1 - spec.rate * k);
        m.errorMessage = spec.message ?? m.errorMessage;
        break;
      case 'crash':
        s.crashed = Math.min(s.replicas, Math.max(s.crashed, Math.round(spec.replicas * k)));
        if (spec.crashLoop) m.crashLoop = true;
        m.errorMessage = spec.message ?? m.errorMessage;
        break;
      case 'cpu-saturation':
        m.capacityLoss = 1 - (1 - m.capacityLoss) * (1 - spec.factor * k);
        m.capacityCause ??= 'cpu';
        break;
      case 'memory-leak':
        m.leakMbPerSec += (spec.mbPerMinute / 60) * k;
        break;
      case 'dependency-outage':
        m.outage = spec.mode === 'timeouts' ? 2 : 1;
        m.errorRate = 1 - (1 - m.errorRate) * (1 - k);
        break;
      case 'network-partition':
        if (spec.zone) m.partitionZone = spec.zone;
        else m.partitionFrom = spec.from ?? s.callers.map((c) => world.services[c].id);
        break;
      case 'disk-full':
        m.diskFillPctPerSec += spec.pctPerMinute / 60;
        break;
      case 'cert-expiry':
        if (s.certRenewedAt < f.onset) m.certExpired = true;
        break;
      case 'bad-deploy': {
        if (s.version !== spec.version) break;
        if (spec.errorRate) m.errorRate = 1 - (1 - m.errorRate) * (1 - spec.errorRate * k);
        if (spec.latencyMs) m.addLatencyMs += spec.latencyMs * k;
        if (spec.leakMbPerMinute) m.leakMbPerSec += (spec.leakMbPerMinute / 60) * k;
        if (spec.extraCalls) {
          const d = s.deps.findIndex((dep) => world.services[dep.target].id === spec.extraCalls!.service);
          if (d >= 0) m.extraCalls.set(d, (m.extraCalls.get(d) ?? 0) + spec.extraCalls.callsPerRequest * k);
        }
        if (spec.message) m.errorMessage = spec.message;
        break;
      }
      case 'bad-config': {
        for (const target of [f.service, ...f.targets]) {
          const tm = world.services[target].mods;
          if (spec.cpuFactor) {
            tm.capacityLoss = 1 - (1 - tm.capacityLoss) * (1 - spec.cpuFactor * k);
            tm.capacityCause = 'config';
          }
          if (spec.errorRate) tm.errorRate = 1 - (1 - tm.errorRate) * (1 - spec.errorRate * k);
        }
        break;
      }
      case 'traffic-surge':
        m.trafficMult *= 1 + (spec.multiplier - 1) * k;
        m.surgeSource = spec.source ?? m.surgeSource;
        break;
      case 'cache-failure':
        m.cacheDown = true;
        break;
      case 'pool-exhaustion': {
        const d = s.deps.findIndex((dep) => world.services[dep.target].id === spec.dependency);
        if (d >= 0) m.poolLeakPerSec.set(d, (m.poolLeakPerSec.get(d) ?? 0) + (spec.perMinute / 60) * k);
        break;
      }
      case 'slow-query': {
        if (spec.flag) {
          const owner = world.byId.get(spec.flag.service);
          if (owner !== undefined && world.services[owner].flags[spec.flag.flag] === false) break;
        }
        m.slowQueryFactor *= 1 + (spec.fraction ?? 1) * (spec.factor - 1) * k;
        m.slowQueryPeak = Math.max(m.slowQueryPeak, 1 + (spec.factor - 1) * k);
        m.slowQuery = spec.query ?? m.slowQuery;
        break;
      }
    }
  }
}

/** The remediations that clear a fault (see resolvers.ts: the same rules the perfect bot reads). */
export function resolversOf(f: ActiveFault, _world: World): ResolverRefSpec[] {
  return resolversOfSpec(f.spec);
}
