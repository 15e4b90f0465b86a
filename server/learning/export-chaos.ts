// A scenario as a Chaos Toolkit experiment (`chaos run x.chaostoolkit.json`, with the
// chaostoolkit-aws extension). The steady-state hypothesis is the workload's SLOs, each an
// `OK` CloudWatch alarm; the method runs the faults that have a counterpart (export-map.ts), in
// order, with `pauses` that put each at its time in the scenario and hold the last one to the
// scenario's end; the rollbacks start again what the method stopped. What has no counterpart is
// listed in the `firedrill` extension and in the export's `unmapped`. Pure.
import type { ScenarioSpec } from '../engine/scenario/schema.ts';
import type { WorkloadSpec } from '../engine/workload/schema.ts';
import { mappedSummary, placeholdersOf, planExport, type Counterpart, type ExportPlan, type UnmappedPart } from './export-map.ts';

export interface CtkActivity {
  type: 'action' | 'probe';
  name: string;
  provider: { type: 'python'; module: string; func: string; arguments?: Record<string, unknown> };
  tolerance?: unknown;
  pauses?: { before?: number; after?: number };
}

export interface CtkExperiment {
  version: '1.0.0';
  title: string;
  description: string;
  tags: string[];
  configuration: Record<string, unknown>;
  'steady-state-hypothesis': { title: string; probes: CtkActivity[] };
  method: CtkActivity[];
  rollbacks: CtkActivity[];
  extensions: { name: 'firedrill'; scenario: string; workload: string; duration: number; unmapped: UnmappedPart[] }[];
}

/** module.func of the chaostoolkit-aws activity a counterpart becomes. */
export function ctkActionOf(c: Counterpart): string {
  switch (c.type) {
    case 'ecs-stop-task':
      return 'chaosaws.ecs.actions.stop_random_tasks';
    case 'ec2-stop-instances':
      return 'chaosaws.ec2.actions.stop_instances';
    case 'rds-failover':
      return 'chaosaws.rds.actions.failover_db_cluster';
    case 'ssm':
    case 'disrupt-connectivity':
      return 'chaosaws.ssm.actions.send_command';
    case 'elasticache-interrupt':
      return 'chaosaws.elasticache.actions.reboot_cache_clusters';
  }
}

const byTag = (service: string) => [{ Name: 'tag:Service', Values: [service] }, { Name: 'instance-state-name', Values: ['running'] }];

function provider(c: Counterpart, faultService: string): CtkActivity['provider'] {
  const [module, func] = ((full) => [full.slice(0, full.lastIndexOf('.')), full.slice(full.lastIndexOf('.') + 1)])(ctkActionOf(c));
  const call = (args: Record<string, unknown>) => ({ type: 'python' as const, module, func, arguments: args });
  const ssm = (document: string, service: string, parameters: Record<string, string>) =>
    call({ document_name: document, targets: [{ Key: 'tag:Service', Values: [service] }], parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, [v]])) });
  switch (c.type) {
    case 'ecs-stop-task':
      return call({ cluster: '${ecs_cluster}', service: c.service, task_count: c.count, reason: `firedrill: ${c.count} ${c.service} tasks down` });
    case 'ec2-stop-instances':
      return call({ filters: byTag(c.service) });
    case 'rds-failover':
      return call({ db_cluster_identifier: `{{rds-cluster:${c.service}}}` });
    case 'ssm':
      return ssm(c.document, c.service, c.parameters);
    case 'disrupt-connectivity':
      // Chaos Toolkit has no subnet cut: drop every packet on the instances instead (to the
      // dependency's addresses only, for an outage of an outside service).
      return c.scope === 'prefix-list'
        ? ssm('AWSFIS-Run-Network-Packet-Loss-Sources', c.services[0], { Sources: `{{addresses-of:${faultService}}}`, LossPercent: '100', DurationSeconds: String(c.duration), InstallDependencies: 'True' })
        : ssm('AWSFIS-Run-Network-Packet-Loss', c.services[0], { LossPercent: '100', DurationSeconds: String(c.duration), InstallDependencies: 'True' });
    case 'elasticache-interrupt':
      return call({ cluster_ids: [`{{elasticache-cluster:${c.service}}}`] });
  }
}

export interface ChaosExport {
  document: CtkExperiment;
  plan: ExportPlan;
  mapped: { fault: string; kind: string; service: string; at: number; action: string }[];
  unmapped: UnmappedPart[];
  placeholders: string[];
}

export function exportChaosToolkit(scenario: ScenarioSpec, workload: WorkloadSpec): ChaosExport {
  const plan = planExport(scenario, workload);
  const method: CtkActivity[] = [];
  const rollbacks: CtkActivity[] = [];
  let clock = 0;
  for (const m of plan.mapped) {
    const whole = m.counterpart;
    const parts = whole.type === 'disrupt-connectivity' ? whole.services.map((s) => ({ ...whole, services: [s] })) : [whole];
    for (const c of parts) {
      const before = m.at - clock;
      clock = m.at;
      const name = parts.length > 1 && c.type === 'disrupt-connectivity' ? `${m.fault.id}-${c.services[0]}` : m.fault.id;
      method.push({ type: 'action', name, provider: provider(c, m.fault.service), ...(before > 0 ? { pauses: { before } } : {}) });
      if (c.type === 'ec2-stop-instances') {
        rollbacks.push({ type: 'action', name: `start-${c.service}-instances`, provider: { type: 'python', module: 'chaosaws.ec2.actions', func: 'start_instances', arguments: { filters: [{ Name: 'tag:Service', Values: [c.service] }] } } });
      }
    }
  }
  // Hold the last fault until the scenario's end, so the hypothesis is checked after it, as the
  // scenario would have run.
  if (method.length && plan.duration > clock) method[method.length - 1].pauses = { ...method[method.length - 1].pauses, after: plan.duration - clock };

  const probes: CtkActivity[] = plan.alarms
    .filter((a) => a.from.startsWith('SLO '))
    .map((a) => ({
      type: 'probe' as const,
      name: `${a.name}-ok`,
      tolerance: 'OK',
      provider: { type: 'python' as const, module: 'chaosaws.cloudwatch.probes', func: 'get_alarm_state_value', arguments: { alarm_name: a.name } },
    }));
  // Metric stop conditions are guardrails: Chaos Toolkit has no stop conditions of its own.
  const unmapped: UnmappedPart[] = [
    ...plan.unmapped,
    ...(scenario.stop ?? []).flatMap((s, i) =>
      s.when.metric ? [{ part: `stop[${i}]`, kind: 'stop', reason: `a guardrail (${plan.alarms.find((a) => a.from.startsWith(`stop[${i}]`))?.from.slice(`stop[${i}]: `.length)}): Chaos Toolkit has no stop condition — watch alarm firedrill-${scenario.id}-stop-${i} or add a safeguards control` }] : [],
    ),
  ];
  // Chaos Toolkit wants at least one activity in the method: with nothing to inject, observe.
  if (!method.length && probes.length) method.push({ ...probes[0], name: 'nothing-to-inject-observe', pauses: { after: plan.duration } });
  const document: CtkExperiment = {
    version: '1.0.0',
    title: scenario.title,
    description: scenario.summary.trim(),
    tags: ['firedrill', ...(scenario.tags ?? [])],
    configuration: { aws_region: { type: 'env', key: 'AWS_REGION' }, ecs_cluster: { type: 'env', key: 'ECS_CLUSTER', default: '{{ecs-cluster}}' } },
    'steady-state-hypothesis': { title: `${workload.title} meets its SLOs`, probes },
    method,
    rollbacks,
    extensions: [{ name: 'firedrill', scenario: scenario.id, workload: workload.id, duration: plan.duration, unmapped }],
  };
  return { document, plan, mapped: mappedSummary(plan, ctkActionOf), unmapped, placeholders: placeholdersOf(document) };
}

