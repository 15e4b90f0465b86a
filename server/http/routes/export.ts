// GET /api/scenarios/:id/export?format=chaostoolkit|fis: a library scenario graduated to a real
// chaos experiment (server/learning/export-*.ts). Public, like the scenario's YAML source: the
// library is public. What has no real counterpart is listed in `unmapped`, never dropped.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ScenarioIdParams } from '../../protocol/rest.ts';
import { ErrorResponse, ExportQuery, ExportResult } from '../../protocol/rest-learning.ts';
import { exportScenario } from '../../learning/scenario-export.ts';
import { sendError } from '../reply.ts';

export async function exportRoutes(root: FastifyInstance): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { library } = root.firedrill;
  app.get('/api/scenarios/:id/export', {
    schema: {
      summary: 'Export a scenario as a Chaos Toolkit experiment or an AWS FIS experiment template',
      description:
        '`format=chaostoolkit`: an experiment (steady state from the SLOs, the method in the scenario\u2019s timing with pauses, rollbacks). ' +
        '`format=fis`: the input of CreateExperimentTemplate (actions placed in time with `aws:fis:wait` and `startAfter`, stop conditions from the SLO alarms). ' +
        'Faults without a real counterpart, messages, audit events, branches and hints are listed in `unmapped`; `{{placeholders}}` are to be filled in.',
      tags: ['scenarios'],
      params: ScenarioIdParams,
      querystring: ExportQuery,
      response: { 200: ExportResult, 400: ErrorResponse, 404: ErrorResponse },
    },
  }, async (req, reply) => {
    const entry = library.scenarios.get(req.params.id);
    if (!entry) return sendError(reply, 'scenario/not-found', `no scenario "${req.params.id}"`);
    const workload = library.workloads.get(entry.spec.workload);
    if (!workload) return sendError(reply, 'workload/not-found', `scenario "${entry.spec.id}" runs on workload "${entry.spec.workload}", which is not in the library`);
    const result = exportScenario(entry.spec, workload, req.query.format);
    req.log.info({ id: entry.spec.id, format: req.query.format, mapped: result.mapped.length, unmapped: result.unmapped.length }, 'scenario exported');
    return result;
  });
}
