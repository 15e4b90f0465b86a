// The pre-mortem risk register (the learning loop): the ways the workload could fail, scored,
// linked to the scenarios that rehearse them, with when each was last rehearsed.
//
// Access: the operator's admin token, like GET /api/sessions and GET /api/action-items. The
// register spans every game day on the server and says where the system is weak: on a shared
// server that is not for every participant. Without an admin token configured the routes answer
// 404, as the other operator routes do.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { nanoid } from 'nanoid';
import Type from 'typebox';
import { BANDS, DEFAULT_STALE_AFTER_DAYS, DEFAULT_TOP, rankRisks, SCALES, type RankedRisk } from '../../learning/risks.ts';
import { CreateRiskBody, ErrorResponse, Risk, RiskIdParams, RiskRegister, RisksQuery, UpdateRiskBody, type RiskOut } from '../../protocol/rest-learning.ts';
import type { RiskPatch, RiskRecord } from '../../store/store.ts';
import { requireAdmin } from '../auth.ts';
import { iso, sendError } from '../reply.ts';

const bearer = [{ bearer: [] }];
const adminErrors = { 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };

function invalid(reply: FastifyReply, field: string, message: string): FastifyReply {
  return sendError(reply, 'request/invalid', `${field}: ${message}`, [{ field, message }]);
}

export async function riskRoutes(root: FastifyInstance): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { manager, library } = root.firedrill;
  const store = manager.store;
  const onRequest = async (req: Parameters<typeof requireAdmin>[1], reply: FastifyReply) => {
    if (!(await requireAdmin(root, req, reply))) return reply;
  };

  function out(r: RankedRisk<RiskRecord>): RiskOut {
    const { risk } = r;
    return {
      id: risk.id,
      title: risk.title,
      description: risk.description,
      likelihood: risk.likelihood,
      impact: risk.impact,
      detection: risk.detection,
      scenarioIds: risk.scenarioIds,
      ...(risk.owner !== undefined ? { owner: risk.owner } : {}),
      createdAt: iso(risk.createdAt),
      updatedAt: iso(risk.updatedAt),
      priority: r.priority,
      band: r.band,
      rank: r.rank,
      rehearsal: { ...r.rehearsal, lastAt: r.rehearsal.lastAt === null ? null : iso(r.rehearsal.lastAt) },
      needsRehearsal: r.needsRehearsal,
      unknownScenarios: risk.scenarioIds.filter((id) => !library.scenarios.has(id)),
    };
  }

  /** The register ranked as GET shows it; `only` picks one risk out of it (its rank stays true). */
  async function ranked(staleAfterDays: number, top: number): Promise<RankedRisk<RiskRecord>[]> {
    const risks = await store.listRisks();
    const lastEnded = await store.lastEndedByScenario([...new Set(risks.flatMap((r) => r.scenarioIds))]);
    return rankRisks(risks, lastEnded, root.firedrill.now(), { staleAfterDays, top });
  }

  async function one(id: string): Promise<RiskOut | undefined> {
    const found = (await ranked(DEFAULT_STALE_AFTER_DAYS, DEFAULT_TOP)).find((r) => r.risk.id === id);
    return found && out(found);
  }

  function unknownScenario(reply: FastifyReply, ids: readonly string[] | undefined): FastifyReply | null {
    const bad = ids?.find((id) => !library.scenarios.has(id));
    return bad === undefined ? null : invalid(reply, 'body/scenarioIds', `no scenario "${bad}" in the library`);
  }

  function blank(reply: FastifyReply, body: Record<string, unknown>): FastifyReply | null {
    for (const name of ['title', 'owner']) {
      const v = body[name];
      if (typeof v === 'string' && v.trim() === '') return invalid(reply, `body/${name}`, 'must not be blank');
    }
    return null;
  }

  app.get('/api/risks', {
    onRequest,
    schema: {
      summary: 'The risk register (operator)',
      description:
        'Admin token only. Every risk, highest priority first: priority = likelihood × impact × (6 − detection) (1–125), its band, ' +
        'when a linked scenario was last rehearsed (the latest end of one of its sessions) and whether it `needsRehearsal`: among the `top` and never rehearsed, or not within `staleAfterDays`.',
      tags: ['risks', 'admin'],
      security: bearer,
      querystring: RisksQuery,
      response: { 200: RiskRegister, 400: ErrorResponse, ...adminErrors },
    },
  }, async (req) => {
    const staleAfterDays = req.query.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS;
    const top = req.query.top ?? DEFAULT_TOP;
    return {
      risks: (await ranked(staleAfterDays, top)).map(out),
      staleAfterDays,
      top,
      scales: { likelihood: [...SCALES.likelihood], impact: [...SCALES.impact], detection: [...SCALES.detection] },
      bands: { ...BANDS },
    };
  });

  app.get('/api/risks/:riskId', {
    onRequest,
    schema: { summary: 'One risk (operator)', description: 'Admin token only; as in the register (90 days, top 5).', tags: ['risks', 'admin'], security: bearer, params: RiskIdParams, response: { 200: Risk, ...adminErrors } },
  }, async (req, reply) => {
    const found = await one(req.params.riskId);
    return found ?? sendError(reply, 'not-found', `no risk "${req.params.riskId}" in the register`);
  });

  app.post('/api/risks', {
    onRequest,
    schema: {
      summary: 'Add a risk (operator)',
      description: 'Admin token only. `title` and the three scores (1–5) required; `description`, `scenarioIds` (library scenarios that rehearse it) and `owner` optional.',
      tags: ['risks', 'admin'],
      security: bearer,
      body: CreateRiskBody,
      response: { 201: Risk, 400: ErrorResponse, ...adminErrors },
    },
  }, async (req, reply) => {
    const b = req.body;
    if (blank(reply, b) || unknownScenario(reply, b.scenarioIds)) return reply;
    const now = root.firedrill.now();
    const owner = b.owner?.trim();
    const risk: RiskRecord = {
      id: nanoid(12),
      title: b.title.trim(),
      description: (b.description ?? '').trim(),
      likelihood: b.likelihood,
      impact: b.impact,
      detection: b.detection,
      scenarioIds: b.scenarioIds ?? [],
      ...(owner ? { owner } : {}),
      createdAt: now,
      updatedAt: now,
    };
    await store.addRisk(risk);
    req.log.info({ risk: risk.id }, 'risk added');
    return reply.status(201).send((await one(risk.id))!);
  });

  app.patch('/api/risks/:riskId', {
    onRequest,
    schema: {
      summary: 'Edit a risk (operator)',
      description: 'Admin token only. The fields to change; `owner: null` removes the owner; `scenarioIds` replaces the list.',
      tags: ['risks', 'admin'],
      security: bearer,
      params: RiskIdParams,
      body: UpdateRiskBody,
      response: { 200: Risk, 400: ErrorResponse, ...adminErrors },
    },
  }, async (req, reply) => {
    const b = req.body;
    if (blank(reply, b) || unknownScenario(reply, b.scenarioIds)) return reply;
    const patch: RiskPatch = {};
    if (b.title !== undefined) patch.title = b.title.trim();
    if (b.description !== undefined) patch.description = b.description.trim();
    for (const k of ['likelihood', 'impact', 'detection'] as const) if (b[k] !== undefined) patch[k] = b[k];
    if (b.scenarioIds !== undefined) patch.scenarioIds = b.scenarioIds;
    if (b.owner !== undefined) patch.owner = b.owner === null ? null : b.owner.trim();
    const updated = await store.updateRisk(req.params.riskId, patch, root.firedrill.now());
    if (!updated) return sendError(reply, 'not-found', `no risk "${req.params.riskId}" in the register`);
    return (await one(updated.id))!;
  });

  app.delete('/api/risks/:riskId', {
    onRequest,
    schema: {
      summary: 'Delete a risk (operator)',
      description: 'Admin token only. `204` with no body.',
      tags: ['risks', 'admin'],
      security: bearer,
      params: RiskIdParams,
      response: { 204: Type.Null({ description: 'Deleted.' }), ...adminErrors },
    },
  }, async (req, reply) => {
    if (!(await store.deleteRisk(req.params.riskId))) return sendError(reply, 'not-found', `no risk "${req.params.riskId}" in the register`);
    req.log.info({ risk: req.params.riskId }, 'risk deleted');
    return reply.status(204).send(null);
  });
}
