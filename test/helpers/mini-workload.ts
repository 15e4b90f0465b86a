// A small hand-built workload for unit tests, sized so that every figure a test asserts can be
// worked out by hand from the laws in WORKLOAD-MODEL.md:
//
//   outside ─480 rps─> lb ─1×─> api ─┬─1× (pool 4/replica)──> db  (max 60 connections)
//                                    ├─2×─> cache (h = 0.9) ─misses (2 × 0.1)──> db
//                                    └─0.1× (flag payments, TLS)─> ext
//   outside ─20 rps─> worker ─1× (pool 5/replica)─> db
//
// At the (flat) daily peak: lb ρ = 480/3000 = 0.16, api ρ = 480/960 = 0.5 (12 replicas, 4 per
// zone: a drained zone costs a third, a rolling restart a quarter), db gets 480 + 96 + 20 = 596
// queries/s against 2 000 (ρ ≈ 0.3), cache 960 of 6 000, ext 48. Each api replica makes 40
// calls/s to db. Connections held open at db: api 12 × 4 + worker 2 × 5 = 58 of 60, so two more
// api replicas push it past max_connections (66 > 60: 1 − 60/66 ≈ 9% refused).
import type { AlertRuleSpec, ServiceSpec, WorkloadSpec } from '../../server/engine/workload/schema.ts';
import type { ScenarioSpec } from '../../server/engine/scenario/schema.ts';
import type { FaultSpec } from '../../server/engine/faults/schema.ts';
import type { ActionSpec } from '../../server/engine/actions/schema.ts';
import { Session } from '../../server/engine/session/session.ts';

export const FLAT_SHAPE: number[] = Array.from({ length: 24 }, () => 1);

export const LB_RPS = 480;
export const WORKER_RPS = 20;

export function miniWorkload(overrides: { noise?: number; services?: Partial<Record<string, Partial<ServiceSpec>>> } = {}): WorkloadSpec {
  const services: ServiceSpec[] = [
    {
      id: 'lb', kind: 'lb', team: 'app', replicas: 3, capacityPerReplica: 1000, serviceTimeMs: 1, timeoutMs: 30000,
      startupSeconds: 10, dependencies: [{ service: 'api', callsPerRequest: 1 }],
    },
    {
      id: 'api', kind: 'api', team: 'app', replicas: 12, capacityPerReplica: 80, serviceTimeMs: 20, timeoutMs: 10000,
      retries: 2, version: 'v1.4.0', previousVersion: 'v1.3.9', flags: { payments: true },
      memoryLimitMb: 1024, memoryBaselineMb: 400, startupSeconds: 20, provisionSeconds: 90, rollbackSeconds: 60,
      dependencies: [
        { service: 'db', callsPerRequest: 1, pool: { size: 4, acquireTimeoutMs: 3000 } },
        { service: 'cache', callsPerRequest: 2 },
        { service: 'db', callsPerRequest: 2, onCacheMissOf: 'cache' },
        { service: 'ext', callsPerRequest: 0.1, tls: true, flag: 'payments', fallback: false },
      ],
    },
    {
      id: 'worker', kind: 'worker', team: 'app', replicas: 2, capacityPerReplica: 50, serviceTimeMs: 50, startupSeconds: 15,
      dependencies: [{ service: 'db', callsPerRequest: 1, pool: { size: 5 } }],
    },
    {
      id: 'db', kind: 'database', team: 'data', replicas: 1, capacityPerReplica: 2000, serviceTimeMs: 5, timeoutMs: 10000,
      maxConnections: 60, failoverSeconds: 30, diskUsedPct: 60, startupSeconds: 60,
    },
    {
      id: 'cache', kind: 'cache', team: 'data', replicas: 3, capacityPerReplica: 2000, serviceTimeMs: 0.5,
      cacheHitRatio: 0.9, cacheWarmSeconds: 120, startupSeconds: 10,
    },
    {
      id: 'ext', kind: 'external', team: 'app', replicas: 1, capacityPerReplica: 10000, serviceTimeMs: 150, timeoutMs: 5000,
      certExpiresAt: '2026-11-27T00:00:00Z',
    },
  ];
  for (const s of services) Object.assign(s, overrides.services?.[s.id] ?? {});
  return {
    id: 'mini',
    title: 'mini — a workload for unit tests',
    zones: ['a', 'b', 'c'],
    services,
    traffic: {
      entry: [
        { service: 'lb', rps: LB_RPS },
        { service: 'worker', rps: WORKER_RPS },
      ],
      dailyShape: FLAT_SHAPE,
      startHour: 14,
      noise: overrides.noise ?? 0.01,
    },
    slos: [{ id: 'edge-availability', service: 'lb', objective: 0.99, window: '1d' }],
    alerts: [
      {
        id: 'ApiErrors', service: 'api', metric: 'error_rate', op: '>', threshold: 0.05, for: '1m',
        severity: 'critical', route: 'app', summary: 'api error rate above 5% for 1 minute',
      },
      {
        id: 'EdgeFastBurn', service: 'lb', metric: 'burn_rate_5m', op: '>', threshold: 14.4,
        and: [{ metric: 'burn_rate_1h', op: '>', threshold: 14.4 }],
        severity: 'critical', route: 'app', summary: 'edge error budget burning 14.4x over 5m and 1h',
      },
      {
        id: 'DbSlow', service: 'db', metric: 'latency_p99_ms', op: '>', threshold: 200, for: '30s',
        severity: 'warning', route: 'data', summary: 'db p99 above 200 ms',
      },
    ],
    teams: [
      {
        id: 'app', name: 'App on-call', responseSeconds: 120,
        escalation: [{ name: 'Ana (primary)' }, { name: 'Ben (secondary)', after: '5m' }, { name: 'Cleo (manager)', after: '15m' }],
      },
      { id: 'data', name: 'Data platform', responseSeconds: 120, escalation: [{ name: 'Dana (primary)' }, { name: 'Eli (secondary)', after: '10m' }] },
    ],
  };
}

/** One service taking `rps` from outside, nothing behind it: for the queueing law. */
export function singleService(opts: { rps: number; replicas?: number; capacityPerReplica?: number; serviceTimeMs?: number; timeoutMs?: number; noise?: number }): WorkloadSpec {
  return {
    id: 'single',
    title: 'one service',
    services: [
      {
        id: 'svc', kind: 'api', team: 'app', replicas: opts.replicas ?? 1, capacityPerReplica: opts.capacityPerReplica ?? 100,
        serviceTimeMs: opts.serviceTimeMs ?? 10, timeoutMs: opts.timeoutMs ?? 5000,
      },
    ],
    traffic: { entry: [{ service: 'svc', rps: opts.rps }], dailyShape: FLAT_SHAPE, noise: opts.noise ?? 0.01 },
    teams: [{ id: 'app', name: 'App on-call', escalation: [{ name: 'Ana' }] }],
  };
}

export interface ScenarioOpts {
  at?: number;
  duration?: string | number;
  players?: string[];
  alerts?: AlertRuleSpec[];
  rootCause?: string[];
}

/** A minimal valid scenario around a workload: the faults injected at `at` (default 0), their ids the root cause. */
export function scenarioFor(faults: FaultSpec[], opts: ScenarioOpts = {}, workloadId = 'mini'): ScenarioSpec {
  const timeline: ScenarioSpec['timeline'] = faults.length
    ? faults.map((f) => ({ at: opts.at ?? 0, inject: f }))
    : [{ at: 0, message: 'nothing happens' }];
  return {
    id: 'test-scenario',
    title: 'test scenario',
    summary: 'built by a unit test',
    difficulty: 'easy',
    duration: opts.duration ?? '2h',
    objectives: ['pin the model'],
    workload: workloadId,
    briefing: 'unit test',
    ...(opts.players ? { players: { teams: opts.players } } : {}),
    ...(opts.alerts ? { alerts: opts.alerts } : {}),
    timeline,
    rootCause: { faults: opts.rootCause ?? (faults.length ? faults.map((f) => f.id) : ['none']), summary: 'test' },
    expectations: {
      detection: { alerts: ['ApiErrors'], services: ['api'] },
      escalation: { severity: 'SEV2' },
      mitigation: { within: '30m' },
    },
  };
}

/** A started session on the mini workload (or another), with the given faults injected at `opts.at`. */
export function startSession(faults: FaultSpec[] = [], opts: ScenarioOpts & { workload?: WorkloadSpec; seed?: number | string } = {}): Session {
  const workload = opts.workload ?? miniWorkload();
  const s = new Session({ scenario: scenarioFor(faults, opts, workload.id), workload, seed: opts.seed ?? 7 });
  s.start();
  return s;
}

/** A service of team-1's world. */
export function svc(s: Session, id: string) {
  const w = s.teams[0].world;
  const i = w.byId.get(id);
  if (i === undefined) throw new Error(`no service ${id}`);
  return w.services[i];
}

export function logsOf(s: Session, id: string): string[] {
  const w = s.teams[0].world;
  return w.logs[w.byId.get(id)!].lines().map((l) => l.message);
}

/** A team action at the session's current time. */
export function act(s: Session, action: ActionSpec, team = 'team-1') {
  return s.apply({ kind: 'action', at: s.t, team, action });
}

/** A facilitator's injection at the session's current time (it acts from the next tick). */
export function inject(s: Session, fault: FaultSpec) {
  return s.apply({ kind: 'facilitator', at: s.t, command: 'inject', fault });
}
