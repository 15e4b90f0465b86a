// REST routes, one plugin per concern. Schemas are TypeBox (server/protocol/rest.ts): the same
// source validates requests, documents the API (OpenAPI at /docs) and types the handlers.
import type { FastifyInstance } from 'fastify';
import { scenarioRoutes } from './routes/scenarios.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { adminRoutes } from './routes/admin.ts';
import { homeRoutes } from './routes/home.ts';
import { editorRoutes } from './routes/editor.ts';
import { scheduleRoutes } from './routes/schedules.ts';
import { riskRoutes } from './routes/risks.ts';
import { exportRoutes } from './routes/export.ts';
import { historyRoutes } from './routes/history.ts';
import { practiceRoutes } from './routes/practice.ts';

export async function registerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(scenarioRoutes);
  await app.register(sessionRoutes);
  await app.register(adminRoutes);
  await app.register(homeRoutes);
  await app.register(editorRoutes);
  await app.register(scheduleRoutes);
  await app.register(riskRoutes);
  await app.register(exportRoutes);
  await app.register(historyRoutes);
  await app.register(practiceRoutes);
}

export { authorisedHost } from './auth.ts';
