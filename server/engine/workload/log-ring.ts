// The recent log lines of one service: a fixed ring stored by column, with the messages interned.
//
// A game day writes a line per service every few simulated seconds; as objects ({ t, service,
// level, message }, each message a fresh string built from a template) a 2-team session's rings
// grew by ~1.2 MiB over 30 minutes, ~190 bytes a line, most of a session's heap. Here a line is a
// number, a byte and a reference to a message shared with every other line that says the same
// (a third to a quarter of the lines are distinct); LogLine objects are made only when read.
import type { LogLine } from './world.ts';

const LEVELS: readonly LogLine['level'][] = ['debug', 'info', 'warn', 'error', 'fatal'];
const LEVEL_CODE: Readonly<Record<LogLine['level'], number>> = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 };

/** Shares equal strings between lines (one per world); forgets everything when full, so it stays bounded. */
export class Interner {
  private readonly seen = new Map<string, string>();
  constructor(private readonly max = 1024) {}

  /** How many distinct strings it holds now. */
  get size(): number {
    return this.seen.size;
  }

  get(s: string): string {
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    if (this.seen.size >= this.max) this.seen.clear();
    // A template literal is often a tree of string pieces; a flat copy is what the ring keeps.
    const flat = s.length > 12 ? (' ' + s).slice(1) : s;
    this.seen.set(flat, flat);
    return flat;
  }
}

export class LogRing {
  // Allocated small and doubled up to `capacity` (most services log little): no wrap happens
  // before the arrays reach their full size, so growing is a plain copy.
  private times = new Float64Array(8);
  private levels = new Uint8Array(8);
  private messages: string[] = [];
  private start = 0;
  private count = 0;

  constructor(
    readonly service: string,
    readonly capacity: number,
    private readonly interner: Interner,
  ) {}

  get length(): number {
    return this.count;
  }

  /** Appends a line; the oldest goes once the ring is full. */
  push(t: number, level: LogLine['level'], message: string): void {
    let i: number;
    if (this.count < this.capacity) {
      if (this.count === this.times.length) this.grow();
      i = this.count++;
    } else {
      i = this.start;
      this.start = (this.start + 1) % this.capacity;
    }
    this.times[i] = t;
    this.levels[i] = LEVEL_CODE[level];
    this.messages[i] = this.interner.get(message);
  }

  private grow(): void {
    const size = Math.min(this.capacity, this.times.length * 2);
    const times = new Float64Array(size);
    times.set(this.times);
    const levels = new Uint8Array(size);
    levels.set(this.levels);
    this.times = times;
    this.levels = levels;
  }

  /** The newest `limit` lines (all by default), oldest first. */
  lines(limit = this.count): LogLine[] {
    const n = Math.max(0, Math.min(Math.floor(limit), this.count));
    const out: LogLine[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = this.at(this.count - n + k);
    return out;
  }

  /** The newest line that `match` accepts, searching from the newest back; undefined if none. */
  findLast(match: (level: LogLine['level'], message: string) => boolean): LogLine | undefined {
    for (let k = this.count - 1; k >= 0; k--) {
      const i = (this.start + k) % this.capacity;
      if (match(LEVELS[this.levels[i]], this.messages[i])) return this.at(k);
    }
    return undefined;
  }

  /** The k-th line, oldest first. */
  private at(k: number): LogLine {
    const i = (this.start + k) % this.capacity;
    return { t: this.times[i], service: this.service, level: LEVELS[this.levels[i]], message: this.messages[i] };
  }
}
