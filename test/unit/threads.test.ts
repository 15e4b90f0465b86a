// The event loop's thread keeps its priority; every other thread of the process yields to it.
import { readFileSync, readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { checkBackgroundNice, lowerBackgroundThreads } from '../../server/live/threads.ts';

/** Niceness of each thread of this process, from /proc (field 19 of stat). */
function niceness(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(tid, Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

describe.runIf(process.platform === 'linux')('background thread priority', () => {
  it('lowers every thread but the main one, and only those', async () => {
    // A worker thread, so that there is a thread of ours besides V8's and libuv's.
    const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
    await new Promise((resolve) => worker.once('online', resolve));
    const before = niceness();
    const main = before.get(String(process.pid))!;
    const target = Math.min(19, Math.max(main + 3, 5));
    const result = lowerBackgroundThreads(target);
    const after = niceness();
    expect(before.size).toBeGreaterThan(2);
    expect(result.lowered).toBe(before.size - 1);
    expect(after.get(String(process.pid))).toBe(main);
    for (const [tid, nice] of after) if (tid !== String(process.pid) && before.has(tid)) expect(nice).toBe(target);
    await worker.terminate();
  });

  it('does nothing at 0 and refuses values outside 0–19, naming the setting', () => {
    expect(lowerBackgroundThreads(0)).toStrictEqual({ lowered: 0, skipped: 'disabled (0)' });
    expect(() => checkBackgroundNice(20)).toThrow('FIREDRILL_BACKGROUND_NICE must be an integer from 0 to 19 (got 20)');
    expect(() => checkBackgroundNice(Number('ten'))).toThrow('(got NaN)');
    expect(() => checkBackgroundNice(-1)).toThrow('FIREDRILL_BACKGROUND_NICE');
  });
});
