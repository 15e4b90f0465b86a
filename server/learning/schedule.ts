// Scheduled game days, as data: local times in IANA time zones, recurrence rules ("first Tuesday
// monthly", "every 2 weeks on Thursday", "monthly on day 15"), the n-th occurrence of a schedule,
// and the rotation that picks a scenario for it. Pure: no clock (every function that needs "now"
// takes it), no Math.random, no timers. Time zones come from Intl.DateTimeFormat (the runtime's
// tz database).
//
// Daylight-saving time, decided once here (and documented in docs/facilitator-guide.md):
// - a local time that does not exist (the spring-forward gap, e.g. 01:30 in London on the last
//   Sunday of March) moves forward to the first valid instant: the moment the clocks change
//   (02:00 BST). Calendar programs follow RFC 5545 and show such an occurrence shifted by the
//   length of the gap (02:30), so the lobby opens at or before the time the invitation shows;
// - a local time that happens twice (the fall-back overlap, 01:30 in London on the last Sunday
//   of October) takes the first occurrence (01:30 BST), as RFC 5545 does.
import { hash32 } from '../engine/random.ts';

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const RRULE_DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const ORDINALS: Record<string, number> = { first: 1, '1st': 1, second: 2, '2nd': 2, third: 3, '3rd': 3, fourth: 4, '4th': 4, fifth: 5, '5th': 5, last: -1 };
const ORDINAL_NAMES: Record<number, string> = { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', 5: 'fifth', [-1]: 'last' };

export type Recurrence =
  | { kind: 'weekly'; interval: number; weekday: number }
  | { kind: 'monthly-weekday'; interval: number; nth: number; weekday: number }
  | { kind: 'monthly-day'; interval: number; day: number };

/** A wall-clock time in some zone, to the minute. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export interface ScheduleTiming {
  /** Local date and time of the first game day (the first match of the rule on or after that day). */
  start: LocalDateTime;
  timeZone: string;
  recurrence: Recurrence | null;
}

export interface Occurrence {
  /** 0 for the first game day of a schedule, then 1, 2, … */
  n: number;
  /** The local date and time as planned (in a spring-forward gap: the time asked for). */
  local: LocalDateTime;
  /** The instant it starts, in epoch milliseconds. */
  startsAt: number;
  /** How the local time was resolved: as asked, moved out of a gap, or the first of two. */
  resolution: Resolution;
}

export type Resolution = 'exact' | 'gap' | 'ambiguous';

// ── time zones ────────────────────────────────────────────────────────────────────────────────

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for an IANA zone name the runtime knows (`Europe/London`, `UTC`). */
export function isTimeZone(name: string): boolean {
  if (typeof name !== 'string' || name === '' || name.length > 64) return false;
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

export function checkTimeZone(name: string): void {
  if (!isTimeZone(name)) throw new RangeError(`unknown time zone "${name}": use an IANA name such as Europe/London, America/New_York or UTC`);
}

/** The wall clock of a zone at an instant, to the second. */
export function localAt(ms: number, timeZone: string): LocalDateTime & { second: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour === 24 ? 0 : parts.hour, minute: parts.minute, second: parts.second };
}

/** The zone's offset from UTC at an instant, in minutes (London in summer: 60; New York in winter: -300). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const l = localAt(ms, timeZone);
  const asUtc = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

function wallMs(l: LocalDateTime): number {
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute);
}

function sameMinute(a: LocalDateTime, b: LocalDateTime): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
}

/**
 * The instant a local time names in a zone. A time in a spring-forward gap moves forward to the
 * first valid instant (the change itself); a time that happens twice takes the first.
 */
export function zonedInstant(local: LocalDateTime, timeZone: string): { ms: number; resolution: Resolution } {
  const wall = wallMs(local);
  // The offsets a day either side cover every real transition (none is closer than that).
  const before = offsetMinutes(wall - 86_400_000, timeZone);
  const after = offsetMinutes(wall + 86_400_000, timeZone);
  const candidates = [...new Set([wall - before * 60_000, wall - after * 60_000])]
    .filter((ms) => sameMinute(localAt(ms, timeZone), local))
    .sort((a, b) => a - b);
  if (candidates.length === 2) return { ms: candidates[0], resolution: 'ambiguous' };
  if (candidates.length === 1) return { ms: candidates[0], resolution: 'exact' };
  // A gap: the change lies between the wall time read with the new offset and with the old one.
  let lo = wall - after * 60_000;
  let hi = wall - before * 60_000;
  if (lo > hi) [lo, hi] = [hi, lo];
  const target = offsetMinutes(hi, timeZone);
  // Offsets change on whole minutes: binary search on minutes for the first with the new offset.
  let a = Math.floor(lo / 60_000);
  let b = Math.ceil(hi / 60_000);
  while (a < b) {
    const mid = Math.floor((a + b) / 2);
    if (offsetMinutes(mid * 60_000, timeZone) === target) b = mid;
    else a = mid + 1;
  }
  return { ms: a * 60_000, resolution: 'gap' };
}

/** Transitions of a zone's offset in [fromMs, toMs): the instant and the offsets either side. */
export function transitions(timeZone: string, fromMs: number, toMs: number): { at: number; from: number; to: number }[] {
  const out: { at: number; from: number; to: number }[] = [];
  const DAY = 86_400_000;
  let prev = offsetMinutes(fromMs, timeZone);
  for (let t = fromMs + DAY; t < toMs + DAY; t += DAY) {
    const cur = offsetMinutes(Math.min(t, toMs), timeZone);
    if (cur !== prev) {
      let a = Math.floor((t - DAY) / 60_000);
      let b = Math.ceil(Math.min(t, toMs) / 60_000);
      while (a < b) {
        const mid = Math.floor((a + b) / 2);
        if (offsetMinutes(mid * 60_000, timeZone) === cur) b = mid;
        else a = mid + 1;
      }
      if (a * 60_000 < toMs) out.push({ at: a * 60_000, from: prev, to: cur });
      prev = cur;
    }
    if (t >= toMs) break;
  }
  return out;
}

// ── parsing ───────────────────────────────────────────────────────────────────────────────────

/** `2026-03-29T01:30` (seconds not allowed: game days start on the minute). */
export function parseLocal(text: string): LocalDateTime {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(typeof text === 'string' ? text.trim() : '');
  if (!m) throw new RangeError(`start must be a local date and time written YYYY-MM-DDTHH:MM, got ${JSON.stringify(text)}`);
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw new RangeError(`start ${text} is not a calendar day`);
  if (hour > 23 || minute > 59) throw new RangeError(`start ${text} is not a time of day (00:00 to 23:59)`);
  return { year, month, day, hour, minute };
}

export function formatLocal(l: LocalDateTime): string {
  return `${l.year}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}:${pad(l.minute)}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function weekdayOf(name: string): number | undefined {
  const w = name.toLowerCase().replace(/s$/, '');
  const i = WEEKDAYS.findIndex((d) => d === w || d.slice(0, 3) === w);
  return i < 0 ? undefined : i;
}

const WEEKDAY_RE = '(sun(?:day)?|mon(?:day)?|tue(?:sday)?|wed(?:nesday)?|thu(?:rsday)?|fri(?:day)?|sat(?:urday)?)s?';
const ORD_RE = '(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)';

function intervalOf(phrase: string | undefined, count: string | undefined): number {
  if (count !== undefined) return Number(count);
  if (phrase && /other|fortnightly|biweekly/.test(phrase)) return 2;
  return 1;
}

/**
 * A recurrence in words. Accepted (case-insensitive):
 * - weekly: `weekly on Thursday`, `every Thursday`, `every 2 weeks on Thursday`, `every other week on Thu`, `fortnightly on Friday`;
 * - monthly by weekday: `first Tuesday monthly`, `monthly on the first Tuesday`, `last Friday of every month`, `second Wednesday every 3 months`;
 * - monthly by day: `monthly on day 15`, `every 2 months on day 1`, `15th monthly`.
 */
export function parseRecurrence(text: string): Recurrence {
  const s = (typeof text === 'string' ? text : '').trim().toLowerCase().replace(/\s+/g, ' ').replace(/,/g, '');
  if (!s) throw new RangeError('recurrence is empty');
  let m: RegExpExecArray | null;
  const fail = () =>
    new RangeError(
      `cannot read the recurrence ${JSON.stringify(text)}: write e.g. "first Tuesday monthly", "every 2 weeks on Thursday", "weekly on Monday" or "monthly on day 15"`,
    );
  // weekly
  if ((m = new RegExp(`^every ${WEEKDAY_RE}$`).exec(s))) return weekly(1, m[1]);
  if ((m = new RegExp(`^every other ${WEEKDAY_RE}$`).exec(s))) return weekly(2, m[1]);
  if ((m = new RegExp(`^(every (\\d+) weeks?|every other week|every week|weekly|fortnightly|biweekly) on ${WEEKDAY_RE}$`).exec(s))) return weekly(intervalOf(m[1], m[2]), m[3]);
  if ((m = new RegExp(`^${WEEKDAY_RE} (every (\\d+) weeks|every other week|every week|weekly|fortnightly|biweekly)$`).exec(s))) return weekly(intervalOf(m[2], m[3]), m[1]);
  // monthly on a weekday
  if ((m = new RegExp(`^(?:the )?${ORD_RE} ${WEEKDAY_RE}(?: of)?(?: the month)? (every (\\d+) months?|every other month|every month|monthly)$`).exec(s)))
    return monthlyWeekday(intervalOf(m[3], m[4]), m[1], m[2]);
  if ((m = new RegExp(`^(every (\\d+) months?|every other month|every month|monthly) on the ${ORD_RE} ${WEEKDAY_RE}$`).exec(s)))
    return monthlyWeekday(intervalOf(m[1], m[2]), m[3], m[4]);
  // monthly on a day
  if ((m = /^(every (\d+) months?|every other month|every month|monthly) on (?:day |the )?(\d{1,2})(?:st|nd|rd|th)?$/.exec(s))) return monthlyDay(intervalOf(m[1], m[2]), m[3]);
  if ((m = /^(?:day )?(\d{1,2})(?:st|nd|rd|th)? (?:of )?(every (\d+) months?|every other month|every month|monthly)$/.exec(s))) return monthlyDay(intervalOf(m[2], m[3]), m[1]);
  throw fail();

  function weekly(interval: number, day: string): Recurrence {
    checkInterval(interval, 52);
    return { kind: 'weekly', interval, weekday: weekdayOf(day)! };
  }
  function monthlyWeekday(interval: number, ord: string, day: string): Recurrence {
    checkInterval(interval, 12);
    return { kind: 'monthly-weekday', interval, nth: ORDINALS[ord], weekday: weekdayOf(day)! };
  }
  function monthlyDay(interval: number, day: string): Recurrence {
    checkInterval(interval, 12);
    const d = Number(day);
    if (d < 1 || d > 31) throw new RangeError(`day of the month must be 1 to 31, got ${d}`);
    return { kind: 'monthly-day', interval, day: d };
  }
  function checkInterval(n: number, max: number): void {
    if (!Number.isInteger(n) || n < 1 || n > max) throw new RangeError(`the interval must be 1 to ${max}, got ${n}`);
  }
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

/** The canonical words of a rule: parseRecurrence(describeRecurrence(r)) equals r. */
export function describeRecurrence(r: Recurrence): string {
  const day = cap(WEEKDAYS[r.kind === 'monthly-day' ? 0 : r.weekday]);
  switch (r.kind) {
    case 'weekly':
      return r.interval === 1 ? `weekly on ${day}` : `every ${r.interval} weeks on ${day}`;
    case 'monthly-weekday':
      return `${ORDINAL_NAMES[r.nth]} ${day} ${r.interval === 1 ? 'monthly' : `every ${r.interval} months`}`;
    case 'monthly-day':
      return r.interval === 1 ? `monthly on day ${r.day}` : `every ${r.interval} months on day ${r.day}`;
  }
}

/** The RFC 5545 RRULE value: `FREQ=MONTHLY;BYDAY=1TU`, `FREQ=WEEKLY;INTERVAL=2;BYDAY=TH`. */
export function rrule(r: Recurrence): string {
  const interval = r.interval > 1 ? `;INTERVAL=${r.interval}` : '';
  switch (r.kind) {
    case 'weekly':
      return `FREQ=WEEKLY${interval};BYDAY=${RRULE_DAYS[r.weekday]}`;
    case 'monthly-weekday':
      return `FREQ=MONTHLY${interval};BYDAY=${r.nth}${RRULE_DAYS[r.weekday]}`;
    case 'monthly-day':
      return `FREQ=MONTHLY${interval};BYMONTHDAY=${r.day}`;
  }
}

// ── calendar arithmetic ───────────────────────────────────────────────────────────────────────

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function dayOfWeek(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

function addDays(l: LocalDateTime, days: number): LocalDateTime {
  const d = new Date(Date.UTC(l.year, l.month - 1, l.day + days));
  return { ...l, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The day of the month of the nth weekday (1–5, or -1 for the last), or undefined when the month has none. */
export function nthWeekday(year: number, month: number, nth: number, weekday: number): number | undefined {
  const days = daysInMonth(year, month);
  if (nth === -1) {
    const lastDow = dayOfWeek(year, month, days);
    return days - ((lastDow - weekday + 7) % 7);
  }
  const firstDow = dayOfWeek(year, month, 1);
  const day = 1 + ((weekday - firstDow + 7) % 7) + (nth - 1) * 7;
  return day <= days ? day : undefined;
}

function cmpDate(a: LocalDateTime, b: LocalDateTime): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Searches at most this many months for the next match (a "fifth Friday" comes within 3 months). */
const MAX_MONTHS = 1200;

/** The local date of the n-th game day (0-based), or undefined when the rule has none left. */
export function occurrenceLocal(start: LocalDateTime, recurrence: Recurrence | null, n: number): LocalDateTime | undefined {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`occurrence number must be a non-negative integer, got ${n}`);
  if (recurrence === null) return n === 0 ? start : undefined;
  if (recurrence.kind === 'weekly') {
    const first = addDays(start, (recurrence.weekday - dayOfWeek(start.year, start.month, start.day) + 7) % 7);
    return addDays(first, 7 * recurrence.interval * n);
  }
  let seen = 0;
  for (let i = 0; i <= MAX_MONTHS; i += recurrence.interval) {
    const year = start.year + Math.floor((start.month - 1 + i) / 12);
    const month = ((start.month - 1 + i) % 12) + 1;
    const day =
      recurrence.kind === 'monthly-day'
        ? recurrence.day <= daysInMonth(year, month) ? recurrence.day : undefined
        : nthWeekday(year, month, recurrence.nth, recurrence.weekday);
    if (day === undefined) continue; // a month without a fifth Friday, or without a 31st: skipped
    const candidate = { ...start, year, month, day };
    if (cmpDate(candidate, start) < 0) continue;
    if (seen === n) return candidate;
    seen++;
  }
  return undefined;
}

export function occurrence(timing: ScheduleTiming, n: number): Occurrence | undefined {
  const local = occurrenceLocal(timing.start, timing.recurrence, n);
  if (!local) return undefined;
  const { ms, resolution } = zonedInstant(local, timing.timeZone);
  return { n, local, startsAt: ms, resolution };
}

/** The first `count` game days from occurrence `from` on. */
export function occurrences(timing: ScheduleTiming, count: number, from = 0): Occurrence[] {
  const out: Occurrence[] = [];
  for (let n = from; out.length < count; n++) {
    const o = occurrence(timing, n);
    if (!o) break;
    out.push(o);
  }
  return out;
}

/**
 * The first occurrence whose window (start + duration) has not closed at `now`: the one to wait
 * for or to open now. Undefined when the schedule has none left.
 */
export function nextOccurrence(timing: ScheduleTiming, durationMs: number, now: number, from = 0): Occurrence | undefined {
  for (let n = from; n < from + 100_000; n++) {
    const o = occurrence(timing, n);
    if (!o) return undefined;
    if (o.startsAt + durationMs > now) return o;
  }
  return undefined;
}

// ── rotation ──────────────────────────────────────────────────────────────────────────────────

export interface RotationInput {
  /** Scenario ids that may be picked (e.g. every scenario with the schedule's tag). */
  candidates: readonly string[];
  /** Scenario id → when the schedule's teams last played it (epoch ms): past sessions in the store. */
  played: ReadonlyMap<string, number>;
  scheduleId: string;
  /** The occurrence number: with the schedule id, the seed of the pick. */
  n: number;
  /** Pick among every candidate, played or not. */
  allowRepeats?: boolean;
}

/**
 * Picks a scenario for an occurrence: one the teams have not played, unless `allowRepeats`; when
 * they have played them all, one of those played longest ago. Deterministic: the same input
 * always gives the same pick (a hash of schedule id and occurrence number, not Math.random).
 */
export function pickScenario(input: RotationInput): string {
  const all = [...new Set(input.candidates)].sort();
  if (!all.length) throw new RangeError('no scenario to pick from: the tag matches no scenario of the library');
  let pool = input.allowRepeats ? all : all.filter((id) => !input.played.has(id));
  if (!pool.length) {
    const oldest = Math.min(...all.map((id) => input.played.get(id)!));
    pool = all.filter((id) => input.played.get(id) === oldest);
  }
  return pool[hash32(`${input.scheduleId}#${input.n}`) % pool.length];
}
