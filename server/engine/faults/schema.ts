// Fault kinds and their parameters. Each kind is one object shape with a `kind` discriminator.
import Type, { type Static, type TSchema } from 'typebox';
import { Duration, Fraction, Id } from '../schema-common.ts';
import { ResolverRef } from '../actions/schema.ts';

const common = {
  id: Id,
  service: Id,
  description: Type.Optional(Type.String({ maxLength: 500, description: 'What happened, in words, for the report.' })),
  ramp: Type.Optional(Duration),
  duration: Type.Optional(Duration),
  resolvedBy: Type.Optional(
    Type.Array(ResolverRef, {
      maxItems: 16,
      description: 'Actions that clear this fault. Default: the kind\u2019s own (see the table of fault kinds).',
    }),
  ),
};

function fault<K extends string, P extends Record<string, TSchema>>(kind: K, description: string, props: P) {
  return Type.Object({ kind: Type.Literal(kind), ...common, ...props }, { additionalProperties: false, description, title: kind });
}

export const FAULT_VARIANTS = [
  fault('latency', 'Adds `ms` to every request the service handles. With `cpuBound: true` the work also eats capacity.', {
    ms: Type.Number({ exclusiveMinimum: 0 }),
    cpuBound: Type.Optional(Type.Boolean()),
  }),
  fault('error-rate', 'A fraction `rate` of the service\u2019s own requests fail (e.g. a bug on one code path).', {
    rate: Fraction,
    message: Type.Optional(Type.String({ maxLength: 200 })),
  }),
  fault('crash', 'Replicas go down. `crashLoop: true` keeps them crashing after a restart until the fault is cleared.', {
    replicas: Type.Integer({ minimum: 1 }),
    crashLoop: Type.Optional(Type.Boolean()),
    message: Type.Optional(Type.String({ maxLength: 200 })),
  }),
  fault('cpu-saturation', 'A fraction `factor` of each replica\u2019s capacity is lost to something else (noisy neighbour, hot loop).', {
    factor: Type.Number({ minimum: 0, maximum: 0.99 }),
  }),
  fault('memory-leak', 'Each replica leaks `mbPerMinute`; at its memory limit it is OOM-killed and restarts.', {
    mbPerMinute: Type.Number({ exclusiveMinimum: 0 }),
  }),
  fault('dependency-outage', 'The service (usually `kind: external`) stops answering: every call fails (`mode: errors`) or hangs until the caller\u2019s timeout (`mode: timeouts`).', {
    mode: Type.Optional(Type.Union([Type.Literal('errors'), Type.Literal('timeouts')])),
  }),
  fault('network-partition', 'Replicas of `service` in `zone` cannot reach their dependencies (calls time out). Without `zone`, the whole service is cut off from `from` callers.', {
    zone: Type.Optional(Id),
    from: Type.Optional(Type.Array(Id, { maxItems: 32 })),
  }),
  fault('disk-full', 'The service\u2019s volume fills by `pctPerMinute`; at 100% writes fail and replicas crash-loop.', {
    pctPerMinute: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
  }),
  fault('cert-expiry', 'The service\u2019s TLS certificate expires: every `tls: true` call to it fails with an x509 error.', {}),
  fault('bad-deploy', 'A new `version` rolls out over the ramp with its own error and latency profile; rolling back restores the previous version.', {
    version: Type.String({ maxLength: 40 }),
    errorRate: Type.Optional(Fraction),
    latencyMs: Type.Optional(Type.Number({ minimum: 0 })),
    leakMbPerMinute: Type.Optional(Type.Number({ minimum: 0 })),
    extraCalls: Type.Optional(
      Type.Object(
        { service: Id, callsPerRequest: Type.Number({ exclusiveMinimum: 0 }) },
        { additionalProperties: false, description: 'Extra calls per request to a dependency (an N+1 query).' },
      ),
    ),
    message: Type.Optional(Type.String({ maxLength: 200 })),
  }),
  fault('bad-config', 'A configuration push: each listed service loses `cpuFactor` of its capacity and fails `errorRate` of requests.', {
    services: Type.Optional(Type.Array(Id, { maxItems: 64, description: 'Further services the push reaches (besides `service`).' })),
    cpuFactor: Type.Optional(Type.Number({ minimum: 0, maximum: 0.99 })),
    errorRate: Type.Optional(Fraction),
    change: Type.Optional(Type.String({ maxLength: 200, description: 'The change, as the audit log shows it.' })),
  }),
  fault('traffic-surge', 'Outside traffic into the service is multiplied by `multiplier`.', {
    multiplier: Type.Number({ minimum: 1, maximum: 100 }),
    source: Type.Optional(Type.String({ maxLength: 120, description: 'Where it comes from, as the top-clients log shows it.' })),
  }),
  fault('cache-failure', 'The cache goes down: hit ratio 0, every read goes to the origin. Restored caches start cold and warm up.', {}),
  fault('pool-exhaustion', 'Each replica of `service` leaks connections of its pool to `dependency` at `perMinute` until the pool runs dry.', {
    dependency: Id,
    perMinute: Type.Number({ exclusiveMinimum: 0 }),
  }),
  fault('slow-query', 'A query on the database gets `factor` times slower for a `fraction` of queries; it eats database CPU.', {
    factor: Type.Number({ minimum: 1, maximum: 1000 }),
    fraction: Type.Optional(Fraction),
    query: Type.Optional(Type.String({ maxLength: 200 })),
    flag: Type.Optional(
      Type.Object({ service: Id, flag: Id }, { additionalProperties: false, description: 'The feature flag whose code path issues the query; turning it off clears the fault.' }),
    ),
  }),
] as const;

export const Fault = Type.Union([...FAULT_VARIANTS], { description: 'A fault to inject; `kind` selects the shape.' });
export type FaultSpec = Static<typeof Fault>;
export type FaultKind = FaultSpec['kind'];
export const FAULT_KINDS = FAULT_VARIANTS.map((v) => (v.properties.kind as { const: string }).const) as FaultKind[];
