// The learning loop over REST: every team's past game days and practice drills (JSON or CSV),
// a team's trends against its baseline and the organisation's median with its coverage of failure
// modes, and the evidence report for an audit. All of it is the operator's (admin token): a team
// name proves nothing about who asks (anyone may create a game day with any team name), and who
// played what, how well, is not for everyone on a shared server (docs/facilitator-guide.md).
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorResponse } from '../../protocol/rest.ts';
import { EvidenceQuery, HistoryPage, HistoryQuery, TrendsQuery, TrendsResponse } from '../../protocol/history.ts';
import { isCalendarDate } from '../../store/store.ts';
import { backfill } from '../../learning/record.ts';
import { timesSummary } from '../../learning/results.ts';
import { teamTrends, teamsOf } from '../../learning/trends.ts';
import { buildEvidence, historyCsv, renderEvidenceHtml, renderEvidenceMarkdown, resultJson } from '../../learning/export.ts';
import { requireAdmin } from '../auth.ts';
import { sendError } from '../reply.ts';

const bearer = [{ bearer: [] }];
const adminErrors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 429: ErrorResponse };
const DAY = 86_400_000;

const dayStart = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** from/to days (inclusive) → [from, to) in milliseconds; answers 400 and returns null when wrong. */
function range(reply: FastifyReply, from?: string, to?: string): { from?: number; to?: number } | null {
  for (const [field, v] of [['from', from], ['to', to]] as const) {
    if (v !== undefined && !isCalendarDate(v)) {
      void sendError(reply, 'request/invalid', `querystring/${field}: "${v}" is not a calendar day (YYYY-MM-DD)`, [{ field: `querystring/${field}`, message: 'not a calendar day' }]);
      return null;
    }
  }
  if (from !== undefined && to !== undefined && from > to) {
    void sendError(reply, 'request/invalid', `querystring/from: ${from} is after to (${to})`, [{ field: 'querystring/from', message: 'after to' }]);
    return null;
  }
  return { ...(from !== undefined ? { from: dayStart(from) } : {}), ...(to !== undefined ? { to: dayStart(to) + DAY } : {}) };
}

export async function historyRoutes(root: FastifyInstance): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const store = root.firedrill.manager.store;
  const onRequest = async (req: Parameters<typeof requireAdmin>[1], reply: FastifyReply) => {
    if (!(await requireAdmin(root, req, reply))) return reply;
  };
  /** Sessions that ended without results (before the history existed, or a failed recording). */
  const fill = (log: FastifyInstance['log']) => backfill(store, { onError: (err, where) => log.error({ err }, where) });

  app.get('/api/history', {
    onRequest,
    schema: {
      summary: 'Past game days and practice drills (operator)',
      description:
        'Admin token only. One result per team and session, oldest first: scores per dimension, TTA/TTD/TTM/TTR, error budget burned, hints; ' +
        '`summary` has MTTA/MTTD/MTTM/MTTR over the results returned. Filters: `team`, `participant`, `kind`, `from`/`to` (UTC days, inclusive). ' +
        '`format=csv` sends the same rows as CSV (RFC 4180, formula-safe). 404 when the server has no admin token.',
      tags: ['history', 'admin'],
      security: bearer,
      querystring: HistoryQuery,
      response: {
        200: {
          description: 'The results.',
          content: { 'application/json': { schema: HistoryPage }, 'text/csv': { schema: Type.String({ description: 'A header row, then one row per result.' }) } },
        },
        ...adminErrors,
      },
    },
  }, async (req, reply) => {
    const q = req.query;
    const span = range(reply, q.from, q.to);
    if (!span) return reply;
    await fill(req.log);
    const limit = q.limit ?? 1000;
    const offset = q.offset ?? 0;
    const results = await store.listExerciseResults({ team: q.team, participant: q.participant, kind: q.kind, ...span, limit, offset });
    if (q.format === 'csv') {
      const name = ['firedrill-history', q.team, q.from, q.to].filter(Boolean).join('-').replace(/[^A-Za-z0-9_.-]+/g, '_');
      reply.header('content-disposition', `attachment; filename="${name}.csv"`);
      return reply.type('text/csv; charset=utf-8; header=present').send(historyCsv(results));
    }
    const teams = teamsOf(await store.listExerciseResults());
    return reply.type('application/json; charset=utf-8').send({ results: results.map(resultJson), teams, summary: timesSummary(results), from: q.from ?? null, to: q.to ?? null, limit, offset });
  });

  app.get('/api/history/trends', {
    onRequest,
    schema: {
      summary: 'A team\u2019s trends and coverage (operator)',
      description:
        'Admin token only. Per dimension (and the total), each game day of the team, its baseline (median of its first three game days), ' +
        'its median per UTC month and the organisation\u2019s median per month; the failure-mode categories it practised and never practised; MTTA/MTTD/MTTM/MTTR. ' +
        '404 `not-found` when the team has no recorded result.',
      tags: ['history', 'admin'],
      security: bearer,
      querystring: TrendsQuery,
      response: { 200: TrendsResponse, ...adminErrors },
    },
  }, async (req, reply) => {
    await fill(req.log);
    const all = await store.listExerciseResults();
    if (!all.some((r) => r.team === req.query.team)) {
      const known = teamsOf(all);
      return sendError(reply, 'not-found', `no recorded game day or drill for team "${req.query.team}"${known.length ? ` (teams with results: ${known.join(', ')})` : ' (no results recorded yet)'}`);
    }
    const library = [...root.firedrill.library.scenarios.values()].map((s) => ({ id: s.spec.id, tags: s.spec.tags ?? [] }));
    return teamTrends(all, req.query.team, library);
  });

  app.get('/api/evidence', {
    onRequest,
    schema: {
      summary: 'Evidence report of incident-response exercises (operator)',
      description:
        'Admin token only. Per team, the exercises run over a period (`from`/`to`, UTC days, inclusive): who took part, scenario, date, scores, times, ' +
        'and the action items raised with their status. HTML (self-contained, printable) or Markdown; `download=true` sends it as an attachment.',
      tags: ['history', 'admin'],
      security: bearer,
      querystring: EvidenceQuery,
      response: {
        200: { description: 'The report.', content: { 'text/html': { schema: Type.String() }, 'text/markdown': { schema: Type.String() } } },
        ...adminErrors,
      },
    },
  }, async (req, reply) => {
    const q = req.query;
    const span = range(reply, q.from, q.to);
    if (!span) return reply;
    await fill(req.log);
    const results = await store.listExerciseResults({ team: q.team, ...span });
    const sessions = new Set(results.map((r) => r.sessionId));
    const actionItems = sessions.size ? (await store.listActionItemsAcrossSessions()).filter((a) => sessions.has(a.sessionId)) : [];
    const evidence = buildEvidence({ generatedAt: root.firedrill.now(), from: q.from ?? null, to: q.to ?? null, results, actionItems });
    const format = q.format ?? 'html';
    if (q.download) {
      const name = ['firedrill-evidence', q.team, q.from, q.to].filter(Boolean).join('-').replace(/[^A-Za-z0-9_.-]+/g, '_');
      reply.header('content-disposition', `attachment; filename="${name}.${format}"`);
    }
    reply.header('x-content-type-options', 'nosniff');
    if (format === 'md') return reply.type('text/markdown; charset=utf-8').send(renderEvidenceMarkdown(evidence));
    reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    return reply.type('text/html; charset=utf-8').send(renderEvidenceHtml(evidence));
  });
}
