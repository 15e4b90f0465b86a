// Request/response over a child process's IPC channel, and the small statistics the load benchmark
// needs. The parent (test/bench/load.bench.ts) drives its children (server, generator) with `call`;
// a child answers with `serve`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

export type Handlers = Record<string, (args: any) => unknown>;

/** In a child: answer the parent's calls until it disconnects. */
export function serve(handlers: Handlers): void {
  if (!process.send) throw new Error('this script is a child of test/bench/load.bench.ts; run that instead');
  process.on('message', async (m: { id: number; cmd: string; args: unknown }) => {
    try {
      const handler = handlers[m.cmd];
      if (!handler) throw new Error(`unknown command ${m.cmd}`);
      const result = await handler(m.args);
      process.send!({ id: m.id, result });
    } catch (err) {
      process.send!({ id: m.id, error: err instanceof Error ? err.stack ?? err.message : String(err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

export interface Child {
  proc: ChildProcess;
  call<T = any>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  exit(): Promise<number | null>;
}

let tasksetChecked: boolean | null = null;
/** True when `taskset` is available and allowed to pin (util-linux). */
export function hasTaskset(): boolean {
  if (tasksetChecked === null) {
    const r = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    tasksetChecked = r.status === 0;
  }
  return tasksetChecked;
}

const niceChecked = new Map<number, boolean>();
/** True when this user may start processes at niceness `n` (below 0 needs CAP_SYS_NICE). */
export function canNice(n: number): boolean {
  if (n === 0) return false;
  if (!niceChecked.has(n)) niceChecked.set(n, spawnSync('nice', ['-n', String(n), 'true'], { stdio: 'ignore' }).status === 0 && spawnSync('nice', ['-n', String(n), 'nice'], { encoding: 'utf8' }).stdout.trim() === String(n));
  return niceChecked.get(n)!;
}

/**
 * Starts `script` (a .ts file next to this one) under Node with tsx, pinned to `core` and at
 * niceness `nice` when possible (`nice` and `taskset` exec, so the child's pid is node's).
 */
export function fork(script: string, options: { core: number | null; nice?: number; nodeArgs?: string[]; env?: NodeJS.ProcessEnv }): Child {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const command = [process.execPath, '--expose-gc', '--import', 'tsx', ...(options.nodeArgs ?? []), file];
  if (options.core !== null && hasTaskset()) command.unshift('taskset', '-c', String(options.core));
  if (options.nice !== undefined && canNice(options.nice)) command.unshift('nice', '-n', String(options.nice));
  const proc = spawn(command[0], command.slice(1), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced', env: options.env ?? process.env });
  // After our own disconnect() the channel may still report an EOF as an 'error': not a failure.
  proc.on('error', (err) => {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_IPC_DISCONNECTED') console.error(`${script}: ${err.message}`);
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  proc.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.error !== undefined) p.reject(new Error(`${script}: ${m.error}`));
    else p.resolve(m.result);
  });
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`${script} exited (${code}) before answering`));
      }
      pending.clear();
      resolve(code);
    }),
  );
  return {
    proc,
    call(cmd, args, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${script}: ${cmd} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        proc.send({ id, cmd, args });
      });
    },
    async exit() {
      if (proc.exitCode !== null) return proc.exitCode;
      if (proc.connected) proc.disconnect();
      const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes of one machine. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarise(values: number[]): { n: number; p50: number; p99: number; max: number; mean: number } {
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : NaN, mean: s.length ? sum / s.length : NaN };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Busy and total jiffies per CPU from /proc/stat (Linux); null elsewhere. */
export function cpuTimes(): { busy: number; total: number }[] | null {
  try {
    const lines = readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d+ /.test(l));
    return lines.map((l) => {
      const [user, nice, system, idle, iowait, irq, softirq, steal] = l.split(/\s+/).slice(1, 9).map(Number);
      // softirq is left out of `busy`: loopback traffic of our own sockets is processed there.
      const busy = user + nice + system + irq + steal;
      return { busy, total: busy + softirq + idle + iowait };
    });
  } catch {
    return null;
  }
}

/** Microseconds some task has waited for a CPU since boot (Linux PSI); NaN without PSI. */
export function cpuPressureUs(): number {
  try {
    return Number(/^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** Per-CPU busy percentage between two cpuTimes() readings. */
export function busyPct(a: ReturnType<typeof cpuTimes>, b: ReturnType<typeof cpuTimes>): number[] {
  if (!a || !b) return [];
  return b.map((x, i) => (100 * (x.busy - a[i].busy)) / Math.max(1, x.total - a[i].total));
}
