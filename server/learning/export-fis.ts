// A scenario as an AWS FIS experiment template: the input of CreateExperimentTemplate
// (`aws fis create-experiment-template --cli-input-json file://x.fis.json`). Faults with a
// counterpart (export-map.ts) become actions; `aws:fis:wait` actions chained with `startAfter`
// place each one at its time in the scenario; the workload's SLOs and the scenario's metric stop
// conditions become `aws:cloudwatch:alarm` stop conditions. Pure.
import type { ScenarioSpec } from '../engine/scenario/schema.ts';
import type { WorkloadSpec } from '../engine/workload/schema.ts';
import { isoDuration, mappedSummary, placeholdersOf, planExport, shortClock, type Counterpart, type ExportPlan, type UnmappedPart } from './export-map.ts';

export interface FisTarget {
  resourceType: string;
  resourceTags?: Record<string, string>;
  parameters?: Record<string, string>;
  filters?: { path: string; values: string[] }[];
  selectionMode: string;
}

export interface FisAction {
  actionId: string;
  description?: string;
  parameters?: Record<string, string>;
  targets?: Record<string, string>;
  startAfter?: string[];
}

export interface FisTemplate {
  description: string;
  roleArn: string;
  targets: Record<string, FisTarget>;
  actions: Record<string, FisAction>;
  stopConditions: { source: string; value?: string }[];
  tags: Record<string, string>;
  experimentOptions: { accountTargeting: 'single-account'; emptyTargetResolutionMode: 'fail' };
}

export const ROLE_ARN = 'arn:aws:iam::{{account-id}}:role/{{fis-experiment-role}}';

export function fisActionId(c: Counterpart): string {
  switch (c.type) {
    case 'ecs-stop-task':
      return 'aws:ecs:stop-task';
    case 'ec2-stop-instances':
      return 'aws:ec2:stop-instances';
    case 'rds-failover':
      return 'aws:rds:failover-db-cluster';
    case 'ssm':
      return 'aws:ssm:send-command';
    case 'disrupt-connectivity':
      return 'aws:network:disrupt-connectivity';
    case 'elasticache-interrupt':
      return 'aws:elasticache:replicationgroup-interrupt-az-power';
  }
}

const zoneOf = (zone: string) => `{{region}}${zone}`;

/** The target of a counterpart: its key in the action, its name and its definition. */
function targetOf(c: Counterpart): { key: string; name: string; target: FisTarget } {
  switch (c.type) {
    case 'ecs-stop-task':
      return { key: 'Tasks', name: `${c.service}-tasks-${c.count}`, target: { resourceType: 'aws:ecs:task', parameters: { cluster: '{{ecs-cluster}}', service: c.service }, selectionMode: `COUNT(${c.count})` } };
    case 'ec2-stop-instances':
      return { key: 'Instances', name: `${c.service}-instances-${c.count}`, target: { resourceType: 'aws:ec2:instance', resourceTags: { Service: c.service }, filters: [{ path: 'State.Name', values: ['running'] }], selectionMode: `COUNT(${c.count})` } };
    case 'rds-failover':
      return { key: 'Clusters', name: `${c.service}-cluster`, target: { resourceType: 'aws:rds:cluster', resourceTags: { Service: c.service }, selectionMode: 'ALL' } };
    case 'ssm':
      return { key: 'Instances', name: `${c.service}-instances`, target: { resourceType: 'aws:ec2:instance', resourceTags: { Service: c.service }, filters: [{ path: 'State.Name', values: ['running'] }], selectionMode: 'ALL' } };
    case 'disrupt-connectivity': {
      // One service per target (tags match with AND); the caller splits a list into actions.
      const service = c.services[0];
      const target: FisTarget = { resourceType: 'aws:ec2:subnet', resourceTags: { Service: service }, selectionMode: 'ALL' };
      if (c.zone) target.filters = [{ path: 'AvailabilityZone', values: [zoneOf(c.zone)] }];
      return { key: 'Subnets', name: `${service}-subnets${c.zone ? `-zone-${c.zone}` : ''}`, target };
    }
    case 'elasticache-interrupt':
      return { key: 'ReplicationGroups', name: `${c.service}-replication-group`, target: { resourceType: 'aws:elasticache:replicationgroup', resourceTags: { Service: c.service }, selectionMode: 'ALL' } };
  }
}

function parametersOf(c: Counterpart): Record<string, string> | undefined {
  switch (c.type) {
    case 'ecs-stop-task':
    case 'rds-failover':
      return undefined;
    case 'ec2-stop-instances':
      return { startInstancesAfterDuration: isoDuration(c.restartAfter) };
    case 'ssm':
      return { documentArn: `arn:aws:ssm:{{region}}::document/${c.document}`, documentParameters: JSON.stringify(c.parameters), duration: isoDuration(c.duration) };
    case 'disrupt-connectivity':
      return c.scope === 'prefix-list' ? { duration: isoDuration(c.duration), scope: 'prefix-list', prefixListIdentifier: `{{prefix-list:${c.prefixListOf}}}` } : { duration: isoDuration(c.duration), scope: 'all' };
    case 'elasticache-interrupt':
      return { duration: isoDuration(c.duration) };
  }
}

export interface FisExport {
  document: FisTemplate;
  plan: ExportPlan;
  mapped: { fault: string; kind: string; service: string; at: number; action: string }[];
  unmapped: UnmappedPart[];
  placeholders: string[];
}

export const waitName = (at: number) => `wait-until-${shortClock(at)}`;

export function exportFis(scenario: ScenarioSpec, workload: WorkloadSpec): FisExport {
  const plan = planExport(scenario, workload);
  const targets: Record<string, FisTarget> = {};
  const actions: Record<string, FisAction> = {};

  // The clock: one wait per distinct time, each after the one before, then one to the end.
  const times = [...new Set(plan.mapped.map((m) => m.at).filter((t) => t > 0))].sort((a, b) => a - b);
  let prev: { at: number; name: string } | undefined;
  for (const at of [...times, plan.duration]) {
    if (prev && at <= prev.at) continue;
    const name = at === plan.duration ? 'wait-until-end' : waitName(at);
    actions[name] = {
      actionId: 'aws:fis:wait',
      description: at === plan.duration ? `the scenario lasts ${shortClock(plan.duration)}: keep watching the stop conditions until then` : `T+${shortClock(at)}`,
      parameters: { duration: isoDuration(at - (prev?.at ?? 0)) },
      ...(prev ? { startAfter: [prev.name] } : {}),
    };
    prev = { at, name };
  }

  for (const m of plan.mapped) {
    const whole = m.counterpart;
    // A network cut of several callers is one action per caller (each its own subnets).
    const parts = whole.type === 'disrupt-connectivity' ? whole.services.map((s) => ({ ...whole, services: [s] })) : [whole];
    for (const c of parts) {
      const { key, name, target } = targetOf(c);
      targets[name] = target;
      const params = parametersOf(c);
      const ramp = m.fault.ramp !== undefined ? `; in the simulation it ramps up over ${m.fault.ramp}` : '';
      const on = c.type === 'disrupt-connectivity' && c.scope === 'prefix-list' ? `${c.services[0]} cut off from ${m.fault.service}` : `on ${m.fault.service}`;
      actions[parts.length > 1 && c.type === 'disrupt-connectivity' ? `${m.fault.id}-${c.services[0]}` : m.fault.id] = {
        actionId: fisActionId(c),
        description: `${m.fault.kind} ${on} at T+${shortClock(m.at)}${ramp}`.slice(0, 512),
        ...(params ? { parameters: params } : {}),
        targets: { [key]: name },
        ...(m.at > 0 ? { startAfter: [waitName(m.at)] } : {}),
      };
    }
  }

  const stopConditions = plan.alarms.length
    ? plan.alarms.map((a) => ({ source: 'aws:cloudwatch:alarm', value: `arn:aws:cloudwatch:{{region}}:{{account-id}}:alarm:${a.name}` }))
    : [{ source: 'none' }];
  const document: FisTemplate = {
    description: `firedrill scenario ${scenario.id}: ${scenario.title}`.slice(0, 512),
    roleArn: ROLE_ARN,
    targets,
    actions,
    stopConditions,
    tags: { Name: scenario.title.slice(0, 256), 'firedrill:scenario': scenario.id, ...(scenario.tags?.length ? { 'firedrill:tags': scenario.tags.join(' ').slice(0, 256) } : {}) },
    experimentOptions: { accountTargeting: 'single-account', emptyTargetResolutionMode: 'fail' },
  };
  return { document, plan, mapped: mappedSummary(plan, fisActionId), unmapped: plan.unmapped, placeholders: placeholdersOf(document) };
}
