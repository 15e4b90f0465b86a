// Runs the editor's dry runs in one worker thread, one at a time, with a short queue and a time
// limit. Busy (queue full) and timeout (the worker is stopped and replaced) are errors the route
// answers with 503; nothing here ever blocks the main thread for longer than a message copy.
import { Worker } from 'node:worker_threads';
import type { ScenarioSpec } from '../../engine/scenario/schema.ts';
import type { WorkloadSpec } from '../../engine/workload/schema.ts';
import type { RunbookLike } from '../../engine/session/team.ts';
import type { DryRunAll } from './dry-run.ts';

export class DryRunError extends Error {
  constructor(readonly reason: 'busy' | 'timeout' | 'failed', message: string) {
    super(message);
  }
}

interface Job {
  id: number;
  message: { id: number; scenario: ScenarioSpec; workload: WorkloadSpec; runbooks: [string, RunbookLike][] };
  resolve: (r: DryRunAll) => void;
  reject: (e: Error) => void;
}

export interface DryRunnerOptions {
  /** Jobs waiting behind the running one; more are refused as busy. */
  maxQueued?: number;
  /** Per job, from when the worker takes it (the first job includes the worker's start-up). */
  timeoutMs?: number;
}

export class DryRunner {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private queue: Job[] = [];
  private current: Job | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private closed = false;
  private readonly maxQueued: number;
  /** Per job; may be changed between jobs. */
  timeoutMs: number;

  constructor(options: DryRunnerOptions = {}) {
    this.maxQueued = options.maxQueued ?? 3;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Jobs waiting or running. */
  get pending(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  run(scenario: ScenarioSpec, workload: WorkloadSpec, runbooks: ReadonlyMap<string, RunbookLike>): Promise<DryRunAll> {
    if (this.closed) return Promise.reject(new DryRunError('busy', 'the server is shutting down'));
    if (this.current && this.queue.length >= this.maxQueued) {
      return Promise.reject(new DryRunError('busy', `every dry-run slot is in use (${this.pending} running or waiting): try again in a few seconds`));
    }
    const id = this.nextId++;
    return new Promise<DryRunAll>((resolve, reject) => {
      this.queue.push({ id, message: { id, scenario, workload, runbooks: [...runbooks] }, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new DryRunError('busy', 'the server is shutting down'));
    this.finish(new DryRunError('busy', 'the server is shutting down'));
    await this.stopWorker();
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const worker = new Worker(new URL('./worker.mjs', import.meta.url));
    worker.unref();
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: { ready?: boolean; id?: number; result?: DryRunAll; error?: string }) => {
        if (m.ready) return resolve();
        if (!this.current || m.id !== this.current.id) return;
        if (m.error !== undefined) this.finish(new DryRunError('failed', m.error));
        else this.finish(undefined, m.result);
      };
      worker.on('message', onMessage);
      worker.once('error', (err) => {
        reject(err);
        this.lost(new DryRunError('failed', `the dry-run worker failed: ${err.message}`));
      });
      worker.once('exit', (code) => {
        reject(new Error(`the dry-run worker exited (${code})`));
        if (this.worker === worker) this.lost(new DryRunError('failed', `the dry-run worker exited (${code})`));
      });
    });
    this.ready.catch(() => {});
    return this.ready;
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.current = job;
    this.timer = setTimeout(() => {
      this.finish(new DryRunError('timeout', `the dry run took over ${Math.round(this.timeoutMs / 1000)} s and was stopped`));
      void this.stopWorker();
    }, this.timeoutMs);
    this.timer.unref();
    this.start().then(
      () => {
        if (this.current === job) this.worker?.postMessage(job.message);
      },
      (err: Error) => {
        if (this.current === job) this.finish(new DryRunError('failed', `the dry-run worker did not start: ${err.message}`));
      },
    );
  }

  private finish(error: Error | undefined, result?: DryRunAll): void {
    const job = this.current;
    if (!job) return;
    clearTimeout(this.timer);
    this.current = undefined;
    if (error) job.reject(error);
    else job.resolve(result!);
    queueMicrotask(() => this.pump());
  }

  /** The worker died or was stopped: fail the running job; the next one starts a new worker. */
  private lost(error: Error): void {
    this.worker = undefined;
    this.ready = undefined;
    this.finish(error);
  }

  private async stopWorker(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (w) await w.terminate();
  }
}
