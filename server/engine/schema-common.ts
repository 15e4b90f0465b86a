// Building blocks shared by the workload, scenario and response schemas.
// The schemas are TypeBox: one source for JSON Schema (validation, docs, Fastify routes)
// and for the TypeScript types (Static<typeof X>).
import Type from 'typebox';

/** An identifier used to cross-reference things in files: `orders`, `postgres-main`, `OrdersLatencyHigh`. */
export const Id = Type.String({
  pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$',
  description: 'An identifier: a letter, then up to 63 letters, digits, `-`, `_` or `.`.',
});

/**
 * A duration or a simulated time: a number of seconds (`90`) or a string with units
 * (`90s`, `5m`, `1h30m`, `1d`, `250ms`).
 */
export const Duration = Type.Union(
  [
    Type.Number({ minimum: 0 }),
    Type.String({ pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$' }),
  ],
  {
    description: 'Seconds as a number (`90`) or a string with units: `250ms`, `90s`, `5m`, `1h30m`, `1d`.',
    examples: [90, '5m', '1h30m'],
  },
);

export const Fraction = Type.Number({ minimum: 0, maximum: 1 });

export const Comparison = Type.Union(
  [Type.Literal('>'), Type.Literal('>='), Type.Literal('<'), Type.Literal('<='), Type.Literal('==')],
  { description: 'How the metric is compared with the threshold.' },
);

export const IncidentSeverity = Type.Union(
  [Type.Literal('SEV1'), Type.Literal('SEV2'), Type.Literal('SEV3'), Type.Literal('SEV4')],
  { description: 'Incident severity: SEV1 is the worst (customer-facing outage), SEV4 the mildest.' },
);

export const AlertSeverity = Type.Union(
  [Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')],
  { description: '`critical` pages the routed team; `warning` and `info` only show in the alert list.' },
);

/** Metric names every service exposes each tick. */
export const METRICS = [
  'rps',
  'error_rate',
  'latency_p50_ms',
  'latency_p99_ms',
  'saturation',
  'cpu',
  'memory_pct',
  'queue_depth',
  'healthy_replicas',
  'pool_utilisation',
  'connections',
  'disk_pct',
  'cache_hit_ratio',
  'burn_rate_5m',
  'burn_rate_1h',
  'error_budget_burned_pct',
] as const;
export type MetricName = (typeof METRICS)[number];

export const Metric = Type.Enum(
  METRICS,
  { description: 'A per-service metric: ' + METRICS.map((m) => '`' + m + '`').join(', ') + '.' },
);

/** A metric condition, as used by alert rules, branches and stop conditions. */
export const MetricCondition = Type.Object(
  {
    metric: Metric,
    service: Id,
    op: Comparison,
    threshold: Type.Number(),
    for: Type.Optional(Duration),
  },
  { additionalProperties: false, description: 'True when `metric` of `service` compares `op` `threshold`, held for `for`.' },
);
