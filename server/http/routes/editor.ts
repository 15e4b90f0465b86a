// The scenario editor's routes: a preview of what a scenario will do (timeline and branches, with
// the same problems as POST /api/scenarios/validate), a dry run with three bots, and the YAML of
// a library scenario to start from. See docs/protocol.md.
import { readFile, realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { formatClock, parseDuration } from '../../engine/duration.ts';
import { loadLibrary, type Library } from '../../engine/scenario/library.ts';
import { parseYaml } from '../../engine/scenario/yaml.ts';
import type { Problem } from '../../engine/scenario/problems.ts';
import { DryRunBody, DryRunResult, ErrorResponse, PreviewBody, PreviewResult, ScenarioIdParams } from '../../protocol/rest.ts';
import { RateLimiter } from '../../realtime/rate-limit.ts';
import { previewScenario } from '../editor/preview.ts';
import { MAX_DRY_RUN_SECONDS } from '../editor/dry-run.ts';
import { DryRunError, DryRunner } from '../editor/runner.ts';
import { sendError } from '../reply.ts';

/** Dry runs per address: bursts of 6, then one every 10 s (each costs up to a few CPU-seconds). */
export const DRY_RUN_BURST = 6;
export const DRY_RUN_REFILL_PER_SECOND = 0.1;

const plain = (p: Problem) => ({ file: p.file, line: p.line, column: p.column, field: p.field, message: p.message, code: p.code });

/** Checks an uploaded scenario as POST /api/scenarios/validate does, against the server's library. */
function check(text: string, filename: string | undefined, library: Library) {
  const path = filename ?? 'upload.scenario.yaml';
  const checked = loadLibrary([{ path, text, kind: 'scenario' }], { fallback: library });
  const entry = [...checked.scenarios.values()][0];
  return { path, problems: checked.problems.map(plain), id: checked.files[0]?.id ?? null, spec: entry?.spec };
}

export async function editorRoutes(root: FastifyInstance): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { library } = root.firedrill;
  const dryRunLimiter = new RateLimiter(DRY_RUN_BURST, DRY_RUN_REFILL_PER_SECOND, root.firedrill.now);
  const runner = new DryRunner();
  root.addHook('onClose', async () => runner.close());

  app.post('/api/scenarios/preview', {
    schema: {
      summary: 'Preview a scenario: its problems, timeline and branches',
      description:
        'Checks a scenario file as POST /api/scenarios/validate does (same problems, same rate limit) and, when its shape is valid, describes what it will do: ' +
        'the timed steps (injections, messages, audit events, hints) at their second, and each branch with its trigger and consequences in words. Nothing runs.',
      tags: ['scenarios'],
      body: PreviewBody,
      response: { 200: PreviewResult, 400: ErrorResponse, 413: ErrorResponse, 429: ErrorResponse },
    },
  }, async (req, reply) => {
    const { text, filename } = req.body;
    const cost = 1 + Math.floor(text.length / (128 * 1024));
    if (!root.firedrill.validateLimiter.take(req.ip, cost)) {
      req.log.warn({ ip: req.ip }, 'preview refused: rate limited');
      return sendError(reply, 'request/rate-limited', 'too many files checked from this address: wait a few seconds');
    }
    const started = performance.now();
    const { path, problems, id, spec } = check(text, filename, library);
    const workload = spec ? library.workloads.get(spec.workload) : undefined;
    const base = { ok: problems.length === 0, id, problems, title: spec?.title ?? null, workload: workload ? { id: workload.id, title: workload.title } : null };
    if (!spec) {
      req.log.info({ bytes: text.length, problems: problems.length, ms: Math.round(performance.now() - started) }, 'scenario previewed (invalid shape)');
      return { ...base, duration: null };
    }
    const preview = previewScenario(spec, parseYaml(text, path).locate);
    req.log.info({ bytes: text.length, problems: problems.length, ms: Math.round(performance.now() - started) }, 'scenario previewed');
    return { ...base, ...preview };
  });

  app.post('/api/scenarios/dry-run', {
    schema: {
      summary: 'Dry-run a scenario with the perfect, naive and idle bots',
      description:
        'Plays the scenario (one team, seed 1) with three bots — perfect (knows the answer), naive (acts on the loudest alert late: restarts, scales out, pages everyone), idle (does nothing) — ' +
        'and scores each run. Scoreable means perfect resolves it with at least 90 and idle scores at most 20; otherwise `problems` says why. ' +
        'Only for files without problems (422 `scenario/invalid` with the problems in `details`) and of at most 4 hours of simulated time (422 `scenario/too-long`). ' +
        'Runs off the main thread, one at a time: 503 `dry-run/busy` when the queue is full. Rate-limited per address.',
      tags: ['scenarios'],
      body: DryRunBody,
      response: { 200: DryRunResult, 400: ErrorResponse, 413: ErrorResponse, 422: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse },
    },
  }, async (req, reply) => {
    const { text, filename } = req.body;
    if (!dryRunLimiter.take(req.ip)) {
      req.log.warn({ ip: req.ip }, 'dry run refused: rate limited');
      return sendError(reply, 'request/rate-limited', 'too many dry runs from this address: wait ten seconds');
    }
    const { path, problems, id, spec } = check(text, filename, library);
    if (problems.length > 0 || !spec) {
      const first = problems[0];
      const where = first ? ` (first: line ${first.line}${first.field ? ` ${first.field}` : ''}: ${first.message} [${first.code}])` : '';
      return sendError(reply, 'scenario/invalid', `the scenario has ${problems.length} problem${problems.length === 1 ? '' : 's'}; fix ${problems.length === 1 ? 'it' : 'them'} before a dry run${where}`, problems);
    }
    const duration = parseDuration(spec.duration);
    if (!(duration <= MAX_DRY_RUN_SECONDS)) {
      return sendError(reply, 'scenario/too-long', `"${spec.id}" lasts ${formatClock(duration)} of simulated time; dry runs are limited to ${formatClock(MAX_DRY_RUN_SECONDS)} (4 hours)`);
    }
    const workload = library.workloads.get(spec.workload)!;
    try {
      const result = await runner.run(spec, workload, library.runbooks);
      const line = parseYaml(text, path).locate(['expectations']).line;
      const scoreProblems = result.problems.map((p) => ({ file: path, line, column: 1, field: 'expectations', message: p.message, code: p.code }));
      req.log.info({ id: spec.id, ms: result.ms, totals: result.runs.map((r) => r.total) }, 'scenario dry-run');
      return { id: id ?? spec.id, duration, runs: result.runs, scoreable: scoreProblems.length === 0, problems: scoreProblems, ms: result.ms };
    } catch (err) {
      if (err instanceof DryRunError && err.reason !== 'failed') {
        req.log.warn({ id: spec.id, reason: err.reason }, 'dry run refused');
        return sendError(reply, err.reason === 'busy' ? 'dry-run/busy' : 'dry-run/timeout', err.message);
      }
      throw err;
    }
  });

  app.get('/api/scenarios/:id/source', {
    schema: {
      summary: 'The YAML of a library scenario',
      description: 'The file as it is in the library (the library is public in the repository): what the scenario editor starts from. `Content-Type: application/yaml`.',
      tags: ['scenarios'],
      params: ScenarioIdParams,
      produces: ['application/yaml'],
      response: { 200: { description: 'The scenario file', content: { 'application/yaml': { schema: Type.String() } } }, 404: ErrorResponse },
    },
  }, async (req, reply) => {
    const entry = library.scenarios.get(req.params.id);
    if (!entry) return sendError(reply, 'scenario/not-found', `no scenario "${req.params.id}"`);
    let text: string;
    try {
      const file = await realpath(resolve(entry.file));
      const dir = await realpath(resolve(root.firedrill.libraryDir));
      if (!file.startsWith(dir + sep)) throw new Error(`${file} is outside the library ${dir}`);
      text = await readFile(file, 'utf8');
    } catch (err) {
      req.log.warn({ err, id: entry.spec.id }, 'scenario source unavailable');
      return sendError(reply, 'scenario/not-found', `the file of scenario "${entry.spec.id}" is not available`);
    }
    reply.header('content-disposition', `inline; filename="${entry.spec.id}.scenario.yaml"`);
    reply.header('x-content-type-options', 'nosniff');
    return reply.type('application/yaml; charset=utf-8').send(text);
  });
}
