// The workload file format (`scenarios/workloads/*.workload.yaml`): the simulated production system.
import Type, { type Static } from 'typebox';
import { AlertSeverity, Comparison, Duration, Fraction, Id, Metric } from '../schema-common.ts';

export const SERVICE_KINDS = ['lb', 'dns', 'web', 'api', 'worker', 'database', 'cache', 'queue', 'external'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export const Dependency = Type.Object(
  {
    service: Id,
    callsPerRequest: Type.Optional(Type.Number({ minimum: 0, default: 1, description: 'Calls made to the dependency per request served. Default 1.' })),
    onCacheMissOf: Type.Optional(Id),
    flag: Type.Optional(Id),
    fallback: Type.Optional(Type.Boolean()),
    tls: Type.Optional(Type.Boolean()),
    writes: Type.Optional(Fraction),
    pool: Type.Optional(
      Type.Object(
        {
          size: Type.Integer({ minimum: 1, description: 'Connections per replica of the caller.' }),
          acquireTimeoutMs: Type.Optional(Type.Number({ minimum: 1, default: 5000 })),
        },
        { additionalProperties: false, description: 'A connection pool per caller replica (databases): Little\u2019s law decides when it runs dry.' },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'A synchronous call to another service. `onCacheMissOf: <cache>` sends only the cache\u2019s misses here; ' +
      '`flag: <name>` makes the call only while that feature flag of the caller is on; `fallback: true` ' +
      'absorbs the dependency\u2019s errors (the feature degrades instead of failing); `tls: true` makes the call ' +
      'fail when the dependency\u2019s certificate has expired; `writes` is the fraction of calls that write ' +
      '(they fail while a database fails over or a disk is full).',
  },
);
export type DependencySpec = Static<typeof Dependency>;

export const Service = Type.Object(
  {
    id: Id,
    name: Type.Optional(Type.String({ maxLength: 120 })),
    kind: Type.Enum(SERVICE_KINDS, { description: 'What the service is: ' + SERVICE_KINDS.join(', ') + '.' }),
    team: Id,
    replicas: Type.Integer({ minimum: 1, maximum: 500 }),
    capacityPerReplica: Type.Number({ exclusiveMinimum: 0, description: 'Requests per second one replica serves at 100% utilisation.' }),
    serviceTimeMs: Type.Number({ exclusiveMinimum: 0, description: 'Time a request spends in the service itself with no queueing and no dependencies.' }),
    timeoutMs: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 5000, description: 'Callers give up after this long. Default 5000.' })),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, default: 0, description: 'How many times this service retries a failed call to a dependency.' })),
    baseErrorRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 0.0001, description: 'Fraction of requests that fail on a good day. Default 0.0001.' })),
    version: Type.Optional(Type.String({ maxLength: 40, default: 'v1.0.0' })),
    previousVersion: Type.Optional(Type.String({ maxLength: 40 })),
    flags: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' }), Type.Boolean())),
    memoryLimitMb: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 1024 })),
    memoryBaselineMb: Type.Optional(Type.Number({ minimum: 0, default: 300 })),
    diskUsedPct: Type.Optional(Type.Number({ minimum: 0, maximum: 100, default: 40 })),
    startupSeconds: Type.Optional(Type.Number({ minimum: 0, default: 30, description: 'A restarted replica is unavailable this long, then starts cold.' })),
    provisionSeconds: Type.Optional(Type.Number({ minimum: 0, default: 120, description: 'Scaling out: new replicas arrive after this long.' })),
    rollbackSeconds: Type.Optional(Type.Number({ minimum: 0, default: 105 })),
    maxConnections: Type.Optional(Type.Integer({ minimum: 1, description: 'Databases: connections accepted across all callers\u2019 pools.' })),
    cacheHitRatio: Type.Optional(Type.Number({ minimum: 0, maximum: 0.999, description: 'Caches: the steady-state hit ratio.' })),
    cacheWarmSeconds: Type.Optional(Type.Number({ minimum: 1, default: 300, description: 'Caches: time constant for a cold cache to warm back up.' })),
    failoverSeconds: Type.Optional(Type.Number({ minimum: 0, default: 30, description: 'Databases: write outage while failing over.' })),
    certExpiresAt: Type.Optional(Type.String({ maxLength: 40, description: 'Shown in logs when its certificate expires (e.g. `2026-11-27T00:00:00Z`).' })),
    dependencies: Type.Optional(Type.Array(Dependency, { maxItems: 64 })),
    runbooks: Type.Optional(Type.Array(Id, { maxItems: 32 })),
  },
  { additionalProperties: false },
);
export type ServiceSpec = Static<typeof Service>;

export const Traffic = Type.Object(
  {
    entry: Type.Array(
      Type.Object(
        {
          service: Id,
          rps: Type.Number({ minimum: 0, description: 'Requests per second arriving here at the daily peak (shape 1.0).' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 16, description: 'Where outside traffic enters the workload.' },
    ),
    dailyShape: Type.Optional(
      Type.Array(Type.Number({ minimum: 0, maximum: 2 }), {
        minItems: 24,
        maxItems: 24,
        description: 'Traffic multiplier for each hour of the day, 0..23. Default: a business-hours curve.',
      }),
    ),
    startHour: Type.Optional(Type.Number({ minimum: 0, maximum: 24, default: 14, description: 'Time of day at T+0 (16.66 is 16:40).' })),
    noise: Type.Optional(Type.Number({ minimum: 0, maximum: 0.5, default: 0.03, description: 'Relative size of the seeded, autocorrelated noise.' })),
  },
  { additionalProperties: false },
);

export const Slo = Type.Object(
  {
    id: Id,
    service: Id,
    objective: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'Availability objective, e.g. 0.999.' }),
    window: Type.Optional(Duration),
    description: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false, description: 'Availability SLO of a service: good / valid requests over `window` (default 30d).' },
);
export type SloSpec = Static<typeof Slo>;

export const AlertRule = Type.Object(
  {
    id: Id,
    service: Id,
    metric: Metric,
    op: Comparison,
    threshold: Type.Number(),
    for: Type.Optional(Duration),
    and: Type.Optional(
      Type.Array(
        Type.Object({ metric: Metric, op: Comparison, threshold: Type.Number() }, { additionalProperties: false }),
        { maxItems: 4, description: 'Further conditions on the same service, all of which must hold too (multi-window burn-rate alerts).' },
      ),
    ),
    severity: AlertSeverity,
    route: Id,
    summary: Type.String({ maxLength: 300 }),
    runbook: Type.Optional(Id),
  },
  {
    additionalProperties: false,
    description: 'Evaluated every tick like a Prometheus rule: true \u2192 pending; true for `for` \u2192 firing; false \u2192 resolved.',
  },
);
export type AlertRuleSpec = Static<typeof AlertRule>;

export const EscalationLevel = Type.Object(
  {
    name: Type.String({ maxLength: 80, description: 'Who is paged at this level, e.g. `Priya (primary)`.' }),
    after: Type.Optional(Duration),
  },
  { additionalProperties: false },
);

export const OnCallTeam = Type.Object(
  {
    id: Id,
    name: Type.String({ maxLength: 80 }),
    responseSeconds: Type.Optional(Type.Number({ minimum: 0, default: 180, description: 'A paged responder joins after this long.' })),
    escalation: Type.Array(EscalationLevel, { minItems: 1, maxItems: 6, description: 'Levels paged in turn when a page is not acknowledged.' }),
  },
  { additionalProperties: false },
);
export type OnCallTeamSpec = Static<typeof OnCallTeam>;

export const Workload = Type.Object(
  {
    id: Id,
    title: Type.String({ maxLength: 120 }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    zones: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 6, description: 'Availability zones; replicas spread evenly. Default `[a, b, c]`.' })),
    services: Type.Array(Service, { minItems: 1, maxItems: 200 }),
    traffic: Traffic,
    slos: Type.Optional(Type.Array(Slo, { maxItems: 32 })),
    alerts: Type.Optional(Type.Array(AlertRule, { maxItems: 500 })),
    teams: Type.Array(OnCallTeam, { minItems: 1, maxItems: 32 }),
  },
  { additionalProperties: false },
);
export type WorkloadSpec = Static<typeof Workload>;
