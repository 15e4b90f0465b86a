// Graduating a scenario: which of its faults have a real counterpart on AWS, and which parts of it
// have none. One table for both exports (export-chaos.ts, export-fis.ts), so they always agree on
// what maps. Pure: a scenario and its workload in, plain data out.
//
// Resources are found by tag (`Service: <service id>`), and everything the simulation cannot know
// (account, region, cluster names, prefix lists, alarm names) is a `{{placeholder}}` to fill in.
import { parseDuration } from '../engine/duration.ts';
import type { FaultSpec } from '../engine/faults/schema.ts';
import type { ScenarioSpec } from '../engine/scenario/schema.ts';
import type { WorkloadSpec } from '../engine/workload/schema.ts';

export type SsmDocument =
  | 'AWSFIS-Run-CPU-Stress'
  | 'AWSFIS-Run-Memory-Stress'
  | 'AWSFIS-Run-Disk-Fill'
  | 'AWSFIS-Run-Network-Latency'
  | 'AWSFIS-Run-Network-Packet-Loss'
  | 'AWSFIS-Run-Network-Packet-Loss-Sources';

/** What a fault becomes on real infrastructure. Durations in whole seconds. */
export type Counterpart =
  | { type: 'ecs-stop-task'; service: string; count: number }
  | { type: 'ec2-stop-instances'; service: string; count: number; restartAfter: number }
  | { type: 'rds-failover'; service: string }
  | { type: 'ssm'; service: string; document: SsmDocument; parameters: Record<string, string>; duration: number }
  | { type: 'disrupt-connectivity'; services: string[]; zone?: string; scope: 'all' | 'prefix-list'; prefixListOf?: string; duration: number }
  | { type: 'elasticache-interrupt'; service: string; duration: number };

export interface MappedFault {
  fault: FaultSpec;
  /** Simulated seconds from the start. */
  at: number;
  /** How long it lasts: its own `duration`, else to the end of the scenario. */
  duration: number;
  counterpart: Counterpart;
  /** Its index in the timeline. */
  index: number;
}

export interface UnmappedPart {
  part: string;
  kind: string;
  id?: string;
  at?: number;
  reason: string;
}

export interface ExportPlan {
  scenario: ScenarioSpec;
  workload: WorkloadSpec;
  /** Simulated seconds. */
  duration: number;
  /** In order of time (then of the timeline). */
  mapped: MappedFault[];
  unmapped: UnmappedPart[];
  /** Guardrails: the workload's SLOs and the scenario's metric stop conditions, as alarm names. */
  alarms: { name: string; from: string }[];
}

const COMPUTE = new Set(['web', 'api', 'worker']);

/** Whole seconds as ISO 8601 (`PT1M30S`), as FIS wants its durations. */
export function isoDuration(seconds: number): string {
  let s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const out = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  return `PT${out || '0S'}`;
}

/** `2m30s`, `1h`, `0s`: a compact clock for names. */
export function shortClock(seconds: number): string {
  let s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const out = `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  return out || '0s';
}

export function sloAlarmName(scenarioId: string, sloId: string): string {
  return `firedrill-${scenarioId}-${sloId}-burn`;
}

const NO_COUNTERPART: Partial<Record<FaultSpec['kind'], string>> = {
  'error-rate': 'application errors: no FIS action makes a service fail its own requests — use a fault flag in the service or a proxy fault filter (e.g. Envoy)',
  'cert-expiry': 'an expired certificate: no FIS action — rehearse it by serving an expired certificate in a staging environment',
  'bad-deploy': 'a bad release is not injected by FIS — rehearse it with a canary deploy of a known-bad build, and the rollback',
  'bad-config': 'a configuration push: FIS has no configuration action — push the change to a staging environment and revert it',
  'traffic-surge': 'FIS does not generate load — use a load generator (Distributed Load Testing on AWS, k6, Locust)',
  'pool-exhaustion': 'a connection leak inside the application: no FIS action reproduces it',
  'slow-query': 'a slow query: no FIS action slows a query — replay it against a staging database',
};

/** The counterpart of one fault, or why there is none. */
export function counterpartOf(f: FaultSpec, workload: WorkloadSpec, duration: number): Counterpart | string {
  const service = workload.services.find((s) => s.id === f.service);
  const kind = service?.kind ?? 'unknown';
  const compute = COMPUTE.has(kind);
  const managed = `FIS has no such action for a managed ${kind} (${f.service})`;
  switch (f.kind) {
    case 'latency':
      return compute ? { type: 'ssm', service: f.service, document: 'AWSFIS-Run-Network-Latency', parameters: { DelayMilliseconds: String(Math.round(f.ms)), DurationSeconds: String(duration), InstallDependencies: 'True' }, duration } : managed;
    case 'crash':
      if (kind === 'database') return { type: 'rds-failover', service: f.service };
      if (!compute) return managed;
      // Tasks stopped once come back (ECS replaces them): a crash. Capacity that stays down (a
      // crash loop, or a fault with a duration) is instances stopped and started again later.
      return f.crashLoop || f.duration !== undefined
        ? { type: 'ec2-stop-instances', service: f.service, count: f.replicas, restartAfter: duration }
        : { type: 'ecs-stop-task', service: f.service, count: f.replicas };
    case 'cpu-saturation':
      return compute ? { type: 'ssm', service: f.service, document: 'AWSFIS-Run-CPU-Stress', parameters: { DurationSeconds: String(duration), LoadPercent: String(Math.round(f.factor * 100)), InstallDependencies: 'True' }, duration } : managed;
    case 'memory-leak':
      return compute ? { type: 'ssm', service: f.service, document: 'AWSFIS-Run-Memory-Stress', parameters: { DurationSeconds: String(duration), Percent: '90', Workers: '1', InstallDependencies: 'True' }, duration } : managed;
    case 'disk-full':
      if (kind === 'database') return 'FIS cannot fill an RDS volume — on a self-managed database on EC2, use AWSFIS-Run-Disk-Fill';
      return compute ? { type: 'ssm', service: f.service, document: 'AWSFIS-Run-Disk-Fill', parameters: { DurationSeconds: String(duration), Percent: '95', InstallDependencies: 'True' }, duration } : managed;
    case 'dependency-outage': {
      if (kind !== 'external') return `a dependency outage of an internal ${kind} (${f.service}): stop its tasks or cut its network instead`;
      const callers = workload.services.filter((s) => (s.dependencies ?? []).some((d) => d.service === f.service)).map((s) => s.id);
      if (!callers.length) return `nothing in workload ${workload.id} calls ${f.service}`;
      return { type: 'disrupt-connectivity', services: callers, scope: 'prefix-list', prefixListOf: f.service, duration };
    }
    case 'network-partition':
      if (!f.zone) return `a cut between ${f.service} and some callers only (${(f.from ?? []).join(', ') || 'none named'}): FIS cuts a subnet from everything, not from chosen callers`;
      return { type: 'disrupt-connectivity', services: [f.service], zone: f.zone, scope: 'all', duration };
    case 'cache-failure':
      return kind === 'cache' ? { type: 'elasticache-interrupt', service: f.service, duration } : managed;
    default:
      return NO_COUNTERPART[f.kind] ?? `no counterpart for a ${f.kind} fault`;
  }
}

function describeTrigger(b: NonNullable<ScenarioSpec['branches']>[number]): string {
  const w = b.when;
  if (w.action) return `when the team does ${w.action.action}${w.action.service ? ` on ${w.action.service}` : ''}`;
  if (w.notMitigatedBy !== undefined) return `when impact is not mitigated by ${shortClock(parseDuration(w.notMitigatedBy))}`;
  if (w.metric) return `when ${w.metric.service} ${w.metric.metric} ${w.metric.op} ${w.metric.threshold}`;
  if (w.notDone) return `when ${w.notDone.action} is not done by ${shortClock(parseDuration(w.notDone.by))}`;
  if (w.after) return `after branch ${w.after}`;
  return 'on a condition';
}

/** What maps, what does not, and the guardrails: the plan both exports render. */
export function planExport(scenario: ScenarioSpec, workload: WorkloadSpec): ExportPlan {
  const total = parseDuration(scenario.duration);
  const mapped: MappedFault[] = [];
  const unmapped: UnmappedPart[] = [];
  scenario.timeline.forEach((entry, index) => {
    const at = parseDuration(entry.at);
    const part = `timeline[${index}]`;
    if (entry.inject) {
      const f = entry.inject;
      const duration = Math.max(1, Math.round(f.duration !== undefined ? Math.min(parseDuration(f.duration), total - at) : total - at));
      const c = counterpartOf(f, workload, duration);
      if (typeof c === 'string') unmapped.push({ part, kind: f.kind, id: f.id, at, reason: c });
      else mapped.push({ fault: f, at, duration, counterpart: c, index });
    } else if (entry.message !== undefined) {
      unmapped.push({ part, kind: 'message', at, reason: 'a message to the players: send it yourself during the experiment' });
    } else if (entry.event) {
      unmapped.push({ part, kind: 'event', at, reason: `a ${entry.event.kind} entry in the simulated audit log of ${entry.event.service}: context for the players, nothing to inject` });
    }
  });
  for (const b of scenario.branches ?? []) {
    const faults = b.then.filter((c) => c.inject).map((c) => c.inject!.id);
    unmapped.push({
      part: `branch ${b.id}`,
      kind: 'branch',
      id: b.id,
      reason: `conditional (${describeTrigger(b)})${faults.length ? `, injects ${faults.join(', ')}` : ''}: an experiment has no conditions — run it as a separate experiment if it matters`,
    });
  }
  for (const h of scenario.hints ?? []) {
    unmapped.push({ part: `hint ${h.id}`, kind: 'hint', id: h.id, ...(h.at !== undefined ? { at: parseDuration(h.at) } : {}), reason: 'a hint for the players: the facilitator gives it' });
  }
  const alarms: { name: string; from: string }[] = (workload.slos ?? []).map((s) => ({ name: sloAlarmName(scenario.id, s.id), from: `SLO ${s.id} (${s.service}, ${s.objective})` }));
  (scenario.stop ?? []).forEach((s, i) => {
    const m = s.when.metric;
    if (m) alarms.push({ name: `firedrill-${scenario.id}-stop-${i}`, from: `stop[${i}]: ${m.service} ${m.metric} ${m.op} ${m.threshold}${m.for !== undefined ? ` for ${shortClock(parseDuration(m.for))}` : ''}` });
  });
  mapped.sort((a, b) => a.at - b.at || a.index - b.index);
  return { scenario, workload, duration: total, mapped, unmapped, alarms };
}

/** Every `{{placeholder}}` in a document, sorted. */
export function placeholdersOf(doc: unknown): string[] {
  return [...new Set([...JSON.stringify(doc).matchAll(/\{\{[a-z0-9:._-]+\}\}/gi)].map((m) => m[0]))].sort();
}

/** One line per mapped fault: which action it became. */
export function mappedSummary(plan: ExportPlan, actionOf: (c: Counterpart) => string) {
  return plan.mapped.map((m) => ({ fault: m.fault.id, kind: m.fault.kind, service: m.fault.service, at: m.at, action: actionOf(m.counterpart) }));
}
