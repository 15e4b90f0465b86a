// Checks workloads and scenarios: first their shape (the schema), then what the schema cannot
// say — references between things, cycles, times past the end, faults nothing can clear,
// branches that can never fire. Semantic checks run only on values that passed the schema, so
// they can trust the types; a file with shape problems reports those first.
import type { MetricName } from '../schema-common.ts';
import { Workload, type AlertRuleSpec, type ServiceKind, type ServiceSpec, type WorkloadSpec } from '../workload/schema.ts';
import { Scenario, type ScenarioSpec, type TriggerSpec } from './schema.ts';
import type { FaultSpec } from '../faults/schema.ts';
import { FAULT_CATALOG } from '../faults/catalog.ts';
import type { RemediationKind, ResolverRefSpec } from '../actions/schema.ts';
import { parseDuration } from '../duration.ts';
import type { Runbook } from './runbook.ts';
import type { Locate, Path, Problem, ProblemCode } from './problems.ts';
import { fieldOf, problemSink, sortProblems, suggestion, type ProblemSink } from './problems.ts';
import { schemaProblems } from './schema-errors.ts';

const DEFAULT_ZONES = ['a', 'b', 'c'];

/** Ranges of metrics that are bounded; every metric is at least 0. */
const METRIC_RANGE: Partial<Record<MetricName, { max: number; unit: string }>> = {
  error_rate: { max: 1, unit: 'a fraction between 0 and 1' },
  cache_hit_ratio: { max: 1, unit: 'a fraction between 0 and 1' },
  pool_utilisation: { max: 1, unit: 'a fraction between 0 and 1' },
  memory_pct: { max: 100, unit: 'a percentage between 0 and 100' },
  disk_pct: { max: 100, unit: 'a percentage between 0 and 100' },
};

/**
 * Why `metric op threshold` can never hold, or undefined if it can.
 * impossibleCondition('error_rate', '>', 5) → 'error_rate is a fraction between 0 and 1, so "> 5" never holds (for 5%, write 0.05)'
 */
export function impossibleCondition(metric: MetricName, op: string, threshold: number, service?: ServiceSpec): string | undefined {
  if (metric === 'cache_hit_ratio' && service && service.kind !== 'cache') {
    return `cache_hit_ratio is only measured on caches, and "${service.id}" is ${article(service.kind)}`;
  }
  const range = METRIC_RANGE[metric];
  const min = 0;
  const max = range?.max ?? Infinity;
  const never =
    (op === '>' && threshold >= max) ||
    (op === '>=' && threshold > max) ||
    (op === '<' && threshold <= min) ||
    (op === '<=' && threshold < min) ||
    (op === '==' && (threshold < min || threshold > max));
  if (!never) return undefined;
  const what = range ? `${metric} is ${range.unit}` : `${metric} is never negative`;
  const percentHint = range?.max === 1 && threshold > 1 && threshold <= 100 ? ` (for ${threshold}%, write ${threshold / 100})` : '';
  return `${what}, so "${op} ${threshold}" never holds${percentHint}`;
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

function unknown(noun: string, id: string, candidates: Iterable<string>): string {
  return `unknown ${noun} "${id}"${suggestion(id, [...candidates])}`;
}

function reportDuplicates(sink: ProblemSink, items: readonly { id: string }[], base: Path, code: ProblemCode, noun: string) {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const before = first.get(item.id);
    if (before === undefined) first.set(item.id, i);
    else sink.at([...base, i, 'id'], code, `${noun} "${item.id}" is already defined at ${fieldOf([...base, before])}`);
  });
}

export interface WorkloadContext {
  /** Known runbook ids; when given, `services[].runbooks` and `alerts[].runbook` are checked. */
  runbooks?: ReadonlyMap<string, unknown> | ReadonlySet<string>;
}

/**
 * Checks a workload file's parsed value. validateWorkload(value, locate, 'shop.workload.yaml') → [] when valid.
 */
export function validateWorkload(value: unknown, locate: Locate, file: string, ctx: WorkloadContext = {}): Problem[] {
  const shape = schemaProblems(Workload, value, file, locate);
  if (shape.length > 0) return shape;
  const w = value as WorkloadSpec;
  const sink = problemSink(file, locate);
  const services = new Map(w.services.map((s) => [s.id, s]));
  const teams = new Set(w.teams.map((t) => t.id));

  reportDuplicates(sink, w.services, ['services'], 'duplicate/service', 'service');
  reportDuplicates(sink, w.teams, ['teams'], 'duplicate/team', 'team');
  reportDuplicates(sink, w.alerts ?? [], ['alerts'], 'duplicate/alert', 'alert');
  reportDuplicates(sink, w.slos ?? [], ['slos'], 'duplicate/slo', 'SLO');

  w.services.forEach((s, i) => {
    const at = ['services', i];
    if (!teams.has(s.team)) sink.at([...at, 'team'], 'ref/unknown-team', unknown('team', s.team, teams));
    if (ctx.runbooks) {
      (s.runbooks ?? []).forEach((r, k) => {
        if (!ctx.runbooks!.has(r)) sink.at([...at, 'runbooks', k], 'ref/unknown-runbook', unknown('runbook', r, ctx.runbooks!.keys()));
      });
    }
    (s.dependencies ?? []).forEach((d, j) => {
      const dep = [...at, 'dependencies', j];
      if (!services.has(d.service)) sink.at([...dep, 'service'], 'ref/unknown-service', unknown('service', d.service, services.keys()));
      if (d.onCacheMissOf !== undefined) {
        const cache = services.get(d.onCacheMissOf);
        if (!cache) sink.at([...dep, 'onCacheMissOf'], 'ref/unknown-service', unknown('service', d.onCacheMissOf, services.keys()));
        else if (cache.kind !== 'cache') {
          sink.at([...dep, 'onCacheMissOf'], 'workload/cache-miss', `"${cache.id}" is ${article(cache.kind)}, not a cache`);
        } else if (!(s.dependencies ?? []).some((other) => other.service === cache.id)) {
          sink.at([...dep, 'onCacheMissOf'], 'workload/cache-miss', `"${s.id}" does not depend on the cache "${cache.id}"; add it to its dependencies`);
        }
      }
      if (d.flag !== undefined && !Object.hasOwn(s.flags ?? {}, d.flag)) {
        sink.at([...dep, 'flag'], 'ref/unknown-flag', `"${s.id}" has no flag "${d.flag}"${suggestion(d.flag, Object.keys(s.flags ?? {}))}`);
      }
    });
  });

  reportDependencyCycles(sink, w.services, services);

  w.traffic.entry.forEach((e, i) => {
    if (!services.has(e.service)) sink.at(['traffic', 'entry', i, 'service'], 'ref/unknown-service', unknown('service', e.service, services.keys()));
  });
  (w.slos ?? []).forEach((slo, i) => {
    if (!services.has(slo.service)) sink.at(['slos', i, 'service'], 'ref/unknown-service', unknown('service', slo.service, services.keys()));
  });
  (w.alerts ?? []).forEach((a, i) => checkAlertRule(sink, a, ['alerts', i], services, teams, ctx.runbooks));
  return sortProblems(sink.problems);
}

function checkAlertRule(
  sink: ProblemSink,
  a: AlertRuleSpec,
  at: Path,
  services: ReadonlyMap<string, ServiceSpec>,
  teams: ReadonlySet<string>,
  runbooks: ReadonlyMap<string, unknown> | ReadonlySet<string> | undefined,
) {
  const service = services.get(a.service);
  if (!service) sink.at([...at, 'service'], 'ref/unknown-service', unknown('service', a.service, services.keys()));
  if (!teams.has(a.route)) sink.at([...at, 'route'], 'ref/unknown-team', unknown('team', a.route, teams));
  if (a.runbook !== undefined && runbooks && !runbooks.has(a.runbook)) {
    sink.at([...at, 'runbook'], 'ref/unknown-runbook', unknown('runbook', a.runbook, runbooks.keys()));
  }
  const why = impossibleCondition(a.metric, a.op, a.threshold, service);
  if (why) sink.at([...at, 'threshold'], 'metric/impossible', `alert "${a.id}" can never fire: ${why}`);
  (a.and ?? []).forEach((c, k) => {
    const whyAnd = impossibleCondition(c.metric, c.op, c.threshold, service);
    if (whyAnd) sink.at([...at, 'and', k, 'threshold'], 'metric/impossible', `alert "${a.id}" can never fire: ${whyAnd}`);
  });
}

function reportDependencyCycles(sink: ProblemSink, list: readonly ServiceSpec[], services: ReadonlyMap<string, ServiceSpec>) {
  const index = new Map(list.map((s, i) => [s.id, i]));
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  const path: string[] = [];
  const visit = (id: string) => {
    state.set(id, 1);
    path.push(id);
    const s = services.get(id)!;
    (s.dependencies ?? []).forEach((d, j) => {
      if (!services.has(d.service)) return;
      const st = state.get(d.service);
      if (st === 1) {
        const cycle = [...path.slice(path.indexOf(d.service)), d.service];
        const message = cycle.length === 2 ? `"${id}" depends on itself` : `dependency cycle: ${cycle.join(' → ')}`;
        sink.at(['services', index.get(id)!, 'dependencies', j, 'service'], 'workload/dependency-cycle', message);
      } else if (st === undefined) visit(d.service);
    });
    path.pop();
    state.set(id, 2);
  };
  for (const s of list) if (!state.has(s.id)) visit(s.id);
}

export interface ScenarioContext {
  /** The scenario's workload, resolved by id; undefined when it is missing or broken. */
  workload: WorkloadSpec | undefined;
  runbooks: ReadonlyMap<string, Runbook>;
  /** Ids of the workloads that exist, for "did you mean" when the workload is unknown. */
  workloadIds?: readonly string[];
  /** Workloads that exist but have problems: id → file. */
  brokenWorkloads?: ReadonlyMap<string, string>;
}

interface FaultSite {
  fault: FaultSpec;
  path: Path;
  /** Index of the branch that injects it; undefined for the timeline. */
  branch?: number;
}

/**
 * Checks a scenario file's parsed value against its workload and the runbooks.
 * validateScenario(value, { workload, runbooks }, locate, 'x.scenario.yaml') → [] when valid.
 */
export function validateScenario(value: unknown, ctx: ScenarioContext, locate: Locate, file: string): Problem[] {
  const shape = schemaProblems(Scenario, value, file, locate);
  if (shape.length > 0) return shape;
  return new ScenarioChecker(value as ScenarioSpec, ctx, problemSink(file, locate)).run();
}

class ScenarioChecker {
  private readonly w: WorkloadSpec | undefined;
  private readonly services: Map<string, ServiceSpec>;
  private readonly teams: Set<string>;
  private readonly alerts: Set<string>;
  private readonly zones: string[];
  private readonly end: number;
  private readonly sites: FaultSite[] = [];
  private readonly faultIds = new Map<string, FaultSite[]>();
  private readonly unreachable = new Set<number>();

  constructor(
    private readonly s: ScenarioSpec,
    private readonly ctx: ScenarioContext,
    private readonly sink: ProblemSink,
  ) {
    this.w = ctx.workload;
    this.services = new Map((this.w?.services ?? []).map((x) => [x.id, x]));
    this.teams = new Set((this.w?.teams ?? []).map((t) => t.id));
    this.alerts = new Set([...(this.w?.alerts ?? []), ...(s.alerts ?? [])].map((a) => a.id));
    this.zones = this.w?.zones ?? DEFAULT_ZONES;
    this.end = parseDuration(s.duration);
  }

  run(): Problem[] {
    this.checkWorkloadRef();
    this.checkScenarioAlerts();
    (this.s.players?.teams ?? []).forEach((t, i) => this.team(['players', 'teams', i], t));
    this.collectFaults();
    this.checkTimeline();
    this.checkHints();
    this.checkBranches();
    this.sites.forEach((site) => this.checkFault(site));
    this.checkRootCause();
    this.checkExpectations();
    this.checkStop();
    return sortProblems(this.sink.problems);
  }

  // --- references -----------------------------------------------------------------------------

  private service(path: Path, id: string): ServiceSpec | undefined {
    if (!this.w) return undefined;
    const found = this.services.get(id);
    if (!found) this.sink.at(path, 'ref/unknown-service', unknown('service', id, this.services.keys()));
    return found;
  }

  private team(path: Path, id: string) {
    if (this.w && !this.teams.has(id)) this.sink.at(path, 'ref/unknown-team', unknown('team', id, this.teams));
  }

  /** A stop condition may sit exactly at the end (it names the reason the run ends); nothing else may. */
  private pastEnd(path: Path, at: number | string, what: string, allowAtEnd = false) {
    const t = parseDuration(at);
    if (t > this.end || (t === this.end && !allowAtEnd)) {
      const where = t === this.end ? 'at the end' : 'past the end';
      this.sink.at(path, 'timeline/past-end', `${what} ${JSON.stringify(at)} is ${where} of the scenario (duration ${JSON.stringify(this.s.duration)}); it can never happen`);
    }
  }

  private checkWorkloadRef() {
    if (this.w) return;
    const id = this.s.workload;
    const broken = this.ctx.brokenWorkloads?.get(id);
    if (broken !== undefined) {
      this.sink.at(['workload'], 'ref/workload-invalid', `workload "${id}" (${broken}) has problems of its own; references to its services, teams and alerts were not checked`);
    } else {
      this.sink.at(['workload'], 'ref/unknown-workload', unknown('workload', id, this.ctx.workloadIds ?? []));
    }
  }

  private checkScenarioAlerts() {
    const list = this.s.alerts ?? [];
    reportDuplicates(this.sink, list, ['alerts'], 'duplicate/alert', 'alert');
    const workloadAlerts = new Set((this.w?.alerts ?? []).map((a) => a.id));
    list.forEach((a, i) => {
      if (workloadAlerts.has(a.id)) this.sink.at(['alerts', i, 'id'], 'duplicate/alert', `alert "${a.id}" is already defined by workload "${this.w!.id}"`);
      if (this.w) checkAlertRule(this.sink, a, ['alerts', i], this.services, this.teams, this.ctx.runbooks);
      else if (a.runbook !== undefined && !this.ctx.runbooks.has(a.runbook)) {
        this.sink.at(['alerts', i, 'runbook'], 'ref/unknown-runbook', unknown('runbook', a.runbook, this.ctx.runbooks.keys()));
      }
    });
  }

  // --- faults ---------------------------------------------------------------------------------

  private collectFaults() {
    this.s.timeline.forEach((e, i) => {
      if (e.inject) this.sites.push({ fault: e.inject, path: ['timeline', i, 'inject'] });
    });
    (this.s.branches ?? []).forEach((b, bi) =>
      b.then.forEach((c, ci) => {
        if (c.inject) this.sites.push({ fault: c.inject, path: ['branches', bi, 'then', ci, 'inject'], branch: bi });
      }),
    );
    for (const site of this.sites) {
      const same = this.faultIds.get(site.fault.id);
      if (same) {
        this.sink.at([...site.path, 'id'], 'duplicate/fault', `fault id "${site.fault.id}" is already used at ${fieldOf(same[0].path)}`);
        same.push(site);
      } else this.faultIds.set(site.fault.id, [site]);
    }
  }

  private checkFault({ fault: f, path }: FaultSite) {
    const svc = this.service([...path, 'service'], f.service);
    if (svc) {
      const wrongKind = (needed: ServiceKind) =>
        svc.kind !== needed &&
        this.sink.at([...path, 'kind'], 'fault/service-kind', `${f.kind} applies to a ${needed}, and "${svc.id}" is ${article(svc.kind)}`);
      switch (f.kind) {
        case 'cache-failure':
          wrongKind('cache');
          break;
        case 'slow-query':
          wrongKind('database');
          break;
        case 'pool-exhaustion':
          if (this.service([...path, 'dependency'], f.dependency) && !(svc.dependencies ?? []).some((d) => d.service === f.dependency)) {
            this.sink.at([...path, 'dependency'], 'ref/unknown-dependency', `"${svc.id}" does not depend on "${f.dependency}"${suggestion(f.dependency, (svc.dependencies ?? []).map((d) => d.service))}`);
          }
          break;
      }
    }
    switch (f.kind) {
      case 'network-partition':
        if (f.zone !== undefined && !this.zones.includes(f.zone)) this.sink.at([...path, 'zone'], 'ref/unknown-zone', unknown('zone', f.zone, this.zones));
        (f.from ?? []).forEach((id, k) => this.service([...path, 'from', k], id));
        break;
      case 'bad-config':
        (f.services ?? []).forEach((id, k) => this.service([...path, 'services', k], id));
        break;
      case 'bad-deploy':
        if (f.extraCalls) this.service([...path, 'extraCalls', 'service'], f.extraCalls.service);
        break;
      case 'slow-query':
        if (f.flag) {
          const owner = this.service([...path, 'flag', 'service'], f.flag.service);
          if (owner && !Object.hasOwn(owner.flags ?? {}, f.flag.flag)) {
            this.sink.at([...path, 'flag', 'flag'], 'ref/unknown-flag', `"${owner.id}" has no flag "${f.flag.flag}"${suggestion(f.flag.flag, Object.keys(owner.flags ?? {}))}`);
          }
        }
        break;
    }
    this.checkResolvers(f, path, svc);
  }

  /** Why `r` cannot clear fault `f`, or undefined if it can (unknown references count as cannot). */
  private resolverProblem(r: ResolverRefSpec, f: FaultSpec): { code: ProblemCode; field?: string; message: string } | undefined {
    const targetId = r.service ?? f.service;
    const target = this.services.get(targetId);
    if (!this.w) return undefined;
    if (!target) return { code: 'ref/unknown-service', field: 'service', message: unknown('service', targetId, this.services.keys()) };
    const needs = (kind: ServiceKind) =>
      target.kind === kind ? undefined : { code: 'fault/resolver-inapplicable' as const, field: 'action', message: `${r.action} cannot apply to "${target.id}": it is ${article(target.kind)}, not ${article(kind)}` };
    switch (r.action) {
      case 'restore-cache':
      case 'flush-cache':
        return needs('cache');
      case 'failover':
      case 'kill-query':
        return needs('database');
      case 'toggle-flag':
        if (r.flag === undefined) return { code: 'fault/resolver-inapplicable', field: 'action', message: 'toggle-flag needs the flag to toggle: add `flag:`' };
        if (!Object.hasOwn(target.flags ?? {}, r.flag)) {
          return { code: 'ref/unknown-flag', field: 'flag', message: `"${target.id}" has no flag "${r.flag}"${suggestion(r.flag, Object.keys(target.flags ?? {}))}` };
        }
        return undefined;
      case 'drain-zone': {
        const zone = r.zone ?? (f.kind === 'network-partition' ? f.zone : undefined);
        if (zone === undefined) return { code: 'fault/resolver-inapplicable', field: 'action', message: 'drain-zone needs a zone: add `zone:`' };
        if (!this.zones.includes(zone)) return { code: 'ref/unknown-zone', field: 'zone', message: unknown('zone', zone, this.zones) };
        return undefined;
      }
      default:
        return undefined;
    }
  }

  private checkResolvers(f: FaultSpec, path: Path, svc: ServiceSpec | undefined) {
    if (f.resolvedBy !== undefined) {
      f.resolvedBy.forEach((r, k) => {
        const why = this.resolverProblem(r, f);
        if (!why) return;
        // an unknown fault service was reported already; do not repeat it for every resolver
        if (why.code === 'ref/unknown-service' && r.service === undefined) return;
        this.sink.at([...path, 'resolvedBy', k, why.field ?? 'action'], why.code, why.message);
      });
      if (f.resolvedBy.length === 0 && f.duration === undefined) {
        this.sink.at([...path, 'resolvedBy'], 'fault/unresolvable', `fault "${f.id}" can never be cleared: \`resolvedBy\` is empty and it has no \`duration\``);
      }
      return;
    }
    if (f.duration !== undefined) return;
    const defaults: readonly RemediationKind[] = FAULT_CATALOG[f.kind].resolvedBy;
    if (defaults.length === 0) {
      this.sink.at([...path, 'kind'], 'fault/unresolvable', `fault "${f.id}" can never be cleared: ${f.kind} has no default remediation; give it \`resolvedBy\` (e.g. a toggle-flag that degrades the feature) or a \`duration\``);
      return;
    }
    if (!svc) return;
    if (defaults.every((a) => this.resolverProblem({ action: a }, f) !== undefined)) {
      this.sink.at([...path, 'kind'], 'fault/unresolvable', `fault "${f.id}" can never be cleared: none of the default remediations of ${f.kind} (${defaults.join(', ')}) applies to "${svc.id}" (${article(svc.kind)}); give it \`resolvedBy\` or a \`duration\``);
    }
  }

  private checkRootCause() {
    this.s.rootCause.faults.forEach((id, i) => {
      const sites = this.faultIds.get(id);
      if (!sites) {
        this.sink.at(['rootCause', 'faults', i], 'ref/unknown-fault', `root-cause fault "${id}" is never injected (no timeline entry or branch injects it)${suggestion(id, [...this.faultIds.keys()])}`);
      } else if (sites.every((site) => site.branch !== undefined && this.unreachable.has(site.branch))) {
        this.sink.at(['rootCause', 'faults', i], 'rootcause/unreachable', `root-cause fault "${id}" is injected only by branches that can never fire`);
      }
    });
  }

  // --- timeline, hints ------------------------------------------------------------------------

  private checkTimeline() {
    this.s.timeline.forEach((e, i) => {
      const at = ['timeline', i];
      const keys = (['inject', 'message', 'event'] as const).filter((k) => e[k] !== undefined);
      if (keys.length !== 1) {
        this.sink.at(at, 'timeline/entry-shape', `a timeline entry needs exactly one of inject, message, event (it has ${keys.length === 0 ? 'none' : keys.join(', ')})`);
      }
      this.pastEnd([...at, 'at'], e.at, 'at');
      if (e.event) this.service([...at, 'event', 'service'], e.event.service);
    });
  }

  private checkHints() {
    const hints = this.s.hints ?? [];
    reportDuplicates(this.sink, hints, ['hints'], 'duplicate/hint', 'hint');
    hints.forEach((h, i) => {
      if (h.at !== undefined) this.pastEnd(['hints', i, 'at'], h.at, 'hint at');
    });
  }

  // --- branches -------------------------------------------------------------------------------

  private checkBranches() {
    const branches = this.s.branches ?? [];
    reportDuplicates(this.sink, branches, ['branches'], 'duplicate/branch', 'branch');
    const byId = new Map<string, number>();
    branches.forEach((b, i) => {
      if (!byId.has(b.id)) byId.set(b.id, i);
    });
    const hintIds = new Set((this.s.hints ?? []).map((h) => h.id));

    branches.forEach((b, i) => {
      const at = ['branches', i];
      const when = b.when;
      const keys = (['action', 'metric', 'notMitigatedBy', 'notDone', 'after'] as const).filter((k) => when[k] !== undefined);
      if (keys.length !== 1) {
        this.sink.at([...at, 'when'], 'branch/trigger-shape', `\`when\` needs exactly one of action, metric, notMitigatedBy, notDone, after (it has ${keys.length === 0 ? 'none' : keys.join(', ')})`);
      }
      const never = (path: Path, why: string) => {
        this.unreachable.add(i);
        this.sink.at(path, 'branch/unreachable', `branch "${b.id}" can never fire: ${why}`);
      };
      if (when.action) this.checkActionTrigger(when.action, [...at, 'when', 'action'], i, never);
      if (when.metric) {
        const m = when.metric;
        const svc = this.service([...at, 'when', 'metric', 'service'], m.service);
        if (this.w && !svc) this.unreachable.add(i);
        const why = impossibleCondition(m.metric, m.op, m.threshold, svc);
        if (why) {
          this.unreachable.add(i);
          this.sink.at([...at, 'when', 'metric', 'threshold'], 'metric/impossible', `branch "${b.id}" can never fire: ${why}`);
        }
      }
      if (when.notMitigatedBy !== undefined) {
        if (parseDuration(when.notMitigatedBy) >= this.end) this.unreachable.add(i);
        this.pastEnd([...at, 'when', 'notMitigatedBy'], when.notMitigatedBy, 'notMitigatedBy');
      }
      if (when.notDone) {
        if (parseDuration(when.notDone.by) >= this.end) this.unreachable.add(i);
        this.pastEnd([...at, 'when', 'notDone', 'by'], when.notDone.by, 'notDone.by');
        if (when.notDone.oncall !== undefined) this.team([...at, 'when', 'notDone', 'oncall'], when.notDone.oncall);
        if (when.notDone.service !== undefined) this.service([...at, 'when', 'notDone', 'service'], when.notDone.service);
      }
      if (when.after !== undefined && !byId.has(when.after)) {
        this.unreachable.add(i);
        this.sink.at([...at, 'when', 'after'], 'ref/unknown-branch', unknown('branch', when.after, byId.keys()));
      }
      b.then.forEach((c, ci) => {
        const cat = [...at, 'then', ci];
        const ckeys = (['inject', 'message', 'trap', 'hint', 'end', 'event'] as const).filter((k) => c[k] !== undefined);
        if (ckeys.length !== 1) {
          this.sink.at(cat, 'branch/consequence-shape', `each item of \`then\` needs exactly one of inject, message, trap, hint, end, event (it has ${ckeys.length === 0 ? 'none' : ckeys.join(', ')})`);
        }
        if (c.hint !== undefined && !hintIds.has(c.hint)) this.sink.at([...cat, 'hint'], 'ref/unknown-hint', unknown('hint', c.hint, hintIds));
        if (c.event) this.service([...cat, 'event', 'service'], c.event.service);
      });
    });
    this.checkAfterChains(byId);
  }

  private checkActionTrigger(
    m: NonNullable<TriggerSpec['action']>,
    at: Path,
    branch: number,
    never: (path: Path, why: string) => void,
  ) {
    let svc: ServiceSpec | undefined;
    if (m.service !== undefined && this.w) {
      svc = this.services.get(m.service);
      if (!svc) never([...at, 'service'], unknown('service', m.service, this.services.keys()));
    }
    if (m.oncall !== undefined && this.w && !this.teams.has(m.oncall)) never([...at, 'oncall'], unknown('team', m.oncall, this.teams));
    if (m.runbook !== undefined && !this.ctx.runbooks.has(m.runbook)) never([...at, 'runbook'], unknown('runbook', m.runbook, this.ctx.runbooks.keys()));
    if (m.alert !== undefined && this.w && !this.alerts.has(m.alert)) never([...at, 'alert'], unknown('alert', m.alert, this.alerts));
    if (m.flag !== undefined && this.w) {
      if (svc && !Object.hasOwn(svc.flags ?? {}, m.flag)) {
        never([...at, 'flag'], `"${svc.id}" has no flag "${m.flag}"${suggestion(m.flag, Object.keys(svc.flags ?? {}))}`);
      } else if (m.service === undefined && !this.w.services.some((s) => Object.hasOwn(s.flags ?? {}, m.flag!))) {
        never([...at, 'flag'], `no service has a flag "${m.flag}"`);
      }
    }
    if (m.while) {
      const id = m.while.faultActive;
      const sites = this.faultIds.get(id);
      if (!sites) {
        this.unreachable.add(branch);
        this.sink.at([...at, 'while', 'faultActive'], 'ref/unknown-fault', unknown('fault', id, this.faultIds.keys()));
      } else if (sites.every((site) => site.branch === branch)) {
        never([...at, 'while', 'faultActive'], `fault "${id}" is injected only by this branch, so it is never active before the branch fires`);
      }
    }
  }

  /** `after:` chains: cycles, and branches waiting for a branch that can never fire. */
  private checkAfterChains(byId: ReadonlyMap<string, number>) {
    const branches = this.s.branches ?? [];
    const next = (i: number): number | undefined => {
      const after = branches[i].when.after;
      return after === undefined ? undefined : byId.get(after);
    };
    const done = new Set<number>();
    for (let start = 0; start < branches.length; start++) {
      if (done.has(start)) continue;
      const chain: number[] = [];
      const onChain = new Set<number>();
      let cur: number | undefined = start;
      while (cur !== undefined && !done.has(cur) && !onChain.has(cur)) {
        chain.push(cur);
        onChain.add(cur);
        cur = next(cur);
      }
      if (cur !== undefined && onChain.has(cur)) {
        const cycle = chain.slice(chain.indexOf(cur));
        const names = [...cycle, cur].map((k) => branches[k].id).join(' → ');
        for (const k of cycle) {
          this.unreachable.add(k);
          this.sink.at(['branches', k, 'when', 'after'], 'branch/after-cycle', `branch "${branches[k].id}" can never fire: branches wait for each other in a cycle (${names})`);
          done.add(k);
        }
        chain.length = chain.indexOf(cur);
      }
      // settle the rest of the chain from its end: each waits for its successor
      for (let k = chain.length - 1; k >= 0; k--) {
        const i = chain[k];
        const target = next(i);
        if (target !== undefined && this.unreachable.has(target) && !this.unreachable.has(i)) {
          this.unreachable.add(i);
          this.sink.at(['branches', i, 'when', 'after'], 'branch/unreachable', `branch "${branches[i].id}" can never fire: it waits for branch "${branches[target].id}", which can never fire`);
        }
        done.add(i);
      }
    }
  }

  // --- expectations, stop ---------------------------------------------------------------------

  private checkExpectations() {
    const e = this.s.expectations;
    const at = ['expectations'];
    if (this.w) {
      e.detection.alerts.forEach((id, i) => {
        if (!this.alerts.has(id)) this.sink.at([...at, 'detection', 'alerts', i], 'ref/unknown-alert', unknown('alert', id, this.alerts));
      });
    }
    e.detection.services.forEach((id, i) => this.service([...at, 'detection', 'services', i], id));
    (e.escalation.page ?? []).forEach((id, i) => this.team([...at, 'escalation', 'page', i], id));
    if (e.runbook) {
      const rb = this.ctx.runbooks.get(e.runbook.id);
      if (!rb) this.sink.at([...at, 'runbook', 'id'], 'ref/unknown-runbook', unknown('runbook', e.runbook.id, this.ctx.runbooks.keys()));
      else {
        const numbers = rb.steps.map((st) => st.n);
        (e.runbook.steps ?? []).forEach((n, i) => {
          if (!numbers.includes(n)) {
            this.sink.at([...at, 'runbook', 'steps', i], 'ref/unknown-step', `runbook "${rb.id}" has no step ${n} (its steps: ${numbers.join(', ') || 'none'})`);
          }
        });
      }
    }
  }

  private checkStop() {
    (this.s.stop ?? []).forEach((c, i) => {
      const at = ['stop', i, 'when'];
      const keys = (['metric', 'at'] as const).filter((k) => c.when[k] !== undefined);
      if (keys.length !== 1) {
        this.sink.at(at, 'stop/when-shape', `a stop condition needs exactly one of metric, at (it has ${keys.length === 0 ? 'none' : keys.join(', ')})`);
      }
      if (c.when.at !== undefined) this.pastEnd([...at, 'at'], c.when.at, 'stop at', true);
      if (c.when.metric) {
        const m = c.when.metric;
        const svc = this.service([...at, 'metric', 'service'], m.service);
        const why = impossibleCondition(m.metric, m.op, m.threshold, svc);
        if (why) this.sink.at([...at, 'metric', 'threshold'], 'metric/impossible', `stop condition can never hold: ${why}`);
      }
    });
  }
}
