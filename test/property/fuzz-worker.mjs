// A worker thread for test/property/scenario-fuzz.test.ts: checks one file at a time exactly as
// `firedrill validate` and POST /api/scenarios/validate do (loadLibrary with the library as the
// fallback), so the test can time each case and terminate the worker if one ever hangs. A file
// that is accepted is also run for a few simulated minutes: validation must not let through a
// scenario the engine cannot run.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { register } from 'tsx/esm/api';

register();
const { readLibrary } = await import('../../server/library/fs.ts');
const { loadLibrary } = await import('../../server/engine/scenario/library.ts');
const { Session } = await import('../../server/engine/session/session.ts');

const library = await readLibrary(workerData.libraryDir);
// A crafted key must never reach a prototype: compare what Object.prototype holds after each file.
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join(',');
const cleanPrototype = prototypeKeys();

parentPort.on('message', (job) => {
  const started = performance.now();
  try {
    const checked = loadLibrary([{ path: job.path, text: job.text, kind: job.kind }], { fallback: library });
    const validateMs = performance.now() - started;
    let ran = null;
    if (checked.problems.length === 0 && job.kind === 'scenario') {
      const entry = [...checked.scenarios.values()][0];
      const spec = entry?.spec;
      const workload = spec ? library.workloads.get(spec.workload) : undefined;
      if (!spec || !workload) ran = { error: `accepted, but no runnable scenario came out (spec ${!!spec}, workload ${!!workload})` };
      else {
        try {
          const session = new Session({ scenario: spec, workload, runbooks: library.runbooks, seed: 1, teams: ['a', 'b'] });
          session.start();
          session.advanceTo(120);
          ran = { events: session.events.length, phase: session.phase };
        } catch (err) {
          ran = { error: String(err && err.stack ? err.stack : err) };
        }
      }
    }
    parentPort.postMessage({
      id: job.id,
      problems: checked.problems,
      files: checked.files,
      validateMs,
      ms: performance.now() - started,
      ran,
      polluted: prototypeKeys() !== cleanPrototype || ({}).polluted !== undefined,
    });
  } catch (err) {
    parentPort.postMessage({ id: job.id, threw: String(err && err.stack ? err.stack : err), ms: performance.now() - started });
  }
});
parentPort.postMessage({ ready: true });
