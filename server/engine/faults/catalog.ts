// What clears each fault kind by default, and what a responder typically sees first.
// A scenario may list its own `resolvedBy` for a fault; these are used when it does not.
import type { RemediationKind } from '../actions/schema.ts';
import type { FaultKind } from './schema.ts';

export interface FaultKindInfo {
  /** Remediations that clear a fault of this kind on its own service. */
  resolvedBy: RemediationKind[];
  /** One line for docs and the report. */
  summary: string;
}

export const FAULT_CATALOG: Record<FaultKind, FaultKindInfo> = {
  latency: { resolvedBy: ['rollback', 'restart'], summary: 'requests get slower' },
  'error-rate': { resolvedBy: ['rollback'], summary: 'a fraction of requests fail' },
  crash: { resolvedBy: ['restart'], summary: 'replicas go down' },
  'cpu-saturation': { resolvedBy: ['restart'], summary: 'capacity lost to CPU contention' },
  'memory-leak': { resolvedBy: ['rollback'], summary: 'memory climbs until OOM kills (restart buys time)' },
  'dependency-outage': { resolvedBy: [], summary: 'a dependency stops answering (degrade with a feature flag)' },
  'network-partition': { resolvedBy: ['drain-zone', 'failover'], summary: 'calls across a network cut time out' },
  'disk-full': { resolvedBy: ['free-disk'], summary: 'a volume fills; writes fail, replicas crash-loop' },
  'cert-expiry': { resolvedBy: ['renew-cert'], summary: 'TLS handshakes fail with an expired certificate' },
  'bad-deploy': { resolvedBy: ['rollback'], summary: 'a new version misbehaves' },
  'bad-config': { resolvedBy: ['revert-config'], summary: 'a config push burns CPU or fails requests' },
  'traffic-surge': { resolvedBy: ['rate-limit', 'shed-load'], summary: 'incoming traffic multiplies' },
  'cache-failure': { resolvedBy: ['restore-cache'], summary: 'the cache is down; every read hits the origin' },
  'pool-exhaustion': { resolvedBy: ['restart'], summary: 'a connection pool leaks dry' },
  'slow-query': { resolvedBy: ['kill-query'], summary: 'a query hogs the database' },
};
