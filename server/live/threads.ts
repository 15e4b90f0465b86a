// The event loop is the one thread whose delays people feel: every action's acknowledgement and
// every telemetry frame goes through it. The process's other threads do background work: V8's
// garbage-collection and compiler workers, libuv's pool, the SQLite checkpoint thread. When they
// share a core with the event loop (a one-vCPU container, a busy host), the kernel gives them equal
// turns, and a major GC's concurrent marking took the core from the event loop for 100–300 ms at a
// time under load (docs/performance.md). Lowering their priority lets the event loop go first and
// the background work take the gaps; on an idle multi-core machine nothing changes.
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

export interface ThreadPriorityResult {
  /** Threads whose niceness was set. */
  lowered: number;
  /** Why nothing was done, when nothing was. */
  skipped?: string;
}

/**
 * Sets the niceness of every thread of this process but the main one (Linux: a thread id is a valid
 * `setpriority` target and affects that thread alone). Raising niceness needs no privilege. Threads
 * started later set their own (server/store/checkpointer.mjs). `nice` 0 does nothing.
 */
export function lowerBackgroundThreads(nice: number): ThreadPriorityResult {
  checkBackgroundNice(nice);
  if (nice === 0) return { lowered: 0, skipped: 'disabled (0)' };
  if (process.platform !== 'linux') return { lowered: 0, skipped: `not on Linux (${process.platform})` };
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return { lowered: 0, skipped: '/proc/self/task is not readable' };
  }
  let lowered = 0;
  for (const tid of tids) {
    if (tid === String(process.pid)) continue;
    try {
      setPriority(Number(tid), nice);
      lowered++;
    } catch {
      // the thread ended in between, or the system refuses: it keeps the process's priority
    }
  }
  return { lowered };
}

/** Refuses a niceness outside 0–19, naming the setting. */
export function checkBackgroundNice(nice: number): void {
  if (!Number.isInteger(nice) || nice < 0 || nice > 19) throw new Error(`FIREDRILL_BACKGROUND_NICE must be an integer from 0 to 19 (got ${nice})`);
}
