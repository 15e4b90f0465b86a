// The simple policies: `idle` does nothing, `scripted` plays a timed script (a responses file),
// `random` does a random plausible action every minute or two (fuzzing the engine and the scoring).
import type { ActionSpec } from '../actions/schema.ts';
import { ROLES } from '../actions/schema.ts';
import type { Rng } from '../random.ts';
import type { Input } from '../session/session.ts';
import type { Bot, BotContext, BotOptions } from './bot.ts';
import { between } from './shared.ts';

export class IdleBot implements Bot {
  readonly policy = 'idle' as const;
  next(): ActionSpec[] {
    return [];
  }
}

/** Plays its script: runWithBots merges `inputs` into the run, so `next` has nothing to add. */
export class ScriptedBot implements Bot {
  readonly policy = 'scripted' as const;
  readonly inputs: readonly Input[];
  constructor(options: BotOptions) {
    this.inputs = [...(options.script ?? [])];
  }
  next(): ActionSpec[] {
    return [];
  }
}

const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
const VIEWS = ['metrics', 'logs', 'deploys', 'traces'] as const;
const NAMES = ['Alex', 'Bo', 'Chris', 'Dana', 'Eli'];

export class RandomBot implements Bot {
  readonly policy = 'random' as const;
  private readonly rng: Rng;
  private nextAt: number | null = null;

  constructor(options: BotOptions) {
    this.rng = options.rng;
  }

  next(ctx: BotContext): ActionSpec[] {
    if (this.nextAt === null) this.nextAt = ctx.t + between(this.rng, 60, 120);
    if (ctx.t < this.nextAt) return [];
    this.nextAt = ctx.t + between(this.rng, 60, 120);
    return [this.pick(ctx)];
  }

  private pick(ctx: BotContext): ActionSpec {
    const r = this.rng;
    const one = <T>(xs: readonly T[]): T => xs[r.int(xs.length)];
    const v = ctx.view;
    const actor = one(NAMES);
    const service = one(v.services);
    const id = service.id;
    const flags = Object.keys(service.flags);
    const runbooks = [...ctx.runbooks.values()];
    const zones = ctx.workload.zones ?? ['a', 'b', 'c'];
    const choices: (() => ActionSpec)[] = [
      () => ({ action: 'observe', service: id, view: one(VIEWS), actor }),
      () => ({ action: 'observe', service: id, actor }),
      () => {
        const firing = v.alerts.filter((a) => a.state === 'firing');
        return { action: 'acknowledge', alert: one(firing.length ? firing : v.alerts).id, actor };
      },
      () => ({ action: 'restart', service: id, rolling: r.next() < 0.7, actor }),
      () => ({ action: 'rollback', service: id, actor }),
      () => ({ action: 'scale-out', service: id, count: 1 + r.int(3), actor }),
      () => ({ action: 'scale-in', service: id, count: 1, actor }),
      () => (flags.length ? { action: 'toggle-flag', service: id, flag: one(flags), enabled: r.next() < 0.5, actor } : { action: 'observe', service: id, actor }),
      () => ({ action: 'flush-cache', service: id, actor }),
      () => ({ action: 'restore-cache', service: id, actor }),
      () => ({ action: 'rate-limit', service: id, rps: Math.round(service.metrics.rps * (0.5 + r.next())), actor }),
      () => ({ action: 'shed-load', service: id, fraction: Math.round(r.next() * 50) / 100, actor }),
      () => ({ action: 'drain-zone', zone: one(zones), undo: r.next() < 0.3, actor }),
      () => ({ action: 'renew-cert', service: id, actor }),
      () => ({ action: 'free-disk', service: id, actor }),
      () => ({ action: 'kill-query', service: id, actor }),
      () => ({ action: 'revert-config', service: id, actor }),
      () => ({ action: 'failover', service: id, actor }),
      () => ({ action: 'declare', severity: one(SEVERITIES), summary: `${id} looks wrong`, services: [id], actor }),
      () => ({ action: 'set-severity', severity: one(SEVERITIES), actor }),
      () => ({ action: 'assign-role', role: one(ROLES), person: actor, actor }),
      () => ({ action: 'page', oncall: one(ctx.workload.teams).id, reason: `${id} looks wrong`, actor }),
      () => (runbooks.length ? { action: 'open-runbook', runbook: one(runbooks).id, actor } : { action: 'observe', service: id, actor }),
      () => {
        if (!runbooks.length) return { action: 'observe', service: id, actor };
        const rb = one(runbooks);
        return { action: 'run-step', runbook: rb.id, step: rb.steps.length ? one(rb.steps).n : 1, actor };
      },
      () => ({ action: 'status-update', audience: r.next() < 0.5 ? 'internal' : 'external', text: `Looking at ${id}.`, actor }),
      () => ({ action: 'hypothesis', text: `Maybe ${id}?`, actor }),
      () => ({ action: 'mark-mitigated', actor }),
      () => ({ action: 'resolve', summary: `${id} fixed?`, actor }),
    ];
    return one(choices)();
  }
}
