// The `naive` bot: an on-call engineer without a plan. It acts only on what it sees — the loudest
// alert — a few minutes late: restarts the service that alerted, later scales it out, declares a
// SEV3 late, pages every team at once, never opens a runbook, maybe rolls the service back after a
// quarter of an hour, and posts a single late status update. It never reads the scenario's answer
// (BotOptions.scenario is unused).
import type { ActionSpec } from '../actions/schema.ts';
import type { Rng } from '../random.ts';
import type { ResultSummary } from '../session/events.ts';
import type { Bot, BotContext, BotOptions } from './bot.ts';
import { between, loudest } from './shared.ts';

interface Plan {
  /** When the first alert was seen firing. */
  seen: number;
  /** When the bot starts reacting (2–4 minutes later). */
  react: number;
  scaleAt: number;
  declareAt: number;
  pageAt: number;
  rollbackAt: number | null;
  updateAt: number;
}

export class NaiveBot implements Bot {
  readonly policy = 'naive' as const;
  private readonly rng: Rng;
  private readonly person: string;
  private plan: Plan | null = null;
  /** The alert the bot reacted to and its service: the target of every remediation. */
  private target: { alert: string; service: string } | null = null;
  private readonly done = new Set<string>();
  private readonly ackDelay = new Map<string, number>();
  private refused: ActionSpec | null = null;
  private retried = false;
  private quietSince: number | null = null;
  private lastResolveAt = -Infinity;
  private resolveAttempts = 0;

  constructor(options: BotOptions) {
    this.rng = options.rng;
    this.person = options.people?.[0] ?? 'Sam';
  }

  /** The service the bot went after (for tests and reports): the loudest alert's service when it reacted. */
  get targetService(): string | null {
    return this.target?.service ?? null;
  }

  next(ctx: BotContext): ActionSpec[] {
    const out: ActionSpec[] = [];
    const v = ctx.view;
    const t = ctx.t;
    const firing = loudest(v.alerts);

    if (!this.plan) {
      if (firing.length === 0) return out;
      const seen = t;
      const react = seen + between(this.rng, 120, 240);
      const declareAt = react + between(this.rng, 90, 180);
      const scaleAt = react + between(this.rng, 180, 300);
      const pageAt = declareAt + between(this.rng, 180, 300);
      const rollbackAt = this.rng.next() < 0.75 ? seen + between(this.rng, 840, 1020) : null;
      // One late status update, no cadence (and not in Condition/Actions/Needs form).
      const updateAt = react + between(this.rng, 480, 720);
      this.plan = { seen, react, scaleAt, declareAt, pageAt, rollbackAt, updateAt };
    }
    const p = this.plan;
    if (t < p.react) return out;

    if (!this.target) {
      // Whatever screams loudest right now — or, if it went quiet meanwhile, the last thing that screamed.
      const a = firing[0] ?? v.alerts.find((x) => x.since !== null) ?? v.alerts[0];
      if (!a) return out;
      this.target = { alert: a.id, service: a.service };
      if (a.state === 'firing' && a.acknowledgedAt === null) out.push({ action: 'acknowledge', alert: a.id, actor: this.person });
      out.push({ action: 'observe', service: a.service, view: 'metrics', actor: this.person });
      out.push(this.mark('restart', { action: 'restart', service: a.service, actor: this.person }));
      return out;
    }
    const service = this.target.service;

    // Other critical alerts get acknowledged, lazily.
    for (const a of firing) {
      if (a.severity !== 'critical' || a.acknowledgedAt !== null || a.firedAt === null) continue;
      const key = `${a.id}@${a.firedAt}`;
      let delay = this.ackDelay.get(key);
      if (delay === undefined) this.ackDelay.set(key, (delay = between(this.rng, 120, 240)));
      if (t >= a.firedAt + delay) out.push({ action: 'acknowledge', alert: a.id, actor: this.person });
    }

    if (t >= p.scaleAt && !this.done.has('scale-out')) out.push(this.mark('scale-out', { action: 'scale-out', service, count: 2, actor: this.person }));
    if (t >= p.declareAt && !this.done.has('declare') && v.incident.declaredAt === null) {
      this.done.add('declare');
      if (!v.incident.roles['incident-commander']) out.push({ action: 'assign-role', role: 'incident-commander', person: this.person, actor: this.person });
      out.push({ action: 'declare', severity: 'SEV3', summary: `${service} is alerting (${this.target.alert}); looking into it.`, services: [service], actor: this.person });
    }
    if (t >= p.pageAt && !this.done.has('page')) {
      this.done.add('page');
      const paged = new Set(v.incident.paged.map((x) => x.oncall));
      for (const team of ctx.workload.teams) if (!paged.has(team.id)) out.push({ action: 'page', oncall: team.id, reason: `${this.target.alert} firing, need help`, actor: this.person });
    }
    // A remediation refused for lack of access is tried once more after everyone was paged and joined.
    if (this.refused && !this.retried && this.done.has('page') && v.incident.paged.every((x) => x.joinedAt !== null)) {
      this.retried = true;
      out.push(this.refused);
    }
    if (p.rollbackAt !== null && t >= p.rollbackAt && !this.done.has('rollback')) out.push(this.mark('rollback', { action: 'rollback', service, actor: this.person }));
    if (t >= p.updateAt && !this.done.has('update')) {
      this.done.add('update');
      out.push({ action: 'status-update', audience: 'internal', text: `We are looking into problems with ${service}.`, actor: this.person });
    }

    // Everything quiet for three minutes after having done something: call it resolved.
    if (firing.length === 0) this.quietSince ??= t;
    else this.quietSince = null;
    if (
      v.incident.declaredAt !== null &&
      this.quietSince !== null &&
      t - this.quietSince >= 180 &&
      t - this.lastResolveAt >= 300 &&
      this.resolveAttempts < 3
    ) {
      this.lastResolveAt = t;
      this.resolveAttempts++;
      out.push({ action: 'resolve', summary: `${service} looks fine again.`, actor: this.person });
    }
    return out;
  }

  onResult(action: ActionSpec, result: ResultSummary): void {
    if (!result.ok && result.code === 'action/no-access' && !this.refused) this.refused = action;
  }

  private mark(key: string, a: ActionSpec): ActionSpec {
    this.done.add(key);
    return a;
  }
}
