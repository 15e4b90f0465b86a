// The risk register's arithmetic: priority, bands, rehearsal staleness, ranking and the heat map.
import { describe, expect, it } from 'vitest';
import { band, heatMap, priority, rankRisks, rehearsal } from '../../server/learning/risks.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 12);

describe('priority', () => {
  it('is likelihood × impact × (6 − detection), 1 … 125', () => {
    expect(priority({ likelihood: 1, impact: 1, detection: 5 })).toBe(1);
    expect(priority({ likelihood: 5, impact: 5, detection: 1 })).toBe(125);
    expect(priority({ likelihood: 3, impact: 5, detection: 2 })).toBe(60);
    expect(priority({ likelihood: 4, impact: 2, detection: 4 })).toBe(16);
  });

  it('bands: high from 48, medium from 18', () => {
    expect([band(125), band(48), band(47), band(18), band(17), band(1)]).toEqual(['high', 'high', 'medium', 'medium', 'low', 'low']);
  });
});

describe('rehearsal', () => {
  const ended = { 'disk-full': NOW - 100 * DAY, 'slow-query': NOW - 12 * DAY - 5000, 'friday-deploy': NOW - 90 * DAY };

  it('takes the latest end among the linked scenarios, in whole days', () => {
    expect(rehearsal(['disk-full', 'slow-query'], ended, NOW)).toEqual({ status: 'recent', lastAt: NOW - 12 * DAY - 5000, scenarioId: 'slow-query', daysAgo: 12 });
  });

  it('is stale past N days (default 90), recent at exactly N', () => {
    expect(rehearsal(['disk-full'], ended, NOW)).toEqual({ status: 'stale', lastAt: NOW - 100 * DAY, scenarioId: 'disk-full', daysAgo: 100 });
    expect(rehearsal(['friday-deploy'], ended, NOW).status).toBe('recent');
    expect(rehearsal(['friday-deploy'], ended, NOW, 89)).toMatchObject({ status: 'stale', daysAgo: 90 });
    expect(rehearsal(['slow-query'], ended, NOW, 11).status).toBe('stale');
  });

  it('is never without a linked scenario or an ended session of one', () => {
    const never = { status: 'never', lastAt: null, scenarioId: null, daysAgo: null };
    expect(rehearsal([], ended, NOW)).toEqual(never);
    expect(rehearsal(['expired-cert'], ended, NOW)).toEqual(never);
  });
});

describe('rankRisks', () => {
  const risk = (id: string, likelihood: number, impact: number, detection: number, scenarioIds: string[] = []) => ({ id, likelihood, impact, detection, scenarioIds });
  const risks = [
    risk('a', 2, 2, 3), // 12
    risk('b', 3, 5, 2, ['disk-full']), // 60, stale
    risk('c', 4, 3, 1, ['slow-query']), // 60, recent: lower impact than b
    risk('d', 5, 5, 5), // 25
    risk('e', 5, 3, 2), // 60, impact 3, likelihood 5: above c
    risk('f', 1, 1, 5), // 1
  ];
  const ended = { 'disk-full': NOW - 120 * DAY, 'slow-query': NOW - 3 * DAY };

  it('orders by priority, then impact, then likelihood, then as given', () => {
    const ranked = rankRisks(risks, ended, NOW);
    expect(ranked.map((r) => [r.risk.id, r.priority, r.rank])).toEqual([
      ['b', 60, 1],
      ['e', 60, 2],
      ['c', 60, 3],
      ['d', 25, 4],
      ['a', 12, 5],
      ['f', 1, 6],
    ]);
    expect(ranked.map((r) => r.band)).toEqual(['high', 'high', 'high', 'medium', 'low', 'low']);
  });

  it('flags the top risks never rehearsed or stale, and none below the top', () => {
    const ranked = rankRisks(risks, ended, NOW, { top: 3 });
    expect(ranked.filter((r) => r.needsRehearsal).map((r) => r.risk.id)).toEqual(['b', 'e']);
    expect(ranked.find((r) => r.risk.id === 'f')!.rehearsal.status).toBe('never');
    expect(rankRisks(risks, ended, NOW, { top: 5 }).filter((r) => r.needsRehearsal).map((r) => r.risk.id)).toEqual(['b', 'e', 'd', 'a']);
    // With a year's tolerance disk-full's rehearsal 120 days ago is recent.
    expect(rankRisks(risks, ended, NOW, { top: 3, staleAfterDays: 365 }).filter((r) => r.needsRehearsal).map((r) => r.risk.id)).toEqual(['e']);
  });
});

describe('heatMap', () => {
  it('counts risks per (likelihood, impact) cell', () => {
    const grid = heatMap([
      { likelihood: 3, impact: 5, detection: 1 },
      { likelihood: 3, impact: 5, detection: 4 },
      { likelihood: 1, impact: 2, detection: 2 },
    ]);
    expect(grid[2][4]).toBe(2);
    expect(grid[0][1]).toBe(1);
    expect(grid.flat().reduce((a, b) => a + b, 0)).toBe(3);
  });
});

describe('scenario drafts from a risk or a lesson', async () => {
  const { fileURLToPath } = await import('node:url');
  const { readFile } = await import('node:fs/promises');
  const { readLibrary } = await import('../../server/library/fs.ts');
  const { loadLibrary } = await import('../../server/engine/scenario/library.ts');
  const { lessonDraft, riskDraft, slug } = await import('../../client/src/lib/premortem-text.ts');
  const lib = await readLibrary(fileURLToPath(new URL('../../scenarios/', import.meta.url)));
  const problemsOf = (text: string) => loadLibrary([{ path: 'draft.scenario.yaml', text, kind: 'scenario' }], { fallback: lib }).problems.map((p) => `${p.line}: ${p.message}`);

  it('a risk: the template with the risk as its pre-mortem, a new id and title, and no problems', () => {
    const d = riskDraft({ id: 'r1', title: "The DBA's 'quick fix' drops an index", description: 'Writes slow down: every order takes 4 s.\nThen the pool runs dry.', likelihood: 2, impact: 4, detection: 3, priority: 24 });
    expect(d.origin).toBe("pre-mortem of risk “The DBA's 'quick fix' drops an index”");
    const lines = d.text.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      "# PRE-MORTEM — The DBA's 'quick fix' drops an index",
      '#',
      '# Writes slow down: every order takes 4 s.',
      '# Then the pool runs dry.',
      '#',
      '# From the risk register: likelihood 2/5, impact 4/5, detection confidence 3/5, priority 24.',
    ]);
    expect(d.text).toMatch(/^id: risk-the-dba-s-quick-fix-drops-an-index$/m);
    expect(d.text).toMatch(/^title: 'The DBA''s ''quick fix'' drops an index'$/m);
    expect(d.text).toContain('summary: >-\n  Writes slow down: every order takes 4 s. Then the pool runs dry.\n');
    expect(problemsOf(d.text)).toEqual([]);
  });

  it('a lesson of every library scenario: that scenario\'s file with the lesson on top, and no problems', async () => {
    expect(lib.scenarios.size).toBeGreaterThanOrEqual(13);
    for (const [id, entry] of lib.scenarios) {
      const source = await readFile(entry.file, 'utf8');
      const d = lessonDraft({ text: 'Nobody checked the deploy history: "what changed?" came 20 minutes late.', author: 'Ana' }, { id, title: entry.spec.title }, source);
      expect(d.text.startsWith(`# PRE-MORTEM — This could happen again.\n#\n# Lesson from a game day of "${entry.spec.title}" (${id}), said by Ana:\n`), id).toBe(true);
      expect(d.text, id).toMatch(new RegExp(`^id: ${slug(`${id}-again`, 'lesson')}$`, 'm'));
      expect(d.text, id).toMatch(/^title: 'Again: Nobody checked the deploy history: "what changed\?" came 20 minutes late'$/m);
      expect(problemsOf(d.text), id).toEqual([]);
    }
  });

  it('ids are identifiers, at most 60 characters', () => {
    expect(slug('Ünïcode — and 42 symbols!', 'risk')).toBe('risk-unicode-and-42-symbols');
    expect(slug('x'.repeat(100), 'risk')).toHaveLength(60);
  });
});
