// Log lines generated from the state of each service, sampled. The clue is usually in the logs of a
// service other than the one whose alert fires: the pool message is on the caller, the slow query on
// the database, the x509 error on whoever calls the expired endpoint.
import type { ServiceRuntime, World } from './world.ts';
import { pushLog } from './world.ts';

const ROUTES: Record<string, string[]> = {
  lb: ['GET /', 'GET /checkout', 'POST /api/cart'],
  dns: ['query A'],
  web: ['GET /product', 'GET /cart', 'POST /checkout'],
  api: ['GET /v1/items', 'POST /v1/orders', 'GET /v1/orders/{id}'],
  worker: ['job send-email', 'job reindex'],
  database: ['checkpoint'],
  cache: ['GET', 'SET'],
  queue: ['publish', 'consume'],
  external: ['POST /v2/charges'],
};

/** Expected log lines per second for a condition of strength `x` (0..1); sampled with the world's rng. */
function emit(world: World, rate: number): boolean {
  return rate > 0 && world.rng.next() < Math.min(1, rate * world.dt);
}

export function generateLogs(world: World): void {
  for (const s of world.services) logService(world, s);
}

function logService(world: World, s: ServiceRuntime): void {
  const m = s.m;
  const services = world.services;
  // Background: a healthy service still talks, so the logs look alive and the clue must be found.
  if (emit(world, 0.12)) {
    const routes = ROUTES[s.spec.kind] ?? ['request'];
    const route = routes[world.rng.int(routes.length)];
    if (s.spec.kind === 'database') pushLog(world, s, 'info', `checkpoint complete: wrote ${50 + world.rng.int(900)} buffers; connections=${Math.round(m.connections)}`);
    else pushLog(world, s, 'info', `${route} 200 ${Math.round(m.latency_p50_ms)}ms`);
  }
  if (m.error_rate > 0.002 && s.mods.errorMessage && emit(world, 2 * s.mods.errorRate)) {
    pushLog(world, s, 'error', s.mods.errorMessage);
  }
  if (s.poolFail > 0.001 && emit(world, 0.5 + 3 * s.poolFail)) {
    const dep = s.deps.find((d) => d.poolSize > 0 && d.poolDemand > d.poolSize);
    if (dep) {
      const target = services[dep.target].id;
      const pending = Math.round(dep.poolDemand - dep.poolSize);
      pushLog(world, s, 'error', `timeout acquiring connection from pool "${target}" (waited ${dep.acquireTimeoutMs} ms, active=${dep.poolSize} idle=0 pending=${pending})`);
    }
  }
  for (const dep of s.deps) {
    const target = services[dep.target];
    if (dep.spec.flag && s.flags[dep.spec.flag] === false) continue;
    if (dep.spec.tls && target.mods.certExpired && emit(world, 1)) {
      pushLog(world, s, 'error', `Post "https://${target.id}.internal/": x509: certificate has expired or is not yet valid: current time is after ${target.spec.certExpiresAt ?? 'NotAfter'}`);
    } else if (target.refusedFraction > 0 && emit(world, 2 * target.refusedFraction)) {
      pushLog(world, s, 'error', `FATAL: sorry, too many clients already (${target.id}: max_connections=${target.spec.maxConnections})`);
    } else if (target.mods.partitionFrom?.includes(s.id) && emit(world, 1)) {
      pushLog(world, s, 'error', `dial tcp ${target.id}.internal:443: i/o timeout`);
    } else if (target.spec.kind === 'cache' && (target.mods.cacheDown || target.healthy === 0) && emit(world, 0.8)) {
      pushLog(world, s, 'warn', `redis: dial tcp ${target.id}:6379: connect: connection refused; falling back to origin`);
    } else if (target.failoverUntil > world.t && emit(world, 1)) {
      pushLog(world, s, 'error', `ERROR: cannot execute INSERT in a read-only transaction (${target.id} failing over)`);
    } else if (dep.seenError > 0.05 && emit(world, dep.seenError)) {
      const retries = s.spec.retries ?? 0;
      const hang = target.mods.outage === 2 || target.hang > 0.05;
      const what = hang ? `timed out after ${target.spec.timeoutMs ?? 5000}ms` : `returned 503 Service Unavailable`;
      pushLog(world, s, dep.spec.fallback ? 'warn' : 'error', `call to ${target.id} ${what}${retries ? ` (attempt ${retries + 1}/${retries + 1})` : ''}${dep.spec.fallback ? '; serving fallback' : ''}`);
    }
  }
  if (s.mods.partitionZone && emit(world, 0.8)) {
    pushLog(world, s, 'error', `zone ${s.mods.partitionZone}: dial tcp: i/o timeout reaching dependencies (${[...new Set(s.deps.map((d) => services[d.target].id))].join(', ')})`);
  }
  if (s.overload > 0.01 && emit(world, 1)) {
    pushLog(world, s, 'error', `request queue full (${Math.round(s.backlog)} waiting); rejecting with 503`);
  } else if (s.timedOut > 0.02 && emit(world, 0.6)) {
    pushLog(world, s, 'warn', `upstream request timeout after ${s.spec.timeoutMs ?? 5000}ms`);
  }
  if (s.spec.kind === 'database' && s.mods.slowQueryFactor > 1.2 && emit(world, 0.6)) {
    const ms = Math.round(s.spec.serviceTimeMs * s.mods.slowQueryPeak * (2 + world.rng.next() * 6));
    pushLog(world, s, 'warn', `duration: ${ms}.${String(world.rng.int(1000)).padStart(3, '0')} ms  statement: ${s.mods.slowQuery ?? 'SELECT * FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.customer_id = $1'}`);
  }
  if (s.spec.kind === 'database' && m.cpu > 0.85 && emit(world, 0.2)) {
    pushLog(world, s, 'warn', `cpu at ${Math.round(m.cpu * 100)}%: ${Math.round(m.connections)} connections, ${Math.round(m.rps)} queries/s`);
  }
  if (s.diskPct >= 100 && emit(world, 1)) {
    pushLog(world, s, 'fatal', `write /var/lib/${s.id}/data: no space left on device`);
  } else if (s.diskPct > 90 && emit(world, 0.1)) {
    pushLog(world, s, 'warn', `disk usage at ${Math.round(s.diskPct)}% on /var/lib/${s.id}`);
  }
  if (s.mods.capacityLoss > 0.3 && emit(world, 0.5)) {
    const lost = Math.round(s.mods.capacityLoss * 100);
    const lag = Math.round(50 + s.mods.capacityLoss * 900);
    if (s.mods.capacityCause === 'config') pushLog(world, s, 'warn', `worker threads busy: ${lost}% of CPU in request filtering since the last config reload; event loop lag ${lag}ms`);
    else pushLog(world, s, 'warn', `CPU throttled: ${lost}% of each replica's CPU taken by another process; event loop lag ${lag}ms`);
  }
  if (s.mods.leakMbPerSec > 0 && m.memory_pct > 80 && emit(world, 0.15)) {
    pushLog(world, s, 'warn', `GC overhead high: heap ${Math.round(m.memory_pct)}% of limit after full GC`);
  }
  // A crash fault's message is what the dying replicas print (its error rate is 0: the balancer routes around them).
  if (s.crashed > 0 && s.mods.errorMessage && s.mods.errorRate === 0 && emit(world, 0.2)) {
    pushLog(world, s, 'fatal', s.mods.errorMessage);
  }
  if (s.mods.crashLoop && s.crashed > 0 && emit(world, 0.2)) {
    pushLog(world, s, 'fatal', `Back-off restarting failed container ${s.id} (CrashLoopBackOff)`);
  }
  if (s.mods.trafficMult > 1.3 && emit(world, 0.4)) {
    pushLog(world, s, 'info', `top clients: ${s.mods.surgeSource ?? 'AS64500 (203.0.113.0/24)'} ${Math.round((1 - 1 / s.mods.trafficMult) * 100)}% of requests`);
  }
}
