// Remediation actions: what they do to the world, how long they take, and which faults they clear.
// An action fixes only the faults it really fixes; several have side effects that make things worse
// in the wrong situation (restart storms, cold caches, a second fail-over).
import type { ActionSpec, RemediationKind } from './schema.ts';
import { REMEDIATIONS } from './schema.ts';
import type { ActiveFault, ServiceRuntime, World } from '../workload/world.ts';
import { pushAudit, pushLog } from '../workload/world.ts';
import { isActive, resolversOf } from '../faults/effects.ts';
import { actionResolves } from '../faults/resolvers.ts';

export type RemediationSpec = Extract<ActionSpec, { action: RemediationKind }>;

export type ActionResult =
  | { ok: true; effect: string; completesAt?: number; data?: Record<string, unknown> }
  | { ok: false; code: string; message: string };

export function isRemediation(a: ActionSpec): a is RemediationSpec {
  return (REMEDIATIONS as readonly string[]).includes(a.action);
}

/** Cost of one new database connection, in queries' worth of work (fork, auth, catalog cache). */
export const CONNECTION_COST = 12;
/** Two fail-overs closer than this split the brain. */
export const FAILOVER_WINDOW = 600;

function err(code: string, message: string): ActionResult {
  return { ok: false, code, message };
}

function serviceOf(world: World, id: string | undefined): ServiceRuntime | undefined {
  if (id === undefined) return undefined;
  const i = world.byId.get(id);
  return i === undefined ? undefined : world.services[i];
}

/** Applies a remediation at world.t. Delayed effects are scheduled and finished by completeScheduled. */
export function applyRemediation(world: World, a: RemediationSpec, actionSeq: number): ActionResult {
  const t = world.t;
  if (a.action === 'drain-zone') {
    if (!world.zones.includes(a.zone)) return err('action/unknown-zone', `unknown zone "${a.zone}" (zones: ${world.zones.join(', ')})`);
    if (a.undo) world.drainedZones.delete(a.zone);
    else world.drainedZones.add(a.zone);
    pushAudit(world, '*', `${a.undo ? 'undrain' : 'drain'} zone ${a.zone}`);
    return { ok: true, effect: a.undo ? `zone ${a.zone} back in service` : `zone ${a.zone} drained: its replicas take no traffic` };
  }
  const s = serviceOf(world, a.service);
  if (!s) return err('action/unknown-service', `unknown service "${a.service}"`);
  const kind = s.spec.kind;
  switch (a.action) {
    case 'restart': {
      const startup = s.spec.startupSeconds ?? 30;
      const rolling = a.rolling !== false;
      const batch = rolling ? Math.max(1, Math.ceil(s.replicas * 0.25)) : s.replicas;
      let left = s.replicas;
      let k = 0;
      while (left > 0) {
        const n = Math.min(batch, left);
        s.outages.push({ from: t + k * startup, until: t + (k + 1) * startup, count: n, reason: 'restart' });
        left -= n;
        k++;
      }
      const base = s.spec.memoryBaselineMb ?? 300;
      s.memoryMb = s.memoryMb.map(() => base);
      s.backlog = 0;
      for (const d of s.deps) {
        d.leaked = 0;
        if (d.poolSize > 0) world.services[d.target].reconnectLoad += s.replicas * d.poolSize * CONNECTION_COST / 10;
      }
      if (s.deps.some((d) => world.services[d.target].spec.kind === 'database')) s.coldFactor = 2;
      if (kind === 'cache') s.cacheHit = 0;
      pushAudit(world, s.id, `kubectl rollout restart deployment/${s.id}`);
      pushLog(world, s, 'info', `restarting ${s.replicas} replicas (${rolling ? 'rolling' : 'all at once'}), version ${s.version}`);
      const done = t + k * startup;
      return { ok: true, effect: `${rolling ? 'rolling restart' : 'restart'} of ${s.id}: ${s.replicas} replicas on ${s.version}, back by T+${Math.round(done)}s`, data: { until: done } };
    }
    case 'rollback': {
      if (world.scheduled.some((x) => x.kind === 'rollback' && x.service === s.idx)) return err('action/in-progress', `a rollback of ${s.id} is already in progress`);
      const to = s.versions.length >= 2 ? s.versions[s.versions.length - 2] : undefined;
      if (!to) return err('action/no-previous-version', `${s.id} has no previous version to roll back to`);
      const at = t + (s.spec.rollbackSeconds ?? 105);
      world.scheduled.push({ at, kind: 'rollback', service: s.idx, id: world.nextScheduledId++, actionSeq });
      pushAudit(world, s.id, `rollback ${s.id} ${s.version} -> ${to} started`);
      return { ok: true, effect: `rolling back ${s.id} from ${s.version} to ${to}`, completesAt: at };
    }
    case 'scale-out': {
      if (s.replicas + a.count > 500) return err('action/too-many-replicas', `${s.id} cannot go past 500 replicas`);
      const at = t + (s.spec.provisionSeconds ?? 120);
      world.scheduled.push({ at, kind: 'provision', service: s.idx, count: a.count, id: world.nextScheduledId++, actionSeq });
      pushAudit(world, s.id, `scale ${s.id} ${s.replicas} -> ${s.replicas + a.count}`);
      return { ok: true, effect: `${a.count} replicas of ${s.id} provisioning`, completesAt: at };
    }
    case 'scale-in': {
      const before = s.replicas;
      s.replicas = Math.max(1, s.replicas - a.count);
      pushAudit(world, s.id, `scale ${s.id} ${before} -> ${s.replicas}`);
      return { ok: true, effect: `${s.id} scaled in from ${before} to ${s.replicas} replicas` };
    }
    case 'failover': {
      if (kind !== 'database') return err('action/not-applicable', `failover applies to databases; ${s.id} is a ${kind}`);
      const twice = t - s.lastFailoverAt < FAILOVER_WINDOW;
      s.lastFailoverAt = t;
      s.failoverUntil = t + (s.spec.failoverSeconds ?? 30);
      pushAudit(world, s.id, `failover ${s.id}: promoting replica`);
      pushLog(world, s, 'warn', `received promote request; ending recovery, switching to new timeline`);
      if (twice) {
        world.faults.push({
          spec: {
            kind: 'error-rate', id: `${s.id}-split-brain-${Math.round(t)}`, service: s.id, rate: 0.25, duration: 1800,
            message: 'ERROR: duplicate key value violates unique constraint "orders_pkey" (writes accepted by two primaries)',
            description: 'A second fail-over within 10 minutes left two primaries accepting writes; reconciling takes 30 minutes.',
          },
          onset: t, rampSeconds: 0, endsAt: t + 1800, clearedAt: null, suppressedUntil: -1, source: 'failover-twice', service: s.idx, targets: [],
        });
        return { ok: true, effect: `second fail-over of ${s.id} within 10 minutes: split brain, conflicting writes for 30 minutes`, data: { splitBrain: true } };
      }
      return { ok: true, effect: `${s.id} failing over: writes fail for ${s.spec.failoverSeconds ?? 30}s` };
    }
    case 'toggle-flag': {
      if (!(a.flag in s.flags)) {
        const known = Object.keys(s.flags);
        return err('action/unknown-flag', `${s.id} has no feature flag "${a.flag}"${known.length ? ` (flags: ${known.join(', ')})` : ''}`);
      }
      s.flags[a.flag] = a.enabled;
      pushAudit(world, s.id, `flag ${s.id}/${a.flag} = ${a.enabled}`);
      return { ok: true, effect: `${s.id} flag ${a.flag} turned ${a.enabled ? 'on' : 'off'}` };
    }
    case 'flush-cache': {
      if (kind !== 'cache') return err('action/not-applicable', `flush-cache applies to caches; ${s.id} is a ${kind}`);
      const before = s.cacheHit;
      s.cacheHit = 0;
      pushAudit(world, s.id, `FLUSHALL on ${s.id}`);
      return { ok: true, effect: `${s.id} flushed: hit ratio ${before.toFixed(2)} -> 0.00, every read goes to the origin until it warms`, data: { hitBefore: before } };
    }
    case 'restore-cache': {
      if (kind !== 'cache') return err('action/not-applicable', `restore-cache applies to caches; ${s.id} is a ${kind}`);
      s.cacheHit = 0;
      pushAudit(world, s.id, `restore ${s.id}`);
      return { ok: true, effect: `${s.id} restored; it starts cold and warms over ~${s.spec.cacheWarmSeconds ?? 300}s` };
    }
    case 'rate-limit': {
      s.rateLimitRps = a.rps > 0 ? a.rps : null;
      pushAudit(world, s.id, a.rps > 0 ? `rate limit ${s.id} at ${a.rps} rps` : `rate limit on ${s.id} removed`);
      return { ok: true, effect: a.rps > 0 ? `${s.id} accepts at most ${a.rps} requests/s; the rest get 429` : `rate limit on ${s.id} removed` };
    }
    case 'shed-load': {
      s.shedFraction = a.fraction;
      pushAudit(world, s.id, `shed ${Math.round(a.fraction * 100)}% at ${s.id}`);
      return { ok: true, effect: a.fraction > 0 ? `${s.id} rejects ${Math.round(a.fraction * 100)}% of requests` : `load shedding on ${s.id} off` };
    }
    case 'renew-cert': {
      const at = t + 60;
      world.scheduled.push({ at, kind: 'renew-cert', service: s.idx, id: world.nextScheduledId++, actionSeq });
      pushAudit(world, s.id, `certificate renewal requested for ${s.id}`);
      return { ok: true, effect: `new certificate for ${s.id} being issued and deployed`, completesAt: at };
    }
    case 'free-disk': {
      const before = s.diskPct;
      s.diskPct = Math.min(s.diskPct, 35);
      pushAudit(world, s.id, `logrotate --force; freed ${Math.round(before - s.diskPct)}% on ${s.id}`);
      return { ok: true, effect: `${s.id} disk ${Math.round(before)}% -> ${Math.round(s.diskPct)}%` };
    }
    case 'kill-query': {
      if (kind !== 'database') return err('action/not-applicable', `kill-query applies to databases; ${s.id} is a ${kind}`);
      let killed = 0;
      for (const f of world.faults) {
        if (f.service === s.idx && f.spec.kind === 'slow-query' && isActive(f, t)) {
          f.suppressedUntil = t + 90;
          killed++;
        }
      }
      pushAudit(world, s.id, `pg_terminate_backend on long-running queries of ${s.id}`);
      return { ok: true, effect: killed ? `killed the long-running queries on ${s.id}; they come back unless their cause is removed` : `no long-running queries on ${s.id}` };
    }
    case 'revert-config': {
      pushAudit(world, s.id, `config revert on ${s.id}`);
      return { ok: true, effect: `last configuration push to ${s.id} reverted` };
    }
  }
}

/** Faults whose resolvers match this action (checked when the action takes effect). */
export function matchingFaults(world: World, a: RemediationSpec): ActiveFault[] {
  const t = world.t;
  return world.faults.filter((f) => f.clearedAt === null && isActive(f, t) && actionResolves(a, resolversOf(f, world)));
}
