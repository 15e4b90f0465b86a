// The operator's levers: halt every game day at once (every injection stops within a tick),
// release the halt, and a status page. Bearer admin token; 404 when the server has none.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AdminStatus, ErrorResponse, HaltAllBody, HaltAllResult, ReleaseResult } from '../../protocol/rest.ts';
import { requireAdmin } from '../auth.ts';
import { iso } from '../reply.ts';

const guarded = { 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };

export async function adminRoutes(root: FastifyInstance): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { manager } = root.firedrill;

  // Before the body is read: a caller without the token learns nothing about what it sent.
  app.addHook('onRequest', async (req, reply) => {
    if (!(await requireAdmin(root, req, reply))) return reply;
  });

  app.post('/api/admin/halt-all', {
    schema: {
      summary: 'Halt every game day',
      description:
        'Halts every running or paused session (active faults are cleared: every injection stops at once) and refuses `start` and `resume` until released. ' +
        'Sessions in the lobby stay there. Participants see a `session.phase` event with the reason.',
      tags: ['admin'],
      security: [{ bearer: [] }],
      body: HaltAllBody,
      response: { 200: HaltAllResult, 400: ErrorResponse, ...guarded },
    },
  }, async (req) => {
    const halted = await manager.haltAll(req.body.reason);
    req.log.warn({ halted, reason: req.body.reason }, 'operator halted every session');
    return { halted, haltedAll: { reason: manager.haltedAll!.reason, at: iso(manager.haltedAll!.at) } };
  });

  app.post('/api/admin/release', {
    schema: {
      summary: 'Release a halt-all',
      description: 'Facilitators may start and resume again. Halted sessions stay halted until their facilitator resumes them.',
      tags: ['admin'],
      security: [{ bearer: [] }],
      response: { 200: ReleaseResult, ...guarded },
    },
  }, async (req) => {
    const released = manager.haltedAll !== null;
    manager.releaseAll();
    req.log.warn({ released }, 'operator released the halt-all');
    return { released };
  });

  app.get('/api/admin/status', {
    schema: {
      summary: 'Server status',
      description: 'Whether a halt-all holds, shutdown, the store, uptime, and sessions in memory by phase.',
      tags: ['admin'],
      security: [{ bearer: [] }],
      response: { 200: AdminStatus, ...guarded },
    },
  }, async () => {
    const byPhase: Record<string, number> = {};
    const loaded = manager.loaded();
    for (const h of loaded) byPhase[h.phase] = (byPhase[h.phase] ?? 0) + 1;
    const f = root.firedrill;
    return {
      haltedAll: manager.haltedAll ? { reason: manager.haltedAll.reason, at: iso(manager.haltedAll.at) } : null,
      shuttingDown: f.shuttingDown,
      store: manager.store.kind,
      uptimeSeconds: Math.round((f.now() - f.startedAt) / 1000),
      sessions: { loaded: loaded.length, byPhase },
    };
  });
}
