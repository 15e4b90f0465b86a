// "My practice": a player's own practice drills, scores and streak. There are no accounts: the
// browser keeps the participant token of every practice drill it played (localStorage) and sends
// them; each token proves one drill is the caller's, so nobody reads another person's practice by
// typing their name. The display name only narrows a shared browser down to one person.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorResponse } from '../../protocol/rest.ts';
import { PracticeHistory, PracticeHistoryBody, type PracticeDrill } from '../../protocol/practice.ts';
import { isCalendarDate, type ExerciseResultRecord } from '../../store/store.ts';
import { backfill } from '../../learning/record.ts';
import { practiceStreak, summaryOf, utcDayOf } from '../../learning/results.ts';
import { iso, sendError } from '../reply.ts';

export async function practiceRoutes(root: FastifyInstance): Promise<void> {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const store = root.firedrill.manager.store;

  app.post('/api/practice/history', {
    schema: {
      summary: 'My practice drills and streak',
      description:
        'The ended practice drills of the participant tokens sent (a browser keeps one per drill it played), newest first, with scores, ' +
        'and the streak of days with at least one drill (`today` and `utcOffsetMinutes` put the days on the player\u2019s own calendar). ' +
        'A token that names no participant costs a failed lookup (rate-limited per IP, like a wrong Bearer token) and comes back in `unknown`.',
      tags: ['practice'],
      body: PracticeHistoryBody,
      response: { 200: PracticeHistory, 400: ErrorResponse, 429: ErrorResponse },
    },
  }, async (req, reply) => {
    const body = req.body;
    const limiter = root.firedrill.authLimiter;
    if (!limiter.peek(req.ip)) return sendError(reply, 'auth/rate-limited');
    if (body.today !== undefined && !isCalendarDate(body.today)) return sendError(reply, 'request/invalid', `body/today: "${body.today}" is not a calendar day (YYYY-MM-DD)`, [{ field: 'body/today', message: 'not a calendar day' }]);
    const offset = (body.utcOffsetMinutes ?? 0) * 60_000;
    const today = body.today ?? utcDayOf(root.firedrill.now() + offset);

    // Which drill (session and team) each token proves, under which name.
    const owned = new Map<string, { team: string; name: string }>();
    const unknown: string[] = [];
    for (const token of new Set(body.tokens)) {
      const p = await store.getParticipantByToken(token);
      if (!p) unknown.push(token);
      else if (body.name === undefined || p.name === body.name) owned.set(p.sessionId, { team: p.team, name: p.name });
    }
    if (unknown.length) {
      limiter.take(req.ip);
      req.log.warn({ ip: req.ip, unknown: unknown.length }, 'practice history: tokens that name no participant');
    }

    // Drills that ended before results were kept (or whose recording failed) are filled in first.
    await backfill(store, { limit: 50, onError: (err, where) => req.log.error({ err }, where) });
    const results: ExerciseResultRecord[] = [];
    for (const name of new Set([...owned.values()].map((o) => o.name))) {
      results.push(...(await store.listExerciseResults({ participant: name, kind: 'practice' })));
    }
    const seen = new Set<string>();
    const drills: PracticeDrill[] = [];
    for (const r of results.sort((a, b) => b.endedAt - a.endedAt || a.sessionId.localeCompare(b.sessionId))) {
      const mine = owned.get(r.sessionId);
      if (!mine || mine.team !== r.team || seen.has(r.sessionId)) continue;
      seen.add(r.sessionId);
      const s = summaryOf(r);
      drills.push({
        sessionId: r.sessionId,
        scenarioId: r.scenarioId,
        scenarioTitle: r.scenarioTitle,
        name: mine.name,
        endedAt: iso(r.endedAt),
        day: utcDayOf(r.endedAt + offset),
        outcome: s.outcome,
        total: s.total,
        dimensions: s.dimensions,
        hints: s.hints,
        ttmSeconds: s.metrics.ttmSeconds,
      });
    }
    return {
      drills,
      streak: practiceStreak(drills.map((d) => d.day), today),
      today,
      best: drills.length ? Math.max(...drills.map((d) => d.total)) : null,
      unknown,
    };
  });
}
