// The scenario library over REST: the list, one scenario (the public part, or the whole spec for
// those who run it), a workload's service map, and checking an uploaded file.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { parseDuration } from '../../engine/duration.ts';
import { loadLibrary, type FileKind } from '../../engine/scenario/library.ts';
import type { ScenarioSpec } from '../../engine/scenario/schema.ts';
import type { WorkloadSpec } from '../../engine/workload/schema.ts';
import {
  RunbookDetail,
  RunbookIdParams,
  ErrorResponse, ScenarioDetail, ScenarioIdParams, ScenarioSummary, ValidateBody, ValidateResult, WorkloadIdParams, WorkloadMap,
} from '../../protocol/rest.ts';
import { mayReadFullScenario } from '../auth.ts';
import { sendError } from '../reply.ts';

export async function scenarioRoutes(root: FastifyInstance): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { library } = root.firedrill;

  app.get('/api/scenarios', {
    schema: { summary: 'The scenario library', description: 'Every scenario the server can run, by id.', tags: ['scenarios'], response: { 200: Type.Object({ scenarios: Type.Array(ScenarioSummary) }) } },
  }, async () => ({
    scenarios: [...library.scenarios.values()]
      .map(({ spec }) => ({
        id: spec.id,
        title: spec.title,
        summary: spec.summary,
        difficulty: spec.difficulty,
        duration: parseDuration(spec.duration),
        workload: spec.workload,
        tags: spec.tags ?? [],
        services: library.workloads.get(spec.workload)?.services.length ?? 0,
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  }));

  app.get('/api/scenarios/:id', {
    schema: {
      summary: 'One scenario',
      description:
        'Without a token, or with any other token, the public part: what teams are told before the start (briefing, objectives, workload). ' +
        'With the admin token, or the facilitator token of a session of this scenario, also `spec`: the whole file, answer included (timeline, branches, root cause, hints, expectations).',
      tags: ['scenarios'],
      security: [{}, { bearer: [] }],
      params: ScenarioIdParams,
      response: { 200: ScenarioDetail, 404: ErrorResponse, 429: ErrorResponse },
    },
  }, async (req, reply) => {
    const entry = library.scenarios.get(req.params.id);
    if (!entry) return sendError(reply, 'scenario/not-found', `no scenario "${req.params.id}"`);
    const full = await mayReadFullScenario(root, req, reply, entry.spec.id);
    if (full === null) return reply;
    const scenario = publicScenario(entry.spec, library.workloads.get(entry.spec.workload));
    return full ? { access: 'full' as const, scenario, spec: entry.spec } : { access: 'public' as const, scenario };
  });

  app.get('/api/workloads/:id', {
    schema: {
      summary: 'A workload as a service map',
      description: 'Services with their dependencies, owners and runbooks, on-call teams, SLOs and alert rules: what a team console draws. No faults: those belong to scenarios.',
      tags: ['scenarios'],
      params: WorkloadIdParams,
      response: { 200: WorkloadMap, 404: ErrorResponse },
    },
  }, async (req, reply) => {
    const w = library.workloads.get(req.params.id);
    if (!w) return sendError(reply, 'workload/not-found', `no workload "${req.params.id}"`);
    return workloadMap(w);
  });

  app.get('/api/runbooks/:id', {
    schema: {
      summary: 'A runbook, step by step',
      description: 'Its title, services and numbered steps with what each runs or checks: what the team console shows before a step is run.',
      tags: ['scenarios'],
      params: RunbookIdParams,
      response: { 200: RunbookDetail, 404: ErrorResponse },
    },
  }, async (req, reply) => {
    const rb = library.runbooks.get(req.params.id);
    if (!rb) return sendError(reply, 'not-found', `no runbook "${req.params.id}"`);
    return {
      id: rb.id,
      title: rb.title,
      services: rb.services,
      steps: rb.steps.map((s) => ({
        n: s.n,
        title: s.title,
        body: s.body,
        ...(s.directive ? { directive: { type: s.directive.type, text: s.directive.type === 'run' ? Object.entries(s.directive.action).map(([k, v]) => (k === 'action' ? String(v) : `${k}=${v}`)).join(' ') : [s.directive.what, s.directive.service, s.directive.metric].filter(Boolean).join(' ') } } : {}),
      })),
    };
  });

  app.post('/api/scenarios/validate', {
    schema: {
      summary: 'Check a scenario, workload or runbook file',
      description:
        'Parses and checks one file as `firedrill validate` does, resolving the workload and runbooks it names from the library. ' +
        'Answers 200 with every problem (file, line, column, field, code); hostile YAML (alias bombs, deep nesting, over 1 MiB) is one problem, never a hang. ' +
        'Bodies over 2 MiB are refused with 413. Rate-limited per address by size.',
      tags: ['scenarios'],
      body: ValidateBody,
      response: { 200: ValidateResult, 400: ErrorResponse, 413: ErrorResponse, 429: ErrorResponse },
    },
  }, async (req, reply) => {
    const { text } = req.body;
    const cost = 1 + Math.floor(text.length / (128 * 1024));
    if (!root.firedrill.validateLimiter.take(req.ip, cost)) {
      req.log.warn({ ip: req.ip }, 'validate refused: rate limited');
      return sendError(reply, 'request/rate-limited', 'too many files checked from this address: wait a few seconds');
    }
    const kind = fileKind(req.body.kind, req.body.filename, text);
    const path = req.body.filename ?? (kind === 'runbook' ? 'upload.md' : `upload.${kind}.yaml`);
    const started = performance.now();
    const checked = loadLibrary([{ path, text, kind }], { fallback: library });
    const problems = checked.problems.map((p) => ({ file: p.file, line: p.line, column: p.column, field: p.field, message: p.message, code: p.code }));
    req.log.info({ kind, bytes: text.length, problems: problems.length, ms: Math.round(performance.now() - started) }, 'file validated');
    return { ok: problems.length === 0, kind, id: checked.files[0]?.id ?? null, problems };
  });
}

/**
 * What a file holds: as told, else from its name, else from its text (a runbook opens with a
 * front-matter block closed by a second `---`; a workload has top-level `services:`).
 */
export function fileKind(told: FileKind | undefined, filename: string | undefined, text: string): FileKind {
  if (told) return told;
  const name = (filename ?? '').toLowerCase();
  if (/\.workload\.ya?ml$/.test(name)) return 'workload';
  if (/\.scenario\.ya?ml$/.test(name)) return 'scenario';
  if (name.endsWith('.md')) return 'runbook';
  const head = text.slice(0, 64 * 1024);
  if (/^---[ \t]*\r?\n/.test(head) && /\r?\n---[ \t]*(\r?\n|$)/.test(head.slice(3))) return 'runbook';
  if (/^services[ \t]*:/m.test(head)) return 'workload';
  return 'scenario';
}

function publicScenario(s: ScenarioSpec, w: WorkloadSpec | undefined) {
  return {
    id: s.id,
    title: s.title,
    summary: s.summary,
    difficulty: s.difficulty,
    duration: parseDuration(s.duration),
    tags: s.tags ?? [],
    objectives: s.objectives,
    briefing: s.briefing,
    players: s.players?.teams ?? [],
    hints: s.hints?.length ?? 0,
    workload: { id: s.workload, title: w?.title ?? s.workload, services: w?.services.length ?? 0, teams: (w?.teams ?? []).map((t) => ({ id: t.id, name: t.name })) },
  };
}

function workloadMap(w: WorkloadSpec) {
  return {
    id: w.id,
    title: w.title,
    description: w.description ?? null,
    zones: w.zones ?? ['a', 'b', 'c'],
    entry: w.traffic.entry.map((e) => ({ service: e.service, rps: e.rps })),
    services: w.services.map((s) => ({
      id: s.id,
      name: s.name ?? s.id,
      kind: s.kind,
      team: s.team,
      replicas: s.replicas,
      version: s.version ?? 'v1.0.0',
      flags: Object.keys(s.flags ?? {}),
      runbooks: s.runbooks ?? [],
      dependencies: (s.dependencies ?? []).map((d) => ({ service: d.service, fallback: d.fallback ?? false, flag: d.flag ?? null, onCacheMissOf: d.onCacheMissOf ?? null })),
    })),
    teams: w.teams.map((t) => ({ id: t.id, name: t.name, responseSeconds: t.responseSeconds ?? 180, escalation: t.escalation.map((l) => l.name) })),
    slos: (w.slos ?? []).map((s) => ({ id: s.id, service: s.service, objective: s.objective })),
    alerts: (w.alerts ?? []).map((a) => ({ id: a.id, service: a.service, metric: a.metric, severity: a.severity, route: a.route, summary: a.summary })),
  };
}
