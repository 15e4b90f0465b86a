// A worker thread for the editor's dry runs (server/http/editor/runner.ts starts it): three bot
// runs cost up to a few seconds of CPU, which must not stall the ticks of live game days on the
// main thread. The sources are TypeScript; tsx loads them here as in server/bin/firedrill.mjs.
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

// Background work: on Linux this lowers the priority of this thread only (server/live/threads.ts).
try {
  setPriority(0, 10);
} catch {
  // not permitted or not supported
}
register();
const { dryRunAll } = await import('./dry-run.ts');

parentPort.on('message', (job) => {
  try {
    const result = dryRunAll(job.scenario, job.workload, new Map(job.runbooks));
    parentPort.postMessage({ id: job.id, result });
  } catch (err) {
    parentPort.postMessage({ id: job.id, error: String(err && err.stack ? err.stack : err) });
  }
});
parentPort.postMessage({ ready: true });
