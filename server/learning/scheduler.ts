// The scheduler: the adapter that turns schedules (server/learning/schedule.ts, pure) into game
// days. It persists schedules and their occurrences, allocates each occurrence's join code and
// facilitator token ahead of time, opens the session's lobby when the time comes (one timer for
// the soonest occurrence of all, capped below 2^31 ms), picks scenarios by rotation, and keeps the
// readiness checklist. The clock and the timer functions are injected so tests drive time.
//
// After a restart (`start()`): an occurrence whose start passed while the server was down opens
// at once if its window (start + duration) is still open; an older one is recorded as `missed`,
// and the schedule moves on to its next occurrence.
import { nanoid } from 'nanoid';
import type { Library } from '../engine/scenario/library.ts';
import type { ScenarioSpec } from '../engine/scenario/schema.ts';
import type { WorkloadSpec } from '../engine/workload/schema.ts';
import type { RunbookLike } from '../engine/session/team.ts';
import { checkScoreability } from '../engine/bots/scoreability.ts';
import { newJoinCode, type Failure, type SessionManager } from '../live/manager.ts';
import type { DryRunner } from '../http/editor/runner.ts';
import type { OccurrenceRecord, ReadinessItem, ScheduleRecord, SessionRecord, Store } from '../store/store.ts';
import {
  checkTimeZone,
  describeRecurrence,
  formatLocal,
  nextOccurrence,
  occurrence,
  parseLocal,
  parseRecurrence,
  pickScenario,
  type ScheduleTiming,
} from './schedule.ts';

/** setTimeout takes at most 2^31 − 1 ms; longer waits are taken in steps of this. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
const TIMER_STEP_MS = 2 ** 30;

export interface ScheduleInput {
  title?: string;
  /** A scenario id, or… */
  scenario?: string;
  /** …a tag: each occurrence picks a scenario with it (rotation). */
  tag?: string;
  /** Local date and time of the first game day, `YYYY-MM-DDTHH:MM`. */
  start: string;
  timeZone: string;
  durationMinutes: number;
  teams: string[];
  staffing?: Record<string, string[]>;
  recurrence?: string;
  allowRepeats?: boolean;
  speed?: number;
}

export interface DryRunCheck {
  ok: boolean;
  detail: string;
}

export interface SchedulerOptions {
  store: Store;
  manager: SessionManager;
  library: Library;
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** The bots' dry run of a scenario (default: checkScoreability, in this thread; cached per scenario). */
  dryRun?: (scenario: ScenarioSpec, workload: WorkloadSpec, runbooks: ReadonlyMap<string, RunbookLike>) => DryRunCheck | Promise<DryRunCheck>;
  onError?: (err: unknown, where: string) => void;
  /** Told about every occurrence opened or missed (logging). */
  onOccurrence?: (o: OccurrenceRecord, schedule: ScheduleRecord) => void;
  /**
   * Several nodes: true while this node is the one that opens lobbies (it takes or renews a lease
   * when asked). The others look again every LEADER_CHECK_MS, so a leader that died is replaced
   * within its lease. Absent: this node is the only one.
   */
  leader?: () => Promise<boolean>;
}

/** How often a node that is not the scheduler's leader checks whether it has become it. */
export const LEADER_CHECK_MS = 5_000;

/** The checklist, in order. Automatic items are checked by the server; manual ones are ticked by someone. */
export const READINESS_ITEMS: readonly Omit<ReadinessItem, 'ok'>[] = [
  { id: 'scenario-validated', label: 'Scenario validated', kind: 'automatic' },
  { id: 'dry-run', label: 'Dry run by bots: perfect scores at least 90, idle at most 20', kind: 'automatic' },
  { id: 'roles-staffed', label: 'Roles staffed: every team has someone assigned', kind: 'automatic' },
  { id: 'runbooks-linked', label: 'Runbooks linked to the services and alerts', kind: 'automatic' },
  { id: 'stop-conditions', label: 'Stop conditions set: when to halt, who may call it', kind: 'manual' },
  { id: 'observers-briefed', label: 'Observers briefed', kind: 'manual' },
];
export const MANUAL_ITEMS = READINESS_ITEMS.filter((i) => i.kind === 'manual').map((i) => i.id);

const schedulers = new WeakMap<SessionManager, Scheduler>();

/** The scheduler serving a manager's sessions (set by `new Scheduler`), for the REST routes. */
export function schedulerFor(manager: SessionManager): Scheduler | undefined {
  return schedulers.get(manager);
}

export function timingOf(s: Pick<ScheduleRecord, 'start' | 'timeZone' | 'recurrence'>): ScheduleTiming {
  return { start: parseLocal(s.start), timeZone: s.timeZone, recurrence: s.recurrence === null ? null : parseRecurrence(s.recurrence) };
}

export class Scheduler {
  readonly store: Store;
  private readonly manager: SessionManager;
  private readonly library: Library;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly dryRunFn: NonNullable<SchedulerOptions['dryRun']>;
  private readonly onError?: SchedulerOptions['onError'];
  private readonly onOccurrence?: SchedulerOptions['onOccurrence'];
  private readonly dryRuns = new Map<string, Promise<DryRunCheck>>();
  private queue: Promise<unknown> = Promise.resolve();
  private timer: unknown = null;
  /** When the timer is due (epoch ms), or null when nothing is pending. */
  wakeAt: number | null = null;
  private stopped = false;
  private readonly leader?: () => Promise<boolean>;

  constructor(options: SchedulerOptions) {
    this.store = options.store;
    this.manager = options.manager;
    this.library = options.library;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimeout ?? ((fn, ms) => {
      const t = setTimeout(fn, ms);
      t.unref?.();
      return t;
    });
    this.clearTimer = options.clearTimeout ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.dryRunFn = options.dryRun ?? defaultDryRun;
    this.onError = options.onError;
    this.onOccurrence = options.onOccurrence;
    this.leader = options.leader;
    schedulers.set(this.manager, this);
  }

  /** Runs after everything queued before it: schedules change one at a time. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch((err) => this.onError?.(err, 'scheduler'));
    return run;
  }

  /** The scheduler's clock (injected in tests). */
  clock(): number {
    return this.now();
  }

  /** Waits for queued work (tests). */
  idle(): Promise<void> {
    return this.queue.then(() => undefined, () => undefined);
  }

  // ── creating ────────────────────────────────────────────────────────────────────────────────

  /** Checks and persists a schedule and allocates its first game day (join code included). */
  create(input: ScheduleInput): Promise<{ schedule: ScheduleRecord; next: OccurrenceRecord } | Failure> {
    return this.enqueue(async () => {
      const invalid = (message: string): Failure => ({ error: { code: 'request/invalid', message } });
      if ((input.scenario === undefined) === (input.tag === undefined)) return invalid('give either `scenario` (one scenario) or `tag` (a scenario picked by rotation among those with the tag), not both');
      let scenarioTitle = '';
      if (input.scenario !== undefined) {
        const entry = this.library.scenarios.get(input.scenario);
        if (!entry) return { error: { code: 'scenario/not-found', message: `no scenario "${input.scenario}" in the library` } };
        scenarioTitle = entry.spec.title;
      } else if (!this.candidates(input.tag!).length) {
        return { error: { code: 'scenario/not-found', message: `no scenario of the library has the tag "${input.tag}"` } };
      }
      if (new Set(input.teams).size !== input.teams.length) return invalid('team names must be unique');
      let timing: ScheduleTiming;
      let recurrence: string | null = null;
      try {
        checkTimeZone(input.timeZone);
        const r = input.recurrence?.trim() ? parseRecurrence(input.recurrence) : null;
        recurrence = r && describeRecurrence(r);
        timing = { start: parseLocal(input.start), timeZone: input.timeZone, recurrence: r };
      } catch (err) {
        return invalid((err as Error).message);
      }
      const staffing: Record<string, string[]> = {};
      for (const team of input.teams) staffing[team] = (input.staffing?.[team] ?? []).map((p) => p.trim()).filter(Boolean);
      const unknown = Object.keys(input.staffing ?? {}).filter((t) => !input.teams.includes(t));
      if (unknown.length) return invalid(`staffing names teams that are not in the game day: ${unknown.join(', ')} (teams: ${input.teams.join(', ')})`);
      const durationMs = input.durationMinutes * 60_000;
      const first = nextOccurrence(timing, durationMs, this.now());
      if (!first) return invalid(`the game day at ${input.start} ${input.timeZone} is over already: schedule it in the future`);
      const schedule: ScheduleRecord = {
        id: nanoid(12),
        token: nanoid(32),
        title: input.title?.trim() || (input.scenario ? scenarioTitle : `Game day: #${input.tag}`),
        scenario: input.scenario ?? null,
        tag: input.scenario === undefined ? input.tag! : null,
        start: formatLocal(timing.start),
        timeZone: input.timeZone,
        durationMinutes: input.durationMinutes,
        teams: input.teams,
        staffing,
        recurrence,
        allowRepeats: input.allowRepeats ?? false,
        speed: input.speed ?? 1,
        createdAt: this.now(),
        cancelledAt: null,
      };
      await this.store.createSchedule(schedule);
      const next = await this.allocate(schedule, first.n);
      await this.arm();
      return { schedule, next: next! };
    });
  }

  /** Scenario ids of the library with a tag, sorted. */
  candidates(tag: string): string[] {
    return [...this.library.scenarios.values()].filter((s) => (s.spec.tags ?? []).includes(tag)).map((s) => s.spec.id).sort();
  }

  /** Scenario id → when any of these teams last played it (sessions in the store). */
  private async played(teams: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const s of await this.store.listSessions()) {
      if (!s.teams.some((t) => teams.includes(t))) continue;
      out.set(s.scenarioId, Math.max(out.get(s.scenarioId) ?? 0, s.createdAt));
    }
    return out;
  }

  /** Allocates occurrence n (scenario, join code, facilitator token); undefined when the rule has no n-th. */
  private async allocate(schedule: ScheduleRecord, n: number): Promise<OccurrenceRecord | undefined> {
    const o = occurrence(timingOf(schedule), n);
    if (!o) return undefined;
    const scenario =
      schedule.scenario ??
      pickScenario({ candidates: this.candidates(schedule.tag!), played: await this.played(schedule.teams), scheduleId: schedule.id, n, allowRepeats: schedule.allowRepeats });
    const record: OccurrenceRecord = {
      scheduleId: schedule.id,
      n,
      startsAt: o.startsAt,
      scenario,
      joinCode: newJoinCode(),
      facilitatorToken: nanoid(32),
      status: 'scheduled',
      sessionId: null,
      note: null,
      readiness: READINESS_ITEMS.map((i) => ({ ...i, ok: null })),
      updatedAt: this.now(),
    };
    await this.store.putOccurrence(record);
    return record;
  }

  // ── time ────────────────────────────────────────────────────────────────────────────────────

  /** Boot: opens or records as missed what fell due while the server was down, then arms the timer. */
  start(): Promise<{ opened: number; missed: number }> {
    this.stopped = false;
    return this.reconcile();
  }

  /** Opens what is due now (the timer calls it); re-arms for the next. */
  reconcile(): Promise<{ opened: number; missed: number }> {
    return this.enqueue(async () => {
      try {
        return await this.reconcileNow();
      } finally {
        await this.arm();
      }
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.wakeAt = null;
  }

  private async reconcileNow(): Promise<{ opened: number; missed: number }> {
    let opened = 0;
    let missed = 0;
    if (this.manager.closing) return { opened, missed };
    // In a cluster only the leader opens lobbies: two nodes opening one game day would be two sessions.
    if (this.leader && !(await this.leader())) return { opened, missed };
    for (const schedule of await this.store.listSchedules()) {
      if (schedule.cancelledAt !== null) continue;
      try {
        const r = await this.reconcileSchedule(schedule);
        opened += r.opened;
        missed += r.missed;
      } catch (err) {
        this.onError?.(err, `schedule ${schedule.id}`);
      }
    }
    return { opened, missed };
  }

  private async reconcileSchedule(schedule: ScheduleRecord): Promise<{ opened: number; missed: number }> {
    let opened = 0;
    let missed = 0;
    const all = await this.store.listOccurrences(schedule.id);
    let pending = all.find((o) => o.status === 'scheduled');
    if (!pending) {
      const last = all[all.length - 1];
      pending = await this.allocate(schedule, last ? last.n + 1 : 0);
    }
    const durationMs = schedule.durationMinutes * 60_000;
    // Bounded: a server down for years on a weekly schedule records at most this many as missed per pass.
    for (let guard = 0; pending && guard < 1000; guard++) {
      const now = this.now();
      if (pending.startsAt > now) break;
      if (now < pending.startsAt + durationMs) {
        pending = await this.open(schedule, pending);
        if (pending.status === 'opened') opened++;
        else missed++;
      } else {
        pending = {
          ...pending,
          status: 'missed',
          note: `the server was not running between its start (${new Date(pending.startsAt).toISOString()}) and the end of its window (${new Date(pending.startsAt + durationMs).toISOString()})`,
          updatedAt: now,
        };
        await this.store.putOccurrence(pending);
        missed++;
      }
      this.onOccurrence?.(pending, schedule);
      pending = await this.allocate(schedule, pending.n + 1);
    }
    return { opened, missed };
  }

  /** Opens the lobby of an occurrence: a session with the occurrence's join code and facilitator token. */
  private async open(schedule: ScheduleRecord, o: OccurrenceRecord): Promise<OccurrenceRecord> {
    const entry = this.library.scenarios.get(o.scenario);
    const workload = entry && this.library.workloads.get(entry.spec.workload);
    const now = this.now();
    if (!entry || !workload) {
      const done: OccurrenceRecord = { ...o, status: 'missed', note: `scenario "${o.scenario}" or its workload is no longer in the library: the lobby was not opened`, updatedAt: now };
      await this.store.putOccurrence(done);
      return done;
    }
    const record: SessionRecord = {
      id: nanoid(12),
      scenario: entry.spec,
      workload,
      runbooks: [...this.library.runbooks.values()],
      seed: `${schedule.id}-${o.n}`,
      teams: schedule.teams,
      joinCode: o.joinCode,
      facilitatorToken: o.facilitatorToken,
      speed: schedule.speed,
      phase: 'lobby',
      outcome: null,
      scoresVisible: false,
      createdAt: now,
      updatedAt: now,
      endedAt: null,
    };
    try {
      await this.store.createSession(record);
    } catch (err) {
      // Another server on the same store opened it first (its join code is taken): keep theirs.
      const stored = (await this.store.listOccurrences(o.scheduleId)).find((x) => x.n === o.n);
      if (stored && stored.status !== 'scheduled') return stored;
      throw err;
    }
    // Loads it into the manager (the lobby is live: sockets can join).
    await this.manager.get(record.id);
    const opened: OccurrenceRecord = { ...o, status: 'opened', sessionId: record.id, updatedAt: now };
    // The checklist is kept with the session as it stood at the opening (no dry run started here:
    // it costs seconds of CPU; one run earlier is reused).
    opened.readiness = await this.checkReadiness(schedule, opened, { runDryRun: false });
    await this.store.putOccurrence(opened);
    return opened;
  }

  /** Arms one timer for the soonest pending occurrence of every schedule (called inside the queue). */
  private async arm(): Promise<void> {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.wakeAt = null;
    if (this.stopped || this.manager.closing) return;
    let soonest = Infinity;
    for (const schedule of await this.store.listSchedules()) {
      if (schedule.cancelledAt !== null) continue;
      for (const o of await this.store.listOccurrences(schedule.id)) if (o.status === 'scheduled') soonest = Math.min(soonest, o.startsAt);
    }
    if (soonest === Infinity || this.stopped) return;
    const delay = Math.max(0, soonest - this.now());
    this.wakeAt = soonest;
    // A wait longer than setTimeout allows wakes early and re-arms.
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.reconcile();
    }, Math.min(delay, TIMER_STEP_MS, this.leader ? LEADER_CHECK_MS : Infinity));
  }

  // ── changes ─────────────────────────────────────────────────────────────────────────────────

  /** Cancels a schedule: its pending occurrence is cancelled too (opened sessions stay). */
  cancel(id: string): Promise<ScheduleRecord | undefined> {
    return this.enqueue(async () => {
      const s = await this.store.updateSchedule(id, { cancelledAt: this.now() });
      if (!s) return undefined;
      for (const o of await this.store.listOccurrences(id)) {
        if (o.status === 'scheduled') await this.store.putOccurrence({ ...o, status: 'cancelled', note: 'the schedule was cancelled', updatedAt: this.now() });
      }
      await this.arm();
      return s;
    });
  }

  setStaffing(schedule: ScheduleRecord, staffing: Record<string, string[]>): Promise<ScheduleRecord | Failure> {
    return this.enqueue(async () => {
      const unknown = Object.keys(staffing).filter((t) => !schedule.teams.includes(t));
      if (unknown.length) return { error: { code: 'request/invalid', message: `no team ${unknown.map((t) => `"${t}"`).join(', ')} in this game day (teams: ${schedule.teams.join(', ')})` } };
      const next = { ...schedule.staffing };
      for (const [team, people] of Object.entries(staffing)) next[team] = people.map((p) => p.trim()).filter(Boolean);
      return (await this.store.updateSchedule(schedule.id, { staffing: next }))!;
    });
  }

  /** Ticks (or unticks) a manual item of an occurrence's checklist, with who and when. */
  tick(schedule: ScheduleRecord, n: number, item: string, done: boolean, by: string): Promise<OccurrenceRecord | Failure> {
    return this.enqueue(async () => {
      if (!MANUAL_ITEMS.includes(item)) {
        return { error: { code: 'request/invalid', message: `"${item}" is not a manual item of the checklist (manual items: ${MANUAL_ITEMS.join(', ')}; the others are checked automatically)` } };
      }
      const o = (await this.store.listOccurrences(schedule.id)).find((x) => x.n === n);
      if (!o) return { error: { code: 'schedule/not-found', message: `schedule ${schedule.id} has no game day #${n}` } };
      const readiness = mergeReadiness(o.readiness).map((i): ReadinessItem => {
        if (i.id !== item) return i;
        const { by: _by, at: _at, ...rest } = i;
        return done ? { ...rest, ok: true, by: by.trim(), at: this.now() } : { ...rest, ok: null };
      });
      const next = { ...o, readiness, updatedAt: this.now() };
      await this.store.putOccurrence(next);
      return next;
    });
  }

  /**
   * The checklist of an occurrence, with its automatic items checked now (the dry run once per
   * scenario, then reused) and saved. An opened occurrence keeps what was checked at the opening,
   * except "roles staffed", which counts who joined.
   */
  readiness(schedule: ScheduleRecord, n: number): Promise<OccurrenceRecord | Failure> {
    return this.enqueue(async () => {
      const o = (await this.store.listOccurrences(schedule.id)).find((x) => x.n === n);
      if (!o) return { error: { code: 'schedule/not-found', message: `schedule ${schedule.id} has no game day #${n}` } };
      const fresh = await this.store.getSchedule(schedule.id);
      const next = { ...o, readiness: await this.checkReadiness(fresh ?? schedule, o, { runDryRun: o.status === 'scheduled' }) };
      await this.store.putOccurrence(next);
      return next;
    });
  }

  private async checkReadiness(schedule: ScheduleRecord, o: OccurrenceRecord, options: { runDryRun: boolean }): Promise<ReadinessItem[]> {
    const now = this.now();
    const items = mergeReadiness(o.readiness);
    const entry = this.library.scenarios.get(o.scenario);
    const workload = entry && this.library.workloads.get(entry.spec.workload);
    const set = (id: string, ok: boolean | null, detail: string) => {
      const i = items.find((x) => x.id === id)!;
      i.ok = ok;
      i.detail = detail;
      i.at = now;
    };
    // Validated: the library's validator ran on the file when the server read it.
    if (!entry) set('scenario-validated', false, `scenario "${o.scenario}" is not in the library`);
    else {
      const problems = this.library.problems.filter((p) => p.file === entry.file);
      set(
        'scenario-validated',
        problems.length === 0 && !!workload,
        problems.length ? `${problems.length} problem(s) in ${entry.file}: ${problems.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`).join('; ')}` : !workload ? `workload "${entry.spec.workload}" is missing` : `${entry.file}: no problems`,
      );
    }
    // Dry run: the bots of server/engine/bots/scoreability.ts, once per scenario.
    if (entry && workload) {
      const cached = this.dryRuns.get(entry.spec.id);
      if (cached || options.runDryRun) {
        let run = cached;
        if (!run) {
          run = Promise.resolve().then(() => this.dryRunFn(entry.spec, workload, this.library.runbooks));
          this.dryRuns.set(entry.spec.id, run);
          run.catch(() => this.dryRuns.delete(entry.spec.id));
        }
        try {
          const r = await run;
          set('dry-run', r.ok, r.detail);
        } catch (err) {
          set('dry-run', false, `the dry run failed: ${(err as Error).message}`);
        }
      } else if (items.find((i) => i.id === 'dry-run')!.ok === null) {
        set('dry-run', null, 'not run before the opening: the console’s checklist or `firedrill run --bot perfect,idle` runs it');
      }
    } else set('dry-run', false, 'cannot dry-run a scenario that is not in the library');
    // Staffed: people assigned on the schedule, plus who joined the lobby once it is open.
    const joined = o.sessionId ? await this.store.listParticipants(o.sessionId) : [];
    const empty = schedule.teams.filter((t) => !(schedule.staffing[t]?.length || joined.some((p) => p.team === t)));
    set(
      'roles-staffed',
      empty.length === 0,
      empty.length ? `nobody assigned to ${empty.join(', ')}` : schedule.teams.map((t) => `${t}: ${[...new Set([...(schedule.staffing[t] ?? []), ...joined.filter((p) => p.team === t).map((p) => p.name)])].join(', ')}`).join('; '),
    );
    // Runbooks: every runbook the workload's services and alerts name is in the library.
    if (workload) {
      const named = new Set<string>();
      for (const s of workload.services) for (const r of s.runbooks ?? []) named.add(r);
      for (const a of workload.alerts ?? []) if (a.runbook) named.add(a.runbook);
      for (const a of entry?.spec.alerts ?? []) if ((a as { runbook?: string }).runbook) named.add((a as { runbook?: string }).runbook!);
      const missing = [...named].filter((id) => !this.library.runbooks.has(id));
      set(
        'runbooks-linked',
        named.size > 0 && missing.length === 0,
        named.size === 0 ? 'no service or alert of the workload links a runbook' : missing.length ? `missing: ${missing.join(', ')}` : [...named].sort().join(', '),
      );
    } else set('runbooks-linked', false, 'no workload');
    // Stop conditions: ticked by the facilitator; the scenario's own ones are listed to help.
    const stops = entry?.spec.stop ?? [];
    const stopItem = items.find((i) => i.id === 'stop-conditions')!;
    stopItem.detail = stops.length
      ? `the scenario stops by itself: ${stops.map((s) => s.reason.trim().replace(/\.$/, '')).join('; ')}`
      : 'the scenario has no stop condition of its own: agree when to halt (a real incident, distress, confusion about what is real)';
    return items;
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────────

  /** What the join page shows for a code: the occurrence, its schedule, and the schedule's current game day. */
  async lookup(code: string): Promise<{ occurrence: OccurrenceRecord; schedule: ScheduleRecord; current: OccurrenceRecord | undefined } | undefined> {
    const o = await this.store.getOccurrenceByJoinCode(code.trim().toUpperCase());
    if (!o) return undefined;
    const schedule = await this.store.getSchedule(o.scheduleId);
    if (!schedule) return undefined;
    const all = await this.store.listOccurrences(schedule.id);
    return { occurrence: o, schedule, current: currentOccurrence(all, schedule.durationMinutes * 60_000, this.now()) };
  }
}

/** The game day open now (within its window), else the next one scheduled. */
export function currentOccurrence(all: readonly OccurrenceRecord[], durationMs: number, now: number): OccurrenceRecord | undefined {
  return [...all].reverse().find((x) => x.status === 'opened' && now < x.startsAt + durationMs) ?? all.find((x) => x.status === 'scheduled');
}

/** The checklist items in their order, keeping what an older record holds. */
export function mergeReadiness(stored: readonly ReadinessItem[]): ReadinessItem[] {
  return READINESS_ITEMS.map((i) => {
    const old = stored.find((x) => x.id === i.id);
    return old ? { ...old, label: i.label, kind: i.kind } : { ...i, ok: null };
  });
}

function defaultDryRun(scenario: ScenarioSpec, workload: WorkloadSpec, runbooks: ReadonlyMap<string, RunbookLike>): DryRunCheck {
  const r = checkScoreability(scenario, workload, runbooks);
  const [perfect, idle] = r.runs;
  const scores = `perfect ${perfect.score.total} (${perfect.outcome ?? 'no outcome'}), idle ${idle.score.total}`;
  return { ok: r.problems.length === 0, detail: r.problems.length ? `${scores}: ${r.problems.map((p) => p.message).join('; ')}` : scores };
}

/**
 * The dry run in the editor's worker thread (server/http/editor/runner.ts: the same
 * checkScoreability, off the main thread), so checking a checklist never stalls live game days.
 */
export function workerDryRun(runner: DryRunner): NonNullable<SchedulerOptions['dryRun']> {
  return async (scenario, workload, runbooks) => {
    const all = await runner.run(scenario, workload, runbooks);
    const perfect = all.runs.find((r) => r.policy === 'perfect')!;
    const idle = all.runs.find((r) => r.policy === 'idle')!;
    const scores = `perfect ${perfect.total} (${perfect.outcome ?? 'no outcome'}), idle ${idle.total}`;
    return { ok: all.problems.length === 0, detail: all.problems.length ? `${scores}: ${all.problems.map((p) => p.message).join('; ')}` : scores };
  };
}
