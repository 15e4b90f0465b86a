// The learning loop's pure parts: what is kept of a run (times from hand-built event logs),
// game day or practice, MTTA/MTTD/MTTM/MTTR over runs, the practice streak, the CSV export and the
// evidence report.
import { describe, expect, it } from 'vitest';
import { log, mergeLogs, scenario } from '../helpers/event-log.ts';
import { exerciseKind, practiceStreak, resultsOfSession, summariseTeam, summaryOf, timesSummary } from '../../server/learning/results.ts';
import { buildEvidence, csvField, historyCsv, renderEvidenceHtml, renderEvidenceMarkdown, toCsv } from '../../server/learning/export.ts';
import type { ActionItemRecord, ExerciseResultRecord } from '../../server/store/store.ts';

const spec = { ...scenario(), tags: ['bad-deploy', 'database'] };

// Blue: fires at 230, acked at 260, declared at 300, mitigated at 640, resolved at 700, one hint.
const blue = log()
  .inject(30, 'orders-v214', 'bad-deploy', 'orders')
  .firing(230, 'OrdersLatencyHigh', 'orders')
  .ack(260, 'OrdersLatencyHigh')
  .declare(300, 'SEV2', 'orders slow', ['orders'])
  .hint(400, 'h1', 'look at deploys', 5)
  .mitigated(640)
  .resolved(700)
  .sloReport(0.75, 700)
  .end(700)
  .build('blue');
// Red: the alert fires, nobody acknowledges or declares; never mitigated; two hints.
const red = log()
  .inject(30, 'orders-v214', 'bad-deploy', 'orders')
  .firing(230, 'OrdersLatencyHigh', 'orders')
  .hint(400, 'h1', 'look at deploys', 5)
  .hint(500, 'h2', 'roll back orders', 10)
  .sloReport(2.5, 900)
  .end(900, 'unresolved', 'time is up')
  .build('red');
const events = mergeLogs(blue, red);

describe('summariseTeam: the times of one run, from the event log', () => {
  it('measures TTA from the firing, TTD/TTM/TTR from onset (T+30)', () => {
    const s = summariseTeam(events, spec, 'blue');
    expect(s.metrics).toEqual({ ttaSeconds: 30, ttdSeconds: 270, ttmSeconds: 610, ttrSeconds: 670, errorBudgetBurnedPct: 0.75 });
    expect(s.hints).toEqual({ count: 1, cost: 5 });
    expect(s.outcome).toBe('resolved');
    expect(s.simulatedSeconds).toBe(700);
    expect(Object.keys(s.dimensions)).toEqual(['detection', 'escalation', 'runbook', 'mitigation', 'communication']);
    expect(s.weights).toEqual({ detection: 20, escalation: 20, runbook: 15, mitigation: 30, communication: 15 });
  });

  it('leaves the times a team never reached null', () => {
    const s = summariseTeam(events, spec, 'red');
    expect(s.metrics).toEqual({ ttaSeconds: null, ttdSeconds: null, ttmSeconds: null, ttrSeconds: null, errorBudgetBurnedPct: 2.5 });
    expect(s.hints).toEqual({ count: 2, cost: 15 });
    expect(s.outcome).toBe('unresolved');
    expect(s.dimensions.detection).toBe(0);
  });
});

describe('game day or practice', () => {
  it('is practice for a scenario tagged solo or a session with exactly one person', () => {
    expect(exerciseKind(['solo', 'tls'], 3)).toBe('practice');
    expect(exerciseKind(['bad-deploy'], 1)).toBe('practice');
    expect(exerciseKind(['bad-deploy'], 2)).toBe('game-day');
    expect(exerciseKind(['bad-deploy'], 0)).toBe('game-day');
  });

  it('makes one row per team with that team\u2019s people, each name once, in join order', () => {
    const rows = resultsOfSession(
      {
        id: 's1', scenario: spec, teams: ['blue', 'red'], endedAt: 1_700_000_000_000,
        participants: [
          { name: 'Ana', role: 'incident-commander', team: 'blue' },
          { name: 'Dan', role: 'responder', team: 'red' },
          { name: 'Ben', role: 'responder', team: 'blue' },
          { name: 'Ana', role: 'incident-commander', team: 'blue' },
        ],
      },
      events,
    );
    expect(rows.map((r) => [r.team, r.kind, r.participants.map((p) => p.name)])).toEqual([
      ['blue', 'game-day', ['Ana', 'Ben']],
      ['red', 'game-day', ['Dan']],
    ]);
    expect(rows[0]).toMatchObject({ sessionId: 's1', scenarioId: 'hand-built', tags: ['bad-deploy', 'database'], endedAt: 1_700_000_000_000 });
    expect(summaryOf(rows[1]).hints.count).toBe(2);
  });
});

let rows = 0;
/** A stored result with only the figures a test cares about. */
function row(team: string, metrics: Partial<Record<'ttaSeconds' | 'ttdSeconds' | 'ttmSeconds' | 'ttrSeconds' | 'errorBudgetBurnedPct', number | null>>, extra: { total?: number; hints?: number; cost?: number } = {}): ExerciseResultRecord {
  return {
    sessionId: `s-${team}-${++rows}`,
    team,
    scenarioId: 'friday-deploy',
    scenarioTitle: 'Friday deploy',
    tags: ['bad-deploy'],
    kind: 'game-day',
    participants: [],
    endedAt: 0,
    summary: {
      outcome: 'resolved', total: extra.total ?? 50,
      dimensions: { detection: 50, escalation: 50, runbook: 50, mitigation: 50, communication: 50 },
      weights: { detection: 20, escalation: 20, runbook: 15, mitigation: 30, communication: 15 },
      metrics: { ttaSeconds: null, ttdSeconds: null, ttmSeconds: null, ttrSeconds: null, errorBudgetBurnedPct: null, ...metrics },
      hints: { count: extra.hints ?? 0, cost: extra.cost ?? 0 }, trapsSprung: 0, simulatedSeconds: 900,
    },
  };
}

describe('MTTA, MTTD, MTTM, MTTR over runs', () => {
  it('are means over the runs that have the time, with their count', () => {
    const t = timesSummary([
      row('a', { ttaSeconds: 30, ttdSeconds: 270, ttmSeconds: 610, ttrSeconds: 670, errorBudgetBurnedPct: 0.75 }, { total: 90, hints: 1, cost: 5 }),
      row('a', { ttaSeconds: 90, ttdSeconds: null, ttmSeconds: 1000, ttrSeconds: null, errorBudgetBurnedPct: 2.5 }, { total: 41, hints: 2, cost: 15 }),
      row('a', { ttaSeconds: 61, ttdSeconds: 400, ttmSeconds: null, ttrSeconds: null, errorBudgetBurnedPct: null }, { total: 30 }),
    ]);
    expect(t).toEqual({
      exercises: 3,
      mtta: { meanSeconds: 60, n: 3 }, // (30 + 90 + 61) / 3 = 60.33 → 60
      mttd: { meanSeconds: 335, n: 2 },
      mttm: { meanSeconds: 805, n: 2 },
      mttr: { meanSeconds: 670, n: 1 },
      meanErrorBudgetBurnedPct: 1.63, // (0.75 + 2.5) / 2 = 1.625 → 1.63
      hintsUsed: 3,
      hintCost: 20,
      meanTotal: 53.7, // 161 / 3
    });
  });

  it('are null with no runs', () => {
    expect(timesSummary([])).toMatchObject({ exercises: 0, mtta: { meanSeconds: null, n: 0 }, meanTotal: null, hintsUsed: 0 });
  });
});

describe('practiceStreak', () => {
  it('counts days in a row up to today, or up to yesterday when today is still open', () => {
    expect(practiceStreak(['2026-11-23', '2026-11-24', '2026-11-25'], '2026-11-25')).toEqual({ current: 3, longest: 3 });
    expect(practiceStreak(['2026-11-23', '2026-11-24'], '2026-11-25')).toEqual({ current: 2, longest: 2 });
    expect(practiceStreak(['2026-11-22', '2026-11-23'], '2026-11-25')).toEqual({ current: 0, longest: 2 });
  });

  it('keeps the longest run, ignores repeats, order and days after today, and crosses months and leap days', () => {
    const days = ['2024-03-01', '2024-02-28', '2024-02-29', '2024-02-29', '2024-02-27', '2024-03-05', '2024-03-06', '2024-03-09'];
    expect(practiceStreak(days, '2024-03-06')).toEqual({ current: 2, longest: 4 });
    expect(practiceStreak([], '2024-03-06')).toEqual({ current: 0, longest: 0 });
  });

  it('refuses something that is not a calendar day, naming it', () => {
    expect(() => practiceStreak(['2026-02-30'], '2026-03-01')).toThrow('not a calendar day YYYY-MM-DD: "2026-02-30"');
    expect(() => practiceStreak([], '25/11/2026')).toThrow('"25/11/2026"');
  });
});

describe('CSV', () => {
  it('quotes per RFC 4180 and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
    expect(toCsv([['a', 1], ['b', null]])).toBe('a,1\r\nb,\r\n');
  });

  it('has a header and one row per result with the figures in order', () => {
    const r = { ...row('blue', { ttaSeconds: 30, ttdSeconds: 270, ttmSeconds: 610, ttrSeconds: 670, errorBudgetBurnedPct: 0.75 }, { total: 88, hints: 1, cost: 5 }), sessionId: 's1', endedAt: Date.UTC(2026, 10, 20, 15), participants: [{ name: '=cmd', role: 'responder' }, { name: 'Ben', role: 'scribe' }] };
    const lines = historyCsv([r]).split('\r\n');
    expect(lines[0]).toBe('ended_at,team,kind,scenario_id,scenario_title,tags,participants,outcome,total,detection,escalation,runbook,mitigation,communication,tta_s,ttd_s,ttm_s,ttr_s,error_budget_burned_pct,hints_used,hint_cost,traps_sprung,session_id');
    expect(lines[1]).toBe("2026-11-20T15:00:00.000Z,blue,game-day,friday-deploy,Friday deploy,bad-deploy,'=cmd (responder); Ben (scribe),resolved,88,50,50,50,50,50,30,270,610,670,0.75,1,5,0,s1");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
  });
});

describe('the evidence report', () => {
  const day = (d: number) => Date.UTC(2026, 10, d, 12);
  const a = { ...row('blue', { ttaSeconds: 30, ttmSeconds: 600 }, { total: 80 }), sessionId: 's1', endedAt: day(2), participants: [{ name: 'Ana', role: 'incident-commander' }] };
  const b = { ...row('blue', { ttaSeconds: 90, ttmSeconds: 900 }, { total: 60, hints: 1, cost: 5 }), sessionId: 's2', endedAt: day(16), participants: [{ name: 'Ben | Jr', role: 'responder' }] };
  const c = { ...row('red', { ttaSeconds: null }, { total: 20 }), sessionId: 's2', endedAt: day(16), kind: 'practice' as const, participants: [] };
  const item = (id: string, sessionId: string, status: ActionItemRecord['status'], dueDate?: string): ActionItemRecord => ({ id, sessionId, title: `Fix <${id}>`, owner: 'Ana', status, ...(dueDate ? { dueDate } : {}), createdAt: 0, updatedAt: 0 });
  const evidence = buildEvidence({
    generatedAt: day(20), from: '2026-11-01', to: '2026-11-30', results: [b, c, a],
    actionItems: [item('i1', 's1', 'done'), item('i2', 's2', 'open', '2026-11-18'), item('i3', 'other', 'open')],
  });

  it('groups by team with totals, means and the items of their sessions', () => {
    expect(evidence.totals).toEqual({ exercises: 3, gameDays: 2, practice: 1, teams: 2, participants: 2, actionItems: 2, actionItemsDone: 1 });
    expect(evidence.teams.map((t) => [t.team, t.exercises.map((r) => r.sessionId), t.participants, t.times.mtta.meanSeconds, t.actionItems.map((i) => [i.id, i.overdue])])).toEqual([
      ['blue', ['s1', 's2'], ['Ana', 'Ben | Jr'], 60, [['i1', false], ['i2', true]]],
      ['red', ['s2'], [], null, [['i2', true]]],
    ]);
  });

  it('renders Markdown tables with escaped cells', () => {
    const md = renderEvidenceMarkdown(evidence);
    expect(md).toContain('Period: 2026-11-01 to 2026-11-30. Generated 2026-11-20T12:00:00.000Z.');
    expect(md).toContain('**3** exercise results (2 game days, 1 practice drill) by **2** teams, **2** people taking part; **2** action items raised, 1 done.');
    expect(md).toContain('| 2026-11-16 | game day | Friday deploy (friday-deploy) | Ben \\| Jr (responder) | resolved | 60 | 50 | 50 | 50 | 50 | 50 | 1:30 | — | 15:00 | — | — | 1 |');
    expect(md).toContain('Mean score 70; MTTA 1:00 (2 runs), MTTD —, MTTM 12:30 (2 runs), MTTR —; hints used 1.');
    expect(md).toContain('| Fix <i2> | Ana | 2026-11-18 | open (overdue) | friday-deploy, 2026-11-16 |');
  });

  it('renders self-contained HTML with every text escaped', () => {
    const html = renderEvidenceHtml(evidence);
    expect(html).toContain('<td>Fix &lt;i2&gt;</td>');
    expect(html).not.toContain('<i2>');
    expect(html).not.toMatch(/<script|src=|href=/);
    expect(html).toContain('<h2>Team red</h2>');
  });
});
