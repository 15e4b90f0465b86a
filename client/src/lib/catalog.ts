// What the console offers, typed against the protocol: each `Record<Kind, …>` must name every kind
// the server defines (the type check fails when one is added or renamed), without bundling the
// server's schema library into the page.
import type { ActionSpec, RemediationKind } from '../../../server/engine/actions/schema.ts';
import type { FaultKind } from '../../../server/engine/faults/schema.ts';
import type { CommandName } from '../../../server/protocol/messages.ts';

export type Severity = Extract<ActionSpec, { action: 'declare' }>['severity'];
export type IncidentRole = Extract<ActionSpec, { action: 'assign-role' }>['role'];
export type Audience = Extract<ActionSpec, { action: 'status-update' }>['audience'];

export const SEVERITIES: Record<Severity, string> = {
  SEV1: 'SEV1 — customer-facing outage',
  SEV2: 'SEV2 — major degradation',
  SEV3: 'SEV3 — minor or partial impact',
  SEV4: 'SEV4 — no customer impact yet',
};

export const INCIDENT_ROLES: Record<IncidentRole, string> = {
  'incident-commander': 'Incident commander',
  'ops-lead': 'Ops lead',
  'comms-lead': 'Comms lead',
  scribe: 'Scribe',
};

/** Roles a participant can take when joining (the handshake's enum). */
export const JOIN_ROLES = {
  responder: 'Responder',
  'incident-commander': 'Incident commander',
  'ops-lead': 'Ops lead',
  'comms-lead': 'Comms lead',
  scribe: 'Scribe',
  observer: 'Observer',
} as const;

export type ParamKind = 'count' | 'rps' | 'fraction' | 'flag' | 'rolling';

export interface RemediationInfo {
  label: string;
  /** Asks for confirmation: it takes capacity away, drops requests or cannot be undone quickly. */
  dangerous: boolean;
  /** Only for these service kinds (undefined: any). */
  kinds?: string[];
  params: ParamKind[];
  help: string;
}

export const REMEDIATION_INFO: Record<Exclude<RemediationKind, 'drain-zone'>, RemediationInfo> = {
  restart: { label: 'Restart', dangerous: true, params: ['rolling'], help: 'Restarts the replicas; brings back the same version.' },
  rollback: { label: 'Roll back', dangerous: true, params: [], help: 'Rolls back to the previous version (takes the service\u2019s rollback time).' },
  'scale-out': { label: 'Scale out', dangerous: false, params: ['count'], help: 'Adds replicas; they arrive after provisioning and open their own connections.' },
  'scale-in': { label: 'Scale in', dangerous: true, params: ['count'], help: 'Removes replicas at once.' },
  failover: { label: 'Fail over', dangerous: true, kinds: ['database'], params: [], help: 'Fails the database over to its replica: a write outage while it switches.' },
  'toggle-flag': { label: 'Toggle flag', dangerous: false, params: ['flag'], help: 'Turns a feature flag on or off. Instant.' },
  'flush-cache': { label: 'Flush cache', dangerous: true, kinds: ['cache'], params: [], help: 'Empties the cache; every miss goes to the origin until it warms up.' },
  'restore-cache': { label: 'Restore cache', dangerous: false, kinds: ['cache'], params: [], help: 'Brings a failed cache back, cold.' },
  'rate-limit': { label: 'Rate-limit', dangerous: true, params: ['rps'], help: 'Accepts at most this many requests per second; the rest get 429.' },
  'shed-load': { label: 'Shed load', dangerous: true, params: ['fraction'], help: 'Rejects a fraction of incoming requests (0 turns shedding off).' },
  'renew-cert': { label: 'Renew certificate', dangerous: false, params: [], help: 'Issues and deploys a new TLS certificate (takes about a minute).' },
  'free-disk': { label: 'Free disk', dangerous: false, params: [], help: 'Rotates logs and frees space on the volume.' },
  'kill-query': { label: 'Kill queries', dangerous: false, kinds: ['database'], params: [], help: 'Kills long-running queries on the database.' },
  'revert-config': { label: 'Revert config', dangerous: false, params: [], help: 'Reverts the last configuration push that reached the service.' },
};

export const DRAIN_ZONE: RemediationInfo = { label: 'Drain zone', dangerous: true, params: [], help: 'Takes every replica in a zone out of service (or back in).' };

/** Facilitator commands, with the label on their button. */
export const COMMAND_LABELS: Record<CommandName, string> = {
  start: 'Start',
  pause: 'Pause',
  resume: 'Resume',
  'set-speed': 'Set speed',
  halt: 'Halt',
  end: 'End',
  'release-hint': 'Release hint',
  message: 'Broadcast',
  inject: 'Inject fault',
  'reveal-scores': 'Reveal scores',
  'request-hint': 'Ask for a hint',
};

export interface FaultField {
  name: string;
  label: string;
  type: 'number' | 'text' | 'boolean' | 'list';
  default?: number | string | boolean;
  required?: boolean;
}

/** The inject form's fields per fault kind (the server validates the whole fault). */
export const FAULT_FIELDS: Record<FaultKind, FaultField[]> = {
  latency: [{ name: 'ms', label: 'Added latency (ms)', type: 'number', default: 800, required: true }, { name: 'cpuBound', label: 'CPU-bound', type: 'boolean' }],
  'error-rate': [{ name: 'rate', label: 'Error rate (0–1)', type: 'number', default: 0.2, required: true }, { name: 'message', label: 'Log message', type: 'text' }],
  crash: [{ name: 'replicas', label: 'Replicas', type: 'number', default: 1, required: true }, { name: 'crashLoop', label: 'Crash loop', type: 'boolean' }, { name: 'message', label: 'Log message', type: 'text' }],
  'cpu-saturation': [{ name: 'factor', label: 'Capacity lost (0–0.99)', type: 'number', default: 0.5, required: true }],
  'memory-leak': [{ name: 'mbPerMinute', label: 'MB per minute', type: 'number', default: 50, required: true }],
  'dependency-outage': [{ name: 'mode', label: 'Mode (errors or timeouts)', type: 'text', default: 'errors' }],
  'network-partition': [{ name: 'zone', label: 'Zone', type: 'text' }, { name: 'from', label: 'Cut off from callers (comma-separated)', type: 'list' }],
  'disk-full': [{ name: 'pctPerMinute', label: '% per minute', type: 'number', default: 5, required: true }],
  'cert-expiry': [],
  'bad-deploy': [{ name: 'version', label: 'Version', type: 'text', default: 'v9.9.9-bad', required: true }, { name: 'errorRate', label: 'Error rate (0–1)', type: 'number', default: 0.1 }, { name: 'latencyMs', label: 'Added latency (ms)', type: 'number' }, { name: 'message', label: 'Log message', type: 'text' }],
  'bad-config': [{ name: 'cpuFactor', label: 'CPU lost (0–0.99)', type: 'number', default: 0.3 }, { name: 'errorRate', label: 'Error rate (0–1)', type: 'number', default: 0.05 }, { name: 'change', label: 'Change (audit log)', type: 'text' }],
  'traffic-surge': [{ name: 'multiplier', label: 'Multiplier', type: 'number', default: 3, required: true }, { name: 'source', label: 'Source', type: 'text' }],
  'cache-failure': [],
  'pool-exhaustion': [{ name: 'dependency', label: 'Dependency (service id)', type: 'text', required: true }, { name: 'perMinute', label: 'Connections leaked per minute', type: 'number', default: 5, required: true }],
  'slow-query': [{ name: 'factor', label: 'Slower by (×)', type: 'number', default: 20, required: true }, { name: 'fraction', label: 'Fraction of queries (0–1)', type: 'number', default: 0.3 }, { name: 'query', label: 'Query', type: 'text' }],
};

export const CAN_TEMPLATE = `Condition: <what customers see, since when>
Actions: <what we are doing now>
Needs: <what we need, or "nothing">
Next update: in 15 minutes`;
